#include "mnsim/io/config.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

#include "mnsim/core/errors.hpp"
#include "mnsim/io/units.hpp"

namespace po = boost::program_options;

namespace mnsim {

const char* source_name(Source s) {
  switch (s) {
    case Source::Default: return "default";
    case Source::File: return "file";
    case Source::CommandLine: return "command line";
  }
  return "?";
}

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

[[noreturn]] void bad_value(const ParamSpec& s, const std::string& key, const std::string& text, const std::string& why) {
  throw ConfigError("config: " + key + " = '" + text + "': " + why + "; allowed " + allowed_text(s));
}

std::string day_text(double day) {
  std::ostringstream os;
  os << day << " day";
  return os.str();
}

// Reads `text` for key `s` (given as `key`: a [session.N] section names its own), checks type,
// unit and range; returns the value in the canonical unit.
double validate(const ParamSpec& s, const std::string& text, const std::string& key) {
  if (s.kind == ParamKind::Choice) {
    std::stringstream ss(s.choices);
    std::string c;
    while (std::getline(ss, c, '|'))
      if (c == text) return 0.0;
    bad_value(s, key, text, "unknown choice");
  }
  double v = 0.0;
  try {
    v = units::parse_quantity(text, s.kind == ParamKind::Real ? s.unit : "1");
  } catch (const std::invalid_argument& e) {
    bad_value(s, key, text, e.what());
  }
  if (s.kind == ParamKind::Integer && v != std::floor(v)) bad_value(s, key, text, "not a whole number");
  const bool low_ok = s.min_open ? v > s.min : v >= s.min;
  const bool high_ok = s.max_open ? v < s.max : v <= s.max;
  if (!low_ok || !high_ok) bad_value(s, key, text, "out of range");
  return v;
}

const std::regex kSessionKey(R"(session\.([0-9]+)\.([A-Za-z_]+))");

}  // namespace

Config::Config() {
  for (const auto& s : parameter_specs()) set(s.key, s.default_text, Source::Default);
}

void Config::set(const std::string& key, const std::string& raw, Source src) {
  const std::string text = trim(raw);
  std::smatch m;
  if (std::regex_match(key, m, kSessionKey)) {
    add_session_key(std::stoi(m[1]), m[2], text);
    return;
  }
  const ParamSpec* s = find_spec(key);
  if (!s)
    throw ConfigError("config: unknown key '" + key + "' = '" + text + "'; did you mean '" + nearest_key(key) +
                      "'? (mnsim config-reference lists every key)");
  Entry e;
  e.text = text;
  e.value = validate(*s, text, key);
  e.source = src;
  entries_[key] = e;
}

void Config::add_session_key(int number, const std::string& name, const std::string& text) {
  auto it = std::find_if(sessions_.begin(), sessions_.end(), [&](const SessionSection& s) { return s.number == number; });
  if (it == sessions_.end()) {
    sessions_.push_back(SessionSection{number, -1.0, {}});
    it = sessions_.end() - 1;
  }
  const std::string key = "session." + std::to_string(number) + "." + name;
  if (name == "day") {
    try {
      it->day = units::parse_quantity(text, "day");
    } catch (const std::invalid_argument& e) {
      throw ConfigError("config: " + key + " = '" + text + "': " + e.what() + "; allowed [0, time.end] day");
    }
    if (it->day < 0)
      throw ConfigError("config: " + key + " = '" + text + "': out of range; allowed [0, time.end] day");
    return;
  }
  const ParamSpec* s = find_spec("device." + name);
  if (!s)
    throw ConfigError("config: unknown key '" + key + "' = '" + text + "'; a [session.N] section takes 'day' and device keys (did you mean '" +
                      nearest_key("device." + name).substr(7) + "'?)");
  validate(*s, text, key);
  it->device[name] = text;
}

Config Config::load(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream file(path);
  if (!file) throw ConfigError("config: cannot open config file '" + path + "'");
  std::stringstream text;
  text << file.rdbuf();
  return from_text(text.str(), path, overrides);
}

std::vector<std::pair<std::string, std::string>> read_ini(const std::string& ini, const std::string& origin) {
  // INI comments start with ';' or '#' at the start of a line or after white space; Boost
  // knows only '#', so comments are removed here.
  std::istringstream file(ini);
  std::stringstream in;
  for (std::string line; std::getline(file, line);) {
    for (std::size_t i = 0; i < line.size(); ++i)
      if ((line[i] == ';' || line[i] == '#') && (i == 0 || std::isspace(static_cast<unsigned char>(line[i - 1])))) {
        line.resize(i);
        break;
      }
    in << line << "\n";
  }
  po::options_description desc;
  po::parsed_options parsed(&desc);
  try {
    parsed = po::parse_config_file(in, desc, /*allow_unregistered=*/true);
  } catch (const po::error& e) {
    throw ConfigError("config: " + origin + ": " + e.what());
  }
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& opt : parsed.options) {
    if (std::any_of(entries.begin(), entries.end(), [&](const auto& e) { return e.first == opt.string_key; }))
      throw ConfigError("config: key '" + opt.string_key + "' is given more than once in " + origin);
    entries.emplace_back(opt.string_key, opt.value.empty() ? "" : opt.value.front());
  }
  return entries;
}

Config Config::from_text(const std::string& ini, const std::string& origin, const std::vector<std::string>& overrides) {
  Config c;
  for (const auto& [key, value] : read_ini(ini, origin)) c.set(key, value, Source::File);
  for (const auto& o : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0)
      throw ConfigError("config: --set '" + o + "': expected section.key=value");
    c.set(trim(o.substr(0, eq)), o.substr(eq + 1), Source::CommandLine);
  }
  c.check_cross_keys();
  return c;
}

void Config::check_cross_keys() const {
  const long long nx = integer("grid.nx"), ny = integer("grid.ny"), nz = integer("grid.nz");
  if (nx == 2 || ny == 2)
    throw ConfigError("config: grid.nx = " + std::to_string(nx) + ", grid.ny = " + std::to_string(ny) +
                      ": a periodic direction needs 1 or at least 3 cells; allowed {1} or [3, 4096]");
  if (ny > 1 && nx == 1)
    throw ConfigError("config: grid.ny = " + std::to_string(ny) + " with grid.nx = 1: a 2D run is an (x, depth) section; allowed grid.ny = 1 when grid.nx = 1");
  const double depth = nz * real("grid.dx");
  const double skin = real("skin.epidermis") + real("skin.papillary") + real("skin.reticular");
  if (depth < skin - 1e-9 * real("grid.dx")) {
    std::ostringstream os;
    os << "config: grid.nz = " << nz << ": grid depth nz*dx = " << depth << " mm is shallower than the skin ("
       << skin << " mm); allowed grid.nz >= " << std::ceil(skin / real("grid.dx") - 1e-9) << " at grid.dx = " << real("grid.dx") << " mm";
    throw ConfigError(os.str());
  }
  if (real("device.tip_radius") > real("device.surface_radius"))
    throw ConfigError("config: device.tip_radius = '" + text("device.tip_radius") + "': larger than device.surface_radius = " +
                      text("device.surface_radius") + "; allowed [0, device.surface_radius] mm");
  if (real("fibroblasts.death") >= real("fibroblasts.proliferation"))
    throw ConfigError("config: fibroblasts.death = '" + text("fibroblasts.death") +
                      "': must be below fibroblasts.proliferation = " + text("fibroblasts.proliferation") +
                      " so a fibroblast population can exist; allowed [0, r_F) 1/day");
  std::vector<double> days;
  for (const auto& s : sessions_) {
    if (s.day < 0)
      throw ConfigError("config: session." + std::to_string(s.number) + ".day is missing; allowed [0, time.end] day");
    if (s.day > real("time.end"))
      throw ConfigError("config: session." + std::to_string(s.number) + ".day = " + day_text(s.day) +
                        ": after time.end = " + text("time.end") + "; allowed [0, time.end] day");
  }
  auto sorted = sessions_;
  std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.number < b.number; });
  for (std::size_t i = 1; i < sorted.size(); ++i)
    if (sorted[i].day <= sorted[i - 1].day)
      throw ConfigError("config: session." + std::to_string(sorted[i].number) + ".day = " + day_text(sorted[i].day) +
                        ": sessions must be in increasing order of day; allowed (session." +
                        std::to_string(sorted[i - 1].number) + ".day, time.end] day");
}

const Config::Entry& Config::entry(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) throw ConfigError("config: no key '" + key + "'");
  return it->second;
}

double Config::real(const std::string& key) const { return entry(key).value; }
long long Config::integer(const std::string& key) const { return static_cast<long long>(entry(key).value); }
const std::string& Config::choice(const std::string& key) const { return entry(key).text; }
const std::string& Config::text(const std::string& key) const { return entry(key).text; }
Source Config::source(const std::string& key) const { return entry(key).source; }

std::string Config::to_ini(bool with_sources) const {
  std::ostringstream os;
  std::string section;
  for (const auto& s : parameter_specs()) {
    const std::string key = s.key;
    const std::string sec = key.substr(0, key.find('.'));
    if (sec != section) {
      os << (section.empty() ? "" : "\n") << "[" << sec << "]\n";
      section = sec;
    }
    const Entry& e = entry(key);
    os << key.substr(sec.size() + 1) << " = " << e.text;
    if (with_sources) os << "    ; " << source_name(e.source);
    os << "\n";
  }
  auto sorted = sessions_;
  std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.number < b.number; });
  for (const auto& s : sorted) {
    os << "\n[session." << s.number << "]\nday = " << s.day << " day\n";
    for (const auto& [k, v] : s.device) os << k << " = " << v << "\n";
  }
  return os.str();
}

}  // namespace mnsim
