#pragma once
// Mean over the sequence axis: x (B, N, d) → (B, d), over the real positions only when a
// mask (B, N; 1 real, 0 padding) is given. Sums are accumulated in double.
#include <cstdint>

#include "engine/nn/tensor.hpp"

namespace glia::nn {

template <class T>
struct MeanPoolingContext {
  Tensor<T> out;              // (B, d)
  Tensor<std::uint8_t> mask;  // empty: every position counts
  Index length = 0;           // N
};

// A batch row with no real position is a ConfigError (its mean is undefined).
template <class T>
MeanPoolingContext<T> mean_pooling_forward(const Tensor<T>& x, const Tensor<std::uint8_t>* mask);

template <class T>
Tensor<T> mean_pooling_backward(const MeanPoolingContext<T>& ctx, const Tensor<T>& d_out);

}  // namespace glia::nn
