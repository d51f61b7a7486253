// The data set format and loader: reads with padding masks, errors naming the file for missing or corrupt
// shards, resumable generation, and a hand-made int16 data set through the whole format.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "data/dataset.hpp"
#include "data/generate.hpp"
#include "data/listops.hpp"
#include "engine/core/error.hpp"

namespace glia::data {
namespace {

std::string temp_dir(const std::string& name) {
  const std::string d = ::testing::TempDir() + "glia_data_" + std::to_string(::getpid()) + "_" + name;
  std::filesystem::remove_all(d);
  return d;
}

GenerateOptions listops_options() {
  GenerateOptions o;
  o.task = "listops";
  o.seed = 4;
  o.train = 50;
  o.val = 12;
  o.test = 12;
  o.shard_size = 20;
  o.min_length = 10;
  o.max_length = 40;
  return o;
}

// A small ListOps data set, generated once for the tests of this file.
class Loader : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir("loader_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    auto task = make_task(listops_options());
    report_ = generate_dataset(*task, dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string shard(const std::string& name) const { return join_path(dir_, name); }
  std::string dir_;
  GenerateReport report_;
};

template <class E>
std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "no exception";
}

TEST_F(Loader, ReadsExamplesWithMasksAndPadding) {
  const Dataset d = Dataset::open(dir_, "train");
  EXPECT_EQ(d.size(), 50);
  EXPECT_EQ(d.info().task, "listops");
  EXPECT_EQ(d.info().split, "train");
  EXPECT_EQ(d.info().vocab_size, 16);
  EXPECT_EQ(d.info().num_classes, 10);
  EXPECT_EQ(d.info().max_length, 40);
  EXPECT_EQ(d.info().seed, 4u);
  EXPECT_EQ(d.info().generator_version, listops::kGeneratorVersion);
  EXPECT_EQ(d.info().manifest_path, manifest_path(dir_));
  // A batch of 3 rows, 48 wide (wider than the data): row 1 gets example 27 (second shard).
  const std::int64_t L = 48;
  std::vector<std::int32_t> tokens(3 * L, -1);
  std::vector<std::uint8_t> mask(3 * L, 7);
  std::int32_t labels[3] = {-1, -1, -1};
  d.read(27, tokens.data() + L, mask.data() + L, L, labels + 1);
  const std::int64_t len = d.length(27);
  ASSERT_GT(len, 10);
  ASSERT_LT(len, 40);
  std::vector<std::int32_t> seq(tokens.begin() + L, tokens.begin() + L + len);
  EXPECT_EQ(listops::evaluate(seq), labels[1]);
  EXPECT_EQ(d.label(27), labels[1]);
  for (std::int64_t t = 0; t < L; ++t) {
    EXPECT_EQ(mask[static_cast<std::size_t>(L + t)], t < len ? 1 : 0);
    if (t >= len) {
      EXPECT_EQ(tokens[static_cast<std::size_t>(L + t)], 0);
    }
  }
  EXPECT_EQ(tokens[0], -1);  // other rows untouched
  EXPECT_EQ(mask[2 * L], 7);
  EXPECT_EQ(labels[0], -1);
}

TEST_F(Loader, SmallCacheStillReadsEveryShard) {
  Dataset d = Dataset::open(dir_, "train");
  d.set_cache_bytes(0);  // keeps one shard at a time
  std::vector<std::int32_t> tokens(40);
  std::vector<std::uint8_t> mask(40);
  std::int32_t label = 0;
  for (std::int64_t i : {0, 45, 3, 21, 49, 0}) {
    d.read(i, tokens.data(), mask.data(), 40, &label);
    EXPECT_EQ(label, d.label(i));
  }
}

TEST_F(Loader, ShortBatchIsConfigErrorNamingIndexLengthAndL) {
  const Dataset d = Dataset::open(dir_, "val");
  const std::int64_t len = d.length(5);
  std::vector<std::int32_t> tokens(static_cast<std::size_t>(len));
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(len));
  std::int32_t label = 0;
  const std::string what =
      message_of<ConfigError>([&] { d.read(5, tokens.data(), mask.data(), len - 1, &label); });
  EXPECT_NE(what.find("example 5"), std::string::npos) << what;
  EXPECT_NE(what.find("length " + std::to_string(len)), std::string::npos) << what;
  EXPECT_NE(what.find(std::to_string(len - 1)), std::string::npos) << what;
  EXPECT_NO_THROW(d.read(5, tokens.data(), mask.data(), len, &label));
  EXPECT_THROW(d.read(12, tokens.data(), mask.data(), len, &label), ConfigError);
  EXPECT_THROW(d.length(-1), ConfigError);
}

TEST_F(Loader, MissingThingsAreConfigErrorsNamingThem) {
  EXPECT_NE(message_of<ConfigError>([&] { Dataset::open(dir_ + "/nope", "train"); }).find(dir_ + "/nope"),
            std::string::npos);
  EXPECT_NE(message_of<ConfigError>([&] { Dataset::open(dir_, "dev"); }).find("dev"), std::string::npos);
  std::filesystem::remove(shard("train-00001.h5"));
  const std::string what = message_of<ConfigError>([&] { Dataset::open(dir_, "train"); });
  EXPECT_NE(what.find(shard("train-00001.h5")), std::string::npos) << what;
  EXPECT_NO_THROW(Dataset::open(dir_, "test"));
  std::filesystem::remove(manifest_path(dir_));
  EXPECT_NE(message_of<ConfigError>([&] { Dataset::open(dir_, "test"); }).find("manifest.json"),
            std::string::npos);
}

TEST_F(Loader, BadManifestFieldIsConfigErrorNamingIt) {
  std::ifstream in(manifest_path(dir_));
  std::stringstream text;
  text << in.rdbuf();
  auto j = nlohmann::json::parse(text.str());
  j.erase("vocab_size");
  std::ofstream(manifest_path(dir_)) << j.dump();
  const std::string what = message_of<ConfigError>([&] { Dataset::open(dir_, "train"); });
  EXPECT_NE(what.find("vocab_size"), std::string::npos) << what;
  EXPECT_NE(what.find("manifest.json"), std::string::npos) << what;
  j["vocab_size"] = 16;
  j["complete"] = false;
  std::ofstream(manifest_path(dir_)) << j.dump();
  EXPECT_NE(message_of<ConfigError>([&] { Dataset::open(dir_, "train"); }).find("not finished"),
            std::string::npos);
}

TEST_F(Loader, ModifiedShardIsRuntimeErrorNamingTheFile) {
  // A valid HDF5 shard whose content differs from what the manifest's checksum says.
  const Manifest m = read_manifest(dir_);
  ShardContent c = read_shard(dir_, m, m.splits.at("train").shards[1]);
  c.labels[3] = (c.labels[3] + 1) % 10;
  write_shard(shard("train-00001.h5"), m, "train", 1, 20, c);
  const Dataset d = Dataset::open(dir_, "train");  // shapes fine: the checksum is verified on first read
  std::vector<std::int32_t> tokens(40);
  std::vector<std::uint8_t> mask(40);
  std::int32_t label = 0;
  EXPECT_NO_THROW(d.read(0, tokens.data(), mask.data(), 40, &label));
  const std::string what =
      message_of<RuntimeError>([&] { d.read(25, tokens.data(), mask.data(), 40, &label); });
  EXPECT_NE(what.find(shard("train-00001.h5")), std::string::npos) << what;
  EXPECT_NE(what.find("checksum"), std::string::npos) << what;
  EXPECT_NE(message_of<RuntimeError>([&] { check_dataset(dir_); }).find("train-00001.h5"), std::string::npos);
}

TEST_F(Loader, FlippedByteIsRuntimeErrorNamingTheFile) {
  const std::string path = shard("val-00000.h5");
  // Where the (small, so contiguous) token data start in the file.
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t ds = H5Dopen2(file, "tokens", H5P_DEFAULT);
  const haddr_t offset = H5Dget_offset(ds);
  H5Dclose(ds);
  H5Fclose(file);
  ASSERT_NE(offset, HADDR_UNDEF);
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  const auto at = static_cast<std::streamoff>(offset + 3);
  f.seekg(at);
  char b = 0;
  f.read(&b, 1);
  b = static_cast<char>(b ^ 0x5a);
  f.seekp(at);
  f.write(&b, 1);
  f.close();
  const std::string what = message_of<RuntimeError>([&] {
    const Dataset d = Dataset::open(dir_, "val");
    std::vector<std::int32_t> tokens(40);
    std::vector<std::uint8_t> mask(40);
    std::int32_t label = 0;
    for (std::int64_t i = 0; i < d.size(); ++i) d.read(i, tokens.data(), mask.data(), 40, &label);
  });
  EXPECT_NE(what.find(path), std::string::npos) << what;
}

TEST_F(Loader, ResumeRegeneratesOnlyMissingOrCorruptShards) {
  const Manifest before = read_manifest(dir_);
  std::filesystem::remove(shard("train-00001.h5"));
  { std::ofstream(shard("test-00000.h5")) << "not a shard"; }
  auto task = make_task(listops_options());
  const GenerateReport r = generate_dataset(*task, dir_);
  EXPECT_EQ(r.shards_written, 2);
  EXPECT_EQ(r.shards_kept, 3);
  ASSERT_EQ(r.replaced.size(), 1u);
  EXPECT_EQ(r.replaced[0], shard("test-00000.h5"));
  for (const auto& [name, s] : before.splits)
    for (std::size_t k = 0; k < s.shards.size(); ++k) {
      EXPECT_EQ(r.manifest.splits.at(name).shards[k].checksum, s.shards[k].checksum) << name << k;
      EXPECT_EQ(r.manifest.splits.at(name).shards[k].info, s.shards[k].info);
    }
  EXPECT_EQ(r.manifest.statistics, before.statistics);
  EXPECT_NO_THROW(check_dataset(dir_));
}

TEST_F(Loader, InterruptedGenerationResumes) {
  // What a run stopped after the first two train shards leaves: a manifest listing them, complete = false.
  const Manifest full = read_manifest(dir_);
  Manifest partial = full;
  partial.complete = false;
  partial.splits["train"].shards.resize(2);
  for (const char* split : {"val", "test"}) partial.splits[split].shards.clear();
  write_manifest(dir_, partial);
  for (const char* file : {"train-00002.h5", "val-00000.h5", "test-00000.h5"})
    std::filesystem::remove(shard(file));
  EXPECT_THROW(Dataset::open(dir_, "train"), ConfigError);
  EXPECT_THROW(check_dataset(dir_), ConfigError);
  auto task = make_task(listops_options());
  const GenerateReport r = generate_dataset(*task, dir_);
  EXPECT_EQ(r.shards_kept, 2);
  EXPECT_EQ(r.shards_written, 3);
  EXPECT_TRUE(r.manifest.complete);
  for (const auto& [name, s] : full.splits)
    for (std::size_t k = 0; k < s.shards.size(); ++k)
      EXPECT_EQ(r.manifest.splits.at(name).shards[k].checksum, s.shards[k].checksum) << name << k;
}

TEST_F(Loader, OtherParametersOnAnExistingDataSetAreConfigErrors) {
  auto o = listops_options();
  o.seed = 5;
  try {
    auto task = make_task(o);
    generate_dataset(*task, dir_);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "--seed");
  }
  o = listops_options();
  o.max_length = 41;
  try {
    auto task = make_task(o);
    generate_dataset(*task, dir_);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "--max-length");
  }
  o = listops_options();
  o.shard_size = 21;
  try {
    auto task = make_task(o);
    generate_dataset(*task, dir_);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "--shard-size");
  }
}

TEST(DataFormat, Int16TokensAndExtrasRoundTrip) {
  // A hand-made data set with a 1000-token vocabulary (int16 on disk) and one float extra.
  const std::string dir = temp_dir("int16");
  std::filesystem::create_directories(dir);
  Manifest m;
  m.task = "hand_made";
  m.generator_version = "test-1";
  m.seed = 9;
  m.vocab_size = 1000;
  m.num_classes = 3;
  m.max_length = 5;
  m.shard_size = 4;
  m.token_type = token_type_for(m.vocab_size);
  ASSERT_EQ(m.token_type, TokenType::i16);
  m.extras = {{"meta", 2}};
  ShardContent c;
  c.tokens = TokenMatrix(m.token_type, 3, 5);
  for (int i = 0; i < 3; ++i) {
    for (int t = 0; t <= i + 1; ++t) c.tokens.set(i, t, 997 - 10 * i - t);
    c.lengths.push_back(i + 2);
    c.labels.push_back(i);
  }
  c.extras = {{0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f}};
  m.splits["train"] = SplitEntry{3, {ShardEntry{shard_file_name("train", 0), 3, shard_checksum(c), {}}}, {}};
  m.complete = true;
  write_shard(join_path(dir, "train-00000.h5"), m, "train", 0, 0, c);
  write_manifest(dir, m);
  const Manifest back = read_manifest(dir);
  EXPECT_EQ(back.token_type, TokenType::i16);
  const ShardContent r = read_shard(dir, back, back.splits.at("train").shards[0]);
  EXPECT_EQ(r.extras[0], c.extras[0]);
  const Dataset d = Dataset::open(dir, "train");
  std::int32_t tokens[6];
  std::uint8_t mask[6];
  std::int32_t label = 0;
  d.read(2, tokens, mask, 6, &label);
  EXPECT_EQ(label, 2);
  EXPECT_EQ(tokens[0], 977);
  EXPECT_EQ(tokens[3], 974);
  EXPECT_EQ(tokens[4], 0);
  EXPECT_EQ(mask[3], 1);
  EXPECT_EQ(mask[4], 0);
  EXPECT_THROW(Dataset::open(dir, "val"), ConfigError);
  std::filesystem::remove_all(dir);
}

TEST(DataFormat, ChecksumIsFnv1a) {
  // Published FNV-1a 64 test vectors.
  EXPECT_EQ(fnv1a64("", 0), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a", 1), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar", 6), 0x85944171f73967e8ull);
  EXPECT_EQ(checksum_text(0xabcull), "0000000000000abc");
}

TEST(DataGenerate, UnknownTaskAndBadSizesAreConfigErrors) {
  GenerateOptions o;
  o.task = "path-x";
  EXPECT_THROW(make_task(o), ConfigError);
  o = listops_options();
  o.train = -1;
  try {
    make_task(o);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "--train");
  }
  o = listops_options();
  o.shard_size = 0;
  EXPECT_THROW(make_task(o), ConfigError);
  o = listops_options();
  auto task = make_task(o);
  const std::string file = temp_dir("plain_file");
  std::ofstream(file) << "x";
  EXPECT_THROW(generate_dataset(*task, file), ConfigError);
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace glia::data
