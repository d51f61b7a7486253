#include "engine/nn/ops/heads.hpp"

namespace glia::nn {

template <class T>
Tensor<T> split_heads(const Tensor<T>& x, Index heads, Index column, Index width) {
  require_shape(x, {-1, -1, -1}, "split_heads.x");
  if (column < 0 || width < 0 || column + width > x.dim(2))
    throw ConfigError("split_heads.columns", std::to_string(column) + "+" + std::to_string(width),
                      "outside the " + std::to_string(x.dim(2)) + " columns of x");
  if (heads < 1 || width % heads != 0)
    throw ConfigError("split_heads.heads", std::to_string(heads),
                      "must divide the model width " + std::to_string(width));
  const Index batch = x.dim(0), n = x.dim(1), c = x.dim(2), d_h = width / heads;
  Tensor<T> out = Tensor<T>::uninitialized({batch, heads, n, d_h});
#pragma omp parallel for schedule(static)
  for (Index b = 0; b < batch; ++b)
    for (Index h = 0; h < heads; ++h)
      out.block((b * heads + h) * n * d_h, n, d_h) =
          x.block(b * n * c, n, c).middleCols(column + h * d_h, d_h);
  return out;
}

template <class T>
Tensor<T> split_heads(const Tensor<T>& x, Index heads) {
  require_shape(x, {-1, -1, -1}, "split_heads.x");
  return split_heads(x, heads, 0, x.dim(2));
}

template <class T>
void merge_heads_into(const Tensor<T>& x, Tensor<T>& out, Index column) {
  require_shape(x, {-1, -1, -1, -1}, "merge_heads.x");
  const Index batch = x.dim(0), heads = x.dim(1), n = x.dim(2), d_h = x.dim(3);
  require_shape(out, {batch, n, -1}, "merge_heads.out");
  const Index c = out.dim(2);
  if (column < 0 || column + heads * d_h > c)
    throw ConfigError("merge_heads.column", std::to_string(column),
                      "the heads do not fit into the " + std::to_string(c) + " columns of out");
#pragma omp parallel for schedule(static)
  for (Index b = 0; b < batch; ++b)
    for (Index h = 0; h < heads; ++h)
      out.block(b * n * c, n, c).middleCols(column + h * d_h, d_h) =
          x.block((b * heads + h) * n * d_h, n, d_h);
}

template <class T>
Tensor<T> merge_heads(const Tensor<T>& x) {
  require_shape(x, {-1, -1, -1, -1}, "merge_heads.x");
  Tensor<T> out = Tensor<T>::uninitialized({x.dim(0), x.dim(2), x.dim(1) * x.dim(3)});
  merge_heads_into(x, out, 0);
  return out;
}

template <class T>
Tensor<T> concat_head_rows(const std::vector<const Tensor<T>*>& parts) {
  require_shape(*parts.front(), {-1, -1, -1, -1}, "concat_head_rows.parts");
  const Index B = parts.front()->dim(0), H = parts.front()->dim(1), d = parts.front()->dim(3);
  Index n = 0;
  for (const Tensor<T>* p : parts) {
    require_shape(*p, {B, H, -1, d}, "concat_head_rows.parts");
    n += p->dim(2);
  }
  Tensor<T> out = Tensor<T>::uninitialized({B, H, n, d});
  for (Index bh = 0; bh < B * H; ++bh) {
    Index row = 0;
    for (const Tensor<T>* p : parts) {
      const Index rows = p->dim(2);
      out.block((bh * n + row) * d, rows, d) = p->block(bh * rows * d, rows, d);
      row += rows;
    }
  }
  return out;
}

template <class T>
Tensor<T> head_rows(const Tensor<T>& x, Index begin, Index count) {
  require_shape(x, {-1, -1, -1, -1}, "head_rows.x");
  const Index B = x.dim(0), H = x.dim(1), n = x.dim(2), d = x.dim(3);
  if (begin < 0 || count < 0 || begin + count > n)
    throw ConfigError("head_rows", std::to_string(begin) + "+" + std::to_string(count),
                      "outside the " + std::to_string(n) + " rows");
  Tensor<T> out = Tensor<T>::uninitialized({B, H, count, d});
  for (Index bh = 0; bh < B * H; ++bh)
    out.block(bh * count * d, count, d) = x.block((bh * n + begin) * d, count, d);
  return out;
}

#define GLIA_INSTANTIATE(T)                                                  \
  template Tensor<T> split_heads(const Tensor<T>&, Index);                   \
  template Tensor<T> split_heads(const Tensor<T>&, Index, Index, Index);     \
  template Tensor<T> merge_heads(const Tensor<T>&);                          \
  template void merge_heads_into(const Tensor<T>&, Tensor<T>&, Index);       \
  template Tensor<T> concat_head_rows(const std::vector<const Tensor<T>*>&); \
  template Tensor<T> head_rows(const Tensor<T>&, Index, Index);
GLIA_INSTANTIATE(float)
GLIA_INSTANTIATE(double)
#undef GLIA_INSTANTIATE

}  // namespace glia::nn
