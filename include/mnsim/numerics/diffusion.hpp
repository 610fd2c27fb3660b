#pragma once
#include <vector>

#include "mnsim/core/grid.hpp"
#include "mnsim/core/memory.hpp"
#include "mnsim/numerics/tridiagonal.hpp"

namespace mnsim {

// Backward-Euler diffusion, split by direction (locally one-dimensional, LOD): x and y are
// periodic with constant coefficients (cyclic Thomas via Sherman-Morrison), z has no flux at the
// ends of the field's active range [k0, k1). Every sweep is unconditionally stable and keeps u
// non-negative (M-matrix), and conserves the total exactly in exact arithmetic.
//
// Along z the flux is D * w_face * d(u/w)/dz with a baseline profile w(z) (harmonic mean at
// faces). A field equal to its layered baseline (u = w, e.g. fibroblasts at 4000 / 2500 cells/mm^3
// in the papillary / reticular dermis) then has no flux at all, so homeostasis is exact; for a
// uniform w this is ordinary diffusion D * d2u/dz2.
//
// The z sweep runs first, then the x and y sweeps level by level. The three operators commute
// (x and y have the same matrix on every level and every line, z the same on every column), so
// the order changes only round-off; lateral sweeps last let a caller run them level by level
// together with what follows them (SplitStepper: the reaction), the level in the cache for both.
class ImplicitDiffusion {
 public:
  ImplicitDiffusion(const Grid& g, double D, std::vector<double> weight_z, int k0, int k1);
  // One step: begin(dt), the z sweep and every level's lateral sweeps.
  void step(double* u, double dt);
  double coefficient() const { return D_; }

  // The parts of step() for a caller that runs the levels itself. begin() and z_sweep() outside
  // any parallel region; then lateral_sweeps() for each level k, inside one (each thread its own
  // levels, in any order: the levels are independent). Levels outside [k0, k1) are left alone.
  // Returns false if the step does nothing (D = 0 or an empty range).
  bool begin(double dt);
  void z_sweep(double* u) const;
  void lateral_sweeps(double* u, int k);

 private:
  void factor(double dt);

  // Constant-coefficient cyclic system (1 + 2a) u_i - a u_{i-1} - a u_{i+1} = r_i, factored once.
  struct Cyclic {
    int n = 0;
    double a = 0;
    Thomas thomas;      // the modified tridiagonal matrix
    Periodic periodic;  // the Sherman-Morrison correction
    std::vector<double> off, diag;  // its diagonals, kept so that a new dt allocates nothing
    void build(int n, double a);
  };

  Grid g_;
  double D_;
  std::vector<double> w_;
  int k0_, k1_;
  double dt_ = -1;
  Cyclic cx_, cy_;
  Thomas z_;
  std::vector<double> zl_, zd_, zu_;  // the diagonals of z_, kept like Cyclic's
  // Per thread, the transposed block of x lines, kept across calls so that a step allocates
  // nothing.
  ThreadRows rows_;
};

}  // namespace mnsim
