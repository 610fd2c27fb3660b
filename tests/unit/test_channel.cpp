#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>

#include "mnsim/protocol/device.hpp"
#include "support/helpers.hpp"

using namespace mnsim;

namespace {

// Volume of the cell-averaged indicator of one channel in the middle of a 3D patch, mm^3.
double grid_volume(const Needle& n, double dx) {
  Grid g;
  g.dx = dx;
  g.nx = g.ny = static_cast<int>(std::ceil(3 * (n.r_surface + n.smoothing) / dx));
  g.nz = static_cast<int>(std::ceil((n.depth + 2 * n.smoothing) / dx)) + 1;
  const auto chi = channel_indicator(g, n, {{0.5 * g.lx(), 0.5 * g.ly()}}, 0);
  return std::accumulate(chi.begin(), chi.end(), 0.0) * dx * dx * dx;
}

// The cone frustum from radius R at the surface to r at depth d (a cylinder when R = r).
double frustum(double d, double R, double r) { return M_PI * d * (R * R + R * r + r * r) / 3; }

}  // namespace

TEST_CASE("A channel's volume on the grid matches the analytic cone or cylinder within 2 % at dx <= r/4", "[unit]") {
  struct Shape {
    const char* name;
    double r_tip;
  };
  for (const Shape& s : {Shape{"cylinder", 0.035}, Shape{"frustum (default tip)", 0.004}, Shape{"cone", 0.0}}) {
    Needle n;
    n.depth = 0.3, n.r_surface = 0.035, n.r_tip = s.r_tip, n.smoothing = 0.005;
    const double exact = frustum(n.depth, n.r_surface, n.r_tip);
    for (double dx : {n.r_surface / 4, n.r_surface / 6, n.r_surface / 8}) {
      const double v = grid_volume(n, dx);
      INFO(s.name << ": dx = r/" << n.r_surface / dx << ": volume " << v << " mm^3, analytic " << exact << ", error "
                  << 100 * (v / exact - 1) << " %");
      CHECK(std::fabs(v / exact - 1) <= 0.02);
    }
  }
}

TEST_CASE("A channel's volume converges under grid refinement, even from grids coarser than the channel", "[unit]") {
  Needle n;
  n.depth = 0.5, n.r_surface = 0.035, n.r_tip = 0.004, n.smoothing = 0.005;
  const double smooth = n.volume();  // the smoothed channel the grid samples
  double previous = 1e300;
  for (double dx : {0.04, 0.02, 0.01, 0.005}) {
    const double err = std::fabs(grid_volume(n, dx) / smooth - 1);
    INFO("dx = " << dx << " mm: error against the smoothed volume " << 100 * err << " %");
    CHECK(err <= 0.01);
    CHECK(err <= previous + 1e-3);
    previous = err;
  }
}

TEST_CASE("The channel depth is penetration x needle length, capped at the dermis bottom", "[unit]") {
  const DeviceSpec d = DeviceSpec::from(test::config_with({"device.needle_length=1 mm", "device.penetration=0.5"}));
  CHECK(d.needle(1.8).depth == Approx(0.5));
  const DeviceSpec deep = DeviceSpec::from(test::config_with({"device.needle_length=2.5 mm", "device.penetration=1"}));
  CHECK(deep.needle(1.8).depth == Approx(1.8));
}

TEST_CASE("2D and 1D reductions carry the 3D pattern's mean channel area fraction at every depth", "[unit]") {
  Needle n;
  n.depth = 1.0, n.r_surface = 0.035, n.r_tip = 0.004, n.smoothing = 0.005;
  const DeviceSpec roller = DeviceSpec::from(test::config_with({"device.type=roller", "device.density=2000"}));
  Grid g3, g2, g1;
  g3.nx = g3.ny = 50, g3.nz = 60, g3.dx = 0.02;
  g2 = g3, g2.ny = 1;
  g1 = g3, g1.nx = g1.ny = 1;
  REQUIRE(patch_of(g2).ly == Approx(patch_of(g3).ly));
  const auto punctures = place_punctures(roller, patch_of(g3), 1, 0);
  REQUIRE(punctures.size() > 5);
  // The 1D column gets the density this pattern actually has.
  const double density = punctures.size() / (g3.lx() * g3.ly());
  const auto chi3 = channel_indicator(g3, n, punctures, 0);
  const auto chi2 = channel_indicator(g2, n, punctures, 0);
  const auto chi1 = channel_indicator(g1, n, {}, density);
  for (int k : {0, 3, 10, 30, 49}) {
    double m3 = 0, m2 = 0;
    for (int j = 0; j < g3.ny; ++j)
      for (int i = 0; i < g3.nx; ++i) m3 += chi3[g3.idx(i, j, k)] / g3.plane();
    for (int i = 0; i < g2.nx; ++i) m2 += chi2[g2.idx(i, 0, k)] / g2.plane();
    INFO("level " << k << ": area fraction 3D " << m3 << ", 2D " << m2 << ", 1D " << chi1[k]);
    CHECK(m2 == Approx(m3).epsilon(0.01));
    CHECK(chi1[k] == Approx(m3).epsilon(0.01));
  }
}
