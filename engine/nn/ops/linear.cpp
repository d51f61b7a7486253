#include "engine/nn/ops/linear.hpp"

namespace glia::nn {

template <class T>
LinearContext<T> linear_forward(const Tensor<T>& x, const Tensor<T>& weight, const Tensor<T>* bias) {
  require_shape(weight, {-1, -1}, "linear.weight");
  if (x.rank() < 1 || x.dim(-1) != weight.dim(1))
    throw ConfigError("linear.x", shape_string(x.shape()),
                      "last axis must equal the weight's input size " + std::to_string(weight.dim(1)));
  if (bias) require_shape(*bias, {weight.dim(0)}, "linear.bias");
  Shape shape = x.shape();
  shape.back() = weight.dim(0);
  LinearContext<T> ctx{Tensor<T>::uninitialized(shape), x};
  auto y = ctx.out.matrix();
  y.noalias() = x.matrix() * weight.matrix().transpose();  // Eigen GEMM, OpenMP-parallel
  if (bias) y.rowwise() += bias->vector().transpose();
  return ctx;
}

template <class T>
Tensor<T> linear_backward(const LinearContext<T>& ctx, const Tensor<T>& weight, const Tensor<T>& d_out,
                          Tensor<T>& d_weight, Tensor<T>* d_bias) {
  require_shape(d_out, ctx.out.shape(), "linear.d_out");
  require_shape(d_weight, weight.shape(), "linear.d_weight");
  if (d_bias) require_shape(*d_bias, {weight.dim(0)}, "linear.d_bias");
  const auto dy = d_out.matrix();
  Tensor<T> d_x = Tensor<T>::uninitialized(ctx.x.shape());
  d_x.matrix().noalias() = dy * weight.matrix();
  d_weight.matrix().noalias() += dy.transpose() * ctx.x.matrix();
  if (d_bias) d_bias->vector() += dy.colwise().sum().transpose();
  return d_x;
}

template LinearContext<float> linear_forward(const Tensor<float>&, const Tensor<float>&,
                                             const Tensor<float>*);
template LinearContext<double> linear_forward(const Tensor<double>&, const Tensor<double>&,
                                              const Tensor<double>*);
template Tensor<float> linear_backward(const LinearContext<float>&, const Tensor<float>&,
                                       const Tensor<float>&, Tensor<float>&, Tensor<float>*);
template Tensor<double> linear_backward(const LinearContext<double>&, const Tensor<double>&,
                                        const Tensor<double>&, Tensor<double>&, Tensor<double>*);

}  // namespace glia::nn
