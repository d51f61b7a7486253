#include "engine/nn/ops/dropout.hpp"

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
  // One Philox block serves four consecutive elements (the mask dropout_keeps defines).
  const Index groups = (n + 3) / 4;
#pragma omp parallel for schedule(static)
  for (Index g = 0; g < groups; ++g) {
    const Philox4x32 r =
        philox_block(key.seed, key.step, static_cast<std::uint32_t>(g), kDropoutStream + key.site);
    for (Index j = 0; j < 4 && 4 * g + j < n; ++j) {
      const Index i = 4 * g + j;
      out[i] = static_cast<double>(r.v[j]) * 0x1.0p-32 >= p ? x[i] * scale : T(0);
    }
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
