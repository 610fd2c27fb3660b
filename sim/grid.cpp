#include "mnsim/core/grid.hpp"

#include <cmath>

namespace mnsim {

double Grid::cell_volume() const { return dx * (nx > 1 ? dx : 1.0) * (ny > 1 ? dx : 1.0); }

const char* layer_name(Layer l) {
  switch (l) {
    case Layer::Epidermis: return "epidermis";
    case Layer::Papillary: return "papillary";
    case Layer::Reticular: return "reticular";
    case Layer::Hypodermis: return "hypodermis";
  }
  return "?";
}

LayerMap::LayerMap(const Grid& g, const SkinLayers& s) : of_level(g.nz) {
  // A cell belongs to the layer holding its centre. The boundaries are compared with a small
  // tolerance so a boundary that falls on a face (0.08 mm at dx = 0.02) is never split by
  // round-off in (k + 0.5) * dx.
  const double eps = 1e-9 * g.dx;
  dermis_begin = g.nz;
  dermis_end = 0;
  skin_end = 0;
  for (int k = 0; k < g.nz; ++k) {
    const double z = g.z(k);
    Layer l;
    if (z < s.dermis_top() - eps)
      l = Layer::Epidermis;
    else if (z < s.papillary_bottom() - eps)
      l = Layer::Papillary;
    else if (z < s.dermis_bottom() - eps)
      l = Layer::Reticular;
    else
      l = Layer::Hypodermis;
    of_level[k] = l;
    if (l == Layer::Papillary || l == Layer::Reticular) {
      if (k < dermis_begin) dermis_begin = k;
      dermis_end = k + 1;
    }
    if (l != Layer::Hypodermis) skin_end = k + 1;
  }
  if (dermis_end == 0) dermis_begin = 0;
}

}  // namespace mnsim
