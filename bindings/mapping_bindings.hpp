#pragma once
// glia._core functions of the mapping layer (glia.mapping: retention factors from simulated LTP).
#include <pybind11/pybind11.h>

namespace glia::python {

void bind_mapping(pybind11::module_& m);

}  // namespace glia::python
