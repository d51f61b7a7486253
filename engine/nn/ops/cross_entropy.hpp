#pragma once
// Cross-entropy with logits, averaged over the batch: loss = −(1/B) Σ_b Σ_c y_bc log softmax(x_b)_c
// with y the one-hot label, or (1 − λ) one-hot + λ/C with label smoothing λ (PyTorch's
// label_smoothing). Log-sum-exp in double.
#include <cstdint>

#include "engine/nn/tensor.hpp"

namespace glia::nn {

template <class T>
struct CrossEntropyContext {
  double loss = 0;
  Index correct = 0;            // rows whose arg-max logit is the label (first maximum wins)
  Tensor<T> probs;              // softmax of the logits, (B, C)
  Tensor<std::int32_t> labels;  // (B)
  double label_smoothing = 0;
};

// logits (B, C), labels (B) in [0, C); a label out of range is a ConfigError naming its row.
template <class T>
CrossEntropyContext<T> cross_entropy_forward(const Tensor<T>& logits, const Tensor<std::int32_t>& labels,
                                             double label_smoothing = 0);

// ∂(d_loss · loss)/∂logits.
template <class T>
Tensor<T> cross_entropy_backward(const CrossEntropyContext<T>& ctx, double d_loss = 1);

}  // namespace glia::nn
