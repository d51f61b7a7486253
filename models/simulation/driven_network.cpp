#include "models/simulation/driven_network.hpp"

#include "models/network/network_config.hpp"

namespace glia::simulation {

using nlohmann::json;

json driven_synapses_network(const SimulationConfig& c) {
  json groups = json::array(), projections = json::array(), monitors = json::array();
  for (const auto& g : c.groups)
    groups.push_back({{"name", g.name}, {"model", g.model}, {"n", g.n}, {"rate", g.params.rate}, {"start", g.params.start}});
  for (const auto& s : c.synapses)
    projections.push_back({{"name", s.name},
                           {"model", "tsodyks_markram"},
                           {"source", s.source},
                           {"connect", {{"rule", "one_to_one"}}},
                           {"params", {{"U", s.tm.U}, {"tau_rec", s.tm.tau_rec}, {"tau_fac", s.tm.tau_fac}}}});
  for (const auto& m : c.state_monitors)
    monitors.push_back({{"type", "state"},
                        {"target", m.target},
                        {"variables", m.variables},
                        {"indices", m.indices},
                        {"dt", static_cast<double>(m.every) * c.dt}});
  for (const auto& m : c.spike_monitors) monitors.push_back({{"type", "spikes"}, {"target", m.target}});
  json out{{"simulation",
            {{"duration", c.duration}, {"dt", c.dt}, {"seed", c.seed}, {"device", c.device == Device::cuda ? "cuda" : "cpu"}}},
           {"groups", groups},
           {"projections", projections},
           {"monitors", monitors}};
  if (!c.output.empty()) out["output"] = c.output;
  return out;
}

json as_network_config(const json& config) {
  if (network::is_network_config(config)) return config;
  return driven_synapses_network(parse_simulation_config(config));
}

}  // namespace glia::simulation
