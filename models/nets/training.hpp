#pragma once
// Training runs of the sequence classifiers (docs/training_config.md): a config naming the model, the data
// set and the optimisation; AdamW with a learning-rate schedule, gradient clipping and accumulation;
// checkpoints every N steps, at the end and on interrupt; a per-step metrics log and a progress line. A run
// whose output directory holds a checkpoint resumes from it and continues bit for bit (all randomness is
// counter-based and the data position is saved); evaluation of a checkpoint on any split.
#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/nn/optim/adamw.hpp"
#include "engine/nn/optim/schedule.hpp"
#include "models/nets/model_config.hpp"
#include "models/nets/sequence_classifier.hpp"

namespace glia::data {
class Dataset;
}

namespace glia::nets {

struct TrainConfig {
  ModelConfig model;
  std::string data_path;
  std::string train_split = "train";
  std::string eval_split = "val";   // "" for none
  std::string test_split = "test";  // "" for none; evaluated at the end
  std::int64_t eval_examples = 0;   // periodic evaluations use the first N examples (0: all)
  std::int64_t steps = 0;
  std::int64_t batch_size = 16;
  std::int64_t accumulate = 1;
  Strategy strategy = Strategy::bptt;
  Index truncate = 0;
  double label_smoothing = 0.0;
  double clip = 1.0;  // global gradient-norm limit; 0 disables
  std::uint64_t seed = 0;
  nn::AdamWParams optimizer;
  nn::LrSchedule schedule;
  std::int64_t eval_every = 0, checkpoint_every = 100, log_every = 10;
  std::string output;       // run directory
  nlohmann::json resolved;  // the config with every default filled in
};

TrainConfig parse_train_config(const nlohmann::json& config);
TrainConfig parse_train_config_text(const std::string& text, const std::string& what);

struct EvalResult {
  std::string split;
  double loss = 0, accuracy = 0;
  std::int64_t examples = 0;
};

struct TrainOptions {
  bool progress = true;                     // progress line on stderr
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by SIGINT): checkpoint and return
  std::int64_t until_step = 0;              // > 0: checkpoint and return after this step (the schedule still
                                            // runs to training.steps), to split a long run into sessions
};

struct TrainResult {
  std::int64_t step = 0;                // optimizer steps done
  std::int64_t resumed_from = 0;        // 0: a fresh run
  bool interrupted = false;             // stopped by options.stop or options.until_step before training.steps
  double train_seconds = 0;             // this invocation
  std::vector<EvalResult> evaluations;  // at the end: the eval and test splits
  std::string checkpoint, metrics, result;  // files written
};

TrainResult train(const TrainConfig& config, const TrainOptions& options = {});

// Mean loss and accuracy over the first `max_examples` (0: all) examples of a split, in file order.
EvalResult evaluate_split(const SequenceClassifier<float>& model, const data::Dataset& data,
                          std::int64_t batch_size, std::int64_t max_examples = 0);

// Loads a checkpoint and evaluates it on the first `max_examples` (0: all) examples of a split of its data
// set (or of `data_path` when not empty).
// The run config stored in a checkpoint, parsed; configs of older checkpoints get the settings they were
// trained with where a default has changed since (σ's synaptic scale: 1/N).
TrainConfig parse_checkpoint_config(const std::string& config_json, const std::string& what);

EvalResult evaluate_checkpoint(const std::string& checkpoint, const std::string& split,
                               const std::string& data_path, std::int64_t batch_size,
                               std::int64_t max_examples = 0, const std::string& batch_field = "batch_size");

// The examples at `indices` of a data set as one batch, at the data set's pad width.
nn::Batch read_batch(const data::Dataset& data, const std::vector<std::int64_t>& indices);

// ConfigError naming `field` when the data set does not fit the model (vocabulary, classes, length).
void check_data_fits_model(const data::Dataset& data, const ModelConfig& model, const std::string& field);

}  // namespace glia::nets
