#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "mnsim/model/parameters.hpp"

namespace mnsim {

enum class Source { Default, File, CommandLine };

// The "section.key" = value entries of INI text in file order, comments (';' or '#') removed.
// Throws ConfigError on a malformed line or a key given twice; `origin` names the text.
std::vector<std::pair<std::string, std::string>> read_ini(const std::string& ini, const std::string& origin);
const char* source_name(Source s);

// Per-session overrides from a [session.N] section: the day and any device.* keys.
struct SessionSection {
  int number = 0;
  double day = 0.0;
  std::map<std::string, std::string> device;  // device key (without "device.") -> raw text
};

// The effective configuration: every declared key with its value and where it came from.
// Values are validated when set, so a Config that exists is a valid one.
class Config {
 public:
  Config();  // all defaults
  // Reads an INI file, then applies "section.key=value" overrides. Throws ConfigError / IoError.
  static Config load(const std::string& path, const std::vector<std::string>& overrides);
  // The same from INI text; `origin` names it in messages.
  static Config from_text(const std::string& ini, const std::string& origin, const std::vector<std::string>& overrides = {});

  void set(const std::string& key, const std::string& text, Source src);
  double real(const std::string& key) const;
  long long integer(const std::string& key) const;
  const std::string& choice(const std::string& key) const;
  Source source(const std::string& key) const;
  const std::string& text(const std::string& key) const;
  const std::vector<SessionSection>& sessions() const { return sessions_; }

  // The effective configuration as INI text, every key, sections in declaration order.
  std::string to_ini(bool with_sources = false) const;

 private:
  struct Entry {
    std::string text;
    double value = 0.0;
    Source source = Source::Default;
  };
  const Entry& entry(const std::string& key) const;
  void add_session_key(int number, const std::string& name, const std::string& text);
  void check_cross_keys() const;
  std::map<std::string, Entry> entries_;
  std::vector<SessionSection> sessions_;
};

}  // namespace mnsim
