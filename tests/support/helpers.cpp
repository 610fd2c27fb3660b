#include "support/helpers.hpp"

#include <catch2/catch.hpp>
#include <hdf5.h>
#include <hdf5_hl.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace mnsim::test {

Config config_with(const std::vector<std::string>& overrides) {
  const std::string path = temp_dir("config_with") + "/empty.ini";
  std::ofstream(path) << "; defaults only\n";
  return Config::load(path, overrides);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<double> read_dataset(const std::string& file, const std::string& name) {
  hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  hsize_t n = 0;
  H5T_class_t cls;
  size_t size;
  REQUIRE(H5LTget_dataset_info(f, name.c_str(), &n, &cls, &size) >= 0);
  std::vector<double> v(n);
  REQUIRE(H5LTread_dataset_double(f, name.c_str(), v.data()) >= 0);
  H5Fclose(f);
  return v;
}

int run_mnsim(const std::string& args, std::string* out, std::string* err) {
  const std::string dir = temp_dir("run_mnsim");
  const std::string cmd = std::string(MNSIM_BINARY) + " " + args + " >" + dir + "/out.txt 2>" + dir + "/err.txt";
  const int status = std::system(cmd.c_str());
  if (out) *out = slurp(dir + "/out.txt");
  if (err) *err = slurp(dir + "/err.txt");
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string temp_dir(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path p = fs::temp_directory_path() / ("mnsim-test-" + std::to_string(::getpid())) / name;
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

}  // namespace mnsim::test
