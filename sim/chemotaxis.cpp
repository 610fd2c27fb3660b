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
    : g_(g), chi_(chi), K_(K), k0_(k0), k1_(k1), scratch_(g.size(), 0.0) {}

namespace {
// Velocity at the face from a cell with attractant ca to its neighbour with cb (positive: towards b).
struct FaceVelocity {
  double s, half_inv_K;
  double operator()(double ca, double cb) const {
    const double damp = 1 + (ca + cb) * half_inv_K;
    return s * (cb - ca) / (damp * damp);
  }
};
}  // namespace

double Chemotaxis::max_out_rate(const double* c) const {
  const Grid& g = g_;
  const FaceVelocity vel{chi_ / g.dx, 0.5 / K_};
  double max_rate = 0;
#pragma omp parallel for schedule(static) reduction(max : max_rate)
  for (int k = k0_; k < k1_; ++k) {
    for (int j = 0; j < g.ny; ++j) {
      for (int i = 0; i < g.nx; ++i) {
        const double ci = c[g.idx(i, j, k)];
        double out = 0;
        // Outflow through each face: the velocity pointing away from this cell.
        if (g.nx >= 3) {
          out += std::max(vel(ci, c[g.idx(wrap(i + 1, g.nx), j, k)]), 0.0);
          out += std::max(vel(ci, c[g.idx(wrap(i - 1, g.nx), j, k)]), 0.0);
        }
        if (g.ny >= 3) {
          out += std::max(vel(ci, c[g.idx(i, wrap(j + 1, g.ny), k)]), 0.0);
          out += std::max(vel(ci, c[g.idx(i, wrap(j - 1, g.ny), k)]), 0.0);
        }
        if (k + 1 < k1_) out += std::max(vel(ci, c[g.idx(i, j, k + 1)]), 0.0);
        if (k > k0_) out += std::max(vel(ci, c[g.idx(i, j, k - 1)]), 0.0);
        max_rate = std::max(max_rate, out / g.dx);
      }
    }
  }
  return max_rate;
}

void Chemotaxis::substep(const double* u, const double* c, double* out, double dt) const {
  const Grid& g = g_;
  const int nx = g.nx, ny = g.ny;
  const double r = dt / g.dx;
  const FaceVelocity vel{chi_ / g.dx, 0.5 / K_};
  // Flux through the face between cells a and b (b ahead), with the cells behind a and beyond b.
  auto flux = [&](std::size_t aa, std::size_t a, std::size_t b, std::size_t bb) {
    const double v = vel(c[a], c[b]);
    return v == 0 ? 0.0 : v * face_value(v, u[aa], u[a], u[b], u[bb]);
  };
  auto flux_z = [&](int i, int j, int k) {  // through the face below (i, j, k)
    if (k < k0_ || k + 1 >= k1_) return 0.0;  // no-flux walls at the ends of the active range
    const std::size_t a = g.idx(i, j, k), b = g.idx(i, j, k + 1);
    // Beyond the ends of the active range the reconstruction has no slope.
    return flux(k - 1 >= k0_ ? g.idx(i, j, k - 1) : a, a, b, k + 2 < k1_ ? g.idx(i, j, k + 2) : b);
  };
  // Each x and y face flux is computed once per substep, a row at a time.
#pragma omp parallel
  {
    std::vector<double> fx(nx), fy_prev(nx), fy(nx);
#pragma omp for schedule(static)
    for (int k = k0_; k < k1_; ++k) {
      auto y_row = [&](int j, std::vector<double>& f) {  // fluxes through the faces above row j
        for (int i = 0; i < nx; ++i)
          f[i] = flux(g.idx(i, wrap(j - 1, ny), k), g.idx(i, j, k), g.idx(i, wrap(j + 1, ny), k),
                      g.idx(i, wrap(j + 2, ny), k));
      };
      if (ny >= 3) y_row(ny - 1, fy_prev);
      for (int j = 0; j < ny; ++j) {
        if (nx >= 3)
          for (int i = 0; i < nx; ++i)
            fx[i] = flux(g.idx(wrap(i - 1, nx), j, k), g.idx(i, j, k), g.idx(wrap(i + 1, nx), j, k),
                         g.idx(wrap(i + 2, nx), j, k));
        if (ny >= 3) y_row(j, fy);
        for (int i = 0; i < nx; ++i) {
          double div = flux_z(i, j, k) - flux_z(i, j, k - 1);
          if (nx >= 3) div += fx[i] - fx[i == 0 ? nx - 1 : i - 1];
          if (ny >= 3) div += fy[i] - fy_prev[i];
          const std::size_t id = g.idx(i, j, k);
          out[id] = u[id] - r * div;
        }
        if (ny >= 3) std::swap(fy, fy_prev);
      }
    }
  }
}

int Chemotaxis::step(double* u, const double* c, double dt) {
  if (chi_ == 0 || k1_ <= k0_) return 0;
  const double rate = max_out_rate(c);
  if (rate == 0) return 0;
  const int n = std::max(1, static_cast<int>(std::ceil(dt * rate / 0.5)));
  const double h = dt / n;
  const std::size_t b = std::size_t(k0_) * g_.plane(), e = std::size_t(k1_) * g_.plane();
  // Substeps alternate between u and the scratch array; an odd count ends with one copy back.
  double* src = u;
  double* dst = scratch_.data();
  for (int s = 0; s < n; ++s) {
    substep(src, c, dst, h);
    std::swap(src, dst);
  }
  if (src != u) std::copy(src + b, src + e, u + b);
  return n;
}

}  // namespace mnsim
