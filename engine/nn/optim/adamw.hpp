#pragma once
// AdamW (Loshchilov & Hutter 2019) with PyTorch's semantics (torch.optim.AdamW): decoupled weight
// decay p <- p - lr * weight_decay * p, then the bias-corrected Adam step
//   m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2,
//   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
// Weight decay applies to the parameters marked in `decayed` (all when it is empty): norms' gains, biases,
// positions and memory tokens are usually excluded (PyTorch: parameter groups with weight_decay 0).
// And global-norm gradient clipping as torch.nn.utils.clip_grad_norm_. The optimizer state (m, v, t) is
// plain tensors so a trainer can checkpoint and restore it exactly.
#include <cstdint>
#include <vector>

#include "engine/nn/tensor.hpp"

namespace glia::nn {

struct AdamWParams {
  double lr = 1e-3;
  double beta1 = 0.9, beta2 = 0.999;  // in [0, 1)
  double eps = 1e-8;                  // > 0
  double weight_decay = 0.01;         // >= 0
};

template <class T>
class AdamW {
 public:
  // Checks the hyper-parameters (ConfigError naming "optimizer.<field>") and allocates m and v like
  // the parameters. decayed[k]: parameter k is decayed (empty: every parameter is).
  AdamW(const AdamWParams& params, const std::vector<Tensor<T>*>& parameters, std::vector<bool> decayed = {});

  // One step: parameters[k] moves along grads[k] (same shapes as at construction). The learning rate
  // may change between steps (schedules); pass it here.
  void step(const std::vector<Tensor<T>*>& parameters, const std::vector<const Tensor<T>*>& grads, double lr);
  void step(const std::vector<Tensor<T>*>& parameters, const std::vector<const Tensor<T>*>& grads) {
    step(parameters, grads, params_.lr);
  }

  std::int64_t steps() const { return t_; }
  std::vector<Tensor<T>>& first_moments() { return m_; }
  std::vector<Tensor<T>>& second_moments() { return v_; }
  void set_steps(std::int64_t t) { t_ = t; }

 private:
  AdamWParams params_;
  std::vector<bool> decayed_;
  std::vector<Tensor<T>> m_, v_;
  std::int64_t t_ = 0;
};

// Scales the gradients in place so that their global L2 norm is at most max_norm (factor
// max_norm / (norm + 1e-6) when norm > max_norm, as PyTorch); returns the norm before clipping.
template <class T>
double clip_grad_norm(const std::vector<Tensor<T>*>& grads, double max_norm);

}  // namespace glia::nn
