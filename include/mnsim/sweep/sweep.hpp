#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "mnsim/sweep/spec.hpp"

namespace mnsim::sweep {

// Where a run stands, judged from its folder alone, so any process (a local worker, an MPI
// rank, a Slurm task started again after pre-emption) reaches the same verdict.
enum class RunState {
  Complete,   // run.h5 says complete and was made with the planned configuration
  Resumable,  // interrupted or killed, with a checkpoint of the planned configuration
  Todo,       // missing, failed, or made with another configuration
};

struct PlannedRun {
  Run run;
  std::string ini;  // effective configuration, as `mnsim run` stores it in run.h5
  std::string dir;  // DIR/runs/<id>
};

struct RunResult {
  int exit_code = 0;
  double seconds = 0;
  bool resumed = false;
};

// A sweep laid out in DIR: DIR/runs/<id>/{config.ini, run.h5, checkpoint.h5, log.txt},
// DIR/summary.csv and DIR/summary.h5.
class Sweep {
 public:
  // Plans every run of `spec` in `dir`. With `validate`, every run's configuration passes all
  // the checks of `mnsim check` and every collect day falls within every run, so a bad sweep
  // is refused (ConfigError naming the run and its varied values) before any run starts.
  Sweep(Spec spec, std::string dir, bool validate);

  const Spec& spec() const { return spec_; }
  const std::string& dir() const { return dir_; }
  const std::vector<PlannedRun>& runs() const { return runs_; }
  RunState state(std::size_t i) const;

  // The runs that are not complete, in order.
  std::vector<std::size_t> pending() const;
  // Writes run i's folder and config.ini (before it runs, so it can be read and rerun by hand).
  void write_config(std::size_t i) const;

  // Runs run i in a child `mnsim run` process (resumed from its checkpoint when it can be) with
  // `threads` threads, its output going to the run's log.txt. Once `stop` says so, the child is
  // sent SIGTERM (it checkpoints and exits 5). Returns when the child has ended.
  RunResult execute(std::size_t i, int threads, const std::function<bool()>& stop) const;

  // Reads every run's status and its time series at the collect days into DIR/summary.csv and
  // DIR/summary.h5 (both replaced atomically); the status column says which runs did not
  // complete and why. Returns the number of complete runs.
  std::size_t collect() const;

 private:
  Spec spec_;
  std::string dir_;
  std::vector<PlannedRun> runs_;
  std::vector<std::string> series_, units_;  // the time series a run records ("dermis/collagen_total_pct")
};

// How a node's cores are shared among concurrent runs.
struct Budget {
  int jobs = 1;     // runs at a time
  int threads = 1;  // OpenMP threads per run
};

// Cores this process may use: its CPU affinity mask, capped by SLURM_CPUS_PER_TASK inside a
// Slurm job.
int available_cores();

// Splits `cores` among `runs` runs so jobs x threads <= cores. `jobs` and `threads` are what
// the user asked for (0 = choose). Without either, as many runs as cores run at once and spare
// cores go to threads. Asking for more than `cores` is a ConfigError: a sweep never
// oversubscribes.
Budget split_cores(int cores, std::size_t runs, int jobs, int threads);

// The threads a run asked for, from --threads or else OMP_NUM_THREADS (0 when neither is set).
int requested_threads(int threads_option);

// This executable's own path (children and job scripts run the same binary).
std::string self_exe();

}  // namespace mnsim::sweep
