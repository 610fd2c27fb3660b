#pragma once
#include <string>
#include <vector>

#include "mnsim/protocol/device.hpp"

namespace mnsim {

class Config;

struct Session {
  double day = 0;
  DeviceSpec device;
};

// Sessions in time order: the [session.N] sections when there are any (each overriding device
// keys for itself), otherwise the generator schedule.count / interval / start. Throws
// ConfigError naming the key when a session falls outside [0, time.end].
std::vector<Session> build_schedule(const Config& c);

// What a session did, for /schedule/sessions and /schedule/punctures.
struct SessionRecord {
  double day = 0;
  std::string device;
  double needle_length = 0;        // mm
  double density = 0;              // punctures per cm^2 the settings lay on average
  long punctures = 0;              // laid on the patch (1D: the expected count per cm^2)
  double depth = 0, radius = 0;    // channel depth and surface radius, mm
  std::vector<Puncture> sites;     // positions on the patch (none in 1D)
};

}  // namespace mnsim
