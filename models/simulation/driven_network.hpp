#pragma once
// The driven-synapse form of a `glia simulate` config (sources driving Tsodyks–Markram synapses
// one to one; README "Configuration") as the network config the engine runs: each source group
// becomes a group, each synapse group a projection without a target (one_to_one), each monitor the
// network monitor of the same name. Same random streams as any network with these groups.
#include <nlohmann/json.hpp>

#include "models/simulation/simulation_config.hpp"

namespace glia::simulation {

nlohmann::json driven_synapses_network(const SimulationConfig& config);

// Parses either form of a `glia simulate` config and returns it in the network form.
nlohmann::json as_network_config(const nlohmann::json& config);

}  // namespace glia::simulation
