#pragma once
// Inverted dropout with a counter-based mask: element i of a call keyed by (seed, step, site)
// is kept when a Philox uniform drawn for (seed, step, i, stream 0x64720000 + site) is ≥ p,
// and kept values are scaled by 1/(1 − p). The mask is a pure function of the key, so it is
// the same on any thread count and backend, the backward pass recomputes it instead of
// storing it, and a replayed forward (AMRB) sees the same mask.
#include <cstdint>

#include "engine/nn/tensor.hpp"

namespace glia::nn {

struct DropoutKey {
  std::uint64_t seed = 0;
  std::int64_t step = 0;   // training step (or any counter the caller advances per call)
  std::uint32_t site = 0;  // distinguishes dropout layers within a step; < 65536
};

template <class T>
struct DropoutContext {
  Tensor<T> out;
  DropoutKey key;
  double p = 0;
};

// p in [0, 1); p = 0 is the identity.
template <class T>
DropoutContext<T> dropout_forward(const Tensor<T>& x, double p, DropoutKey key);

template <class T>
Tensor<T> dropout_backward(const DropoutContext<T>& ctx, const Tensor<T>& d_out);

// Whether element i is kept under (key, p): the mask both passes use.
bool dropout_keeps(const DropoutKey& key, double p, Index i);

}  // namespace glia::nn
