#pragma once
// Multi-head self-attention of the block library: y = W_O · merge(op(split(W_Q x), split(W_K x),
// split(W_V x))), with op the model's operator (softmax, linear or astromorphic; docs/model_config.md).
#include "engine/nn/ops/astromorphic_attention.hpp"
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
};

// Registers the layer's parameters under `prefix` ("layers.0.attention").
template <class T>
AttentionWeights<T> add_attention_weights(nn::ParameterSet<T>& params, const std::string& prefix,
                                          const ModelConfig& config);

// x (B, N, d) with N = config.rows(); mask (B, N) marks real keys (null: all real).
template <class T>
AttentionLayerContext<T> attention_layer_forward(const nn::Tensor<T>& x, const nn::KeyMask* mask,
                                                 const ModelConfig& config, const AttentionWeights<T>& w);
// Returns d_x; accumulates every weight's gradient.
template <class T>
nn::Tensor<T> attention_layer_backward(const AttentionLayerContext<T>& ctx, const ModelConfig& config,
                                       const AttentionWeights<T>& w, const nn::Tensor<T>& d_out);

}  // namespace glia::nets
