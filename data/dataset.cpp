#include "data/dataset.hpp"

#include <hdf5.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <list>
#include <mutex>
#include <sstream>

#include "engine/core/error.hpp"
#include "engine/core/version.hpp"
#include "engine/io/hdf5_util.hpp"
#include "engine/io/hdf5_writer.hpp"
#include "engine/io/json_reader.hpp"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "glia data sets checksum the in-memory bytes and assume a little-endian host"
#endif

namespace glia::data {

// ---- tokens ------------------------------------------------------------------------------------------

TokenType token_type_for(std::int64_t vocab_size) {
  if (vocab_size <= 256) return TokenType::u8;
  if (vocab_size <= 32768) return TokenType::i16;
  return TokenType::i32;
}

std::size_t token_type_size(TokenType t) {
  switch (t) {
    case TokenType::u8:
      return 1;
    case TokenType::i16:
      return 2;
    case TokenType::i32:
      return 4;
  }
  return 0;
}

const char* token_type_name(TokenType t) {
  switch (t) {
    case TokenType::u8:
      return "uint8";
    case TokenType::i16:
      return "int16";
    case TokenType::i32:
      return "int32";
  }
  return "?";
}

TokenMatrix::TokenMatrix(TokenType type, std::int64_t rows, std::int64_t width)
    : type_(type), rows_(rows), width_(width) {
  const auto n = static_cast<std::size_t>(rows * width);
  switch (type) {
    case TokenType::u8:
      data_ = std::vector<std::uint8_t>(n, 0);
      break;
    case TokenType::i16:
      data_ = std::vector<std::int16_t>(n, 0);
      break;
    case TokenType::i32:
      data_ = std::vector<std::int32_t>(n, 0);
      break;
  }
}

std::int32_t TokenMatrix::get(std::int64_t row, std::int64_t col) const {
  const auto i = static_cast<std::size_t>(row * width_ + col);
  return std::visit([i](const auto& v) { return static_cast<std::int32_t>(v[i]); }, data_);
}

void TokenMatrix::set(std::int64_t row, std::int64_t col, std::int32_t value) {
  const auto i = static_cast<std::size_t>(row * width_ + col);
  std::visit(
      [i, value](auto& v) { v[i] = static_cast<typename std::decay_t<decltype(v)>::value_type>(value); },
      data_);
}

void TokenMatrix::copy_row(std::int64_t row, std::int64_t n, std::int32_t* out) const {
  const auto first = static_cast<std::size_t>(row * width_);
  std::visit(
      [&](const auto& v) {
        for (std::int64_t k = 0; k < n; ++k)
          out[k] = static_cast<std::int32_t>(v[first + static_cast<std::size_t>(k)]);
      },
      data_);
}

const void* TokenMatrix::bytes() const {
  return std::visit([](const auto& v) { return static_cast<const void*>(v.data()); }, data_);
}

void* TokenMatrix::bytes() {
  return std::visit([](auto& v) { return static_cast<void*>(v.data()); }, data_);
}

std::size_t TokenMatrix::byte_size() const {
  return std::visit([](const auto& v) { return v.size() * sizeof(v[0]); }, data_);
}

std::size_t ShardContent::byte_size() const {
  std::size_t n = tokens.byte_size() + (lengths.size() + labels.size()) * sizeof(std::int32_t);
  for (const auto& e : extras) n += e.size() * sizeof(float);
  return n;
}

// ---- checksums ---------------------------------------------------------------------------------------

std::uint64_t fnv1a64(const void* data, std::size_t n, std::uint64_t hash) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) {
    hash ^= p[i];
    hash *= 0x100000001b3ull;
  }
  return hash;
}

std::uint64_t shard_checksum(const ShardContent& c) {
  std::uint64_t h = fnv1a64(c.tokens.bytes(), c.tokens.byte_size());
  h = fnv1a64(c.lengths.data(), c.lengths.size() * sizeof(std::int32_t), h);
  h = fnv1a64(c.labels.data(), c.labels.size() * sizeof(std::int32_t), h);
  for (const auto& e : c.extras) h = fnv1a64(e.data(), e.size() * sizeof(float), h);
  return h;
}

std::string checksum_text(std::uint64_t checksum) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(checksum));
  return buf;
}

namespace {

std::uint64_t parse_checksum(const std::string& text, const std::string& field) {
  if (text.size() != 16 || text.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw ConfigError(field, "\"" + text + "\"", "expected 16 lower-case hex digits");
  return std::stoull(text, nullptr, 16);
}

bool is_directory(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

// ---- manifest ------------------------------------------------------------------------------------------

std::string join_path(const std::string& dir, const std::string& file) {
  if (dir.empty()) return file;
  return dir.back() == '/' ? dir + file : dir + "/" + file;
}

std::string manifest_path(const std::string& dir) { return join_path(dir, "manifest.json"); }

std::string shard_file_name(const std::string& split, std::int64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "-%05lld.h5", static_cast<long long>(index));
  return split + buf;
}

nlohmann::json manifest_to_json(const Manifest& m) {
  nlohmann::json j;
  j["format"] = kFormat;
  j["task"] = m.task;
  j["generator_version"] = m.generator_version;
  j["seed"] = m.seed;
  j["parameters"] = m.parameters;
  j["vocab_size"] = m.vocab_size;
  j["num_classes"] = m.num_classes;
  j["max_length"] = m.max_length;
  j["shard_size"] = m.shard_size;
  j["token_dtype"] = token_type_name(m.token_type);
  j["token_map"] = m.token_map;
  j["extras"] = nlohmann::json::array();
  for (const auto& e : m.extras)
    j["extras"].push_back({{"name", e.name}, {"width", e.width}, {"dtype", "float32"}});
  j["splits"] = nlohmann::json::object();
  for (const auto& [name, s] : m.splits) {
    nlohmann::json shards = nlohmann::json::array();
    for (const auto& sh : s.shards)
      shards.push_back({{"file", sh.file},
                        {"examples", sh.examples},
                        {"checksum", checksum_text(sh.checksum)},
                        {"info", sh.info}});
    j["splits"][name] = {{"size", s.size}, {"shards", shards}, {"statistics", s.statistics}};
  }
  j["statistics"] = m.statistics;
  j["complete"] = m.complete;
  j["checksum"] = "fnv1a64 over the little-endian bytes of tokens, lengths, labels, then each extra";
  j["glia_version"] = m.glia_version;
  j["git_commit"] = m.git_commit;
  j["created"] = m.created;
  return j;
}

namespace {

Manifest manifest_from_json(const nlohmann::json& j) {
  using io::JsonObjectReader;
  JsonObjectReader r(j, "");
  Manifest m;
  const std::string format = r.string("format");
  if (format != kFormat)
    throw ConfigError("format", "\"" + format + "\"", std::string("expected \"") + kFormat + "\"");
  m.task = r.string("task");
  m.generator_version = r.string("generator_version");
  m.seed = r.unsigned_integer("seed", 0);
  m.parameters = r.member("parameters");
  if (!m.parameters.is_object())
    throw ConfigError("parameters", io::json_text(m.parameters), "expected an object");
  m.vocab_size = r.integer("vocab_size");
  m.num_classes = r.integer("num_classes");
  m.max_length = r.integer("max_length");
  m.shard_size = r.integer("shard_size");
  if (m.vocab_size < 1) throw ConfigError("vocab_size", std::to_string(m.vocab_size), "must be positive");
  if (m.num_classes < 1) throw ConfigError("num_classes", std::to_string(m.num_classes), "must be positive");
  if (m.max_length < 1) throw ConfigError("max_length", std::to_string(m.max_length), "must be positive");
  if (m.shard_size < 1) throw ConfigError("shard_size", std::to_string(m.shard_size), "must be positive");
  const std::string dtype = r.string("token_dtype");
  m.token_type = token_type_for(m.vocab_size);
  if (dtype != token_type_name(m.token_type))
    throw ConfigError(
        "token_dtype", "\"" + dtype + "\"",
        std::string("expected \"") + token_type_name(m.token_type) + "\" for the vocabulary size");
  m.token_map = r.member("token_map");
  const auto& extras = r.array("extras");
  for (std::size_t i = 0; i < extras.size(); ++i) {
    JsonObjectReader e(extras[i], io::element_field("extras", i));
    ExtraSpec spec{e.string("name"), e.integer("width")};
    if (spec.width < 1) throw ConfigError(e.field("width"), std::to_string(spec.width), "must be positive");
    if (e.string("dtype") != "float32") throw ConfigError(e.field("dtype"), "", "expected \"float32\"");
    e.finish();
    m.extras.push_back(spec);
  }
  JsonObjectReader splits(r.member("splits"), "splits");
  for (const char* name : kSplitNames) {
    if (!splits.has(name)) continue;
    JsonObjectReader s(splits.member(name), splits.field(name));
    SplitEntry entry;
    entry.size = s.integer("size");
    if (entry.size < 0)
      throw ConfigError(s.field("size"), std::to_string(entry.size), "must not be negative");
    entry.statistics = s.member("statistics");
    const auto& shards = s.array("shards");
    for (std::size_t i = 0; i < shards.size(); ++i) {
      JsonObjectReader sh(shards[i], io::element_field(s.field("shards"), i));
      ShardEntry se;
      se.file = sh.string("file");
      if (se.file.empty() || se.file.find('/') != std::string::npos)
        throw ConfigError(sh.field("file"), "\"" + se.file + "\"",
                          "expected a file name in the data set directory");
      se.examples = sh.integer("examples");
      if (se.examples < 0)
        throw ConfigError(sh.field("examples"), std::to_string(se.examples), "must not be negative");
      se.checksum = parse_checksum(sh.string("checksum"), sh.field("checksum"));
      se.info = sh.member("info");
      sh.finish();
      entry.shards.push_back(std::move(se));
    }
    s.finish();
    m.splits[name] = std::move(entry);
  }
  splits.finish();
  m.statistics = r.member("statistics");
  m.complete = r.boolean("complete", false);
  r.string("checksum", "");
  m.glia_version = r.string("glia_version", "");
  m.git_commit = r.string("git_commit", "");
  m.created = r.string("created", "");
  r.finish();
  return m;
}

}  // namespace

Manifest read_manifest(const std::string& dir) {
  if (!is_directory(dir)) throw ConfigError("DIR", "\"" + dir + "\"", "no such data set directory");
  const std::string path = manifest_path(dir);
  std::ifstream in(path);
  if (!in)
    throw ConfigError("manifest", "\"" + path + "\"",
                      "missing: not a glia data set (or generation never started)");
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return manifest_from_json(io::parse_json(text.str(), "manifest.json"));
  } catch (const ConfigError& e) {
    throw ConfigError("manifest", "\"" + path + "\"", e.what());
  }
}

void write_manifest(const std::string& dir, Manifest m) {
  m.glia_version = version();
  m.git_commit = git_commit();
  m.created = utc_timestamp();
  const std::string path = manifest_path(dir);
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) throw RuntimeError("cannot write " + tmp + ": " + std::strerror(errno));
    out << manifest_to_json(m).dump(2) << "\n";
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw RuntimeError("cannot write " + tmp + ": " + std::strerror(errno));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw RuntimeError("cannot move " + tmp + " to " + path + ": " + why);
  }
}

// ---- shard files -----------------------------------------------------------------------------------------

void write_shard(const std::string& path, const Manifest& m, const std::string& split,
                 std::int64_t shard_index, std::int64_t first_example, const ShardContent& c) {
  const auto n = static_cast<std::uint64_t>(c.size());
  const auto width = static_cast<std::uint64_t>(c.tokens.width());
  if (c.tokens.rows() != c.size() || c.lengths.size() != c.labels.size() ||
      c.extras.size() != m.extras.size())
    throw RuntimeError("shard " + path + ": inconsistent content");
  io::Hdf5Writer w(path, "--out");
  nlohmann::json config = m.parameters;
  config["task"] = m.task;
  config["generator_version"] = m.generator_version;
  w.provenance(config.dump(), m.seed);
  w.attribute("/", "format", std::string(kFormat));
  w.attribute("/", "task", m.task);
  w.attribute("/", "split", split);
  w.attribute("/", "shard", shard_index);
  w.attribute("/", "first_example", first_example);
  w.attribute("/", "examples", c.size());
  w.attribute("/", "checksum", checksum_text(shard_checksum(c)));
  std::visit([&](const auto& v) { w.dataset("/tokens", v, {n, width}); }, c.tokens.storage());
  w.dataset("/lengths", c.lengths, {n});
  w.dataset("/labels", c.labels, {n});
  for (std::size_t k = 0; k < m.extras.size(); ++k)
    w.dataset("/" + m.extras[k].name, c.extras[k], {n, static_cast<std::uint64_t>(m.extras[k].width)});
  w.commit();
}

namespace {

using io::hdf5::Handle;

// Reads the datasets of one shard file with errors naming it.
class ShardFile {
 public:
  explicit ShardFile(std::string path) : path_(std::move(path)) {
    io::hdf5::silence();
    if (!is_file(path_)) throw ConfigError("shard", "\"" + path_ + "\"", "missing");
    if (H5Fis_hdf5(path_.c_str()) <= 0)
      throw RuntimeError("shard " + path_ + ": not an HDF5 file (corrupt?)");
    file_ = H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file_ < 0) throw RuntimeError("shard " + path_ + ": cannot open the HDF5 file (corrupt?)");
  }
  ~ShardFile() {
    if (file_ >= 0) H5Fclose(file_);
  }
  ShardFile(const ShardFile&) = delete;
  ShardFile& operator=(const ShardFile&) = delete;

  // Opens a dataset and checks its shape and element type.
  hid_t open(const std::string& name, const std::vector<hsize_t>& dims, H5T_class_t cls, std::size_t size,
             bool is_signed) const {
    if (H5Lexists(file_, name.c_str(), H5P_DEFAULT) <= 0) fail("no dataset \"" + name + "\"");
    const hid_t ds = H5Dopen2(file_, name.c_str(), H5P_DEFAULT);
    if (ds < 0) fail("cannot open dataset \"" + name + "\"");
    Handle space{H5Dget_space(ds), H5Sclose};
    Handle type{H5Dget_type(ds), H5Tclose};
    std::vector<hsize_t> got(static_cast<std::size_t>(std::max(0, H5Sget_simple_extent_ndims(space.id))));
    H5Sget_simple_extent_dims(space.id, got.data(), nullptr);
    const bool type_ok = H5Tget_class(type.id) == cls && H5Tget_size(type.id) == size &&
                         (cls != H5T_INTEGER || (H5Tget_sign(type.id) == H5T_SGN_2) == is_signed);
    if (got != dims || !type_ok) {
      H5Dclose(ds);
      std::string want = "(";
      for (std::size_t i = 0; i < dims.size(); ++i) want += (i ? ", " : "") + std::to_string(dims[i]);
      std::string have = "(";
      for (std::size_t i = 0; i < got.size(); ++i) have += (i ? ", " : "") + std::to_string(got[i]);
      fail("dataset \"" + name + "\" has shape " + have + ") of " + std::to_string(H5Tget_size(type.id)) +
           "-byte elements, the manifest says " + want + ") of " + std::to_string(size) + "-byte elements");
    }
    return ds;
  }

  // Checks a dataset's shape and type without reading it.
  void check(const std::string& name, const std::vector<hsize_t>& dims, H5T_class_t cls, std::size_t size,
             bool is_signed) const {
    H5Dclose(open(name, dims, cls, size, is_signed));
  }

  template <class T>
  void read(const std::string& name, const std::vector<hsize_t>& dims, hid_t mem_type, H5T_class_t cls,
            bool is_signed, std::vector<T>& out) const {
    Handle ds{open(name, dims, cls, sizeof(T), is_signed), H5Dclose};
    std::size_t n = 1;
    for (auto d : dims) n *= d;
    out.resize(n);
    if (n > 0 && H5Dread(ds.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
      fail("cannot read dataset \"" + name + "\" (corrupt?)");
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw RuntimeError("shard " + path_ + ": " + what);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  hid_t file_ = -1;
};

void read_tokens(const ShardFile& f, const Manifest& m, std::int64_t n, TokenMatrix& tokens) {
  const std::vector<hsize_t> dims{static_cast<hsize_t>(n), static_cast<hsize_t>(m.max_length)};
  tokens = TokenMatrix(m.token_type, n, m.max_length);
  std::visit(
      [&](auto& v) {
        using T = typename std::decay_t<decltype(v)>::value_type;
        if constexpr (std::is_same_v<T, std::uint8_t>)
          f.read("tokens", dims, H5T_NATIVE_UINT8, H5T_INTEGER, false, v);
        else if constexpr (std::is_same_v<T, std::int16_t>)
          f.read("tokens", dims, H5T_NATIVE_INT16, H5T_INTEGER, true, v);
        else
          f.read("tokens", dims, H5T_NATIVE_INT32, H5T_INTEGER, true, v);
      },
      tokens.storage());
}

void read_lengths(const ShardFile& f, std::int64_t n, std::vector<std::int32_t>& lengths) {
  f.read("lengths", {static_cast<hsize_t>(n)}, H5T_NATIVE_INT32, H5T_INTEGER, true, lengths);
}

}  // namespace

ShardContent read_shard(const std::string& dir, const Manifest& m, const ShardEntry& entry) {
  const ShardFile f(join_path(dir, entry.file));
  ShardContent c;
  const std::int64_t n = entry.examples;
  read_tokens(f, m, n, c.tokens);
  read_lengths(f, n, c.lengths);
  f.read("labels", {static_cast<hsize_t>(n)}, H5T_NATIVE_INT32, H5T_INTEGER, true, c.labels);
  for (const auto& e : m.extras) {
    c.extras.emplace_back();
    f.read(e.name, {static_cast<hsize_t>(n), static_cast<hsize_t>(e.width)}, H5T_NATIVE_FLOAT, H5T_FLOAT,
           true, c.extras.back());
  }
  const std::uint64_t sum = shard_checksum(c);
  if (sum != entry.checksum)
    f.fail("checksum " + checksum_text(sum) + " does not match the manifest's " +
           checksum_text(entry.checksum) + " (corrupt or modified; regenerate it with glia data generate)");
  c.info = entry.info;
  return c;
}

// ---- loader
// ------------------------------------------------------------------------------------------------

struct Dataset::Impl {
  DatasetInfo info;
  Manifest manifest;
  std::string dir;
  std::vector<ShardEntry> shards;
  std::vector<std::int64_t> first;  // first example of each shard, plus the total at the end
  std::vector<std::int32_t> lengths;

  mutable std::mutex mutex;
  using Cached = std::pair<std::size_t, std::shared_ptr<const ShardContent>>;
  mutable std::list<Cached> cache;  // most recently used first
  mutable std::size_t cached_bytes = 0;
  std::size_t cache_limit = std::size_t{256} << 20;

  std::size_t shard_of(std::int64_t index) const {
    if (index < 0 || index >= info.size)
      throw ConfigError(
          "index", std::to_string(index),
          "out of range for split " + info.split + " of " + std::to_string(info.size) + " examples");
    return static_cast<std::size_t>(std::upper_bound(first.begin(), first.end(), index) - first.begin() - 1);
  }

  std::shared_ptr<const ShardContent> shard(std::size_t k) const {
    std::lock_guard<std::mutex> lock(mutex);
    for (auto it = cache.begin(); it != cache.end(); ++it) {
      if (it->first == k) {
        cache.splice(cache.begin(), cache, it);
        return cache.front().second;
      }
    }
    auto content = std::make_shared<const ShardContent>(read_shard(dir, manifest, shards[k]));
    // Lengths were read at open without a checksum; the verified shard must agree.
    for (std::int64_t i = 0; i < content->size(); ++i)
      if (content->lengths[static_cast<std::size_t>(i)] != lengths[static_cast<std::size_t>(first[k] + i)])
        throw RuntimeError("shard " + join_path(dir, shards[k].file) + " changed while open");
    cache.emplace_front(k, content);
    cached_bytes += content->byte_size();
    trim();
    return content;
  }

  void trim() const {
    while (cache.size() > 1 && cached_bytes > cache_limit) {
      cached_bytes -= cache.back().second->byte_size();
      cache.pop_back();
    }
  }
};

Dataset::Dataset(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Dataset::Dataset(Dataset&&) noexcept = default;
Dataset& Dataset::operator=(Dataset&&) noexcept = default;
Dataset::~Dataset() = default;

Dataset Dataset::open(const std::string& dir, const std::string& split) {
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->manifest = read_manifest(dir);
  const Manifest& m = impl->manifest;
  const std::string mpath = manifest_path(dir);
  if (!m.complete)
    throw ConfigError(
        "manifest", "\"" + mpath + "\"",
        "generation has not finished (run the same glia data generate command again to resume)");
  const auto it = m.splits.find(split);
  if (it == m.splits.end()) {
    std::string have;
    for (const auto& [name, s] : m.splits) have += (have.empty() ? "" : ", ") + name;
    throw ConfigError("split", "\"" + split + "\"", "not in " + mpath + " (it has: " + have + ")");
  }
  const SplitEntry& s = it->second;
  impl->shards = s.shards;
  impl->first.push_back(0);
  for (const auto& sh : s.shards) impl->first.push_back(impl->first.back() + sh.examples);
  if (impl->first.back() != s.size)
    throw ConfigError("manifest", "\"" + mpath + "\"",
                      "split " + split + ": shards hold " + std::to_string(impl->first.back()) +
                          " examples, size says " + std::to_string(s.size));
  impl->lengths.reserve(static_cast<std::size_t>(s.size));
  for (const auto& sh : s.shards) {
    const ShardFile f(join_path(dir, sh.file));
    // Shapes and types of every dataset, so a truncated or foreign shard fails here, not mid-training.
    f.check("tokens", {static_cast<hsize_t>(sh.examples), static_cast<hsize_t>(m.max_length)}, H5T_INTEGER,
            token_type_size(m.token_type), m.token_type != TokenType::u8);
    f.check("labels", {static_cast<hsize_t>(sh.examples)}, H5T_INTEGER, 4, true);
    for (const auto& e : m.extras)
      f.check(e.name, {static_cast<hsize_t>(sh.examples), static_cast<hsize_t>(e.width)}, H5T_FLOAT, 4, true);
    std::vector<std::int32_t> len;
    read_lengths(f, sh.examples, len);
    for (std::int32_t v : len)
      if (v < 0 || v > m.max_length)
        f.fail("length " + std::to_string(v) + " outside [0, " + std::to_string(m.max_length) +
               "] (corrupt?)");
    impl->lengths.insert(impl->lengths.end(), len.begin(), len.end());
  }
  DatasetInfo& info = impl->info;
  info.task = m.task;
  info.split = split;
  info.size = s.size;
  info.vocab_size = m.vocab_size;
  info.num_classes = m.num_classes;
  info.max_length = m.max_length;
  info.pair =
      m.parameters.contains("pair") && m.parameters["pair"].is_boolean() && m.parameters["pair"].get<bool>();
  info.generator_version = m.generator_version;
  info.seed = m.seed;
  info.manifest_path = mpath;
  return Dataset(std::move(impl));
}

const DatasetInfo& Dataset::info() const { return impl_->info; }
std::int64_t Dataset::size() const { return impl_->info.size; }
const Manifest& Dataset::manifest() const { return impl_->manifest; }

std::int64_t Dataset::length(std::int64_t index) const {
  impl_->shard_of(index);
  return impl_->lengths[static_cast<std::size_t>(index)];
}

std::int32_t Dataset::label(std::int64_t index) const {
  const std::size_t k = impl_->shard_of(index);
  const auto shard = impl_->shard(k);
  return shard->labels[static_cast<std::size_t>(index - impl_->first[k])];
}

void Dataset::read(std::int64_t index, std::int32_t* tokens_row, std::uint8_t* mask_row, std::int64_t L,
                   std::int32_t* label) const {
  const std::size_t k = impl_->shard_of(index);
  const std::int64_t len = impl_->lengths[static_cast<std::size_t>(index)];
  if (len > L)
    throw ConfigError("L", std::to_string(L),
                      "example " + std::to_string(index) + " of split " + impl_->info.split + " has length " +
                          std::to_string(len) + ", longer than the batch's " + std::to_string(L) +
                          " positions");
  const auto shard = impl_->shard(k);
  const std::int64_t row = index - impl_->first[k];
  shard->tokens.copy_row(row, len, tokens_row);
  std::fill(tokens_row + len, tokens_row + L, 0);
  std::fill(mask_row, mask_row + len, std::uint8_t{1});
  std::fill(mask_row + len, mask_row + L, std::uint8_t{0});
  *label = shard->labels[static_cast<std::size_t>(row)];
}

void Dataset::set_cache_bytes(std::size_t bytes) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->cache_limit = bytes;
  impl_->trim();
}

}  // namespace glia::data
