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
  LayerNormContext<T> ctx{Tensor<T>::uninitialized(x.shape()), Tensor<T>::uninitialized(x.shape()),
                          Tensor<T>::uninitialized({rows})};
  const auto g = gamma.vector().array();
  const auto b = beta.vector().array();
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < rows; ++r) {
    // Statistics in double (a row of float32 activations can have a large mean).
    const Eigen::Array<double, Eigen::Dynamic, 1> row =
        ConstVectorMap<T>(x.data() + r * d, d).array().template cast<double>();
    const double mean = row.sum() / static_cast<double>(d);
    const double var = (row - mean).square().sum() / static_cast<double>(d);
    const double inv_std = 1.0 / std::sqrt(var + static_cast<double>(epsilon));
    ctx.inv_std[r] = static_cast<T>(inv_std);
    auto n = VectorMap<T>(ctx.normalized.data() + r * d, d).array();
    n = ((row - mean) * inv_std).template cast<T>();
    VectorMap<T>(ctx.out.data() + r * d, d).array() = n * g + b;
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
  Tensor<T> d_x = Tensor<T>::uninitialized(d_out.shape());
  // d_x = inv_std · (g − mean(g) − n · mean(g ⊙ n)), g = d_out ⊙ γ, n the normalised input.
  const auto gam = gamma.vector().array().template cast<double>();
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < rows; ++r) {
    const Eigen::Array<double, Eigen::Dynamic, 1> g =
        ConstVectorMap<T>(d_out.data() + r * d, d).array().template cast<double>() * gam;
    const Eigen::Array<double, Eigen::Dynamic, 1> n =
        ConstVectorMap<T>(ctx.normalized.data() + r * d, d).array().template cast<double>();
    const double mean_g = g.sum() / static_cast<double>(d);
    const double mean_gn = (g * n).sum() / static_cast<double>(d);
    VectorMap<T>(d_x.data() + r * d, d).array() =
        (static_cast<double>(ctx.inv_std[r]) * (g - mean_g - n * mean_gn)).template cast<T>();
  }
  // Parameter sums over rows in a fixed order (reproducible), accumulated in double, row by row
  // (contiguous reads).
  Eigen::Array<double, Eigen::Dynamic, 1> sg = Eigen::Array<double, Eigen::Dynamic, 1>::Zero(d), sb = sg;
  for (Index r = 0; r < rows; ++r) {
    const auto dy = ConstVectorMap<T>(d_out.data() + r * d, d).array().template cast<double>();
    sg += dy * ConstVectorMap<T>(ctx.normalized.data() + r * d, d).array().template cast<double>();
    sb += dy;
  }
  d_gamma.vector().array() += sg.template cast<T>();
  d_beta.vector().array() += sb.template cast<T>();
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
