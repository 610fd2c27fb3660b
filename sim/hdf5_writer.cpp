#include "mnsim/io/hdf5_writer.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <cstring>
#include <filesystem>

#include "h5util.hpp"
#include "mnsim/core/errors.hpp"
#include "mnsim/io/xdmf.hpp"

namespace mnsim {

namespace {

using h5::check;
using h5::checked;
using h5::make_group;
using h5::set_text;
using h5::write_vector;

std::vector<double> centres(int n, double dx) {
  std::vector<double> c(n);
  for (int i = 0; i < n; ++i) c[i] = (i + 0.5) * dx;
  return c;
}

}  // namespace

RunWriter::RunWriter(const std::string& path, const Grid& g, const Provenance& prov) : path_(path), g_(g) {
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  file_ = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
  H5Pclose(fcpl);
  if (file_ < 0) throw IoError("output: cannot create '" + path + "'");

  set_text(file_, "status", "running");
  set_text(file_, "software_version", prov.software_version);
  set_text(file_, "git_hash", prov.git_hash);
  set_text(file_, "build_flags", prov.build_flags);
  set_text(file_, "config", prov.config_ini);
  set_text(file_, "created_utc", prov.created_utc);
  const unsigned long seed = prov.seed;
  check(H5LTset_attribute_ulong(file_, ".", "seed", &seed, 1), "write seed");
  check(H5LTset_attribute_int(file_, ".", "threads", &prov.threads, 1), "write threads");

  fields_ = make_group(file_, "fields");
  // Coordinates live in the same group as the fields so netCDF and xarray see named dimensions.
  {
    const hsize_t zero = 0, unlimited = H5S_UNLIMITED, chunk = 64;
    hid_t space = H5Screate_simple(1, &zero, &unlimited);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, &chunk);
    time_ = checked(H5Dcreate2(fields_, "time", H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), "create time");
    H5Pclose(dcpl);
    H5Sclose(space);
    set_text(time_, "units", "day");
    set_text(time_, "long_name", "time since the start of the run");
    check(H5DSset_scale(time_, "time"), "mark time as a dimension");
  }
  hid_t z = write_vector(fields_, "z", centres(g.nz, g.dx), "mm");
  hid_t y = write_vector(fields_, "y", centres(g.ny, g.dx), "mm");
  hid_t x = write_vector(fields_, "x", centres(g.nx, g.dx), "mm");
  set_text(z, "long_name", "depth below the skin surface (cell centre)");
  set_text(y, "long_name", "lateral position (cell centre)");
  set_text(x, "long_name", "lateral position (cell centre)");
  check(H5DSset_scale(z, "z"), "mark z as a dimension");
  check(H5DSset_scale(y, "y"), "mark y as a dimension");
  check(H5DSset_scale(x, "x"), "mark x as a dimension");

  const hsize_t dims[4] = {0, hsize_t(g.nz), hsize_t(g.ny), hsize_t(g.nx)};
  const hsize_t maxd[4] = {H5S_UNLIMITED, hsize_t(g.nz), hsize_t(g.ny), hsize_t(g.nx)};
  const hsize_t chunk[4] = {1, hsize_t(g.nz), hsize_t(g.ny), hsize_t(g.nx)};
  hid_t space = H5Screate_simple(4, dims, maxd);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, 4, chunk);
  H5Pset_shuffle(dcpl);
  H5Pset_deflate(dcpl, 4);
  for (int f = 0; f < kNumFields; ++f) {
    const FieldInfo& info = field_info(f);
    hid_t ds = checked(H5Dcreate2(fields_, info.name, H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                       std::string("create field ") + info.name);
    set_text(ds, "units", info.units);
    set_text(ds, "long_name", info.description);
    check(H5DSattach_scale(ds, time_, 0), "attach time");
    check(H5DSattach_scale(ds, z, 1), "attach z");
    check(H5DSattach_scale(ds, y, 2), "attach y");
    check(H5DSattach_scale(ds, x, 3), "attach x");
    datasets_.push_back(ds);
  }
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Dclose(z);
  H5Dclose(y);
  H5Dclose(x);
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush");
}

RunWriter::RunWriter(const std::string& path, const Grid& g, long snapshots, const std::string& restarted_utc)
    : path_(path), g_(g) {
  H5E_BEGIN_TRY { file_ = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT); }
  H5E_END_TRY;
  if (file_ < 0) throw IoError("restart: cannot open the run file '" + path + "' to append to it");
  fields_ = checked(H5Gopen2(file_, "fields", H5P_DEFAULT), "open /fields");
  time_ = checked(H5Dopen2(fields_, "time", H5P_DEFAULT), "open /fields/time");
  for (int f = 0; f < kNumFields; ++f)
    datasets_.push_back(checked(H5Dopen2(fields_, field_info(f).name, H5P_DEFAULT), "open a field"));
  std::vector<double> t = h5::read_vector(fields_, "time");
  if (static_cast<long>(t.size()) < snapshots)
    throw IoError("restart: " + path + " holds " + std::to_string(t.size()) + " snapshots, the checkpoint expects " +
                  std::to_string(snapshots));
  times_.assign(t.begin(), t.begin() + snapshots);
  const hsize_t n = times_.size();
  const hsize_t dims[4] = {n, hsize_t(g.nz), hsize_t(g.ny), hsize_t(g.nx)};
  check(H5Dset_extent(time_, &n), "truncate time");
  for (hid_t d : datasets_) check(H5Dset_extent(d, dims), "truncate a field");
  set_text(file_, "status", "running");
  set_text(file_, "restarted_utc", restarted_utc);
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush");
}

RunWriter::~RunWriter() {
  for (hid_t d : datasets_) H5Dclose(d);
  if (time_ >= 0) H5Dclose(time_);
  if (fields_ >= 0) H5Gclose(fields_);
  if (file_ >= 0) H5Fclose(file_);
}

void RunWriter::write_snapshot(double t, const State& s) {
  const hsize_t nt = times_.size(), n = nt + 1;
  check(H5Dset_extent(time_, &n), "extend time");
  {
    hid_t fs = H5Dget_space(time_);
    const hsize_t start = nt, count = 1;
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, nullptr, &count, nullptr);
    hid_t ms = H5Screate_simple(1, &count, nullptr);
    check(H5Dwrite(time_, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, &t), "write time");
    H5Sclose(ms);
    H5Sclose(fs);
  }
  const hsize_t dims[4] = {n, hsize_t(g_.nz), hsize_t(g_.ny), hsize_t(g_.nx)};
  const hsize_t start[4] = {nt, 0, 0, 0};
  const hsize_t count[4] = {1, hsize_t(g_.nz), hsize_t(g_.ny), hsize_t(g_.nx)};
  hid_t ms = H5Screate_simple(4, count, nullptr);
  for (int f = 0; f < kNumFields; ++f) {
    check(H5Dset_extent(datasets_[f], dims), "extend field");
    hid_t fs = H5Dget_space(datasets_[f]);
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, nullptr, count, nullptr);
    check(H5Dwrite(datasets_[f], H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, s[f]),
          std::string("write field ") + field_info(f).name);
    H5Sclose(fs);
  }
  H5Sclose(ms);
  times_.push_back(t);
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush");
  const std::filesystem::path p(path_);
  write_xdmf(std::filesystem::path(p).replace_extension(".xmf").string(), p.filename().string(), g_, times_);
}

void RunWriter::write_timeseries(const Timeseries& ts) {
  if (H5Lexists(file_, "timeseries", H5P_DEFAULT) > 0) check(H5Ldelete(file_, "timeseries", H5P_DEFAULT), "replace timeseries");
  hid_t root = make_group(file_, "timeseries");
  hid_t time = write_vector(root, "time", ts.time, "day");
  check(H5DSset_scale(time, "time"), "mark timeseries time as a dimension");
  for (std::size_t i = 0; i < ts.names.size(); ++i) {
    const std::string& full = ts.names[i];
    const std::string group = full.substr(0, full.find('/')), name = full.substr(full.find('/') + 1);
    hid_t g = H5Lexists(root, group.c_str(), H5P_DEFAULT) > 0 ? H5Gopen2(root, group.c_str(), H5P_DEFAULT)
                                                               : make_group(root, group.c_str());
    hid_t ds = write_vector(g, name.c_str(), ts.values.empty() ? std::vector<double>{} : ts.values[i], ts.units[i].c_str());
    check(H5DSattach_scale(ds, time, 0), "attach timeseries time");
    H5Dclose(ds);
    H5Gclose(g);
  }
  H5Dclose(time);
  H5Gclose(root);
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush");
}

namespace {
// A 1-D compound dataset of `n` rows with a per-column `units` attribute and a description.
void write_table(hid_t group, const char* name, hid_t type, std::size_t n, const void* rows, const char* units,
                 const char* description) {
  const hsize_t dims = n;
  hid_t space = H5Screate_simple(1, &dims, nullptr);
  hid_t ds = checked(H5Dcreate2(group, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), std::string("create ") + name);
  if (n) check(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows), std::string("write ") + name);
  set_text(ds, "units", units);
  set_text(ds, "long_name", description);
  H5Dclose(ds);
  H5Sclose(space);
}
}  // namespace

void RunWriter::write_sessions(const std::vector<SessionRecord>& sessions) {
  // netCDF-4 readers (ncdump) see a compound dataset only when its type is committed in the
  // group, and read its members when they are numbers or arrays of netCDF chars.
  struct PunctureRow {
    int session;
    double x, y, depth, radius;
  };
  std::vector<h5::SessionRow> rows;
  std::vector<PunctureRow> sites;
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    const SessionRecord& s = sessions[i];
    h5::SessionRow r{};
    r.day = s.day;
    std::strncpy(r.device, s.device.c_str(), sizeof(r.device) - 1);
    r.needle_length = s.needle_length;
    r.density = s.density;
    r.punctures = s.punctures;
    rows.push_back(r);
    for (const Puncture& p : s.sites) sites.push_back({static_cast<int>(i), p.x, p.y, s.depth, s.radius});
  }
  hid_t session_type = h5::session_row_type();
  hid_t puncture_type = H5Tcreate(H5T_COMPOUND, sizeof(PunctureRow));
  H5Tinsert(puncture_type, "session", HOFFSET(PunctureRow, session), H5T_NATIVE_INT);
  H5Tinsert(puncture_type, "x", HOFFSET(PunctureRow, x), H5T_NATIVE_DOUBLE);
  H5Tinsert(puncture_type, "y", HOFFSET(PunctureRow, y), H5T_NATIVE_DOUBLE);
  H5Tinsert(puncture_type, "depth", HOFFSET(PunctureRow, depth), H5T_NATIVE_DOUBLE);
  H5Tinsert(puncture_type, "radius", HOFFSET(PunctureRow, radius), H5T_NATIVE_DOUBLE);

  if (H5Lexists(file_, "schedule", H5P_DEFAULT) > 0) check(H5Ldelete(file_, "schedule", H5P_DEFAULT), "replace schedule");
  hid_t g = make_group(file_, "schedule");
  check(H5Tcommit2(g, "session_t", session_type, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "commit session_t");
  check(H5Tcommit2(g, "puncture_t", puncture_type, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "commit puncture_t");
  write_table(g, "sessions", session_type, rows.size(), rows.data(), "day, -, mm, 1/cm^2, 1 (per column)",
              "one row per session: day, device type, needle length, mean puncture density the settings lay, "
              "punctures laid on the patch (1D: expected per cm^2)");
  write_table(g, "punctures", puncture_type, sites.size(), sites.data(), "1, mm, mm, mm, mm (per column)",
              "one row per puncture: session (0-based row of /schedule/sessions), position x and y on the patch, "
              "channel depth and surface radius");
  H5Gclose(g);
  H5Tclose(puncture_type);
  H5Tclose(session_type);
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush");
}

void RunWriter::set_status(const std::string& status) {
  set_text(file_, "status", status);
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush");
}

}  // namespace mnsim
