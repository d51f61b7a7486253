#include "engine/nn/ops/fam_attention.hpp"

#include <string>
#include <vector>

#include "engine/nn/ops/heads.hpp"
#include "engine/nn/ops/rows.hpp"

namespace glia::nn {

namespace {

// The mask of concatenated keys: the FAM's F keys are always real, then each part's own mask (null: all
// real).
KeyMask concat_masks(Index batch, Index fam, const std::vector<std::pair<const KeyMask*, Index>>& parts) {
  Index n = fam;
  for (const auto& [m, rows] : parts) n += rows;
  KeyMask out({batch, n});
  for (Index b = 0; b < batch; ++b) {
    Index col = 0;
    for (; col < fam; ++col) out[b * n + col] = 1;
    for (const auto& [m, rows] : parts)
      for (Index i = 0; i < rows; ++i, ++col) out[b * n + col] = key_is_real(m, b, rows, i) ? 1 : 0;
  }
  return out;
}

}  // namespace

template <class T>
FamAttentionContext<T> fam_attention_forward(const Tensor<T>& q, const Tensor<T>& k, const Tensor<T>& v,
                                             const Tensor<T>& fam_q, const Tensor<T>& fam_k,
                                             const Tensor<T>& fam_v, const Tensor<T>& cache_k,
                                             const Tensor<T>& cache_v, const KeyMask* key_mask,
                                             const KeyMask* cache_mask) {
  require_shape(q, {-1, -1, -1, -1}, "fam_attention.q");
  const Index B = q.dim(0), H = q.dim(1), L = q.dim(2), d = q.dim(3);
  require_shape(k, {B, H, L, d}, "fam_attention.k");
  require_shape(v, {B, H, L, d}, "fam_attention.v");
  require_shape(fam_q, {B, H, -1, d}, "fam_attention.fam_q");
  const Index F = fam_q.dim(2);
  require_shape(fam_k, {B, H, F, d}, "fam_attention.fam_k");
  require_shape(fam_v, {B, H, F, d}, "fam_attention.fam_v");
  require_shape(cache_k, {B, H, -1, d}, "fam_attention.cache_k");
  const Index C = cache_k.dim(2);
  require_shape(cache_v, {B, H, C, d}, "fam_attention.cache_v");
  if (key_mask) require_shape(*key_mask, {B, L}, "fam_attention.key_mask");
  if (cache_mask) require_shape(*cache_mask, {B, C}, "fam_attention.cache_mask");
  FamAttentionContext<T> ctx;
  ctx.fam = F;
  ctx.cache = C;
  ctx.block = L;
  const KeyMask token_mask = concat_masks(B, F, {{cache_mask, C}, {key_mask, L}});
  ctx.tokens = softmax_attention_forward(q, concat_head_rows<T>({&fam_k, &cache_k, &k}),
                                         concat_head_rows<T>({&fam_v, &cache_v, &v}), &token_mask,
                                         SoftmaxAttentionOptions{true, F + C});
  if (F > 0) {
    const KeyMask memory_mask = concat_masks(B, F, {{key_mask, L}});
    ctx.memory =
        softmax_attention_forward(fam_q, concat_head_rows<T>({&fam_k, &k}), concat_head_rows<T>({&fam_v, &v}),
                                  &memory_mask, SoftmaxAttentionOptions{});
  }
  return ctx;
}

template <class T>
FamAttentionGradients<T> fam_attention_backward(const FamAttentionContext<T>& ctx, const Tensor<T>& d_out,
                                                const Tensor<T>& d_fam_out) {
  const Index F = ctx.fam, C = ctx.cache, L = ctx.block;
  const AttentionGradients<T> t = softmax_attention_backward(ctx.tokens, d_out);
  FamAttentionGradients<T> g;
  g.d_q = t.d_q;
  g.d_fam_k = head_rows(t.d_k, 0, F);
  g.d_fam_v = head_rows(t.d_v, 0, F);
  g.d_cache_k = head_rows(t.d_k, F, C);
  g.d_cache_v = head_rows(t.d_v, F, C);
  g.d_k = head_rows(t.d_k, F + C, L);
  g.d_v = head_rows(t.d_v, F + C, L);
  const Index B = d_out.dim(0), H = d_out.dim(1), d = d_out.dim(3);
  g.d_fam_q = Tensor<T>({B, H, F, d});
  if (F > 0) {
    require_shape(d_fam_out, ctx.memory.out.shape(), "fam_attention.d_fam_out");
    const AttentionGradients<T> m = softmax_attention_backward(ctx.memory, d_fam_out);
    g.d_fam_q = m.d_q;
    add_into(g.d_fam_k, head_rows(m.d_k, 0, F));
    add_into(g.d_fam_v, head_rows(m.d_v, 0, F));
    add_into(g.d_k, head_rows(m.d_k, F, L));
    add_into(g.d_v, head_rows(m.d_v, F, L));
  }
  return g;
}

#define GLIA_INSTANTIATE(T)                                                                                 \
  template FamAttentionContext<T> fam_attention_forward(                                                    \
      const Tensor<T>&, const Tensor<T>&, const Tensor<T>&, const Tensor<T>&, const Tensor<T>&,             \
      const Tensor<T>&, const Tensor<T>&, const Tensor<T>&, const KeyMask*, const KeyMask*);                \
  template FamAttentionGradients<T> fam_attention_backward(const FamAttentionContext<T>&, const Tensor<T>&, \
                                                           const Tensor<T>&);
GLIA_INSTANTIATE(float)
GLIA_INSTANTIATE(double)
#undef GLIA_INSTANTIATE

}  // namespace glia::nn
