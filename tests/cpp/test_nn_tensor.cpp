#include <gtest/gtest.h>

#include "engine/nn/ops/heads.hpp"
#include "engine/nn/tensor.hpp"
#include "nn_test_support.hpp"

namespace glia::nn {

TEST(NnTensor, ZeroFilledRowMajorWithEigenMaps) {
  Tensor<float> t({2, 3, 4});
  EXPECT_EQ(t.size(), 24);
  EXPECT_EQ(t.rank(), 3);
  EXPECT_EQ(t.dim(-1), 4);
  for (Index i = 0; i < t.size(); ++i) EXPECT_EQ(t[i], 0.0f);
  for (Index i = 0; i < t.size(); ++i) t[i] = static_cast<float>(i);
  // Leading axes fold into rows; the last axis is contiguous.
  const auto m = t.matrix();
  EXPECT_EQ(m.rows(), 6);
  EXPECT_EQ(m.cols(), 4);
  EXPECT_EQ(m(1, 2), 6.0f);
  EXPECT_EQ(m(5, 3), 23.0f);
  // A block is one (batch, head)-style slice starting at a flat offset.
  const auto b = t.block(12, 3, 4);
  EXPECT_EQ(b(0, 0), 12.0f);
  EXPECT_EQ(b(2, 1), 21.0f);
}

TEST(NnTensor, ReshapeKeepsDataAndRejectsOtherSizes) {
  Tensor<double> t({2, 6}, std::vector<double>(12, 1.5));
  t.reshape({3, 4});
  EXPECT_EQ(t.dim(0), 3);
  EXPECT_EQ(t[11], 1.5);
  EXPECT_THROW(t.reshape({5, 2}), ConfigError);
  EXPECT_THROW(Tensor<double>({2, 2}, std::vector<double>(3)), ConfigError);
}

TEST(NnTensor, RequireShapeNamesTheTensorAndShapes) {
  Tensor<float> t({2, 3});
  EXPECT_NO_THROW(require_shape(t, {-1, 3}, "x"));
  try {
    require_shape(t, {2, 4}, "linear.x");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "linear.x = (2, 3): expected shape (2, 4)");
  }
}

TEST(NnHeads, SplitPlacesHeadSlicesAndMergeInvertsIt) {
  const Tensor<double> x = testing::random_tensor<double>({2, 5, 6}, 1);
  const Tensor<double> split = split_heads(x, 3);
  ASSERT_EQ(split.shape(), (Shape{2, 3, 5, 2}));
  // (b, h, n, j) holds x[b, n, h·d_h + j].
  EXPECT_EQ(split[((1 * 3 + 2) * 5 + 4) * 2 + 1], x[(1 * 5 + 4) * 6 + 2 * 2 + 1]);
  EXPECT_EQ(merge_heads(split).values(), x.values());
  EXPECT_THROW(split_heads(x, 4), ConfigError);
}

}  // namespace glia::nn
