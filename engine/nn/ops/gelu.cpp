#include "engine/nn/ops/gelu.hpp"

#include <cmath>

namespace glia::nn {

namespace {
constexpr double kSqrt2OverPi = 0.7978845608028654;
constexpr double kCubic = 0.044715;
}  // namespace

template <class T>
GeluContext<T> gelu_forward(const Tensor<T>& x) {
  GeluContext<T> ctx{Tensor<T>(x.shape()), x};
  const Index n = x.size();
#pragma omp parallel for schedule(static)
  for (Index i = 0; i < n; ++i) {
    const T v = x[i];
    const T inner = T(kSqrt2OverPi) * (v + T(kCubic) * v * v * v);
    ctx.out[i] = T(0.5) * v * (T(1) + std::tanh(inner));
  }
  return ctx;
}

template <class T>
Tensor<T> gelu_backward(const GeluContext<T>& ctx, const Tensor<T>& d_out) {
  require_shape(d_out, ctx.out.shape(), "gelu.d_out");
  Tensor<T> d_x(d_out.shape());
  const Index n = d_out.size();
#pragma omp parallel for schedule(static)
  for (Index i = 0; i < n; ++i) {
    const T v = ctx.x[i];
    const T th = std::tanh(T(kSqrt2OverPi) * (v + T(kCubic) * v * v * v));
    const T d_inner = T(kSqrt2OverPi) * (T(1) + T(3 * kCubic) * v * v);
    d_x[i] = d_out[i] * (T(0.5) * (T(1) + th) + T(0.5) * v * (T(1) - th * th) * d_inner);
  }
  return d_x;
}

template GeluContext<float> gelu_forward(const Tensor<float>&);
template GeluContext<double> gelu_forward(const Tensor<double>&);
template Tensor<float> gelu_backward(const GeluContext<float>&, const Tensor<float>&);
template Tensor<double> gelu_backward(const GeluContext<double>&, const Tensor<double>&);

}  // namespace glia::nn
