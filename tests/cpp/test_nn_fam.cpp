// TransformerFAM block attention (engine/nn/ops/fam_attention, NETWORKS.md §7): finite-difference gradients
// of every input in float64, and causality: a block token never depends on later tokens of its block, the FAM
// rows see the whole block. (tests/python/test_nn_fam.py compares it with the PyTorch reference to 1e-9.)
#include <gtest/gtest.h>

#include <cmath>

#include "engine/nn/ops/fam_attention.hpp"
#include "nn_test_support.hpp"

namespace glia::nn {

using testing::expect_gradient;
using testing::random_tensor;
using testing::weighted_sum;

namespace {
constexpr Index kB = 2, kH = 2, kL = 4, kF = 2, kC = 3, kD = 3;
}  // namespace

TEST(NnFam, GradientsMatchFiniteDifferences) {
  Tensor<double> q = random_tensor<double>({kB, kH, kL, kD}, 1),
                 k = random_tensor<double>({kB, kH, kL, kD}, 2),
                 v = random_tensor<double>({kB, kH, kL, kD}, 3),
                 fq = random_tensor<double>({kB, kH, kF, kD}, 4),
                 fk = random_tensor<double>({kB, kH, kF, kD}, 5),
                 fv = random_tensor<double>({kB, kH, kF, kD}, 6),
                 ck = random_tensor<double>({kB, kH, kC, kD}, 7),
                 cv = random_tensor<double>({kB, kH, kC, kD}, 8);
  const Tensor<double> w = random_tensor<double>({kB, kH, kL, kD}, 9),
                       wf = random_tensor<double>({kB, kH, kF, kD}, 10);
  const KeyMask mask({kB, kL}, {1, 1, 1, 1, 1, 1, 0, 0}), cache_mask({kB, kC}, {0, 1, 1, 1, 1, 1});
  const auto ctx = fam_attention_forward(q, k, v, fq, fk, fv, ck, cv, &mask, &cache_mask);
  const auto g = fam_attention_backward(ctx, w, wf);
  const auto loss = [&] {
    const auto c = fam_attention_forward(q, k, v, fq, fk, fv, ck, cv, &mask, &cache_mask);
    return weighted_sum(c.tokens.out, w) + weighted_sum(c.memory.out, wf);
  };
  expect_gradient<double>(q, g.d_q, loss, "d_q");
  expect_gradient<double>(k, g.d_k, loss, "d_k");
  expect_gradient<double>(v, g.d_v, loss, "d_v");
  expect_gradient<double>(fq, g.d_fam_q, loss, "d_fam_q");
  expect_gradient<double>(fk, g.d_fam_k, loss, "d_fam_k");
  expect_gradient<double>(fv, g.d_fam_v, loss, "d_fam_v");
  expect_gradient<double>(ck, g.d_cache_k, loss, "d_cache_k");
  expect_gradient<double>(cv, g.d_cache_v, loss, "d_cache_v");
}

TEST(NnFam, TokensAreCausalAndTheMemorySeesTheWholeBlock) {
  const Tensor<double> q = random_tensor<double>({1, 1, kL, kD}, 11),
                       fq = random_tensor<double>({1, 1, kF, kD}, 12),
                       fk = random_tensor<double>({1, 1, kF, kD}, 13),
                       fv = random_tensor<double>({1, 1, kF, kD}, 14),
                       ck = random_tensor<double>({1, 1, kC, kD}, 15),
                       cv = random_tensor<double>({1, 1, kC, kD}, 16);
  Tensor<double> k = random_tensor<double>({1, 1, kL, kD}, 17), v = random_tensor<double>({1, 1, kL, kD}, 18);
  const auto a = fam_attention_forward(q, k, v, fq, fk, fv, ck, cv, nullptr, nullptr);
  for (Index c = 0; c < kD; ++c) k[(kL - 1) * kD + c] += 1.0, v[(kL - 1) * kD + c] -= 2.0;  // the last token
  const auto b = fam_attention_forward(q, k, v, fq, fk, fv, ck, cv, nullptr, nullptr);
  for (Index i = 0; i < (kL - 1) * kD; ++i) EXPECT_EQ(a.tokens.out[i], b.tokens.out[i]) << i;
  double changed = 0;
  for (Index i = (kL - 1) * kD; i < kL * kD; ++i) changed += std::abs(a.tokens.out[i] - b.tokens.out[i]);
  EXPECT_GT(changed, 1e-6);
  double fam_changed = 0;
  for (Index i = 0; i < a.memory.out.size(); ++i) fam_changed += std::abs(a.memory.out[i] - b.memory.out[i]);
  EXPECT_GT(fam_changed, 1e-6);
}

}  // namespace glia::nn
