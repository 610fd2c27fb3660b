#include "mnsim/core/fields.hpp"

namespace mnsim {

namespace {
const FieldInfo kFields[kNumFields] = {
    {"O", "open_pores", "1", "open micro-channel (pore) fraction in the epidermis"},
    {"B", "damage", "1", "clot / tissue-damage alarm"},
    {"L", "tgf_latent", "ng/mL", "latent TGF-beta stored in the clot"},
    {"T", "tgf_active", "ng/mL", "active TGF-beta (pro-fibrotic growth-factor signal)"},
    {"N", "inflammatory_cells", "cells/mm^3", "neutrophils and macrophages, lumped"},
    {"P", "mmp", "ng/mL", "net active collagenase (MMP minus TIMP)"},
    {"F", "fibroblasts", "cells/mm^3", "fibroblast density"},
    {"C3", "collagen_III", "1", "collagen III, relative to the layer's baseline total collagen"},
    {"C1", "collagen_I_new", "1", "new (labile, not cross-linked) collagen I, relative to baseline total"},
    {"Cm", "collagen_I_mature", "1", "mature cross-linked collagen I, relative to baseline total"},
    {"E", "elastin", "1", "mature elastin, relative to baseline"},
    {"En", "tropoelastin", "1", "new elastin (tropoelastin), relative to baseline mature elastin"},
    {"A", "activated_fibroblasts", "1", "activated (remodelling) fraction of the fibroblasts"},
};
}  // namespace

const FieldInfo& field_info(int f) { return kFields[f]; }

State::State(const Grid& g) : grid(g) {
  for (auto& v : f) v.assign(g.size(), 0.0);
}

}  // namespace mnsim
