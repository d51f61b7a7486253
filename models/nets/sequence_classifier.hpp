#pragma once
// The sequence classifiers of docs/model_config.md as one model: embedding + positions, the block stack,
// pooling and a linear head, run over the whole input (transformer, linear_transformer, at, srformer), over
// T segments with M memory tokens carried between them (rmt, rlt, rmaat; mem_{t+1} = RF(t, T) · mem'_{t+1}),
// or block by block with each layer's F FAM rows carried between blocks (fam, models/nets/fam_blocks.cpp).
// Segment models and fam train by BPTT (every segment's activations kept, optionally truncated) or AMRB
// (only the carried states kept; each segment re-run during the backward pass) with the same gradients.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/nn/batch.hpp"
#include "engine/nn/parameters.hpp"
#include "models/nets/encoder_block.hpp"
#include "models/nets/model_config.hpp"

namespace glia::nets {

enum class Strategy { bptt, amrb };
// "bptt" or "amrb"; ConfigError naming `field` otherwise.
Strategy strategy_from_name(const std::string& field, const std::string& name);
const char* strategy_name(Strategy s);

// How one training pass runs.
struct TrainingPass {
  std::uint64_t dropout_seed = 0;
  std::int64_t micro_step = 0;  // dropout key step: the micro-batch counter of the run
  double d_loss = 1.0;  // the gradient is d_loss · ∂loss/∂θ (1/K for K accumulated micro-batches)
  double label_smoothing = 0.0;
  Strategy strategy = Strategy::bptt;  // segment models
  Index truncate = 0;  // segment models: backpropagate through the last `truncate` segments (0: all)
};

struct PassStats {
  double loss = 0;    // mean over the batch
  Index correct = 0;  // arg-max predictions equal to the label
  Index examples = 0;
};

// Whether AdamW decays a parameter of these models (NETWORKS.md §3): weight matrices, the token embedding and
// the astrocyte position code E are decayed; layer-norm gains, biases, learned positions and memory tokens
// are not, nor the scalars behind a softplus (the astrocyte decay ρ, a learned synaptic scale), which weight
// decay would pull toward softplus(0) rather than toward zero.
bool decays_weight(const std::string& parameter_name);

template <class T>
std::vector<bool> weight_decay_mask(const nn::ParameterSet<T>& params) {
  std::vector<bool> mask;
  for (std::size_t i = 0; i < params.size(); ++i) mask.push_back(decays_weight(params[i].name));
  return mask;
}

template <class T>
class SequenceClassifier {
 public:
  // Registers the parameters (docs/model_config.md order) and initialises them from config.seed.
  explicit SequenceClassifier(ModelConfig config);

  const ModelConfig& config() const { return config_; }
  nn::ParameterSet<T>& parameters() { return params_; }
  // Puts parameters that have a domain back into it after an optimizer step: srformer's RAF leak λ ≥ 0 and
  // threshold θ ≥ 1e-6 (projected gradient descent; the forward pass refuses values outside).
  void project_parameters();
  // The memory carried from segment t (input memory, its output memory rows) into segment t + 1.
  nn::Tensor<T> carried_memory(const nn::Tensor<T>& memory, const nn::Tensor<T>& written, Index t) const;
  const nn::ParameterSet<T>& parameters() const { return params_; }

  // Forward, loss and backward: adds pass.d_loss · ∂loss/∂θ to the parameter gradients.
  PassStats forward_backward(const nn::Batch& batch, const TrainingPass& pass);

  // Forward without dropout: logits (B, C) and the loss.
  struct Evaluation {
    nn::Tensor<T> logits;
    PassStats stats;
  };
  Evaluation evaluate(const nn::Batch& batch) const;

 private:
  struct Input;
  struct SegmentContext;
  struct PoolContext;
  struct ReadoutContext;
  struct PairContext;
  struct Encoding;
  struct FamBlock;
  using FamKeys = std::vector<std::vector<KeysValues<T>>>;  // [layer][block]: the tokens' keys and values

  void initialize();
  Input prepare(const nn::Batch& batch) const;
  SegmentContext segment_forward(const Input& in, Index segment, const nn::Tensor<T>* memory, double p,
                                 std::uint64_t seed, std::int64_t step) const;
  // Returns the gradient with respect to the memory input (empty for non-segment models).
  nn::Tensor<T> segment_backward(const SegmentContext& ctx, const nn::Tensor<T>& d_out);
  // The encoder over one batch of sequences, keeping what encode_backward needs (per pass.strategy); dropout
  // p with key `seed`. encode_backward adds the parameters' gradients given ∂L/∂(encoded_rows).
  Encoding encode(const Input& in, const TrainingPass& pass, double p, std::uint64_t seed) const;
  void encode_backward(const Input& in, Encoding& e, const TrainingPass& pass, double p, std::uint64_t seed,
                       nn::Tensor<T> d_z);
  // The rows the readout pools: the last block's output, the last segment's, fam's tokens or last FAM.
  const nn::Tensor<T>& encoded_rows(const Encoding& e) const;
  PoolContext pool_forward(const Input& in, const nn::Tensor<T>& z) const;
  nn::Tensor<T> pool_backward(const PoolContext& ctx, const nn::Tensor<T>& d_r);
  ReadoutContext readout_forward(const Input& in, const nn::Tensor<T>& z, double label_smoothing) const;
  nn::Tensor<T> readout_backward(const ReadoutContext& ctx, double d_loss);
  // Two towers (NETWORKS.md §3): the batch's rows are two sequences side by side; the pair head.
  std::pair<nn::Batch, nn::Batch> split_pair(const nn::Batch& batch) const;
  PairContext pair_forward(const Input& a, const nn::Tensor<T>& z_a, const Input& b, const nn::Tensor<T>& z_b,
                           double label_smoothing) const;
  std::pair<nn::Tensor<T>, nn::Tensor<T>> pair_backward(const PairContext& ctx, double d_loss);
  nn::Tensor<T> initial_memory(Index batch) const;
  nn::Tensor<T> segment_position_rows(const nn::Tensor<T>& table, Index segment) const;
  // fam (fam_blocks.cpp): block `block` through every layer from the FAM entering it (per layer) and the
  // keys and values of the earlier blocks.
  FamBlock fam_block_forward(const Input& in, Index block, const std::vector<nn::Tensor<T>>& fam,
                             const FamKeys& keys, double p, std::uint64_t seed, std::int64_t step) const;
  FamCache<T> fam_cache(const Input& in, const FamKeys& keys, Index layer, Index block) const;
  std::vector<nn::Tensor<T>> initial_fam(Index batch) const;
  Encoding fam_encode(const Input& in, const TrainingPass& pass, double p, std::uint64_t seed) const;
  void fam_encode_backward(const Input& in, Encoding& e, const TrainingPass& pass, double p,
                           std::uint64_t seed, const nn::Tensor<T>& d_z);
  void add_segment_position_rows(const nn::Tensor<T>& d_rows, Index segment, nn::Tensor<T>& d_table) const;

  ModelConfig config_;
  nn::ParameterSet<T> params_;
  nn::Parameter<T>* embedding_ = nullptr;
  nn::Parameter<T>* positions_ = nullptr;  // learned positions only
  nn::Tensor<T> sinusoidal_;               // sinusoidal global segment positions: the whole table
  nn::Parameter<T>* memory_ = nullptr;     // segment models (M, d); fam with F ≥ 1: (layers, F, d)
  std::vector<BlockWeights<T>> blocks_;
  nn::Parameter<T>* final_norm_weight_ = nullptr;  // pre-norm only
  nn::Parameter<T>* final_norm_bias_ = nullptr;
  nn::Parameter<T>* pair_in_weight_ = nullptr;  // two towers: the pair MLP's hidden layer (H, 4 d)
  nn::Parameter<T>* pair_in_bias_ = nullptr;
  nn::Parameter<T>* head_weight_ = nullptr;  // (classes, d), or (classes, H) after the pair MLP
  nn::Parameter<T>* head_bias_ = nullptr;
};

}  // namespace glia::nets
