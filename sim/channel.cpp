#include "mnsim/protocol/channel.hpp"

#include <algorithm>
#include <cmath>

#include "mnsim/core/errors.hpp"

namespace mnsim {

namespace {
std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
inline double ramp(double s) { return std::clamp(0.5 + 0.5 * s, 0.0, 1.0); }
constexpr double kPi = 3.14159265358979323846;
}  // namespace

std::uint64_t counter_hash(std::uint64_t seed, std::uint64_t session, std::uint64_t needle, std::uint64_t stream) {
  return splitmix(seed ^ splitmix(session ^ splitmix(needle ^ splitmix(stream))));
}

double counter_uniform(std::uint64_t seed, std::uint64_t session, std::uint64_t needle, std::uint64_t stream) {
  return (counter_hash(seed, session, needle, stream) >> 11) * 0x1.0p-53;
}

double Needle::radius(double z) const {
  const double t = depth > 0 ? std::clamp(z / depth, 0.0, 1.0) : 0.0;
  return r_surface + (r_tip - r_surface) * t;
}

double Needle::indicator(double rho, double z) const {
  const double w = smoothing;
  const double R = radius(z);
  const double Reff = std::sqrt(std::max(R * R - w * w / 3, 0.0));
  return ramp((Reff - rho) / w) * ramp((depth - z) / w);
}

double Needle::area(double z) const {
  const double w = smoothing;
  const double R = radius(z);
  const double Reff = std::sqrt(std::max(R * R - w * w / 3, 0.0));
  double a;
  if (Reff >= w) {
    a = kPi * (Reff * Reff + w * w / 3);
  } else {
    // The ramp is cut at rho = 0: the integral of 2 pi rho s(rho) over [0, Reff + w].
    const double top = Reff + w;
    a = kPi * top * top * top / (6 * w);
  }
  return a * ramp((depth - z) / w);
}

double Needle::volume() const {
  // Midpoint rule over depth with a step far below the smoothing width.
  const double top = depth + smoothing;
  const int n = 4000;
  const double h = top / n;
  double v = 0;
  for (int i = 0; i < n; ++i) v += area((i + 0.5) * h) * h;
  return v;
}

Patch patch_of(const Grid& g) {
  if (g.nx > 1 && g.ny > 1) return {g.lx(), g.ly()};
  if (g.nx > 1) return {g.lx(), g.lx()};
  return {0, 0};
}

std::vector<double> channel_indicator(const Grid& g, const Needle& needle, const std::vector<Puncture>& punctures,
                                      double density) {
  std::vector<double> chi(g.size(), 0.0);
  const double w = needle.smoothing;
  // Sub-samples per cell and axis so the sampling step is at most half the smoothing width:
  // the cell average then converges under refinement however coarse the grid.
  const int ns = std::clamp(static_cast<int>(std::ceil(2 * g.dx / w)), 1, 16);
  const double hs = g.dx / ns;
  const int kmax = std::min(g.nz, static_cast<int>(std::ceil((needle.depth + w) / g.dx)) + 1);

  if (g.nx == 1) {
#pragma omp parallel for schedule(static)
    for (int k = 0; k < kmax; ++k) {
      double a = 0;
      for (int s = 0; s < ns; ++s) a += needle.area(k * g.dx + (s + 0.5) * hs);
      chi[g.idx(0, 0, k)] = std::min(1.0, density * a / ns);
    }
    return chi;
  }

  const Patch patch = patch_of(g);
  const double reach = needle.r_surface + w;  // widest lateral extent of a channel
  const int span = static_cast<int>(std::ceil(reach / g.dx)) + 1;
  const bool section = g.ny == 1;
  const int ny_samples = 64;  // samples of the y-average across one channel in a 2D section
  for (const Puncture& p : punctures) {
    const int ic = static_cast<int>(std::floor(p.x / g.dx));
    const int jc = static_cast<int>(std::floor(p.y / g.dx));
    const int jlo = section ? 0 : jc - span, jhi = section ? 0 : jc + span;
#pragma omp parallel for schedule(static)
    for (int k = 0; k < kmax; ++k) {
      for (int jj = jlo; jj <= jhi; ++jj) {
        const int j = section ? 0 : ((jj % g.ny) + g.ny) % g.ny;
        for (int ii = ic - span; ii <= ic + span; ++ii) {
          const int i = ((ii % g.nx) + g.nx) % g.nx;
          double sum = 0;
          for (int sz = 0; sz < ns; ++sz) {
            const double z = k * g.dx + (sz + 0.5) * hs;
            for (int sx = 0; sx < ns; ++sx) {
              // Position relative to the puncture on the periodic patch (unwrapped cell index).
              const double dxp = ii * g.dx + (sx + 0.5) * hs - p.x;
              if (section) {
                const double hy = 2 * reach / ny_samples;
                double line = 0;
                for (int sy = 0; sy < ny_samples; ++sy) {
                  const double dy = -reach + (sy + 0.5) * hy;
                  line += needle.indicator(std::hypot(dxp, dy), z) * hy;
                }
                sum += line / patch.ly;
              } else {
                for (int sy = 0; sy < ns; ++sy) {
                  const double dy = jj * g.dx + (sy + 0.5) * hs - p.y;
                  sum += needle.indicator(std::hypot(dxp, dy), z);
                }
              }
            }
          }
          const double avg = sum / (section ? ns * ns : ns * ns * ns);
          if (avg > 0) {
            double& c = chi[g.idx(i, j, k)];
            c = std::min(1.0, c + avg);
          }
        }
      }
    }
  }
  return chi;
}

}  // namespace mnsim
