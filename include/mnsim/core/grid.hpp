#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mnsim {

// Uniform cell-centred Cartesian grid. z is depth below the skin surface (down positive);
// x and y are lateral and periodic. 1D: nx = ny = 1; 2D: ny = 1. Storage is x-fastest.
struct Grid {
  int nx = 1, ny = 1, nz = 1;
  double dx = 0.02;  // mm

  std::size_t size() const { return std::size_t(nx) * ny * nz; }
  std::size_t plane() const { return std::size_t(nx) * ny; }
  std::size_t idx(int i, int j, int k) const { return (std::size_t(k) * ny + j) * nx + i; }
  int dim() const { return 1 + (nx > 1) + (ny > 1); }
  double x(int i) const { return (i + 0.5) * dx; }
  double y(int j) const { return (j + 0.5) * dx; }
  double z(int k) const { return (k + 0.5) * dx; }
  double lx() const { return nx * dx; }
  double ly() const { return ny * dx; }
  double depth() const { return nz * dx; }
  double cell_volume() const;  // mm^3 in 3D; per unit lateral length/area in 2D/1D
};

enum class Layer : std::uint8_t { Epidermis = 0, Papillary = 1, Reticular = 2, Hypodermis = 3 };
const char* layer_name(Layer l);

// Layer thicknesses from [skin], mm.
struct SkinLayers {
  double epidermis = 0.08, papillary = 0.30, reticular = 1.42;
  double dermis_top() const { return epidermis; }
  double papillary_bottom() const { return epidermis + papillary; }
  double dermis_bottom() const { return epidermis + papillary + reticular; }
};

// Which layer each z-level belongs to, by the depth of its cell centre. Layers depend on depth
// only, so everything layer-dependent is a per-level table rather than a per-voxel array.
struct LayerMap {
  std::vector<Layer> of_level;  // size nz
  int dermis_begin = 0, dermis_end = 0;  // [begin, end) levels of the dermis
  int skin_end = 0;                      // levels below are inert hypodermis

  LayerMap() = default;
  LayerMap(const Grid& g, const SkinLayers& s);
  bool dermis(int k) const { return k >= dermis_begin && k < dermis_end; }
};

}  // namespace mnsim
