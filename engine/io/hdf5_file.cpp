#include "engine/io/hdf5_file.hpp"

#include <cstring>
#include <utility>
#include <vector>

#include "engine/core/error.hpp"
#include "engine/io/hdf5_util.hpp"

namespace glia::io {

namespace {

using hdf5::check;
using hdf5::check_id;
using hdf5::Handle;

// A fixed-length string type; the caller closes it.
hid_t string_type(std::size_t length) {
  const hid_t t = check_id(H5Tcopy(H5T_C_S1), "string type");
  if (H5Tset_size(t, length) < 0 || H5Tset_strpad(t, H5T_STR_NULLPAD) < 0) {
    H5Tclose(t);
    throw RuntimeError("HDF5 error: string type of length " + std::to_string(length));
  }
  return t;
}

// Why the last HDF5 call failed to open a file, from the library's error stack: a truncated file and a file
// locked by another process are told apart (HDF5 reports both as "unable to open file").
std::string open_failure_reason() {
  std::vector<std::string> messages;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned, const H5E_error2_t* e, void* data) -> herr_t {
        if (e->desc) static_cast<std::vector<std::string>*>(data)->push_back(e->desc);
        return 0;
      },
      &messages);
  for (const std::string& m : messages)
    if (m.find("truncated file") != std::string::npos) return "it is damaged (" + m + ")";
  for (const std::string& m : messages)
    if (m.find("lock file") != std::string::npos) return "another process holds it open (" + m + ")";
  return "it is damaged" + (messages.empty() ? std::string() : " (" + messages.back() + ")");
}

}  // namespace

Hdf5File Hdf5File::create(const std::string& path) {
  hdf5::silence();
  // Default (earliest) file format: its superblock has no "open for writing" flag that a
  // killed writer would leave set.
  const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (id < 0) throw RuntimeError("cannot create HDF5 file " + path);
  return Hdf5File(id, path);
}

bool Hdf5File::is_hdf5(const std::string& path) {
  hdf5::silence();
  return H5Fis_hdf5(path.c_str()) > 0;
}

Hdf5File Hdf5File::open(const std::string& path, bool writable) {
  if (!is_hdf5(path)) throw RuntimeError(path + " is not an HDF5 file");
  const hid_t id = H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) throw RuntimeError("cannot open HDF5 file " + path + ": " + open_failure_reason());
  return Hdf5File(id, path);
}

Hdf5File::Hdf5File(Hdf5File&& other) noexcept
    : file_(std::exchange(other.file_, -1)), path_(std::move(other.path_)) {}

Hdf5File& Hdf5File::operator=(Hdf5File&& other) noexcept {
  if (this != &other) {
    if (file_ >= 0) H5Fclose(file_);
    file_ = std::exchange(other.file_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

Hdf5File::~Hdf5File() {
  if (file_ >= 0) H5Fclose(file_);
}

void Hdf5File::close() {
  if (file_ >= 0) check(H5Fclose(std::exchange(file_, -1)), "close " + path_);
}

void Hdf5File::flush() { check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush " + path_); }

bool Hdf5File::exists(const std::string& path) const {
  if (path == "/") return true;
  // Each level must exist before H5Lexists may look at the next.
  std::size_t pos = 1;
  while (true) {
    const std::size_t next = path.find('/', pos);
    if (H5Lexists(file_, path.substr(0, next).c_str(), H5P_DEFAULT) <= 0) return false;
    if (next == std::string::npos) return true;
    pos = next + 1;
  }
}

std::vector<std::uint64_t> Hdf5File::dims(const std::string& dataset) const {
  Handle ds{check_id(H5Dopen2(file_, dataset.c_str(), H5P_DEFAULT), "open " + dataset), H5Dclose};
  Handle space{H5Dget_space(ds.id), H5Sclose};
  const int rank = H5Sget_simple_extent_ndims(space.id);
  std::vector<hsize_t> d(static_cast<std::size_t>(rank > 0 ? rank : 0));
  if (rank > 0) H5Sget_simple_extent_dims(space.id, d.data(), nullptr);
  return std::vector<std::uint64_t>(d.begin(), d.end());
}

std::uint64_t Hdf5File::elements(const std::string& path) const {
  std::uint64_t n = 1;
  for (auto d : dims(path)) n *= d;
  return n;
}

namespace {

void scalar_attribute(hid_t file, const std::string& object, const std::string& name, hid_t type,
                      const void* value) {
  Handle obj{check_id(H5Oopen(file, object.c_str(), H5P_DEFAULT), "open " + object), H5Oclose};
  if (H5Aexists(obj.id, name.c_str()) > 0) H5Adelete(obj.id, name.c_str());
  Handle space{H5Screate(H5S_SCALAR), H5Sclose};
  Handle a{check_id(H5Acreate2(obj.id, name.c_str(), type, space.id, H5P_DEFAULT, H5P_DEFAULT),
                    "create attribute " + name),
           H5Aclose};
  check(H5Awrite(a.id, type, value), "write attribute " + name);
}

}  // namespace

void Hdf5File::set_attribute(const std::string& object, const std::string& name, const std::string& value) {
  // Variable-length UTF-8, which h5py reads back as str.
  Handle type{check_id(H5Tcopy(H5T_C_S1), "string type"), H5Tclose};
  check(H5Tset_size(type.id, H5T_VARIABLE), "string size");
  check(H5Tset_cset(type.id, H5T_CSET_UTF8), "string charset");
  const char* text = value.c_str();
  scalar_attribute(file_, object, name, type.id, &text);
}

void Hdf5File::set_attribute(const std::string& object, const std::string& name, double value) {
  scalar_attribute(file_, object, name, H5T_NATIVE_DOUBLE, &value);
}

void Hdf5File::set_attribute(const std::string& object, const std::string& name, std::int64_t value) {
  scalar_attribute(file_, object, name, H5T_NATIVE_INT64, &value);
}

bool Hdf5File::has_attribute(const std::string& object, const std::string& name) const {
  if (!exists(object)) return false;
  return H5Aexists_by_name(file_, object.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

std::string Hdf5File::string_attribute(const std::string& object, const std::string& name) const {
  Handle a{check_id(H5Aopen_by_name(file_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                    "open attribute " + name),
           H5Aclose};
  Handle type{H5Aget_type(a.id), H5Tclose};
  if (H5Tget_class(type.id) != H5T_STRING) throw RuntimeError("attribute " + name + " is not a string");
  if (H5Tis_variable_str(type.id) > 0) {
    Handle mem{H5Tcopy(H5T_C_S1), H5Tclose};
    H5Tset_size(mem.id, H5T_VARIABLE);
    H5Tset_cset(mem.id, H5Tget_cset(type.id));
    char* text = nullptr;
    check(H5Aread(a.id, mem.id, &text), "read attribute " + name);
    std::string s = text ? text : "";
    Handle space{H5Screate(H5S_SCALAR), H5Sclose};
    H5Dvlen_reclaim(mem.id, space.id, H5P_DEFAULT, &text);
    return s;
  }
  std::string s(H5Tget_size(type.id), '\0');
  check(H5Aread(a.id, type.id, s.data()), "read attribute " + name);
  return s.substr(0, s.find('\0'));
}

std::int64_t Hdf5File::int_attribute(const std::string& object, const std::string& name) const {
  Handle a{check_id(H5Aopen_by_name(file_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                    "open attribute " + name),
           H5Aclose};
  std::int64_t v = 0;
  check(H5Aread(a.id, H5T_NATIVE_INT64, &v), "read attribute " + name);
  return v;
}

double Hdf5File::double_attribute(const std::string& object, const std::string& name) const {
  Handle a{check_id(H5Aopen_by_name(file_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                    "open attribute " + name),
           H5Aclose};
  double v = 0;
  check(H5Aread(a.id, H5T_NATIVE_DOUBLE, &v), "read attribute " + name);
  return v;
}

void Hdf5File::create(const std::string& path, hid_t file_type, const std::vector<std::uint64_t>& dims,
                      const void* fill) {
  if (dims.empty() || dims.size() > 2) throw RuntimeError("dataset " + path + ": rank must be 1 or 2");
  std::vector<hsize_t> h(dims.begin(), dims.end());
  Handle space{H5Screate_simple(static_cast<int>(h.size()), h.data(), nullptr), H5Sclose};
  Handle lcpl{H5Pcreate(H5P_LINK_CREATE), H5Pclose};
  check(H5Pset_create_intermediate_group(lcpl.id, 1), "intermediate groups");
  Handle dcpl{H5Pcreate(H5P_DATASET_CREATE), H5Pclose};
  check(H5Pset_layout(dcpl.id, H5D_CONTIGUOUS), "layout " + path);
  check(H5Pset_alloc_time(dcpl.id, H5D_ALLOC_TIME_EARLY), "allocation " + path);
  check(H5Pset_fill_time(dcpl.id, H5D_FILL_TIME_ALLOC), "fill time " + path);
  if (fill) check(H5Pset_fill_value(dcpl.id, file_type, fill), "fill value " + path);
  // No modification times: a write must not touch the object header.
  check(H5Pset_obj_track_times(dcpl.id, 0), "times " + path);
  Handle ds{check_id(H5Dcreate2(file_, path.c_str(), file_type, space.id, lcpl.id, dcpl.id, H5P_DEFAULT),
                     "create dataset " + path),
            H5Dclose};
}

void Hdf5File::create_f64(const std::string& path, const std::vector<std::uint64_t>& dims, double fill) {
  create(path, H5T_NATIVE_DOUBLE, dims, &fill);
}
void Hdf5File::create_i32(const std::string& path, const std::vector<std::uint64_t>& dims,
                          std::int32_t fill) {
  create(path, H5T_NATIVE_INT32, dims, &fill);
}
void Hdf5File::create_i64(const std::string& path, const std::vector<std::uint64_t>& dims,
                          std::int64_t fill) {
  create(path, H5T_NATIVE_INT64, dims, &fill);
}
void Hdf5File::create_u8(const std::string& path, const std::vector<std::uint64_t>& dims, std::uint8_t fill) {
  create(path, H5T_NATIVE_UINT8, dims, &fill);
}
void Hdf5File::create_strings(const std::string& path, std::uint64_t n, std::size_t length) {
  const Handle type{string_type(length), H5Tclose};
  create(path, type.id, {n}, nullptr);
}

void Hdf5File::write(const std::string& path, hid_t mem_type, std::uint64_t first, std::uint64_t n,
                     const void* data) {
  if (n == 0) return;
  Handle ds{check_id(H5Dopen2(file_, path.c_str(), H5P_DEFAULT), "open " + path), H5Dclose};
  Handle space{H5Dget_space(ds.id), H5Sclose};
  const int rank = H5Sget_simple_extent_ndims(space.id);
  hsize_t d[2] = {0, 1};
  H5Sget_simple_extent_dims(space.id, d, nullptr);
  if (first + n > d[0]) throw RuntimeError("dataset " + path + ": rows beyond its size");
  const hsize_t start[2] = {first, 0}, count[2] = {n, rank == 2 ? d[1] : 1};
  check(H5Sselect_hyperslab(space.id, H5S_SELECT_SET, start, nullptr, count, nullptr), "select " + path);
  Handle mem{H5Screate_simple(rank, count, nullptr), H5Sclose};
  check(H5Dwrite(ds.id, mem_type, mem.id, space.id, H5P_DEFAULT, data), "write " + path);
}

void Hdf5File::write_rows(const std::string& path, std::uint64_t first, std::uint64_t n, const double* data) {
  write(path, H5T_NATIVE_DOUBLE, first, n, data);
}
void Hdf5File::write_rows(const std::string& path, std::uint64_t first, std::uint64_t n,
                          const std::int32_t* data) {
  write(path, H5T_NATIVE_INT32, first, n, data);
}
void Hdf5File::write_rows(const std::string& path, std::uint64_t first, std::uint64_t n,
                          const std::int64_t* data) {
  write(path, H5T_NATIVE_INT64, first, n, data);
}
void Hdf5File::write_rows(const std::string& path, std::uint64_t first, std::uint64_t n,
                          const std::uint8_t* data) {
  write(path, H5T_NATIVE_UINT8, first, n, data);
}

void Hdf5File::write_strings(const std::string& path, std::uint64_t first,
                             const std::vector<std::string>& values) {
  Handle ds{check_id(H5Dopen2(file_, path.c_str(), H5P_DEFAULT), "open " + path), H5Dclose};
  Handle type{H5Dget_type(ds.id), H5Tclose};
  const std::size_t length = H5Tget_size(type.id);
  std::vector<char> buffer(values.size() * length, '\0');
  for (std::size_t k = 0; k < values.size(); ++k)
    std::memcpy(buffer.data() + k * length, values[k].data(), std::min(length, values[k].size()));
  write(path, type.id, first, values.size(), buffer.data());
}

void Hdf5File::read(const std::string& path, hid_t mem_type, void* data) const {
  Handle ds{check_id(H5Dopen2(file_, path.c_str(), H5P_DEFAULT), "open " + path), H5Dclose};
  check(H5Dread(ds.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "read " + path);
}

std::vector<double> Hdf5File::read_f64(const std::string& path) const {
  std::vector<double> v(elements(path));
  if (!v.empty()) read(path, H5T_NATIVE_DOUBLE, v.data());
  return v;
}

std::vector<std::int32_t> Hdf5File::read_i32(const std::string& path) const {
  std::vector<std::int32_t> v(elements(path));
  if (!v.empty()) read(path, H5T_NATIVE_INT32, v.data());
  return v;
}

std::vector<std::int64_t> Hdf5File::read_i64(const std::string& path) const {
  std::vector<std::int64_t> v(elements(path));
  if (!v.empty()) read(path, H5T_NATIVE_INT64, v.data());
  return v;
}

std::vector<std::uint8_t> Hdf5File::read_u8(const std::string& path) const {
  std::vector<std::uint8_t> v(elements(path));
  if (!v.empty()) read(path, H5T_NATIVE_UINT8, v.data());
  return v;
}

}  // namespace glia::io
