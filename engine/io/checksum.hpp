#pragma once
// A 64-bit checksum (FNV-1a) of the values a result file holds, stored beside them and verified when the file
// is read back or resumed: a file whose data were altered or damaged is refused, naming file and dataset. It
// detects change, not tampering by someone who also rewrites the checksum.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace glia::io {

class Checksum {
 public:
  void add(const void* data, std::size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < bytes; ++i) {
      h_ ^= p[i];
      h_ *= 1099511628211ull;
    }
  }
  template <class T>
  void add(const std::vector<T>& v) {
    add(v.data(), v.size() * sizeof(T));
  }
  void add(const std::string& s) { add(s.data(), s.size()); }
  template <class T>
  void add_value(const T& v) {
    add(&v, sizeof v);
  }
  // As an int64 (HDF5 attributes and datasets here are signed).
  std::int64_t value() const { return static_cast<std::int64_t>(h_); }

 private:
  std::uint64_t h_ = 1469598103934665603ull;
};

}  // namespace glia::io
