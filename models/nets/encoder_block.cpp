#include "models/nets/encoder_block.hpp"

#include "engine/nn/ops/rows.hpp"

namespace glia::nets {

using nn::Tensor;

template <class T>
BlockWeights<T> add_block_weights(nn::ParameterSet<T>& params, Index layer, const ModelConfig& config) {
  const std::string prefix = "layers." + std::to_string(layer);
  const Index d = config.d_model, f = config.ffn;
  BlockWeights<T> w{};
  w.attention = add_attention_weights(params, prefix + ".attention", config);
  w.norm1_weight = &params.add(prefix + ".norm1.weight", {d});
  w.norm1_bias = &params.add(prefix + ".norm1.bias", {d});
  w.ffn_in_weight = &params.add(prefix + ".ffn.in.weight", {f, d});
  w.ffn_in_bias = &params.add(prefix + ".ffn.in.bias", {f});
  w.ffn_out_weight = &params.add(prefix + ".ffn.out.weight", {d, f});
  w.ffn_out_bias = &params.add(prefix + ".ffn.out.bias", {d});
  w.norm2_weight = &params.add(prefix + ".norm2.weight", {d});
  w.norm2_bias = &params.add(prefix + ".norm2.bias", {d});
  return w;
}

namespace {

template <class T>
const Tensor<T>& ffn_forward(BlockContext<T>& ctx, const Tensor<T>& x, const BlockWeights<T>& w) {
  ctx.ffn_in = nn::linear_forward(x, w.ffn_in_weight->value, &w.ffn_in_bias->value);
  ctx.gelu = nn::gelu_forward(ctx.ffn_in.out);
  ctx.ffn_out = nn::linear_forward(ctx.gelu.out, w.ffn_out_weight->value, &w.ffn_out_bias->value);
  return ctx.ffn_out.out;
}

template <class T>
Tensor<T> ffn_backward(const BlockContext<T>& ctx, const BlockWeights<T>& w, const Tensor<T>& d_out) {
  const Tensor<T> d_gelu = nn::linear_backward(ctx.ffn_out, w.ffn_out_weight->value, d_out,
                                               w.ffn_out_weight->grad, &w.ffn_out_bias->grad);
  return nn::linear_backward(ctx.ffn_in, w.ffn_in_weight->value, nn::gelu_backward(ctx.gelu, d_gelu),
                             w.ffn_in_weight->grad, &w.ffn_in_bias->grad);
}

}  // namespace

template <class T>
BlockContext<T> block_forward(const Tensor<T>& x, const nn::KeyMask* mask, const ModelConfig& config,
                              const BlockWeights<T>& w, double p, nn::DropoutKey attention_key,
                              nn::DropoutKey ffn_key, const FamCache<T>* cache) {
  BlockContext<T> ctx;
  if (config.pre_norm) {
    ctx.norm1 = nn::layer_norm_forward(x, w.norm1_weight->value, w.norm1_bias->value);
    ctx.attention = attention_layer_forward(ctx.norm1.out, mask, config, w.attention, cache);
    ctx.drop_attention = nn::dropout_forward(ctx.attention.out.out, p, attention_key);
    const Tensor<T> h = nn::add(x, ctx.drop_attention.out);
    ctx.norm2 = nn::layer_norm_forward(h, w.norm2_weight->value, w.norm2_bias->value);
    ctx.drop_ffn = nn::dropout_forward(ffn_forward(ctx, ctx.norm2.out, w), p, ffn_key);
    ctx.out = nn::add(h, ctx.drop_ffn.out);
  } else {
    ctx.attention = attention_layer_forward(x, mask, config, w.attention, cache);
    ctx.drop_attention = nn::dropout_forward(ctx.attention.out.out, p, attention_key);
    ctx.norm1 = nn::layer_norm_forward(nn::add(x, ctx.drop_attention.out), w.norm1_weight->value,
                                       w.norm1_bias->value);
    ctx.drop_ffn = nn::dropout_forward(ffn_forward(ctx, ctx.norm1.out, w), p, ffn_key);
    ctx.norm2 = nn::layer_norm_forward(nn::add(ctx.norm1.out, ctx.drop_ffn.out), w.norm2_weight->value,
                                       w.norm2_bias->value);
    ctx.out = ctx.norm2.out;
  }
  return ctx;
}

template <class T>
Tensor<T> block_backward(const BlockContext<T>& ctx, const ModelConfig& config, const BlockWeights<T>& w,
                         const Tensor<T>& d_out, const KeysValues<T>* d_own, KeysValues<T>* d_cache) {
  if (config.pre_norm) {
    Tensor<T> d_h = d_out;
    const Tensor<T> d_ffn = ffn_backward(ctx, w, nn::dropout_backward(ctx.drop_ffn, d_out));
    nn::add_into(d_h, nn::layer_norm_backward(ctx.norm2, w.norm2_weight->value, d_ffn, w.norm2_weight->grad,
                                              w.norm2_bias->grad));
    Tensor<T> d_x = d_h;
    const Tensor<T> d_attention = attention_layer_backward(
        ctx.attention, config, w.attention, nn::dropout_backward(ctx.drop_attention, d_h), d_own, d_cache);
    nn::add_into(d_x, nn::layer_norm_backward(ctx.norm1, w.norm1_weight->value, d_attention,
                                              w.norm1_weight->grad, w.norm1_bias->grad));
    return d_x;
  }
  const Tensor<T> d_s2 = nn::layer_norm_backward(ctx.norm2, w.norm2_weight->value, d_out,
                                                 w.norm2_weight->grad, w.norm2_bias->grad);
  Tensor<T> d_h = d_s2;
  nn::add_into(d_h, ffn_backward(ctx, w, nn::dropout_backward(ctx.drop_ffn, d_s2)));
  const Tensor<T> d_s1 = nn::layer_norm_backward(ctx.norm1, w.norm1_weight->value, d_h, w.norm1_weight->grad,
                                                 w.norm1_bias->grad);
  Tensor<T> d_x = d_s1;
  nn::add_into(d_x, attention_layer_backward(ctx.attention, config, w.attention,
                                             nn::dropout_backward(ctx.drop_attention, d_s1), d_own, d_cache));
  return d_x;
}

#define GLIA_INSTANTIATE(T)                                                                              \
  template BlockWeights<T> add_block_weights(nn::ParameterSet<T>&, Index, const ModelConfig&);           \
  template BlockContext<T> block_forward(const Tensor<T>&, const nn::KeyMask*, const ModelConfig&,       \
                                         const BlockWeights<T>&, double, nn::DropoutKey, nn::DropoutKey, \
                                         const FamCache<T>*);                                            \
  template Tensor<T> block_backward(const BlockContext<T>&, const ModelConfig&, const BlockWeights<T>&,  \
                                    const Tensor<T>&, const KeysValues<T>*, KeysValues<T>*);
GLIA_INSTANTIATE(float)
GLIA_INSTANTIATE(double)
#undef GLIA_INSTANTIATE

}  // namespace glia::nets
