#pragma once
// Affine map over the last axis, PyTorch's layout: y = x Wᵀ + b, W (out, in), b (out).
#include "engine/nn/tensor.hpp"

namespace glia::nn {

template <class T>
struct LinearContext {
  Tensor<T> out;  // (..., out)
  Tensor<T> x;    // (..., in), kept for d_weight
};

// x (..., in); bias may be null (no bias).
template <class T>
LinearContext<T> linear_forward(const Tensor<T>& x, const Tensor<T>& weight, const Tensor<T>* bias);

// Returns d_x; accumulates d_weight (and d_bias unless null). `weight` must hold the values
// the forward pass used.
template <class T>
Tensor<T> linear_backward(const LinearContext<T>& ctx, const Tensor<T>& weight, const Tensor<T>& d_out,
                          Tensor<T>& d_weight, Tensor<T>* d_bias);

}  // namespace glia::nn
