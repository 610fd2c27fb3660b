#include "mnsim/numerics/diffusion.hpp"

#include <algorithm>

namespace mnsim {

void ImplicitDiffusion::Cyclic::build(int n_, double a_) {
  // Sherman-Morrison: A = T + u v^T with u = (gamma, 0.., -a), v = (1, 0.., -a / gamma),
  // gamma = -(1 + 2a); T is tridiagonal and factored once per time step.
  n = n_;
  a = a_;
  cp.assign(n, 0.0);
  inv.assign(n, 0.0);
  zc.assign(n, 0.0);
  if (n < 3 || a == 0) return;
  const double b = 1 + 2 * a;
  gamma = -b;
  vfac = -a / gamma;
  for (int i = 0; i < n; ++i) {
    double diag = b;
    if (i == 0) diag = b - gamma;
    if (i == n - 1) diag = b - a * a / gamma;
    inv[i] = 1.0 / (diag + (i > 0 ? a * cp[i - 1] : 0.0));
    cp[i] = -a * inv[i];
  }
  for (int i = 0; i < n; ++i) {
    const double rhs = i == 0 ? gamma : (i == n - 1 ? -a : 0.0);
    zc[i] = (rhs + (i > 0 ? a * zc[i - 1] : 0.0)) * inv[i];
  }
  for (int i = n - 2; i >= 0; --i) zc[i] -= cp[i] * zc[i + 1];
  denom = 1 + zc[0] + vfac * zc[n - 1];
}

ImplicitDiffusion::ImplicitDiffusion(const Grid& g, double D, std::vector<double> weight_z, int k0, int k1)
    : g_(g), D_(D), w_(std::move(weight_z)), k0_(k0), k1_(k1) {}

void ImplicitDiffusion::factor(double dt) {
  dt_ = dt;
  const double s = dt * D_ / (g_.dx * g_.dx);
  cx_.build(g_.nx, s);
  cy_.build(g_.ny, s);
  const int m = k1_ - k0_;
  zl_.assign(std::max(m, 0), 0.0);
  zcp_.assign(std::max(m, 0), 0.0);
  zinv_.assign(std::max(m, 0), 0.0);
  auto face = [&](int k) {  // conductance weight between levels k and k+1
    const double a = w_[k], b = w_[k + 1];
    return 2 * a * b / (a + b);
  };
  for (int r = 0; r < m; ++r) {
    const int k = k0_ + r;
    const double gl = r > 0 ? s * face(k - 1) : 0.0;
    const double gu = r < m - 1 ? s * face(k) : 0.0;
    const double lower = r > 0 ? -gl / w_[k - 1] : 0.0;
    const double upper = r < m - 1 ? -gu / w_[k + 1] : 0.0;
    const double diag = 1 + (gl + gu) / w_[k];
    zl_[r] = lower;
    zinv_[r] = 1.0 / (diag - (r > 0 ? lower * zcp_[r - 1] : 0.0));
    zcp_[r] = upper * zinv_[r];
  }
}

void ImplicitDiffusion::step(double* u, double dt) {
  if (D_ == 0 || k1_ <= k0_) return;
  if (dt != dt_) factor(dt);
  if (g_.nx >= 3 || g_.ny >= 3) sweep_xy(u);
  if (k1_ - k0_ >= 2) sweep_z(u);
}

void ImplicitDiffusion::sweep_xy(double* u) const {
  // The x and y sweeps of one z-plane run back to back while the plane sits in the core's cache,
  // so the plane crosses the memory bus once for both. Each plane is independent of the others.
  const int nx = g_.nx;
#pragma omp parallel
  {
    std::vector<double> f(nx);
#pragma omp for schedule(static)
    for (int k = k0_; k < k1_; ++k) {
      double* p = u + std::size_t(k) * g_.plane();
      if (g_.nx >= 3) x_lines(p, g_.ny);
      if (g_.ny >= 3) y_plane(p, f.data());
    }
  }
}

void ImplicitDiffusion::x_lines(double* first, int rows) const {
  // Coefficients are copied to locals: stores through u could otherwise alias them, which
  // forces a reload per element and blocks vectorisation.
  const Cyclic& c = cx_;
  const int n = c.n;
  const double a = c.a, vfac = c.vfac, denom = c.denom;
  const double* __restrict inv = c.inv.data();
  const double* __restrict cp = c.cp.data();
  const double* __restrict zc = c.zc.data();
  // A line's recurrence is a chain of dependent multiply-adds, so one line at a time leaves the
  // core waiting on latency. kRows neighbouring lines advance together instead: independent
  // chains that the core overlaps. Every line sees the same operations in the same order as
  // alone, so results do not change.
  constexpr int kRows = 8;
  for (int r0 = 0; r0 < rows; r0 += kRows) {
    const int nr = std::min(kRows, rows - r0);
    double* __restrict x = first + std::size_t(r0) * n;  // line q starts at x + q * n
    double carry[kRows];
    for (int q = 0; q < nr; ++q) carry[q] = x[q * n] *= inv[0];
    for (int i = 1; i < n; ++i) {
      const double ii = inv[i];
      for (int q = 0; q < nr; ++q) carry[q] = x[q * n + i] = (x[q * n + i] + a * carry[q]) * ii;
    }
    for (int i = n - 2; i >= 0; --i) {
      const double ci = cp[i];
      for (int q = 0; q < nr; ++q) carry[q] = x[q * n + i] -= ci * carry[q];
    }
    for (int q = 0; q < nr; ++q) {
      double* __restrict line = x + q * n;
      const double f = (line[0] + vfac * line[n - 1]) / denom;
#pragma omp simd
      for (int i = 0; i < n; ++i) line[i] -= f * zc[i];
    }
  }
}

void ImplicitDiffusion::y_plane(double* p, double* __restrict f) const {
  const Cyclic& c = cy_;
  const int n = c.n, nx = g_.nx;
  const double a = c.a, vfac = c.vfac, denom = c.denom;
  const double* __restrict inv = c.inv.data();
  const double* __restrict cp = c.cp.data();
  const double* __restrict zc = c.zc.data();
  const double i0 = inv[0];
#pragma omp simd
  for (int i = 0; i < nx; ++i) p[i] *= i0;
  for (int j = 1; j < n; ++j) {
    double* __restrict row = p + std::size_t(j) * nx;
    const double* __restrict prev = row - nx;
    const double ij = inv[j];
#pragma omp simd
    for (int i = 0; i < nx; ++i) row[i] = (row[i] + a * prev[i]) * ij;
  }
  for (int j = n - 2; j >= 0; --j) {
    double* __restrict row = p + std::size_t(j) * nx;
    const double* __restrict next = row + nx;
    const double cj = cp[j];
#pragma omp simd
    for (int i = 0; i < nx; ++i) row[i] -= cj * next[i];
  }
  const double* __restrict last = p + std::size_t(n - 1) * nx;
#pragma omp simd
  for (int i = 0; i < nx; ++i) f[i] = (p[i] + vfac * last[i]) / denom;
  for (int j = 0; j < n; ++j) {
    double* __restrict row = p + std::size_t(j) * nx;
    const double zj = zc[j];
#pragma omp simd
    for (int i = 0; i < nx; ++i) row[i] -= f[i] * zj;
  }
}

void ImplicitDiffusion::sweep_z(double* u) const {
  // All lines of a block of columns advance together, level by level, so the inner loop runs
  // over contiguous memory. Blocks are fixed, so the result does not depend on the thread count.
  const std::size_t plane = g_.plane();
  constexpr std::size_t kBlock = 256;  // 256 columns x nz levels stay in a core's L2
  const std::size_t blocks = (plane + kBlock - 1) / kBlock;
  const int m = k1_ - k0_;
#pragma omp parallel for schedule(static)
  for (std::size_t blk = 0; blk < blocks; ++blk) {
    const std::size_t b = blk * kBlock, e = std::min(plane, b + kBlock);
    double* base = u + std::size_t(k0_) * plane;
    const double i0 = zinv_[0];
#pragma omp simd
    for (std::size_t i = b; i < e; ++i) base[i] *= i0;
    for (int r = 1; r < m; ++r) {
      double* __restrict cur = base + r * plane;
      const double* __restrict prev = cur - plane;
      const double l = zl_[r], inv = zinv_[r];
#pragma omp simd
      for (std::size_t i = b; i < e; ++i) cur[i] = (cur[i] - l * prev[i]) * inv;
    }
    for (int r = m - 2; r >= 0; --r) {
      double* __restrict cur = base + r * plane;
      const double* __restrict next = cur + plane;
      const double cp = zcp_[r];
#pragma omp simd
      for (std::size_t i = b; i < e; ++i) cur[i] -= cp * next[i];
    }
  }
}

}  // namespace mnsim
