// glia._core: the compiled half of the Python package. It takes configurations as JSON text
// (the Python side serialises dicts) and returns NumPy arrays in plain dicts; the Pythonic
// API is in bindings/python/glia/.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "engine/core/backend.hpp"
#include "engine/core/error.hpp"
#include "engine/core/version.hpp"
#include "models/simulation/simulate.hpp"

namespace py = pybind11;

namespace {

template <class T>
py::array_t<T> to_numpy(const std::vector<T>& v, std::vector<py::ssize_t> shape) {
  py::array_t<T> a(shape);
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

py::dict to_python(const glia::simulation::SimulationResult& r, const std::string& resolved) {
  py::dict state, spikes;
  for (const auto& [target, s] : r.state) {
    py::dict d;
    const auto n_t = static_cast<py::ssize_t>(s.t.size());
    const auto n_i = static_cast<py::ssize_t>(s.indices.size());
    d["t"] = to_numpy(s.t, {n_t});
    d["indices"] = to_numpy(s.indices, {n_i});
    for (const auto& [name, values] : s.variables) d[name.c_str()] = to_numpy(values, {n_t, n_i});
    state[target.c_str()] = d;
  }
  for (const auto& [target, sp] : r.spikes) {
    py::dict d;
    d["t"] = to_numpy(sp.t, {static_cast<py::ssize_t>(sp.t.size())});
    d["i"] = to_numpy(sp.i, {static_cast<py::ssize_t>(sp.i.size())});
    if (sp.has_r) d["r"] = to_numpy(sp.r, {static_cast<py::ssize_t>(sp.r.size())});
    spikes[target.c_str()] = d;
  }
  py::dict out;
  out["state"] = state;
  out["spikes"] = spikes;
  out["config"] = resolved;
  return out;
}

py::dict simulate(const std::string& config_json, const std::string& output) {
  using namespace glia::simulation;
  SimulationConfig c = parse_simulation_config_text(config_json, "config");
  if (!output.empty()) c.resolved["output"] = output;
  SimulationResult r;
  {
    py::gil_scoped_release release;
    r = output.empty() ? run_simulation(c) : simulate_to_file(c, output);
  }
  return to_python(r, c.resolved.dump());
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "glia compiled core";
  py::register_exception<glia::ConfigError>(m, "ConfigError", PyExc_ValueError);
  m.def("simulate", &simulate, py::arg("config_json"), py::arg("output") = "",
        "Run a simulation from JSON text; write HDF5 to `output` unless empty.");
  m.def("version", [] { return std::string(glia::version()); });
  m.def("git_commit", [] { return std::string(glia::git_commit()); });
  m.def("cuda_device_count", [] { return glia::cuda_device_count(); });
}
