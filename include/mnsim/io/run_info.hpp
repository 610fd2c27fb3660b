#pragma once
#include <string>

namespace mnsim {
// A readable summary of a run file: status, provenance, grid, snapshots, sessions and the
// outcome table. Opens the file read-only without file locking, so it works on a running run.
// Throws IoError (exit 3) when the file cannot be read as an mnsim run.
std::string describe_run(const std::string& path);
}  // namespace mnsim
