// Results must not depend on the thread count (DESIGN.md): every parallel loop writes disjoint
// data or reduces per level in a fixed order, and punctures come from a counter-based generator.
// So runs with 1, 2 and 3 threads must agree bit for bit, not just to a tolerance. Three threads
// on this 2-core machine split the static loops differently from two, which is the point.
#include <omp.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "mnsim/sim/simulation.hpp"
#include "support/helpers.hpp"

using namespace mnsim;

namespace {

struct Outcome {
  State final_state;
  std::vector<State> snapshots;
  Timeseries series;
  long steps = 0, substeps = 0, punctures = 0;
};

Outcome run_with_threads(const std::vector<std::string>& overrides, int threads) {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  Simulation sim(test::config_with(overrides));
  Outcome o;
  sim.run([&](double, const State& s) { o.snapshots.push_back(s); });
  omp_set_num_threads(saved);
  o.final_state = sim.state();
  o.series = sim.series();
  o.steps = sim.stats().steps;
  o.substeps = sim.stats().chemotaxis_substeps;
  for (const auto& r : sim.sessions_done()) o.punctures += r.punctures;
  return o;
}

template <class Vector>
bool same_bits(const Vector& a, const Vector& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// Number of fields (over all snapshots) whose bits differ; 0 means identical.
int differing_fields(const Outcome& a, const Outcome& b) {
  int diff = 0;
  for (int f = 0; f < kNumFields; ++f) diff += !same_bits(a.final_state.f[f], b.final_state.f[f]);
  if (a.snapshots.size() != b.snapshots.size()) return diff + 1000;
  for (std::size_t n = 0; n < a.snapshots.size(); ++n)
    for (int f = 0; f < kNumFields; ++f) diff += !same_bits(a.snapshots[n].f[f], b.snapshots[n].f[f]);
  return diff;
}

int differing_series(const Outcome& a, const Outcome& b) {
  int diff = !same_bits(a.series.time, b.series.time);
  if (a.series.values.size() != b.series.values.size()) return diff + 1000;
  for (std::size_t i = 0; i < a.series.values.size(); ++i) diff += !same_bits(a.series.values[i], b.series.values[i]);
  return diff;
}

void check_thread_independence(const std::vector<std::string>& overrides) {
  const Outcome one = run_with_threads(overrides, 1);
  REQUIRE(one.punctures > 0);  // the run was treated, so there is something to disagree about
  REQUIRE(one.substeps > 0);
  for (int threads : {2, 3}) {
    const Outcome many = run_with_threads(overrides, threads);
    INFO(threads << " threads against 1: " << one.steps << " steps, " << one.snapshots.size() << " snapshots");
    CHECK(many.steps == one.steps);
    CHECK(many.substeps == one.substeps);
    CHECK(differing_fields(one, many) == 0);
    CHECK(differing_series(one, many) == 0);
  }
}

}  // namespace

TEST_CASE("2D runs give bitwise identical fields and time series with 1, 2 and 3 threads", "[verification]") {
  check_thread_independence({"grid.nx=32", "grid.ny=1", "grid.nz=90", "device.type=random", "device.density=1000",
                             "schedule.count=2", "schedule.interval=7", "time.end=14", "time.output_interval=3"});
}

TEST_CASE("3D runs give bitwise identical fields and time series with 1, 2 and 3 threads", "[verification]") {
  // nx = 16: the chemotaxis takes its rows in one pass (fused_row) where the kernels have AVX-512.
  check_thread_independence({"grid.nx=16", "grid.ny=10", "grid.nz=90", "device.type=random", "device.density=4000",
                             "schedule.count=1", "time.end=5", "time.output_interval=2"});
}
