#pragma once
// Helpers for convergence studies: norms of an error field and the fitted observed order.
#include <cmath>
#include <cstddef>
#include <vector>

namespace mnsim::test {

// Least-squares slope of log(err) against log(h): the observed order of convergence. Using every
// level (not just the last pair) keeps one lucky or unlucky grid from deciding the result.
inline double fitted_order(const std::vector<double>& h, const std::vector<double>& err) {
  const std::size_t n = h.size();
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = std::log(h[i]), y = std::log(err[i]);
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

// Discrete norms over equal cells, normalised by the cell count so they approximate the
// continuous L1 / L2 norms divided by the domain measure (comparable across grids).
inline double norm_l1(const std::vector<double>& e) {
  double s = 0;
  for (double v : e) s += std::fabs(v);
  return s / static_cast<double>(e.size());
}
inline double norm_l2(const std::vector<double>& e) {
  double s = 0;
  for (double v : e) s += v * v;
  return std::sqrt(s / static_cast<double>(e.size()));
}

}  // namespace mnsim::test
