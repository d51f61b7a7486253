// Astromorphic attention (NETWORKS.md §2): the O(N m) Toeplitz scan against the dense
// product, the forward against the spec's formulas written out, every gradient against
// central differences, the linear-attention identity, and masking.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "engine/nn/ops/astromorphic_attention.hpp"
#include "engine/nn/ops/exponential_toeplitz.hpp"
#include "engine/nn/ops/linear_attention.hpp"
#include "nn_test_support.hpp"

namespace glia::nn {

using testing::expect_gradient;
using testing::random_tensor;
using testing::weighted_sum;

namespace {

constexpr Index kB = 2, kH = 2, kN = 6, kM = 3, kDv = 4;

KeyMask padding_mask() { return KeyMask({kB, kN}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0}); }

double phi(double z) { return z > 0 ? z + 1 : std::exp(z); }

// The spec's formulas with P_pos formed densely, in double, for one (b, h).
std::vector<double> reference(const Tensor<double>& q, const Tensor<double>& k, const Tensor<double>& v,
                              const Tensor<double>& e, const Tensor<double>& rho, const KeyMask* mask,
                              const AstromorphicAttentionOptions& o, Index b, Index h,
                              const Tensor<double>& scale_rho) {
  const Index bh = b * kH + h;
  const double s = std::log1p(std::exp(rho[h]));
  double c = 1.0;
  if (o.nonlinearity)
    c = o.scale == SynapticScale::inverse_n        ? 1.0 / kN
        : o.scale == SynapticScale::inverse_sqrt_n ? 1.0 / std::sqrt(double(kN))
                                                   : std::log1p(std::exp(scale_rho[h]));
  std::vector<double> hebb(kM * kDv, 0.0), z(kM, 0.0), out(kN * kDv, 0.0);
  for (Index t = 0; t < kN; ++t) {
    if (!key_is_real(mask, b, kN, t)) continue;
    for (Index a = 0; a < kM; ++a) {
      double activity = 0;
      for (Index j = 0; j < kN; ++j)
        activity += std::exp(-s * static_cast<double>(std::abs(t - j))) * e[(h * kN + j) * kM + a];
      const double phi_k = phi(k[(bh * kN + t) * kM + a]);
      z[a] += phi_k;
      for (Index col = 0; col < kDv; ++col)
        hebb[a * kDv + col] +=
            (phi_k + (o.astrocyte_term ? phi(activity) : 0.0)) * v[(bh * kN + t) * kDv + col];
    }
  }
  for (double& x : hebb) x = o.nonlinearity ? 1.0 / (1.0 + std::exp(-c * x)) : c * x;
  for (Index i = 0; i < kN; ++i) {
    double den = o.epsilon;
    for (Index a = 0; a < kM; ++a) den += phi(q[(bh * kN + i) * kM + a]) * std::pow(z[a], o.alpha);
    for (Index col = 0; col < kDv; ++col) {
      for (Index a = 0; a < kM; ++a)
        out[i * kDv + col] += phi(q[(bh * kN + i) * kM + a]) * hebb[a * kDv + col];
      out[i * kDv + col] /= den;
    }
  }
  return out;
}

struct Case {
  AstromorphicAttentionOptions options;
  bool padded;
  const char* name;
};
const Case kCases[] = {
    {{0.25, true, true, 1e-6, SynapticScale::inverse_n}, false, "sigmoid 1/N"},
    {{0.25, true, true, 1e-6, SynapticScale::inverse_n}, true, "sigmoid 1/N+padded"},
    {{0.25, true, true, 1e-6, SynapticScale::inverse_sqrt_n}, true, "sigmoid 1/sqrt(N)+padded"},
    {{0.25, true, true, 1e-6, SynapticScale::learned}, true, "sigmoid learned+padded"},
    {{0.25, false, true, 1e-6, SynapticScale::learned}, false, "learned, no astrocyte term"},
    {{0.5, true, false, 1e-6}, false, "no sigmoid"},
    {{1.0, false, false, 1e-6}, true, "linear limit+padded"},
    {{0.25, false, true, 1e-6, SynapticScale::inverse_n}, false, "no astrocyte term"}};

}  // namespace

TEST(NnExponentialToeplitz, ScanEqualsTheDenseProductAndItsDecayDerivative) {
  const Tensor<double> e = random_tensor<double>({9, 3}, 1);
  const double s = 0.4, r = std::exp(-s);
  const RowMatrix<double> a = exponential_toeplitz(e.matrix(), r);
  RowMatrix<double> dense(9, 9), weighted(9, 9);
  for (Index i = 0; i < 9; ++i)
    for (Index j = 0; j < 9; ++j) {
      dense(i, j) = std::exp(-s * static_cast<double>(std::abs(i - j)));
      weighted(i, j) = -static_cast<double>(std::abs(i - j)) * dense(i, j);  // ∂P/∂s
    }
  EXPECT_LE((a - dense * e.matrix()).norm(), 1e-13 * a.norm());
  const RowMatrix<double> tangent = exponential_toeplitz_decay_derivative(e.matrix(), r);
  EXPECT_LE((tangent - weighted * e.matrix()).norm(), 1e-13 * tangent.norm());
}

TEST(NnAstromorphicAttention, ForwardMatchesTheSpecFormulas) {
  const Tensor<double> q = random_tensor<double>({kB, kH, kN, kM}, 2);
  const Tensor<double> k = random_tensor<double>({kB, kH, kN, kM}, 3);
  const Tensor<double> v = random_tensor<double>({kB, kH, kN, kDv}, 4);
  const Tensor<double> e = random_tensor<double>({kH, kN, kM}, 5);
  const Tensor<double> rho({kH}, {-0.3, 0.8}), scale({kH}, {-1.2, 0.4});
  const KeyMask mask = padding_mask();
  for (const Case& c : kCases) {
    const KeyMask* m = c.padded ? &mask : nullptr;
    const auto ctx = astromorphic_attention_forward(q, k, v, e, rho, m, c.options, &scale);
    for (Index b = 0; b < kB; ++b)
      for (Index h = 0; h < kH; ++h) {
        const std::vector<double> ref = reference(q, k, v, e, rho, m, c.options, b, h, scale);
        for (Index j = 0; j < kN * kDv; ++j)
          EXPECT_NEAR(ctx.out[(b * kH + h) * kN * kDv + j], ref[j], 1e-12 * (1 + std::abs(ref[j]))) << c.name;
      }
  }
}

template <class T>
class NnAstromorphic : public ::testing::Test {};
TYPED_TEST_SUITE(NnAstromorphic, testing::Scalars, testing::ScalarNames);

TYPED_TEST(NnAstromorphic, Gradients) {
  using T = TypeParam;
  Tensor<T> q = random_tensor<T>({kB, kH, kN, kM}, 6);
  Tensor<T> k = random_tensor<T>({kB, kH, kN, kM}, 7);
  Tensor<T> v = random_tensor<T>({kB, kH, kN, kDv}, 8, 2.0);
  Tensor<T> e = random_tensor<T>({kH, kN, kM}, 9);
  Tensor<T> rho({kH}, {T(-0.3), T(0.8)}), scale({kH}, {T(-1.2), T(0.4)});
  const Tensor<T> w = random_tensor<T>({kB, kH, kN, kDv}, 10);
  const KeyMask mask = padding_mask();
  for (const Case& c : kCases) {
    const KeyMask* m = c.padded ? &mask : nullptr;
    const auto ctx = astromorphic_attention_forward(q, k, v, e, rho, m, c.options, &scale);
    Tensor<T> d_e(e.shape()), d_rho(rho.shape()), d_scale(scale.shape());
    const auto g = astromorphic_attention_backward(ctx, e, rho, w, d_e, d_rho, &d_scale);
    const auto loss = [&] {
      return weighted_sum(astromorphic_attention_forward(q, k, v, e, rho, m, c.options, &scale).out, w);
    };
    if (learned_scale(c.options)) expect_gradient<T>(scale, d_scale, loss, std::string(c.name) + " d_scale");
    const std::string name = c.name;
    expect_gradient<T>(q, g.d_q, loss, name + " d_q");
    expect_gradient<T>(k, g.d_k, loss, name + " d_k");
    expect_gradient<T>(v, g.d_v, loss, name + " d_v");
    if (c.options.astrocyte_term) {
      expect_gradient<T>(e, d_e, loss, name + " d_position");
      expect_gradient<T>(rho, d_rho, loss, name + " d_decay");
    } else {
      for (Index i = 0; i < d_e.size(); ++i) EXPECT_EQ(d_e[i], T(0)) << name;
    }
  }
}

// α = 1, no astrocyte term, no sigmoid (so c = 1): exactly linear attention, outputs and
// gradients bit for bit.
TYPED_TEST(NnAstromorphic, LinearLimitIsLinearAttentionExactly) {
  using T = TypeParam;
  const Tensor<T> q = random_tensor<T>({kB, kH, kN, kM}, 11);
  const Tensor<T> k = random_tensor<T>({kB, kH, kN, kM}, 12);
  const Tensor<T> v = random_tensor<T>({kB, kH, kN, kDv}, 13);
  const Tensor<T> e = random_tensor<T>({kH, kN, kM}, 14);
  const Tensor<T> rho({kH}, {T(0.1), T(0.2)});
  const Tensor<T> w = random_tensor<T>({kB, kH, kN, kDv}, 15);
  const KeyMask mask = padding_mask();
  for (const KeyMask* m : {static_cast<const KeyMask*>(nullptr), &mask}) {
    const auto astro = astromorphic_attention_forward(q, k, v, e, rho, m, {1.0, false, false, 1e-6});
    const auto linear = linear_attention_forward(q, k, v, m, {false, 1e-6});
    EXPECT_EQ(astro.out.values(), linear.out.values());
    Tensor<T> d_e(e.shape()), d_rho(rho.shape());
    const auto ga = astromorphic_attention_backward(astro, e, rho, w, d_e, d_rho);
    const auto gl = linear_attention_backward(linear, w);
    EXPECT_EQ(ga.d_q.values(), gl.d_q.values());
    EXPECT_EQ(ga.d_k.values(), gl.d_k.values());
    EXPECT_EQ(ga.d_v.values(), gl.d_v.values());
  }
  // The full operator is not linear attention.
  const auto full = astromorphic_attention_forward(q, k, v, e, rho, nullptr);
  EXPECT_NE(full.out.values(), linear_attention_forward(q, k, v, nullptr).out.values());
}

TEST(NnAstromorphicAttention, PaddedKeysChangeNothing) {
  const Tensor<double> q = random_tensor<double>({kB, kH, kN, kM}, 16);
  const Tensor<double> k = random_tensor<double>({kB, kH, kN, kM}, 17);
  const Tensor<double> v = random_tensor<double>({kB, kH, kN, kDv}, 18);
  const Tensor<double> e = random_tensor<double>({kH, kN, kM}, 19);
  const Tensor<double> rho({kH}, {0.0, 0.5});
  const KeyMask mask = padding_mask();
  Tensor<double> k2 = k, v2 = v;
  for (Index h = 0; h < kH; ++h)  // batch 1, padded keys 4 and 5
    for (Index t = 4; t < kN; ++t) {
      for (Index a = 0; a < kM; ++a) k2[((kH + h) * kN + t) * kM + a] += 3.0;
      for (Index a = 0; a < kDv; ++a) v2[((kH + h) * kN + t) * kDv + a] -= 4.0;
    }
  const auto ctx = astromorphic_attention_forward(q, k, v, e, rho, &mask);
  EXPECT_EQ(astromorphic_attention_forward(q, k2, v2, e, rho, &mask).out.values(), ctx.out.values());
  Tensor<double> d_e(e.shape()), d_rho(rho.shape());
  const auto g =
      astromorphic_attention_backward(ctx, e, rho, random_tensor<double>(ctx.out.shape(), 20), d_e, d_rho);
  for (Index h = 0; h < kH; ++h)
    for (Index t = 4; t < kN; ++t)
      for (Index a = 0; a < kM; ++a) {
        EXPECT_EQ(g.d_k[((kH + h) * kN + t) * kM + a], 0.0);
        EXPECT_EQ(g.d_v[((kH + h) * kN + t) * kDv + a], 0.0);
      }
}

TEST(NnAstromorphicAttention, BadParametersNameTheField) {
  const Tensor<float> q({1, 2, 4, 3}), v({1, 2, 4, 5});
  try {
    astromorphic_attention_forward(q, q, v, Tensor<float>({2, 4, 2}), Tensor<float>({2}), nullptr);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "astromorphic_attention.position");
  }
  AstromorphicAttentionOptions o;
  o.alpha = 0;
  EXPECT_THROW(
      astromorphic_attention_forward(q, q, v, Tensor<float>({2, 4, 3}), Tensor<float>({2}), nullptr, o),
      ConfigError);
}

}  // namespace glia::nn
