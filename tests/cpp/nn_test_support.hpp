#pragma once
// Shared by the engine/nn tests: deterministic random tensors, the scalar types every op is
// tested in, and a finite-difference gradient check.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <type_traits>

#include "engine/core/philox.hpp"
#include "engine/nn/tensor.hpp"

namespace glia::nn::testing {

// Central differences in float64 are checked to 1e-7, in float32 to 1e-3 (issue #5). The
// float32 step is large because the loss itself carries float rounding.
template <class T>
struct Precision;
template <>
struct Precision<double> {
  static constexpr double step = 1e-6;
  static constexpr double tolerance = 1e-7;
};
template <>
struct Precision<float> {
  static constexpr double step = 1e-2;
  static constexpr double tolerance = 1e-3;
};

using Scalars = ::testing::Types<double, float>;
struct ScalarNames {
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, double> ? "float64" : "float32";
  }
};

// Normal(0, scale²) values from Philox keyed by `seed`: the same tensor in every scalar type.
template <class T>
Tensor<T> random_tensor(Shape shape, std::uint64_t seed, double scale = 1.0, double offset = 0.0) {
  Tensor<T> t(std::move(shape));
  for (Index i = 0; i < t.size(); ++i)
    t[i] =
        static_cast<T>(offset + scale * philox_normal(seed, 0, static_cast<std::uint32_t>(i), 0x74657374u));
  return t;
}

// Σ w ⊙ y in double: a scalar loss whose gradient with respect to y is w.
template <class T>
double weighted_sum(const Tensor<T>& y, const Tensor<T>& w) {
  double s = 0;
  for (Index i = 0; i < y.size(); ++i) s += static_cast<double>(y[i]) * static_cast<double>(w[i]);
  return s;
}

// Compares `analytic` (∂loss/∂x from a backward pass) with central differences of `loss`,
// which must recompute the forward pass from the current values of x. Passes when the
// normwise relative error ‖fd − analytic‖ / ‖fd‖ is within the scalar type's tolerance and
// the gradient is not identically zero (a zero gradient would make the check vacuous).
template <class T>
void expect_gradient(Tensor<T>& x, const Tensor<T>& analytic, const std::function<double()>& loss,
                     const std::string& name) {
  ASSERT_EQ(x.shape(), analytic.shape()) << name;
  double diff2 = 0, norm2 = 0;
  for (Index i = 0; i < x.size(); ++i) {
    const T saved = x[i];
    x[i] = static_cast<T>(saved + Precision<T>::step);
    const double up_step = static_cast<double>(x[i]) - static_cast<double>(saved);  // the step T can hold
    const double up = loss();
    x[i] = static_cast<T>(saved - Precision<T>::step);
    const double down_step = static_cast<double>(saved) - static_cast<double>(x[i]);
    const double down = loss();
    x[i] = saved;
    const double fd = (up - down) / (up_step + down_step);
    diff2 += (fd - static_cast<double>(analytic[i])) * (fd - static_cast<double>(analytic[i]));
    norm2 += fd * fd;
  }
  EXPECT_GT(norm2, 0.0) << name << ": gradient is identically zero";
  const double error = std::sqrt(diff2 / norm2);
  EXPECT_LE(error, Precision<T>::tolerance) << name << ": relative error " << error;
}

}  // namespace glia::nn::testing
