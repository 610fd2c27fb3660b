#include "mnsim/sim/cli.hpp"

#include <omp.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <csignal>
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
#include "mnsim/io/run_info.hpp"
#include "mnsim/sim/bench.hpp"
#include "mnsim/sim/simulation.hpp"
#include "mnsim/sweep/backends.hpp"
#include "mnsim/version.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace mnsim {

namespace {

const char* kUsage =
    "usage: mnsim run CONFIG.ini [-o DIR] [--set section.key=value]... [--threads N] [--overwrite] [--quiet] [--progress]\n"
    "       mnsim run CONFIG.ini --restart DIR/checkpoint.h5    continue an interrupted run\n"
    "       mnsim check CONFIG.ini [--set section.key=value]...\n"
    "       mnsim info RUN.h5\n"
    "       mnsim sweep SPEC.ini [-o DIR] [--backend local|slurm|mpi] [--jobs N] [--threads N] [--quiet] [--progress]\n"
    "                   [--submit] [--time LIMIT] [--sbatch=--OPTION]...    (slurm backend)\n"
    "                   [--task I | --collect]                              (one run, or only the summary)\n"
    "       mnsim config-reference [--markdown]\n"
    "       mnsim bench [--grid NXxNYxNZ] [--fields N] [--steps S] [--json FILE] [--threads N]\n"
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

volatile std::sig_atomic_t g_stop_signal = 0;
extern "C" void on_stop_signal(int sig) { g_stop_signal = sig; }

// A restart continues a run only under the same physics: every key that changes results must
// agree with the checkpoint's configuration.
void check_restart_config(const Config& c, const std::string& checkpoint) {
  const Config ck = Config::from_text(Simulation::checkpoint_config(checkpoint), checkpoint);
  for (const auto& s : parameter_specs()) {
    if (!s.physics) continue;
    const bool same = s.kind == ParamKind::Choice ? c.choice(s.key) == ck.choice(s.key) : c.real(s.key) == ck.real(s.key);
    if (!same)
      throw ConfigError("restart: " + std::string(s.key) + " = '" + c.text(s.key) + "' differs from the checkpoint's '" +
                        ck.text(s.key) + "'; allowed: the checkpoint's value (a run continues only under the same physics)");
  }
  const std::string a = c.to_ini(), b = ck.to_ini();
  const auto sa = a.find("[session."), sb = b.find("[session.");
  if ((sa == std::string::npos ? "" : a.substr(sa)) != (sb == std::string::npos ? "" : b.substr(sb)))
    throw ConfigError("restart: the [session.N] sections differ from the checkpoint's; allowed: the checkpoint's sessions");
}

int cmd_run(const std::vector<std::string>& args) {
  po::options_description desc;
  desc.add_options()("config", po::value<std::string>())("output,o", po::value<std::string>())(
      "set", po::value<std::vector<std::string>>()->composing())("threads", po::value<int>())("overwrite", "")(
      "quiet", "")("progress", "")("restart", po::value<std::string>());
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
  const std::string restart = vm.count("restart") ? vm["restart"].as<std::string>() : "";
  std::string out = vm.count("output") ? vm["output"].as<std::string>() : "out/" + fs::path(a.path).stem().string();
  if (!restart.empty()) {
    check_restart_config(c, restart);
    if (!vm.count("output")) out = fs::path(restart).parent_path().string();
    if (out.empty()) out = ".";
  }
  const fs::path run_file = fs::path(out) / "run.h5";
  const std::string checkpoint = (fs::path(out) / "checkpoint.h5").string();
  const std::string ini = c.to_ini();

  std::unique_ptr<RunWriter> writer;
  if (!restart.empty()) {
    const long snapshots = sim.load_checkpoint(restart);
    writer = std::make_unique<RunWriter>(run_file.string(), sim.grid(), snapshots, utc_now());
  } else {
    if (fs::exists(run_file) && !vm.count("overwrite"))
      throw Usage("output: " + run_file.string() + " exists; pass --overwrite to replace it or choose another -o DIR");
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) throw IoError("output: cannot create directory '" + out + "': " + ec.message());
    std::ofstream cfg(fs::path(out) / "config.ini");
    cfg << ini;
    if (!cfg) throw IoError("output: cannot write " + (fs::path(out) / "config.ini").string());
    fs::remove(checkpoint, ec);  // a stale checkpoint of an earlier run must not be resumed by mistake
    Provenance prov{build::version, build::git_hash, build::flags, ini, utc_now(),
                    static_cast<std::uint64_t>(c.integer("run.seed")), omp_get_max_threads()};
    writer = std::make_unique<RunWriter>(run_file.string(), sim.grid(), prov);
  }

  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGINT, on_stop_signal);
  const bool quiet = vm.count("quiet") > 0;
  ProgressLine progress(!quiet && (vm.count("progress") || isatty(STDERR_FILENO)));
  const double ck_interval = c.real("output.checkpoint_interval");
  double next_ck = ck_interval > 0 ? (std::floor(sim.day() / ck_interval) + 1) * ck_interval : HUGE_VAL;
  auto save = [&] { sim.save_checkpoint(checkpoint, ini, static_cast<long>(writer->snapshots())); };
  auto finish = [&](const std::string& status) {
    writer->write_timeseries(sim.series());
    writer->write_sessions(sim.sessions_done());
    writer->set_status(status);
  };
  const auto t0 = std::chrono::steady_clock::now();
  Simulation::Outcome outcome;
  try {
    outcome = sim.run([&](double t, const State& s) { writer->write_snapshot(t, s); },
                      [&](const Progress& p) {
                        progress.update(p);
                        if (p.day >= next_ck) {
                          save();
                          while (next_ck <= p.day) next_ck += ck_interval;
                        }
                      },
                      [] { return g_stop_signal != 0; });
  } catch (const NumericalError& e) {
    save();  // the simulation holds the last good state
    finish(std::string("failed: ") + e.what());
    throw;
  }
  if (outcome == Simulation::Outcome::Stopped) {
    save();
    std::ostringstream day;
    day << sim.day();
    finish("interrupted: checkpoint at day " + day.str());
    std::cerr << "\nmnsim: interrupted by signal " << g_stop_signal << " at day " << day.str() << "; resume with: mnsim run "
              << a.path << " --restart " << checkpoint << "\n";
    return kExitInterrupted;
  }
  finish("complete");
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!quiet) print_summary(sim, out, wall);
  return kExitOk;
}

int cmd_sweep(const std::vector<std::string>& args) {
  po::options_description desc;
  desc.add_options()("config", po::value<std::string>())("output,o", po::value<std::string>())(
      "backend", po::value<std::string>()->default_value("local"))("jobs", po::value<int>())("threads", po::value<int>())(
      "submit", "")("time", po::value<std::string>())("sbatch", po::value<std::vector<std::string>>()->composing())(
      "task", po::value<long>())("collect", "")("quiet", "")("progress", "");
  const po::variables_map vm = parse(args, desc);
  if (!vm.count("config")) throw Usage("usage: a sweep SPEC.ini file is required\n" + std::string(kUsage));
  sweep::Options o;
  o.spec_path = vm["config"].as<std::string>();
  o.dir = vm.count("output") ? vm["output"].as<std::string>() : "out/" + fs::path(o.spec_path).stem().string();
  const std::string backend = vm["backend"].as<std::string>();
  if (backend != "local" && backend != "slurm" && backend != "mpi")
    throw Usage("usage: --backend = '" + backend + "': allowed one of {local,slurm,mpi}");
  auto count = [&](const char* name, int hi) {
    if (!vm.count(name)) return 0;
    const int n = vm[name].as<int>();
    if (n < 1 || n > hi)
      throw Usage("usage: --" + std::string(name) + " = " + std::to_string(n) + ": allowed [1, " + std::to_string(hi) + "]");
    return n;
  };
  o.jobs = count("jobs", 100000);
  o.threads = count("threads", 1024);
  o.quiet = vm.count("quiet") > 0;
  o.live = !o.quiet && (vm.count("progress") || isatty(STDERR_FILENO));
  o.submit = vm.count("submit") > 0;
  if (vm.count("time")) o.time_limit = vm["time"].as<std::string>();
  if (vm.count("sbatch")) o.sbatch_options = vm["sbatch"].as<std::vector<std::string>>();
  if (backend != "slurm" && (o.submit || vm.count("time") || vm.count("sbatch")))
    throw Usage("usage: --submit, --time and --sbatch are for --backend slurm");
  if ((vm.count("task") || vm.count("collect")) && backend != "local")
    throw Usage("usage: --task and --collect work on this machine; allowed without --backend (local)");
  if (vm.count("task") && vm.count("collect")) throw Usage("usage: --task and --collect exclude each other");

  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGINT, on_stop_signal);
  o.stop = [] { return g_stop_signal != 0; };
  if (backend == "mpi") return sweep::run_mpi(o);
  // A task or a collect job works on a sweep that was validated when it was prepared.
  const bool prepared = vm.count("task") || vm.count("collect");
  const sweep::Sweep sw(sweep::Spec::load(o.spec_path), o.dir, !prepared);
  if (vm.count("collect")) return sweep::collect_and_report(sw, o);
  if (vm.count("task")) {
    const long i = vm["task"].as<long>();
    if (i < 0 || i >= static_cast<long>(sw.runs().size()))
      throw Usage("usage: --task = " + std::to_string(i) + ": allowed [0, " + std::to_string(sw.runs().size() - 1) + "]");
    return sweep::run_task(sw, static_cast<std::size_t>(i), o);
  }
  return backend == "slurm" ? sweep::run_slurm(sw, o) : sweep::run_local(sw, o);
}

int cmd_info(const std::vector<std::string>& args) {
  if (args.size() != 1) throw Usage("usage: mnsim info RUN.h5");
  std::cout << describe_run(args[0]);
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
    if (cmd == "info") return cmd_info(rest);
    if (cmd == "bench") return run_bench(rest);
    if (cmd == "sweep") return cmd_sweep(rest);
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
