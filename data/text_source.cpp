#include "data/text_source.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "data/random.hpp"
#include "engine/core/error.hpp"
#include "engine/io/json_reader.hpp"

namespace glia::data::text {

namespace fs = std::filesystem;

std::vector<std::string> list_files(const std::string& dir, const std::string& suffix,
                                    const std::string& option) {
  const std::string fetch = "; fetch the sources with `bash scripts/fetch-text-data.sh` or pass " + option;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw ConfigError(option, "\"" + dir + "\"", "not a directory" + fetch);
  std::vector<std::string> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 && it->is_regular_file(ec))
      files.push_back(it->path().string());
  }
  if (ec) throw ConfigError(option, "\"" + dir + "\"", "cannot list: " + ec.message());
  if (files.empty()) throw ConfigError(option, "\"" + dir + "\"", "holds no *" + suffix + " file" + fetch);
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ConfigError("source file", "\"" + path + "\"", std::string("cannot open: ") + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw ConfigError("source file", "\"" + path + "\"", "read error");
  return bytes;
}

std::vector<std::int64_t> permutation(std::int64_t n, std::uint64_t seed, std::uint32_t stream) {
  std::vector<std::int64_t> p(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) p[static_cast<std::size_t>(i)] = i;
  PhiloxSequence rng(seed, 0, stream);
  for (std::int64_t i = n - 1; i > 0; --i)
    std::swap(p[static_cast<std::size_t>(i)], p[static_cast<std::size_t>(rng.below(i + 1))]);
  return p;
}

RecordedSource recorded_source(const nlohmann::json& parameters, const std::string& length_key,
                               const std::optional<std::string>& source) {
  RecordedSource r;
  try {
    io::JsonObjectReader p(parameters, "parameters");
    r.dir = p.string("source");
    r.bytes = p.integer(length_key);
    p.string("source_checksum");
  } catch (const ConfigError& e) {
    throw ConfigError("manifest", "", e.what());
  }
  if (r.bytes < 1 || r.bytes > (std::int64_t{1} << 20))
    throw ConfigError("manifest.parameters." + length_key, std::to_string(r.bytes), "must be in [1, 2^20]");
  if (source) r.dir = *source;
  return r;
}

std::string base_name(const std::string& path) { return fs::path(path).filename().string(); }

}  // namespace glia::data::text
