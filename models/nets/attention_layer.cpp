#include "models/nets/attention_layer.hpp"

#include "engine/nn/ops/heads.hpp"
#include "engine/nn/ops/rows.hpp"
#include "models/nets/simulated_attention.hpp"

#include <utility>

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
  if (config.attention == AttentionKind::srformer) {
    w.recurrent = &params.add(prefix + ".recurrent", {config.heads, config.d_head(), config.d_head()});
    w.leak = &params.add(prefix + ".leak", {1});
    w.threshold = &params.add(prefix + ".threshold", {1});
  }
  if (config.attention == AttentionKind::astromorphic && nn::learned_scale(config.astro))
    w.synaptic_scale = &params.add(prefix + ".synaptic_scale", {config.heads});
  return w;
}

namespace {

// Columns [begin, begin + count) of a key mask (B, n).
nn::KeyMask mask_columns(const nn::KeyMask& mask, Index begin, Index count) {
  const Index B = mask.dim(0), n = mask.dim(1);
  nn::KeyMask out({B, count});
  for (Index b = 0; b < B; ++b)
    for (Index i = 0; i < count; ++i) out[b * count + i] = mask[b * n + begin + i];
  return out;
}

}  // namespace

template <class T>
KeysValues<T> fam_block_keys(const AttentionLayerContext<T>& ctx) {
  const Index skip = ctx.fam.fam + ctx.fam.cache;  // the op's keys are [FAM ; cache ; block]
  return {nn::head_rows(ctx.fam.tokens.k, skip, ctx.fam.block),
          nn::head_rows(ctx.fam.tokens.v, skip, ctx.fam.block)};
}

template <class T>
AttentionLayerContext<T> attention_layer_forward(const Tensor<T>& x, const nn::KeyMask* mask,
                                                 const ModelConfig& config, const AttentionWeights<T>& w,
                                                 const FamCache<T>* cache) {
  AttentionLayerContext<T> ctx;
  const Index d = config.d_model;
  ctx.qkv_weight = Tensor<T>::uninitialized({3 * d, d});
  ctx.qkv_bias = Tensor<T>::uninitialized({3 * d});
  const nn::Parameter<T>* weights[3] = {w.q_weight, w.k_weight, w.v_weight};
  const nn::Parameter<T>* biases[3] = {w.q_bias, w.k_bias, w.v_bias};
  for (Index i = 0; i < 3; ++i) {
    ctx.qkv_weight.matrix().middleRows(i * d, d) = weights[i]->value.matrix();
    ctx.qkv_bias.vector().segment(i * d, d) = biases[i]->value.vector();
  }
  ctx.qkv = nn::linear_forward(x, ctx.qkv_weight, &ctx.qkv_bias);
  Tensor<T> q = nn::split_heads(ctx.qkv.out, config.heads, 0, d);
  Tensor<T> k = nn::split_heads(ctx.qkv.out, config.heads, d, d);
  Tensor<T> v = nn::split_heads(ctx.qkv.out, config.heads, 2 * d, d);
  const Tensor<T>* heads_out = nullptr;
  switch (config.attention) {
    case AttentionKind::softmax:
      ctx.softmax = nn::softmax_attention_forward(std::move(q), std::move(k), std::move(v), mask);
      heads_out = &ctx.softmax.out;
      break;
    case AttentionKind::linear: {
      nn::LinearAttentionOptions o;
      o.epsilon = config.linear_epsilon;
      ctx.linear = nn::linear_attention_forward(std::move(q), std::move(k), std::move(v), mask, o);
      heads_out = &ctx.linear.out;
      break;
    }
    case AttentionKind::srformer:
      ctx.srformer =
          nn::srformer_attention_forward(std::move(q), std::move(k), std::move(v), w.recurrent->value,
                                         w.leak->value, w.threshold->value, mask, config.segment_length);
      heads_out = &ctx.srformer.out;
      break;
    case AttentionKind::fam: {
      if (!cache) throw ConfigError("attention_layer.cache", "", "fam attention needs the block cache");
      const Index F = config.memory_tokens, L = q.dim(2) - F;
      const nn::KeyMask block_mask = mask ? mask_columns(*mask, F, L) : nn::KeyMask();
      ctx.fam =
          nn::fam_attention_forward(nn::head_rows(q, F, L), nn::head_rows(k, F, L), nn::head_rows(v, F, L),
                                    nn::head_rows(q, 0, F), nn::head_rows(k, 0, F), nn::head_rows(v, 0, F),
                                    cache->k, cache->v, mask ? &block_mask : nullptr, &cache->mask);
      // Output rows in the input's order: [FAM ; block]
      const Tensor<T> rows =
          F > 0 ? nn::concat_head_rows<T>({&ctx.fam.memory.out, &ctx.fam.tokens.out}) : ctx.fam.tokens.out;
      ctx.out = nn::linear_forward(nn::merge_heads(rows), w.out_weight->value, &w.out_bias->value);
      return ctx;
    }
    case AttentionKind::astromorphic: {
      // Without the astrocyte term the op ignores E and ρ; it still wants tensors of the right shape.
      const Tensor<T> no_position({config.heads, config.rows(), config.d_head()}), no_decay({config.heads});
      const Tensor<T>& position = w.position ? w.position->value : no_position;
      const Tensor<T>& decay = w.decay ? w.decay->value : no_decay;
      ctx.astromorphic = nn::astromorphic_attention_forward(
          std::move(q), std::move(k), std::move(v), position, decay, mask, config.astro,
          w.synaptic_scale ? &w.synaptic_scale->value : nullptr);
      // Evaluation with simulated heads (models/nets/simulated_attention): the real rows of every (batch,
      // head) slice of the output become the neuron-astrocyte simulation's. Never active in training.
      if (simulated_attention_active()) simulated_attention_hook(ctx.astromorphic, position, decay, mask);
      heads_out = &ctx.astromorphic.out;
      break;
    }
  }
  ctx.out = nn::linear_forward(nn::merge_heads(*heads_out), w.out_weight->value, &w.out_bias->value);
  return ctx;
}

template <class T>
Tensor<T> attention_layer_backward(const AttentionLayerContext<T>& ctx, const ModelConfig& config,
                                   const AttentionWeights<T>& w, const Tensor<T>& d_out,
                                   const KeysValues<T>* d_own, KeysValues<T>* d_cache) {
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
    case AttentionKind::srformer:
      g = nn::srformer_attention_backward(ctx.srformer, w.recurrent->value, d_heads, w.recurrent->grad,
                                          w.leak->grad, w.threshold->grad);
      break;
    case AttentionKind::fam: {
      const Index F = ctx.fam.fam, L = ctx.fam.block;
      nn::FamAttentionGradients<T> f =
          nn::fam_attention_backward(ctx.fam, nn::head_rows(d_heads, F, L), nn::head_rows(d_heads, 0, F));
      if (d_own) {
        nn::add_into(f.d_k, d_own->k);
        nn::add_into(f.d_v, d_own->v);
      }
      if (d_cache) *d_cache = {std::move(f.d_cache_k), std::move(f.d_cache_v)};
      g.d_q = nn::concat_head_rows<T>({&f.d_fam_q, &f.d_q});
      g.d_k = nn::concat_head_rows<T>({&f.d_fam_k, &f.d_k});
      g.d_v = nn::concat_head_rows<T>({&f.d_fam_v, &f.d_v});
      break;
    }
    case AttentionKind::astromorphic:
      if (w.position) {
        g = nn::astromorphic_attention_backward(ctx.astromorphic, w.position->value, w.decay->value, d_heads,
                                                w.position->grad, w.decay->grad,
                                                w.synaptic_scale ? &w.synaptic_scale->grad : nullptr);
      } else {
        Tensor<T> position({config.heads, config.rows(), config.d_head()}), decay({config.heads});
        Tensor<T> d_position = position, d_decay = decay;
        g = nn::astromorphic_attention_backward(ctx.astromorphic, position, decay, d_heads, d_position,
                                                d_decay,
                                                w.synaptic_scale ? &w.synaptic_scale->grad : nullptr);
      }
      break;
  }
  const Index d = config.d_model;
  Tensor<T> d_qkv = Tensor<T>::uninitialized(ctx.qkv.out.shape());
  nn::merge_heads_into(g.d_q, d_qkv, 0);
  nn::merge_heads_into(g.d_k, d_qkv, d);
  nn::merge_heads_into(g.d_v, d_qkv, 2 * d);
  Tensor<T> d_weight({3 * d, d}), d_bias({3 * d});
  Tensor<T> d_x = nn::linear_backward(ctx.qkv, ctx.qkv_weight, d_qkv, d_weight, &d_bias);
  nn::Parameter<T>* weights[3] = {w.q_weight, w.k_weight, w.v_weight};
  nn::Parameter<T>* biases[3] = {w.q_bias, w.k_bias, w.v_bias};
  for (Index i = 0; i < 3; ++i) {
    weights[i]->grad.matrix() += d_weight.matrix().middleRows(i * d, d);
    biases[i]->grad.vector() += d_bias.vector().segment(i * d, d);
  }
  return d_x;
}

#define GLIA_INSTANTIATE(T)                                                                                 \
  template AttentionWeights<T> add_attention_weights(nn::ParameterSet<T>&, const std::string&,              \
                                                     const ModelConfig&);                                   \
  template KeysValues<T> fam_block_keys(const AttentionLayerContext<T>&);                                   \
  template AttentionLayerContext<T> attention_layer_forward(const Tensor<T>&, const nn::KeyMask*,           \
                                                            const ModelConfig&, const AttentionWeights<T>&, \
                                                            const FamCache<T>*);                            \
  template Tensor<T> attention_layer_backward(const AttentionLayerContext<T>&, const ModelConfig&,          \
                                              const AttentionWeights<T>&, const Tensor<T>&,                 \
                                              const KeysValues<T>*, KeysValues<T>*);
GLIA_INSTANTIATE(float)
GLIA_INSTANTIATE(double)
#undef GLIA_INSTANTIATE

}  // namespace glia::nets
