#pragma once
// Multi-head layout changes: split (B, N, heads·d_h) into (B, heads, N, d_h) and merge back.
// Each is a permutation, so the backward of one is the other.
#include "engine/nn/tensor.hpp"

namespace glia::nn {

template <class T>
Tensor<T> split_heads(const Tensor<T>& x, Index heads);

template <class T>
Tensor<T> merge_heads(const Tensor<T>& x);

}  // namespace glia::nn
