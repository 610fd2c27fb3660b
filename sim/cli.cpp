#include "mnsim/sim/cli.hpp"

#include <omp.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "mnsim/core/errors.hpp"
#include "mnsim/io/config.hpp"
#include "mnsim/io/hdf5_writer.hpp"
#include "mnsim/sim/simulation.hpp"
#include "mnsim/version.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace mnsim {

namespace {

const char* kUsage =
    "usage: mnsim run CONFIG.ini [-o DIR] [--set section.key=value]... [--threads N] [--overwrite] [--quiet] [--progress]\n"
    "       mnsim check CONFIG.ini [--set section.key=value]...\n"
    "       mnsim config-reference [--markdown]\n"
    "       mnsim --version | --help\n"
    "Every config key also works as a long option (--time.end=120). Exit codes: 0 ok, 2 bad input or\n"
    "usage, 3 I/O, 4 numerical failure, 5 interrupted.\n";

struct Usage : Error {
  explicit Usage(const std::string& m) : Error(m, kExitBadInput) {}
};

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// Options shared by run and check: the config file, --set, and every key as a long option.
struct ConfigArgs {
  std::string path;
  std::vector<std::string> overrides;
};

po::options_description key_options() {
  po::options_description keys("Config keys (each also settable with --set key=value)");
  for (const auto& s : parameter_specs()) keys.add_options()(s.key, po::value<std::string>(), s.doc);
  return keys;
}

ConfigArgs collect_config_args(const po::variables_map& vm) {
  ConfigArgs a;
  if (!vm.count("config")) throw Usage("usage: a CONFIG.ini file is required\n" + std::string(kUsage));
  a.path = vm["config"].as<std::string>();
  if (vm.count("set")) a.overrides = vm["set"].as<std::vector<std::string>>();
  for (const auto& s : parameter_specs())
    if (vm.count(s.key)) a.overrides.push_back(std::string(s.key) + "=" + vm[s.key].as<std::string>());
  return a;
}

po::variables_map parse(const std::vector<std::string>& args, const po::options_description& desc) {
  po::positional_options_description pos;
  pos.add("config", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw Usage(std::string("usage: ") + e.what() + "\n" + kUsage);
  }
  return vm;
}

int cmd_config_reference(const std::vector<std::string>& args) {
  const bool markdown = !args.empty() && args[0] == "--markdown";
  if (!args.empty() && !markdown) throw Usage("usage: mnsim config-reference [--markdown]");
  if (markdown) {
    std::cout << "| key | default | unit | allowed | description |\n|---|---|---|---|---|\n";
    for (const auto& s : parameter_specs())
      std::cout << "| `" << s.key << "` | " << s.default_text << " | " << (*s.unit ? s.unit : "-") << " | "
                << allowed_text(s) << " | " << s.doc << " |\n";
    return kExitOk;
  }
  for (const auto& s : parameter_specs())
    std::cout << std::left << std::setw(30) << s.key << " default " << std::setw(22) << s.default_text << " allowed "
              << allowed_text(s) << "\n    " << s.doc << "\n";
  return kExitOk;
}

int cmd_check(const std::vector<std::string>& args) {
  po::options_description desc;
  desc.add_options()("config", po::value<std::string>())("set", po::value<std::vector<std::string>>()->composing());
  desc.add(key_options());
  const ConfigArgs a = collect_config_args(parse(args, desc));
  const Config c = Config::load(a.path, a.overrides);
  Simulation sim(c);  // builds the model and schedule: every derived check runs here too
  std::cout << "; effective configuration of " << a.path << " (value ; where it came from)\n"
            << c.to_ini(true) << "; " << sim.schedule().size() << " sessions, grid " << sim.grid().nx << " x "
            << sim.grid().ny << " x " << sim.grid().nz << ", loop gain " << sim.model().params().loop_gain() << "\n";
  return kExitOk;
}

class ProgressLine {
 public:
  ProgressLine(bool enabled) : enabled_(enabled), start_(clock::now()), last_(start_) {}
  void update(const Progress& p) {
    if (!enabled_) return;
    const auto now = clock::now();
    if (now - last_ < std::chrono::milliseconds(500) && p.day < p.end) return;
    last_ = now;
    const double wall = std::chrono::duration<double>(now - start_).count();
    const double frac = p.day / p.end;
    const double eta = frac > 0 ? wall * (1 - frac) / frac : 0;
    std::fprintf(stderr, "\r%5.1f%%  day %7.2f / %g  session %d/%d  step %ld (dt %.3g d)  wall %.1f s  ETA %.0f s   ",
                 100 * frac, p.day, p.end, p.sessions_done, p.sessions_total, p.steps, p.dt, wall, eta);
    if (p.day >= p.end) std::fputc('\n', stderr);
    std::fflush(stderr);
  }

 private:
  using clock = std::chrono::steady_clock;
  bool enabled_;
  clock::time_point start_, last_;
};

void print_summary(const Simulation& sim, const std::string& out, double wall) {
  const Timeseries& ts = sim.series();
  const double end = ts.time.back();
  std::cout << "mnsim: run complete: " << sim.sessions_done().size() << " sessions, " << sim.stats().steps
            << " steps (dt " << std::setprecision(3) << sim.stats().min_step << " .. " << sim.stats().max_step
            << " day), " << std::fixed << std::setprecision(1) << wall << " s wall, " << omp_get_max_threads()
            << " threads\n";
  std::cout << "outcomes at day " << end << " (% change from this run's baseline):\n";
  std::cout << "  region      collagen  collagen I  collagen III  new collagen  elastin\n";
  for (const auto& r : Observables::regions()) {
    std::cout << "  " << std::left << std::setw(10) << r << std::right << std::setw(10) << ts.get(r + "/collagen_total_pct").back()
              << std::setw(12) << ts.get(r + "/collagen_I_pct").back() << std::setw(14)
              << ts.get(r + "/collagen_III_pct").back() << std::setw(14) << ts.get(r + "/collagen_new_pct").back()
              << std::setw(9) << ts.get(r + "/elastin_total_pct").back() << "\n";
  }
  std::cout << "  epidermal thickening " << ts.get("surface/epidermal_thickening_pct").back() << " %\n";
  std::cout << "output: " << out << "/run.h5\n";
}

int cmd_run(const std::vector<std::string>& args) {
  po::options_description desc;
  desc.add_options()("config", po::value<std::string>())("output,o", po::value<std::string>())(
      "set", po::value<std::vector<std::string>>()->composing())("threads", po::value<int>())("overwrite", "")(
      "quiet", "")("progress", "");
  desc.add(key_options());
  const po::variables_map vm = parse(args, desc);
  const ConfigArgs a = collect_config_args(vm);

  // Everything is validated before anything on disk is touched.
  const Config c = Config::load(a.path, a.overrides);
  if (vm.count("threads")) {
    const int n = vm["threads"].as<int>();
    if (n < 1 || n > 1024) throw Usage("usage: --threads = " + std::to_string(n) + ": allowed [1, 1024] threads");
    omp_set_num_threads(n);
  }
  Simulation sim(c);
  const std::string out = vm.count("output") ? vm["output"].as<std::string>()
                                             : "out/" + fs::path(a.path).stem().string();
  const fs::path run_file = fs::path(out) / "run.h5";
  if (fs::exists(run_file) && !vm.count("overwrite"))
    throw Usage("output: " + run_file.string() + " exists; pass --overwrite to replace it or choose another -o DIR");
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw IoError("output: cannot create directory '" + out + "': " + ec.message());
  {
    std::ofstream cfg(fs::path(out) / "config.ini");
    cfg << c.to_ini();
    if (!cfg) throw IoError("output: cannot write " + (fs::path(out) / "config.ini").string());
  }

  Provenance prov{build::version, build::git_hash, build::flags, c.to_ini(), utc_now(),
                  static_cast<std::uint64_t>(c.integer("run.seed")), omp_get_max_threads()};
  RunWriter writer(run_file.string(), sim.grid(), prov);
  const bool quiet = vm.count("quiet") > 0;
  ProgressLine progress(!quiet && (vm.count("progress") || isatty(STDERR_FILENO)));
  const auto t0 = std::chrono::steady_clock::now();
  try {
    sim.run([&](double t, const State& s) { writer.write_snapshot(t, s); },
            [&](const Progress& p) { progress.update(p); });
  } catch (const NumericalError& e) {
    writer.write_timeseries(sim.series());
    writer.write_sessions(sim.sessions_done());
    writer.set_status(std::string("failed: ") + e.what());
    throw;
  }
  writer.write_timeseries(sim.series());
  writer.write_sessions(sim.sessions_done());
  writer.set_status("complete");
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!quiet) print_summary(sim, out, wall);
  return kExitOk;
}

}  // namespace

int run_cli(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty()) throw Usage(std::string("usage: a command is required\n") + kUsage);
    const std::string cmd = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (cmd == "--version" || cmd == "version") {
      std::cout << "mnsim " << build::version << " (" << build::git_hash << ", " << build::flags << ")\n";
      return kExitOk;
    }
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      std::cout << kUsage << "\n" << key_options();
      return kExitOk;
    }
    if (cmd == "run") return cmd_run(rest);
    if (cmd == "check") return cmd_check(rest);
    if (cmd == "config-reference") return cmd_config_reference(rest);
    throw Usage("usage: unknown command '" + cmd + "'\n" + kUsage);
  } catch (const Error& e) {
    std::cerr << "mnsim: " << e.what() << (e.what()[std::strlen(e.what()) - 1] == '\n' ? "" : "\n");
    return e.exit_code;
  } catch (const std::exception& e) {
    std::cerr << "mnsim: internal error: " << e.what() << "\n";
    return kExitIo;
  }
}

}  // namespace mnsim
