// The Slurm backend: a job array with one task per run, and a collect job after it.
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "mnsim/core/errors.hpp"
#include "mnsim/sweep/backends.hpp"

extern char** environ;

namespace fs = std::filesystem;

namespace mnsim::sweep {

namespace {

// Seconds before the time limit at which a task is told to checkpoint and requeue itself.
constexpr int kWarnSeconds = 60;

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// "0-3,7,9-12": the array indices of the runs to do, as sbatch --array takes them.
std::string index_ranges(const std::vector<std::size_t>& todo) {
  std::ostringstream os;
  for (std::size_t k = 0; k < todo.size();) {
    std::size_t e = k;
    while (e + 1 < todo.size() && todo[e + 1] == todo[e] + 1) ++e;
    os << (k ? "," : "") << todo[k];
    if (e > k) os << "-" << todo[e];
    k = e + 1;
  }
  return os.str();
}

void write_script(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw IoError("sweep: cannot write " + path.string());
  out.close();
  fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec, fs::perm_options::add);
}

}  // namespace

int run_slurm(const Sweep& sweep, const Options& o) {
  if (!std::regex_match(o.time_limit, std::regex(R"([0-9]+([-:][0-9]+){0,3})")))
    throw ConfigError("sweep: --time = '" + o.time_limit +
                      "': not a Slurm time limit; allowed minutes, MM:SS, HH:MM:SS or D-HH:MM:SS, e.g. 02:00:00");
  for (const auto& opt : o.sbatch_options)
    if (opt.rfind("--", 0) != 0 || opt.find_first_of("\n\r") != std::string::npos)
      throw ConfigError("sweep: --sbatch '" + opt + "': allowed one sbatch long option, e.g. --sbatch=--partition=short");
  const int threads = std::max(1, requested_threads(o.threads));
  const std::vector<std::size_t> todo = sweep.pending();
  if (todo.empty()) {
    if (!o.quiet) std::cerr << "mnsim sweep: every run is complete; nothing to submit\n";
    return collect_and_report(sweep, o);
  }
  for (std::size_t i : todo) sweep.write_config(i);

  const fs::path dir = fs::absolute(sweep.dir()).lexically_normal();
  const fs::path slurm = dir / "slurm";
  fs::create_directories(slurm / "logs");
  const std::string name = "mnsim-" + dir.filename().string();
  const std::string mnsim = quote(self_exe()), spec = quote(fs::absolute(o.spec_path).lexically_normal().string()),
                    out = quote(dir.string());
  std::string extra;
  for (const auto& opt : o.sbatch_options) extra += "#SBATCH " + opt + "\n";

  std::ostringstream array;
  array << "#!/bin/bash\n"
        << "#SBATCH --job-name=" << name << "\n"
        << "#SBATCH --array=" << index_ranges(todo) << (o.jobs > 0 ? "%" + std::to_string(o.jobs) : "") << "\n"
        << "#SBATCH --cpus-per-task=" << threads << "\n"
        << "#SBATCH --time=" << o.time_limit << "\n"
        << "#SBATCH --requeue\n"
        << "#SBATCH --signal=B:TERM@" << kWarnSeconds << "\n"
        << "#SBATCH --open-mode=append\n"
        << "#SBATCH --output=" << (slurm / "logs" / "task-%a.out").string() << "\n"
        << extra
        << "# One run of the sweep per array task; written by `mnsim sweep --backend slurm`, which rewrites it.\n"
           "# Pre-emption: mnsim checkpoints on SIGTERM and Slurm requeues the task (--requeue).\n"
           "# Time limit: this shell gets SIGTERM " << kWarnSeconds << " s early, passes it on and requeues the task.\n"
           "# Either way the task's next start resumes the run from its checkpoint.\n"
           "export OMP_NUM_THREADS=\"$SLURM_CPUS_PER_TASK\"\n"
        << mnsim << " sweep " << spec << " -o " << out
        << " --task \"$SLURM_ARRAY_TASK_ID\" --threads \"$SLURM_CPUS_PER_TASK\" &\n"
           "task=$!\n"
           "on_term() {\n"
           "  kill -TERM \"$task\" 2>/dev/null\n"
           "  wait \"$task\"\n"
           "  code=$?\n"
           "  # 5: interrupted after writing a checkpoint\n"
           "  if [ \"$code\" -eq 5 ]; then scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\" || true; fi\n"
           "  exit \"$code\"\n"
           "}\n"
           "trap on_term TERM\n"
           "wait \"$task\"\n";
  write_script(slurm / "array.sh", array.str());

  std::ostringstream collect;
  collect << "#!/bin/bash\n"
          << "#SBATCH --job-name=" << name << "-collect\n"
          << "#SBATCH --cpus-per-task=1\n"
          << "#SBATCH --time=" << o.time_limit << "\n"
          << "#SBATCH --open-mode=append\n"
          << "#SBATCH --output=" << (slurm / "logs" / "collect.out").string() << "\n"
          << extra
          << "# Runs once every array task has ended, however it ended (afterany), and writes the summary.\n"
          << "exec " << mnsim << " sweep " << spec << " -o " << out << " --collect\n";
  write_script(slurm / "collect.sh", collect.str());

  std::ostringstream submit;
  submit << "#!/bin/bash\n"
            "# Submits the run array, then the collect job that waits for it (however its tasks end).\n"
            "set -euo pipefail\n"
            "here=$(cd \"$(dirname \"$0\")\" && pwd)\n"
            "array=$(sbatch --parsable \"$here/array.sh\")\n"
            "array=${array%%;*}  # --parsable prints id;cluster on a multi-cluster site\n"
            "collect=$(sbatch --parsable --dependency=afterany:\"$array\" \"$here/collect.sh\")\n"
            "collect=${collect%%;*}\n"
            "echo \"$array $collect\" > \"$here/jobs.txt\"\n"
            "echo \"mnsim sweep: submitted array job $array ("
         << todo.size() << " runs) and collect job $collect\"\n";
  write_script(slurm / "submit.sh", submit.str());

  if (!o.quiet)
    std::cerr << "mnsim sweep: " << sweep.runs().size() << " runs, " << sweep.runs().size() - todo.size()
              << " already complete, " << todo.size() << " in the job array (" << threads
              << " cpu(s) per task); wrote " << (slurm / "array.sh").string() << " and collect.sh\n";
  if (!o.submit) {
    if (!o.quiet) std::cerr << "mnsim sweep: submit with: bash " << quote((slurm / "submit.sh").string()) << "\n";
    return kExitOk;
  }
  std::string script = (slurm / "submit.sh").string();
  std::vector<char*> argv = {const_cast<char*>("bash"), script.data(), nullptr};
  pid_t pid = 0;
  if (posix_spawnp(&pid, "bash", nullptr, nullptr, argv.data(), environ) != 0)
    throw IoError("sweep: cannot run bash to submit " + script);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw IoError("sweep: submitting with sbatch failed (" + script + "); is this a Slurm login node?");
  return kExitOk;
}

}  // namespace mnsim::sweep
