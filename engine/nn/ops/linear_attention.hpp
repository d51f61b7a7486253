#pragma once
// Linear attention (Katharopoulos et al. 2020), per head, φ = elu + 1:
//   out_i = φ(q_i) S / (φ(q_i) · z + ε),  S = Σ_t φ(k_t)ᵀ v_t,  z = Σ_t φ(k_t),
// O(N d_k d_v). Causal: S and z are prefix sums over t ≤ i. Padded keys leave S and z.
#include "engine/nn/ops/attention_common.hpp"

namespace glia::nn {

struct LinearAttentionOptions {
  bool causal = false;    // needs N_q = N_k
  double epsilon = 1e-6;  // added to the denominator
};

template <class T>
struct LinearAttentionContext {
  Tensor<T> out;  // (B, H, N_q, d_v)
  Tensor<T> q, k, v;
  Tensor<T> state;        // (B, H, d_k, d_v): S (non-causal only)
  Tensor<T> normaliser;   // (B, H, d_k): z (non-causal only)
  Tensor<T> denominator;  // (B, H, N_q)
  KeyMask key_mask;       // empty when every key is real
  LinearAttentionOptions options;
};

template <class T>
LinearAttentionContext<T> linear_attention_forward(Tensor<T> q, Tensor<T> k, Tensor<T> v,
                                                   const KeyMask* key_mask,
                                                   LinearAttentionOptions options = {});

template <class T>
AttentionGradients<T> linear_attention_backward(const LinearAttentionContext<T>& ctx, const Tensor<T>& d_out);

}  // namespace glia::nn
