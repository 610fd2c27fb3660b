#include <catch2/catch.hpp>
#include <cmath>

#include "mnsim/sim/simulation.hpp"
#include "support/helpers.hpp"

using namespace mnsim;

namespace {
// Largest relative deviation of any field from its initial value (relative to the field's
// largest baseline value, so fields that are zero at rest are measured on their natural scale).
double max_relative_drift(const Simulation& sim) {
  double worst = 0;
  for (int f = 0; f < kNumFields; ++f) {
    const auto& a = sim.initial().f[f];
    const auto& b = sim.state().f[f];
    double scale = 0;
    for (double v : a) scale = std::max(scale, std::fabs(v));
    if (scale == 0) scale = 1;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(b[i] - a[i]) / scale);
  }
  return worst;
}
}  // namespace

TEST_CASE("Without treatment every field stays at its initial state for a year, in 1D, 2D and 3D", "[verification]") {
  const std::vector<std::vector<std::string>> grids = {
      {"grid.nx=1", "grid.ny=1"}, {"grid.nx=16", "grid.ny=1"}, {"grid.nx=8", "grid.ny=6"}};
  for (const auto& g : grids) {
    auto o = g;
    o.insert(o.end(), {"schedule.count=0", "time.end=365", "time.output_interval=365"});
    Simulation sim(test::config_with(o));
    sim.run();
    INFO(g[0] << " " << g[1] << ": steps " << sim.stats().steps);
    CHECK(max_relative_drift(sim) <= 1e-10);
    CHECK(sim.stats().max_step == Approx(1.0));  // the controller reaches the largest step at rest
  }
}
