#include "engine/nn/ops/linear_attention.hpp"

#include <utility>

namespace glia::nn {

namespace {

template <class T>
RowMatrix<T> feature_derivative(const ConstMatrixMap<T>& x) {
  return x.unaryExpr([](T z) { return elu_plus_one_derivative(z); });
}

// Causal forward of one (batch, head): running S and z, one query at a time.
template <class T>
void causal_forward(const RowMatrix<T>& phi_q, const RowMatrix<T>& phi_k, const ConstMatrixMap<T>& v,
                    T epsilon, MatrixMap<T> out, VectorMap<T> denominator) {
  RowMatrix<T> state = RowMatrix<T>::Zero(phi_k.cols(), v.cols());
  Vector<double> z = Vector<double>::Zero(phi_k.cols());
  for (Index i = 0; i < phi_q.rows(); ++i) {
    state.noalias() += phi_k.row(i).transpose() * v.row(i);
    z += phi_k.row(i).transpose().template cast<double>();
    denominator[i] = static_cast<T>(phi_q.row(i).template cast<double>().dot(z)) + epsilon;
    out.row(i).noalias() = phi_q.row(i) * state;
    out.row(i) /= denominator[i];
  }
}

}  // namespace

template <class T>
LinearAttentionContext<T> linear_attention_forward(Tensor<T> q, Tensor<T> k, Tensor<T> v,
                                                   const KeyMask* key_mask, LinearAttentionOptions options) {
  const AttentionShape s = attention_shape(q, k, v, key_mask, "linear_attention");
  if (options.causal && s.n_query != s.n_key)
    throw ConfigError("linear_attention.causal", "true",
                      "needs as many queries as keys (" + std::to_string(s.n_query) + " vs " +
                          std::to_string(s.n_key) + ")");
  if (!(options.epsilon > 0))
    throw ConfigError("linear_attention.epsilon", std::to_string(options.epsilon), "must be > 0");
  LinearAttentionContext<T> ctx{
      Tensor<T>({s.batch, s.heads, s.n_query, s.d_value}),
      Tensor<T>(),  // q, k, v: moved in at the end
      Tensor<T>(),
      Tensor<T>(),
      options.causal ? Tensor<T>() : Tensor<T>({s.batch, s.heads, s.d_key, s.d_value}),
      options.causal ? Tensor<T>() : Tensor<T>({s.batch, s.heads, s.d_key}),
      Tensor<T>({s.batch, s.heads, s.n_query}),
      key_mask ? *key_mask : KeyMask(),
      options};
  const T epsilon = static_cast<T>(options.epsilon);
#pragma omp parallel
  {
    // Every slice is computed by one thread in a fixed order, so the dynamic schedule does not
    // change any result.
#pragma omp for schedule(dynamic)
    for (Index bh = 0; bh < s.batch * s.heads; ++bh) {
      const Index b = bh / s.heads;
      auto out = ctx.out.block(bh * s.n_query * s.d_value, s.n_query, s.d_value);
      VectorMap<T> denominator(ctx.denominator.data() + bh * s.n_query, s.n_query);
      if (options.causal) {
        const RowMatrix<T> phi_q =
            feature_map(std::as_const(q).block(bh * s.n_query * s.d_key, s.n_query, s.d_key), nullptr, b);
        const RowMatrix<T> phi_k =
            feature_map(std::as_const(k).block(bh * s.n_key * s.d_key, s.n_key, s.d_key), key_mask, b);
        const auto vs = std::as_const(v).block(bh * s.n_key * s.d_value, s.n_key, s.d_value);
        causal_forward<T>(phi_q, phi_k, vs, epsilon, out, denominator);
        continue;
      }
      const LinearSlice<T> slice{q.data() + bh * s.n_query * s.d_key,
                                 k.data() + bh * s.n_key * s.d_key,
                                 v.data() + bh * s.n_key * s.d_value,
                                 nullptr,
                                 s.n_query,
                                 s.n_key,
                                 s.d_key,
                                 s.d_value,
                                 key_mask,
                                 b};
      auto state = ctx.state.block(bh * s.d_key * s.d_value, s.d_key, s.d_value);
      Vector<T> z;
      linear_state(slice, state, z);
      VectorMap<T>(ctx.normaliser.data() + bh * s.d_key, s.d_key) = z;
      linear_read(slice, RowMatrix<T>(state), z, epsilon, out.data(), denominator.data());
    }
  }
  ctx.q = std::move(q);
  ctx.k = std::move(k);
  ctx.v = std::move(v);
  return ctx;
}

template <class T>
AttentionGradients<T> linear_attention_backward(const LinearAttentionContext<T>& ctx,
                                                const Tensor<T>& d_out) {
  require_shape(d_out, ctx.out.shape(), "linear_attention.d_out");
  const KeyMask* key_mask = ctx.key_mask.empty() ? nullptr : &ctx.key_mask;
  const AttentionShape s = attention_shape(ctx.q, ctx.k, ctx.v, key_mask, "linear_attention");
  AttentionGradients<T> g{Tensor<T>(ctx.q.shape()), Tensor<T>(ctx.k.shape()), Tensor<T>(ctx.v.shape())};
#pragma omp parallel for schedule(static)
  for (Index bh = 0; bh < s.batch * s.heads; ++bh) {
    const Index b = bh / s.heads;
    const auto qs = ctx.q.block(bh * s.n_query * s.d_key, s.n_query, s.d_key);
    const auto ks = ctx.k.block(bh * s.n_key * s.d_key, s.n_key, s.d_key);
    const auto vs = ctx.v.block(bh * s.n_key * s.d_value, s.n_key, s.d_value);
    const auto dy = d_out.block(bh * s.n_query * s.d_value, s.n_query, s.d_value);
    const ConstVectorMap<T> denominator(ctx.denominator.data() + bh * s.n_query, s.n_query);
    if (!ctx.options.causal) {
      const LinearSlice<T> slice{qs.data(), ks.data(), vs.data(), nullptr,  s.n_query,
                                 s.n_key,   s.d_key,   s.d_value, key_mask, b};
      const RowMatrix<T> state = ctx.state.block(bh * s.d_key * s.d_value, s.d_key, s.d_value);
      const Vector<T> z = ConstVectorMap<T>(ctx.normaliser.data() + bh * s.d_key, s.d_key);
      RowMatrix<T> d_state;
      Vector<T> d_z;
      linear_read_backward(slice, state, z, denominator.data(), dy.data(),
                           g.d_q.data() + bh * s.n_query * s.d_key, d_state, d_z);
      linear_keys_backward(slice, d_state, d_z, g.d_k.data() + bh * s.n_key * s.d_key,
                           g.d_v.data() + bh * s.n_key * s.d_value, static_cast<T*>(nullptr));
      continue;
    }
    const RowMatrix<T> phi_q = feature_map(qs, nullptr, b);
    const RowMatrix<T> phi_k = feature_map(ks, key_mask, b);
    RowMatrix<T> d_phi_q(s.n_query, s.d_key), d_phi_k(s.n_key, s.d_key);
    auto d_v = g.d_v.block(bh * s.n_key * s.d_value, s.n_key, s.d_value);
    // Causal: forward in i for ∂/∂φ(q_i) (needs the prefix S_i, z_i), then backward in t for the
    // keys and values (needs the suffix sums of the query-side gradients).
    RowMatrix<T> d_numerator(s.n_query, s.d_value);
    Vector<T> d_denominator(s.n_query);
    RowMatrix<T> state = RowMatrix<T>::Zero(s.d_key, s.d_value);
    Vector<double> z = Vector<double>::Zero(s.d_key);
    for (Index i = 0; i < s.n_query; ++i) {
      state.noalias() += phi_k.row(i).transpose() * vs.row(i);
      z += phi_k.row(i).transpose().template cast<double>();
      const T den = denominator[i];
      d_numerator.row(i) = dy.row(i) / den;
      d_denominator[i] = -(d_numerator.row(i).dot(phi_q.row(i) * state)) / den;
      d_phi_q.row(i).noalias() = d_numerator.row(i) * state.transpose();
      d_phi_q.row(i) += d_denominator[i] * z.transpose().template cast<T>();
    }
    RowMatrix<T> d_state = RowMatrix<T>::Zero(s.d_key, s.d_value);
    Vector<T> d_z = Vector<T>::Zero(s.d_key);
    for (Index t = s.n_key - 1; t >= 0; --t) {
      d_state.noalias() += phi_q.row(t).transpose() * d_numerator.row(t);
      d_z += d_denominator[t] * phi_q.row(t).transpose();
      d_phi_k.row(t).noalias() = vs.row(t) * d_state.transpose();
      d_phi_k.row(t) += d_z.transpose();
      d_v.row(t).noalias() = phi_k.row(t) * d_state;
    }
    // Padded keys were zeroed before the sums: no gradient reaches them.
    for (Index t = 0; t < s.n_key; ++t)
      if (!key_is_real(key_mask, b, s.n_key, t)) d_phi_k.row(t).setZero();
    g.d_q.block(bh * s.n_query * s.d_key, s.n_query, s.d_key) = d_phi_q.cwiseProduct(feature_derivative(qs));
    g.d_k.block(bh * s.n_key * s.d_key, s.n_key, s.d_key) = d_phi_k.cwiseProduct(feature_derivative(ks));
  }
  return g;
}

template LinearAttentionContext<float> linear_attention_forward(Tensor<float>, Tensor<float>, Tensor<float>,
                                                                const KeyMask*, LinearAttentionOptions);
template LinearAttentionContext<double> linear_attention_forward(Tensor<double>, Tensor<double>,
                                                                 Tensor<double>, const KeyMask*,
                                                                 LinearAttentionOptions);
template AttentionGradients<float> linear_attention_backward(const LinearAttentionContext<float>&,
                                                             const Tensor<float>&);
template AttentionGradients<double> linear_attention_backward(const LinearAttentionContext<double>&,
                                                              const Tensor<double>&);

}  // namespace glia::nn
