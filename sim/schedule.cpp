#include "mnsim/protocol/schedule.hpp"

#include <algorithm>
#include <sstream>

#include "mnsim/core/errors.hpp"
#include "mnsim/io/config.hpp"
#include "mnsim/io/units.hpp"

namespace mnsim {

Needle DeviceSpec::needle(double dermis_bottom) const {
  Needle n;
  n.depth = std::min(penetration * needle_length, dermis_bottom);
  n.r_surface = surface_radius;
  n.r_tip = tip_radius;
  n.smoothing = smoothing;
  return n;
}

namespace {

DeviceSpec device_from(const Config& c) {
  DeviceSpec d;
  d.type = c.choice("device.type");
  d.needle_length = c.real("device.needle_length");
  d.density = c.real("device.density");
  d.penetration = c.real("device.penetration");
  d.surface_radius = c.real("device.surface_radius");
  d.tip_radius = c.real("device.tip_radius");
  d.smoothing = c.real("device.smoothing");
  d.destroy_cells = c.real("device.destroy_cells");
  d.destroy_collagen = c.real("device.destroy_collagen");
  d.destroy_elastin = c.real("device.destroy_elastin");
  return d;
}

void override_device(DeviceSpec& d, const std::string& key, const std::string& text) {
  const ParamSpec* s = find_spec("device." + key);
  if (key == "type") {
    d.type = text;
    return;
  }
  const double v = units::parse_quantity(text, s->unit);  // validated when the config was read
  if (key == "needle_length") d.needle_length = v;
  else if (key == "density") d.density = v;
  else if (key == "penetration") d.penetration = v;
  else if (key == "surface_radius") d.surface_radius = v;
  else if (key == "tip_radius") d.tip_radius = v;
  else if (key == "smoothing") d.smoothing = v;
  else if (key == "destroy_cells") d.destroy_cells = v;
  else if (key == "destroy_collagen") d.destroy_collagen = v;
  else if (key == "destroy_elastin") d.destroy_elastin = v;
}

}  // namespace

std::vector<Session> build_schedule(const Config& c) {
  const DeviceSpec base = device_from(c);
  const double end = c.real("time.end");
  std::vector<Session> out;
  if (!c.sessions().empty()) {
    auto sections = c.sessions();
    std::sort(sections.begin(), sections.end(), [](auto& a, auto& b) { return a.number < b.number; });
    for (const auto& s : sections) {
      Session x{s.day, base};
      for (const auto& [k, v] : s.device) override_device(x.device, k, v);
      if (x.device.tip_radius > x.device.surface_radius)
        throw ConfigError("config: session." + std::to_string(s.number) + ".tip_radius: larger than surface_radius; allowed [0, surface_radius] mm");
      out.push_back(x);
    }
    return out;
  }
  const long long count = c.integer("schedule.count");
  const double start = c.real("schedule.start"), interval = c.real("schedule.interval");
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
