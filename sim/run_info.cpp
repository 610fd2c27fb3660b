#include "mnsim/io/run_info.hpp"

#include <hdf5.h>

#include <cstring>
#include <filesystem>
#include <iomanip>
#include <sstream>
#include <vector>

#include "h5util.hpp"
#include "mnsim/core/errors.hpp"
#include "mnsim/sim/observables.hpp"

namespace mnsim {

namespace {
std::size_t extent(hid_t parent, const char* name) {
  hid_t ds = h5::checked(H5Dopen2(parent, name, H5P_DEFAULT), std::string("open ") + name);
  hid_t sp = H5Dget_space(ds);
  const hssize_t n = H5Sget_simple_extent_npoints(sp);
  H5Sclose(sp);
  H5Dclose(ds);
  return static_cast<std::size_t>(n);
}
}  // namespace

std::string describe_run(const std::string& path) {
  if (!std::filesystem::exists(path)) throw IoError("info: '" + path + "' does not exist");
  const h5::File file = h5::open_readonly(path);
  const hid_t f = file.id;
  if (f < 0 || H5Lexists(f, "fields", H5P_DEFAULT) <= 0) throw IoError("info: '" + path + "' is not an mnsim run file");
  std::ostringstream os;
  os << path << "\n  status            " << h5::get_text(f, "status") << "\n  software_version  "
     << h5::get_text(f, "software_version") << " (git " << h5::get_text(f, "git_hash") << ", "
     << h5::get_text(f, "build_flags") << ")\n  created_utc       " << h5::get_text(f, "created_utc") << "\n";
  if (H5Aexists(f, "restarted_utc") > 0) os << "  restarted_utc     " << h5::get_text(f, "restarted_utc") << "\n";
  os << "  seed              " << h5::get_long(f, "seed") << "\n  threads           " << h5::get_long(f, "threads") << "\n";
  hid_t fields = H5Gopen2(f, "fields", H5P_DEFAULT);
  const auto t = h5::read_vector(fields, "time");
  const auto x = extent(fields, "x"), y = extent(fields, "y"), z = extent(fields, "z");
  const auto zc = h5::read_vector(fields, "z");
  const double dx = zc.size() > 1 ? zc[1] - zc[0] : 2 * zc[0];
  os << "  grid              " << x << " x " << y << " x " << z << " cells, dx " << dx << " mm\n  snapshots         "
     << t.size();
  if (!t.empty()) os << " (day " << t.front() << " .. " << t.back() << ")";
  os << "\n";
  H5Gclose(fields);

  if (H5Lexists(f, "schedule", H5P_DEFAULT) > 0) {
    hid_t type = h5::session_row_type();
    hid_t ds = H5Dopen2(f, "schedule/sessions", H5P_DEFAULT);
    std::vector<h5::SessionRow> rows(extent(f, "schedule/sessions"));
    if (!rows.empty()) h5::check(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()), "read sessions");
    H5Dclose(ds);
    H5Tclose(type);
    os << "  sessions          " << rows.size() << "\n";
    for (std::size_t i = 0; i < rows.size(); ++i)
      os << "    " << std::setw(3) << i + 1 << "  day " << std::setw(7) << rows[i].day << "  " << std::setw(7)
         << std::string(rows[i].device, ::strnlen(rows[i].device, sizeof(rows[i].device))) << "  needle " << rows[i].needle_length
         << " mm  " << rows[i].density << " /cm^2  " << rows[i].punctures << " punctures\n";
  }
  if (H5Lexists(f, "timeseries", H5P_DEFAULT) > 0) {
    hid_t ts = H5Gopen2(f, "timeseries", H5P_DEFAULT);
    const auto tt = h5::read_vector(ts, "time");
    if (!tt.empty()) {
      os << "  outcomes at day " << tt.back() << " (% change from the run's own baseline)\n"
         << "    region      collagen  collagen I  collagen III  new collagen  elastin  tropoelastin\n";
      for (const auto& r : Observables::regions()) {
        os << "    " << std::left << std::setw(10) << r << std::right << std::fixed << std::setprecision(1);
        const char* names[] = {"collagen_total_pct", "collagen_I_pct", "collagen_III_pct", "collagen_new_pct",
                               "elastin_total_pct", "tropoelastin_pct"};
        const int widths[] = {10, 12, 14, 14, 9, 14};
        for (int i = 0; i < 6; ++i) os << std::setw(widths[i]) << h5::read_vector(ts, (r + "/" + names[i]).c_str()).back();
        os << "\n" << std::defaultfloat << std::setprecision(6);
      }
    }
    H5Gclose(ts);
  }
  return os.str();
}

}  // namespace mnsim
