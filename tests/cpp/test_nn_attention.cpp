// Softmax and linear attention: forward against direct per-query sums, backward against
// central differences, and masks that actually hide what they mask.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "engine/nn/ops/linear_attention.hpp"
#include "engine/nn/ops/softmax_attention.hpp"
#include "nn_test_support.hpp"

namespace glia::nn {

using testing::expect_gradient;
using testing::random_tensor;
using testing::weighted_sum;

namespace {

constexpr Index kB = 2, kH = 2, kN = 5, kDk = 3, kDv = 4;

// Batch 0 sees every key; batch 1 has its last two keys padded.
KeyMask padding_mask() { return KeyMask({kB, kN}, {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}); }

bool visible(const KeyMask* mask, bool causal, Index b, Index i, Index t) {
  return key_is_real(mask, b, kN, t) && !(causal && t > i);
}

// Output (b, h, i, :) by direct sums over the visible keys, in double.
std::vector<double> softmax_reference(const Tensor<double>& q, const Tensor<double>& k,
                                      const Tensor<double>& v, const KeyMask* mask, bool causal, Index b,
                                      Index h, Index i) {
  const Index bh = b * kH + h;
  std::vector<double> score(kN), out(kDv, 0.0);
  double max_score = -1e300, sum = 0;
  for (Index t = 0; t < kN; ++t) {
    if (!visible(mask, causal, b, i, t)) continue;
    score[t] = 0;
    for (Index a = 0; a < kDk; ++a) score[t] += q[(bh * kN + i) * kDk + a] * k[(bh * kN + t) * kDk + a];
    score[t] /= std::sqrt(static_cast<double>(kDk));
    max_score = std::max(max_score, score[t]);
  }
  for (Index t = 0; t < kN; ++t)
    if (visible(mask, causal, b, i, t)) sum += std::exp(score[t] - max_score);
  for (Index t = 0; t < kN; ++t)
    if (visible(mask, causal, b, i, t))
      for (Index c = 0; c < kDv; ++c)
        out[c] += std::exp(score[t] - max_score) / sum * v[(bh * kN + t) * kDv + c];
  return out;
}

double phi(double z) { return z > 0 ? z + 1 : std::exp(z); }

std::vector<double> linear_reference(const Tensor<double>& q, const Tensor<double>& k,
                                     const Tensor<double>& v, const KeyMask* mask, bool causal, Index b,
                                     Index h, Index i) {
  const Index bh = b * kH + h;
  std::vector<double> out(kDv, 0.0);
  double den = 1e-6;
  for (Index t = 0; t < kN; ++t) {
    if (!visible(mask, causal, b, i, t)) continue;
    double sim = 0;
    for (Index a = 0; a < kDk; ++a) sim += phi(q[(bh * kN + i) * kDk + a]) * phi(k[(bh * kN + t) * kDk + a]);
    den += sim;
    for (Index c = 0; c < kDv; ++c) out[c] += sim * v[(bh * kN + t) * kDv + c];
  }
  for (double& o : out) o /= den;
  return out;
}

struct MaskCase {
  bool causal;
  bool padded;
  const char* name;
};
const MaskCase kMaskCases[] = {
    {false, false, "full"}, {false, true, "padded"}, {true, false, "causal"}, {true, true, "causal+padded"}};

}  // namespace

template <class T>
class NnAttention : public ::testing::Test {};
TYPED_TEST_SUITE(NnAttention, testing::Scalars, testing::ScalarNames);

TEST(NnSoftmaxAttention, ForwardMatchesDirectSums) {
  const Tensor<double> q = random_tensor<double>({kB, kH, kN, kDk}, 1);
  const Tensor<double> k = random_tensor<double>({kB, kH, kN, kDk}, 2);
  const Tensor<double> v = random_tensor<double>({kB, kH, kN, kDv}, 3);
  const KeyMask mask = padding_mask();
  for (const MaskCase& c : kMaskCases) {
    const KeyMask* m = c.padded ? &mask : nullptr;
    const auto ctx = softmax_attention_forward(q, k, v, m, {c.causal});
    for (Index b = 0; b < kB; ++b)
      for (Index h = 0; h < kH; ++h)
        for (Index i = 0; i < kN; ++i) {
          const std::vector<double> ref = softmax_reference(q, k, v, m, c.causal, b, h, i);
          for (Index j = 0; j < kDv; ++j)
            EXPECT_NEAR(ctx.out[((b * kH + h) * kN + i) * kDv + j], ref[j], 1e-12) << c.name;
        }
  }
}

TEST(NnLinearAttention, ForwardMatchesDirectSums) {
  const Tensor<double> q = random_tensor<double>({kB, kH, kN, kDk}, 4);
  const Tensor<double> k = random_tensor<double>({kB, kH, kN, kDk}, 5);
  const Tensor<double> v = random_tensor<double>({kB, kH, kN, kDv}, 6);
  const KeyMask mask = padding_mask();
  for (const MaskCase& c : kMaskCases) {
    const KeyMask* m = c.padded ? &mask : nullptr;
    const auto ctx = linear_attention_forward(q, k, v, m, {c.causal, 1e-6});
    for (Index b = 0; b < kB; ++b)
      for (Index h = 0; h < kH; ++h)
        for (Index i = 0; i < kN; ++i) {
          const std::vector<double> ref = linear_reference(q, k, v, m, c.causal, b, h, i);
          for (Index j = 0; j < kDv; ++j)
            EXPECT_NEAR(ctx.out[((b * kH + h) * kN + i) * kDv + j], ref[j], 1e-12) << c.name;
        }
  }
}

TYPED_TEST(NnAttention, SoftmaxGradients) {
  using T = TypeParam;
  Tensor<T> q = random_tensor<T>({kB, kH, kN, kDk}, 7);
  Tensor<T> k = random_tensor<T>({kB, kH, kN, kDk}, 8);
  Tensor<T> v = random_tensor<T>({kB, kH, kN, kDv}, 9);
  const Tensor<T> w = random_tensor<T>({kB, kH, kN, kDv}, 10);
  const KeyMask mask = padding_mask();
  for (const MaskCase& c : kMaskCases) {
    const KeyMask* m = c.padded ? &mask : nullptr;
    const auto g = softmax_attention_backward(softmax_attention_forward(q, k, v, m, {c.causal}), w);
    const auto loss = [&] { return weighted_sum(softmax_attention_forward(q, k, v, m, {c.causal}).out, w); };
    expect_gradient<T>(q, g.d_q, loss, std::string(c.name) + " d_q");
    expect_gradient<T>(k, g.d_k, loss, std::string(c.name) + " d_k");
    expect_gradient<T>(v, g.d_v, loss, std::string(c.name) + " d_v");
  }
}

TYPED_TEST(NnAttention, LinearGradients) {
  using T = TypeParam;
  Tensor<T> q = random_tensor<T>({kB, kH, kN, kDk}, 11);
  Tensor<T> k = random_tensor<T>({kB, kH, kN, kDk}, 12);
  Tensor<T> v = random_tensor<T>({kB, kH, kN, kDv}, 13);
  const Tensor<T> w = random_tensor<T>({kB, kH, kN, kDv}, 14);
  const KeyMask mask = padding_mask();
  for (const MaskCase& c : kMaskCases) {
    const KeyMask* m = c.padded ? &mask : nullptr;
    const LinearAttentionOptions o{c.causal, 1e-6};
    const auto g = linear_attention_backward(linear_attention_forward(q, k, v, m, o), w);
    const auto loss = [&] { return weighted_sum(linear_attention_forward(q, k, v, m, o).out, w); };
    expect_gradient<T>(q, g.d_q, loss, std::string(c.name) + " d_q");
    expect_gradient<T>(k, g.d_k, loss, std::string(c.name) + " d_k");
    expect_gradient<T>(v, g.d_v, loss, std::string(c.name) + " d_v");
  }
}

// Changing padded keys and values, or (causal) future ones, changes no output that must not
// see them, and they receive no gradient.
TEST(NnAttentionMasks, HiddenKeysChangeNothing) {
  const Tensor<double> q = random_tensor<double>({kB, kH, kN, kDk}, 15);
  const Tensor<double> k = random_tensor<double>({kB, kH, kN, kDk}, 16);
  const Tensor<double> v = random_tensor<double>({kB, kH, kN, kDv}, 17);
  const Tensor<double> w = random_tensor<double>({kB, kH, kN, kDv}, 18);
  const KeyMask mask = padding_mask();
  Tensor<double> k2 = k, v2 = v;
  for (Index h = 0; h < kH; ++h)  // batch 1, padded keys 3 and 4
    for (Index t = 3; t < kN; ++t) {
      for (Index a = 0; a < kDk; ++a) k2[((kH + h) * kN + t) * kDk + a] += 5.0;
      for (Index a = 0; a < kDv; ++a) v2[((kH + h) * kN + t) * kDv + a] -= 7.0;
    }
  const auto soft = softmax_attention_forward(q, k, v, &mask);
  const auto lin = linear_attention_forward(q, k, v, &mask);
  EXPECT_EQ(softmax_attention_forward(q, k2, v2, &mask).out.values(), soft.out.values());
  EXPECT_EQ(linear_attention_forward(q, k2, v2, &mask).out.values(), lin.out.values());
  const auto g_soft = softmax_attention_backward(soft, w);
  const auto g_lin = linear_attention_backward(lin, w);
  for (Index h = 0; h < kH; ++h)
    for (Index t = 3; t < kN; ++t)
      for (Index a = 0; a < kDk; ++a) {
        EXPECT_EQ(g_soft.d_k[((kH + h) * kN + t) * kDk + a], 0.0);
        EXPECT_EQ(g_lin.d_k[((kH + h) * kN + t) * kDk + a], 0.0);
        EXPECT_EQ(g_lin.d_v[((kH + h) * kN + t) * kDv + a], 0.0);
      }
  // Causal: changing the last key alters only the last query's output.
  Tensor<double> k3 = k;
  for (Index a = 0; a < kDk; ++a) k3[(kN - 1) * kDk + a] += 1.0;  // (b 0, h 0, t N−1)
  for (const bool linear : {false, true}) {
    const Tensor<double> a = linear ? linear_attention_forward(q, k, v, nullptr, {true, 1e-6}).out
                                    : softmax_attention_forward(q, k, v, nullptr, {true}).out;
    const Tensor<double> b = linear ? linear_attention_forward(q, k3, v, nullptr, {true, 1e-6}).out
                                    : softmax_attention_forward(q, k3, v, nullptr, {true}).out;
    for (Index i = 0; i < kN; ++i)
      for (Index c = 0; c < kDv; ++c) {
        if (i < kN - 1)
          EXPECT_EQ(a[i * kDv + c], b[i * kDv + c]) << (linear ? "linear" : "softmax") << " query " << i;
        else
          EXPECT_NE(a[i * kDv + c], b[i * kDv + c]) << (linear ? "linear" : "softmax");
      }
  }
}

TEST(NnAttentionMasks, AQueryWithNoVisibleKeyOutputsZeros) {
  const Tensor<double> q = random_tensor<double>({1, 1, 3, 2}, 19);
  const Tensor<double> k = random_tensor<double>({1, 1, 3, 2}, 20);
  const Tensor<double> v = random_tensor<double>({1, 1, 3, 2}, 21);
  const KeyMask none({1, 3}, {0, 0, 0});
  const auto ctx = softmax_attention_forward(q, k, v, &none);
  for (Index i = 0; i < ctx.out.size(); ++i) EXPECT_EQ(ctx.out[i], 0.0);
  const auto g = softmax_attention_backward(ctx, random_tensor<double>({1, 1, 3, 2}, 22));
  for (Index i = 0; i < g.d_q.size(); ++i) EXPECT_EQ(g.d_q[i], 0.0);
}

TEST(NnAttention, ShapeMismatchesNameTheTensor) {
  const Tensor<float> q({1, 2, 4, 3}), k({1, 2, 5, 3}), v({1, 2, 4, 3});
  try {
    linear_attention_forward(q, k, v, nullptr);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "linear_attention.v");
  }
  EXPECT_THROW(softmax_attention_forward(q, k, Tensor<float>({1, 2, 5, 3}), nullptr, {true}), ConfigError);
}

}  // namespace glia::nn
