// SRformer attention (engine/nn/ops/srformer_attention, NETWORKS.md §6): finite-difference gradients of every
// input and parameter (away from the RAF threshold, where the derivative is piecewise), and two limits that
// do not use the op's own formulas: one segment covering the sequence is softmax attention, and a threshold
// no state reaches leaves segment-local softmax attention. (tests/python/test_nn_srformer.py compares it with
// the PyTorch reference to 1e-9.)
#include <gtest/gtest.h>

#include <cmath>

#include "engine/nn/ops/softmax_attention.hpp"
#include "engine/nn/ops/srformer_attention.hpp"
#include "nn_test_support.hpp"

namespace glia::nn {

using testing::expect_gradient;
using testing::random_tensor;
using testing::weighted_sum;

namespace {

constexpr Index kB = 2, kH = 2, kN = 7, kD = 3;

KeyMask padding_mask() { return KeyMask({kB, kN}, {1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}); }

// min |Ũ/θ − 1| over every state: finite differences are valid only well away from the threshold.
template <class T>
double distance_to_threshold(const SrformerAttentionContext<T>& ctx) {
  double d = 1e300;
  for (Index i = 0; i < ctx.u_tilde.size(); ++i)
    d = std::min(d, std::abs(static_cast<double>(ctx.u_tilde[i] / ctx.threshold) - 1.0));
  return d;
}

}  // namespace

// In float64 (the float32 step of 1e-2 would cross the threshold; tests/python/test_nn_srformer.py checks
// float32 against the reference).
TEST(NnSrformer, GradientsMatchFiniteDifferences) {
  using T = double;
  Tensor<T> q = random_tensor<T>({kB, kH, kN, kD}, 1), k = random_tensor<T>({kB, kH, kN, kD}, 2);
  Tensor<T> v = random_tensor<T>({kB, kH, kN, kD}, 3), w = random_tensor<T>({kH, kD, kD}, 4, 0.5);
  Tensor<T> lam({1}, {T(0.4)}), theta({1}, {T(0.8)});
  const Tensor<T> d_out = random_tensor<T>({kB, kH, kN, kD}, 5);
  const KeyMask mask = padding_mask();
  for (const Index segment : {Index(3), Index(2)}) {
    const auto ctx = srformer_attention_forward(q, k, v, w, lam, theta, &mask, segment);
    ASSERT_GT(distance_to_threshold(ctx), 1e-3) << "inputs too close to the RAF threshold for differences";
    Index fired = 0;
    for (Index i = 0; i < ctx.p.size(); ++i) fired += ctx.p[i] > T(0);
    ASSERT_GT(fired, 0);  // the recurrent term and its reset are exercised
    Tensor<T> d_w(w.shape()), d_lam({1}), d_theta({1});
    const auto g = srformer_attention_backward(ctx, w, d_out, d_w, d_lam, d_theta);
    const auto loss = [&] {
      return weighted_sum(srformer_attention_forward(q, k, v, w, lam, theta, &mask, segment).out, d_out);
    };
    const std::string name = "S = " + std::to_string(segment);
    expect_gradient<T>(q, g.d_q, loss, name + " d_q");
    expect_gradient<T>(k, g.d_k, loss, name + " d_k");
    expect_gradient<T>(v, g.d_v, loss, name + " d_v");
    expect_gradient<T>(w, d_w, loss, name + " d_recurrent");
    expect_gradient<T>(lam, d_lam, loss, name + " d_leak");
    expect_gradient<T>(theta, d_theta, loss, name + " d_threshold");
  }
}

TEST(NnSrformerLimits, OneSegmentIsSoftmaxAttention) {
  const Tensor<double> q = random_tensor<double>({kB, kH, kN, kD}, 6),
                       k = random_tensor<double>({kB, kH, kN, kD}, 7);
  const Tensor<double> v = random_tensor<double>({kB, kH, kN, kD}, 8),
                       w = random_tensor<double>({kH, kD, kD}, 9);
  const KeyMask mask = padding_mask();
  const auto one = srformer_attention_forward(q, k, v, w, Tensor<double>({1}, {0.5}),
                                              Tensor<double>({1}, {0.01}), &mask, kN);
  const auto soft = softmax_attention_forward(q, k, v, &mask);
  for (Index i = 0; i < one.out.size(); ++i) EXPECT_NEAR(one.out[i], soft.out[i], 1e-14);
}

TEST(NnSrformerLimits, UnreachedThresholdLeavesSegmentLocalSoftmax) {
  const Tensor<double> q = random_tensor<double>({kB, kH, kN, kD}, 10),
                       k = random_tensor<double>({kB, kH, kN, kD}, 11);
  const Tensor<double> v = random_tensor<double>({kB, kH, kN, kD}, 12),
                       w = random_tensor<double>({kH, kD, kD}, 13);
  const KeyMask mask = padding_mask();
  const Index S = 3;
  const auto ctx = srformer_attention_forward(q, k, v, w, Tensor<double>({1}, {0.0}),
                                              Tensor<double>({1}, {1e30}), &mask, S);
  // Each segment alone through softmax attention, with its own key mask.
  for (Index s0 = 0; s0 < kN; s0 += S) {
    const Index n = std::min(S, kN - s0);
    Tensor<double> qs({kB, kH, n, kD}), ks({kB, kH, n, kD}), vs({kB, kH, n, kD});
    KeyMask ms({kB, n});
    for (Index b = 0; b < kB; ++b) {
      for (Index i = 0; i < n; ++i) ms[b * n + i] = mask[b * kN + s0 + i];
      for (Index h = 0; h < kH; ++h)
        for (Index i = 0; i < n; ++i)
          for (Index c = 0; c < kD; ++c) {
            const Index from = ((b * kH + h) * kN + s0 + i) * kD + c, to = ((b * kH + h) * n + i) * kD + c;
            qs[to] = q[from], ks[to] = k[from], vs[to] = v[from];
          }
    }
    const auto local = softmax_attention_forward(qs, ks, vs, &ms);
    for (Index b = 0; b < kB; ++b)
      for (Index h = 0; h < kH; ++h)
        for (Index i = 0; i < n; ++i)
          for (Index c = 0; c < kD; ++c)
            EXPECT_NEAR(ctx.out[((b * kH + h) * kN + s0 + i) * kD + c],
                        local.out[((b * kH + h) * n + i) * kD + c], 1e-14);
  }
}

TEST(NnSrformerErrors, BadParametersNameTheField) {
  const Tensor<float> q({1, 2, 4, 3}), w({2, 3, 3});
  const auto field_of = [&](float lam, float theta, Index segment) {
    try {
      srformer_attention_forward(q, q, q, w, Tensor<float>({1}, {lam}), Tensor<float>({1}, {theta}), nullptr,
                                 segment);
    } catch (const ConfigError& e) {
      return e.field();
    }
    return std::string("no error");
  };
  EXPECT_EQ(field_of(-0.1f, 0.5f, 2), "srformer_attention.leak");
  EXPECT_EQ(field_of(0.1f, 0.0f, 2), "srformer_attention.threshold");
  EXPECT_EQ(field_of(0.1f, 0.5f, 0), "srformer_attention.segment_length");
  EXPECT_EQ(field_of(0.1f, 0.5f, 2), "no error");
}

}  // namespace glia::nn
