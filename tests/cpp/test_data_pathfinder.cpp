// Pathfinder-32: balanced labels, deterministic images, labels consistent with the marker and snake-end
// metadata, and both markers visible in the image.
#include <gtest/gtest.h>
#include <omp.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "data/dataset.hpp"
#include "data/generate.hpp"
#include "data/pathfinder.hpp"
#include "engine/core/error.hpp"

namespace glia::data::pathfinder {
namespace {

std::string temp_dir(const std::string& name) {
  const std::string d = ::testing::TempDir() + "glia_data_" + std::to_string(::getpid()) + "_" + name;
  std::filesystem::remove_all(d);
  return d;
}

float as_float(double v) { return static_cast<float>(v); }

std::vector<float> endpoints_of(const Image& im) {
  std::vector<float> e(8);
  for (std::size_t k = 0; k < 4; ++k) {
    e[2 * k] = as_float(im.endpoints[k].x);
    e[2 * k + 1] = as_float(im.endpoints[k].y);
  }
  return e;
}

std::vector<float> markers_of(const Image& im) {
  std::vector<float> m(4);
  for (std::size_t k = 0; k < 2; ++k) {
    m[2 * k] = as_float(im.markers[k].x);
    m[2 * k + 1] = as_float(im.markers[k].y);
  }
  return m;
}

TEST(Pathfinder, LabelsAreBalancedInEveryPair) {
  for (const char* split : {"train", "val", "test"}) {
    int ones = 0;
    for (std::int64_t i = 0; i < 1000; i += 2) {
      const int a = example_label(5, split, i), b = example_label(5, split, i + 1);
      EXPECT_NE(a, b);
      ones += a + b;
    }
    EXPECT_EQ(ones, 500);
  }
  // The order within pairs is random, not alternating.
  int first_positive = 0;
  for (std::int64_t i = 0; i < 1000; i += 2) first_positive += example_label(5, "train", i);
  EXPECT_GT(first_positive, 200);
  EXPECT_LT(first_positive, 300);
}

TEST(Pathfinder, ImagesAreDeterministic) {
  const Image a = generate_image(11, 42, 1), b = generate_image(11, 42, 1), c = generate_image(11, 43, 1);
  EXPECT_EQ(a.pixels, b.pixels);
  EXPECT_NE(a.pixels, c.pixels);
  EXPECT_EQ(a.pixels.size(), 1024u);
}

TEST(Pathfinder, LabelsMatchTheMetadataAndTheImageHasBothMarkers) {
  const Params p;
  for (int label = 0; label < 2; ++label) {
    for (std::int64_t step = 0; step < 60; ++step) {
      const Image im = generate_image(3, step, label);
      const auto e = endpoints_of(im), m = markers_of(im);
      ASSERT_EQ(label_from_metadata(e.data(), m.data()), label) << step;
      // Both markers lie on the image, apart, on bright pixels.
      for (const auto& q : im.markers) {
        ASSERT_GE(q.x, p.padding);
        ASSERT_LE(q.x, p.size - p.padding);
        const auto x = static_cast<int>(std::floor(q.x)), y = static_cast<int>(std::floor(q.y));
        EXPECT_GE(im.pixels[static_cast<std::size_t>(y * p.size + x)], 160) << step;
      }
      EXPECT_GT(std::hypot(im.markers[0].x - im.markers[1].x, im.markers[0].y - im.markers[1].y), 2.0);
      // The two target snakes start seed_distance apart (to a pixel centre).
      EXPECT_NEAR(std::hypot(im.endpoints[0].x - im.endpoints[2].x, im.endpoints[0].y - im.endpoints[2].y),
                  p.seed_distance, 0.75);
      // Strokes: 2 x 14 + 5 x 4 paddles light a good part of the image; most of it stays dark.
      int lit = 0;
      for (auto v : im.pixels) lit += v > 0;
      EXPECT_GT(lit, 120);
      EXPECT_LT(lit, 700);
      EXPECT_EQ(*std::max_element(im.pixels.begin(), im.pixels.end()), 255);
    }
  }
}

TEST(Pathfinder, MetadataThatContradictsIsAnError) {
  const Image im = generate_image(3, 1, 1);
  auto e = endpoints_of(im), m = markers_of(im);
  m[0] += 0.5f;  // no longer on a snake end
  EXPECT_THROW(label_from_metadata(e.data(), m.data()), RuntimeError);
  m = markers_of(im);
  m[2] = e[0];  // both markers on origins
  m[3] = e[1];
  m[0] = e[4];
  m[1] = e[5];
  EXPECT_THROW(label_from_metadata(e.data(), m.data()), RuntimeError);
}

TEST(Pathfinder, DataSetChecksAndDoesNotDependOnThreads) {
  GenerateOptions o;
  o.task = "pathfinder32";
  o.seed = 2;
  o.train = 64;
  o.val = 16;
  o.test = 16;
  o.shard_size = 40;
  const std::string dir = temp_dir("pathfinder");
  auto task = data::make_task(o);
  const GenerateReport r = generate_dataset(*task, dir);
  EXPECT_EQ(r.shards_written, 4);
  const auto& train = r.manifest.splits.at("train");
  EXPECT_EQ(train.statistics["label_counts"][0].get<std::int64_t>(), 32);
  EXPECT_EQ(train.statistics["label_counts"][1].get<std::int64_t>(), 32);
  EXPECT_GE(r.manifest.statistics["images_started_per_image"].get<double>(), 1.0);
  EXPECT_EQ(check_dataset(dir).examples, 96);

  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = task->generate("val", 0, 16, {});
  omp_set_num_threads(2);
  const auto two = task->generate("val", 0, 16, {});
  omp_set_num_threads(threads);
  EXPECT_EQ(shard_checksum(one), shard_checksum(two));
  EXPECT_EQ(shard_checksum(one), r.manifest.splits.at("val").shards[0].checksum);

  const Dataset d = Dataset::open(dir, "test");
  EXPECT_EQ(d.info().vocab_size, 256);
  EXPECT_EQ(d.info().max_length, 1024);
  EXPECT_EQ(d.info().num_classes, 2);
  std::filesystem::remove_all(dir);
}

TEST(Pathfinder, ContourLengthIsAParameter) {
  GenerateOptions o;
  o.task = "pathfinder32";
  o.train = 8;
  o.val = 0;
  o.test = 4;
  o.contour_length = 6;
  const std::string dir = temp_dir("pathfinder_easy");
  auto task = data::make_task(o);
  const Manifest m = generate_dataset(*task, dir).manifest;
  EXPECT_EQ(m.parameters["contour_length"], 6);
  EXPECT_EQ(m.parameters["distractor_length"], 2);
  EXPECT_EQ(check_dataset(dir).examples, 12);
  o.contour_length = 14;  // another level on the same directory
  try {
    auto hard = data::make_task(o);
    generate_dataset(*hard, dir);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "--contour-length");
  }
  o.contour_length = 2;
  EXPECT_THROW(data::make_task(o), ConfigError);
  o.task = "listops";
  o.contour_length = 6;
  EXPECT_THROW(data::make_task(o), ConfigError);
  std::filesystem::remove_all(dir);
}

TEST(Pathfinder, OptionsOfOtherTasksAreConfigErrors) {
  GenerateOptions o;
  o.task = "pathfinder32";
  o.min_length = 3;
  EXPECT_THROW(data::make_task(o), ConfigError);
  o.min_length.reset();
  o.source = "/tmp";
  EXPECT_THROW(data::make_task(o), ConfigError);
}

}  // namespace
}  // namespace glia::data::pathfinder
