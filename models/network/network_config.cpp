#include "models/network/network_config.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include "engine/io/json_reader.hpp"
#include "engine/sim/step_config.hpp"
#include "models/bio/parameter_tables.hpp"
#include "models/simulation/simulation_config.hpp"

namespace glia::network {

using io::JsonObjectReader;
using nlohmann::json;

namespace {

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }
std::string num(double v) { return io::number_text(v); }

std::vector<double> number_array(const json& a, const std::string& field) {
  if (!a.is_array()) throw ConfigError(field, io::json_text(a), "expected a list of numbers");
  std::vector<double> v;
  for (std::size_t k = 0; k < a.size(); ++k) v.push_back(io::as_number(a[k], io::element_field(field, k)));
  return v;
}

std::vector<std::int64_t> integer_array(const json& a, const std::string& field) {
  if (!a.is_array()) throw ConfigError(field, io::json_text(a), "expected a list of integers");
  std::vector<std::int64_t> v;
  for (std::size_t k = 0; k < a.size(); ++k) v.push_back(io::as_integer(a[k], io::element_field(field, k)));
  return v;
}

// A named double member of a parameter struct, with its unit and admissible range.
template <class P>
struct Field {
  const char* name;
  double P::*member;
  const char* unit;
  enum { positive, non_negative, any } range;
};

template <class P>
void read_params(const json& j, const std::string& path, const std::vector<Field<P>>& fields,
                 const std::string& model, P& p) {
  if (!j.is_object()) throw ConfigError(path, io::json_text(j), "expected an object of parameters");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const Field<P>* f = nullptr;
    for (const auto& c : fields)
      if (it.key() == c.name) f = &c;
    const std::string field = path + "." + it.key();
    if (!f) {
      std::string names;
      for (const auto& c : fields) names += std::string(names.empty() ? "" : ", ") + c.name;
      throw ConfigError(field, io::json_text(it.value()),
                        "unknown parameter of " + model + " (expected one of " + names + ")");
    }
    const double v = io::as_number(it.value(), field);
    if (f->range == Field<P>::positive) io::check_positive(field, v, f->unit);
    if (f->range == Field<P>::non_negative) io::check_non_negative(field, v, f->unit);
    p.*(f->member) = v;
  }
}

const std::vector<Field<bio::LifCobaParams>>& coba_fields() {
  using P = bio::LifCobaParams;
  static const std::vector<Field<P>> f{
      {"E_l", &P::E_l, "V", Field<P>::any},          {"g_l", &P::g_l, "S", Field<P>::positive},
      {"E_e", &P::E_e, "V", Field<P>::any},          {"E_i", &P::E_i, "V", Field<P>::any},
      {"C_m", &P::C_m, "F", Field<P>::positive},     {"tau_e", &P::tau_e, "s", Field<P>::positive},
      {"tau_i", &P::tau_i, "s", Field<P>::positive}, {"tau_ref", &P::tau_ref, "s", Field<P>::non_negative},
      {"V_th", &P::V_th, "V", Field<P>::any},        {"V_r", &P::V_r, "V", Field<P>::any},
      {"I_ext", &P::I_ext, "A", Field<P>::any}};
  return f;
}

const std::vector<Field<bio::LifCubaParams>>& cuba_fields() {
  using P = bio::LifCubaParams;
  static const std::vector<Field<P>> f{{"E_l", &P::E_l, "V", Field<P>::any},
                                       {"C_m", &P::C_m, "F", Field<P>::positive},
                                       {"tau_m", &P::tau_m, "s", Field<P>::positive},
                                       {"tau_syn", &P::tau_syn, "s", Field<P>::positive},
                                       {"tau_ref", &P::tau_ref, "s", Field<P>::non_negative},
                                       {"V_th", &P::V_th, "V", Field<P>::any},
                                       {"V_r", &P::V_r, "V", Field<P>::any},
                                       {"I_ext", &P::I_ext, "A", Field<P>::any}};
  return f;
}

const std::vector<Field<bio::GChIParams>>& gchi_fields() {
  // Rates and maximal fluxes may be 0 (a pathway switched off); affinities divide.
  static const std::vector<Field<bio::GChIParams>> f = [] {
    static const std::set<std::string> may_be_zero{"O_P",     "rho_A",    "Omega_C", "Omega_L",
                                                   "O_beta",  "O_N",      "Omega_N", "zeta",
                                                   "O_delta", "Omega_5P", "O_3K",    "O_2"};
    std::vector<Field<bio::GChIParams>> out;
    for (const auto& p : bio::gchi_fields())
      out.push_back({p.name, p.member, p.unit,
                     may_be_zero.count(p.name) ? Field<bio::GChIParams>::non_negative
                                               : Field<bio::GChIParams>::positive});
    return out;
  }();
  return f;
}

const std::vector<Field<bio::GliotransmitterReleaseParams>>& release_fields() {
  using P = bio::GliotransmitterReleaseParams;
  static const std::vector<Field<P>> f{{"Omega_A", &P::Omega_A, "1/s", Field<P>::non_negative},
                                       {"U_A", &P::U_A, "", Field<P>::non_negative},
                                       {"G_T", &P::G_T, "µM", Field<P>::non_negative},
                                       {"rho_e", &P::rho_e, "", Field<P>::non_negative},
                                       {"Omega_e", &P::Omega_e, "1/s", Field<P>::non_negative},
                                       {"C_Theta", &P::C_Theta, "µM", Field<P>::any}};
  return f;
}

const std::vector<Field<bio::TsodyksMarkramParams>>& tm_fields() {
  using P = bio::TsodyksMarkramParams;
  static const std::vector<Field<P>> f{{"U", &P::U, "", Field<P>::positive},
                                       {"tau_rec", &P::tau_rec, "s", Field<P>::positive},
                                       {"tau_fac", &P::tau_fac, "s", Field<P>::non_negative}};
  return f;
}

const std::vector<Field<bio::SynapticGlutamateParams>>& glutamate_fields() {
  using P = bio::SynapticGlutamateParams;
  static const std::vector<Field<P>> f{{"rho_c", &P::rho_c, "", Field<P>::non_negative},
                                       {"Y_T", &P::Y_T, "µM", Field<P>::non_negative},
                                       {"Omega_c", &P::Omega_c, "1/s", Field<P>::non_negative}};
  return f;
}

const std::vector<Field<bio::PresynapticGliotransmitterParams>>& receptor_fields() {
  using P = bio::PresynapticGliotransmitterParams;
  static const std::vector<Field<P>> f{{"alpha", &P::alpha, "", Field<P>::non_negative},
                                       {"O_G", &P::O_G, "1/(µM s)", Field<P>::non_negative},
                                       {"Omega_G", &P::Omega_G, "1/s", Field<P>::non_negative}};
  return f;
}

const std::vector<Field<bio::IP3CouplingParams>>& coupling_fields() {
  using P = bio::IP3CouplingParams;
  static const std::vector<Field<P>> f{{"F", &P::F, "µM/s", Field<P>::non_negative},
                                       {"I_Theta", &P::I_Theta, "µM", Field<P>::non_negative},
                                       {"omega_I", &P::omega_I, "µM", Field<P>::positive}};
  return f;
}

Schedule parse_schedule(const json& j, const std::string& path, const char* values_key, double sim_dt) {
  JsonObjectReader r(j, path);
  Schedule s;
  s.dt = io::check_positive(r.field("dt"), r.number("dt"), "s");
  sim::whole_steps(r.field("dt"), s.dt, sim_dt);
  s.values = number_array(r.member(values_key), r.field(values_key));
  if (s.values.empty()) throw ConfigError(r.field(values_key), "[]", "must not be empty");
  r.finish();
  return s;
}

std::vector<std::string> init_variables(GroupModel m) {
  switch (m) {
    case GroupModel::lif_coba:
      return {"v", "g_e", "g_i"};
    case GroupModel::lif_cuba:
      return {"v", "i_syn"};
    case GroupModel::gchi:
      return {"Gamma_A", "I", "C", "h", "x_A", "G_A"};
    default:
      return {};
  }
}

InitValue parse_init_value(const json& v, const std::string& field, std::uint32_t n) {
  InitValue iv;
  if (v.is_number()) {
    iv.lo = iv.hi = io::as_number(v, field);
  } else if (v.is_array()) {
    iv.kind = InitValue::Kind::array;
    iv.values = number_array(v, field);
    if (iv.values.size() != n)
      throw ConfigError(field, std::to_string(iv.values.size()) + " values",
                        "must have one value per element (" + std::to_string(n) + ")");
  } else if (v.is_object()) {
    JsonObjectReader r(v, field);
    const std::vector<double> range = number_array(r.member("uniform"), r.field("uniform"));
    if (range.size() != 2 || !(range[0] <= range[1]))
      throw ConfigError(r.field("uniform"), io::json_text(r.member("uniform")),
                        "expected [low, high] with low <= high");
    iv.kind = InitValue::Kind::uniform;
    iv.lo = range[0];
    iv.hi = range[1];
    r.finish();
  } else {
    throw ConfigError(field, io::json_text(v),
                      "expected a number, a list (one per element) or {\"uniform\": [lo, hi]}");
  }
  return iv;
}

sim::Positions parse_positions(const json& j, const std::string& path, std::uint32_t n) {
  JsonObjectReader r(j, path);
  sim::Positions p;
  if (r.has("grid")) {
    JsonObjectReader g(r.member("grid"), r.field("grid"));
    const std::int64_t rows = g.integer("rows");
    if (rows < 1) throw ConfigError(g.field("rows"), std::to_string(rows), "must be >= 1");
    const double spacing = io::check_positive(g.field("spacing"), g.number("spacing"), "m");
    std::vector<double> origin{0.0, 0.0};
    if (g.has("origin")) origin = number_array(g.member("origin"), g.field("origin"));
    if (origin.size() != 2)
      throw ConfigError(g.field("origin"), io::json_text(g.member("origin")), "expected [x0, y0]");
    g.finish();
    p = sim::grid_positions(n, static_cast<std::uint32_t>(std::min<std::int64_t>(rows, n)), spacing,
                            origin[0], origin[1]);
  } else {
    p.x = number_array(r.member("x"), r.field("x"));
    p.y = number_array(r.member("y"), r.field("y"));
    if (p.x.size() != n)
      throw ConfigError(r.field("x"), std::to_string(p.x.size()) + " values",
                        "must have one value per element (" + std::to_string(n) + ")");
    if (p.y.size() != n)
      throw ConfigError(r.field("y"), std::to_string(p.y.size()) + " values",
                        "must have one value per element (" + std::to_string(n) + ")");
  }
  r.finish();
  return p;
}

GroupConfig parse_group(const json& j, const std::string& path, const NetworkConfig& c, std::uint32_t index) {
  JsonObjectReader r(j, path);
  GroupConfig g;
  g.index = index;
  g.name = r.string("name");
  io::check_name(r.field("name"), g.name);
  const std::string model = r.string("model");
  if (model == "lif_coba") {
    g.model = GroupModel::lif_coba;
  } else if (model == "lif_cuba") {
    g.model = GroupModel::lif_cuba;
  } else if (model == "poisson") {
    g.model = GroupModel::poisson;
  } else if (model == "regular") {
    g.model = GroupModel::regular;
  } else if (model == "gchi") {
    g.model = GroupModel::gchi;
  } else {
    throw ConfigError(
        r.field("model"), in_quotes(model),
        "unknown group model (expected \"lif_coba\", \"lif_cuba\", \"poisson\", \"regular\" or \"gchi\")");
  }
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
    const std::string method = r.string("method", "exponential_euler");
    if (method == "euler") {
      g.lif_method = LifMethod::euler;
    } else if (method != "exponential_euler") {
      throw ConfigError(r.field("method"), in_quotes(method), "expected \"exponential_euler\" or \"euler\"");
    }
    if (g.model == GroupModel::lif_coba) {
      if (r.has("params")) read_params(r.member("params"), r.field("params"), coba_fields(), model, g.coba);
      if (!(g.coba.V_r < g.coba.V_th))
        throw ConfigError(r.field("params") + ".V_r", num(g.coba.V_r),
                          "must be below V_th = " + num(g.coba.V_th) + " V");
    } else {
      if (g.lif_method == LifMethod::euler)
        throw ConfigError(r.field("method"), "\"euler\"", "lif_cuba is integrated exactly; leave method out");
      if (r.has("params")) read_params(r.member("params"), r.field("params"), cuba_fields(), model, g.cuba);
      if (!(g.cuba.V_r < g.cuba.V_th))
        throw ConfigError(r.field("params") + ".V_r", num(g.cuba.V_r),
                          "must be below V_th = " + num(g.cuba.V_th) + " V");
    }
    if (r.has("I_ext_schedule"))
      g.I_ext_factor = parse_schedule(r.member("I_ext_schedule"), r.field("I_ext_schedule"), "factors", c.dt);
  } else if (g.is_source()) {
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
  } else {  // gchi
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
    if (r.has("params")) read_params(r.member("params"), r.field("params"), gchi_fields(), model, g.gchi);
    if (r.has("release"))
      read_params(r.member("release"), r.field("release"), release_fields(), "release", g.release);
    if (g.release.U_A > 1.0)
      throw ConfigError(r.field("release") + ".U_A", num(g.release.U_A), "must be in [0, 1]");
    if (r.has("ip3_bias")) {
      JsonObjectReader b(r.member("ip3_bias"), r.field("ip3_bias"));
      g.has_bias = true;
      const json& ib = b.member("I_bias");
      if (ib.is_array()) {
        g.I_bias = number_array(ib, b.field("I_bias"));
        if (g.I_bias.size() != g.n)
          throw ConfigError(b.field("I_bias"), std::to_string(g.I_bias.size()) + " values",
                            "must have one value per astrocyte (" + std::to_string(g.n) + ")");
      } else {
        g.I_bias.assign(g.n, io::as_number(ib, b.field("I_bias")));
      }
      for (std::size_t k = 0; k < g.I_bias.size(); ++k)
        io::check_non_negative(io::element_field(b.field("I_bias"), k), g.I_bias[k], "µM");
      g.bias.F_ex = io::check_non_negative(b.field("F_ex"), b.number("F_ex"), "µM/s");
      g.bias.I_Theta = io::check_non_negative(b.field("I_Theta"), b.number("I_Theta", g.bias.I_Theta), "µM");
      g.bias.omega_I = io::check_positive(b.field("omega_I"), b.number("omega_I", g.bias.omega_I), "µM");
      b.finish();
    }
  }
  if (r.has("init")) {
    const json& init = r.member("init");
    if (!init.is_object()) throw ConfigError(r.field("init"), io::json_text(init), "expected an object");
    const auto vars = init_variables(g.model);
    for (auto it = init.begin(); it != init.end(); ++it) {
      const std::string f = r.field("init") + "." + it.key();
      if (std::find(vars.begin(), vars.end(), it.key()) == vars.end()) {
        std::string names;
        for (const auto& v : vars) names += (names.empty() ? "" : ", ") + v;
        throw ConfigError(f, io::json_text(it.value()),
                          "not a state variable of " + model +
                              (names.empty() ? " (it has none)" : " (expected one of " + names + ")"));
      }
      g.init[it.key()] = parse_init_value(it.value(), f, g.n);
    }
  }
  if (r.has("positions")) {
    g.has_positions = true;
    g.positions = parse_positions(r.member("positions"), r.field("positions"), g.n);
  }
  r.finish();
  return g;
}

std::uint32_t group_named(const NetworkConfig& c, const std::string& field, const std::string& name) {
  const GroupConfig* g = c.find_group(name);
  if (!g) throw ConfigError(field, in_quotes(name), "no group of that name");
  return g->index;
}

ProjectionConfig parse_projection(const json& j, const std::string& path, const NetworkConfig& c,
                                  std::uint32_t index) {
  JsonObjectReader r(j, path);
  ProjectionConfig p;
  p.index = index;
  p.name = r.string("name");
  io::check_name(r.field("name"), p.name);
  p.source = group_named(c, r.field("source"), r.string("source"));
  const GroupConfig& src = c.groups[p.source];
  if (src.is_astrocyte())
    throw ConfigError(
        r.field("source"), in_quotes(src.name),
        "an astrocyte group cannot be the source of a projection (its releases act through \"astrocytes\")");
  if (r.has("target")) {
    p.has_target = true;
    p.target = group_named(c, r.field("target"), r.string("target"));
    const GroupConfig& tgt = c.groups[p.target];
    if (!tgt.is_neuron())
      throw ConfigError(r.field("target"), in_quotes(tgt.name),
                        "must be a neuron group (lif_coba or lif_cuba)");
    const std::string receptor = r.string("receptor");
    if (tgt.model == GroupModel::lif_coba && receptor == "g_e") {
      p.receptor = Receptor::g_e;
    } else if (tgt.model == GroupModel::lif_coba && receptor == "g_i") {
      p.receptor = Receptor::g_i;
    } else if (tgt.model == GroupModel::lif_cuba && receptor == "i_syn") {
      p.receptor = Receptor::i_syn;
    } else {
      throw ConfigError(r.field("receptor"), in_quotes(receptor),
                        tgt.model == GroupModel::lif_coba
                            ? "expected \"g_e\" or \"g_i\" for a lif_coba target"
                            : "expected \"i_syn\" for a lif_cuba target");
    }
    p.weight = r.number("weight");
    if (p.receptor != Receptor::i_syn) io::check_non_negative(r.field("weight"), p.weight, "S");
  }
  {
    JsonObjectReader k(r.member("connect"), r.field("connect"));
    const std::string rule = k.string("rule");
    if (rule == "all_to_all") {
      p.connect.rule = sim::ConnectRule::all_to_all;
    } else if (rule == "one_to_one") {
      p.connect.rule = sim::ConnectRule::one_to_one;
    } else if (rule == "fixed_probability") {
      p.connect.rule = sim::ConnectRule::fixed_probability;
      p.connect.p = io::check_in_range(k.field("p"), k.number("p"), 0.0, false, 1.0, "");
    } else if (rule == "fixed_indegree") {
      p.connect.rule = sim::ConnectRule::fixed_indegree;
      const std::int64_t kk = k.integer("k");
      if (kk < 0 || kk > std::numeric_limits<std::int32_t>::max())
        throw ConfigError(k.field("k"), std::to_string(kk), "must be >= 0");
      p.connect.k = static_cast<std::uint32_t>(kk);
    } else if (rule == "explicit") {
      p.connect.rule = sim::ConnectRule::explicit_pairs;
      p.connect.pre = integer_array(k.member("pre"), k.field("pre"));
      p.connect.post = integer_array(k.member("post"), k.field("post"));
    } else {
      throw ConfigError(k.field("rule"), in_quotes(rule),
                        "unknown connection rule (expected \"all_to_all\", \"one_to_one\", "
                        "\"fixed_probability\", \"fixed_indegree\" or \"explicit\")");
    }
    p.connect.autapses = k.boolean("autapses", true);
    if (!p.has_target && p.connect.rule != sim::ConnectRule::one_to_one)
      throw ConfigError(k.field("rule"), in_quotes(rule),
                        "a projection without a target connects one_to_one only");
    k.finish();
  }
  const std::string model = r.string("model", "static");
  if (model == "tsodyks_markram") {
    p.model = SynapseModel::tsodyks_markram;
    if (r.has("preset")) {
      const std::string preset = r.string("preset");
      if (!simulation::tm_preset(preset, p.tm))
        throw ConfigError(r.field("preset"), in_quotes(preset),
                          "unknown preset (expected \"depressing\", \"facilitating\" or \"stimberg\")");
    }
    if (r.has("params")) read_params(r.member("params"), r.field("params"), tm_fields(), model, p.tm);
    if (p.tm.U > 1.0) throw ConfigError(r.field("params") + ".U", num(p.tm.U), "must be in (0, 1]");
    if (r.has("init")) {
      JsonObjectReader in(r.member("init"), r.field("init"));
      p.init_u = io::check_in_range(in.field("u"), in.number("u", 0.0), 0.0, false, 1.0, "");
      p.init_x = io::check_in_range(in.field("x"), in.number("x", 1.0), 0.0, false, 1.0, "");
      in.finish();
    }
  } else if (model != "static") {
    throw ConfigError(r.field("model"), in_quotes(model),
                      "unknown synapse model (expected \"static\" or \"tsodyks_markram\")");
  }
  p.delay = io::check_non_negative(r.field("delay"), r.number("delay", 0.0), "s");
  if (p.delay > 0.0) p.delay_steps = sim::whole_steps(r.field("delay"), p.delay, c.dt);
  if (r.has("astrocytes")) {
    if (p.model != SynapseModel::tsodyks_markram)
      throw ConfigError(
          r.field("astrocytes"), "{...}",
          "tripartite synapses need model \"tsodyks_markram\" (glutamate is released in proportion to u x)");
    JsonObjectReader a(r.member("astrocytes"), r.field("astrocytes"));
    AstrocyteCover& cov = p.astrocytes;
    p.has_astrocytes = true;
    cov.group = group_named(c, a.field("group"), a.string("group"));
    const GroupConfig& ag = c.groups[cov.group];
    if (!ag.is_astrocyte())
      throw ConfigError(a.field("group"), in_quotes(ag.name), "must be an astrocyte group (gchi)");
    const std::string assign = a.string("assign", "nearest_to_target");
    if (assign == "nearest_to_target") {
      if (!p.has_target) throw ConfigError(a.field("assign"), in_quotes(assign), "needs a target group");
      if (!c.groups[p.target].has_positions)
        throw ConfigError(a.field("assign"), in_quotes(assign),
                          "the target group \"" + c.groups[p.target].name + "\" has no positions");
      if (!ag.has_positions)
        throw ConfigError(a.field("assign"), in_quotes(assign),
                          "the astrocyte group \"" + ag.name + "\" has no positions");
    } else if (assign == "index") {
      cov.nearest_to_target = false;
      cov.index = integer_array(a.member("index"), a.field("index"));
      for (std::size_t k = 0; k < cov.index.size(); ++k)
        if (cov.index[k] < -1 || cov.index[k] >= static_cast<std::int64_t>(ag.n))
          throw ConfigError(io::element_field(a.field("index"), k), std::to_string(cov.index[k]),
                            "out of range: expected -1 (none) or an astrocyte of \"" + ag.name +
                                "\" in [0, " + std::to_string(ag.n) + ")");
    } else {
      throw ConfigError(a.field("assign"), in_quotes(assign), "expected \"nearest_to_target\" or \"index\"");
    }
    const std::string fb = a.string("feedback", "closed");
    if (fb == "closed") {
      cov.feedback = Feedback::closed;
    } else if (fb == "open") {
      cov.feedback = Feedback::open;
    } else if (fb == "none") {
      cov.feedback = Feedback::none;
    } else {
      throw ConfigError(a.field("feedback"), in_quotes(fb), "expected \"closed\", \"open\" or \"none\"");
    }
    if (a.has("glutamate"))
      read_params(a.member("glutamate"), a.field("glutamate"), glutamate_fields(), "glutamate",
                  cov.glutamate);
    if (a.has("gliotransmission"))
      read_params(a.member("gliotransmission"), a.field("gliotransmission"), receptor_fields(),
                  "gliotransmission", cov.receptors);
    if (cov.receptors.alpha > 1.0)
      throw ConfigError(a.field("gliotransmission") + ".alpha", num(cov.receptors.alpha),
                        "must be in [0, 1]");
    cov.receptors.U_0_star = p.tm.U;
    a.finish();
  }
  r.finish();
  return p;
}

// Recordings are held in memory until written: refuse one that cannot fit.
void check_record_size(const std::string& field, double values) {
  const double bytes = values * sizeof(double);
  const double limit =
      0.5 * static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGESIZE));
  if (bytes > limit) {
    std::ostringstream s;
    s << "the recording would take " << bytes / (1 << 30)
      << " GiB, more than half of this machine's memory; record fewer indices or variables, or sample less "
         "often";
    throw ConfigError(field, "", s.str());
  }
}

MonitorConfig parse_monitor(const json& j, const std::string& path, const NetworkConfig& c) {
  JsonObjectReader r(j, path);
  MonitorConfig m;
  m.field = path;
  const std::string type = r.string("type");
  m.target = r.string("target");
  const GroupConfig* g = c.find_group(m.target);
  const ProjectionConfig* proj = nullptr;
  for (const auto& p : c.projections)
    if (p.name == m.target) proj = &p;
  if (!g && !proj)
    throw ConfigError(r.field("target"), in_quotes(m.target), "no group or projection of that name");
  m.on_projection = proj != nullptr;
  m.target_index = g ? g->index : proj->index;
  auto need_group = [&](const char* what) {
    if (!g)
      throw ConfigError(r.field("target"), in_quotes(m.target),
                        std::string("a ") + what + " monitor needs a group, not a projection");
  };
  const std::int64_t base_every = g ? g->every : 1;
  if (type == "spikes") {
    m.type = MonitorType::spikes;
    need_group("spikes");
  } else if (type == "rate") {
    m.type = MonitorType::rate;
    need_group("rate");
    if (g->is_astrocyte())
      throw ConfigError(r.field("target"), in_quotes(m.target),
                        "astrocytes have no firing rate; record their releases with a spikes monitor");
    m.every =
        sim::whole_steps(r.field("bin"), io::check_positive(r.field("bin"), r.number("bin"), "s"), c.dt);
  } else if (type == "state" || type == "mean") {
    m.type = type == "state" ? MonitorType::state : MonitorType::mean;
    if (g && g->is_source())
      throw ConfigError(r.field("target"), in_quotes(m.target), "spike sources have no state variables");
    const auto& allowed = g ? recordable_variables(g->model) : recordable_projection_variables();
    if (proj && proj->model == SynapseModel::static_weight)
      throw ConfigError(r.field("target"), in_quotes(m.target), "static synapses have no state variables");
    std::vector<std::string> names;
    if (type == "mean") {
      names.push_back(r.string("variable"));
    } else {
      const json& vars = r.array("variables");
      for (std::size_t v = 0; v < vars.size(); ++v) {
        if (!vars[v].is_string())
          throw ConfigError(io::element_field(r.field("variables"), v), io::json_text(vars[v]),
                            "expected a variable name");
        names.push_back(vars[v].get<std::string>());
      }
      if (names.empty()) throw ConfigError(r.field("variables"), "[]", "must not be empty");
    }
    for (std::size_t v = 0; v < names.size(); ++v) {
      const std::string f = type == "mean" ? r.field("variable") : io::element_field(r.field("variables"), v);
      if (std::find(allowed.begin(), allowed.end(), names[v]) == allowed.end()) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        throw ConfigError(f, in_quotes(names[v]),
                          "not a recordable variable of \"" + m.target + "\" (expected one of " + list + ")");
      }
      if (std::count(names.begin(), names.end(), names[v]) > 1)
        throw ConfigError(f, in_quotes(names[v]), "listed twice");
      if (proj && (names[v] == "Y_S" || names[v] == "Gamma_S") && !proj->has_astrocytes)
        throw ConfigError(
            f, in_quotes(names[v]),
            "the projection has no astrocytes, hence no glutamate or gliotransmitter receptors");
    }
    m.variables = names;
    if (r.has("dt")) {
      m.every = sim::whole_steps(r.field("dt"), io::check_positive(r.field("dt"), r.number("dt"), "s"), c.dt);
      if (m.every % base_every != 0)
        throw ConfigError(r.field("dt"), num(r.number("dt")),
                          "must be a whole multiple of the group's dt = " +
                              num(c.dt * static_cast<double>(base_every)) + " s");
    } else {
      m.every = base_every;
    }
    if (type == "state") {
      // Projection sizes are known only once connected: their indices are checked at build time.
      const std::int64_t n = g ? g->n : std::numeric_limits<std::int32_t>::max();
      if (!r.has("indices")) {
        if (proj)
          throw ConfigError(r.field("indices"), "",
                            "required for a projection (its synapses are numbered once connected)");
        for (std::uint32_t i = 0; i < g->n; ++i) m.indices.push_back(i);
      } else {
        const std::vector<std::int64_t> idx = integer_array(r.member("indices"), r.field("indices"));
        if (idx.empty()) throw ConfigError(r.field("indices"), "[]", "must not be empty");
        std::set<std::int64_t> seen;
        for (std::size_t k = 0; k < idx.size(); ++k) {
          const std::string f = io::element_field(r.field("indices"), k);
          if (idx[k] < 0 || idx[k] >= n)
            throw ConfigError(f, std::to_string(idx[k]), "out of range [0, " + std::to_string(n) + ")");
          if (!seen.insert(idx[k]).second) throw ConfigError(f, std::to_string(idx[k]), "listed twice");
          m.indices.push_back(static_cast<std::uint32_t>(idx[k]));
        }
      }
      const double samples = std::floor(static_cast<double>(c.n_steps) / static_cast<double>(m.every)) + 1.0;
      check_record_size(r.field("indices"),
                        samples * static_cast<double>(m.indices.size() * m.variables.size()));
    }
  } else {
    throw ConfigError(r.field("type"), in_quotes(type),
                      "unknown monitor type (expected \"spikes\", \"rate\", \"state\" or \"mean\")");
  }
  r.finish();
  return m;
}

}  // namespace

double Schedule::at(double t) const {
  if (values.empty()) return 1.0;
  const auto k = static_cast<std::int64_t>(std::floor(t / dt + 1e-9));
  return values[static_cast<std::size_t>(
      std::clamp<std::int64_t>(k, 0, static_cast<std::int64_t>(values.size()) - 1))];
}

const GroupConfig* NetworkConfig::find_group(const std::string& name) const {
  for (const auto& g : groups)
    if (g.name == name) return &g;
  return nullptr;
}

bool is_network_config(const json& config) { return config.is_object() && config.contains("projections"); }

const std::vector<std::string>& recordable_variables(GroupModel model) {
  static const std::vector<std::string> coba{"v", "g_e", "g_i"}, cuba{"v", "i_syn"}, none{},
      gchi{"Gamma_A", "I", "C", "h", "x_A", "G_A", "Y_S", "Gamma_S"};
  switch (model) {
    case GroupModel::lif_coba:
      return coba;
    case GroupModel::lif_cuba:
      return cuba;
    case GroupModel::gchi:
      return gchi;
    default:
      return none;
  }
}

const std::vector<std::string>& recordable_projection_variables() {
  static const std::vector<std::string> v{"u", "x", "Y_S", "Gamma_S"};
  return v;
}

NetworkConfig parse_network_config(const json& config) {
  JsonObjectReader root(config, "");
  NetworkConfig c;
  const simulation::SimulationClock clock = simulation::parse_simulation_clock(root.member("simulation"));
  c.duration = clock.duration;
  c.dt = clock.dt;
  c.n_steps = clock.n_steps;
  c.seed = clock.seed;
  c.device = clock.device;
  std::set<std::string> names;
  const json& groups = root.array("groups");
  if (groups.empty()) throw ConfigError("groups", "[]", "must not be empty");
  for (std::size_t k = 0; k < groups.size(); ++k) {
    c.groups.push_back(
        parse_group(groups[k], io::element_field("groups", k), c, static_cast<std::uint32_t>(k)));
    if (!names.insert(c.groups.back().name).second)
      throw ConfigError(io::element_field("groups", k) + ".name", in_quotes(c.groups.back().name),
                        "name used twice");
  }
  const json& projections = root.array("projections");
  for (std::size_t k = 0; k < projections.size(); ++k) {
    c.projections.push_back(parse_projection(projections[k], io::element_field("projections", k), c,
                                             static_cast<std::uint32_t>(k)));
    if (!names.insert(c.projections.back().name).second)
      throw ConfigError(io::element_field("projections", k) + ".name", in_quotes(c.projections.back().name),
                        "name used twice");
  }
  if (root.has("astrocyte_coupling")) {
    const json& cs = root.array("astrocyte_coupling");
    std::set<std::uint32_t> coupled;
    for (std::size_t k = 0; k < cs.size(); ++k) {
      JsonObjectReader r(cs[k], io::element_field("astrocyte_coupling", k));
      CouplingConfig cc;
      cc.group = group_named(c, r.field("group"), r.string("group"));
      const GroupConfig& g = c.groups[cc.group];
      if (!g.is_astrocyte())
        throw ConfigError(r.field("group"), in_quotes(g.name), "must be an astrocyte group (gchi)");
      if (!g.has_positions)
        throw ConfigError(r.field("group"), in_quotes(g.name), "has no positions to measure distances");
      if (!coupled.insert(cc.group).second)
        throw ConfigError(r.field("group"), in_quotes(g.name), "coupled twice");
      cc.radius = io::check_positive(r.field("radius"), r.number("radius"), "m");
      for (const auto& f : coupling_fields())
        if (r.has(f.name)) {
          cc.params.*(f.member) = r.number(f.name);
          if (f.range == Field<bio::IP3CouplingParams>::positive)
            io::check_positive(r.field(f.name), cc.params.*(f.member), f.unit);
          else
            io::check_non_negative(r.field(f.name), cc.params.*(f.member), f.unit);
        }
      r.finish();
      c.couplings.push_back(cc);
    }
  }
  if (root.has("monitors")) {
    const json& mons = root.array("monitors");
    std::set<std::string> seen;
    for (std::size_t k = 0; k < mons.size(); ++k) {
      c.monitors.push_back(parse_monitor(mons[k], io::element_field("monitors", k), c));
      const auto& m = c.monitors.back();
      const std::string key = std::to_string(static_cast<int>(m.type)) + "/" + m.target;
      if (!seen.insert(key).second)
        throw ConfigError(io::element_field("monitors", k) + ".target", in_quotes(m.target),
                          "a monitor of this type on it exists already");
    }
  }
  c.output = root.string("output", "");
  root.finish();
  c.resolved = config;
  c.resolved["simulation"]["seed"] = c.seed;
  return c;
}

}  // namespace glia::network
