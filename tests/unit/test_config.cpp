#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "mnsim/core/errors.hpp"
#include "mnsim/io/config.hpp"
#include "mnsim/model/tissue.hpp"
#include "mnsim/sim/simulation.hpp"
#include "support/helpers.hpp"

using namespace mnsim;
namespace fs = std::filesystem;

namespace {
// The message a config (INI text) is rejected with; empty when it is accepted. Builds the whole
// simulation so model-level checks (homeostasis balances, loop gain, schedule) run too.
std::string rejection(const std::string& ini, const std::vector<std::string>& overrides = {}) {
  try {
    Simulation sim(Config::from_text(ini, "test.ini", overrides));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("Defaults and units in a config are read into the documented units", "[unit]") {
  const Config c = Config::from_text("[schedule]\ninterval = 4 week\n[device]\nneedle_length = 1500 um\n", "t.ini",
                                     {"time.end=9 month"});
  CHECK(c.real("schedule.interval") == Approx(28));
  CHECK(c.real("device.needle_length") == Approx(1.5));
  CHECK(c.real("time.end") == Approx(270));
  CHECK(c.source("time.end") == Source::CommandLine);
  CHECK(c.source("schedule.interval") == Source::File);
  CHECK(c.source("grid.dx") == Source::Default);
  // The effective configuration round-trips through its own INI text.
  const Config again = Config::from_text(c.to_ini(), "again.ini");
  for (const auto& s : parameter_specs()) CHECK(again.text(s.key) == c.text(s.key));
}

TEST_CASE("Every kind of bad input is rejected with one line naming the key, value, allowed range and unit", "[unit]") {
  struct Case {
    std::string ini;
    std::vector<std::string> overrides;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {"[grid]\ndx = -0.02\n", {}, "grid.dx = '-0.02': out of range; allowed (0, 1] mm"},
      {"[grid]\nnx = 0\n", {}, "grid.nx = '0': out of range; allowed a whole number in [1, 4096]"},
      {"[grid]\nnx = 2.5\n", {}, "grid.nx = '2.5': not a whole number"},
      {"[grid]\nnxx = 3\n", {}, "unknown key 'grid.nxx' = '3'; did you mean 'grid.nx'?"},
      {"[devise]\ntype = random\n", {}, "unknown key 'devise.type' = 'random'; did you mean 'device.type'?"},
      {"[time]\nend = 3 mm\n", {}, "time.end = '3 mm': unit 'mm' is not a unit of day; allowed (0, 36500] day"},
      {"[device]\nneedle_length = 1.5 furlongs\n", {}, "device.needle_length = '1.5 furlongs': unknown unit 'furlongs'"},
      {"[device]\ndensity = 1e6\n", {}, "device.density = '1e6': out of range; allowed [0, 10000] 1/cm^2"},
      {"[schedule]\ncount = many\n", {}, "schedule.count = 'many': expected a number"},
      {"[device]\ntype = laser\n", {}, "device.type = 'laser': unknown choice; allowed one of {roller,stamp,pen,random,single}"},
      {"[grid]\nnz = 50\n", {}, "grid.nz = 50: grid depth nz*dx = 1 mm is shallower than the skin (1.8 mm); allowed grid.nz >= 90"},
      {"[device]\ntip_radius = 0.05 mm\n", {}, "device.tip_radius = '0.05 mm': larger than device.surface_radius"},
      {"[fibroblasts]\ndeath = 2\n", {}, "fibroblasts.death = '2': must be below fibroblasts.proliferation"},
      {"[fibroblasts]\ntgf_gain = 100\n", {}, "fibroblasts.tgf_gain = '100'"},
      {"[schedule]\ncount = 20\n", {}, "schedule.count = 20: session 11 would fall on day 280, after time.end = 270 day"},
      {"[session.1]\nday = 30\n[session.2]\nday = 10\n", {}, "session.2.day = 10 day: sessions must be in increasing order"},
      {"[session.1]\nday = 300\n", {}, "session.1.day = 300 day: after time.end = 270 day"},
      {"[session.1]\nneedle = 2 mm\n", {}, "unknown key 'session.1.needle'"},
      {"[grid]\nnx = 4\nnx = 5\n", {}, "key 'grid.nx' is given more than once"},
      {"", {"time.end"}, "--set 'time.end': expected section.key=value"},
      {"[grid]\nnx = 2\n", {}, "a periodic direction needs 1 or at least 3 cells"},
      {"[grid]\nnx = 1\nny = 8\n", {}, "a 2D run is an (x, depth) section"},
      {"[time]\ntolerance = 0.5\n", {}, "time.tolerance = '0.5': out of range; allowed [1e-08, 0.1]"},
      {"[collagen]\nlabile_lifetime = 200 day\n", {}, "collagen.labile_lifetime = '200 day': the labile collagen I pool"},
      {"[time]\nend = nan\n", {}, "time.end = 'nan': expected a finite number"},
  };
  for (const auto& c : cases) {
    INFO(c.ini);
    const std::string msg = rejection(c.ini, c.overrides);
    CHECK_THAT(msg, Catch::Contains(c.expect));
    CHECK(msg.find('\n') == std::string::npos);
  }
}

TEST_CASE("A rejected config exits 2 with one line on stderr and leaves existing output untouched", "[unit]") {
  const std::string dir = test::temp_dir("rejected");
  const std::string sentinel = dir + "/out/run.h5";
  fs::create_directories(dir + "/out");
  std::ofstream(sentinel) << "earlier results";
  const auto before = fs::last_write_time(sentinel);
  std::ofstream(dir + "/bad.ini") << "[grid]\ndx = -1\n";
  std::string out, err;
  CHECK(test::run_mnsim("run " + dir + "/bad.ini -o " + dir + "/out --overwrite", &out, &err) == 2);
  CHECK_THAT(err, Catch::Contains("grid.dx = '-1': out of range; allowed (0, 1] mm"));
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  // An existing run is never replaced without --overwrite, even by a valid config.
  std::ofstream(dir + "/good.ini") << "[grid]\nnx = 1\nny = 1\n[time]\nend = 1\n[schedule]\ncount = 0\n";
  CHECK(test::run_mnsim("run " + dir + "/good.ini -o " + dir + "/out", &out, &err) == 2);
  CHECK_THAT(err, Catch::Contains("exists; pass --overwrite"));
  CHECK(test::run_mnsim("run " + dir + "/missing.ini -o " + dir + "/out", &out, &err) == 2);
  CHECK_THAT(err, Catch::Contains("cannot open config file"));
  CHECK(test::run_mnsim("frobnicate", &out, &err) == 2);
  CHECK_THAT(err, Catch::Contains("unknown command 'frobnicate'"));
  std::ifstream in(sentinel);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(content == "earlier results");
  CHECK(fs::last_write_time(sentinel) == before);
}

TEST_CASE("Every key also works as a long option and mnsim check reports where each value came from", "[unit]") {
  const std::string dir = test::temp_dir("check");
  std::ofstream(dir + "/c.ini") << "[time]\nend = 100 day\n";
  std::string out, err;
  REQUIRE(test::run_mnsim("check " + dir + "/c.ini --schedule.count=2 --set device.density=300", &out, &err) == 0);
  CHECK_THAT(out, Catch::Contains("end = 100 day    ; file"));
  CHECK_THAT(out, Catch::Contains("count = 2    ; command line"));
  CHECK_THAT(out, Catch::Contains("density = 300    ; command line"));
  CHECK_THAT(out, Catch::Contains("dx = 0.02 mm    ; default"));
}

TEST_CASE("The calibrated values written in configs/default.ini are the built-in defaults", "[unit]") {
  const Config file = Config::load(std::string(MNSIM_SOURCE_DIR) + "/configs/default.ini", {});
  const Config defaults;
  int calibrated = 0;
  for (const auto& s : parameter_specs()) {
    const std::string key = s.key;
    if (key.rfind("grid.", 0) == 0 || key.rfind("time.", 0) == 0 || key.rfind("schedule.", 0) == 0 ||
        key.rfind("device.", 0) == 0 || key.rfind("skin.", 0) == 0 || key.rfind("run.", 0) == 0 ||
        file.source(key) != Source::File)
      continue;
    INFO(key);
    CHECK(file.real(key) == defaults.real(key));
    ++calibrated;
  }
  CHECK(calibrated == 9);
}
