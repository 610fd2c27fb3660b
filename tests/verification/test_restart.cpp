#include <catch2/catch.hpp>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "mnsim/core/errors.hpp"
#include "mnsim/sim/simulation.hpp"
#include "support/helpers.hpp"

using namespace mnsim;
namespace fs = std::filesystem;

extern char** environ;

namespace {
const std::vector<std::string> kRun = {"grid.nx=24", "grid.ny=1", "time.end=120", "schedule.count=3",
                                       "time.output_interval=10"};

}  // namespace

TEST_CASE("A run stopped at a checkpoint and resumed ends bitwise equal to an uninterrupted run", "[verification]") {
  const Config c = test::config_with(kRun);
  Simulation whole(c);
  REQUIRE(whole.run() == Simulation::Outcome::Complete);

  const long total = whole.stats().steps;
  for (long stop_after : {1L, total / 3, 2 * total / 3}) {
    const std::string path = test::temp_dir("restart") + "/checkpoint.h5";
    {
      Simulation first(c);
      long steps = 0;
      REQUIRE(first.run({}, {}, [&] { return ++steps == stop_after; }) == Simulation::Outcome::Stopped);
      first.save_checkpoint(path, c.to_ini(), 7);
    }
    Simulation resumed(c);
    CHECK(resumed.load_checkpoint(path) == 7);
    REQUIRE(resumed.run() == Simulation::Outcome::Complete);
    INFO("stopped after " << stop_after << " steps");
    for (int f = 0; f < kNumFields; ++f) CHECK(resumed.state().f[f] == whole.state().f[f]);
    CHECK(resumed.series().time == whole.series().time);
    CHECK(resumed.series().values == whole.series().values);
    CHECK(resumed.stats().steps == whole.stats().steps);
    REQUIRE(resumed.sessions_done().size() == whole.sessions_done().size());
  }
}

TEST_CASE("SIGTERM stops mnsim run with exit 5 and a checkpoint, and --restart finishes it as if never stopped", "[verification]") {
  const std::string dir = test::temp_dir("sigterm");
  std::ofstream(dir + "/r.ini") << "[grid]\nnx = 48\nny = 1\n[time]\nend = 270\noutput_interval = 10\n"
                                   "[schedule]\ncount = 6\ninterval = 4 week\n";
  REQUIRE(test::run_mnsim("run " + dir + "/r.ini -o " + dir + "/whole --quiet") == 0);

  const std::string out = dir + "/cut";
  std::vector<std::string> args = {MNSIM_BINARY, "run", dir + "/r.ini", "-o", out, "--quiet"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, MNSIM_BINARY, nullptr, nullptr, argv.data(), environ) == 0);
  // Interrupt once the run is under way (its first snapshots are on disk).
  for (int i = 0; i < 2000 && !fs::exists(out + "/run.xmf"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 0) WARN("the run finished before SIGTERM arrived; nothing to resume");
  if (WEXITSTATUS(status) == 0) return;
  REQUIRE(WEXITSTATUS(status) == 5);
  REQUIRE(fs::exists(out + "/checkpoint.h5"));
  CHECK(!fs::exists(out + "/checkpoint.h5.tmp"));

  std::string o, e;
  // A checkpoint made under other physics is refused, and the run file is left as it was.
  CHECK(test::run_mnsim("run " + dir + "/r.ini --restart " + out + "/checkpoint.h5 --set tgf.diffusion=0.2", &o, &e) == 2);
  CHECK_THAT(e, Catch::Contains("tgf.diffusion = '0.2' differs from the checkpoint's '" +
                                std::string(find_spec("tgf.diffusion")->default_text) + "'"));
  REQUIRE(test::run_mnsim("run " + dir + "/r.ini --restart " + out + "/checkpoint.h5 --quiet", &o, &e) == 0);
  for (const std::string name : {"/timeseries/time", "/timeseries/papillary/collagen_total_pct", "/fields/time"})
    CHECK(test::read_dataset(out + "/run.h5", name) == test::read_dataset(dir + "/whole/run.h5", name));
  std::string info;
  REQUIRE(test::run_mnsim("info " + out + "/run.h5", &info) == 0);
  CHECK_THAT(info, Catch::Contains("status            complete"));
  CHECK_THAT(info, Catch::Contains("restarted_utc"));
}

TEST_CASE("A NaN or a negative value beyond round-off is a numerical failure naming the field and cell", "[unit]") {
  const Config c = test::config_with({"grid.nx=4", "grid.ny=1"});
  const LayerMap layers(Grid{4, 1, 90, 0.02}, SkinLayers{});
  const TissueModel model(ModelParams::from(c), Grid{4, 1, 90, 0.02}, layers);
  State s(Grid{4, 1, 90, 0.02});
  model.set_baseline(s);
  const Observables obs(model, s);
  LevelTotals t;
  s[F][s.grid.idx(2, 0, 10)] = -1e-3;
  CHECK_THROWS_WITH(obs.totals(s, t), Catch::Contains("field fibroblasts became -0.001 at cell (x=2, y=0, z=10)"));
  s[F][s.grid.idx(2, 0, 10)] = 4000;
  s[T][s.grid.idx(0, 0, 2)] = std::nan("");
  CHECK_THROWS_AS(obs.totals(s, t), NumericalError);
  s[T][s.grid.idx(0, 0, 2)] = HUGE_VAL;
  CHECK_THROWS_WITH(obs.totals(s, t), Catch::Contains("field tgf_active became inf at cell (x=0, y=0, z=2)"));
  s[T][s.grid.idx(0, 0, 2)] = -1e-14;  // round-off is tolerated
  CHECK_NOTHROW(obs.totals(s, t));
}

TEST_CASE("A numerical failure leaves the run at its last good step, as a run stopped there", "[verification]") {
  const Config c = test::config_with(kRun);
  Simulation failed(c);
  // The scheme cannot produce a bad value, so one is slipped into the state between two steps
  // (the stop callback runs after each step), past the output at day 10: the step after it fails,
  // and the run must rewind to that output and replay up to the step before.
  double* damage = const_cast<double*>(failed.state().f[B].data());
  const std::size_t cell = failed.grid().idx(12, 0, 45);  // in the dermis
  long good = 0;
  std::string message;
  try {
    failed.run({}, {}, [&] {
      if (good == 0 && failed.day() > 15) {
        good = failed.stats().steps;
        damage[cell] = std::nan("");
      }
      return false;
    });
  } catch (const NumericalError& e) {
    message = e.what();
  }
  INFO(message);
  REQUIRE_THAT(message, Catch::Contains("field damage became nan at cell (x=12, y=0, z=45)"));
  CHECK(failed.stats().steps == good);
  std::ostringstream day;
  day << "in the step from day " << failed.day() << " to day";
  CHECK_THAT(message, Catch::Contains(day.str()));

  Simulation stopped(c);
  long steps = 0;
  REQUIRE(stopped.run({}, {}, [&] { return ++steps == good; }) == Simulation::Outcome::Stopped);
  CHECK(stopped.day() > 15);
  for (int f = 0; f < kNumFields; ++f) CHECK(failed.state().f[f] == stopped.state().f[f]);
  CHECK(failed.series().values == stopped.series().values);
  CHECK(failed.day() == stopped.day());
}
