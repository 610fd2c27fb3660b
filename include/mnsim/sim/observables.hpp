#pragma once
#include <array>
#include <string>
#include <vector>

#include "mnsim/core/fields.hpp"
#include "mnsim/model/tissue.hpp"

namespace mnsim {

// Scalar time series (MODEL.md section 7), named "<region>/<name>" as in /timeseries of run.h5.
struct Timeseries {
  std::vector<double> time;
  std::vector<std::string> names, units;
  std::vector<std::vector<double>> values;
  void record(double t, const std::vector<double>& v);
  const std::vector<double>& get(const std::string& name) const;  // throws std::out_of_range
  // Linear interpolation of a series at day t (clamped to the recorded range).
  double at(const std::string& name, double t) const;
};

// Region averages and % changes against the run's own baseline. Sums are taken per z-level by one
// thread each and then added in level order, so the numbers do not depend on the thread count.
class Observables {
 public:
  Observables(const TissueModel& model, const State& baseline);
  static const std::vector<std::string>& regions();
  // Names and units, in the order measure() fills them.
  std::vector<std::string> names() const;
  std::vector<std::string> units() const;
  // Fills `t` from the state. Throws NumericalError naming the field and cell of the first NaN,
  // infinity or value below -1e-9 of the field's natural scale (beyond round-off).
  void totals(const State& s, LevelTotals& t) const;
  // That message for a state whose totals came out invalid.
  std::string bad_value(const State& s) const;
  // `thickening` is the epidermal-thickening observable (relative), integrated by the caller.
  void measure(const LevelTotals& t, double thickening, std::vector<double>& out) const;
  // Index in measure()'s output of the papillary mean active TGF-beta (drives the thickening).
  static std::size_t papillary_tgf_index();
  static std::size_t thickening_index();

 private:
  std::vector<double> region_sums(const LevelTotals& t) const;  // regions x LevelTotals::kCount
  const TissueModel& model_;
  std::vector<double> base_;  // baseline region sums
};

}  // namespace mnsim
