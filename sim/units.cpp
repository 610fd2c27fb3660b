#include "mnsim/io/units.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace mnsim::units {
namespace {

struct Base {
  const char* name;
  double scale;
  int l, t, m;
};

// Internal units: mm, day, ng. A month is 30 days, as in the clinical papers mnsim compares
// with ("monthly sessions", data/calibration_outcomes.csv); a year is 365 days.
const Base kBases[] = {
    {"mm", 1.0, 1, 0, 0},        {"um", 1e-3, 1, 0, 0},        {"\xC2\xB5m", 1e-3, 1, 0, 0},
    {"nm", 1e-6, 1, 0, 0},       {"cm", 10.0, 1, 0, 0},        {"m", 1000.0, 1, 0, 0},
    {"day", 1.0, 0, 1, 0},       {"days", 1.0, 0, 1, 0},       {"d", 1.0, 0, 1, 0},
    {"week", 7.0, 0, 1, 0},      {"weeks", 7.0, 0, 1, 0},      {"wk", 7.0, 0, 1, 0},
    {"month", 30.0, 0, 1, 0},    {"months", 30.0, 0, 1, 0},    {"year", 365.0, 0, 1, 0},
    {"years", 365.0, 0, 1, 0},   {"y", 365.0, 0, 1, 0},        {"h", 1.0 / 24, 0, 1, 0},
    {"hour", 1.0 / 24, 0, 1, 0}, {"hours", 1.0 / 24, 0, 1, 0}, {"min", 1.0 / 1440, 0, 1, 0},
    {"s", 1.0 / 86400, 0, 1, 0}, {"ng", 1.0, 0, 0, 1},         {"pg", 1e-3, 0, 0, 1},
    {"ug", 1e3, 0, 0, 1},        {"\xC2\xB5g", 1e3, 0, 0, 1},  {"mg", 1e6, 0, 0, 1},
    {"g", 1e9, 0, 0, 1},         {"mL", 1e3, 3, 0, 0},         {"ml", 1e3, 3, 0, 0},
    {"uL", 1.0, 3, 0, 0},        {"ul", 1.0, 3, 0, 0},         {"L", 1e6, 3, 0, 0},
    {"cells", 1.0, 0, 0, 0},     {"cell", 1.0, 0, 0, 0},       {"punctures", 1.0, 0, 0, 0},
    {"puncture", 1.0, 0, 0, 0},  {"needles", 1.0, 0, 0, 0},    {"%", 0.01, 0, 0, 0},
    {"Hz", 86400.0, 0, -1, 0},
};

Unit power(const Unit& u, int n) {
  return {std::pow(u.scale, n), u.length * n, u.time * n, u.mass * n};
}
Unit times(const Unit& a, const Unit& b, int sign) {
  return {sign > 0 ? a.scale * b.scale : a.scale / b.scale, a.length + sign * b.length,
          a.time + sign * b.time, a.mass + sign * b.mass};
}

// Recursive descent over: expr := term (('*' | '/') term)* ; term := atom ('^' int)? ;
// atom := name | '1' | '(' expr ')'.
class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}
  Unit parse() {
    Unit u = expr();
    skip();
    if (pos_ != s_.size()) fail("unexpected '" + s_.substr(pos_) + "'");
    return u;
  }

 private:
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw std::invalid_argument("cannot read unit '" + s_ + "': " + why);
  }
  Unit expr() {
    Unit u = term();
    for (;;) {
      skip();
      if (pos_ < s_.size() && (s_[pos_] == '*' || s_[pos_] == '/')) {
        const int sign = s_[pos_] == '*' ? 1 : -1;
        ++pos_;
        u = times(u, term(), sign);
      } else {
        return u;
      }
    }
  }
  Unit term() {
    Unit u = atom();
    skip();
    if (pos_ < s_.size() && s_[pos_] == '^') {
      ++pos_;
      skip();
      std::size_t used = 0;
      int n = 0;
      try {
        n = std::stoi(s_.substr(pos_), &used);
      } catch (const std::exception&) {
        fail("exponent after '^' must be a whole number");
      }
      pos_ += used;
      u = power(u, n);
    }
    return u;
  }
  Unit atom() {
    skip();
    if (pos_ >= s_.size()) fail("a unit is missing");
    if (s_[pos_] == '(') {
      ++pos_;
      Unit u = expr();
      skip();
      if (pos_ >= s_.size() || s_[pos_] != ')') fail("missing ')'");
      ++pos_;
      return u;
    }
    if (s_[pos_] == '1') {
      ++pos_;
      return Unit{};
    }
    std::size_t start = pos_;
    while (pos_ < s_.size() && (std::isalpha(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '%' ||
                                static_cast<unsigned char>(s_[pos_]) >= 0x80))
      ++pos_;
    const std::string name = s_.substr(start, pos_ - start);
    for (const Base& b : kBases)
      if (name == b.name) return Unit{b.scale, b.l, b.t, b.m};
    fail(name.empty() ? "unexpected character" : "unknown unit '" + name + "'");
  }
  const std::string& s_;
  std::size_t pos_ = 0;
};

}  // namespace

Unit parse_unit(const std::string& text) { return Parser(text).parse(); }

double parse_quantity(const std::string& text, const std::string& canonical) {
  const char* begin = text.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (end == begin) throw std::invalid_argument("expected a number, got '" + text + "'");
  if (!std::isfinite(v)) throw std::invalid_argument("expected a finite number, got '" + text + "'");
  std::string rest(end);
  const auto first = rest.find_first_not_of(" \t");
  if (first == std::string::npos) return v;
  rest = rest.substr(first);
  rest = rest.substr(0, rest.find_last_not_of(" \t") + 1);
  const Unit want = parse_unit(canonical.empty() ? "1" : canonical);
  Unit got;
  try {
    got = parse_unit(rest);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument("unknown unit '" + rest + "' (expected a unit of " + canonical + ")");
  }
  if (!got.same_dimension(want))
    throw std::invalid_argument("unit '" + rest + "' is not a unit of " + canonical);
  return v * got.scale / want.scale;
}

}  // namespace mnsim::units
