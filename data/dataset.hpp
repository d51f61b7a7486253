#pragma once
// The on-disk form of the long-sequence data sets (docs/data.md) and their loader.
//
// A data set is a directory: `manifest.json` (task, generator version, seed, every generation parameter,
// vocabulary, classes, pad width, and per split its shards with example counts and checksums) and HDF5
// shards `<split>-00000.h5`, each holding `tokens` (n, max_length) in the smallest integer type that holds
// the vocabulary (padding positions hold 0), `lengths` (n) int32, `labels` (n) int32 and, for some tasks,
// per-example float32 arrays ("extras", e.g. Pathfinder's marker and snake end points). A shard's checksum
// is the 64-bit FNV-1a of the little-endian bytes of tokens, lengths, labels and the extras, in that order.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

namespace glia::data {

inline constexpr const char* kFormat = "glia-dataset-1";
inline constexpr std::array<const char*, 3> kSplitNames = {"train", "val", "test"};

// ---- tokens ------------------------------------------------------------------------------------------

enum class TokenType { u8, i16, i32 };
// The smallest type that holds ids in [0, vocab_size).
TokenType token_type_for(std::int64_t vocab_size);
const char* token_type_name(TokenType t);  // "uint8", "int16", "int32"
std::size_t token_type_size(TokenType t);  // bytes per id

// A row-major matrix of token ids (rows x width) held in its storage type.
class TokenMatrix {
 public:
  TokenMatrix() = default;
  TokenMatrix(TokenType type, std::int64_t rows, std::int64_t width);
  TokenType type() const { return type_; }
  std::int64_t rows() const { return rows_; }
  std::int64_t width() const { return width_; }
  std::int32_t get(std::int64_t row, std::int64_t col) const;
  void set(std::int64_t row, std::int64_t col, std::int32_t value);
  // Copies `n` ids of a row (from column 0) to `out`.
  void copy_row(std::int64_t row, std::int64_t n, std::int32_t* out) const;
  const void* bytes() const;
  void* bytes();
  std::size_t byte_size() const;
  using Storage =
      std::variant<std::vector<std::uint8_t>, std::vector<std::int16_t>, std::vector<std::int32_t>>;
  const Storage& storage() const { return data_; }
  Storage& storage() { return data_; }

 private:
  TokenType type_ = TokenType::u8;
  std::int64_t rows_ = 0;
  std::int64_t width_ = 0;
  Storage data_;
};

// ---- shards --------------------------------------------------------------------------------------------

// A per-example float32 array stored beside the tokens (e.g. Pathfinder's "endpoints", width 8).
struct ExtraSpec {
  std::string name;
  std::int64_t width = 0;
};

struct ShardContent {
  TokenMatrix tokens;
  std::vector<std::int32_t> lengths;
  std::vector<std::int32_t> labels;
  std::vector<std::vector<float>> extras;  // one per ExtraSpec of the manifest, rows * width values each
  // What the generator records about the shard in the manifest (ListOps: the candidate range it used).
  nlohmann::json info = nlohmann::json::object();
  std::int64_t size() const { return static_cast<std::int64_t>(labels.size()); }
  std::size_t byte_size() const;
};

inline constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ull;
std::uint64_t fnv1a64(const void* data, std::size_t n, std::uint64_t hash = kFnvOffset);
std::uint64_t shard_checksum(const ShardContent& c);
std::string checksum_text(std::uint64_t checksum);  // 16 lower-case hex digits

// ---- manifest ------------------------------------------------------------------------------------------

struct ShardEntry {
  std::string file;  // relative to the data set directory
  std::int64_t examples = 0;
  std::uint64_t checksum = 0;
  nlohmann::json info = nlohmann::json::object();
};

struct SplitEntry {
  std::int64_t size = 0;
  std::vector<ShardEntry> shards;
  nlohmann::json statistics = nlohmann::json::object();
};

struct Manifest {
  std::string task;
  std::string generator_version;
  std::uint64_t seed = 0;
  // Every parameter that determines the files: split sizes, shard size and the task's own (lengths,
  // source directory, ...). A resumed generation must match them all.
  nlohmann::json parameters = nlohmann::json::object();
  std::int64_t vocab_size = 0;
  std::int64_t num_classes = 0;
  std::int64_t max_length = 0;
  std::int64_t shard_size = 0;
  TokenType token_type = TokenType::u8;
  std::vector<ExtraSpec> extras;
  nlohmann::json token_map = nlohmann::json::object();  // what the ids mean, for people
  std::map<std::string, SplitEntry> splits;
  nlohmann::json statistics = nlohmann::json::object();
  bool complete = false;  // false while generation is in progress
  std::string glia_version, git_commit, created;
};

std::string manifest_path(const std::string& dir);
std::string shard_file_name(const std::string& split, std::int64_t index);
std::string join_path(const std::string& dir, const std::string& file);

nlohmann::json manifest_to_json(const Manifest& m);
// ConfigError naming the manifest file and the field for a missing file, bad JSON or a bad field.
Manifest read_manifest(const std::string& dir);
// Writes manifest.json atomically (temporary file, then rename), stamping version, commit and time.
void write_manifest(const std::string& dir, Manifest m);

// Writes a shard atomically with glia's provenance attributes (Hdf5Writer).
void write_shard(const std::string& path, const Manifest& m, const std::string& split,
                 std::int64_t shard_index, std::int64_t first_example, const ShardContent& c);

// Reads a whole shard: ConfigError if the file is missing; RuntimeError naming the file if it is not a
// readable HDF5 file, a dataset's shape or type differs from the manifest's, or the checksum differs from
// `entry.checksum` (corrupt).
ShardContent read_shard(const std::string& dir, const Manifest& m, const ShardEntry& entry);

// ---- loader ----------------------------------------------------------------------------------------------

struct DatasetInfo {
  std::string task;             // "listops", "pathfinder32", "sfashion_mnist", "text", "retrieval"
  std::string split;            // "train", "val", "test"
  std::int64_t size = 0;        // examples in this split
  std::int64_t vocab_size = 0;  // token ids are in [0, vocab_size)
  std::int64_t num_classes = 0;
  std::int64_t max_length = 0;  // longest sequence (tokens per row on disk)
  bool pair = false;            // each row holds two sequences of max_length / 2 side by side (retrieval)
  std::string generator_version;
  std::uint64_t seed = 0;
  std::string manifest_path;
};

// One split of a data set. Shards are read when first needed, their checksum verified then, and kept in
// an LRU cache bounded in bytes (default 256 MiB, at least one shard). Lengths of every example are read
// at open. All methods may be called from several threads (the cache is guarded by a mutex).
class Dataset {
 public:
  // Opens a split: ConfigError naming the file for a missing directory, manifest or shard, a bad manifest
  // field, an unfinished generation or an unknown split; RuntimeError naming the shard file when a shard's
  // shape does not match the manifest (its checksum is verified when it is first read).
  static Dataset open(const std::string& dir, const std::string& split);

  Dataset(Dataset&&) noexcept;
  Dataset& operator=(Dataset&&) noexcept;
  ~Dataset();

  const DatasetInfo& info() const;
  std::int64_t size() const;

  // Copies example `index` (0 <= index < size) into row `row` of a batch: tokens (B, L) int32 row-major with
  // L >= the example's length (positions >= length get 0), mask (B, L) uint8 (1 for real positions), labels
  // (B) int32. The caller passes pointers to the row. ConfigError if the example is longer than L (naming
  // the index, its length and L) or the index is out of range; RuntimeError naming the shard when its
  // checksum does not match the manifest.
  void read(std::int64_t index, std::int32_t* tokens_row, std::uint8_t* mask_row, std::int64_t L,
            std::int32_t* label) const;
  std::int64_t length(std::int64_t index) const;
  std::int32_t label(std::int64_t index) const;

  // Bound on the bytes of cached shards (at least one shard is always kept).
  void set_cache_bytes(std::size_t bytes);
  const Manifest& manifest() const;

 private:
  struct Impl;
  explicit Dataset(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace glia::data
