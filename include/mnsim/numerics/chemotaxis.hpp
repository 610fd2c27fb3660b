#pragma once
#include <vector>

#include "mnsim/core/grid.hpp"
#include "mnsim/core/memory.hpp"

namespace mnsim {

// Chemotaxis of u up the gradient of an attractant c: flux chi * u * grad(c) / (1 + c/K)^2.
// Finite volumes with a second-order upwind reconstruction limited by minmod, explicit in time.
// The step is split into substeps so that the outflow of every cell in one substep is at most
// half its content: with minmod the face value is at most 1.5 times the cell value, so u stays
// non-negative by construction. Faces outside [k0, k1) along z carry no flux. Face velocities are
// recomputed from c where they are needed rather than stored: arithmetic is cheaper than the memory
// traffic of three velocity arrays.
class Chemotaxis {
 public:
  // How rows that have all their faces are computed: in one pass where that is faster (with
  // AVX-512), or always so, or one face direction at a time, as the other rows always are. The
  // results are bitwise the same; the tests compare the ways.
  enum class Rows { best, fused, by_direction };
  Chemotaxis(const Grid& g, double chi, double K, int k0, int k1, Rows rows = Rows::best);
  // Advances u by dt with c frozen over the step; returns the number of substeps taken.
  // u is a whole field (grid.size() values); it may trade its storage with the operator's scratch.
  int step(GridVector& u, const double* c, double dt);
  // How many steps measured the outflow in a pass of their own (the others in their first
  // substep).
  long outflow_passes() const { return outflow_passes_; }

 private:
  // What the first substep of a step learns about the outflow.
  struct Outflow {
    bool any = false;    // some face has a velocity
    double max_out = 0;  // the largest total outflow velocity of a cell, where it allows more
                         // than one substep (else 0 or less than that)
  };
  double max_out_rate(const double* c);  // max over cells of the total outflow velocity
  struct OutflowRows;  // a thread's rows for row_outflow (sim/chemotaxis.cpp)
  struct SubstepRows;  // and for a substep, which include those
  // The largest total outflow velocity of the cells of row j on level k.
  double row_outflow(const double* c, int j, int k, const OutflowRows& rows) const;
  int substeps(double max_out, double dt) const;  // the count for the largest outflow velocity
  // One explicit substep from u into out; with check, also what it asks for.
  void substep(const double* u, const double* c, double* out, double dt, Outflow* check);

  // Rows a thread works with (sim/chemotaxis.cpp), kept across calls so that a substep allocates
  // nothing: the padded rows of u and c, the fluxes through one row's faces, for a task's block of
  // rows the z-face fluxes kept for the next level and their largest speed per row, and the rows
  // of row_outflow.
  AlignedRows& thread_rows();  // the calling thread's, sized and rewound (inside a parallel region)
  int block_rows() const;      // rows in the block of a substep's task

  Grid g_;
  double chi_, K_;
  int k0_, k1_;
  bool fused_rows_;  // rows with all their faces in one pass
  GridVector scratch_;
  ThreadRows rows_;
  int last_substeps_ = 1;        // the count of the last step
  long outflow_passes_ = 0;
};

}  // namespace mnsim
