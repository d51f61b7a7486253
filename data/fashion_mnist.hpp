#pragma once
// sFashion-MNIST: the LRA "Image" surrogate (DATA.md). Fashion-MNIST's 28 x 28 grey images from Debian's
// dataset-fashion-mnist package, padded with 2 black pixels on every side to 32 x 32 and read row-major as
// 1024 tokens (pixel values, vocabulary 256), 10 classes. Splits: train = the first 55000 images of the
// training file, val = its last 5000, test = the 10000 images of the test file.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/generate.hpp"

namespace glia::data::fashion {

inline constexpr const char* kGeneratorVersion = "sfashion_mnist-1";
inline constexpr const char* kDefaultSource = "/usr/share/datasets/fashion-mnist";
inline constexpr std::int64_t kValImages = 5000;  // the last images of the training file
inline constexpr int kSide = 28, kPadded = 32, kPad = 2;

struct IdxImages {
  std::int64_t count = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;  // count * rows * cols
};

// IDX files (plain or gzip-compressed). ConfigError naming the file for a missing or unreadable file, a
// wrong magic number (0x00000803 images, 0x00000801 labels), or a size that does not match the header.
IdxImages read_idx_images(const std::string& path);
std::vector<std::uint8_t> read_idx_labels(const std::string& path);
// `dir/name.gz` or `dir/name`; ConfigError naming both if neither exists.
std::string find_idx(const std::string& dir, const std::string& name);
// A 28 x 28 image into the middle of a zeroed 32 x 32 one (row-major).
void pad_image(const std::uint8_t* src, std::uint8_t* dst);

std::unique_ptr<Task> make_task(const GenerateOptions& options);
std::unique_ptr<Task> make_task(const Manifest& m, const std::optional<std::string>& source);

}  // namespace glia::data::fashion
