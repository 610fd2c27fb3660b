#include "mnsim/numerics/chemotaxis.hpp"

#include <algorithm>
#include <cmath>

namespace mnsim {

namespace {

inline double minmod(double a, double b) {
  if (a * b <= 0) return 0.0;
  return a > 0 ? std::min(a, b) : std::max(a, b);
}

// Upwind, minmod-limited value at the face between cells a (behind) and b (ahead) along one axis.
inline double face_value(double v, double uaa, double ua, double ub, double ubb) {
  return v > 0 ? ua + 0.5 * minmod(ua - uaa, ub - ua) : ub - 0.5 * minmod(ub - ua, ubb - ub);
}

inline int wrap(int i, int n) { return i < 0 ? i + n : (i >= n ? i - n : i); }

}  // namespace

Chemotaxis::Chemotaxis(const Grid& g, double chi, double K, int k0, int k1)
    : g_(g), chi_(chi), K_(K), k0_(k0), k1_(k1), vx_(g.size(), 0.0), vy_(g.size(), 0.0), vz_(g.size(), 0.0),
      scratch_(g.size(), 0.0) {}

void Chemotaxis::face_velocities(const double* c) {
  const Grid& g = g_;
  const double s = chi_ / g.dx;
  auto vel = [&](double ca, double cb) {
    const double damp = 1 + 0.5 * (ca + cb) / K_;
    return s * (cb - ca) / (damp * damp);
  };
#pragma omp parallel for schedule(static)
  for (int k = k0_; k < k1_; ++k) {
    for (int j = 0; j < g.ny; ++j) {
      for (int i = 0; i < g.nx; ++i) {
        const std::size_t id = g.idx(i, j, k);
        vx_[id] = g.nx >= 3 ? vel(c[id], c[g.idx(wrap(i + 1, g.nx), j, k)]) : 0.0;
        vy_[id] = g.ny >= 3 ? vel(c[id], c[g.idx(i, wrap(j + 1, g.ny), k)]) : 0.0;
        vz_[id] = k + 1 < k1_ ? vel(c[id], c[g.idx(i, j, k + 1)]) : 0.0;
      }
    }
  }
  double max_rate = 0;
#pragma omp parallel for schedule(static) reduction(max : max_rate)
  for (int k = k0_; k < k1_; ++k) {
    for (int j = 0; j < g.ny; ++j) {
      for (int i = 0; i < g.nx; ++i) {
        const std::size_t id = g.idx(i, j, k);
        double out = std::max(vx_[id], 0.0) + std::max(vy_[id], 0.0) + std::max(vz_[id], 0.0);
        if (g.nx >= 3) out += std::max(-vx_[g.idx(wrap(i - 1, g.nx), j, k)], 0.0);
        if (g.ny >= 3) out += std::max(-vy_[g.idx(i, wrap(j - 1, g.ny), k)], 0.0);
        if (k > k0_) out += std::max(-vz_[g.idx(i, j, k - 1)], 0.0);
        max_rate = std::max(max_rate, out / g.dx);
      }
    }
  }
  max_out_rate_ = max_rate;
}

void Chemotaxis::substep(const double* u, double* out, double dt) const {
  const Grid& g = g_;
  const double r = dt / g.dx;
  // Flux through the face on the + side of cell (i, j, k) along each axis.
  auto flux_x = [&](int i, int j, int k) {
    const std::size_t id = g.idx(i, j, k);
    const double v = vx_[id];
    if (v == 0) return 0.0;
    const double uaa = u[g.idx(wrap(i - 1, g.nx), j, k)], ua = u[id];
    const double ub = u[g.idx(wrap(i + 1, g.nx), j, k)], ubb = u[g.idx(wrap(i + 2, g.nx), j, k)];
    return v * face_value(v, uaa, ua, ub, ubb);
  };
  auto flux_y = [&](int i, int j, int k) {
    const std::size_t id = g.idx(i, j, k);
    const double v = vy_[id];
    if (v == 0) return 0.0;
    const double uaa = u[g.idx(i, wrap(j - 1, g.ny), k)], ua = u[id];
    const double ub = u[g.idx(i, wrap(j + 1, g.ny), k)], ubb = u[g.idx(i, wrap(j + 2, g.ny), k)];
    return v * face_value(v, uaa, ua, ub, ubb);
  };
  auto flux_z = [&](int i, int j, int k) {
    const std::size_t id = g.idx(i, j, k);
    const double v = vz_[id];
    if (v == 0) return 0.0;
    const double ua = u[id], ub = u[g.idx(i, j, k + 1)];
    // Beyond the ends of the active range the reconstruction has no slope (no-flux wall).
    const double uaa = k - 1 >= k0_ ? u[g.idx(i, j, k - 1)] : ua;
    const double ubb = k + 2 < k1_ ? u[g.idx(i, j, k + 2)] : ub;
    return v * face_value(v, uaa, ua, ub, ubb);
  };
#pragma omp parallel for schedule(static)
  for (int k = k0_; k < k1_; ++k) {
    for (int j = 0; j < g.ny; ++j) {
      for (int i = 0; i < g.nx; ++i) {
        double div = 0;
        if (g.nx >= 3) div += flux_x(i, j, k) - flux_x(wrap(i - 1, g.nx), j, k);
        if (g.ny >= 3) div += flux_y(i, j, k) - flux_y(i, wrap(j - 1, g.ny), k);
        div += flux_z(i, j, k) - (k > k0_ ? flux_z(i, j, k - 1) : 0.0);
        const std::size_t id = g.idx(i, j, k);
        out[id] = u[id] - r * div;
      }
    }
  }
}

int Chemotaxis::step(double* u, const double* c, double dt) {
  if (chi_ == 0 || k1_ <= k0_) return 0;
  face_velocities(c);
  if (max_out_rate_ == 0) return 0;
  const int n = std::max(1, static_cast<int>(std::ceil(dt * max_out_rate_ / 0.5)));
  const double h = dt / n;
  const std::size_t b = std::size_t(k0_) * g_.plane(), e = std::size_t(k1_) * g_.plane();
  for (int s = 0; s < n; ++s) {
    substep(u, scratch_.data(), h);
    std::copy(scratch_.begin() + b, scratch_.begin() + e, u + b);
  }
  return n;
}

}  // namespace mnsim
