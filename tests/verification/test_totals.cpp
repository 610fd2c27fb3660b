// The level totals (observables, step control, the check for bad values) are summed in a fixed
// order in eight-wide values where the kernels have AVX-512 and in plain double lanes elsewhere;
// both must give the same bits, inside the reaction pass and in a pass of their own.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <vector>

#include "mnsim/core/fields.hpp"
#include "mnsim/model/tissue.hpp"
#include "mnsim/numerics/stepper.hpp"
#include "support/helpers.hpp"

using namespace mnsim;

namespace {
bool same_bits(const LevelTotals& a, const LevelTotals& b) {
  return a.valid == b.valid && a.v.size() == b.v.size() &&
         std::memcmp(a.v.data(), b.v.data(), a.v.size() * sizeof(double)) == 0;
}
}  // namespace

TEST_CASE("Level totals are the same bits summed in eight-wide values as in double lanes", "[verification]") {
  const ModelParams p = ModelParams::from(test::config_with({}));
  // 37 x 5 cells per level: runs of 32 with a tail of 25 at every level.
  const Grid g = test::make_grid(37, 5, 40, 0.03);
  const LayerMap layers(g, SkinLayers{});
  TissueModel wide(p, g, layers), flat(p, g, layers);
  wide.use_wide_sums(true);
  flat.use_wide_sums(false);
  State s(g);
  wide.set_baseline(s);
  std::vector<double> chi(g.size(), 0.0);
  for (int k = 0; k < 25; ++k)
    for (int i = 10; i < 20; ++i) chi[g.idx(i, 2, k)] = 0.5 + 0.02 * k;
  wide.apply_session(s, chi, 0.5, 0.5, 0.5);
  SplitStepper stepper(wide, g);
  for (int n = 0; n < 5; ++n) stepper.step(s, 0.05);
  // Every cell different, so that the order of the additions shows in the last bits.
  for (int f = 0; f < kNumFields; ++f)
    for (std::size_t i = 0; i < g.size(); ++i) s[f][i] *= 1 + 1e-3 * double((i * 2654435761u + 7 * f) % 997);

  LevelTotals a, b;
  wide.totals(s, a);
  flat.totals(s, b);
  CHECK(a.valid);
  CHECK(same_bits(a, b));
  double synthesis = 0;
  for (int k = 0; k < g.nz; ++k) synthesis += a.at(k, LevelTotals::kSynthesis);
  CHECK(synthesis > 0);

  State s2 = s;
  wide.react(s, 0.05, &a);
  flat.react(s2, 0.05, &b);
  CHECK(std::memcmp(s[F], s2[F], g.size() * sizeof(double)) == 0);
  CHECK(same_bits(a, b));

  // A value below its floor, in a tail cell and in a full run, is caught both ways.
  for (std::size_t at : {g.idx(36, 4, 20), g.idx(3, 0, 20)}) {
    State bad = s;
    bad[F][at] = -1.0;
    wide.totals(bad, a);
    flat.totals(bad, b);
    CHECK_FALSE(a.valid);
    CHECK_FALSE(b.valid);
  }
}
