#include "mnsim/sweep/spec.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "mnsim/core/errors.hpp"
#include "mnsim/io/units.hpp"

namespace fs = std::filesystem;

namespace mnsim::sweep {

namespace {

constexpr std::size_t kMaxRuns = 100000;

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) items.push_back(trim(item));
  return items;
}

std::string number(double v, int digits = 10) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

// Builds the one-line messages of a spec: "sweep: SPEC: [section] key = 'value': why; allowed ...".
class Complaints {
 public:
  explicit Complaints(std::string path) : path_(std::move(path)) {}
  [[noreturn]] void bad(const std::string& section, const std::string& key, const std::string& value,
                        const std::string& why) const {
    throw ConfigError("sweep: " + path_ + ": [" + section + "] " + key + " = '" + value + "': " + why);
  }
  [[noreturn]] void missing(const std::string& section, const std::string& key, const std::string& allowed) const {
    throw ConfigError("sweep: " + path_ + ": [" + section + "] " + key + " is missing; allowed " + allowed);
  }
  // A config key's own validation, restated as a message about the spec.
  [[noreturn]] void config(const std::string& section, const ConfigError& e) const {
    std::string m = e.what();
    if (m.rfind("config: ", 0) == 0) m = m.substr(8);
    throw ConfigError("sweep: " + path_ + ": [" + section + "] " + m);
  }

 private:
  std::string path_;
};

long long whole_number(const Complaints& c, const std::string& section, const std::string& key,
                       const std::string& text, double lo, double hi) {
  const std::string allowed = "allowed a whole number in [" + number(lo) + ", " + number(hi) + "]";
  double v = 0;
  try {
    v = units::parse_quantity(text, "1");
  } catch (const std::invalid_argument& e) {
    c.bad(section, key, text, std::string(e.what()) + "; " + allowed);
  }
  if (v != std::floor(v) || v < lo || v > hi) c.bad(section, key, text, "out of range; " + allowed);
  return static_cast<long long>(v);
}

std::vector<double> day_list(const Complaints& c, const std::string& key, const std::string& text) {
  std::vector<double> days;
  for (const auto& item : split_list(text)) {
    try {
      days.push_back(units::parse_quantity(item, "day"));
    } catch (const std::invalid_argument& e) {
      c.bad("collect", key, text, std::string(e.what()) + "; allowed a list of days, e.g. 90, 180, 6 month");
    }
    if (days.back() < 0) c.bad("collect", key, text, "a negative day; allowed days >= 0");
  }
  return days;
}

Axis read_axis(const Complaints& c, const std::string& mode, const std::string& key, const std::string& text) {
  Axis a;
  a.key = key;
  Config probe;  // validates each value exactly as a run config would
  const auto dots = text.find("..");
  if (dots == std::string::npos) {
    if (mode == "lhs")
      c.bad("vary", key, text, "lhs mode samples ranges; allowed lo .. hi, or lo .. hi log (or mode = grid for lists)");
    for (const auto& item : split_list(text)) {
      if (item.empty()) c.bad("vary", key, text, "an empty list item; allowed a, b, c");
      try {
        probe.set(key, item, Source::File);
      } catch (const ConfigError& e) {
        c.config("vary", e);
      }
      a.values.push_back(item);
    }
    return a;
  }
  if (mode == "grid")
    c.bad("vary", key, text, "grid mode takes lists; allowed a, b, c (or mode = lhs for ranges)");
  const ParamSpec* s = find_spec(key);
  if (!s || s->kind == ParamKind::Choice)
    c.bad("vary", key, text, "a range needs a numeric config key; allowed a list in grid mode");
  std::istringstream rest(text.substr(dots + 2));
  std::string hi_text, word;
  std::vector<std::string> words;
  while (rest >> word) words.push_back(word);
  if (!words.empty() && (words.back() == "log" || words.back() == "linear")) {
    a.log = words.back() == "log";
    words.pop_back();
  }
  for (const auto& w : words) hi_text += (hi_text.empty() ? "" : " ") + w;
  const std::string lo_text = trim(text.substr(0, dots));
  try {
    probe.set(key, lo_text, Source::File);
    a.lo = probe.real(key);
    probe.set(key, hi_text, Source::File);
    a.hi = probe.real(key);
  } catch (const ConfigError& e) {
    c.config("vary", e);
  }
  if (!(a.lo < a.hi)) c.bad("vary", key, text, "empty range; allowed lo .. hi with lo < hi");
  if (a.log && s->kind == ParamKind::Integer) c.bad("vary", key, text, "a log range of a whole number; allowed lo .. hi (linear)");
  if (a.log && a.lo <= 0) c.bad("vary", key, text, "a log range must stay above 0; allowed lo > 0");
  return a;
}

// splitmix64: a tiny generator whose output is fixed by its seed on every platform (the
// standard library's distributions are not).
struct SplitMix {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
};

}  // namespace

Spec Spec::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("sweep: cannot open sweep spec '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  return from_text(text.str(), path);
}

Spec Spec::from_text(const std::string& text, const std::string& path) {
  const Complaints c(path);
  Spec spec;
  spec.path = path;
  spec.text = text;
  std::string base, samples_text;
  bool has_collect = false;
  std::vector<std::pair<std::string, std::string>> vary, set;
  for (const auto& [full, value] : read_ini(text, path)) {
    const auto dot = full.find('.');
    const std::string section = full.substr(0, dot), key = dot == std::string::npos ? "" : full.substr(dot + 1);
    if (section == "sweep") {
      if (key == "base") base = value;
      else if (key == "mode") spec.mode = value;
      else if (key == "samples") samples_text = value;
      else if (key == "seed") spec.seed = static_cast<std::uint64_t>(whole_number(c, "sweep", "seed", value, 0, 9e15));
      else c.bad("sweep", key, value, "unknown key; allowed base, mode, samples, seed");
    } else if (section == "vary") {
      vary.emplace_back(key, value);
    } else if (section == "set") {
      set.emplace_back(key, value);
    } else if (section == "collect") {
      has_collect = true;
      if (key == "days") spec.days = day_list(c, key, value);
      else if (key == "after_last_session") spec.after_last = day_list(c, key, value);
      else c.bad("collect", key, value, "unknown key; allowed days, after_last_session");
    } else {
      throw ConfigError("sweep: " + path + ": unknown section or key '" + full + "'; allowed [sweep], [vary], [set], [collect]");
    }
  }

  if (spec.mode != "grid" && spec.mode != "lhs") c.bad("sweep", "mode", spec.mode, "unknown mode; allowed one of {grid,lhs}");
  if (spec.mode == "lhs") {
    if (samples_text.empty()) c.missing("sweep", "samples", "a whole number in [1, 100000] (lhs mode)");
    spec.samples = whole_number(c, "sweep", "samples", samples_text, 1, kMaxRuns);
  } else if (!samples_text.empty()) {
    c.bad("sweep", "samples", samples_text, "samples is for lhs mode; allowed in grid mode: no samples key");
  }

  if (base.empty()) c.missing("sweep", "base", "the run config file, relative to the spec file");
  spec.base_path = (fs::path(path).parent_path() / base).lexically_normal().string();
  std::ifstream base_in(spec.base_path);
  if (!base_in) c.bad("sweep", "base", base, "cannot open '" + spec.base_path + "'; allowed a run config file, relative to the spec file");
  std::stringstream base_text;
  base_text << base_in.rdbuf();
  spec.base_text = base_text.str();

  if (vary.empty()) throw ConfigError("sweep: " + path + ": [vary] is empty; allowed one or more config keys with their values");
  std::size_t runs = 1;
  for (const auto& [key, value] : vary) {
    spec.vary.push_back(read_axis(c, spec.mode, key, value));
    runs *= std::max<std::size_t>(spec.vary.back().values.size(), 1);
    if (runs > kMaxRuns) c.bad("vary", key, value, "the grid grows beyond 100000 runs; allowed at most 100000 runs");
  }
  for (const auto& [key, value] : set) {
    for (const auto& a : spec.vary)
      if (a.key == key) c.bad("set", key, value, "also in [vary]; allowed in one of [set] and [vary]");
    Config probe;
    try {
      probe.set(key, value, Source::File);
    } catch (const ConfigError& e) {
      c.config("set", e);
    }
    spec.set.push_back(key + "=" + value);
  }
  if (!has_collect || (spec.days.empty() && spec.after_last.empty()))
    c.missing("collect", "days", "a list of days, e.g. days = 90, 180 (and/or after_last_session = 180)");
  return spec;
}

std::vector<double> latin_hypercube(std::size_t n, std::size_t dims, std::uint64_t seed) {
  SplitMix rng{seed};
  std::vector<double> x(n * dims);
  std::vector<std::size_t> strata(n);
  for (std::size_t d = 0; d < dims; ++d) {
    std::iota(strata.begin(), strata.end(), 0);
    for (std::size_t i = n; i > 1; --i) std::swap(strata[i - 1], strata[static_cast<std::size_t>(rng.uniform() * i)]);
    for (std::size_t i = 0; i < n; ++i) x[i * dims + d] = (static_cast<double>(strata[i]) + rng.uniform()) / n;
  }
  return x;
}

std::vector<Run> plan(const Spec& spec) {
  std::size_t n = spec.samples;
  if (spec.mode == "grid") {
    n = 1;
    for (const auto& a : spec.vary) n *= a.values.size();
  }
  const int width = std::max<int>(3, static_cast<int>(std::to_string(n > 0 ? n - 1 : 0).size()));
  const std::vector<double> unit = spec.mode == "lhs" ? latin_hypercube(n, spec.vary.size(), spec.seed) : std::vector<double>{};
  std::vector<Run> runs(n);
  for (std::size_t i = 0; i < n; ++i) {
    Run& r = runs[i];
    r.index = i;
    const std::string digits = std::to_string(i);
    r.id = "r" + std::string(width - std::min<int>(width, digits.size()), '0') + digits;
    std::size_t rest = i;
    for (std::size_t d = spec.vary.size(); d-- > 0;) {
      const Axis& a = spec.vary[d];
      if (spec.mode == "grid") {
        r.values.push_back(a.values[rest % a.values.size()]);
        rest /= a.values.size();
        continue;
      }
      const double u = unit[i * spec.vary.size() + d];
      const ParamSpec* s = find_spec(a.key);
      if (s->kind == ParamKind::Integer) {
        r.values.push_back(number(std::min(a.hi, a.lo + std::floor(u * (a.hi - a.lo + 1)))));
        continue;
      }
      const double v = a.log ? std::exp(std::log(a.lo) + u * (std::log(a.hi) - std::log(a.lo))) : a.lo + u * (a.hi - a.lo);
      r.values.push_back(number(v) + (std::string(s->unit) == "1" ? "" : std::string(" ") + s->unit));
    }
    std::reverse(r.values.begin(), r.values.end());
  }
  return runs;
}

Config run_config(const Spec& spec, const Run& run) {
  std::vector<std::string> overrides = spec.set;
  for (std::size_t d = 0; d < spec.vary.size(); ++d) overrides.push_back(spec.vary[d].key + "=" + run.values[d]);
  return Config::from_text(spec.base_text, spec.base_path, overrides);
}

std::string day_label(double day) { return number(day, 6); }

}  // namespace mnsim::sweep
