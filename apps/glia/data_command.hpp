#pragma once
// `glia data generate TASK --out DIR [...]` and `glia data check DIR`: the offline long-sequence data sets
// (ListOps, Pathfinder-32, sFashion-MNIST; docs/data.md).
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace glia::cli {

struct DataArgs {
  CLI::App* generate = nullptr;
  CLI::App* check = nullptr;
  // generate
  std::string task, out, source;
  std::uint64_t seed = 0;
  std::int64_t train = 0, val = 0, test = 0, shard_size = 0, min_length = 0, max_length = 0,
               contour_length = 0;
  CLI::Option *seed_opt = nullptr, *train_opt = nullptr, *val_opt = nullptr, *test_opt = nullptr,
              *shard_opt = nullptr, *min_opt = nullptr, *max_opt = nullptr, *source_opt = nullptr,
              *contour_opt = nullptr;
  bool quiet = false;
  // check
  std::string dir, check_source;
  CLI::Option* check_source_opt = nullptr;
};

// Adds `data` with its subcommands `generate` and `check` to `app`.
CLI::App* add_data_subcommand(CLI::App& app, DataArgs& args);

// Returns the exit status; throws ConfigError for bad input (exit 2 in main) and RuntimeError for a
// corrupt data set (exit 1).
int data_command(const DataArgs& a);

}  // namespace glia::cli
