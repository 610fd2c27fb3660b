#include "mnsim/model/parameters.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace mnsim {

namespace {

constexpr double kInf = 1e300;
constexpr ParamKind R = ParamKind::Real;
constexpr ParamKind I = ParamKind::Integer;
constexpr ParamKind C = ParamKind::Choice;

// The single declaration of every configuration key. Values marked "calibrated" come from the
// prototype fit in MODEL.md section 6; "poorly known" ones are the calibration's free levers.
const std::vector<ParamSpec> kSpecs = {
    // key, kind, default, unit, min, max, min_open, max_open, choices, doc, physics
    {"grid.nx", I, "32", "", 1, 4096, false, false, "", "cells along x (lateral, periodic); 1 for a 1D column: the lateral average of the puncture pattern (density x channel area at each depth)", true},
    {"grid.ny", I, "32", "", 1, 4096, false, false, "", "cells along y (lateral, periodic); 1 for a 2D (x, depth) section: channels laid on a square nx*dx patch and averaged over y", true},
    {"grid.nz", I, "90", "", 1, 100000, false, false, "", "cells along depth z; nz*dx must reach the bottom of the dermis", true},
    {"grid.dx", R, "0.02 mm", "mm", 0, 1, true, false, "", "cell size (uniform in x, y, z)", true},

    {"skin.epidermis", R, "0.08 mm", "mm", 0, 1, true, false, "", "epidermis thickness (facial skin default)", true},
    {"skin.papillary", R, "0.30 mm", "mm", 0, 3, true, false, "", "papillary dermis thickness", true},
    {"skin.reticular", R, "1.42 mm", "mm", 0, 5, true, false, "", "reticular dermis thickness; a deeper grid adds inert hypodermis", true},

    {"time.end", R, "270 day", "day", 0, 36500, true, false, "", "simulated time", true},
    {"time.output_interval", R, "7 day", "day", 0, 36500, true, false, "", "days between field snapshots in run.h5", false},
    {"time.tolerance", R, "1e-3", "1", 1e-8, 0.1, false, false, "", "relative local error per step the step-size controller aims at", true},
    {"time.max_step", R, "1 day", "day", 1e-6, 30, false, false, "", "largest time step (reached in slow remodelling)", true},
    {"time.first_step", R, "0.001 day", "day", 1e-8, 1, false, false, "", "time step right after a session; the controller grows it from there", true},

    {"schedule.count", I, "6", "", 0, 1000, false, false, "", "number of sessions made by the generator (0 = untreated control); [session.N] sections, when given, replace the generator", true},
    {"schedule.interval", R, "28 day", "day", 0, 36500, true, false, "", "days between sessions", true},
    {"schedule.start", R, "0 day", "day", 0, 36500, false, false, "", "day of the first session", true},

    {"device.type", C, "random", "", 0, 0, false, false, "roller|stamp|pen|random|single", "puncture pattern: roller (rows from a needle drum, passes in random directions), stamp (needle grid at random offsets), pen (strokes of a needle cartridge along lanes), random (uniform Poisson) or single (one channel in the middle of the patch)", true},
    {"device.needle_length", R, "1.5 mm", "mm", 0.1, 3.0, false, false, "", "needle length (clinical devices 0.25-2.5 mm)", true},
    {"device.density", R, "250 1/cm^2", "1/cm^2", 0, 10000, false, false, "", "punctures per cm^2 per session; drives roller, stamp and pen when device.passes = 0 (a roller lays about 250 after 15 passes)", true},
    {"device.passes", I, "0", "", 0, 100000, false, false, "", "roller passes, stamps, or pen passes per session with the native settings (density = passes x one pass); 0 = as many as device.density needs", true},
    {"device.drum_needles", I, "192", "", 1, 10000, false, false, "", "roller: needles on the drum (Dermaroller 192 = 24 rings of 8)", true},
    {"device.drum_rings", I, "24", "", 1, 1000, false, false, "", "roller: rings of needles along the drum axis; rows of punctures are drum_width / drum_rings apart", true},
    {"device.drum_diameter", R, "20 mm", "mm", 1, 200, false, false, "", "roller: drum diameter; with 192 needles on a 2 x 2 cm drum one pass lays about 15 punctures/cm^2", true},
    {"device.drum_width", R, "20 mm", "mm", 1, 200, false, false, "", "roller: drum width along its axis", true},
    {"device.pitch", R, "1 mm", "mm", 0.05, 10, false, false, "", "stamp and pen: needle spacing of the square needle grid (one stamp lays 1/pitch^2 punctures; below that density a patch is stamped or not)", true},
    {"device.needles", I, "12", "", 1, 100, false, false, "", "pen: needles per stroke (cartridges of 11-12, up to 36)", true},
    {"device.frequency", R, "90 Hz", "Hz", 0, 200, true, false, "", "pen: stroke frequency (Dermapen up to 90-110 Hz)", true},
    {"device.speed", R, "10 mm/s", "mm/s", 0, 1000, true, false, "", "pen: hand speed along a lane in native mode; density mode adjusts it so whole passes lay device.density", true},
    {"device.penetration", R, "0.71", "1", 0, 1, true, false, "", "channel depth / needle length (eta_pen; calibrated, poorly known in human face)", true},
    {"device.surface_radius", R, "0.035 mm", "mm", 0, 0.5, true, false, "", "channel radius at the skin surface (70.7 um wide channels in rat skin)", true},
    {"device.tip_radius", R, "0.004 mm", "mm", 0, 0.5, false, false, "", "channel radius at the needle tip (cone to cylinder when equal to surface_radius)", true},
    {"device.smoothing", R, "0.005 mm", "mm", 0, 0.1, true, false, "", "half-width of the smoothed channel wall, in mm so the channel converges under refinement", true},
    {"device.destroy_cells", R, "1", "1", 0, 1, false, false, "", "phi_F: fraction of fibroblasts destroyed in the channel core", true},
    {"device.destroy_collagen", R, "1", "1", 0, 1, false, false, "", "phi_C: fraction of collagen destroyed in the channel core", true},
    {"device.destroy_elastin", R, "1", "1", 0, 1, false, false, "", "phi_E: fraction of elastin destroyed in the channel core", true},

    {"output.checkpoint_interval", R, "30 day", "day", 0, 36500, false, false, "", "days between checkpoints (DIR/checkpoint.h5, replaced atomically); 0 = only on SIGTERM/SIGINT or failure", false},

    {"run.seed", I, "1", "", 0, 9.0e15, false, false, "", "seed of the counter-based generator that places punctures", true},

    {"pores.closure_time", R, "0.25 day", "day", 0, 30, true, false, "", "tau_O: pore closure time (human non-occluded < 2 h; rat 12-18 h)", true},
    {"damage.decay", R, "1.0 1/day", "1/day", 0, 1000, true, false, "", "k_B: decay rate of the clot / damage alarm", true},

    {"tgf.baseline", R, "1 ng/mL", "ng/mL", 0, 1e4, true, false, "", "T0: homeostatic active TGF-beta", true},
    {"tgf.activation", R, "0.202 1/day", "1/day", 0, 1000, true, false, "", "k_act: activation rate of latent TGF-beta (fitted: validation/calibration)", true},
    {"tgf.latent_dose", R, "3000 ng/mL", "ng/mL", 0, 1e7, false, false, "", "L_dose: latent TGF-beta per channel volume (fitted: validation/calibration)", true},
    {"tgf.diffusion", R, "0.247 mm^2/day", "mm^2/day", 0, 100, false, false, "", "D_T: effective tissue diffusivity (fitted: validation/calibration)", true},
    {"tgf.decay", R, "0.38 1/day", "1/day", 0, 1000, true, false, "", "delta_T: decay rate (calibrated, tight)", true},
    {"tgf.inflammatory_share", R, "0.3", "1", 0, 1, false, true, "", "f_TN: share of baseline TGF-beta made by inflammatory cells", true},
    {"tgf.autocrine_gain", R, "0.5", "1", 0, 100, false, false, "", "a_T: fibroblast autocrine TGF-beta loop gain (keep small)", true},
    {"tgf.autocrine_K", R, "2 ng/mL", "ng/mL", 0, 1e4, true, false, "", "K_g: half-saturation of the autocrine loop", true},

    {"inflammation.baseline", R, "100 cells/mm^3", "cells/mm^3", 0, 1e7, true, false, "", "N0: resident inflammatory cells", true},
    {"inflammation.diffusion", R, "0.02 mm^2/day", "mm^2/day", 0, 100, false, false, "", "D_N: random motility", true},
    {"inflammation.removal", R, "0.6 1/day", "1/day", 0, 1000, true, false, "", "delta_N: removal rate (macrophage removal 0.6/day)", true},
    {"inflammation.recruitment", R, "5000 cells/mm^3/day", "cells/mm^3/day", 0, 1e9, false, false, "", "alpha_N: recruitment per unit damage", true},

    {"mmp.baseline", R, "1 ng/mL", "ng/mL", 0, 1e4, true, false, "", "P0: homeostatic net collagenase", true},
    {"mmp.diffusion", R, "0.02 mm^2/day", "mm^2/day", 0, 100, false, false, "", "D_P: diffusivity", true},
    {"mmp.decay", R, "0.9 1/day", "1/day", 0, 1000, true, false, "", "delta_P: decay rate (MMP decay 0.875/day)", true},
    {"mmp.damage_boost", R, "5", "1", 0, 1e4, false, false, "", "a_P: fibroblast MMP output boost per unit damage", true},
    {"mmp.inflammatory_share", R, "0.3", "1", 0, 1, false, true, "", "f_PN: share of baseline collagenase made by inflammatory cells", true},

    {"fibroblasts.papillary", R, "4000 cells/mm^3", "cells/mm^3", 0, 1e7, true, false, "", "F0 in the papillary dermis", true},
    {"fibroblasts.reticular", R, "2500 cells/mm^3", "cells/mm^3", 0, 1e7, true, false, "", "F0 in the reticular dermis", true},
    {"fibroblasts.diffusion", R, "5e-3 mm^2/day", "mm^2/day", 0, 100, false, false, "", "D_F: random motility (channel refill in 3-7 days needs > 6e-5)", true},
    {"fibroblasts.chemotaxis", R, "2e-3 mm^2*mL/(day*ng)", "mm^2*mL/(day*ng)", 0, 100, false, false, "", "chi_F: chemotactic sensitivity to active TGF-beta", true},
    {"fibroblasts.chemotaxis_K", R, "2 ng/mL", "ng/mL", 0, 1e4, true, false, "", "K_chi: receptor saturation of chemotaxis", true},
    {"fibroblasts.proliferation", R, "1.63 1/day", "1/day", 0, 100, true, false, "", "r_F: proliferation rate (calibrated, tight)", true},
    {"fibroblasts.death", R, "1.26 1/day", "1/day", 0, 100, false, false, "", "delta_F: death rate; must stay below r_F (calibrated)", true},
    {"fibroblasts.tgf_gain", R, "2.6", "1", 0, 1e3, false, false, "", "a_F: TGF-beta-stimulated mitosis gain (calibrated)", true},
    {"fibroblasts.tgf_K", R, "21 ng/mL", "ng/mL", 0, 1e5, true, false, "", "K_h: half-saturation of stimulated mitosis (calibrated)", true},

    {"collagen.synthesis", R, "0.009 1/day", "1/day", 0, 1, true, false, "", "S0: baseline synthesis, fraction of total collagen per day (FSR 0.037 %/h)", true},
    {"collagen.type3_baseline", R, "0.15", "1", 0, 1, true, true, "", "collagen III share of total collagen at baseline", true},
    {"collagen.type3_share", R, "0.15", "1", 0, 1, true, true, "", "theta0: share of synthesis going to type III at rest", true},
    {"collagen.type3_share_inflamed", R, "0.4", "1", 0, 1, false, false, "", "theta1: share of synthesis going to type III in an inflamed wound", true},
    {"collagen.type3_K", R, "42.2 cells/mm^3", "cells/mm^3", 0, 1e7, true, false, "", "K_theta: excess inflammatory cells for half the shift to type III (fitted: validation/calibration)", true},
    {"collagen.labile_lifetime", R, "30 day", "day", 0, 3650, true, false, "", "tau_C1: lifetime of labile collagen I (calibrated, at the top of its range)", true},
    {"collagen.mature_half_life", R, "15 year", "day", 0, 1e6, true, false, "", "half-life of mature cross-linked collagen (commonly quoted)", true},
    {"collagen.capacity", R, "2.5", "1", 1, 100, true, false, "", "C_max: collagen capacity relative to baseline (calibrated, tight)", true},
    {"collagen.tgf_gain", R, "0.32", "1", 0, 100, false, false, "", "b_C: TGF-beta boost of synthesis (calibrated, poorly known)", true},
    {"collagen.tgf_K", R, "2 ng/mL", "ng/mL", 0, 1e4, true, false, "", "K_q: half-saturation of the synthesis boost", true},
    {"collagen.mmp_share", R, "0.5", "1", 0, 1, false, false, "", "f_P: share of each baseline matrix loss that is MMP-driven", true},

    {"elastin.residence", R, "74 year", "day", 0, 1e7, true, false, "", "1/(gamma_E + lambda_E P0): mature elastin residence (lung 14C)", true},
    {"elastin.tropo_baseline", R, "0.02", "1", 0, 1, true, false, "", "En0: tropoelastin relative to mature elastin", true},
    {"elastin.tropo_lifetime", R, "30 day", "day", 0, 3650, true, false, "", "tropoelastin lifetime (decay plus cross-linking into elastin)", true},
    {"elastin.tgf_gain", R, "3", "1", 0, 100, false, false, "", "b_E: TGF-beta boost of tropoelastin synthesis", true},
    {"elastin.elastosis", R, "0", "1", 0, 10, false, false, "", "photo-aged skin: elastotic excess of mature elastin in the papillary dermis, relative to healthy (0 = healthy)", true},
    {"elastin.elastosis_clearance", R, "0.005 mL/(ng*day)", "mL/(ng*day)", 0, 100, false, false, "", "lambda_X: clearance of mature elastin per unit collagenase above baseline (elastotic material; poorly known)", true},

    {"activation.rate", R, "2.49 1/day", "1/day", 0, 1000, false, false, "", "k_A: onset rate of the activated (remodelling) state (fitted: validation/calibration)", true},
    {"activation.lifetime", R, "77 day", "day", 0, 36500, true, false, "", "tau_A: reversion time of the activated state (fitted: validation/calibration)", true},
    {"activation.crosslink_boost", R, "40.1", "1", 0, 1e5, false, false, "", "b_kA: cross-linking boost by activated cells (fitted: validation/calibration)", true},
    {"activation.protection", R, "1.41", "1", 0, 1e5, false, false, "", "b_dA: protection of new matrix from loss by activated cells (fitted: validation/calibration)", true},

    {"epidermis.thickening_gain", R, "0.0466 1/day", "1/day", 0, 100, false, false, "", "a_eps: epidermal thickening per unit relative TGF-beta excess (fitted: validation/calibration)", true},
    {"epidermis.thickening_time", R, "30 day", "day", 0, 36500, true, false, "", "tau_eps: relaxation time of epidermal thickening (poorly known)", true},
};

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string number_text(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace

const std::vector<ParamSpec>& parameter_specs() { return kSpecs; }

const ParamSpec* find_spec(const std::string& key) {
  for (const auto& s : kSpecs)
    if (key == s.key) return &s;
  return nullptr;
}

std::string nearest_key(const std::string& key) {
  std::string best;
  std::size_t best_d = SIZE_MAX;
  for (const auto& s : kSpecs) {
    // Compare the name part alone too, so "[grid] nxx" and "time.nx" both find their key.
    const std::string k = s.key;
    const std::string name = k.substr(k.find('.') + 1);
    const std::string given_name = key.substr(key.find('.') + 1);
    const std::size_t d = std::min(edit_distance(key, k), edit_distance(given_name, name) + 1);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best;
}

std::string allowed_text(const ParamSpec& s) {
  if (s.kind == ParamKind::Choice) {
    std::string c = s.choices;
    std::replace(c.begin(), c.end(), '|', ',');
    return "one of {" + c + "}";
  }
  std::string lo = s.min_open ? "(" : "[";
  std::string hi = s.max_open ? ")" : "]";
  std::string text = lo + number_text(s.min) + ", " + (s.max >= kInf ? "inf" : number_text(s.max)) + hi;
  if (s.kind == ParamKind::Integer) return "a whole number in " + text;
  return text + (std::string(s.unit) == "1" ? "" : std::string(" ") + s.unit);
}

}  // namespace mnsim
