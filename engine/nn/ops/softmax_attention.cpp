#include "engine/nn/ops/softmax_attention.hpp"

#include <utility>

#include <cmath>
#include <limits>

namespace glia::nn {

template <class T>
SoftmaxAttentionContext<T> softmax_attention_forward(Tensor<T> q, Tensor<T> k, Tensor<T> v,
                                                     const KeyMask* key_mask,
                                                     SoftmaxAttentionOptions options) {
  const AttentionShape s = attention_shape(q, k, v, key_mask, "softmax_attention");
  if (options.causal && s.n_query + options.causal_offset != s.n_key)
    throw ConfigError("softmax_attention.causal", "true",
                      "needs as many keys as queries plus the offset (" + std::to_string(s.n_key) + " vs " +
                          std::to_string(s.n_query) + " + " + std::to_string(options.causal_offset) + ")");
  SoftmaxAttentionContext<T> ctx{Tensor<T>({s.batch, s.heads, s.n_query, s.d_value}), Tensor<T>(),
                                 Tensor<T>(), Tensor<T>(),  // q, k, v: moved in at the end
                                 Tensor<T>({s.batch, s.heads, s.n_query, s.n_key})};
  const T scale = T(1) / std::sqrt(static_cast<T>(s.d_key));
#pragma omp parallel for schedule(static)
  for (Index bh = 0; bh < s.batch * s.heads; ++bh) {
    const Index b = bh / s.heads;
    const auto qs = q.block(bh * s.n_query * s.d_key, s.n_query, s.d_key);
    const auto ks = k.block(bh * s.n_key * s.d_key, s.n_key, s.d_key);
    const auto vs = v.block(bh * s.n_key * s.d_value, s.n_key, s.d_value);
    auto p = ctx.probs.block(bh * s.n_query * s.n_key, s.n_query, s.n_key);
    p.noalias() = scale * (qs * ks.transpose());
    for (Index i = 0; i < s.n_query; ++i) {
      T max_score = -std::numeric_limits<T>::infinity();
      for (Index j = 0; j < s.n_key; ++j) {
        const bool visible =
            key_is_real(key_mask, b, s.n_key, j) && !(options.causal && j > i + options.causal_offset);
        if (!visible) p(i, j) = -std::numeric_limits<T>::infinity();
        max_score = std::max(max_score, p(i, j));
      }
      if (max_score == -std::numeric_limits<T>::infinity()) {  // nothing visible
        p.row(i).setZero();
        continue;
      }
      double sum = 0;
      for (Index j = 0; j < s.n_key; ++j) {
        p(i, j) = std::exp(p(i, j) - max_score);
        sum += p(i, j);
      }
      p.row(i) *= static_cast<T>(1.0 / sum);
    }
    ctx.out.block(bh * s.n_query * s.d_value, s.n_query, s.d_value).noalias() = p * vs;
  }
  ctx.q = std::move(q);
  ctx.k = std::move(k);
  ctx.v = std::move(v);
  return ctx;
}

template <class T>
AttentionGradients<T> softmax_attention_backward(const SoftmaxAttentionContext<T>& ctx,
                                                 const Tensor<T>& d_out) {
  require_shape(d_out, ctx.out.shape(), "softmax_attention.d_out");
  const AttentionShape s = attention_shape(ctx.q, ctx.k, ctx.v, nullptr, "softmax_attention");
  AttentionGradients<T> g{Tensor<T>(ctx.q.shape()), Tensor<T>(ctx.k.shape()), Tensor<T>(ctx.v.shape())};
  const T scale = T(1) / std::sqrt(static_cast<T>(s.d_key));
#pragma omp parallel for schedule(static)
  for (Index bh = 0; bh < s.batch * s.heads; ++bh) {
    const auto qs = ctx.q.block(bh * s.n_query * s.d_key, s.n_query, s.d_key);
    const auto ks = ctx.k.block(bh * s.n_key * s.d_key, s.n_key, s.d_key);
    const auto vs = ctx.v.block(bh * s.n_key * s.d_value, s.n_key, s.d_value);
    const auto p = ctx.probs.block(bh * s.n_query * s.n_key, s.n_query, s.n_key);
    const auto dy = d_out.block(bh * s.n_query * s.d_value, s.n_query, s.d_value);
    g.d_v.block(bh * s.n_key * s.d_value, s.n_key, s.d_value).noalias() = p.transpose() * dy;
    RowMatrix<T> d_scores = dy * vs.transpose();  // ∂L/∂P, then ∂L/∂(scores)
    for (Index i = 0; i < s.n_query; ++i) {
      const T row_dot = p.row(i).dot(d_scores.row(i));
      d_scores.row(i) = p.row(i).cwiseProduct((d_scores.row(i).array() - row_dot).matrix());
    }
    g.d_q.block(bh * s.n_query * s.d_key, s.n_query, s.d_key).noalias() = scale * (d_scores * ks);
    g.d_k.block(bh * s.n_key * s.d_key, s.n_key, s.d_key).noalias() = scale * (d_scores.transpose() * qs);
  }
  return g;
}

template SoftmaxAttentionContext<float> softmax_attention_forward(Tensor<float>, Tensor<float>, Tensor<float>,
                                                                  const KeyMask*, SoftmaxAttentionOptions);
template SoftmaxAttentionContext<double> softmax_attention_forward(Tensor<double>, Tensor<double>,
                                                                   Tensor<double>, const KeyMask*,
                                                                   SoftmaxAttentionOptions);
template AttentionGradients<float> softmax_attention_backward(const SoftmaxAttentionContext<float>&,
                                                              const Tensor<float>&);
template AttentionGradients<double> softmax_attention_backward(const SoftmaxAttentionContext<double>&,
                                                               const Tensor<double>&);

}  // namespace glia::nn
