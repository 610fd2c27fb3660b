#pragma once
#include <cstddef>
#include <vector>

namespace mnsim {

// Thomas factors of one tridiagonal matrix with diagonal d_i, sub-diagonal l_i and
// super-diagonal s_i: inv_i = 1 / (d_i - l_i cp_{i-1}), cp_i = s_i inv_i. Elimination is then
// u_i = (u_i - l_i u_{i-1}) inv_i, back-substitution u_i -= cp_i u_{i+1}.
struct Thomas {
  std::vector<double> lower, inv, cp;
  int n() const { return static_cast<int>(inv.size()); }
  // Factors the matrix with the given diagonals (lower[0] and upper[n-1] are not used).
  static Thomas factor(const std::vector<double>& lower, const std::vector<double>& diag, const std::vector<double>& upper);
  // The same into this object's storage, which allocates nothing once it has the size.
  void refactor(const std::vector<double>& lower, const std::vector<double>& diag, const std::vector<double>& upper);
};

// The periodic (cyclic) part of a constant-coefficient system solved by Sherman-Morrison: the
// solution is y - f zc, with y the Thomas solution of the modified matrix, zc that of its
// correction vector and f = (y_0 + vfac y_{n-1}) / denom. Both y_0 and the correction are
// available before the back-substitution, so it writes the solution in the same pass:
// y_0 = sum_i weight_i d_i, with d the eliminated right-hand side (weight_0 = 1,
// weight_i = -cp_{i-1} weight_{i-1}), summed during the elimination, and the solution is the
// back-substitution of d - f zf, with zf the eliminated correction vector (zc = its
// back-substitution).
struct Periodic {
  std::vector<double> zf, weight;
  double vfac = 0, denom = 1;
  // weight from the factors m; weights that would be subnormal are 0 (their terms lie far below
  // the sum's rounding, and subnormal products are slow on some CPUs).
  void set_weights(const Thomas& m);
};

// Kernels for many independent systems with the same matrix, the unknowns of one system
// ("lane") `stride` apart and the lanes side by side, so every operation runs across lanes in
// vector registers. Each lane sees the same operations in the same order as a lone scalar solve.

// How solve_lanes runs: in blocks of up to 64 lanes with their running values in registers (fast
// with AVX-512's 32 wide registers) or row by row across the lanes. Both give the same results;
// the best for the instruction set the kernels run with is the default, and the tests run both on
// any CPU.
enum class LaneSolve { blocks, rows };
LaneSolve best_lane_solve();

// `lanes` systems, element i of lane l at base[i * stride + l] (y lines of a plane, z columns).
void solve_lanes(double* base, std::size_t stride, int lanes, const Thomas& m, const Periodic* per,
                 LaneSolve how = best_lane_solve());
// Every column of the planes at base (plane values each, m.n() of them), as solve_lanes without
// the periodic part, with the rows ahead prefetched (they lie a plane apart), in fixed blocks of
// columns spread over the threads, so the result does not depend on the thread count.
void solve_all_columns(double* base, std::size_t plane, const Thomas& m);

// How solve_rows transposes its blocks of lines: through 8 x 8 register tiles (fast with AVX-512),
// 4 x 4 tiles (AVX2) or element by element. Every way gives the same results; the best for the
// instruction set the kernels run with is the default, and the tests run them all on any CPU.
enum class RowTiles { eight, four, none };
RowTiles best_row_tiles();

// `rows` contiguous lines of length m.n() (x lines): blocks of lines are transposed into `buf`
// (kRowBlock * m.n() values), solved across lanes and transposed back.
void solve_rows(double* first, int rows, const Thomas& m, const Periodic* per, double* buf,
                RowTiles tiles = best_row_tiles());
constexpr int kRowBlock = 16;

}  // namespace mnsim
