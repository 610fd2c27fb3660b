#pragma once
#include <vector>

#include "mnsim/core/fields.hpp"
#include "mnsim/core/grid.hpp"

namespace mnsim {

class Config;

// Model parameters in internal units (mm, day, ng/mL, cells/mm^3; matrix relative to baseline),
// filled by from(Config): the defaults live once, in the parameter table (sim/parameters.cpp).
struct ModelParams {
  // Pores, damage, latent TGF-beta
  double tau_O{}, k_B{}, k_act{}, L_dose{};
  // Active TGF-beta
  double T0{}, D_T{}, delta_T{}, f_TN{}, a_T{}, K_g{};
  // Inflammatory cells
  double N0{}, D_N{}, delta_N{}, alpha_N{};
  // Collagenase
  double P0{}, D_P{}, delta_P{}, a_P{}, f_PN{};
  // Fibroblasts
  double F0_pap{}, F0_ret{}, D_F{}, chi_F{}, K_chi{};
  double r_F{}, delta_F{}, a_F{}, K_h{};
  // Collagen
  double S0{}, C3_0{}, theta0{}, theta1{}, K_theta{};
  double tau_C1{}, mature_half_life{}, C_max{}, b_C{}, K_q{}, f_P{};
  // Elastin
  double elastin_residence{}, En0{}, tau_En{}, b_E{};
  // Photo-aged skin: elastotic excess of mature elastin in the papillary dermis (relative to a
  // healthy baseline of 1) and its clearance by collagenase above baseline.
  double elastosis{}, lambda_X{};
  // Activated fibroblast state
  double k_A{}, tau_A{}, b_kA{}, b_dA{};
  // Epidermal thickening observable
  double a_eps{}, tau_eps{};

  static ModelParams from(const Config& c);
  // Linearised gain of the fibroblast -> TGF-beta -> proliferation loop at baseline (MODEL.md
  // section 5). The equilibrium is stable only below 1.
  double loop_gain() const;
};

// Constants that differ between z-levels (layers), solved from the baselines (MODEL.md s.5).
struct LevelConstants {
  bool dermis = false;   // cells and matrix live here
  bool soluble = false;  // soluble factors live here (epidermis + dermis)
  // Bit f set: field f lives at this level. Pores open only in the epidermis, damage and the
  // soluble factors in epidermis and dermis, cells and matrix only in the dermis. Elsewhere a
  // field is zero from the start and nothing writes it, so the step neither updates nor sums it.
  unsigned fields = 0;
  bool has(int f) const { return (fields >> f) & 1u; }
  double F0 = 0, F_max = 0, inv_F_max = 0, sigma_F = 0, sigma_PF = 0, s_C = 0, s_E = 0, beta_N = 0;
  double basal_T = 0, basal_P = 0;  // epidermal supply balancing decay
  double E0 = 0;                     // baseline mature elastin (1, plus any elastotic excess)
  double kappa_E = 0;                // tropoelastin -> elastin, balancing E0's turnover
  double gEn = 0, lEn = 0;           // tropoelastin losses other than cross-linking
};

// Totals of every field, and of the collagen synthesis rate, on every z-level. One read of the
// state per step feeds the observables, the step-size controller and the check for NaN or
// negative values. Each level is summed by one thread in 32 interleaved partial sums (cell i
// into sum i mod 32) added in a fixed order, so the totals do not depend on the thread count or
// on the instruction set, and the sums taken inside the reaction step equal those of a separate
// pass.
struct LevelTotals {
  static constexpr int kSynthesis = kNumFields;
  static constexpr int kCount = kNumFields + 1;
  std::vector<double> v;  // nz * kCount, level-major
  bool valid = true;      // false: some value is NaN or below zero beyond round-off
  double at(int k, int q) const { return v[std::size_t(k) * kCount + q]; }
};

template <bool kWide>
struct LevelSums;  // running totals of one level (sim/tissue.cpp)

// Rates shared by all levels, solved from the turnover times and the baseline split.
struct MatrixRates {
  double g3 = 0, l3 = 0;    // type III basal and per-P loss
  double g1 = 0, l1 = 0;    // labile type I
  double kappa = 0;         // cross-linking C1 -> Cm
  double gm = 0, lm = 0;    // mature type I
  double gE = 0, lE = 0;    // mature elastin
  double C1_0 = 0, Cm_0 = 0;
  double sigma_N = 0, sigma_PN = 0;
};

// Something to run on each z-level (TissueModel::react), borrowed for the call: it holds a
// pointer to the caller's callable and copies or allocates nothing (a std::function could
// allocate once its callable outgrew the small buffer, and a step must not allocate).
class LevelHook {
 public:
  LevelHook() = default;
  template <class F>
  LevelHook(const F& f) : call_([](const void* fn, int k) { (*static_cast<const F*>(fn))(k); }), fn_(&f) {}
  explicit operator bool() const { return call_ != nullptr; }
  void operator()(int k) const { call_(fn_, k); }

 private:
  void (*call_)(const void*, int) = nullptr;
  const void* fn_ = nullptr;
};

class TissueModel {
 public:
  TissueModel(const ModelParams& p, const Grid& g, const LayerMap& layers);

  const ModelParams& params() const { return p_; }
  const LayerMap& layers() const { return layers_; }
  const Grid& grid() const { return grid_; }
  const LevelConstants& level(int k) const { return level_[k]; }
  const MatrixRates& rates() const { return m_; }

  // Homeostatic value of a field at level k; the initial state of every run.
  double baseline(int field, int k) const;
  void set_baseline(State& s) const;

  // One semi-implicit reaction step of length dt (days) on every voxel: production explicit,
  // every loss implicit, so no field can become negative. Mass moved between pools (L -> T,
  // C1 -> Cm, En -> E) uses the donor's new value, so transfers conserve exactly. With `totals`
  // the level totals of the new state are taken in the same pass (the reaction is the last
  // operator of a step, so this saves a whole read of the state). `before`, if given, is called
  // for every level just before the level reacts, on the thread that reacts it: the operators
  // that act level by level and precede the reaction (the lateral diffusion sweeps) run there
  // while the level's data are in the cache, and the state crosses the memory bus once for both.
  void react(State& s, double dt, LevelTotals* totals = nullptr, LevelHook before = {}) const;
  // The level totals of a state, as react() takes them.
  void totals(const State& s, LevelTotals& t) const;
  // How the level totals are summed: in eight-wide values (picked where the kernels have
  // AVX-512) or in plain double lanes; the same bits either way, which the tests check.
  void use_wide_sums(bool wide) { wide_sums_ = wide; }
  // Values below this count as negative beyond round-off: -1e-9 of the field's natural scale.
  double negative_floor(int field) const { return floor_[field]; }

  // Collagen synthesis S = s_C F (1 + b_C q(T)) (1 - C/C_max)+ at a voxel of level constants c,
  // per day (relative to the layer's baseline total collagen), with q(T) = T/(K_q+T) - q(T0).
  double synthesis(const LevelConstants& c, double T, double F, double C) const {
    return synthesis_q(c, T / (p_.K_q + T) - qT0_, F, C);
  }
  // The same from q(T) already at hand (the reaction step needs q for elastin too).
  double synthesis_q(const LevelConstants& c, double q, double F, double C) const {
    const double room = 1 - C * inv_C_max_;
    return c.s_C * F * (1 + p_.b_C * q) * (room > 0 ? room : 0.0);
  }

  // Effects of one treatment session (MODEL.md section 4) given the channel indicator chi
  // (0..1 per voxel) and the destroyed fractions phi_F, phi_C, phi_E.
  void apply_session(State& s, const std::vector<double>& chi, double phi_F, double phi_C, double phi_E) const;

 private:
  // One z-level, on the thread that owns it (kernels: include/mnsim/core/kernel.hpp). Both take
  // the totals chunk by chunk through sum_chunk, so they agree bitwise; false: a bad value.
  // kWide: the totals summed in eight-wide values, else in double lanes (use_wide_sums).
  template <bool kWide>
  bool react_level(State& s, int k, double dt, double* totals) const;
  template <bool kWide>
  bool sum_level(const State& s, int k, double* totals) const;
  template <bool kWide>
  void sum_chunk(const State& s, int k, std::size_t b, std::size_t e, LevelSums<kWide>& sums) const;

  ModelParams p_;
  Grid grid_;
  LayerMap layers_;
  std::vector<LevelConstants> level_;
  MatrixRates m_;
  double floor_[LevelTotals::kCount];  // the synthesis rate has none: -inf
  double qT0_, inv_C_max_;
  bool wide_sums_;
};

}  // namespace mnsim
