#pragma once
// Row bookkeeping of sequence tensors (B, N, d): elementwise sums, scaling, and cutting or joining along
// the sequence axis (memory tokens prepended to a segment). Each is linear, so its backward is the
// matching cut, join or scale of the gradient.
#include "engine/nn/tensor.hpp"

namespace glia::nn {

// a + b, same shapes.
template <class T>
Tensor<T> add(const Tensor<T>& a, const Tensor<T>& b) {
  require_shape(b, a.shape(), "add.b");
  Tensor<T> out = a;
  out.vector() += b.vector();
  return out;
}

// dst += src, same shapes.
template <class T>
void add_into(Tensor<T>& dst, const Tensor<T>& src) {
  require_shape(src, dst.shape(), "add_into.src");
  dst.vector() += src.vector();
}

// factor · x
template <class T>
Tensor<T> scaled(const Tensor<T>& x, double factor) {
  Tensor<T> out = x;
  out.vector() *= static_cast<T>(factor);
  return out;
}

// [a ; b] along the sequence axis: (B, N_a, d) and (B, N_b, d) → (B, N_a + N_b, d).
template <class T>
Tensor<T> concat_rows(const Tensor<T>& a, const Tensor<T>& b) {
  require_shape(a, {-1, -1, -1}, "concat_rows.a");
  require_shape(b, {a.dim(0), -1, a.dim(2)}, "concat_rows.b");
  const Index batch = a.dim(0), na = a.dim(1), nb = b.dim(1), d = a.dim(2);
  Tensor<T> out({batch, na + nb, d});
  for (Index r = 0; r < batch; ++r) {
    out.block(r * (na + nb) * d, na, d) = a.block(r * na * d, na, d);
    out.block((r * (na + nb) + na) * d, nb, d) = b.block(r * nb * d, nb, d);
  }
  return out;
}

// Rows [begin, begin + count) of every batch row: (B, N, d) → (B, count, d).
template <class T>
Tensor<T> slice_rows(const Tensor<T>& x, Index begin, Index count) {
  require_shape(x, {-1, -1, -1}, "slice_rows.x");
  const Index batch = x.dim(0), n = x.dim(1), d = x.dim(2);
  if (begin < 0 || count < 0 || begin + count > n)
    throw ConfigError("slice_rows", std::to_string(begin) + "+" + std::to_string(count),
                      "outside the " + std::to_string(n) + " rows");
  Tensor<T> out({batch, count, d});
  for (Index r = 0; r < batch; ++r)
    out.block(r * count * d, count, d) = x.block((r * n + begin) * d, count, d);
  return out;
}

// x[:, begin:begin + count] += src, the backward of slice_rows.
template <class T>
void add_rows_into(Tensor<T>& x, Index begin, const Tensor<T>& src) {
  require_shape(src, {x.dim(0), -1, x.dim(2)}, "add_rows_into.src");
  const Index batch = x.dim(0), n = x.dim(1), d = x.dim(2), count = src.dim(1);
  if (begin < 0 || begin + count > n)
    throw ConfigError("add_rows_into", std::to_string(begin), "outside the " + std::to_string(n) + " rows");
  for (Index r = 0; r < batch; ++r)
    x.block((r * n + begin) * d, count, d) += src.block(r * count * d, count, d);
}

}  // namespace glia::nn
