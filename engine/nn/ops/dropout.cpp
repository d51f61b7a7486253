#include "engine/nn/ops/dropout.hpp"

#include <algorithm>
#include <cmath>

#include "engine/core/philox.hpp"

namespace glia::nn {

namespace {

constexpr std::uint32_t kDropoutStream = 0x64720000u;  // "dr" + site

void check(double p, const DropoutKey& key) {
  if (!(p >= 0 && p < 1)) throw ConfigError("dropout.p", std::to_string(p), "must be in [0, 1)");
  if (key.site > 0xffffu) throw ConfigError("dropout.site", std::to_string(key.site), "must be < 65536");
}

// Multiplies x by the scaled mask; forward and backward are the same map.
template <class T>
Tensor<T> apply_mask(const Tensor<T>& x, double p, const DropoutKey& key) {
  if (p == 0) return x;
  Tensor<T> out = Tensor<T>::uninitialized(x.shape());
  const T scale = static_cast<T>(1.0 / (1.0 - p));
  const Index n = x.size();
  // One Philox block serves four consecutive elements (the mask dropout_keeps defines); the
  // blocks are made kPhiloxLanes at a time (vectorised), i.e. 4·kPhiloxLanes elements per chunk.
  constexpr Index kChunk = 4 * kPhiloxLanes;
  const Index chunks = (n + kChunk - 1) / kChunk;
  const std::uint32_t stream = kDropoutStream + key.site;
  // u = word · 2⁻³² ≥ p exactly when word ≥ ⌈p · 2³²⌉ (both sides exact in double).
  const auto threshold = static_cast<std::uint64_t>(std::ceil(p * 0x1.0p32));
#pragma omp parallel for schedule(static)
  for (Index c = 0; c < chunks; ++c) {
    std::uint32_t words[4][kPhiloxLanes], flat[kChunk];
    philox_blocks(key.seed, key.step, static_cast<std::uint32_t>(c * kPhiloxLanes), stream, words);
    for (int g = 0; g < kPhiloxLanes; ++g)
      for (int j = 0; j < 4; ++j) flat[4 * g + j] = words[j][g];
    const Index i0 = c * kChunk, len = std::min(kChunk, n - i0);
    const T* xs = x.data() + i0;
    T* os = out.data() + i0;
#pragma omp simd
    for (Index e = 0; e < len; ++e) os[e] = std::uint64_t{flat[e]} >= threshold ? xs[e] * scale : T(0);
  }
  return out;
}

}  // namespace

bool dropout_keeps(const DropoutKey& key, double p, Index i) {
  // One Philox block gives four 32-bit words: one per element of a group of four.
  const Philox4x32 r =
      philox_block(key.seed, key.step, static_cast<std::uint32_t>(i / 4), kDropoutStream + key.site);
  const double u = static_cast<double>(r.v[i % 4]) * 0x1.0p-32;
  return u >= p;
}

template <class T>
DropoutContext<T> dropout_forward(const Tensor<T>& x, double p, DropoutKey key) {
  check(p, key);
  if (x.size() / 4 > Index{0xffffffff})
    throw ConfigError("dropout.x", shape_string(x.shape()), "more elements than the mask counter covers");
  return {apply_mask(x, p, key), key, p};
}

template <class T>
Tensor<T> dropout_backward(const DropoutContext<T>& ctx, const Tensor<T>& d_out) {
  require_shape(d_out, ctx.out.shape(), "dropout.d_out");
  return apply_mask(d_out, ctx.p, ctx.key);
}

template DropoutContext<float> dropout_forward(const Tensor<float>&, double, DropoutKey);
template DropoutContext<double> dropout_forward(const Tensor<double>&, double, DropoutKey);
template Tensor<float> dropout_backward(const DropoutContext<float>&, const Tensor<float>&);
template Tensor<double> dropout_backward(const DropoutContext<double>&, const Tensor<double>&);

}  // namespace glia::nn
