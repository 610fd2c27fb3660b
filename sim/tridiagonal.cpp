#include "mnsim/numerics/tridiagonal.hpp"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "mnsim/core/kernel.hpp"

namespace mnsim {

namespace {

// Elimination and back-substitution of `lanes` systems, each lane a whole vector loop, one row
// of lanes at a time. With `ahead` > 0 the unknowns `ahead` rows on are prefetched during the
// elimination: z columns, whose rows lie a plane apart in memory, each too short for the hardware
// prefetcher to catch up with (about 10 % faster in a microbenchmark).
template <int ahead>
MNSIM_INLINE void eliminate_row(double* base, std::size_t stride, int lanes, const Thomas& m, int i) {
  double* __restrict cur = base + i * stride;
  if (ahead > 0 && i + ahead < m.n())
    for (int l = 0; l < lanes; l += 8) __builtin_prefetch(cur + ahead * stride + l, 1);
  const double ii = m.inv[i];
  if (i == 0) {
#pragma omp simd
    for (int l = 0; l < lanes; ++l) cur[l] *= ii;
    return;
  }
  const double* __restrict prev = cur - stride;
  const double lo = m.lower[i];
#pragma omp simd
  for (int l = 0; l < lanes; ++l) cur[l] = (cur[l] - lo * prev[l]) * ii;
}

MNSIM_INLINE void substitute_row(double* base, std::size_t stride, int lanes, const Thomas& m, int i) {
  double* __restrict cur = base + i * stride;
  const double* __restrict next = cur + stride;
  const double c = m.cp[i];
#pragma omp simd
  for (int l = 0; l < lanes; ++l) cur[l] -= c * next[l];
}

MNSIM_INLINE void thomas_lanes(double* base, std::size_t stride, int lanes, const Thomas& m) {
  const int n = m.n();
  for (int i = 0; i < n; ++i) eliminate_row<0>(base, stride, lanes, m, i);
  for (int i = n - 2; i >= 0; --i) substitute_row(base, stride, lanes, m, i);
}

// The same for a block of W lanes side by side (buf of the x lines), stepping values V of one or
// more lanes (double or V8): the running value of each lane stays in a register instead of being
// reloaded from the value just stored, which would put a store-to-load forwarding delay in every
// link of the chain. (With V = double the AVX-512 build keeps the W chains scalar.)
template <int W, class V>
MNSIM_INLINE void forward_block(double* __restrict base, const Thomas& m) {
  constexpr int L = sizeof(V) / sizeof(double), T = W / L;
  static_assert(W % L == 0, "whole vectors of lanes");
  const int n = m.n();
  const double* __restrict lower = m.lower.data();
  const double* __restrict inv = m.inv.data();
  V carry[T];
  for (int t = 0; t < T; ++t) {
    std::memcpy(&carry[t], base + L * t, sizeof(V));
    carry[t] *= inv[0];
    std::memcpy(base + L * t, &carry[t], sizeof(V));
  }
  for (int i = 1; i < n; ++i) {
    double* __restrict cur = base + i * W;
    const double lo = lower[i], ii = inv[i];
    for (int t = 0; t < T; ++t) {
      V v;
      std::memcpy(&v, cur + L * t, sizeof(V));
      carry[t] = (v - lo * carry[t]) * ii;
      std::memcpy(cur + L * t, &carry[t], sizeof(V));
    }
  }
}

template <int W, class V>
MNSIM_INLINE void backward_block(double* __restrict base, const Thomas& m) {
  constexpr int L = sizeof(V) / sizeof(double), T = W / L;
  static_assert(W % L == 0, "whole vectors of lanes");
  const double* __restrict cp = m.cp.data();
  const int n = m.n();
  V carry[T];
  for (int t = 0; t < T; ++t) std::memcpy(&carry[t], base + (n - 1) * W + L * t, sizeof(V));
  for (int i = n - 2; i >= 0; --i) {
    double* __restrict cur = base + i * W;
    const double c = cp[i];
    for (int t = 0; t < T; ++t) {
      V v;
      std::memcpy(&v, cur + L * t, sizeof(V));
      carry[t] = v - c * carry[t];
      std::memcpy(cur + L * t, &carry[t], sizeof(V));
    }
  }
}

// The Sherman-Morrison factor of each lane.
template <class Lanes>
MNSIM_INLINE void periodic_factor(const double* base, std::size_t stride, Lanes lanes, int n, const Periodic& p,
                                  double* __restrict f) {
  const double* __restrict last = base + std::size_t(n - 1) * stride;
#pragma omp simd
  for (int l = 0; l < int(lanes); ++l) f[l] = (base[l] + p.vfac * last[l]) / p.denom;
}

// Square tiles of doubles transposed in registers, L x L in L values of L lanes: 8 x 8 where the
// kernels have AVX-512 (three rounds of two-input shuffles, each a single instruction), 4 x 4
// where they have AVX2 (two rounds). Element-wise copies would go through memory and stall on
// store forwarding.
template <int L>
struct Tile;

template <>
struct Tile<8> {
  using V = V8;
  static MNSIM_INLINE void transpose(V8 r[8]) {
    V8 t[8], u[8];
    for (int p = 0; p < 8; p += 2) {
      t[p] = __builtin_shuffle(r[p], r[p + 1], M8{0, 8, 2, 10, 4, 12, 6, 14});
      t[p + 1] = __builtin_shuffle(r[p], r[p + 1], M8{1, 9, 3, 11, 5, 13, 7, 15});
    }
    for (int p : {0, 1, 4, 5}) {
      u[p] = __builtin_shuffle(t[p], t[p + 2], M8{0, 1, 8, 9, 4, 5, 12, 13});
      u[p + 2] = __builtin_shuffle(t[p], t[p + 2], M8{2, 3, 10, 11, 6, 7, 14, 15});
    }
    for (int p = 0; p < 4; ++p) {
      r[p] = __builtin_shuffle(u[p], u[p + 4], M8{0, 1, 2, 3, 8, 9, 10, 11});
      r[p + 4] = __builtin_shuffle(u[p], u[p + 4], M8{4, 5, 6, 7, 12, 13, 14, 15});
    }
  }
};

template <>
struct Tile<4> {
  using V = V4;
  static MNSIM_INLINE void transpose(V4 r[4]) {
    V4 t[4];
    for (int p = 0; p < 4; p += 2) {
      t[p] = __builtin_shuffle(r[p], r[p + 1], M4{0, 4, 2, 6});
      t[p + 1] = __builtin_shuffle(r[p], r[p + 1], M4{1, 5, 3, 7});
    }
    for (int p = 0; p < 2; ++p) {
      r[p] = __builtin_shuffle(t[p], t[p + 2], M4{0, 1, 4, 5});
      r[p + 2] = __builtin_shuffle(t[p], t[p + 2], M4{2, 3, 6, 7});
    }
  }
};

constexpr int kTile = 8;  // the tile of the fused elimination (forward_rows)

// Copies the L x L tile at src (rows `sstride` apart) to dst (rows `dstride` apart), transposed;
// with zc, output row q becomes row q - f_q zc (the periodic correction of an x line). The loops
// are unrolled so that the tile stays in registers: rolled, GCC kept AVX2's tiles on the stack and
// the x sweep took twice as long.
template <int L>
MNSIM_INLINE void copy_tile_transposed(const double* src, std::size_t sstride, double* dst, std::size_t dstride,
                                      const double* f = nullptr, const double* zc = nullptr) {
  using V = typename Tile<L>::V;
  V r[L];
#pragma GCC unroll 8
  for (int q = 0; q < L; ++q) std::memcpy(&r[q], src + q * sstride, sizeof(V));
  Tile<L>::transpose(r);
  if (zc) {
    V z;
    std::memcpy(&z, zc, sizeof(V));
#pragma GCC unroll 8
    for (int q = 0; q < L; ++q) r[q] -= f[q] * z;
  }
#pragma GCC unroll 8
  for (int q = 0; q < L; ++q) std::memcpy(dst + q * dstride, &r[q], sizeof(V));
}

// Elimination of kRowBlock whole lines straight from their rows (n a multiple of 8): each 8 x 8
// tile is transposed and eliminated in registers, the tiles of all lines side by side so their
// chains overlap, and written to buf once (lane q of element i at buf[i * kRowBlock + q]).
// The same operations in the same order as transpose_in followed by forward_block. The block of
// lines at `next` (the next to be solved) is prefetched on the way: sixteen rows of a few
// kilobytes each are too short a run for the hardware prefetcher (x sweep of a 256^3 field, 1
// thread: 10.7 -> 9.0 ms).
MNSIM_INLINE void forward_rows(const double* x, const double* next, int n, const Thomas& m, double* __restrict buf) {
  constexpr int W = kRowBlock, T = kRowBlock / kTile;
  const double* __restrict lower = m.lower.data();
  const double* __restrict inv = m.inv.data();
  V8 carry[T] = {};
  for (int i0 = 0; i0 < n; i0 += kTile) {
    V8 r[T][kTile];
    for (int t = 0; t < T; ++t) {
      for (int q = 0; q < kTile; ++q) {
        std::memcpy(&r[t][q], x + std::size_t(t * kTile + q) * n + i0, sizeof(V8));
        __builtin_prefetch(next + std::size_t(t * kTile + q) * n + i0, 1);
      }
      Tile<kTile>::transpose(r[t]);
    }
#pragma GCC unroll 8
    for (int c = 0; c < kTile; ++c) {
      const int i = i0 + c;
#pragma GCC unroll 2
      for (int t = 0; t < T; ++t) {
        r[t][c] = i == 0 ? r[t][c] * inv[0] : (r[t][c] - lower[i] * carry[t]) * inv[i];
        carry[t] = r[t][c];
      }
    }
#pragma GCC unroll 8
    for (int c = 0; c < kTile; ++c)
      for (int t = 0; t < T; ++t) std::memcpy(buf + (i0 + c) * W + t * kTile, &r[t][c], sizeof(V8));
  }
}

// Line q of the nr lines at x (length n) into lane q of buf; idle lanes solve zeros. In L x L
// register tiles where they fit (L > 0); otherwise element by element.
template <int L>
MNSIM_INLINE void transpose_in(const double* x, int nr, int n, double* __restrict buf) {
  constexpr int W = kRowBlock;
  const int tiled = L && nr == W ? n / L * L : 0;
  if constexpr (L > 0)
    for (int i0 = 0; i0 < tiled; i0 += L)
      for (int q0 = 0; q0 < W; q0 += L) copy_tile_transposed<L>(x + std::size_t(q0) * n + i0, n, buf + i0 * W + q0, W);
  for (int q = 0; q < W; ++q)
    for (int i = tiled; i < n; ++i) buf[i * W + q] = q < nr ? x[std::size_t(q) * n + i] : 0.0;
}

// The inverse of transpose_in for the first nr lanes, with the periodic correction
// x_qi = buf_iq - f_q zc_i applied on the way (zc null: none).
template <int L>
MNSIM_INLINE void transpose_out(const double* __restrict buf, int nr, int n, const double* zc, const double* f, double* x) {
  constexpr int W = kRowBlock;
  const int tiled = L && nr == W ? n / L * L : 0;
  if constexpr (L > 0)
    for (int i0 = 0; i0 < tiled; i0 += L)
      for (int q0 = 0; q0 < W; q0 += L)
        copy_tile_transposed<L>(buf + i0 * W + q0, W, x + std::size_t(q0) * n + i0, n, f + q0, zc ? zc + i0 : nullptr);
  for (int q = 0; q < nr; ++q)
    for (int i = tiled; i < n; ++i) x[std::size_t(q) * n + i] = zc ? buf[i * W + q] - f[q] * zc[i] : buf[i * W + q];
}

// The x lines of `rows` contiguous rows. A line's recurrence is a chain of dependent operations,
// and the lines of a row are contiguous, so no vector register holds several lines. Transposing
// kRowBlock lines into buf (element i of line q at buf[i * kRowBlock + q]) turns the lines into
// lanes; the block stays in the core's cache, so the transposes cost no memory traffic. Several
// vector registers of lanes advance side by side, so the chains overlap instead of waiting.
// L: the transposes go through L x L register tiles (RowTiles). With 8 x 8 tiles the elimination
// is done in the tiles on the way in (forward_rows); that needs 32 wide registers (AVX-512). With
// AVX2, 4 x 4 tiles take an x sweep of a 256^2 plane from 75 to 55 us (in cache); without it
// (SSE2) they would take 300 us, so there the copies go element by element (L = 0). Same
// operations every way.
template <int L>
MNSIM_INLINE void rows_solve(double* first, int rows, const Thomas& m, const Periodic* per, double* buf) {
  constexpr int W = kRowBlock;
  // The block kernels step eight lanes at a time where the kernel runs with 32 wide registers
  // (AVX-512). Elsewhere they step single doubles, which GCC vectorises itself there: eight-wide
  // values made the AVX2 build 2.4 times slower, four-wide ones 8 % slower.
  using Lanes = std::conditional_t<L == kTile, V8, double>;
  const std::integral_constant<int, W> lanes;
  const int n = m.n();
  for (int r0 = 0; r0 < rows; r0 += W) {
    const int nr = std::min(W, rows - r0);
    double* x = first + std::size_t(r0) * n;
    if (L == kTile && nr == W && n % kTile == 0) {
      // The last block has no next one in these rows; it "prefetches" itself, which is free.
      forward_rows(x, r0 + 2 * W <= rows ? x + std::size_t(W) * n : x, n, m, buf);
    } else {
      transpose_in<L>(x, nr, n, buf);
      forward_block<W, Lanes>(buf, m);
    }
    backward_block<W, Lanes>(buf, m);
    double f[W] = {};
    if (per) periodic_factor(buf, W, lanes, n, *per, f);
    transpose_out<L>(buf, nr, n, per ? per->zc.data() : nullptr, f, x);
  }
}

MNSIM_KERNEL void solve_rows_tiles8(double* first, int rows, const Thomas& m, const Periodic* per, double* buf) {
  rows_solve<8>(first, rows, m, per, buf);
}
MNSIM_KERNEL void solve_rows_tiles4(double* first, int rows, const Thomas& m, const Periodic* per, double* buf) {
  rows_solve<4>(first, rows, m, per, buf);
}
MNSIM_KERNEL void solve_rows_copied(double* first, int rows, const Thomas& m, const Periodic* per, double* buf) {
  rows_solve<0>(first, rows, m, per, buf);
}

}  // namespace

Thomas Thomas::factor(const std::vector<double>& lower, const std::vector<double>& diag, const std::vector<double>& upper) {
  Thomas t;
  t.refactor(lower, diag, upper);
  return t;
}

void Thomas::refactor(const std::vector<double>& lower_diag, const std::vector<double>& diag, const std::vector<double>& upper) {
  const std::size_t n = diag.size();
  inv.resize(n);
  cp.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    inv[i] = 1.0 / (diag[i] - (i > 0 ? lower_diag[i] * cp[i - 1] : 0.0));
    cp[i] = (i + 1 < n ? upper[i] : 0.0) * inv[i];
  }
  lower = lower_diag;
}

MNSIM_KERNEL
void solve_lanes(double* base, std::size_t stride, int lanes, const Thomas& m, const Periodic* per, double* f) {
  thomas_lanes(base, stride, lanes, m);
  if (!per) return;
  const int n = m.n();
  periodic_factor(base, stride, lanes, n, *per, f);
  for (int i = 0; i < n; ++i) {
    double* __restrict row = base + i * stride;
    const double z = per->zc[i];
#pragma omp simd
    for (int l = 0; l < lanes; ++l) row[l] -= f[l] * z;
  }
}

namespace {
// Columns [b, e) of the planes at base in blocks of `block` columns, the elimination of each
// block interleaved with the back-substitution of the one before: the back-substitution works
// in the cache while the elimination's rows come from memory, so the memory is never idle.
MNSIM_KERNEL void solve_column_blocks(double* base, std::size_t plane, std::size_t b, std::size_t e, std::size_t block,
                                      const Thomas& m) {
  const int n = m.n();
  auto lanes = [&](std::size_t at) { return static_cast<int>(std::min(block, e - at)); };
  for (int i = 0; i < n; ++i) eliminate_row<4>(base + b, plane, lanes(b), m, i);
  for (std::size_t at = b; at < e; at += block) {
    const std::size_t next = at + block;
    for (int s = 0; s < n; ++s) {
      if (next < e) eliminate_row<4>(base + next, plane, lanes(next), m, s);
      if (s >= 1) substitute_row(base + at, plane, lanes(at), m, n - 1 - s);
    }
  }
}
}  // namespace

void solve_all_columns(double* base, std::size_t plane, const Thomas& m) {
  // All lines of a block of columns advance together, level by level, so the inner loop runs
  // over contiguous memory; 256 columns with all their levels stay in a core's L2. Each thread
  // takes a run of whole blocks (the lines are independent, so the split changes no result).
  constexpr std::size_t kBlock = 256;
  const std::size_t blocks = (plane + kBlock - 1) / kBlock;
#pragma omp parallel
  {
    const std::size_t t = omp_get_thread_num(), threads = omp_get_num_threads();
    const std::size_t b = blocks * t / threads * kBlock, e = std::min(plane, blocks * (t + 1) / threads * kBlock);
    if (b < e) solve_column_blocks(base, plane, b, e, kBlock, m);
  }
}

RowTiles best_row_tiles() {
  static const RowTiles best = wide_registers() ? RowTiles::eight : (avx2_registers() ? RowTiles::four : RowTiles::none);
  return best;
}

void solve_rows(double* first, int rows, const Thomas& m, const Periodic* per, double* buf, RowTiles tiles) {
  switch (tiles) {
    case RowTiles::eight: return solve_rows_tiles8(first, rows, m, per, buf);
    case RowTiles::four: return solve_rows_tiles4(first, rows, m, per, buf);
    case RowTiles::none: return solve_rows_copied(first, rows, m, per, buf);
  }
}

}  // namespace mnsim
