#include "engine/nn/ops/positions.hpp"

#include <cmath>

namespace glia::nn {

namespace {

// x (B, N, d) + table[n, :] for every batch row.
template <class T>
Tensor<T> add_rows(const Tensor<T>& x, const Tensor<T>& table) {
  const Index batch = x.dim(0), n = x.dim(1), d = x.dim(2);
  Tensor<T> out = x;
  const auto rows = table.block(0, n, d);
#pragma omp parallel for schedule(static)
  for (Index b = 0; b < batch; ++b) out.block(b * n * d, n, d) += rows;
  return out;
}

}  // namespace

template <class T>
LearnedPositionsContext<T> learned_positions_forward(const Tensor<T>& x, const Tensor<T>& table) {
  require_shape(x, {-1, -1, -1}, "learned_positions.x");
  require_shape(table, {-1, x.dim(2)}, "learned_positions.table");
  if (x.dim(1) > table.dim(0))
    throw ConfigError("learned_positions.x", shape_string(x.shape()),
                      "sequence longer than the position table (" + std::to_string(table.dim(0)) + " rows)");
  return {add_rows(x, table)};
}

template <class T>
Tensor<T> learned_positions_backward(const LearnedPositionsContext<T>& ctx, const Tensor<T>& d_out,
                                     Tensor<T>& d_table) {
  require_shape(d_out, ctx.out.shape(), "learned_positions.d_out");
  require_shape(d_table, {-1, d_out.dim(2)}, "learned_positions.d_table");
  const Index batch = d_out.dim(0), n = d_out.dim(1), d = d_out.dim(2);
  auto g = d_table.block(0, n, d);
  for (Index b = 0; b < batch; ++b) g += d_out.block(b * n * d, n, d);
  return d_out;
}

template <class T>
Tensor<T> sinusoidal_table(Index n, Index d) {
  Tensor<T> table({n, d});
  for (Index p = 0; p < n; ++p)
    for (Index j = 0; j < d; ++j) {
      const double angle =
          static_cast<double>(p) / std::pow(10000.0, static_cast<double>(j - j % 2) / static_cast<double>(d));
      table[p * d + j] = static_cast<T>(j % 2 == 0 ? std::sin(angle) : std::cos(angle));
    }
  return table;
}

template <class T>
SinusoidalPositionsContext<T> sinusoidal_positions_forward(const Tensor<T>& x) {
  require_shape(x, {-1, -1, -1}, "sinusoidal_positions.x");
  return {add_rows(x, sinusoidal_table<T>(x.dim(1), x.dim(2)))};
}

template <class T>
Tensor<T> sinusoidal_positions_backward(const SinusoidalPositionsContext<T>& ctx, const Tensor<T>& d_out) {
  require_shape(d_out, ctx.out.shape(), "sinusoidal_positions.d_out");
  return d_out;
}

#define GLIA_INSTANTIATE(T)                                                                          \
  template LearnedPositionsContext<T> learned_positions_forward(const Tensor<T>&, const Tensor<T>&); \
  template Tensor<T> learned_positions_backward(const LearnedPositionsContext<T>&, const Tensor<T>&, \
                                                Tensor<T>&);                                         \
  template Tensor<T> sinusoidal_table(Index, Index);                                                 \
  template SinusoidalPositionsContext<T> sinusoidal_positions_forward(const Tensor<T>&);             \
  template Tensor<T> sinusoidal_positions_backward(const SinusoidalPositionsContext<T>&, const Tensor<T>&);
GLIA_INSTANTIATE(float)
GLIA_INSTANTIATE(double)
#undef GLIA_INSTANTIATE

}  // namespace glia::nn
