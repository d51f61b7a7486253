#include "engine/nn/ops/astromorphic_attention.hpp"

#include <cmath>
#include <memory>
#include <utility>

#include "engine/nn/ops/exponential_toeplitz.hpp"

namespace glia::nn {

namespace {

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

namespace {

// c per head: 1 without the nonlinearity.
template <class T>
std::vector<T> synaptic_scales(const AttentionShape& s, const AstromorphicAttentionOptions& o,
                               const Tensor<T>* rho) {
  std::vector<T> c(static_cast<std::size_t>(s.heads), T(1));
  if (!o.nonlinearity) return c;
  const double n = static_cast<double>(s.n_key);
  for (Index h = 0; h < s.heads; ++h) {
    double v = 0.0;
    switch (o.scale) {
      case SynapticScale::inverse_n:
        v = 1.0 / n;
        break;
      case SynapticScale::inverse_sqrt_n:
        v = 1.0 / std::sqrt(n);
        break;
      case SynapticScale::learned:
        if (!rho) throw RuntimeError("astromorphic_attention: a learned synaptic scale needs its parameter");
        require_shape(*rho, {s.heads}, "astromorphic_attention.scale");
        v = softplus(static_cast<double>((*rho)[h]));
        break;
    }
    c[static_cast<std::size_t>(h)] = static_cast<T>(v);
  }
  return c;
}

}  // namespace

template <class T>
AstromorphicAttentionContext<T> astromorphic_attention_forward(
    Tensor<T> q, Tensor<T> k, Tensor<T> v, const Tensor<T>& position, const Tensor<T>& decay,
    const KeyMask* key_mask, AstromorphicAttentionOptions options, const Tensor<T>* scale) {
  const AttentionShape s = attention_shape(q, k, v, key_mask, "astromorphic_attention");
  validate(s, position, decay, options);
  const std::vector<T> c = synaptic_scales(s, options, scale);
  AstromorphicAttentionContext<T> ctx{
      Tensor<T>({s.batch, s.heads, s.n_query, s.d_value}),
      Tensor<T>(),  // q, k, v: moved in at the end
      Tensor<T>(),
      Tensor<T>(),
      options.astrocyte_term ? Tensor<T>(position.shape()) : Tensor<T>(),
      Tensor<T>({s.batch, s.heads, s.d_key, s.d_value}),
      learned_scale(options) ? Tensor<T>({s.batch, s.heads, s.d_key, s.d_value}) : Tensor<T>(),
      c,
      Tensor<T>({s.batch, s.heads, s.d_key}),
      Tensor<T>({s.batch, s.heads, s.n_query}),
      key_mask ? *key_mask : KeyMask(),
      options};
  const Index nm = s.n_key * s.d_key;
  const T epsilon = static_cast<T>(options.epsilon);
#pragma omp parallel
  {
    // The astrocyte activity depends on the head only, not on the batch element.
    if (options.astrocyte_term) {
#pragma omp for schedule(static)
      for (Index h = 0; h < s.heads; ++h)
        exponential_toeplitz_into(position.data() + h * nm, s.n_key, s.d_key,
                                  static_cast<T>(std::exp(-softplus(decay[h]))),
                                  ctx.activity.data() + h * nm);
    }
    // Every slice is computed by one thread in a fixed order, so the dynamic schedule does not
    // change any result.
#pragma omp for schedule(dynamic)
    for (Index bh = 0; bh < s.batch * s.heads; ++bh) {
      const Index b = bh / s.heads, h = bh % s.heads;
      const LinearSlice<T> slice{q.data() + bh * s.n_query * s.d_key,
                                 k.data() + bh * nm,
                                 v.data() + bh * s.n_key * s.d_value,
                                 options.astrocyte_term ? ctx.activity.data() + h * nm : nullptr,
                                 s.n_query,
                                 s.n_key,
                                 s.d_key,
                                 s.d_value,
                                 key_mask,
                                 b};
      auto weights = ctx.weights.block(bh * s.d_key * s.d_value, s.d_key, s.d_value);
      Vector<T> z;
      linear_state(slice, weights, z);  // H_n + H_a
      if (learned_scale(options)) ctx.sums.block(bh * s.d_key * s.d_value, s.d_key, s.d_value) = weights;
      if (options.nonlinearity) {
        const T scale = c[static_cast<std::size_t>(h)];
        weights = weights.unaryExpr(
            [scale](T x) { return static_cast<T>(logistic(static_cast<double>(scale * x))); });
      }
      VectorMap<T>(ctx.key_sum.data() + bh * s.d_key, s.d_key) = z;
      linear_read(slice, RowMatrix<T>(weights), presynaptic_response(z, options.alpha), epsilon,
                  ctx.out.data() + bh * s.n_query * s.d_value, ctx.denominator.data() + bh * s.n_query);
    }
  }
  ctx.q = std::move(q);
  ctx.k = std::move(k);
  ctx.v = std::move(v);
  return ctx;
}

template <class T>
AttentionGradients<T> astromorphic_attention_backward(const AstromorphicAttentionContext<T>& ctx,
                                                      const Tensor<T>& position, const Tensor<T>& decay,
                                                      const Tensor<T>& d_out, Tensor<T>& d_position,
                                                      Tensor<T>& d_decay, Tensor<T>* d_scale) {
  require_shape(d_out, ctx.out.shape(), "astromorphic_attention.d_out");
  const KeyMask* key_mask = ctx.key_mask.empty() ? nullptr : &ctx.key_mask;
  const AttentionShape s = attention_shape(ctx.q, ctx.k, ctx.v, key_mask, "astromorphic_attention");
  const AstromorphicAttentionOptions& o = ctx.options;
  validate(s, position, decay, o);
  require_shape(d_position, position.shape(), "astromorphic_attention.d_position");
  require_shape(d_decay, decay.shape(), "astromorphic_attention.d_decay");
  const bool learned = learned_scale(o);
  if (learned) {
    if (!d_scale) throw RuntimeError("astromorphic_attention_backward: a learned scale needs d_scale");
    require_shape(*d_scale, {s.heads}, "astromorphic_attention.d_scale");
  }
  const Index nm = s.n_key * s.d_key;
  std::vector<double> d_c(learned ? static_cast<std::size_t>(s.batch * s.heads) : 0, 0.0);  // ∂L/∂c per slice
  AttentionGradients<T> g{Tensor<T>(ctx.q.shape()), Tensor<T>(ctx.k.shape()), Tensor<T>(ctx.v.shape())};
  // ∂L/∂A per (batch, head), summed over the batch afterwards in a fixed order; every entry is
  // written before it is read, so the buffer is left uninitialised.
  std::unique_ptr<T[]> d_activity(o.astrocyte_term ? new T[static_cast<std::size_t>(s.batch * s.heads * nm)]
                                                   : nullptr);
#pragma omp parallel for schedule(static)
  for (Index bh = 0; bh < s.batch * s.heads; ++bh) {
    const Index b = bh / s.heads, h = bh % s.heads;
    const LinearSlice<T> slice{ctx.q.data() + bh * s.n_query * s.d_key,
                               ctx.k.data() + bh * nm,
                               ctx.v.data() + bh * s.n_key * s.d_value,
                               o.astrocyte_term ? ctx.activity.data() + h * nm : nullptr,
                               s.n_query,
                               s.n_key,
                               s.d_key,
                               s.d_value,
                               key_mask,
                               b};
    const RowMatrix<T> weights = ctx.weights.block(bh * s.d_key * s.d_value, s.d_key, s.d_value);
    const Vector<T> z = ConstVectorMap<T>(ctx.key_sum.data() + bh * s.d_key, s.d_key);
    RowMatrix<T> d_sum;
    Vector<T> d_z;
    linear_read_backward(slice, weights, presynaptic_response(z, o.alpha),
                         ctx.denominator.data() + bh * s.n_query, d_out.data() + bh * s.n_query * s.d_value,
                         g.d_q.data() + bh * s.n_query * s.d_key, d_sum, d_z);
    // Through σ(c ·): σ' = H (1 − H); the Hebbian sum's gradient is shared by H_n and H_a. A learned c also
    // gets Σ ∂L/∂H ⊙ σ' ⊙ (H_n + H_a).
    if (o.nonlinearity) {
      d_sum = d_sum.cwiseProduct(weights.cwiseProduct((T(1) - weights.array()).matrix()));
      if (learned)
        d_c[static_cast<std::size_t>(bh)] = static_cast<double>(
            d_sum.cwiseProduct(ctx.sums.block(bh * s.d_key * s.d_value, s.d_key, s.d_value)).sum());
      d_sum *= ctx.scale[static_cast<std::size_t>(h)];
    }
    // Through g = z^α.
    if (o.alpha != 1.0)
      for (Index a = 0; a < s.d_key; ++a)
        d_z[a] = z[a] > T(0) ? static_cast<T>(o.alpha * std::pow(z[a], o.alpha - 1.0)) * d_z[a] : T(0);
    linear_keys_backward(slice, d_sum, d_z, g.d_k.data() + bh * nm, g.d_v.data() + bh * s.n_key * s.d_value,
                         o.astrocyte_term ? d_activity.get() + bh * nm : nullptr);
  }
  // ∂L/∂ρ_c = Σ_b ∂L/∂c · logistic(ρ_c), c = softplus(ρ_c); summed over the batch in a fixed order.
  if (learned)
    for (Index h = 0; h < s.heads; ++h) {
      double sum = 0.0;
      for (Index b = 0; b < s.batch; ++b) sum += d_c[static_cast<std::size_t>(b * s.heads + h)];
      // logistic(ρ_c) = 1 − e^{−c}
      (*d_scale)[h] +=
          static_cast<T>(sum * -std::expm1(-static_cast<double>(ctx.scale[static_cast<std::size_t>(h)])));
    }
  if (!o.astrocyte_term) return g;
    // A = P E with P symmetric: ∂L/∂E = P ∂L/∂A; ∂L/∂s = Σ ∂L/∂A ⊙ ∂A/∂s; ∂s/∂ρ = logistic(ρ).
#pragma omp parallel for schedule(static)
  for (Index h = 0; h < s.heads; ++h) {
    T* d_a = d_activity.get() + h * nm;  // batch 0's block, the sum over the batch accumulated into it
    for (Index b = 1; b < s.batch; ++b)
      VectorMap<T>(d_a, nm) += ConstVectorMap<T>(d_activity.get() + (b * s.heads + h) * nm, nm);
    const T r = static_cast<T>(std::exp(-softplus(decay[h])));
    const double d_s = exponential_toeplitz_backward(position.data() + h * nm, d_a, s.n_key, s.d_key, r,
                                                     d_position.data() + h * nm);
    d_decay[h] += static_cast<T>(d_s * logistic(static_cast<double>(decay[h])));
  }
  return g;
}

#define GLIA_INSTANTIATE(T)                                                                         \
  template AstromorphicAttentionContext<T> astromorphic_attention_forward(                          \
      Tensor<T>, Tensor<T>, Tensor<T>, const Tensor<T>&, const Tensor<T>&, const KeyMask*,          \
      AstromorphicAttentionOptions, const Tensor<T>*);                                              \
  template AttentionGradients<T> astromorphic_attention_backward(                                   \
      const AstromorphicAttentionContext<T>&, const Tensor<T>&, const Tensor<T>&, const Tensor<T>&, \
      Tensor<T>&, Tensor<T>&, Tensor<T>*);
GLIA_INSTANTIATE(float)
GLIA_INSTANTIATE(double)
#undef GLIA_INSTANTIATE

}  // namespace glia::nn
