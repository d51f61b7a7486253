// Parsing of one entry of "groups" (docs/network_config.md, "groups").
#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/io/json_reader.hpp"
#include "engine/sim/step_config.hpp"
#include "models/network/config_fields.hpp"
#include "models/network/config_parse.hpp"

namespace glia::network::detail {

using io::JsonObjectReader;
using nlohmann::json;

namespace {

void parse_lif(JsonObjectReader& r, const std::string& model, const NetworkConfig& c, GroupConfig& g) {
  const std::string method = r.string("method", "exponential_euler");
  if (method == "euler") {
    g.lif_method = LifMethod::euler;
  } else if (method != "exponential_euler") {
    throw ConfigError(r.field("method"), in_quotes(method), "expected \"exponential_euler\" or \"euler\"");
  }
  if (g.model == GroupModel::lif_coba) {
    if (r.has("params"))
      fields::read_params(r.member("params"), r.field("params"), fields::coba(), model, g.coba);
    if (!(g.coba.V_r < g.coba.V_th))
      throw ConfigError(r.field("params") + ".V_r", num(g.coba.V_r),
                        "must be below V_th = " + num(g.coba.V_th) + " V");
  } else {
    if (g.lif_method == LifMethod::euler)
      throw ConfigError(r.field("method"), "\"euler\"", "lif_cuba is integrated exactly; leave method out");
    if (r.has("params"))
      fields::read_params(r.member("params"), r.field("params"), fields::cuba(), model, g.cuba);
    if (!(g.cuba.V_r < g.cuba.V_th))
      throw ConfigError(r.field("params") + ".V_r", num(g.cuba.V_r),
                        "must be below V_th = " + num(g.cuba.V_th) + " V");
  }
  if (r.has("I_ext_schedule"))
    g.I_ext_factor = parse_schedule(r.member("I_ext_schedule"), r.field("I_ext_schedule"), "factors", c.dt);
}

void parse_source(JsonObjectReader& r, const NetworkConfig& c, GroupConfig& g) {
  g.rate = io::check_non_negative(r.field("rate"), r.number("rate", 0.0), "Hz");
  g.start = io::check_non_negative(r.field("start"), r.number("start", 0.0), "s");
  if (r.has("rate_schedule")) {
    if (g.model != GroupModel::poisson)
      throw ConfigError(r.field("rate_schedule"), "{...}", "only a poisson group takes a rate schedule");
    g.rate_schedule = parse_schedule(r.member("rate_schedule"), r.field("rate_schedule"), "values", c.dt);
    for (std::size_t k = 0; k < g.rate_schedule.values.size(); ++k)
      io::check_non_negative(io::element_field(r.field("rate_schedule") + ".values", k),
                             g.rate_schedule.values[k], "Hz");
  } else if (!r.has("rate")) {
    throw ConfigError(r.field("rate"), "", "required (or a rate_schedule)");
  }
  const double dt = c.dt * static_cast<double>(g.every);
  double max_rate = g.rate;
  for (double v : g.rate_schedule.values) max_rate = std::max(max_rate, v);
  if (g.model == GroupModel::poisson && max_rate * dt > 1.0)
    throw ConfigError(r.field("rate"), num(max_rate),
                      "rate * dt exceeds 1: a step cannot hold that many spikes");
  if (g.model == GroupModel::regular) {
    io::check_positive(r.field("rate"), g.rate, "Hz");
    if (g.rate * dt > 0.5)
      throw ConfigError(r.field("rate"), num(g.rate), "period 1/rate is shorter than 2 * dt");
  }
}

void parse_gchi(JsonObjectReader& r, const std::string& model, GroupConfig& g) {
  const std::string method = r.string("method", "rk4");
  if (method == "euler_maruyama" || method == "milstein") {
    g.stochastic = true;
    g.milstein = method == "milstein";
    g.sigma = io::check_positive(r.field("sigma"), r.number("sigma"), "1/sqrt(s)");
  } else {
    g.method = sim::fixed_step_method(r.field("method"), method);
    if (r.has("sigma"))
      throw ConfigError(r.field("sigma"), num(r.number("sigma")),
                        "only used by methods \"euler_maruyama\" and \"milstein\"");
  }
  if (r.has("params"))
    fields::read_params(r.member("params"), r.field("params"), fields::gchi(), model, g.gchi);
  if (r.has("release"))
    fields::read_params(r.member("release"), r.field("release"), fields::release(), "release", g.release);
  if (g.release.U_A > 1.0)
    throw ConfigError(r.field("release") + ".U_A", num(g.release.U_A), "must be in [0, 1]");
  if (r.has("glutamate")) {
    g.glutamate = per_element(r.member("glutamate"), r.field("glutamate"), g.n);
    for (std::size_t k = 0; k < g.glutamate.size(); ++k)
      io::check_non_negative(io::element_field(r.field("glutamate"), k), g.glutamate[k], "µM");
  }
  const std::string input = r.string("glutamate_input", "held");
  if (input != "held" && input != "decaying")
    throw ConfigError(r.field("glutamate_input"), in_quotes(input), "expected \"held\" or \"decaying\"");
  g.glutamate_decays = input == "decaying";
  if (g.glutamate_decays && g.stochastic)
    throw ConfigError(r.field("glutamate_input"), in_quotes(input),
                      "the stochastic methods hold their input over a step: use \"held\"");
  g.J_ex = r.number("J_ex", 0.0);
  if (!std::isfinite(g.J_ex)) throw ConfigError(r.field("J_ex"), num(g.J_ex), "must be finite (µM/s)");
  if (r.has("ip3_bias")) {
    JsonObjectReader b(r.member("ip3_bias"), r.field("ip3_bias"));
    g.has_bias = true;
    g.I_bias = per_element(b.member("I_bias"), b.field("I_bias"), g.n);
    for (std::size_t k = 0; k < g.I_bias.size(); ++k)
      io::check_non_negative(io::element_field(b.field("I_bias"), k), g.I_bias[k], "µM");
    g.bias.F_ex = io::check_non_negative(b.field("F_ex"), b.number("F_ex"), "µM/s");
    g.bias.I_Theta = io::check_non_negative(b.field("I_Theta"), b.number("I_Theta", g.bias.I_Theta), "µM");
    g.bias.omega_I = io::check_positive(b.field("omega_I"), b.number("omega_I", g.bias.omega_I), "µM");
    g.bias.period = io::check_non_negative(b.field("period"), b.number("period", 0.0), "s");
    g.bias.on = io::check_non_negative(b.field("on"), b.number("on", 0.0), "s");
    if (g.bias.period > 0.0 && g.bias.on > g.bias.period)
      throw ConfigError(b.field("on"), num(g.bias.on),
                        "must not exceed period = " + num(g.bias.period) + " s");
    b.finish();
  }
}

void parse_li_rinzel(JsonObjectReader& r, const std::string& model, GroupConfig& g) {
  g.method = sim::fixed_step_method(r.field("method"), r.string("method", "rk4"));
  if (r.has("params"))
    fields::read_params(r.member("params"), r.field("params"), fields::li_rinzel(), model, g.li_rinzel);
}

void parse_rate(JsonObjectReader& r, const std::string& model, const NetworkConfig& c, GroupConfig& g) {
  if (r.has("params"))
    fields::read_params(r.member("params"), r.field("params"), fields::rate_neuron(), model, g.rate_neuron);
  g.rate_neuron.theta = bio::rate_nonlinearity(r.field("nonlinearity"), r.string("nonlinearity", "tanh"));
  g.rate_method = rate_method(r.field("method"), r.string("method", "rk4"));
  if (r.has("bias")) g.bias_drive = per_element(r.member("bias"), r.field("bias"), g.n);
  if (r.has("windows")) g.windows = parse_windows(r.member("windows"), r.field("windows"), c, g);
}

}  // namespace

std::vector<std::string> init_variables(GroupModel m) {
  switch (m) {
    case GroupModel::lif_coba:
      return {"v", "g_e", "g_i"};
    case GroupModel::lif_cuba:
      return {"v", "i_syn"};
    case GroupModel::gchi:
      return {"Gamma_A", "I", "C", "h", "x_A", "G_A"};
    case GroupModel::li_rinzel:
      return {"C", "h", "IP3"};
    case GroupModel::rate:
      return {"x"};
    default:
      return {};
  }
}

Windows parse_windows(const json& j, const std::string& path, const NetworkConfig& c, const GroupConfig& g) {
  JsonObjectReader r(j, path);
  Windows w;
  const bool has_dt = r.has("dt"), has_durations = r.has("durations");
  if (has_dt == has_durations)
    throw ConfigError(path, io::json_text(j),
                      "give either \"dt\" (equal windows) or \"durations\" (one per window)");
  const bool has_drive = r.has("drive"), has_clamp = r.has("clamp");
  if (!has_drive && !has_clamp) throw ConfigError(path, io::json_text(j), "give \"drive\" and/or \"clamp\"");
  const json* drive = has_drive ? &r.array("drive") : nullptr;
  const json* clamp = has_clamp ? &r.array("clamp") : nullptr;
  std::size_t n_windows = 0;
  if (has_durations) {
    const std::vector<double> d = number_array(r.member("durations"), r.field("durations"));
    if (d.empty()) throw ConfigError(r.field("durations"), "[]", "must not be empty");
    for (std::size_t k = 0; k < d.size(); ++k) {
      const std::string f = io::element_field(r.field("durations"), k);
      w.steps.push_back(sim::whole_steps(f, io::check_positive(f, d[k], "s"), c.dt));
    }
    n_windows = d.size();
  } else {
    const double dt = io::check_positive(r.field("dt"), r.number("dt"), "s");
    const std::int64_t steps = sim::whole_steps(r.field("dt"), dt, c.dt);
    n_windows = drive ? drive->size() : clamp->size();
    if (n_windows == 0) throw ConfigError(r.field(drive ? "drive" : "clamp"), "[]", "must not be empty");
    w.steps.assign(n_windows, steps);
  }
  for (std::size_t k = 0; k < n_windows; ++k)
    if (w.steps[k] % g.every != 0)
      throw ConfigError(
          has_durations ? io::element_field(r.field("durations"), k) : r.field("dt"),
          num(static_cast<double>(w.steps[k]) * c.dt),
          "must be a whole multiple of the group's dt = " + num(static_cast<double>(g.every) * c.dt) + " s");
  const auto entries = [&](const json* list, const char* key, bool nullable,
                           std::vector<std::vector<double>>& out) {
    if (!list) return;
    if (list->size() != n_windows)
      throw ConfigError(r.field(key), std::to_string(list->size()) + " entries",
                        "must have one entry per window (" + std::to_string(n_windows) + ")");
    for (std::size_t k = 0; k < n_windows; ++k) {
      const std::string f = io::element_field(r.field(key), k);
      if ((*list)[k].is_null()) {
        if (!nullable) throw ConfigError(f, "null", "expected a number or a list (one value per element)");
        out.emplace_back();
      } else {
        out.push_back(per_element((*list)[k], f, g.n));
      }
    }
  };
  entries(drive, "drive", true, w.drive);
  entries(clamp, "clamp", true, w.clamp);
  w.repeat = r.boolean("repeat", false);
  r.finish();
  std::int64_t start = 0;
  for (std::int64_t s : w.steps) {
    w.starts.push_back(start);
    start += s;
  }
  w.period = start;
  return w;
}

GroupConfig parse_group(const json& j, const std::string& path, const NetworkConfig& c, std::uint32_t index) {
  JsonObjectReader r(j, path);
  GroupConfig g;
  g.index = index;
  g.name = r.string("name");
  io::check_name(r.field("name"), g.name);
  const std::string model = r.string("model");
  static const std::vector<std::pair<const char*, GroupModel>> models{
      {"lif_coba", GroupModel::lif_coba}, {"lif_cuba", GroupModel::lif_cuba},
      {"poisson", GroupModel::poisson},   {"regular", GroupModel::regular},
      {"gchi", GroupModel::gchi},         {"li_rinzel", GroupModel::li_rinzel},
      {"rate", GroupModel::rate}};
  const auto it = std::find_if(models.begin(), models.end(), [&](const auto& m) { return model == m.first; });
  if (it == models.end())
    throw ConfigError(
        r.field("model"), in_quotes(model),
        "unknown group model (expected \"lif_coba\", \"lif_cuba\", \"poisson\", \"regular\", \"gchi\", "
        "\"li_rinzel\" or \"rate\")");
  g.model = it->second;
  const std::int64_t n = r.integer("n");
  if (n < 1 || n > std::numeric_limits<std::int32_t>::max())
    throw ConfigError(r.field("n"), std::to_string(n), "must be between 1 and 2^31 - 1");
  g.n = static_cast<std::uint32_t>(n);
  if (r.has("dt")) {
    const double dt = io::check_positive(r.field("dt"), r.number("dt"), "s");
    g.every = sim::whole_steps(r.field("dt"), dt, c.dt);
    if (c.n_steps % g.every != 0)
      throw ConfigError(r.field("dt"), num(dt),
                        "inconsistent clocks: simulation.duration = " + num(c.duration) +
                            " s is not a whole number of this group's steps");
  }

  if (g.is_neuron()) {
    parse_lif(r, model, c, g);
  } else if (g.is_source()) {
    parse_source(r, c, g);
  } else if (g.is_gchi()) {
    parse_gchi(r, model, g);
  } else if (g.is_li_rinzel()) {
    parse_li_rinzel(r, model, g);
  } else {
    parse_rate(r, model, c, g);
  }
  if (r.has("init")) {
    const json& init = r.member("init");
    if (!init.is_object()) throw ConfigError(r.field("init"), io::json_text(init), "expected an object");
    const auto vars = init_variables(g.model);
    for (auto v = init.begin(); v != init.end(); ++v) {
      const std::string f = r.field("init") + "." + v.key();
      if (std::find(vars.begin(), vars.end(), v.key()) == vars.end()) {
        std::string names;
        for (const auto& name : vars) names += (names.empty() ? "" : ", ") + name;
        throw ConfigError(f, io::json_text(v.value()),
                          "not a state variable of " + model +
                              (names.empty() ? " (it has none)" : " (expected one of " + names + ")"));
      }
      g.init[v.key()] = parse_init_value(v.value(), f, g.n);
    }
  }
  if (r.has("positions")) {
    g.has_positions = true;
    g.positions = parse_positions(r.member("positions"), r.field("positions"), g.n);
  }
  r.finish();
  return g;
}

}  // namespace glia::network::detail
