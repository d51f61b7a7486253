#include "models/nets/sequence_classifier.hpp"

#include "models/nets/sequence_classifier_parts.hpp"

#include <algorithm>
#include <cmath>

#include "engine/core/philox.hpp"
#include "engine/nn/ops/cross_entropy.hpp"
#include "engine/nn/ops/embedding.hpp"
#include "engine/nn/ops/mean_pooling.hpp"
#include "engine/nn/ops/positions.hpp"
#include "engine/nn/ops/rows.hpp"

namespace glia::nets {

using nn::Tensor;

namespace {
constexpr std::uint32_t init_stream = 0x696e6974u;  // "init"

// Parameters are told apart by the ends of their names (docs/model_config.md).
bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}
}  // namespace

Strategy strategy_from_name(const std::string& field, const std::string& name) {
  if (name == "bptt") return Strategy::bptt;
  if (name == "amrb") return Strategy::amrb;
  throw ConfigError(field, name, "expected \"bptt\" or \"amrb\"");
}

const char* strategy_name(Strategy s) { return s == Strategy::bptt ? "bptt" : "amrb"; }

template <class T>
SequenceClassifier<T>::SequenceClassifier(ModelConfig config) : config_(std::move(config)) {
  const ModelConfig& c = config_;
  embedding_ = &params_.add("embedding", {c.vocab_size, c.d_model});
  if (c.learned_positions) positions_ = &params_.add("positions", {c.position_rows(), c.d_model});
  if (!c.learned_positions && (c.global_positions || c.fam()))
    sinusoidal_ = nn::sinusoidal_table<T>(c.position_rows(), c.d_model);
  if (c.segmented) memory_ = &params_.add("memory", {c.memory_tokens, c.d_model});
  if (c.fam() && c.memory_tokens > 0)
    memory_ = &params_.add("memory", {c.layers, c.memory_tokens, c.d_model});
  for (Index l = 0; l < c.layers; ++l) blocks_.push_back(add_block_weights(params_, l, c));
  if (c.pre_norm) {
    final_norm_weight_ = &params_.add("final_norm.weight", {c.d_model});
    final_norm_bias_ = &params_.add("final_norm.bias", {c.d_model});
  }
  head_weight_ = &params_.add("head.weight", {c.num_classes, c.d_model});
  head_bias_ = &params_.add("head.bias", {c.num_classes});
  initialize();
}

bool decays_weight(const std::string& n) {
  return !(n == "positions" || n == "memory" || n == "final_norm.weight" || ends_with(n, ".bias") ||
           ends_with(n, "norm1.weight") || ends_with(n, "norm2.weight") || ends_with(n, ".decay") ||
           ends_with(n, ".synaptic_scale") || ends_with(n, ".leak") || ends_with(n, ".threshold"));
}

template <class T>
void SequenceClassifier<T>::project_parameters() {
  if (config_.attention != AttentionKind::srformer) return;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    nn::Parameter<T>& p = params_[i];
    if (ends_with(p.name, ".leak")) p.value[0] = std::max(p.value[0], T(0));
    if (ends_with(p.name, ".threshold")) p.value[0] = std::max(p.value[0], static_cast<T>(1e-6));
  }
}

template <class T>
void SequenceClassifier<T>::initialize() {
  const double decay_rho = std::log(std::expm1(config_.decay_init));  // softplus⁻¹
  for (std::size_t i = 0; i < params_.size(); ++i) {
    nn::Parameter<T>& p = params_[i];
    const std::string& n = p.name;
    if (ends_with(n, ".bias")) {
      p.value.fill(T(0));
    } else if (ends_with(n, "norm1.weight") || ends_with(n, "norm2.weight") || n == "final_norm.weight") {
      p.value.fill(T(1));
    } else if (ends_with(n, ".decay")) {
      p.value.fill(static_cast<T>(decay_rho));
    } else if (ends_with(n, ".leak")) {
      p.value.fill(static_cast<T>(config_.raf_lambda_init));
    } else if (ends_with(n, ".threshold")) {
      p.value.fill(static_cast<T>(config_.raf_theta_init));
    } else if (ends_with(n, ".synaptic_scale")) {
      // c = softplus(ρ_c) starts at 1/√N_k, the fixed default's value
      p.value.fill(
          static_cast<T>(std::log(std::expm1(1.0 / std::sqrt(static_cast<double>(config_.rows()))))));
    } else {
      for (Index e = 0; e < p.value.size(); ++e)
        p.value[e] =
            static_cast<T>(config_.init_std * philox_normal(config_.seed, static_cast<std::int64_t>(i),
                                                            static_cast<std::uint32_t>(e), init_stream));
    }
  }
}

template <class T>
typename SequenceClassifier<T>::Input SequenceClassifier<T>::prepare(const nn::Batch& batch) const {
  const ModelConfig& c = config_;
  nn::require_shape(batch.tokens, {-1, -1}, "batch.tokens");
  nn::require_shape(batch.mask, batch.tokens.shape(), "batch.mask");
  nn::require_shape(batch.labels, {batch.tokens.dim(0)}, "batch.labels");
  const Index B = batch.tokens.dim(0), L = batch.tokens.dim(1);
  if (B < 1) throw ConfigError("batch.tokens", nn::shape_string(batch.tokens.shape()), "empty batch");
  if (L > c.max_length)
    throw ConfigError("batch.tokens", nn::shape_string(batch.tokens.shape()),
                      "sequences of " + std::to_string(L) +
                          " tokens are longer than the model's max_length " + std::to_string(c.max_length));
  const Index width = c.padded_length();
  Tensor<std::int32_t> ids({B, width});
  nn::KeyMask mask({B, width});
  for (Index b = 0; b < B; ++b) {
    Index real = 0;
    for (Index i = 0; i < L; ++i) {
      const bool is_real = batch.mask[b * L + i] != 0;
      mask[b * width + i] = is_real ? 1 : 0;
      ids[b * width + i] = is_real ? batch.tokens[b * L + i] : 0;
      real += is_real;
    }
    if (real == 0)
      throw ConfigError("batch.mask[" + std::to_string(b) + "]", "", "the sequence has no real token");
  }

  Input in;
  in.batch = B;
  in.labels = batch.labels;
  if (!c.segmented) {
    in.ids.push_back(std::move(ids));
    in.key_mask.push_back(mask);
    in.pool_mask = std::move(mask);
    if (c.fam() && c.readout_memory) {  // the last layer's FAM after the last block: F rows, all real
      in.pool_mask = nn::KeyMask({B, c.memory_tokens});
      for (Index i = 0; i < in.pool_mask.size(); ++i) in.pool_mask[i] = 1;
    }
    return in;
  }
  const Index S = c.segment_length, M = c.memory_tokens, N = M + S, T_seg = c.segments();
  in.segments = T_seg;
  for (Index t = 0; t < T_seg; ++t) {
    Tensor<std::int32_t> seg_ids({B, S});
    nn::KeyMask seg_mask({B, N});
    for (Index b = 0; b < B; ++b) {
      for (Index j = 0; j < M; ++j) seg_mask[b * N + j] = 1;
      for (Index s = 0; s < S; ++s) {
        seg_ids[b * S + s] = ids[b * width + t * S + s];
        seg_mask[b * N + M + s] = mask[b * width + t * S + s];
      }
    }
    in.ids.push_back(std::move(seg_ids));
    in.key_mask.push_back(std::move(seg_mask));
  }
  // Readout rows: the memory, or the last segment's real tokens (the memory when it has none).
  in.pool_mask = nn::KeyMask({B, N});
  const nn::KeyMask& last = in.key_mask.back();
  for (Index b = 0; b < B; ++b) {
    bool any_token = false;
    for (Index s = M; s < N; ++s) any_token |= last[b * N + s] != 0;
    const bool memory_rows = c.readout_memory || !any_token;
    for (Index j = 0; j < N; ++j)
      in.pool_mask[b * N + j] = memory_rows ? (j < M) : (j >= M && last[b * N + j]);
  }
  return in;
}

// Global segment positions: the M memory rows of the table, then the S rows of segment `segment`.
template <class T>
Tensor<T> SequenceClassifier<T>::segment_position_rows(const Tensor<T>& table, Index segment) const {
  const Index M = config_.memory_tokens, S = config_.segment_length, d = config_.d_model;
  Tensor<T> rows = Tensor<T>::uninitialized({M + S, d});
  rows.block(0, M, d) = table.block(0, M, d);
  rows.block(M * d, S, d) = table.block((M + segment * S) * d, S, d);
  return rows;
}

template <class T>
void SequenceClassifier<T>::add_segment_position_rows(const Tensor<T>& d_rows, Index segment,
                                                      Tensor<T>& d_table) const {
  const Index M = config_.memory_tokens, S = config_.segment_length, d = config_.d_model;
  d_table.block(0, M, d) += d_rows.block(0, M, d);
  d_table.block((M + segment * S) * d, S, d) += d_rows.block(M * d, S, d);
}

template <class T>
Tensor<T> SequenceClassifier<T>::initial_memory(Index batch) const {
  const Index M = config_.memory_tokens, d = config_.d_model;
  Tensor<T> mem({batch, M, d});
  for (Index b = 0; b < batch; ++b) mem.block(b * M * d, M, d) = memory_->value.block(0, M, d);
  return mem;
}

// The memory carried into segment t + 1 from segment t's input memory and its output rows (NETWORKS.md §3):
// f_t · mem', or mem_t + f_t (mem' − mem_t) with the gated carry.
template <class T>
Tensor<T> SequenceClassifier<T>::carried_memory(const Tensor<T>& memory, const Tensor<T>& written,
                                                Index t) const {
  const double f = config_.retention.rf[static_cast<std::size_t>(t)];
  Tensor<T> next = nn::scaled(written, f);
  if (config_.retention.gated)
    for (Index i = 0; i < next.size(); ++i) next[i] += static_cast<T>(1.0 - f) * memory[i];
  return next;
}

template <class T>
typename SequenceClassifier<T>::SegmentContext SequenceClassifier<T>::segment_forward(
    const Input& in, Index segment, const Tensor<T>* memory, double p, std::uint64_t seed,
    std::int64_t step) const {
  const auto key = [&](std::uint32_t site) {
    return nn::DropoutKey{seed, step, static_cast<std::uint32_t>(segment) * sites_per_segment + site};
  };
  SegmentContext ctx;
  ctx.segment = segment;
  ctx.embedding = nn::embedding_forward(in.ids[static_cast<std::size_t>(segment)], embedding_->value);
  ctx.input = memory ? nn::concat_rows(*memory, ctx.embedding.out) : ctx.embedding.out;
  if (config_.global_positions)
    ctx.positions = nn::learned_positions_forward(
        ctx.input, segment_position_rows(positions_ ? positions_->value : sinusoidal_, segment));
  else if (positions_)
    ctx.positions = nn::learned_positions_forward(ctx.input, positions_->value);
  else
    ctx.positions.out = nn::sinusoidal_positions_forward(ctx.input).out;
  ctx.drop = nn::dropout_forward(ctx.positions.out, p, key(0));
  const nn::KeyMask* mask = &in.key_mask[static_cast<std::size_t>(segment)];
  const Tensor<T>* x = &ctx.drop.out;
  ctx.blocks.reserve(blocks_.size());
  for (std::size_t l = 0; l < blocks_.size(); ++l) {
    const auto site = static_cast<std::uint32_t>(1 + 2 * l);
    ctx.blocks.push_back(block_forward(*x, mask, config_, blocks_[l], p, key(site), key(site + 1)));
    x = &ctx.blocks.back().out;
  }
  return ctx;
}

template <class T>
Tensor<T> SequenceClassifier<T>::segment_backward(const SegmentContext& ctx, const Tensor<T>& d_out) {
  Tensor<T> d = d_out;
  for (std::size_t l = blocks_.size(); l-- > 0;) d = block_backward(ctx.blocks[l], config_, blocks_[l], d);
  d = nn::dropout_backward(ctx.drop, d);
  if (positions_ && config_.global_positions) {
    Tensor<T> d_rows({config_.rows(), config_.d_model});
    d = nn::learned_positions_backward(ctx.positions, d, d_rows);
    add_segment_position_rows(d_rows, ctx.segment, positions_->grad);
  } else if (positions_) {
    d = nn::learned_positions_backward(ctx.positions, d, positions_->grad);
  }
  if (!config_.segmented) {
    nn::embedding_backward(ctx.embedding, d, embedding_->grad);
    return {};
  }
  const Index M = config_.memory_tokens;
  nn::embedding_backward(ctx.embedding, nn::slice_rows(d, M, config_.segment_length), embedding_->grad);
  return nn::slice_rows(d, 0, M);
}

template <class T>
typename SequenceClassifier<T>::ReadoutContext SequenceClassifier<T>::readout_forward(
    const Input& in, const Tensor<T>& z, double label_smoothing) const {
  ReadoutContext ctx;
  const Tensor<T>* x = &z;
  if (config_.pre_norm) {
    ctx.norm = nn::layer_norm_forward(z, final_norm_weight_->value, final_norm_bias_->value);
    x = &ctx.norm.out;
  }
  ctx.pool = nn::mean_pooling_forward(*x, &in.pool_mask);
  ctx.head = nn::linear_forward(ctx.pool.out, head_weight_->value, &head_bias_->value);
  ctx.loss = nn::cross_entropy_forward(ctx.head.out, in.labels, label_smoothing);
  return ctx;
}

template <class T>
Tensor<T> SequenceClassifier<T>::readout_backward(const ReadoutContext& ctx, double d_loss) {
  const Tensor<T> d_logits = nn::cross_entropy_backward(ctx.loss, d_loss);
  const Tensor<T> d_pool =
      nn::linear_backward(ctx.head, head_weight_->value, d_logits, head_weight_->grad, &head_bias_->grad);
  Tensor<T> d_z = nn::mean_pooling_backward(ctx.pool, d_pool);
  if (config_.pre_norm)
    d_z = nn::layer_norm_backward(ctx.norm, final_norm_weight_->value, d_z, final_norm_weight_->grad,
                                  final_norm_bias_->grad);
  return d_z;
}

template <class T>
PassStats SequenceClassifier<T>::forward_backward(const nn::Batch& batch, const TrainingPass& pass) {
  const Input in = prepare(batch);
  if (config_.fam()) return fam_forward_backward(in, pass);
  const double p = config_.dropout;
  const auto stats = [&](const ReadoutContext& r) {
    return PassStats{r.loss.loss, r.loss.correct, in.batch};
  };

  if (!config_.segmented) {
    const SegmentContext ctx = segment_forward(in, 0, nullptr, p, pass.dropout_seed, pass.micro_step);
    const ReadoutContext readout = readout_forward(in, ctx.out(), pass.label_smoothing);
    segment_backward(ctx, readout_backward(readout, pass.d_loss));
    return stats(readout);
  }

  const Index T_seg = in.segments, M = config_.memory_tokens;
  const Index first =
      pass.truncate > 0 ? std::max<Index>(0, T_seg - pass.truncate) : 0;  // oldest segment with a backward
  const std::vector<double>& rf = config_.retention.rf;
  std::vector<Tensor<T>> memories;   // mem_1 … mem_T (AMRB's replay buffer; BPTT keeps them too)
  std::vector<SegmentContext> kept;  // BPTT: every segment from `first`; AMRB: the last one only
  memories.push_back(initial_memory(in.batch));
  for (Index t = 0; t < T_seg; ++t) {
    SegmentContext ctx = segment_forward(in, t, &memories.back(), p, pass.dropout_seed, pass.micro_step);
    if (t + 1 < T_seg)
      memories.push_back(carried_memory(memories.back(), nn::slice_rows(ctx.out(), 0, M), t));
    if (t == T_seg - 1 || (pass.strategy == Strategy::bptt && t >= first)) kept.push_back(std::move(ctx));
  }
  const ReadoutContext readout = readout_forward(in, kept.back().out(), pass.label_smoothing);
  Tensor<T> d_z = readout_backward(readout, pass.d_loss);
  Tensor<T> d_kept;  // gated carry: ∂L/∂mem_t through mem_{t+1} = (1 − f_t) mem_t + f_t mem'_{t+1}
  for (Index t = T_seg - 1; t >= first; --t) {
    SegmentContext replayed;
    const SegmentContext* ctx = &kept.back();
    if (pass.strategy == Strategy::amrb && t < T_seg - 1) {
      replayed = segment_forward(in, t, &memories[static_cast<std::size_t>(t)], p, pass.dropout_seed,
                                 pass.micro_step);
      ctx = &replayed;
    }
    Tensor<T> d_memory = segment_backward(*ctx, d_z);  // ∂L/∂mem_t, in full once the carry's part is added
    if (d_kept.size() != 0)
      for (Index i = 0; i < d_memory.size(); ++i) d_memory[i] += d_kept[i];
    if (pass.strategy == Strategy::bptt || t == T_seg - 1) kept.pop_back();  // free the segment's activations
    if (t == 0) {
      for (Index b = 0; b < in.batch; ++b)
        memory_->grad.matrix() += d_memory.block(b * M * config_.d_model, M, config_.d_model);
    } else if (t > first) {
      // ∂L/∂mem'_t = f_{t−1} ∂L/∂mem_t into the previous segment's output rows; the gated carry also passes
      // (1 − f_{t−1}) ∂L/∂mem_t to mem_{t−1}.
      const double f = rf[static_cast<std::size_t>(t - 1)];
      d_z = Tensor<T>({in.batch, config_.rows(), config_.d_model});
      nn::add_rows_into(d_z, 0, nn::scaled(d_memory, f));
      if (config_.retention.gated) d_kept = nn::scaled(d_memory, 1.0 - f);
    }
  }
  return stats(readout);
}

template <class T>
typename SequenceClassifier<T>::Evaluation SequenceClassifier<T>::evaluate(const nn::Batch& batch) const {
  const Input in = prepare(batch);
  if (config_.fam()) return fam_evaluate(in);
  Tensor<T> memory;
  if (config_.segmented) memory = initial_memory(in.batch);
  SegmentContext ctx;
  for (Index t = 0; t < in.segments; ++t) {
    ctx = segment_forward(in, t, config_.segmented ? &memory : nullptr, 0.0, 0, 0);
    if (config_.segmented)
      memory = carried_memory(memory, nn::slice_rows(ctx.out(), 0, config_.memory_tokens), t);
  }
  const ReadoutContext readout = readout_forward(in, ctx.out(), 0.0);
  return {readout.head.out, PassStats{readout.loss.loss, readout.loss.correct, in.batch}};
}

template class SequenceClassifier<float>;
template class SequenceClassifier<double>;

}  // namespace glia::nets
