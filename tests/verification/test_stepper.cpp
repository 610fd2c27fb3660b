// The split step runs the lateral diffusion sweeps of each level together with the level's
// reaction, in one pass over the state. That must be an implementation detail: the step is the
// operators of MODEL.md applied one after another over the whole grid.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <tuple>
#include <vector>

#include "mnsim/core/fields.hpp"
#include "mnsim/numerics/chemotaxis.hpp"
#include "mnsim/numerics/diffusion.hpp"
#include "mnsim/numerics/stepper.hpp"
#include "support/helpers.hpp"
#include "support/tissue.hpp"

using namespace mnsim;

TEST_CASE("A split step is bitwise its operators applied one after another over the whole grid", "[verification]") {
  // 40 x 24 cells: whole 8 x 8 tiles and blocks of 16 x lines, y blocks of 32 and 8 lanes
  // (AVX-512); 60 levels of 0.03 mm reach the hypodermis.
  test::BaselineTissue tissue(test::make_grid(40, 24, 60, 0.03));
  tissue.treat_block(5, 20, 3, 15, 30, 0.5);
  const Grid& g = tissue.g;
  const LayerMap& l = tissue.layers;
  const ModelParams& p = tissue.p;
  State fused = tissue.s, apart = tissue.s;

  SplitStepper stepper(tissue.model, g);
  Chemotaxis chemotaxis(g, p.chi_F, p.K_chi, l.dermis_begin, l.dermis_end);
  std::vector<std::pair<int, ImplicitDiffusion>> diffusion;
  for (auto [field, D, k0, k1] : {std::tuple{T, p.D_T, 0, l.skin_end}, {N, p.D_N, l.dermis_begin, l.dermis_end},
                                  {P, p.D_P, 0, l.skin_end}, {F, p.D_F, l.dermis_begin, l.dermis_end}}) {
    std::vector<double> weight(g.nz);
    for (int k = 0; k < g.nz; ++k) weight[k] = tissue.model.baseline(field, k);
    diffusion.emplace_back(field, ImplicitDiffusion(g, D, weight, k0, k1));
  }

  for (double dt : {0.01, 0.2, 0.2, 1.0}) {
    LevelTotals a, b;
    stepper.step(fused, dt, &a);
    chemotaxis.step(apart.f[F], apart[T], dt);
    for (auto& [field, op] : diffusion) op.step(apart[field], dt);
    tissue.model.react(apart, dt, &b);
    INFO("dt = " << dt);
    for (int f = 0; f < kNumFields; ++f) {
      INFO("field " << field_info(f).name);
      CHECK(std::memcmp(fused[f], apart[f], g.size() * sizeof(double)) == 0);
    }
    CHECK(a.valid);
    CHECK(a.v == b.v);
  }
  // The step did move the diffused fields (so the comparison is not of untouched arrays).
  double moved = 0;
  for (std::size_t i = 0; i < g.size(); ++i) moved = std::max(moved, std::fabs(fused[T][i] - tissue.s[T][i]));
  CHECK(moved > 1e-3 * p.T0);
}
