#pragma once
// Shapes, masks and the feature map shared by the attention operators. Multi-head tensors
// are (B, heads, N, d_head), row-major, so one (batch, head) slice is a contiguous N×d_head
// matrix. A key mask is (B, N_k) with 1 for a real token and 0 for padding; a null mask
// means every key is real.
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

}  // namespace glia::nn
