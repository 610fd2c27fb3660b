#include <hdf5.h>
#include <omp.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "mnsim/sim/simulation.hpp"
#include "support/helpers.hpp"

using namespace mnsim;

namespace {

// One column of a compound dataset of run.h5, converted to `type` by HDF5.
template <class T>
std::vector<T> read_column(const std::string& file, const char* dataset, const char* column, hid_t type) {
  hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  hid_t ds = H5Dopen2(f, dataset, H5P_DEFAULT);
  REQUIRE(ds >= 0);
  hid_t space = H5Dget_space(ds);
  std::vector<T> v(H5Sget_simple_extent_npoints(space));
  hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(T));
  H5Tinsert(mem, column, 0, type);
  if (!v.empty()) CHECK(H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0);
  H5Tclose(mem);
  H5Sclose(space);
  H5Dclose(ds);
  H5Fclose(f);
  return v;
}

// Papillary collagen change (%) at day 56 after one session on an nx x ny x 90 grid of 20 um.
double papillary_collagen_day56(int nx, int ny, std::vector<std::string> settings, long* punctures = nullptr) {
  settings.insert(settings.end(), {"grid.nx=" + std::to_string(nx), "grid.ny=" + std::to_string(ny), "schedule.count=1",
                                   "time.end=56", "time.output_interval=56"});
  Simulation sim(test::config_with(settings));
  sim.run();
  if (punctures) *punctures = sim.sessions_done().at(0).punctures;
  return sim.series().get("papillary/collagen_total_pct").back();
}

// 2D is the y-average of the 3D pattern on the same square patch; 1D receives the density
// that pattern has. All three must tell the same papillary collagen story.
void check_reductions(int n, const std::vector<std::string>& device) {
  long count = 0;
  const double c3 = papillary_collagen_day56(n, n, device, &count);
  const double c2 = papillary_collagen_day56(n, 1, device);
  const double area_cm2 = std::pow(n * 0.02 / 10, 2);
  auto column = device;
  column.push_back("device.passes=0");
  column.push_back("device.density=" + std::to_string(count / area_cm2));
  const double c1 = papillary_collagen_day56(1, 1, column);
  INFO(n << " x " << n << " patch, " << count << " punctures: papillary collagen at day 56: 3D " << c3 << " %, 2D " << c2
         << " %, 1D " << c1 << " %");
  REQUIRE(std::fabs(c3) > 1.0);
  CHECK(std::fabs(c2 / c3 - 1) <= 0.2);
  CHECK(std::fabs(c1 / c3 - 1) <= 0.2);
}

GridVector damage_after(const std::vector<std::string>& extra, int threads) {
  std::vector<std::string> o = {"grid.nx=20", "grid.ny=20", "device.type=roller", "device.density=2000",
                                "schedule.count=1", "time.end=0.1", "time.output_interval=0.1"};
  o.insert(o.end(), extra.begin(), extra.end());
  const int before = omp_get_max_threads();
  omp_set_num_threads(threads);
  Simulation sim(test::config_with(o));
  sim.run();
  omp_set_num_threads(before);
  return sim.state().f[B];
}

}  // namespace

TEST_CASE("Every device lays 10-32 punctures on a 1 x 1 mm patch at 2000/cm^2, recorded in run.h5", "[verification]") {
  for (const char* type : {"roller", "stamp", "pen", "random"}) {
    const std::string dir = test::temp_dir(std::string("devices-") + type);
    const std::string args = "run " MNSIM_SOURCE_DIR "/configs/default.ini -o " + dir +
                             " --quiet --set schedule.count=2 --set schedule.interval=0.005 --set time.end=0.01"
                             " --set time.output_interval=0.01 --set device.density=2000 --set device.type=" + type;
    std::string err;
    REQUIRE(test::run_mnsim(args, nullptr, &err) == 0);
    const std::string file = dir + "/run.h5";
    const auto counts = read_column<long long>(file, "/schedule/sessions", "punctures", H5T_NATIVE_LLONG);
    const auto density = read_column<double>(file, "/schedule/sessions", "density", H5T_NATIVE_DOUBLE);
    const auto session = read_column<int>(file, "/schedule/punctures", "session", H5T_NATIVE_INT);
    const auto x = read_column<double>(file, "/schedule/punctures", "x", H5T_NATIVE_DOUBLE);
    REQUIRE(counts.size() == 2);
    long long total = 0;
    for (std::size_t s = 0; s < counts.size(); ++s) {
      INFO(type << " session " << s << ": " << counts[s] << " punctures");
      CHECK(counts[s] >= 10);
      CHECK(counts[s] <= 32);
      CHECK(density[s] == Approx(2000));
      CHECK(std::count(session.begin(), session.end(), static_cast<int>(s)) == counts[s]);
      total += counts[s];
    }
    CHECK(static_cast<long long>(x.size()) == total);
    for (double v : x) CHECK((v >= 0 && v < 1.0));
  }
}

TEST_CASE("The same seed gives bitwise identical damage fields at any thread count and another seed other fields", "[verification]") {
  const auto a = damage_after({"run.seed=5"}, 1);
  CHECK(*std::max_element(a.begin(), a.end()) > 0.1);
  CHECK(damage_after({"run.seed=5"}, 1) == a);
  CHECK(damage_after({"run.seed=5"}, 2) == a);
  CHECK(damage_after({"run.seed=6"}, 2) != a);
}

TEST_CASE("1D and 2D reductions match 3D papillary collagen at day 56 within 20 % (0.5 mm patch)", "[verification]") {
  check_reductions(25, {"device.type=roller", "device.density=2000"});
}

TEST_CASE("1D and 2D reductions match 3D papillary collagen at day 56 within 20 % (1 mm patch, 250/cm^2)", "[verification][.slow]") {
  check_reductions(50, {"device.type=roller", "device.density=250"});
  check_reductions(50, {"device.type=pen", "device.density=250"});
}
