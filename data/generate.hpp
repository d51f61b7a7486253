#pragma once
// Generating a data set (sharded, resumable) and checking one (checksums, every label re-derived).
// The tasks (ListOps, Pathfinder-32, sFashion-MNIST) implement `Task`; docs/data.md describes them.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/dataset.hpp"

namespace glia::data {

// What `glia data generate` was given; unset options take the task's defaults. Options a task does not
// use are a ConfigError naming the option.
struct GenerateOptions {
  std::string task;  // "listops", "pathfinder32", "sfashion_mnist"
  std::optional<std::uint64_t> seed;
  std::optional<std::int64_t> train, val, test;
  std::optional<std::int64_t> shard_size;
  std::optional<std::int64_t> min_length, max_length;  // listops
  std::optional<std::int64_t> contour_length;          // pathfinder32: paddles per target snake (14)
  std::optional<std::string> source;                   // sfashion_mnist: directory of the IDX files
};

using ProgressFn = std::function<void(std::int64_t done)>;

// One task's generator and verifier. Shards are generated strictly in order: the train shards, then val,
// then test, each split's in ascending order; a shard that is already complete on disk is passed to skip()
// instead, so that a generator with state across shards (ListOps' de-duplication) can rebuild it.
class Task {
 public:
  virtual ~Task() = default;
  // The manifest without shards: task, version, seed, parameters, vocabulary, split sizes.
  const Manifest& base() const { return base_; }
  Manifest& mutable_base() { return base_; }
  // Examples [first, first + count) of `split`; calls progress(examples done so far) now and then.
  virtual ShardContent generate(const std::string& split, std::int64_t first, std::int64_t count,
                                const ProgressFn& progress) = 0;
  virtual void skip(const std::string& split, std::int64_t first, const ShardContent& existing);
  // Statistics of the whole data set that only the task knows (ListOps: fraction of sampled trees kept).
  virtual nlohmann::json statistics(const Manifest& m) const;
  // Re-derives every label of a shard (and what else the task can check) and throws RuntimeError naming
  // `shard_path` and the example on a mismatch. Called for every shard in generation order, so a task may
  // keep state across shards (ListOps checks that no example repeats).
  virtual void verify(const std::string& split, std::int64_t first, const ShardContent& c,
                      const std::string& shard_path) = 0;

 protected:
  Manifest base_;
};

const std::vector<std::string>& task_names();
// ConfigError naming the option for an unknown task, a bad value or an option the task does not take.
std::unique_ptr<Task> make_task(const GenerateOptions& options);
// The task that generated `m`, for checking (`source` overrides sfashion_mnist's source directory).
std::unique_ptr<Task> make_task(const Manifest& m, const std::optional<std::string>& source = std::nullopt);

// Tasks made from source files (sfashion_mnist, text, retrieval), when a data set is checked: the manifest
// must come from this generator version (ConfigError naming it), and `rebuilt` — the task made again from
// `dir` — must have read the same files as the manifest records (parameters.source_checksum; ConfigError
// naming --source); then `rebuilt` takes the manifest as its base.
void check_generator_version(const Manifest& m, const std::string& version);
void adopt_manifest_of_same_source(Task& rebuilt, const Manifest& m, const std::string& dir);

// Split sizes and shard size from the options (defaults given) into a base manifest's parameters and splits.
void set_sizes(Manifest& m, const GenerateOptions& o, std::int64_t train, std::int64_t val, std::int64_t test,
               std::int64_t shard_size);

struct GenerateReport {
  Manifest manifest;
  std::int64_t shards_written = 0;
  std::int64_t shards_kept = 0;  // already complete on disk with the right checksum
  std::int64_t examples_written = 0;
  std::vector<std::string> replaced;  // shards that existed but were corrupt or unreadable
  double seconds = 0;
};

// Generates (or completes) the data set in `dir`. An existing manifest must have been written for the same
// task, seed and parameters (ConfigError naming the first field that differs); complete shards are kept.
// progress(done, total) counts examples.
GenerateReport generate_dataset(Task& task, const std::string& dir,
                                const std::function<void(std::int64_t, std::int64_t)>& progress = {});

struct CheckReport {
  Manifest manifest;
  std::int64_t shards = 0;
  std::int64_t examples = 0;
};

// Verifies every shard's shape and checksum and re-derives every label: RuntimeError naming the shard on
// corruption, ConfigError for a missing directory, manifest or shard.
CheckReport check_dataset(const std::string& dir, const std::optional<std::string>& source = std::nullopt,
                          const std::function<void(std::int64_t, std::int64_t)>& progress = {});

// Generic per-split statistics: label counts and shares, sequence length min / median / mean / max.
nlohmann::json split_statistics(const std::vector<std::int32_t>& lengths,
                                const std::vector<std::int32_t>& labels, std::int64_t num_classes);

}  // namespace glia::data
