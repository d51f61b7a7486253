#pragma once
// Shapes, masks and the feature map shared by the attention operators. Multi-head tensors
// are (B, heads, N, d_head), row-major, so one (batch, head) slice is a contiguous N×d_head
// matrix. A key mask is (B, N_k) with 1 for a real token and 0 for padding; a null mask
// means every key is real.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "engine/nn/tensor.hpp"

namespace glia::nn {

using KeyMask = Tensor<std::uint8_t>;

struct AttentionShape {
  Index batch = 0, heads = 0, n_query = 0, n_key = 0, d_key = 0, d_value = 0;
};

// Validates q (B, H, N_q, d_k), k (B, H, N_k, d_k), v (B, H, N_k, d_v) and the mask (B, N_k).
template <class T>
AttentionShape attention_shape(const Tensor<T>& q, const Tensor<T>& k, const Tensor<T>& v,
                               const KeyMask* mask, const std::string& op) {
  require_shape(q, {-1, -1, -1, -1}, op + ".q");
  require_shape(k, {q.dim(0), q.dim(1), -1, q.dim(3)}, op + ".k");
  require_shape(v, {q.dim(0), q.dim(1), k.dim(2), -1}, op + ".v");
  if (mask) require_shape(*mask, {q.dim(0), k.dim(2)}, op + ".key_mask");
  return {q.dim(0), q.dim(1), q.dim(2), k.dim(2), q.dim(3), v.dim(3)};
}

template <class T>
struct AttentionGradients {
  Tensor<T> d_q, d_k, d_v;
};

// 1 for a real key, 0 for padding.
inline bool key_is_real(const KeyMask* mask, Index b, Index n_key, Index t) {
  return mask == nullptr || (*mask)[b * n_key + t] != 0;
}

// φ(z) = elu(z) + 1 (Katharopoulos et al. 2020): positive, so normalisers never vanish.
template <class T>
T elu_plus_one(T z) {
  return z > T(0) ? z + T(1) : std::exp(z);
}

template <class T>
T elu_plus_one_derivative(T z) {
  return z > T(0) ? T(1) : std::exp(z);
}

// φ applied to an N×d slice, with the rows of padded keys set to zero when a mask is given.
template <class Matrix, class T = typename Matrix::Scalar>
RowMatrix<T> feature_map(const Eigen::MatrixBase<Matrix>& x, const KeyMask* mask, Index b) {
  RowMatrix<T> phi = x.unaryExpr([](T z) { return elu_plus_one(z); });
  if (mask)
    for (Index t = 0; t < x.rows(); ++t)
      if (!key_is_real(mask, b, x.rows(), t)) phi.row(t).setZero();
  return phi;
}

// z = Σ_t φ(k_t), summed in double (N can be long and every term is positive).
template <class T>
Vector<T> key_sum(const RowMatrix<T>& phi_k) {
  Vector<T> z(phi_k.cols());
  for (Index a = 0; a < phi_k.cols(); ++a) {
    double sum = 0;
    for (Index t = 0; t < phi_k.rows(); ++t) sum += static_cast<double>(phi_k(t, a));
    z[a] = static_cast<T>(sum);
  }
  return z;
}

// The normalised read of the linear attentions: out_i = φ(q_i) S / (φ(q_i) · g + ε); writes out
// and the denominators.
template <class T>
void normalised_read(const RowMatrix<T>& phi_q, const RowMatrix<T>& state, const Vector<T>& normaliser,
                     T epsilon, MatrixMap<T> out, VectorMap<T> denominator) {
  out.noalias() = phi_q * state;
  denominator = (phi_q * normaliser).array() + epsilon;
  out.array().colwise() /= denominator.array();
}

template <class T>
struct NormalisedReadGradients {
  RowMatrix<T> d_phi_q;    // N×m
  RowMatrix<T> d_state;    // m×d_v
  Vector<T> d_normaliser;  // m
};

// Backward of normalised_read, from the saved denominators (the output is recomputed).
template <class T>
NormalisedReadGradients<T> normalised_read_backward(const RowMatrix<T>& phi_q, const RowMatrix<T>& state,
                                                    const Vector<T>& normaliser,
                                                    const ConstVectorMap<T>& denominator,
                                                    const ConstMatrixMap<T>& d_out) {
  RowMatrix<T> out = phi_q * state;
  out.array().colwise() /= denominator.array();
  RowMatrix<T> d_numerator = d_out;
  d_numerator.array().colwise() /= denominator.array();
  // ∂L/∂den_i = −(d_out_i · out_i) / den_i
  const Vector<T> d_denominator =
      -(d_out.cwiseProduct(out).rowwise().sum().array() / denominator.array()).matrix();
  NormalisedReadGradients<T> g;
  g.d_phi_q.noalias() = d_numerator * state.transpose();
  g.d_phi_q.noalias() += d_denominator * normaliser.transpose();
  g.d_state.noalias() = phi_q.transpose() * d_numerator;
  g.d_normaliser.noalias() = phi_q.transpose() * d_denominator;
  return g;
}

// ---------------------------------------------------------------------------------------------
// Chunked kernels of the non-causal linear attentions (linear_attention, astromorphic_attention),
// shared so that the linear limit of the astromorphic operator stays linear attention bit for bit.
// One (batch, head) slice is processed in blocks of kAttentionChunk rows: φ and φ' are formed per
// block in small buffers that stay in cache (no N×d temporaries), and each block's products go
// to Eigen's GEMM. The order of every sum is fixed by the block structure, so results do not
// depend on the thread count.

inline constexpr Index kAttentionChunk = 256;

// φ(x) = max(x, 0) + e^{min(x, 0)} elementwise (x + 1 for x > 0, e^x else), in a form that
// Eigen vectorises (exp included); φ'(x) = min(φ(x), 1) (1 for x > 0, e^x else).
template <class In, class Out>
void feature_map_into(const Eigen::MatrixBase<In>& x, Eigen::MatrixBase<Out>& phi) {
  using T = typename In::Scalar;
  phi.derived().array() = x.array().cwiseMax(T(0)) + x.array().cwiseMin(T(0)).exp();
}

// Zeroes the rows of `m` that are padded keys; `t0` is the key index of the block's first row.
template <class Matrix>
void zero_padded_rows(const KeyMask* mask, Index b, Index n_key, Index t0, Eigen::MatrixBase<Matrix>& m) {
  if (!mask) return;
  for (Index r = 0; r < m.rows(); ++r)
    if (!key_is_real(mask, b, n_key, t0 + r)) m.row(r).setZero();
}

// Inputs of one (batch, head) slice of a non-causal linear attention. `activity` (N_k×d_k) is
// the astrocyte activity A when its term is on (the state then sums φ(k) + φ(A)), else null.
template <class T>
struct LinearSlice {
  const T* q = nullptr;         // N_q×d_k
  const T* k = nullptr;         // N_k×d_k
  const T* v = nullptr;         // N_k×d_v
  const T* activity = nullptr;  // N_k×d_k or null
  Index n_query = 0, n_key = 0, d_key = 0, d_value = 0;
  const KeyMask* mask = nullptr;
  Index b = 0;  // batch element, for the mask
};

// state = Σ_t (φ(k_t) [+ φ(A_t)])ᵀ v_t and z = Σ_t φ(k_t) (in double, in order of t), padded
// keys excluded.
template <class T>
void linear_state(const LinearSlice<T>& s, MatrixMap<T> state, Vector<T>& z) {
  state.setZero();
  Vector<double> z_sum = Vector<double>::Zero(s.d_key);
  RowMatrix<T> phi_k(kAttentionChunk, s.d_key), phi_a;
  if (s.activity) phi_a.resize(kAttentionChunk, s.d_key);
  for (Index t0 = 0; t0 < s.n_key; t0 += kAttentionChunk) {
    const Index rows = std::min(kAttentionChunk, s.n_key - t0);
    auto x = phi_k.topRows(rows);
    feature_map_into(ConstMatrixMap<T>(s.k + t0 * s.d_key, rows, s.d_key), x);
    zero_padded_rows(s.mask, s.b, s.n_key, t0, x);
    for (Index r = 0; r < rows; ++r) z_sum += x.row(r).transpose().template cast<double>();
    if (s.activity) {
      auto a = phi_a.topRows(rows);
      feature_map_into(ConstMatrixMap<T>(s.activity + t0 * s.d_key, rows, s.d_key), a);
      zero_padded_rows(s.mask, s.b, s.n_key, t0, a);
      x += a;
    }
    state.noalias() += x.transpose() * ConstMatrixMap<T>(s.v + t0 * s.d_value, rows, s.d_value);
  }
  z = z_sum.template cast<T>();
}

// The normalised read out_i = φ(q_i) S / (φ(q_i) · g + ε), block by block; writes out (N_q×d_v)
// and the denominators.
template <class T>
void linear_read(const LinearSlice<T>& s, const RowMatrix<T>& state, const Vector<T>& normaliser, T epsilon,
                 T* out, T* denominator) {
  RowMatrix<T> phi_q(kAttentionChunk, s.d_key);
  for (Index i0 = 0; i0 < s.n_query; i0 += kAttentionChunk) {
    const Index rows = std::min(kAttentionChunk, s.n_query - i0);
    auto p = phi_q.topRows(rows);
    feature_map_into(ConstMatrixMap<T>(s.q + i0 * s.d_key, rows, s.d_key), p);
    MatrixMap<T> o(out + i0 * s.d_value, rows, s.d_value);
    VectorMap<T> den(denominator + i0, rows);
    o.noalias() = p * state;
    den.noalias() = p * normaliser;
    den.array() += epsilon;
    o.array().colwise() /= den.array();
  }
}

// Backward of linear_read from the saved denominators, without recomputing the output: with
// G = d_out Sᵀ, ∂L/∂den_i = −(φ(q_i) · G_i) / den_i² and ∂L/∂φ(q_i) = G_i / den_i + ∂L/∂den_i g.
// Writes d_q (N_q×d_k, through φ'); returns ∂L/∂S (d_state) and ∂L/∂g (d_normaliser).
template <class T>
void linear_read_backward(const LinearSlice<T>& s, const RowMatrix<T>& state, const Vector<T>& normaliser,
                          const T* denominator, const T* d_out, T* d_q, RowMatrix<T>& d_state,
                          Vector<T>& d_normaliser) {
  d_state.setZero(s.d_key, s.d_value);
  d_normaliser.setZero(s.d_key);
  const RowMatrix<T> state_t = state.transpose();
  RowMatrix<T> phi_q(kAttentionChunk, s.d_key), g(kAttentionChunk, s.d_key),
      d_num(kAttentionChunk, s.d_value);
  Vector<T> d_den(kAttentionChunk);
  for (Index i0 = 0; i0 < s.n_query; i0 += kAttentionChunk) {
    const Index rows = std::min(kAttentionChunk, s.n_query - i0);
    auto p = phi_q.topRows(rows);
    auto gr = g.topRows(rows);
    auto dn = d_num.topRows(rows);
    auto dd = d_den.head(rows);
    feature_map_into(ConstMatrixMap<T>(s.q + i0 * s.d_key, rows, s.d_key), p);
    const ConstMatrixMap<T> dy(d_out + i0 * s.d_value, rows, s.d_value);
    const ConstVectorMap<T> den(denominator + i0, rows);
    gr.noalias() = dy * state_t;
    dd = -(p.cwiseProduct(gr).rowwise().sum().array() / den.array().square()).matrix();
    dn = dy;
    dn.array().colwise() /= den.array();
    d_state.noalias() += p.transpose() * dn;
    d_normaliser.noalias() += p.transpose() * dd;
    gr.array().colwise() /= den.array();
    gr.noalias() += dd * normaliser.transpose();
    MatrixMap<T>(d_q + i0 * s.d_key, rows, s.d_key) = gr.cwiseProduct(p.cwiseMin(T(1)));
  }
}

// Key side of the backward, from ∂L/∂(state) (d_sum, d_k×d_v) and ∂L/∂z (d_z): with
// D = v d_sumᵀ, ∂L/∂φ(k_t) = D_t + d_z, ∂L/∂v_t = (φ(k_t) [+ φ(A_t)]) d_sum and, with the
// astrocyte term, ∂L/∂A_t = D_t ⊙ φ'(A_t); padded keys get zero. Writes d_k, d_v and d_activity
// (when the slice has an activity).
template <class T>
void linear_keys_backward(const LinearSlice<T>& s, const RowMatrix<T>& d_sum, const Vector<T>& d_z, T* d_k,
                          T* d_v, T* d_activity) {
  const RowMatrix<T> d_sum_t = d_sum.transpose();
  RowMatrix<T> d(kAttentionChunk, s.d_key), phi_k(kAttentionChunk, s.d_key), phi_a;
  if (s.activity) phi_a.resize(kAttentionChunk, s.d_key);
  for (Index t0 = 0; t0 < s.n_key; t0 += kAttentionChunk) {
    const Index rows = std::min(kAttentionChunk, s.n_key - t0);
    auto dr = d.topRows(rows);
    auto x = phi_k.topRows(rows);
    dr.noalias() = ConstMatrixMap<T>(s.v + t0 * s.d_value, rows, s.d_value) * d_sum_t;
    feature_map_into(ConstMatrixMap<T>(s.k + t0 * s.d_key, rows, s.d_key), x);
    MatrixMap<T> dk(d_k + t0 * s.d_key, rows, s.d_key);
    dk = (dr.rowwise() + d_z.transpose()).cwiseProduct(x.cwiseMin(T(1)));
    zero_padded_rows(s.mask, s.b, s.n_key, t0, dk);
    zero_padded_rows(s.mask, s.b, s.n_key, t0, x);
    if (s.activity) {
      auto a = phi_a.topRows(rows);
      feature_map_into(ConstMatrixMap<T>(s.activity + t0 * s.d_key, rows, s.d_key), a);
      MatrixMap<T> da(d_activity + t0 * s.d_key, rows, s.d_key);
      da = dr.cwiseProduct(a.cwiseMin(T(1)));
      zero_padded_rows(s.mask, s.b, s.n_key, t0, da);
      zero_padded_rows(s.mask, s.b, s.n_key, t0, a);
      x += a;
    }
    MatrixMap<T>(d_v + t0 * s.d_value, rows, s.d_value).noalias() = x * d_sum;
  }
}

}  // namespace glia::nn
