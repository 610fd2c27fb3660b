#include <catch2/catch.hpp>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/helpers.hpp"

namespace fs = std::filesystem;

extern char** environ;

namespace {

const std::string kQuick1d = std::string(MNSIM_SOURCE_DIR) + "/configs/quick-1d.ini";

// A 2 x 2 grid of quick 1D runs (120 days each).
std::string grid_spec(const std::string& dir, const std::string& set = "") {
  const std::string path = dir + "/grid.ini";
  std::ofstream(path) << "[sweep]\nbase = " << kQuick1d
                      << "\n[vary]\nschedule.interval = 2 week, 4 week\ndevice.needle_length = 1 mm, 1500 um\n"
                         "[set]\ntime.output_interval = 30\n"
                      << set << "[collect]\ndays = 60, 120\n";
  return path;
}

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> row;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) row.push_back(cell);
    rows.push_back(row);
  }
  return rows;
}

using mnsim::test::read_dataset;
using mnsim::test::slurp;

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  REQUIRE(it != header.end());
  return it - header.begin();
}

}  // namespace

TEST_CASE("A 2 x 2 grid sweep runs locally to a 4-row summary with every series at every collect day", "[sweep]") {
  const std::string dir = mnsim::test::temp_dir("sweep_grid");
  std::string out, err;
  REQUIRE(mnsim::test::run_mnsim("sweep " + grid_spec(dir) + " -o " + dir + "/out --jobs 2 --threads 1", &out, &err) == 0);
  CHECK_THAT(err, Catch::Contains("4 runs, 0 already complete, 4 to run, 2 at a time x 1 thread(s)"));
  const auto rows = read_csv(dir + "/out/summary.csv");
  REQUIRE(rows.size() == 5);
  const auto& h = rows[0];
  CHECK(std::vector<std::string>(h.begin(), h.begin() + 4) ==
        std::vector<std::string>{"id", "schedule.interval", "device.needle_length", "status"});
  for (const std::string region : {"papillary", "reticular", "dermis"})
    for (const std::string name : {"collagen_total_pct", "collagen_I_pct", "collagen_III_pct", "collagen_new_pct",
                                   "elastin_total_pct", "tropoelastin_pct", "fibroblasts", "inflammatory_cells",
                                   "tgf_active", "mmp"})
      for (const std::string day : {"60", "120"}) column(h, region + "." + name + "@" + day);
  column(h, "surface.open_pore_fraction@120");
  // Varied values in the keys' documented units, in grid order (first key slowest).
  CHECK(rows[1][0] == "r000");
  CHECK(rows[1][1] == "14");
  CHECK(rows[1][2] == "1");
  CHECK(rows[4][0] == "r003");
  CHECK(rows[4][1] == "28");
  CHECK(rows[4][2] == "1.5");
  const std::size_t c = column(h, "dermis.collagen_total_pct@120");
  for (int i = 1; i <= 4; ++i) {
    CHECK(rows[i][3] == "complete");
    // Day 120 is the run's end: the summary holds the run's own last value, and summary.h5 the same.
    const std::string run = dir + "/out/runs/" + rows[i][0] + "/run.h5";
    CHECK(std::stod(rows[i][c]) == Approx(read_dataset(run, "/timeseries/dermis/collagen_total_pct").back()).epsilon(1e-9));
    CHECK(read_dataset(dir + "/out/summary.h5", "dermis.collagen_total_pct@120")[i - 1] == Approx(std::stod(rows[i][c])).epsilon(1e-9));
  }
  CHECK(std::stod(rows[4][c]) > std::stod(rows[1][c]));  // longer needles, wider spacing: more collagen
}

TEST_CASE("Running a sweep again redoes only missing, failed or changed runs, and a failed run never stops the sweep", "[sweep]") {
  const std::string dir = mnsim::test::temp_dir("sweep_resume");
  const std::string spec = grid_spec(dir), out = dir + "/out";
  REQUIRE(mnsim::test::run_mnsim("sweep " + spec + " -o " + out + " --quiet") == 0);
  auto stamp = [&](const std::string& id) { return fs::last_write_time(out + "/runs/" + id + "/run.h5"); };
  const auto r000 = stamp("r000"), r003 = stamp("r003");

  // r002 is deleted; r001 cannot write its run file (a folder stands in its way).
  fs::remove_all(out + "/runs/r002");
  fs::remove(out + "/runs/r001/run.h5");
  fs::create_directories(out + "/runs/r001/run.h5");
  std::string err;
  CHECK(mnsim::test::run_mnsim("sweep " + spec + " -o " + out + " --threads 1", nullptr, &err) == 4);
  CHECK_THAT(err, Catch::Contains("4 runs, 2 already complete, 2 to run"));
  CHECK_THAT(err, Catch::Contains("r001 ended with exit 3 (see runs/r001/log.txt)"));
  CHECK_THAT(err, Catch::Contains("r002 complete"));
  CHECK_THAT(err, Catch::Contains("3 of 4 runs complete"));
  CHECK(stamp("r000") == r000);
  CHECK(stamp("r003") == r003);
  auto rows = read_csv(out + "/summary.csv");
  REQUIRE(rows.size() == 5);
  CHECK_THAT(rows[2][3], Catch::StartsWith("failed: run.h5 is unreadable (see runs/r001/log.txt)"));
  CHECK(rows[2][column(rows[0], "dermis.collagen_total_pct@120")] == "nan");
  CHECK(rows[3][3] == "complete");
  CHECK_THAT(slurp(out + "/runs/r001/log.txt"), Catch::Contains("cannot create"));

  fs::remove(out + "/runs/r001/run.h5");
  CHECK(mnsim::test::run_mnsim("sweep " + spec + " -o " + out + " --threads 1", nullptr, &err) == 0);
  CHECK_THAT(err, Catch::Contains("4 runs, 3 already complete, 1 to run"));
  CHECK(read_csv(out + "/summary.csv")[2][3] == "complete");

  // A spec whose runs now differ (another [set]) makes every run stale: all are redone.
  CHECK(mnsim::test::run_mnsim("sweep " + grid_spec(dir, "time.tolerance = 5e-4\n") + " -o " + out, nullptr, &err) == 0);
  CHECK_THAT(err, Catch::Contains("4 runs, 0 already complete, 4 to run"));
}

TEST_CASE("SIGTERM stops a sweep with exit 5 and the same command resumes the interrupted run from its checkpoint", "[sweep]") {
  const std::string dir = mnsim::test::temp_dir("sweep_sigterm");
  const std::string spec = dir + "/slow.ini", out = dir + "/out";
  std::ofstream(spec) << "[sweep]\nbase = " << MNSIM_SOURCE_DIR << "/configs/quick-2d.ini\n[vary]\nrun.seed = 1\n"
                      << "[set]\ngrid.nx = 48\ntime.end = 270\nschedule.count = 6\ndevice.type = random\n"
                         "output.checkpoint_interval = 10\n[collect]\ndays = 270\n";
  std::vector<std::string> args = {MNSIM_BINARY, "sweep", spec, "-o", out, "--quiet", "--threads", "1"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, MNSIM_BINARY, nullptr, nullptr, argv.data(), environ) == 0);
  const std::string checkpoint = out + "/runs/r000/checkpoint.h5";
  for (int i = 0; i < 3000 && !fs::exists(checkpoint); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 0) WARN("the sweep finished before SIGTERM arrived; nothing to resume");
  if (WEXITSTATUS(status) == 0) return;
  REQUIRE(WEXITSTATUS(status) == 5);
  CHECK_THAT(read_csv(out + "/summary.csv")[1][2], Catch::StartsWith("interrupted: checkpoint at day"));

  std::string err;
  REQUIRE(mnsim::test::run_mnsim("sweep " + spec + " -o " + out + " --threads 1", nullptr, &err) == 0);
  CHECK_THAT(err, Catch::Contains("r000 complete (resumed from its checkpoint)"));
  CHECK_THAT(slurp(out + "/runs/r000/log.txt"), Catch::Contains("resuming r000"));
  std::string info;
  REQUIRE(mnsim::test::run_mnsim("info " + out + "/runs/r000/run.h5", &info) == 0);
  CHECK_THAT(info, Catch::Contains("status            complete"));
  CHECK_THAT(info, Catch::Contains("restarted_utc"));
}

TEST_CASE("A sweep runs one of its runs with --task and only writes the summary with --collect", "[sweep]") {
  const std::string dir = mnsim::test::temp_dir("sweep_task");
  const std::string spec = grid_spec(dir), out = dir + "/out";
  std::string err;
  REQUIRE(mnsim::test::run_mnsim("sweep " + spec + " -o " + out + " --task 2 --threads 1", nullptr, &err) == 0);
  CHECK_THAT(err, Catch::Contains("[1/1] r002 complete"));
  CHECK(fs::exists(out + "/runs/r002/run.h5"));
  CHECK(!fs::exists(out + "/runs/r000"));
  CHECK(mnsim::test::run_mnsim("sweep " + spec + " -o " + out + " --task 2", nullptr, &err) == 0);
  CHECK_THAT(err, Catch::Contains("r002 is already complete"));
  CHECK(mnsim::test::run_mnsim("sweep " + spec + " -o " + out + " --collect", nullptr, &err) == 4);
  CHECK_THAT(err, Catch::Contains("1 of 4 runs complete"));
  const auto rows = read_csv(out + "/summary.csv");
  CHECK(rows[1][3] == "missing");
  CHECK(rows[3][3] == "complete");
  CHECK(mnsim::test::run_mnsim("sweep " + spec + " -o " + out + " --task 4", nullptr, &err) == 2);
  CHECK_THAT(err, Catch::Contains("--task = 4: allowed [0, 3]"));
}

TEST_CASE("A rejected sweep touches nothing on disk and bad options name what is allowed", "[sweep]") {
  const std::string dir = mnsim::test::temp_dir("sweep_bad");
  const std::string spec = dir + "/bad.ini";
  std::ofstream(spec) << "[sweep]\nbase = " << kQuick1d << "\n[vary]\ntime.end = 100, 200\n[collect]\ndays = 150\n";
  std::string err;
  CHECK(mnsim::test::run_mnsim("sweep " + spec + " -o " + dir + "/out", nullptr, &err) == 2);
  CHECK_THAT(err, Catch::Contains("[collect] days = 150: after time.end = 100 day of run r000 (time.end = 100)"));
  CHECK(!fs::exists(dir + "/out"));
  const std::string good = grid_spec(dir);
  CHECK(mnsim::test::run_mnsim("sweep " + good + " -o " + dir + "/out --backend cloud", nullptr, &err) == 2);
  CHECK_THAT(err, Catch::Contains("--backend = 'cloud': allowed one of {local,slurm,mpi}"));
  CHECK(mnsim::test::run_mnsim("sweep " + good + " -o " + dir + "/out --jobs 64 --threads 64", nullptr, &err) == 2);
  CHECK_THAT(err, Catch::Contains("(a sweep never oversubscribes)"));
  CHECK(mnsim::test::run_mnsim("sweep " + good + " -o " + dir + "/out --submit", nullptr, &err) == 2);
  CHECK_THAT(err, Catch::Contains("--submit, --time and --sbatch are for --backend slurm"));
  CHECK(mnsim::test::run_mnsim("sweep " + good + " -o " + dir + "/out --backend slurm --time soon", nullptr, &err) == 2);
  CHECK_THAT(err, Catch::Contains("--time = 'soon': not a Slurm time limit"));
}

TEST_CASE("The Slurm backend writes a job array of the runs to do, with threads, throttle, time limit, requeue and a collect job", "[sweep]") {
  const std::string dir = mnsim::test::temp_dir("sweep_slurm_script");
  const std::string spec = grid_spec(dir), out = dir + "/out";
  REQUIRE(mnsim::test::run_mnsim("sweep " + spec + " -o " + out + " --task 0 --quiet --threads 1") == 0);
  REQUIRE(mnsim::test::run_mnsim("sweep " + spec + " -o " + out + " --task 2 --quiet --threads 1") == 0);
  std::string err;
  REQUIRE(mnsim::test::run_mnsim("sweep " + spec + " -o " + out +
                                     " --backend slurm --jobs 2 --threads 3 --time 02:30:00 --sbatch=--partition=short",
                                 nullptr, &err) == 0);
  CHECK_THAT(err, Catch::Contains("4 runs, 2 already complete, 2 in the job array (3 cpu(s) per task)"));
  CHECK_THAT(err, Catch::Contains("submit with: bash"));
  const std::string array = slurp(out + "/slurm/array.sh");
  for (const std::string line : {"#SBATCH --array=1,3%2", "#SBATCH --cpus-per-task=3", "#SBATCH --time=02:30:00",
                                 "#SBATCH --requeue", "#SBATCH --signal=B:TERM@60", "#SBATCH --partition=short",
                                 "--task \"$SLURM_ARRAY_TASK_ID\" --threads \"$SLURM_CPUS_PER_TASK\"",
                                 "scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\""})
    CHECK_THAT(array, Catch::Contains(line));
  CHECK_THAT(slurp(out + "/slurm/collect.sh"), Catch::Contains("--collect"));
  CHECK_THAT(slurp(out + "/slurm/submit.sh"), Catch::Contains("--dependency=afterany:\"$array\""));
  CHECK(std::system(("bash -n " + out + "/slurm/array.sh && bash -n " + out + "/slurm/submit.sh").c_str()) == 0);
  CHECK(fs::exists(out + "/runs/r001/config.ini"));  // prepared for the array tasks
}
