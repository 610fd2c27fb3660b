#include "h5util.hpp"

#include <hdf5_hl.h>

#include <algorithm>

#include "mnsim/core/errors.hpp"

namespace mnsim::h5 {

File open_readonly(const std::string& path) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_file_locking(fapl, false, true);
  hid_t f = -1;
  H5E_BEGIN_TRY { f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl); }
  H5E_END_TRY;
  H5Pclose(fapl);
  return File(f);
}

void check(herr_t status, const std::string& what) {
  if (status < 0) throw IoError("output: HDF5 failed to " + what);
}

hid_t checked(hid_t id, const std::string& what) {
  if (id < 0) throw IoError("output: HDF5 failed to " + what);
  return id;
}

void set_text(hid_t obj, const char* name, const std::string& value) {
  check(H5LTset_attribute_string(obj, ".", name, value.c_str()), std::string("write attribute ") + name);
}

std::string get_text(hid_t obj, const char* name) {
  hsize_t dims = 0;
  H5T_class_t cls;
  size_t size = 0;
  check(H5LTget_attribute_info(obj, ".", name, &dims, &cls, &size), std::string("read attribute ") + name);
  std::string s(size, '\0');
  check(H5LTget_attribute_string(obj, ".", name, s.data()), std::string("read attribute ") + name);
  s.resize(s.find('\0') == std::string::npos ? s.size() : s.find('\0'));
  return s;
}

void set_double(hid_t obj, const char* name, double v) {
  check(H5LTset_attribute_double(obj, ".", name, &v, 1), std::string("write attribute ") + name);
}

double get_double(hid_t obj, const char* name) {
  double v = 0;
  check(H5LTget_attribute_double(obj, ".", name, &v), std::string("read attribute ") + name);
  return v;
}

void set_long(hid_t obj, const char* name, long long v) {
  check(H5LTset_attribute_long_long(obj, ".", name, &v, 1), std::string("write attribute ") + name);
}

long long get_long(hid_t obj, const char* name) {
  long long v = 0;
  check(H5LTget_attribute_long_long(obj, ".", name, &v), std::string("read attribute ") + name);
  return v;
}

hid_t make_group(hid_t parent, const char* name) {
  hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
  H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  hid_t g = checked(H5Gcreate2(parent, name, H5P_DEFAULT, gcpl, H5P_DEFAULT), std::string("create group ") + name);
  H5Pclose(gcpl);
  return g;
}

hid_t write_vector(hid_t parent, const char* name, const double* v, std::size_t size, const char* units) {
  const hsize_t n = size;
  hid_t space = H5Screate_simple(1, &n, nullptr);
  hid_t ds = checked(H5Dcreate2(parent, name, H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                     std::string("create ") + name);
  if (n) check(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), std::string("write ") + name);
  H5Sclose(space);
  set_text(ds, "units", units);
  return ds;
}

std::vector<double> read_vector(hid_t parent, const char* name) {
  hid_t ds = checked(H5Dopen2(parent, name, H5P_DEFAULT), std::string("open ") + name);
  hid_t space = H5Dget_space(ds);
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  std::vector<double> v(static_cast<std::size_t>(n));
  if (n > 0) check(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), std::string("read ") + name);
  H5Sclose(space);
  H5Dclose(ds);
  return v;
}

void write_strings(hid_t parent, const char* name, const std::vector<std::string>& v) {
  std::size_t width = 1;
  for (const auto& s : v) width = std::max(width, s.size());
  std::vector<char> buf(v.size() * width, '\0');
  for (std::size_t i = 0; i < v.size(); ++i) std::copy(v[i].begin(), v[i].end(), buf.begin() + i * width);
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, width);
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  const hsize_t n = v.size();
  hid_t space = H5Screate_simple(1, &n, nullptr);
  hid_t ds = checked(H5Dcreate2(parent, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), std::string("create ") + name);
  if (n) check(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), std::string("write ") + name);
  H5Dclose(ds);
  H5Sclose(space);
  H5Tclose(type);
}

hid_t session_row_type() {
  const hsize_t chars = sizeof(SessionRow::device);
  // An array of one-byte strings is what netCDF calls char, so ncdump prints the name as text.
  hid_t one = H5Tcopy(H5T_C_S1);
  H5Tset_size(one, 1);
  hid_t str = H5Tarray_create2(one, 1, &chars);
  H5Tclose(one);
  hid_t type = H5Tcreate(H5T_COMPOUND, sizeof(SessionRow));
  H5Tinsert(type, "day", HOFFSET(SessionRow, day), H5T_NATIVE_DOUBLE);
  H5Tinsert(type, "device", HOFFSET(SessionRow, device), str);
  H5Tinsert(type, "needle_length", HOFFSET(SessionRow, needle_length), H5T_NATIVE_DOUBLE);
  H5Tinsert(type, "density", HOFFSET(SessionRow, density), H5T_NATIVE_DOUBLE);
  H5Tinsert(type, "punctures", HOFFSET(SessionRow, punctures), H5T_NATIVE_LLONG);
  H5Tclose(str);
  return type;
}

}  // namespace mnsim::h5
