#pragma once

namespace mnsim {
// The command line of INTERFACE.md. Returns the process exit code; never throws.
int run_cli(int argc, char** argv);
}  // namespace mnsim
