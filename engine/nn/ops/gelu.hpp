#pragma once
// GELU, tanh form (Hendrycks & Gimpel; PyTorch's gelu(approximate="tanh")):
// y = ½ x (1 + tanh(√(2/π) (x + 0.044715 x³))).
#include "engine/nn/tensor.hpp"

namespace glia::nn {

template <class T>
struct GeluContext {
  Tensor<T> out;
  Tensor<T> x;  // kept for the derivative
};

template <class T>
GeluContext<T> gelu_forward(const Tensor<T>& x);

template <class T>
Tensor<T> gelu_backward(const GeluContext<T>& ctx, const Tensor<T>& d_out);

}  // namespace glia::nn
