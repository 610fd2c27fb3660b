#pragma once
#include <string>
#include <vector>

namespace mnsim {
// `mnsim bench [--grid NXxNYxNZ] [--fields N] [--steps S] [--json FILE]`: memory bandwidth, the
// implicit diffusion step and the full model step, each against its bandwidth bound.
int run_bench(const std::vector<std::string>& args);
}  // namespace mnsim
