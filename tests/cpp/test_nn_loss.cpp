// Mean pooling and cross-entropy: values, masks, gradients against central differences.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/nn/ops/cross_entropy.hpp"
#include "engine/nn/ops/mean_pooling.hpp"
#include "nn_test_support.hpp"

namespace glia::nn {

using testing::expect_gradient;
using testing::random_tensor;
using testing::weighted_sum;

template <class T>
class NnLoss : public ::testing::Test {};
TYPED_TEST_SUITE(NnLoss, testing::Scalars, testing::ScalarNames);

TYPED_TEST(NnLoss, MeanPoolingOverRealPositions) {
  using T = TypeParam;
  Tensor<T> x = random_tensor<T>({2, 4, 3}, 1);
  const Tensor<std::uint8_t> mask({2, 4}, {1, 1, 1, 1, 1, 0, 1, 0});
  const Tensor<T> w = random_tensor<T>({2, 3}, 2);
  const auto ctx = mean_pooling_forward(x, &mask);
  // batch 1 averages positions 0 and 2 only
  EXPECT_NEAR(ctx.out[3 + 1], (static_cast<double>(x[12 + 1]) + x[12 + 6 + 1]) / 2, 1e-6);
  const Tensor<T> d_x = mean_pooling_backward(ctx, w);
  EXPECT_EQ(d_x[12 + 3 + 2], T(0));  // masked position
  expect_gradient<T>(
      x, d_x, [&] { return weighted_sum(mean_pooling_forward(x, &mask).out, w); }, "masked d_x");
  expect_gradient<T>(
      x, mean_pooling_backward(mean_pooling_forward(x, nullptr), w),
      [&] { return weighted_sum(mean_pooling_forward(x, nullptr).out, w); }, "d_x");
  const Tensor<std::uint8_t> empty_row({2, 4}, {1, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_THROW(mean_pooling_forward(x, &empty_row), ConfigError);
}

TYPED_TEST(NnLoss, CrossEntropyGradientsWithAndWithoutSmoothing) {
  using T = TypeParam;
  Tensor<T> logits = random_tensor<T>({4, 5}, 3, 2.0);
  const Tensor<std::int32_t> labels({4}, {0, 4, 2, 2});
  for (const double smoothing : {0.0, 0.1}) {
    const auto ctx = cross_entropy_forward(logits, labels, smoothing);
    expect_gradient<T>(
        logits, cross_entropy_backward(ctx, 1.0),
        [&] { return cross_entropy_forward(logits, labels, smoothing).loss; },
        "smoothing " + std::to_string(smoothing));
  }
}

TEST(NnCrossEntropy, ValuesAccuracyAndErrors) {
  // Equal logits: loss log C whatever the label.
  const Tensor<double> flat({2, 4});
  EXPECT_NEAR(cross_entropy_forward(flat, Tensor<std::int32_t>({2}, {1, 3})).loss, std::log(4.0), 1e-15);
  // Hand-computed: logits (0, ln 3) with label 1 → −log(3/4); with smoothing 0.2 →
  // 0.8·(−log ¾) + 0.2·½(−log ¼ − log ¾).
  const Tensor<double> two({1, 2}, {0.0, std::log(3.0)});
  const Tensor<std::int32_t> one({1}, {1});
  EXPECT_NEAR(cross_entropy_forward(two, one).loss, -std::log(0.75), 1e-15);
  EXPECT_NEAR(cross_entropy_forward(two, one, 0.2).loss,
              0.8 * -std::log(0.75) + 0.1 * (-std::log(0.25) - std::log(0.75)), 1e-15);
  const Tensor<double> logits({3, 3}, {1, 2, 3, 5, 0, 0, 0, 0, 1});
  EXPECT_EQ(cross_entropy_forward(logits, Tensor<std::int32_t>({3}, {2, 0, 1})).correct, 2);
  try {
    cross_entropy_forward(logits, Tensor<std::int32_t>({3}, {2, 3, 0}));
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "cross_entropy.labels[1]");
  }
}

}  // namespace glia::nn
