#pragma once
#include <vector>

#include "mnsim/core/grid.hpp"

namespace mnsim {

// Chemotaxis of u up the gradient of an attractant c: flux chi * u * grad(c) / (1 + c/K)^2.
// Finite volumes with a second-order upwind reconstruction limited by minmod, explicit in time.
// The step is split into substeps so that the outflow of every cell in one substep is at most
// half its content: with minmod the face value is at most 1.5 times the cell value, so u stays
// non-negative by construction. Faces outside [k0, k1) along z carry no flux.
class Chemotaxis {
 public:
  Chemotaxis(const Grid& g, double chi, double K, int k0, int k1);
  // Advances u by dt with c frozen over the step; returns the number of substeps taken.
  int step(double* u, const double* c, double dt);

 private:
  void face_velocities(const double* c);
  void substep(const double* u, double* out, double dt) const;

  Grid g_;
  double chi_, K_;
  int k0_, k1_;
  std::vector<double> vx_, vy_, vz_;  // velocity at the face on the +x/+y/+z side of each cell
  std::vector<double> scratch_;
  double max_out_rate_ = 0;           // max over cells of the outflow velocities / dx
};

}  // namespace mnsim
