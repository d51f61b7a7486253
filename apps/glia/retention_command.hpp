#pragma once
// `glia retention CONFIG.json [-o OUT] [-q] [--dump-config FILE]`: simulates the small neuron–astrocyte network under STP
// cycles, derives the retention factors RF(t, T) and fits the LTP macro model (MAPPING.md §2;
// docs/retention_config.md), and writes everything to one HDF5 file.
#include <CLI/CLI.hpp>
#include <string>

namespace glia::cli {

struct RetentionArgs {
  std::string config_path;
  std::string output;  // overrides "output" in the config
  bool quiet = false;
  std::string dump_config;  // write the network config that is simulated here and stop
};

// Adds the subcommand and its options to `app`.
CLI::App* add_retention_subcommand(CLI::App& app, RetentionArgs& args);

// Returns the exit status; throws ConfigError for bad input (exit 2 in main).
int retention_command(const RetentionArgs& a);

}  // namespace glia::cli
