#include "engine/nn/ops/layer_norm.hpp"

#include <cmath>

namespace glia::nn {

template <class T>
LayerNormContext<T> layer_norm_forward(const Tensor<T>& x, const Tensor<T>& gamma, const Tensor<T>& beta,
                                       T epsilon) {
  if (x.rank() < 1) throw ConfigError("layer_norm.x", shape_string(x.shape()), "needs at least one axis");
  const Index d = x.dim(-1), rows = x.size() / d;
  require_shape(gamma, {d}, "layer_norm.gamma");
  require_shape(beta, {d}, "layer_norm.beta");
  if (!(epsilon > 0)) throw ConfigError("layer_norm.epsilon", std::to_string(epsilon), "must be > 0");
  LayerNormContext<T> ctx{Tensor<T>(x.shape()), Tensor<T>(x.shape()), Tensor<T>({rows})};
  const T* xs = x.data();
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < rows; ++r) {
    const T* row = xs + r * d;
    double mean = 0, var = 0;
    for (Index j = 0; j < d; ++j) mean += static_cast<double>(row[j]);
    mean /= static_cast<double>(d);
    for (Index j = 0; j < d; ++j) var += (row[j] - mean) * (row[j] - mean);
    var /= static_cast<double>(d);
    const double inv_std = 1.0 / std::sqrt(var + static_cast<double>(epsilon));
    ctx.inv_std[r] = static_cast<T>(inv_std);
    for (Index j = 0; j < d; ++j) {
      const T n = static_cast<T>((row[j] - mean) * inv_std);
      ctx.normalized[r * d + j] = n;
      ctx.out[r * d + j] = n * gamma[j] + beta[j];
    }
  }
  return ctx;
}

template <class T>
Tensor<T> layer_norm_backward(const LayerNormContext<T>& ctx, const Tensor<T>& gamma, const Tensor<T>& d_out,
                              Tensor<T>& d_gamma, Tensor<T>& d_beta) {
  require_shape(d_out, ctx.out.shape(), "layer_norm.d_out");
  const Index d = d_out.dim(-1), rows = d_out.size() / d;
  require_shape(d_gamma, {d}, "layer_norm.d_gamma");
  require_shape(d_beta, {d}, "layer_norm.d_beta");
  Tensor<T> d_x(d_out.shape());
  // d_x = inv_std · (g − mean(g) − n · mean(g ⊙ n)), g = d_out ⊙ γ, n the normalised input.
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < rows; ++r) {
    double mean_g = 0, mean_gn = 0;
    for (Index j = 0; j < d; ++j) {
      const double g = static_cast<double>(d_out[r * d + j]) * gamma[j];
      mean_g += g;
      mean_gn += g * ctx.normalized[r * d + j];
    }
    mean_g /= static_cast<double>(d);
    mean_gn /= static_cast<double>(d);
    for (Index j = 0; j < d; ++j) {
      const double g = static_cast<double>(d_out[r * d + j]) * gamma[j];
      d_x[r * d + j] = static_cast<T>(ctx.inv_std[r] * (g - mean_g - ctx.normalized[r * d + j] * mean_gn));
    }
  }
  // Parameter sums over rows in a fixed order (reproducible), accumulated in double.
  for (Index j = 0; j < d; ++j) {
    double sg = 0, sb = 0;
    for (Index r = 0; r < rows; ++r) {
      sg += static_cast<double>(d_out[r * d + j]) * ctx.normalized[r * d + j];
      sb += d_out[r * d + j];
    }
    d_gamma[j] += static_cast<T>(sg);
    d_beta[j] += static_cast<T>(sb);
  }
  return d_x;
}

template LayerNormContext<float> layer_norm_forward(const Tensor<float>&, const Tensor<float>&,
                                                    const Tensor<float>&, float);
template LayerNormContext<double> layer_norm_forward(const Tensor<double>&, const Tensor<double>&,
                                                     const Tensor<double>&, double);
template Tensor<float> layer_norm_backward(const LayerNormContext<float>&, const Tensor<float>&,
                                           const Tensor<float>&, Tensor<float>&, Tensor<float>&);
template Tensor<double> layer_norm_backward(const LayerNormContext<double>&, const Tensor<double>&,
                                            const Tensor<double>&, Tensor<double>&, Tensor<double>&);

}  // namespace glia::nn
