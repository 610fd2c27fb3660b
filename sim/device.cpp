#include "mnsim/protocol/device.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "mnsim/io/config.hpp"
#include "mnsim/io/units.hpp"

namespace mnsim {

namespace {

constexpr double kPi = 3.14159265358979323846;

// The numeric device keys and the members that hold them: one list serves the [device] section
// and every [session.N] override.
struct DeviceKey {
  const char* name;
  double DeviceSpec::*member;
};
const DeviceKey kKeys[] = {
    {"needle_length", &DeviceSpec::needle_length},   {"density", &DeviceSpec::density},
    {"penetration", &DeviceSpec::penetration},       {"surface_radius", &DeviceSpec::surface_radius},
    {"tip_radius", &DeviceSpec::tip_radius},         {"smoothing", &DeviceSpec::smoothing},
    {"destroy_cells", &DeviceSpec::destroy_cells},   {"destroy_collagen", &DeviceSpec::destroy_collagen},
    {"destroy_elastin", &DeviceSpec::destroy_elastin}, {"passes", &DeviceSpec::passes},
    {"drum_needles", &DeviceSpec::drum_needles},     {"drum_rings", &DeviceSpec::drum_rings},
    {"drum_diameter", &DeviceSpec::drum_diameter},   {"drum_width", &DeviceSpec::drum_width},
    {"pitch", &DeviceSpec::pitch},                   {"needles", &DeviceSpec::needles},
    {"frequency", &DeviceSpec::frequency},           {"speed", &DeviceSpec::speed},
};

// Draws of a session that belong to no single needle or pass use this needle slot; a random
// puncture uses its own index (streams 0 and 1 for x and y) and a pass its own index.
constexpr std::uint64_t kSessionSlot = ~0ull;
enum SessionStream : std::uint64_t { kPoissonU = 0, kPoissonZ = 1, kRounding = 2 };
enum PassStream : std::uint64_t { kAngle = 0, kOffsetU = 1, kOffsetV = 2 };

// Pen cartridge: needles on a square grid, `cols` across the lane.
struct PenHead {
  int cols = 1, rows = 1;
  double width = 0;  // lane width, mm
  explicit PenHead(const DeviceSpec& d) {
    const int n = std::max(1, static_cast<int>(d.needles));
    cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
    rows = (n + cols - 1) / cols;
    width = cols * d.pitch;
  }
};

// Frame of one pass: u along the direction of travel (angle theta to x), v across it.
struct Frame {
  double c = 1, s = 0;
  double umin = 0, umax = 0, vmin = 0, vmax = 0;  // the patch seen in this frame
  Frame(double theta, const Patch& p) : c(std::cos(theta)), s(std::sin(theta)) {
    const double xs[4] = {0, p.lx, 0, p.lx}, ys[4] = {0, 0, p.ly, p.ly};
    umin = vmin = 1e300;
    umax = vmax = -1e300;
    for (int i = 0; i < 4; ++i) {
      const double u = xs[i] * c + ys[i] * s, v = -xs[i] * s + ys[i] * c;
      umin = std::min(umin, u), umax = std::max(umax, u);
      vmin = std::min(vmin, v), vmax = std::max(vmax, v);
    }
  }
  // Adds the point (u, v) when it falls on the patch.
  void emit(double u, double v, const Patch& p, std::vector<Puncture>& out) const {
    const double x = u * c - v * s, y = u * s + v * c;
    if (x >= 0 && x < p.lx && y >= 0 && y < p.ly) out.push_back({x, y});
  }
};

// Indices i with origin + i * step in [lo - margin, hi].
std::pair<long, long> index_range(double lo, double hi, double origin, double step, double margin = 0) {
  return {static_cast<long>(std::floor((lo - margin - origin) / step)), static_cast<long>(std::ceil((hi - origin) / step))};
}

// A lattice with spacing du along the travel and dv across it, at offsets (ou, ov).
void lay_lattice(const Frame& f, double du, double dv, double ou, double ov, const Patch& p, std::vector<Puncture>& out) {
  const auto [k0, k1] = index_range(f.umin, f.umax, ou, du);
  const auto [m0, m1] = index_range(f.vmin, f.vmax, ov, dv);
  for (long m = m0; m <= m1; ++m)
    for (long k = k0; k <= k1; ++k) f.emit(ou + k * du, ov + m * dv, p, out);
}

std::vector<Puncture> lay_random(const DeviceSpec& d, const Patch& patch, std::uint64_t seed, int session) {
  const double mean = d.density / 100.0 * patch.lx * patch.ly;
  // Poisson count by inversion of the cumulative distribution (normal approximation for
  // large means, where exp(-mean) would underflow).
  const double u = counter_uniform(seed, session, kSessionSlot, kPoissonU);
  long count = 0;
  if (mean > 500) {
    const double u2 = counter_uniform(seed, session, kSessionSlot, kPoissonZ);
    const double z = std::sqrt(-2 * std::log(std::max(u, 1e-300))) * std::cos(2 * kPi * u2);
    count = std::max(0L, std::lround(mean + std::sqrt(mean) * z));
  } else {
    double q = std::exp(-mean), cdf = q;
    while (u > cdf && q > 0) {
      ++count;
      q *= mean / count;
      cdf += q;
    }
  }
  std::vector<Puncture> out;
  out.reserve(count);
  for (long n = 0; n < count; ++n)
    out.push_back({patch.lx * counter_uniform(seed, session, n, 0), patch.ly * counter_uniform(seed, session, n, 1)});
  return out;
}

// Passes of a session and, for the pen, the hand speed they are made at (mm/s).
struct Plan {
  long passes = 0;
  double speed = 0;
};

Plan plan(const DeviceSpec& d, std::uint64_t seed, int session) {
  if (d.passes > 0) return {std::lround(d.passes), d.speed};
  const double target = d.density / 100.0;  // per mm^2
  if (target <= 0) return {0, d.speed};
  const double x = target / d.pass_density();
  if (d.type == "pen") {
    const long n = std::max(1L, std::lround(x));
    return {n, d.speed * n / x};
  }
  const double whole = std::floor(x);
  const bool extra = counter_uniform(seed, session, kSessionSlot, kRounding) < x - whole;
  return {static_cast<long>(whole) + extra, d.speed};
}

}  // namespace

DeviceSpec DeviceSpec::from(const Config& c) {
  DeviceSpec d;
  d.set("type", c.choice("device.type"));
  for (const DeviceKey& k : kKeys) d.set(k.name, c.text(std::string("device.") + k.name));
  return d;
}

void DeviceSpec::set(const std::string& name, const std::string& text) {
  if (name == "type") {
    type = text;
    return;
  }
  const ParamSpec* spec = find_spec("device." + name);
  for (const DeviceKey& k : kKeys)
    if (spec && name == k.name) {
      this->*k.member = units::parse_quantity(text, spec->kind == ParamKind::Real ? spec->unit : "1");
      return;
    }
  throw std::logic_error("device key '" + name + "' has no DeviceSpec member");
}

Needle DeviceSpec::needle(double dermis_bottom) const {
  Needle n;
  n.depth = std::min(penetration * needle_length, dermis_bottom);
  n.r_surface = surface_radius;
  n.r_tip = tip_radius;
  n.smoothing = smoothing;
  return n;
}

double DeviceSpec::pass_density() const {
  // One drum revolution punctures drum_needles holes over a drum_width x circumference strip.
  if (type == "roller") return drum_needles / (kPi * drum_diameter * drum_width);
  if (type == "stamp") return 1.0 / (pitch * pitch);
  // A stroke lays `needles` holes over one lane width and one stroke spacing (speed / frequency).
  if (type == "pen") return needles * frequency / (speed * PenHead(*this).width);
  return density / 100.0;
}

double DeviceSpec::expected_density() const { return passes > 0 ? passes * pass_density() : density / 100.0; }

std::vector<Puncture> place_punctures(const DeviceSpec& d, const Patch& patch, std::uint64_t seed, int session) {
  std::vector<Puncture> out;
  if (patch.lx <= 0) return out;  // 1D: only the density matters
  if (d.type == "single") {
    out.push_back({0.5 * patch.lx, 0.5 * patch.ly});
    return out;
  }
  if (d.type == "random") return lay_random(d, patch, seed, session);

  const Plan pl = plan(d, seed, session);
  const PenHead head(d);
  for (long pass = 0; pass < pl.passes; ++pass) {
    auto draw = [&](std::uint64_t stream) { return counter_uniform(seed, session, pass, stream); };
    if (d.type == "stamp") {
      lay_lattice(Frame(0, patch), d.pitch, d.pitch, d.pitch * draw(kOffsetU), d.pitch * draw(kOffsetV), patch, out);
    } else if (d.type == "roller") {
      const double ring_spacing = d.drum_width / d.drum_rings;
      const double needle_spacing = kPi * d.drum_diameter * d.drum_rings / d.drum_needles;
      lay_lattice(Frame(kPi * draw(kAngle), patch), needle_spacing, ring_spacing, needle_spacing * draw(kOffsetU),
                  ring_spacing * draw(kOffsetV), patch, out);
    } else {  // pen
      const Frame f(kPi * draw(kAngle), patch);
      const double stroke = pl.speed / d.frequency;  // mm between strokes along the lane
      const double ou = stroke * draw(kOffsetU), ov = head.width * draw(kOffsetV);
      const auto [m0, m1] = index_range(f.vmin, f.vmax, ov, head.width);
      // A stroke reaches (rows - 1) * pitch ahead of its position, plus up to one stroke of jitter.
      const auto [k0, k1] = index_range(f.umin, f.umax, ou, stroke, head.rows * d.pitch + stroke);
      for (long m = m0; m <= m1; ++m)
        for (long k = k0; k <= k1; ++k) {
          // The jitter of each stroke has its own stream, named by the stroke's lane and index.
          const double u = ou + (k + draw(counter_hash(m, k, 0, 0))) * stroke;
          for (int n = 0; n < static_cast<int>(d.needles); ++n)
            f.emit(u + (n / head.cols) * d.pitch, ov + m * head.width + (n % head.cols + 0.5) * d.pitch, patch, out);
        }
    }
  }
  return out;
}

}  // namespace mnsim
