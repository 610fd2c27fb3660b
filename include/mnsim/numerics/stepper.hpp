#pragma once
#include <array>
#include <vector>

#include "mnsim/core/fields.hpp"
#include "mnsim/model/tissue.hpp"
#include "mnsim/numerics/chemotaxis.hpp"
#include "mnsim/numerics/diffusion.hpp"
#include "mnsim/sim/observables.hpp"

namespace mnsim {

// One time step by Lie operator splitting: chemotaxis of fibroblasts (explicit, limited upwind,
// subcycled), implicit LOD diffusion of T, N, P, F, then the pointwise reaction step. Every part is
// first order in time and positivity preserving, so the whole step is first order (the
// verification tests measure it); Strang symmetrisation would not raise the order because the
// backward-Euler substeps are themselves first order. The diffusion's lateral sweeps of each level
// run just before the level's reaction, in the same pass over the state (TissueModel::react);
// the result is bitwise that of the operators applied one after another.
class SplitStepper {
 public:
  SplitStepper(const TissueModel& model, const Grid& g);
  // Returns the number of chemotaxis substeps taken; with `totals`, also the level totals of
  // the new state (taken inside the reaction pass).
  int step(State& s, double dt, LevelTotals* totals = nullptr);

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
// (total + floor), aimed at `tol`. This goal-oriented norm converges with the grid, so the step
// sequence is nearly the same on every grid and the temporal error cancels in a grid-convergence
// study; a max or RMS norm over voxels would follow a channel's unresolved centre and differ from
// grid to grid. Diffusion moves mass without changing totals, so its local error is controlled
// only through what it does to the reactions. Working on totals also means the controller reads
// no voxel data at all: it is fed the per-level totals the observables need anyway.
class StepController {
 public:
  // `floor` is the absolute floor of each field's total per cell (1e-3 of its natural scale).
  StepController(const Grid& g, const LayerMap& layers, double tol, double first_step, double max_step,
                 std::array<double, kNumFields> floor);
  double proposal() const { return dt_; }
  // Restart from the first step with `now` as the reference (after a session, whose jump the
  // history must not see).
  void reset(const LevelTotals& now);
  // Measures the step just taken (length h, ending at totals `now`) and sets the next proposal.
  // `truncated` says h was shortened to land on an event. Returns the error norm (1 = tol).
  double accept(const LevelTotals& now, double h, bool truncated);

 private:
  std::vector<double> region_totals(const LevelTotals& t) const;
  double tol_, first_, max_;
  std::array<double, kNumFields> floor_;
  double dt_, h_prev_ = 0;
  bool have_history_ = false;
  std::vector<std::pair<int, int>> regions_;  // [k0, k1) level ranges
  std::vector<double> cells_;                 // cells per region
  std::vector<double> prev_total_, prev_delta_;  // regions x fields
  friend class Simulation;  // checkpoints save and restore the history
};

}  // namespace mnsim
