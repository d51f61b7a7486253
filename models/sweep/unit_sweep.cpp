#include "models/sweep/unit_sweep.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "engine/core/error.hpp"
#include "models/bio/parameter_tables.hpp"
#include "models/network/network_config.hpp"
#include "models/sweep/network_sweep.hpp"

namespace glia::sweep {

namespace {

using nlohmann::json;

// Where a unit variable lives: the astrocyte group A (element 0) or the synapse S (synapse 0).
bool on_synapse(const std::string& var) {
  return var == "Gamma_S" || var == "u" || var == "x" || var == "Y_S" || var == "U_0";
}

std::string monitor_name(std::size_t q) { return "s" + std::to_string(q); }

json summary_monitor(const sim::SummarySpec& q, std::size_t k, double transient) {
  json m{{"type", "summary"},
         {"name", monitor_name(k)},
         {"stat", sim::summary_stat_name(q.stat)},
         {"start", transient}};
  if (q.variable.empty()) {  // a release statistic
    m["target"] = "S";
    return m;
  }
  m["target"] = on_synapse(q.variable) ? "S" : "A";
  m["variable"] = q.variable;
  m["index"] = 0;
  // Without one, C's threshold is the group's C_Theta: the variant's, as the summary's default says.
  if (q.has_threshold) m["threshold"] = q.threshold;
  return m;
}

// The state monitors of a traced variant: A's and S's traced variables, every trace step from t = 0.
json trace_monitors(const SweepSpec& s) {
  const double dt = static_cast<double>(s.traces.every) * s.dt;
  json out = json::array();
  for (const std::string target : {"A", "S"}) {
    json vars = json::array();
    for (const auto& v : s.traces.variables)
      if (on_synapse(v) == (target == "S")) vars.push_back(v);
    if (!vars.empty())
      out.push_back({{"type", "state"},
                     {"name", "trace_" + target},
                     {"target", target},
                     {"variables", vars},
                     {"indices", {0}},
                     {"dt", dt}});
  }
  return out;
}

}  // namespace

json unit_network_config(const SweepSpec& s, const bio::TripartiteParams& p, bool traced) {
  const bool synapse = s.model == "tripartite";
  json gchi = json::object();
  for (const auto& f : bio::gchi_fields()) gchi[f.name] = p.gchi.*f.member;
  json astrocyte{{"name", "A"},
                 {"model", "gchi"},
                 {"n", 1},
                 {"method", s.method_name},
                 {"params", gchi},
                 {"release",
                  {{"C_Theta", p.glio.C_Theta},
                   {"Omega_A", p.glio.Omega_A},
                   {"U_A", p.glio.U_A},
                   {"G_T", p.glio.G_T},
                   {"rho_e", p.glio.rho_e},
                   {"Omega_e", p.glio.Omega_e}}},
                 {"J_ex", p.J_ex},
                 {"init",
                  {{"Gamma_A", p.initial[bio::kTGammaA]},
                   {"I", p.initial[bio::kTI]},
                   {"C", p.initial[bio::kTC]},
                   {"h", p.initial[bio::kTh]},
                   {"x_A", p.initial[bio::kTx_A]},
                   {"G_A", p.initial[bio::kTG_A]}}}};
  json c{{"simulation",
          {{"duration", s.duration},
           {"dt", s.dt},
           {"seed", static_cast<std::uint64_t>(p.seed)},
           {"device", s.device}}}};
  if (!synapse) {
    astrocyte["glutamate"] = p.initial[bio::kTY_S];
    c["groups"] = json::array({astrocyte});
    c["projections"] = json::array();
  } else {
    // Glutamate released at a spike decays inside the astrocyte's step, exactly (not held over it).
    astrocyte["glutamate_input"] = "decaying";
    // A regular train needs a rate > 0; without spikes the source's kind does not matter.
    const bool regular = s.input == "regular" && p.rate > 0.0;
    json source{{"name", "P"}, {"model", regular ? "regular" : "poisson"}, {"n", 1}, {"rate", p.rate}};
    json astrocytes{{"group", "A"},
                    {"assign", "index"},
                    {"index", {0}},
                    {"feedback", p.feedback != 0.0 ? "closed" : "none"},
                    {"glutamate", {{"rho_c", p.glu.rho_c}, {"Y_T", p.glu.Y_T}, {"Omega_c", p.glu.Omega_c}}}};
    if (p.feedback != 0.0)
      astrocytes["gliotransmission"] = {
          {"alpha", p.pre.alpha}, {"O_G", p.pre.O_G}, {"Omega_G", p.pre.Omega_G}};
    json syn{{"name", "S"},
             {"source", "P"},
             {"connect", {{"rule", "one_to_one"}}},
             {"model", "tsodyks_markram"},
             {"params", {{"U", p.tm.U}, {"tau_rec", p.tm.tau_rec}, {"tau_fac", p.tm.tau_fac}}},
             {"init", {{"u", p.initial[bio::kTu]}, {"x", p.initial[bio::kTx]}}},
             {"astrocytes", astrocytes}};
    c["groups"] = json::array({source, astrocyte});
    c["projections"] = json::array({syn});
  }
  json monitors = json::array();
  for (std::size_t k = 0; k < s.summaries.size(); ++k)
    monitors.push_back(summary_monitor(s.summaries[k], k, s.transient));
  if (traced)
    for (auto& m : trace_monitors(s)) monitors.push_back(m);
  c["monitors"] = monitors;
  return c;
}

json variant_network_config(const SweepSpec& s, std::int64_t v, const std::string& field) {
  const auto n = static_cast<std::int64_t>(s.design.size());
  if (v < 0 || v >= n)
    throw ConfigError(field, std::to_string(v),
                      "out of range [0, " + std::to_string(n) + ") (design indices)");
  const auto u = static_cast<std::size_t>(v);
  if (s.model == "network") return network_variant_config(s.network, s.design, u);
  if (s.model == "retention")
    throw ConfigError(
        "model", "\"retention\"",
        "a retention variant is a retention config, not one network (glia retention --dump-config "
        "writes its network)");
  const bool traced = std::binary_search(s.traces.variants.begin(), s.traces.variants.end(), v);
  return unit_network_config(s, variant_params(s, u), traced);
}

ChunkResults run_unit_chunk(const SweepSpec& s, const std::vector<std::uint64_t>& variants,
                            std::vector<std::int64_t>& slot_row, int threads) {
  const std::size_t n = variants.size(), n_q = s.summaries.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Traced variants carry state monitors, so they batch among themselves, not with the others.
  std::vector<std::size_t> plain, traced;
  std::vector<std::int64_t> row_of(n, -1);
  for (std::size_t k = 0; k < n; ++k) {
    const auto v = static_cast<std::int64_t>(variants[k]);
    const auto it = std::lower_bound(s.traces.variants.begin(), s.traces.variants.end(), v);
    if (it != s.traces.variants.end() && *it == v) {
      row_of[k] = it - s.traces.variants.begin();
      traced.push_back(k);
    } else {
      plain.push_back(k);
    }
  }
  const auto run = [&](const std::vector<std::size_t>& which, bool trace) {
    ChunkNetworks x;
    x.config = [&, trace](std::size_t j) {
      return network::parse_network_config(
          unit_network_config(s, variant_params(s, variants[which[j]]), trace), false);
    };
    x.summaries = [n_q, nan](const network::NetworkConfig&, const network::NetworkResult& r) {
      std::vector<double> out;
      for (std::size_t q = 0; q < n_q; ++q) {
        const auto it = r.summaries.find(monitor_name(q));
        out.push_back(it == r.summaries.end() ? nan : it->second);
      }
      return out;
    };
    x.n_summaries = n_q;
    return run_network_batches(x, which.size(), threads);
  };
  ChunkResults r;
  r.summaries.assign(n_q * n, nan);
  r.status.assign(n, 0);
  r.failed_at.assign(n, nan);
  r.failed_value.assign(n, nan);
  r.failed_variable.assign(n, "");
  r.reason.assign(n, "");
  const auto keep = [&](std::size_t k, const NetworkVariantResult& v) {
    for (std::size_t q = 0; q < n_q; ++q) r.summaries[q * n + k] = v.summaries[q];
    if (!v.failed) return;
    r.status[k] = 1;
    r.failed_at[k] = v.failed_at;
    r.failed_value[k] = v.failed_variable.empty() ? nan : v.failed_value;
    r.failed_variable[k] = v.failed_variable;
    r.reason[k] = v.reason;
  };
  const std::vector<NetworkVariantResult> out = run(plain, false);
  for (std::size_t j = 0; j < plain.size(); ++j) keep(plain[j], out[j]);
  slot_row.clear();
  if (traced.empty()) return r;
  const std::vector<NetworkVariantResult> out_t = run(traced, true);
  const std::size_t n_t = static_cast<std::size_t>(s.n_steps / s.traces.every) + 1;
  const std::size_t n_vars = s.traces.variables.size();
  r.traces.assign(traced.size() * n_vars * n_t, nan);  // NaN after a failure
  for (std::size_t j = 0; j < traced.size(); ++j) {
    const NetworkVariantResult& v = out_t[j];
    keep(traced[j], v);
    slot_row.push_back(row_of[traced[j]]);
    for (std::size_t x = 0; x < n_vars; ++x) {
      const std::string& var = s.traces.variables[x];
      const auto m = v.state.find(on_synapse(var) ? "trace_S" : "trace_A");
      if (m == v.state.end()) continue;
      const std::vector<double>& values = m->second.values.at(var);
      std::copy_n(values.begin(), std::min(values.size(), n_t),
                  r.traces.begin() + static_cast<long>((j * n_vars + x) * n_t));
    }
  }
  return r;
}

}  // namespace glia::sweep
