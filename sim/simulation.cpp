#include "mnsim/sim/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "mnsim/core/errors.hpp"

namespace mnsim {

Simulation::Simulation(const Config& c) {
  grid_.nx = static_cast<int>(c.integer("grid.nx"));
  grid_.ny = static_cast<int>(c.integer("grid.ny"));
  grid_.nz = static_cast<int>(c.integer("grid.nz"));
  grid_.dx = c.real("grid.dx");
  skin_.epidermis = c.real("skin.epidermis");
  skin_.papillary = c.real("skin.papillary");
  skin_.reticular = c.real("skin.reticular");
  const LayerMap layers(grid_, skin_);
  if (layers.dermis_end - layers.dermis_begin < 1 || layers.dermis_begin < 1)
    throw ConfigError("config: grid.dx = '" + c.text("grid.dx") +
                      "': too coarse to resolve the epidermis and dermis; allowed grid.dx <= skin.epidermis");
  const ModelParams p = ModelParams::from(c);
  model_ = std::make_unique<TissueModel>(p, grid_, layers);
  schedule_ = build_schedule(c);
  for (const auto& s : schedule_)
    if (s.device.type == "single" && grid_.nx == 1)
      throw ConfigError("config: device.type = 'single': a single channel needs a lateral extent (grid.nx >= 3); allowed in 1D {roller,stamp,pen,random}");
  seed_ = static_cast<std::uint64_t>(c.integer("run.seed"));
  end_ = c.real("time.end");
  output_interval_ = c.real("time.output_interval");

  state_ = State(grid_);
  model_->set_baseline(state_);
  initial_ = state_;
  stepper_ = std::make_unique<SplitStepper>(*model_, grid_);
  // Absolute floors of the error norm, per voxel: 1e-3 of each field's natural scale, so fields
  // that are zero at rest (pores, damage, latent TGF-beta, activation) are measured relative to
  // their own content once a session has made some.
  std::array<double, kNumFields> scale{};
  for (int f = 0; f < kNumFields; ++f) scale[f] = 1e-3;
  scale[L] = 1e-3 * std::max(p.L_dose, 1.0);
  scale[T] = 1e-3 * p.T0;
  scale[N] = 1e-3 * p.N0;
  scale[P] = 1e-3 * p.P0;
  scale[F] = 1e-3 * std::max(p.F0_pap, p.F0_ret);
  scale[En] = 1e-3 * p.En0;
  controller_ = std::make_unique<StepController>(grid_, layers, c.real("time.tolerance"), c.real("time.first_step"),
                                                 c.real("time.max_step"), scale);
  observables_ = std::make_unique<Observables>(*model_, initial_);
  observables_->totals(state_, totals_);
  controller_->reset(totals_);
  series_.names = observables_->names();
  series_.units = observables_->units();
}

void Simulation::record(double t) {
  observables_->measure(totals_, thickening_, scratch_);
  series_.record(t, scratch_);
}

void Simulation::apply_session(const Session& s, int index) {
  const Needle needle = s.device.needle(skin_.dermis_bottom());
  const double density = s.device.expected_density();
  auto punctures = place_punctures(s.device, patch_of(grid_), seed_, index);
  const auto chi = channel_indicator(grid_, needle, punctures, density);
  model_->apply_session(state_, chi, s.device.destroy_cells, s.device.destroy_collagen, s.device.destroy_elastin);
  // In 1D there are no discrete punctures: report the expected count per cm^2 of surface.
  const long count = grid_.nx > 1 ? static_cast<long>(punctures.size()) : std::lround(100 * density);
  records_.push_back({s.day, s.device.type, s.device.needle_length, 100 * density, count, needle.depth, needle.r_surface,
                      std::move(punctures)});
}

void Simulation::set_mark() {
  mark_.state = state_;
  mark_.controller = *controller_;
  mark_.totals = totals_;
  mark_.stats = stats_;
  mark_.thickening = thickening_;
  mark_.t = t_;
  mark_.next_session = next_session_;
  mark_.series_length = series_.time.size();
  mark_.records = records_.size();
  mark_.next_output = next_output_;
}

void Simulation::rewind_to_mark() {
  state_.f = mark_.state.f;
  *controller_ = *mark_.controller;
  totals_ = mark_.totals;
  stats_ = mark_.stats;
  thickening_ = mark_.thickening;
  t_ = mark_.t;
  next_session_ = mark_.next_session;
  series_.time.resize(mark_.series_length);
  for (auto& v : series_.values) v.resize(mark_.series_length);
  records_.resize(mark_.records);
  next_output_ = mark_.next_output;
}

Simulation::Outcome Simulation::run(const SnapshotFn& on_output, const ProgressFn& on_step, const StopFn& stop) {
  if (!started_) {
    record(0.0);
    if (on_output) on_output(0.0, state_);
    started_ = true;
  }
  set_mark();
  const double tol_t = time_tolerance();
  while (t_ < end_ - tol_t) {
    try {
      advance(on_output, on_step);
    } catch (const NumericalError&) {
      const long good_steps = stats_.steps;
      rewind_to_mark();
      while (stats_.steps < good_steps) advance({}, {});
      throw;
    }
    if (stop && stop() && t_ < end_ - tol_t) return Outcome::Stopped;
  }
  return Outcome::Complete;
}

void Simulation::advance(const SnapshotFn& on_output, const ProgressFn& on_step) {
  const ModelParams& p = model_->params();
  const double tol_t = time_tolerance();
  while (next_session_ < schedule_.size() && schedule_[next_session_].day <= t_ + tol_t) {
    apply_session(schedule_[next_session_], static_cast<int>(next_session_));
    ++next_session_;
    observables_->totals(state_, totals_);
    controller_->reset(totals_);
  }
  double t_event = end_;
  if (next_session_ < schedule_.size()) t_event = std::min(t_event, schedule_[next_session_].day);
  const double t_output = next_output_ * output_interval_;
  t_event = std::min(t_event, t_output);
  // Land exactly on the event; split the remaining gap evenly rather than leave a sliver.
  double h = controller_->proposal();
  bool truncated = false;
  const double gap = t_event - t_;
  if (h >= gap - tol_t) {
    h = gap;
    truncated = true;
  } else if (h > 0.5 * gap) {
    h = 0.5 * gap;
  }
  const int substeps = stepper_->step(state_, h, &totals_);
  if (!totals_.valid) {
    std::ostringstream os;
    os << observables_->bad_value(state_) << " in the step from day " << t_ << " to day " << t_ + h;
    throw NumericalError(os.str());
  }
  stats_.chemotaxis_substeps += substeps;
  controller_->accept(totals_, h, truncated);
  t_ = truncated ? t_event : t_ + h;
  ++stats_.steps;
  stats_.min_step = stats_.steps == 1 ? h : std::min(stats_.min_step, h);
  stats_.max_step = std::max(stats_.max_step, h);

  // Epidermal thickening observable, implicit in its own relaxation.
  observables_->measure(totals_, thickening_, scratch_);
  const double excess = scratch_[Observables::papillary_tgf_index()] / p.T0 - 1.0;
  thickening_ = (thickening_ + h * p.a_eps * excess) / (1 + h / p.tau_eps);
  scratch_[Observables::thickening_index()] = 100.0 * thickening_;
  series_.record(t_, scratch_);

  if (t_ >= t_output - tol_t) {
    if (on_output) on_output(t_, state_);
    ++next_output_;
    set_mark();
  } else if (t_ >= end_ - tol_t && on_output) {
    on_output(t_, state_);
  }
  if (on_step)
    on_step({t_, end_, h, stats_.steps, static_cast<int>(next_session_), static_cast<int>(schedule_.size())});
}

}  // namespace mnsim
