// Built instead of sweep_mpi.cpp when MNSIM_MPI is OFF.
#include "mnsim/core/errors.hpp"
#include "mnsim/sweep/backends.hpp"

namespace mnsim::sweep {

int run_mpi(const Options&) {
  throw ConfigError("sweep: --backend mpi: this mnsim was built without MPI; allowed local or slurm "
                    "(or rebuild with cmake -DMNSIM_MPI=ON)");
}

}  // namespace mnsim::sweep
