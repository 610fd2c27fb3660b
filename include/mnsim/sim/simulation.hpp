#pragma once
#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
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
  using StopFn = std::function<bool()>;
  enum class Outcome { Complete, Stopped };
  // Runs to time.end from where it stands (day 0, or a restored checkpoint). `on_output` sees
  // the state at day 0, every output interval and the end; `on_step` is called after every
  // step, when the whole simulation state is consistent (a checkpoint may be taken there);
  // `stop` is asked after every step and ends the run early when it says so. A step that
  // produces a NaN or a negative value throws NumericalError with the simulation left at the
  // last good step.
  Outcome run(const SnapshotFn& on_output = {}, const ProgressFn& on_step = {}, const StopFn& stop = {});

  double day() const { return t_; }
  // Everything needed to continue bitwise as if never stopped: state, step history, loop
  // position, time series, session records. `snapshots` is how many field snapshots the run
  // file holds at this point; `config_ini` the effective configuration (checked on restart).
  void save_checkpoint(const std::string& path, const std::string& config_ini, long snapshots) const;
  // Restores a checkpoint written by a run of the same physics (the caller checks the
  // configuration); returns the number of snapshots the run file held when it was written.
  long load_checkpoint(const std::string& path);
  // The effective configuration stored in a checkpoint.
  static std::string checkpoint_config(const std::string& path);

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
  // Times closer than this count as equal (events are landed on exactly, up to rounding).
  double time_tolerance() const { return 1e-12 * std::max(end_, 1.0); }
  // One step to the next event (applying any session due first), then the output if one falls
  // there. Throws NumericalError if the step produced a bad value; nothing was committed then
  // except the state itself.
  void advance(const SnapshotFn& on_output, const ProgressFn& on_step);

  // The loop's position at the last output. Keeping a copy of the state every step for the case
  // of a numerical failure would cost a full pass over memory per step; instead a failure
  // rewinds to this mark and replays the steps up to the last good one, which the run being
  // deterministic reproduces bitwise.
  struct Mark {
    State state;
    std::optional<StepController> controller;
    LevelTotals totals;
    RunStats stats;
    double thickening = 0, t = 0;
    std::size_t next_session = 0, series_length = 0, records = 0;
    long next_output = 1;
  };
  void set_mark();
  void rewind_to_mark();

  Grid grid_;
  SkinLayers skin_;
  std::unique_ptr<TissueModel> model_;
  std::vector<Session> schedule_;
  std::uint64_t seed_;
  double end_, output_interval_;
  State state_, initial_;
  Mark mark_;
  std::unique_ptr<SplitStepper> stepper_;
  std::unique_ptr<StepController> controller_;
  std::unique_ptr<Observables> observables_;
  Timeseries series_;
  LevelTotals totals_;  // of the current state
  std::vector<SessionRecord> records_;
  RunStats stats_;
  double thickening_ = 0;
  double t_ = 0;
  std::size_t next_session_ = 0;
  long next_output_ = 1;
  bool started_ = false;
  std::vector<double> scratch_;
};

}  // namespace mnsim
