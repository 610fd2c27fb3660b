// Method of manufactured solutions for the transport operators of the split stepper.
//
// A cell density u and an attractant c obey
//   u_t = D_u lap(u) - div(chi u grad(c) / (1 + c/K)^2) + r u (1 - u/M) + S_u
//   c_t = D_c lap(c) + beta u - delta c                                  + S_c
// with S_u, S_c computed in closed form so that a chosen smooth (u, c) is the exact solution.
// The discrete step is the one SplitStepper takes, in its order: Chemotaxis (c frozen),
// ImplicitDiffusion of u and c, then a pointwise semi-implicit reaction (written here, with the
// source evaluated at the new time). The manufactured fields are periodic in x and y and are
// cosines of pi z / Lz multiples in z, so their normal derivatives, and the chemotactic flux,
// vanish on the no-flux walls: the exact solution satisfies the discrete operators' boundary
// conditions, and any error is the scheme's.
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "support/helpers.hpp"
#include "mnsim/core/grid.hpp"
#include "mnsim/numerics/chemotaxis.hpp"
#include "mnsim/numerics/diffusion.hpp"
#include "support/convergence.hpp"

using namespace mnsim;

namespace {

constexpr double kPi = 3.14159265358979323846;

// f = f0 + A(t) s(x) with s(x) = prod_d cos(k_d x_d + p_d) over the active directions and
// A(t) = a (1 + b sin(w t)). Space and time separate, so the shape and its gradient are sampled
// once per grid and the sources cost no trigonometry per step.
struct Wave {
  double f0, a, b, w;
  std::array<double, 3> k{}, p{};
  std::array<bool, 3> on{};

  double amp(double t) const { return a * (1 + b * std::sin(w * t)); }
  double amp_t(double t) const { return a * b * w * std::cos(w * t); }
  double k2() const {
    double s = 0;
    for (int d = 0; d < 3; ++d)
      if (on[d]) s += k[d] * k[d];
    return s;
  }
  double shape(const std::array<double, 3>& x) const {
    double s = 1;
    for (int d = 0; d < 3; ++d)
      if (on[d]) s *= std::cos(k[d] * x[d] + p[d]);
    return s;
  }
  std::array<double, 3> shape_grad(const std::array<double, 3>& x) const {
    std::array<double, 3> g{};
    for (int d = 0; d < 3; ++d) {
      if (!on[d]) continue;
      double s = -k[d] * std::sin(k[d] * x[d] + p[d]);
      for (int e = 0; e < 3; ++e)
        if (e != d && on[e]) s *= std::cos(k[e] * x[e] + p[e]);
      g[d] = s;
    }
    return g;
  }
};

// The shapes of u and c and their gradients at one point.
struct Sample {
  double su;
  std::array<double, 3> gu;
  double sc;
  std::array<double, 3> gc;
};

struct Problem {
  double D_u = 0.02, D_c = 0.05, chi = 0.2, K = 2.0;  // chemotactic Peclet number about 8 on the box
  double r = 1.0, M = 4.0, beta = 0.5, delta = 1.0;
  Wave u, c;

  // Lateral modes have one wavelength across the periodic box, so the solution is periodic;
  // the z modes are cos(m pi z / Lz), whose derivative vanishes on both walls.
  explicit Problem(const Grid& g) {
    const std::array<bool, 3> on = {g.nx > 1, g.ny > 1, true};
    u = {1.0, 0.5, 0.5, 2.0, {2 * kPi / g.lx(), 2 * kPi / g.ly(), kPi / g.depth()}, {0.3, 1.1, 0.0}, on};
    c = {1.0, 0.6, -0.4, 3.0, {2 * kPi / g.lx(), 2 * kPi / g.ly(), 2 * kPi / g.depth()}, {2.0, -0.7, 0.0}, on};
  }

  Sample sample(const std::array<double, 3>& x) const { return {u.shape(x), u.shape_grad(x), c.shape(x), c.shape_grad(x)}; }
  double u_at(const Sample& s, double t) const { return u.f0 + u.amp(t) * s.su; }
  double c_at(const Sample& s, double t) const { return c.f0 + c.amp(t) * s.sc; }

  // Sources that make (u, c) exact: the residual of each equation at the exact solution, with
  // div(chi u phi(c) grad c) = chi [phi grad u . grad c + u phi'(c) |grad c|^2 + u phi lap c].
  void sources(const Sample& s, double t, double& su, double& sc) const {
    const double Au = u.amp(t), Ac = c.amp(t);
    const double uu = u.f0 + Au * s.su, cc = c.f0 + Ac * s.sc;
    const double lap_u = -u.k2() * Au * s.su, lap_c = -c.k2() * Ac * s.sc;
    const double damp = 1 + cc / K;
    const double phi = 1 / (damp * damp), dphi = -2 / (K * damp * damp * damp);
    double gu_gc = 0, gc2 = 0;
    for (int d = 0; d < 3; ++d) {
      gu_gc += Au * s.gu[d] * Ac * s.gc[d];
      gc2 += Ac * s.gc[d] * Ac * s.gc[d];
    }
    const double div_flux = chi * (phi * gu_gc + uu * dphi * gc2 + uu * phi * lap_c);
    su = u.amp_t(t) * s.su - D_u * lap_u + div_flux - r * uu * (1 - uu / M);
    sc = c.amp_t(t) * s.sc - D_c * lap_c - (beta * uu - delta * cc);
  }
};

std::array<double, 3> centre(const Grid& g, std::size_t id) {
  const int i = static_cast<int>(id % g.nx), j = static_cast<int>((id / g.nx) % g.ny), k = static_cast<int>(id / g.plane());
  return {g.x(i), g.y(j), g.z(k)};
}

struct Run {
  GridVector u, c;
  int max_substeps = 0;
};

// Advances the manufactured problem from its exact initial data with `steps` equal steps.
Run run_split(const Grid& g, const Problem& pb, double t_end, int steps) {
  const std::size_t n = g.size();
  std::vector<Sample> at(n);
  for (std::size_t id = 0; id < n; ++id) at[id] = pb.sample(centre(g, id));
  Run out;
  out.u.resize(n);
  out.c.resize(n);
  for (std::size_t id = 0; id < n; ++id) {
    out.u[id] = pb.u_at(at[id], 0.0);
    out.c[id] = pb.c_at(at[id], 0.0);
  }
  const std::vector<double> flat(g.nz, 1.0);
  ImplicitDiffusion diff_u(g, pb.D_u, flat, 0, g.nz), diff_c(g, pb.D_c, flat, 0, g.nz);
  Chemotaxis chem(g, pb.chi, pb.K, 0, g.nz);
  const double dt = t_end / steps;
  for (int s = 0; s < steps; ++s) {
    const double t1 = (s + 1) * dt;
    out.max_substeps = std::max(out.max_substeps, chem.step(out.u, out.c.data(), dt));
    diff_u.step(out.u.data(), dt);
    diff_c.step(out.c.data(), dt);
    for (std::size_t id = 0; id < n; ++id) {
      double su, sc;
      pb.sources(at[id], t1, su, sc);
      const double uo = out.u[id];
      const double un = (uo + dt * (pb.r * uo + su)) / (1 + dt * pb.r * uo / pb.M);
      out.u[id] = un;
      out.c[id] = (out.c[id] + dt * (pb.beta * un + sc)) / (1 + dt * pb.delta);
    }
  }
  return out;
}

struct Errors {
  double l1_u, l2_u, l1_c, l2_c;
};

Errors errors_against_exact(const Grid& g, const Problem& pb, const Run& r, double t) {
  std::vector<double> eu(g.size()), ec(g.size());
  for (std::size_t id = 0; id < g.size(); ++id) {
    const Sample s = pb.sample(centre(g, id));
    eu[id] = r.u[id] - pb.u_at(s, t);
    ec[id] = r.c[id] - pb.c_at(s, t);
  }
  return {test::norm_l1(eu), test::norm_l2(eu), test::norm_l1(ec), test::norm_l2(ec)};
}

// Refines a box of fixed physical size by halving dx, with dt proportional to dx^2 so that the
// first-order splitting error falls like dx^2 too and the observed order is the spatial one.
// `shape(n)` gives the grid at refinement level n.
template <class Shape>
void check_spatial_order(Shape shape, int levels, double t_end, double dt_per_dx2) {
  std::vector<double> h, l1u, l2u, l1c, l2c;
  for (int n = 0; n < levels; ++n) {
    const Grid g = shape(n);
    const Problem pb(g);
    const int steps = static_cast<int>(std::lround(t_end / (dt_per_dx2 * g.dx * g.dx)));
    const Run r = run_split(g, pb, t_end, steps);
    const Errors e = errors_against_exact(g, pb, r, t_end);
    h.push_back(g.dx);
    l1u.push_back(e.l1_u);
    l2u.push_back(e.l2_u);
    l1c.push_back(e.l1_c);
    l2c.push_back(e.l2_c);
    UNSCOPED_INFO("grid " << g.nx << "x" << g.ny << "x" << g.nz << " dx " << g.dx << " steps " << steps
                          << " substeps<=" << r.max_substeps << ": L1(u) " << e.l1_u << " L2(u) " << e.l2_u
                          << " L1(c) " << e.l1_c << " L2(c) " << e.l2_c);
  }
  const double ou1 = test::fitted_order(h, l1u), ou2 = test::fitted_order(h, l2u);
  const double oc1 = test::fitted_order(h, l1c), oc2 = test::fitted_order(h, l2c);
  INFO("observed orders: L1(u) " << ou1 << " L2(u) " << ou2 << " L1(c) " << oc1 << " L2(c) " << oc2);
  CHECK(ou1 == Approx(2.0).margin(0.15));
  CHECK(ou2 == Approx(2.0).margin(0.15));
  CHECK(oc1 == Approx(2.0).margin(0.15));
  CHECK(oc2 == Approx(2.0).margin(0.15));
}

}  // namespace

TEST_CASE("Diffusion, chemotaxis and reaction converge at second order in space in 1D", "[verification]") {
  check_spatial_order([](int n) { return test::make_grid(1, 1, 16 << n, 1.0 / (16 << n)); }, 4, 0.5, 0.4);
}

TEST_CASE("Diffusion, chemotaxis and reaction converge at second order in space in 2D", "[verification]") {
  check_spatial_order([](int n) { return test::make_grid(16 << n, 1, 16 << n, 1.0 / (16 << n)); }, 3, 0.5, 0.4);
}

TEST_CASE("Diffusion, chemotaxis and reaction converge at second order in space in 3D", "[verification]") {
  check_spatial_order([](int n) { return test::make_grid(8 << n, 8 << n, 8 << n, 1.0 / (8 << n)); }, 3, 0.25, 0.4);
}

TEST_CASE("The split step is first order in time (Lie splitting with backward-Euler and explicit substeps)", "[verification]") {
  // Fixed 32 x 32 grid, dt halved from T/16 to T/128, against a T/4096 reference on the same grid:
  // the spatial error is common to all runs and cancels. The reference's own temporal error is
  // 1/32 of the finest run's, which biases the fitted slope by under 0.03.
  const Grid g = test::make_grid(32, 1, 32, 1.0 / 32);
  const Problem pb(g);
  const double t_end = 0.5;
  const Run ref = run_split(g, pb, t_end, 4096);
  std::vector<double> h, e2, e1;
  for (int steps : {16, 32, 64, 128}) {
    const Run r = run_split(g, pb, t_end, steps);
    // A change in the chemotaxis subcycle count between runs would change the error constant.
    REQUIRE(r.max_substeps == 1);
    std::vector<double> d(g.size());
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = r.u[i] - ref.u[i];
    std::vector<double> dc(g.size());
    for (std::size_t i = 0; i < d.size(); ++i) dc[i] = r.c[i] - ref.c[i];
    h.push_back(t_end / steps);
    e2.push_back(test::norm_l2(d) + test::norm_l2(dc));
    e1.push_back(test::norm_l1(d) + test::norm_l1(dc));
    UNSCOPED_INFO("dt " << t_end / steps << ": L2 " << e2.back() << " L1 " << e1.back());
  }
  const double o2 = test::fitted_order(h, e2), o1 = test::fitted_order(h, e1);
  INFO("observed temporal orders: L2 " << o2 << " L1 " << o1);
  CHECK(o2 == Approx(1.0).margin(0.15));
  CHECK(o1 == Approx(1.0).margin(0.15));
}

TEST_CASE("Diffusion with a non-uniform weight profile w(z) converges at second order in space", "[verification]") {
  // u_t = d/dz(D w d(u/w)/dz) + S with a smooth w, exact u = w(z) (1 + A(t) cos(pi z / Lz)): the
  // flux vanishes on both walls, and the harmonic-mean face weights must be second-order accurate.
  const double D = 0.05, t_end = 0.5;
  auto w = [](double z) { return 1 + 0.5 * z + 0.3 * std::sin(2 * kPi * z); };
  auto w_z = [](double z) { return 0.5 + 0.6 * kPi * std::cos(2 * kPi * z); };
  auto A = [](double t) { return 0.4 * (1 + 0.5 * std::sin(3 * t)); };
  auto A_t = [](double t) { return 0.4 * 1.5 * std::cos(3 * t); };
  const double k = kPi;  // Lz = 1
  auto exact = [&](double z, double t) { return w(z) * (1 + A(t) * std::cos(k * z)); };
  auto source = [&](double z, double t) {
    const double v_z = -A(t) * k * std::sin(k * z), v_zz = -A(t) * k * k * std::cos(k * z);
    return w(z) * A_t(t) * std::cos(k * z) - D * (w_z(z) * v_z + w(z) * v_zz);
  };
  std::vector<double> h, e2;
  for (int nz : {16, 32, 64, 128}) {
    const Grid g = test::make_grid(1, 1, nz, 1.0 / nz);
    std::vector<double> wz(nz), u(nz);
    for (int i = 0; i < nz; ++i) {
      wz[i] = w(g.z(i));
      u[i] = exact(g.z(i), 0);
    }
    ImplicitDiffusion op(g, D, wz, 0, nz);
    const int steps = static_cast<int>(std::lround(t_end / (0.4 * g.dx * g.dx)));
    const double dt = t_end / steps;
    for (int s = 0; s < steps; ++s) {
      op.step(u.data(), dt);
      for (int i = 0; i < nz; ++i) u[i] += dt * source(g.z(i), (s + 1) * dt);
    }
    std::vector<double> err(nz);
    for (int i = 0; i < nz; ++i) err[i] = u[i] - exact(g.z(i), t_end);
    h.push_back(g.dx);
    e2.push_back(test::norm_l2(err));
    UNSCOPED_INFO("nz " << nz << ": L2 " << e2.back());
  }
  const double order = test::fitted_order(h, e2);
  INFO("observed order " << order);
  CHECK(order == Approx(2.0).margin(0.15));
}
