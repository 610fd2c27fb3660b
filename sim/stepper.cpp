#include "mnsim/numerics/stepper.hpp"

#include <algorithm>
#include <cmath>


namespace mnsim {

namespace {
std::vector<double> baseline_profile(const TissueModel& m, int field, int nz) {
  std::vector<double> w(nz);
  for (int k = 0; k < nz; ++k) w[k] = m.baseline(field, k);
  return w;
}
}  // namespace

SplitStepper::SplitStepper(const TissueModel& model, const Grid& g)
    : model_(model),
      chemotaxis_(g, model.params().chi_F, model.params().K_chi, model.layers().dermis_begin, model.layers().dermis_end) {
  const ModelParams& p = model.params();
  const LayerMap& l = model.layers();
  // Soluble factors live in the epidermis and dermis; cells only in the dermis.
  const struct { int field; double D; int k0, k1; } kinds[] = {
      {T, p.D_T, 0, l.skin_end},
      {N, p.D_N, l.dermis_begin, l.dermis_end},
      {P, p.D_P, 0, l.skin_end},
      {F, p.D_F, l.dermis_begin, l.dermis_end},
  };
  for (const auto& k : kinds)
    diffusion_.emplace_back(k.field, ImplicitDiffusion(g, k.D, baseline_profile(model, k.field, g.nz), k.k0, k.k1));
}

int SplitStepper::step(State& s, double dt, LevelTotals* totals) {
  const int sub = chemotaxis_.step(s.f[F], s[T], dt);
  // Diffusion (its z sweeps here, its lateral sweeps level by level) and then the reaction, each
  // level's sweeps just before the level reacts (TissueModel::react): one pass over the state for
  // both instead of one for the sweeps of each field and one for the reaction.
  for (auto& [field, op] : diffusion_)
    if (op.begin(dt)) op.z_sweep(s[field]);
  model_.react(s, dt, totals, [&](int k) {
    for (auto& [field, op] : diffusion_) op.lateral_sweeps(s[field], k);
  });
  return sub;
}

StepController::StepController(const Grid& g, const LayerMap& layers, double tol, double first_step, double max_step,
                               std::array<double, kNumFields> floor)
    : tol_(tol), first_(first_step), max_(max_step), floor_(floor), dt_(std::min(first_step, max_step)) {
  // Regions whose totals are controlled: runs of levels of the same layer (hypodermis is inert).
  for (int k = 0; k < g.nz;) {
    int e = k;
    while (e < g.nz && layers.of_level[e] == layers.of_level[k]) ++e;
    if (layers.of_level[k] != Layer::Hypodermis) {
      regions_.push_back({k, e});
      cells_.push_back(static_cast<double>(g.plane()) * (e - k));
    }
    k = e;
  }
  prev_total_.assign(regions_.size() * kNumFields, 0.0);
  prev_delta_.assign(regions_.size() * kNumFields, 0.0);
}

std::vector<double> StepController::region_totals(const LevelTotals& t) const {
  std::vector<double> out(regions_.size() * kNumFields, 0.0);
  for (std::size_t r = 0; r < regions_.size(); ++r)
    for (int k = regions_[r].first; k < regions_[r].second; ++k)
      for (int f = 0; f < kNumFields; ++f) out[r * kNumFields + f] += t.at(k, f);
  return out;
}

void StepController::reset(const LevelTotals& now) {
  dt_ = std::min(first_, max_);
  have_history_ = false;
  prev_total_ = region_totals(now);
}

double StepController::accept(const LevelTotals& now, double h, bool truncated) {
  const double r = have_history_ ? h / h_prev_ : 0.0;
  const double w = have_history_ ? h / (h + h_prev_) : 0.0;
  const std::vector<double> total = region_totals(now);
  double norm = 0;
  for (std::size_t i = 0; i < total.size(); ++i) {
    const double delta = total[i] - prev_total_[i];
    const double scale = floor_[i % kNumFields] * cells_[i / kNumFields] + std::fabs(total[i]);
    norm = std::max(norm, w * std::fabs(delta - r * prev_delta_[i]) / scale);
    prev_delta_[i] = delta;
  }
  prev_total_ = total;
  norm /= tol_;
  // Steps move on a ladder first_step * 2^n (capped at max_step) with a hysteresis band: halve
  // when the error is above the tolerance, double when it is below a fifth of it (the local
  // error grows ~4x on doubling). Small differences in the norm, such as two grids give, then
  // rarely change a decision, and the step sequences, and so the temporal errors, agree.
  if (norm > 1.0)
    dt_ = std::max(first_, 0.5 * dt_);
  else if (!have_history_ || (norm < 0.2 && !truncated))
    dt_ = std::min(max_, 2.0 * dt_);
  h_prev_ = h;
  have_history_ = true;
  return norm;
}

}  // namespace mnsim
