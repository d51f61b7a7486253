#include "models/network/network_config.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <set>
#include <sstream>

#include "engine/core/memory.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/sim/step_config.hpp"
#include "engine/sim/summary_config.hpp"
#include "models/network/config_fields.hpp"
#include "models/network/config_parse.hpp"
#include "models/simulation/simulation_config.hpp"

namespace glia::network {

using io::JsonObjectReader;
using nlohmann::json;

namespace detail {

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }
std::string num(double v) { return io::number_text(v); }

std::vector<double> number_array(const json& a, const std::string& field) {
  if (!a.is_array()) throw ConfigError(field, io::json_text(a), "expected a list of numbers");
  std::vector<double> v;
  v.reserve(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) v.push_back(io::as_number(a[k], io::element_field(field, k)));
  return v;
}

std::vector<std::int64_t> integer_array(const json& a, const std::string& field) {
  if (!a.is_array()) throw ConfigError(field, io::json_text(a), "expected a list of integers");
  std::vector<std::int64_t> v;
  v.reserve(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) v.push_back(io::as_integer(a[k], io::element_field(field, k)));
  return v;
}

std::vector<double> per_element(const json& v, const std::string& field, std::uint32_t n) {
  if (!v.is_array()) return std::vector<double>(n, io::as_number(v, field));
  std::vector<double> out = number_array(v, field);
  if (out.size() != n)
    throw ConfigError(field, std::to_string(out.size()) + " values",
                      "must have one value per element (" + std::to_string(n) + ") or be a single number");
  return out;
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

std::uint32_t group_named(const NetworkConfig& c, const std::string& field, const std::string& name) {
  const GroupConfig* g = c.find_group(name);
  if (!g) throw ConfigError(field, in_quotes(name), "no group of that name");
  return g->index;
}

}  // namespace detail

namespace {

using detail::in_quotes;
using detail::num;

// Recordings are held in memory until written: refuse one that cannot fit.

void check_record_size(const std::string& field, double values) {
  const double bytes = values * sizeof(double);
  const double limit = 0.5 * memory_limit_bytes();
  if (bytes > limit) {
    std::ostringstream s;
    s << "the recording would take " << gib_text(bytes) << ", more than half of the " << gib_text(2 * limit)
      << " this process may use; record fewer indices or variables, or sample less often";
    throw ConfigError(field, "", s.str());
  }
}

// When a state or mean monitor samples: every `dt` from `start`, or at the given `times`.
void parse_sampling(JsonObjectReader& r, const NetworkConfig& c, std::int64_t base_every, MonitorConfig& m) {
  const auto on_clock = [&](const std::string& f, double t) {
    const std::int64_t k = t == 0.0 ? 0 : sim::whole_steps(f, t, c.dt);
    if (k > c.n_steps) throw ConfigError(f, num(t), "after the end of the run (" + num(c.duration) + " s)");
    if (k % base_every != 0)
      throw ConfigError(f, num(t),
                        "must be a whole multiple of the group's dt = " +
                            num(c.dt * static_cast<double>(base_every)) + " s");
    return k;
  };
  if (r.has("times")) {
    if (r.has("dt") || r.has("start"))
      throw ConfigError(r.field("times"), "[...]", "give either \"times\" or \"dt\"/\"start\", not both");
    const std::vector<double> times = detail::number_array(r.member("times"), r.field("times"));
    if (times.empty()) throw ConfigError(r.field("times"), "[]", "must not be empty");
    for (std::size_t k = 0; k < times.size(); ++k) {
      const std::string f = io::element_field(r.field("times"), k);
      m.at.push_back(on_clock(f, io::check_non_negative(f, times[k], "s")));
      if (k > 0 && m.at[k] <= m.at[k - 1]) throw ConfigError(f, num(times[k]), "times must increase");
    }
    return;
  }
  m.every = base_every;
  if (r.has("dt")) {
    m.every = sim::whole_steps(r.field("dt"), io::check_positive(r.field("dt"), r.number("dt"), "s"), c.dt);
    if (m.every % base_every != 0)
      throw ConfigError(r.field("dt"), num(r.number("dt")),
                        "must be a whole multiple of the group's dt = " +
                            num(c.dt * static_cast<double>(base_every)) + " s");
  }
  if (r.has("start"))
    m.start_step =
        on_clock(r.field("start"), io::check_non_negative(r.field("start"), r.number("start"), "s"));
}

std::int64_t sample_count(const MonitorConfig& m, const NetworkConfig& c) {
  if (!m.at.empty()) return static_cast<std::int64_t>(m.at.size());
  return (c.n_steps - m.start_step) / m.every + 1;
}

// The variable and threshold of a state summary (of a group or of one synapse): the variable one of
// `allowed`, the threshold given where the statistic needs one, else `default_threshold` (false: none).
void read_summary_variable(JsonObjectReader& r, const std::string& stat,
                           const std::vector<std::string>& allowed,
                           const std::function<bool(const std::string&, double&)>& default_threshold,
                           const std::string& no_default, MonitorConfig& m) {
  const std::string var = r.string("variable");
  if (std::find(allowed.begin(), allowed.end(), var) == allowed.end()) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    throw ConfigError(r.field("variable"), in_quotes(var),
                      "not a recordable variable of \"" + m.target + "\" (expected one of " + list + ")");
  }
  m.variables = {var};
  if (!r.has("name")) m.name = stat + "_" + m.target + "_" + var;
  if (r.has("threshold")) {
    if (!sim::summary_needs_threshold(m.stat))
      throw ConfigError(r.field("threshold"), num(r.number("threshold")),
                        "statistic \"" + stat + "\" takes no threshold");
    m.threshold = r.number("threshold");
  } else if (sim::summary_needs_threshold(m.stat) && !default_threshold(var, m.threshold)) {
    throw ConfigError(
        r.field("threshold"), "",
        "missing: statistic \"" + stat + "\" of \"" + var + "\" needs a threshold" + no_default);
  }
}

// A summary monitor (network_config.hpp): a statistic of a group variable, of one synapse's state, or a spike
// statistic of a Tsodyks–Markram projection's deliveries, reduced online. Its name defaults to
// "STAT_TARGET[_VARIABLE]" (a target may have several summaries).
void parse_summary_monitor(JsonObjectReader& r, const NetworkConfig& c, const GroupConfig* g,
                           const ProjectionConfig* proj, MonitorConfig& m) {
  m.type = MonitorType::summary;
  const std::string stat = r.string("stat");
  if (!sim::find_summary_stat(stat, m.stat))
    throw ConfigError(r.field("stat"), in_quotes(stat),
                      "unknown statistic (expected one of " + sim::summary_stat_list(false) +
                          " for a group, " + sim::summary_stat_list(true) +
                          " for a tsodyks_markram projection)");
  if (proj && proj->model != SynapseModel::tsodyks_markram)
    throw ConfigError(
        r.field("target"), in_quotes(m.target),
        "only tsodyks_markram projections are summarised (their releases or a synapse's state)");
  if (proj && !r.has("variable")) {
    if (!sim::summary_is_spike_stat(m.stat))
      throw ConfigError(r.field("stat"), in_quotes(stat),
                        "a projection's release summary is one of " + sim::summary_stat_list(true) +
                            " (a synapse's state: give \"variable\" and \"index\")");
    if (!r.has("name")) m.name = stat + "_" + m.target;
  } else if (proj) {  // a state variable of synapse `index`, sampled every base step
    if (sim::summary_is_spike_stat(m.stat))
      throw ConfigError(r.field("stat"), in_quotes(stat),
                        "a synapse's state summary is one of " + sim::summary_stat_list(false) +
                            " (release statistics take no \"variable\")");
    read_summary_variable(
        r, stat, recordable_projection_variables(proj->model),
        [](const std::string&, double&) { return false; }, "", m);
    m.index = r.integer("index");  // checked against the synapses when the network is built
    if (m.index < 0) throw ConfigError(r.field("index"), std::to_string(m.index), "must be >= 0");
  } else {
    if (g->is_source() || g->is_rate())
      throw ConfigError(r.field("target"), in_quotes(m.target),
                        g->is_source() ? "spike sources have no state variables"
                                       : "rate groups are not summarised online yet; record their state");
    if (sim::summary_is_spike_stat(m.stat))
      throw ConfigError(r.field("stat"), in_quotes(stat),
                        "a group's summary is one of " + sim::summary_stat_list(false) +
                            " (spike statistics summarise a tsodyks_markram projection)");
    // Only C of a gchi group has a default threshold: its C_Theta (so "events" counts releases).
    const auto c_theta = [g](const std::string& var, double& threshold) {
      if (!(g->is_gchi() && var == "C")) return false;
      threshold = g->release.C_Theta;
      return true;
    };
    read_summary_variable(r, stat, recordable_variables(g->model), c_theta,
                          " (only C of a gchi group defaults, to its C_Theta)", m);
    if (r.has("index")) {
      m.index = r.integer("index");
      if (m.index < 0 || m.index >= static_cast<std::int64_t>(g->n))
        throw ConfigError(r.field("index"), std::to_string(m.index),
                          "out of range [0, " + std::to_string(g->n) + ")");
    }
    m.every = g->every;
  }
  if (r.has("start")) {
    const double t = io::check_non_negative(r.field("start"), r.number("start"), "s");
    m.window_start = t == 0.0 ? 0 : sim::whole_steps(r.field("start"), t, c.dt);
    if (m.window_start > c.n_steps)
      throw ConfigError(r.field("start"), num(t), "after the end of the run (" + num(c.duration) + " s)");
  }
}

// A gchi group whose glutamate input decays inside its step decays the mean of its synapses' glutamate at one
// rate: every projection whose glutamate it reads must share Omega_c.
void check_glutamate_decay(const NetworkConfig& c) {
  for (const auto& g : c.groups) {
    if (!g.is_gchi() || !g.glutamate_decays) continue;
    const ProjectionConfig* first = nullptr;
    for (const auto& p : c.projections) {
      if (!p.has_astrocytes || p.astrocytes.group != g.index || p.astrocytes.feedback == Feedback::open)
        continue;
      if (first && p.astrocytes.glutamate.Omega_c != first->astrocytes.glutamate.Omega_c)
        throw ConfigError(io::element_field("projections", p.index) + ".astrocytes.glutamate.Omega_c",
                          num(p.astrocytes.glutamate.Omega_c),
                          "differs from projection \"" + first->name + "\"'s " +
                              num(first->astrocytes.glutamate.Omega_c) + " 1/s, while group \"" + g.name +
                              "\" they reach has glutamate_input \"decaying\" (one decay for the mean of its "
                              "synapses): give them one Omega_c or use \"held\"");
      if (!first) first = &p;
    }
  }
}

MonitorConfig parse_monitor(const json& j, const std::string& path, const NetworkConfig& c) {
  JsonObjectReader r(j, path);
  MonitorConfig m;
  m.field = path;
  const std::string type = r.string("type");
  m.target = r.string("target");
  m.name = r.string("name", m.target);
  io::check_name(r.field("name"), m.name);
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
  const std::int64_t base_every = g                            ? g->every
                                  : proj && proj->continuous() ? c.groups[proj->source].every
                                                               : 1;
  if (type == "spikes") {
    m.type = MonitorType::spikes;
    if (g && g->is_rate())
      throw ConfigError(r.field("target"), in_quotes(m.target),
                        "rate neurons do not spike; record their state x");
    if (g && g->is_li_rinzel())
      throw ConfigError(r.field("target"), in_quotes(m.target),
                        "li_rinzel astrocytes have no release events");
    if (proj && !c.groups[proj->source].is_spiking())
      throw ConfigError(r.field("target"), in_quotes(m.target),
                        "only spike-transmitting projections deliver spikes");
  } else if (type == "rate") {
    m.type = MonitorType::rate;
    need_group("rate");
    if (!g->is_spiking())
      throw ConfigError(r.field("target"), in_quotes(m.target),
                        g->is_gchi()
                            ? "astrocytes have no firing rate; record their releases with a spikes monitor"
                            : "the group does not spike; record its state instead");
    m.every =
        sim::whole_steps(r.field("bin"), io::check_positive(r.field("bin"), r.number("bin"), "s"), c.dt);
  } else if (type == "state" || type == "mean") {
    m.type = type == "state" ? MonitorType::state : MonitorType::mean;
    if (g && g->is_source())
      throw ConfigError(r.field("target"), in_quotes(m.target), "spike sources have no state variables");
    if (proj && proj->model == SynapseModel::static_weight)
      throw ConfigError(r.field("target"), in_quotes(m.target), "static synapses have no state variables");
    if (proj && proj->model == SynapseModel::sic)
      throw ConfigError(r.field("target"), in_quotes(m.target),
                        "sic synapses have no state; record I_sic of the target neurons");
    const auto& allowed = g ? recordable_variables(g->model) : recordable_projection_variables(proj->model);
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
      if (proj && proj->model == SynapseModel::hebbian) {
        const HebbianConfig& h = proj->hebbian;
        if ((names[v] == "p_s" || names[v] == "p_l") && h.process != ProcessModel::two_timescale)
          throw ConfigError(f, in_quotes(names[v]), "the projection has no two_timescale astrocyte process");
        if (names[v] == "p" && h.process != ProcessModel::positional)
          throw ConfigError(f, in_quotes(names[v]), "the projection has no positional astrocyte process");
        if (names[v] == "z" && !h.calcium)
          throw ConfigError(f, in_quotes(names[v]), "the projection has no presynaptic_calcium");
      }
    }
    m.variables = names;
    parse_sampling(r, c, base_every, m);
    if (type == "state") {
      // Projection sizes are known only once connected: their indices are checked at build time.
      const std::int64_t n = g ? g->n : std::numeric_limits<std::int32_t>::max();
      if (!r.has("indices")) {
        if (proj)
          throw ConfigError(r.field("indices"), "",
                            "required for a projection (its synapses are numbered once connected)");
        for (std::uint32_t i = 0; i < g->n; ++i) m.indices.push_back(i);
      } else {
        const std::vector<std::int64_t> idx = detail::integer_array(r.member("indices"), r.field("indices"));
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
      check_record_size(r.field("indices"), static_cast<double>(sample_count(m, c)) *
                                                static_cast<double>(m.indices.size() * m.variables.size()));
    }
  } else if (type == "summary") {
    parse_summary_monitor(r, c, g, proj, m);
  } else {
    throw ConfigError(r.field("type"), in_quotes(type),
                      "unknown monitor type (expected \"spikes\", \"rate\", \"state\", \"mean\" or "
                      "\"summary\")");
  }
  r.finish();
  return m;
}

CouplingConfig parse_coupling(const json& j, const std::string& path, const NetworkConfig& c) {
  JsonObjectReader r(j, path);
  CouplingConfig cc;
  cc.group = detail::group_named(c, r.field("group"), r.string("group"));
  const GroupConfig& g = c.groups[cc.group];
  if (!g.is_gchi())
    throw ConfigError(r.field("group"), in_quotes(g.name), "must be an astrocyte group (gchi)");
  if (r.has("neighbours")) {
    if (r.has("radius"))
      throw ConfigError(r.field("radius"), num(r.number("radius")),
                        "give either radius or neighbours, not both");
    JsonObjectReader nb(r.member("neighbours"), r.field("neighbours"));
    cc.row_ptr = detail::integer_array(nb.member("row_ptr"), nb.field("row_ptr"));
    const std::vector<std::int64_t> idx = detail::integer_array(nb.member("index"), nb.field("index"));
    nb.finish();
    if (cc.row_ptr.size() != static_cast<std::size_t>(g.n) + 1 || cc.row_ptr.front() != 0 ||
        cc.row_ptr.back() != static_cast<std::int64_t>(idx.size()))
      throw ConfigError(nb.field("row_ptr"), std::to_string(cc.row_ptr.size()) + " entries",
                        "expected n + 1 = " + std::to_string(g.n + 1) +
                            " offsets from 0 to len(index) = " + std::to_string(idx.size()));
    for (std::size_t k = 1; k < cc.row_ptr.size(); ++k)
      if (cc.row_ptr[k] < cc.row_ptr[k - 1])
        throw ConfigError(io::element_field(nb.field("row_ptr"), k), std::to_string(cc.row_ptr[k]),
                          "offsets must not decrease");
    for (std::size_t k = 0; k < idx.size(); ++k) {
      if (idx[k] < 0 || idx[k] >= static_cast<std::int64_t>(g.n))
        throw ConfigError(io::element_field(nb.field("index"), k), std::to_string(idx[k]),
                          "out of range [0, " + std::to_string(g.n) + ")");
      cc.neighbours.push_back(static_cast<std::uint32_t>(idx[k]));
    }
  } else {
    if (!g.has_positions)
      throw ConfigError(r.field("group"), in_quotes(g.name),
                        "has no positions to measure distances (or give neighbours)");
    cc.radius = io::check_positive(r.field("radius"), r.number("radius"), "m");
  }
  for (const auto& f : fields::coupling())
    if (r.has(f.name)) {
      cc.params.*(f.member) = r.number(f.name);
      if (f.range == fields::Field<bio::IP3CouplingParams>::positive)
        io::check_positive(r.field(f.name), cc.params.*(f.member), f.unit);
      else
        io::check_non_negative(r.field(f.name), cc.params.*(f.member), f.unit);
    }
  r.finish();
  return cc;
}

// The memory a network will need, estimated from its config before anything is built: a request that
// cannot fit is refused naming the field that asks for most, instead of failing in the allocator.
void check_network_memory(const NetworkConfig& c) {
  struct Part {
    std::string field, value;
    double bytes;
  };
  std::vector<Part> parts;
  for (const auto& g : c.groups) {
    // State, scratch and flags per element: LIF ~8 doubles, G-ChI ~14, Li–Rinzel ~6, rate ~10 (six state
    // copies).
    const double per = g.is_neuron()      ? 72.0
                       : g.is_gchi()      ? 120.0
                       : g.is_li_rinzel() ? 56.0
                       : g.is_rate()      ? 88.0
                                          : 8.0;
    parts.push_back({io::element_field("groups", g.index) + ".n", std::to_string(g.n), per * g.n});
  }
  for (const auto& p : c.projections) {
    const double n_pre = c.groups[p.source].n, n_post = p.has_target ? c.groups[p.target].n : n_pre;
    double n_syn = 0.0;
    switch (p.connect.rule) {
      case sim::ConnectRule::all_to_all:
        n_syn = n_pre * n_post;
        break;
      case sim::ConnectRule::one_to_one:
        n_syn = std::min(n_pre, n_post);
        break;
      case sim::ConnectRule::fixed_probability:
        n_syn = p.connect.p * n_pre * n_post;
        break;
      case sim::ConnectRule::fixed_indegree:
        n_syn = static_cast<double>(p.connect.k) * n_post;
        break;
      case sim::ConnectRule::explicit_pairs:
        n_syn = static_cast<double>(p.connect.pre.size());
        break;
    }
    // Building: the pair list and its sort (~24 B); kept: indices, per-model state, monitors' maps (~40 B),
    // and for continuous projections every state copy of the stepper (~8 doubles per plastic variable).
    double per = 64.0;
    if (p.continuous()) per += p.model == SynapseModel::hebbian ? 8.0 * 8 * 4 : 16.0;
    const std::string f = io::element_field("projections", p.index);
    parts.push_back({f + ".connect", p.connect.rule == sim::ConnectRule::explicit_pairs ? "[...]" : "{...}",
                     per * n_syn});
    if (p.model == SynapseModel::hebbian && p.hebbian.process == ProcessModel::two_timescale &&
        p.hebbian.process_cutoff == 0.0)
      parts.push_back({f + ".process.cutoff", "0", 12.0 * n_syn * n_syn});
    // A queue of spikes per step of delay.
    parts.push_back(
        {f + ".delay", num(p.delay), 32.0 * static_cast<double>(p.delay_steps + p.stdp_delay_steps)});
  }
  double total = 0.0;
  const Part* largest = &parts.front();
  for (const auto& part : parts) {
    total += part.bytes;
    if (part.bytes > largest->bytes) largest = &part;
  }
  const double limit = memory_limit_bytes();
  if (total > limit) {
    std::ostringstream s;
    s << "the network would need about " << gib_text(total);
    if (largest->bytes < 0.99 * total) s << " (" << gib_text(largest->bytes) << " for this)";
    s << ", more than the " << gib_text(limit) << " this process may use";
    throw ConfigError(largest->field, largest->value, s.str());
  }
}

// Rate groups are stepped as one coupled system: one clock and one method for all of them.
void check_rate_groups(const NetworkConfig& c) {
  const GroupConfig* first = nullptr;
  for (const auto& g : c.groups) {
    if (!g.is_rate()) continue;
    if (!first) {
      first = &g;
      continue;
    }
    const std::string f = io::element_field("groups", g.index);
    if (g.every != first->every)
      throw ConfigError(f + ".dt", num(static_cast<double>(g.every) * c.dt),
                        "rate groups are stepped as one system: use the dt of \"" + first->name + "\" (" +
                            num(static_cast<double>(first->every) * c.dt) + " s)");
    if (g.rate_method != first->rate_method)
      throw ConfigError(f + ".method", "",
                        "rate groups are stepped as one system: use the method of \"" + first->name + "\"");
  }
}

}  // namespace

std::int64_t monitor_samples(const MonitorConfig& m, const NetworkConfig& c) { return sample_count(m, c); }

double Schedule::at(double t) const {
  if (values.empty()) return 1.0;
  const auto k = static_cast<std::int64_t>(std::floor(t / dt + 1e-9));
  return values[static_cast<std::size_t>(
      std::clamp<std::int64_t>(k, 0, static_cast<std::int64_t>(values.size()) - 1))];
}

std::int64_t Windows::at(std::int64_t k) const {
  if (steps.empty()) return -1;
  if (repeat) k %= period;
  if (k >= period) return -1;
  const auto it = std::upper_bound(starts.begin(), starts.end(), k);
  return static_cast<std::int64_t>(it - starts.begin()) - 1;
}

bool MonitorConfig::due(std::int64_t k) const {
  if (!at.empty()) return std::binary_search(at.begin(), at.end(), k);
  return k >= start_step && (k - start_step) % every == 0;
}

const GroupConfig* NetworkConfig::find_group(const std::string& name) const {
  for (const auto& g : groups)
    if (g.name == name) return &g;
  return nullptr;
}

bool is_network_config(const json& config) { return config.is_object() && config.contains("projections"); }

const std::vector<std::string>& recordable_variables(GroupModel model) {
  static const std::vector<std::string> coba{"v", "g_e", "g_i", "I_sic"}, cuba{"v", "i_syn", "I_sic"}, none{},
      gchi{"Gamma_A", "I", "C", "h", "x_A", "G_A", "Y_S", "Gamma_S"}, li_rinzel{"C", "h", "IP3"}, rate{"x"};
  switch (model) {
    case GroupModel::lif_coba:
      return coba;
    case GroupModel::lif_cuba:
      return cuba;
    case GroupModel::gchi:
      return gchi;
    case GroupModel::li_rinzel:
      return li_rinzel;
    case GroupModel::rate:
      return rate;
    default:
      return none;
  }
}

const std::vector<std::string>& recordable_projection_variables(SynapseModel model) {
  static const std::vector<std::string> tm{"u", "x", "Y_S", "Gamma_S", "U_0"},
      hebbian{"s", "w", "p_s", "p_l", "p", "z"}, stdp{"rho", "c"}, none{};
  switch (model) {
    case SynapseModel::tsodyks_markram:
      return tm;
    case SynapseModel::hebbian:
      return hebbian;
    case SynapseModel::calcium_stdp:
      return stdp;
    default:
      return none;
  }
}

RateMethod rate_method(const std::string& field, const std::string& name) {
  if (name == "exact") return RateMethod::exact;
  if (name == "euler") return RateMethod::euler;
  if (name == "rk2") return RateMethod::rk2;
  if (name == "rk4") return RateMethod::rk4;
  throw ConfigError(field, in_quotes(name), "expected \"exact\", \"euler\", \"rk2\" or \"rk4\"");
}

const char* rate_method_name(RateMethod m) {
  switch (m) {
    case RateMethod::exact:
      return "exact";
    case RateMethod::euler:
      return "euler";
    case RateMethod::rk2:
      return "rk2";
    case RateMethod::rk4:
      return "rk4";
  }
  return "rk4";
}

const char* group_model_name(GroupModel m) {
  switch (m) {
    case GroupModel::lif_coba:
      return "lif_coba";
    case GroupModel::lif_cuba:
      return "lif_cuba";
    case GroupModel::poisson:
      return "poisson";
    case GroupModel::regular:
      return "regular";
    case GroupModel::gchi:
      return "gchi";
    case GroupModel::li_rinzel:
      return "li_rinzel";
    case GroupModel::rate:
      return "rate";
  }
  return "";
}

const char* synapse_model_name(SynapseModel m) {
  switch (m) {
    case SynapseModel::static_weight:
      return "static";
    case SynapseModel::tsodyks_markram:
      return "tsodyks_markram";
    case SynapseModel::hebbian:
      return "hebbian";
    case SynapseModel::calcium_stdp:
      return "calcium_stdp";
    case SynapseModel::sic:
      return "sic";
  }
  return "";
}

NetworkConfig parse_network_config(const json& config, bool resolve) {
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
  c.groups.reserve(groups.size());
  for (std::size_t k = 0; k < groups.size(); ++k) {
    c.groups.push_back(
        detail::parse_group(groups[k], io::element_field("groups", k), c, static_cast<std::uint32_t>(k)));
    if (c.groups.back().has_positions) c.groups.back().positions_spec = groups[k]["positions"];
    if (!names.insert(c.groups.back().name).second)
      throw ConfigError(io::element_field("groups", k) + ".name", in_quotes(c.groups.back().name),
                        "name used twice");
  }
  check_rate_groups(c);
  const json& projections = root.array("projections");
  for (std::size_t k = 0; k < projections.size(); ++k) {
    c.projections.push_back(detail::parse_projection(projections[k], io::element_field("projections", k), c,
                                                     static_cast<std::uint32_t>(k)));
    if (!names.insert(c.projections.back().name).second)
      throw ConfigError(io::element_field("projections", k) + ".name", in_quotes(c.projections.back().name),
                        "name used twice");
  }
  check_glutamate_decay(c);
  if (root.has("astrocyte_coupling")) {
    const json& cs = root.array("astrocyte_coupling");
    std::set<std::uint32_t> coupled;
    for (std::size_t k = 0; k < cs.size(); ++k) {
      c.couplings.push_back(parse_coupling(cs[k], io::element_field("astrocyte_coupling", k), c));
      if (!coupled.insert(c.couplings.back().group).second)
        throw ConfigError(io::element_field("astrocyte_coupling", k) + ".group",
                          in_quotes(c.groups[c.couplings.back().group].name), "coupled twice");
    }
  }
  if (root.has("monitors")) {
    const json& mons = root.array("monitors");
    std::set<std::string> seen;
    for (std::size_t k = 0; k < mons.size(); ++k) {
      c.monitors.push_back(parse_monitor(mons[k], io::element_field("monitors", k), c));
      const auto& m = c.monitors.back();
      const std::string key = std::to_string(static_cast<int>(m.type)) + "/" + m.name;
      if (!seen.insert(key).second)
        throw ConfigError(io::element_field("monitors", k) + (m.name == m.target ? ".target" : ".name"),
                          in_quotes(m.name),
                          "a monitor of this type with this name exists already (give it another \"name\")");
    }
  }
  c.output = root.string("output", "");
  root.finish();
  check_network_memory(c);
  if (resolve) c.resolved = resolved_network_config(c);
  return c;
}

}  // namespace glia::network
