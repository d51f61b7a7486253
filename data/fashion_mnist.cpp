#include "data/fashion_mnist.hpp"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "engine/core/error.hpp"
#include "engine/io/json_reader.hpp"

namespace glia::data::fashion {

namespace {

bool is_file(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

[[noreturn]] void bad(const std::string& path, const std::string& why) {
  throw ConfigError("IDX file", "\"" + path + "\"", why);
}

// Reads an IDX file through zlib, which passes uncompressed files through unchanged.
class IdxReader {
 public:
  explicit IdxReader(std::string path) : path_(std::move(path)) {
    if (!is_file(path_)) bad(path_, "missing");
    file_ = gzopen(path_.c_str(), "rb");
    if (!file_) bad(path_, std::string("cannot open: ") + std::strerror(errno));
  }
  ~IdxReader() {
    if (file_) gzclose(file_);
  }
  IdxReader(const IdxReader&) = delete;
  IdxReader& operator=(const IdxReader&) = delete;

  // Reads the magic number and dimensions; checks the element type (unsigned byte) and rank.
  std::vector<std::int64_t> header(int rank) {
    unsigned char magic[4];
    exactly(magic, 4, "the magic number");
    const std::uint32_t want = 0x00000800u | static_cast<std::uint32_t>(rank);
    const std::uint32_t got = big_endian(magic);
    if (got != want) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "magic number 0x%08x, expected 0x%08x", got, want);
      bad(path_, buf);
    }
    std::vector<std::int64_t> dims;
    for (int k = 0; k < rank; ++k) {
      unsigned char d[4];
      exactly(d, 4, "the dimensions");
      dims.push_back(big_endian(d));
    }
    return dims;
  }

  void exactly(void* out, std::size_t n, const std::string& what) {
    auto* p = static_cast<unsigned char*>(out);
    std::size_t done = 0;
    while (done < n) {
      const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n - done, 1u << 30));
      const int got = gzread(file_, p + done, chunk);
      if (got < 0) {
        int code = 0;
        bad(path_, std::string("cannot read ") + what + ": " + gzerror(file_, &code));
      }
      if (got == 0)
        bad(path_, "truncated: " + what + " needs " + std::to_string(n) + " bytes, the file has " +
                       std::to_string(done));
      done += static_cast<std::size_t>(got);
    }
  }

  void expect_end() {
    unsigned char extra;
    const int got = gzread(file_, &extra, 1);
    if (got < 0) {
      int code = 0;
      bad(path_, std::string("cannot read: ") + gzerror(file_, &code));
    }
    if (got > 0) bad(path_, "longer than its header says (trailing data)");
  }

 private:
  static std::uint32_t big_endian(const unsigned char b[4]) {
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
  }
  std::string path_;
  gzFile file_ = nullptr;
};

constexpr std::int64_t kMaxItems = 100'000'000;

struct Source {
  std::string dir;
  IdxImages train, test;
  std::vector<std::uint8_t> train_labels, test_labels;
  std::uint64_t checksum = 0;  // FNV-1a over the four payloads
};

Source load_source(const std::string& dir) {
  Source s;
  s.dir = dir;
  const std::string train_images = find_idx(dir, "train-images-idx3-ubyte");
  const std::string train_labels = find_idx(dir, "train-labels-idx1-ubyte");
  const std::string test_images = find_idx(dir, "t10k-images-idx3-ubyte");
  const std::string test_labels = find_idx(dir, "t10k-labels-idx1-ubyte");
  s.train = read_idx_images(train_images);
  s.train_labels = read_idx_labels(train_labels);
  s.test = read_idx_images(test_images);
  s.test_labels = read_idx_labels(test_labels);
  for (const auto* im : {&s.train, &s.test})
    if (im->rows != kSide || im->cols != kSide)
      bad(im == &s.train ? train_images : test_images,
          "images are " + std::to_string(im->rows) + " x " + std::to_string(im->cols) + ", expected 28 x 28");
  if (static_cast<std::int64_t>(s.train_labels.size()) != s.train.count)
    bad(train_labels, std::to_string(s.train_labels.size()) + " labels for " + std::to_string(s.train.count) +
                          " images in " + train_images);
  if (static_cast<std::int64_t>(s.test_labels.size()) != s.test.count)
    bad(test_labels, std::to_string(s.test_labels.size()) + " labels for " + std::to_string(s.test.count) +
                         " images in " + test_images);
  if (s.train.count <= kValImages)
    bad(train_images, "has " + std::to_string(s.train.count) +
                          " images; the validation split takes the last " + std::to_string(kValImages));
  for (const auto* labels : {&s.train_labels, &s.test_labels})
    for (std::uint8_t y : *labels)
      if (y > 9)
        bad(labels == &s.train_labels ? train_labels : test_labels, "label " + std::to_string(y) + " > 9");
  std::uint64_t h = fnv1a64(s.train.pixels.data(), s.train.pixels.size());
  h = fnv1a64(s.train_labels.data(), s.train_labels.size(), h);
  h = fnv1a64(s.test.pixels.data(), s.test.pixels.size(), h);
  s.checksum = fnv1a64(s.test_labels.data(), s.test_labels.size(), h);
  return s;
}

class FashionTask : public Task {
 public:
  explicit FashionTask(Source source) : source_(std::move(source)) {
    Manifest& m = base_;
    m.task = "sfashion_mnist";
    m.generator_version = kGeneratorVersion;
    m.seed = 0;
    m.parameters = {{"source", source_.dir}, {"source_checksum", checksum_text(source_.checksum)}};
    m.vocab_size = 256;
    m.num_classes = 10;
    m.max_length = kPadded * kPadded;
    m.token_type = token_type_for(m.vocab_size);
    m.token_map = {
        {"0-255", "pixel value, row-major 32 x 32: the 28 x 28 image with 2 black (0) pixels on every side"},
        {"labels",
         "0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker, "
         "8 Bag, 9 Ankle boot"},
        {"splits",
         "train: training images 0..54999; val: training images 55000..59999; test: the "
         "10000 test images (a smaller size takes the first images of each)"}};
  }

  std::int64_t train_part() const { return source_.train.count - kValImages; }
  std::int64_t test_count() const { return source_.test.count; }

  // Source image and label of example `index` of `split`.
  std::pair<const std::uint8_t*, std::int32_t> source_example(const std::string& split,
                                                              std::int64_t index) const {
    const bool test = split == "test";
    const std::int64_t k = split == "val" ? train_part() + index : index;
    const IdxImages& im = test ? source_.test : source_.train;
    const auto& labels = test ? source_.test_labels : source_.train_labels;
    return {im.pixels.data() + k * kSide * kSide, labels[static_cast<std::size_t>(k)]};
  }

  ShardContent generate(const std::string& split, std::int64_t first, std::int64_t count,
                        const ProgressFn& progress) override {
    constexpr std::int64_t L = kPadded * kPadded;
    ShardContent c;
    c.tokens = TokenMatrix(base_.token_type, count, L);
    auto& bytes = std::get<std::vector<std::uint8_t>>(c.tokens.storage());
    c.lengths.assign(static_cast<std::size_t>(count), static_cast<std::int32_t>(L));
    for (std::int64_t i = 0; i < count; ++i) {
      const auto [pixels, label] = source_example(split, first + i);
      pad_image(pixels, bytes.data() + i * L);
      c.labels.push_back(label);
    }
    if (progress) progress(count);
    return c;
  }

  void verify(const std::string& split, std::int64_t first, const ShardContent& c,
              const std::string& path) override {
    std::uint8_t padded[kPadded * kPadded];
    for (std::int64_t i = 0; i < c.size(); ++i) {
      const auto where = [&] {
        return "shard " + path + ": example " + std::to_string(i) + " (index " + std::to_string(first + i) +
               ")";
      };
      const auto [pixels, label] = source_example(split, first + i);
      if (c.labels[static_cast<std::size_t>(i)] != label)
        throw RuntimeError(where() + ": label " + std::to_string(c.labels[static_cast<std::size_t>(i)]) +
                           " but the source says " + std::to_string(label));
      pad_image(pixels, padded);
      for (int t = 0; t < kPadded * kPadded; ++t)
        if (c.tokens.get(i, t) != padded[t])
          throw RuntimeError(where() + ": pixel " + std::to_string(t) + " differs from the source image");
    }
  }

 private:
  Source source_;
};

}  // namespace

std::string find_idx(const std::string& dir, const std::string& name) {
  const std::string base = dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
  if (is_file(base + ".gz")) return base + ".gz";
  if (is_file(base)) return base;
  throw ConfigError(
      "IDX file", "\"" + base + ".gz\"",
      "missing (nor " + base + "); install Debian's dataset-fashion-mnist or pass --source DIR");
}

IdxImages read_idx_images(const std::string& path) {
  IdxReader r(path);
  const auto dims = r.header(3);
  IdxImages im;
  im.count = dims[0];
  im.rows = dims[1];
  im.cols = dims[2];
  if (im.count > kMaxItems || im.rows > 4096 || im.cols > 4096)
    bad(path, "implausible dimensions " + std::to_string(im.count) + " x " + std::to_string(im.rows) + " x " +
                  std::to_string(im.cols));
  im.pixels.resize(static_cast<std::size_t>(im.count * im.rows * im.cols));
  r.exactly(im.pixels.data(), im.pixels.size(), "the pixels");
  r.expect_end();
  return im;
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path) {
  IdxReader r(path);
  const auto dims = r.header(1);
  if (dims[0] > kMaxItems) bad(path, "implausible label count " + std::to_string(dims[0]));
  std::vector<std::uint8_t> labels(static_cast<std::size_t>(dims[0]));
  r.exactly(labels.data(), labels.size(), "the labels");
  r.expect_end();
  return labels;
}

void pad_image(const std::uint8_t* src, std::uint8_t* dst) {
  std::fill(dst, dst + kPadded * kPadded, std::uint8_t{0});
  for (int y = 0; y < kSide; ++y)
    std::copy(src + y * kSide, src + (y + 1) * kSide, dst + (y + kPad) * kPadded + kPad);
}

std::unique_ptr<Task> make_task(const GenerateOptions& o) {
  if (o.seed)
    throw ConfigError("--seed", std::to_string(*o.seed), "sfashion_mnist is not random; give no seed");
  if (o.min_length) throw ConfigError("--min-length", std::to_string(*o.min_length), "only for listops");
  if (o.max_length) throw ConfigError("--max-length", std::to_string(*o.max_length), "only for listops");
  if (o.contour_length)
    throw ConfigError("--contour-length", std::to_string(*o.contour_length), "only for pathfinder32");
  auto task = std::make_unique<FashionTask>(load_source(o.source.value_or(kDefaultSource)));
  const std::int64_t limits[3] = {task->train_part(), kValImages, task->test_count()};
  set_sizes(task->mutable_base(), o, limits[0], limits[1], limits[2], 10000);
  for (int k = 0; k < 3; ++k) {
    const char* name = kSplitNames[static_cast<std::size_t>(k)];
    const std::int64_t size = task->base().splits.at(name).size;
    if (size > limits[k])
      throw ConfigError(std::string("--") + name, std::to_string(size),
                        "at most " + std::to_string(limits[k]) + " images for this split");
  }
  return task;
}

std::unique_ptr<Task> make_task(const Manifest& m, const std::optional<std::string>& source) {
  check_generator_version(m, kGeneratorVersion);
  if (!m.parameters.contains("source") || !m.parameters["source"].is_string() ||
      !m.parameters.contains("source_checksum"))
    throw ConfigError("manifest", "parameters", "no source directory or source checksum recorded");
  const std::string dir = source.value_or(m.parameters["source"].get<std::string>());
  auto task = std::make_unique<FashionTask>(load_source(dir));
  adopt_manifest_of_same_source(*task, m, dir);
  return task;
}

}  // namespace glia::data::fashion
