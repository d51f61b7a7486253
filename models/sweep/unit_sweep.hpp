#pragma once
// The tripartite unit and the bare G-ChI astrocyte ("model": "tripartite" / "gchi", docs/sweep_config.md) as
// presets of the network engine: each variant's parameters become a network config — a spike source P
// driving one Tsodyks–Markram synapse S whose glutamate reaches a G-ChI astrocyte A (decaying exactly inside
// its step), or A alone under constant glutamate — with a summary monitor per summary and, for a traced
// variant, state monitors. A chunk runs as batches of the network engine (network_sweep.hpp).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/sweep/sweep_config.hpp"
#include "models/sweep/sweep_file.hpp"

namespace glia::sweep {

// The network configuration of a variant with parameters p; `traced` adds its trace monitors.
nlohmann::json unit_network_config(const SweepSpec& s, const bio::TripartiteParams& p, bool traced);

// The network configuration design variant v of a tripartite, gchi or network sweep runs (its summary
// monitors included; for the presets monitor "s<k>" is summary k, and a traced variant has its trace
// monitors); what `glia sweep --dump-config` writes. ConfigError for v out of range or a retention sweep.
nlohmann::json variant_network_config(const SweepSpec& s, std::int64_t v,
                                      const std::string& field = "variant");

// Runs the design indices `variants`; slot_row receives, per trace slot of the chunk's traces, the variant's
// row in the sweep's traces.
ChunkResults run_unit_chunk(const SweepSpec& s, const std::vector<std::uint64_t>& variants,
                            std::vector<std::int64_t>& slot_row, int threads);

}  // namespace glia::sweep
