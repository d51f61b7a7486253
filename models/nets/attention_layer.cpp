#include "models/nets/attention_layer.hpp"

#include "engine/nn/ops/heads.hpp"
#include "engine/nn/ops/rows.hpp"

namespace glia::nets {

using nn::Tensor;

template <class T>
AttentionWeights<T> add_attention_weights(nn::ParameterSet<T>& params, const std::string& prefix,
                                          const ModelConfig& config) {
  const Index d = config.d_model;
  AttentionWeights<T> w{};
  w.q_weight = &params.add(prefix + ".q.weight", {d, d});
  w.q_bias = &params.add(prefix + ".q.bias", {d});
  w.k_weight = &params.add(prefix + ".k.weight", {d, d});
  w.k_bias = &params.add(prefix + ".k.bias", {d});
  w.v_weight = &params.add(prefix + ".v.weight", {d, d});
  w.v_bias = &params.add(prefix + ".v.bias", {d});
  w.out_weight = &params.add(prefix + ".out.weight", {d, d});
  w.out_bias = &params.add(prefix + ".out.bias", {d});
  if (config.attention == AttentionKind::astromorphic && config.astro.astrocyte_term) {
    w.position = &params.add(prefix + ".position", {config.heads, config.rows(), config.d_head()});
    w.decay = &params.add(prefix + ".decay", {config.heads});
  }
  return w;
}

template <class T>
AttentionLayerContext<T> attention_layer_forward(const Tensor<T>& x, const nn::KeyMask* mask,
                                                 const ModelConfig& config, const AttentionWeights<T>& w) {
  AttentionLayerContext<T> ctx;
  ctx.q = nn::linear_forward(x, w.q_weight->value, &w.q_bias->value);
  ctx.k = nn::linear_forward(x, w.k_weight->value, &w.k_bias->value);
  ctx.v = nn::linear_forward(x, w.v_weight->value, &w.v_bias->value);
  const Tensor<T> q = nn::split_heads(ctx.q.out, config.heads);
  const Tensor<T> k = nn::split_heads(ctx.k.out, config.heads);
  const Tensor<T> v = nn::split_heads(ctx.v.out, config.heads);
  const Tensor<T>* heads_out = nullptr;
  switch (config.attention) {
    case AttentionKind::softmax:
      ctx.softmax = nn::softmax_attention_forward(q, k, v, mask);
      heads_out = &ctx.softmax.out;
      break;
    case AttentionKind::linear: {
      nn::LinearAttentionOptions o;
      o.epsilon = config.linear_epsilon;
      ctx.linear = nn::linear_attention_forward(q, k, v, mask, o);
      heads_out = &ctx.linear.out;
      break;
    }
    case AttentionKind::astromorphic: {
      // Without the astrocyte term the op ignores E and ρ; it still wants tensors of the right shape.
      const Tensor<T> no_position({config.heads, config.rows(), config.d_head()}), no_decay({config.heads});
      ctx.astromorphic =
          nn::astromorphic_attention_forward(q, k, v, w.position ? w.position->value : no_position,
                                             w.decay ? w.decay->value : no_decay, mask, config.astro);
      heads_out = &ctx.astromorphic.out;
      break;
    }
  }
  ctx.out = nn::linear_forward(nn::merge_heads(*heads_out), w.out_weight->value, &w.out_bias->value);
  return ctx;
}

template <class T>
Tensor<T> attention_layer_backward(const AttentionLayerContext<T>& ctx, const ModelConfig& config,
                                   const AttentionWeights<T>& w, const Tensor<T>& d_out) {
  const Tensor<T> d_merged =
      nn::linear_backward(ctx.out, w.out_weight->value, d_out, w.out_weight->grad, &w.out_bias->grad);
  const Tensor<T> d_heads = nn::split_heads(d_merged, config.heads);
  nn::AttentionGradients<T> g;
  switch (config.attention) {
    case AttentionKind::softmax:
      g = nn::softmax_attention_backward(ctx.softmax, d_heads);
      break;
    case AttentionKind::linear:
      g = nn::linear_attention_backward(ctx.linear, d_heads);
      break;
    case AttentionKind::astromorphic:
      if (w.position) {
        g = nn::astromorphic_attention_backward(ctx.astromorphic, w.position->value, w.decay->value, d_heads,
                                                w.position->grad, w.decay->grad);
      } else {
        Tensor<T> position({config.heads, config.rows(), config.d_head()}), decay({config.heads});
        Tensor<T> d_position = position, d_decay = decay;
        g = nn::astromorphic_attention_backward(ctx.astromorphic, position, decay, d_heads, d_position,
                                                d_decay);
      }
      break;
  }
  Tensor<T> d_x = nn::linear_backward(ctx.q, w.q_weight->value, nn::merge_heads(g.d_q), w.q_weight->grad,
                                      &w.q_bias->grad);
  nn::add_into(d_x, nn::linear_backward(ctx.k, w.k_weight->value, nn::merge_heads(g.d_k), w.k_weight->grad,
                                        &w.k_bias->grad));
  nn::add_into(d_x, nn::linear_backward(ctx.v, w.v_weight->value, nn::merge_heads(g.d_v), w.v_weight->grad,
                                        &w.v_bias->grad));
  return d_x;
}

#define GLIA_INSTANTIATE(T)                                                                                  \
  template AttentionWeights<T> add_attention_weights(nn::ParameterSet<T>&, const std::string&,               \
                                                     const ModelConfig&);                                    \
  template AttentionLayerContext<T> attention_layer_forward(const Tensor<T>&, const nn::KeyMask*,            \
                                                            const ModelConfig&, const AttentionWeights<T>&); \
  template Tensor<T> attention_layer_backward(const AttentionLayerContext<T>&, const ModelConfig&,           \
                                              const AttentionWeights<T>&, const Tensor<T>&);
GLIA_INSTANTIATE(float)
GLIA_INSTANTIATE(double)
#undef GLIA_INSTANTIATE

}  // namespace glia::nets
