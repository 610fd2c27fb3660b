#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mnsim/core/fields.hpp"
#include "mnsim/io/config.hpp"
#include "mnsim/model/tissue.hpp"
#include "mnsim/numerics/stepper.hpp"
#include "mnsim/protocol/schedule.hpp"
#include "mnsim/sim/observables.hpp"

namespace mnsim {

struct Progress {
  double day = 0, end = 0, dt = 0;
  long steps = 0;
  int sessions_done = 0, sessions_total = 0;
};

struct RunStats {
  long steps = 0;
  double min_step = 0, max_step = 0;
  long chemotaxis_substeps = 0;
};

// The run loop: advance to the next event (session, output, end) with adaptive steps that land
// on it exactly, fire the event, repeat. Observers are callbacks; the loop knows nothing of files.
class Simulation {
 public:
  explicit Simulation(const Config& config);

  using SnapshotFn = std::function<void(double day, const State& s)>;
  using ProgressFn = std::function<void(const Progress& p)>;
  // Runs from day 0 to time.end. `on_output` sees the state at day 0, every output interval and
  // the end; `on_step` is called after every step.
  void run(const SnapshotFn& on_output = {}, const ProgressFn& on_step = {});

  const Grid& grid() const { return grid_; }
  const TissueModel& model() const { return *model_; }
  const State& state() const { return state_; }
  const State& initial() const { return initial_; }
  const Timeseries& series() const { return series_; }
  const std::vector<Session>& schedule() const { return schedule_; }
  const std::vector<SessionRecord>& sessions_done() const { return records_; }
  const RunStats& stats() const { return stats_; }

 private:
  void apply_session(const Session& s, int index);
  void record(double t);

  Grid grid_;
  SkinLayers skin_;
  std::unique_ptr<TissueModel> model_;
  std::vector<Session> schedule_;
  std::uint64_t seed_;
  double end_, output_interval_;
  State state_, initial_, before_;
  std::unique_ptr<SplitStepper> stepper_;
  std::unique_ptr<StepController> controller_;
  std::unique_ptr<Observables> observables_;
  Timeseries series_;
  std::vector<SessionRecord> records_;
  RunStats stats_;
  double thickening_ = 0;
  std::vector<double> scratch_;
};

}  // namespace mnsim
