#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <set>

#include "mnsim/core/errors.hpp"
#include "mnsim/sweep/sweep.hpp"

using namespace mnsim;
using namespace mnsim::sweep;

namespace {
// Specs are read as if they sat in configs/, so `base = quick-1d.ini` is the shipped quick 1D run.
const std::string kSpecPath = std::string(MNSIM_SOURCE_DIR) + "/configs/test-spec.ini";

Spec spec(const std::string& text) { return Spec::from_text(text, kSpecPath); }

// The message a spec is refused with, validated against its runs too; empty when accepted.
std::string rejection(const std::string& text) {
  try {
    Sweep(spec(text), "unused", true);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("A grid sweep is the cartesian product of its lists, first key slowest, with readable ids", "[unit]") {
  const Spec s = spec("[sweep]\nbase = quick-1d.ini\n[vary]\nschedule.interval = 2 week, 28\n"
                      "device.needle_length = 1 mm, 1500 um, 2\n[set]\ntime.end = 150\n[collect]\ndays = 60, 4 month\n");
  const auto runs = plan(s);
  REQUIRE(runs.size() == 6);
  CHECK(runs[0].id == "r000");
  CHECK(runs[5].id == "r005");
  CHECK(runs[0].values == std::vector<std::string>{"2 week", "1 mm"});
  CHECK(runs[2].values == std::vector<std::string>{"2 week", "2"});
  CHECK(runs[3].values == std::vector<std::string>{"28", "1 mm"});
  CHECK(s.days == std::vector<double>{60, 120});
  // base, then [set], then the varied values; units are read as in a config.
  const Config c = run_config(s, runs[4]);
  CHECK(c.real("schedule.interval") == 28);
  CHECK(c.real("device.needle_length") == Approx(1.5));
  CHECK(c.real("time.end") == 150);
  CHECK(c.integer("schedule.count") == 3);  // from quick-1d.ini
  CHECK(rejection("[sweep]\nbase = quick-1d.ini\n[vary]\nschedule.interval = 2 week, 28\n[collect]\ndays = 120\n") == "");
}

TEST_CASE("Every bad sweep spec is refused with one line naming the section, key, value and what is allowed", "[unit]") {
  const std::string base = "[sweep]\nbase = quick-1d.ini\n";
  const std::string collect = "[collect]\ndays = 60\n";
  const std::string lhs = "[sweep]\nbase = quick-1d.ini\nmode = lhs\nsamples = 8\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[sweep]\nbase = quick-1d.ini\nmode = random\n[vary]\nrun.seed = 1\n" + collect,
       "[sweep] mode = 'random': unknown mode; allowed one of {grid,lhs}"},
      {"[sweep]\nbase = quick-1d.ini\nmode = lhs\n[vary]\ntgf.diffusion = 0.1 .. 0.2\n" + collect,
       "[sweep] samples is missing; allowed a whole number in [1, 100000]"},
      {"[sweep]\nbase = quick-1d.ini\nmode = lhs\nsamples = 0\n[vary]\ntgf.diffusion = 0.1 .. 0.2\n" + collect,
       "[sweep] samples = '0': out of range; allowed a whole number in [1, 100000]"},
      {base + "samples = 8\n[vary]\nrun.seed = 1, 2\n" + collect, "[sweep] samples = '8': samples is for lhs mode"},
      {"[sweep]\nmode = grid\n[vary]\nrun.seed = 1\n" + collect, "[sweep] base is missing; allowed the run config file"},
      {"[sweep]\nbase = nowhere.ini\n[vary]\nrun.seed = 1\n" + collect, "[sweep] base = 'nowhere.ini': cannot open"},
      {"[sweep]\nbase = quick-1d.ini\nbasis = x\n[vary]\nrun.seed = 1\n" + collect,
       "[sweep] basis = 'x': unknown key; allowed base, mode, samples, seed"},
      {base + "[vary]\n" + collect, "[vary] is empty; allowed one or more config keys"},
      {base + "[vary]\nschedule.intervall = 14, 28\n" + collect,
       "[vary] unknown key 'schedule.intervall' = '14'; did you mean 'schedule.interval'?"},
      {base + "[vary]\nschedule.interval = 14, 4 furlong\n" + collect,
       "[vary] schedule.interval = '4 furlong': unknown unit 'furlong'"},
      {base + "[vary]\ndevice.needle_length = 1, 5 mm\n" + collect,
       "[vary] device.needle_length = '5 mm': out of range; allowed [0.1, 3] mm"},
      {base + "[vary]\nschedule.interval = 14, , 28\n" + collect, "[vary] schedule.interval = '14, , 28': an empty list item"},
      {base + "[vary]\ntgf.diffusion = 0.1 .. 0.2\n" + collect,
       "[vary] tgf.diffusion = '0.1 .. 0.2': grid mode takes lists; allowed a, b, c (or mode = lhs for ranges)"},
      {lhs + "[vary]\ntgf.diffusion = 0.1, 0.2\n" + collect,
       "[vary] tgf.diffusion = '0.1, 0.2': lhs mode samples ranges; allowed lo .. hi"},
      {lhs + "[vary]\ntgf.diffusion = 0.2 .. 0.1\n" + collect,
       "[vary] tgf.diffusion = '0.2 .. 0.1': empty range; allowed lo .. hi with lo < hi"},
      {lhs + "[vary]\ntgf.diffusion = 0 .. 0.1 log\n" + collect,
       "[vary] tgf.diffusion = '0 .. 0.1 log': a log range must stay above 0; allowed lo > 0"},
      {lhs + "[vary]\nschedule.count = 1 .. 6 log\n" + collect, "a log range of a whole number; allowed lo .. hi (linear)"},
      {lhs + "[vary]\ndevice.type = 1 .. 2\n" + collect, "a range needs a numeric config key"},
      {lhs + "[vary]\ntgf.diffusion = 0.1 .. 200\n" + collect,
       "[vary] tgf.diffusion = '200': out of range; allowed [0, 100] mm^2/day"},
      {base + "[vary]\ntime.end = 100, 200\n[set]\ntime.end = 300\n" + collect,
       "[set] time.end = '300': also in [vary]; allowed in one of [set] and [vary]"},
      {base + "[vary]\nrun.seed = 1\n[set]\ntime.end = -3\n" + collect, "[set] time.end = '-3': out of range; allowed (0, 36500] day"},
      {base + "[vary]\nrun.seed = 1\n[other]\nx = 1\n" + collect, "unknown section or key 'other.x'; allowed [sweep], [vary], [set], [collect]"},
      {base + "[vary]\nrun.seed = 1\n", "[collect] days is missing; allowed a list of days"},
      {base + "[vary]\nrun.seed = 1\n[collect]\ndays = 60, soon\n", "[collect] days = '60, soon': expected a number"},
      {base + "[vary]\nrun.seed = 1\n[collect]\nday = 60\n", "[collect] day = '60': unknown key; allowed days, after_last_session"},
      {base + "[vary]\nrun.seed = 1\n[collect]\ndays = -1\n", "[collect] days = '-1': a negative day; allowed days >= 0"},
      {base + "[vary]\nrun.seed = 1,2,3,4,5,6,7,8,9,10\nschedule.interval = 1,2,3,4,5,6,7,8,9,10\n"
              "device.density = 1,2,3,4,5,6,7,8,9,10\ntgf.diffusion = 1,2,3,4,5,6,7,8,9,10\n"
              "tgf.decay = 1,2,3,4,5,6,7,8,9,10\ndevice.needle_length = 1, 2\n" + collect,
       "the grid grows beyond 100000 runs; allowed at most 100000 runs"},
      // Checks that need each run's whole configuration name the run and its values.
      {base + "[vary]\ntime.end = 100, 200\n[collect]\ndays = 150\n",
       "[collect] days = 150: after time.end = 100 day of run r000 (time.end = 100); allowed days within [0, 100] of every run"},
      {base + "[vary]\nschedule.interval = 4 week, 8 week\n[collect]\nafter_last_session = 30\n",
       "[collect] after_last_session = 30: day 142 is after time.end = 120 day of run r001 (schedule.interval = 8 week)"},
      {base + "[vary]\nschedule.count = 0, 1\n[collect]\nafter_last_session = 30\n",
       "[collect] after_last_session = 30: there is no session in the schedule of run r000 (schedule.count = 0)"},
      {base + "[vary]\nschedule.count = 3, 6\n" + collect,
       "run r001 (schedule.count = 6): schedule.count = 6: session 6 would fall on day 140, after time.end = 120 day"},
  };
  for (const auto& [text, expect] : cases) {
    INFO(text);
    const std::string msg = rejection(text);
    CHECK_THAT(msg, Catch::Contains(expect));
    CHECK_THAT(msg, Catch::StartsWith("sweep: " + kSpecPath));
    CHECK(msg.find('\n') == std::string::npos);
  }
}

TEST_CASE("A Latin hypercube puts exactly one point in each stratum of every dimension, fixed by its seed", "[unit]") {
  const std::size_t n = 50, dims = 4;
  const auto x = latin_hypercube(n, dims, 7);
  for (std::size_t d = 0; d < dims; ++d) {
    std::set<std::size_t> strata;
    for (std::size_t i = 0; i < n; ++i) {
      const double v = x[i * dims + d];
      REQUIRE(v >= 0);
      REQUIRE(v < 1);
      strata.insert(static_cast<std::size_t>(v * n));
    }
    CHECK(strata.size() == n);
  }
  CHECK(latin_hypercube(n, dims, 7) == x);
  CHECK(latin_hypercube(n, dims, 8) != x);
}

TEST_CASE("An lhs sweep samples linear, log and whole-number ranges in their documented units", "[unit]") {
  const Spec s = spec("[sweep]\nbase = quick-1d.ini\nmode = lhs\nsamples = 12\nseed = 3\n[vary]\n"
                      "tgf.diffusion = 0.01 .. 1 log\nactivation.lifetime = 4 week .. 8 week\nschedule.count = 1 .. 3\n"
                      "[collect]\ndays = 30\n");
  const auto runs = plan(s);
  REQUIRE(runs.size() == 12);
  std::set<int> decades_x6, weeks, counts;
  std::vector<int> per_count(4, 0);
  for (const auto& r : runs) {
    const Config c = run_config(s, r);
    const double d = c.real("tgf.diffusion"), life = c.real("activation.lifetime");
    CHECK(d >= 0.01);
    CHECK(d <= 1);
    CHECK(life >= 28);
    CHECK(life <= 56);
    decades_x6.insert(static_cast<int>(std::floor((std::log10(d) + 2) / 2 * 12)));  // log strata
    weeks.insert(static_cast<int>(std::floor((life - 28) / 28 * 12)));                // linear strata
    ++per_count[c.integer("schedule.count")];
  }
  CHECK(decades_x6.size() == 12);
  CHECK(weeks.size() == 12);
  CHECK(per_count == std::vector<int>{0, 4, 4, 4});  // each whole number gets an equal share
  // The same spec plans the same runs: ids and values are stable across invocations.
  const auto again = plan(s);
  for (std::size_t i = 0; i < runs.size(); ++i) CHECK(again[i].values == runs[i].values);
}

TEST_CASE("Cores are split among concurrent runs without ever oversubscribing", "[unit]") {
  auto split = [](int cores, std::size_t runs, int jobs, int threads) {
    const Budget b = split_cores(cores, runs, jobs, threads);
    return std::make_pair(b.jobs, b.threads);
  };
  CHECK(split(8, 100, 0, 0) == std::make_pair(8, 1));  // many runs: one per core
  CHECK(split(8, 2, 0, 0) == std::make_pair(2, 4));    // few runs: spare cores become threads
  CHECK(split(8, 1, 0, 0) == std::make_pair(1, 8));
  CHECK(split(8, 100, 0, 2) == std::make_pair(4, 2));  // --threads (or OMP_NUM_THREADS) fixed
  CHECK(split(8, 100, 3, 0) == std::make_pair(3, 2));  // --jobs fixed
  CHECK(split(2, 0, 0, 0) == std::make_pair(1, 2));
  CHECK_THROWS_WITH(split_cores(8, 100, 4, 4),
                    Catch::Contains("--jobs 4 x --threads 4 = 16 threads on 8 cores; allowed jobs x threads <= 8"));
  CHECK_THROWS_AS(split_cores(2, 10, 0, 4), ConfigError);
  CHECK_THROWS_AS(split_cores(2, 10, 3, 0), ConfigError);
}
