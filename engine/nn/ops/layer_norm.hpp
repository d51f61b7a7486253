#pragma once
// Layer normalisation over the last axis: y = (x − μ) / √(σ² + ε) · γ + β, with the biased
// variance (PyTorch's nn.LayerNorm). Means and variances are accumulated in double.
#include "engine/nn/tensor.hpp"

namespace glia::nn {

template <class T>
struct LayerNormContext {
  Tensor<T> out;         // (..., d)
  Tensor<T> normalized;  // (x − μ) / √(σ² + ε), (..., d)
  Tensor<T> inv_std;     // 1 / √(σ² + ε), one per row
};

template <class T>
LayerNormContext<T> layer_norm_forward(const Tensor<T>& x, const Tensor<T>& gamma, const Tensor<T>& beta,
                                       T epsilon = T(1e-5));

// Returns d_x; accumulates d_gamma and d_beta. `gamma` must be the forward pass's.
template <class T>
Tensor<T> layer_norm_backward(const LayerNormContext<T>& ctx, const Tensor<T>& gamma, const Tensor<T>& d_out,
                              Tensor<T>& d_gamma, Tensor<T>& d_beta);

}  // namespace glia::nn
