#include "engine/nn/ops/gelu.hpp"

#include <algorithm>

namespace glia::nn {

namespace {
constexpr double kSqrt2OverPi = 0.7978845608028654;
constexpr double kCubic = 0.044715;
// Elements per parallel block: large enough for Eigen's vectorised tanh to run long loops,
// small enough to share the work between threads.
constexpr Index kGeluBlock = 4096;

template <class T>
using ArrayMap = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
template <class T>
using ConstArrayMap = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;

// tanh(√(2/π) (x + 0.044715 x³)) through Eigen's vectorised tanh (libm's scalar tanhf was a
// quarter of a training step).
template <class T, class Expr>
auto gelu_tanh(const Expr& v) {
  return (T(kSqrt2OverPi) * (v + T(kCubic) * v.cube())).tanh();
}
}  // namespace

template <class T>
GeluContext<T> gelu_forward(const Tensor<T>& x) {
  GeluContext<T> ctx{Tensor<T>::uninitialized(x.shape()), x};
  const Index n = x.size();
#pragma omp parallel for schedule(static)
  for (Index i0 = 0; i0 < n; i0 += kGeluBlock) {
    const Index len = std::min(kGeluBlock, n - i0);
    const ConstArrayMap<T> v(x.data() + i0, len);
    ArrayMap<T>(ctx.out.data() + i0, len) = T(0.5) * v * (T(1) + gelu_tanh<T>(v));
  }
  return ctx;
}

template <class T>
Tensor<T> gelu_backward(const GeluContext<T>& ctx, const Tensor<T>& d_out) {
  require_shape(d_out, ctx.out.shape(), "gelu.d_out");
  Tensor<T> d_x = Tensor<T>::uninitialized(d_out.shape());
  const Index n = d_out.size();
#pragma omp parallel for schedule(static)
  for (Index i0 = 0; i0 < n; i0 += kGeluBlock) {
    const Index len = std::min(kGeluBlock, n - i0);
    const ConstArrayMap<T> v(ctx.x.data() + i0, len);
    const Eigen::Array<T, Eigen::Dynamic, 1> th = gelu_tanh<T>(v);
    const auto d_inner = T(kSqrt2OverPi) * (T(1) + T(3 * kCubic) * v.square());
    ArrayMap<T>(d_x.data() + i0, len) = ConstArrayMap<T>(d_out.data() + i0, len) *
                                        (T(0.5) * (T(1) + th) + T(0.5) * v * (T(1) - th.square()) * d_inner);
  }
  return d_x;
}

template GeluContext<float> gelu_forward(const Tensor<float>&);
template GeluContext<double> gelu_forward(const Tensor<double>&);
template Tensor<float> gelu_backward(const GeluContext<float>&, const Tensor<float>&);
template Tensor<double> gelu_backward(const GeluContext<double>&, const Tensor<double>&);

}  // namespace glia::nn
