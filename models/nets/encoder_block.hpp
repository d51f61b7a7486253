#pragma once
// The transformer block every model is built from (docs/model_config.md):
//   pre-norm:  h = x + drop(attention(LN_1(x)));  y = h + drop(ffn(LN_2(h)))
//   post-norm: h = LN_1(x + drop(attention(x)));  y = LN_2(h + drop(ffn(h)))
// with ffn(x) = W_2 GELU(W_1 x + b_1) + b_2.
#include "engine/nn/ops/dropout.hpp"
#include "engine/nn/ops/gelu.hpp"
#include "engine/nn/ops/layer_norm.hpp"
#include "models/nets/attention_layer.hpp"

namespace glia::nets {

template <class T>
struct BlockWeights {
  AttentionWeights<T> attention;
  nn::Parameter<T>*norm1_weight, *norm1_bias, *ffn_in_weight, *ffn_in_bias, *ffn_out_weight, *ffn_out_bias,
      *norm2_weight, *norm2_bias;
};

template <class T>
struct BlockContext {
  nn::LayerNormContext<T> norm1, norm2;
  AttentionLayerContext<T> attention;
  nn::DropoutContext<T> drop_attention, drop_ffn;
  nn::LinearContext<T> ffn_in, ffn_out;
  nn::GeluContext<T> gelu;
  nn::Tensor<T> out;
};

// Registers layer `layer`'s parameters ("layers.{layer}.…").
template <class T>
BlockWeights<T> add_block_weights(nn::ParameterSet<T>& params, Index layer, const ModelConfig& config);

// Dropout with probability p (0 in evaluation) and the keys of the attention and FFN outputs.
// fam: `cache`, `d_own` and `d_cache` as attention_layer_forward / _backward say.
template <class T>
BlockContext<T> block_forward(const nn::Tensor<T>& x, const nn::KeyMask* mask, const ModelConfig& config,
                              const BlockWeights<T>& w, double p, nn::DropoutKey attention_key,
                              nn::DropoutKey ffn_key, const FamCache<T>* cache = nullptr);
template <class T>
nn::Tensor<T> block_backward(const BlockContext<T>& ctx, const ModelConfig& config, const BlockWeights<T>& w,
                             const nn::Tensor<T>& d_out, const KeysValues<T>* d_own = nullptr,
                             KeysValues<T>* d_cache = nullptr);

}  // namespace glia::nets
