#pragma once
// The `glia simulate` configuration: what the JSON file (or the dict given to
// glia.simulate) may contain, parsed strictly into typed structs. Documented in
// README.md ("Configuration"); every error is a ConfigError naming the field.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/core/backend.hpp"
#include "engine/sim/spike_source.hpp"
#include "models/bio/tsodyks_markram.hpp"

namespace glia::simulation {

struct SourceGroupConfig {
  std::string name;
  std::string model;  // "poisson" or "regular"
  std::uint32_t n = 0;
  sim::SpikeSourceParams params;
};

struct SynapseGroupConfig {
  std::string name;
  std::string model;   // "tsodyks_markram"
  std::string source;  // name of a source group; connection is one-to-one
  std::string preset;  // "" when every parameter is given explicitly
  bio::TsodyksMarkramParams tm;
};

struct StateMonitorConfig {
  std::string target;                  // a synapse group
  std::vector<std::string> variables;  // subset of {"u", "x"}
  std::vector<std::uint32_t> indices;  // recorded elements
  std::int64_t every = 1;              // steps between samples
};

struct SpikeMonitorConfig {
  std::string target;  // a source group (t, i) or a synapse group (t, i, r)
};

struct SimulationConfig {
  double duration = 0.0;  // s
  double dt = 0.0;        // s
  std::int64_t n_steps = 0;
  std::uint64_t seed = 0;
  Device device = Device::cpu;
  std::vector<SourceGroupConfig> groups;
  std::vector<SynapseGroupConfig> synapses;
  std::vector<StateMonitorConfig> state_monitors;
  std::vector<SpikeMonitorConfig> spike_monitors;
  std::string output;       // "" when not given
  nlohmann::json resolved;  // the effective configuration, defaults and presets filled in

  const SourceGroupConfig* find_group(const std::string& name) const;
  const SynapseGroupConfig* find_synapse(const std::string& name) const;
};

// The "simulation" section shared by every form of `glia simulate` config: duration, dt (duration a whole
// number of steps), seed (default 0) and device ("cpu" or "cuda").
struct SimulationClock {
  double duration = 0.0, dt = 0.0;  // s
  std::int64_t n_steps = 0;
  std::uint64_t seed = 0;
  Device device = Device::cpu;
};
SimulationClock parse_simulation_clock(const nlohmann::json& section);

// Named Tsodyks–Markram parameter sets (BIOPHYSICS.md §2).
bool tm_preset(const std::string& name, bio::TsodyksMarkramParams& out);

SimulationConfig parse_simulation_config(const nlohmann::json& config);
// Parses JSON text first; `what` names the source in errors (a file name or "config").
SimulationConfig parse_simulation_config_text(const std::string& text, const std::string& what);

}  // namespace glia::simulation
