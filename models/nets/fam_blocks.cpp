// TransformerFAM (NETWORKS.md §7; the choices F1–F4 and M1–M4 of
// experiments/reference/torch_srformer_fam.py): the padded sequence runs in blocks of B_len tokens, each
// block through every layer; layer l's rows are [FAM^l_τ ; the block's tokens] through the layer's own norms,
// projections, FFN and residuals, the fam operator reading also the keys and values of that layer's previous
// mem_segment blocks; the FAM rows of the output are FAM^l_{τ+1}. Block by block and layer by layer is the
// same computation as the reference's layer by layer over the whole sequence (everything outside the
// attention acts on rows), and it makes the FAM rows — with the cached keys and values — the state carried
// from block to block:
//   BPTT keeps every block's activations; AMRB keeps only the FAM entering each block (and the cached keys
//   and values, 2 d per token and layer) and re-runs each block during the backward pass, with the same
//   gradients.
#include <algorithm>

#include "engine/nn/ops/heads.hpp"
#include "engine/nn/ops/rows.hpp"
#include "models/nets/sequence_classifier.hpp"
#include "models/nets/sequence_classifier_parts.hpp"

namespace glia::nets {

using nn::Tensor;

template <class T>
std::vector<Tensor<T>> SequenceClassifier<T>::initial_fam(Index batch) const {
  const Index F = config_.memory_tokens, d = config_.d_model;
  std::vector<Tensor<T>> fam;
  for (Index l = 0; l < config_.layers; ++l) {
    Tensor<T> f({batch, F, d});
    for (Index b = 0; b < batch && F > 0; ++b)
      f.block(b * F * d, F, d) = memory_->value.block(l * F * d, F, d);
    fam.push_back(std::move(f));
  }
  return fam;
}

// Layer `layer`'s keys and values of blocks max(0, τ − mem_segment) … τ − 1: consecutive full blocks, so
// their mask is the input mask's columns [first · B_len, τ · B_len).
template <class T>
FamCache<T> SequenceClassifier<T>::fam_cache(const Input& in, const FamKeys& keys, Index layer,
                                             Index block) const {
  const Index first = std::max<Index>(0, block - config_.mem_segment), Bl = config_.segment_length;
  const Index B = in.batch, N = config_.max_length, C = (block - first) * Bl;
  FamCache<T> cache;
  if (C == 0) {
    cache.k = Tensor<T>({B, config_.heads, 0, config_.d_head()});
    cache.v = cache.k;
  } else {
    std::vector<const Tensor<T>*> k, v;
    for (Index t = first; t < block; ++t) {
      k.push_back(&keys[layer][t].k);
      v.push_back(&keys[layer][t].v);
    }
    cache.k = nn::concat_head_rows(k);
    cache.v = nn::concat_head_rows(v);
  }
  cache.mask = nn::KeyMask({B, C});
  for (Index b = 0; b < B; ++b)
    for (Index i = 0; i < C; ++i) cache.mask[b * C + i] = in.key_mask[0][b * N + first * Bl + i];
  return cache;
}

template <class T>
typename SequenceClassifier<T>::FamBlock SequenceClassifier<T>::fam_block_forward(
    const Input& in, Index block, const std::vector<Tensor<T>>& fam, const FamKeys& keys, double p,
    std::uint64_t seed, std::int64_t step) const {
  const ModelConfig& c = config_;
  const auto key = [&](std::uint32_t site) {
    return nn::DropoutKey{seed, step, static_cast<std::uint32_t>(block) * sites_per_segment + site};
  };
  const Index B = in.batch, N = c.max_length, d = c.d_model, F = c.memory_tokens;
  FamBlock ctx;
  ctx.block = block;
  ctx.begin = block * c.segment_length;
  ctx.rows = std::min(c.segment_length, N - ctx.begin);
  const Index L = ctx.rows;
  Tensor<std::int32_t> ids({B, L});
  nn::KeyMask mask({B, F + L});  // [FAM (real) ; the block's tokens]
  for (Index b = 0; b < B; ++b) {
    for (Index j = 0; j < F; ++j) mask[b * (F + L) + j] = 1;
    for (Index i = 0; i < L; ++i) {
      ids[b * L + i] = in.ids[0][b * N + ctx.begin + i];
      mask[b * (F + L) + F + i] = in.key_mask[0][b * N + ctx.begin + i];
    }
  }
  ctx.embedding = nn::embedding_forward(ids, embedding_->value);
  Tensor<T> positions = Tensor<T>::uninitialized({L, d});
  positions.matrix() = (positions_ ? positions_->value : sinusoidal_).block(ctx.begin * d, L, d);
  ctx.positions = nn::learned_positions_forward(ctx.embedding.out, positions);
  ctx.drop = nn::dropout_forward(ctx.positions.out, p, key(0));
  Tensor<T> tokens = ctx.drop.out;
  ctx.layers.reserve(blocks_.size());
  for (std::size_t l = 0; l < blocks_.size(); ++l) {
    const FamCache<T> cache = fam_cache(in, keys, static_cast<Index>(l), block);
    const auto site = static_cast<std::uint32_t>(1 + 2 * l);
    ctx.layers.push_back(block_forward(F > 0 ? nn::concat_rows(fam[l], tokens) : tokens, &mask, c, blocks_[l],
                                       p, key(site), key(site + 1), &cache));
    tokens = nn::slice_rows(ctx.layers.back().out, F, L);
  }
  return ctx;
}

namespace {

// After block τ: its keys and values join the cache, the FAM rows of each layer's output become the FAM
// entering block τ + 1, and the last layer's token rows go to the read-out rows z (null: memory read-out).
template <class T, class Block>
void advance_fam(const Block& ctx, Index F, std::vector<std::vector<KeysValues<T>>>& keys,
                 std::vector<Tensor<T>>& fam, Tensor<T>* z) {
  for (std::size_t l = 0; l < ctx.layers.size(); ++l) {
    keys[l].push_back(fam_block_keys(ctx.layers[l].attention));
    if (F > 0) fam[l] = nn::slice_rows(ctx.layers[l].out, 0, F);
  }
  if (z) nn::add_rows_into(*z, ctx.begin, nn::slice_rows(ctx.layers.back().out, F, ctx.rows));
}

template <class T>
void add_into_or_set(Tensor<T>& into, Tensor<T> x) {
  if (into.size() == 0)
    into = std::move(x);
  else
    nn::add_into(into, x);
}

}  // namespace

template <class T>
typename SequenceClassifier<T>::Encoding SequenceClassifier<T>::fam_encode(const Input& in,
                                                                           const TrainingPass& pass, double p,
                                                                           std::uint64_t seed) const {
  const ModelConfig& c = config_;
  const bool amrb = pass.strategy == Strategy::amrb;
  Encoding e;
  e.keys.resize(blocks_.size());
  e.fam = initial_fam(in.batch);
  if (!c.readout_memory) e.z = Tensor<T>({in.batch, c.max_length, c.d_model});
  for (Index t = 0; t < c.blocks(); ++t) {
    if (amrb) e.fam_in.push_back(e.fam);
    FamBlock ctx = fam_block_forward(in, t, e.fam, e.keys, p, seed, pass.micro_step);
    advance_fam(ctx, c.memory_tokens, e.keys, e.fam, c.readout_memory ? nullptr : &e.z);
    if (!amrb) e.fam_blocks.push_back(std::move(ctx));
  }
  return e;
}

template <class T>
void SequenceClassifier<T>::fam_encode_backward(const Input& in, Encoding& e, const TrainingPass& pass,
                                                double p, std::uint64_t seed, const Tensor<T>& d_z) {
  const ModelConfig& c = config_;
  const Index B = in.batch, F = c.memory_tokens, d = c.d_model, Bl = c.segment_length, blocks = c.blocks();
  const std::size_t layers = blocks_.size();
  const bool amrb = pass.strategy == Strategy::amrb;
  std::vector<Tensor<T>> d_fam;  // ∂L/∂FAM^l entering the block after the one being differentiated
  for (std::size_t l = 0; l < layers; ++l) d_fam.emplace_back(Tensor<T>({B, F, d}));
  if (c.readout_memory) d_fam.back() = d_z;
  FamKeys d_keys(layers, std::vector<KeysValues<T>>(static_cast<std::size_t>(blocks)));  // from later blocks
  for (Index t = blocks - 1; t >= 0; --t) {
    FamBlock replayed;
    const FamBlock* ctx = amrb ? nullptr : &e.fam_blocks.back();
    if (amrb) {
      replayed =
          fam_block_forward(in, t, e.fam_in[static_cast<std::size_t>(t)], e.keys, p, seed, pass.micro_step);
      ctx = &replayed;
    }
    const Index L = ctx->rows, first = std::max<Index>(0, t - c.mem_segment);
    Tensor<T> d_tokens = c.readout_memory ? Tensor<T>({B, L, d}) : nn::slice_rows(d_z, ctx->begin, L);
    for (std::size_t l = layers; l-- > 0;) {
      KeysValues<T>& own = d_keys[l][static_cast<std::size_t>(t)];
      KeysValues<T> d_cache;
      const Tensor<T> d_x = block_backward(ctx->layers[l], c, blocks_[l],
                                           F > 0 ? nn::concat_rows(d_fam[l], d_tokens) : d_tokens,
                                           own.k.size() ? &own : nullptr, &d_cache);
      own = {};
      for (Index u = first; u < t; ++u) {  // the cache's gradient back to the blocks it was cut from
        KeysValues<T>& to = d_keys[l][static_cast<std::size_t>(u)];
        add_into_or_set(to.k, nn::head_rows(d_cache.k, (u - first) * Bl, Bl));
        add_into_or_set(to.v, nn::head_rows(d_cache.v, (u - first) * Bl, Bl));
      }
      if (F > 0) d_fam[l] = nn::slice_rows(d_x, 0, F);
      d_tokens = nn::slice_rows(d_x, F, L);
    }
    d_tokens = nn::dropout_backward(ctx->drop, d_tokens);
    if (positions_) {
      Tensor<T> d_rows({L, d});
      nn::learned_positions_backward(ctx->positions, d_tokens, d_rows);
      positions_->grad.block(ctx->begin * d, L, d) += d_rows.matrix();
    }
    nn::embedding_backward(ctx->embedding, d_tokens, embedding_->grad);
    if (!amrb) e.fam_blocks.pop_back();
  }
  for (std::size_t l = 0; l < layers && F > 0; ++l)
    for (Index b = 0; b < B; ++b)
      memory_->grad.block(static_cast<Index>(l) * F * d, F, d) += d_fam[l].block(b * F * d, F, d);
}

#define GLIA_INSTANTIATE(T)                                                                                \
  template std::vector<Tensor<T>> SequenceClassifier<T>::initial_fam(Index) const;                         \
  template FamCache<T> SequenceClassifier<T>::fam_cache(const Input&, const FamKeys&, Index, Index) const; \
  template SequenceClassifier<T>::FamBlock SequenceClassifier<T>::fam_block_forward(                       \
      const Input&, Index, const std::vector<Tensor<T>>&, const FamKeys&, double, std::uint64_t,           \
      std::int64_t) const;                                                                                 \
  template SequenceClassifier<T>::Encoding SequenceClassifier<T>::fam_encode(                              \
      const Input&, const TrainingPass&, double, std::uint64_t) const;                                     \
  template void SequenceClassifier<T>::fam_encode_backward(const Input&, Encoding&, const TrainingPass&,   \
                                                           double, std::uint64_t, const Tensor<T>&);
GLIA_INSTANTIATE(float)
GLIA_INSTANTIATE(double)
#undef GLIA_INSTANTIATE

}  // namespace glia::nets
