#pragma once
#include <string>
#include <vector>

#include "mnsim/core/grid.hpp"

namespace mnsim {

// Writes the XDMF (v2) sidecar that lets ParaView open run.h5: a temporal collection with one
// grid per snapshot, every field as a hyperslab of its (time, z, y, x) dataset. Values sit on
// the cell centres (a co-rectilinear mesh of nz x ny x nx points, origin dx/2, spacing dx, in
// z, y, x order), which is what ParaView's XDMFReader renders for 1D, 2D and 3D alike. The file
// is replaced atomically.
void write_xdmf(const std::string& xmf_path, const std::string& h5_name, const Grid& g, const std::vector<double>& times);

}  // namespace mnsim
