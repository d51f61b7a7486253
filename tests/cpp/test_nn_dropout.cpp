#include <gtest/gtest.h>

#include <omp.h>
#include <cmath>

#include "engine/nn/ops/dropout.hpp"
#include "nn_test_support.hpp"

namespace glia::nn {

using testing::random_tensor;

TEST(NnDropout, KeptValuesAreScaledAndTheKeptFractionIsOneMinusP) {
  const Index n = 100000;
  const Tensor<double> x = random_tensor<double>({n}, 1, 1.0, 3.0);
  const double p = 0.3;
  const auto ctx = dropout_forward(x, p, DropoutKey{42, 7, 0});
  Index kept = 0;
  for (Index i = 0; i < n; ++i) {
    if (ctx.out[i] == 0) continue;
    ++kept;
    EXPECT_DOUBLE_EQ(ctx.out[i], x[i] / (1 - p));
  }
  // Binomial(n, 1 − p) within 5 standard deviations.
  const double sd = std::sqrt(n * p * (1 - p));
  EXPECT_NEAR(static_cast<double>(kept), n * (1 - p), 5 * sd);
}

TEST(NnDropout, MaskIsAFunctionOfTheKeyOnly) {
  const Tensor<float> x = random_tensor<float>({4, 1001}, 2);
  const DropoutKey key{9, 3, 2};
  const auto a = dropout_forward(x, 0.5, key);
  EXPECT_EQ(dropout_forward(x, 0.5, key).out.values(), a.out.values());
  // Thread count does not matter.
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto serial = dropout_forward(x, 0.5, key);
  omp_set_num_threads(threads);
  EXPECT_EQ(serial.out.values(), a.out.values());
  // Another step, site or seed draws another mask.
  for (const DropoutKey other : {DropoutKey{9, 4, 2}, DropoutKey{9, 3, 3}, DropoutKey{10, 3, 2}})
    EXPECT_NE(dropout_forward(x, 0.5, other).out.values(), a.out.values());
}

TEST(NnDropout, BackwardAppliesTheSameMaskAndScale) {
  const Tensor<double> x = random_tensor<double>({3, 50}, 3, 1.0, 2.0);
  const Tensor<double> d_out = random_tensor<double>({3, 50}, 4);
  const auto ctx = dropout_forward(x, 0.25, DropoutKey{5, 1, 1});
  const Tensor<double> d_x = dropout_backward(ctx, d_out);
  for (Index i = 0; i < x.size(); ++i) {
    const bool kept = dropout_keeps(ctx.key, 0.25, i);
    EXPECT_EQ(ctx.out[i] != 0, kept);
    EXPECT_DOUBLE_EQ(d_x[i], kept ? d_out[i] / 0.75 : 0.0);
  }
}

TEST(NnDropout, ZeroRateIsTheIdentityAndBadRatesAreErrors) {
  const Tensor<float> x = random_tensor<float>({10}, 5);
  EXPECT_EQ(dropout_forward(x, 0.0, DropoutKey{}).out.values(), x.values());
  EXPECT_THROW(dropout_forward(x, 1.0, DropoutKey{}), ConfigError);
  EXPECT_THROW(dropout_forward(x, -0.1, DropoutKey{}), ConfigError);
  EXPECT_THROW(dropout_forward(x, 0.1, DropoutKey{0, 0, 70000}), ConfigError);
}

}  // namespace glia::nn
