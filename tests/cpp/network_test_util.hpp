#pragma once
// Helpers of the network engine's tests: run a config, or read the field its ConfigError names.
#include <nlohmann/json.hpp>
#include <string>

#include "engine/core/error.hpp"
#include "models/network/network.hpp"

namespace glia::network::testing {

inline NetworkResult run(const nlohmann::json& config) {
  const NetworkConfig c = parse_network_config(config);
  return run_network(c);
}

// The field named by the ConfigError that building or running `config` raises, or "(no error)".
inline std::string config_error_field(const nlohmann::json& config) {
  try {
    run(config);
  } catch (const ConfigError& e) {
    return e.field();
  }
  return "(no error)";
}

}  // namespace glia::network::testing
