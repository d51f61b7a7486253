#include "engine/nn/optim/adamw.hpp"

#include <cmath>
#include <string>
#include <utility>

#include "engine/core/error.hpp"

namespace glia::nn {

namespace {

void check_same_shapes(const char* what, Index expect_count, Index count) {
  if (expect_count != count)
    throw ConfigError(std::string("optimizer.") + what, std::to_string(count) + " tensors",
                      "expected " + std::to_string(expect_count) + ", as many as at construction");
}

}  // namespace

template <class T>
AdamW<T>::AdamW(const AdamWParams& p, const std::vector<Tensor<T>*>& parameters, std::vector<bool> decayed)
    : params_(p), decayed_(std::move(decayed)) {
  if (decayed_.empty()) decayed_.assign(parameters.size(), true);
  check_same_shapes("decayed", static_cast<Index>(parameters.size()), static_cast<Index>(decayed_.size()));
  auto in_unit = [](const char* field, double v) {
    if (!(v >= 0.0 && v < 1.0))
      throw ConfigError(std::string("optimizer.") + field, std::to_string(v), "must be in [0, 1)");
  };
  in_unit("beta1", p.beta1);
  in_unit("beta2", p.beta2);
  if (!(p.eps > 0.0)) throw ConfigError("optimizer.eps", std::to_string(p.eps), "must be > 0");
  if (!(p.weight_decay >= 0.0))
    throw ConfigError("optimizer.weight_decay", std::to_string(p.weight_decay), "must be >= 0");
  if (!(p.lr >= 0.0) || !std::isfinite(p.lr))
    throw ConfigError("optimizer.lr", std::to_string(p.lr), "must be finite and >= 0");
  for (const Tensor<T>* t : parameters) {
    m_.emplace_back(t->shape());
    v_.emplace_back(t->shape());
  }
}

template <class T>
void AdamW<T>::step(const std::vector<Tensor<T>*>& parameters, const std::vector<const Tensor<T>*>& grads,
                    double lr) {
  const auto n = static_cast<Index>(m_.size());
  check_same_shapes("parameters", n, static_cast<Index>(parameters.size()));
  check_same_shapes("grads", n, static_cast<Index>(grads.size()));
  ++t_;
  const double b1 = params_.beta1, b2 = params_.beta2;
  const double c1 = 1.0 - std::pow(b1, static_cast<double>(t_)),
               c2 = 1.0 - std::pow(b2, static_cast<double>(t_));
  const double decay_factor = 1.0 - lr * params_.weight_decay;
  for (Index k = 0; k < n; ++k) {
    Tensor<T>& p = *parameters[static_cast<std::size_t>(k)];
    const Tensor<T>& g = *grads[static_cast<std::size_t>(k)];
    Tensor<T>& m = m_[static_cast<std::size_t>(k)];
    Tensor<T>& v = v_[static_cast<std::size_t>(k)];
    const double decay = decayed_[static_cast<std::size_t>(k)] ? decay_factor : 1.0;
    if (p.shape() != m.shape() || g.shape() != m.shape())
      throw ConfigError("optimizer.parameters[" + std::to_string(k) + "]", shape_string(p.shape()),
                        "shape differs from the optimizer state " + shape_string(m.shape()) +
                            " or the gradient " + shape_string(g.shape()));
#pragma omp parallel for schedule(static) if (p.size() >= 65536)
    for (Index i = 0; i < p.size(); ++i) {
      const double gi = static_cast<double>(g[i]);
      const double mi = b1 * static_cast<double>(m[i]) + (1.0 - b1) * gi;
      const double vi = b2 * static_cast<double>(v[i]) + (1.0 - b2) * gi * gi;
      m[i] = static_cast<T>(mi);
      v[i] = static_cast<T>(vi);
      const double pi = static_cast<double>(p[i]) * decay;
      p[i] = static_cast<T>(pi - lr * (mi / c1) / (std::sqrt(vi / c2) + params_.eps));
    }
  }
}

template <class T>
double clip_grad_norm(const std::vector<Tensor<T>*>& grads, double max_norm) {
  if (!(max_norm > 0.0)) throw ConfigError("optimizer.clip_norm", std::to_string(max_norm), "must be > 0");
  double sum = 0.0;  // fixed order: reproducible for any thread count
  for (const Tensor<T>* g : grads)
    for (Index i = 0; i < g->size(); ++i) sum += static_cast<double>((*g)[i]) * static_cast<double>((*g)[i]);
  const double norm = std::sqrt(sum);
  if (norm > max_norm) {
    const double scale = max_norm / (norm + 1e-6);
    for (Tensor<T>* g : grads)
      for (Index i = 0; i < g->size(); ++i) (*g)[i] = static_cast<T>(static_cast<double>((*g)[i]) * scale);
  }
  return norm;
}

template class AdamW<float>;
template class AdamW<double>;
template double clip_grad_norm<float>(const std::vector<Tensor<float>*>&, double);
template double clip_grad_norm<double>(const std::vector<Tensor<double>*>&, double);

}  // namespace glia::nn
