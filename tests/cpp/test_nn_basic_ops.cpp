// Embedding, positions, linear, layer norm and GELU: backward against central differences in
// float64 and float32, forward against values computed independently.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/nn/ops/embedding.hpp"
#include "engine/nn/ops/gelu.hpp"
#include "engine/nn/ops/layer_norm.hpp"
#include "engine/nn/ops/linear.hpp"
#include "engine/nn/ops/positions.hpp"
#include "nn_test_support.hpp"

namespace glia::nn {

using testing::expect_gradient;
using testing::random_tensor;
using testing::weighted_sum;

template <class T>
class NnBasicOps : public ::testing::Test {};
TYPED_TEST_SUITE(NnBasicOps, testing::Scalars, testing::ScalarNames);

TYPED_TEST(NnBasicOps, EmbeddingGradientScattersRepeatedIds) {
  using T = TypeParam;
  Tensor<std::int32_t> ids({2, 3}, {0, 3, 3, 1, 0, 3});
  Tensor<T> table = random_tensor<T>({5, 4}, 2);
  const Tensor<T> w = random_tensor<T>({2, 3, 4}, 3);
  const auto ctx = embedding_forward(ids, table);
  EXPECT_EQ(ctx.out[1 * 4 + 2], table[3 * 4 + 2]);
  Tensor<T> d_table(table.shape());
  embedding_backward(ctx, w, d_table);
  for (Index j = 0; j < 4; ++j) EXPECT_EQ(d_table[4 * 4 + j], T(0));  // id 4 unused
  expect_gradient<T>(
      table, d_table, [&] { return weighted_sum(embedding_forward(ids, table).out, w); }, "d_table");
}

TEST(NnEmbedding, IdOutsideVocabularyNamesItsPosition) {
  Tensor<std::int32_t> ids({1, 2}, {0, 7});
  try {
    embedding_forward(ids, Tensor<float>({5, 2}));
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "embedding.ids[0, 1]");
    EXPECT_EQ(e.value(), "7");
  }
}

TYPED_TEST(NnBasicOps, LearnedPositionsGradients) {
  using T = TypeParam;
  Tensor<T> x = random_tensor<T>({2, 3, 4}, 4);
  Tensor<T> table = random_tensor<T>({5, 4}, 5);
  const Tensor<T> w = random_tensor<T>({2, 3, 4}, 6);
  const auto ctx = learned_positions_forward(x, table);
  EXPECT_EQ(ctx.out[(1 * 3 + 2) * 4 + 1], x[(1 * 3 + 2) * 4 + 1] + table[2 * 4 + 1]);
  Tensor<T> d_table(table.shape());
  const Tensor<T> d_x = learned_positions_backward(ctx, w, d_table);
  for (Index j = 0; j < 8; ++j) EXPECT_EQ(d_table[3 * 4 + j], T(0));  // rows 3, 4 unused at N = 3
  const auto loss = [&] { return weighted_sum(learned_positions_forward(x, table).out, w); };
  expect_gradient<T>(x, d_x, loss, "d_x");
  expect_gradient<T>(table, d_table, loss, "d_table");
  EXPECT_THROW(learned_positions_forward(random_tensor<T>({1, 6, 4}, 1), table), ConfigError);
}

TYPED_TEST(NnBasicOps, SinusoidalPositionsValuesAndGradient) {
  using T = TypeParam;
  const Tensor<T> table = sinusoidal_table<T>(3, 4);
  // PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(same)
  EXPECT_EQ(table[0], T(0));
  EXPECT_EQ(table[1], T(1));
  EXPECT_NEAR(table[2 * 4 + 0], std::sin(2.0), 1e-7);
  EXPECT_NEAR(table[2 * 4 + 3], std::cos(2.0 / 100.0), 1e-7);
  Tensor<T> x = random_tensor<T>({2, 3, 4}, 7);
  const Tensor<T> w = random_tensor<T>({2, 3, 4}, 8);
  const auto ctx = sinusoidal_positions_forward(x);
  EXPECT_EQ(ctx.out[4 + 1], x[4 + 1] + table[4 + 1]);
  expect_gradient<T>(
      x, sinusoidal_positions_backward(ctx, w),
      [&] { return weighted_sum(sinusoidal_positions_forward(x).out, w); }, "d_x");
}

TYPED_TEST(NnBasicOps, LinearGradientsWithAndWithoutBias) {
  using T = TypeParam;
  Tensor<T> x = random_tensor<T>({2, 3, 4}, 9);
  Tensor<T> weight = random_tensor<T>({5, 4}, 10, 0.5);
  Tensor<T> bias = random_tensor<T>({5}, 11);
  const Tensor<T> w = random_tensor<T>({2, 3, 5}, 12);
  const auto ctx = linear_forward(x, weight, &bias);
  // y[0, 1, 2] = Σ_j x[0, 1, j] W[2, j] + b[2]
  double y = bias[2];
  for (Index j = 0; j < 4; ++j) y += static_cast<double>(x[4 + j]) * weight[2 * 4 + j];
  EXPECT_NEAR(ctx.out[5 + 2], y, 1e-6);
  Tensor<T> d_weight(weight.shape()), d_bias(bias.shape());
  const Tensor<T> d_x = linear_backward(ctx, weight, w, d_weight, &d_bias);
  const auto loss = [&] { return weighted_sum(linear_forward(x, weight, &bias).out, w); };
  expect_gradient<T>(x, d_x, loss, "d_x");
  expect_gradient<T>(weight, d_weight, loss, "d_weight");
  expect_gradient<T>(bias, d_bias, loss, "d_bias");
  // Parameter gradients accumulate over calls.
  const Tensor<T> once = d_weight;
  linear_backward<T>(linear_forward<T>(x, weight, nullptr), weight, w, d_weight, nullptr);
  EXPECT_NEAR(static_cast<double>(d_weight[3]), 2.0 * static_cast<double>(once[3]), 1e-5);
  EXPECT_THROW(linear_forward(random_tensor<T>({2, 3}, 1), weight, &bias), ConfigError);
}

TYPED_TEST(NnBasicOps, LayerNormNormalisesAndGradients) {
  using T = TypeParam;
  Tensor<T> x = random_tensor<T>({3, 2, 6}, 13, 2.0, 0.5);
  Tensor<T> gamma = random_tensor<T>({6}, 14, 0.3, 1.0);
  Tensor<T> beta = random_tensor<T>({6}, 15);
  const Tensor<T> w = random_tensor<T>({3, 2, 6}, 16);
  const auto ctx = layer_norm_forward(x, gamma, beta);
  for (Index r = 0; r < 6; ++r) {
    double mean = 0, var = 0;
    for (Index j = 0; j < 6; ++j) mean += ctx.normalized[r * 6 + j];
    for (Index j = 0; j < 6; ++j)
      var += static_cast<double>(ctx.normalized[r * 6 + j]) * ctx.normalized[r * 6 + j];
    EXPECT_NEAR(mean / 6, 0.0, 1e-6);
    EXPECT_NEAR(var / 6, 1.0, 1e-4);  // ε = 1e-5 against variances of order 4
  }
  Tensor<T> d_gamma(gamma.shape()), d_beta(beta.shape());
  const Tensor<T> d_x = layer_norm_backward(ctx, gamma, w, d_gamma, d_beta);
  const auto loss = [&] { return weighted_sum(layer_norm_forward(x, gamma, beta).out, w); };
  expect_gradient<T>(x, d_x, loss, "d_x");
  expect_gradient<T>(gamma, d_gamma, loss, "d_gamma");
  expect_gradient<T>(beta, d_beta, loss, "d_beta");
}

TYPED_TEST(NnBasicOps, GeluTanhFormValuesAndGradient) {
  using T = TypeParam;
  Tensor<T> x({3}, {T(1), T(-2), T(0)});
  const auto ctx = gelu_forward(x);
  // ½ x (1 + tanh(√(2/π)(x + 0.044715 x³))) evaluated independently
  const auto reference = [](double v) {
    return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
  };
  EXPECT_NEAR(ctx.out[0], reference(1.0), 1e-6);
  EXPECT_NEAR(ctx.out[1], reference(-2.0), 1e-6);
  EXPECT_EQ(ctx.out[2], T(0));
  Tensor<T> y = random_tensor<T>({4, 5}, 17, 2.0);
  const Tensor<T> w = random_tensor<T>({4, 5}, 18);
  expect_gradient<T>(
      y, gelu_backward(gelu_forward(y), w), [&] { return weighted_sum(gelu_forward(y).out, w); }, "d_x");
}

}  // namespace glia::nn
