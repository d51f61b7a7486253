#pragma once
// Astromorphic attention (NETWORKS.md §2), per head, φ = elu + 1, m = d_k:
//   write: H_n = Σ_t φ(k_t)ᵀ v_t                    Hebbian neuron–neuron weights      (m×d_v)
//          A   = P_pos E, (P_pos)_ij = e^{−s|i−j|}  astrocyte process activity         (N_k×m)
//          H_a = φ(A)ᵀ V                            astrocyte → postsynaptic weights   (m×d_v)
//          H   = σ(c (H_n + H_a)), c = 1/N_k, 1/√N_k or learned;  or  H = H_n + H_a with the nonlinearity off
//          g   = (Σ_t φ(k_t))^α                    presynaptic Ca²⁺ response          (m)
//   read:  out_i = φ(q_i) H / (φ(q_i) · g + ε)
// E (heads, N_k, m) is a learned position code and s = softplus(ρ) > 0 a learned decay per
// head. A is computed by exponential scans in O(N m) (exponential_toeplitz.hpp), so the
// operator is linear in N. Padded keys leave H_n, H_a and g (their φ(k_t) and φ(A_t) rows
// are zeroed); A itself runs over all N_k positions, since E is positional, not content.
// With α = 1, no astrocyte term and no nonlinearity it is linear_attention, bit for bit.
#include <vector>

#include "engine/nn/ops/attention_common.hpp"

namespace glia::nn {

// The synaptic scale c of σ(c ·): 1/N_k, 1/√N_k (N_k keys, padded ones counted), or softplus(ρ_h) with ρ a
// learned parameter per head. With c = 1/N_k, σ's argument is a mean over keys and the output hardly depends
// on the input (NETWORKS.md §2); 1/√N_k keeps it a sum's typical size.
enum class SynapticScale { inverse_n, inverse_sqrt_n, learned };

struct AstromorphicAttentionOptions {
  double alpha = 0.25;         // exponent of the presynaptic response g
  bool astrocyte_term = true;  // include H_a
  bool nonlinearity = false;   // σ(c ·) on the Hebbian sum; off: c = 1 and no σ (NETWORKS.md default)
  double epsilon = 1e-6;       // added to the denominator
  SynapticScale scale = SynapticScale::inverse_sqrt_n;  // with the nonlinearity
};

template <class T>
struct AstromorphicAttentionContext {
  Tensor<T> out;  // (B, H, N_q, d_v)
  Tensor<T> q, k, v;
  Tensor<T> activity;     // A, (H, N_k, m); empty without the astrocyte term
  Tensor<T> weights;      // H after the nonlinearity, (B, H, m, d_v)
  Tensor<T> sums;         // H_n + H_a before σ, (B, H, m, d_v): kept for a learned scale's gradient only
  std::vector<T> scale;   // c per head (with the nonlinearity)
  Tensor<T> key_sum;      // Σ_t φ(k_t), (B, H, m)
  Tensor<T> denominator;  // (B, H, N_q)
  KeyMask key_mask;       // empty when every key is real
  AstromorphicAttentionOptions options;
};

// position: E (H, N_k, m); decay: ρ (H), s = softplus(ρ). Both are ignored (but still
// validated) without the astrocyte term. scale: ρ_c (H), c = softplus(ρ_c), required with a learned synaptic
// scale and the nonlinearity (ignored otherwise).
template <class T>
AstromorphicAttentionContext<T> astromorphic_attention_forward(
    Tensor<T> q, Tensor<T> k, Tensor<T> v, const Tensor<T>& position, const Tensor<T>& decay,
    const KeyMask* key_mask, AstromorphicAttentionOptions options = {}, const Tensor<T>* scale = nullptr);

// Returns d_q, d_k, d_v; accumulates d_position (H, N_k, m) and d_decay (H, gradient with
// respect to ρ), and d_scale (H, with respect to ρ_c) for a learned scale. `position`, `decay` and `scale`
// must be the values the forward pass used.
template <class T>
AttentionGradients<T> astromorphic_attention_backward(const AstromorphicAttentionContext<T>& ctx,
                                                      const Tensor<T>& position, const Tensor<T>& decay,
                                                      const Tensor<T>& d_out, Tensor<T>& d_position,
                                                      Tensor<T>& d_decay, Tensor<T>* d_scale = nullptr);

// True when the options need the scale parameter ρ_c.
inline bool learned_scale(const AstromorphicAttentionOptions& o) {
  return o.nonlinearity && o.scale == SynapticScale::learned;
}

// s = softplus(ρ), computed without overflow.
double softplus(double rho);

}  // namespace glia::nn
