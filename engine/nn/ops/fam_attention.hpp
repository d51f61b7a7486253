#pragma once
// The attention of one block of TransformerFAM (NETWORKS.md §7), per head, with the choices of the PyTorch
// reference (experiments/reference/torch_srformer_fam.py, F1):
//   token queries of the block attend, with one softmax (scale 1/√d_h), to [FAM (F keys, always real) ;
//   the cached previous blocks' real keys (C) ; the block's own real keys j ≤ i (causal)];
//   FAM queries attend to [FAM ; every real key of the block].
// It is softmax attention twice, over concatenated keys: the first causal with the F + C leading keys visible
// to every query (SoftmaxAttentionOptions::causal_offset), the second with the key mask only. The recurrence
// of the FAM through the layer (W_O, norms, FFN) is the model's, not this op's.
#include "engine/nn/ops/softmax_attention.hpp"

namespace glia::nn {

template <class T>
struct FamAttentionContext {
  SoftmaxAttentionContext<T> tokens;  // queries: the block; keys: [FAM ; cache ; block]
  SoftmaxAttentionContext<T> memory;  // queries: the FAM; keys: [FAM ; block]
  Index fam = 0, cache = 0, block = 0;
};

template <class T>
struct FamAttentionGradients {
  Tensor<T> d_q, d_k, d_v;              // the block's (B, H, L, d_h)
  Tensor<T> d_fam_q, d_fam_k, d_fam_v;  // (B, H, F, d_h)
  Tensor<T> d_cache_k, d_cache_v;       // (B, H, C, d_h)
};

// q, k, v: (B, H, L, d_h); fam_q, fam_k, fam_v: (B, H, F, d_h) (F may be 0); cache_k, cache_v: (B, H, C, d_h)
// (C may be 0); key_mask (B, L) and cache_mask (B, C): 1 = real, null = all real. The outputs are
// ctx.tokens.out (B, H, L, d_h) and ctx.memory.out (B, H, F, d_h).
template <class T>
FamAttentionContext<T> fam_attention_forward(const Tensor<T>& q, const Tensor<T>& k, const Tensor<T>& v,
                                             const Tensor<T>& fam_q, const Tensor<T>& fam_k,
                                             const Tensor<T>& fam_v, const Tensor<T>& cache_k,
                                             const Tensor<T>& cache_v, const KeyMask* key_mask,
                                             const KeyMask* cache_mask);

// d_out: (B, H, L, d_h) for the tokens, d_fam_out: (B, H, F, d_h) for the FAM.
template <class T>
FamAttentionGradients<T> fam_attention_backward(const FamAttentionContext<T>& ctx, const Tensor<T>& d_out,
                                                const Tensor<T>& d_fam_out);

}  // namespace glia::nn
