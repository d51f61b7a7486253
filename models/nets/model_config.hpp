#pragma once
// The config of the sequence classifiers (docs/model_config.md): which of the six models, its sizes,
// attention options, segment recurrence and retention source. Parsed strictly: unknown keys, keys that do
// not belong to the model's kind, and out-of-range values are ConfigErrors naming the field.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/nn/ops/astromorphic_attention.hpp"
#include "engine/nn/tensor.hpp"

namespace glia::nets {

using nn::Index;

enum class AttentionKind { softmax, linear, astromorphic, srformer, fam };

struct RetentionSource {
  std::string source = "none";         // "none", "file", "exponential"
  std::string path;                    // file
  std::string table = "simulated";     // file: "simulated" or "fitted"
  double c = 0.0;                      // exponential: tau_c / tau_L
  std::string normalization = "mean";  // "sum": Σ_t RF = 1 as derived; "mean": T · RF (mean 1)
  bool gated = false;  // carry: false: mem_{t+1} = f_t mem'; true: mem_{t+1} = mem_t + f_t (mem' − mem_t)
  std::vector<double> rf;  // f_t: RF(t, T), t = 1..T, normalised; resolved at parse time (all 1 for "none")
};

struct ModelConfig {
  std::string name;  // transformer, linear_transformer, at, rmt, rlt, rmaat
  AttentionKind attention = AttentionKind::softmax;
  bool segmented = false;
  Index vocab_size = 0, num_classes = 0, max_length = 0;
  Index d_model = 64, heads = 4, layers = 2, ffn = 256;
  double dropout = 0.1;
  bool pre_norm = true;
  bool learned_positions = true;
  double init_std = 0.02;
  std::uint64_t seed = 0;
  nn::AstromorphicAttentionOptions astro;              // at, rmaat
  double decay_init = 0.1;                             // initial s = softplus(rho)
  double linear_epsilon = 1e-6;                        // linear_transformer, rlt
  double raf_lambda_init = 0.1, raf_theta_init = 0.1;  // srformer: initial RAF leak λ and threshold θ
  // srformer: segment_length is the op's S (no memory); fam: the block length B_len and F FAM rows per layer.
  Index segment_length = 0, memory_tokens = 0;
  Index mem_segment = 1;       // fam: cached previous blocks each block attends to
  bool readout_memory = true;  // segment models (default) and fam: "memory" (true) or "tokens"
  // Segment models: token i of segment t takes position M + t·S + i ("global") instead of M + i ("local");
  // memory rows keep positions 0..M-1 in every segment.
  bool global_positions = false;
  // Two towers (NETWORKS.md §3): each row holds two sequences side by side, each encoded alone; the pooled u,
  // v give [u, v, u∘v, u − v] → Linear(4 d → pair_hidden) → GELU → head.
  bool two_tower = false;
  Index pair_hidden = 0;
  RetentionSource retention;  // rmaat
  nlohmann::json resolved;    // the config with every default filled in

  Index d_head() const { return d_model / heads; }
  bool fam() const { return attention == AttentionKind::fam; }
  // fam: blocks of segment_length rows over max_length (the last one may be shorter).
  Index blocks() const { return (max_length + segment_length - 1) / segment_length; }
  Index segments() const { return segmented ? (max_length + segment_length - 1) / segment_length : 1; }
  // Rows one pass of the block stack sees: M + S for segment models, max_length otherwise.
  Index rows() const { return segmented ? memory_tokens + segment_length : max_length; }
  // Rows of the position table: M + T·S (global segment positions), M + S (local) or max_length.
  Index position_rows() const {
    return segmented && global_positions ? memory_tokens + padded_length() : rows();
  }
  // Input width every batch is padded to: T·S or max_length.
  Index padded_length() const { return segmented ? segments() * segment_length : max_length; }
};

// `field` is the path of the model object in the surrounding config ("model" in a training config).
ModelConfig parse_model_config(const nlohmann::json& config, const std::string& field = "model");

// Refuses (ConfigError naming the field that asks for most) a model whose parameters, optimizer state and the
// activations of a batch of `batch` examples cannot fit in this machine's memory, before anything is
// allocated.
void check_model_memory(const ModelConfig& c, Index batch, const std::string& model_field,
                        const std::string& batch_field);

}  // namespace glia::nets
