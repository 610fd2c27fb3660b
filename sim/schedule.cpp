#include "mnsim/protocol/schedule.hpp"

#include <algorithm>
#include <sstream>

#include "mnsim/core/errors.hpp"
#include "mnsim/io/config.hpp"

namespace mnsim {

std::vector<Session> build_schedule(const Config& c) {
  const DeviceSpec base = DeviceSpec::from(c);
  const double end = c.real("time.end");
  std::vector<Session> out;
  if (!c.sessions().empty()) {
    // Days, order and keys of [session.N] sections were checked when the config was read.
    auto sections = c.sessions();
    std::sort(sections.begin(), sections.end(), [](auto& a, auto& b) { return a.number < b.number; });
    for (const auto& s : sections) {
      Session x{s.day, base};
      for (const auto& [k, v] : s.device) x.device.set(k, v);
      if (x.device.tip_radius > x.device.surface_radius) {
        std::ostringstream os;
        os << "config: session." << s.number << ".tip_radius = " << x.device.tip_radius << " mm: larger than the session's surface_radius = "
           << x.device.surface_radius << " mm; allowed [0, surface_radius] mm";
        throw ConfigError(os.str());
      }
      out.push_back(x);
    }
    return out;
  }
  const long long count = c.integer("schedule.count");
  const double start = c.real("schedule.start"), interval = c.real("schedule.interval");
  if (count > 0 && start > end) {
    std::ostringstream os;
    os << "config: schedule.start = '" << c.text("schedule.start") << "': the first session falls after time.end = "
       << end << " day; allowed [0, time.end] day";
    throw ConfigError(os.str());
  }
  for (long long i = 0; i < count; ++i) {
    const double day = start + i * interval;
    if (day > end) {
      std::ostringstream os;
      os << "config: schedule.count = " << count << ": session " << i + 1 << " would fall on day " << day
         << ", after time.end = " << end << " day; allowed schedule.start + (count - 1) * schedule.interval <= time.end";
      throw ConfigError(os.str());
    }
    out.push_back(Session{day, base});
  }
  return out;
}

}  // namespace mnsim
