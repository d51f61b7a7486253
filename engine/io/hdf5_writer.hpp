#pragma once
// Writes one HDF5 result file safely: data go to a temporary file beside the target, the
// root attribute "complete" is set to 1 only after everything is written, and the file is
// renamed into place on commit(). A run that fails or is abandoned leaves no file at the
// target path: the temporary is removed by the destructor, or, when the process is stopped
// by SIGINT or SIGTERM (whose handlers are still the default ones), by a signal handler.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace glia::io {

class Hdf5Writer {
 public:
  // Creates the temporary file at once, so an unwritable output path fails before any
  // work is done (ConfigError naming `field`, e.g. "output").
  Hdf5Writer(std::string path, const std::string& field = "output");
  ~Hdf5Writer();
  Hdf5Writer(const Hdf5Writer&) = delete;
  Hdf5Writer& operator=(const Hdf5Writer&) = delete;

  // Attributes on an object (group path, "/" for the root); groups are created as needed.
  void attribute(const std::string& object, const std::string& name, const std::string& value);
  void attribute(const std::string& object, const std::string& name, double value);
  void attribute(const std::string& object, const std::string& name, std::int64_t value);
  void attribute(const std::string& object, const std::string& name, std::uint64_t value);

  // Datasets of rank 1 or 2 (dims), chunked and deflate-compressed when large.
  void dataset(const std::string& path, const std::vector<double>& data,
               const std::vector<std::uint64_t>& dims);
  void dataset(const std::string& path, const std::vector<std::uint32_t>& data,
               const std::vector<std::uint64_t>& dims);
  void dataset(const std::string& path, const std::vector<std::uint8_t>& data,
               const std::vector<std::uint64_t>& dims);
  void dataset(const std::string& path, const std::vector<std::int16_t>& data,
               const std::vector<std::uint64_t>& dims);
  void dataset(const std::string& path, const std::vector<std::int32_t>& data,
               const std::vector<std::uint64_t>& dims);
  void dataset(const std::string& path, const std::vector<float>& data,
               const std::vector<std::uint64_t>& dims);

  // Marks the file complete, closes it and moves it to the target path.
  void commit();
  // For a run that stopped early: keeps what was written, valid but marked complete = 0, with
  // the reason in the root attribute "error", at the target path.
  void commit_incomplete(const std::string& error);

  // The provenance every glia result file carries on its root: glia_version, git_commit, created (UTC),
  // config (the resolved configuration as JSON text) and seed.
  void provenance(const std::string& config_json, std::uint64_t seed);

  const std::string& path() const { return path_; }

 private:
  void finish(bool complete);
  hid_t ensure_group(const std::string& path);
  void scalar_attribute(const std::string& object, const std::string& name, hid_t file_type, hid_t mem_type,
                        const void* value);
  void write(const std::string& path, hid_t file_type, hid_t mem_type, const void* data,
             const std::vector<std::uint64_t>& dims, std::size_t n);
  std::string path_;
  std::string tmp_path_;
  hid_t file_ = -1;
  bool committed_ = false;
};

}  // namespace glia::io
