#include "mnsim/sim/bench.hpp"

#include <omp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "mnsim/core/errors.hpp"
#include "mnsim/core/memory.hpp"
#include "mnsim/io/config.hpp"
#include "mnsim/numerics/diffusion.hpp"
#include "mnsim/numerics/tridiagonal.hpp"
#include "mnsim/sim/simulation.hpp"
#include "mnsim/version.hpp"

namespace po = boost::program_options;

namespace mnsim {

namespace {

using clock_type = std::chrono::steady_clock;
double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// Bytes each measured operation must move at least once per element (no cache reuse across
// whole-grid passes): the bounds the results are compared with.
constexpr double kTriadBytes = 24;          // read b, c; write a
constexpr double kUpdateBytes = 16;         // read and write a in place
constexpr double kDiffusionBytes = 48;      // three in-place sweeps (the plain kernel's traffic)
constexpr double kFusedBytes = 32;          // z, then x and y fused per plane: what mnsim moves
constexpr double kStepBytes = 12 * 16;      // read and write all 12 non-trivial fields once

// Every figure is the median over repetitions, the bandwidth as well as the kernels: on a machine
// shared with other jobs a best-of bandwidth against mean kernel times would compare a lucky
// moment with an ordinary one.
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

// STREAM-style triad and an in-place update over arrays far larger than the caches. The memory
// bandwidth a virtual machine gets can change in the middle of a run (on this project's machine
// it switches between about 65 and 115 GB/s), so each kernel is compared with samples taken
// among its own repetitions: a sample, then an untimed repetition that brings back into the
// cache whatever of the kernel's data fits there, then the timed repetition.
class Bandwidth {
 public:
  explicit Bandwidth(std::size_t n) : a_(n), b_(n), c_(n) {
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < n; ++i) {
      a_[i] = 1.0;
      b_[i] = 2.0;
      c_[i] = 0.5;
    }
  }
  void sample() {
    const std::size_t n = a_.size();
    double* a = a_.data();
    const double *b = b_.data(), *c = c_.data();
    auto t0 = clock_type::now();
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < n; ++i) a[i] = b[i] + 0.5 * c[i];
    triad_.push_back(kTriadBytes * n / seconds_since(t0) / 1e9);
    t0 = clock_type::now();
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < n; ++i) a[i] = 0.999 * a[i] + 1e-3;
    update_.push_back(kUpdateBytes * n / seconds_since(t0) / 1e9);
    if (a[n / 2] < 0) std::cout << "";  // keeps the loops observable to the optimiser
  }
  std::size_t bytes() const { return 3 * a_.size() * sizeof(double); }

  // Medians of the samples since the last call (GB/s), which start a new series.
  std::pair<double, double> take() {
    const std::pair<double, double> m{median(triad_), median(update_)};
    triad_.clear();
    update_.clear();
    return m;
  }

 private:
  GridVector a_, b_, c_;  // the kernels' kind of memory
  std::vector<double> triad_, update_;
};

// The plain structure-of-arrays LOD kernel the issue measures against: constant coefficients,
// no-flux ends, Thomas factors precomputed, three in-place sweeps over the whole grid (48 bytes
// per update). It is built from the same vectorised line solvers as ImplicitDiffusion, so the
// two differ only in how often the grid crosses the memory bus.
class PlainLod {
 public:
  PlainLod(const Grid& g, double a) : g_(g), x_(factor(g.nx, a)), y_(factor(g.ny, a)), z_(factor(g.nz, a)) {}
  void step(double* u) {
    const int nx = g_.nx, ny = g_.ny, nz = g_.nz;
    const std::size_t plane = g_.plane(), buf_size = std::size_t(kRowBlock) * nx;
    rows_.size_for(omp_get_max_threads());
#pragma omp parallel
    {
      // The x sweep's block on cache lines and kept across steps, as ImplicitDiffusion has it, so
      // that the timed steps allocate nothing.
      double* buf = rows_.mine(AlignedRows::room(buf_size)).cut(buf_size);
#pragma omp for schedule(static)
      for (int k = 0; k < nz; ++k) solve_rows(u + k * plane, ny, x_, nullptr, buf);
#pragma omp for schedule(static)
      for (int k = 0; k < nz; ++k) solve_lanes(u + k * plane, nx, nx, y_, nullptr);
    }
    solve_all_columns(u, plane, z_);
  }

 private:
  static Thomas factor(int n, double a) {
    std::vector<double> diag(n);
    for (int i = 0; i < n; ++i) diag[i] = 1 + a * ((i > 0) + (i < n - 1));
    return Thomas::factor(std::vector<double>(n, -a), diag, std::vector<double>(n, -a));
  }
  Grid g_;
  Thomas x_, y_, z_;
  ThreadRows rows_;
};

// Voxel-field updates per second of one application of `op` to every field.
template <class Op>
double time_updates(std::vector<GridVector>& fields, const Op& op) {
  const auto t0 = clock_type::now();
  for (auto& f : fields) op(f.data());
  return double(fields.size()) * fields[0].size() / seconds_since(t0);
}

// Resident memory now (Linux: /proc/self/statm), 0 where it cannot be read (the model's bytes
// per voxel are then reported as 0, not as minus the probe's arrays).
long resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

long peak_rss_bytes() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss * 1024L;
}

}  // namespace

int run_bench(const std::vector<std::string>& args) {
  po::options_description desc;
  desc.add_options()("grid", po::value<std::string>()->default_value("128x128x128"))(
      "fields", po::value<int>()->default_value(4))("steps", po::value<int>()->default_value(10))(
      "json", po::value<std::string>())("threads", po::value<int>());
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(std::string("bench: ") + e.what() +
                      "\nusage: mnsim bench [--grid NXxNYxNZ] [--fields N] [--steps S] [--json FILE] [--threads N]");
  }
  Grid g;
  const std::string grid = vm["grid"].as<std::string>();
  if (std::sscanf(grid.c_str(), "%dx%dx%d", &g.nx, &g.ny, &g.nz) != 3 || g.nx < 3 || g.ny < 3 || g.nz < 3 ||
      double(g.nx) * g.ny * g.nz > 2e9)
    throw ConfigError("bench: --grid = '" + grid + "': allowed NXxNYxNZ with each at least 3 cells");
  const int nfields = vm["fields"].as<int>(), steps = vm["steps"].as<int>();
  if (nfields < 1 || nfields > 64) throw ConfigError("bench: --fields = " + std::to_string(nfields) + ": allowed [1, 64]");
  if (steps < 1 || steps > 100000) throw ConfigError("bench: --steps = " + std::to_string(steps) + ": allowed [1, 100000]");
  if (vm.count("threads")) omp_set_num_threads(vm["threads"].as<int>());
  const int threads = omp_get_max_threads();
  const std::size_t n = g.size();

  std::cout << "mnsim bench " << build::version << ": grid " << grid << ", " << nfields << " fields, " << steps
            << " steps, " << threads << " threads\n";
  Bandwidth probe(std::max<std::size_t>(n, std::size_t(1) << 25));

  // Implicit diffusion: every field a full three-direction step, D = 0.155 mm^2/day, dt = 0.1 day.
  g.dx = 0.02;
  std::vector<GridVector> fields(nfields, GridVector(n));
  for (int f = 0; f < nfields; ++f)
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < n; ++i) fields[f][i] = 1.0 + 1e-3 * double((i * 2654435761u + f) % 1000);
  std::vector<ImplicitDiffusion> ops;
  for (int f = 0; f < nfields; ++f) ops.emplace_back(g, 0.155, std::vector<double>(g.nz, 1.0), 0, g.nz);
  std::size_t which = 0;
  auto mnsim_lod = [&](double* u) { ops[which++ % ops.size()].step(u, 0.1); };
  PlainLod plain(g, 0.1 * 0.155 / (g.dx * g.dx));
  auto plain_lod = [&](double* u) { plain.step(u); };
  // The two kernels take turns, so that both meet the same conditions.
  std::vector<double> adi_rates, plain_rates;
  for (int s = 0; s < steps; ++s) {
    probe.sample();
    time_updates(fields, mnsim_lod);  // untimed (and on the first pass: first touch, factorisation)
    adi_rates.push_back(time_updates(fields, mnsim_lod));
    time_updates(fields, plain_lod);
    plain_rates.push_back(time_updates(fields, plain_lod));
  }
  const double adi = median(adi_rates), adi_plain = median(plain_rates);
  const auto [triad, update] = probe.take();
  const double adi_bound = std::max(triad, update) * 1e9 / kDiffusionBytes;
  const double fused_bound = std::max(triad, update) * 1e9 / kFusedBytes;
  std::printf("memory bandwidth     triad %.1f GB/s, in-place update %.1f GB/s (next to the diffusion kernels)\n", triad, update);
  std::printf("implicit diffusion   %.3g updates/s = %.0f%% of its bound %.3g (%g B/update; %.0f%% of %.3g at the %g B the fused sweeps move)\n",
              adi, 100 * adi / adi_bound, adi_bound, kDiffusionBytes, 100 * adi / fused_bound, fused_bound, kFusedBytes);
  std::printf("plain LOD kernel     %.3g updates/s = %.0f%% of the same bound; mnsim's diffusion runs %.2fx as fast\n",
              adi_plain, 100 * adi_plain / adi_bound, adi / adi_plain);
  fields.clear();
  fields.shrink_to_fit();

  // The full model step of a treated tissue (a session at day 0, then steps of 0.01 day).
  std::ostringstream ini;
  ini << "[grid]\nnx = " << g.nx << "\nny = " << g.ny << "\nnz = " << g.nz << "\ndx = " << 1.8 / g.nz
      << "\n[time]\nend = 1000\noutput_interval = 1000\nfirst_step = 0.01\nmax_step = 0.01\n[schedule]\ncount = 1\n"
      << "[device]\ndensity = 2000\n";
  Simulation sim(Config::from_text(ini.str(), "bench"));
  long done = 0, model_bytes = 0;
  clock_type::time_point t0;
  std::vector<double> rate;
  sim.run({}, [&](const Progress&) {
        // Steps 3, 5, 7, ... are timed, each after a bandwidth sample and an untimed step (the
        // first step applies the session).
        const bool odd = ++done % 2 == 1;
        if (odd && done >= 3) rate.push_back(n / seconds_since(t0));
        if (odd && done < 2 * steps + 1) probe.sample();
        if (done == 2 * steps + 1) model_bytes = std::max(0L, resident_bytes() - long(probe.bytes()));
        t0 = clock_type::now();
      },
      [&] { return done >= 2 * steps + 1; });
  const double step_rate = median(rate);
  const double substeps = double(sim.stats().chemotaxis_substeps) / sim.stats().steps;
  const auto [step_triad, step_update] = probe.take();
  const double step_bound = std::max(step_triad, step_update) * 1e9 / kStepBytes;
  std::printf("memory bandwidth     triad %.1f GB/s, in-place update %.1f GB/s (next to the model steps)\n", step_triad, step_update);
  std::printf("full model step      %.3g voxel-steps/s = %.0f%% of its bound %.3g (%g B/voxel-step; %.1f chemotaxis substeps per step)\n",
              step_rate, 100 * step_rate / step_bound, step_bound, kStepBytes, substeps);
  const long rss = peak_rss_bytes();
  std::printf("memory               peak RSS %.1f MB; the model run holds %.1f MB, %.0f bytes per voxel\n", rss / 1e6,
              model_bytes / 1e6, double(model_bytes) / n);

  if (vm.count("json")) {
    std::ofstream js(vm["json"].as<std::string>());
    js << "{\n  \"adi_updates_per_s\": " << adi << ",\n  \"adi_bound_updates_per_s\": " << adi_bound
       << ",\n  \"adi_fused_bound_updates_per_s\": " << fused_bound << ",\n  \"adi_plain_updates_per_s\": " << adi_plain << ",\n  \"step_voxels_per_s\": " << step_rate
       << ",\n  \"step_bound_voxels_per_s\": " << step_bound << ",\n  \"step_chemotaxis_substeps\": " << substeps << ",\n  \"bandwidth_GBps\": " << triad
       << ",\n  \"inplace_bandwidth_GBps\": " << update << ",\n  \"step_bandwidth_GBps\": " << step_triad
       << ",\n  \"step_inplace_bandwidth_GBps\": " << step_update << ",\n  \"threads\": " << threads << ",\n  \"grid\": \""
       << grid << "\",\n  \"fields\": " << nfields << ",\n  \"steps\": " << steps << ",\n  \"peak_rss_bytes\": " << rss << ",\n  \"model_bytes_per_voxel\": " << double(model_bytes) / n
       << "\n}\n";
    if (!js) throw IoError("bench: cannot write " + vm["json"].as<std::string>());
  }
  return kExitOk;
}

}  // namespace mnsim
