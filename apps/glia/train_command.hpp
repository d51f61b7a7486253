#pragma once
// `glia train CONFIG.json [-o DIR] [--steps N] [--until-step N] [--threads N] [-q]`: trains a sequence
// classifier (docs/training_config.md); resumes from DIR/checkpoint.h5 when it exists; SIGINT/SIGTERM write a
// checkpoint and stop (exit 130; re-run the same command to continue).
// `glia evaluate CHECKPOINT [--split S] [--data DIR] [--batch-size N] [--examples N] [-o RESULT.json]`: loss
// and accuracy of a checkpoint on a split of its data set. With `--simulate-heads [--tau-ratio R] [--dt-ratio
// R]
// [--method M] [--neuron-leak L] [--synapse-leak B] [-q]` (at, rmaat) the same examples are evaluated with
// the operator and with every attention head run as a neuron-astrocyte simulation
// (models/nets/simulated_attention), and the two are compared.
#include <CLI/CLI.hpp>
#include <string>

namespace glia::cli {

struct TrainArgs {
  std::string config_path;
  std::string output;           // overrides "output" in the config
  std::int64_t steps = 0;       // overrides training.steps (0: the config's)
  std::int64_t until_step = 0;  // checkpoint and stop after this step (0: run to the end)
  std::uint64_t seed = 0;       // with seed_opt given: overrides model.seed and training.seed
  CLI::Option* seed_opt = nullptr;
  int threads = 0;
  bool quiet = false;
};

struct EvaluateArgs {
  std::string checkpoint;
  std::string split = "test";
  std::string data;  // overrides the data set of the checkpoint's config
  std::int64_t batch_size = 32;
  std::string output;         // JSON result file
  std::int64_t examples = 0;  // the first N examples of the split (0: all)
  int threads = 0;
  bool simulate_heads = false;  // compare the operator with simulated heads
  double tau_ratio = 0.01, dt_ratio = 1.0, neuron_leak = 1.0, synapse_leak = 0.0;
  std::string method = "rk4";
  bool quiet = false;       // no progress line
  std::string dump_config;  // write the network config of the first simulated head here and stop
};

CLI::App* add_train_subcommand(CLI::App& app, TrainArgs& args);
CLI::App* add_evaluate_subcommand(CLI::App& app, EvaluateArgs& args);
int train_command(const TrainArgs& a);
int evaluate_command(const EvaluateArgs& a);

}  // namespace glia::cli
