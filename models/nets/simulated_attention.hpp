#pragma once
// A trained at or rmaat model evaluated with every attention head run as a neuron–astrocyte simulation
// (MAPPING.md §1, issue #6; docs/training_config.md, "Running a trained model as a simulation"). Evaluation
// only: training always uses the closed-form operator.
//
// In each astromorphic attention layer the operator runs as usual, then every (batch element b, head h)
// slice of its output is replaced by mapping::simulate_head on that slice's inputs
// (mapping::head_inputs_from_attention with the pass's key mask):
// - write phase: the REAL keys of row b are presented, in order (memory rows are always real; padded keys
//   are not presented), with their values and the astrocyte activity A = P_pos E at their positions (A is
//   computed over all positions, as the op computes it);
// - the synaptic scale is the op's c = 1/N_k, N_k counting every key row of the pass, padded ones included;
// - read phase: the real rows are the queries. The output rows of padded queries keep the operator's values:
//   they never reach a prediction (every later op is row-wise, padded keys are masked out of attention, and
//   the readout pools real token rows or memory rows only).
// The simulation runs in float64 whatever the model's float type. Slices run in parallel over (b, h) with
// OpenMP, each on one thread, so the results do not depend on the thread count.
//
// Layering: engine/nn knows nothing of this; attention_layer_forward (models/nets) calls
// simulated_attention_hook while evaluate_simulated or capture_head runs on the calling thread.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/mapping/simulated_head.hpp"
#include "models/nets/sequence_classifier.hpp"

namespace glia::nets {

// The front ends' settings (glia evaluate --simulate-heads --tau-ratio …, glia.nn keywords tau_ratio …).
// Only ratios matter: the simulation is unchanged when τ_n, τ_p and dt are rescaled together, so τ_p is
// fixed at kSimulatedTauP.
struct SimulatedAttention {
  double tau_ratio = 0.01;     // τ_n/τ_p, in (0, 1); the error against the operator is of this order
  double dt_ratio = 1.0;       // dt/τ_n, in (0, 1]; τ_p/dt = 1/(tau_ratio·dt_ratio) must be a whole number
  std::string method = "rk4";  // euler, rk2 or rk4
  double neuron_leak = 1.0;    // λ of the rate neurons (1: they relax to their drive)
  double synapse_leak = 0.0;   // β of synapses and processes (0: pure integrators, the operator's limit)
};

inline constexpr double kSimulatedTauP = 0.1;  // s

// How errors name the settings: tau_ratio (Python) or --tau-ratio (command line).
enum class OptionStyle { python, command_line };

// The head settings for front-end settings; ConfigError naming the option otherwise.
mapping::SimulatedHeadSettings head_settings(const SimulatedAttention& settings,
                                             OptionStyle style = OptionStyle::python);

// ConfigError naming the model unless its attention is astromorphic (at, rmaat).
void require_astromorphic(const ModelConfig& config);

struct SimulatedEvaluationStats {
  std::int64_t heads = 0;             // (batch, head) slices simulated, over every layer and segment
  std::vector<std::string> warnings;  // simulate_head's, each once
};

// SequenceClassifier<T>::evaluate with every astromorphic attention head simulated. The settings are
// checked before any work (ConfigErrors name the setting, as simulate_head's do); `stats` (optional)
// accumulates; `on_layer` (optional) is called after each attention layer (T·L calls per batch).
template <class T>
typename SequenceClassifier<T>::Evaluation evaluate_simulated(const SequenceClassifier<T>& model,
                                                              const nn::Batch& batch,
                                                              const mapping::SimulatedHeadSettings& settings,
                                                              SimulatedEvaluationStats* stats = nullptr,
                                                              const std::function<void()>& on_layer = {});

// What evaluate_simulated presents to the simulation of one head: example b of the batch, segment t (0 for
// models without segments; the memory is the operator model's), layer l, head h.
struct CapturedHead {
  mapping::HeadInputs inputs;     // q: the real query rows; k, v, activity: the real keys; c = 1/N_k
  std::vector<Index> key_rows;    // positions (rows of the pass) of the keys presented
  std::vector<Index> query_rows;  // and of the queries
};

template <class T>
CapturedHead capture_head(const SequenceClassifier<T>& model, const nn::Batch& batch, Index example,
                          Index segment, Index layer, Index head);

// Hook of attention_layer_forward's astromorphic branch: true while evaluate_simulated or capture_head runs
// on this thread; the hook then replaces (or records) the slices of the op's output.
bool simulated_attention_active();
template <class T>
void simulated_attention_hook(nn::AstromorphicAttentionContext<T>& ctx, const nn::Tensor<T>& position,
                              const nn::Tensor<T>& decay, const nn::KeyMask* key_mask);

// The comparison of glia evaluate --simulate-heads and glia.nn.Model.compare_simulated.
struct SimulatedComparisonOptions {
  std::string split = "test";
  std::string data_path;      // "" : the data set the run trained on
  std::int64_t examples = 0;  // the first N examples of the split, in file order (0: all)
  std::int64_t batch_size = 32;
  SimulatedAttention settings;
  OptionStyle style = OptionStyle::python;
  bool progress = false;  // progress line on stderr (examples done, rate, ETA)
  std::string output;     // also write the result JSON here (atomically), when not empty
};

// Evaluates the checkpoint's model on the same examples with the operator and with simulated heads. The
// result: checkpoint, model, split, examples, operator_accuracy, simulated_accuracy, operator_loss,
// simulated_loss, agreement (fraction of identical arg-max predictions), disagreements, max_abs_logit_diff,
// mean_abs_logit_diff, heads_simulated, warnings, settings (the front-end ones and the head settings they
// give), operator_seconds, simulated_seconds, wall_seconds, threads, and provenance (glia_version,
// git_commit, created, checkpoint_step, seed, config: the run's resolved config).
nlohmann::json compare_simulated_checkpoint(const std::string& checkpoint,
                                            const SimulatedComparisonOptions& options);

// The network config (mapping::simulated_head_config) of the first head the comparison simulates:
// example 0 of the split, segment 0, layer 0, head 0 (glia evaluate --simulate-heads --dump-config).
nlohmann::json simulated_head_checkpoint_config(const std::string& checkpoint,
                                                const SimulatedComparisonOptions& options);

}  // namespace glia::nets
