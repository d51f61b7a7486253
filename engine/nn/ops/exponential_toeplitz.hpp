#pragma once
// The symmetric Toeplitz product A = P E with P_ij = exp(−s |i − j|), in O(N m) by two
// exponential scans (f_i = E_i + r f_{i−1}, b_i = E_i + r b_{i+1}, A = f + b − E, r = e^{−s}),
// never forming P. P is symmetric, so the same scan maps ∂L/∂A to ∂L/∂E.
#include "engine/nn/tensor.hpp"

namespace glia::nn {

template <class T, class Matrix>
RowMatrix<T> exponential_toeplitz(const Matrix& e, T decay_factor) {
  const Index n = e.rows();
  RowMatrix<T> forward(n, e.cols()), backward(n, e.cols());
  forward.row(0) = e.row(0);
  for (Index i = 1; i < n; ++i) forward.row(i) = e.row(i) + decay_factor * forward.row(i - 1);
  backward.row(n - 1) = e.row(n - 1);
  for (Index i = n - 2; i >= 0; --i) backward.row(i) = e.row(i) + decay_factor * backward.row(i + 1);
  return forward + backward - e;
}

// ∂A/∂s for the same product: the tangent of both scans, with ∂r/∂s = −r.
template <class T, class Matrix>
RowMatrix<T> exponential_toeplitz_decay_derivative(const Matrix& e, T decay_factor) {
  const Index n = e.rows(), m = e.cols();
  RowMatrix<T> tangent = RowMatrix<T>::Zero(n, m);
  RowMatrix<T> f = e.row(0), f_dot = RowMatrix<T>::Zero(1, m);
  for (Index i = 1; i < n; ++i) {
    f_dot = decay_factor * (f_dot - f);  // uses f_{i−1}
    f = e.row(i) + decay_factor * f;
    tangent.row(i) += f_dot;
  }
  RowMatrix<T> b = e.row(n - 1), b_dot = RowMatrix<T>::Zero(1, m);
  for (Index i = n - 2; i >= 0; --i) {
    b_dot = decay_factor * (b_dot - b);
    b = e.row(i) + decay_factor * b;
    tangent.row(i) += b_dot;
  }
  return tangent;
}

}  // namespace glia::nn
