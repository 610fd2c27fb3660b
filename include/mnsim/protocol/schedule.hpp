#pragma once
#include <string>
#include <vector>

#include "mnsim/protocol/channel.hpp"

namespace mnsim {

class Config;

// The device settings in force for one session.
struct DeviceSpec {
  std::string type = "random";
  double needle_length = 1.5;  // mm
  double density = 250;        // punctures per cm^2
  double penetration = 0.71;
  double surface_radius = 0.035, tip_radius = 0.004, smoothing = 0.005;  // mm
  double destroy_cells = 1, destroy_collagen = 1, destroy_elastin = 1;
  double density_per_mm2() const { return density / 100.0; }
  // The channel this device makes: depth = penetration * needle length, capped at the dermis bottom.
  Needle needle(double dermis_bottom) const;
};

struct Session {
  double day = 0;
  DeviceSpec device;
};

// Sessions in time order: the [session.N] sections when there are any (each overriding device
// keys for itself), otherwise the generator schedule.count / interval / start. Throws
// ConfigError when a session falls outside [0, time.end].
std::vector<Session> build_schedule(const Config& c);

// What a session did, for /schedule/sessions.
struct SessionRecord {
  double day = 0;
  std::string device;
  double needle_length = 0, density = 0;
  long punctures = 0;
};

}  // namespace mnsim
