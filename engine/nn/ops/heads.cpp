#include "engine/nn/ops/heads.hpp"

namespace glia::nn {

template <class T>
Tensor<T> split_heads(const Tensor<T>& x, Index heads) {
  require_shape(x, {-1, -1, -1}, "split_heads.x");
  if (heads < 1 || x.dim(2) % heads != 0)
    throw ConfigError("split_heads.heads", std::to_string(heads),
                      "must divide the model width " + std::to_string(x.dim(2)));
  const Index batch = x.dim(0), n = x.dim(1), d_h = x.dim(2) / heads;
  Tensor<T> out({batch, heads, n, d_h});
#pragma omp parallel for schedule(static)
  for (Index b = 0; b < batch; ++b)
    for (Index h = 0; h < heads; ++h)
      out.block((b * heads + h) * n * d_h, n, d_h) =
          x.block(b * n * heads * d_h, n, heads * d_h).middleCols(h * d_h, d_h);
  return out;
}

template <class T>
Tensor<T> merge_heads(const Tensor<T>& x) {
  require_shape(x, {-1, -1, -1, -1}, "merge_heads.x");
  const Index batch = x.dim(0), heads = x.dim(1), n = x.dim(2), d_h = x.dim(3);
  Tensor<T> out({batch, n, heads * d_h});
#pragma omp parallel for schedule(static)
  for (Index b = 0; b < batch; ++b)
    for (Index h = 0; h < heads; ++h)
      out.block(b * n * heads * d_h, n, heads * d_h).middleCols(h * d_h, d_h) =
          x.block((b * heads + h) * n * d_h, n, d_h);
  return out;
}

template Tensor<float> split_heads(const Tensor<float>&, Index);
template Tensor<double> split_heads(const Tensor<double>&, Index);
template Tensor<float> merge_heads(const Tensor<float>&);
template Tensor<double> merge_heads(const Tensor<double>&);

}  // namespace glia::nn
