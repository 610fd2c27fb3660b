#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "mnsim/protocol/channel.hpp"

namespace mnsim {

class Config;

// The device settings in force for one session, one member per device.* key of the parameter
// table (whole-number keys are held as doubles like every other value).
struct DeviceSpec {
  std::string type;
  double needle_length = 0;  // mm
  double density = 0;        // punctures per cm^2 per session (density mode)
  double penetration = 0;    // channel depth / needle length
  double surface_radius = 0, tip_radius = 0, smoothing = 0;  // mm
  double destroy_cells = 0, destroy_collagen = 0, destroy_elastin = 0;
  double passes = 0;  // native mode when > 0; 0 = as many as `density` needs
  double drum_needles = 0, drum_rings = 0, drum_diameter = 0, drum_width = 0;  // roller (mm)
  double pitch = 0;                                                            // stamp, pen head (mm)
  double needles = 0, frequency = 0, speed = 0;                                // pen (Hz, mm/s)

  // The device keys of `c` (device.type, device.needle_length, ...).
  static DeviceSpec from(const Config& c);
  // Sets one device key (name without "device.") from text already validated against its spec.
  void set(const std::string& name, const std::string& text);

  // The channel this device makes: depth = penetration * needle length, capped at the dermis bottom.
  Needle needle(double dermis_bottom) const;
  // Punctures per mm^2 one pass lays with the native geometry (roller pass, one stamp, one pen
  // pass at device.speed); `density` itself for random and single.
  double pass_density() const;
  // Punctures per mm^2 the session lays on average: passes * pass_density() in native mode,
  // `density` in density mode. This is what a 1D column receives and what is recorded.
  double expected_density() const;
};

// Puncture positions of one session on the lateral patch, a pure function of the device
// settings, the patch, the seed and the session index: never of the grid spacing or the thread
// count. Every draw comes from the counter generator keyed on (seed, session, needle or pass).
//   random  Poisson count with mean density * area, uniform positions.
//   single  one channel in the middle of the patch.
//   roller  each pass rolls the drum across the patch in a random direction at a random offset:
//           a lattice with the ring spacing (drum_width / drum_rings) across the roll and the
//           needle spacing on a ring (pi drum_diameter * drum_rings / drum_needles) along it, so
//           punctures fall along rows.
//   stamp   each stamp lays a square grid of the pitch at a random offset (the stamp is larger
//           than the patch).
//   pen     each pass sweeps the patch in parallel lanes in a random direction; the cartridge's
//           needles sit on a square grid of the pitch (ceil(sqrt(needles)) across the lane, which
//           sets the lane width) and strike once per stroke, strokes are speed / frequency apart
//           along the lane, each jittered by up to one stroke spacing as a hand would.
// Native mode (device.passes > 0) makes that many passes (stamps for a stamp). Density mode
// (device.passes = 0) lays device.density on average: the roller and the stamp make
// density / pass_density passes, rounded up or down at random with the odds that keep the mean
// exact; the pen makes that many passes rounded to the nearest whole number (at least one) and
// moves at the hand speed that makes them lay device.density exactly.
std::vector<Puncture> place_punctures(const DeviceSpec& device, const Patch& patch, std::uint64_t seed, int session);

}  // namespace mnsim
