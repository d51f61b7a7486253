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
  if (c.two_tower) {
    pair_in_weight_ = &params_.add("pair.in.weight", {c.pair_hidden, 4 * c.d_model});
    pair_in_bias_ = &params_.add("pair.in.bias", {c.pair_hidden});
  }
  head_weight_ = &params_.add("head.weight", {c.num_classes, c.two_tower ? c.pair_hidden : c.d_model});
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

// ---- readout: the final norm and mean pooling, then the head (one sequence) or the pair head (two towers)
// -----

template <class T>
typename SequenceClassifier<T>::PoolContext SequenceClassifier<T>::pool_forward(const Input& in,
                                                                                const Tensor<T>& z) const {
  PoolContext ctx;
  const Tensor<T>* x = &z;
  if (config_.pre_norm) {
    ctx.norm = nn::layer_norm_forward(z, final_norm_weight_->value, final_norm_bias_->value);
    x = &ctx.norm.out;
  }
  ctx.pool = nn::mean_pooling_forward(*x, &in.pool_mask);
  return ctx;
}

template <class T>
Tensor<T> SequenceClassifier<T>::pool_backward(const PoolContext& ctx, const Tensor<T>& d_r) {
  Tensor<T> d_z = nn::mean_pooling_backward(ctx.pool, d_r);
  if (config_.pre_norm)
    d_z = nn::layer_norm_backward(ctx.norm, final_norm_weight_->value, d_z, final_norm_weight_->grad,
                                  final_norm_bias_->grad);
  return d_z;
}

template <class T>
typename SequenceClassifier<T>::ReadoutContext SequenceClassifier<T>::readout_forward(
    const Input& in, const Tensor<T>& z, double label_smoothing) const {
  ReadoutContext ctx;
  ctx.pool = pool_forward(in, z);
  ctx.head = nn::linear_forward(ctx.pool.pool.out, head_weight_->value, &head_bias_->value);
  ctx.loss = nn::cross_entropy_forward(ctx.head.out, in.labels, label_smoothing);
  return ctx;
}

template <class T>
Tensor<T> SequenceClassifier<T>::readout_backward(const ReadoutContext& ctx, double d_loss) {
  const Tensor<T> d_logits = nn::cross_entropy_backward(ctx.loss, d_loss);
  return pool_backward(ctx.pool, nn::linear_backward(ctx.head, head_weight_->value, d_logits,
                                                     head_weight_->grad, &head_bias_->grad));
}

// ---- the encoder over one batch of sequences: whole input, segments with memory, or fam blocks
// --------------

template <class T>
typename SequenceClassifier<T>::Encoding SequenceClassifier<T>::encode(const Input& in,
                                                                       const TrainingPass& pass, double p,
                                                                       std::uint64_t seed) const {
  if (config_.fam()) return fam_encode(in, pass, p, seed);
  Encoding e;
  if (!config_.segmented) {
    e.kept.push_back(segment_forward(in, 0, nullptr, p, seed, pass.micro_step));
    return e;
  }
  const Index T_seg = in.segments, M = config_.memory_tokens;
  e.first =
      pass.truncate > 0 ? std::max<Index>(0, T_seg - pass.truncate) : 0;  // oldest segment with a backward
  e.memories.push_back(initial_memory(in.batch));
  for (Index t = 0; t < T_seg; ++t) {
    SegmentContext ctx = segment_forward(in, t, &e.memories.back(), p, seed, pass.micro_step);
    if (t + 1 < T_seg)
      e.memories.push_back(carried_memory(e.memories.back(), nn::slice_rows(ctx.out(), 0, M), t));
    if (t == T_seg - 1 || (pass.strategy == Strategy::bptt && t >= e.first)) e.kept.push_back(std::move(ctx));
  }
  return e;
}

template <class T>
const Tensor<T>& SequenceClassifier<T>::encoded_rows(const Encoding& e) const {
  if (config_.fam()) return config_.readout_memory ? e.fam.back() : e.z;
  return e.kept.back().out();
}

template <class T>
void SequenceClassifier<T>::encode_backward(const Input& in, Encoding& e, const TrainingPass& pass, double p,
                                            std::uint64_t seed, Tensor<T> d_z) {
  if (config_.fam()) return fam_encode_backward(in, e, pass, p, seed, d_z);
  if (!config_.segmented) {
    segment_backward(e.kept.back(), d_z);
    return;
  }
  const Index T_seg = in.segments, M = config_.memory_tokens;
  const std::vector<double>& rf = config_.retention.rf;
  Tensor<T> d_kept;  // gated carry: ∂L/∂mem_t through mem_{t+1} = (1 − f_t) mem_t + f_t mem'_{t+1}
  for (Index t = T_seg - 1; t >= e.first; --t) {
    SegmentContext replayed;
    const SegmentContext* ctx = &e.kept.back();
    if (pass.strategy == Strategy::amrb && t < T_seg - 1) {
      replayed = segment_forward(in, t, &e.memories[static_cast<std::size_t>(t)], p, seed, pass.micro_step);
      ctx = &replayed;
    }
    Tensor<T> d_memory = segment_backward(*ctx, d_z);  // ∂L/∂mem_t, in full once the carry's part is added
    if (d_kept.size() != 0)
      for (Index i = 0; i < d_memory.size(); ++i) d_memory[i] += d_kept[i];
    if (pass.strategy == Strategy::bptt || t == T_seg - 1)
      e.kept.pop_back();  // free the segment's activations
    if (t == 0) {
      for (Index b = 0; b < in.batch; ++b)
        memory_->grad.matrix() += d_memory.block(b * M * config_.d_model, M, config_.d_model);
    } else if (t > e.first) {
      // ∂L/∂mem'_t = f_{t−1} ∂L/∂mem_t into the previous segment's output rows; the gated carry also passes
      // (1 − f_{t−1}) ∂L/∂mem_t to mem_{t−1}.
      const double f = rf[static_cast<std::size_t>(t - 1)];
      d_z = Tensor<T>({in.batch, config_.rows(), config_.d_model});
      nn::add_rows_into(d_z, 0, nn::scaled(d_memory, f));
      if (config_.retention.gated) d_kept = nn::scaled(d_memory, 1.0 - f);
    }
  }
}

// ---- two towers: both sides through the encoder, [u, v, u∘v, u − v] through the pair MLP (NETWORKS.md §3)
// ----

namespace {
// The second tower draws other dropout masks: another Philox key.
constexpr std::uint64_t second_tower_key = 0x9e3779b97f4a7c15ull;
}  // namespace

template <class T>
typename SequenceClassifier<T>::PairContext SequenceClassifier<T>::pair_forward(
    const Input& a, const Tensor<T>& z_a, const Input& b, const Tensor<T>& z_b,
    double label_smoothing) const {
  PairContext ctx;
  ctx.a = pool_forward(a, z_a);
  ctx.b = pool_forward(b, z_b);
  const Tensor<T>& u = ctx.a.pool.out;
  const Tensor<T>& v = ctx.b.pool.out;
  const Index B = u.dim(0), d = u.dim(1);
  Tensor<T> f = Tensor<T>::uninitialized({B, 4 * d});
  for (Index r = 0; r < B; ++r)
    for (Index c = 0; c < d; ++c) {
      const T x = u[r * d + c], y = v[r * d + c];
      f[r * 4 * d + c] = x;
      f[r * 4 * d + d + c] = y;
      f[r * 4 * d + 2 * d + c] = x * y;
      f[r * 4 * d + 3 * d + c] = x - y;
    }
  ctx.in = nn::linear_forward(f, pair_in_weight_->value, &pair_in_bias_->value);
  ctx.gelu = nn::gelu_forward(ctx.in.out);
  ctx.out = nn::linear_forward(ctx.gelu.out, head_weight_->value, &head_bias_->value);
  ctx.loss = nn::cross_entropy_forward(ctx.out.out, a.labels, label_smoothing);
  return ctx;
}

template <class T>
std::pair<Tensor<T>, Tensor<T>> SequenceClassifier<T>::pair_backward(const PairContext& ctx, double d_loss) {
  const Tensor<T> d_logits = nn::cross_entropy_backward(ctx.loss, d_loss);
  const Tensor<T> d_h =
      nn::linear_backward(ctx.out, head_weight_->value, d_logits, head_weight_->grad, &head_bias_->grad);
  const Tensor<T> d_f = nn::linear_backward(ctx.in, pair_in_weight_->value, nn::gelu_backward(ctx.gelu, d_h),
                                            pair_in_weight_->grad, &pair_in_bias_->grad);
  const Tensor<T>& u = ctx.a.pool.out;
  const Tensor<T>& v = ctx.b.pool.out;
  const Index B = u.dim(0), d = u.dim(1);
  Tensor<T> d_u = Tensor<T>::uninitialized({B, d}), d_v = Tensor<T>::uninitialized({B, d});
  for (Index r = 0; r < B; ++r)
    for (Index c = 0; c < d; ++c) {
      const T* g = &d_f[r * 4 * d];
      d_u[r * d + c] = g[c] + g[2 * d + c] * v[r * d + c] + g[3 * d + c];
      d_v[r * d + c] = g[d + c] + g[2 * d + c] * u[r * d + c] - g[3 * d + c];
    }
  return {pool_backward(ctx.a, d_u), pool_backward(ctx.b, d_v)};
}

// A pair batch: each row holds the two sequences side by side, [a (W tokens) ; b (W tokens)].
template <class T>
std::pair<nn::Batch, nn::Batch> SequenceClassifier<T>::split_pair(const nn::Batch& batch) const {
  nn::require_shape(batch.tokens, {-1, -1}, "batch.tokens");
  nn::require_shape(batch.mask, batch.tokens.shape(), "batch.mask");
  const Index B = batch.tokens.dim(0), W2 = batch.tokens.dim(1);
  if (W2 % 2 != 0)
    throw ConfigError(
        "batch.tokens", nn::shape_string(batch.tokens.shape()),
        "a two-tower model reads rows of two sequences of equal width side by side: the width must "
        "be even");
  const Index W = W2 / 2;
  std::pair<nn::Batch, nn::Batch> sides;
  for (nn::Batch* side : {&sides.first, &sides.second}) {
    const Index offset = side == &sides.first ? 0 : W;
    side->tokens = Tensor<std::int32_t>({B, W});
    side->mask = Tensor<std::uint8_t>({B, W});
    side->labels = batch.labels;
    for (Index r = 0; r < B; ++r)
      for (Index i = 0; i < W; ++i) {
        side->tokens[r * W + i] = batch.tokens[r * W2 + offset + i];
        side->mask[r * W + i] = batch.mask[r * W2 + offset + i];
      }
  }
  return sides;
}

template <class T>
PassStats SequenceClassifier<T>::forward_backward(const nn::Batch& batch, const TrainingPass& pass) {
  const double p = config_.dropout;
  if (config_.two_tower) {
    const auto [batch_a, batch_b] = split_pair(batch);
    const Input a = prepare(batch_a), b = prepare(batch_b);
    const std::uint64_t seed_b = pass.dropout_seed ^ second_tower_key;
    Encoding ea = encode(a, pass, p, pass.dropout_seed), eb = encode(b, pass, p, seed_b);
    const PairContext head = pair_forward(a, encoded_rows(ea), b, encoded_rows(eb), pass.label_smoothing);
    auto [d_za, d_zb] = pair_backward(head, pass.d_loss);
    encode_backward(b, eb, pass, p, seed_b, std::move(d_zb));
    encode_backward(a, ea, pass, p, pass.dropout_seed, std::move(d_za));
    return PassStats{head.loss.loss, head.loss.correct, a.batch};
  }
  const Input in = prepare(batch);
  Encoding e = encode(in, pass, p, pass.dropout_seed);
  const ReadoutContext readout = readout_forward(in, encoded_rows(e), pass.label_smoothing);
  encode_backward(in, e, pass, p, pass.dropout_seed, readout_backward(readout, pass.d_loss));
  return PassStats{readout.loss.loss, readout.loss.correct, in.batch};
}

template <class T>
typename SequenceClassifier<T>::Evaluation SequenceClassifier<T>::evaluate(const nn::Batch& batch) const {
  TrainingPass pass;  // no dropout; AMRB keeps the fewest activations
  pass.strategy = Strategy::amrb;
  if (config_.two_tower) {
    const auto [batch_a, batch_b] = split_pair(batch);
    const Input a = prepare(batch_a), b = prepare(batch_b);
    const Encoding ea = encode(a, pass, 0.0, 0), eb = encode(b, pass, 0.0, 0);
    const PairContext head = pair_forward(a, encoded_rows(ea), b, encoded_rows(eb), 0.0);
    return {head.out.out, PassStats{head.loss.loss, head.loss.correct, a.batch}};
  }
  const Input in = prepare(batch);
  const Encoding e = encode(in, pass, 0.0, 0);
  const ReadoutContext readout = readout_forward(in, encoded_rows(e), 0.0);
  return {readout.head.out, PassStats{readout.loss.loss, readout.loss.correct, in.batch}};
}

template class SequenceClassifier<float>;
template class SequenceClassifier<double>;

}  // namespace glia::nets
