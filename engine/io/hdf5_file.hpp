#pragma once
// Reading and updating HDF5 files in place, for results that are written piece by piece and
// resumed (sweeps). Datasets are created at their full size, contiguous and allocated (with a
// fill value) at creation, so later writes touch raw data only: a process killed between two
// flush() calls leaves the file's structure intact, with only some rows written. Unlike
// Hdf5Writer there is no temporary file; the caller decides what "finished" means.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace glia::io {

class Hdf5File {
 public:
  // A new file (an existing one is truncated); RuntimeError if it cannot be created.
  static Hdf5File create(const std::string& path);
  // An existing file; RuntimeError if it is not HDF5 or cannot be opened.
  static Hdf5File open(const std::string& path, bool writable);
  // True if `path` is an HDF5 file.
  static bool is_hdf5(const std::string& path);

  Hdf5File(Hdf5File&& other) noexcept;
  Hdf5File& operator=(Hdf5File&& other) noexcept;
  Hdf5File(const Hdf5File&) = delete;
  Hdf5File& operator=(const Hdf5File&) = delete;
  ~Hdf5File();

  bool exists(const std::string& path) const;
  std::vector<std::uint64_t> dims(const std::string& dataset) const;

  // Scalar attributes of an object ("/" or a group or dataset path).
  void set_attribute(const std::string& object, const std::string& name, const std::string& value);
  void set_attribute(const std::string& object, const std::string& name, double value);
  void set_attribute(const std::string& object, const std::string& name, std::int64_t value);
  bool has_attribute(const std::string& object, const std::string& name) const;
  std::string string_attribute(const std::string& object, const std::string& name) const;
  std::int64_t int_attribute(const std::string& object, const std::string& name) const;
  double double_attribute(const std::string& object, const std::string& name) const;

  // Full-size datasets of rank 1 or 2 (missing groups are created), filled with `fill`.
  void create_f64(const std::string& path, const std::vector<std::uint64_t>& dims, double fill);
  void create_i32(const std::string& path, const std::vector<std::uint64_t>& dims, std::int32_t fill);
  void create_i64(const std::string& path, const std::vector<std::uint64_t>& dims, std::int64_t fill);
  void create_u8(const std::string& path, const std::vector<std::uint64_t>& dims, std::uint8_t fill);
  // Fixed-length ASCII strings of `length` bytes (NUL-padded), rank 1.
  void create_strings(const std::string& path, std::uint64_t n, std::size_t length);

  // Writes rows [first, first + n) (a row is one element for rank 1, one line for rank 2).
  void write_rows(const std::string& path, std::uint64_t first, std::uint64_t n, const double* data);
  void write_rows(const std::string& path, std::uint64_t first, std::uint64_t n, const std::int32_t* data);
  void write_rows(const std::string& path, std::uint64_t first, std::uint64_t n, const std::int64_t* data);
  void write_rows(const std::string& path, std::uint64_t first, std::uint64_t n, const std::uint8_t* data);
  // Strings longer than the dataset's length are cut.
  void write_strings(const std::string& path, std::uint64_t first, const std::vector<std::string>& values);

  std::vector<double> read_f64(const std::string& path) const;
  std::vector<std::int32_t> read_i32(const std::string& path) const;
  std::vector<std::int64_t> read_i64(const std::string& path) const;
  std::vector<std::uint8_t> read_u8(const std::string& path) const;

  // Pushes everything written so far to the file on disk.
  void flush();
  void close();

 private:
  explicit Hdf5File(hid_t id, std::string path) : file_(id), path_(std::move(path)) {}
  void create(const std::string& path, hid_t file_type, const std::vector<std::uint64_t>& dims,
              const void* fill);
  void write(const std::string& path, hid_t mem_type, std::uint64_t first, std::uint64_t n, const void* data);
  void read(const std::string& path, hid_t mem_type, void* data) const;
  std::uint64_t elements(const std::string& path) const;
  hid_t file_ = -1;
  std::string path_;
};

}  // namespace glia::io
