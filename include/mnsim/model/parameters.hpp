#pragma once
#include <string>
#include <vector>

namespace mnsim {

enum class ParamKind { Real, Integer, Choice };

// One declaration per configuration key. It drives parsing, validation messages, --help,
// `mnsim config-reference` and the README's configuration section.
struct ParamSpec {
  const char* key;           // "section.name"
  ParamKind kind;
  const char* default_text;  // as a user would write it
  const char* unit;          // canonical unit of a Real ("1" = dimensionless); "" otherwise
  double min, max;           // allowed range of a Real or Integer
  bool min_open, max_open;   // exclusive bounds
  const char* choices;       // "a|b|c" for a Choice
  const char* doc;           // one line
  bool physics;              // changes the results (a restart must match these)
};

const std::vector<ParamSpec>& parameter_specs();
const ParamSpec* find_spec(const std::string& key);
// The declared key closest to `key` (edit distance), for "did you mean" hints.
std::string nearest_key(const std::string& key);
// "[0.01, 10] mm^2/day" style text of the allowed values.
std::string allowed_text(const ParamSpec& s);

}  // namespace mnsim
