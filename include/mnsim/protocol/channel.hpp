#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "mnsim/core/grid.hpp"

namespace mnsim {

// Counter-based random numbers: a value is a pure function of (seed, session, needle, stream),
// so a puncture pattern never depends on the order of evaluation, the thread count or the grid.
std::uint64_t counter_hash(std::uint64_t seed, std::uint64_t session, std::uint64_t needle, std::uint64_t stream);
double counter_uniform(std::uint64_t seed, std::uint64_t session, std::uint64_t needle, std::uint64_t stream);

// Channel geometry in mm: depth d (already capped at the dermis bottom), radius tapering
// linearly from r_surface at z = 0 to r_tip at z = d, wall smoothed over +-smoothing.
struct Needle {
  double depth = 1.0, r_surface = 0.035, r_tip = 0.004, smoothing = 0.005;
  double radius(double z) const;
  // Smoothed indicator of a point at lateral distance rho and depth z (0..1). The radial ramp
  // is centred on sqrt(R^2 - w^2/3), which makes the smoothed cross-section area exactly pi R^2.
  double indicator(double rho, double z) const;
  // Smoothed cross-section area at depth z, mm^2 (pi R(z)^2 away from the tip and the bottom).
  double area(double z) const;
  // Smoothed channel volume, mm^3 (the cone frustum volume up to the smoothing of the bottom).
  double volume() const;
};

struct Puncture {
  double x = 0, y = 0;  // mm, on the lateral patch
};

// Lateral patch the pattern is laid on, mm. 3D: the grid's x-y box. 2D: a square lx x lx patch
// whose channels are averaged over y, so the (x, depth) section carries the same mean channel
// area fraction at every depth as the 3D pattern. 1D: no patch (lx = 0); the column receives
// density * area(z), the lateral average of any pattern of that density.
struct Patch {
  double lx = 1, ly = 1;
};
Patch patch_of(const Grid& g);

// Cell-averaged channel indicator of a session on the grid, in [0, 1]. 3D: the channels
// themselves; 2D: their average over y across the patch; 1D: density * area(z). Overlaps add up
// to at most 1.
std::vector<double> channel_indicator(const Grid& g, const Needle& needle, const std::vector<Puncture>& punctures,
                                      double density_per_mm2);

}  // namespace mnsim
