#pragma once
// Sweeps of network models ("model": "network"; docs/sweep_config.md): a base network
// configuration (the JSON of `glia simulate`), a design over paths into it
// ("groups.A.params.O_beta", "projections.PE.weight", "simulation.seed"), and named network
// summaries ("rate.E", "events.A", "mean.A.C", "frequency.A.C", ...). Each variant is the base with its
// values substituted, parsed by the network parser and run by the network engine — the variants of a chunk as
// one batch where the engine can batch them, else one at a time, each on all threads; its summaries are
// reduced from the monitors the sweep adds (state statistics online, by summary monitors).
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/sim/design.hpp"
#include "engine/sim/summary.hpp"
#include "models/network/network.hpp"

namespace glia::sweep {

// A summary of a network variant: a spike rate (from a spikes monitor), or a statistic of a state
// variable or of a Tsodyks–Markram projection's releases reduced online by the engine (a summary
// monitor, network_config.hpp; sim/summary.hpp).
enum class NetworkStat { rate, events, state };

struct NetworkSummary {
  std::string name;  // as given: "rate.E", "mean.A.C", or the object form's "name"
  NetworkStat stat = NetworkStat::rate;
  std::string group;                                     // or, for a release statistic, the projection
  std::string variable;                                  // "" for rate, events and release statistics
  sim::SummaryStat state_stat = sim::SummaryStat::mean;  // NetworkStat::state
  bool has_threshold = false;
  double threshold = 0.0;
  std::int64_t index = -1;  // -1: the group mean
};

struct NetworkSweep {
  // The base configuration: its monitors replaced by those the summaries need, no output.
  nlohmann::json base;
  std::vector<nlohmann::json::json_pointer> pointers;  // per design column: where its value goes
  std::vector<std::string> parser_fields;              // per design column: the parser's name of it
  std::vector<NetworkSummary> summaries;
  double transient = 0.0;  // s
};

// Reads "network", checks the design's paths against it (names are the design's columns);
// `design` is the config's design object, read here only for its names and their fields.
// Returns the known parameters for sim::parse_design.
std::vector<sim::DesignParameter> network_design_parameters(const nlohmann::json& base,
                                                            const nlohmann::json& design,
                                                            const std::string& design_field);

// Fills `n` from the base network and the parsed design: pointers, summaries, monitors; then
// parses every variant's configuration (before any work), naming the design field and variant
// of any error the network parser raises for a substituted value.
void setup_network_sweep(NetworkSweep& n, const nlohmann::json& base, const sim::DesignTable& design,
                         const nlohmann::json& summaries, double transient, const std::string& device);

// The configuration of variant v (design index): the base with the variant's values substituted.
nlohmann::json network_variant_config(const NetworkSweep& n, const sim::DesignTable& design, std::size_t v);

// The outcome of one network variant.
struct NetworkVariantResult {
  std::vector<double> summaries;  // per summary (NaN when failed)
  bool failed = false;
  double failed_at = 0.0;       // s: the end of the last completed base step
  std::string reason;           // the engine's error
  std::string failed_variable;  // an astrocyte variable out of bounds (else "")
  double failed_value = 0.0;
  std::map<std::string, network::StateTrace> state;  // its state monitors' recordings, if it has any
};

// How the variants of a chunk become networks and their runs outcomes: `config(k)` is the k-th variant's
// configuration, `summaries(c, r)` a complete run's summaries.
struct ChunkNetworks {
  std::function<network::NetworkConfig(std::size_t k)> config;
  std::function<std::vector<double>(const network::NetworkConfig&, const network::NetworkResult&)> summaries;
  std::size_t n_summaries = 0;
};

// Runs `size` variants as batches of the network engine where they can batch (else, or when a variant of
// a batch fails, one after another); each variant's result is what it gives alone. Small CPU networks run
// one batch per thread. *batched (if given) says whether every variant ran in a batch.
std::vector<NetworkVariantResult> run_network_batches(const ChunkNetworks& x, std::size_t size, int threads,
                                                      bool* batched = nullptr);

// Builds and runs variant v; threads > 0 sets the OpenMP thread count for the run.
NetworkVariantResult run_network_variant(const NetworkSweep& n, const sim::DesignTable& design, std::size_t v,
                                         int threads);

// Builds and runs the variants of a chunk as one batch of the network engine (network.hpp) when they
// can be batched (network::batch_unsupported), else, or when a variant of the batch fails, one after
// another; either way each variant's result is what it gives alone. *batched (if given) says which ran.
std::vector<NetworkVariantResult> run_network_chunk(const NetworkSweep& n, const sim::DesignTable& design,
                                                    const std::vector<std::uint64_t>& variants, int threads,
                                                    bool* batched = nullptr);

// The summaries of a network run (complete or not: a partial run gives what it has).
std::vector<double> network_summaries(const NetworkSweep& n, const network::NetworkConfig& c,
                                      const network::NetworkResult& r);

// Descriptions of the summaries for the result file's /summaries attribute.
nlohmann::json network_summary_descriptions(const NetworkSweep& n);

}  // namespace glia::sweep
