#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "mnsim/core/fields.hpp"
#include "mnsim/protocol/schedule.hpp"
#include "mnsim/sim/observables.hpp"

namespace mnsim {

struct Provenance {
  std::string software_version, git_hash, build_flags, config_ini, created_utc;
  std::uint64_t seed = 0;
  int threads = 1;
};

// run.h5, laid out so h5dump, ncdump (netCDF-4), h5py and xarray read it with named dimensions:
// /fields holds the coordinates time (unlimited), z, y, x as dimension scales with units, and one
// dataset (time, z, y, x) per field, chunked one snapshot at a time with shuffle + deflate. Every
// snapshot extends the datasets and flushes, so a run that dies keeps what it wrote.
// Snapshots are stored as 32-bit floats (the checkpoint keeps full doubles); run.xmf beside the
// file is rewritten after every snapshot.
class RunWriter {
 public:
  // Creates the run file, replacing one that exists.
  RunWriter(const std::string& path, const Grid& g, const Provenance& prov);
  // Reopens the run file of an interrupted run to append to it, keeping its first `snapshots`
  // snapshots (any written after the checkpoint are dropped: the resumed run writes them again).
  RunWriter(const std::string& path, const Grid& g, long snapshots, const std::string& restarted_utc);
  ~RunWriter();
  RunWriter(const RunWriter&) = delete;
  RunWriter& operator=(const RunWriter&) = delete;

  void write_snapshot(double t, const State& s);
  void write_timeseries(const Timeseries& ts);
  void write_sessions(const std::vector<SessionRecord>& sessions);
  void set_status(const std::string& status);
  std::size_t snapshots() const { return times_.size(); }

 private:
  std::string path_;
  std::int64_t file_ = -1, fields_ = -1, time_ = -1;
  std::vector<std::int64_t> datasets_;
  Grid g_;
  std::vector<double> times_;
};

}  // namespace mnsim
