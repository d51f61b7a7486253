// The resolved form of a network config: what was given with every default filled in (every model
// parameter, method, initial value, connection option and sampling interval), in the form
// parse_network_config reads. Stored in result files and returned by glia.Network.resolved().
#include "engine/io/json_reader.hpp"
#include "engine/sim/step_config.hpp"
#include "engine/sim/summary_config.hpp"
#include "models/network/config_fields.hpp"
#include "models/network/config_parse.hpp"

namespace glia::network {

using nlohmann::json;

namespace {

const char* receptor_name(Receptor r) {
  switch (r) {
    case Receptor::g_e:
      return "g_e";
    case Receptor::g_i:
      return "g_i";
    case Receptor::i_syn:
      return "i_syn";
    case Receptor::ip3:
      return "ip3";
    case Receptor::rate_input:
      return "input";
    default:
      return "";
  }
}

json seconds(std::int64_t steps, double dt) { return static_cast<double>(steps) * dt; }

json init_json(const GroupConfig& g) {
  json init = json::object();
  for (const auto& var : detail::init_variables(g.model)) {
    const auto it = g.init.find(var);
    if (it == g.init.end()) {
      init[var] = default_initial_value(g, var);
      continue;
    }
    const InitValue& v = it->second;
    if (v.kind == InitValue::Kind::constant) init[var] = v.lo;
    if (v.kind == InitValue::Kind::array) init[var] = v.values;
    if (v.kind == InitValue::Kind::uniform) init[var] = {{"uniform", {v.lo, v.hi}}};
  }
  return init;
}

json windows_json(const Windows& w, double dt) {
  json out = json::object();
  json durations = json::array();
  for (std::int64_t s : w.steps) durations.push_back(seconds(s, dt));
  out["durations"] = durations;
  out["repeat"] = w.repeat;
  const auto entries = [](const std::vector<std::vector<double>>& list) {
    json a = json::array();
    for (const auto& e : list) a.push_back(e.empty() ? json(nullptr) : json(e));
    return a;
  };
  if (!w.drive.empty()) out["drive"] = entries(w.drive);
  if (!w.clamp.empty()) out["clamp"] = entries(w.clamp);
  return out;
}

json group_json(const NetworkConfig& c, const GroupConfig& g) {
  json j{{"name", g.name}, {"model", group_model_name(g.model)}, {"n", g.n}, {"dt", seconds(g.every, c.dt)}};
  if (g.has_positions) j["positions"] = g.positions_spec;
  switch (g.model) {
    case GroupModel::lif_coba:
    case GroupModel::lif_cuba:
      if (g.model == GroupModel::lif_coba) {
        j["method"] = g.lif_method == LifMethod::euler ? "euler" : "exponential_euler";
        j["params"] = fields::write_params(fields::coba(), g.coba);
      } else {
        j["params"] = fields::write_params(fields::cuba(), g.cuba);
      }
      if (!g.I_ext_factor.values.empty())
        j["I_ext_schedule"] = {{"dt", g.I_ext_factor.dt}, {"factors", g.I_ext_factor.values}};
      break;
    case GroupModel::poisson:
    case GroupModel::regular:
      j["rate"] = g.rate;
      j["start"] = g.start;
      if (!g.rate_schedule.values.empty())
        j["rate_schedule"] = {{"dt", g.rate_schedule.dt}, {"values", g.rate_schedule.values}};
      break;
    case GroupModel::gchi:
      j["method"] =
          g.stochastic ? (g.milstein ? "milstein" : "euler_maruyama") : sim::fixed_step_method_name(g.method);
      if (g.stochastic) j["sigma"] = g.sigma;
      j["params"] = fields::write_params(fields::gchi(), g.gchi);
      j["release"] = fields::write_params(fields::release(), g.release);
      if (!g.glutamate.empty()) j["glutamate"] = g.glutamate;
      j["glutamate_input"] = g.glutamate_decays ? "decaying" : "held";
      j["J_ex"] = g.J_ex;
      if (g.has_bias)
        j["ip3_bias"] = {{"I_bias", g.I_bias},        {"F_ex", g.bias.F_ex},     {"I_Theta", g.bias.I_Theta},
                         {"omega_I", g.bias.omega_I}, {"period", g.bias.period}, {"on", g.bias.on}};
      break;
    case GroupModel::li_rinzel:
      j["method"] = sim::fixed_step_method_name(g.method);
      j["params"] = fields::write_params(fields::li_rinzel(), g.li_rinzel);
      break;
    case GroupModel::rate:
      j["params"] = fields::write_params(fields::rate_neuron(), g.rate_neuron);
      j["nonlinearity"] = bio::rate_nonlinearity_name(g.rate_neuron.theta);
      j["method"] = rate_method_name(g.rate_method);
      if (!g.bias_drive.empty()) j["bias"] = g.bias_drive;
      if (!g.windows.empty()) j["windows"] = windows_json(g.windows, c.dt);
      break;
  }
  const json init = init_json(g);
  if (!init.empty()) j["init"] = init;
  return j;
}

json connect_json(const sim::ConnectSpec& s) {
  json j = json::object();
  switch (s.rule) {
    case sim::ConnectRule::all_to_all:
      j["rule"] = "all_to_all";
      break;
    case sim::ConnectRule::one_to_one:
      j["rule"] = "one_to_one";
      break;
    case sim::ConnectRule::fixed_probability:
      j["rule"] = "fixed_probability";
      j["p"] = s.p;
      break;
    case sim::ConnectRule::fixed_indegree:
      j["rule"] = "fixed_indegree";
      j["k"] = s.k;
      break;
    case sim::ConnectRule::explicit_pairs:
      j["rule"] = "explicit";
      j["pre"] = s.pre;
      j["post"] = s.post;
      break;
  }
  j["autapses"] = s.autapses;
  return j;
}

json hebbian_json(const NetworkConfig& c, const HebbianConfig& h, json& j) {
  j["params"] = fields::write_params(fields::hebbian(), h.params);
  j["init"] = {{"s", h.init_s}};
  json learning{{"from", h.learning_from}};
  if (h.learning_until_step >= 0) learning["until"] = h.learning_until;
  j["learning"] = learning;
  if (h.process == ProcessModel::two_timescale)
    j["process"] = {{"model", "two_timescale"},
                    {"params", fields::write_params(fields::process(), h.process_params)},
                    {"cutoff", h.process_cutoff}};
  if (h.process == ProcessModel::positional)
    j["process"] = {{"model", "positional"}, {"drive", c.groups[h.process_drive].name}};
  if (h.sigmoid_scale > 0.0) j["efficacy"] = {{"sigmoid_scale", h.sigmoid_scale}};
  if (h.calcium)
    j["presynaptic_calcium"] = {
        {"tau", h.calcium_tau}, {"alpha", h.calcium_alpha}, {"epsilon", h.calcium_epsilon}};
  return j;
}

json projection_json(const NetworkConfig& c, const ProjectionConfig& p) {
  json j{{"name", p.name}, {"source", c.groups[p.source].name}, {"model", synapse_model_name(p.model)}};
  if (p.has_target) j["target"] = c.groups[p.target].name;
  const char* receptor = receptor_name(p.receptor);
  if (*receptor) j["receptor"] = receptor;
  if (p.receptor != Receptor::none) j["weight"] = p.weight;
  if (!p.weights.empty()) j["weights"] = p.weights;
  j["connect"] = connect_json(p.connect);
  if (c.groups[p.source].is_spiking()) j["delay"] = p.delay;
  switch (p.model) {
    case SynapseModel::static_weight:
      break;
    case SynapseModel::tsodyks_markram:
      j["params"] = fields::write_params(fields::tsodyks_markram(), p.tm);
      j["init"] = {{"u", p.init_u}, {"x", p.init_x}};
      break;
    case SynapseModel::hebbian:
      hebbian_json(c, p.hebbian, j);
      break;
    case SynapseModel::calcium_stdp:
      j["params"] = fields::write_params(fields::calcium_stdp(), p.stdp);
      j["init"] = {{"rho", p.init_rho}, {"c", p.init_c}};
      break;
    case SynapseModel::sic:
      j["params"] = fields::write_params(fields::sic(), p.sic);
      break;
  }
  if (p.has_astrocytes) {
    const AstrocyteCover& a = p.astrocytes;
    json cov{{"group", c.groups[a.group].name},
             {"assign", a.nearest_to_target ? "nearest_to_target" : "index"},
             {"feedback", a.feedback == Feedback::closed ? "closed"
                          : a.feedback == Feedback::open ? "open"
                                                         : "none"},
             {"glutamate", fields::write_params(fields::glutamate(), a.glutamate)},
             {"gliotransmission", fields::write_params(fields::receptors(), a.receptors)}};
    if (!a.nearest_to_target) cov["index"] = a.index;
    j["astrocytes"] = cov;
  }
  return j;
}

json monitor_json(const NetworkConfig& c, const MonitorConfig& m) {
  static const char* types[] = {"spikes", "rate", "state", "mean", "summary"};
  json j{{"type", types[static_cast<int>(m.type)]}, {"target", m.target}, {"name", m.name}};
  if (m.type == MonitorType::summary) {
    if (!m.variables.empty()) j["variable"] = m.variables.front();
    j["stat"] = sim::summary_stat_name(m.stat);
    if (sim::summary_needs_threshold(m.stat)) j["threshold"] = m.threshold;
    if (m.index >= 0) j["index"] = m.index;
    j["start"] = seconds(m.window_start, c.dt);
    return j;
  }
  if (m.type == MonitorType::rate) j["bin"] = seconds(m.every, c.dt);
  if (m.type == MonitorType::state) {
    j["variables"] = m.variables;
    j["indices"] = m.indices;
  }
  if (m.type == MonitorType::mean) j["variable"] = m.variables.front();
  if (m.type == MonitorType::state || m.type == MonitorType::mean) {
    if (!m.at.empty()) {
      json times = json::array();
      for (std::int64_t k : m.at) times.push_back(seconds(k, c.dt));
      j["times"] = times;
    } else {
      j["dt"] = seconds(m.every, c.dt);
      j["start"] = seconds(m.start_step, c.dt);
    }
  }
  return j;
}

}  // namespace

double default_initial_value(const GroupConfig& g, const std::string& var) {
  if (var == "v") return g.model == GroupModel::lif_coba ? g.coba.E_l : g.cuba.E_l;
  if (g.is_gchi()) {
    if (var == "I" || var == "C") return 0.01;
    if (var == "h") return 0.9;
    if (var == "x_A") return 1.0;
    return 0.0;  // Gamma_A, G_A
  }
  if (g.is_li_rinzel()) {
    if (var == "C") return 0.073;  // Li & Rinzel (1994), as NEST's astrocyte_lr_1994
    if (var == "h") return 0.793;
    if (var == "IP3") return g.li_rinzel.IP3_0;
  }
  return 0.0;  // conductances, currents, rate activity
}

json resolved_network_config(const NetworkConfig& c) {
  json j;
  j["simulation"] = {{"duration", c.duration},
                     {"dt", c.dt},
                     {"seed", c.seed},
                     {"device", c.device == Device::cuda ? "cuda" : "cpu"}};
  j["groups"] = json::array();
  for (const auto& g : c.groups) j["groups"].push_back(group_json(c, g));
  j["projections"] = json::array();
  for (const auto& p : c.projections) j["projections"].push_back(projection_json(c, p));
  if (!c.couplings.empty()) {
    j["astrocyte_coupling"] = json::array();
    for (const auto& cc : c.couplings) {
      json k{{"group", c.groups[cc.group].name}};
      if (cc.row_ptr.empty()) {
        k["radius"] = cc.radius;
      } else {
        k["neighbours"] = {{"row_ptr", cc.row_ptr}, {"index", cc.neighbours}};
      }
      for (const auto& f : fields::coupling()) k[f.name] = cc.params.*(f.member);
      j["astrocyte_coupling"].push_back(k);
    }
  }
  j["monitors"] = json::array();
  for (const auto& m : c.monitors) j["monitors"].push_back(monitor_json(c, m));
  if (!c.output.empty()) j["output"] = c.output;
  return j;
}

}  // namespace glia::network
