#include "bindings/sweep_bindings.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "engine/core/progress.hpp"
#include "engine/core/threads.hpp"
#include "engine/io/hdf5_file.hpp"
#include "models/bio/tripartite_parameters.hpp"
#include "models/sweep/sweep_file.hpp"
#include "models/sweep/sweep_run.hpp"
#include "models/sweep/unit_sweep.hpp"

namespace py = pybind11;

namespace glia::python {

namespace {

template <class T>
py::array_t<T> array(const T* data, std::vector<py::ssize_t> shape) {
  py::array_t<T> a(shape);
  std::size_t n = 1;
  for (auto d : shape) n *= static_cast<std::size_t>(d);
  std::copy(data, data + n, a.mutable_data());
  return a;
}

// The in-memory results, in the layout load_sweep gives from a file.
void add_results(const sweep::SweepSpec& s, const sweep::SweepOutcome& r, py::dict& out) {
  const auto n = static_cast<py::ssize_t>(r.n_variants);
  py::dict design, summaries, traces;
  std::vector<double> column(r.n_variants);
  for (std::size_t c = 0; c < s.design.names.size(); ++c) {
    for (std::size_t v = 0; v < r.n_variants; ++v) column[v] = s.design.at(v, c);
    design[s.design.names[c].c_str()] = array(column.data(), {n});
  }
  for (std::size_t q = 0; q < s.summary_names.size(); ++q)
    summaries[s.summary_names[q].c_str()] = array(r.summaries.data() + q * r.n_variants, {n});
  const std::size_t n_traced = s.traces.variants.size(), n_vars = s.traces.variables.size();
  const std::size_t samples = r.trace_t.size();
  for (std::size_t k = 0; k < n_vars; ++k) {
    py::array_t<double> a({static_cast<py::ssize_t>(n_traced), static_cast<py::ssize_t>(samples)});
    for (std::size_t j = 0; j < n_traced; ++j)
      std::copy_n(r.traces.begin() + static_cast<long>((j * n_vars + k) * samples), samples,
                  a.mutable_data() + j * samples);
    traces[s.traces.variables[k].c_str()] = a;
  }
  out["design"] = design;
  out["summaries"] = summaries;
  out["status"] = array(r.status.data(), {n});
  out["failed_at"] = array(r.failed_at.data(), {n});
  out["failed_value"] = array(r.failed_value.data(), {n});
  out["failed_variable"] = r.failed_variable;
  out["reason"] = r.reason;
  out["trace_t"] = array(r.trace_t.data(), {static_cast<py::ssize_t>(samples)});
  out["trace_variants"] = array(s.traces.variants.data(), {static_cast<py::ssize_t>(n_traced)});
  out["traces"] = traces;
}

py::dict run(const std::string& config_json, const std::string& output, std::int64_t chunk,
             std::int64_t threads, bool progress) {
  sweep::SweepSpec spec = sweep::parse_sweep_config_text(config_json, "config");
  sweep::SweepOptions o;
  o.output = output;
  if (!output.empty()) spec.resolved["output"] = output;
  o.chunk = chunk;
  o.threads = checked_threads(threads, "threads");
  ProgressLine line("sweep", 0.0, progress);
  o.progress = [&](std::int64_t done, std::int64_t total) { line.update(done, total); };
  // Ctrl-C stops between chunks: what is done stays in the file, and the same call resumes.
  o.between_chunks = [] {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  };
  sweep::SweepOutcome r;
  {
    py::gil_scoped_release release;
    r = sweep::run_sweep(spec, o);
  }
  py::dict out;
  out["config"] = spec.resolved.dump();
  out["design_kind"] = spec.design.kind;
  out["design_names"] = spec.design.names;
  out["grid_shape"] = spec.design.grid_shape;
  out["summary_names"] = spec.summary_names;
  out["n_variants"] = r.n_variants;
  out["computed"] = r.computed;
  out["resumed"] = r.resumed;
  out["failed"] = r.failed;
  if (output.empty()) add_results(spec, r, out);
  return out;
}

py::list parameters(const std::string& model, const std::string& parameter_set) {
  bio::TripartiteParams defaults = bio::tripartite_defaults(parameter_set, "parameter_set");
  py::list out;
  for (const auto& p : bio::tripartite_parameters(model)) {
    py::dict d;
    d["name"] = p.spec.name;
    d["default"] = p.ref(defaults);
    d["min"] = p.spec.lo;
    d["max"] = p.spec.hi;
    d["min_open"] = p.spec.lo_open;
    d["max_open"] = p.spec.hi_open;
    d["integer"] = p.spec.integer;
    d["unit"] = p.spec.unit;
    out.append(d);
  }
  return out;
}

// The network configuration variant v of a sweep runs (its summary monitors included), as JSON text.
std::string variant_network(const std::string& config_json, std::int64_t v) {
  return sweep::variant_network_config(sweep::parse_sweep_config_text(config_json, "config"), v).dump();
}

}  // namespace

void bind_sweep(py::module_& m) {
  m.def("sweep", &run, py::arg("config_json"), py::arg("output") = "", py::arg("chunk") = 0,
        py::arg("threads") = 0, py::arg("progress") = false,
        "Run a sweep from JSON text; into the HDF5 file `output` (resumable) or, if empty, into memory.");
  m.def(
      "verify_sweep_file",
      [](const std::string& path) {
        const io::Hdf5File f = io::Hdf5File::open(path, false);
        // Files of format 1 (before checksums) have none to verify.
        if (f.exists("/status/checksum")) sweep::verify_sweep_results(f, path, "path");
      },
      py::arg("path"), "ConfigError when a finished variant's results do not match their checksum.");
  m.def("sweep_variant_network", &variant_network, py::arg("config_json"), py::arg("variant"),
        "The network configuration (JSON text) that variant `variant` of a tripartite, gchi or network sweep "
        "runs.");
  m.def("sweep_parameters", &parameters, py::arg("model"), py::arg("parameter_set") = "network",
        "The parameters a sweep of `model` may set: name, default, range, unit.");
}

}  // namespace glia::python
