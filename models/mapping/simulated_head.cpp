#include "models/mapping/simulated_head.hpp"

#include <algorithm>
#include <cmath>

#include "engine/core/error.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/nn/ops/exponential_toeplitz.hpp"
#include "engine/sim/step_config.hpp"
#include "models/bio/rate_neuron.hpp"
#include "models/network/network.hpp"

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
  const auto finite = [](const Matrix& x, const char* field) {
    for (Eigen::Index r = 0; r < x.rows(); ++r)
      for (Eigen::Index c = 0; c < x.cols(); ++c)
        if (!std::isfinite(x(r, c)))
          throw ConfigError(std::string(field) + "[" + std::to_string(r) + ", " + std::to_string(c) + "]",
                            io::number_text(x(r, c)), "must be finite");
  };
  finite(in.q, "simulated_head.q");
  finite(in.k, "simulated_head.k");
  finite(in.v, "simulated_head.v");
  finite(in.activity, "simulated_head.activity");
  if (!(in.alpha > 0) || !std::isfinite(in.alpha))
    throw ConfigError("simulated_head.alpha", io::number_text(in.alpha), "must be > 0 and finite");
  if (!(in.epsilon > 0) || !std::isfinite(in.epsilon))
    throw ConfigError("simulated_head.epsilon", io::number_text(in.epsilon), "must be > 0 and finite");
  if (!(in.synaptic_scale >= 0 && std::isfinite(in.synaptic_scale)))
    throw ConfigError("simulated_head.synaptic_scale", std::to_string(in.synaptic_scale),
                      "must be >= 0 and finite (0: 1/N of the keys presented)");
}

}  // namespace

void validate_settings(const SimulatedHeadSettings& s) {
  io::check_positive("simulated_head.tau_p", s.tau_p, "s");
  io::check_positive("simulated_head.tau_n", s.tau_n, "s");
  io::check_positive("simulated_head.dt", s.dt, "s");
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

namespace {

nlohmann::json rows(const Matrix& m) {
  nlohmann::json out = nlohmann::json::array();
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index c = 0; c < m.cols(); ++c) row.push_back(m(r, c));
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace

nlohmann::json simulated_head_config(const HeadInputs& in, const SimulatedHeadSettings& s) {
  using nlohmann::json;
  validate_inputs(in);
  validate_settings(s);
  const Eigen::Index n = in.k.rows(), m = in.k.cols(), d = in.v.cols(), n_q = in.q.rows();
  const bool astro = in.activity.size() != 0;
  const double T = s.tau_p;
  const auto group = [&](const char* name, Eigen::Index size, const char* theta, const char* key,
                         json windows) {
    return json{{"name", name},
                {"model", "rate"},
                {"n", size},
                {"params", {{"tau_n", s.tau_n}, {"lambda", s.neuron_leak}}},
                {"nonlinearity", theta},
                {"method", sim::fixed_step_method_name(s.method)},
                {"windows", {{"dt", T}, {key, std::move(windows)}}}};
  };
  // Hidden neurons: driven by the keys (write), then the queries (read). Output neurons: clamped to
  // the values while writing, free while reading. The astrocyte's positional drive: clamped to A.
  json drive = rows(in.k);
  for (auto& r : rows(in.q)) drive.push_back(std::move(r));
  json groups = {group("hidden", m, "elu+1", "drive", std::move(drive)),
                 group("output", d, "identity", "clamp", rows(in.v))};
  if (astro) groups.push_back(group("positional", m, "elu+1", "clamp", rows(in.activity)));
  json syn{{"name", "synapses"},
           {"model", "hebbian"},
           {"source", "hidden"},
           {"target", "output"},
           {"connect", {{"rule", "all_to_all"}}},
           {"weight", 1.0},
           {"params", {{"tau_s", T}, {"beta", s.synapse_leak}, {"c", 1.0}}},
           {"learning", {{"until", T * static_cast<double>(n)}}},
           {"presynaptic_calcium", {{"tau", T}, {"alpha", in.alpha}, {"epsilon", in.epsilon}}}};
  if (astro) syn["process"] = {{"model", "positional"}, {"drive", "positional"}};
  if (in.nonlinearity) syn["efficacy"] = {{"sigmoid_scale", synaptic_scale(in)}};
  json all = json::array();
  for (Eigen::Index q = 0; q < m * d; ++q) all.push_back(q);
  json recorded = astro ? json{"s", "p", "z"} : json{"s", "z"};
  return json{{"simulation", {{"duration", T * static_cast<double>(n + n_q)}, {"dt", s.dt}, {"seed", 0}}},
              {"groups", std::move(groups)},
              {"projections", {std::move(syn)}},
              {"monitors",
               {{{"type", "state"},
                 {"target", "output"},
                 {"variables", {"x"}},
                 {"start", T * static_cast<double>(n + 1)},
                 {"dt", T}},
                {{"type", "state"},
                 {"target", "synapses"},
                 {"variables", std::move(recorded)},
                 {"indices", std::move(all)},
                 {"times", {T * static_cast<double>(n)}}}}}};
}

SimulatedHeadResult simulate_head(const HeadInputs& in, const SimulatedHeadSettings& s) {
  const network::NetworkConfig config = network::parse_network_config(simulated_head_config(in, s));
  const network::NetworkResult run = network::run_network(config);
  if (!run.complete) throw RuntimeError("simulated head: " + run.error);
  const Eigen::Index m = in.k.cols(), d = in.v.cols(), n_q = in.q.rows();
  SimulatedHeadResult result;
  if (s.tau_n / s.tau_p > 0.05)
    result.warnings.push_back("tau_n/tau_p = " + std::to_string(s.tau_n / s.tau_p) +
                              " > 0.05: each window keeps a transient of that order, far from the operator");
  // Synapse (j, i) (hidden j, output i) is list index j d + i: the layout of the m x d matrices.
  const network::StateTrace& syn = run.state.at("synapses");
  const std::vector<double>& sv = syn.values.at("s");
  result.synapses = Matrix(m, d);
  for (Eigen::Index q = 0; q < m * d; ++q) result.synapses(q / d, q % d) = sv[static_cast<std::size_t>(q)];
  if (in.activity.size() != 0) {
    const std::vector<double>& pv = syn.values.at("p");
    for (Eigen::Index q = 0; q < m * d; ++q) result.synapses(q / d, q % d) += pv[static_cast<std::size_t>(q)];
  }
  const std::vector<double>& z = syn.values.at("z");
  for (Eigen::Index j = 0; j < m; ++j) result.calcium.push_back(z[static_cast<std::size_t>(j * d)]);
  const std::vector<double>& out = run.state.at("output").values.at("x");
  result.out = Matrix(n_q, d);
  for (Eigen::Index r = 0; r < n_q; ++r)
    for (Eigen::Index i = 0; i < d; ++i) result.out(r, i) = out[static_cast<std::size_t>(r * d + i)];
  return result;
}

HeadInputs head_inputs_from_attention(const nn::Tensor<double>& q, const nn::Tensor<double>& k,
                                      const nn::Tensor<double>& v, const nn::Tensor<double>& position,
                                      const nn::Tensor<double>& decay, nn::Index b, nn::Index h,
                                      const nn::AstromorphicAttentionOptions& options,
                                      const nn::KeyMask* key_mask, std::vector<nn::Index>* key_rows,
                                      const std::vector<double>* scales) {
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
  // The op's c, over N_k keys with the padded ones counted.
  if (scales) {
    in.synaptic_scale = scales->at(static_cast<std::size_t>(h));
  } else if (options.nonlinearity && options.scale == nn::SynapticScale::learned) {
    throw ConfigError("simulated_head.synaptic_scale", "learned", "give the op's scale per head");
  } else {
    in.synaptic_scale = options.scale == nn::SynapticScale::inverse_n
                            ? 1.0 / static_cast<double>(n)
                            : 1.0 / std::sqrt(static_cast<double>(n));
  }
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
