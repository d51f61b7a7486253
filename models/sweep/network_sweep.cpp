#include "models/sweep/network_sweep.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <new>
#include <set>

#include "engine/core/error.hpp"
#include "engine/io/json_reader.hpp"
#include "models/sweep/config_paths.hpp"

namespace glia::sweep {

namespace {

using network::GroupConfig;
using network::GroupModel;
using network::NetworkConfig;
using nlohmann::json;

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

bool is_index(const std::string& s) {
  return !s.empty() && s.size() < 10 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Whole-number locations of the network schema: the seed, group sizes, in-degrees, grid rows and
// explicit indices.
bool integer_location(const std::vector<std::string>& segs, const std::string& parser_field) {
  if (parser_field == "simulation.seed") return true;
  const std::string& last = segs.back();
  const std::string parent = segs.size() >= 2 ? segs[segs.size() - 2] : "";
  if (segs.size() == 3 && segs[0] == "groups" && last == "n") return true;
  if (parent == "connect" && last == "k") return true;
  if (parent == "grid" && last == "rows") return true;
  if (is_index(last) && segs.size() >= 2 && (parent == "pre" || parent == "post" || parent == "index"))
    return true;
  return false;
}

// Paths into a network configuration: groups and projections by name, couplings by group.
const ConfigPathSchema& network_schema() {
  static const ConfigPathSchema schema{
      "network",
      "the network such as \"groups.NAME.params.KEY\" (keys joined by '.', groups, projections and couplings "
      "by name, list "
      "entries by index)",
      {{"groups", "name", "group", "group"},
       {"projections", "name", "projection", "projection"},
       {"astrocyte_coupling", "group", "coupling", "astrocyte coupling of group"}},
      {{"monitors", "\"monitors\" is not a parameter (a sweep records what its summaries need)"},
       {"output", "\"output\" is not a parameter (a sweep records what its summaries need)"}},
      integer_location};
  return schema;
}

bool is_spiking(const GroupConfig& g) { return g.is_neuron() || g.is_source(); }

std::string stat_text(NetworkStat s) {
  switch (s) {
    case NetworkStat::rate:
      return "rate";
    case NetworkStat::events:
      return "events";
    case NetworkStat::mean:
      return "mean";
    case NetworkStat::max:
      return "max";
    case NetworkStat::min:
      return "min";
    case NetworkStat::final_value:
      return "final";
  }
  return "?";
}

std::vector<NetworkSummary> parse_network_summaries(const json& list, const NetworkConfig& c) {
  const std::string path = "summaries";
  if (!list.is_array()) throw ConfigError(path, io::json_text(list), "expected a list of summaries");
  if (list.empty()) throw ConfigError(path, "[]", "no summaries: name at least one (e.g. \"rate.E\")");
  const std::string forms =
      "expected rate.GROUP, events.GROUP or STAT.GROUP.VARIABLE with STAT one of mean, max, min, final";
  std::vector<NetworkSummary> out;
  std::set<std::string> names;
  for (std::size_t k = 0; k < list.size(); ++k) {
    const std::string field = path + "[" + std::to_string(k) + "]";
    if (!list[k].is_string()) throw ConfigError(field, io::json_text(list[k]), forms);
    const std::string text = list[k].get<std::string>();
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
      const std::size_t dot = text.find('.', start);
      parts.push_back(text.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    NetworkSummary s;
    s.name = text;
    const std::string& stat = parts[0];
    if ((stat == "rate" || stat == "events") && parts.size() == 2) {
      s.stat = stat == "rate" ? NetworkStat::rate : NetworkStat::events;
    } else if ((stat == "mean" || stat == "max" || stat == "min" || stat == "final") && parts.size() == 3) {
      s.stat = stat == "mean"  ? NetworkStat::mean
               : stat == "max" ? NetworkStat::max
               : stat == "min" ? NetworkStat::min
                               : NetworkStat::final_value;
      s.variable = parts[2];
    } else {
      throw ConfigError(field, in_quotes(text), forms);
    }
    s.group = parts[1];
    const GroupConfig* g = c.find_group(s.group);
    if (!g) throw ConfigError(field, in_quotes(text), "no group " + in_quotes(s.group) + " in network");
    if (s.stat == NetworkStat::rate && !is_spiking(*g))
      throw ConfigError(field, in_quotes(text),
                        "group " + in_quotes(s.group) +
                            " is an astrocyte group: its release rate is \"events." + s.group + "\"");
    if (s.stat == NetworkStat::events && !g->is_astrocyte())
      throw ConfigError(
          field, in_quotes(text),
          "group " + in_quotes(s.group) + " has no astrocytes: its firing rate is \"rate." + s.group + "\"");
    if (!s.variable.empty()) {
      const auto& known = network::recordable_variables(g->model);
      if (known.empty())
        throw ConfigError(field, in_quotes(text),
                          "group " + in_quotes(s.group) + " is a spike source: it has no state variables");
      if (std::find(known.begin(), known.end(), s.variable) == known.end()) {
        std::string l;
        for (const auto& v : known) l += (l.empty() ? "" : ", ") + v;
        throw ConfigError(field, in_quotes(text),
                          "unknown variable " + in_quotes(s.variable) + " of group " + in_quotes(s.group) +
                              " (known: " + l + ")");
      }
    }
    if (!names.insert(s.name).second) throw ConfigError(field, in_quotes(text), "summary listed twice");
    out.push_back(s);
  }
  return out;
}

// The monitors the summaries need: spikes of every group with a rate or event summary; the
// group mean of the one variable of a group (a mean monitor), or a state monitor of all its
// elements when several variables of it are summarised. Both sample at the group's clock.
json summary_monitors(const std::vector<NetworkSummary>& summaries) {
  std::vector<std::string> spike_groups, state_groups;
  std::vector<std::vector<std::string>> variables;
  for (const auto& s : summaries) {
    if (s.variable.empty()) {
      if (std::find(spike_groups.begin(), spike_groups.end(), s.group) == spike_groups.end())
        spike_groups.push_back(s.group);
      continue;
    }
    const auto it = std::find(state_groups.begin(), state_groups.end(), s.group);
    if (it == state_groups.end()) {
      state_groups.push_back(s.group);
      variables.push_back({s.variable});
    } else {
      auto& v = variables[static_cast<std::size_t>(it - state_groups.begin())];
      if (std::find(v.begin(), v.end(), s.variable) == v.end()) v.push_back(s.variable);
    }
  }
  json m = json::array();
  for (const auto& g : spike_groups) m.push_back({{"type", "spikes"}, {"target", g}});
  for (std::size_t k = 0; k < state_groups.size(); ++k) {
    if (variables[k].size() == 1) {
      m.push_back({{"type", "mean"}, {"target", state_groups[k]}, {"variable", variables[k][0]}});
    } else {
      m.push_back({{"type", "state"}, {"target", state_groups[k]}, {"variables", variables[k]}});
    }
  }
  return m;
}

std::int64_t transient_steps(const NetworkConfig& c, double transient) {
  return static_cast<std::int64_t>(std::llround(transient / c.dt));
}

// Checks the transient against a variant's clocks.
void check_transient(const NetworkConfig& c, double transient, const std::string& suffix) {
  if (!(transient < c.duration))
    throw ConfigError("transient", io::number_text(transient),
                      "must be < simulation.duration = " + io::number_text(c.duration) + " s" + suffix);
  const double steps = transient / c.dt;
  if (std::fabs(steps - std::round(steps)) > 1e-9 * std::max(1.0, steps))
    throw ConfigError("transient", io::number_text(transient),
                      "must be a whole number of simulation.dt = " + io::number_text(c.dt) + " s" + suffix);
}

// The time index (base steps) of a recorded time.
std::int64_t step_of(double t, double dt) { return static_cast<std::int64_t>(std::llround(t / dt)); }

}  // namespace

std::vector<sim::DesignParameter> network_design_parameters(const json& base, const json& design,
                                                            const std::string& design_field) {
  if (!base.is_object())
    throw ConfigError("network", io::json_text(base),
                      "expected a network configuration object (the JSON of glia simulate)");
  return path_design_parameters(base, design, design_field, network_schema());
}

json network_variant_config(const NetworkSweep& n, const sim::DesignTable& design, std::size_t v) {
  return substitute_variant(n.base, n.pointers, design, v);
}

void setup_network_sweep(NetworkSweep& n, const json& base, const sim::DesignTable& design,
                         const json& summaries, double transient, const std::string& device) {
  n.transient = transient;
  n.base = base;
  n.base.erase("monitors");
  n.base.erase("output");
  if (!device.empty() && n.base.contains("simulation") && n.base.at("simulation").is_object())
    n.base["simulation"]["device"] = device;
  resolve_design_paths(n.base, design, network_schema(), n.pointers, n.parser_fields);
  // An error of the base itself (not at a swept value) is reported as the network's.
  try {
    network::parse_network_config(n.base);
  } catch (const ConfigError& e) {
    restate_base_error("network", n.parser_fields, e);
  }
  NetworkConfig first;
  try {
    first = network::parse_network_config(network_variant_config(n, design, 0));
  } catch (const ConfigError& e) {
    restate_variant_error("network", n.parser_fields, design, 0, e);
  }
  n.summaries = parse_network_summaries(summaries, first);
  n.base["monitors"] = summary_monitors(n.summaries);
  for (std::size_t v = 0; v < design.size(); ++v) {
    NetworkConfig c;
    try {
      c = network::parse_network_config(network_variant_config(n, design, v));
    } catch (const ConfigError& e) {
      restate_variant_error("network", n.parser_fields, design, v, e);
    }
    check_transient(c, transient,
                    design.names.empty() ? ""
                                         : " (in design variant " + std::to_string(v) + ": " +
                                               variant_values_text(design, v) + ")");
  }
}

std::vector<double> network_summaries(const NetworkSweep& n, const NetworkConfig& c,
                                      const network::NetworkResult& r) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::int64_t n_transient = transient_steps(c, n.transient);
  const double window = c.duration - n.transient;
  std::vector<double> out;
  for (const auto& s : n.summaries) {
    const GroupConfig* g = c.find_group(s.group);
    if (s.variable.empty()) {
      const auto it = r.spikes.find(s.group);
      if (it == r.spikes.end()) {
        out.push_back(nan);
        continue;
      }
      std::int64_t count = 0;
      for (double t : it->second.t) count += step_of(t, c.dt) > n_transient ? 1 : 0;
      out.push_back(static_cast<double>(count) / (static_cast<double>(g->n) * window));
      continue;
    }
    // The group mean at each sample: from the mean monitor, or from the state of all elements
    // summed in index order (as the mean monitor sums).
    std::vector<double> t, m;
    const auto mi = r.means.find(s.group);
    const auto si = r.state.find(s.group);
    if (mi != r.means.end() && mi->second.values.count(s.variable)) {
      t = mi->second.t;
      m = mi->second.values.at(s.variable);
    } else if (si != r.state.end() && si->second.values.count(s.variable)) {
      t = si->second.t;
      const std::vector<double>& x = si->second.values.at(s.variable);
      const std::size_t k = si->second.indices.size();
      for (std::size_t j = 0; j < t.size() && (j + 1) * k <= x.size(); ++j) {
        double sum = 0.0;
        for (std::size_t i = 0; i < k; ++i) sum += x[j * k + i];
        m.push_back(sum / static_cast<double>(g->n));
      }
    }
    t.resize(m.size());
    if (s.stat == NetworkStat::final_value) {
      out.push_back(m.empty() ? nan : m.back());
      continue;
    }
    double acc = s.stat == NetworkStat::mean ? 0.0 : nan;
    std::int64_t count = 0;
    for (std::size_t j = 0; j < m.size(); ++j) {
      if (step_of(t[j], c.dt) <= n_transient) continue;
      const double x = m[j];
      if (s.stat == NetworkStat::mean) {
        acc += x;
      } else if (count == 0 || (s.stat == NetworkStat::max ? x > acc : x < acc)) {
        acc = x;
      }
      ++count;
    }
    out.push_back(count == 0 ? nan : (s.stat == NetworkStat::mean ? acc / static_cast<double>(count) : acc));
  }
  return out;
}

namespace {

// A variant's outcome from its network result.
NetworkVariantResult variant_result(const NetworkSweep& n, const NetworkConfig& c,
                                    const network::NetworkResult& r) {
  NetworkVariantResult out;
  if (r.complete) {
    out.summaries = network_summaries(n, c, r);
  } else {
    out.failed = true;
    out.failed_at = static_cast<double>(r.steps_done) * c.dt;
    out.reason = r.error;
    out.summaries.assign(n.summaries.size(), std::numeric_limits<double>::quiet_NaN());
  }
  return out;
}

// Runs variants (built on all threads, or `threads`) as one batch, or one alone; errors while building
// or stepping become the results' errors.
std::vector<network::NetworkResult> run_networks(const std::vector<const NetworkConfig*>& configs,
                                                 int threads) {
  const int before = omp_get_max_threads();
  if (threads > 0) omp_set_num_threads(threads);
  std::vector<network::NetworkResult> r;
  try {
    network::Network net(configs);
    r = net.run_batch();
  } catch (const ConfigError& e) {  // found while building (connectivity, assignments)
    r.assign(configs.size(), {});
    for (auto& x : r) x.error = std::string("network.") + e.what();
  } catch (const RuntimeError& e) {
    r.assign(configs.size(), {});
    for (auto& x : r) x.error = e.what();
  } catch (const std::bad_alloc&) {  // a batch too large for memory: its variants then run alone
    r.assign(configs.size(), {});
    for (auto& x : r) x.error = "out of memory for " + std::to_string(configs.size()) + " networks at once";
  }
  omp_set_num_threads(before);
  return r;
}

}  // namespace

NetworkVariantResult run_network_variant(const NetworkSweep& n, const sim::DesignTable& design, std::size_t v,
                                         int threads) {
  const NetworkConfig c = network::parse_network_config(network_variant_config(n, design, v));
  return variant_result(n, c, run_networks({&c}, threads).front());
}

std::vector<NetworkVariantResult> run_network_chunk(const NetworkSweep& n, const sim::DesignTable& design,
                                                    const std::vector<std::uint64_t>& variants, int threads,
                                                    bool* batched) {
  std::vector<NetworkConfig> configs;
  configs.reserve(variants.size());
  for (std::uint64_t v : variants)
    configs.push_back(network::parse_network_config(network_variant_config(n, design, v)));
  std::vector<const NetworkConfig*> all;
  for (const auto& c : configs) all.push_back(&c);
  std::vector<NetworkVariantResult> out;
  if (batched) *batched = false;
  if (all.size() > 1 && network::batch_unsupported(all).empty()) {
    const std::vector<network::NetworkResult> r = run_networks(all, threads);
    // A batch stops as a whole when one variant fails: then every variant runs alone (the same results
    // for the others — bit for bit on the CPU, to rounding on the GPU — and each failure its own).
    if (std::all_of(r.begin(), r.end(), [](const network::NetworkResult& x) { return x.complete; })) {
      for (std::size_t k = 0; k < r.size(); ++k) out.push_back(variant_result(n, configs[k], r[k]));
      if (batched) *batched = true;
      return out;
    }
  }
  for (std::size_t k = 0; k < configs.size(); ++k)
    out.push_back(variant_result(n, configs[k], run_networks({all[k]}, threads).front()));
  return out;
}

json network_summary_descriptions(const NetworkSweep& n) {
  json out = json::array();
  for (const auto& s : n.summaries) {
    json d = {{"name", s.name}, {"stat", stat_text(s.stat)}, {"group", s.group}};
    if (!s.variable.empty()) d["variable"] = s.variable;
    out.push_back(d);
  }
  return out;
}

}  // namespace glia::sweep
