#pragma once
// Byte-level text tasks read their source texts from the npm packages that scripts/fetch-text-data.sh unpacks
// (docs/data.md): helpers shared by the text and retrieval generators — listing and reading the files, the
// byte → token map and a seeded permutation.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace glia::data::text {

// Token of a byte: 1 + its value (1 … 256); 0 is padding. Vocabulary 257.
inline constexpr std::int64_t kByteVocab = 257;
inline std::int32_t byte_token(unsigned char b) { return static_cast<std::int32_t>(b) + 1; }

// Where scripts/fetch-text-data.sh puts the packages' data directories (relative to the working directory).
inline constexpr const char* kSourceRoot = "data/sources";

// Regular files in `dir` whose names end in `suffix`, sorted by name (full paths). ConfigError naming
// `option` and the directory when it is missing or holds no such file, with how to fetch it.
std::vector<std::string> list_files(const std::string& dir, const std::string& suffix,
                                    const std::string& option);

// The whole file; ConfigError naming it when it cannot be read.
std::string read_file_bytes(const std::string& path);

// A permutation of [0, n) drawn by Fisher–Yates from Philox (seed, stream): the same on every machine.
std::vector<std::int64_t> permutation(std::int64_t n, std::uint64_t seed, std::uint32_t stream);

// A text task's source directory and byte length as its manifest records them (`length_key`), the directory
// replaced by `source` when given; ConfigError naming the manifest for a missing or bad entry.
struct RecordedSource {
  std::string dir;
  std::int64_t bytes = 0;
};
RecordedSource recorded_source(const nlohmann::json& parameters, const std::string& length_key,
                               const std::optional<std::string>& source);

// The name of a path's last component.
std::string base_name(const std::string& path);

}  // namespace glia::data::text
