#pragma once
// A tissue model and its state for tests that step the model directly.
#include <vector>

#include "mnsim/core/fields.hpp"
#include "mnsim/core/grid.hpp"
#include "mnsim/model/tissue.hpp"
#include "support/helpers.hpp"

namespace mnsim::test {

// A tissue on grid g at its homeostatic baseline (the initial state of every run), with the
// default parameters unless others are given.
struct BaselineTissue {
  ModelParams p;
  Grid g;
  LayerMap layers;
  TissueModel model;
  State s;

  explicit BaselineTissue(const Grid& grid, const ModelParams& params = ModelParams::from(config_with({})))
      : p(params), g(grid), layers(g, SkinLayers{}), model(p, g, layers), s(g) {
    model.set_baseline(s);
  }

  // A session whose channels fill the cells [i0, i1) x [j0, j1) of the levels [0, depth),
  // destroying the fraction phi of the fibroblasts, collagen and elastin there.
  void treat_block(int i0, int i1, int j0, int j1, int depth, double phi) {
    std::vector<double> chi(g.size(), 0.0);
    for (int k = 0; k < depth; ++k)
      for (int j = j0; j < j1; ++j)
        for (int i = i0; i < i1; ++i) chi[g.idx(i, j, k)] = 1.0;
    model.apply_session(s, chi, phi, phi, phi);
  }
};

}  // namespace mnsim::test
