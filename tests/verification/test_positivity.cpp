// Positivity: every operator is built to keep every field non-negative without clipping
// (M-matrix diffusion, limited and subcycled upwind chemotaxis, losses implicit in the reaction).
// These tests feed them the sharpest data a run can make and check every voxel of every field
// after every step, with no tolerance: a value of -1e-300 fails.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <sstream>
#include <vector>

#include "mnsim/core/fields.hpp"
#include "mnsim/model/tissue.hpp"
#include "mnsim/numerics/chemotaxis.hpp"
#include "mnsim/numerics/stepper.hpp"
#include "mnsim/sim/simulation.hpp"
#include "support/helpers.hpp"
#include "support/tissue.hpp"

using namespace mnsim;

namespace {

// Counts negative or non-finite values over every field and voxel and remembers the worst.
struct SignAudit {
  long checks = 0, bad = 0;
  double worst = 0;
  std::string where;

  void inspect(const State& s, double day) {
    ++checks;
    for (int f = 0; f < kNumFields; ++f) {
      const auto& v = s.f[f];
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] >= 0 && std::isfinite(v[i])) continue;
        ++bad;
        if (!(v[i] >= worst)) {
          worst = v[i];
          std::ostringstream os;
          os << field_info(f).name << " = " << v[i] << " at voxel " << i << " on day " << day;
          where = os.str();
        }
      }
    }
  }
};

}  // namespace

TEST_CASE("A full-strength single channel never makes any field negative anywhere (3D, every step)", "[verification]") {
  // In 3D the channel core is a sharp indicator of 1 (fibroblasts, collagen and elastin wiped
  // out, 7400 ng/mL of latent TGF-beta) next to untouched tissue two cells away: the steepest
  // gradients a session produces, during the damage, TGF-beta pulse and influx of the first 10 days.
  Simulation sim(test::config_with({"grid.nx=16", "grid.ny=16", "grid.nz=90", "device.type=single",
                                    "schedule.count=1", "time.end=10", "time.output_interval=10"}));
  SignAudit audit;
  double lowest_F = 1e300;  // fibroblasts right after the session: the channel core must be empty
  sim.run({}, [&](const Progress& p) {
    audit.inspect(sim.state(), p.day);
    if (p.steps != 1) return;
    const Grid& g = sim.grid();
    const LayerMap& layers = sim.model().layers();
    for (std::size_t i = layers.dermis_begin * g.plane(); i < layers.dermis_end * g.plane(); ++i)
      lowest_F = std::min(lowest_F, sim.state()[F][i]);
  });
  INFO(audit.checks << " steps checked; " << audit.bad << " bad values; worst " << audit.where
                    << "; lowest fibroblast density after the first step " << lowest_F);
  CHECK(audit.checks == sim.stats().steps);
  CHECK(audit.bad == 0);
  // The session did hit the tissue hard, so the check was not made on a quiet state: some voxel
  // lost over 90 % of its fibroblasts (baseline 2500-4000 cells/mm^3).
  CHECK(lowest_F < 250.0);
}

TEST_CASE("Dense random punctures in repeated sessions never make any field negative anywhere (2D, every step)",
          "[verification]") {
  // Eight times the default density, sessions 5 days apart: channels overlap and each session
  // strikes tissue still recovering from the last.
  Simulation sim(test::config_with({"grid.nx=32", "grid.ny=1", "grid.nz=90", "device.type=random",
                                    "device.density=2000", "schedule.count=4", "schedule.interval=5",
                                    "time.end=20", "time.output_interval=20"}));
  SignAudit audit;
  sim.run({}, [&](const Progress& p) { audit.inspect(sim.state(), p.day); });
  INFO(audit.checks << " steps checked; " << audit.bad << " bad values; worst " << audit.where);
  CHECK(audit.bad == 0);
  REQUIRE(sim.sessions_done().size() == 4);
  CHECK(sim.sessions_done()[0].punctures > 0);
}

TEST_CASE("The split step keeps every field non-negative after total destruction, even with huge steps", "[verification]") {
  // apply_session with chi = 1 on a block of the dermis: cells and matrix there drop to exactly 0
  // and latent TGF-beta jumps to the full dose; then uncontrolled steps from 1e-3 to 10 days,
  // far beyond what the step controller would take.
  test::BaselineTissue tissue(test::make_grid(24, 1, 90, 0.02));
  tissue.treat_block(10, 13, 0, 1, 40, 1.0);
  const Grid& g = tissue.g;
  State& s = tissue.s;
  REQUIRE(s[F][g.idx(11, 0, 10)] == 0.0);
  REQUIRE(s[L][g.idx(11, 0, 10)] == tissue.p.L_dose);
  SplitStepper stepper(tissue.model, g);
  SignAudit audit;
  double t = 0;
  for (double dt : {1e-3, 1e-2, 0.1, 1.0, 10.0}) {
    for (int n = 0; n < 5; ++n) {
      stepper.step(s, dt);
      t += dt;
      audit.inspect(s, t);
    }
  }
  INFO(audit.bad << " bad values; worst " << audit.where);
  CHECK(audit.bad == 0);
  // Fibroblasts have moved back into the wiped-out block: transport really acted on the zeros.
  CHECK(s[F][g.idx(11, 0, 10)] > 0.0);
}

TEST_CASE("Chemotaxis keeps a discontinuous density non-negative in a near-singular attractant", "[verification]") {
  // u jumps between 0 and 1 from cell to cell (every face is an extremum) and c has isolated
  // spikes of 1e4 next to zeros: outflow velocities far above dx/dt, so the step must subcycle.
  for (const Grid& g : {test::make_grid(31, 1, 40, 0.02), test::make_grid(12, 10, 30, 0.02)}) {
    GridVector u(g.size()), c(g.size(), 0.0);
    for (int k = 0; k < g.nz; ++k)
      for (int j = 0; j < g.ny; ++j)
        for (int i = 0; i < g.nx; ++i) u[g.idx(i, j, k)] = (i + j + k) % 2;
    std::mt19937_64 rng(5);
    for (std::size_t i = 0; i < c.size(); i += 7) c[i] = 1e4 * std::uniform_real_distribution<double>(0.5, 1.0)(rng);
    Chemotaxis op(g, 1e-4, 1e3, 0, g.nz);
    long substeps = 0;
    double lowest = 1;
    for (int n = 0; n < 20; ++n) {
      substeps += op.step(u, c.data(), 0.5);
      for (double v : u) lowest = std::min(lowest, v);
    }
    INFO(g.dim() << "D: " << substeps << " substeps, lowest value " << lowest);
    CHECK(substeps > 20 * 50);
    CHECK(lowest >= 0.0);
    CHECK(std::all_of(u.begin(), u.end(), [](double v) { return std::isfinite(v); }));
  }
}
