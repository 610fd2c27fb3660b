#include "mnsim/sweep/sweep.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "h5util.hpp"
#include "mnsim/core/errors.hpp"
#include "mnsim/protocol/schedule.hpp"
#include "mnsim/sim/simulation.hpp"

extern char** environ;

namespace fs = std::filesystem;

namespace mnsim::sweep {

namespace {

// "run r003 (schedule.interval = 8 week, schedule.count = 6)": how messages name a run.
std::string describe(const Spec& spec, const Run& run) {
  std::string s = "run " + run.id + " (";
  for (std::size_t d = 0; d < spec.vary.size(); ++d) s += (d ? ", " : "") + spec.vary[d].key + " = " + run.values[d];
  return s + ")";
}

std::string without_prefix(const std::string& m) { return m.rfind("config: ", 0) == 0 ? m.substr(8) : m; }

// Every collect day must fall within the run, or the summary would report a value it never simulated.
void check_collect_days(const Spec& spec, const Run& run, const Config& c) {
  const double end = c.real("time.end");
  auto refuse = [&](const std::string& key, double day, const std::string& why) {
    throw ConfigError("sweep: " + spec.path + ": [collect] " + key + " = " + day_label(day) + ": " + why + " of " +
                      describe(spec, run) + "; allowed days within [0, " + day_label(end) + "] of every run");
  };
  for (double d : spec.days)
    if (d > end) refuse("days", d, "after time.end = " + day_label(end) + " day");
  if (spec.after_last.empty()) return;
  const auto sessions = build_schedule(c);
  if (sessions.empty()) refuse("after_last_session", spec.after_last.front(), "there is no session in the schedule");
  for (double d : spec.after_last)
    if (sessions.back().day + d > end)
      refuse("after_last_session", d,
             "day " + day_label(sessions.back().day + d) + " is after time.end = " + day_label(end) + " day");
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace

Sweep::Sweep(Spec spec, std::string dir, bool validate) : spec_(std::move(spec)), dir_(std::move(dir)) {
  for (const Run& run : plan(spec_)) {
    try {
      const Config c = run_config(spec_, run);
      if (validate || runs_.empty()) {
        const Simulation sim(c);  // every derived check of `mnsim check`
        if (runs_.empty()) {
          series_ = sim.series().names;
          units_ = sim.series().units;
        }
        check_collect_days(spec_, run, c);
      }
      runs_.push_back({run, c.to_ini(), (fs::path(dir_) / "runs" / run.id).string()});
    } catch (const ConfigError& e) {
      const std::string m = e.what();
      if (m.rfind("sweep: ", 0) == 0) throw;
      throw ConfigError("sweep: " + spec_.path + ": " + describe(spec_, run) + ": " + without_prefix(m));
    }
  }
}

RunState Sweep::state(std::size_t i) const {
  // Local workers ask from several threads, and an HDF5 library built without its thread-safe
  // option must not be entered twice at once.
  static std::mutex hdf5;
  const std::lock_guard<std::mutex> lock(hdf5);
  const PlannedRun& r = runs_[i];
  const h5::File f = h5::open_readonly((fs::path(r.dir) / "run.h5").string());
  if (f.id < 0 || H5Aexists(f.id, "status") <= 0 || H5Aexists(f.id, "config") <= 0) return RunState::Todo;
  if (h5::get_text(f.id, "config") != r.ini) return RunState::Todo;
  const std::string status = h5::get_text(f.id, "status");
  if (status == "complete") return RunState::Complete;
  if (status.rfind("interrupted", 0) != 0 && status != "running") return RunState::Todo;
  const std::string checkpoint = (fs::path(r.dir) / "checkpoint.h5").string();
  try {
    return Simulation::checkpoint_config(checkpoint) == r.ini ? RunState::Resumable : RunState::Todo;
  } catch (const Error&) {
    return RunState::Todo;
  }
}

std::vector<std::size_t> Sweep::pending() const {
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < runs_.size(); ++i)
    if (state(i) != RunState::Complete) todo.push_back(i);
  return todo;
}

void Sweep::write_config(std::size_t i) const {
  const fs::path dir(runs_[i].dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::ofstream cfg(dir / "config.ini");
  cfg << "; " << describe(spec_, runs_[i].run) << " of sweep " << spec_.path
      << "\n; the effective configuration: base config, then [set], then the varied values\n"
      << runs_[i].ini;
  if (ec || !cfg) throw IoError("sweep: cannot write " + (dir / "config.ini").string());
}

RunResult Sweep::execute(std::size_t i, int threads, const std::function<bool()>& stop) const {
  const PlannedRun& r = runs_[i];
  const fs::path dir(r.dir);
  const std::string log = (dir / "log.txt").string();
  RunResult result;
  result.resumed = state(i) == RunState::Resumable;
  const auto t0 = std::chrono::steady_clock::now();
  auto launch = [&](bool resume) {
    std::ofstream(log, std::ios::app) << "== mnsim sweep " << utc_now() << ": " << (resume ? "resuming " : "starting ")
                                      << r.run.id << " with " << threads << " thread(s)\n";
    std::vector<std::string> args = {self_exe(), "run", (dir / "config.ini").string(), "-o", r.dir, "--quiet",
                                     "--threads", std::to_string(threads)};
    if (resume) args.insert(args.end(), {"--restart", (dir / "checkpoint.h5").string()});
    else args.push_back("--overwrite");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t io;
    posix_spawn_file_actions_init(&io);
    posix_spawn_file_actions_addopen(&io, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&io, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = 0;
    const int err = posix_spawn(&pid, argv[0], &io, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&io);
    if (err != 0) throw IoError("sweep: cannot start " + args[0] + " for " + r.run.id + ": " + std::strerror(err));
    // Polling rather than a blocking wait lets the stop request reach the child promptly from
    // whichever thread runs this.
    bool forwarded = false;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
      if (!forwarded && stop && stop()) {
        kill(pid, SIGTERM);
        forwarded = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  };
  result.exit_code = launch(result.resumed);
  // A checkpoint that cannot be resumed (bad input or unreadable: exit 2 or 3) must not block
  // the run forever: start it afresh instead.
  if (result.resumed && (result.exit_code == kExitBadInput || result.exit_code == kExitIo)) {
    result.resumed = false;
    result.exit_code = launch(false);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

int available_cores() {
  cpu_set_t set;
  int cores = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
  if (cores < 1) cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Inside a Slurm job the allocation, not the node, is what this process owns.
  if (const char* s = std::getenv("SLURM_CPUS_PER_TASK")) {
    const int slurm = std::atoi(s);
    if (slurm > 0) cores = std::min(cores, slurm);
  }
  return cores;
}

int requested_threads(int threads_option) {
  if (threads_option > 0) return threads_option;
  const char* env = std::getenv("OMP_NUM_THREADS");
  if (!env || !*env) return 0;
  char* end = nullptr;
  const long n = std::strtol(env, &end, 10);
  // OpenMP also accepts a nested list "4,2"; its first level is what a run uses.
  if (end == env || n < 1 || (*end && *end != ','))
    throw ConfigError(std::string("sweep: OMP_NUM_THREADS = '") + env + "': not a thread count; allowed a whole number >= 1");
  return static_cast<int>(n);
}

Budget split_cores(int cores, std::size_t runs, int jobs, int threads) {
  const int n = static_cast<int>(std::max<std::size_t>(1, std::min<std::size_t>(runs, 1 << 20)));
  Budget b;
  if (jobs > 0 && threads > 0) {
    b = {jobs, threads};
  } else if (threads > 0) {
    b = {std::max(1, std::min(n, cores / threads)), threads};
  } else if (jobs > 0) {
    b = {jobs, std::max(1, cores / jobs)};
  } else {
    b.jobs = std::min(n, cores);
    b.threads = std::max(1, cores / b.jobs);
  }
  if (b.jobs * b.threads > cores)
    throw ConfigError("sweep: --jobs " + std::to_string(b.jobs) + " x --threads " + std::to_string(b.threads) + " = " +
                      std::to_string(b.jobs * b.threads) + " threads on " + std::to_string(cores) +
                      " cores; allowed jobs x threads <= " + std::to_string(cores) + " (a sweep never oversubscribes)");
  return b;
}

std::string self_exe() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw IoError("sweep: cannot find this executable's path (/proc/self/exe): " + ec.message());
  return p.string();
}

}  // namespace mnsim::sweep
