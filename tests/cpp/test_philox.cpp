#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/philox.hpp"

namespace glia {

// Known-answer vectors of Philox4x32-10 published with the Random123 library.
TEST(Philox, KnownAnswerZero) {
  const Philox4x32 r = philox4x32_10(Philox4x32{{0, 0, 0, 0}}, 0, 0);
  EXPECT_EQ(r.v[0], 0x6627e8d5u);
  EXPECT_EQ(r.v[1], 0xe169c58du);
  EXPECT_EQ(r.v[2], 0xbc57ac4cu);
  EXPECT_EQ(r.v[3], 0x9b00dbd8u);
}

TEST(Philox, KnownAnswerOnes) {
  const Philox4x32 r = philox4x32_10(Philox4x32{{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}},
                                     0xffffffffu, 0xffffffffu);
  EXPECT_EQ(r.v[0], 0x408f276du);
  EXPECT_EQ(r.v[1], 0x41c83b0eu);
  EXPECT_EQ(r.v[2], 0xa20bc7c6u);
  EXPECT_EQ(r.v[3], 0x6d5451fdu);
}

TEST(Philox, KnownAnswerPi) {
  const Philox4x32 r = philox4x32_10(Philox4x32{{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}},
                                     0xa4093822u, 0x299f31d0u);
  EXPECT_EQ(r.v[0], 0xd16cfe09u);
  EXPECT_EQ(r.v[1], 0x94fdccebu);
  EXPECT_EQ(r.v[2], 0x5001e420u);
  EXPECT_EQ(r.v[3], 0x24126ea1u);
}

// Uniforms: in [0,1), mean 1/2 and variance 1/12 within 5 standard errors.
TEST(Philox, UniformMoments) {
  const int n = 200000;
  double sum = 0, sum2 = 0;
  for (int k = 0; k < n; ++k) {
    const double u = philox_uniform(42, k, 7, 3);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sum2 += u * u;
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.5, 5 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(var, 1.0 / 12, 5 * std::sqrt(1.0 / 180 / n));
}

TEST(Philox, StreamsDiffer) {
  EXPECT_NE(philox_uniform(1, 10, 0, 0), philox_uniform(1, 10, 1, 0));
  EXPECT_NE(philox_uniform(1, 10, 0, 0), philox_uniform(1, 10, 0, 1));
  EXPECT_NE(philox_uniform(1, 10, 0, 0), philox_uniform(2, 10, 0, 0));
  EXPECT_EQ(philox_uniform(1, 10, 0, 0), philox_uniform(1, 10, 0, 0));
}

}  // namespace glia

namespace glia {

TEST(Philox, NormalMoments) {
  const int n = 200000;
  double s1 = 0, s2 = 0, s4 = 0;
  for (int k = 0; k < n; ++k) {
    const double z = philox_normal(5, k, 1, 2);
    ASSERT_TRUE(std::isfinite(z));
    s1 += z;
    s2 += z * z;
    s4 += z * z * z * z;
  }
  EXPECT_NEAR(s1 / n, 0.0, 5 * std::sqrt(1.0 / n));
  EXPECT_NEAR(s2 / n, 1.0, 5 * std::sqrt(2.0 / n));
  EXPECT_NEAR(s4 / n, 3.0, 5 * std::sqrt(96.0 / n));
}

// The vectorised lanes are the same blocks as philox_block, word for word, including a counter
// range that wraps around 2^32.
TEST(Philox, BlocksOfLanesEqualSingleBlocks) {
  const std::uint32_t starts[] = {0u, 12345u, 0xfffffff8u};
  for (const std::uint32_t first : starts) {
    std::uint32_t words[4][kPhiloxLanes];
    philox_blocks(0x123456789abcdefULL, -7, first, 0x64720003u, words);
    for (int j = 0; j < kPhiloxLanes; ++j) {
      const Philox4x32 r =
          philox_block(0x123456789abcdefULL, -7, first + static_cast<std::uint32_t>(j), 0x64720003u);
      for (int w = 0; w < 4; ++w) EXPECT_EQ(words[w][j], r.v[w]) << "lane " << j << " word " << w;
    }
  }
}

}  // namespace glia
