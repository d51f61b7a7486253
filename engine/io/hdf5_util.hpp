#pragma once
// Small helpers shared by the HDF5 writer and reader/updater (engine/io only): error checks that turn an
// HDF5 failure into glia::RuntimeError, and a handle closed at scope exit.
#include <hdf5.h>

#include <string>

#include "engine/core/error.hpp"

namespace glia::io::hdf5 {

// HDF5 prints its own error stack by default; glia reports errors itself.
inline void silence() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

inline void check(herr_t rc, const std::string& what) {
  if (rc < 0) throw RuntimeError("HDF5 error: " + what);
}

inline hid_t check_id(hid_t id, const std::string& what) {
  if (id < 0) throw RuntimeError("HDF5 error: " + what);
  return id;
}

// Closes an HDF5 handle at scope exit.
struct Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Handle() {
    if (id >= 0) close(id);
  }
};

}  // namespace glia::io::hdf5
