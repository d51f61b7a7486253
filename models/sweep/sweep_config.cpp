#include "models/sweep/sweep_config.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "engine/core/error.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/sim/step_config.hpp"
#include "models/network/network_config.hpp"

namespace glia::sweep {

namespace {

using io::JsonObjectReader;
using nlohmann::json;

std::vector<sim::DesignParameter> design_parameters(const std::string& model) {
  std::vector<sim::DesignParameter> out;
  for (const auto& p : bio::tripartite_parameters(model)) out.push_back(p.spec);
  return out;
}

std::vector<std::string> model_variables(const std::string& model) {
  const int n = model == "gchi" ? static_cast<int>(bio::kGChIVars) : static_cast<int>(bio::kTVariables);
  std::vector<std::string> v;
  for (int k = 0; k < n; ++k) v.push_back(bio::tripartite_variable_name(k));
  return v;
}

// Applies "parameters" to the defaults; every value is range-checked.
void read_parameters(JsonObjectReader& root, SweepSpec& s) {
  if (!root.has("parameters")) return;
  JsonObjectReader r(root.member("parameters"), "parameters");
  for (const auto& p : bio::tripartite_parameters(s.model)) {
    if (!r.has(p.spec.name)) continue;
    const double v = r.number(p.spec.name);
    sim::check_design_value(p.spec, r.field(p.spec.name), v);
    p.ref(s.base) = v;
    s.given[p.spec.name] = r.field(p.spec.name);
  }
  // A key no parameter read is unknown; name the model's parameters.
  const json& obj = root.member("parameters");
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (!s.given.count(it.key())) {
      std::string list;
      for (const auto& p : bio::tripartite_parameters(s.model))
        list += (list.empty() ? "" : ", ") + p.spec.name;
      throw ConfigError(r.field(it.key()), io::json_text(it.value()),
                        "unknown parameter of model \"" + s.model + "\" (known: " + list + ")");
    }
}

void read_traces(JsonObjectReader& root, SweepSpec& s) {
  if (!root.has("traces")) return;
  JsonObjectReader r(root.member("traces"), "traces");
  const json& variants = r.member("variants");
  if (!variants.is_array() || variants.empty())
    throw ConfigError(r.field("variants"), io::json_text(variants),
                      "expected a non-empty list of variant indices");
  std::set<std::int64_t> seen;
  const auto n = static_cast<std::int64_t>(s.design.size());
  for (std::size_t k = 0; k < variants.size(); ++k) {
    const std::string f = r.field("variants") + "[" + std::to_string(k) + "]";
    const std::int64_t v = io::as_integer(variants[k], f);
    if (v < 0 || v >= n)
      throw ConfigError(f, std::to_string(v), "out of range [0, " + std::to_string(n) + ") (design indices)");
    if (!seen.insert(v).second) throw ConfigError(f, std::to_string(v), "listed twice");
  }
  s.traces.variants.assign(seen.begin(), seen.end());
  if (r.has("variables")) {
    const json& vars = r.member("variables");
    if (!vars.is_array() || vars.empty())
      throw ConfigError(r.field("variables"), io::json_text(vars),
                        "expected a non-empty list of variable names");
    for (std::size_t k = 0; k < vars.size(); ++k) {
      const std::string f = r.field("variables") + "[" + std::to_string(k) + "]";
      if (!vars[k].is_string()) throw ConfigError(f, io::json_text(vars[k]), "expected a variable name");
      const std::string name = vars[k].get<std::string>();
      const auto it = std::find(s.variables.begin(), s.variables.end(), name);
      if (it == s.variables.end()) {
        std::string list;
        for (const auto& v : s.variables) list += (list.empty() ? "" : ", ") + v;
        throw ConfigError(f, "\"" + name + "\"", "unknown variable (known: " + list + ")");
      }
      if (std::find(s.traces.variables.begin(), s.traces.variables.end(), name) != s.traces.variables.end())
        throw ConfigError(f, "\"" + name + "\"", "listed twice");
      s.traces.variables.push_back(name);
    }
  } else {
    s.traces.variables = s.variables;
  }
  const double trace_dt = r.number("dt", s.dt);
  s.traces.every = sim::whole_steps(r.field("dt"), io::check_positive(r.field("dt"), trace_dt, "s"), s.dt);
  r.finish();
  json& t = s.resolved["traces"];
  t["variants"] = s.traces.variants;
  t["variables"] = s.traces.variables;
  t["dt"] = static_cast<double>(s.traces.every) * s.dt;
}

// The field a variant's value of `name` came from, for error messages.
std::string field_of(const SweepSpec& s, std::size_t v, const std::string& name) {
  const int col = s.design.column(name);
  if (col >= 0) return s.design.source(v, static_cast<std::size_t>(col));
  const auto it = s.given.find(name);
  return it != s.given.end() ? it->second : name + " (default)";
}

void check_variants(const SweepSpec& s) {
  std::string name, reason;
  const bool synapse = s.model == "tripartite";
  for (std::size_t v = 0; v < s.design.size(); ++v) {
    bio::TripartiteParams p = variant_params(s, v);
    if (!bio::tripartite_cross_check(p, s.dt, synapse, s.input == "regular", name, reason))
      throw ConfigError(field_of(s, v, name),
                        io::number_text(bio::find_tripartite_parameter(s.model, name)->ref(p)), reason);
  }
}

// The rest of a path sweep's (network, retention) resolved config after its base: design, summaries, chunk
// (default_chunk variants), output and device; the definition is what a resumed file must match.
void finish_path_sweep(JsonObjectReader& root, SweepSpec& s, const json& design, std::int64_t default_chunk) {
  s.resolved["design"] = design;
  s.resolved["summaries"] = root.member("summaries");
  const std::int64_t chunk = root.integer("chunk", default_chunk);
  if (chunk < 1) throw ConfigError("chunk", std::to_string(chunk), "must be >= 1 (variants per chunk)");
  s.chunk = chunk;
  s.output = root.string("output", "");
  root.finish();
  s.definition = s.resolved;
  s.definition["device"] = s.device;
  s.resolved["device"] = s.device;
  s.resolved["chunk"] = s.chunk;
  if (!s.output.empty()) s.resolved["output"] = s.output;
}

// "model": "network": the base network, a design over paths into it, network summaries.
void parse_network_sweep(JsonObjectReader& root, SweepSpec& s) {
  const std::pair<const char*, const char*> elsewhere[] = {
      {"parameter_set", "set the parameters in \"network\""},
      {"input", "give the network its spike sources in \"network\""},
      {"duration", "set it as simulation.duration in \"network\" (or sweep the path simulation.duration)"},
      {"dt", "set it as simulation.dt in \"network\""},
      {"method", "set each astrocyte group's method in \"network\""},
      {"parameters", "fixed values belong in \"network\"; the design sets the swept paths"},
      {"traces",
       "a network sweep keeps summaries only; run a variant alone with glia simulate to record it"}};
  for (const auto& [key, why] : elsewhere)
    if (root.has(key))
      throw ConfigError(key, io::json_text(root.member(key)),
                        std::string("not a key of a \"network\" sweep: ") + why);
  const json& base = root.member("network");
  const json& design = root.member("design");
  s.design = sim::parse_design(design, "design", network_design_parameters(base, design, "design"));
  const double transient = root.number("transient", 0.0);
  if (!(transient >= 0.0)) throw ConfigError("transient", io::number_text(transient), "must be >= 0 s");
  std::string device;
  if (root.has("device")) {
    device = root.string("device");
    if (device != "cpu" && device != "cuda")
      throw ConfigError("device", "\"" + device + "\"", "expected \"cpu\" or \"cuda\"");
  }
  setup_network_sweep(s.network, base, s.design, root.member("summaries"), transient, device);
  const network::NetworkConfig first =
      network::parse_network_config(network_variant_config(s.network, s.design, 0));
  s.duration = first.duration;
  s.dt = first.dt;
  s.n_steps = first.n_steps;
  s.transient = transient;
  s.n_transient = static_cast<std::int64_t>(std::llround(transient / first.dt));
  s.seed = first.seed;
  s.method_name = "";
  s.device = first.device == Device::cuda ? "cuda" : "cpu";
  for (const auto& q : s.network.summaries) s.summary_names.push_back(q.name);
  s.summary_info = network_summary_descriptions(s.network);

  s.resolved = json::object();
  s.resolved["model"] = "network";
  s.resolved["network"] = s.network.base;
  s.resolved["transient"] = transient;
  finish_path_sweep(root, s, design, 16);  // a chunk runs as one batch
}

// "model": "retention": a base retention config, a design over paths into it, retention summaries.
void parse_retention_sweep(JsonObjectReader& root, SweepSpec& s) {
  const std::pair<const char*, const char*> elsewhere[] = {
      {"network", "a retention sweep takes a retention config under \"retention\""},
      {"parameter_set", "set the network parameters in \"retention\" (its \"params\")"},
      {"input", "the retention network is driven by b_pre and b_post in \"retention\""},
      {"duration", "the run is n_cycles cycles of T_on + T_off, set in \"retention\""},
      {"dt", "set it in \"retention\" (or sweep the path dt)"},
      {"method", "set it in \"retention\""},
      {"transient", "a retention derivation starts at rest and uses every cycle"},
      {"parameters", "fixed values belong in \"retention\"; the design sets the swept paths"},
      {"traces",
       "a retention sweep keeps summaries only (the p^l curve at the cycle ends is the summary \"p_l\"); "
       "run a variant alone with glia retention for its traces"}};
  for (const auto& [key, why] : elsewhere)
    if (root.has(key))
      throw ConfigError(key, io::json_text(root.member(key)),
                        std::string("not a key of a \"retention\" sweep: ") + why);
  const json& base = root.member("retention");
  const json& design = root.member("design");
  s.design = sim::parse_design(design, "design", retention_design_parameters(base, design, "design"));
  if (root.has("device")) {
    const std::string device = root.string("device");
    if (device == "cuda")
      throw ConfigError("device", "\"cuda\"",
                        "the retention network runs on the CPU (its variants in parallel, one per thread)");
    if (device != "cpu") throw ConfigError("device", "\"" + device + "\"", "expected \"cpu\"");
  }
  setup_retention_sweep(s.retention, base, s.design, root.member("summaries"));
  const mapping::RetentionSpec first =
      mapping::parse_retention_config(retention_variant_config(s.retention, s.design, 0));
  s.dt = first.network.dt;
  s.duration = static_cast<double>(first.n_cycles) * (first.network.T_on + first.network.T_off);
  s.transient = 0.0;
  s.seed = first.seed;
  s.method_name = first.resolved.at("method").get<std::string>();
  s.device = "cpu";
  for (const auto& q : s.retention.summaries) s.summary_names.push_back(q.name);
  s.summary_info = retention_summary_descriptions(s.retention);

  s.resolved = json::object();
  s.resolved["model"] = "retention";
  s.resolved["retention"] = s.retention.base;
  finish_path_sweep(root, s, design, 16);
}

}  // namespace

bio::TripartiteParams variant_params(const SweepSpec& s, std::size_t v) {
  bio::TripartiteParams p = s.base;
  for (std::size_t c = 0; c < s.design_params.size(); ++c) s.design_params[c]->ref(p) = s.design.at(v, c);
  return p;
}

SweepSpec parse_sweep_config(const json& config) {
  JsonObjectReader root(config, "");
  SweepSpec s;
  s.model = root.string("model", "tripartite");
  if (s.model != "tripartite" && s.model != "gchi" && s.model != "network" && s.model != "retention")
    throw ConfigError(
        "model", "\"" + s.model + "\"",
        "unknown sweep model (expected \"tripartite\", \"gchi\", \"network\" or \"retention\")");
  if (s.model != "retention" && root.has("retention"))
    throw ConfigError("retention", "{...}",
                      "only a sweep with \"model\": \"retention\" takes a retention config");
  if (s.model == "network") {
    parse_network_sweep(root, s);
    return s;
  }
  if (s.model == "retention") {
    parse_retention_sweep(root, s);
    return s;
  }
  if (root.has("network"))
    throw ConfigError("network", "{...}", "only a sweep with \"model\": \"network\" takes a network");
  s.parameter_set = root.string("parameter_set", "network");
  s.base = bio::tripartite_defaults(s.parameter_set, "parameter_set");
  s.variables = model_variables(s.model);

  s.duration = io::check_positive("duration", root.number("duration"), "s");
  s.dt = io::check_positive("dt", root.number("dt"), "s");
  s.n_steps = sim::whole_steps("duration", s.duration, s.dt);
  s.transient = root.number("transient", 0.0);
  if (!(s.transient >= 0.0 && s.transient < s.duration))
    throw ConfigError("transient", io::number_text(s.transient),
                      "must be in [0, duration) = [0, " + io::number_text(s.duration) + ") s");
  s.n_transient = s.transient > 0.0 ? sim::whole_steps("transient", s.transient, s.dt) : 0;
  s.method_name = root.string("method", "rk4");
  sim::fixed_step_method("method", s.method_name);  // checks the name
  const bool synapse = s.model == "tripartite";
  if (synapse) {
    s.input = root.string("input", "poisson");
    if (s.input != "poisson" && s.input != "regular")
      throw ConfigError("input", "\"" + s.input + "\"", "expected \"poisson\" or \"regular\"");
  } else if (root.has("input")) {
    throw ConfigError("input", io::json_text(root.member("input")),
                      "model \"gchi\" has no presynaptic input (its glutamate is the parameter Y_S)");
  }

  read_parameters(root, s);
  s.design = sim::parse_design(root.member("design"), "design", design_parameters(s.model));
  for (std::size_t c = 0; c < s.design.names.size(); ++c) {
    const std::string& name = s.design.names[c];
    if (s.given.count(name))
      throw ConfigError(s.given.at(name), "",
                        "also swept by the design (" + s.design.path + "): set it in one place");
    s.design_params.push_back(bio::find_tripartite_parameter(s.model, name));
  }
  if (synapse && !s.given.count("rate") && s.design.column("rate") < 0)
    throw ConfigError("parameters.rate", "", "missing: the presynaptic rate (Hz); set it here or sweep it");

  sim::SummaryModel sm;
  sm.variables = s.variables;
  sm.spikes = synapse;
  sm.default_threshold["C"] = "C_Theta";
  s.summaries = sim::parse_summaries(root.member("summaries"), "summaries", sm);
  s.summary_info = json::array();
  for (const auto& q : s.summaries) {
    s.summary_names.push_back(q.name);
    json d = {{"name", q.name}, {"stat", sim::summary_stat_name(q.stat)}};
    if (!q.variable.empty()) d["variable"] = q.variable;
    if (q.has_threshold) d["threshold"] = q.threshold;
    if (!q.threshold_parameter.empty()) d["threshold"] = q.threshold_parameter;
    s.summary_info.push_back(d);
  }
  s.seed = static_cast<std::uint64_t>(s.base.seed);

  s.resolved = json::object();
  s.resolved["model"] = s.model;
  s.resolved["parameter_set"] = s.parameter_set;
  if (synapse) s.resolved["input"] = s.input;
  s.resolved["duration"] = s.duration;
  s.resolved["dt"] = s.dt;
  s.resolved["method"] = s.method_name;
  s.resolved["transient"] = s.transient;
  for (const auto& p : bio::tripartite_parameters(s.model)) {
    if (s.design.column(p.spec.name) >= 0) continue;
    const double v = p.ref(s.base);
    if (p.spec.integer) {
      s.resolved["parameters"][p.spec.name] = static_cast<std::int64_t>(v);
    } else {
      s.resolved["parameters"][p.spec.name] = v;
    }
  }
  s.resolved["design"] = root.member("design");
  s.resolved["summaries"] = root.member("summaries");
  read_traces(root, s);

  const std::int64_t chunk = root.integer("chunk", 256);
  if (chunk < 1) throw ConfigError("chunk", std::to_string(chunk), "must be >= 1 (variants per chunk)");
  s.chunk = chunk;
  s.device = root.string("device", "cpu");
  if (s.device != "cpu" && s.device != "cuda")
    throw ConfigError("device", "\"" + s.device + "\"", "expected \"cpu\" or \"cuda\"");
  s.output = root.string("output", "");
  root.finish();

  check_variants(s);
  s.definition = s.resolved;
  s.definition["device"] = s.device;
  // The preset's results differ from the retired tripartite runner's (other Poisson streams, spike timing): a
  // file that runner began is not resumed with them.
  s.definition["simulator"] = "network engine";
  s.resolved["device"] = s.device;
  s.resolved["chunk"] = s.chunk;
  if (!s.output.empty()) s.resolved["output"] = s.output;
  return s;
}

SweepSpec parse_sweep_config_text(const std::string& text, const std::string& what) {
  return parse_sweep_config(io::parse_json(text, what));
}

}  // namespace glia::sweep
