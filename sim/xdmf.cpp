#include "mnsim/io/xdmf.hpp"

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "mnsim/core/errors.hpp"
#include "mnsim/core/fields.hpp"

namespace mnsim {

void write_xdmf(const std::string& xmf_path, const std::string& h5_name, const Grid& g, const std::vector<double>& times) {
  std::ostringstream x;
  x << std::setprecision(17);
  const std::string dims = std::to_string(g.nz) + " " + std::to_string(g.ny) + " " + std::to_string(g.nx);
  const double o = 0.5 * g.dx;
  x << "<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n<Xdmf Version=\"2.0\">\n <Domain>\n"
    << "  <Grid Name=\"mnsim\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
  for (std::size_t n = 0; n < times.size(); ++n) {
    x << "   <Grid Name=\"day " << times[n] << "\" GridType=\"Uniform\">\n"
      << "    <Time Value=\"" << times[n] << "\"/>\n"
      << "    <Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"" << dims << "\"/>\n"
      << "    <Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n"
      << "     <DataItem Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" Format=\"XML\">" << o << " " << o << " " << o
      << "</DataItem>\n"
      << "     <DataItem Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" Format=\"XML\">" << g.dx << " " << g.dx << " "
      << g.dx << "</DataItem>\n    </Geometry>\n";
    for (int f = 0; f < kNumFields; ++f) {
      const FieldInfo& info = field_info(f);
      x << "    <Attribute Name=\"" << info.name << "\" AttributeType=\"Scalar\" Center=\"Node\">\n"
        << "     <DataItem ItemType=\"HyperSlab\" Dimensions=\"" << dims << "\" Type=\"HyperSlab\">\n"
        << "      <DataItem Dimensions=\"3 4\" Format=\"XML\">" << n << " 0 0 0  1 1 1 1  1 " << dims << "</DataItem>\n"
        << "      <DataItem Dimensions=\"" << times.size() << " " << dims
        << "\" NumberType=\"Float\" Precision=\"4\" Format=\"HDF\">" << h5_name << ":/fields/" << info.name
        << "</DataItem>\n     </DataItem>\n    </Attribute>\n";
    }
    x << "   </Grid>\n";
  }
  x << "  </Grid>\n </Domain>\n</Xdmf>\n";
  const std::string tmp = xmf_path + ".tmp";
  {
    std::ofstream out(tmp);
    out << x.str();
    if (!out) throw IoError("output: cannot write '" + tmp + "'");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, xmf_path, ec);
  if (ec) throw IoError("output: cannot rename '" + tmp + "': " + ec.message());
}

}  // namespace mnsim
