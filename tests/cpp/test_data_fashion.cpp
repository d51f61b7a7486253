// sFashion-MNIST from Debian's dataset-fashion-mnist: the real IDX files, the 32 x 32 zero padding, the
// split mapping, and the IDX reader's errors.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "data/dataset.hpp"
#include "data/fashion_mnist.hpp"
#include "data/generate.hpp"
#include "engine/core/error.hpp"

namespace glia::data::fashion {
namespace {

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "glia_data_" + std::to_string(::getpid()) + "_" + name;
}

bool have_source() {
  return std::filesystem::exists(std::string(kDefaultSource) + "/train-images-idx3-ubyte.gz") ||
         std::filesystem::exists(std::string(kDefaultSource) + "/train-images-idx3-ubyte");
}

#define REQUIRE_SOURCE() \
  if (!have_source())    \
  GTEST_SKIP() << "Debian's dataset-fashion-mnist is not installed (scripts/install-deps.sh)"

TEST(FashionMnist, ReadsTheRealFiles) {
  REQUIRE_SOURCE();
  const IdxImages train = read_idx_images(find_idx(kDefaultSource, "train-images-idx3-ubyte"));
  const auto labels = read_idx_labels(find_idx(kDefaultSource, "train-labels-idx1-ubyte"));
  EXPECT_EQ(train.count, 60000);
  EXPECT_EQ(train.rows, 28);
  EXPECT_EQ(train.cols, 28);
  ASSERT_EQ(labels.size(), 60000u);
  EXPECT_EQ(labels[0], 9);  // the first training image is an ankle boot
  const IdxImages test = read_idx_images(find_idx(kDefaultSource, "t10k-images-idx3-ubyte"));
  EXPECT_EQ(test.count, 10000);
}

TEST(FashionMnist, ShardsArePaddedImagesWithTheSourceLabels) {
  REQUIRE_SOURCE();
  GenerateOptions o;
  o.task = "sfashion_mnist";
  o.train = 30;
  o.val = 10;
  o.test = 10;
  auto task = data::make_task(o);
  const ShardContent c = task->generate("train", 0, 30, {});
  EXPECT_EQ(c.labels[0], 9);
  const IdxImages src = read_idx_images(find_idx(kDefaultSource, "train-images-idx3-ubyte"));
  for (std::int64_t i = 0; i < 30; ++i) {
    EXPECT_EQ(c.lengths[static_cast<std::size_t>(i)], 1024);
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x) {
        const bool border = y < 2 || y >= 30 || x < 2 || x >= 30;
        const std::int32_t v = c.tokens.get(i, y * 32 + x);
        if (border)
          ASSERT_EQ(v, 0) << i << " " << y << " " << x;
        else
          ASSERT_EQ(v, src.pixels[static_cast<std::size_t>(i * 784 + (y - 2) * 28 + x - 2)]);
      }
  }
  // Validation starts at training image 55000; test is the test file.
  const auto labels = read_idx_labels(find_idx(kDefaultSource, "train-labels-idx1-ubyte"));
  const auto test_labels = read_idx_labels(find_idx(kDefaultSource, "t10k-labels-idx1-ubyte"));
  EXPECT_EQ(task->generate("val", 0, 10, {}).labels[3], labels[55003]);
  EXPECT_EQ(task->generate("test", 0, 10, {}).labels[7], test_labels[7]);
}

TEST(FashionMnist, DataSetChecksAgainstTheSource) {
  REQUIRE_SOURCE();
  GenerateOptions o;
  o.task = "sfashion_mnist";
  o.train = 20;
  o.val = 5;
  o.test = 5;
  const std::string dir = temp_path("fashion");
  std::filesystem::remove_all(dir);
  auto task = data::make_task(o);
  generate_dataset(*task, dir);
  EXPECT_EQ(check_dataset(dir).examples, 30);
  const Dataset d = Dataset::open(dir, "train");
  std::vector<std::int32_t> tokens(1024);
  std::vector<std::uint8_t> mask(1024);
  std::int32_t label = -1;
  d.read(0, tokens.data(), mask.data(), 1024, &label);
  EXPECT_EQ(label, 9);
  EXPECT_EQ(mask[1023], 1);
  // A source directory with other files is refused.
  EXPECT_THROW(check_dataset(dir, std::string("/nonexistent")), ConfigError);
  std::filesystem::remove_all(dir);
}

TEST(FashionMnist, SizesAndOptionsAreChecked) {
  REQUIRE_SOURCE();
  GenerateOptions o;
  o.task = "sfashion_mnist";
  o.train = 55001;
  try {
    data::make_task(o);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "--train");
  }
  o.train.reset();
  o.seed = 3;
  EXPECT_THROW(data::make_task(o), ConfigError);
}

void write_bytes(const std::string& path, const std::vector<unsigned char>& bytes, bool gzip) {
  if (gzip) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
  } else {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(IdxReader, BadFilesAreErrorsNamingTheFile) {
  const std::string path = temp_path("bad.idx");
  // Two 2 x 2 images, plain and compressed, read back.
  std::vector<unsigned char> ok{0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8};
  for (bool gzip : {false, true}) {
    write_bytes(path, ok, gzip);
    const IdxImages im = read_idx_images(path);
    EXPECT_EQ(im.count, 2);
    EXPECT_EQ(im.pixels[7], 8);
  }
  auto wrong_magic = ok;
  wrong_magic[3] = 1;
  write_bytes(path, wrong_magic, false);
  std::string what = message_of([&] { read_idx_images(path); });
  EXPECT_NE(what.find(path), std::string::npos) << what;
  EXPECT_NE(what.find("magic number 0x00000801"), std::string::npos) << what;
  auto truncated = ok;
  truncated.pop_back();
  write_bytes(path, truncated, true);
  what = message_of([&] { read_idx_images(path); });
  EXPECT_NE(what.find("truncated"), std::string::npos) << what;
  auto longer = ok;
  longer.push_back(9);
  write_bytes(path, longer, false);
  what = message_of([&] { read_idx_images(path); });
  EXPECT_NE(what.find("trailing"), std::string::npos) << what;
  write_bytes(path, {0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3}, false);
  EXPECT_EQ(read_idx_labels(path).size(), 3u);
  EXPECT_NE(message_of([&] { read_idx_images(path); }).find(path), std::string::npos);
  std::remove(path.c_str());
  what = message_of([&] { read_idx_labels(path); });
  EXPECT_NE(what.find("missing"), std::string::npos) << what;
  what = message_of([&] { find_idx("/nonexistent", "train-images-idx3-ubyte"); });
  EXPECT_NE(what.find("/nonexistent/train-images-idx3-ubyte"), std::string::npos) << what;
}

}  // namespace
}  // namespace glia::data::fashion
