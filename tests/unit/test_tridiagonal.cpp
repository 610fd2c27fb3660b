#include <omp.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "mnsim/numerics/tridiagonal.hpp"

using namespace mnsim;

namespace {
// A diagonally dominant matrix with varying coefficients, as the layered z sweep has.
Thomas random_matrix(int n, std::mt19937_64& rng, std::vector<double>& lower, std::vector<double>& diag,
                     std::vector<double>& upper) {
  std::uniform_real_distribution<double> u(0.1, 2.0);
  lower.assign(n, 0.0);
  diag.assign(n, 0.0);
  upper.assign(n, 0.0);
  for (int i = 0; i < n; ++i) {
    if (i > 0) lower[i] = -u(rng);
    if (i + 1 < n) upper[i] = -u(rng);
    diag[i] = 1 + std::fabs(lower[i]) + std::fabs(upper[i]);
  }
  return Thomas::factor(lower, diag, upper);
}

// A periodic part for the factors m: a correction vector uniform in [0, 1) and fixed ends.
Periodic random_periodic(const Thomas& m, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Periodic per;
  per.zf.resize(m.n());
  for (double& z : per.zf) z = u(rng);
  per.set_weights(m);
  per.vfac = 0.3;
  per.denom = 1.7;
  return per;
}

// Right-hand sides for `lanes` systems of n unknowns, uniform in [0, 1).
std::vector<double> random_rhs(int n, int lanes, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> rhs(std::size_t(n) * lanes);
  for (double& r : rhs) r = u(rng);
  return rhs;
}
}  // namespace

TEST_CASE("The lane solver solves every tridiagonal system to round-off", "[unit]") {
  std::mt19937_64 rng(7);
  for (int n : {1, 2, 3, 17, 64}) {
    std::vector<double> lower, diag, upper;
    const Thomas m = random_matrix(n, rng, lower, diag, upper);
    const int lanes = 13;
    const std::vector<double> rhs = random_rhs(n, lanes, rng);
    std::vector<double> x = rhs;
    solve_lanes(x.data(), lanes, lanes, m, nullptr);
    for (int l = 0; l < lanes; ++l)
      for (int i = 0; i < n; ++i) {
        double ax = diag[i] * x[i * lanes + l];
        if (i > 0) ax += lower[i] * x[(i - 1) * lanes + l];
        if (i + 1 < n) ax += upper[i] * x[(i + 1) * lanes + l];
        INFO("n = " << n << ", lane " << l << ", row " << i);
        CHECK(ax == Approx(rhs[i * lanes + l]).margin(1e-13));
      }
  }
}

TEST_CASE("The column solver gives the lane solver's bits over several blocks with any thread count", "[unit]") {
  // 600 columns: two whole blocks of 256 and a partial one, so blocks are interleaved (the
  // elimination of one with the back-substitution of the one before) and split over threads.
  std::mt19937_64 rng(11);
  const int threads = omp_get_max_threads(), plane = 600;
  for (int n : {1, 2, 17}) {
    std::vector<double> lower, diag, upper;
    const Thomas m = random_matrix(n, rng, lower, diag, upper);
    const std::vector<double> rhs = random_rhs(n, plane, rng);
    std::vector<double> lanes = rhs;
    solve_lanes(lanes.data(), plane, plane, m, nullptr);
    for (int t : {1, 2, 3}) {
      omp_set_num_threads(t);
      std::vector<double> columns = rhs;
      solve_all_columns(columns.data(), plane, m);
      INFO("n = " << n << ", " << t << " threads");
      CHECK(columns == lanes);
    }
  }
  omp_set_num_threads(threads);
}

TEST_CASE("The lane solver gives the same bits in blocks of lanes as row by row, with and without a periodic part", "[unit]") {
  std::mt19937_64 rng(5);
  // Lane counts through every block width (64, 32, 16, 8 and single lanes) and past the row
  // solver's chunk of 256 lanes.
  for (int n : {1, 3, 17, 64})
    for (int lanes : {1, 7, 8, 100, 300})
      for (bool periodic : {false, true}) {
        std::vector<double> lower, diag, upper;
        const Thomas m = random_matrix(n, rng, lower, diag, upper);
        const Periodic per = random_periodic(m, rng);
        const std::vector<double> rhs = random_rhs(n, lanes, rng);
        std::vector<double> blocks = rhs, rows = rhs;
        solve_lanes(blocks.data(), lanes, lanes, m, periodic ? &per : nullptr, LaneSolve::blocks);
        solve_lanes(rows.data(), lanes, lanes, m, periodic ? &per : nullptr, LaneSolve::rows);
        INFO("n = " << n << ", " << lanes << " lanes, periodic = " << periodic);
        CHECK(blocks == rows);
        if (n > 1) CHECK(blocks != rhs);  // (n = 1 without a periodic part is the identity)
      }
}

TEST_CASE("Contiguous lines solved through transposed blocks equal the lane solver bitwise, every way", "[unit]") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  // Lengths and line counts on and off the 4- and 8-wide tiles and the 16-line blocks.
  for (int n : {3, 4, 8, 13, 40})
    for (int rows : {1, 5, 16, 35})
      for (bool periodic : {false, true}) {
        std::vector<double> lower, diag, upper;
        const Thomas m = random_matrix(n, rng, lower, diag, upper);
        const Periodic per = random_periodic(m, rng);
        std::vector<double> lines(std::size_t(n) * rows), lanes(lines.size());
        for (int q = 0; q < rows; ++q)
          for (int i = 0; i < n; ++i) lanes[i * rows + q] = lines[q * n + i] = u(rng);
        solve_lanes(lanes.data(), rows, rows, m, periodic ? &per : nullptr);
        for (RowTiles tiles : {RowTiles::eight, RowTiles::four, RowTiles::none}) {
          std::vector<double> solved = lines, buf(std::size_t(kRowBlock) * n);
          solve_rows(solved.data(), rows, m, periodic ? &per : nullptr, buf.data(), tiles);
          long differ = 0;
          for (int q = 0; q < rows; ++q)
            for (int i = 0; i < n; ++i) differ += solved[q * n + i] != lanes[i * rows + q];
          INFO("n = " << n << ", rows = " << rows << ", periodic = " << periodic << ", tiles " << int(tiles));
          CHECK(differ == 0);
        }
      }
}
