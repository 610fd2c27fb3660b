#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "mnsim/io/config.hpp"

namespace mnsim::sweep {

// One [vary] key: a list of values (grid mode) or a range (lhs mode).
struct Axis {
  std::string key;
  std::vector<std::string> values;  // grid: the items as written, units included
  double lo = 0, hi = 0;            // lhs: the range in the key's documented unit
  bool log = false;                 // lhs: sample uniformly in log(value)
};

// A sweep specification (INTERFACE.md, "Sweeps"), validated as it is read: every message is one
// line naming the section, key, value and what is allowed (ConfigError, exit 2).
struct Spec {
  std::string path;        // the spec file
  std::string text;        // its content, stored in summary.h5 for provenance
  std::string base_path;   // the base run config, resolved against the spec's folder
  std::string base_text;   // its content
  std::string mode = "grid";
  long samples = 0;        // lhs only
  std::uint64_t seed = 1;  // lhs only
  std::vector<Axis> vary;
  std::vector<std::string> set;         // "key=value", applied to every run before the varied keys
  std::vector<double> days;             // [collect] days
  std::vector<double> after_last;       // [collect] after_last_session: days after each run's last session

  static Spec load(const std::string& path);
  static Spec from_text(const std::string& text, const std::string& path);
};

// One run of a sweep: its stable id and the value of each varied key as given to the config.
struct Run {
  std::size_t index = 0;
  std::string id;                   // r000, r001, ... (wider when there are more than 1000 runs)
  std::vector<std::string> values;  // one per Spec::vary, in the same order
};

// The runs of a sweep in a stable order: grid mode is the cartesian product with the first
// [vary] key varying slowest; lhs mode is `samples` points of a Latin hypercube drawn from a
// generator keyed on `seed` (the same spec gives the same runs on any machine).
std::vector<Run> plan(const Spec& spec);

// A run's effective configuration: the base config, then [set], then the run's varied values.
Config run_config(const Spec& spec, const Run& run);

// Latin hypercube in the unit cube: `n` points in `dims` dimensions, each dimension's n strata
// holding exactly one point; point i, dimension d at [i * dims + d]. Exposed for tests.
std::vector<double> latin_hypercube(std::size_t n, std::size_t dims, std::uint64_t seed);

// Column label of a collect day in summary files: "120", "90.5".
std::string day_label(double day);

}  // namespace mnsim::sweep
