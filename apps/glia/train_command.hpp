#pragma once
// `glia train CONFIG.json [-o DIR] [--steps N] [--until-step N] [--threads N] [-q]`: trains a sequence
// classifier (docs/training_config.md); resumes from DIR/checkpoint.h5 when it exists; SIGINT/SIGTERM write a
// checkpoint and stop (exit 130; re-run the same command to continue).
// `glia evaluate CHECKPOINT [--split S] [--data DIR] [--batch-size N] [-o RESULT.json]`: loss and accuracy of
// a checkpoint on a split of its data set.
#include <CLI/CLI.hpp>
#include <string>

namespace glia::cli {

struct TrainArgs {
  std::string config_path;
  std::string output;           // overrides "output" in the config
  std::int64_t steps = 0;       // overrides training.steps (0: the config's)
  std::int64_t until_step = 0;  // checkpoint and stop after this step (0: run to the end)
  int threads = 0;
  bool quiet = false;
};

struct EvaluateArgs {
  std::string checkpoint;
  std::string split = "test";
  std::string data;  // overrides the data set of the checkpoint's config
  std::int64_t batch_size = 32;
  std::string output;  // JSON result file
  int threads = 0;
};

CLI::App* add_train_subcommand(CLI::App& app, TrainArgs& args);
CLI::App* add_evaluate_subcommand(CLI::App& app, EvaluateArgs& args);
int train_command(const TrainArgs& a);
int evaluate_command(const EvaluateArgs& a);

}  // namespace glia::cli
