#include "engine/nn/ops/astromorphic_attention.hpp"

#include <cmath>

#include "engine/nn/ops/exponential_toeplitz.hpp"

namespace glia::nn {

namespace {

template <class T>
RowMatrix<T> feature_derivative(const RowMatrix<T>& x) {
  return x.unaryExpr([](T z) { return elu_plus_one_derivative(z); });
}

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// g = z^α elementwise; α = 1 returns z itself so that the linear-attention identity is exact.
template <class T>
Vector<T> presynaptic_response(const Vector<T>& z, double alpha) {
  if (alpha == 1.0) return z;
  return z.unaryExpr([alpha](T x) { return x > T(0) ? static_cast<T>(std::pow(x, alpha)) : T(0); });
}

template <class T>
void validate(const AttentionShape& s, const Tensor<T>& position, const Tensor<T>& decay,
              const AstromorphicAttentionOptions& o) {
  require_shape(position, {s.heads, s.n_key, s.d_key}, "astromorphic_attention.position");
  require_shape(decay, {s.heads}, "astromorphic_attention.decay");
  if (s.n_key < 1) throw ConfigError("astromorphic_attention.k", "0 keys", "needs at least one key");
  if (!(o.alpha > 0))
    throw ConfigError("astromorphic_attention.alpha", std::to_string(o.alpha), "must be > 0");
  if (!(o.epsilon > 0))
    throw ConfigError("astromorphic_attention.epsilon", std::to_string(o.epsilon), "must be > 0");
}

}  // namespace

double softplus(double rho) { return rho > 30 ? rho : std::log1p(std::exp(rho)); }

template <class T>
AstromorphicAttentionContext<T> astromorphic_attention_forward(const Tensor<T>& q, const Tensor<T>& k,
                                                               const Tensor<T>& v, const Tensor<T>& position,
                                                               const Tensor<T>& decay,
                                                               const KeyMask* key_mask,
                                                               AstromorphicAttentionOptions options) {
  const AttentionShape s = attention_shape(q, k, v, key_mask, "astromorphic_attention");
  validate(s, position, decay, options);
  AstromorphicAttentionContext<T> ctx{Tensor<T>({s.batch, s.heads, s.n_query, s.d_value}),
                                      q,
                                      k,
                                      v,
                                      options.astrocyte_term ? Tensor<T>(position.shape()) : Tensor<T>(),
                                      Tensor<T>({s.batch, s.heads, s.d_key, s.d_value}),
                                      Tensor<T>({s.batch, s.heads, s.d_key}),
                                      Tensor<T>({s.batch, s.heads, s.n_query}),
                                      key_mask ? *key_mask : KeyMask(),
                                      options};
  const Index nm = s.n_key * s.d_key;
  // The astrocyte activity depends on the head only, not on the batch element.
  if (options.astrocyte_term)
    for (Index h = 0; h < s.heads; ++h)
      ctx.activity.block(h * nm, s.n_key, s.d_key) = exponential_toeplitz(
          position.block(h * nm, s.n_key, s.d_key), static_cast<T>(std::exp(-softplus(decay[h]))));
  const T scale = options.nonlinearity ? T(1) / static_cast<T>(s.n_key) : T(1);
  const T epsilon = static_cast<T>(options.epsilon);
#pragma omp parallel for schedule(static)
  for (Index bh = 0; bh < s.batch * s.heads; ++bh) {
    const Index b = bh / s.heads, h = bh % s.heads;
    const RowMatrix<T> phi_q = feature_map(q.block(bh * s.n_query * s.d_key, s.n_query, s.d_key), nullptr, b);
    const RowMatrix<T> phi_k = feature_map(k.block(bh * s.n_key * s.d_key, s.n_key, s.d_key), key_mask, b);
    const auto vs = v.block(bh * s.n_key * s.d_value, s.n_key, s.d_value);
    auto weights = ctx.weights.block(bh * s.d_key * s.d_value, s.d_key, s.d_value);
    weights.noalias() = phi_k.transpose() * vs;  // H_n
    if (options.astrocyte_term) {
      const RowMatrix<T> phi_a = feature_map(ctx.activity.block(h * nm, s.n_key, s.d_key), key_mask, b);
      weights.noalias() += phi_a.transpose() * vs;  // + H_a
    }
    if (options.nonlinearity)
      weights = weights.unaryExpr(
          [scale](T x) { return static_cast<T>(logistic(static_cast<double>(scale * x))); });
    const Vector<T> z = key_sum(phi_k);
    VectorMap<T>(ctx.key_sum.data() + bh * s.d_key, s.d_key) = z;
    const RowMatrix<T> weights_copy = weights;
    normalised_read<T>(phi_q, weights_copy, presynaptic_response(z, options.alpha), epsilon,
                       ctx.out.block(bh * s.n_query * s.d_value, s.n_query, s.d_value),
                       VectorMap<T>(ctx.denominator.data() + bh * s.n_query, s.n_query));
  }
  return ctx;
}

template <class T>
AttentionGradients<T> astromorphic_attention_backward(const AstromorphicAttentionContext<T>& ctx,
                                                      const Tensor<T>& position, const Tensor<T>& decay,
                                                      const Tensor<T>& d_out, Tensor<T>& d_position,
                                                      Tensor<T>& d_decay) {
  require_shape(d_out, ctx.out.shape(), "astromorphic_attention.d_out");
  const KeyMask* key_mask = ctx.key_mask.empty() ? nullptr : &ctx.key_mask;
  const AttentionShape s = attention_shape(ctx.q, ctx.k, ctx.v, key_mask, "astromorphic_attention");
  const AstromorphicAttentionOptions& o = ctx.options;
  validate(s, position, decay, o);
  require_shape(d_position, position.shape(), "astromorphic_attention.d_position");
  require_shape(d_decay, decay.shape(), "astromorphic_attention.d_decay");
  const Index nm = s.n_key * s.d_key;
  const T scale = o.nonlinearity ? T(1) / static_cast<T>(s.n_key) : T(1);
  AttentionGradients<T> g{Tensor<T>(ctx.q.shape()), Tensor<T>(ctx.k.shape()), Tensor<T>(ctx.v.shape())};
  // ∂L/∂A per (batch, head), summed over the batch afterwards in a fixed order.
  Tensor<T> d_activity = o.astrocyte_term ? Tensor<T>({s.batch, s.heads, s.n_key, s.d_key}) : Tensor<T>();
#pragma omp parallel for schedule(static)
  for (Index bh = 0; bh < s.batch * s.heads; ++bh) {
    const Index b = bh / s.heads, h = bh % s.heads;
    const RowMatrix<T> qs = ctx.q.block(bh * s.n_query * s.d_key, s.n_query, s.d_key);
    const RowMatrix<T> ks = ctx.k.block(bh * s.n_key * s.d_key, s.n_key, s.d_key);
    const auto vs = ctx.v.block(bh * s.n_key * s.d_value, s.n_key, s.d_value);
    const RowMatrix<T> phi_q =
        feature_map(ctx.q.block(bh * s.n_query * s.d_key, s.n_query, s.d_key), nullptr, b);
    const RowMatrix<T> phi_k =
        feature_map(ctx.k.block(bh * s.n_key * s.d_key, s.n_key, s.d_key), key_mask, b);
    const RowMatrix<T> weights = ctx.weights.block(bh * s.d_key * s.d_value, s.d_key, s.d_value);
    const Vector<T> z = ConstVectorMap<T>(ctx.key_sum.data() + bh * s.d_key, s.d_key);
    const NormalisedReadGradients<T> r =
        normalised_read_backward<T>(phi_q, weights, presynaptic_response(z, o.alpha),
                                    ConstVectorMap<T>(ctx.denominator.data() + bh * s.n_query, s.n_query),
                                    d_out.block(bh * s.n_query * s.d_value, s.n_query, s.d_value));
    // Through σ(c ·): σ' = H (1 − H); the Hebbian sum's gradient is shared by H_n and H_a.
    RowMatrix<T> d_sum = r.d_state;
    if (o.nonlinearity)
      d_sum = scale * d_sum.cwiseProduct(weights.cwiseProduct((T(1) - weights.array()).matrix()));
    // Through g = z^α.
    Vector<T> d_z = r.d_normaliser;
    if (o.alpha != 1.0)
      for (Index a = 0; a < s.d_key; ++a)
        d_z[a] = z[a] > T(0) ? static_cast<T>(o.alpha * std::pow(z[a], o.alpha - 1.0)) * d_z[a] : T(0);
    RowMatrix<T> d_phi_k = vs * d_sum.transpose();
    d_phi_k.rowwise() += d_z.transpose();
    auto d_v = g.d_v.block(bh * s.n_key * s.d_value, s.n_key, s.d_value);
    d_v.noalias() = phi_k * d_sum;
    if (o.astrocyte_term) {
      const auto activity = ctx.activity.block(h * nm, s.n_key, s.d_key);
      const RowMatrix<T> phi_a = feature_map(activity, key_mask, b);
      d_v.noalias() += phi_a * d_sum;
      RowMatrix<T> d_phi_a = vs * d_sum.transpose();
      for (Index t = 0; t < s.n_key; ++t)
        if (!key_is_real(key_mask, b, s.n_key, t)) d_phi_a.row(t).setZero();
      d_activity.block(bh * nm, s.n_key, s.d_key) = d_phi_a.cwiseProduct(feature_derivative<T>(activity));
    }
    for (Index t = 0; t < s.n_key; ++t)
      if (!key_is_real(key_mask, b, s.n_key, t)) d_phi_k.row(t).setZero();
    g.d_q.block(bh * s.n_query * s.d_key, s.n_query, s.d_key) =
        r.d_phi_q.cwiseProduct(feature_derivative(qs));
    g.d_k.block(bh * s.n_key * s.d_key, s.n_key, s.d_key) = d_phi_k.cwiseProduct(feature_derivative(ks));
  }
  if (!o.astrocyte_term) return g;
  // A = P E with P symmetric: ∂L/∂E = P ∂L/∂A; ∂L/∂s = Σ ∂L/∂A ⊙ ∂A/∂s; ∂s/∂ρ = logistic(ρ).
  for (Index h = 0; h < s.heads; ++h) {
    RowMatrix<T> d_a = RowMatrix<T>::Zero(s.n_key, s.d_key);
    for (Index b = 0; b < s.batch; ++b) d_a += d_activity.block((b * s.heads + h) * nm, s.n_key, s.d_key);
    const T r = static_cast<T>(std::exp(-softplus(decay[h])));
    const auto e = position.block(h * nm, s.n_key, s.d_key);
    d_position.block(h * nm, s.n_key, s.d_key) += exponential_toeplitz(d_a, r);
    const double d_s =
        d_a.cwiseProduct(exponential_toeplitz_decay_derivative(e, r)).template cast<double>().sum();
    d_decay[h] += static_cast<T>(d_s * logistic(static_cast<double>(decay[h])));
  }
  return g;
}

#define GLIA_INSTANTIATE(T)                                                                              \
  template AstromorphicAttentionContext<T> astromorphic_attention_forward(                               \
      const Tensor<T>&, const Tensor<T>&, const Tensor<T>&, const Tensor<T>&, const Tensor<T>&,          \
      const KeyMask*, AstromorphicAttentionOptions);                                                     \
  template AttentionGradients<T> astromorphic_attention_backward(const AstromorphicAttentionContext<T>&, \
                                                                 const Tensor<T>&, const Tensor<T>&,     \
                                                                 const Tensor<T>&, Tensor<T>&, Tensor<T>&);
GLIA_INSTANTIATE(float)
GLIA_INSTANTIATE(double)
#undef GLIA_INSTANTIATE

}  // namespace glia::nn
