#pragma once
// NumPy arrays ⇄ engine/nn tensors for the glia._core bindings (copies; C order).
#include <pybind11/numpy.h>

#include <algorithm>
#include <vector>

#include "engine/nn/tensor.hpp"

namespace glia::python {

template <class T>
using Array = pybind11::array_t<T, pybind11::array::c_style | pybind11::array::forcecast>;

template <class T>
nn::Tensor<T> to_tensor(const Array<T>& a) {
  nn::Shape shape(a.shape(), a.shape() + a.ndim());
  return nn::Tensor<T>(shape, std::vector<T>(a.data(), a.data() + a.size()));
}

template <class T>
pybind11::array_t<T> to_array(const nn::Tensor<T>& t) {
  pybind11::array_t<T> a(std::vector<pybind11::ssize_t>(t.shape().begin(), t.shape().end()));
  std::copy(t.values().begin(), t.values().end(), a.mutable_data());
  return a;
}

}  // namespace glia::python
