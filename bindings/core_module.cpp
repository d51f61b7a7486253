// glia._core: the compiled half of the Python package. It takes configurations as JSON text
// (the Python side serialises dicts) and returns NumPy arrays in plain dicts; the Pythonic
// API is in bindings/python/glia/.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings/mapping_bindings.hpp"
#include "bindings/nets_bindings.hpp"
#include "bindings/nn_bindings.hpp"
#include "bindings/sweep_bindings.hpp"
#include "engine/core/backend.hpp"
#include "engine/core/error.hpp"
#include "engine/core/threads.hpp"
#include "engine/core/version.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/io/text_file.hpp"
#include "models/bio/cell_integration.hpp"
#include "models/bio/gchi_ensemble.hpp"
#include "models/mapping/ltp_network.hpp"
#include "models/network/network.hpp"
#include "models/simulation/driven_network.hpp"

#include <omp.h>

namespace py = pybind11;

namespace {

template <class T>
py::array_t<T> to_numpy(const std::vector<T>& v, std::vector<py::ssize_t> shape) {
  py::array_t<T> a(shape);
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

// "cpu", or "cuda" when this build and machine have a device.
void check_device(const std::string& device) {
  if (device != "cpu" && device != "cuda")
    throw glia::ConfigError("device", "\"" + device + "\"", "expected \"cpu\" or \"cuda\"");
  std::string why;
  if (device == "cuda" && glia::cuda_device_count(&why) == 0)
    throw glia::ConfigError("device", "\"cuda\"", why);
}

// A `glia simulate` configuration (either form; the driven-synapse form becomes a network config):
// the recordings as NumPy arrays, with timings and completion.
py::dict simulate(const std::string& config_json, const std::string& output, std::int64_t threads) {
  glia::checked_threads(threads, "threads");
  using namespace glia::network;
  NetworkConfig c =
      parse_network_config(glia::simulation::as_network_config(glia::io::parse_json(config_json, "config")));
  if (!output.empty()) c.resolved["output"] = output;
  NetworkResult r;
  {
    py::gil_scoped_release release;
    const int before = omp_get_max_threads();
    if (threads > 0) omp_set_num_threads(static_cast<int>(threads));
    try {
      r = output.empty() ? run_network(c) : simulate_network_to_file(c, output);
    } catch (...) {
      omp_set_num_threads(before);
      throw;
    }
    omp_set_num_threads(before);
  }
  if (!r.complete) throw glia::RuntimeError(r.error);
  py::dict spikes, rates, state, means, summaries, counts;
  for (const auto& [target, s] : r.spikes) {
    py::dict d;
    d["t"] = to_numpy(s.t, {static_cast<py::ssize_t>(s.t.size())});
    d["i"] = to_numpy(s.i, {static_cast<py::ssize_t>(s.i.size())});
    if (!s.r.empty()) d["r"] = to_numpy(s.r, {static_cast<py::ssize_t>(s.r.size())});
    spikes[target.c_str()] = d;
  }
  for (const auto& [target, s] : r.rates) {
    py::dict d;
    d["t"] = to_numpy(s.t, {static_cast<py::ssize_t>(s.t.size())});
    d["rate"] = to_numpy(s.rate, {static_cast<py::ssize_t>(s.rate.size())});
    rates[target.c_str()] = d;
  }
  for (const auto& [target, s] : r.state) {
    py::dict d;
    const auto n_t = static_cast<py::ssize_t>(s.t.size()), n_i = static_cast<py::ssize_t>(s.indices.size());
    d["t"] = to_numpy(s.t, {n_t});
    d["indices"] = to_numpy(s.indices, {n_i});
    for (const auto& [var, values] : s.values) d[var.c_str()] = to_numpy(values, {n_t, n_i});
    state[target.c_str()] = d;
  }
  for (const auto& [target, s] : r.means) {
    py::dict d;
    d["t"] = to_numpy(s.t, {static_cast<py::ssize_t>(s.t.size())});
    for (const auto& [var, values] : s.values)
      d[var.c_str()] = to_numpy(values, {static_cast<py::ssize_t>(values.size())});
    means[target.c_str()] = d;
  }
  for (const auto& [name, value] : r.summaries) summaries[name.c_str()] = value;
  for (const auto& [name, n] : r.synapse_counts) counts[name.c_str()] = n;
  py::dict out;
  out["spikes"] = spikes;
  out["rates"] = rates;
  out["state"] = state;
  out["mean"] = means;
  out["summary"] = summaries;
  out["synapses"] = counts;
  out["setup_seconds"] = r.setup_seconds;
  out["run_seconds"] = r.run_seconds;
  out["config"] = c.resolved.dump();
  return out;
}

py::dict integrate_cell(const std::string& config_json) {
  const nlohmann::json config = glia::io::parse_json(config_json, "config");
  glia::bio::CellTrace trace;
  {
    py::gil_scoped_release release;
    trace = glia::bio::integrate_cell(config);
  }
  const auto n_t = static_cast<py::ssize_t>(trace.t.size());
  const auto n_v = static_cast<py::ssize_t>(trace.variables.size());
  py::dict values;
  for (py::ssize_t v = 0; v < n_v; ++v) {
    py::array_t<double> a(n_t);
    for (py::ssize_t k = 0; k < n_t; ++k)
      a.mutable_at(k) = trace.values[static_cast<std::size_t>(k * n_v + v)];
    values[trace.variables[static_cast<std::size_t>(v)].c_str()] = a;
  }
  py::dict out;
  out["t"] = to_numpy(trace.t, {n_t});
  out["values"] = values;
  out["rhs_evaluations"] = trace.rhs_evaluations;
  out["config"] = trace.resolved.dump();
  return out;
}

py::dict gchi_ensemble(const std::map<std::string, std::vector<double>>& params,
                       const std::string& parameter_set, const std::vector<double>& Y_S,
                       const std::vector<double>& J_ex, const std::vector<double>& initial, double duration,
                       double dt, const std::string& method, const std::vector<std::int64_t>& record,
                       double record_dt, double C_threshold, const std::string& device) {
  using namespace glia::bio;
  const GChIEnsembleSpec spec = build_gchi_ensemble(GChIEnsembleArrays{
      parameter_set, params, Y_S, J_ex, initial, duration, dt, record_dt, method, record, C_threshold});
  check_device(device);
  GChIEnsembleResult r;
  {
    py::gil_scoped_release release;
#ifdef GLIA_WITH_CUDA
    r = device == "cuda" ? run_gchi_ensemble_cuda(spec) : run_gchi_ensemble_cpu(spec);
#else
    r = run_gchi_ensemble_cpu(spec);
#endif
  }
  const auto n = static_cast<py::ssize_t>(spec.params.size());
  const auto n_t = static_cast<py::ssize_t>(r.trace_t.size());
  const auto n_rec = static_cast<py::ssize_t>(spec.record.size());
  std::vector<double> final_flat;
  for (const auto& y : r.final_state) final_flat.insert(final_flat.end(), y.begin(), y.end());
  py::dict out;
  out["t"] = to_numpy(r.trace_t, {n_t});
  out["traces"] = to_numpy(r.traces, {n_t, n_rec, kGChIVars});
  out["final_state"] = to_numpy(final_flat, {n, kGChIVars});
  out["C_max"] = to_numpy(r.C_max, {n});
  out["C_mean"] = to_numpy(r.C_mean, {n});
  out["C_crossings"] = to_numpy(r.C_crossings, {n});
  out["status"] = to_numpy(r.status, {n});
  out["failed_at"] = to_numpy(r.failed_at, {n});
  out["failed_variable"] = to_numpy(r.failed_variable, {n});
  return out;
}

// The small neuron–astrocyte network under an STP protocol (glia.neuron_astrocyte_ltp); arrays
// of synapses are shaped (..., n_post, n_pre).
py::dict neuron_astrocyte_ltp(const std::map<std::string, double>& params, const std::string& theta,
                              const std::vector<double>& b_pre, const std::vector<double>& b_post,
                              double T_on, double T_off, std::int64_t n_cycles, double dt, double record_dt,
                              const std::string& method) {
  using namespace glia::mapping;
  const NeuronAstrocyteSpec spec = build_neuron_astrocyte_network(
      NeuronAstrocyteArrays{params, theta, b_pre, b_post, T_on, T_off, n_cycles, dt, record_dt, method});
  NeuronAstrocyteResult r;
  {
    py::gil_scoped_release release;
    r = run_neuron_astrocyte_network(spec);
  }
  const auto n_t = static_cast<py::ssize_t>(r.t.size()), n_c = static_cast<py::ssize_t>(r.cycle_end_t.size());
  const auto n_pre = static_cast<py::ssize_t>(r.n_pre), n_post = static_cast<py::ssize_t>(r.n_post);
  py::dict out;
  out["t"] = to_numpy(r.t, {n_t});
  out["x_pre"] = to_numpy(r.x_pre, {n_t, n_pre});
  out["x_post"] = to_numpy(r.x_post, {n_t, n_post});
  out["s"] = to_numpy(r.s, {n_t, n_post, n_pre});
  out["p_s"] = to_numpy(r.p_s, {n_t, n_post, n_pre});
  out["p_l"] = to_numpy(r.p_l, {n_t, n_post, n_pre});
  out["cycle_end_t"] = to_numpy(r.cycle_end_t, {n_c});
  out["p_l_on_end"] = to_numpy(r.p_l_on_end, {n_c, n_post, n_pre});
  out["p_l_cycle_end"] = to_numpy(r.p_l_cycle_end, {n_c, n_post, n_pre});
  out["params"] = neuron_astrocyte_params(spec);
  return out;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "glia compiled core";
  py::register_exception<glia::ConfigError>(m, "ConfigError", PyExc_ValueError);
  py::register_exception<glia::RuntimeError>(m, "SimulationError", PyExc_RuntimeError);
  m.def("simulate", &simulate, py::arg("config_json"), py::arg("output") = "", py::arg("threads") = 0,
        "Run a simulation from JSON text (see glia.simulate); write HDF5 to `output` unless empty.");
  m.def(
      "read_config_file",
      [](const std::string& path, const std::string& field) {
        std::string text = glia::io::read_text_file(path, field);
        glia::io::parse_json(text, path);  // refuses what the strict reader refuses (depth, size, syntax)
        return text;
      },
      "The text of a JSON config file, checked as the CLI checks it: ConfigError for a missing file, a "
      "directory, a file too large for memory or nested too deeply, or invalid JSON.");
  m.def(
      "check_output_is_not_an_input",
      [](const std::string& output, const std::string& field, const std::vector<std::string>& inputs) {
        glia::io::check_output_is_not_an_input(output, field, inputs);
      },
      "ConfigError when an output path is one of the inputs (also through a link).");
  m.def("integrate_cell", &integrate_cell, py::arg("config_json"),
        "Integrate one astrocyte model instance from a JSON configuration.");
  m.def("gchi_ensemble", &gchi_ensemble, "Integrate many G-ChI variants at once (see glia.integrate_cells).");
  m.def("neuron_astrocyte_ltp", &neuron_astrocyte_ltp,
        "Rate neurons, Hebbian synapses and astrocyte processes under an STP protocol "
        "(glia.neuron_astrocyte_ltp).");
  glia::python::bind_sweep(m);
  glia::python::bind_mapping(m);
  glia::python::bind_nn(m);
  glia::python::bind_nets(m);
  m.def("version", [] { return std::string(glia::version()); });
  m.def("git_commit", [] { return std::string(glia::git_commit()); });
  m.def("cuda_device_count", [] { return glia::cuda_device_count(); });
}
