#pragma once
// How a sweep tells its user what it is doing (internal to sim/; used by the local and MPI backends).
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

#include "mnsim/sweep/sweep.hpp"

namespace mnsim::sweep {

// Progress of the runs of one sweep invocation. A live report redraws one line in place (for a
// terminal); otherwise each finished run gets a line of its own (for logs: Slurm, CI, mpirun).
// Safe to call from several threads.
class Report {
 public:
  Report(std::size_t todo, bool quiet, bool live);
  void started();
  // `where` names the worker (an MPI rank) or is empty.
  void finished(const std::string& id, const RunResult& r, const std::string& where = "");
  void redraw();  // call now and then from one thread
  void close();   // ends the live line

 private:
  void draw_locked();
  using clock = std::chrono::steady_clock;
  std::mutex m_;
  std::size_t todo_, done_ = 0, failed_ = 0, running_ = 0;
  bool quiet_, live_;
  clock::time_point start_ = clock::now();
};

}  // namespace mnsim::sweep
