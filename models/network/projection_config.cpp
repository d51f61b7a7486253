// Parsing of one entry of "projections" (docs/network_config.md, "projections").
#include <algorithm>
#include <limits>

#include "engine/io/json_reader.hpp"
#include "engine/sim/step_config.hpp"
#include "models/network/config_fields.hpp"
#include "models/network/config_parse.hpp"
#include "models/simulation/simulation_config.hpp"

namespace glia::network::detail {

using io::JsonObjectReader;
using nlohmann::json;

namespace {

SynapseModel synapse_model(JsonObjectReader& r) {
  const std::string model = r.string("model", "static");
  static const std::vector<std::pair<const char*, SynapseModel>> models{
      {"static", SynapseModel::static_weight},
      {"tsodyks_markram", SynapseModel::tsodyks_markram},
      {"hebbian", SynapseModel::hebbian},
      {"calcium_stdp", SynapseModel::calcium_stdp},
      {"sic", SynapseModel::sic}};
  const auto it = std::find_if(models.begin(), models.end(), [&](const auto& m) { return model == m.first; });
  if (it == models.end())
    throw ConfigError(
        r.field("model"), in_quotes(model),
        "unknown synapse model (expected \"static\", \"tsodyks_markram\", \"hebbian\", \"calcium_stdp\" "
        "or \"sic\")");
  return it->second;
}

sim::ConnectSpec parse_connect(JsonObjectReader& r, bool has_target) {
  JsonObjectReader k(r.member("connect"), r.field("connect"));
  sim::ConnectSpec s;
  const std::string rule = k.string("rule");
  if (rule == "all_to_all") {
    s.rule = sim::ConnectRule::all_to_all;
  } else if (rule == "one_to_one") {
    s.rule = sim::ConnectRule::one_to_one;
  } else if (rule == "fixed_probability") {
    s.rule = sim::ConnectRule::fixed_probability;
    s.p = io::check_in_range(k.field("p"), k.number("p"), 0.0, false, 1.0, "");
  } else if (rule == "fixed_indegree") {
    s.rule = sim::ConnectRule::fixed_indegree;
    const std::int64_t kk = k.integer("k");
    if (kk < 0 || kk > std::numeric_limits<std::int32_t>::max())
      throw ConfigError(k.field("k"), std::to_string(kk), "must be >= 0");
    s.k = static_cast<std::uint32_t>(kk);
  } else if (rule == "explicit") {
    s.rule = sim::ConnectRule::explicit_pairs;
    s.pre = integer_array(k.member("pre"), k.field("pre"));
    s.post = integer_array(k.member("post"), k.field("post"));
  } else {
    throw ConfigError(k.field("rule"), in_quotes(rule),
                      "unknown connection rule (expected \"all_to_all\", \"one_to_one\", "
                      "\"fixed_probability\", \"fixed_indegree\" or \"explicit\")");
  }
  s.autapses = k.boolean("autapses", true);
  if (!has_target && s.rule != sim::ConnectRule::one_to_one)
    throw ConfigError(k.field("rule"), in_quotes(rule),
                      "a projection without a target connects one_to_one only");
  k.finish();
  return s;
}

// The receptor a spiking projection acts on in its target group.
Receptor spike_receptor(JsonObjectReader& r, const GroupConfig& tgt, bool optional) {
  if (optional && !r.has("receptor")) return Receptor::none;
  const std::string receptor = r.string("receptor");
  if (tgt.model == GroupModel::lif_coba && receptor == "g_e") return Receptor::g_e;
  if (tgt.model == GroupModel::lif_coba && receptor == "g_i") return Receptor::g_i;
  if (tgt.model == GroupModel::lif_cuba && receptor == "i_syn") return Receptor::i_syn;
  if (tgt.is_li_rinzel() && receptor == "ip3") return Receptor::ip3;
  const char* expected = tgt.model == GroupModel::lif_coba
                             ? "expected \"g_e\" or \"g_i\" for a lif_coba target"
                         : tgt.model == GroupModel::lif_cuba ? "expected \"i_syn\" for a lif_cuba target"
                         : tgt.is_li_rinzel()                ? "expected \"ip3\" for a li_rinzel target"
                                                             : "this target takes no receptor";
  throw ConfigError(r.field("receptor"), in_quotes(receptor), expected);
}

void parse_tsodyks_markram(JsonObjectReader& r, ProjectionConfig& p) {
  if (r.has("preset")) {
    const std::string preset = r.string("preset");
    if (!simulation::tm_preset(preset, p.tm))
      throw ConfigError(r.field("preset"), in_quotes(preset),
                        "unknown preset (expected \"depressing\", \"facilitating\" or \"stimberg\")");
  }
  if (r.has("params"))
    fields::read_params(r.member("params"), r.field("params"), fields::tsodyks_markram(), "tsodyks_markram",
                        p.tm);
  if (p.tm.U > 1.0) throw ConfigError(r.field("params") + ".U", num(p.tm.U), "must be in (0, 1]");
  if (r.has("init")) {
    JsonObjectReader in(r.member("init"), r.field("init"));
    p.init_u = io::check_in_range(in.field("u"), in.number("u", 0.0), 0.0, false, 1.0, "");
    p.init_x = io::check_in_range(in.field("x"), in.number("x", 1.0), 0.0, false, 1.0, "");
    in.finish();
  }
}

void parse_astrocytes(JsonObjectReader& r, const NetworkConfig& c, ProjectionConfig& p) {
  if (p.model != SynapseModel::tsodyks_markram)
    throw ConfigError(
        r.field("astrocytes"), "{...}",
        "tripartite synapses need model \"tsodyks_markram\" (glutamate is released in proportion to u x)");
  JsonObjectReader a(r.member("astrocytes"), r.field("astrocytes"));
  AstrocyteCover& cov = p.astrocytes;
  p.has_astrocytes = true;
  cov.group = group_named(c, a.field("group"), a.string("group"));
  const GroupConfig& ag = c.groups[cov.group];
  if (!ag.is_gchi())
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
                          "out of range: expected -1 (none) or an astrocyte of \"" + ag.name + "\" in [0, " +
                              std::to_string(ag.n) + ")");
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
    fields::read_params(a.member("glutamate"), a.field("glutamate"), fields::glutamate(), "glutamate",
                        cov.glutamate);
  if (a.has("gliotransmission"))
    fields::read_params(a.member("gliotransmission"), a.field("gliotransmission"), fields::receptors(),
                        "gliotransmission", cov.receptors);
  if (cov.receptors.alpha > 1.0)
    throw ConfigError(a.field("gliotransmission") + ".alpha", num(cov.receptors.alpha), "must be in [0, 1]");
  cov.receptors.U_0_star = p.tm.U;
  a.finish();
}

// The window [from, until) of a Hebbian projection's plasticity, in base steps.
void parse_learning(JsonObjectReader& r, const NetworkConfig& c, HebbianConfig& h) {
  JsonObjectReader l(r.member("learning"), r.field("learning"));
  h.learning_from = io::check_non_negative(l.field("from"), l.number("from", 0.0), "s");
  h.learning_from_step =
      h.learning_from == 0.0 ? 0 : sim::whole_steps(l.field("from"), h.learning_from, c.dt);
  if (l.has("until")) {
    h.learning_until = io::check_positive(l.field("until"), l.number("until"), "s");
    h.learning_until_step = sim::whole_steps(l.field("until"), h.learning_until, c.dt);
    if (h.learning_until_step <= h.learning_from_step)
      throw ConfigError(l.field("until"), num(h.learning_until),
                        "must be later than from = " + num(h.learning_from) + " s");
  }
  l.finish();
}

void parse_hebbian(JsonObjectReader& r, const NetworkConfig& c, ProjectionConfig& p) {
  HebbianConfig& h = p.hebbian;
  if (r.has("params"))
    fields::read_params(r.member("params"), r.field("params"), fields::hebbian(), "hebbian", h.params);
  if (r.has("init")) {
    JsonObjectReader in(r.member("init"), r.field("init"));
    h.init_s = in.number("s", 0.0);
    in.finish();
  }
  if (r.has("learning")) parse_learning(r, c, h);
  if (r.has("process")) {
    JsonObjectReader pr(r.member("process"), r.field("process"));
    const std::string model = pr.string("model");
    if (model == "two_timescale") {
      h.process = ProcessModel::two_timescale;
      if (pr.has("params"))
        fields::read_params(pr.member("params"), pr.field("params"), fields::process(), "two_timescale",
                            h.process_params);
      h.process_cutoff = io::check_non_negative(pr.field("cutoff"), pr.number("cutoff", 0.0), "grid units");
    } else if (model == "positional") {
      h.process = ProcessModel::positional;
      h.process_drive = group_named(c, pr.field("drive"), pr.string("drive"));
      const GroupConfig& d = c.groups[h.process_drive];
      if (!d.is_rate()) throw ConfigError(pr.field("drive"), in_quotes(d.name), "must be a rate group");
      if (d.n != c.groups[p.source].n)
        throw ConfigError(pr.field("drive"), in_quotes(d.name),
                          "must have as many elements (" + std::to_string(d.n) + ") as the source (" +
                              std::to_string(c.groups[p.source].n) +
                              "): process (i, j) is driven by element j");
    } else {
      throw ConfigError(pr.field("model"), in_quotes(model), "expected \"two_timescale\" or \"positional\"");
    }
    pr.finish();
  }
  if (r.has("efficacy")) {
    JsonObjectReader e(r.member("efficacy"), r.field("efficacy"));
    h.sigmoid_scale = io::check_positive(e.field("sigmoid_scale"), e.number("sigmoid_scale"), "");
    e.finish();
  }
  if (r.has("presynaptic_calcium")) {
    JsonObjectReader ca(r.member("presynaptic_calcium"), r.field("presynaptic_calcium"));
    h.calcium = true;
    h.calcium_tau = io::check_positive(ca.field("tau"), ca.number("tau"), "s");
    h.calcium_alpha = io::check_positive(ca.field("alpha"), ca.number("alpha", 1.0), "");
    h.calcium_epsilon = io::check_positive(ca.field("epsilon"), ca.number("epsilon", 1e-6), "");
    ca.finish();
  }
}

void parse_calcium_stdp(JsonObjectReader& r, const NetworkConfig& c, ProjectionConfig& p) {
  if (r.has("params"))
    fields::read_params(r.member("params"), r.field("params"), fields::calcium_stdp(), "calcium_stdp",
                        p.stdp);
  p.stdp_delay_steps = p.stdp.D == 0.0 ? 0 : sim::whole_steps(r.field("params") + ".D", p.stdp.D, c.dt);
  if (r.has("init")) {
    JsonObjectReader in(r.member("init"), r.field("init"));
    p.init_rho = in.number("rho", 0.0);
    p.init_c = io::check_non_negative(in.field("c"), in.number("c", 0.0), "");
    in.finish();
  }
}

}  // namespace

ProjectionConfig parse_projection(const json& j, const std::string& path, const NetworkConfig& c,
                                  std::uint32_t index) {
  JsonObjectReader r(j, path);
  ProjectionConfig p;
  p.index = index;
  p.name = r.string("name");
  io::check_name(r.field("name"), p.name);
  p.source = group_named(c, r.field("source"), r.string("source"));
  const GroupConfig& src = c.groups[p.source];
  p.model = synapse_model(r);
  const bool rate_source = src.is_rate();
  if (src.is_gchi())
    throw ConfigError(
        r.field("source"), in_quotes(src.name),
        "a gchi group cannot be the source of a projection (its releases act through \"astrocytes\")");
  if (src.is_li_rinzel() && p.model != SynapseModel::sic)
    throw ConfigError(
        r.field("source"), in_quotes(src.name),
        "a li_rinzel group is the source of \"sic\" projections only (its slow inward current)");
  if (p.model == SynapseModel::sic && !src.is_li_rinzel())
    throw ConfigError(r.field("source"), in_quotes(src.name), "a sic projection starts at a li_rinzel group");
  if (p.model == SynapseModel::hebbian && !rate_source)
    throw ConfigError(r.field("source"), in_quotes(src.name), "a hebbian projection starts at a rate group");
  if (rate_source && p.model != SynapseModel::static_weight && p.model != SynapseModel::hebbian)
    throw ConfigError(r.field("model"), in_quotes(synapse_model_name(p.model)),
                      "a rate group transmits through \"static\" or \"hebbian\" projections");
  const bool continuous = rate_source;
  const bool needs_target =
      continuous || p.model == SynapseModel::calcium_stdp || p.model == SynapseModel::sic;
  if (r.has("target") || needs_target) {
    p.has_target = true;
    p.target = group_named(c, r.field("target"), r.string("target"));
    const GroupConfig& tgt = c.groups[p.target];
    if (continuous) {
      if (!tgt.is_rate())
        throw ConfigError(r.field("target"), in_quotes(tgt.name),
                          "a rate group's projection must end at a rate group");
      if (r.has("receptor") && r.string("receptor") != "input")
        throw ConfigError(
            r.field("receptor"), in_quotes(r.string("receptor")),
            "a rate projection acts on its target's input: leave receptor out or say \"input\"");
      p.receptor = Receptor::rate_input;
    } else if (p.model == SynapseModel::sic) {
      if (!tgt.is_neuron())
        throw ConfigError(r.field("target"), in_quotes(tgt.name),
                          "must be a neuron group (lif_coba or lif_cuba)");
      p.receptor = Receptor::current;
    } else if (p.model == SynapseModel::calcium_stdp) {
      if (!tgt.is_spiking())
        throw ConfigError(r.field("target"), in_quotes(tgt.name),
                          "must be a spiking group (its spikes are the postsynaptic spikes of the rule)");
      p.receptor = tgt.is_neuron() ? spike_receptor(r, tgt, true) : Receptor::none;
    } else {
      if (tgt.is_rate())
        throw ConfigError(r.field("target"), in_quotes(tgt.name),
                          "spikes do not drive rate neurons; connect rate groups to rate groups");
      if (!tgt.is_neuron() && !tgt.is_li_rinzel())
        throw ConfigError(r.field("target"), in_quotes(tgt.name),
                          "must be a neuron group (lif_coba or lif_cuba) or a li_rinzel astrocyte group");
      p.receptor = spike_receptor(r, tgt, false);
    }
    if (p.receptor != Receptor::none || continuous || p.model == SynapseModel::sic) {
      const double fallback = continuous || p.model == SynapseModel::sic ? 1.0 : 0.0;
      p.weight =
          (continuous || p.model == SynapseModel::sic) ? r.number("weight", fallback) : r.number("weight");
      if (p.receptor == Receptor::g_e || p.receptor == Receptor::g_i)
        io::check_non_negative(r.field("weight"), p.weight, "S");
    }
  }
  p.connect = parse_connect(r, p.has_target);
  if (r.has("weights")) {
    if (!(continuous && p.model == SynapseModel::static_weight))
      throw ConfigError(r.field("weights"), "[...]", "per-synapse weights are for static rate projections");
    p.weights = number_array(r.member("weights"), r.field("weights"));
  }

  if (p.model == SynapseModel::tsodyks_markram) {
    parse_tsodyks_markram(r, p);
  } else if (p.model == SynapseModel::hebbian) {
    parse_hebbian(r, c, p);
  } else if (p.model == SynapseModel::calcium_stdp) {
    parse_calcium_stdp(r, c, p);
  } else if (p.model == SynapseModel::sic) {
    if (r.has("params"))
      fields::read_params(r.member("params"), r.field("params"), fields::sic(), "sic", p.sic);
  }
  const bool spiking = src.is_spiking();
  if (r.has("delay") && !spiking)
    throw ConfigError(r.field("delay"), num(r.number("delay")), "only spike transmission has a delay");
  p.delay = io::check_non_negative(r.field("delay"), r.number("delay", 0.0), "s");
  if (p.delay > 0.0) p.delay_steps = sim::whole_steps(r.field("delay"), p.delay, c.dt);
  if (r.has("astrocytes")) parse_astrocytes(r, c, p);
  r.finish();
  return p;
}

}  // namespace glia::network::detail
