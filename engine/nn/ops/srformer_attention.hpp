#pragma once
// Segmented recurrent attention (SRformer, NETWORKS.md §6), per head, with the choices of the PyTorch
// reference (experiments/reference/torch_srformer_fam.py, S1–S8):
//   segments of S rows, T = ⌈N/S⌉ (the last one may be shorter); padded keys are zero rows of K and V;
//   local:     softmax(q_i K_sᵀ/√d_h) V_s over the real keys of the query's own segment s (0 when there is
//   none); recurrent: X_s = Σ_{j≠s} K_jᵀ V_j = (Σ_j K_jᵀV_j) − K_sᵀV_s, one RAF neuron state U (d_h×d_h) per
//   head,
//              U_0 = 0, stepped s = 1 … T:  Ũ_s = λ U_{s−1} + X_s W_R,  r_s = Ũ_s/θ,  P_s = max(r_s − 1, 0),
//              U_s = Ũ_s − θ·1[r_s > 1] (soft reset);
//   out_i = local_i + (q_i P_s) ⊘ ‖K‖, ‖K‖_c the norm of key column c over every real key of the sequence.
// λ ≥ 0 and θ > 0 are scalars of the layer (learned), W_R (heads, d_h, d_h). The gradient is the exact
// piecewise derivative: 1[r > 1] has derivative 0 wherever it has one (everywhere but r = 1), as autograd's.
// Queries and keys are the same rows (self-attention, N_q = N_k) and d_k = d_v (‖K‖ divides value columns).
#include <vector>

#include "engine/nn/ops/attention_common.hpp"

namespace glia::nn {

template <class T>
struct SrformerAttentionContext {
  Tensor<T> out;  // (B, H, N, d_h)
  Tensor<T> q, k, v;
  Tensor<T> probs;    // (B, H, T, S, S): the local softmax weights of each segment
  Tensor<T> x;        // (B, H, T, d_h, d_h): X_s
  Tensor<T> u_tilde;  // (B, H, T, d_h, d_h): Ũ_s
  Tensor<T> p;        // (B, H, T, d_h, d_h): P_s
  Tensor<T> norms;    // (B, H, d_h): ‖K‖
  KeyMask key_mask;   // empty when every key is real
  Index segment_length = 0;
  T leak = T(0), threshold = T(0);  // λ, θ
};

// leak λ (1), threshold θ (1), recurrent W_R (H, d_h, d_h). ConfigError naming the field for λ < 0, θ ≤ 0,
// segment_length < 1, N_q ≠ N_k, d_k ≠ d_v or a wrong shape.
template <class T>
SrformerAttentionContext<T> srformer_attention_forward(Tensor<T> q, Tensor<T> k, Tensor<T> v,
                                                       const Tensor<T>& recurrent, const Tensor<T>& leak,
                                                       const Tensor<T>& threshold, const KeyMask* key_mask,
                                                       Index segment_length);

// Returns d_q, d_k, d_v; accumulates d_recurrent (H, d_h, d_h), d_leak (1) and d_threshold (1).
// `recurrent` must be the W_R of the forward pass.
template <class T>
AttentionGradients<T> srformer_attention_backward(const SrformerAttentionContext<T>& ctx,
                                                  const Tensor<T>& recurrent, const Tensor<T>& d_out,
                                                  Tensor<T>& d_recurrent, Tensor<T>& d_leak,
                                                  Tensor<T>& d_threshold);

}  // namespace glia::nn
