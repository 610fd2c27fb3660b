#include "mnsim/sim/observables.hpp"

#include <algorithm>
#include <stdexcept>

namespace mnsim {

namespace {
// Quantities summed per level; the region sums are built from these.
enum Q { qC3, qC1, qCm, qE, qEn, qF, qA, qN, qT, qP, qB, qS, qCells, kQ };
const int kSummed[] = {C3, C1, Cm, E, En, F, A, N, T, P, B};
constexpr int kRegions = 3;  // papillary, reticular, dermis

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

struct Observables::Sums {
  std::vector<double> region;  // kRegions * kQ
};

const std::vector<std::string>& Observables::regions() {
  static const std::vector<std::string> r = {"papillary", "reticular", "dermis"};
  return r;
}

Observables::Observables(const TissueModel& model, const State& baseline) : model_(model) {
  base_ = level_sums(baseline).region;
}

Observables::Sums Observables::level_sums(const State& s) const {
  const Grid& g = s.grid;
  const std::size_t plane = g.plane();
  std::vector<double> lev(std::size_t(g.nz) * kQ, 0.0);
#pragma omp parallel for schedule(static)
  for (int k = 0; k < g.nz; ++k) {
    if (!model_.level(k).dermis) continue;
    for (int q = 0; q < qS; ++q) {
      const double* f = s[kSummed[q]] + k * plane;
      double acc = 0;
      for (std::size_t i = 0; i < plane; ++i) acc += f[i];
      lev[k * kQ + q] = acc;
    }
    const LevelConstants& c = model_.level(k);
    const double *T_ = s[T] + k * plane, *F_ = s[F] + k * plane;
    const double *C3_ = s[C3] + k * plane, *C1_ = s[C1] + k * plane, *Cm_ = s[Cm] + k * plane;
    double syn = 0;
    for (std::size_t i = 0; i < plane; ++i) syn += model_.synthesis(c, T_[i], F_[i], C3_[i] + C1_[i] + Cm_[i]);
    lev[k * kQ + qS] = syn;
    lev[k * kQ + qCells] = static_cast<double>(plane);
  }
  Sums out;
  out.region.assign(kRegions * kQ, 0.0);
  for (int k = 0; k < g.nz; ++k)
    for (int r = 0; r < kRegions; ++r)
      if (in_region(r, model_.layers().of_level[k]))
        for (int q = 0; q < kQ; ++q) out.region[r * kQ + q] += lev[k * kQ + q];
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

void Observables::measure(const State& s, double thickening, std::vector<double>& out) const {
  const Sums now = level_sums(s);
  out.assign(kRegions * kPerRegion + 2, 0.0);
  for (int r = 0; r < kRegions; ++r) {
    const double* a = &now.region[r * kQ];
    const double* b = &base_[r * kQ];
    const double cells = std::max(a[qCells], 1.0);
    double* o = &out[r * kPerRegion];
    o[0] = pct(a[qC3] + a[qC1] + a[qCm], b[qC3] + b[qC1] + b[qCm]);
    o[1] = pct(a[qC1] + a[qCm], b[qC1] + b[qCm]);
    o[2] = pct(a[qC3], b[qC3]);
    o[3] = pct(a[qC3] + a[qC1], b[qC3] + b[qC1]);
    o[4] = pct(a[qE] + a[qEn], b[qE] + b[qEn]);
    o[5] = pct(a[qEn], b[qEn]);
    o[6] = a[qF] / cells;
    o[7] = a[qA] / cells;
    o[8] = a[qN] / cells;
    o[9] = a[qT] / cells;
    o[10] = a[qP] / cells;
    o[11] = a[qB] / cells;
    o[12] = b[qS] > 0 ? a[qS] / b[qS] : 0.0;  // relative to the baseline synthesis
  }
  // Open pores: mean over the top level, i.e. the open fraction of the skin surface.
  const double* o = s[O];
  double acc = 0;
  for (std::size_t i = 0; i < s.grid.plane(); ++i) acc += o[i];
  out[kRegions * kPerRegion] = acc / static_cast<double>(s.grid.plane());
  out[kRegions * kPerRegion + 1] = 100.0 * thickening;
}

std::size_t Observables::papillary_tgf_index() { return 9; }
std::size_t Observables::thickening_index() { return kRegions * kPerRegion + 1; }

}  // namespace mnsim
