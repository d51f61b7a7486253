#include "engine/nn/ops/embedding.hpp"

namespace glia::nn {

template <class T>
EmbeddingContext<T> embedding_forward(const Tensor<std::int32_t>& ids, const Tensor<T>& table) {
  require_shape(ids, {-1, -1}, "embedding.ids");
  require_shape(table, {-1, -1}, "embedding.table");
  const Index vocab = table.dim(0), d = table.dim(1), n = ids.size();
  for (Index i = 0; i < n; ++i)
    if (ids[i] < 0 || ids[i] >= vocab)
      throw ConfigError(
          "embedding.ids[" + std::to_string(i / ids.dim(1)) + ", " + std::to_string(i % ids.dim(1)) + "]",
          std::to_string(ids[i]), "token id outside the vocabulary [0, " + std::to_string(vocab) + ")");
  EmbeddingContext<T> ctx{Tensor<T>({ids.dim(0), ids.dim(1), d}), ids};
  auto out = ctx.out.matrix();
  const auto w = table.matrix();
#pragma omp parallel for schedule(static)
  for (Index i = 0; i < n; ++i) out.row(i) = w.row(ids[i]);
  return ctx;
}

template <class T>
void embedding_backward(const EmbeddingContext<T>& ctx, const Tensor<T>& d_out, Tensor<T>& d_table) {
  require_shape(d_out, ctx.out.shape(), "embedding.d_out");
  require_shape(d_table, {-1, ctx.out.dim(-1)}, "embedding.d_table");
  // Serial scatter: repeated ids add into the same row, and a fixed order keeps the sum
  // bitwise reproducible.
  auto g = d_table.matrix();
  const auto dy = d_out.matrix();
  for (Index i = 0; i < ctx.ids.size(); ++i) g.row(ctx.ids[i]) += dy.row(i);
}

template EmbeddingContext<float> embedding_forward(const Tensor<std::int32_t>&, const Tensor<float>&);
template EmbeddingContext<double> embedding_forward(const Tensor<std::int32_t>&, const Tensor<double>&);
template void embedding_backward(const EmbeddingContext<float>&, const Tensor<float>&, Tensor<float>&);
template void embedding_backward(const EmbeddingContext<double>&, const Tensor<double>&, Tensor<double>&);

}  // namespace glia::nn
