#pragma once
// Multi-head layout changes: split (B, N, heads·d_h) into (B, heads, N, d_h) and merge back.
// Each is a permutation, so the backward of one is the other. Also cutting and joining the rows of every
// (batch, head) slice: keys drawn from several places (a memory, a cache of earlier blocks, the block).
#include <vector>

#include "engine/nn/tensor.hpp"

namespace glia::nn {

template <class T>
Tensor<T> split_heads(const Tensor<T>& x, Index heads);

// The heads of columns [column, column + width) of x (B, N, C), e.g. K from a fused Q|K|V
// projection: (B, heads, N, width / heads).
template <class T>
Tensor<T> split_heads(const Tensor<T>& x, Index heads, Index column, Index width);

template <class T>
Tensor<T> merge_heads(const Tensor<T>& x);

// Writes merge_heads(x) (B, N, heads·d_h) into columns [column, column + heads·d_h) of out (B, N, C).
template <class T>
void merge_heads_into(const Tensor<T>& x, Tensor<T>& out, Index column);

// (B, H, n_1 + n_2 + …, d) from (B, H, n_i, d) tensors, in order.
template <class T>
Tensor<T> concat_head_rows(const std::vector<const Tensor<T>*>& parts);

// Rows [begin, begin + count) of every (batch, head) slice of x (B, H, n, d).
template <class T>
Tensor<T> head_rows(const Tensor<T>& x, Index begin, Index count);

}  // namespace glia::nn
