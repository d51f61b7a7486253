#include "engine/nn/ops/srformer_attention.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "engine/io/json_reader.hpp"

namespace glia::nn {

namespace {

struct Layout {
  AttentionShape s;
  Index S = 0, T = 0, dh = 0;
  // Rows [begin(t), end(t)) of segment t.
  Index begin(Index t) const { return t * S; }
  Index end(Index t) const { return std::min(s.n_key, (t + 1) * S); }
};

template <class T>
Layout layout(const Tensor<T>& q, const Tensor<T>& k, const Tensor<T>& v, const KeyMask* mask,
              const Tensor<T>& recurrent, const Tensor<T>& leak, const Tensor<T>& threshold,
              Index segment_length) {
  const AttentionShape s = attention_shape(q, k, v, mask, "srformer_attention");
  if (s.n_query != s.n_key)
    throw ConfigError("srformer_attention.q", shape_string(q.shape()),
                      "self-attention: needs as many queries as keys (" + std::to_string(s.n_key) + ")");
  if (s.d_value != s.d_key)
    throw ConfigError("srformer_attention.v", shape_string(v.shape()),
                      "‖K‖ divides the value columns: d_v must equal d_k = " + std::to_string(s.d_key));
  if (segment_length < 1)
    throw ConfigError("srformer_attention.segment_length", std::to_string(segment_length), "must be >= 1");
  require_shape(recurrent, {s.heads, s.d_key, s.d_key}, "srformer_attention.recurrent");
  require_shape(leak, {1}, "srformer_attention.leak");
  require_shape(threshold, {1}, "srformer_attention.threshold");
  if (!(leak[0] >= T(0)) || !std::isfinite(static_cast<double>(leak[0])))
    throw ConfigError("srformer_attention.leak", io::number_text(static_cast<double>(leak[0])),
                      "the RAF leak λ must be finite and >= 0");
  if (!(threshold[0] > T(0)) || !std::isfinite(static_cast<double>(threshold[0])))
    throw ConfigError("srformer_attention.threshold", io::number_text(static_cast<double>(threshold[0])),
                      "the RAF threshold θ must be finite and > 0");
  return {s, segment_length, (s.n_key + segment_length - 1) / segment_length, s.d_key};
}

// The slice's K or V with the rows of padded keys set to zero.
template <class T, class Block>
RowMatrix<T> masked_rows(const Block& x, const KeyMask* mask, Index b) {
  RowMatrix<T> m = x;
  for (Index t = 0; t < m.rows(); ++t)
    if (!key_is_real(mask, b, m.rows(), t)) m.row(t).setZero();
  return m;
}

}  // namespace

template <class T>
SrformerAttentionContext<T> srformer_attention_forward(Tensor<T> q, Tensor<T> k, Tensor<T> v,
                                                       const Tensor<T>& recurrent, const Tensor<T>& leak,
                                                       const Tensor<T>& threshold, const KeyMask* key_mask,
                                                       Index segment_length) {
  const Layout L = layout(q, k, v, key_mask, recurrent, leak, threshold, segment_length);
  const AttentionShape& s = L.s;
  const Index N = s.n_key, S = L.S, T_seg = L.T, dh = L.dh, dd = dh * dh;
  SrformerAttentionContext<T> ctx;
  ctx.out = Tensor<T>({s.batch, s.heads, N, dh});
  ctx.probs = Tensor<T>({s.batch, s.heads, T_seg, S, S});
  ctx.x = Tensor<T>({s.batch, s.heads, T_seg, dh, dh});
  ctx.u_tilde = Tensor<T>({s.batch, s.heads, T_seg, dh, dh});
  ctx.p = Tensor<T>({s.batch, s.heads, T_seg, dh, dh});
  ctx.norms = Tensor<T>({s.batch, s.heads, dh});
  ctx.key_mask = key_mask ? *key_mask : KeyMask();
  ctx.segment_length = S;
  ctx.leak = leak[0];
  ctx.threshold = threshold[0];
  const T scale = T(1) / std::sqrt(static_cast<T>(dh)), lam = leak[0], theta = threshold[0];
  const T minus_inf = -std::numeric_limits<T>::infinity();
#pragma omp parallel for schedule(static)
  for (Index bh = 0; bh < s.batch * s.heads; ++bh) {
    const Index b = bh / s.heads, h = bh % s.heads;
    const auto qs = q.block(bh * N * dh, N, dh);
    const RowMatrix<T> km = masked_rows<T>(k.block(bh * N * dh, N, dh), key_mask, b);
    const RowMatrix<T> vm = masked_rows<T>(v.block(bh * N * dh, N, dh), key_mask, b);
    auto out = ctx.out.block(bh * N * dh, N, dh);
    // Local softmax attention within each segment.
    for (Index t = 0; t < T_seg; ++t) {
      const Index r0 = L.begin(t), n = L.end(t) - r0;
      auto p = ctx.probs.block(((bh * T_seg + t) * S) * S, S, S);
      p.setZero();
      RowMatrix<T> scores = scale * (qs.middleRows(r0, n) * km.middleRows(r0, n).transpose());
      for (Index i = 0; i < n; ++i) {
        T max_score = minus_inf;
        for (Index j = 0; j < n; ++j) {
          if (!key_is_real(key_mask, b, N, r0 + j)) scores(i, j) = minus_inf;
          max_score = std::max(max_score, scores(i, j));
        }
        if (max_score == minus_inf) continue;  // no real key in the segment: 0
        double sum = 0;
        for (Index j = 0; j < n; ++j) sum += static_cast<double>(std::exp(scores(i, j) - max_score));
        for (Index j = 0; j < n; ++j)
          p(i, j) = static_cast<T>(static_cast<double>(std::exp(scores(i, j) - max_score)) / sum);
      }
      out.middleRows(r0, n).noalias() = p.topLeftCorner(n, n) * vm.middleRows(r0, n);
    }
    // The RAF recurrence over the segments' key–value products.
    std::vector<RowMatrix<T>> kv(static_cast<std::size_t>(T_seg));
    RowMatrix<T> total = RowMatrix<T>::Zero(dh, dh);
    for (Index t = 0; t < T_seg; ++t) {
      const Index r0 = L.begin(t), n = L.end(t) - r0;
      kv[static_cast<std::size_t>(t)].noalias() = km.middleRows(r0, n).transpose() * vm.middleRows(r0, n);
      total += kv[static_cast<std::size_t>(t)];
    }
    const auto w_r = recurrent.block(h * dd, dh, dh);
    RowMatrix<T> u = RowMatrix<T>::Zero(dh, dh);
    for (Index t = 0; t < T_seg; ++t) {
      const Index at = (bh * T_seg + t) * dd;
      auto x = ctx.x.block(at, dh, dh);
      auto u_tilde = ctx.u_tilde.block(at, dh, dh);
      auto p = ctx.p.block(at, dh, dh);
      x = total - kv[static_cast<std::size_t>(t)];
      u_tilde.noalias() = x * w_r;
      u_tilde += lam * u;
      for (Index e = 0; e < dd; ++e) {
        const T r = u_tilde.data()[e] / theta;
        p.data()[e] = r > T(1) ? r - T(1) : T(0);
        u.data()[e] = u_tilde.data()[e] - (r > T(1) ? theta : T(0));
      }
    }
    // ‖K‖ and the recurrent read-out.
    Eigen::Array<T, 1, Eigen::Dynamic> norms(dh);
    for (Index c = 0; c < dh; ++c) ctx.norms[bh * dh + c] = norms[c] = km.col(c).norm();
    for (Index t = 0; t < T_seg; ++t) {
      const Index r0 = L.begin(t), n = L.end(t) - r0;
      RowMatrix<T> rec = qs.middleRows(r0, n) * ctx.p.block((bh * T_seg + t) * dd, dh, dh);
      rec.array().rowwise() /= norms;
      out.middleRows(r0, n) += rec;
    }
  }
  ctx.q = std::move(q);
  ctx.k = std::move(k);
  ctx.v = std::move(v);
  return ctx;
}

template <class T>
AttentionGradients<T> srformer_attention_backward(const SrformerAttentionContext<T>& ctx,
                                                  const Tensor<T>& recurrent, const Tensor<T>& d_out,
                                                  Tensor<T>& d_recurrent, Tensor<T>& d_leak,
                                                  Tensor<T>& d_threshold) {
  const KeyMask* key_mask = ctx.key_mask.empty() ? nullptr : &ctx.key_mask;
  const Tensor<T> leak({1}, {ctx.leak}), threshold({1}, {ctx.threshold});
  const Layout L = layout(ctx.q, ctx.k, ctx.v, key_mask, recurrent, leak, threshold, ctx.segment_length);
  require_shape(d_out, ctx.out.shape(), "srformer_attention.d_out");
  require_shape(d_recurrent, recurrent.shape(), "srformer_attention.d_recurrent");
  require_shape(d_leak, {1}, "srformer_attention.d_leak");
  require_shape(d_threshold, {1}, "srformer_attention.d_threshold");
  const AttentionShape& s = L.s;
  const Index N = s.n_key, S = L.S, T_seg = L.T, dh = L.dh, dd = dh * dh, BH = s.batch * s.heads;
  const T scale = T(1) / std::sqrt(static_cast<T>(dh)), lam = ctx.leak, theta = ctx.threshold;
  AttentionGradients<T> g{Tensor<T>(ctx.q.shape()), Tensor<T>(ctx.k.shape()), Tensor<T>(ctx.v.shape())};
  // Per-slice parts of the shared parameters' gradients, summed over the batch afterwards in a fixed order.
  Tensor<T> d_w_slices({BH, dh, dh});
  std::vector<double> d_lam(static_cast<std::size_t>(BH), 0.0), d_theta(static_cast<std::size_t>(BH), 0.0);
#pragma omp parallel for schedule(static)
  for (Index bh = 0; bh < BH; ++bh) {
    const Index b = bh / s.heads, h = bh % s.heads;
    const auto qs = ctx.q.block(bh * N * dh, N, dh);
    const RowMatrix<T> km = masked_rows<T>(ctx.k.block(bh * N * dh, N, dh), key_mask, b);
    const RowMatrix<T> vm = masked_rows<T>(ctx.v.block(bh * N * dh, N, dh), key_mask, b);
    const auto dy = d_out.block(bh * N * dh, N, dh);
    Eigen::Array<T, 1, Eigen::Dynamic> norms(dh);
    for (Index c = 0; c < dh; ++c) norms[c] = ctx.norms[bh * dh + c];
    auto dq = g.d_q.block(bh * N * dh, N, dh);
    RowMatrix<T> dk = RowMatrix<T>::Zero(N, dh), dv = RowMatrix<T>::Zero(N, dh);
    // Recurrent read-out: rec = (Q_s P_s) ⊘ ‖K‖.
    std::vector<RowMatrix<T>> d_p(static_cast<std::size_t>(T_seg));
    Eigen::Array<T, 1, Eigen::Dynamic> d_norms = Eigen::Array<T, 1, Eigen::Dynamic>::Zero(dh);
    for (Index t = 0; t < T_seg; ++t) {
      const Index r0 = L.begin(t), n = L.end(t) - r0;
      const auto p = ctx.p.block((bh * T_seg + t) * dd, dh, dh);
      RowMatrix<T> dy_n = dy.middleRows(r0, n);
      dy_n.array().rowwise() /= norms;
      dq.middleRows(r0, n).noalias() = dy_n * p.transpose();
      d_p[static_cast<std::size_t>(t)].noalias() = qs.middleRows(r0, n).transpose() * dy_n;
      // ∂rec_ic/∂‖K‖_c = −rec_ic/‖K‖_c
      const RowMatrix<T> qp = qs.middleRows(r0, n) * p;
      d_norms -= dy_n.cwiseProduct(qp).colwise().sum().array() / norms;
    }
    for (Index c = 0; c < dh; ++c) dk.col(c) += (d_norms[c] / norms[c]) * km.col(c);
    // The RAF recurrence, backwards.
    const auto w_r = recurrent.block(h * dd, dh, dh);
    auto d_w = d_w_slices.block(bh * dd, dh, dh);
    d_w.setZero();
    RowMatrix<T> d_u = RowMatrix<T>::Zero(dh, dh), d_tilde(dh, dh), sum_dx = RowMatrix<T>::Zero(dh, dh);
    std::vector<RowMatrix<T>> d_x(static_cast<std::size_t>(T_seg));
    double lam_sum = 0.0, theta_sum = 0.0;
    for (Index t = T_seg - 1; t >= 0; --t) {
      const Index at = (bh * T_seg + t) * dd;
      const auto u_tilde = ctx.u_tilde.block(at, dh, dh);
      const RowMatrix<T>& dp = d_p[static_cast<std::size_t>(t)];
      for (Index e = 0; e < dd; ++e) {
        const T ut = u_tilde.data()[e];
        const bool spike = ut / theta > T(1);
        d_tilde.data()[e] = d_u.data()[e] + (spike ? dp.data()[e] / theta : T(0));
        if (spike)
          theta_sum -= static_cast<double>(d_u.data()[e]) +
                       static_cast<double>(dp.data()[e]) * static_cast<double>(ut) /
                           (static_cast<double>(theta) * static_cast<double>(theta));
        if (t > 0) {  // U_{t−1} = Ũ_{t−1} − θ·1[r_{t−1} > 1]
          const T prev = ctx.u_tilde.data()[at - dd + e];
          const T u_prev = prev - (prev / theta > T(1) ? theta : T(0));
          lam_sum += static_cast<double>(d_tilde.data()[e]) * static_cast<double>(u_prev);
        }
      }
      d_u = lam * d_tilde;
      const auto x = ctx.x.block(at, dh, dh);
      d_w.noalias() += x.transpose() * d_tilde;
      d_x[static_cast<std::size_t>(t)].noalias() = d_tilde * w_r.transpose();
      sum_dx += d_x[static_cast<std::size_t>(t)];
    }
    d_lam[static_cast<std::size_t>(bh)] = lam_sum;
    d_theta[static_cast<std::size_t>(bh)] = theta_sum;
    // X_s = Σ_j K_jᵀV_j − K_sᵀV_s: ∂L/∂(K_jᵀV_j) = Σ_s ∂L/∂X_s − ∂L/∂X_j.
    for (Index t = 0; t < T_seg; ++t) {
      const Index r0 = L.begin(t), n = L.end(t) - r0;
      const RowMatrix<T> d_kv = sum_dx - d_x[static_cast<std::size_t>(t)];
      dk.middleRows(r0, n).noalias() += vm.middleRows(r0, n) * d_kv.transpose();
      dv.middleRows(r0, n).noalias() += km.middleRows(r0, n) * d_kv;
    }
    // Local softmax attention.
    for (Index t = 0; t < T_seg; ++t) {
      const Index r0 = L.begin(t), n = L.end(t) - r0;
      const auto p = ctx.probs.block(((bh * T_seg + t) * S) * S, S, S).topLeftCorner(n, n);
      const auto dy_s = dy.middleRows(r0, n);
      dv.middleRows(r0, n).noalias() += p.transpose() * dy_s;
      RowMatrix<T> d_scores = dy_s * vm.middleRows(r0, n).transpose();
      for (Index i = 0; i < n; ++i) {
        const T row_dot = p.row(i).dot(d_scores.row(i));
        d_scores.row(i) = p.row(i).cwiseProduct((d_scores.row(i).array() - row_dot).matrix());
      }
      dq.middleRows(r0, n).noalias() += scale * (d_scores * km.middleRows(r0, n));
      dk.middleRows(r0, n).noalias() += scale * (d_scores.transpose() * qs.middleRows(r0, n));
    }
    // Padded keys were zero rows: no gradient reaches them.
    for (Index r = 0; r < N; ++r)
      if (!key_is_real(key_mask, b, N, r)) dk.row(r).setZero(), dv.row(r).setZero();
    g.d_k.block(bh * N * dh, N, dh) = dk;
    g.d_v.block(bh * N * dh, N, dh) = dv;
  }
  double lam_total = 0.0, theta_total = 0.0;
  for (Index bh = 0; bh < BH; ++bh) {
    lam_total += d_lam[static_cast<std::size_t>(bh)];
    theta_total += d_theta[static_cast<std::size_t>(bh)];
    d_recurrent.block((bh % s.heads) * dd, dh, dh) += d_w_slices.block(bh * dd, dh, dh);
  }
  d_leak[0] += static_cast<T>(lam_total);
  d_threshold[0] += static_cast<T>(theta_total);
  return g;
}

#define GLIA_INSTANTIATE(T)                                                                                  \
  template SrformerAttentionContext<T> srformer_attention_forward(Tensor<T>, Tensor<T>, Tensor<T>,           \
                                                                  const Tensor<T>&, const Tensor<T>&,        \
                                                                  const Tensor<T>&, const KeyMask*, Index);  \
  template AttentionGradients<T> srformer_attention_backward(const SrformerAttentionContext<T>&,             \
                                                             const Tensor<T>&, const Tensor<T>&, Tensor<T>&, \
                                                             Tensor<T>&, Tensor<T>&);
GLIA_INSTANTIATE(float)
GLIA_INSTANTIATE(double)
#undef GLIA_INSTANTIATE

}  // namespace glia::nn
