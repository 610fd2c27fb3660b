#pragma once
// Shared helpers for the test suite.
#include <string>
#include <vector>

#include "mnsim/io/config.hpp"

namespace mnsim::test {

// A Config with defaults, the given "section.key=value" overrides applied and cross-key checks
// run (as `mnsim run` would), without needing a file.
Config config_with(const std::vector<std::string>& overrides);

// Runs the mnsim binary with arguments; returns the exit code and fills stdout/stderr.
int run_mnsim(const std::string& args, std::string* out = nullptr, std::string* err = nullptr);

// A fresh empty directory under the build tree's temporary folder.
std::string temp_dir(const std::string& name);

}  // namespace mnsim::test
