#include "mnsim/numerics/tridiagonal.hpp"

#include <omp.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "mnsim/core/kernel.hpp"

namespace mnsim {

namespace {

// The periodic part of a solve (Periodic), in lanes of type V with their running sums at sums[l]:
// the elimination sums weight_i d_i and turns the sum into the Sherman-Morrison factor
// f = (y_0 + vfac d_{n-1}) / denom at the end; the back-substitution then solves for d - f zf.
// PlainLanes, for systems without one, does nothing and never touches the sums.
template <class V>
struct PeriodicLanes {
  template <class W>
  using As = PeriodicLanes<W>;
  const double *weight, *zf;  // copied out of Periodic, so that the loops need not reload them
  double vfac, denom;
  explicit PeriodicLanes(const Periodic& p) : weight(p.weight.data()), zf(p.zf.data()), vfac(p.vfac), denom(p.denom) {}
  template <class W>
  explicit PeriodicLanes(const PeriodicLanes<W>& o) : weight(o.weight), zf(o.zf), vfac(o.vfac), denom(o.denom) {}
  MNSIM_INLINE void start(V* sums, int l, const V& d) const { sums[l] = d; }
  MNSIM_INLINE void add(V* sums, int l, int i, const V& d) const { sums[l] = sums[l] + weight[i] * d; }
  MNSIM_INLINE void finish(V* sums, int l, const V& last) const { sums[l] = (sums[l] + vfac * last) / denom; }
  MNSIM_INLINE void correct(V& d, const V* sums, int l, int i) const { d = d - sums[l] * zf[i]; }
};
template <class V>
struct PlainLanes {
  template <class W>
  using As = PlainLanes<W>;
  PlainLanes() = default;
  template <class W>
  explicit PlainLanes(const PlainLanes<W>&) {}
  MNSIM_INLINE void start(V*, int, const V&) const {}
  MNSIM_INLINE void add(V*, int, int, const V&) const {}
  MNSIM_INLINE void finish(V*, int, const V&) const {}
  MNSIM_INLINE void correct(V&, const V*, int, int) const {}
};

// Elimination and back-substitution of `lanes` systems, each lane a whole vector loop, one row
// of lanes at a time, the running values and periodic sums (`sums`, one per lane) in the cache.
// With `ahead` > 0 the unknowns `ahead` rows on are prefetched during the elimination: z
// columns, whose rows lie a plane apart in memory, each too short for the hardware prefetcher to
// catch up with (about 10 % faster in a microbenchmark). The last row's elimination also
// finishes the sums and corrects the row.
template <int ahead, class Per>
MNSIM_INLINE void eliminate_row(double* base, std::size_t stride, int lanes, const Thomas& m, int i, const Per& per,
                                double* sums) {
  const int n = m.n();
  double* __restrict cur = base + i * stride;
  if (ahead > 0 && i + ahead < n)
    for (int l = 0; l < lanes; l += 8) __builtin_prefetch(cur + ahead * stride + l, 1);
  const double ii = m.inv[i];
  if (i == 0) {
#pragma omp simd
    for (int l = 0; l < lanes; ++l) {
      cur[l] *= ii;
      per.start(sums, l, cur[l]);
    }
  } else {
    const double* __restrict prev = cur - stride;
    const double lo = m.lower[i];
#pragma omp simd
    for (int l = 0; l < lanes; ++l) {
      cur[l] = (cur[l] - lo * prev[l]) * ii;
      per.add(sums, l, i, cur[l]);
    }
  }
  if (i == n - 1)
#pragma omp simd
    for (int l = 0; l < lanes; ++l) {
      per.finish(sums, l, cur[l]);
      per.correct(cur[l], sums, l, i);
    }
}

template <class Per>
MNSIM_INLINE void substitute_row(double* base, std::size_t stride, int lanes, const Thomas& m, int i, const Per& per,
                                 const double* sums) {
  double* __restrict cur = base + i * stride;
  const double* __restrict next = cur + stride;
  const double c = m.cp[i];
#pragma omp simd
  for (int l = 0; l < lanes; ++l) {
    double v = cur[l];
    per.correct(v, sums, l, i);
    cur[l] = v - c * next[l];
  }
}

// All rows of up to kChunk lanes at a time.
template <class Per>
MNSIM_INLINE void lanes_by_rows(double* base, std::size_t stride, int lanes, const Thomas& m, const Per& per) {
  constexpr int kChunk = 256;
  const int n = m.n();
  for (int l0 = 0; l0 < lanes; l0 += kChunk) {
    const int w = std::min(kChunk, lanes - l0);
    double sums[kChunk];
    for (int i = 0; i < n; ++i) eliminate_row<0>(base + l0, stride, w, m, i, per, sums);
    for (int i = n - 2; i >= 0; --i) substitute_row(base + l0, stride, w, m, i, per, sums);
  }
}

// The same for a block of T eight-wide values of lanes side by side, with the running values and
// sums in registers: no reload of the value just stored, which would put a store-to-load
// forwarding delay in every link of the chains, and no pass over the sums. Up to eight values of
// each fit in AVX-512's 32 registers; with AVX2's 16 (four-wide values) the blocks are too few
// chains to hide their latency (y sweep of a 256^2 plane in cache: 53 us, row by row 17).
template <int T, class Per>
MNSIM_INLINE void solve_block(double* __restrict base, std::size_t stride, const Thomas& m, const Per& per) {
  const int n = m.n();
  const double* __restrict lower = m.lower.data();
  const double* __restrict inv = m.inv.data();
  const double* __restrict cp = m.cp.data();
  V8 carry[T], f[T];
  for (int t = 0; t < T; ++t) {
    std::memcpy(&carry[t], base + 8 * t, sizeof(V8));
    carry[t] *= inv[0];
    std::memcpy(base + 8 * t, &carry[t], sizeof(V8));
    per.start(f, t, carry[t]);
  }
  for (int i = 1; i < n; ++i) {
    double* __restrict cur = base + i * stride;
    const double lo = lower[i], ii = inv[i];
    for (int t = 0; t < T; ++t) {
      V8 v;
      std::memcpy(&v, cur + 8 * t, sizeof(V8));
      carry[t] = (v - lo * carry[t]) * ii;
      std::memcpy(cur + 8 * t, &carry[t], sizeof(V8));
      per.add(f, t, i, carry[t]);
    }
  }
  double* __restrict last = base + (n - 1) * stride;
  for (int t = 0; t < T; ++t) {
    per.finish(f, t, carry[t]);
    per.correct(carry[t], f, t, n - 1);
    std::memcpy(last + 8 * t, &carry[t], sizeof(V8));
  }
  for (int i = n - 2; i >= 0; --i) {
    double* __restrict cur = base + i * stride;
    const double c = cp[i];
    for (int t = 0; t < T; ++t) {
      V8 v;
      std::memcpy(&v, cur + 8 * t, sizeof(V8));
      per.correct(v, f, t, i);
      carry[t] = v - c * carry[t];
      std::memcpy(cur + 8 * t, &carry[t], sizeof(V8));
    }
  }
}

// Lanes [l, lanes) in whole blocks of T eight-wide values, as many as fit; l is left at the first
// lane not solved.
template <int T, class Per>
MNSIM_INLINE void solve_blocks(double* base, std::size_t stride, int& l, int lanes, const Thomas& m, const Per& per) {
  for (; l + 8 * T <= lanes; l += 8 * T) solve_block<T>(base + l, stride, m, per);
}

// Lanes in blocks of 64, then 32, 16 and 8 for what is left, and the last few row by row.
template <class Per>
MNSIM_INLINE void lanes_in_blocks(double* base, std::size_t stride, int lanes, const Thomas& m, const Per& per) {
  int l = 0;
  solve_blocks<8>(base, stride, l, lanes, m, per);
  solve_blocks<4>(base, stride, l, lanes, m, per);
  solve_blocks<2>(base, stride, l, lanes, m, per);
  solve_blocks<1>(base, stride, l, lanes, m, per);
  if (l < lanes) lanes_by_rows(base + l, stride, lanes - l, m, typename Per::template As<double>(per));
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

constexpr int kTile = 8;  // the tiles of forward_rows and backward_rows

// Copies the L x L tile at src (rows `sstride` apart) to dst (rows `dstride` apart), transposed.
// The loops are unrolled so that the tile stays in registers: rolled, GCC kept AVX2's tiles on the
// stack and the x sweep took twice as long.
template <int L>
MNSIM_INLINE void copy_tile_transposed(const double* src, std::size_t sstride, double* dst, std::size_t dstride) {
  using V = typename Tile<L>::V;
  V r[L];
#pragma GCC unroll 8
  for (int q = 0; q < L; ++q) std::memcpy(&r[q], src + q * sstride, sizeof(V));
  Tile<L>::transpose(r);
#pragma GCC unroll 8
  for (int q = 0; q < L; ++q) std::memcpy(dst + q * dstride, &r[q], sizeof(V));
}

// Elimination of kRowBlock whole lines straight from their rows (n a multiple of 8): each 8 x 8
// tile is transposed and eliminated in registers, the tiles of all lines side by side so their
// chains overlap, and written to buf once (lane q of element i at buf[i * kRowBlock + q]).
// The same operations in the same order as transpose_in followed by solve_block's elimination.
// The block of lines at `next` (the next to be solved) is prefetched on the way: sixteen rows of
// a few kilobytes each are too short a run for the hardware prefetcher (x sweep of a 256^3 field,
// 1 thread: 10.7 -> 9.0 ms).
template <class Per>
MNSIM_INLINE void forward_rows(const double* x, const double* next, int n, const Thomas& m, const Per& per,
                               double* __restrict buf, V8* f) {
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
        if (i == 0) {
          r[t][c] = r[t][c] * inv[0];
          per.start(f, t, r[t][c]);
        } else {
          r[t][c] = (r[t][c] - lower[i] * carry[t]) * inv[i];
          per.add(f, t, i, r[t][c]);
        }
        carry[t] = r[t][c];
      }
    }
#pragma GCC unroll 8
    for (int c = 0; c < kTile; ++c)
      for (int t = 0; t < T; ++t) std::memcpy(buf + (i0 + c) * W + t * kTile, &r[t][c], sizeof(V8));
  }
  for (int t = 0; t < T; ++t) per.finish(f, t, carry[t]);
}

// The back-substitution of forward_rows' block, tile by tile from the last, each tile transposed
// back into the lines in registers: the same operations in the same order as solve_block's
// back-substitution followed by transpose_out, without the block's second pass through the cache.
template <class Per>
MNSIM_INLINE void backward_rows(const double* __restrict buf, int n, const Thomas& m, const Per& per, const V8* f,
                                double* x) {
  constexpr int W = kRowBlock, T = kRowBlock / kTile;
  const double* __restrict cp = m.cp.data();
  V8 carry[T] = {};
  for (int i0 = n - kTile; i0 >= 0; i0 -= kTile) {
    V8 r[T][kTile];
#pragma GCC unroll 8
    for (int c = 0; c < kTile; ++c)
      for (int t = 0; t < T; ++t) std::memcpy(&r[t][c], buf + (i0 + c) * W + t * kTile, sizeof(V8));
#pragma GCC unroll 8
    for (int c = kTile - 1; c >= 0; --c) {
      const int i = i0 + c;
#pragma GCC unroll 2
      for (int t = 0; t < T; ++t) {
        per.correct(r[t][c], f, t, i);
        if (i < n - 1) r[t][c] = r[t][c] - cp[i] * carry[t];
        carry[t] = r[t][c];
      }
    }
    for (int t = 0; t < T; ++t) {
      Tile<kTile>::transpose(r[t]);
      for (int q = 0; q < kTile; ++q) std::memcpy(x + std::size_t(t * kTile + q) * n + i0, &r[t][q], sizeof(V8));
    }
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

// The inverse of transpose_in for the first nr lanes.
template <int L>
MNSIM_INLINE void transpose_out(const double* __restrict buf, int nr, int n, double* x) {
  constexpr int W = kRowBlock;
  const int tiled = L && nr == W ? n / L * L : 0;
  if constexpr (L > 0)
    for (int i0 = 0; i0 < tiled; i0 += L)
      for (int q0 = 0; q0 < W; q0 += L) copy_tile_transposed<L>(buf + i0 * W + q0, W, x + std::size_t(q0) * n + i0, n);
  for (int q = 0; q < nr; ++q)
    for (int i = tiled; i < n; ++i) x[std::size_t(q) * n + i] = buf[i * W + q];
}

// The x lines of `rows` contiguous rows. A line's recurrence is a chain of dependent operations,
// and the lines of a row are contiguous, so no vector register holds several lines. Transposing
// kRowBlock lines into buf (element i of line q at buf[i * kRowBlock + q]) turns the lines into
// lanes; the block stays in the core's cache, so the transposes cost no memory traffic.
// L: the transposes go through L x L register tiles (RowTiles). With 8 x 8 tiles the elimination
// is done in the tiles on the way in (forward_rows) and the back-substitution on the way out
// (backward_rows), the chains of the block's lanes side by side in registers; that needs 32 wide
// registers (AVX-512). Off the tiles (a length not a multiple of 8, a last block of fewer lines)
// the block is solved in registers too (solve_block); without AVX-512 it is solved row by row
// (lanes_by_rows). With AVX2, 4 x 4 tiles take an x sweep of a 256^2 plane from 75 to 55 us (in
// cache); without it (SSE2) they would take 300 us, so there the copies go element by element
// (L = 0). Same operations every way.
template <int L, class Per>
MNSIM_INLINE void rows_solve(double* first, int rows, const Thomas& m, const Per& per, double* buf) {
  constexpr int W = kRowBlock;
  const int n = m.n();
  for (int r0 = 0; r0 < rows; r0 += W) {
    const int nr = std::min(W, rows - r0);
    double* x = first + std::size_t(r0) * n;
    if constexpr (L == kTile) {
      if (nr == W && n % kTile == 0) {
        V8 f[W / kTile] = {};  // (set by forward_rows at i = 0, which the compiler cannot see)
        // The last block has no next one in these rows; it "prefetches" itself, which is free.
        forward_rows(x, r0 + 2 * W <= rows ? x + std::size_t(W) * n : x, n, m, per, buf, f);
        backward_rows(buf, n, m, per, f, x);
        continue;
      }
    }
    transpose_in<L>(x, nr, n, buf);
    // With AVX-512 the block's lanes in registers (x sweep of a 50^2 plane: 2.5 -> 1.5 us).
    if constexpr (L == kTile)
      solve_block<W / kTile>(buf, W, m, per);
    else
      lanes_by_rows(buf, W, W, m, typename Per::template As<double>(per));
    transpose_out<L>(buf, nr, n, x);
  }
}

// Each kernel in two versions, with and without the periodic part.
template <int L>
MNSIM_INLINE void rows_solve(double* first, int rows, const Thomas& m, const Periodic* per, double* buf) {
  if (per)
    rows_solve<L>(first, rows, m, PeriodicLanes<V8>(*per), buf);
  else
    rows_solve<L>(first, rows, m, PlainLanes<V8>{}, buf);
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

namespace {
MNSIM_KERNEL void solve_lanes_blocks(double* base, std::size_t stride, int lanes, const Thomas& m, const Periodic* per) {
  if (per)
    lanes_in_blocks(base, stride, lanes, m, PeriodicLanes<V8>(*per));
  else
    lanes_in_blocks(base, stride, lanes, m, PlainLanes<V8>{});
}
MNSIM_KERNEL void solve_lanes_rows(double* base, std::size_t stride, int lanes, const Thomas& m, const Periodic* per) {
  if (per)
    lanes_by_rows(base, stride, lanes, m, PeriodicLanes<double>(*per));
  else
    lanes_by_rows(base, stride, lanes, m, PlainLanes<double>{});
}
}  // namespace

LaneSolve best_lane_solve() {
  static const LaneSolve best = wide_registers() ? LaneSolve::blocks : LaneSolve::rows;
  return best;
}

void solve_lanes(double* base, std::size_t stride, int lanes, const Thomas& m, const Periodic* per, LaneSolve how) {
  (how == LaneSolve::blocks ? solve_lanes_blocks : solve_lanes_rows)(base, stride, lanes, m, per);
}

void Periodic::set_weights(const Thomas& m) {
  const int n = m.n();
  weight.assign(n, 0.0);
  if (n == 0) return;
  weight[0] = 1;
  for (int i = 1; i < n; ++i) {
    const double w = -m.cp[i - 1] * weight[i - 1];
    weight[i] = std::fabs(w) < DBL_MIN ? 0.0 : w;
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
  const PlainLanes<double> plain;
  for (int i = 0; i < n; ++i) eliminate_row<4>(base + b, plane, lanes(b), m, i, plain, nullptr);
  for (std::size_t at = b; at < e; at += block) {
    const std::size_t next = at + block;
    for (int s = 0; s < n; ++s) {
      if (next < e) eliminate_row<4>(base + next, plane, lanes(next), m, s, plain, nullptr);
      if (s >= 1) substitute_row(base + at, plane, lanes(at), m, n - 1 - s, plain, nullptr);
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
