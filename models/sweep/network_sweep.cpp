#include "models/sweep/network_sweep.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <iterator>
#include <limits>
#include <new>
#include <set>

#include "engine/core/error.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/sim/summary_config.hpp"
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

std::string stat_text(const NetworkSummary& s) {
  if (s.stat == NetworkStat::rate) return "rate";
  if (s.stat == NetworkStat::events) return "events";
  return sim::summary_stat_name(s.state_stat);
}

// Checks a state summary's group, variable, threshold and element against the network.
void check_state_summary(const NetworkSummary& s, const GroupConfig& g, const std::string& field,
                         const std::string& shown) {
  const auto& known = network::recordable_variables(g.model);
  if (known.empty())
    throw ConfigError(field, shown,
                      "group " + in_quotes(s.group) + " is a spike source: it has no state variables");
  if (g.is_rate())
    throw ConfigError(field, shown,
                      "group " + in_quotes(s.group) + " is a rate group: its state is not summarised yet");
  if (std::find(known.begin(), known.end(), s.variable) == known.end()) {
    std::string l;
    for (const auto& v : known) l += (l.empty() ? "" : ", ") + v;
    throw ConfigError(field, shown,
                      "unknown variable " + in_quotes(s.variable) + " of group " + in_quotes(s.group) +
                          " (known: " + l + ")");
  }
  if (sim::summary_needs_threshold(s.state_stat) && !s.has_threshold && !(g.is_gchi() && s.variable == "C"))
    throw ConfigError(field, shown,
                      "statistic \"" + std::string(sim::summary_stat_name(s.state_stat)) + "\" of " +
                          in_quotes(s.variable) +
                          " needs a threshold (only C of a gchi group defaults, to its C_Theta): give the "
                          "object form {\"stat\", \"group\", \"variable\", \"threshold\"}");
  if (s.index >= static_cast<std::int64_t>(g.n))
    throw ConfigError(field, shown,
                      "index " + std::to_string(s.index) + " out of range [0, " + std::to_string(g.n) + ")");
}

std::vector<NetworkSummary> parse_network_summaries(const json& list, const NetworkConfig& c) {
  const std::string path = "summaries";
  if (!list.is_array()) throw ConfigError(path, io::json_text(list), "expected a list of summaries");
  if (list.empty()) throw ConfigError(path, "[]", "no summaries: name at least one (e.g. \"rate.E\")");
  const std::string forms =
      "expected rate.GROUP, events.GROUP, STAT.GROUP.VARIABLE with STAT one of " +
      sim::summary_stat_list(false) + ", STAT.PROJECTION with STAT one of " + sim::summary_stat_list(true) +
      ", or an object {\"stat\", \"group\", \"variable\", \"threshold\", \"index\", \"name\"}";
  std::vector<NetworkSummary> out;
  std::set<std::string> names;
  for (std::size_t k = 0; k < list.size(); ++k) {
    const std::string field = path + "[" + std::to_string(k) + "]";
    NetworkSummary s;
    std::string shown;
    if (list[k].is_object()) {  // a state statistic with its threshold or element
      io::JsonObjectReader r(list[k], field);
      const std::string stat = r.string("stat");
      if (!sim::find_summary_stat(stat, s.state_stat) || sim::summary_is_spike_stat(s.state_stat))
        throw ConfigError(r.field("stat"), in_quotes(stat),
                          "unknown statistic (expected one of " + sim::summary_stat_list(false) +
                              "; release statistics are strings: STAT.PROJECTION)");
      s.stat = NetworkStat::state;
      s.group = r.string("group");
      s.variable = r.string("variable");
      if (r.has("threshold")) {
        if (!sim::summary_needs_threshold(s.state_stat))
          throw ConfigError(r.field("threshold"), io::number_text(r.number("threshold")),
                            "statistic " + in_quotes(stat) + " takes no threshold");
        s.has_threshold = true;
        s.threshold = r.number("threshold");
      }
      if (r.has("index")) {
        s.index = r.integer("index");
        if (s.index < 0) throw ConfigError(r.field("index"), std::to_string(s.index), "must be >= 0");
      }
      s.name = r.string("name", stat + "." + s.group + "." + s.variable +
                                    (s.index >= 0 ? "[" + std::to_string(s.index) + "]" : ""));
      if (s.name.empty() || s.name.find('/') != std::string::npos)
        throw ConfigError(r.field("name"), in_quotes(s.name), "must be non-empty and contain no '/'");
      r.finish();
      shown = io::json_text(list[k]);
    } else if (list[k].is_string()) {
      const std::string text = list[k].get<std::string>();
      shown = in_quotes(text);
      const std::vector<std::string> parts = split_dots(text);
      s.name = text;
      const std::string& stat = parts[0];
      if ((stat == "rate" || stat == "events") && parts.size() == 2) {
        s.stat = stat == "rate" ? NetworkStat::rate : NetworkStat::events;
      } else if (parts.size() == 2 && sim::find_summary_stat(stat, s.state_stat) &&
                 sim::summary_is_spike_stat(s.state_stat)) {
        s.stat = NetworkStat::state;  // of the projection's releases
      } else if (parts.size() == 3 && sim::find_summary_stat(stat, s.state_stat) &&
                 !sim::summary_is_spike_stat(s.state_stat) && s.state_stat != sim::SummaryStat::events) {
        s.stat = NetworkStat::state;
        s.variable = parts[2];
      } else {
        throw ConfigError(field, shown, forms);
      }
      s.group = parts[1];
    } else {
      throw ConfigError(field, io::json_text(list[k]), forms);
    }
    if (s.stat == NetworkStat::state && sim::summary_is_spike_stat(s.state_stat)) {
      const auto p = std::find_if(c.projections.begin(), c.projections.end(),
                                  [&](const network::ProjectionConfig& x) { return x.name == s.group; });
      if (p == c.projections.end() || p->model != network::SynapseModel::tsodyks_markram)
        throw ConfigError(field, shown,
                          "no tsodyks_markram projection " + in_quotes(s.group) + " in network");
      if (!names.insert(s.name).second) throw ConfigError(field, shown, "summary listed twice");
      out.push_back(s);
      continue;
    }
    const GroupConfig* g = c.find_group(s.group);
    if (!g) throw ConfigError(field, shown, "no group " + in_quotes(s.group) + " in network");
    if (s.stat == NetworkStat::rate && !is_spiking(*g))
      throw ConfigError(field, shown,
                        "group " + in_quotes(s.group) +
                            " is an astrocyte group: its release rate is \"events." + s.group + "\"");
    if (s.stat == NetworkStat::events && !g->is_astrocyte())
      throw ConfigError(
          field, shown,
          "group " + in_quotes(s.group) + " has no astrocytes: its firing rate is \"rate." + s.group + "\"");
    if (s.stat == NetworkStat::state) check_state_summary(s, *g, field, shown);
    if (!names.insert(s.name).second) throw ConfigError(field, shown, "summary listed twice");
    out.push_back(s);
  }
  return out;
}

// Summary k's monitor (monitor names are plain words; a summary's may not be).
std::string summary_monitor_name(std::size_t k) { return "summary_" + std::to_string(k); }

// The monitors the summaries need: spikes of every group with a rate or event summary, and a summary
// monitor (reduced online, no samples kept) per state statistic, its window after the transient.
json summary_monitors(const std::vector<NetworkSummary>& summaries, double transient) {
  std::vector<std::string> spike_groups;
  json m = json::array();
  for (std::size_t k = 0; k < summaries.size(); ++k) {
    const NetworkSummary& s = summaries[k];
    if (s.stat != NetworkStat::state) {
      if (std::find(spike_groups.begin(), spike_groups.end(), s.group) == spike_groups.end())
        spike_groups.push_back(s.group);
      continue;
    }
    json j{{"type", "summary"},
           {"name", summary_monitor_name(k)},
           {"target", s.group},
           {"stat", sim::summary_stat_name(s.state_stat)},
           {"start", transient}};
    if (!s.variable.empty()) j["variable"] = s.variable;
    if (s.has_threshold) j["threshold"] = s.threshold;
    if (s.index >= 0) j["index"] = s.index;
    m.push_back(j);
  }
  for (const auto& g : spike_groups) m.push_back({{"type", "spikes"}, {"target", g}});
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
  n.base["monitors"] = summary_monitors(n.summaries, transient);
  for (std::size_t v = 0; v < design.size(); ++v) {
    const std::string suffix = design.names.empty() ? ""
                                                    : " (in design variant " + std::to_string(v) + ": " +
                                                          variant_values_text(design, v) + ")";
    NetworkConfig c;
    try {
      c = network::parse_network_config(network_variant_config(n, design, v), false);
    } catch (const ConfigError& e) {
      // The summary monitors start at the transient: a transient the variant cannot have is the
      // transient's error, not the monitors' (the user wrote no monitors).
      if (e.field().rfind("monitors[", 0) == 0) {
        json plain = network_variant_config(n, design, v);
        plain.erase("monitors");
        check_transient(network::parse_network_config(plain, false), transient, suffix);
      }
      restate_variant_error("network", n.parser_fields, design, v, e);
    }
    check_transient(c, transient, suffix);
  }
}

std::vector<double> network_summaries(const NetworkSweep& n, const NetworkConfig& c,
                                      const network::NetworkResult& r) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::int64_t n_transient = transient_steps(c, n.transient);
  const double window = c.duration - n.transient;
  std::vector<double> out;
  for (std::size_t k = 0; k < n.summaries.size(); ++k) {
    const NetworkSummary& s = n.summaries[k];
    if (s.stat == NetworkStat::state) {
      const auto it = r.summaries.find(summary_monitor_name(k));
      out.push_back(it == r.summaries.end() ? nan : it->second);
      continue;
    }
    const auto it = r.spikes.find(s.group);
    if (it == r.spikes.end()) {
      out.push_back(nan);
      continue;
    }
    std::int64_t count = 0;
    for (double t : it->second.t) count += step_of(t, c.dt) > n_transient ? 1 : 0;
    out.push_back(static_cast<double>(count) / (static_cast<double>(c.find_group(s.group)->n) * window));
  }
  return out;
}

namespace {

// A variant's outcome from its network result (its state recordings moved out).
NetworkVariantResult variant_result(const ChunkNetworks& x, const NetworkConfig& c,
                                    network::NetworkResult& r) {
  NetworkVariantResult out;
  if (r.complete) {
    out.summaries = x.summaries(c, r);
  } else {
    out.failed = true;
    out.failed_at = static_cast<double>(r.steps_done) * c.dt;
    out.reason = r.error;
    out.failed_variable = r.failed_variable;
    out.failed_value = r.failed_value;
    out.summaries.assign(x.n_summaries, std::numeric_limits<double>::quiet_NaN());
  }
  out.state = std::move(r.state);
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

// The chunk outcome of a network sweep's variants: the base with each one's values substituted.
ChunkNetworks path_networks(const NetworkSweep& n, const sim::DesignTable& design,
                            const std::vector<std::uint64_t>& variants) {
  ChunkNetworks x;
  x.config = [&n, &design, &variants](std::size_t k) {
    return network::parse_network_config(network_variant_config(n, design, variants[k]), false);
  };
  x.summaries = [&n](const NetworkConfig& c, const network::NetworkResult& r) {
    return network_summaries(n, c, r);
  };
  x.n_summaries = n.summaries.size();
  return x;
}

}  // namespace

NetworkVariantResult run_network_variant(const NetworkSweep& n, const sim::DesignTable& design, std::size_t v,
                                         int threads) {
  const NetworkConfig c = network::parse_network_config(network_variant_config(n, design, v), false);
  const std::vector<std::uint64_t> one{v};
  network::NetworkResult r = std::move(run_networks({&c}, threads).front());
  return variant_result(path_networks(n, design, one), c, r);
}

namespace {

// The variants `configs` as one batch, or one by one where they cannot batch or one fails.
std::vector<NetworkVariantResult> batch_or_alone(const ChunkNetworks& x,
                                                 const std::vector<NetworkConfig>& configs, int threads,
                                                 bool& batched) {
  std::vector<const NetworkConfig*> all;
  for (const auto& c : configs) all.push_back(&c);
  std::vector<NetworkVariantResult> out;
  batched = false;
  if (all.size() > 1 && network::batch_unsupported(all).empty()) {
    std::vector<network::NetworkResult> r = run_networks(all, threads);
    // A batch stops as a whole when one variant fails: then every variant runs alone (the same results
    // for the others — bit for bit on the CPU, to rounding on the GPU — and each failure its own).
    if (std::all_of(r.begin(), r.end(), [](const network::NetworkResult& y) { return y.complete; })) {
      for (std::size_t k = 0; k < r.size(); ++k) out.push_back(variant_result(x, configs[k], r[k]));
      batched = true;
      return out;
    }
  }
  for (std::size_t k = 0; k < configs.size(); ++k) {
    network::NetworkResult r = std::move(run_networks({all[k]}, threads).front());
    out.push_back(variant_result(x, configs[k], r));
  }
  return out;
}

// Small networks on the CPU (every group below the engine's threading threshold) gain more from one batch
// per thread than from threading inside one batch, whose per-step loops over them stay short. (On a GPU the
// whole chunk is one batch.)
bool small_cpu_network(const NetworkConfig& c) {
  return c.device == Device::cpu &&
         std::all_of(c.groups.begin(), c.groups.end(), [](const GroupConfig& g) { return g.n < 1024; });
}

}  // namespace

std::vector<NetworkVariantResult> run_network_chunk(const NetworkSweep& n, const sim::DesignTable& design,
                                                    const std::vector<std::uint64_t>& variants, int threads,
                                                    bool* batched) {
  return run_network_batches(path_networks(n, design, variants), variants.size(), threads, batched);
}

std::vector<NetworkVariantResult> run_network_batches(const ChunkNetworks& x, std::size_t size, int threads,
                                                      bool* batched) {
  const auto parse = [&](std::size_t lo, std::size_t hi) {
    std::vector<NetworkConfig> configs;
    configs.reserve(hi - lo);
    for (std::size_t k = lo; k < hi; ++k) configs.push_back(x.config(k));
    return configs;
  };
  const int T = threads > 0 ? threads : omp_get_max_threads();
  const std::size_t parts = static_cast<std::size_t>(T);
  bool all_batched = true;
  if (T > 1 && size >= 2 * parts && small_cpu_network(parse(0, 1).front())) {
    // The chunk as T batches, one per thread (a variant's result does not depend on its batch).
    std::vector<std::vector<NetworkVariantResult>> out(parts);
    std::vector<std::exception_ptr> error(parts);
    std::vector<char> part_batched(parts, 0);
#pragma omp parallel for schedule(static, 1) num_threads(T)
    for (std::int64_t p = 0; p < T; ++p) {
      const auto u = static_cast<std::size_t>(p);
      try {
        bool b = false;
        out[u] = batch_or_alone(x, parse(size * u / parts, size * (u + 1) / parts), 1, b);
        part_batched[u] = b;
      } catch (...) {  // exceptions must not leave the parallel region
        error[u] = std::current_exception();
      }
    }
    std::vector<NetworkVariantResult> all;
    for (std::size_t p = 0; p < parts; ++p) {
      if (error[p]) std::rethrow_exception(error[p]);
      all_batched = all_batched && part_batched[p];
      all.insert(all.end(), std::make_move_iterator(out[p].begin()), std::make_move_iterator(out[p].end()));
    }
    if (batched) *batched = all_batched;
    return all;
  }
  std::vector<NetworkVariantResult> out = batch_or_alone(x, parse(0, size), threads, all_batched);
  if (batched) *batched = all_batched;
  return out;
}

json network_summary_descriptions(const NetworkSweep& n) {
  json out = json::array();
  for (const auto& s : n.summaries) {
    const bool releases = s.stat == NetworkStat::state && sim::summary_is_spike_stat(s.state_stat);
    json d = {{"name", s.name}, {"stat", stat_text(s)}, {releases ? "projection" : "group", s.group}};
    if (!s.variable.empty()) d["variable"] = s.variable;
    if (s.has_threshold) d["threshold"] = s.threshold;
    if (s.index >= 0) d["index"] = s.index;
    out.push_back(d);
  }
  return out;
}

}  // namespace glia::sweep
