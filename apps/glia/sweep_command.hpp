#pragma once
// `glia sweep CONFIG.json [-o OUT] [--threads N] [--chunk N] [-q]`: runs a parameter sweep into
// a resumable HDF5 file (re-running the same command after an interruption finishes it).
// `glia sweep CONFIG.json --dump-config FILE [--variant N]`: writes the network config a variant runs.
#include <cstdint>
#include <string>

namespace glia::cli {

struct SweepArgs {
  std::string config_path;
  std::string output;       // overrides "output" in the config
  int threads = -1;         // -1 (not given): all cores (OMP_NUM_THREADS)
  std::int64_t chunk = -1;  // -1 (not given): the config's "chunk"
  bool quiet = false;
  std::string dump_config;  // write variant `variant`'s network config here and stop
  std::int64_t variant = 0;
};

// Returns the exit status; throws ConfigError for bad input (exit 2 in main).
int sweep_command(const SweepArgs& a);

}  // namespace glia::cli
