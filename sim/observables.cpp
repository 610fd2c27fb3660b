#include "mnsim/sim/observables.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "mnsim/core/errors.hpp"

namespace mnsim {

namespace {
constexpr int kRegions = 3;  // papillary, reticular, dermis
constexpr int kQ = LevelTotals::kCount;
constexpr int kCellsSlot = kQ;  // region sums carry the cell count after the totals

struct Series {
  const char* name;
  const char* units;
};
const Series kSeries[] = {
    {"collagen_total_pct", "%"}, {"collagen_I_pct", "%"}, {"collagen_III_pct", "%"},
    {"collagen_new_pct", "%"},   {"elastin_total_pct", "%"}, {"tropoelastin_pct", "%"},
    {"fibroblasts", "cells/mm^3"}, {"activated_fibroblasts", "1"}, {"inflammatory_cells", "cells/mm^3"},
    {"tgf_active", "ng/mL"},     {"mmp", "ng/mL"},          {"damaged_fraction", "1"},
    {"collagen_synthesis", "1"},
};
constexpr int kPerRegion = sizeof(kSeries) / sizeof(kSeries[0]);

bool in_region(int region, Layer l) {
  if (region == 0) return l == Layer::Papillary;
  if (region == 1) return l == Layer::Reticular;
  return l == Layer::Papillary || l == Layer::Reticular;
}

double pct(double now, double base) { return base > 0 ? 100.0 * (now / base - 1.0) : 0.0; }
}  // namespace

void Timeseries::record(double t, const std::vector<double>& v) {
  if (values.size() != v.size()) values.assign(v.size(), {});
  time.push_back(t);
  for (std::size_t i = 0; i < v.size(); ++i) values[i].push_back(v[i]);
}

const std::vector<double>& Timeseries::get(const std::string& name) const {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return values[i];
  throw std::out_of_range("no time series '" + name + "'");
}

double Timeseries::at(const std::string& name, double t) const {
  const auto& v = get(name);
  if (time.empty()) throw std::out_of_range("empty time series");
  if (t <= time.front()) return v.front();
  if (t >= time.back()) return v.back();
  const auto it = std::upper_bound(time.begin(), time.end(), t);
  const std::size_t i = it - time.begin();
  const double w = (t - time[i - 1]) / (time[i] - time[i - 1]);
  return v[i - 1] + w * (v[i] - v[i - 1]);
}

const std::vector<std::string>& Observables::regions() {
  static const std::vector<std::string> r = {"papillary", "reticular", "dermis"};
  return r;
}

Observables::Observables(const TissueModel& model, const State& baseline) : model_(model) {
  LevelTotals t;
  totals(baseline, t);
  base_ = region_sums(t);
}

void Observables::totals(const State& s, LevelTotals& t) const {
  model_.totals(s, t);
  if (!t.valid) throw NumericalError(bad_value(s));
}

std::string Observables::bad_value(const State& s) const {
  const Grid& g = s.grid;
  for (std::size_t c = 0; c < g.size(); c += g.plane())  // level by level, then field by field
    for (int f = 0; f < kNumFields; ++f)
      for (std::size_t i = c; i < c + g.plane(); ++i)
        if (!(s[f][i] >= model_.negative_floor(f) && s[f][i] < HUGE_VAL)) {  // NaN fails both
          std::ostringstream os;
          os << "numerics: field " << field_info(f).name << " became " << s[f][i] << " at cell (x=" << i % g.nx
             << ", y=" << (i / g.nx) % g.ny << ", z=" << i / g.plane() << ")";
          return os.str();
        }
  return "numerics: a level total overflowed";  // every value finite, their sum not
}

std::vector<double> Observables::region_sums(const LevelTotals& t) const {
  const int nz = static_cast<int>(t.v.size() / kQ);
  std::vector<double> out(kRegions * (kQ + 1), 0.0);
  for (int k = 0; k < nz; ++k)
    for (int r = 0; r < kRegions; ++r)
      if (in_region(r, model_.layers().of_level[k])) {
        for (int q = 0; q < kQ; ++q) out[r * (kQ + 1) + q] += t.at(k, q);
        out[r * (kQ + 1) + kCellsSlot] += 1;
      }
  return out;
}

std::vector<std::string> Observables::names() const {
  std::vector<std::string> n;
  for (const auto& r : regions())
    for (const auto& s : kSeries) n.push_back(r + "/" + s.name);
  n.push_back("surface/open_pore_fraction");
  n.push_back("surface/epidermal_thickening_pct");
  return n;
}

std::vector<std::string> Observables::units() const {
  std::vector<std::string> u;
  for (std::size_t r = 0; r < regions().size(); ++r)
    for (const auto& s : kSeries) u.push_back(s.units);
  u.push_back("1");
  u.push_back("%");
  return u;
}

void Observables::measure(const LevelTotals& t, double thickening, std::vector<double>& out) const {
  const std::vector<double> now = region_sums(t);
  const double plane = static_cast<double>(model_.grid().plane());
  out.assign(kRegions * kPerRegion + 2, 0.0);
  for (int r = 0; r < kRegions; ++r) {
    const double* a = &now[r * (kQ + 1)];
    const double* b = &base_[r * (kQ + 1)];
    const double cells = std::max(a[kCellsSlot] * plane, 1.0);
    double* o = &out[r * kPerRegion];
    o[0] = pct(a[C3] + a[C1] + a[Cm], b[C3] + b[C1] + b[Cm]);
    o[1] = pct(a[C1] + a[Cm], b[C1] + b[Cm]);
    o[2] = pct(a[C3], b[C3]);
    o[3] = pct(a[C3] + a[C1], b[C3] + b[C1]);
    o[4] = pct(a[E] + a[En], b[E] + b[En]);
    o[5] = pct(a[En], b[En]);
    o[6] = a[F] / cells;
    o[7] = a[A] / cells;
    o[8] = a[N] / cells;
    o[9] = a[T] / cells;
    o[10] = a[P] / cells;
    o[11] = a[B] / cells;
    const double s0 = b[LevelTotals::kSynthesis];
    o[12] = s0 > 0 ? a[LevelTotals::kSynthesis] / s0 : 0.0;  // relative to the baseline synthesis
  }
  // Open pores: mean over the top level, i.e. the open fraction of the skin surface.
  out[kRegions * kPerRegion] = t.at(0, O) / plane;
  out[kRegions * kPerRegion + 1] = 100.0 * thickening;
}

std::size_t Observables::papillary_tgf_index() { return 9; }
std::size_t Observables::thickening_index() { return kRegions * kPerRegion + 1; }

}  // namespace mnsim
