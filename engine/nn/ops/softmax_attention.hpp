#pragma once
// Scaled dot-product attention per head: out = softmax(Q Kᵀ / √d_k + mask) V, O(N²).
// Masked scores are excluded from the softmax; a query with no visible key outputs zeros.
#include "engine/nn/ops/attention_common.hpp"

namespace glia::nn {

struct SoftmaxAttentionOptions {
  bool causal = false;      // query i sees keys j ≤ i + causal_offset (needs N_k = N_q + causal_offset)
  Index causal_offset = 0;  // keys before the queries' own rows, all visible (e.g. a memory and a cache)
};

template <class T>
struct SoftmaxAttentionContext {
  Tensor<T> out;  // (B, H, N_q, d_v)
  Tensor<T> q, k, v;
  Tensor<T> probs;  // (B, H, N_q, N_k), the attention weights
};

template <class T>
SoftmaxAttentionContext<T> softmax_attention_forward(Tensor<T> q, Tensor<T> k, Tensor<T> v,
                                                     const KeyMask* key_mask,
                                                     SoftmaxAttentionOptions options = {});

template <class T>
AttentionGradients<T> softmax_attention_backward(const SoftmaxAttentionContext<T>& ctx,
                                                 const Tensor<T>& d_out);

}  // namespace glia::nn
