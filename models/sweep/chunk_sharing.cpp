#include "models/sweep/chunk_sharing.hpp"

#include <cstring>

#include "engine/core/error.hpp"

namespace glia::sweep {

namespace {

// Length-prefixed little-endian fields, in the order of ChunkResults (the processes run the same binary).
class Writer {
 public:
  template <class T>
  void values(const std::vector<T>& v) {
    size(v.size());
    bytes_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  void strings(const std::vector<std::string>& v) {
    size(v.size());
    for (const std::string& s : v) {
      size(s.size());
      bytes_ += s;
    }
  }
  std::string take() { return std::move(bytes_); }

 private:
  void size(std::uint64_t n) { bytes_.append(reinterpret_cast<const char*>(&n), sizeof n); }
  std::string bytes_;
};

class Reader {
 public:
  explicit Reader(const std::string& b) : b_(b) {}
  template <class T>
  std::vector<T> values() {
    const std::uint64_t n = size();
    if (n > (b_.size() - at_) / sizeof(T)) throw RuntimeError("sweep chunk message: truncated");
    std::vector<T> v(n);
    take(v.data(), n * sizeof(T));
    return v;
  }
  std::vector<std::string> strings() {
    const std::uint64_t n = size();
    if (n > (b_.size() - at_) / sizeof(std::uint64_t)) throw RuntimeError("sweep chunk message: truncated");
    std::vector<std::string> v(n);
    for (std::string& s : v) {
      s.resize(size());
      take(s.data(), s.size());
    }
    return v;
  }
  void finish() const {
    if (at_ != b_.size())
      throw RuntimeError("sweep chunk message: " + std::to_string(b_.size() - at_) + " bytes left over");
  }

 private:
  std::uint64_t size() {
    std::uint64_t n = 0;
    take(&n, sizeof n);
    return n;
  }
  void take(void* out, std::size_t n) {
    if (n > b_.size() - at_) throw RuntimeError("sweep chunk message: truncated");
    if (n) std::memcpy(out, b_.data() + at_, n);
    at_ += n;
  }
  const std::string& b_;
  std::size_t at_ = 0;
};

}  // namespace

std::string chunk_to_bytes(const ChunkResults& r, const std::vector<std::int64_t>& slot_row) {
  Writer w;
  w.values(r.summaries);
  w.values(r.status);
  w.values(r.failed_at);
  w.values(r.failed_value);
  w.strings(r.failed_variable);
  w.strings(r.reason);
  w.values(r.traces);
  w.values(slot_row);
  return w.take();
}

ChunkResults chunk_from_bytes(const std::string& bytes, std::vector<std::int64_t>& slot_row) {
  Reader rd(bytes);
  ChunkResults r;
  r.summaries = rd.values<double>();
  r.status = rd.values<std::int32_t>();
  r.failed_at = rd.values<double>();
  r.failed_value = rd.values<double>();
  r.failed_variable = rd.strings();
  r.reason = rd.strings();
  r.traces = rd.values<double>();
  slot_row = rd.values<std::int64_t>();
  rd.finish();
  return r;
}

std::string variants_to_bytes(const std::vector<std::uint64_t>& v) {
  Writer w;
  w.values(v);
  return w.take();
}

std::vector<std::uint64_t> variants_from_bytes(const std::string& bytes) {
  Reader rd(bytes);
  std::vector<std::uint64_t> v = rd.values<std::uint64_t>();
  rd.finish();
  return v;
}

}  // namespace glia::sweep
