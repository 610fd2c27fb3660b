#pragma once
#include <vector>

#include "mnsim/core/fields.hpp"
#include "mnsim/core/grid.hpp"

namespace mnsim {

class Config;

// Model parameters in internal units (mm, day, ng/mL, cells/mm^3; matrix relative to baseline).
struct ModelParams {
  // Pores, damage, latent TGF-beta
  double tau_O = 0.25, k_B = 1.0, k_act = 0.32, L_dose = 7400.0;
  // Active TGF-beta
  double T0 = 1.0, D_T = 0.155, delta_T = 0.38, f_TN = 0.3, a_T = 0.5, K_g = 2.0;
  // Inflammatory cells
  double N0 = 100.0, D_N = 0.02, delta_N = 0.6, alpha_N = 5000.0;
  // Collagenase
  double P0 = 1.0, D_P = 0.02, delta_P = 0.9, a_P = 5.0, f_PN = 0.3;
  // Fibroblasts
  double F0_pap = 4000.0, F0_ret = 2500.0, D_F = 5e-3, chi_F = 2e-3, K_chi = 2.0;
  double r_F = 1.63, delta_F = 1.26, a_F = 2.6, K_h = 21.0;
  // Collagen
  double S0 = 0.009, C3_0 = 0.15, theta0 = 0.15, theta1 = 0.4, K_theta = 20.0;
  double tau_C1 = 30.0, mature_half_life = 5475.0, C_max = 2.5, b_C = 0.32, K_q = 2.0, f_P = 0.5;
  // Elastin
  double elastin_residence = 27010.0, En0 = 0.02, tau_En = 30.0, b_E = 3.0;
  // Photo-aged skin: elastotic excess of mature elastin in the papillary dermis (relative to a
  // healthy baseline of 1) and its clearance by collagenase above baseline.
  double elastosis = 0.0, lambda_X = 0.005;
  // Activated fibroblast state
  double k_A = 1.95, tau_A = 60.0, b_kA = 86.0, b_dA = 0.0;
  // Epidermal thickening observable
  double a_eps = 0.05, tau_eps = 30.0;

  static ModelParams from(const Config& c);
  // Linearised gain of the fibroblast -> TGF-beta -> proliferation loop at baseline (MODEL.md
  // section 5). The equilibrium is stable only below 1.
  double loop_gain() const;
};

// Constants that differ between z-levels (layers), solved from the baselines (MODEL.md s.5).
struct LevelConstants {
  bool dermis = false;   // cells and matrix live here
  bool soluble = false;  // soluble factors live here (epidermis + dermis)
  double F0 = 0, F_max = 0, sigma_F = 0, sigma_PF = 0, s_C = 0, s_E = 0, beta_N = 0;
  double basal_T = 0, basal_P = 0;  // epidermal supply balancing decay
  double E0 = 0;                     // baseline mature elastin (1, plus any elastotic excess)
  double kappa_E = 0;                // tropoelastin -> elastin, balancing E0's turnover
  double gEn = 0, lEn = 0;           // tropoelastin losses other than cross-linking
};

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
  // C1 -> Cm, En -> E) uses the donor's new value, so transfers conserve exactly.
  void react(State& s, double dt) const;

  // Collagen synthesis S = s_C F q(T) (1 - C/C_max)+ at a voxel of level constants c, per day
  // (relative to the layer's baseline total collagen).
  double synthesis(const LevelConstants& c, double T, double F, double C) const {
    const double q = T / (p_.K_q + T) - p_.T0 / (p_.K_q + p_.T0);
    const double room = 1 - C / p_.C_max;
    return c.s_C * F * (1 + p_.b_C * q) * (room > 0 ? room : 0.0);
  }

  // Effects of one treatment session (MODEL.md section 4) given the channel indicator chi
  // (0..1 per voxel) and the destroyed fractions phi_F, phi_C, phi_E.
  void apply_session(State& s, const std::vector<double>& chi, double phi_F, double phi_C, double phi_E) const;

 private:
  ModelParams p_;
  Grid grid_;
  LayerMap layers_;
  std::vector<LevelConstants> level_;
  MatrixRates m_;
};

}  // namespace mnsim
