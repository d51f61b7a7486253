#include "engine/io/hdf5_writer.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "engine/core/error.hpp"
#include "engine/core/version.hpp"
#include "engine/io/hdf5_util.hpp"

namespace glia::io {

namespace {

using hdf5::check;
using hdf5::check_id;
using hdf5::Handle;

// The temporary file of the writer in flight, removed if SIGINT or SIGTERM ends the process.
char g_temporary[4096];
volatile std::sig_atomic_t g_temporary_active = 0;

extern "C" void remove_temporary_and_reraise(int sig) {
  if (g_temporary_active) ::unlink(g_temporary);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

// Installs the handler only where the default action is in force, so that a host program
// (the Python interpreter's SIGINT handler, say) keeps its own.
void guard_temporary(const std::string& tmp) {
  if (tmp.size() >= sizeof g_temporary) return;
  std::memcpy(g_temporary, tmp.c_str(), tmp.size() + 1);
  g_temporary_active = 1;
  for (int sig : {SIGINT, SIGTERM}) {
    struct sigaction current {};
    if (::sigaction(sig, nullptr, &current) == 0 && current.sa_handler == SIG_DFL)
      std::signal(sig, remove_temporary_and_reraise);
  }
}

constexpr std::size_t kCompressAbove = 4096;     // elements; smaller datasets stay contiguous
constexpr std::size_t kChunkElements = 1 << 16;  // target elements per chunk

}  // namespace

Hdf5Writer::Hdf5Writer(std::string path, const std::string& field) : path_(std::move(path)) {
  hdf5::silence();
  if (path_.empty()) throw ConfigError(field, "\"\"", "output path is empty");
  struct stat st {};
  if (path_.back() == '/' || (::stat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode)))
    throw ConfigError(field, "\"" + path_ + "\"", "is a directory; give a file name");
  tmp_path_ = path_ + ".tmp" + std::to_string(::getpid());
  // Probe with stdio first: it gives errno, which HDF5 does not report.
  std::FILE* probe = std::fopen(tmp_path_.c_str(), "wb");
  if (!probe)
    throw ConfigError(field, "\"" + path_ + "\"", std::string("cannot create file: ") + std::strerror(errno));
  std::fclose(probe);
  file_ = H5Fcreate(tmp_path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file_ < 0) {
    std::remove(tmp_path_.c_str());
    throw ConfigError(field, "\"" + path_ + "\"", "cannot create HDF5 file");
  }
  guard_temporary(tmp_path_);
  attribute("/", "complete", std::int64_t{0});
}

Hdf5Writer::~Hdf5Writer() {
  g_temporary_active = 0;
  if (file_ >= 0) H5Fclose(file_);
  if (!committed_) std::remove(tmp_path_.c_str());
}

hid_t Hdf5Writer::ensure_group(const std::string& path) {
  if (path == "/") return H5Gopen2(file_, "/", H5P_DEFAULT);
  // Create each missing level of a/b/c.
  std::size_t pos = 1;
  while (true) {
    const std::size_t next = path.find('/', pos);
    const std::string prefix = path.substr(0, next);
    if (H5Lexists(file_, prefix.c_str(), H5P_DEFAULT) <= 0) {
      hid_t g = check_id(H5Gcreate2(file_, prefix.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                         "create group " + prefix);
      H5Gclose(g);
    }
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return check_id(H5Gopen2(file_, path.c_str(), H5P_DEFAULT), "open group " + path);
}

void Hdf5Writer::scalar_attribute(const std::string& object, const std::string& name, hid_t file_type,
                                  hid_t mem_type, const void* value) {
  Handle g{ensure_group(object), H5Gclose};
  Handle space{H5Screate(H5S_SCALAR), H5Sclose};
  if (H5Aexists(g.id, name.c_str()) > 0) H5Adelete(g.id, name.c_str());
  Handle a{check_id(H5Acreate2(g.id, name.c_str(), file_type, space.id, H5P_DEFAULT, H5P_DEFAULT),
                    "create attribute " + name),
           H5Aclose};
  check(H5Awrite(a.id, mem_type, value), "write attribute " + name);
}

void Hdf5Writer::attribute(const std::string& object, const std::string& name, const std::string& value) {
  // Variable-length UTF-8, which h5py reads back as str.
  Handle type{check_id(H5Tcopy(H5T_C_S1), "string type"), H5Tclose};
  check(H5Tset_size(type.id, H5T_VARIABLE), "string size");
  check(H5Tset_cset(type.id, H5T_CSET_UTF8), "string charset");
  const char* text = value.c_str();
  scalar_attribute(object, name, type.id, type.id, &text);
}

void Hdf5Writer::attribute(const std::string& object, const std::string& name, double value) {
  scalar_attribute(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void Hdf5Writer::attribute(const std::string& object, const std::string& name, std::int64_t value) {
  scalar_attribute(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void Hdf5Writer::attribute(const std::string& object, const std::string& name, std::uint64_t value) {
  scalar_attribute(object, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

void Hdf5Writer::write(const std::string& path, hid_t file_type, hid_t mem_type, const void* data,
                       const std::vector<std::uint64_t>& dims, std::size_t n) {
  std::size_t expected = 1;
  for (auto d : dims) expected *= d;
  if (dims.empty() || dims.size() > 2 || expected != n)
    throw RuntimeError("dataset " + path + ": shape does not match data size");
  const std::size_t slash = path.rfind('/');
  if (slash != 0) Handle{ensure_group(path.substr(0, slash)), H5Gclose};

  std::vector<hsize_t> hdims(dims.begin(), dims.end());
  Handle space{H5Screate_simple(static_cast<int>(hdims.size()), hdims.data(), nullptr), H5Sclose};
  Handle plist{H5Pcreate(H5P_DATASET_CREATE), H5Pclose};
  if (n > kCompressAbove) {
    std::vector<hsize_t> chunk = hdims;
    const hsize_t row = hdims.size() == 2 ? hdims[1] : 1;
    chunk[0] = std::max<hsize_t>(1, std::min<hsize_t>(hdims[0], kChunkElements / std::max<hsize_t>(row, 1)));
    check(H5Pset_chunk(plist.id, static_cast<int>(chunk.size()), chunk.data()), "chunk " + path);
    check(H5Pset_shuffle(plist.id), "shuffle " + path);
    check(H5Pset_deflate(plist.id, 4), "deflate " + path);
  }
  Handle ds{check_id(H5Dcreate2(file_, path.c_str(), file_type, space.id, H5P_DEFAULT, plist.id, H5P_DEFAULT),
                     "create dataset " + path),
            H5Dclose};
  if (n > 0) check(H5Dwrite(ds.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write dataset " + path);
}

void Hdf5Writer::dataset(const std::string& path, const std::vector<double>& data,
                         const std::vector<std::uint64_t>& dims) {
  write(path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, data.data(), dims, data.size());
}

void Hdf5Writer::dataset(const std::string& path, const std::vector<std::uint32_t>& data,
                         const std::vector<std::uint64_t>& dims) {
  write(path, H5T_STD_U32LE, H5T_NATIVE_UINT32, data.data(), dims, data.size());
}

void Hdf5Writer::dataset(const std::string& path, const std::vector<std::uint8_t>& data,
                         const std::vector<std::uint64_t>& dims) {
  write(path, H5T_STD_U8LE, H5T_NATIVE_UINT8, data.data(), dims, data.size());
}

void Hdf5Writer::dataset(const std::string& path, const std::vector<std::int16_t>& data,
                         const std::vector<std::uint64_t>& dims) {
  write(path, H5T_STD_I16LE, H5T_NATIVE_INT16, data.data(), dims, data.size());
}

void Hdf5Writer::dataset(const std::string& path, const std::vector<std::int32_t>& data,
                         const std::vector<std::uint64_t>& dims) {
  write(path, H5T_STD_I32LE, H5T_NATIVE_INT32, data.data(), dims, data.size());
}

void Hdf5Writer::dataset(const std::string& path, const std::vector<float>& data,
                         const std::vector<std::uint64_t>& dims) {
  write(path, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, data.data(), dims, data.size());
}

void Hdf5Writer::provenance(const std::string& config_json, std::uint64_t seed) {
  attribute("/", "glia_version", std::string(version()));
  attribute("/", "git_commit", std::string(git_commit()));
  attribute("/", "created", utc_timestamp());
  attribute("/", "config", config_json);
  attribute("/", "seed", seed);
}

void Hdf5Writer::commit() { finish(true); }

void Hdf5Writer::commit_incomplete(const std::string& error) {
  attribute("/", "error", error);
  finish(false);
}

void Hdf5Writer::finish(bool complete) {
  attribute("/", "complete", std::int64_t{complete ? 1 : 0});
  check(H5Fclose(file_), "close " + tmp_path_);
  file_ = -1;
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0)
    throw RuntimeError("cannot move " + tmp_path_ + " to " + path_ + ": " + std::strerror(errno));
  committed_ = true;
  g_temporary_active = 0;
}

}  // namespace glia::io
