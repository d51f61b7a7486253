#include "models/mapping/ltp_network.hpp"

#include <cmath>

#include "engine/core/error.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/sim/step_config.hpp"
#include "models/network/network.hpp"

namespace glia::mapping {

namespace {

enum class Check { positive, non_negative, finite };

struct NamedParam {
  const char* name;
  double* value;
  Check check;
  const char* unit;
};

// The scalar parameters of a spec by the names front ends use ("params.<name>" in messages).
std::vector<NamedParam> named_params(NeuronAstrocyteSpec& s) {
  return {{"tau_n", &s.neuron.tau_n, Check::positive, "s"},
          {"lambda", &s.neuron.lambda, Check::non_negative, ""},
          {"tau_s", &s.synapse.tau_s, Check::positive, "s"},
          {"beta", &s.synapse.beta, Check::non_negative, ""},
          {"c", &s.synapse.c, Check::finite, ""},
          {"tau_ps", &s.process.tau_ps, Check::positive, "s"},
          {"tau_pl", &s.process.tau_pl, Check::positive, "s"},
          {"gamma_s", &s.process.gamma_s, Check::non_negative, ""},
          {"gamma_l", &s.process.gamma_l, Check::non_negative, ""},
          {"c_T", &s.process.c_T, Check::finite, ""},
          {"lambda_T", &s.process.lambda_T, Check::positive, "grid units"},
          {"psi_gain", &s.process.psi_gain, Check::finite, ""},
          {"kappa_gain", &s.process.kappa_gain, Check::finite, ""},
          {"w_gain", &s.w_gain, Check::finite, ""}};
}

double check_finite(const std::string& field, double v) {
  if (!std::isfinite(v)) throw ConfigError(field, io::number_text(v), "must be finite");
  return v;
}

void check_value(const std::string& field, double v, Check c, const char* unit) {
  check_finite(field, v);
  if (c == Check::positive) io::check_positive(field, v, unit);
  if (c == Check::non_negative) io::check_non_negative(field, v, unit);
}

void check_drives(const std::string& field, const std::vector<double>& b) {
  if (b.empty()) throw ConfigError(field, "0 values", "expected one drive per neuron (at least one neuron)");
  for (std::size_t k = 0; k < b.size(); ++k) check_finite(field + "[" + std::to_string(k) + "]", b[k]);
}

// Steps per on-phase and per off-phase (0 allowed for T_off).
void phase_steps(const NeuronAstrocyteSpec& s, std::int64_t& n_on, std::int64_t& n_off) {
  n_on = sim::whole_steps("T_on", s.T_on, s.dt);
  n_off = s.T_off == 0.0 ? 0 : sim::whole_steps("T_off", s.T_off, s.dt);
}

void check_spec(NeuronAstrocyteSpec s) {
  for (const auto& f : named_params(s))
    check_value(std::string("params.") + f.name, *f.value, f.check, f.unit);
  check_drives("b_pre", s.b_pre);
  check_drives("b_post", s.b_post);
  check_value("dt", s.dt, Check::positive, "s");
  check_value("T_on", s.T_on, Check::positive, "s");
  check_value("T_off", s.T_off, Check::non_negative, "s");
  std::int64_t n_on, n_off;
  phase_steps(s, n_on, n_off);
  if (s.n_cycles < 1) throw ConfigError("n_cycles", std::to_string(s.n_cycles), "must be >= 1");
  if (s.record_every < 1) throw ConfigError("record_every", std::to_string(s.record_every), "must be >= 1");
}

}  // namespace

NeuronAstrocyteSpec build_neuron_astrocyte_network(const NeuronAstrocyteArrays& a) {
  NeuronAstrocyteSpec s;
  auto fields = named_params(s);
  for (const auto& [name, value] : a.params) {
    NamedParam* f = nullptr;
    for (auto& candidate : fields)
      if (name == candidate.name) f = &candidate;
    if (!f) throw ConfigError("params." + name, io::number_text(value), "unknown parameter of the network");
    check_value("params." + name, value, f->check, f->unit);
    *f->value = value;
  }
  s.neuron.theta = bio::rate_nonlinearity("theta", a.theta);
  s.b_pre = a.b_pre;
  s.b_post = a.b_post;
  s.T_on = a.T_on;
  s.T_off = a.T_off;
  s.n_cycles = a.n_cycles;
  s.dt = check_finite("dt", a.dt);
  io::check_positive("dt", s.dt, "s");
  s.record_every =
      sim::whole_steps("record_dt", a.record_dt > 0 ? check_finite("record_dt", a.record_dt) : s.dt, s.dt);
  s.method = network::rate_method("method", a.method);
  check_spec(s);
  return s;
}

std::map<std::string, double> neuron_astrocyte_params(const NeuronAstrocyteSpec& spec) {
  NeuronAstrocyteSpec copy = spec;
  std::map<std::string, double> out;
  for (const auto& f : named_params(copy)) out[f.name] = *f.value;
  return out;
}

namespace {

// Synapse (post i, pre j) is list index j * n_post + i of an all-to-all projection: the indices
// that record the synapses in this runner's order i * n_pre + j.
std::vector<std::int64_t> synapses_post_major(std::int64_t n_pre, std::int64_t n_post) {
  std::vector<std::int64_t> idx;
  for (std::int64_t i = 0; i < n_post; ++i)
    for (std::int64_t j = 0; j < n_pre; ++j) idx.push_back(j * n_post + i);
  return idx;
}

}  // namespace

nlohmann::json neuron_astrocyte_network_config(const NeuronAstrocyteSpec& spec) {
  using nlohmann::json;
  check_spec(spec);
  std::int64_t n_on, n_off;
  phase_steps(spec, n_on, n_off);
  const double T_cycle = static_cast<double>(n_on + n_off) * spec.dt;
  const auto n_pre = static_cast<std::int64_t>(spec.b_pre.size());
  const auto n_post = static_cast<std::int64_t>(spec.b_post.size());
  // The correlated drive: b during the first T_on of every cycle, 0 for the rest.
  const auto group = [&](const char* name, const std::vector<double>& b) {
    json durations = n_off > 0 ? json{spec.T_on, spec.T_off} : json{spec.T_on};
    json drive = n_off > 0 ? json{b, 0.0} : json{b};
    return json{{"name", name},
                {"model", "rate"},
                {"n", b.size()},
                {"params", {{"tau_n", spec.neuron.tau_n}, {"lambda", spec.neuron.lambda}}},
                {"nonlinearity", bio::rate_nonlinearity_name(spec.neuron.theta)},
                {"method", network::rate_method_name(spec.method)},
                {"windows", {{"durations", durations}, {"repeat", true}, {"drive", drive}}}};
  };
  const bio::AstrocyteProcessParams& pr = spec.process;
  json synapses = synapses_post_major(n_pre, n_post);
  const double record_dt = static_cast<double>(spec.record_every) * spec.dt;
  return json{
      {"simulation",
       {{"duration", T_cycle * static_cast<double>(spec.n_cycles)}, {"dt", spec.dt}, {"seed", 0}}},
      {"groups", {group("pre", spec.b_pre), group("post", spec.b_post)}},
      {"projections",
       {{{"name", "syn"},
         {"model", "hebbian"},
         {"source", "pre"},
         {"target", "post"},
         {"connect", {{"rule", "all_to_all"}}},
         {"weight", spec.w_gain},
         {"params", {{"tau_s", spec.synapse.tau_s}, {"beta", spec.synapse.beta}, {"c", spec.synapse.c}}},
         {"process",
          {{"model", "two_timescale"},
           {"params",
            {{"tau_ps", pr.tau_ps},
             {"tau_pl", pr.tau_pl},
             {"gamma_s", pr.gamma_s},
             {"gamma_l", pr.gamma_l},
             {"c_T", pr.c_T},
             {"lambda_T", pr.lambda_T},
             {"psi_gain", pr.psi_gain},
             {"kappa_gain", pr.kappa_gain}}}}}}}},
      {"monitors",
       {{{"type", "state"}, {"target", "pre"}, {"variables", {"x"}}, {"dt", record_dt}},
        {{"type", "state"}, {"target", "post"}, {"variables", {"x"}}, {"dt", record_dt}},
        {{"type", "state"},
         {"target", "syn"},
         {"variables", {"s", "p_s", "p_l"}},
         {"indices", synapses},
         {"dt", record_dt}},
        {{"type", "state"},
         {"target", "syn"},
         {"name", "p_l_on_end"},
         {"variables", {"p_l"}},
         {"indices", synapses},
         {"start", spec.T_on},
         {"dt", T_cycle}},
        {{"type", "state"},
         {"target", "syn"},
         {"name", "p_l_cycle_end"},
         {"variables", {"p_l"}},
         {"indices", synapses},
         {"start", T_cycle},
         {"dt", T_cycle}}}}};
}

NeuronAstrocyteResult run_neuron_astrocyte_network(const NeuronAstrocyteSpec& spec,
                                                   const network::ProgressFn& progress) {
  const network::NetworkConfig config = network::parse_network_config(neuron_astrocyte_network_config(spec));
  const network::NetworkResult run = network::run_network(config, progress);
  if (!run.complete)
    throw ConfigError("dt", io::number_text(spec.dt),
                      "the simulation diverged (" + run.error + "); lower dt or use method \"exact\"");
  NeuronAstrocyteResult r;
  r.n_pre = static_cast<std::int64_t>(spec.b_pre.size());
  r.n_post = static_cast<std::int64_t>(spec.b_post.size());
  const network::StateTrace& syn = run.state.at("syn");
  r.t = syn.t;
  r.x_pre = run.state.at("pre").values.at("x");
  r.x_post = run.state.at("post").values.at("x");
  r.s = syn.values.at("s");
  r.p_s = syn.values.at("p_s");
  r.p_l = syn.values.at("p_l");
  r.p_l_on_end = run.state.at("p_l_on_end").values.at("p_l");
  const network::StateTrace& ends = run.state.at("p_l_cycle_end");
  r.cycle_end_t = ends.t;
  r.p_l_cycle_end = ends.values.at("p_l");
  return r;
}

}  // namespace glia::mapping
