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

// A = P E written into `a` (n×m, row-major, may not alias e) without temporaries: the forward
// scan goes into a, then the backward scan b adds b_i − E_i row by row.
template <class T>
void exponential_toeplitz_into(const T* e, Index n, Index m, T decay_factor, T* a) {
  using Row = Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>>;
  using ConstRow = Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>;
  Row(a, m) = ConstRow(e, m);
  for (Index i = 1; i < n; ++i)
    Row(a + i * m, m) = ConstRow(e + i * m, m) + decay_factor * Row(a + (i - 1) * m, m);
  Eigen::Matrix<T, 1, Eigen::Dynamic> b = ConstRow(e + (n - 1) * m, m);
  for (Index i = n - 2; i >= 0; --i) {
    b = ConstRow(e + i * m, m) + decay_factor * b;
    Row(a + i * m, m) += b - ConstRow(e + i * m, m);
  }
}

// Backward of A = P E in one forward and one backward sweep, without temporaries: adds
// P d_a to d_e (P is symmetric) and returns Σ d_a ⊙ ∂A/∂s (the tangent scans of
// exponential_toeplitz_decay_derivative, with ∂r/∂s = −r), summed per column in double.
template <class T>
double exponential_toeplitz_backward(const T* e, const T* d_a, Index n, Index m, T decay_factor, T* d_e) {
  using Row = Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>>;
  using ConstRow = Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>;
  using RowVector = Eigen::Matrix<T, 1, Eigen::Dynamic>;
  Eigen::Matrix<double, 1, Eigen::Dynamic> d_s = Eigen::Matrix<double, 1, Eigen::Dynamic>::Zero(m);
  // Forward sweep: scan of d_a (adds f_i − d_a_i to d_e) and the tangent f_dot of the scan of e.
  RowVector f = ConstRow(e, m), f_dot = RowVector::Zero(m), g = ConstRow(d_a, m);
  for (Index i = 1; i < n; ++i) {
    f_dot = decay_factor * (f_dot - f);
    f = ConstRow(e + i * m, m) + decay_factor * f;
    g = ConstRow(d_a + i * m, m) + decay_factor * g;
    Row(d_e + i * m, m) += g - ConstRow(d_a + i * m, m);
    d_s += ConstRow(d_a + i * m, m).cwiseProduct(f_dot).template cast<double>();
  }
  // Backward sweep: adds the backward scan of d_a (whose row 0 term includes d_a_0 itself).
  RowVector b = ConstRow(e + (n - 1) * m, m), b_dot = RowVector::Zero(m);
  g = ConstRow(d_a + (n - 1) * m, m);
  Row(d_e + (n - 1) * m, m) += g;
  for (Index i = n - 2; i >= 0; --i) {
    b_dot = decay_factor * (b_dot - b);
    b = ConstRow(e + i * m, m) + decay_factor * b;
    g = ConstRow(d_a + i * m, m) + decay_factor * g;
    Row(d_e + i * m, m) += g;
    d_s += ConstRow(d_a + i * m, m).cwiseProduct(b_dot).template cast<double>();
  }
  // Row 0 of the forward sweep: f_0 − d_a_0 = 0, nothing to add.
  return d_s.sum();
}

}  // namespace glia::nn
