#pragma once
#include <functional>
#include <string>
#include <vector>

#include "mnsim/sweep/sweep.hpp"

namespace mnsim::sweep {

// What `mnsim sweep` was asked on its command line.
struct Options {
  std::string spec_path, dir;
  int jobs = 0;     // local: runs at once; slurm: array throttle (%N); 0 = choose
  int threads = 0;  // OpenMP threads per run; 0 = OMP_NUM_THREADS or the core budget
  bool quiet = false;
  bool live = false;  // a progress line redrawn in place (a terminal, or --progress)
  // slurm
  bool submit = false;
  std::string time_limit = "01:00:00";
  std::vector<std::string> sbatch_options;  // extra "#SBATCH" options, e.g. --partition=short
  std::function<bool()> stop;               // true once SIGTERM/SIGINT arrived
};

// Exit code of a sweep: 0 when every run is complete, kExitInterrupted when it was stopped by a
// signal, kExitNumerical when some run did not complete (the summary's status column says why).
int sweep_exit_code(const Sweep& sweep, std::size_t complete, const Options& o);

// Collects the summary, says where it is, returns the sweep's exit code.
int collect_and_report(const Sweep& sweep, const Options& o);

// Runs the sweep's pending runs on this machine, as many at a time as the core budget allows,
// then collects.
int run_local(const Sweep& sweep, const Options& o);

// Writes DIR/slurm/array.sh (one array task per pending run), DIR/slurm/collect.sh (the summary,
// after the array however its tasks end) and DIR/slurm/submit.sh (submits both); runs
// submit.sh when o.submit. With nothing pending, collects here instead.
int run_slurm(const Sweep& sweep, const Options& o);

// One run of the sweep (what a Slurm array task does): skipped when complete, resumed from its
// checkpoint when it can be. Returns the run's exit code.
int run_task(const Sweep& sweep, std::size_t index, const Options& o);

// Under mpirun: rank 0 validates and prepares the sweep, every rank (rank 0 too) takes runs from
// the shared list as it becomes free, rank 0 collects. Returns the same exit code on every
// rank. Built only with -DMNSIM_MPI=ON; otherwise a ConfigError says so.
int run_mpi(const Options& o);

}  // namespace mnsim::sweep
