#include "data/pathfinder.hpp"

#include <algorithm>
#include <cmath>

#include "data/random.hpp"
#include "engine/core/error.hpp"
#include "engine/io/json_reader.hpp"

namespace glia::data::pathfinder {

namespace {

constexpr double kPi = 3.14159265358979323846;

Point operator+(Point a, Point b) { return {a.x + b.x, a.y + b.y}; }
Point operator-(Point a, Point b) { return {a.x - b.x, a.y - b.y}; }
Point operator*(double s, Point a) { return {s * a.x, s * a.y}; }
double dot(Point a, Point b) { return a.x * b.x + a.y * b.y; }
double cross(Point a, Point b) { return a.x * b.y - a.y * b.x; }
Point direction(double theta) { return {std::cos(theta), std::sin(theta)}; }

double point_segment_distance(Point p, Point a, Point b) {
  const Point ab = b - a;
  const double len2 = dot(ab, ab);
  const double t = len2 > 0 ? std::clamp(dot(p - a, ab) / len2, 0.0, 1.0) : 0.0;
  const Point d = p - (a + t * ab);
  return std::sqrt(dot(d, d));
}

bool segments_cross(Point a, Point b, Point c, Point d) {
  const double d1 = cross(b - a, c - a), d2 = cross(b - a, d - a);
  const double d3 = cross(d - c, a - c), d4 = cross(d - c, b - c);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

double segment_distance(Point a, Point b, Point c, Point d) {
  if (segments_cross(a, b, c, d)) return 0.0;
  return std::min({point_segment_distance(a, c, d), point_segment_distance(b, c, d),
                   point_segment_distance(c, a, b), point_segment_distance(d, a, b)});
}

struct Paddle {
  Point tail, head;
};

struct Snake {
  int latest = -1;  // index of its newest paddle (not yet an obstacle for the snake itself)
  double theta = 0;
  Point head;
  Point origin;
};

// One image being built: paddles as segments, and a raster of the space they block.
class Scene {
 public:
  Scene(const Params& p, PhiloxSequence& rng)
      : p_(p), rng_(rng), blocked_(static_cast<std::size_t>(p.size * p.size), 0) {
    const int K = static_cast<int>(std::ceil(2 * kPi * (p.paddle_length + p.margin)));
    for (int k = 0; k < K; ++k) {
      double d = 2 * kPi * k / K;
      if (d > kPi) d -= 2 * kPi;
      const double w = std::max(std::cos(std::min(std::fabs(d) * p.continuity, kPi / 2)), 0.0);
      turns_.push_back(d);
      turn_weights_.push_back(w * w);
    }
    const int r = static_cast<int>(std::floor(p.margin));
    for (int dy = -r; dy <= r; ++dy)
      for (int dx = -r; dx <= r; ++dx)
        if (dx * dx + dy * dy <= p.margin * p.margin) dilation_.push_back({dx, dy});
  }

  bool inside(Point q) const {
    return q.x >= p_.padding && q.x <= p_.size - p_.padding && q.y >= p_.padding &&
           q.y <= p_.size - p_.padding;
  }

  // True if the stroke comes closer than margin + thickness (a clear gap of `margin` between the strokes'
  // edges) to any paddle other than `except`.
  bool collides(const Paddle& s, int except) const {
    for (std::size_t j = 0; j < paddles_.size(); ++j) {
      if (static_cast<int>(j) == except) continue;
      const Paddle& o = paddles_[j];
      if (segment_distance(s.tail, s.head, o.tail, o.head) < p_.margin + p_.thickness) return true;
    }
    return false;
  }

  // Marks the pixels whose centre lies within margin + thickness / 2 of a paddle (its dilated footprint).
  void stamp(int index) {
    if (index < 0) return;
    const Paddle& s = paddles_[static_cast<std::size_t>(index)];
    const double reach = p_.margin + p_.thickness / 2;
    const int x0 = std::max(0, static_cast<int>(std::floor(std::min(s.tail.x, s.head.x) - reach)));
    const int x1 = std::min(p_.size - 1, static_cast<int>(std::ceil(std::max(s.tail.x, s.head.x) + reach)));
    const int y0 = std::max(0, static_cast<int>(std::floor(std::min(s.tail.y, s.head.y) - reach)));
    const int y1 = std::min(p_.size - 1, static_cast<int>(std::ceil(std::max(s.tail.y, s.head.y) + reach)));
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x)
        if (point_segment_distance({x + 0.5, y + 0.5}, s.tail, s.head) <= reach) blocked(x, y) = 1;
  }

  // Free-space mask dilated by the margin: a candidate end point must not fall on it.
  bool free_at(Point q) const {
    const int x = static_cast<int>(std::floor(q.x)), y = static_cast<int>(std::floor(q.y));
    for (const auto& [dx, dy] : dilation_) {
      const int u = x + dx, v = y + dy;
      if (u >= 0 && u < p_.size && v >= 0 && v < p_.size && blocked(u, v)) return false;
    }
    return true;
  }

  int add(const Paddle& s) {
    paddles_.push_back(s);
    return static_cast<int>(paddles_.size()) - 1;
  }

  // One more paddle for `snake`: a candidate end point on the circle of radius length + margin around the
  // pivot (margin beyond the current head), weighted by continuity and free space; up to paddle_retries
  // further draws if the stroke overlaps another.
  bool extend(Snake& snake) {
    const double L = p_.paddle_length, m = p_.margin;
    const Point pivot = snake.head + m * direction(snake.theta);
    double total = 0;
    weights_.assign(turns_.size(), 0.0);
    for (std::size_t k = 0; k < turns_.size(); ++k) {
      if (turn_weights_[k] <= 0) continue;
      const Point head = pivot + (L + m) * direction(snake.theta + turns_[k]);
      const Point tail = pivot + m * direction(snake.theta + turns_[k]);
      if (!inside(head) || !inside(tail) || !free_at(head)) continue;
      weights_[k] = turn_weights_[k];
      total += weights_[k];
    }
    if (total < 1e-9) return false;
    for (int attempt = 0; attempt <= p_.paddle_retries; ++attempt) {
      double u = rng_.uniform() * total;
      std::size_t k = 0;  // the candidate where u falls; the last positive one if rounding overshoots
      for (std::size_t j = 0; j < weights_.size(); ++j) {
        if (weights_[j] <= 0) continue;
        k = j;
        if (u < weights_[j]) break;
        u -= weights_[j];
      }
      const double theta = snake.theta + turns_[k];
      const Paddle s{pivot + m * direction(theta), pivot + (L + m) * direction(theta)};
      if (collides(s, snake.latest)) continue;
      stamp(snake.latest);
      snake.latest = add(s);
      snake.theta = theta;
      snake.head = s.head;
      return true;
    }
    return false;
  }

  // The first paddle of a snake whose tail is `tail`; false if it leaves the image or overlaps.
  bool seed_at(Snake& snake, Point tail, double theta) {
    const Paddle s{tail, tail + p_.paddle_length * direction(theta)};
    if (!inside(s.tail) || !inside(s.head) || collides(s, -1)) return false;
    snake.latest = add(s);
    snake.theta = theta;
    snake.head = s.head;
    snake.origin = s.tail;
    return true;
  }

  // A distractor's first paddle: the tail uniformly among the free pixel centres where the paddle fits.
  bool seed_anywhere(Snake& snake) {
    for (int attempt = 0; attempt <= p_.paddle_retries; ++attempt) {
      const double theta = angle();
      free_pixels_.clear();
      for (int y = p_.padding; y < p_.size - p_.padding; ++y)
        for (int x = p_.padding; x < p_.size - p_.padding; ++x)
          if (!blocked(x, y)) free_pixels_.push_back(y * p_.size + x);
      while (!free_pixels_.empty()) {
        const auto i = static_cast<std::size_t>(rng_.below(static_cast<std::int64_t>(free_pixels_.size())));
        const int pixel = free_pixels_[i];
        if (seed_at(snake, {pixel % p_.size + 0.5, pixel / p_.size + 0.5}, theta)) return true;
        free_pixels_[i] = free_pixels_.back();
        free_pixels_.pop_back();
      }
    }
    return false;
  }

  double angle() { return (2 * rng_.uniform() - 1) * kPi; }
  void finish(const Snake& snake) { stamp(snake.latest); }

  std::size_t size() const { return paddles_.size(); }
  void truncate(std::size_t n, const std::vector<std::uint8_t>& blocked_before) {
    paddles_.resize(n);
    blocked_ = blocked_before;
  }
  const std::vector<std::uint8_t>& blocked_raster() const { return blocked_; }
  const std::vector<Paddle>& paddles() const { return paddles_; }
  void clear() {
    paddles_.clear();
    std::fill(blocked_.begin(), blocked_.end(), std::uint8_t{0});
  }

 private:
  std::uint8_t& blocked(int x, int y) { return blocked_[static_cast<std::size_t>(y * p_.size + x)]; }
  std::uint8_t blocked(int x, int y) const { return blocked_[static_cast<std::size_t>(y * p_.size + x)]; }

  const Params& p_;
  PhiloxSequence& rng_;
  std::vector<Paddle> paddles_;
  std::vector<std::uint8_t> blocked_;
  std::vector<double> turns_, turn_weights_, weights_;
  std::vector<std::pair<int, int>> dilation_;
  std::vector<int> free_pixels_;
};

// Draws the scene at antialias x resolution (coverage of a stroke or disc at each fine pixel centre, max
// over shapes), averages antialias x antialias blocks and scales the brightest pixel to 255.
std::vector<std::uint8_t> render(const Params& p, const std::vector<Paddle>& paddles,
                                 const Point markers[2]) {
  const int a = p.antialias, H = p.size * a;
  std::vector<double> fine(static_cast<std::size_t>(H * H), 0.0);
  const auto draw = [&](Point lo, Point hi, double reach, double value, auto&& distance, double half_width) {
    const int x0 = std::max(0, static_cast<int>(std::floor((lo.x - reach) * a)));
    const int x1 = std::min(H - 1, static_cast<int>(std::ceil((hi.x + reach) * a)));
    const int y0 = std::max(0, static_cast<int>(std::floor((lo.y - reach) * a)));
    const int y1 = std::min(H - 1, static_cast<int>(std::ceil((hi.y + reach) * a)));
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        const double d = distance(Point{(x + 0.5) / a, (y + 0.5) / a});
        const double coverage = std::clamp((half_width - d) * a + 0.5, 0.0, 1.0);
        double& f = fine[static_cast<std::size_t>(y * H + x)];
        f = std::max(f, value * coverage);
      }
  };
  const double contrast = p.snake_contrast * p.paddle_contrast;
  for (const Paddle& s : paddles) {
    const Point lo{std::min(s.tail.x, s.head.x), std::min(s.tail.y, s.head.y)};
    const Point hi{std::max(s.tail.x, s.head.x), std::max(s.tail.y, s.head.y)};
    draw(
        lo, hi, p.thickness, contrast, [&](Point q) { return point_segment_distance(q, s.tail, s.head); },
        p.thickness / 2);
  }
  for (int k = 0; k < 2; ++k) {
    const Point c = markers[k];
    draw(
        c, c, p.marker_radius + 1, 1.0, [&](Point q) { return std::sqrt(dot(q - c, q - c)); },
        p.marker_radius);
  }
  std::vector<double> coarse(static_cast<std::size_t>(p.size * p.size), 0.0);
  double peak = 0;
  for (int y = 0; y < p.size; ++y)
    for (int x = 0; x < p.size; ++x) {
      double sum = 0;
      for (int v = 0; v < a; ++v)
        for (int u = 0; u < a; ++u) sum += fine[static_cast<std::size_t>((y * a + v) * H + x * a + u)];
      const double mean = sum / (a * a);
      coarse[static_cast<std::size_t>(y * p.size + x)] = mean;
      peak = std::max(peak, mean);
    }
  std::vector<std::uint8_t> pixels(coarse.size());
  for (std::size_t i = 0; i < coarse.size(); ++i)
    pixels[i] = static_cast<std::uint8_t>(std::lround(peak > 0 ? 255.0 * coarse[i] / peak : 0.0));
  return pixels;
}

Point pixel_center(Point q) { return {std::floor(q.x) + 0.5, std::floor(q.y) + 0.5}; }

// One try at the whole scene; false if a snake could not be completed (the image restarts).
bool try_scene(Scene& scene, PhiloxSequence& rng, const Params& p, Snake target[2]) {
  scene.clear();
  // The first target snake starts near the centre: its tail on a pixel centre at least 2 * seed_distance from
  // every border (the whole padded image when that leaves nothing).
  const int lo = static_cast<int>(std::ceil(2 * p.seed_distance));
  const bool central = p.size - 2 * lo > 0;
  const int first = central ? lo : p.padding, span = central ? p.size - 2 * lo : p.size - 2 * p.padding;
  bool seeded = false;
  for (int attempt = 0; attempt <= p.paddle_retries && !seeded; ++attempt) {
    const auto x = static_cast<double>(first + rng.below(span));
    const auto y = static_cast<double>(first + rng.below(span));
    const Point tail{x + 0.5, y + 0.5};
    seeded = scene.seed_at(target[0], tail, scene.angle());
  }
  if (!seeded) return false;
  // The second one seed_distance away, in a random direction, on the nearest pixel centre.
  seeded = false;
  for (int attempt = 0; attempt <= p.paddle_retries && !seeded; ++attempt) {
    const Point tail = pixel_center(target[0].origin + p.seed_distance * direction(scene.angle()));
    seeded = scene.seed_at(target[1], tail, scene.angle());
  }
  if (!seeded) return false;
  for (int k = 1; k < p.contour_length; ++k)
    for (int s = 0; s < 2; ++s)
      if (!scene.extend(target[s])) return false;
  scene.finish(target[0]);
  scene.finish(target[1]);
  for (int d = 0; d < p.num_distractors; ++d) {
    bool done = false;
    for (int attempt = 0; attempt <= p.snake_retries && !done; ++attempt) {
      const std::size_t before = scene.size();
      const std::vector<std::uint8_t> blocked = scene.blocked_raster();
      Snake snake;
      done = scene.seed_anywhere(snake);
      for (int k = 1; k < p.distractor_length && done; ++k) done = scene.extend(snake);
      if (done)
        scene.finish(snake);
      else
        scene.truncate(before, blocked);
    }
    if (!done) return false;
  }
  return true;
}

class PathfinderTask : public Task {
 public:
  PathfinderTask(std::uint64_t seed, const Params& p) : seed_(seed), p_(p) {
    Manifest& m = base_;
    m.task = "pathfinder32";
    m.generator_version = kGeneratorVersion;
    m.seed = seed;
    m.parameters = {{"size", p.size},
                    {"padding", p.padding},
                    {"antialias", p.antialias},
                    {"contour_length", p.contour_length},
                    {"distractor_length", p.distractor_length},
                    {"num_distractors", p.num_distractors},
                    {"paddle_length", p.paddle_length},
                    {"thickness", p.thickness},
                    {"margin", p.margin},
                    {"continuity", p.continuity},
                    {"seed_distance", p.seed_distance},
                    {"marker_radius", p.marker_radius},
                    {"snake_contrast", p.snake_contrast},
                    {"paddle_contrast", p.paddle_contrast},
                    {"paddle_retries", p.paddle_retries},
                    {"snake_retries", p.snake_retries}};
    m.vocab_size = 256;
    m.num_classes = 2;
    m.max_length = p.size * p.size;
    m.token_type = token_type_for(m.vocab_size);
    m.extras = {{"endpoints", 8}, {"markers", 4}};
    m.token_map = {
        {"0-255", "pixel value (row-major 32 x 32; brightest pixel of each image = 255)"},
        {"endpoints",
         "x, y (px from the top-left corner) of snake 0 origin, snake 0 end, snake 1 origin, "
         "snake 1 end"},
        {"markers", "x, y of the two markers"},
        {"labels", "1: both markers on the two ends of one snake; 0: on ends of different snakes"}};
  }

  ShardContent generate(const std::string& split, std::int64_t first, std::int64_t count,
                        const ProgressFn& progress) override {
    const Params& p = p_;
    const std::int64_t L = p.size * p.size;
    ShardContent c;
    c.tokens = TokenMatrix(base_.token_type, count, L);
    c.lengths.assign(static_cast<std::size_t>(count), static_cast<std::int32_t>(L));
    c.labels.resize(static_cast<std::size_t>(count));
    c.extras = {std::vector<float>(static_cast<std::size_t>(count * 8)),
                std::vector<float>(static_cast<std::size_t>(count * 4))};
    auto& bytes = std::get<std::vector<std::uint8_t>>(c.tokens.storage());
    std::vector<int> attempts(static_cast<std::size_t>(count), 0);
    constexpr std::int64_t kChunk = 512;
    for (std::int64_t c0 = 0; c0 < count; c0 += kChunk) {
      const std::int64_t c1 = std::min(count, c0 + kChunk);
      std::string error;
#pragma omp parallel for schedule(dynamic, 8)
      for (std::int64_t i = c0; i < c1; ++i) {
        const std::int64_t index = first + i;
        const int label = example_label(seed_, split, index);
        Image im;
        try {
          im = generate_image(seed_, example_step(split, index), label, p);
        } catch (const std::exception& e) {
#pragma omp critical(glia_pathfinder_error)
          error = e.what();
          continue;
        }
        const auto r = static_cast<std::size_t>(i);
        std::copy(im.pixels.begin(), im.pixels.end(), bytes.begin() + i * L);
        c.labels[r] = label;
        for (int k = 0; k < 4; ++k) {
          c.extras[0][r * 8 + 2 * static_cast<std::size_t>(k)] = static_cast<float>(im.endpoints[k].x);
          c.extras[0][r * 8 + 2 * static_cast<std::size_t>(k) + 1] = static_cast<float>(im.endpoints[k].y);
        }
        for (int k = 0; k < 2; ++k) {
          c.extras[1][r * 4 + 2 * static_cast<std::size_t>(k)] = static_cast<float>(im.markers[k].x);
          c.extras[1][r * 4 + 2 * static_cast<std::size_t>(k) + 1] = static_cast<float>(im.markers[k].y);
        }
        attempts[r] = im.attempts;
      }
      if (!error.empty()) throw RuntimeError(error);
      if (progress) progress(c1);
    }
    std::int64_t total = 0;
    for (int a : attempts) total += a;
    c.info = {{"images_started", total}};
    return c;
  }

  nlohmann::json statistics(const Manifest& m) const override {
    std::int64_t started = 0, images = 0;
    for (const auto& [name, s] : m.splits)
      for (const auto& sh : s.shards) {
        started += sh.info.contains("images_started") ? sh.info["images_started"].get<std::int64_t>() : 0;
        images += sh.examples;
      }
    return {{"images_started_per_image",
             images > 0 ? static_cast<double>(started) / static_cast<double>(images) : 0.0}};
  }

  void verify(const std::string&, std::int64_t first, const ShardContent& c,
              const std::string& path) override {
    const Params p;
    for (std::int64_t i = 0; i < c.size(); ++i) {
      const auto r = static_cast<std::size_t>(i);
      const auto where = [&] {
        return "shard " + path + ": example " + std::to_string(i) + " (index " + std::to_string(first + i) +
               ")";
      };
      if (c.lengths[r] != p.size * p.size) throw RuntimeError(where() + ": length is not 1024");
      int label = -1;
      try {
        label = label_from_metadata(&c.extras[0][r * 8], &c.extras[1][r * 4]);
      } catch (const RuntimeError& e) {
        throw RuntimeError(where() + ": " + e.what());
      }
      if (label != c.labels[r])
        throw RuntimeError(where() + ": label " + std::to_string(c.labels[r]) + " but the markers say " +
                           std::to_string(label));
      // Each marker covers the pixel its centre lies in: that pixel is at least 1 / stroke contrast of the
      // brightest (255).
      for (int k = 0; k < 2; ++k) {
        const int x = static_cast<int>(std::floor(c.extras[1][r * 4 + 2 * static_cast<std::size_t>(k)]));
        const int y = static_cast<int>(std::floor(c.extras[1][r * 4 + 2 * static_cast<std::size_t>(k) + 1]));
        const std::int32_t v =
            (x >= 0 && x < p.size && y >= 0 && y < p.size) ? c.tokens.get(i, y * p.size + x) : 0;
        if (v < kMarkerMinimum)
          throw RuntimeError(where() + ": no marker in the image at pixel (" + std::to_string(x) + ", " +
                             std::to_string(y) + ") (value " + std::to_string(v) + ")");
      }
    }
  }

  static constexpr std::int32_t kMarkerMinimum = 160;

 private:
  std::uint64_t seed_;
  Params p_;
};

}  // namespace

Image generate_image(std::uint64_t seed, std::int64_t step, int label, const Params& p) {
  PhiloxSequence rng(seed, step, kStream);
  Scene scene(p, rng);
  Snake target[2];
  Image im;
  im.label = label;
  constexpr int kMaxAttempts = 10000;
  do {
    if (++im.attempts > kMaxAttempts)
      throw RuntimeError("pathfinder: no image after " + std::to_string(kMaxAttempts) + " attempts (step " +
                         std::to_string(step) + ")");
    target[0] = target[1] = Snake{};
  } while (!try_scene(scene, rng, p, target));
  im.endpoints[0] = target[0].origin;
  im.endpoints[1] = target[0].head;
  im.endpoints[2] = target[1].origin;
  im.endpoints[3] = target[1].head;
  const int a = static_cast<int>(rng.below(2));
  im.markers[0] = target[a].origin;
  im.markers[1] = label == 1 ? target[a].head : target[1 - a].head;
  im.pixels = render(p, scene.paddles(), im.markers);
  return im;
}

std::int64_t example_step(const std::string& split, std::int64_t index) {
  std::int64_t k = 0;
  while (k < 3 && split != kSplitNames[static_cast<std::size_t>(k)]) ++k;
  if (k == 3) throw ConfigError("split", "\"" + split + "\"", "expected train, val or test");
  return (k << 40) + index;
}

int example_label(std::uint64_t seed, const std::string& split, std::int64_t index) {
  const std::int64_t pair = example_step(split, index) / 2;  // split offsets are even
  const int flip = static_cast<int>(philox_block(seed, pair, 0, kLabelStream).v[0] & 1u);
  return static_cast<int>(index & 1) ^ flip;
}

int label_from_metadata(const float* endpoints8, const float* markers4) {
  int which[2];
  for (int k = 0; k < 2; ++k) {
    which[k] = -1;
    for (int e = 0; e < 4; ++e)
      if (endpoints8[2 * e] == markers4[2 * k] && endpoints8[2 * e + 1] == markers4[2 * k + 1]) which[k] = e;
    if (which[k] < 0)
      throw RuntimeError("marker " + std::to_string(k) + " at (" + std::to_string(markers4[2 * k]) + ", " +
                         std::to_string(markers4[2 * k + 1]) + ") is not on a snake end");
  }
  // Ends: 0, 2 are origins, 1, 3 are the far ends; the markers are one origin and one far end.
  if (which[0] % 2 == which[1] % 2) throw RuntimeError("both markers on origins or both on far ends");
  return which[0] / 2 == which[1] / 2 ? 1 : 0;
}

std::unique_ptr<Task> make_task(const GenerateOptions& o) {
  if (o.source) throw ConfigError("--source", "\"" + *o.source + "\"", "only sfashion_mnist reads a source");
  if (o.min_length) throw ConfigError("--min-length", std::to_string(*o.min_length), "only for listops");
  if (o.max_length) throw ConfigError("--max-length", std::to_string(*o.max_length), "only for listops");
  Params p;
  if (o.contour_length) {
    if (*o.contour_length < 3 || *o.contour_length > 20)
      throw ConfigError("--contour-length", std::to_string(*o.contour_length),
                        "must be in [3, 20] (LRA's levels: 6 easy, 9 intermediate, 14 hard)");
    p.contour_length = static_cast<int>(*o.contour_length);
    p.distractor_length = p.contour_length / 3;
  }
  auto task = std::make_unique<PathfinderTask>(o.seed.value_or(1), p);
  set_sizes(task->mutable_base(), o, 160000, 20000, 20000, 10000);
  return task;
}

std::unique_ptr<Task> make_task(const Manifest& m) {
  if (m.generator_version != kGeneratorVersion)
    throw ConfigError("manifest", "generator_version = " + m.generator_version,
                      std::string("this glia checks ") + kGeneratorVersion);
  Params p;
  try {
    io::JsonObjectReader r(m.parameters, "parameters");
    p.contour_length = static_cast<int>(r.integer("contour_length"));
    p.distractor_length = static_cast<int>(r.integer("distractor_length"));
  } catch (const ConfigError& e) {
    throw ConfigError("manifest", "", e.what());
  }
  auto task = std::make_unique<PathfinderTask>(m.seed, p);
  // The other parameters are fixed by the generator version; a manifest that records others was not written
  // by it.
  for (const auto& [key, value] : task->base().parameters.items())
    if (!m.parameters.contains(key) || m.parameters[key] != value)
      throw ConfigError("manifest", "parameters." + key,
                        "differs from " + std::string(kGeneratorVersion) + "'s " + io::json_text(value));
  task->mutable_base() = m;
  return task;
}

}  // namespace glia::data::pathfinder
