// Analytic solutions and exact invariants of the operators: a spreading Gaussian, decay and
// two-pool kinetics through TissueModel::react, conservation of the total by no-flux diffusion
// (uniform and layered weights) and by chemotaxis, exact mirror symmetry of chemotaxis, and exact
// stationarity of the baseline profile.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>
#include <utility>
#include <vector>

#include "mnsim/core/fields.hpp"
#include "mnsim/core/grid.hpp"
#include "mnsim/model/tissue.hpp"
#include "mnsim/numerics/chemotaxis.hpp"
#include "mnsim/numerics/diffusion.hpp"
#include "support/convergence.hpp"
#include "support/helpers.hpp"

using namespace mnsim;

namespace {

constexpr double kPi = 3.14159265358979323846;

// Total in extended precision, so the check measures the operator's round-off and not the
// summation's (a plain sum of 10^5 terms can drift by more than 1e-13 relative on its own).
template <class Vector>
long double total(const Vector& u, std::size_t b = 0, std::size_t e = SIZE_MAX) {
  long double s = 0;
  for (std::size_t i = b; i < std::min(e, u.size()); ++i) s += u[i];
  return s;
}

GridVector random_field(std::size_t n, double lo, double hi, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  GridVector u(n);
  for (auto& v : u) v = d(rng);
  return u;
}

// Exact solution of u_t = D lap(u) for a Gaussian started at time -t0 (peak 1 at t = 0) on the
// box: periodic in x and y (image sum over periods) and no-flux at z = 0 and z = Lz (images
// mirrored in both walls).
double gaussian_exact(const Grid& g, double D, double t0, double x0, double y0, double z0, double x, double y, double z,
                      double t) {
  const double s = 4 * D * (t0 + t);
  auto G = [&](double d) { return std::exp(-d * d / s); };
  const int d = g.dim();
  const double peak = std::pow(t0 / (t0 + t), 0.5 * d);
  double gx = 1, gy = 1, gz = 0;
  if (g.nx > 1) {
    gx = 0;
    for (int n = -3; n <= 3; ++n) gx += G(x - x0 - n * g.lx());
  }
  if (g.ny > 1) {
    gy = 0;
    for (int n = -3; n <= 3; ++n) gy += G(y - y0 - n * g.ly());
  }
  for (int m = -3; m <= 3; ++m) gz += G(z - z0 - 2 * m * g.depth()) + G(z + z0 - 2 * m * g.depth());
  return peak * gx * gy * gz;
}

struct GaussianRun {
  double l2_rel, max_rel, mass_drift;
};

GaussianRun gaussian_run(const Grid& g, double D, double t0, double t_end, double dt_per_dx2) {
  const double x0 = 0.35 * g.lx(), y0 = 0.6 * g.ly(), z0 = 0.15 * g.depth();  // near the top wall: images matter
  std::vector<double> u(g.size());
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i)
        u[g.idx(i, j, k)] = gaussian_exact(g, D, t0, x0, y0, z0, g.x(i), g.y(j), g.z(k), 0.0);
  const long double m0 = total(u);
  ImplicitDiffusion op(g, D, std::vector<double>(g.nz, 1.0), 0, g.nz);
  const int steps = static_cast<int>(std::lround(t_end / (dt_per_dx2 * g.dx * g.dx)));
  for (int s = 0; s < steps; ++s) op.step(u.data(), t_end / steps);
  std::vector<double> err(g.size());
  double peak = 0, worst = 0;
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const double ex = gaussian_exact(g, D, t0, x0, y0, z0, g.x(i), g.y(j), g.z(k), t_end);
        const std::size_t id = g.idx(i, j, k);
        err[id] = u[id] - ex;
        peak = std::max(peak, ex);
        worst = std::max(worst, std::fabs(err[id]));
      }
  return {test::norm_l2(err) / peak, worst / peak, static_cast<double>(std::fabs(total(u) - m0) / m0)};
}

// Values outside [b, e) are bitwise untouched, and the range itself did move (so the
// conservation checks around this are not vacuous).
void check_only_range_moved(const GridVector& u, const GridVector& u0, std::size_t b, std::size_t e) {
  CHECK(std::memcmp(u.data(), u0.data(), b * sizeof(double)) == 0);
  CHECK(std::memcmp(u.data() + e, u0.data() + e, (u.size() - e) * sizeof(double)) == 0);
  double moved = 0;
  for (std::size_t i = b; i < e; ++i) moved = std::max(moved, std::fabs(u[i] - u0[i]));
  CHECK(moved > 1.0);
}

}  // namespace

TEST_CASE("A Gaussian spreads as the exact periodic / no-flux solution, at second order in dx with dt ~ dx^2",
          "[verification]") {
  const double D = 0.02, t0 = 0.1, t_end = 0.25;
  struct Case {
    const char* name;
    std::vector<Grid> grids;
  };
  const std::vector<Case> cases = {
      {"2D", {test::make_grid(32, 1, 32, 1.0 / 32), test::make_grid(64, 1, 64, 1.0 / 64), test::make_grid(128, 1, 128, 1.0 / 128)}},
      {"3D", {test::make_grid(20, 20, 20, 1.0 / 20), test::make_grid(40, 40, 40, 1.0 / 40), test::make_grid(80, 80, 80, 1.0 / 80)}},
  };
  for (const auto& c : cases) {
    std::vector<double> h, e;
    GaussianRun finest{};
    for (const Grid& g : c.grids) {
      finest = gaussian_run(g, D, t0, t_end, 0.5 / D);
      h.push_back(g.dx);
      e.push_back(finest.l2_rel);
      UNSCOPED_INFO(c.name << " dx " << g.dx << ": L2/peak " << finest.l2_rel << " max/peak " << finest.max_rel
                           << " mass drift " << finest.mass_drift);
    }
    const double order = test::fitted_order(h, e);
    INFO(c.name << ": observed order " << order);
    CHECK(order == Approx(2.0).margin(0.15));
    // Stated tolerance at the finest grid: 0.1 % of the peak in L2 and 2 % of it anywhere.
    CHECK(finest.l2_rel < 1e-3);
    CHECK(finest.max_rel < 0.02);
    CHECK(finest.mass_drift < 1e-12);
  }
}

TEST_CASE("Reaction decay and two-pool activation match their exact solutions at first order in dt", "[verification]") {
  // TissueModel::react alone on a 1D column, with pores, damage and latent TGF-beta loaded: pores
  // close as exp(-t/tau_O), damage decays as exp(-k_B t), latent TGF-beta as exp(-k_act t), and in
  // the epidermis (no cells) active TGF-beta follows T' = k_act L - delta_T (T - T0), i.e.
  // T = T0 + L0 k_act / (delta_T - k_act) (exp(-k_act t) - exp(-delta_T t)).
  const ModelParams p = ModelParams::from(test::config_with({}));
  const Grid g = test::make_grid(1, 1, 90, 0.02);
  const LayerMap layers(g, SkinLayers{});
  const TissueModel model(p, g, layers);
  const double L0 = 1000.0, t_end = 1.0;
  const int ke = 0;  // an epidermal level
  REQUIRE(layers.of_level[ke] == Layer::Epidermis);
  auto T_exact = [&](double t) {
    return p.T0 + L0 * p.k_act / (p.delta_T - p.k_act) * (std::exp(-p.k_act * t) - std::exp(-p.delta_T * t));
  };
  std::vector<double> h, eO, eB, eL, eT;
  for (int steps : {40, 80, 160, 320, 640}) {
    State s(g);
    model.set_baseline(s);
    for (int k = 0; k < layers.skin_end; ++k) {
      s[O][k] = 1.0;
      s[B][k] = 1.0;
      s[L][k] = L0;
    }
    const double dt = t_end / steps;
    for (int n = 0; n < steps; ++n) model.react(s, dt);
    h.push_back(dt);
    eO.push_back(std::fabs(s[O][ke] / std::exp(-t_end / p.tau_O) - 1));
    eB.push_back(std::fabs(s[B][ke] / std::exp(-p.k_B * t_end) - 1));
    eL.push_back(std::fabs(s[L][ke] / (L0 * std::exp(-p.k_act * t_end)) - 1));
    eT.push_back(std::fabs(s[T][ke] - T_exact(t_end)) / T_exact(t_end));
    UNSCOPED_INFO("dt " << dt << ": O " << eO.back() << " B " << eB.back() << " L " << eL.back() << " T " << eT.back());
  }
  const double oO = test::fitted_order(h, eO), oB = test::fitted_order(h, eB), oL = test::fitted_order(h, eL),
               oT = test::fitted_order(h, eT);
  INFO("observed orders: O " << oO << " B " << oB << " L " << oL << " T " << oT);
  CHECK(oO == Approx(1.0).margin(0.1));
  CHECK(oB == Approx(1.0).margin(0.1));
  CHECK(oL == Approx(1.0).margin(0.1));
  CHECK(oT == Approx(1.0).margin(0.1));
  // Backward Euler on y' = -lambda y has the relative error lambda^2 t dt / 2 to leading order:
  // the decays are implicit Euler, not just some first-order scheme.
  const double dt = h.back();
  CHECK(eO.back() == Approx(std::pow(1 / p.tau_O, 2) * t_end * dt / 2).epsilon(0.05));
  CHECK(eB.back() == Approx(p.k_B * p.k_B * t_end * dt / 2).epsilon(0.05));
  CHECK(eL.back() == Approx(p.k_act * p.k_act * t_end * dt / 2).epsilon(0.05));
  CHECK(eT.back() < 1e-3);
}

// Every sweep's matrix has unit column sums, so the total is conserved exactly in exact arithmetic.
// In floating point a direct solve perturbs it by about eps * s per step (s = D dt / dx^2): the
// check is per step, at steps up to the largest s a default run takes (D_T = 0.155 mm^2/day,
// dt = 1 day, dx = 0.02 mm: s = 388).
TEST_CASE("No-flux diffusion conserves the total to 1e-12 per step, with uniform and layered weights, in 2D and 3D",
          "[verification]") {
  const ModelParams p = ModelParams::from(test::config_with({}));
  for (const Grid& g : {test::make_grid(40, 1, 90, 0.02), test::make_grid(16, 12, 90, 0.02)}) {
    const LayerMap layers(g, SkinLayers{});
    const TissueModel model(p, g, layers);
    std::vector<double> layered(g.nz), uniform(g.nz, 1.0), rough(g.nz);
    for (int k = 0; k < g.nz; ++k) {
      layered[k] = model.baseline(F, k);                // 4000 / 2500 in the dermis, 0 elsewhere
      rough[k] = std::pow(10.0, 2.0 * std::sin(0.7 * k));  // jumps of up to 100x between levels
    }
    struct Case {
      const char* name;
      std::vector<double> w;
      int k0, k1;
    };
    const std::vector<Case> cases = {{"uniform, whole column", uniform, 0, g.nz},
                                     {"layered fibroblast baseline, dermis only", layered, layers.dermis_begin, layers.dermis_end},
                                     {"rough weight, levels 5..70", rough, 5, 70}};
    for (const auto& c : cases) {
      // Large and small steps (s = D dt / dx^2 from 0.1 to 1000).
      for (double dt : {0.001, 0.05, 1.0}) {
        GridVector u = random_field(g.size(), 0.0, 5000.0, 7);
        const GridVector u0 = u;
        const std::size_t b = std::size_t(c.k0) * g.plane(), e = std::size_t(c.k1) * g.plane();
        ImplicitDiffusion op(g, 0.155, c.w, c.k0, c.k1);
        double drift = 0;
        for (int n = 0; n < 20; ++n) {
          const long double m0 = total(u, b, e);
          op.step(u.data(), dt);
          drift = std::max(drift, static_cast<double>(std::fabs(total(u, b, e) - m0) / m0));
        }
        INFO(g.dim() << "D, " << c.name << ", dt " << dt << ": largest relative change of the total in one step " << drift);
        CHECK(drift < 1e-12);
        check_only_range_moved(u, u0, b, e);
      }
    }
  }
}

// One backward-Euler sweep along a periodic axis solves (1 + 2s) u_i - s (u_{i-1} + u_{i+1}) = r_i
// with the ends wrapped; x and y commute (constant coefficients), so after both sweeps
// (I - s Lx)(I - s Ly) u = r. The residual is checked against the operator's size, (1 + 4s)
// per sweep times |u|, which is what a backward-stable solve leaves. Lengths and line counts on
// and off the x sweep's 8 x 8 tiles and 16-line blocks and the y sweep's blocks of 64, 32, 16 and
// 8 lanes (with AVX-512), with s from 0.1 to 1000.
TEST_CASE("The lateral sweeps solve their cyclic systems to round-off", "[verification]") {
  for (auto [nx, ny] : {std::pair{13, 1}, {256, 3}, {1, 13}, {1, 50}, {40, 120}, {120, 40}, {50, 50}, {3, 3}}) {
    const Grid g = test::make_grid(nx, ny, 1, 0.02);
    for (double dt : {0.00026, 0.05, 2.6}) {
      const double s = dt * 0.155 / (g.dx * g.dx);
      GridVector u = random_field(g.size(), 0.0, 1.0, 3);
      const GridVector r = u;
      ImplicitDiffusion op(g, 0.155, {1.0}, 0, 1);
      op.step(u.data(), dt);
      // (I - s L) along x or y of v, in extended precision.
      auto sweep = [&](const std::vector<long double>& v, bool along_x) {
        const int n = along_x ? nx : ny, step = along_x ? 1 : nx;
        std::vector<long double> out(v.size());
        for (int j = 0; j < ny; ++j)
          for (int i = 0; i < nx; ++i) {
            const int a = along_x ? i : j;
            const std::size_t id = g.idx(i, j, 0);
            const std::size_t back = id - std::size_t(a) * step + std::size_t((a + n - 1) % n) * step;
            const std::size_t fwd = id - std::size_t(a) * step + std::size_t((a + 1) % n) * step;
            out[id] = n < 3 ? v[id] : (1 + 2 * s) * v[id] - s * (v[back] + v[fwd]);
          }
        return out;
      };
      const std::vector<long double> applied = sweep(sweep(std::vector<long double>(u.begin(), u.end()), false), true);
      double worst = 0, size = 0, moved = 0;
      for (std::size_t i = 0; i < g.size(); ++i) {
        worst = std::max(worst, double(std::fabs(applied[i] - r[i])));
        size = std::max(size, std::fabs(u[i]));
        moved = std::max(moved, std::fabs(u[i] - r[i]));
      }
      const double scale = (nx >= 3 ? 1 + 4 * s : 1) * (ny >= 3 ? 1 + 4 * s : 1) * size;
      INFO(nx << " x " << ny << ", s = " << s << ": largest residual " << worst << ", scale " << scale << ", moved " << moved);
      CHECK(worst < 1e-14 * scale);
      CHECK(moved > 0.01);
    }
  }
}

TEST_CASE("A field equal to its weight profile is stationary under diffusion to round-off", "[verification]") {
  // u = w is an exact fixed point of every sweep (the flux is D w d(u/w)/dz = 0). 300 steps with s
  // up to 388 may accumulate round-off of about eps * s per step, hence 1e-11; with a uniform
  // weight instead, the same layered field diffuses across the layer jump and moves by far more.
  const ModelParams p = ModelParams::from(test::config_with({}));
  for (const Grid& g : {test::make_grid(40, 1, 90, 0.02), test::make_grid(16, 12, 90, 0.02)}) {
    const LayerMap layers(g, SkinLayers{});
    const TissueModel model(p, g, layers);
    std::vector<double> w(g.nz), rough(g.nz);
    for (int k = 0; k < g.nz; ++k) {
      w[k] = model.baseline(F, k);
      rough[k] = std::pow(10.0, 2.0 * std::sin(0.7 * k));
    }
    auto deviation_after_steps = [&](const std::vector<double>& prof, const std::vector<double>& weight, int k0, int k1) {
      std::vector<double> u(g.size(), 0.0);
      for (int k = k0; k < k1; ++k) std::fill_n(u.begin() + std::size_t(k) * g.plane(), g.plane(), prof[k]);
      ImplicitDiffusion op(g, 0.155, weight, k0, k1);
      for (double dt : {0.001, 0.05, 1.0})
        for (int n = 0; n < 100; ++n) op.step(u.data(), dt);
      double worst = 0;
      for (int k = k0; k < k1; ++k)
        for (std::size_t i = 0; i < g.plane(); ++i)
          worst = std::max(worst, std::fabs(u[std::size_t(k) * g.plane() + i] - prof[k]) / prof[k]);
      return worst;
    };
    const double dev_layered = deviation_after_steps(w, w, layers.dermis_begin, layers.dermis_end);
    const double dev_rough = deviation_after_steps(rough, rough, 0, g.nz);
    const double dev_unweighted = deviation_after_steps(w, std::vector<double>(g.nz, 1.0), layers.dermis_begin, layers.dermis_end);
    INFO(g.dim() << "D: worst relative deviation, layered " << dev_layered << ", rough " << dev_rough
                 << "; layered field under a uniform weight " << dev_unweighted);
    CHECK(dev_layered < 1e-11);
    CHECK(dev_rough < 1e-11);
    CHECK(dev_unweighted > 0.01);
  }
}

TEST_CASE("Chemotaxis conserves the total to 1e-12 and leaves levels outside its range untouched", "[verification]") {
  for (const Grid& g : {test::make_grid(40, 1, 90, 0.02), test::make_grid(16, 12, 90, 0.02)}) {
    const int k0 = 4, k1 = 70;
    GridVector u = random_field(g.size(), 0.0, 4000.0, 11);
    // A steep attractant: random values up to 2 K plus a ridge, so velocities change sign
    // everywhere, the limiter is active and the step is subcycled.
    GridVector c = random_field(g.size(), 0.0, 100.0, 12);
    for (int k = 0; k < g.nz; ++k)
      for (int j = 0; j < g.ny; ++j)
        for (int i = 0; i < g.nx; ++i) c[g.idx(i, j, k)] += 500.0 * std::exp(-std::pow((g.x(i) - 0.4) / 0.05, 2));
    const GridVector u0 = u;
    const std::size_t b = std::size_t(k0) * g.plane(), e = std::size_t(k1) * g.plane();
    const long double m0 = total(u, b, e);
    Chemotaxis op(g, 2e-3, 50.0, k0, k1);
    int substeps = 0, odd = 0;
    for (int n = 0; n < 10; ++n) {
      const int k = op.step(u, c.data(), 0.05 + 1e-3 * n);  // varied, so some counts are odd
      substeps += k;
      odd += k % 2;
    }
    const double drift = static_cast<double>(std::fabs(total(u, b, e) - m0) / m0);
    INFO(g.dim() << "D: " << substeps << " substeps, relative drift " << drift);
    CHECK(substeps > 10);
    CHECK(odd > 0);  // steps that end in the scratch array, which then trades places with u
    CHECK(drift < 1e-12);
    check_only_range_moved(u, u0, b, e);
  }
}

TEST_CASE("Chemotaxis gives the same result whether the substep count comes from its own pass or from a first substep", "[verification]") {
  // The count needs the largest outflow. After a step of one substep the next step takes that
  // substep first and reads the outflow off it (kept if one suffices); after more than one it
  // measures the outflow in a pass of its own. A fresh operator always tries the first way, so
  // comparing it with an operator that has a history covers both ways both ways round.
  const Grid g = test::make_grid(9, 7, 20, 0.02);
  const GridVector gentle = random_field(g.size(), 0.0, 1.0, 31), steep = random_field(g.size(), 0.0, 20.0, 32);
  GridVector u = random_field(g.size(), 0.0, 4000.0, 33);
  Chemotaxis op(g, 2e-3, 50.0, 2, 18);
  const GridVector* sequence[] = {&gentle, &steep, &steep, &gentle, &gentle};
  const int expect_one[] = {1, 0, 0, 1, 1};
  for (int n = 0; n < 5; ++n) {
    GridVector fresh_u = u;
    Chemotaxis fresh(g, 2e-3, 50.0, 2, 18);
    const int substeps = op.step(u, sequence[n]->data(), 0.01);
    INFO("step " << n << ": " << substeps << " substeps");
    CHECK((substeps == 1) == bool(expect_one[n]));
    CHECK(fresh.step(fresh_u, sequence[n]->data(), 0.01) == substeps);
    CHECK(std::memcmp(fresh_u.data(), u.data(), u.size() * sizeof(double)) == 0);
  }
}

TEST_CASE("Chemotaxis counts the same substeps from its first substep as from a pass of its own", "[verification]") {
  // After a step of one substep, the next takes its first substep for the whole step and sums
  // the outflow cell by cell only in rows whose face speeds allow more than one substep; after a
  // step of several, a pass of its own measures the outflow everywhere. Across step lengths on
  // both sides of one substep, both must give the same count and the same result. In the valley
  // (c rising both ways from x = 4) the bottom cell's outflow is exactly twice the largest face
  // speed, so a row bound any lower would let a step take one substep too few.
  const Grid g = test::make_grid(9, 7, 20, 0.02);
  const GridVector random = random_field(g.size(), 0.0, 1.0, 41), steep = random_field(g.size(), 0.0, 20.0, 42);
  GridVector valley(g.size());
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) valley[g.idx(i, j, k)] = 0.5 * std::abs(i - 4);
  const GridVector u0 = random_field(g.size(), 0.0, 4000.0, 43);
  const GridVector* attractants[] = {&random, &valley};
  for (const GridVector* c : attractants) {
    int one = 0, several = 0;
    for (double dt = 1e-3; dt < 0.2; dt *= 1.05) {
      Chemotaxis fresh(g, 2e-3, 50.0, 2, 18), measuring(g, 2e-3, 50.0, 2, 18);
      GridVector u = u0, v = u0, w = u0;
      REQUIRE(measuring.step(w, steep.data(), 0.05) > 1);
      const long passes = measuring.outflow_passes();
      const int n = measuring.step(v, c->data(), dt);
      INFO((c == &valley ? "valley" : "random") << ", dt " << dt << ": " << n << " substeps");
      CHECK(measuring.outflow_passes() == passes + 1);
      CHECK(fresh.step(u, c->data(), dt) == n);
      CHECK(fresh.outflow_passes() == 0);
      CHECK(std::memcmp(u.data(), v.data(), u.size() * sizeof(double)) == 0);
      one += n == 1;
      several += n > 1;
    }
    CHECK(one > 3);
    CHECK(several > 3);
  }
}

TEST_CASE("Chemotaxis gives bitwise the same result with rows in one pass as one face direction at a time", "[verification]") {
  // Rows of a multiple of 8 cells with y neighbours and a z face above take one pass for all their
  // faces (the face left of each cell by a lane shift, across the periodic seam for the first);
  // the others, and every row by_direction, go one face direction at a time (and so do all rows
  // where that is faster, without AVX-512; the test forces both ways everywhere). Both must agree
  // bit for bit: in the substep count, in u, with the outflow checked in the first substep or
  // measured in a pass of its own.
  for (const Grid& g : {test::make_grid(8, 3, 24, 0.02), test::make_grid(16, 12, 24, 0.02), test::make_grid(32, 5, 24, 0.02)}) {
    const GridVector c = random_field(g.size(), 0.0, 20.0, 51), gentle = random_field(g.size(), 0.0, 1.0, 52);
    GridVector u = random_field(g.size(), 0.0, 4000.0, 53), v = u;
    Chemotaxis fused(g, 2e-3, 50.0, 2, 20, Chemotaxis::Rows::fused), rows(g, 2e-3, 50.0, 2, 20, Chemotaxis::Rows::by_direction);
    int several = 0;
    for (double dt : {0.01, 0.05, 0.002, 0.002, 0.03}) {
      for (const GridVector* a : {&gentle, &c}) {
        const int n = fused.step(u, a->data(), dt);
        INFO(g.nx << "x" << g.ny << ", dt " << dt << ": " << n << " substeps");
        CHECK(rows.step(v, a->data(), dt) == n);
        CHECK(std::memcmp(u.data(), v.data(), u.size() * sizeof(double)) == 0);
        several += n > 1;
      }
    }
    CHECK(several > 2);
    CHECK(fused.outflow_passes() > 0);
  }
}

TEST_CASE("Chemotaxis is exactly mirror symmetric, across the periodic seams and the ends of its range", "[verification]") {
  // The scheme treats both directions alike (upwinding picks the side, the limiter is symmetric)
  // and every sum it forms is mirror invariant, so mirroring u, c and the active range in all three
  // axes at once mirrors the result bit for bit. A neighbour or ghost cell taken from the wrong
  // place breaks this, even where it still conserves the total.
  for (const Grid& g : {test::make_grid(1, 1, 30, 0.02), test::make_grid(7, 1, 30, 0.02), test::make_grid(3, 3, 30, 0.02),
                        test::make_grid(6, 5, 30, 0.02), test::make_grid(16, 3, 30, 0.02)}) {
    auto mirror = [&](const GridVector& v) {
      GridVector m(v.size());
      for (int k = 0; k < g.nz; ++k)
        for (int j = 0; j < g.ny; ++j)
          for (int i = 0; i < g.nx; ++i) m[g.idx(g.nx - 1 - i, g.ny - 1 - j, g.nz - 1 - k)] = v[g.idx(i, j, k)];
      return m;
    };
    for (const auto& [k0, k1] : {std::pair{0, g.nz}, std::pair{3, 25}}) {
      GridVector u = random_field(g.size(), 0.0, 4000.0, 21);
      const GridVector c = random_field(g.size(), 0.0, 100.0, 22);
      GridVector um = mirror(u);
      const GridVector cm = mirror(c);
      Chemotaxis op(g, 2e-3, 50.0, k0, k1), op_mirrored(g, 2e-3, 50.0, g.nz - k1, g.nz - k0);
      const int substeps = op.step(u, c.data(), 0.05);
      INFO(g.dim() << "D " << g.nx << "x" << g.ny << ", levels [" << k0 << ", " << k1 << "): " << substeps << " substeps");
      CHECK(substeps > 1);
      CHECK(op_mirrored.step(um, cm.data(), 0.05) == substeps);
      CHECK(std::memcmp(mirror(u).data(), um.data(), u.size() * sizeof(double)) == 0);
    }
  }
}
