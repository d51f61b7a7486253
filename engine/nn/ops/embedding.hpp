#pragma once
// Token embedding: out[b, n, :] = table[ids[b, n], :].
#include <cstdint>

#include "engine/nn/tensor.hpp"

namespace glia::nn {

template <class T>
struct EmbeddingContext {
  Tensor<T> out;             // (B, N, d)
  Tensor<std::int32_t> ids;  // (B, N), kept to scatter the gradient
};

// ids (B, N) in [0, V); table (V, d). An id out of range is a ConfigError naming its position.
template <class T>
EmbeddingContext<T> embedding_forward(const Tensor<std::int32_t>& ids, const Tensor<T>& table);

// Accumulates into d_table (V, d); the ids have no gradient.
template <class T>
void embedding_backward(const EmbeddingContext<T>& ctx, const Tensor<T>& d_out, Tensor<T>& d_table);

}  // namespace glia::nn
