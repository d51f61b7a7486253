#pragma once
// Runs a parsed SimulationConfig on the chosen backend and writes its HDF5 result file.
// Shared by the CLI (`glia simulate`) and the Python binding (`glia.simulate`).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "models/bio/driven_synapses.hpp"
#include "models/simulation/simulation_config.hpp"

namespace glia::simulation {

struct StateRecord {
  std::vector<double> t;                                 // s, sample times
  std::vector<std::uint32_t> indices;                    // recorded elements (columns)
  std::map<std::string, std::vector<double>> variables;  // name -> [sample][column]
};

struct SpikeRecord {
  std::vector<double> t;  // s
  std::vector<std::uint32_t> i;
  std::vector<double> r;  // released fraction per spike; only for synapse groups
  bool has_r = false;
};

struct SimulationResult {
  std::map<std::string, StateRecord> state;   // by monitor target
  std::map<std::string, SpikeRecord> spikes;  // by monitor target
};

// Throws ConfigError if the configured device cannot be used on this machine.
SimulationResult run_simulation(const SimulationConfig& config, const bio::ProgressFn& progress = {});

// Writes the result with provenance (glia version, git commit, resolved config, seed) into a
// file at `output`. The file is created before the run (an unwritable path fails first, with
// nothing computed) and appears at `output` only when complete.
SimulationResult simulate_to_file(const SimulationConfig& config, const std::string& output,
                                  const bio::ProgressFn& progress = {});

}  // namespace glia::simulation
