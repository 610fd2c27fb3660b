#include <catch2/catch.hpp>
#include <fstream>

#include "mnsim/core/errors.hpp"
#include "mnsim/protocol/schedule.hpp"
#include "support/helpers.hpp"

using namespace mnsim;

namespace {

// Loads an INI text as `mnsim run` would, with optional --set overrides.
Config load_ini(const std::string& text, const std::vector<std::string>& overrides = {}) {
  const std::string path = test::temp_dir("schedule") + "/run.ini";
  std::ofstream(path) << text;
  return Config::load(path, overrides);
}

// The message of the ConfigError that loading and scheduling `text` throws ("" if none).
std::string schedule_error(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    build_schedule(load_ini(text, overrides));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("The generator spaces schedule.count sessions by schedule.interval from schedule.start, in any time unit", "[unit]") {
  const auto s = build_schedule(test::config_with({"schedule.count=4", "schedule.interval=1 month", "schedule.start=2 week", "time.end=1 year"}));
  REQUIRE(s.size() == 4);
  CHECK(s[0].day == Approx(14));
  CHECK(s[3].day == Approx(14 + 3 * 30));
  CHECK(build_schedule(test::config_with({"schedule.count=0"})).empty());
}

TEST_CASE("Session sections set their day and override device keys for that session only", "[unit]") {
  const auto s = build_schedule(load_ini(R"(
[time]
end = 6 month
[device]
type = roller
needle_length = 1.5 mm
[session.1]
day = 0
[session.2]
day = 4 week
needle_length = 500 um
type = pen
passes = 2
[session.3]
day = 3 month
density = 1000
)"));
  REQUIRE(s.size() == 3);
  CHECK(s[0].day == 0);
  CHECK(s[0].device.type == "roller");
  CHECK(s[0].device.needle_length == Approx(1.5));
  CHECK(s[1].day == Approx(28));
  CHECK(s[1].device.type == "pen");
  CHECK(s[1].device.needle_length == Approx(0.5));
  CHECK(s[1].device.passes == 2);
  CHECK(s[2].day == Approx(90));
  CHECK(s[2].device.type == "roller");
  CHECK(s[2].device.density == Approx(1000));
  CHECK(s[2].device.needle_length == Approx(1.5));
}

TEST_CASE("Every schedule error names its key", "[unit]") {
  struct Case {
    std::string ini;
    std::vector<std::string> set;
    std::string key;
  };
  const std::vector<Case> cases = {
      {"", {"schedule.interval=0"}, "schedule.interval = '0'"},
      {"", {"schedule.interval=-3 day"}, "schedule.interval"},
      {"", {"schedule.count=-1"}, "schedule.count = '-1'"},
      {"", {"schedule.count=2.5"}, "schedule.count"},
      {"", {"schedule.start=300 day", "time.end=270"}, "schedule.start = '300 day'"},
      {"", {"schedule.count=12", "schedule.interval=4 week", "time.end=270"}, "schedule.count = 12"},
      {"", {"schedule.interval=4 mm"}, "schedule.interval = '4 mm'"},
      {"[session.1]\nday = 300\n", {}, "session.1.day"},
      {"[session.1]\nday = -1\n", {}, "session.1.day = '-1'"},
      {"[session.1]\nday = 2 mm\n", {}, "session.1.day = '2 mm'"},
      {"[session.1]\nday = 30\n[session.2]\nday = 10\n", {}, "session.2.day"},
      {"[session.1]\nday = 30\n[session.2]\nday = 30\n", {}, "session.2.day"},
      {"[session.1]\nday = 0\n[session.2]\nneedle_length = 1 mm\n", {}, "session.2.day is missing"},
      {"[session.1]\nday = 0\nneedle_lenght = 1 mm\n", {}, "session.1.needle_lenght"},
      {"[session.1]\nday = 0\nneedle_length = 9 mm\n", {}, "session.1.needle_length = '9 mm'"},
      {"[session.1]\nday = 0\ntype = laser\n", {}, "session.1.type = 'laser'"},
      {"[session.1]\nday = 0\ntip_radius = 0.1 mm\n", {}, "session.1.tip_radius"},
  };
  for (const Case& c : cases) {
    const std::string msg = schedule_error(c.ini, c.set);
    INFO("config:\n" << c.ini << "overrides: " << (c.set.empty() ? "" : c.set[0]) << "\nerror: " << msg);
    CHECK_THAT(msg, Catch::Contains(c.key));
  }
}
