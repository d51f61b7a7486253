#include "models/mapping/simulated_head.hpp"

#include <algorithm>
#include <cmath>

#include "engine/core/error.hpp"
#include "engine/nn/ops/exponential_toeplitz.hpp"
#include "models/bio/hebbian_synapse.hpp"
#include "models/bio/rate_neuron.hpp"

namespace glia::mapping {

namespace {

using bio::RateNonlinearity;

double phi(double x) { return bio::rate_theta(RateNonlinearity::elu_plus_one, x); }

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

void validate_inputs(const HeadInputs& in) {
  const auto n = in.k.rows(), m = in.k.cols();
  if (n < 1 || m < 1) throw ConfigError("simulated_head.k", "empty", "needs at least one key of width >= 1");
  if (in.q.cols() != m)
    throw ConfigError("simulated_head.q", std::to_string(in.q.cols()) + " columns",
                      "must equal the keys' width " + std::to_string(m));
  if (in.v.rows() != n)
    throw ConfigError("simulated_head.v", std::to_string(in.v.rows()) + " rows",
                      "must equal the number of keys " + std::to_string(n));
  if (in.activity.size() != 0 && (in.activity.rows() != n || in.activity.cols() != m))
    throw ConfigError("simulated_head.activity",
                      std::to_string(in.activity.rows()) + "x" + std::to_string(in.activity.cols()),
                      "must be keys x width (" + std::to_string(n) + "x" + std::to_string(m) + ") or empty");
  if (!(in.alpha > 0)) throw ConfigError("simulated_head.alpha", std::to_string(in.alpha), "must be > 0");
  if (!(in.epsilon > 0))
    throw ConfigError("simulated_head.epsilon", std::to_string(in.epsilon), "must be > 0");
  if (!(in.synaptic_scale >= 0 && std::isfinite(in.synaptic_scale)))
    throw ConfigError("simulated_head.synaptic_scale", std::to_string(in.synaptic_scale),
                      "must be >= 0 and finite (0: 1/N of the keys presented)");
}

}  // namespace

void validate_settings(const SimulatedHeadSettings& s) {
  if (!(s.tau_p > 0)) throw ConfigError("simulated_head.tau_p", std::to_string(s.tau_p), "must be > 0");
  if (!(s.tau_n > 0)) throw ConfigError("simulated_head.tau_n", std::to_string(s.tau_n), "must be > 0");
  if (!(s.tau_n < s.tau_p))
    throw ConfigError("simulated_head.tau_n", std::to_string(s.tau_n),
                      "must be < tau_p = " + std::to_string(s.tau_p) +
                          ": the neurons cannot settle within a token's window, the simulation does not "
                          "approach the operator");
  if (!(s.dt > 0 && s.dt <= s.tau_n))
    throw ConfigError("simulated_head.dt", std::to_string(s.dt),
                      "must be in (0, tau_n = " + std::to_string(s.tau_n) +
                          "]: a step longer than the neurons' "
                          "time constant is inaccurate or unstable");
  const double steps = s.tau_p / s.dt;
  if (std::abs(steps - std::round(steps)) > 1e-9 * steps)
    throw ConfigError("simulated_head.dt", std::to_string(s.dt),
                      "must divide tau_p = " + std::to_string(s.tau_p) + " (windows must start on a step)");
  if (!(s.neuron_leak > 0))
    throw ConfigError("simulated_head.neuron_leak", std::to_string(s.neuron_leak),
                      "must be > 0 (the neurons must relax to their drive)");
  if (!(s.synapse_leak >= 0))
    throw ConfigError("simulated_head.synapse_leak", std::to_string(s.synapse_leak), "must be >= 0");
}

double synaptic_scale(const HeadInputs& in) {
  return in.synaptic_scale > 0 ? in.synaptic_scale : 1.0 / static_cast<double>(in.k.rows());
}

Matrix head_operator(const HeadInputs& in) {
  validate_inputs(in);
  const Matrix phi_k = in.k.unaryExpr(&phi), phi_q = in.q.unaryExpr(&phi);
  Matrix pre = phi_k;
  if (in.activity.size() != 0) pre += in.activity.unaryExpr(&phi);
  Matrix w = pre.transpose() * in.v;  // H, m × d
  if (in.nonlinearity) {
    const double c = synaptic_scale(in);
    w = w.unaryExpr([c](double x) { return logistic(c * x); });
  }
  const Eigen::VectorXd g =
      phi_k.colwise().sum().transpose().unaryExpr([&](double z) { return std::pow(z, in.alpha); });
  Matrix out = phi_q * w;
  const Eigen::VectorXd den = (phi_q * g).array() + in.epsilon;
  out.array().colwise() /= den.array();
  return out;
}

SimulatedHeadResult simulate_head(const HeadInputs& in, const SimulatedHeadSettings& s) {
  validate_inputs(in);
  validate_settings(s);
  const Eigen::Index n = in.k.rows(), m = in.k.cols(), d = in.v.cols(), n_q = in.q.rows();
  const bool astro = in.activity.size() != 0;
  const bio::RateNeuronParams hidden{s.tau_n, s.neuron_leak, RateNonlinearity::elu_plus_one};
  const bio::RateNeuronParams output{s.tau_n, s.neuron_leak, RateNonlinearity::identity};
  const bio::HebbianSynapseParams synapse{s.tau_p, s.synapse_leak, 1.0};
  const auto steps = static_cast<long>(std::llround(s.tau_p / s.dt));
  sim::FixedStepScratch scratch;
  SimulatedHeadResult result;
  if (s.tau_n / s.tau_p > 0.05)
    result.warnings.push_back("tau_n/tau_p = " + std::to_string(s.tau_n / s.tau_p) +
                              " > 0.05: each window keeps a transient of that order, far from the operator");

  // Write phase. State: hidden x (m), Ca²⁺ z (m), synapses s (m·d, row j = hidden neuron), processes p (m·d).
  std::vector<double> y(static_cast<std::size_t>(2 * m + 2 * m * d), 0.0);
  double t = 0;
  for (Eigen::Index tok = 0; tok < n; ++tok) {
    const auto rhs = [&](double, const double* st, double* dst) {
      const double* x = st;
      const double* sy = st + 2 * m;
      const double* pr = st + 2 * m + m * d;
      for (Eigen::Index j = 0; j < m; ++j) {
        const double fx = phi(x[j]);
        dst[j] = bio::rate_neuron_rhs(hidden, x[j], in.k(tok, j));
        dst[m + j] = fx / s.tau_p;
        const double fa = astro ? phi(in.activity(tok, j)) : 0.0;
        for (Eigen::Index i = 0; i < d; ++i) {
          const Eigen::Index ji = j * d + i;
          dst[2 * m + ji] = bio::hebbian_rhs(synapse, sy[ji], in.v(tok, i), fx, 0.0);
          dst[2 * m + m * d + ji] = astro ? bio::hebbian_rhs(synapse, pr[ji], in.v(tok, i), fa, 0.0) : 0.0;
        }
      }
    };
    for (long k = 0; k < steps; ++k, t += s.dt) sim::fixed_step_dynamic(s.method, rhs, t, y, s.dt, scratch);
  }
  result.calcium.assign(y.begin() + m, y.begin() + 2 * m);
  result.synapses = Matrix(m, d);
  for (Eigen::Index j = 0; j < m; ++j)
    for (Eigen::Index i = 0; i < d; ++i)
      result.synapses(j, i) = y[static_cast<std::size_t>(2 * m + j * d + i)] +
                              y[static_cast<std::size_t>(2 * m + m * d + j * d + i)];

  // Read phase: synaptic efficacy and presynaptic response are fixed; state: hidden x (m), output o (d).
  Matrix w = result.synapses;
  if (in.nonlinearity) {
    const double c = synaptic_scale(in);
    w = w.unaryExpr([c](double x) { return logistic(c * x); });
  }
  std::vector<double> g(static_cast<std::size_t>(m));
  for (Eigen::Index j = 0; j < m; ++j) g[j] = std::pow(std::max(result.calcium[j], 0.0), in.alpha);
  std::vector<double> r(static_cast<std::size_t>(m + d), 0.0);
  for (Eigen::Index j = 0; j < m; ++j) r[j] = y[j];  // the hidden neurons carry over from the write phase
  result.out = Matrix(n_q, d);
  std::vector<double> fx(static_cast<std::size_t>(m));
  for (Eigen::Index qi = 0; qi < n_q; ++qi) {
    const auto rhs = [&](double, const double* st, double* dst) {
      double response = in.epsilon;  // C = φ(x) · g + ε
      for (Eigen::Index j = 0; j < m; ++j) {
        fx[j] = phi(st[j]);
        response += fx[j] * g[j];
        dst[j] = bio::rate_neuron_rhs(hidden, st[j], in.q(qi, j));
      }
      for (Eigen::Index i = 0; i < d; ++i) {
        double u = 0;
        for (Eigen::Index j = 0; j < m; ++j) u += fx[j] * w(j, i);
        dst[m + i] = bio::rate_neuron_rhs(output, st[m + i], u / response);
      }
    };
    for (long k = 0; k < steps; ++k, t += s.dt) sim::fixed_step_dynamic(s.method, rhs, t, r, s.dt, scratch);
    for (Eigen::Index i = 0; i < d; ++i) result.out(qi, i) = r[static_cast<std::size_t>(m + i)];
  }
  return result;
}

HeadInputs head_inputs_from_attention(const nn::Tensor<double>& q, const nn::Tensor<double>& k,
                                      const nn::Tensor<double>& v, const nn::Tensor<double>& position,
                                      const nn::Tensor<double>& decay, nn::Index b, nn::Index h,
                                      const nn::AstromorphicAttentionOptions& options,
                                      const nn::KeyMask* key_mask, std::vector<nn::Index>* key_rows) {
  nn::require_shape(q, {-1, -1, -1, -1}, "simulated_head.q");
  nn::require_shape(k, {q.dim(0), q.dim(1), -1, q.dim(3)}, "simulated_head.k");
  nn::require_shape(v, {q.dim(0), q.dim(1), k.dim(2), -1}, "simulated_head.v");
  if (key_mask) nn::require_shape(*key_mask, {q.dim(0), k.dim(2)}, "simulated_head.key_mask");
  if (b < 0 || b >= q.dim(0)) throw ConfigError("simulated_head.batch", std::to_string(b), "out of range");
  if (h < 0 || h >= q.dim(1)) throw ConfigError("simulated_head.head", std::to_string(h), "out of range");
  const nn::Index n_q = q.dim(2), n = k.dim(2), m = q.dim(3), d = v.dim(3), bh = b * q.dim(1) + h;
  std::vector<nn::Index> rows;  // the keys presented: the real ones, in order
  for (nn::Index t = 0; t < n; ++t)
    if (nn::key_is_real(key_mask, b, n, t)) rows.push_back(t);
  const auto n_real = static_cast<nn::Index>(rows.size());
  const Matrix all_k = k.block(bh * n * m, n, m), all_v = v.block(bh * n * d, n, d);
  HeadInputs in;
  in.q = q.block(bh * n_q * m, n_q, m);
  in.k = Matrix(n_real, m);
  in.v = Matrix(n_real, d);
  for (nn::Index r = 0; r < n_real; ++r) {
    in.k.row(r) = all_k.row(rows[static_cast<std::size_t>(r)]);
    in.v.row(r) = all_v.row(rows[static_cast<std::size_t>(r)]);
  }
  in.alpha = options.alpha;
  in.nonlinearity = options.nonlinearity;
  in.epsilon = options.epsilon;
  in.synaptic_scale = 1.0 / static_cast<double>(n);  // the op's c = 1/N_k, padded keys counted
  if (options.astrocyte_term) {
    nn::require_shape(position, {q.dim(1), n, m}, "simulated_head.position");
    nn::require_shape(decay, {q.dim(1)}, "simulated_head.decay");
    Matrix activity(n, m);  // A over all positions, as the op computes it
    nn::exponential_toeplitz_into(position.data() + h * n * m, n, m, std::exp(-nn::softplus(decay[h])),
                                  activity.data());
    in.activity = Matrix(n_real, m);
    for (nn::Index r = 0; r < n_real; ++r)
      in.activity.row(r) = activity.row(rows[static_cast<std::size_t>(r)]);
  }
  if (key_rows) *key_rows = std::move(rows);
  return in;
}

nn::AstromorphicAttentionOptions attention_options(const HeadInputs& in) {
  nn::AstromorphicAttentionOptions o;
  o.alpha = in.alpha;
  o.astrocyte_term = in.activity.size() != 0;
  o.nonlinearity = in.nonlinearity;
  o.epsilon = in.epsilon;
  return o;
}

}  // namespace glia::mapping
