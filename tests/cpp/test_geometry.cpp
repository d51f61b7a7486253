// Spatial queries (engine/sim/geometry) against brute force on random and grid layouts.
#include <gtest/gtest.h>

#include <limits>

#include "engine/core/philox.hpp"
#include "engine/sim/geometry.hpp"

using glia::sim::Positions;

namespace {

Positions random_points(std::uint32_t n, std::uint64_t seed, double lo, double hi) {
  Positions p;
  for (std::uint32_t i = 0; i < n; ++i) {
    p.x.push_back(lo + (hi - lo) * glia::philox_uniform(seed, 0, i, 1));
    p.y.push_back(lo + (hi - lo) * glia::philox_uniform(seed, 1, i, 1));
  }
  return p;
}

}  // namespace

TEST(Geometry, GridPositionsAreColumnMajor) {
  const Positions p = glia::sim::grid_positions(7, 3, 0.5, -1.0, 2.0);
  EXPECT_DOUBLE_EQ(p.x[4], -1.0 + 1 * 0.5);  // column 1
  EXPECT_DOUBLE_EQ(p.y[4], 2.0 + 1 * 0.5);   // row 1
  EXPECT_DOUBLE_EQ(p.x[6], -1.0 + 2 * 0.5);
  EXPECT_DOUBLE_EQ(p.y[6], 2.0);
}

TEST(Geometry, NearestPointsMatchBruteForce) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const Positions to = random_points(500, seed, 0.0, 1.0);
    const Positions from = random_points(2000, seed + 100, -0.3, 1.3);  // also outside to's box
    const auto got = glia::sim::nearest_points(from, to);
    for (std::size_t q = 0; q < from.size(); ++q) {
      double best = std::numeric_limits<double>::infinity();
      std::uint32_t best_j = 0;
      for (std::uint32_t j = 0; j < to.size(); ++j) {
        const double dx = to.x[j] - from.x[q], dy = to.y[j] - from.y[q], d = dx * dx + dy * dy;
        if (d < best) {
          best = d;
          best_j = j;
        }
      }
      ASSERT_EQ(got[q], best_j) << "seed " << seed << " query " << q;
    }
  }
}

TEST(Geometry, NearestPointTiesGoToTheLowestIndex) {
  Positions to;
  to.x = {1.0, -1.0, 0.0};
  to.y = {0.0, 0.0, 5.0};
  Positions from;
  from.x = {0.0};
  from.y = {0.0};
  EXPECT_EQ(glia::sim::nearest_points(from, to)[0], 0u);
}

TEST(Geometry, PairsWithinRadiusMatchBruteForce) {
  const Positions p = random_points(1500, 9, 0.0, 1.0);
  std::vector<std::int64_t> row;
  std::vector<std::uint32_t> nb;
  glia::sim::pairs_within(p, 0.04, row, nb);
  ASSERT_EQ(row.size(), p.size() + 1);
  for (std::size_t i = 0; i < p.size(); ++i) {
    std::vector<std::uint32_t> expect;
    for (std::uint32_t j = 0; j < p.size(); ++j) {
      const double dx = p.x[j] - p.x[i], dy = p.y[j] - p.y[i];
      if (j != i && dx * dx + dy * dy < 0.04 * 0.04) expect.push_back(j);
    }
    const std::vector<std::uint32_t> got(nb.begin() + row[i], nb.begin() + row[i + 1]);
    ASSERT_EQ(got, expect) << "point " << i;
  }
  // On a square grid of spacing d, a radius between d and d sqrt(2) gives the 4 nearest neighbours.
  const Positions g = glia::sim::grid_positions(56 * 57, 56, 64.7e-6, 0.0, 0.0);
  glia::sim::pairs_within(g, 75e-6, row, nb);
  EXPECT_EQ(row[56 * 20 + 20 + 1] - row[56 * 20 + 20], 4);  // interior
  EXPECT_EQ(row[1] - row[0], 2);                            // corner
}
