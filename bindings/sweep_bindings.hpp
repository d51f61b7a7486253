#pragma once
// glia._core functions of parameter sweeps (glia.sweep, glia.sweep_parameters).
#include <pybind11/pybind11.h>

namespace glia::python {

void bind_sweep(pybind11::module_& m);

}  // namespace glia::python
