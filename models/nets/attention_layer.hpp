#pragma once
// Multi-head self-attention of the block library: y = W_O · merge(op(split(W_Q x), split(W_K x),
// split(W_V x))), with op the model's operator (softmax, linear, astromorphic, srformer or fam;
// docs/model_config.md). For fam the rows of x are [FAM (F rows) ; the block's tokens] and the op also reads
// the keys and values of the cached previous blocks (NETWORKS.md §7).
#include "engine/nn/ops/astromorphic_attention.hpp"
#include "engine/nn/ops/fam_attention.hpp"
#include "engine/nn/ops/linear.hpp"
#include "engine/nn/ops/linear_attention.hpp"
#include "engine/nn/ops/softmax_attention.hpp"
#include "engine/nn/ops/srformer_attention.hpp"
#include "engine/nn/parameters.hpp"
#include "models/nets/model_config.hpp"

namespace glia::nets {

template <class T>
struct AttentionWeights {
  nn::Parameter<T>*q_weight, *q_bias, *k_weight, *k_bias, *v_weight, *v_bias, *out_weight, *out_bias;
  nn::Parameter<T>* position = nullptr;        // astromorphic with the astrocyte term: E (heads, rows, d_h)
  nn::Parameter<T>* decay = nullptr;           // and ρ (heads)
  nn::Parameter<T>* synaptic_scale = nullptr;  // astromorphic with σ and a learned scale: ρ_c (heads)
  nn::Parameter<T>* recurrent = nullptr;       // srformer: W_R (heads, d_h, d_h)
  nn::Parameter<T>* leak = nullptr;            // and the RAF leak λ (1) and threshold θ (1)
  nn::Parameter<T>* threshold = nullptr;
};

template <class T>
struct AttentionLayerContext {
  // Q, K and V come from one fused projection x [W_Q; W_K; W_V]ᵀ + [b_Q; b_K; b_V] (one GEMM
  // and one saved copy of x instead of three); the stacked weights are kept for the backward.
  nn::Tensor<T> qkv_weight, qkv_bias;
  nn::LinearContext<T> qkv, out;
  // Exactly one of these holds the operator's context.
  nn::SoftmaxAttentionContext<T> softmax;
  nn::LinearAttentionContext<T> linear;
  nn::AstromorphicAttentionContext<T> astromorphic;
  nn::SrformerAttentionContext<T> srformer;
  nn::FamAttentionContext<T> fam;
};

// fam: keys and values (B, H, rows, d_h), or gradients with respect to them.
template <class T>
struct KeysValues {
  nn::Tensor<T> k, v;
};

// fam: the keys and values (B, H, C, d_h) of the cached previous blocks' tokens and their mask (B, C).
template <class T>
struct FamCache {
  nn::Tensor<T> k, v;
  nn::KeyMask mask;
};

// fam: this block's token keys and values (B, H, L, d_h), as later blocks cache them.
template <class T>
KeysValues<T> fam_block_keys(const AttentionLayerContext<T>& ctx);

// Registers the layer's parameters under `prefix` ("layers.0.attention").
template <class T>
AttentionWeights<T> add_attention_weights(nn::ParameterSet<T>& params, const std::string& prefix,
                                          const ModelConfig& config);

// x (B, N, d) with N = config.rows() (fam: F + the block's rows); mask (B, N) marks real keys (null: all
// real; fam: the F FAM rows real). fam needs `cache` (C = 0 rows for the first block).
template <class T>
AttentionLayerContext<T> attention_layer_forward(const nn::Tensor<T>& x, const nn::KeyMask* mask,
                                                 const ModelConfig& config, const AttentionWeights<T>& w,
                                                 const FamCache<T>* cache = nullptr);
// Returns d_x; accumulates every weight's gradient. fam: `d_own` (or null) is what later blocks pass back to
// this block's token keys and values through their caches; the gradient of this block's cache is written to
// `d_cache`.
template <class T>
nn::Tensor<T> attention_layer_backward(const AttentionLayerContext<T>& ctx, const ModelConfig& config,
                                       const AttentionWeights<T>& w, const nn::Tensor<T>& d_out,
                                       const KeysValues<T>* d_own = nullptr,
                                       KeysValues<T>* d_cache = nullptr);

}  // namespace glia::nets
