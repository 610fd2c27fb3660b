#pragma once
// Small HDF5 helpers shared by the run writer and the checkpoint (internal to sim/).
#include <hdf5.h>

#include <string>
#include <vector>

namespace mnsim::h5 {

// Owns an open file and closes it.
struct File {
  hid_t id = -1;
  explicit File(hid_t i) : id(i) {}
  File(File&& o) noexcept : id(o.id) { o.id = -1; }
  File(const File&) = delete;
  ~File() {
    if (id >= 0) H5Fclose(id);
  }
};

// Opens a file read-only without taking HDF5's file lock (so a file another process is writing
// can be read); quiet on failure, which leaves the id negative.
File open_readonly(const std::string& path);

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
hid_t write_vector(hid_t parent, const char* name, const double* v, std::size_t n, const char* units);
template <class Vector>
hid_t write_vector(hid_t parent, const char* name, const Vector& v, const char* units) {
  return write_vector(parent, name, v.data(), v.size(), units);
}
std::vector<double> read_vector(hid_t parent, const char* name);
// 1-D dataset of fixed-length strings (h5py reads bytes, netCDF-4 a char array).
void write_strings(hid_t parent, const char* name, const std::vector<std::string>& v);

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
