// The local backend (runs on this machine, several at a time) and the single-run task that the
// Slurm array uses.
#include <atomic>
#include <chrono>
#include <exception>
#include <iostream>
#include <mutex>
#include <thread>

#include "mnsim/core/errors.hpp"
#include "mnsim/sweep/backends.hpp"
#include "sweep_report.hpp"

namespace mnsim::sweep {

int sweep_exit_code(const Sweep& sweep, std::size_t complete, const Options& o) {
  if (o.stop && o.stop()) return kExitInterrupted;
  return complete == sweep.runs().size() ? kExitOk : kExitNumerical;
}

int collect_and_report(const Sweep& sweep, const Options& o) {
  const std::size_t complete = sweep.collect();
  if (!o.quiet)
    std::cerr << "mnsim sweep: " << complete << " of " << sweep.runs().size() << " runs complete; summary in "
              << sweep.dir() << "/summary.csv and summary.h5\n";
  return sweep_exit_code(sweep, complete, o);
}

int run_local(const Sweep& sweep, const Options& o) {
  const std::vector<std::size_t> todo = sweep.pending();
  const Budget b = split_cores(available_cores(), todo.size(), o.jobs, requested_threads(o.threads));
  for (std::size_t i : todo) sweep.write_config(i);
  if (!o.quiet)
    std::cerr << "mnsim sweep: " << sweep.runs().size() << " runs, " << sweep.runs().size() - todo.size()
              << " already complete, " << todo.size() << " to run, " << b.jobs << " at a time x " << b.threads
              << " thread(s)\n";
  Report report(todo.size(), o.quiet, o.live);
  std::atomic<std::size_t> next{0};
  std::atomic<int> working{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  std::atomic<bool> broken{false};
  // A run that cannot even be started (an I/O error) stops the others from being taken.
  auto stopping = [&] { return (o.stop && o.stop()) || broken; };
  std::vector<std::thread> workers;
  const int n = static_cast<int>(std::min<std::size_t>(b.jobs, todo.size()));
  working = n;
  for (int w = 0; w < n; ++w)
    workers.emplace_back([&] {
      try {
        for (std::size_t k; !stopping() && (k = next++) < todo.size();) {
          report.started();
          const RunResult r = sweep.execute(todo[k], b.threads, o.stop);
          report.finished(sweep.runs()[todo[k]].run.id, r);
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        broken = true;
      }
      --working;
    });
  while (working > 0) {
    report.redraw();
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  for (auto& t : workers) t.join();
  report.close();
  if (error) std::rethrow_exception(error);
  return collect_and_report(sweep, o);
}

int run_task(const Sweep& sweep, std::size_t index, const Options& o) {
  const std::string& id = sweep.runs()[index].run.id;
  if (sweep.state(index) == RunState::Complete) {
    if (!o.quiet) std::cerr << "mnsim sweep: " << id << " is already complete\n";
    return kExitOk;
  }
  sweep.write_config(index);
  const Budget b = split_cores(available_cores(), 1, 1, requested_threads(o.threads));
  Report report(1, o.quiet, false);
  report.started();
  const RunResult r = sweep.execute(index, b.threads, o.stop);
  report.finished(id, r);
  return r.exit_code;
}

}  // namespace mnsim::sweep
