#pragma once
// Position codes added to embeddings: learned (a (max_len, d) table) or sinusoidal
// (Vaswani et al. 2017: PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(same)).
#include "engine/nn/tensor.hpp"

namespace glia::nn {

// x (B, N, d) + table[0:N] with table (max_len, d), N ≤ max_len.
template <class T>
struct LearnedPositionsContext {
  Tensor<T> out;  // (B, N, d)
};

template <class T>
LearnedPositionsContext<T> learned_positions_forward(const Tensor<T>& x, const Tensor<T>& table);
// Returns d_x; accumulates the rows 0..N-1 of d_table (summed over the batch).
template <class T>
Tensor<T> learned_positions_backward(const LearnedPositionsContext<T>& ctx, const Tensor<T>& d_out,
                                     Tensor<T>& d_table);

// The fixed (n, d) sinusoidal table, computed in double and rounded once to T.
template <class T>
Tensor<T> sinusoidal_table(Index n, Index d);

template <class T>
struct SinusoidalPositionsContext {
  Tensor<T> out;  // (B, N, d)
};

template <class T>
SinusoidalPositionsContext<T> sinusoidal_positions_forward(const Tensor<T>& x);
// The table is constant: d_x = d_out.
template <class T>
Tensor<T> sinusoidal_positions_backward(const SinusoidalPositionsContext<T>& ctx, const Tensor<T>& d_out);

}  // namespace glia::nn
