#pragma once
// Shared helpers for the test suite.
#include <string>
#include <vector>

#include "mnsim/core/grid.hpp"
#include "mnsim/io/config.hpp"

namespace mnsim::test {

// A Config with defaults, the given "section.key=value" overrides applied and cross-key checks
// run (as `mnsim run` would), without needing a file.
Config config_with(const std::vector<std::string>& overrides);

// Runs the mnsim binary with arguments; returns the exit code and fills stdout/stderr.
int run_mnsim(const std::string& args, std::string* out = nullptr, std::string* err = nullptr);

// A fresh empty directory under the build tree's temporary folder.
std::string temp_dir(const std::string& name);

// A grid of nx x ny x nz cells of size dx (mm).
inline Grid make_grid(int nx, int ny, int nz, double dx) { return Grid{nx, ny, nz, dx}; }

// The whole content of a text file ("" if it cannot be read).
std::string slurp(const std::string& path);

// A 1-D dataset of an HDF5 file as doubles (fails the test if it cannot be read).
std::vector<double> read_dataset(const std::string& file, const std::string& name);

}  // namespace mnsim::test
