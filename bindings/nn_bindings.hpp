#pragma once
// glia._core functions of engine/nn: each op's forward and backward in one call, on NumPy
// arrays (float32 or float64), so tests can compare them with the PyTorch reference
// (experiments/reference/torch_ops.py).
#include <pybind11/pybind11.h>

namespace glia::python {

void bind_nn(pybind11::module_& m);

}  // namespace glia::python
