// The MPI backend: under `mpirun -n R mnsim sweep SPEC --backend mpi`, rank 0 hands out runs from
// the list of runs to do as ranks become free (itself included), then collects.
#include <mpi.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <iostream>
#include <thread>

#include "mnsim/core/errors.hpp"
#include "mnsim/sweep/backends.hpp"
#include "sweep_report.hpp"

namespace mnsim::sweep {

namespace {

constexpr int kTagReport = 1;  // worker -> rank 0: the run it finished (or -1) and asks for the next
constexpr int kTagWork = 2;    // rank 0 -> worker: the next run's position in the list, -1 = no more

// A rank that mpirun bound to cores owns those; an unbound one shares the node with the other
// ranks on it.
int cores_for_rank(int ranks_on_node) {
  const int mine = available_cores();
  const int node = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return mine < node ? mine : std::max(1, node / ranks_on_node);
}

int ranks_on_node() {
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
  int n = 1;
  MPI_Comm_size(node, &n);
  MPI_Comm_free(&node);
  return n;
}

// Rank 0: answers workers while its own thread runs runs from the same list. Polling with a
// short sleep rather than a blocking receive keeps this thread off the core the runs need.
void dispatch(const Sweep& sweep, const std::vector<std::size_t>& todo, int ranks, int threads, const Options& o,
              Report& report) {
  std::atomic<std::size_t> next{0};
  auto take = [&]() -> long {
    if (o.stop && o.stop()) return -1;
    const std::size_t k = next++;
    return k < todo.size() ? static_cast<long>(k) : -1;
  };
  std::exception_ptr error;
  std::thread own([&] {
    try {
      for (long k; (k = take()) >= 0;) {
        report.started();
        report.finished(sweep.runs()[todo[k]].run.id, sweep.execute(todo[k], threads, o.stop), "rank 0");
      }
    } catch (...) {
      error = std::current_exception();
    }
  });
  for (int active = ranks - 1; active > 0;) {
    int flag = 0;
    MPI_Status st;
    MPI_Iprobe(MPI_ANY_SOURCE, kTagReport, MPI_COMM_WORLD, &flag, &st);
    if (!flag) {
      report.redraw();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    long msg[4];
    MPI_Recv(msg, 4, MPI_LONG, st.MPI_SOURCE, kTagReport, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (msg[0] >= 0)
      report.finished(sweep.runs()[todo[msg[0]]].run.id, RunResult{static_cast<int>(msg[1]), msg[2] / 1000.0, msg[3] != 0},
                      "rank " + std::to_string(st.MPI_SOURCE));
    long give = take();
    if (give >= 0) report.started();
    else --active;
    MPI_Send(&give, 1, MPI_LONG, st.MPI_SOURCE, kTagWork, MPI_COMM_WORLD);
  }
  own.join();
  if (error) std::rethrow_exception(error);
}

void work(const Sweep& sweep, const std::vector<std::size_t>& todo, int threads, const Options& o) {
  long msg[4] = {-1, 0, 0, 0};
  for (;;) {
    MPI_Send(msg, 4, MPI_LONG, 0, kTagReport, MPI_COMM_WORLD);
    long k = -1;
    MPI_Recv(&k, 1, MPI_LONG, 0, kTagWork, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (k < 0) return;
    const RunResult r = sweep.execute(todo[k], threads, o.stop);
    msg[0] = k;
    msg[1] = r.exit_code;
    msg[2] = std::lround(r.seconds * 1000);
    msg[3] = r.resumed;
  }
}

}  // namespace

int run_mpi(const Options& o) {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);

  // Rank 0 validates and prepares alone, so a bad spec gives one message, not one per rank.
  int code = kExitOk;
  std::vector<long> todo_list;
  if (rank == 0) {
    try {
      const Sweep sweep(Spec::load(o.spec_path), o.dir, true);
      for (std::size_t i : sweep.pending()) {
        sweep.write_config(i);
        todo_list.push_back(static_cast<long>(i));
      }
    } catch (const Error& e) {
      std::cerr << "mnsim: " << e.what() << "\n";
      code = e.exit_code;
    }
  }
  MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (code != kExitOk) {
    MPI_Finalize();
    return code;
  }
  long n = static_cast<long>(todo_list.size());
  MPI_Bcast(&n, 1, MPI_LONG, 0, MPI_COMM_WORLD);
  todo_list.resize(n);
  MPI_Bcast(todo_list.data(), static_cast<int>(n), MPI_LONG, 0, MPI_COMM_WORLD);
  const std::vector<std::size_t> todo(todo_list.begin(), todo_list.end());

  try {
    const Sweep sweep(Spec::load(o.spec_path), o.dir, false);
    const int threads = split_cores(cores_for_rank(ranks_on_node()), 1, 1, requested_threads(o.threads)).threads;
    if (rank == 0) {
      if (!o.quiet)
        std::cerr << "mnsim sweep: " << sweep.runs().size() << " runs, " << sweep.runs().size() - todo.size()
                  << " already complete, " << todo.size() << " to run on " << ranks << " MPI ranks x " << threads
                  << " thread(s)\n";
      Report report(todo.size(), o.quiet, o.live);
      dispatch(sweep, todo, ranks, threads, o, report);
      report.close();
      code = collect_and_report(sweep, o);
    } else {
      work(sweep, todo, threads, o);
    }
  } catch (const Error& e) {
    // A rank that cannot go on would leave the others waiting for it forever.
    std::cerr << "mnsim: rank " << rank << ": " << e.what() << "\n";
    MPI_Abort(MPI_COMM_WORLD, e.exit_code);
  }
  MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Finalize();
  return code;
}

}  // namespace mnsim::sweep
