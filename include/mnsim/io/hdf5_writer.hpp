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
class RunWriter {
 public:
  RunWriter(const std::string& path, const Grid& g, const Provenance& prov);
  ~RunWriter();
  RunWriter(const RunWriter&) = delete;
  RunWriter& operator=(const RunWriter&) = delete;

  void write_snapshot(double t, const State& s);
  void write_timeseries(const Timeseries& ts);
  void write_sessions(const std::vector<SessionRecord>& sessions);
  void set_status(const std::string& status);
  std::size_t snapshots() const { return nt_; }

 private:
  std::int64_t file_ = -1, fields_ = -1, time_ = -1;
  std::vector<std::int64_t> datasets_;
  Grid g_;
  std::size_t nt_ = 0;
};

}  // namespace mnsim
