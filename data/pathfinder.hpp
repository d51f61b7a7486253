#pragma once
// Pathfinder-32 "hard" after the Long Range Arena / Linsley et al. (2018) generator (DATA.md, docs/data.md):
// two target snakes of 14 paddles and 5 distractor snakes of 14 // 3 paddles are grown on a 32 x 32 image;
// two round markers sit on the two ends of one target snake (label 1) or on one end of each (label 0).
// Images are rendered at 2x and box-downsampled (anti-aliasing); tokens are the pixel values 0-255.
#include <cstdint>
#include <memory>
#include <vector>

#include "data/generate.hpp"

namespace glia::data::pathfinder {

inline constexpr std::uint32_t kStream = 0x70617468;       // "path": the draws of one image
inline constexpr std::uint32_t kLabelStream = 0x6c61626c;  // "labl": which of a pair of examples is positive
inline constexpr const char* kGeneratorVersion = "pathfinder32-1";

struct Params {
  int size = 32;            // image side, px
  int padding = 1;          // px at each border that no stroke enters
  int antialias = 2;        // rendered at size * antialias, then box-downsampled
  int contour_length = 14;  // paddles per target snake
  int distractor_length = 14 / 3;
  int num_distractors = 5;
  double paddle_length = 2.0;   // px
  double thickness = 0.5;       // px
  double margin = 1.0;          // px of free space kept around strokes
  double continuity = 1.0;      // weight max(cos(min(|dtheta| * continuity, pi/2)), 0)^2
  double seed_distance = 7.0;   // px between the first tails of the two target snakes
  double marker_radius = 1.5;   // px
  double snake_contrast = 2.0;  // stroke intensity = snake_contrast * paddle_contrast (markers: 1)
  double paddle_contrast = 0.75;
  int paddle_retries = 2;  // extra draws for a stroke that overlaps another
  int snake_retries = 4;   // extra attempts for a distractor snake before the image restarts
};

struct Point {
  double x = 0;  // px from the left edge of the image
  double y = 0;  // px from the top edge
};

struct Image {
  std::vector<std::uint8_t> pixels;  // size * size, row-major
  int label = 0;
  Point endpoints[4];  // snake 0 origin, snake 0 end, snake 1 origin, snake 1 end
  Point markers[2];
  int attempts = 0;  // images started until one succeeded (1 = no restart)
};

// The image of Philox step `step` (split and example index) with the given label.
Image generate_image(std::uint64_t seed, std::int64_t step, int label, const Params& p = Params{});

// Step of example `index` of a split: split number (train 0, val 1, test 2) * 2^40 + index.
std::int64_t example_step(const std::string& split, std::int64_t index);
// Labels alternate within each pair of examples (2k, 2k + 1) in an order drawn from kLabelStream, so every
// split is balanced to within one example.
int example_label(std::uint64_t seed, const std::string& split, std::int64_t index);

// 1 if the two markers sit on the two ends of one snake, 0 if on ends of different snakes; RuntimeError if
// a marker is not on a snake end or both are on the same end kind (two origins or two ends).
int label_from_metadata(const float* endpoints8, const float* markers4);

std::unique_ptr<Task> make_task(const GenerateOptions& options);
std::unique_ptr<Task> make_task(const Manifest& m);

}  // namespace glia::data::pathfinder
