#include "data/generate.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>

#include "data/fashion_mnist.hpp"
#include "data/listops.hpp"
#include "data/pathfinder.hpp"
#include "data/sotu_retrieval.hpp"
#include "data/spam_text.hpp"
#include "engine/core/error.hpp"
#include "engine/io/json_reader.hpp"

namespace glia::data {

void Task::skip(const std::string&, std::int64_t, const ShardContent&) {}

nlohmann::json Task::statistics(const Manifest&) const { return nlohmann::json::object(); }

const std::vector<std::string>& task_names() {
  static const std::vector<std::string> names{"listops", "pathfinder32", "sfashion_mnist", "text",
                                              "retrieval"};
  return names;
}

std::unique_ptr<Task> make_task(const GenerateOptions& o) {
  if (o.task == "listops") return listops::make_task(o);
  if (o.task == "pathfinder32") return pathfinder::make_task(o);
  if (o.task == "sfashion_mnist") return fashion::make_task(o);
  if (o.task == "text") return spam::make_task(o);
  if (o.task == "retrieval") return sotu::make_task(o);
  std::string known;
  for (const auto& n : task_names()) known += (known.empty() ? "" : ", ") + n;
  throw ConfigError("TASK", "\"" + o.task + "\"", "unknown task (known: " + known + ")");
}

std::unique_ptr<Task> make_task(const Manifest& m, const std::optional<std::string>& source) {
  if (m.task == "listops") return listops::make_task(m);
  if (m.task == "pathfinder32") return pathfinder::make_task(m);
  if (m.task == "sfashion_mnist") return fashion::make_task(m, source);
  if (m.task == "text") return spam::make_task(m, source);
  if (m.task == "retrieval") return sotu::make_task(m, source);
  throw ConfigError("task", "\"" + m.task + "\"", "unknown task in the manifest");
}

void check_generator_version(const Manifest& m, const std::string& version) {
  if (m.generator_version != version)
    throw ConfigError("manifest", "generator_version = " + m.generator_version,
                      "this glia checks " + version);
}

void adopt_manifest_of_same_source(Task& rebuilt, const Manifest& m, const std::string& dir) {
  const nlohmann::json& now = rebuilt.base().parameters["source_checksum"];
  if (!m.parameters.contains("source_checksum") || now != m.parameters["source_checksum"])
    throw ConfigError(
        "--source", "\"" + dir + "\"",
        "its files differ from those the data set was made from (checksum " + io::json_text(now) +
            ", manifest " +
            (m.parameters.contains("source_checksum") ? io::json_text(m.parameters["source_checksum"])
                                                      : std::string("none")) +
            ")");
  rebuilt.mutable_base() = m;
}

void set_sizes(Manifest& m, const GenerateOptions& o, std::int64_t train, std::int64_t val, std::int64_t test,
               std::int64_t shard_size) {
  constexpr std::int64_t kMaxSize = std::int64_t{1} << 31;
  const std::int64_t sizes[3] = {o.train.value_or(train), o.val.value_or(val), o.test.value_or(test)};
  for (int k = 0; k < 3; ++k) {
    const std::string option = std::string("--") + kSplitNames[static_cast<std::size_t>(k)];
    if (sizes[k] < 0 || sizes[k] > kMaxSize)
      throw ConfigError(option, std::to_string(sizes[k]), "must be in [0, 2^31]");
  }
  if (sizes[0] + sizes[1] + sizes[2] == 0) throw ConfigError("--train", "0", "all three splits are empty");
  m.shard_size = o.shard_size.value_or(shard_size);
  if (m.shard_size < 1 || m.shard_size > kMaxSize)
    throw ConfigError("--shard-size", std::to_string(m.shard_size), "must be in [1, 2^31]");
  for (int k = 0; k < 3; ++k) {
    const char* name = kSplitNames[static_cast<std::size_t>(k)];
    m.parameters[name] = sizes[k];
    m.splits[name].size = sizes[k];
  }
  m.parameters["shard_size"] = m.shard_size;
}

nlohmann::json split_statistics(const std::vector<std::int32_t>& lengths,
                                const std::vector<std::int32_t>& labels, std::int64_t num_classes) {
  nlohmann::json s;
  std::vector<std::int64_t> counts(static_cast<std::size_t>(num_classes), 0);
  for (std::int32_t y : labels)
    if (y >= 0 && y < num_classes) ++counts[static_cast<std::size_t>(y)];
  s["examples"] = labels.size();
  s["label_counts"] = counts;
  std::vector<double> shares;
  for (auto c : counts)
    shares.push_back(labels.empty() ? 0.0 : static_cast<double>(c) / static_cast<double>(labels.size()));
  s["label_shares"] = shares;
  if (!lengths.empty()) {
    std::vector<std::int32_t> sorted = lengths;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = sorted.size();
    double sum = 0;
    for (auto v : sorted) sum += v;
    s["length"] = {
        {"min", sorted.front()},
        {"median", n % 2 ? static_cast<double>(sorted[n / 2]) : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2])},
        {"mean", sum / static_cast<double>(n)},
        {"max", sorted.back()}};
  }
  return s;
}

namespace {

std::string text(const nlohmann::json& v) { return io::json_text(v); }

// An existing manifest in `dir` must describe the same data set as the one requested.
void require_same(const Manifest& old, const Manifest& now, const std::string& dir) {
  auto differ = [&](const std::string& field, const std::string& then, const std::string& requested) {
    throw ConfigError(field, requested,
                      "differs from the data set already in " + dir + " (" + then +
                          "); use another --out directory or remove that one");
  };
  if (old.task != now.task) differ("TASK", "\"" + old.task + "\"", "\"" + now.task + "\"");
  if (old.generator_version != now.generator_version)
    differ("generator_version", old.generator_version, now.generator_version);
  if (old.seed != now.seed) differ("--seed", std::to_string(old.seed), std::to_string(now.seed));
  for (const auto& [key, value] : now.parameters.items()) {
    const std::string option = "--" + [&] {
      std::string k = key;
      std::replace(k.begin(), k.end(), '_', '-');
      return k;
    }();
    if (!old.parameters.contains(key)) differ(option, "not set", text(value));
    if (old.parameters[key] != value) differ(option, text(old.parameters[key]), text(value));
  }
  for (const auto& [key, value] : old.parameters.items())
    if (!now.parameters.contains(key)) differ(key, text(value), "not set");
  if (old.vocab_size != now.vocab_size || old.num_classes != now.num_classes ||
      old.max_length != now.max_length || old.token_type != now.token_type ||
      old.extras.size() != now.extras.size())
    differ("manifest", "another layout", "this generator's layout");
}

void make_directory(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec))
    throw ConfigError("--out", "\"" + dir + "\"", "exists and is not a directory");
  std::filesystem::create_directories(dir, ec);
  if (ec) throw ConfigError("--out", "\"" + dir + "\"", "cannot create directory: " + ec.message());
}

// Checks that hold for every task: lengths, token range, zero padding, label range.
void verify_generic(const Manifest& m, const ShardContent& c, std::int64_t first, const std::string& path) {
  for (std::int64_t i = 0; i < c.size(); ++i) {
    const auto where = [&] {
      return "shard " + path + ": example " + std::to_string(i) + " (index " + std::to_string(first + i) +
             ")";
    };
    const std::int32_t len = c.lengths[static_cast<std::size_t>(i)];
    if (len < 1 || len > m.max_length)
      throw RuntimeError(where() + ": length " + std::to_string(len) + " out of range");
    for (std::int64_t t = 0; t < m.max_length; ++t) {
      const std::int32_t v = c.tokens.get(i, t);
      if (t < len && (v < 0 || v >= m.vocab_size))
        throw RuntimeError(where() + ": token " + std::to_string(v) + " at " + std::to_string(t) +
                           " outside [0, " + std::to_string(m.vocab_size) + ")");
      if (t >= len && v != 0)
        throw RuntimeError(where() + ": padding position " + std::to_string(t) + " holds " +
                           std::to_string(v));
    }
    const std::int32_t y = c.labels[static_cast<std::size_t>(i)];
    if (y < 0 || y >= m.num_classes)
      throw RuntimeError(where() + ": label " + std::to_string(y) + " out of range");
  }
}

}  // namespace

GenerateReport generate_dataset(Task& task, const std::string& dir,
                                const std::function<void(std::int64_t, std::int64_t)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  make_directory(dir);
  std::optional<Manifest> old;
  if (std::filesystem::exists(manifest_path(dir))) {
    old = read_manifest(dir);
    require_same(*old, task.base(), dir);
  }
  GenerateReport report;
  Manifest m = task.base();
  m.complete = false;
  for (auto& [name, s] : m.splits) {
    s.shards.clear();
    s.statistics = nlohmann::json::object();
  }
  std::int64_t total = 0, done = 0;
  for (const auto& [name, s] : m.splits) total += s.size;
  std::vector<std::int32_t> all_lengths, all_labels;

  for (const char* split : kSplitNames) {
    SplitEntry& s = m.splits.at(split);
    std::vector<std::int32_t> lengths, labels;
    for (std::int64_t k = 0, first = 0; first < s.size; ++k, first += m.shard_size) {
      const std::int64_t count = std::min(m.shard_size, s.size - first);
      const std::string file = shard_file_name(split, k);
      std::optional<ShardContent> content;
      ShardEntry entry;
      const ShardEntry* previous = nullptr;
      if (old && old->splits.count(split) &&
          static_cast<std::size_t>(k) < old->splits.at(split).shards.size())
        previous = &old->splits.at(split).shards[static_cast<std::size_t>(k)];
      if (previous && previous->file == file && previous->examples == count &&
          std::filesystem::exists(join_path(dir, file))) {
        try {
          content = read_shard(dir, m, *previous);
          entry = *previous;
          task.skip(split, first, *content);
          ++report.shards_kept;
        } catch (const std::exception&) {
          content.reset();
          report.replaced.push_back(join_path(dir, file));
        }
      }
      if (!content) {
        content = task.generate(split, first, count, [&](std::int64_t n) {
          if (progress) progress(done + n, total);
        });
        entry = ShardEntry{file, count, shard_checksum(*content), content->info};
        write_shard(join_path(dir, file), m, split, k, first, *content);
        ++report.shards_written;
        report.examples_written += count;
      }
      lengths.insert(lengths.end(), content->lengths.begin(), content->lengths.end());
      labels.insert(labels.end(), content->labels.begin(), content->labels.end());
      s.shards.push_back(std::move(entry));
      done += count;
      write_manifest(dir, m);
      if (progress) progress(done, total);
    }
    s.statistics = split_statistics(lengths, labels, m.num_classes);
    all_lengths.insert(all_lengths.end(), lengths.begin(), lengths.end());
    all_labels.insert(all_labels.end(), labels.begin(), labels.end());
  }
  m.statistics = split_statistics(all_lengths, all_labels, m.num_classes);
  const nlohmann::json task_statistics = task.statistics(m);
  for (const auto& [key, value] : task_statistics.items()) m.statistics[key] = value;
  m.complete = true;
  write_manifest(dir, m);
  report.manifest = read_manifest(dir);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

CheckReport check_dataset(const std::string& dir, const std::optional<std::string>& source,
                          const std::function<void(std::int64_t, std::int64_t)>& progress) {
  CheckReport report;
  report.manifest = read_manifest(dir);
  const Manifest& m = report.manifest;
  if (!m.complete)
    throw ConfigError(
        "manifest", "\"" + manifest_path(dir) + "\"",
        "generation has not finished (run the same glia data generate command again to resume)");
  const auto task = make_task(m, source);
  std::int64_t total = 0;
  for (const auto& [name, s] : m.splits) total += s.size;
  for (const char* split : kSplitNames) {
    if (!m.splits.count(split)) continue;
    const SplitEntry& s = m.splits.at(split);
    std::int64_t first = 0;
    for (const ShardEntry& entry : s.shards) {
      const std::string path = join_path(dir, entry.file);
      const ShardContent c = read_shard(dir, m, entry);
      verify_generic(m, c, first, path);
      task->verify(split, first, c, path);
      first += entry.examples;
      ++report.shards;
      report.examples += entry.examples;
      if (progress) progress(report.examples, total);
    }
    if (first != s.size)
      throw ConfigError("manifest", "\"" + manifest_path(dir) + "\"",
                        std::string("split ") + split + ": shards hold " + std::to_string(first) +
                            " examples, size says " + std::to_string(s.size));
  }
  return report;
}

}  // namespace glia::data
