#pragma once
// A sweep as a JSON configuration describes it (docs/sweep_config.md): the model
// ("tripartite" and "gchi", presets that become network configs (unit_sweep.hpp), "network" or "retention"),
// time stepping, fixed parameters, the design, the
// summaries and traces to keep. Parsing checks everything, every variant included, before any work:
// ConfigError names the field and value.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/sim/design.hpp"
#include "engine/sim/summary_config.hpp"
#include "models/bio/tripartite_parameters.hpp"
#include "models/sweep/network_sweep.hpp"
#include "models/sweep/retention_sweep.hpp"

namespace glia::sweep {

struct TraceConfig {
  std::vector<std::int64_t> variants;   // design indices, ascending
  std::vector<std::string> variables;   // names
  std::int64_t every = 1;               // steps between samples
};

struct SweepSpec {
  std::string model;
  std::string parameter_set;
  bio::TripartiteParams base;                // defaults with "parameters" applied
  std::map<std::string, std::string> given;  // parameter -> its field in "parameters"
  sim::DesignTable design;
  std::vector<const bio::TripartiteParameter*> design_params;  // per design column
  std::vector<std::string> variables;                          // the model's variable names
  std::vector<sim::SummarySpec> summaries;                     // tripartite, gchi
  std::vector<std::string> summary_names;                      // every model: the result datasets, in order
  nlohmann::json summary_info;                       // every model: descriptions for the result file
  NetworkSweep network;                              // "network": base, paths, summaries
  RetentionSweep retention;                          // "retention": base, paths, summaries
  std::uint64_t seed = 0;                            // the file's "seed" attribute
  double duration = 0.0, dt = 0.0, transient = 0.0;  // s
  std::int64_t n_steps = 0, n_transient = 0;
  std::string method_name = "rk4";
  std::string input;  // tripartite: "poisson" or "regular"
  TraceConfig traces;
  std::int64_t chunk = 256;  // variants per chunk (1 for networks, 16 for retention)
  std::string device = "cpu";
  std::string output;
  nlohmann::json resolved;    // the effective configuration
  nlohmann::json definition;  // what determines the results: compared when resuming
};

SweepSpec parse_sweep_config(const nlohmann::json& config);
SweepSpec parse_sweep_config_text(const std::string& text, const std::string& what);

// Parameters of variant v (design index).
bio::TripartiteParams variant_params(const SweepSpec& s, std::size_t v);

}  // namespace glia::sweep
