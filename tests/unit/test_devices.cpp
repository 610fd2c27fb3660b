#include <omp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "mnsim/protocol/device.hpp"
#include "support/helpers.hpp"

using namespace mnsim;

namespace {

const char* const kDevices[] = {"roller", "stamp", "pen", "random"};

DeviceSpec device(const std::vector<std::string>& overrides) {
  return DeviceSpec::from(test::config_with(overrides));
}

// Distance from each puncture to its nearest neighbour, mm.
std::vector<double> nearest_neighbour(const std::vector<Puncture>& p) {
  std::vector<double> d(p.size(), 1e300);
  for (std::size_t i = 0; i < p.size(); ++i)
    for (std::size_t j = 0; j < p.size(); ++j)
      if (i != j) d[i] = std::min(d[i], std::hypot(p[i].x - p[j].x, p[i].y - p[j].y));
  return d;
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

bool same(const std::vector<Puncture>& a, const std::vector<Puncture>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].x != b[i].x || a[i].y != b[i].y) return false;
  return true;
}

}  // namespace

TEST_CASE("Every device lays the asked density within Poisson tolerance, one session and on average", "[unit]") {
  const int sessions = 400;
  struct Case {
    Patch patch;
    double density;  // 1/cm^2
  };
  for (const Case& c : {Case{{1, 1}, 2000}, Case{{5, 5}, 250}}) {
    for (const char* type : kDevices) {
      const DeviceSpec d = device({std::string("device.type=") + type, "device.density=" + std::to_string(c.density)});
      const double mean = c.density / 100 * c.patch.lx * c.patch.ly;
      double sum = 0, sum2 = 0;
      int outside = 0;
      for (int s = 0; s < sessions; ++s) {
        const double n = static_cast<double>(place_punctures(d, c.patch, 11, s).size());
        sum += n;
        sum2 += n * n;
        outside += std::fabs(n - mean) > 4 * std::sqrt(mean);
      }
      const double avg = sum / sessions, sd = std::sqrt(std::max(0.0, sum2 / sessions - avg * avg));
      INFO(type << " on " << c.patch.lx << " x " << c.patch.ly << " mm at " << c.density << "/cm^2: mean " << avg
                << " (expected " << mean << "), sd " << sd << " (Poisson " << std::sqrt(mean) << ")");
      CHECK(std::fabs(avg - mean) <= 4 * std::sqrt(mean / sessions));
      CHECK(outside <= sessions / 100);
    }
  }
}

TEST_CASE("Native device settings set the density: roller passes, stamps, pen strokes", "[unit]") {
  // 192 needles on a 2 x 2 cm drum: about 15/cm^2 per pass, about 230/cm^2 after 15 passes.
  const DeviceSpec roller = device({"device.type=roller", "device.passes=15"});
  CHECK(100 * roller.pass_density() == Approx(192 / (M_PI * 4.0)));
  CHECK(100 * roller.expected_density() == Approx(229.2).epsilon(1e-3));
  const DeviceSpec stamp = device({"device.type=stamp", "device.passes=3", "device.pitch=0.25 mm"});
  CHECK(stamp.expected_density() == Approx(48.0));
  // 12 needles on a 4-wide grid of 1 mm make 4 mm lanes; 90 strokes/s at 10 mm/s are 0.111 mm apart.
  const DeviceSpec pen = device({"device.type=pen", "device.passes=2", "device.speed=1 cm/s"});
  CHECK(pen.expected_density() == Approx(2 * 12 * 90 / (10.0 * 4.0)));
  // Native settings override the density; the count follows them.
  const Patch patch{10, 10};
  for (const DeviceSpec& d : {roller, stamp, pen}) {
    const double mean = d.expected_density() * 100;
    double sum = 0;
    for (int s = 0; s < 50; ++s) sum += static_cast<double>(place_punctures(d, patch, 3, s).size());
    INFO(d.type << ": mean " << sum / 50 << " expected " << mean);
    CHECK(std::fabs(sum / 50 - mean) <= 4 * std::sqrt(mean / 50));
  }
}

TEST_CASE("Roller punctures fall along rows and a stamp lays its grid", "[unit]") {
  // One pass over a wide patch: each puncture's nearest neighbour is on the next ring.
  const auto rolled = place_punctures(device({"device.type=roller", "device.passes=1"}), Patch{20, 20}, 5, 0);
  REQUIRE(rolled.size() > 30);
  CHECK(median(nearest_neighbour(rolled)) == Approx(20.0 / 24).epsilon(1e-9));
  const auto stamped = place_punctures(device({"device.type=stamp", "device.passes=1"}), Patch{4, 4}, 5, 0);
  CHECK(stamped.size() == 16);
  for (double d : nearest_neighbour(stamped)) CHECK(d == Approx(1.0).epsilon(1e-9));
}

TEST_CASE("In density mode the pen lays whole passes at the hand speed that meets the density", "[unit]") {
  for (double density : {250.0, 2000.0, 8000.0}) {
    const DeviceSpec pen = device({"device.type=pen", "device.density=" + std::to_string(density)});
    CHECK(100 * pen.expected_density() == Approx(density));
    double sum = 0;
    for (int s = 0; s < 100; ++s) sum += static_cast<double>(place_punctures(pen, Patch{4, 4}, 2, s).size());
    const double mean = density / 100 * 16;
    INFO("density " << density << ": mean " << sum / 100 << " expected " << mean);
    CHECK(std::fabs(sum / 100 - mean) <= 4 * std::sqrt(mean / 100));
  }
}

TEST_CASE("The same seed gives the same punctures and another seed or session gives others", "[unit]") {
  const Patch patch{1, 1};
  for (const char* type : kDevices) {
    const DeviceSpec d = device({std::string("device.type=") + type, "device.density=2000"});
    INFO(type);
    CHECK(same(place_punctures(d, patch, 42, 3), place_punctures(d, patch, 42, 3)));
    CHECK_FALSE(same(place_punctures(d, patch, 42, 3), place_punctures(d, patch, 43, 3)));
    CHECK_FALSE(same(place_punctures(d, patch, 42, 3), place_punctures(d, patch, 42, 4)));
  }
}

TEST_CASE("Placement depends on neither the grid spacing nor the thread count", "[unit]") {
  Grid coarse, fine;
  coarse.nx = coarse.ny = 25, coarse.dx = 0.04;
  fine.nx = fine.ny = 100, fine.dx = 0.01;
  REQUIRE(patch_of(coarse).lx == Approx(patch_of(fine).lx));
  for (const char* type : kDevices) {
    const DeviceSpec d = device({std::string("device.type=") + type, "device.density=2000"});
    std::vector<std::vector<Puncture>> serial(8), parallel(8);
    for (int s = 0; s < 8; ++s) serial[s] = place_punctures(d, patch_of(coarse), 9, s);
    const int threads = omp_get_max_threads();
    omp_set_num_threads(2);
#pragma omp parallel for schedule(dynamic)
    for (int s = 7; s >= 0; --s) parallel[s] = place_punctures(d, patch_of(fine), 9, s);
    omp_set_num_threads(threads);
    INFO(type);
    for (int s = 0; s < 8; ++s) CHECK(same(serial[s], parallel[s]));
  }
}
