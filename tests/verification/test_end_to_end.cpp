// End to end through the command line: `mnsim run` on the shipped configs exits 0 and writes a
// complete run.h5 whose time series (read back with HDF5, as a user's script would) are finite and
// physically plausible. The full default run (3D, 6 sessions, 270 days) is in the slow tier.
#include <hdf5.h>
#include <hdf5_hl.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "mnsim/core/errors.hpp"
#include "mnsim/io/config.hpp"
#include "mnsim/sim/simulation.hpp"
#include "support/helpers.hpp"

using namespace mnsim;

namespace {

class RunFile {
 public:
  explicit RunFile(const std::string& path) : f_(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)) {}
  ~RunFile() {
    if (f_ >= 0) H5Fclose(f_);
  }
  RunFile(const RunFile&) = delete;
  RunFile& operator=(const RunFile&) = delete;
  bool ok() const { return f_ >= 0; }

  std::string root_text(const char* name) const {
    hsize_t dims[1] = {0};
    H5T_class_t cls;
    std::size_t size = 0;
    if (H5LTget_attribute_info(f_, "/", name, dims, &cls, &size) < 0) return "<missing>";
    std::string s(size + 1, '\0');
    if (H5LTget_attribute_string(f_, "/", name, s.data()) < 0) return "<unreadable>";
    s.resize(std::strlen(s.c_str()));
    return s;
  }
  // A 1-D dataset of doubles; empty if it does not exist.
  std::vector<double> series(const std::string& path) const {
    if (H5LTpath_valid(f_, path.c_str(), 1) <= 0) return {};
    hsize_t n = 0;
    H5T_class_t cls;
    std::size_t size = 0;
    if (H5LTget_dataset_info(f_, path.c_str(), &n, &cls, &size) < 0) return {};
    std::vector<double> v(n);
    if (n && H5LTread_dataset_double(f_, path.c_str(), v.data()) < 0) return {};
    return v;
  }
  hsize_t rows(const std::string& path) const {
    hsize_t n = 0;
    H5T_class_t cls;
    std::size_t size = 0;
    if (H5LTpath_valid(f_, path.c_str(), 1) <= 0 || H5LTget_dataset_info(f_, path.c_str(), &n, &cls, &size) < 0) return 0;
    return n;
  }

 private:
  hid_t f_;
};

// The per-region series INTERFACE.md promises.
const char* const kSeries[] = {"collagen_total_pct", "collagen_I_pct",      "collagen_III_pct",   "collagen_new_pct",
                               "elastin_total_pct",  "tropoelastin_pct",    "fibroblasts",        "activated_fibroblasts",
                               "inflammatory_cells", "tgf_active",          "mmp"};

// Checks a finished run file; returns the papillary collagen gain at the end (%).
double check_run_file(const std::string& path, std::size_t sessions, double end_day) {
  RunFile rf(path);
  REQUIRE(rf.ok());
  CHECK(rf.root_text("status") == "complete");
  CHECK(rf.rows("/schedule/sessions") == sessions);
  const auto time = rf.series("/timeseries/time");
  REQUIRE(time.size() > 10);
  CHECK(time.front() == 0.0);
  CHECK(time.back() == Approx(end_day));
  for (const char* region : {"papillary", "reticular", "dermis"}) {
    for (const char* name : kSeries) {
      const std::string p = std::string("/timeseries/") + region + "/" + name;
      const auto v = rf.series(p);
      INFO(p);
      REQUIRE(v.size() == time.size());
      CHECK(std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); }));
    }
    const auto fib = rf.series(std::string("/timeseries/") + region + "/fibroblasts");
    INFO(region << " fibroblasts, lowest " << *std::min_element(fib.begin(), fib.end()));
    CHECK(*std::min_element(fib.begin(), fib.end()) > 0.0);
  }
  const auto pores = rf.series("/timeseries/surface/open_pore_fraction");
  REQUIRE(pores.size() == time.size());
  const double lo = *std::min_element(pores.begin(), pores.end()), hi = *std::max_element(pores.begin(), pores.end());
  INFO("open pore fraction in [" << lo << ", " << hi << "]");
  CHECK(lo >= 0.0);
  CHECK(hi <= 1.0);
  CHECK(hi > 0.0);  // the sessions did open pores
  const double gain = rf.series("/timeseries/papillary/collagen_total_pct").back();
  INFO("papillary collagen change at day " << end_day << ": " << gain << " %");
  // Plausible: microneedling builds collagen (Lotfi 2013: +53 % after five sessions), and the
  // capacity C_max = 2.5 caps any gain at +150 %; +200 % would be nonsense.
  CHECK(gain > 0.0);
  CHECK(gain < 200.0);
  return gain;
}

}  // namespace

TEST_CASE("mnsim run configs/quick-2d.ini exits 0 and its run.h5 holds exactly the library's time series",
          "[verification]") {
  const std::string dir = test::temp_dir("e2e-quick-2d");
  const std::string config = std::string(MNSIM_SOURCE_DIR) + "/configs/quick-2d.ini";
  std::string out, err;
  const int code = test::run_mnsim("run " + config + " -o " + dir + " --quiet", &out, &err);
  INFO("stderr: " << err);
  REQUIRE(code == kExitOk);
  check_run_file(dir + "/run.h5", 1, 56.0);
  // The command line adds nothing of its own to the numbers: an in-process run of the same file
  // gives the same series to the last bit (and the thread count does not matter, see test_threads).
  Simulation sim(Config::load(config, {}));
  sim.run();
  RunFile rf(dir + "/run.h5");
  CHECK(rf.series("/timeseries/time") == sim.series().time);
  CHECK(rf.series("/timeseries/papillary/collagen_total_pct") == sim.series().get("papillary/collagen_total_pct"));
  CHECK(rf.series("/timeseries/dermis/fibroblasts") == sim.series().get("dermis/fibroblasts"));
}

TEST_CASE("mnsim run configs/default.ini on a smaller 3D patch for 60 days exits 0 with plausible outcomes",
          "[verification]") {
  // The default config with three sessions in 60 days on the same 1 mm patch at 40 um cells: the
  // same physics and code path in 3D at a small fraction of the cost. (The patch must stay at
  // 1 mm: the roller's needle rows are 0.83 mm apart, so a much smaller patch gets no punctures.)
  const std::string dir = test::temp_dir("e2e-default-small");
  std::string out, err;
  const int code = test::run_mnsim("run " + std::string(MNSIM_SOURCE_DIR) + "/configs/default.ini -o " + dir +
                                       " --quiet --set time.end=60 --set schedule.count=3 --set grid.nx=25 --set grid.ny=25"
                                       " --set grid.nz=45 --set grid.dx=0.04",
                                   &out, &err);
  INFO("stderr: " << err);
  REQUIRE(code == kExitOk);
  check_run_file(dir + "/run.h5", 3, 60.0);
}

TEST_CASE("mnsim run configs/default.ini (3D, 6 sessions, 270 days) exits 0 with plausible outcomes",
          "[verification][.slow]") {
  const std::string dir = test::temp_dir("e2e-default");
  std::string out, err;
  const int code =
      test::run_mnsim("run " + std::string(MNSIM_SOURCE_DIR) + "/configs/default.ini -o " + dir + " --quiet", &out, &err);
  INFO("stderr: " << err);
  REQUIRE(code == kExitOk);
  check_run_file(dir + "/run.h5", 6, 270.0);
  std::filesystem::remove_all(dir);  // 190 MB of snapshots
}

TEST_CASE("mnsim bench measures bandwidth, diffusion and the model step and writes them as JSON", "[verification]") {
  const std::string dir = test::temp_dir("bench");
  std::string out, err;
  REQUIRE(test::run_mnsim("bench --grid 16x12x40 --fields 2 --steps 2 --threads 1 --json " + dir + "/b.json", &out, &err) == 0);
  CHECK_THAT(out, Catch::Contains("of its bound") && Catch::Contains("plain LOD kernel") && Catch::Contains("full model step") &&
                      Catch::Contains("(next to the model steps)"));
  const std::string js = test::slurp(dir + "/b.json");
  for (const char* key : {"adi_updates_per_s", "adi_plain_updates_per_s", "step_voxels_per_s", "bandwidth_GBps",
                          "peak_rss_bytes", "step_chemotaxis_substeps", "step_bandwidth_GBps", "model_bytes_per_voxel"}) {
    const auto at = js.find("\"" + std::string(key) + "\": ");
    REQUIRE(at != std::string::npos);
    INFO(key);
    CHECK(std::stod(js.substr(at + std::string(key).size() + 4)) > 0);
  }
  CHECK_THAT(js, Catch::Contains("\"threads\": 1") && Catch::Contains("\"grid\": \"16x12x40\"") &&
                     Catch::Contains("\"fields\": 2"));
  CHECK(test::run_mnsim("bench --grid 16x2x40", &out, &err) == 2);
  CHECK_THAT(err, Catch::Contains("--grid = '16x2x40'") && Catch::Contains("at least 3"));
}
