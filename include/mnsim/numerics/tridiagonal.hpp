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

// The periodic (cyclic) part of a constant-coefficient system solved by Sherman-Morrison: after
// the Thomas solve of the modified matrix, u_i -= f zc_i with f = (u_0 + vfac u_{n-1}) / denom.
struct Periodic {
  std::vector<double> zc;
  double vfac = 0, denom = 1;
};

// Kernels for many independent systems with the same matrix, the unknowns of one system
// ("lane") `stride` apart and the lanes side by side, so every operation runs across lanes in
// vector registers. Each lane sees the same operations in the same order as a lone scalar solve.

// `lanes` systems, element i of lane l at base[i * stride + l] (y lines of a plane, z columns).
// `f` is scratch for `lanes` values, used only when `per` is given.
void solve_lanes(double* base, std::size_t stride, int lanes, const Thomas& m, const Periodic* per, double* f);
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
