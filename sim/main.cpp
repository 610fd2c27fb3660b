#include "mnsim/sim/cli.hpp"

int main(int argc, char** argv) { return mnsim::run_cli(argc, argv); }
