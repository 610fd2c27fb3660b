#pragma once
// Small HDF5 helpers shared by the run writer and the checkpoint (internal to sim/).
#include <hdf5.h>

#include <string>
#include <vector>

namespace mnsim::h5 {

void check(herr_t status, const std::string& what);
hid_t checked(hid_t id, const std::string& what);
// Fixed-length string attribute, replaced if it exists (netCDF reads it as text).
void set_text(hid_t obj, const char* name, const std::string& value);
std::string get_text(hid_t obj, const char* name);
void set_double(hid_t obj, const char* name, double v);
double get_double(hid_t obj, const char* name);
void set_long(hid_t obj, const char* name, long long v);
long long get_long(hid_t obj, const char* name);
// Group with link creation order tracked, which netCDF-4 readers expect.
hid_t make_group(hid_t parent, const char* name);
// 1-D double dataset with a `units` attribute; returns the open dataset.
hid_t write_vector(hid_t parent, const char* name, const std::vector<double>& v, const char* units);
std::vector<double> read_vector(hid_t parent, const char* name);

// One row of /schedule/sessions. The device name is a char array rather than an HDF5 string so
// netCDF-4 readers (ncdump) accept the compound type.
struct SessionRow {
  double day;
  char device[16];
  double needle_length, density;
  long long punctures;
};
// The compound type of SessionRow; the caller closes it with H5Tclose.
hid_t session_row_type();

}  // namespace mnsim::h5
