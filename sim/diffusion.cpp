#include "mnsim/numerics/diffusion.hpp"

#include <omp.h>

#include <algorithm>

namespace mnsim {

void ImplicitDiffusion::Cyclic::build(int n_, double a_) {
  // Sherman-Morrison: A = T + u v^T with u = (gamma, 0.., -a), v = (1, 0.., -a / gamma),
  // gamma = -(1 + 2a); T is tridiagonal and factored once per time step. zc = T^-1 u is kept
  // eliminated (zf), as the kernels apply it; its ends give the denominator.
  n = n_;
  a = a_;
  off.assign(n, -a);
  periodic.zf.assign(n, 0.0);
  if (n < 3 || a == 0) {  // nothing to couple: the sweep is the identity
    diag.assign(n, 1.0);
    off.assign(n, 0.0);
    thomas.refactor(off, diag, off);
    periodic.set_weights(thomas);
    periodic.vfac = 0;
    periodic.denom = 1;
    return;
  }
  const double b = 1 + 2 * a;
  const double gamma = -b;
  periodic.vfac = -a / gamma;
  diag.assign(n, b);
  diag[0] = b - gamma;
  diag[n - 1] = b - a * a / gamma;
  thomas.refactor(off, diag, off);
  periodic.set_weights(thomas);
  const std::vector<double>& cp = thomas.cp;
  const std::vector<double>& inv = thomas.inv;
  std::vector<double>& zf = periodic.zf;
  for (int i = 0; i < n; ++i) {
    const double rhs = i == 0 ? gamma : (i == n - 1 ? -a : 0.0);
    zf[i] = (rhs + (i > 0 ? a * zf[i - 1] : 0.0)) * inv[i];
  }
  double zc0 = zf[n - 1];
  for (int i = n - 2; i >= 0; --i) zc0 = zf[i] - cp[i] * zc0;
  periodic.denom = 1 + zc0 + periodic.vfac * zf[n - 1];
}

ImplicitDiffusion::ImplicitDiffusion(const Grid& g, double D, std::vector<double> weight_z, int k0, int k1)
    : g_(g), D_(D), w_(std::move(weight_z)), k0_(k0), k1_(k1) {}

void ImplicitDiffusion::factor(double dt) {
  dt_ = dt;
  const double s = dt * D_ / (g_.dx * g_.dx);
  cx_.build(g_.nx, s);
  cy_.build(g_.ny, s);
  const int m = std::max(k1_ - k0_, 0);
  std::vector<double>&lower = zl_, &diag = zd_, &upper = zu_;
  lower.assign(m, 0.0);
  diag.assign(m, 1.0);
  upper.assign(m, 0.0);
  auto face = [&](int k) {  // conductance weight between levels k and k+1
    const double a = w_[k], b = w_[k + 1];
    return 2 * a * b / (a + b);
  };
  for (int r = 0; r < m; ++r) {
    const int k = k0_ + r;
    const double gl = r > 0 ? s * face(k - 1) : 0.0;
    const double gu = r < m - 1 ? s * face(k) : 0.0;
    if (r > 0) lower[r] = -gl / w_[k - 1];
    if (r < m - 1) upper[r] = -gu / w_[k + 1];
    diag[r] = 1 + (gl + gu) / w_[k];
  }
  z_.refactor(lower, diag, upper);
}

bool ImplicitDiffusion::begin(double dt) {
  if (D_ == 0 || k1_ <= k0_) return false;
  if (dt != dt_) factor(dt);
  rows_.size_for(omp_get_max_threads());
  return true;
}

void ImplicitDiffusion::z_sweep(double* u) const {
  if (k1_ - k0_ >= 2) solve_all_columns(u + std::size_t(k0_) * g_.plane(), g_.plane(), z_);
}

void ImplicitDiffusion::lateral_sweeps(double* u, int k) {
  // The x and y sweeps of one z-level run back to back while the plane sits in the core's cache,
  // so the plane crosses the memory bus once for both.
  const int nx = g_.nx, ny = g_.ny;
  if (D_ == 0 || k < k0_ || k >= k1_ || (nx < 3 && ny < 3)) return;
  double* p = u + std::size_t(k) * g_.plane();
  if (nx >= 3) {
    const std::size_t buf_size = std::size_t(kRowBlock) * nx;
    solve_rows(p, ny, cx_.thomas, &cx_.periodic, rows_.mine(AlignedRows::room(buf_size)).cut(buf_size));
  }
  if (ny >= 3) solve_lanes(p, nx, nx, cy_.thomas, &cy_.periodic);
}

void ImplicitDiffusion::step(double* u, double dt) {
  if (!begin(dt)) return;
  z_sweep(u);
#pragma omp parallel for schedule(static)
  for (int k = k0_; k < k1_; ++k) lateral_sweeps(u, k);
}

}  // namespace mnsim
