#pragma once
// glia._core functions of the trainable models (models/nets): initial weights, and one forward/backward
// pass on given weights and batch, so tests can compare glia with the PyTorch reference
// (experiments/reference/torch_models.py).
#include <pybind11/pybind11.h>

namespace glia::python {

void bind_nets(pybind11::module_& m);

}  // namespace glia::python
