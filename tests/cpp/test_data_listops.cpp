// ListOps: the evaluator on hand-written trees, and the generator's determinism, length window,
// de-duplication and statistics (DATA.md: ~8% of sampled trees kept, median length ~1000, labels 0 and 9
// ~17% each).
#include <gtest/gtest.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

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

int value_of(const std::string& text) { return listops::evaluate(listops::parse(text)); }

GenerateOptions small_options(std::int64_t n, std::int64_t min_length = 10, std::int64_t max_length = 60) {
  GenerateOptions o;
  o.task = "listops";
  o.seed = 7;
  o.train = n;
  o.val = 0;
  o.test = 0;
  o.shard_size = n;
  o.min_length = min_length;
  o.max_length = max_length;
  return o;
}

ShardContent generate_train(const GenerateOptions& o) {
  auto task = make_task(o);
  return task->generate("train", 0, *o.train, {});
}

TEST(ListOpsEvaluate, Operators) {
  EXPECT_EQ(value_of("[MIN 4 7 2 9 ]"), 2);
  EXPECT_EQ(value_of("[MAX 4 7 2 9 ]"), 9);
  EXPECT_EQ(value_of("[SM 9 8 7 ]"), 4);  // 24 mod 10
  EXPECT_EQ(value_of("[SM 5 5 ]"), 0);
  EXPECT_EQ(value_of("7"), 7);
}

TEST(ListOpsEvaluate, MedianOddAndEven) {
  EXPECT_EQ(value_of("[MED 3 1 2 ]"), 2);
  EXPECT_EQ(value_of("[MED 9 0 5 5 1 ]"), 5);
  EXPECT_EQ(value_of("[MED 1 2 3 4 ]"), 2);  // (2 + 3) / 2 = 2.5, floored
  EXPECT_EQ(value_of("[MED 9 8 ]"), 8);      // 8.5 floored
  EXPECT_EQ(value_of("[MED 4 6 ]"), 5);      // exact mean
  EXPECT_EQ(value_of("[MED 0 9 9 0 ]"), 4);  // middle values 0 and 9
}

TEST(ListOpsEvaluate, Nesting) {
  EXPECT_EQ(value_of("[MAX 2 9 [MIN 4 7 ] 0 ]"), 9);
  EXPECT_EQ(value_of("[MIN 4 [MAX 1 7 ] 5 ]"), 4);
  EXPECT_EQ(value_of("[SM [MED 1 9 ] [MIN 3 8 ] 9 ]"), 7);                      // 5 + 3 + 9 = 17
  EXPECT_EQ(value_of("[MED [SM 9 9 ] [MAX 0 1 ] [MIN [MAX 6 7 ] 8 ] 3 ]"), 5);  // 8 1 7 3 -> (3 + 7) / 2
}

TEST(ListOpsEvaluate, MalformedSequencesAreErrors) {
  for (const char* bad : {"[MIN 1 2", "1 2", "]", "[MAX ]", "[MIN 1 2 ] 3", ""})
    EXPECT_THROW(value_of(bad), RuntimeError) << bad;
  EXPECT_THROW(listops::evaluate(std::vector<std::int32_t>{listops::kMin, 2, listops::kPad, listops::kClose}),
               RuntimeError);
  EXPECT_THROW(listops::parse("[FOO 1 ]"), ConfigError);
}

TEST(ListOpsEvaluate, TextRoundTrip) {
  const std::string text = "[SM [MED 1 9 ] [MIN 3 8 ] 9 ]";
  const auto ids = listops::parse(text);
  EXPECT_EQ(ids.front(), listops::kSum);
  EXPECT_EQ(ids.back(), listops::kClose);
  EXPECT_EQ(listops::to_text(ids.data(), static_cast<std::int64_t>(ids.size())), text);
}

TEST(ListOpsGenerator, SameSeedSameBytesOtherSeedOtherBytes) {
  const auto a = generate_train(small_options(200));
  const auto b = generate_train(small_options(200));
  EXPECT_EQ(shard_checksum(a), shard_checksum(b));
  EXPECT_EQ(a.info, b.info);
  auto o = small_options(200);
  o.seed = 8;
  EXPECT_NE(shard_checksum(generate_train(o)), shard_checksum(a));
}

TEST(ListOpsGenerator, ResultDoesNotDependOnThreads) {
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = generate_train(small_options(300));
  omp_set_num_threads(2);
  const auto two = generate_train(small_options(300));
  omp_set_num_threads(threads);
  EXPECT_EQ(shard_checksum(one), shard_checksum(two));
}

TEST(ListOpsGenerator, LengthsInWindowPaddingZeroLabelsEvaluate) {
  const auto c = generate_train(small_options(300, 20, 50));
  ASSERT_EQ(c.size(), 300);
  EXPECT_EQ(c.tokens.width(), 50);
  std::vector<std::int32_t> row(50);
  for (std::int64_t i = 0; i < c.size(); ++i) {
    const std::int32_t len = c.lengths[static_cast<std::size_t>(i)];
    EXPECT_GT(len, 20);
    EXPECT_LT(len, 50);
    c.tokens.copy_row(i, 50, row.data());
    for (std::int32_t t = len; t < 50; ++t) ASSERT_EQ(row[static_cast<std::size_t>(t)], listops::kPad);
    row.resize(static_cast<std::size_t>(len));
    EXPECT_EQ(listops::evaluate(row), c.labels[static_cast<std::size_t>(i)]);
    row.resize(50);
  }
  EXPECT_GT(c.info["too_short"].get<std::int64_t>(), 0);
  EXPECT_GT(c.info["too_long"].get<std::int64_t>(), 0);
}

TEST(ListOpsGenerator, DuplicatesAreDroppedAcrossSplits) {
  // Lengths 3..5 allow only "[op d d ]" and "[op d d d ]" (4400 trees): duplicates are frequent.
  GenerateOptions o = small_options(600, 2, 6);
  o.val = 300;
  o.test = 300;
  o.shard_size = 250;
  const std::string dir = temp_dir("listops_dupes");
  auto task = make_task(o);
  const GenerateReport r = generate_dataset(*task, dir);
  std::set<std::vector<std::int32_t>> seen;
  std::int64_t duplicates = 0;
  for (const char* split : kSplitNames) {
    const Dataset d = Dataset::open(dir, split);
    std::vector<std::int32_t> tokens(6);
    std::vector<std::uint8_t> mask(6);
    std::int32_t label = 0;
    for (std::int64_t i = 0; i < d.size(); ++i) {
      d.read(i, tokens.data(), mask.data(), 6, &label);
      EXPECT_TRUE(seen.insert(tokens).second) << split << " " << i;
    }
  }
  EXPECT_EQ(seen.size(), 1200u);
  for (const auto& [name, s] : r.manifest.splits)
    for (const auto& sh : s.shards) duplicates += sh.info["duplicates"].get<std::int64_t>();
  EXPECT_GT(duplicates, 100);
  EXPECT_EQ(r.manifest.statistics["rejected_duplicates"].get<std::int64_t>(), duplicates);
  EXPECT_NO_THROW(check_dataset(dir));
  std::filesystem::remove_all(dir);
}

TEST(ListOpsGenerator, ShardSizeDoesNotChangeTheExamples) {
  GenerateOptions o = small_options(90);
  o.val = 20;
  o.test = 20;
  const std::string dir_a = temp_dir("listops_shard_a"), dir_b = temp_dir("listops_shard_b");
  o.shard_size = 7;
  auto a = make_task(o);
  generate_dataset(*a, dir_a);
  o.shard_size = 1000;
  auto b = make_task(o);
  generate_dataset(*b, dir_b);
  for (const char* split : kSplitNames) {
    const Dataset da = Dataset::open(dir_a, split), db = Dataset::open(dir_b, split);
    ASSERT_EQ(da.size(), db.size());
    std::vector<std::int32_t> ta(60), tb(60);
    std::vector<std::uint8_t> ma(60), mb(60);
    std::int32_t la = 0, lb = 0;
    for (std::int64_t i = 0; i < da.size(); ++i) {
      da.read(i, ta.data(), ma.data(), 60, &la);
      db.read(i, tb.data(), mb.data(), 60, &lb);
      ASSERT_EQ(ta, tb) << split << " " << i;
      ASSERT_EQ(la, lb);
    }
  }
  std::filesystem::remove_all(dir_a);
  std::filesystem::remove_all(dir_b);
}

TEST(ListOpsGenerator, StatisticsMatchTheLraGenerator) {
  // 2000 trees of the default window 500 < length < 2000 (about 25000 candidates).
  GenerateOptions o;
  o.task = "listops";
  o.seed = 3;
  o.train = 2000;
  o.val = 0;
  o.test = 0;
  const std::string dir = temp_dir("listops_stats");
  auto task = make_task(o);
  const Manifest m = generate_dataset(*task, dir).manifest;
  const auto& s = m.statistics;
  const double kept = s["kept_fraction"].get<double>();
  const double median = s["length"]["median"].get<double>();
  const double share0 = s["label_shares"][0].get<double>(), share9 = s["label_shares"][9].get<double>();
  RecordProperty("kept_fraction", std::to_string(kept));
  RecordProperty("median_length", std::to_string(median));
  EXPECT_NEAR(kept, 0.08, 0.02);
  EXPECT_NEAR(median, 1000, 150);
  EXPECT_NEAR(share0, 0.17, 0.035);
  EXPECT_NEAR(share9, 0.17, 0.035);
  EXPECT_GT(s["length"]["min"].get<std::int64_t>(), 500);
  EXPECT_LT(s["length"]["max"].get<std::int64_t>(), 2000);
  EXPECT_EQ(m.max_length, 2000);
  EXPECT_EQ(m.vocab_size, 16);
  EXPECT_EQ(m.num_classes, 10);
  std::filesystem::remove_all(dir);
}

TEST(ListOpsGenerator, BadLengthWindowIsConfigError) {
  GenerateOptions o = small_options(10, 100, 101);
  try {
    make_task(o);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "--max-length");
  }
  o = small_options(10, -1, 50);
  EXPECT_THROW(make_task(o), ConfigError);
  o = small_options(10);
  o.source = "/tmp";
  EXPECT_THROW(make_task(o), ConfigError);
}

}  // namespace
}  // namespace glia::data
