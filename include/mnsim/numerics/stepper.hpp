#pragma once
#include <array>
#include <vector>

#include "mnsim/core/fields.hpp"
#include "mnsim/model/tissue.hpp"
#include "mnsim/numerics/chemotaxis.hpp"
#include "mnsim/numerics/diffusion.hpp"

namespace mnsim {

// One time step by Lie operator splitting: chemotaxis of fibroblasts (explicit, limited upwind,
// subcycled), implicit LOD diffusion of T, N, P, F, then the pointwise reaction step. Every part is
// first order in time and positivity preserving, so the whole step is first order (the
// verification tests measure it); Strang symmetrisation would not raise the order because the
// backward-Euler substeps are themselves first order.
class SplitStepper {
 public:
  SplitStepper(const TissueModel& model, const Grid& g);
  // Returns the number of chemotaxis substeps taken.
  int step(State& s, double dt);

 private:
  const TissueModel& model_;
  std::vector<std::pair<int, ImplicitDiffusion>> diffusion_;
  Chemotaxis chemotaxis_;
};

// Step-size control from a local error estimate: for a first-order scheme the local error of a
// step of length h is about (h^2 / 2) |u''|, and u'' is estimated from the last two steps'
// changes (a divided difference, no extra solve). The controlled quantities are the totals of
// every field over every layer (epidermis, papillary, reticular dermis), the quantities all the
// observables are made of: norm = max over fields and layers of |error of the total| /
// (sum |u| + floor), aimed at `tol`. This goal-oriented norm converges with the grid, so the
// step sequence is nearly the same on every grid and the temporal error cancels in a
// grid-convergence study; a max or RMS norm over voxels would follow a channel's unresolved
// centre and differ from grid to grid. Diffusion moves mass without changing totals, so its
// local error is controlled only through what it does to the reactions.
class StepController {
 public:
  StepController(const Grid& g, const LayerMap& layers, double tol, double first_step, double max_step, std::array<double, kNumFields> scale);
  double proposal() const { return dt_; }
  // Restart from the first step (after a session: the history no longer predicts the future).
  void reset();
  // Measures the step just taken (from `before` to `after`, length h), checks the state is
  // finite and non-negative (throws NumericalError naming field and position otherwise), and
  // sets the next proposal. `truncated` says h was shortened to land on an event.
  double accept(const State& before, const State& after, double h, bool truncated);

 private:
  Grid g_;
  double tol_, first_, max_;
  std::array<double, kNumFields> scale_;
  double dt_, h_prev_ = 0;
  bool have_history_ = false;
  // Changes of the last accepted step; the step being measured writes into next_delta_ and the
  // two swap only when the step is accepted, so a failed step leaves the history intact.
  std::array<std::vector<double>, kNumFields> prev_delta_, next_delta_;
  friend class Simulation;  // checkpoints save and restore the history
  std::vector<std::pair<int, int>> regions_;  // [k0, k1) level ranges
};

}  // namespace mnsim
