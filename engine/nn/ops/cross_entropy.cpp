#include "engine/nn/ops/cross_entropy.hpp"

#include <cmath>

namespace glia::nn {

template <class T>
CrossEntropyContext<T> cross_entropy_forward(const Tensor<T>& logits, const Tensor<std::int32_t>& labels,
                                             double label_smoothing) {
  require_shape(logits, {-1, -1}, "cross_entropy.logits");
  require_shape(labels, {logits.dim(0)}, "cross_entropy.labels");
  if (!(label_smoothing >= 0 && label_smoothing < 1))
    throw ConfigError("cross_entropy.label_smoothing", std::to_string(label_smoothing), "must be in [0, 1)");
  const Index batch = logits.dim(0), classes = logits.dim(1);
  for (Index b = 0; b < batch; ++b)
    if (labels[b] < 0 || labels[b] >= classes)
      throw ConfigError("cross_entropy.labels[" + std::to_string(b) + "]", std::to_string(labels[b]),
                        "label outside the classes [0, " + std::to_string(classes) + ")");
  CrossEntropyContext<T> ctx{0, 0, Tensor<T>(logits.shape()), labels, label_smoothing};
  // Rows are summed in a fixed order after the parallel part, so the loss is reproducible.
  std::vector<double> row_loss(static_cast<std::size_t>(batch));
  std::vector<std::uint8_t> row_correct(static_cast<std::size_t>(batch));
#pragma omp parallel for schedule(static)
  for (Index b = 0; b < batch; ++b) {
    const T* x = logits.data() + b * classes;
    Index arg_max = 0;
    for (Index c = 1; c < classes; ++c)
      if (x[c] > x[arg_max]) arg_max = c;
    const double max_logit = x[arg_max];
    double sum = 0, mean_logit = 0;
    for (Index c = 0; c < classes; ++c) {
      sum += std::exp(x[c] - max_logit);
      mean_logit += x[c];
    }
    mean_logit /= static_cast<double>(classes);
    const double log_sum = max_logit + std::log(sum);
    for (Index c = 0; c < classes; ++c) ctx.probs[b * classes + c] = static_cast<T>(std::exp(x[c] - log_sum));
    const double label_term = log_sum - x[labels[b]];
    row_loss[static_cast<std::size_t>(b)] =
        (1 - label_smoothing) * label_term + label_smoothing * (log_sum - mean_logit);
    row_correct[static_cast<std::size_t>(b)] = arg_max == labels[b];
  }
  for (Index b = 0; b < batch; ++b) {
    ctx.loss += row_loss[static_cast<std::size_t>(b)];
    ctx.correct += row_correct[static_cast<std::size_t>(b)];
  }
  ctx.loss /= static_cast<double>(batch);
  return ctx;
}

template <class T>
Tensor<T> cross_entropy_backward(const CrossEntropyContext<T>& ctx, double d_loss) {
  const Index batch = ctx.probs.dim(0), classes = ctx.probs.dim(1);
  Tensor<T> d_logits(ctx.probs.shape());
  const double scale = d_loss / static_cast<double>(batch);
  const double smooth = ctx.label_smoothing / static_cast<double>(classes);
  for (Index b = 0; b < batch; ++b)
    for (Index c = 0; c < classes; ++c) {
      const double target = (c == ctx.labels[b] ? 1 - ctx.label_smoothing : 0.0) + smooth;
      d_logits[b * classes + c] = static_cast<T>(scale * (ctx.probs[b * classes + c] - target));
    }
  return d_logits;
}

template CrossEntropyContext<float> cross_entropy_forward(const Tensor<float>&, const Tensor<std::int32_t>&,
                                                          double);
template CrossEntropyContext<double> cross_entropy_forward(const Tensor<double>&, const Tensor<std::int32_t>&,
                                                           double);
template Tensor<float> cross_entropy_backward(const CrossEntropyContext<float>&, double);
template Tensor<double> cross_entropy_backward(const CrossEntropyContext<double>&, double);

}  // namespace glia::nn
