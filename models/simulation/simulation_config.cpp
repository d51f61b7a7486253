#include "models/simulation/simulation_config.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "engine/core/memory.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/sim/step_config.hpp"

namespace glia::simulation {

using io::JsonObjectReader;
using nlohmann::json;

namespace {

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

SourceGroupConfig parse_group(const json& j, const std::string& path, const SimulationConfig& sim,
                              std::uint32_t stream) {
  JsonObjectReader r(j, path);
  SourceGroupConfig g;
  g.name = r.string("name");
  io::check_name(r.field("name"), g.name);
  g.model = r.string("model");
  const std::int64_t n = r.integer("n");
  if (n < 1 || n > std::numeric_limits<std::int32_t>::max())
    throw ConfigError(r.field("n"), std::to_string(n), "must be between 1 and 2^31 - 1");
  g.n = static_cast<std::uint32_t>(n);
  g.params.rate = io::check_non_negative(r.field("rate"), r.number("rate"), "Hz");
  g.params.start = io::check_non_negative(r.field("start"), r.number("start", 0.0), "s");
  g.params.seed = sim.seed;
  g.params.stream = stream;
  if (g.model == "poisson") {
    g.params.kind = sim::SourceKind::poisson;
    if (g.params.rate * sim.dt > 1.0)
      throw ConfigError(r.field("rate"), io::json_text(json(g.params.rate)),
                        "rate * dt exceeds 1: a step cannot hold that many spikes; lower the rate or dt");
  } else if (g.model == "regular") {
    g.params.kind = sim::SourceKind::regular;
    io::check_positive(r.field("rate"), g.params.rate, "Hz");
    if (g.params.rate * sim.dt > 0.5)
      throw ConfigError(r.field("rate"), io::json_text(json(g.params.rate)),
                        "period 1/rate is shorter than 2 * dt; lower the rate or dt");
  } else {
    throw ConfigError(r.field("model"), in_quotes(g.model),
                      "unknown source model (expected \"poisson\" or \"regular\")");
  }
  r.finish();
  return g;
}

SynapseGroupConfig parse_synapse(const json& j, const std::string& path, const SimulationConfig& sim) {
  JsonObjectReader r(j, path);
  SynapseGroupConfig s;
  s.name = r.string("name");
  io::check_name(r.field("name"), s.name);
  s.model = r.string("model");
  if (s.model != "tsodyks_markram")
    throw ConfigError(r.field("model"), in_quotes(s.model),
                      "unknown synapse model (expected \"tsodyks_markram\")");
  s.source = r.string("source");
  const SourceGroupConfig* src = sim.find_group(s.source);
  if (!src) throw ConfigError(r.field("source"), in_quotes(s.source), "no source group of that name");
  const std::string connect = r.string("connect", "one_to_one");
  if (connect != "one_to_one")
    throw ConfigError(r.field("connect"), in_quotes(connect),
                      "unknown connection rule (expected \"one_to_one\")");
  s.preset = r.string("preset", "");
  const bool preset = !s.preset.empty();
  if (preset && !tm_preset(s.preset, s.tm))
    throw ConfigError(r.field("preset"), in_quotes(s.preset),
                      "unknown preset (expected \"depressing\", \"facilitating\" or \"stimberg\")");
  // Without a preset every parameter is required; with one, given values override it.
  s.tm.U = preset ? r.number("U", s.tm.U) : r.number("U");
  s.tm.tau_rec = preset ? r.number("tau_rec", s.tm.tau_rec) : r.number("tau_rec");
  s.tm.tau_fac = preset ? r.number("tau_fac", s.tm.tau_fac) : r.number("tau_fac");
  io::check_in_range(r.field("U"), s.tm.U, 0.0, true, 1.0, "");
  io::check_positive(r.field("tau_rec"), s.tm.tau_rec, "s");
  io::check_non_negative(r.field("tau_fac"), s.tm.tau_fac, "s");
  r.finish();
  return s;
}

// A state recording is held in memory until written: refuse one that cannot fit.
void check_record_size(const std::string& field, std::int64_t n_steps, const StateMonitorConfig& m) {
  const double samples = std::ceil(static_cast<double>(n_steps) / static_cast<double>(m.every));
  // u and x are both recorded by the runner and copied once into the result.
  const double bytes = samples * static_cast<double>(m.indices.size()) * 2.0 * 2.0 * sizeof(double);
  const double limit = 0.5 * memory_limit_bytes();
  if (bytes > limit) {
    std::ostringstream s;
    s << "the recording would take " << gib_text(bytes) << " (" << samples << " samples x "
      << m.indices.size() << " synapses), more than half of the " << gib_text(2 * limit)
      << " this process may use; record fewer indices or use a larger dt";
    throw ConfigError(field, std::to_string(m.indices.size()) + " indices", s.str());
  }
}

std::vector<std::uint32_t> parse_indices(JsonObjectReader& r, std::uint32_t n) {
  std::vector<std::uint32_t> out;
  if (!r.has("indices") || (r.member("indices").is_string() && r.member("indices") == "all")) {
    for (std::uint32_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  const json& a = r.array("indices");
  std::set<std::int64_t> seen;
  for (std::size_t k = 0; k < a.size(); ++k) {
    const std::string f = io::element_field(r.field("indices"), k);
    const std::int64_t i = io::as_integer(a[k], f);
    if (i < 0 || i >= n)
      throw ConfigError(f, std::to_string(i), "out of range [0, " + std::to_string(n) + ")");
    if (!seen.insert(i).second) throw ConfigError(f, std::to_string(i), "listed twice");
    out.push_back(static_cast<std::uint32_t>(i));
  }
  if (out.empty()) throw ConfigError(r.field("indices"), "[]", "must not be empty");
  return out;
}

}  // namespace

bool tm_preset(const std::string& name, bio::TsodyksMarkramParams& out) {
  if (name == "depressing") {  // Tsodyks et al. 1998
    out = {0.5, 0.8, 0.0};
  } else if (name == "facilitating") {  // Tsodyks et al. 1998
    out = {0.03, 0.13, 0.53};
  } else if (name == "stimberg") {  // Stimberg et al. 2019: U_0* 0.6, Omega_d 2/s, Omega_f 3.33/s
    out = {0.6, 1.0 / 2.0, 1.0 / 3.33};
  } else {
    return false;
  }
  return true;
}

const SourceGroupConfig* SimulationConfig::find_group(const std::string& name) const {
  for (const auto& g : groups)
    if (g.name == name) return &g;
  return nullptr;
}

const SynapseGroupConfig* SimulationConfig::find_synapse(const std::string& name) const {
  for (const auto& s : synapses)
    if (s.name == name) return &s;
  return nullptr;
}

SimulationClock parse_simulation_clock(const json& section) {
  JsonObjectReader r(section, "simulation");
  SimulationClock k;
  k.duration = io::check_positive(r.field("duration"), r.number("duration"), "s");
  k.dt = io::check_positive(r.field("dt"), r.number("dt"), "s");
  k.n_steps = sim::whole_steps(r.field("duration"), k.duration, k.dt);
  k.seed = r.unsigned_integer("seed", 0);
  const std::string device = r.string("device", "cpu");
  if (device == "cpu") {
    k.device = Device::cpu;
  } else if (device == "cuda") {
    k.device = Device::cuda;
  } else {
    throw ConfigError(r.field("device"), in_quotes(device), "unknown device (expected \"cpu\" or \"cuda\")");
  }
  r.finish();
  return k;
}

SimulationConfig parse_simulation_config(const json& config) {
  JsonObjectReader root(config, "");
  SimulationConfig c;
  const SimulationClock clock = parse_simulation_clock(root.member("simulation"));
  c.duration = clock.duration;
  c.dt = clock.dt;
  c.n_steps = clock.n_steps;
  c.seed = clock.seed;
  c.device = clock.device;
  std::set<std::string> names;
  const json& groups = root.array("groups");
  for (std::size_t k = 0; k < groups.size(); ++k) {
    c.groups.push_back(
        parse_group(groups[k], io::element_field("groups", k), c, static_cast<std::uint32_t>(k)));
    if (!names.insert(c.groups.back().name).second)
      throw ConfigError(io::element_field("groups", k) + ".name", in_quotes(c.groups.back().name),
                        "name used twice");
  }
  if (root.has("synapses")) {
    const json& syn = root.array("synapses");
    for (std::size_t k = 0; k < syn.size(); ++k) {
      c.synapses.push_back(parse_synapse(syn[k], io::element_field("synapses", k), c));
      if (!names.insert(c.synapses.back().name).second)
        throw ConfigError(io::element_field("synapses", k) + ".name", in_quotes(c.synapses.back().name),
                          "name used twice");
    }
  }
  if (root.has("monitors")) {
    const json& mons = root.array("monitors");
    std::set<std::string> seen;
    for (std::size_t k = 0; k < mons.size(); ++k) {
      const std::string path = io::element_field("monitors", k);
      JsonObjectReader r(mons[k], path);
      const std::string type = r.string("type");
      const std::string target = r.string("target");
      const SynapseGroupConfig* syn = c.find_synapse(target);
      const SourceGroupConfig* grp = c.find_group(target);
      if (!syn && !grp)
        throw ConfigError(r.field("target"), in_quotes(target), "no group or synapse group of that name");
      if (!seen.insert(type + "/" + target).second)
        throw ConfigError(r.field("target"), in_quotes(target),
                          "a " + type + " monitor on it exists already");
      if (type == "state") {
        if (!syn)
          throw ConfigError(r.field("target"), in_quotes(target),
                            "spike sources have no state variables to record");
        StateMonitorConfig m;
        m.target = target;
        const json& vars = r.array("variables");
        for (std::size_t v = 0; v < vars.size(); ++v) {
          const std::string f = io::element_field(r.field("variables"), v);
          if (!vars[v].is_string() || (vars[v] != "u" && vars[v] != "x"))
            throw ConfigError(f, io::json_text(vars[v]),
                              "unknown variable of tsodyks_markram (expected \"u\" or \"x\")");
          if (std::find(m.variables.begin(), m.variables.end(), vars[v].get<std::string>()) !=
              m.variables.end())
            throw ConfigError(f, io::json_text(vars[v]), "listed twice");
          m.variables.push_back(vars[v].get<std::string>());
        }
        if (m.variables.empty()) throw ConfigError(r.field("variables"), "[]", "must not be empty");
        m.indices = parse_indices(r, c.find_group(syn->source)->n);
        m.every = r.has("dt") ? sim::whole_steps(r.field("dt"),
                                                 io::check_positive(r.field("dt"), r.number("dt"), "s"), c.dt)
                              : 1;
        check_record_size(r.field("indices"), c.n_steps, m);
        c.state_monitors.push_back(m);
      } else if (type == "spikes") {
        c.spike_monitors.push_back({target});
      } else {
        throw ConfigError(r.field("type"), in_quotes(type),
                          "unknown monitor type (expected \"state\" or \"spikes\")");
      }
      r.finish();
    }
  }
  c.output = root.string("output", "");
  root.finish();

  // The effective configuration, written into every output file.
  json resolved = config;
  for (std::size_t k = 0; k < c.synapses.size(); ++k) {
    json& s = resolved["synapses"][k];
    s["U"] = c.synapses[k].tm.U;
    s["tau_rec"] = c.synapses[k].tm.tau_rec;
    s["tau_fac"] = c.synapses[k].tm.tau_fac;
    s["connect"] = "one_to_one";
  }
  for (std::size_t k = 0; k < c.groups.size(); ++k) resolved["groups"][k]["start"] = c.groups[k].params.start;
  if (config.contains("monitors")) {
    for (json& m : resolved["monitors"]) {
      if (m["type"] != "state") continue;
      for (const auto& sm : c.state_monitors) {
        if (sm.target != m["target"]) continue;
        m["dt"] = static_cast<double>(sm.every) * c.dt;
        if (!m.contains("indices")) m["indices"] = "all";
      }
    }
  }
  resolved["simulation"]["seed"] = c.seed;
  resolved["simulation"]["device"] = c.device == Device::cuda ? "cuda" : "cpu";
  c.resolved = resolved;
  return c;
}

SimulationConfig parse_simulation_config_text(const std::string& text, const std::string& what) {
  return parse_simulation_config(io::parse_json(text, what));
}

}  // namespace glia::simulation
