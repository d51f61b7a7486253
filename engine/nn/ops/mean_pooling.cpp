#include "engine/nn/ops/mean_pooling.hpp"

namespace glia::nn {

namespace {

// Number of real positions in each batch row.
std::vector<Index> real_counts(const Tensor<std::uint8_t>& mask, Index batch, Index n) {
  std::vector<Index> counts(static_cast<std::size_t>(batch), n);
  if (mask.empty()) return counts;
  for (Index b = 0; b < batch; ++b) {
    Index c = 0;
    for (Index t = 0; t < n; ++t) c += mask[b * n + t] != 0;
    if (c == 0)
      throw ConfigError("mean_pooling.mask[" + std::to_string(b) + "]", "", "no real position to average");
    counts[static_cast<std::size_t>(b)] = c;
  }
  return counts;
}

}  // namespace

template <class T>
MeanPoolingContext<T> mean_pooling_forward(const Tensor<T>& x, const Tensor<std::uint8_t>* mask) {
  require_shape(x, {-1, -1, -1}, "mean_pooling.x");
  const Index batch = x.dim(0), n = x.dim(1), d = x.dim(2);
  if (mask) require_shape(*mask, {batch, n}, "mean_pooling.mask");
  MeanPoolingContext<T> ctx{Tensor<T>({batch, d}), mask ? *mask : Tensor<std::uint8_t>(), n};
  const std::vector<Index> counts = real_counts(ctx.mask, batch, n);
#pragma omp parallel for schedule(static)
  for (Index b = 0; b < batch; ++b) {
    std::vector<double> sum(static_cast<std::size_t>(d), 0.0);
    for (Index t = 0; t < n; ++t) {
      if (mask && (*mask)[b * n + t] == 0) continue;
      for (Index j = 0; j < d; ++j) sum[static_cast<std::size_t>(j)] += x[(b * n + t) * d + j];
    }
    for (Index j = 0; j < d; ++j)
      ctx.out[b * d + j] = static_cast<T>(sum[static_cast<std::size_t>(j)] /
                                          static_cast<double>(counts[static_cast<std::size_t>(b)]));
  }
  return ctx;
}

template <class T>
Tensor<T> mean_pooling_backward(const MeanPoolingContext<T>& ctx, const Tensor<T>& d_out) {
  require_shape(d_out, ctx.out.shape(), "mean_pooling.d_out");
  const Index batch = d_out.dim(0), n = ctx.length, d = d_out.dim(1);
  const std::vector<Index> counts = real_counts(ctx.mask, batch, n);
  Tensor<T> d_x({batch, n, d});
#pragma omp parallel for schedule(static)
  for (Index b = 0; b < batch; ++b) {
    const T inv = static_cast<T>(1.0 / static_cast<double>(counts[static_cast<std::size_t>(b)]));
    for (Index t = 0; t < n; ++t) {
      if (!ctx.mask.empty() && ctx.mask[b * n + t] == 0) continue;
      for (Index j = 0; j < d; ++j) d_x[(b * n + t) * d + j] = d_out[b * d + j] * inv;
    }
  }
  return d_x;
}

template MeanPoolingContext<float> mean_pooling_forward(const Tensor<float>&, const Tensor<std::uint8_t>*);
template MeanPoolingContext<double> mean_pooling_forward(const Tensor<double>&, const Tensor<std::uint8_t>*);
template Tensor<float> mean_pooling_backward(const MeanPoolingContext<float>&, const Tensor<float>&);
template Tensor<double> mean_pooling_backward(const MeanPoolingContext<double>&, const Tensor<double>&);

}  // namespace glia::nn
