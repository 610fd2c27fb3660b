#include "mnsim/model/tissue.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "mnsim/core/errors.hpp"
#include "mnsim/core/kernel.hpp"
#include "mnsim/io/config.hpp"

namespace mnsim {

ModelParams ModelParams::from(const Config& c) {
  ModelParams p;
  p.tau_O = c.real("pores.closure_time");
  p.k_B = c.real("damage.decay");
  p.k_act = c.real("tgf.activation");
  p.L_dose = c.real("tgf.latent_dose");
  p.T0 = c.real("tgf.baseline");
  p.D_T = c.real("tgf.diffusion");
  p.delta_T = c.real("tgf.decay");
  p.f_TN = c.real("tgf.inflammatory_share");
  p.a_T = c.real("tgf.autocrine_gain");
  p.K_g = c.real("tgf.autocrine_K");
  p.N0 = c.real("inflammation.baseline");
  p.D_N = c.real("inflammation.diffusion");
  p.delta_N = c.real("inflammation.removal");
  p.alpha_N = c.real("inflammation.recruitment");
  p.P0 = c.real("mmp.baseline");
  p.D_P = c.real("mmp.diffusion");
  p.delta_P = c.real("mmp.decay");
  p.a_P = c.real("mmp.damage_boost");
  p.f_PN = c.real("mmp.inflammatory_share");
  p.F0_pap = c.real("fibroblasts.papillary");
  p.F0_ret = c.real("fibroblasts.reticular");
  p.D_F = c.real("fibroblasts.diffusion");
  p.chi_F = c.real("fibroblasts.chemotaxis");
  p.K_chi = c.real("fibroblasts.chemotaxis_K");
  p.r_F = c.real("fibroblasts.proliferation");
  p.delta_F = c.real("fibroblasts.death");
  p.a_F = c.real("fibroblasts.tgf_gain");
  p.K_h = c.real("fibroblasts.tgf_K");
  p.S0 = c.real("collagen.synthesis");
  p.C3_0 = c.real("collagen.type3_baseline");
  p.theta0 = c.real("collagen.type3_share");
  p.theta1 = c.real("collagen.type3_share_inflamed");
  p.K_theta = c.real("collagen.type3_K");
  p.tau_C1 = c.real("collagen.labile_lifetime");
  p.mature_half_life = c.real("collagen.mature_half_life");
  p.C_max = c.real("collagen.capacity");
  p.b_C = c.real("collagen.tgf_gain");
  p.K_q = c.real("collagen.tgf_K");
  p.f_P = c.real("collagen.mmp_share");
  p.elastin_residence = c.real("elastin.residence");
  p.En0 = c.real("elastin.tropo_baseline");
  p.tau_En = c.real("elastin.tropo_lifetime");
  p.b_E = c.real("elastin.tgf_gain");
  p.elastosis = c.real("elastin.elastosis");
  p.lambda_X = c.real("elastin.elastosis_clearance");
  p.k_A = c.real("activation.rate");
  p.tau_A = c.real("activation.lifetime");
  p.b_kA = c.real("activation.crosslink_boost");
  p.b_dA = c.real("activation.protection");
  p.a_eps = c.real("epidermis.thickening_gain");
  p.tau_eps = c.real("epidermis.thickening_time");

  // Balances that have no solution are input errors, named by the keys that cause them.
  const double C1_0 = (1 - p.theta0) * p.S0 * p.tau_C1;
  if (C1_0 >= 1 - p.C3_0)
    throw ConfigError("config: collagen.labile_lifetime = '" + c.text("collagen.labile_lifetime") +
                      "': the labile collagen I pool (1 - type3_share) * synthesis * lifetime = " + std::to_string(C1_0) +
                      " exceeds the type I share " + std::to_string(1 - p.C3_0) + "; allowed lifetime < " +
                      std::to_string((1 - p.C3_0) / ((1 - p.theta0) * p.S0)) + " day");
  const double tropo_loss = 1.0 / p.tau_En, elastin_loss = 1.0 / p.elastin_residence;
  if ((1 + p.elastosis) * elastin_loss / p.En0 >= tropo_loss)
    throw ConfigError("config: elastin.tropo_lifetime = '" + c.text("elastin.tropo_lifetime") +
                      "': too long to supply the mature elastin turnover; allowed < " +
                      std::to_string(p.En0 * p.elastin_residence / (1 + p.elastosis)) + " day");
  const double gain = p.loop_gain();
  if (!(gain < 1.0)) {
    std::ostringstream os;
    os << "config: fibroblasts.tgf_gain = '" << c.text("fibroblasts.tgf_gain") << "' (with fibroblasts.tgf_K, "
       << "fibroblasts.proliferation, fibroblasts.death, tgf.decay, tgf.autocrine_gain): the fibroblast -> TGF-beta -> "
       << "proliferation loop gain is " << gain << "; allowed gain < 1 (a higher gain makes any session permanently fibrotic)";
    throw ConfigError(os.str());
  }
  return p;
}

double ModelParams::loop_gain() const {
  // Linearisation at baseline. Fibroblast net loss rate (r_F - delta_F) and TGF-beta net loss
  // (delta_T minus the autocrine feedback) close the loop; the forward gains are the extra
  // TGF-beta made per fibroblast and the extra proliferation per unit TGF-beta. F0 cancels.
  const double h_prime = K_h / ((K_h + T0) * (K_h + T0));
  const double g_prime = a_T * K_g / ((K_g + T0) * (K_g + T0));
  const double tgf_per_F_F0 = (1 - f_TN) * delta_T * T0;  // sigma_F * F0
  const double prolif_per_T_over_F0 = a_F * h_prime * delta_F;
  const double tgf_loss = delta_T - tgf_per_F_F0 * g_prime;
  if (tgf_loss <= 0) return HUGE_VAL;  // the autocrine loop alone is self-sustaining
  return prolif_per_T_over_F0 * tgf_per_F_F0 / ((r_F - delta_F) * tgf_loss);
}

TissueModel::TissueModel(const ModelParams& p, const Grid& g, const LayerMap& layers)
    : p_(p), grid_(g), layers_(layers), level_(g.nz), qT0_(p.T0 / (p.K_q + p.T0)), inv_C_max_(1 / p.C_max), wide_sums_(wide_registers()) {
  // Rates shared by all layers (MODEL.md section 5). Each baseline loss is split into a basal part
  // and an MMP-driven part lambda * P0 in the ratio (1 - f_P) : f_P.
  const double fP = p.f_P, P0 = p.P0;
  m_.sigma_N = p.f_TN * p.delta_T * p.T0 / p.N0;
  m_.sigma_PN = p.f_PN * p.delta_P * p.P0 / p.N0;
  m_.C1_0 = (1 - p.theta0) * p.S0 * p.tau_C1;
  m_.Cm_0 = 1 - p.C3_0 - m_.C1_0;
  const double loss_m = std::log(2.0) / p.mature_half_life;
  m_.gm = (1 - fP) * loss_m;
  m_.lm = fP * loss_m / P0;
  m_.kappa = loss_m * m_.Cm_0 / m_.C1_0;
  const double loss_1 = 1.0 / p.tau_C1 - m_.kappa;  // labile loss other than cross-linking
  m_.g1 = (1 - fP) * loss_1;
  m_.l1 = fP * loss_1 / P0;
  const double loss_3 = p.theta0 * p.S0 / p.C3_0;
  m_.g3 = (1 - fP) * loss_3;
  m_.l3 = fP * loss_3 / P0;
  const double loss_E = 1.0 / p.elastin_residence;
  m_.gE = (1 - fP) * loss_E;
  m_.lE = fP * loss_E / P0;

  for (int k = 0; k < g.nz; ++k) {
    LevelConstants& c = level_[k];
    const Layer l = layers.of_level[k];
    c.dermis = l == Layer::Papillary || l == Layer::Reticular;
    c.soluble = l != Layer::Hypodermis;
    for (int f = 0; f < kNumFields; ++f) {
      const bool soluble_field = f == B || f == L || f == T || f == P;
      const bool lives = f == O ? l == Layer::Epidermis : (soluble_field ? c.soluble : c.dermis);
      c.fields |= unsigned(lives) << f;
    }
    if (c.dermis) {
      c.F0 = l == Layer::Papillary ? p.F0_pap : p.F0_ret;
      c.F_max = c.F0 * p.r_F / (p.r_F - p.delta_F);
      c.inv_F_max = 1 / c.F_max;
      c.sigma_F = (p.delta_T * p.T0 - m_.sigma_N * p.N0) / c.F0;  // g(T0) = 1
      c.sigma_PF = (p.delta_P * p.P0 - m_.sigma_PN * p.N0) / c.F0;
      c.s_C = p.S0 / (c.F0 * (1 - 1 / p.C_max));  // q(T0) = 1, C0 = 1
      c.s_E = (1.0 / p.tau_En) * p.En0 / c.F0;     // q_E(T0) = 1
      // Photo-aged skin keeps its elastotic excess at rest: the cross-linking that balances the
      // turnover is solved for the actual baseline E0, within the same tropoelastin lifetime.
      c.E0 = 1 + (l == Layer::Papillary ? p.elastosis : 0.0);
      c.kappa_E = loss_E * c.E0 / p.En0;
      const double loss_En = 1.0 / p.tau_En - c.kappa_E;
      c.gEn = (1 - fP) * loss_En;
      c.lEn = fP * loss_En / P0;
      c.beta_N = p.delta_N * p.N0;
    } else if (c.soluble) {
      // Epidermis: no cells; soluble factors relax to their baselines at their decay rates,
      // the basal supply standing for keratinocyte production.
      c.basal_T = p.delta_T * p.T0;
      c.basal_P = p.delta_P * p.P0;
    }
  }
  for (int f = 0; f < kNumFields; ++f) {
    double scale = f == L ? p.L_dose : 1.0;
    for (int k = 0; k < g.nz; ++k) scale = std::max(scale, baseline(f, k));
    floor_[f] = -1e-9 * scale;
  }
  floor_[LevelTotals::kSynthesis] = -HUGE_VAL;
}

double TissueModel::baseline(int field, int k) const {
  const LevelConstants& c = level_[k];
  switch (field) {
    case T: return c.soluble ? p_.T0 : 0.0;
    case P: return c.soluble ? p_.P0 : 0.0;
    case N: return c.dermis ? p_.N0 : 0.0;
    case F: return c.dermis ? c.F0 : 0.0;
    case C3: return c.dermis ? p_.C3_0 : 0.0;
    case C1: return c.dermis ? m_.C1_0 : 0.0;
    case Cm: return c.dermis ? m_.Cm_0 : 0.0;
    case E: return c.E0;
    case En: return c.dermis ? p_.En0 : 0.0;
    default: return 0.0;  // O, B, L, A
  }
}

void TissueModel::set_baseline(State& s) const {
  const std::size_t plane = grid_.plane();
  for (int f = 0; f < kNumFields; ++f)
    for (int k = 0; k < grid_.nz; ++k) std::fill_n(s[f] + k * plane, plane, baseline(f, k));
}

namespace {
// Cells reacted and then summed while all their fields sit in the L1 cache (13 x 256 doubles).
constexpr std::size_t kChunk = 256;

constexpr int kSumLanes = 32;

// The level's totals from the 32 lanes of each quantity (lanes l, l + 8, l + 16 and l + 24 first,
// then the eight in pairs) and its minima over `lanes` lanes; false if a sum is not finite (a NaN
// or an infinity) or a value lies below its floor.
bool finish_sums(const double (*acc)[kSumLanes], const double* low, int lanes, double* out, const double* floor) {
  bool ok = true;
  for (int q = 0; q < LevelTotals::kCount; ++q) {
    double a[8];
    for (int l = 0; l < 8; ++l) a[l] = (acc[q][l] + acc[q][l + 8]) + (acc[q][l + 16] + acc[q][l + 24]);
    out[q] = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    ok &= std::isfinite(out[q]);
    for (int l = 0; l < lanes; ++l) ok &= low[q * lanes + l] >= floor[q];
  }
  return ok;
}

// The cells of a run from i on as a full group of 32: the last n mod 32 padded with zeros (adding
// +0 changes no sum, and 0 is above every floor).
MNSIM_INLINE const double* sum_group(const double* u, std::size_t i, std::size_t n, double* tail) {
  if (i + kSumLanes <= n) return u + i;
  std::fill(std::copy(u + i, u + n, tail), tail + kSumLanes, 0.0);
  return tail;
}

}  // namespace

// Running totals of one z-level: 32 interleaved partial sums per quantity (cell i of the level
// into sum i mod 32), and the smallest value of each. Thirty-two sums let the additions overlap:
// with one, every addition would wait for the previous one. A NaN anywhere makes its sum NaN, so
// the check for bad values needs only the sums and the minima. The lanes are summed as four
// eight-wide values (V8) where the kernels have AVX-512 (kWide), and as plain doubles in simd
// loops elsewhere: without AVX-512 GCC took the V8 values through the stack element by element
// (AVX2 reaction with totals 9.5-11.6 ns per cell, now 5.5), and with it the plain lanes were
// slower (3.9 against 3.2). Both add in the same order, so the totals are the same bits.
template <>
struct LevelSums<true> {
  V8 acc[LevelTotals::kCount][4] = {};
  V8 low[LevelTotals::kCount];
  LevelSums() {
    for (V8& l : low) l = V8{} + HUGE_VAL;
  }
  // n cells starting at a multiple of 32 from the level's first cell.
  MNSIM_INLINE void add(int q, const double* u, std::size_t n) {
    V8 a0 = acc[q][0], a1 = acc[q][1], a2 = acc[q][2], a3 = acc[q][3], m = low[q];
    double tail[kSumLanes];
    for (std::size_t i = 0; i < n; i += kSumLanes) {
      const double* p = sum_group(u, i, n, tail);
      V8 v0, v1, v2, v3;
      std::memcpy(&v0, p, sizeof v0);
      std::memcpy(&v1, p + 8, sizeof v1);
      std::memcpy(&v2, p + 16, sizeof v2);
      std::memcpy(&v3, p + 24, sizeof v3);
      a0 += v0;
      a1 += v1;
      a2 += v2;
      a3 += v3;
      V8 m01 = v1 < v0 ? v1 : v0, m23 = v3 < v2 ? v3 : v2;
      m01 = m23 < m01 ? m23 : m01;
      m = m01 < m ? m01 : m;
    }
    acc[q][0] = a0;
    acc[q][1] = a1;
    acc[q][2] = a2;
    acc[q][3] = a3;
    low[q] = m;
  }
  bool finish(double* out, const double* floor) const {
    double sums[LevelTotals::kCount][kSumLanes], lows[LevelTotals::kCount * 8];
    std::memcpy(sums, acc, sizeof sums);
    std::memcpy(lows, low, sizeof lows);
    return finish_sums(sums, lows, 8, out, floor);
  }
};

template <>
struct LevelSums<false> {
  double acc[LevelTotals::kCount][kSumLanes] = {};
  double low[LevelTotals::kCount][kSumLanes];
  LevelSums() {
    for (auto& l : low) std::fill_n(l, kSumLanes, HUGE_VAL);
  }
  MNSIM_INLINE void add(int q, const double* u, std::size_t n) {
    double* __restrict a = acc[q];
    double* __restrict m = low[q];
    double tail[kSumLanes];
    for (std::size_t i = 0; i < n; i += kSumLanes) {
      const double* p = sum_group(u, i, n, tail);
#pragma omp simd
      for (int l = 0; l < kSumLanes; ++l) {
        a[l] += p[l];
        m[l] = p[l] < m[l] ? p[l] : m[l];
      }
    }
  }
  bool finish(double* out, const double* floor) const { return finish_sums(acc, low[0], kSumLanes, out, floor); }
};

template <bool kWide>
MNSIM_INLINE void TissueModel::sum_chunk(const State& s, int k, std::size_t b, std::size_t e, LevelSums<kWide>& sums) const {
  const LevelConstants& c = level_[k];
  for (int f = 0; f < kNumFields; ++f)
    if (c.has(f)) sums.add(f, s[f] + b, e - b);
  if (!c.dermis) return;  // no synthesis outside the dermis
  const double *T_ = s[T], *F_ = s[F], *C3_ = s[C3], *C1_ = s[C1], *Cm_ = s[Cm];
  double syn[kChunk];
#pragma omp simd
  for (std::size_t i = b; i < e; ++i) syn[i - b] = synthesis(c, T_[i], F_[i], C3_[i] + C1_[i] + Cm_[i]);
  sums.add(LevelTotals::kSynthesis, syn, e - b);
}

template <bool kWide>
MNSIM_KERNEL bool TissueModel::react_level(State& s, int k, double dt, double* totals) const {
  const ModelParams& p = p_;
  const MatrixRates& m = m_;
  const LevelConstants& c = level_[k];
  const std::size_t plane = grid_.plane();
  const double hT0 = p.T0 / (p.K_h + p.T0), qT0 = qT0_, gT0 = p.T0 / (p.K_g + p.T0);
  // Losses with constant rates: one division per step here rather than one per voxel.
  const double keep_O = 1 / (1 + dt / p.tau_O), keep_B = 1 / (1 + dt * p.k_B), keep_L = 1 / (1 + dt * p.k_act);
  const double keep_T = 1 / (1 + dt * p.delta_T), keep_N = 1 / (1 + dt * p.delta_N), keep_P = 1 / (1 + dt * p.delta_P);
  // Terms that do not change from cell to cell, worked out once: the loop would otherwise work
  // them out for every group of cells (the compiler must assume that the stores to the fields
  // may change the parameters, which are doubles too), a division among them.
  const double theta_span = p.theta1 - p.theta0, dt_sE = dt * c.s_E, dt_kE = dt * c.kappa_E, A_loss = 1 / p.tau_A;
  double* O_ = s[O]; double* B_ = s[B]; double* L_ = s[L]; double* T_ = s[T]; double* N_ = s[N];
  double* P_ = s[P]; double* F_ = s[F]; double* C3_ = s[C3]; double* C1_ = s[C1]; double* Cm_ = s[Cm];
  double* E_ = s[E]; double* En_ = s[En]; double* A_ = s[A];
  LevelSums<kWide> sums;
  for (std::size_t b = k * plane, end = b + plane; b < end; b += kChunk) {
    const std::size_t e = std::min(end, b + kChunk);
    if (c.dermis) {  // every field but the pores (LevelConstants::fields)
#pragma omp simd
      for (std::size_t i = b; i < e; ++i) {
        const double Bo = B_[i], To = T_[i], No = N_[i], Po = P_[i], Fo = F_[i], Ao = A_[i];
        const double h = To / (p.K_h + To) - hT0;
        const double q = To / (p.K_q + To) - qT0;
        const double g = 1 + p.a_T * (To / (p.K_g + To) - gT0);
        const double Nex = std::max(No - p.N0, 0.0);
        const double theta = p.theta0 + theta_span * Nex / (p.K_theta + Nex);
        const double Ctot = C3_[i] + C1_[i] + Cm_[i];
        const double S = synthesis_q(c, q, Fo, Ctot);
        const double protect = 1 / (1 + p.b_dA * Ao);
        const double kappa = m.kappa * (1 + p.b_kA * Ao);

        B_[i] = Bo * keep_B;
        const double Ln = L_[i] * keep_L;
        L_[i] = Ln;
        T_[i] = (To + dt * (p.k_act * Ln + m.sigma_N * No + c.sigma_F * Fo * g)) * keep_T;
        N_[i] = (No + dt * (p.alpha_N * Bo + c.beta_N)) * keep_N;
        P_[i] = (Po + dt * (m.sigma_PN * No + c.sigma_PF * Fo * (1 + p.a_P * Bo))) * keep_P;
        const double growth = p.r_F * (1 + p.a_F * h);
        F_[i] = Fo * (1 + dt * growth) / (1 + dt * (growth * Fo * c.inv_F_max + p.delta_F));
        C3_[i] = (C3_[i] + dt * theta * S) / (1 + dt * (m.g3 + m.l3 * Po) * protect);
        const double C1n = (C1_[i] + dt * (1 - theta) * S) / (1 + dt * ((m.g1 + m.l1 * Po) * protect + kappa));
        C1_[i] = C1n;
        Cm_[i] = (Cm_[i] + dt * kappa * C1n) / (1 + dt * (m.gm + m.lm * Po));
        const double Enn = (En_[i] + dt_sE * Fo * (1 + p.b_E * q)) / (1 + dt * (c.gEn + c.lEn * Po + c.kappa_E));
        En_[i] = Enn;
        // Collagenase above baseline also clears elastotic material (zero at rest: homeostasis).
        const double clear = p.lambda_X * std::max(Po - p.P0, 0.0);
        E_[i] = (E_[i] + dt_kE * Enn) / (1 + dt * (m.gE + m.lE * Po + clear));
        const double act = p.k_A * std::max(h, 0.0);
        A_[i] = (Ao + dt * act) / (1 + dt * (act + A_loss));
      }
    } else if (c.soluble) {
      // Epidermis: no cells or matrix.
#pragma omp simd
      for (std::size_t i = b; i < e; ++i) {
        O_[i] = O_[i] * keep_O;
        B_[i] = B_[i] * keep_B;
        const double Ln = L_[i] * keep_L;
        L_[i] = Ln;
        T_[i] = (T_[i] + dt * (p.k_act * Ln + c.basal_T)) * keep_T;
        P_[i] = (P_[i] + dt * c.basal_P) * keep_P;
      }
    }
    if (totals) sum_chunk(s, k, b, e, sums);
  }
  return !totals || sums.finish(totals, floor_);
}

template <bool kWide>
MNSIM_KERNEL bool TissueModel::sum_level(const State& s, int k, double* totals) const {
  const std::size_t plane = grid_.plane();
  LevelSums<kWide> sums;
  for (std::size_t b = k * plane, end = b + plane; b < end; b += kChunk) sum_chunk(s, k, b, std::min(end, b + kChunk), sums);
  return sums.finish(totals, floor_);
}

void TissueModel::react(State& s, double dt, LevelTotals* totals, LevelHook before) const {
  const int nz = grid_.nz;
  const auto react_level_of = wide_sums_ ? &TissueModel::react_level<true> : &TissueModel::react_level<false>;
  bool ok = true;
  if (totals) totals->v.assign(std::size_t(nz) * LevelTotals::kCount, 0.0);
#pragma omp parallel for schedule(static) reduction(&& : ok)
  for (int k = 0; k < nz; ++k) {
    if (before) before(k);
    if (level_[k].soluble || totals)  // hypodermis is inert, only summed
      ok = (this->*react_level_of)(s, k, dt, totals ? &totals->v[std::size_t(k) * LevelTotals::kCount] : nullptr) && ok;
  }
  if (totals) totals->valid = ok;
}

void TissueModel::totals(const State& s, LevelTotals& t) const {
  const int nz = grid_.nz;
  const auto sum_level_of = wide_sums_ ? &TissueModel::sum_level<true> : &TissueModel::sum_level<false>;
  bool ok = true;
  t.v.assign(std::size_t(nz) * LevelTotals::kCount, 0.0);
#pragma omp parallel for schedule(static) reduction(&& : ok)
  for (int k = 0; k < nz; ++k) ok = (this->*sum_level_of)(s, k, &t.v[std::size_t(k) * LevelTotals::kCount]) && ok;
  t.valid = ok;
}

void TissueModel::apply_session(State& s, const std::vector<double>& chi, double phi_F, double phi_C, double phi_E) const {
  const std::size_t plane = grid_.plane();
#pragma omp parallel for schedule(static)
  for (int k = 0; k < grid_.nz; ++k) {
    const LevelConstants& c = level_[k];
    if (!c.soluble) continue;
    const std::size_t b = k * plane, e = b + plane;
    for (std::size_t i = b; i < e; ++i) {
      const double x = chi[i];
      if (x <= 0) continue;
      if (!c.dermis) s[O][i] = std::max(s[O][i], x);
      s[B][i] = std::max(s[B][i], x);
      s[L][i] += p_.L_dose * x;
      if (c.dermis) {
        s[F][i] *= 1 - phi_F * x;
        for (int f : {C3, C1, Cm}) s[f][i] *= 1 - phi_C * x;
        for (int f : {E, En}) s[f][i] *= 1 - phi_E * x;
      }
    }
  }
}

}  // namespace mnsim
