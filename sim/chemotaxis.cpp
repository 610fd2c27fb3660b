#include "mnsim/numerics/chemotaxis.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "mnsim/core/kernel.hpp"

namespace mnsim {

namespace {

// std::min and std::max by value: their reference arguments become per-lane stack arrays inside
// an omp simd loop, which made the kernels 1.7 times slower. Same comparison, same result.
inline double min_of(double a, double b) { return b < a ? b : a; }
inline double max_of(double a, double b) { return a < b ? b : a; }

// c ? a : b by bit masks. The kernels avoid selects that guard arithmetic: GCC turns a select
// into a branch early and moves arithmetic into it, and then vectorises the loop only with
// AVX-512's masked operations; the AVX2 and baseline versions of the face fluxes stayed scalar
// (and were 4 times slower) until their selects became picks.
inline double pick(bool c, double a, double b) {
  std::uint64_t ia, ib;
  std::memcpy(&ia, &a, sizeof a);
  std::memcpy(&ib, &b, sizeof b);
  const std::uint64_t m = std::uint64_t(0) - std::uint64_t(c), r = (ia & m) | (ib & ~m);
  double out;
  std::memcpy(&out, &r, sizeof out);
  return out;
}

// minmod(a, b): the smaller of a and b if both are positive, the larger if both are negative,
// else 0; here the sum of the two clamps max(min(a, b), 0) and min(max(a, b), 0), one of which is
// always 0, so it is min/max arithmetic only. It is odd, minmod(-a, -b) = -minmod(a, b), exactly.
inline double minmod(double a, double b) { return max_of(min_of(a, b), 0.0) + min_of(max_of(a, b), 0.0); }

// Upwind, minmod-limited value at the face between cells a (behind) and b (ahead) along one
// axis: ua + minmod(ua - uaa, ub - ua) / 2 for flow towards b, ub - minmod(ub - ua, ubb - ub) / 2
// against it. The upwind cell and its two slopes are picked first, so the limiter runs once:
// against the flow both slopes are negated, and as minmod is odd and IEEE negation exact, the sum
// is the second form bit for bit. (Differences of non-negative values are never -0, so the
// zero cases agree too.) The picks take cells, not differences: the slopes are ua - (uaa or ub)
// and ub - (ua or ubb), the same subtractions.
inline double face_value(bool towards_b, double uaa, double ua, double ub, double ubb) {
  const double base = pick(towards_b, ua, ub);
  const double p = ua - pick(towards_b, uaa, ub);
  const double q = ub - pick(towards_b, ua, ubb);
  return base + 0.5 * minmod(p, q);
}

// Values in the block of rows of a chemotaxis task (Chemotaxis::substep): with two levels of
// u either side, c and the output, a task's working set stays well inside a core's L2 cache.
constexpr int kBlockValues = 8192;

inline int wrap(int i, int n) { return i < 0 ? i + n : (i >= n ? i - n : i); }

// Velocity at the face from a cell with attractant ca to its neighbour with cb (positive: towards
// b): the drive s (cb - ca) over the damping (1 + (ca + cb) / 2K)^2.
struct FaceVelocity {
  double s, half_inv_K;
  double drive(double ca, double cb) const { return s * (cb - ca); }
  double damped(double drive, double ca, double cb) const {
    const double damp = 1 + (ca + cb) * half_inv_K;
    return drive / (damp * damp);
  }
  double operator()(double ca, double cb) const { return damped(drive(ca, cb), ca, cb); }
};

// Copies a periodic row of n >= 2 cells to p[1..n], with its wrapped neighbours in p[0], p[n+1]
// and p[n+2], so that the loops along x need no wrap.
void pad_periodic(const double* row, int n, double* p) {
  p[0] = row[n - 1];
  std::copy(row, row + n, p + 1);
  p[n + 1] = row[0];
  p[n + 2] = row[1];
}

// Fluxes through n faces that lie side by side: face i is between cells ua[i] (behind) and ub[i]
// (ahead), with uaa[i] behind the one and ubb[i] beyond the other; ca and cb are the attractant
// either side. The same kernel serves the x, y and z faces, which differ only in the row pointers.
// With kSpeed it also returns the largest face speed |v|, for the substep's outflow check.
template <bool kSpeed>
MNSIM_INLINE double fluxes(FaceVelocity vel, const double* uaa, const double* ua, const double* ub, const double* ubb,
                           const double* ca, const double* cb, int n, double* __restrict f) {
  double top = 0;
#pragma omp simd reduction(max : top)
  for (int i = 0; i < n; ++i) {
    // The upwind side from the drive, which has the velocity's sign, so that the limiter need not
    // wait for the division (where the quotient underflows to 0 the flux is 0 either way).
    const double drive = vel.drive(ca[i], cb[i]);
    const double vi = vel.damped(drive, ca[i], cb[i]);
    const double flux = vi * face_value(drive > 0, uaa[i], ua[i], ub[i], ubb[i]);
    f[i] = pick(vi != 0, flux, 0.0);
    if (kSpeed) top = max_of(top, std::fabs(vi));
  }
  return top;
}

MNSIM_KERNEL void face_fluxes(FaceVelocity vel, const double* uaa, const double* ua, const double* ub,
                              const double* ubb, const double* ca, const double* cb, int n, double* __restrict f) {
  fluxes<false>(vel, uaa, ua, ub, ubb, ca, cb, n, f);
}

MNSIM_KERNEL double face_fluxes_speed(FaceVelocity vel, const double* uaa, const double* ua, const double* ub,
                                      const double* ubb, const double* ca, const double* cb, int n,
                                      double* __restrict f) {
  return fluxes<true>(vel, uaa, ua, ub, ubb, ca, cb, n, f);
}

// The same flux for eight faces side by side, in vector values: the same IEEE operations in the
// same order, so the result is the kernel's bit for bit. (Vector values pass by reference: by
// value they would take a different calling convention in each instruction set.)
MNSIM_INLINE void flux8(const FaceVelocity& vel, const V8& uaa, const V8& ua, const V8& ub, const V8& ubb, const V8& ca,
                        const V8& cb, V8& f, V8& v) {
  const V8 drive = vel.s * (cb - ca);
  const V8 damp = 1 + (ca + cb) * vel.half_inv_K;
  v = drive / (damp * damp);
  const M8 towards_b = drive > 0;
  const V8 base = towards_b ? ua : ub;
  const V8 p = ua - (towards_b ? uaa : ub);
  const V8 q = ub - (towards_b ? ua : ubb);
  const V8 lo = q < p ? q : p, hi = p < q ? q : p;  // min_of(p, q), max_of(p, q)
  const V8 zero{};
  const V8 minmod = (lo < zero ? zero : lo) + (zero < hi ? zero : hi);  // as minmod()
  const V8 flux = v * (base + 0.5 * minmod);
  f = v == 0 ? zero : flux;
}
MNSIM_INLINE void load8(V8& v, const double* p) { std::memcpy(&v, p, sizeof v); }
MNSIM_INLINE void store8(double* p, const V8& v) { std::memcpy(p, &v, sizeof v); }
MNSIM_INLINE void raise_to_speed(V8& top, const V8& v) {  // top = max_of(top, |v|) lane by lane
  const V8 speed = (V8)((M8)v & ~(M8{} + (1LL << 63)));
  top = top < speed ? speed : top;
}

// Pointers to the rows one cell row of a substep reads and writes (Chemotaxis::substep): row j of
// level k of u and c, padded along x (upad, cpad); the rows of u either side along y (j-1, j+1,
// j+2) and along z (aa, b, bb as in z_row), with c's rows j+1 and b; fy and fz hold the fluxes
// through the faces below the row (along y and z) and are overwritten with those above it.
struct RowRefs {
  const double *upad, *cpad, *u, *u_ym, *u_yp, *u_ypp, *c_yp, *u_zaa, *u_zb, *u_zbb, *c_zb;
  double *fy, *fz, *out;
};
struct RowSpeeds {
  double x = 0, y = 0, z = 0;  // the largest face speeds of the row's x faces and the faces above it
};

// A whole row of cells (n a multiple of 8, x and y periodic with n, ny >= 3, a z face above) in
// one pass: the x faces right of eight cells, the y and z faces above them, and the update, with
// the flux through the face left of each cell taken from the x fluxes by a lane shift (the face
// left of cell 0 is the one right of cell n-1, computed first). Each face is computed once, as
// fluxes() would, and div is summed in update_row's order, so the row is bitwise what the
// kernels one face direction at a time give, with a fraction of their loads and stores.
template <bool kCheck>
MNSIM_INLINE RowSpeeds fused_row_impl(const FaceVelocity& vel, double r, int n, const RowRefs& w) {
  V8 uaa, ua, ub, ubb, ca, cb, fx, fy, fz, fx_left, left, below, vx, vy, vz, top_x{}, top_y{}, top_z{};
  auto x_faces = [&](int i) {  // the faces right of cells i..i+7
    load8(uaa, w.upad + i);
    load8(ua, w.upad + i + 1);
    load8(ub, w.upad + i + 2);
    load8(ubb, w.upad + i + 3);
    load8(ca, w.cpad + i + 1);
    load8(cb, w.cpad + i + 2);
    flux8(vel, uaa, ua, ub, ubb, ca, cb, fx, vx);
  };
  x_faces(n - 8);
  left = fx;
  for (int i = 0; i < n; i += 8) {
    x_faces(i);  // leaves u and c of cells i..i+7 in ua and ca
    fx_left = __builtin_shuffle(left, fx, M8{7, 8, 9, 10, 11, 12, 13, 14});
    left = fx;
    const V8 u = ua, c = ca;
    load8(uaa, w.u_ym + i);
    load8(ub, w.u_yp + i);
    load8(ubb, w.u_ypp + i);
    load8(cb, w.c_yp + i);
    flux8(vel, uaa, u, ub, ubb, c, cb, fy, vy);
    load8(uaa, w.u_zaa + i);
    load8(ub, w.u_zb + i);
    load8(ubb, w.u_zbb + i);
    load8(cb, w.c_zb + i);
    flux8(vel, uaa, u, ub, ubb, c, cb, fz, vz);
    load8(below, w.fz + i);
    V8 div = fz - below;
    div += fx - fx_left;
    load8(below, w.fy + i);
    div += fy - below;
    store8(w.out + i, u - r * div);
    store8(w.fy + i, fy);
    store8(w.fz + i, fz);
    if (kCheck) {
      raise_to_speed(top_x, vx);
      raise_to_speed(top_y, vy);
      raise_to_speed(top_z, vz);
    }
  }
  RowSpeeds s;
  if (kCheck)
    for (int l = 0; l < 8; ++l) {
      s.x = max_of(s.x, top_x[l]);
      s.y = max_of(s.y, top_y[l]);
      s.z = max_of(s.z, top_z[l]);
    }
  return s;
}

MNSIM_KERNEL void fused_row(FaceVelocity vel, double r, int n, const RowRefs& w) { fused_row_impl<false>(vel, r, n, w); }
MNSIM_KERNEL RowSpeeds fused_row_checked(FaceVelocity vel, double r, int n, const RowRefs& w) {
  return fused_row_impl<true>(vel, r, n, w);
}

// out = u - r * div along a row, div summed z, x, y as the scheme defines it. fx[-1] is the flux
// through the face left of the first cell; fx or fy is null when that axis has no faces.
MNSIM_KERNEL void update_row(const double* u, const double* fz, const double* fz_below, const double* fx,
                             const double* fy, const double* fy_prev, double r, int n, double* __restrict out) {
#pragma omp simd
  for (int i = 0; i < n; ++i) {
    double div = fz[i] - fz_below[i];
    if (fx) div += fx[i] - fx[i - 1];
    if (fy) div += fy[i] - fy_prev[i];
    out[i] = u[i] - r * div;
  }
}

// Velocities through n faces side by side, from cells ca[i] to cells cb[i].
MNSIM_KERNEL void face_velocities(FaceVelocity vel, const double* ca, const double* cb, int n, double* __restrict v) {
#pragma omp simd
  for (int i = 0; i < n; ++i) v[i] = vel(ca[i], cb[i]);
}

// Largest total outflow velocity over the n cells of a row, from the velocities of the faces
// around them, each from the lower to the higher index: vx[i] through the face right of cell i
// (vx[-1]: the face left of cell 0), vy_up / vy_down through the faces above and below the row,
// vz_up / vz_down through those above and below its level. A face's velocity seen from the other
// cell is the exact negative (same damping, negated difference), so each face is computed once.
// A face that does not exist has velocity +0 (an array of zeros); adding +0 or -0 to the (never
// negative-zero) sum leaves it unchanged, so no branch is needed.
MNSIM_KERNEL double row_max_out(const double* vx, const double* vy_up, const double* vy_down, const double* vz_up,
                                const double* vz_down, int n) {
  double m = 0;
#pragma omp simd reduction(max : m)
  for (int i = 0; i < n; ++i) {
    double out = 0;
    out += max_of(vx[i], 0.0);
    out += max_of(-vx[i - 1], 0.0);
    out += max_of(vy_up[i], 0.0);
    out += max_of(-vy_down[i], 0.0);
    out += max_of(vz_up[i], 0.0);
    out += max_of(-vz_down[i], 0.0);
    m = max_of(m, out);
  }
  return m;
}

}  // namespace

// In eight-wide values the fused rows are 1.6 times faster with AVX-512 and 1.5 times slower with
// AVX2 (256^3, 2 threads) than the kernels one face direction at a time.
Chemotaxis::Chemotaxis(const Grid& g, double chi, double K, int k0, int k1, Rows rows)
    : g_(g),
      chi_(chi),
      K_(K),
      k0_(k0),
      k1_(k1),
      fused_rows_(rows == Rows::fused || (rows == Rows::best && wide_registers())),
      scratch_(g.size(), 0.0) {}

// Rows for the velocities around one row of cells (Chemotaxis::row_outflow): c's row padded
// along x, the x faces (vx[-1]: the face left of cell 0) and the faces above and below along y
// and z. The y rows stay +0 where there are no y faces.
struct Chemotaxis::OutflowRows {
  double *pad, *vx, *vy_up, *vy_down, *vz_up, *vz_down;
  OutflowRows(AlignedRows& r, std::size_t nx) {
    pad = r.cut(nx + 3, 1);
    double* vx_pad = r.cut(nx + 1, 1);
    std::fill(vx_pad, vx_pad + nx + 1, 0.0);
    vx = vx_pad + 1;
    for (double** row : {&vy_up, &vy_down, &vz_up, &vz_down}) *row = r.cut(nx);
    std::fill(vy_up, vy_up + nx, 0.0);
    std::fill(vy_down, vy_down + nx, 0.0);
  }
  static std::size_t room(std::size_t nx) {
    return AlignedRows::room(nx + 3, 1) + AlignedRows::room(nx + 1, 1) + 4 * AlignedRows::room(nx);
  }
};

// A thread's rows for a substep, cut in this order from its AlignedRows; the padded rows so that
// the row's first cell starts a cache line.
struct Chemotaxis::SubstepRows {
  double *upad, *cpad, *fx_pad, *fy_prev, *fy, *fz, *below_top, *below;
  OutflowRows outflow;
  SubstepRows(AlignedRows& r, std::size_t nx, std::size_t rows)
      : upad(r.cut(nx + 3, 1)),
        cpad(r.cut(nx + 3, 1)),
        fx_pad(r.cut(nx + 1, 1)),
        fy_prev(r.cut(nx)),
        fy(r.cut(nx)),
        fz(r.cut(nx)),
        below_top(r.cut(rows)),
        below(r.cut(rows * nx)),
        outflow(r, nx) {}
  static std::size_t room(std::size_t nx, std::size_t rows) {
    return 3 * AlignedRows::room(nx + 3, 1) + 3 * AlignedRows::room(nx) + AlignedRows::room(rows) +
           AlignedRows::room(rows * nx) + OutflowRows::room(nx);
  }
};

int Chemotaxis::block_rows() const { return std::clamp(kBlockValues / g_.nx, 1, g_.ny); }

AlignedRows& Chemotaxis::thread_rows() {
  // Room for a substep's rows; max_out_rate cuts fewer from the same storage.
  return rows_.mine(SubstepRows::room(g_.nx, block_rows()));
}

double Chemotaxis::row_outflow(const double* c, int j, int k, const OutflowRows& v) const {
  // The velocities of the faces around the row, each computed as the substep's fluxes compute it
  // (the same operations), so the outflow is the one the substep moves. Faces outside the active
  // range and along axes of fewer than 3 cells carry none: their velocity is that between a cell
  // and itself, +0.
  const Grid& g = g_;
  const int nx = g.nx, ny = g.ny;
  const FaceVelocity vel{chi_ / g.dx, 0.5 / K_};
  const std::size_t plane = g.plane();
  const double* cj = c + g.idx(0, j, k);
  if (nx >= 3) {
    pad_periodic(cj, nx, v.pad);
    face_velocities(vel, v.pad, v.pad + 1, nx + 1, v.vx - 1);
  }
  if (ny >= 3) {
    const double* ck = c + k * plane;
    face_velocities(vel, cj, ck + std::size_t(wrap(j + 1, ny)) * nx, nx, v.vy_up);
    face_velocities(vel, ck + std::size_t(wrap(j - 1, ny)) * nx, cj, nx, v.vy_down);
  }
  face_velocities(vel, cj, k + 1 < k1_ ? cj + plane : cj, nx, v.vz_up);
  face_velocities(vel, k > k0_ ? cj - plane : cj, cj, nx, v.vz_down);
  return row_max_out(v.vx, v.vy_up, v.vy_down, v.vz_up, v.vz_down, nx);
}

double Chemotaxis::max_out_rate(const double* c) {
  double max_out = 0;
  rows_.size_for(omp_get_max_threads());
#pragma omp parallel reduction(max : max_out)
  {
    OutflowRows rows(thread_rows(), g_.nx);
#pragma omp for schedule(static)
    for (int k = k0_; k < k1_; ++k)
      for (int j = 0; j < g_.ny; ++j) max_out = std::max(max_out, row_outflow(c, j, k, rows));
  }
  return max_out;
}

void Chemotaxis::substep(const double* u, const double* c, double* out, double dt, Outflow* check) {
  const Grid& g = g_;
  const int nx = g.nx, ny = g.ny;
  const std::size_t plane = g.plane();
  const double r = dt / g.dx;
  const FaceVelocity vel{chi_ / g.dx, 0.5 / K_};
  // Fluxes through n faces; with the check also the largest speed through them.
  auto faces = [&](const double* uaa, const double* ua, const double* ub, const double* ubb, const double* ca,
                   const double* cb, int n, double* f) {
    if (check) return face_fluxes_speed(vel, uaa, ua, ub, ubb, ca, cb, n, f);
    face_fluxes(vel, uaa, ua, ub, ubb, ca, cb, n, f);
    return 0.0;
  };
  // Every face flux is computed once per substep, a row at a time. Rows of u and c are copied
  // with their periodic neighbours (pad_periodic), so the kernels run over contiguous i. The work
  // is cut into tasks, each a block of rows marching down a run of levels. What a level reads for
  // the first time (u two levels on, c one) is then a short run of rows known a level ahead, so it
  // is prefetched while the level before works; whole planes are too far ahead to prefetch, and
  // row by row too short a run for the hardware prefetcher (1 thread, 256^3 grid: 51 -> 44 ms per
  // substep; the blocks without the prefetch changed nothing). The z faces below a level are
  // those above the one before, so each task keeps them in `below` (a block of rows, held across
  // calls: allocating it per substep cost a page-in), with their largest speed per row in
  // `below_top` when the outflow is checked. Each face flux is computed the same way in any task,
  // so the tasks do not change the result.
  const int rows = block_rows(), blocks = (ny + rows - 1) / rows;
  const int threads = omp_get_max_threads(), levels = k1_ - k0_;
  const int runs = std::min(levels, (threads + blocks - 1) / blocks), run = (levels + runs - 1) / runs;
  rows_.size_for(threads);
  double top = 0, m = 0;
#pragma omp parallel reduction(max : top, m)
  {
    auto row = [&](int j) { return std::size_t(wrap(j, ny)) * nx; };  // row j of a plane, periodic
    // The cells behind and beyond the z faces above the row that starts at a on level k (the
    // faces between a and a + plane). Beyond the ends of the active range the reconstruction has
    // no slope.
    auto z_behind = [&](std::size_t a, int k) { return k - 1 >= k0_ ? a - plane : a; };
    auto z_beyond = [&](std::size_t a, int k) { return k + 2 < k1_ ? a + 2 * plane : a + plane; };
    auto z_row = [&](int j, int k, double* f) {  // the faces above row j of level k
      if (k < k0_ || k + 1 >= k1_) {  // no-flux walls at the ends of the active range
        std::fill(f, f + nx, 0.0);
        return 0.0;
      }
      const std::size_t a = g.idx(0, j, k), b = a + plane;
      return faces(u + z_behind(a, k), u + a, u + b, u + z_beyond(a, k), c + a, c + b, nx, f);
    };
    const SubstepRows t(thread_rows(), nx, rows);
    double *upad = t.upad, *cpad = t.cpad, *fy_prev = t.fy_prev, *fy = t.fy, *fz = t.fz;
    double *below = t.below, *below_top = t.below_top;
    double* fx = t.fx_pad + 1;  // fx[-1]: the face left of cell 0, which is the one right of cell nx-1
#pragma omp for schedule(static)
    for (int task = 0; task < blocks * runs; ++task) {
      const int j0 = task % blocks * rows, j1 = std::min(ny, j0 + rows);
      const int ka = k0_ + task / blocks * run, kb = std::min(k1_, ka + run);
      for (int k = ka; k < kb; ++k) {
        const double* uk = u + k * plane;
        const double* ck = c + k * plane;
        auto y_row = [&](int j, double* f) {  // the faces above row j
          return faces(uk + row(j - 1), uk + row(j), uk + row(j + 1), uk + row(j + 2), ck + row(j), ck + row(j + 1), nx,
                       f);
        };
        double y_below = ny >= 3 ? y_row(j0 - 1, fy_prev) : 0.0;
        // Rows in one pass (fused_row) where they have every face it handles.
        const bool fused = fused_rows_ && nx % 8 == 0 && ny >= 3 && k + 1 < k1_;
        for (int j = j0; j < j1; ++j) {
          const std::size_t id = g.idx(0, j, k);
          // The rows of this block that the next level reads for the first time, and writes.
          if (k + 1 < kb) {
            for (int i = 0; i < nx; i += 8) {
              if (k + 3 < g.nz) __builtin_prefetch(u + id + 3 * plane + i);
              if (k + 2 < g.nz) __builtin_prefetch(c + id + 2 * plane + i);
              __builtin_prefetch(out + id + plane + i, 1);
            }
          }
          double* kept = below + std::size_t(j - j0) * nx;
          if (k == ka) below_top[j - j0] = z_row(j, k - 1, kept);
          double x_top = 0, y_above = 0, z_above = 0;
          if (nx >= 3) {
            pad_periodic(u + id, nx, upad);
            pad_periodic(c + id, nx, cpad);
          }
          if (fused) {
            // fy_prev and kept take the fluxes above the row in place of those below it.
            const std::size_t zb = id + plane;
            const RowRefs w{upad,     cpad,   u + id,           uk + row(j - 1), uk + row(j + 1), uk + row(j + 2),
                            ck + row(j + 1), u + z_behind(id, k), u + zb, u + z_beyond(id, k), c + zb, fy_prev,
                            kept,     out + id};
            if (check) {
              const RowSpeeds top_speeds = fused_row_checked(vel, r, nx, w);
              x_top = top_speeds.x;
              y_above = top_speeds.y;
              z_above = top_speeds.z;
            } else {
              fused_row(vel, r, nx, w);
            }
          } else {
            if (nx >= 3) {
              const double* p = upad;
              x_top = faces(p, p + 1, p + 2, p + 3, cpad + 1, cpad + 2, nx, fx);
              fx[-1] = fx[nx - 1];
            }
            if (ny >= 3) y_above = y_row(j, fy);
            z_above = z_row(j, k, fz);
            update_row(u + id, fz, kept, nx >= 3 ? fx : nullptr, ny >= 3 ? fy : nullptr, fy_prev, r, nx, out + id);
            std::copy(fz, fz + nx, kept);
            if (ny >= 3) std::swap(fy, fy_prev);
          }
          if (check) {
            // The row's face speeds bound the outflow of its cells: twice the largest x speed plus
            // the largest y and z speeds above and below, summed in the order row_max_out sums
            // each cell's six outflows (rounded addition is monotone, so the bound holds in
            // floating point too). A row whose bound allows one substep cannot ask for more; only
            // the others, which are rare, are summed cell by cell, from velocities computed again
            // for them (storing every face's velocity cost 5 % of the substep).
            double bound = 0;
            for (double s : {x_top, x_top, y_above, y_below, z_above, below_top[j - j0]}) bound += s;
            top = std::max(top, bound);
            if (substeps(bound, dt) > 1) m = std::max(m, row_outflow(c, j, k, t.outflow));
            below_top[j - j0] = z_above;
            y_below = y_above;
          }
        }
      }
    }
  }
  if (check) {
    check->any = top > 0;
    check->max_out = m;
  }
}

int Chemotaxis::substeps(double max_out, double dt) const {
  // Division by dx after the maximum rather than per cell: rounding is monotone, so the maximum
  // of the quotients is the quotient of the maximum.
  const double rate = max_out / g_.dx;
  return rate == 0 ? 0 : std::max(1, static_cast<int>(std::ceil(dt * rate / 0.5)));
}

int Chemotaxis::step(GridVector& u, const double* c, double dt) {
  if (chi_ == 0 || k1_ <= k0_) return 0;
  // The substep count needs the largest outflow over the grid, the sum of the outward speeds
  // through each cell's six faces. When the last step took one substep (the usual case) this step
  // takes it first, for the whole of dt, and keeps it if one suffices. On the way it sums the
  // outflow cell by cell only in the rows whose face speeds allow more than one substep (see
  // substep): if some cell needs more, its row is among them, and so is the largest outflow; if
  // none does, the count is 1, or 0 where nothing moves. After a step of several substeps a pass
  // of its own measures the outflow. Either way the count and every substep are the same, so the
  // result does not depend on which way was taken.
  const bool tentative = last_substeps_ <= 1;
  int n;
  if (tentative) {
    Outflow check;
    substep(u.data(), c, scratch_.data(), dt, &check);
    n = substeps(check.max_out, dt);
    if (n <= 1) n = check.any ? 1 : 0;
  } else {
    ++outflow_passes_;
    n = substeps(max_out_rate(c), dt);
  }
  last_substeps_ = n;
  if (n == 0) return 0;
  const double h = dt / n;
  const std::size_t b = std::size_t(k0_) * g_.plane(), e = std::size_t(k1_) * g_.plane();
  // Substeps alternate between u and the scratch array. An odd count ends in the scratch array,
  // which then becomes u (a swap rather than a copy of the whole field); only the levels outside
  // the active range, which no substep writes, are copied over first.
  double* src = u.data();
  double* dst = scratch_.data();
  if (tentative && n == 1)
    std::swap(src, dst);
  else
    for (int s = 0; s < n; ++s) {
      substep(src, c, dst, h, nullptr);
      std::swap(src, dst);
    }
  if (src != u.data()) {
    std::copy(u.begin(), u.begin() + b, scratch_.begin());
    std::copy(u.begin() + e, u.end(), scratch_.begin() + e);
    u.swap(scratch_);
  }
  return n;
}

}  // namespace mnsim
