#include "mnsim/numerics/stepper.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "mnsim/core/errors.hpp"

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

int SplitStepper::step(State& s, double dt) {
  const int sub = chemotaxis_.step(s[F], s[T], dt);
  for (auto& [field, op] : diffusion_) op.step(s[field], dt);
  model_.react(s, dt);
  return sub;
}

StepController::StepController(const Grid& g, const LayerMap& layers, double tol, double first_step, double max_step,
                               std::array<double, kNumFields> scale)
    : g_(g), tol_(tol), first_(first_step), max_(max_step), scale_(scale), dt_(std::min(first_step, max_step)) {
  // Regions whose totals are controlled: runs of levels of the same layer (hypodermis is inert).
  for (int k = 0; k < g.nz;) {
    int e = k;
    while (e < g.nz && layers.of_level[e] == layers.of_level[k]) ++e;
    if (layers.of_level[k] != Layer::Hypodermis) regions_.push_back({k, e});
    k = e;
  }
  for (auto& v : prev_delta_) v.assign(g.size(), 0.0);
  for (auto& v : next_delta_) v.assign(g.size(), 0.0);
}

void StepController::reset() {
  dt_ = std::min(first_, max_);
  have_history_ = false;
}

double StepController::accept(const State& before, const State& after, double h, bool truncated) {
  const double r = have_history_ ? h / h_prev_ : 0.0;
  const double w = have_history_ ? h / (h + h_prev_) : 0.0;
  const std::size_t plane = g_.plane();
  // Per level and field: signed sum of the error, sum of |u|, and the first bad voxel (or -1). Levels
  // are summed by one thread each and combined in order, so the norm, and with it every step
  // size, is the same whatever the thread count.
  std::vector<double> err(std::size_t(g_.nz) * kNumFields, 0.0), mag(err.size(), 0.0);
  std::vector<long long> bad(g_.nz, -1);
#pragma omp parallel for schedule(static)
  for (int k = 0; k < g_.nz; ++k) {
    for (int f = 0; f < kNumFields; ++f) {
      const double* a = before[f] + k * plane;
      const double* b = after[f] + k * plane;
      const double* d = prev_delta_[f].data() + k * plane;
      double* dn = next_delta_[f].data() + k * plane;
      const double floor_neg = -1e-9 * scale_[f];
      double acc = 0, size = 0;
      for (std::size_t i = 0; i < plane; ++i) {
        const double delta = b[i] - a[i];
        if (bad[k] < 0 && (!std::isfinite(b[i]) || b[i] < floor_neg))
          bad[k] = static_cast<long long>(f) * g_.size() + k * plane + i;
        acc += delta - r * d[i];
        size += std::fabs(b[i]);
        dn[i] = delta;
      }
      err[std::size_t(k) * kNumFields + f] = w * acc;
      mag[std::size_t(k) * kNumFields + f] = size;
    }
  }
  for (int k = 0; k < g_.nz; ++k) {
    if (bad[k] < 0) continue;
    const int f = static_cast<int>(bad[k] / g_.size());
    const std::size_t i = bad[k] % g_.size();
    const int x = i % g_.nx, y = (i / g_.nx) % g_.ny, z = i / plane;
    std::ostringstream os;
    os << "numerics: field " << field_info(f).name << " became " << after[f][i] << " at cell (x=" << x << ", y=" << y
       << ", z=" << z << ") after a step of " << h << " day";
    throw NumericalError(os.str());
  }
  double norm = 0;
  for (int f = 0; f < kNumFields; ++f) {
    for (const auto& [k0, k1] : regions_) {
      double e = 0, m = 0;
      for (int k = k0; k < k1; ++k) {
        e += err[std::size_t(k) * kNumFields + f];
        m += mag[std::size_t(k) * kNumFields + f];
      }
      norm = std::max(norm, std::fabs(e) / (scale_[f] * static_cast<double>(plane * (k1 - k0)) + m));
    }
  }
  norm /= tol_;
  std::swap(prev_delta_, next_delta_);
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
