#pragma once
// The ConfigError message parse_sweep_config gives for a config, or "no error": for the sweep tests' checks
// of what bad input says.
#include <nlohmann/json.hpp>
#include <string>

#include "engine/core/error.hpp"
#include "models/sweep/sweep_config.hpp"

namespace glia::sweep {

inline std::string error_of(const nlohmann::json& config) {
  try {
    parse_sweep_config(config);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace glia::sweep
