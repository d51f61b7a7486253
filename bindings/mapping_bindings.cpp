#include "bindings/mapping_bindings.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>

#include "engine/sim/step_config.hpp"
#include "models/mapping/retention.hpp"
#include "models/mapping/simulated_head.hpp"

namespace py = pybind11;

namespace glia::python {

namespace {

py::array_t<double> array(const std::vector<double>& v, std::vector<py::ssize_t> shape) {
  py::array_t<double> a(shape);
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

py::dict fit_dict(const mapping::LtpFit& f) {
  py::dict d;
  d["model"] = mapping::ltp_model_name(f.model);
  py::dict params;
  const auto names = mapping::ltp_model_parameter_names(f.model);
  for (std::size_t k = 0; k < names.size(); ++k) params[names[k].c_str()] = f.params[k];
  d["params"] = params;
  d["rmse"] = f.rmse;
  d["relative_rmse"] = f.relative_rmse;
  d["max_abs_error"] = f.max_abs_error;
  d["at_bound"] = f.at_bound;
  return d;
}

// Parses, simulates, fits; writes the file when `output` is not empty. Arrays of synapses are shaped
// (..., n_post, n_pre).
py::dict derive(const std::string& config_json, const std::string& output) {
  mapping::RetentionSpec spec = mapping::parse_retention_config_text(config_json, "config");
  if (!output.empty()) spec.resolved["output"] = output;
  mapping::RetentionResult r;
  {
    py::gil_scoped_release release;
    r = mapping::derive_retention(spec);
    if (!output.empty()) mapping::write_retention(spec, r, output);
  }
  const auto N1 = static_cast<py::ssize_t>(r.cycle_t.size()), S = static_cast<py::ssize_t>(r.trace_t.size());
  const auto n_pre = static_cast<py::ssize_t>(r.n_pre), n_post = static_cast<py::ssize_t>(r.n_post);
  py::dict out;
  out["config"] = spec.resolved.dump();
  out["T_cycle"] = r.T_cycle;
  out["cycle_t"] = array(r.cycle_t, {N1});
  out["p_l_mean"] = array(r.p_l_mean, {N1});
  out["p_l"] = array(r.p_l, {N1, n_post, n_pre});
  out["delta_p"] = array(r.delta_p, {N1 - 1});
  out["fit_curve"] = array(r.fit_curve, {N1});
  out["trace_t"] = array(r.trace_t, {S});
  out["trace_p_l"] = array(r.trace_p_l, {S, n_post, n_pre});
  out["fit"] = fit_dict(r.fit);
  py::dict sim, fitted, per, falls;
  for (std::size_t k = 0; k < r.T.size(); ++k) {
    const auto T = static_cast<py::ssize_t>(r.T[k]);
    sim[py::int_(r.T[k])] = array(r.rf_simulated[k], {T});
    fitted[py::int_(r.T[k])] = array(r.rf_fitted[k], {T});
    per[py::int_(r.T[k])] = array(r.rf_per_synapse[k], {T, n_post, n_pre});
    falls[py::int_(r.T[k])] = r.falls_from[k];
  }
  out["rf_simulated"] = sim;
  out["rf_fitted"] = fitted;
  out["rf_per_synapse"] = per;
  out["falls_from"] = falls;
  out["warnings"] = r.warnings;
  return out;
}

py::dict load(const std::string& path, std::int64_t T, const std::string& source, const std::string& field) {
  const mapping::RetentionTable t = mapping::read_retention(path, T, source, field);
  py::dict d;
  d["rf"] = array(t.rf, {static_cast<py::ssize_t>(t.rf.size())});
  d["T"] = t.T;
  d["source"] = t.source;
  d["T_cycle"] = t.T_cycle;
  d["fit_model"] = t.fit_model;
  d["fit_params"] = t.fit_params;
  d["glia_version"] = t.glia_version;
  d["git_commit"] = t.git_commit;
  d["config"] = t.config;
  return d;
}

py::dict fit(const std::vector<double>& t, const std::vector<double>& p, const std::string& model) {
  return fit_dict(mapping::fit_ltp_curve(t, p, mapping::ltp_model("model", model)));
}

py::array_t<double> matrix_array(const mapping::Matrix& x) {
  py::array_t<double> a({static_cast<py::ssize_t>(x.rows()), static_cast<py::ssize_t>(x.cols())});
  std::copy(x.data(), x.data() + x.size(), a.mutable_data());
  return a;
}

mapping::Matrix matrix(const py::array_t<double, py::array::c_style | py::array::forcecast>& a,
                       const char* name) {
  if (a.ndim() != 2) throw ConfigError(name, std::to_string(a.ndim()) + " axes", "expected a 2-d array");
  mapping::Matrix x(a.shape(0), a.shape(1));
  std::copy(a.data(), a.data() + a.size(), x.data());
  return x;
}

using Array2 = py::array_t<double, py::array::c_style | py::array::forcecast>;

mapping::HeadInputs head_inputs(const Array2& q, const Array2& k, const Array2& v,
                                const std::optional<Array2>& activity, double alpha, bool nonlinearity,
                                double epsilon, double synaptic_scale) {
  mapping::HeadInputs in;
  in.q = matrix(q, "q");
  in.k = matrix(k, "k");
  in.v = matrix(v, "v");
  if (activity) in.activity = matrix(*activity, "activity");
  in.alpha = alpha;
  in.nonlinearity = nonlinearity;
  in.epsilon = epsilon;
  in.synaptic_scale = synaptic_scale;
  return in;
}

mapping::SimulatedHeadSettings head_settings(double tau_n, double tau_p, double dt, const std::string& method,
                                            double neuron_leak, double synapse_leak) {
  mapping::SimulatedHeadSettings s;
  s.tau_n = tau_n;
  s.tau_p = tau_p;
  s.dt = dt;
  s.method = sim::fixed_step_method("method", method);
  s.neuron_leak = neuron_leak;
  s.synapse_leak = synapse_leak;
  return s;
}

}  // namespace

void bind_mapping(py::module_& m) {
  m.def(
      "simulate_head",
      [](const Array2& q, const Array2& k, const Array2& v, const std::optional<Array2>& activity,
         double alpha, bool nonlinearity, double epsilon, double tau_n, double tau_p, double dt,
         const std::string& method, double neuron_leak, double synapse_leak, double synaptic_scale) {
        const auto s = head_settings(tau_n, tau_p, dt, method, neuron_leak, synapse_leak);
        const auto in = head_inputs(q, k, v, activity, alpha, nonlinearity, epsilon, synaptic_scale);
        mapping::SimulatedHeadResult r;
        {
          py::gil_scoped_release release;
          r = mapping::simulate_head(in, s);
        }
        py::dict d;
        d["out"] = matrix_array(r.out);
        d["synapses"] = matrix_array(r.synapses);
        d["calcium"] = array(r.calcium, {static_cast<py::ssize_t>(r.calcium.size())});
        d["warnings"] = r.warnings;
        return d;
      },
      py::arg("q"), py::arg("k"), py::arg("v"), py::arg("activity") = py::none(), py::arg("alpha") = 0.25,
      py::arg("nonlinearity") = true, py::arg("epsilon") = 1e-6, py::arg("tau_n") = 1e-3,
      py::arg("tau_p") = 0.1, py::arg("dt") = 1e-4, py::arg("method") = "rk4", py::arg("neuron_leak") = 1.0,
      py::arg("synapse_leak") = 0.0, py::arg("synaptic_scale") = 0.0,
      "One astromorphic head as a neuron-astrocyte simulation (glia.mapping.simulate_head).");
  m.def(
      "simulated_head_config",
      [](const Array2& q, const Array2& k, const Array2& v, const std::optional<Array2>& activity, double alpha,
         bool nonlinearity, double epsilon, double tau_n, double tau_p, double dt, const std::string& method,
         double neuron_leak, double synapse_leak, double synaptic_scale) {
        const auto s = head_settings(tau_n, tau_p, dt, method, neuron_leak, synapse_leak);
        return mapping::simulated_head_config(
                   head_inputs(q, k, v, activity, alpha, nonlinearity, epsilon, synaptic_scale), s)
            .dump();
      },
      "The network config of one simulated head (glia.mapping.simulated_head_config).");
  m.def(
      "retention_network_config",
      [](const std::string& config_json) {
        const mapping::RetentionSpec spec = mapping::parse_retention_config_text(config_json, "config");
        mapping::NeuronAstrocyteSpec net = spec.network;
        net.n_cycles = spec.n_cycles;
        return mapping::neuron_astrocyte_network_config(net).dump();
      },
      "The network config that derive_retention simulates (glia.mapping.retention_network_config).");
  m.def(
      "head_operator",
      [](const Array2& q, const Array2& k, const Array2& v, const std::optional<Array2>& activity,
         double alpha, bool nonlinearity, double epsilon, double synaptic_scale) {
        return matrix_array(mapping::head_operator(
            head_inputs(q, k, v, activity, alpha, nonlinearity, epsilon, synaptic_scale)));
      },
      py::arg("q"), py::arg("k"), py::arg("v"), py::arg("activity") = py::none(), py::arg("alpha") = 0.25,
      py::arg("nonlinearity") = true, py::arg("epsilon") = 1e-6, py::arg("synaptic_scale") = 0.0,
      "The closed-form astromorphic operator of one head (what simulate_head converges to).");
  m.def("derive_retention", &derive, py::arg("config_json"), py::arg("output") = "",
        "Retention factors from simulated LTP (glia.mapping.derive_retention).");
  m.def("load_retention", &load, py::arg("path"), py::arg("T"), py::arg("source") = "simulated",
        py::arg("field") = "retention",
        "One validated RF table from a retention file (glia.mapping.load_retention).");
  m.def("fit_ltp_curve", &fit, py::arg("t"), py::arg("p"), py::arg("model") = "exponential",
        "Least-squares fit of an LTP macro model (glia.mapping.fit_ltp_curve).");
  m.def("retention_exponential", &mapping::retention_exponential, py::arg("c"), py::arg("T"),
        "RF(t, T) of the exponential macro model, c = tau_c / tau_L.");
}

}  // namespace glia::python
