#include "models/bio/neuron_astrocyte_network.hpp"

#include <cmath>

#include "engine/core/error.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/sim/step_config.hpp"

namespace glia::bio {

namespace {

enum class Check { positive, non_negative, finite };

struct NamedParam {
  const char* name;
  double* value;
  Check check;
  const char* unit;
};

// The scalar parameters of a spec by the names front ends use ("params.<name>" in messages).
std::vector<NamedParam> named_params(NeuronAstrocyteSpec& s) {
  return {{"tau_n", &s.neuron.tau_n, Check::positive, "s"},
          {"lambda", &s.neuron.lambda, Check::non_negative, ""},
          {"tau_s", &s.synapse.tau_s, Check::positive, "s"},
          {"beta", &s.synapse.beta, Check::non_negative, ""},
          {"c", &s.synapse.c, Check::finite, ""},
          {"tau_ps", &s.process.tau_ps, Check::positive, "s"},
          {"tau_pl", &s.process.tau_pl, Check::positive, "s"},
          {"gamma_s", &s.process.gamma_s, Check::non_negative, ""},
          {"gamma_l", &s.process.gamma_l, Check::non_negative, ""},
          {"c_T", &s.process.c_T, Check::finite, ""},
          {"lambda_T", &s.process.lambda_T, Check::positive, "grid units"},
          {"psi_gain", &s.process.psi_gain, Check::finite, ""},
          {"kappa_gain", &s.process.kappa_gain, Check::finite, ""},
          {"w_gain", &s.w_gain, Check::finite, ""}};
}

double check_finite(const std::string& field, double v) {
  if (!std::isfinite(v)) throw ConfigError(field, io::number_text(v), "must be finite");
  return v;
}

void check_value(const std::string& field, double v, Check c, const char* unit) {
  check_finite(field, v);
  if (c == Check::positive) io::check_positive(field, v, unit);
  if (c == Check::non_negative) io::check_non_negative(field, v, unit);
}

void check_drives(const std::string& field, const std::vector<double>& b) {
  if (b.empty()) throw ConfigError(field, "0 values", "expected one drive per neuron (at least one neuron)");
  for (std::size_t k = 0; k < b.size(); ++k) check_finite(field + "[" + std::to_string(k) + "]", b[k]);
}

NetworkStepMethod step_method(const std::string& field, const std::string& name) {
  if (name == "exact") return NetworkStepMethod::exact;
  if (name == "euler") return NetworkStepMethod::euler;
  if (name == "rk2") return NetworkStepMethod::rk2;
  if (name == "rk4") return NetworkStepMethod::rk4;
  throw ConfigError(field, "\"" + name + "\"", "expected \"exact\", \"euler\", \"rk2\" or \"rk4\"");
}

// Steps per on-phase and per off-phase (0 allowed for T_off).
void phase_steps(const NeuronAstrocyteSpec& s, std::int64_t& n_on, std::int64_t& n_off) {
  n_on = sim::whole_steps("T_on", s.T_on, s.dt);
  n_off = s.T_off == 0.0 ? 0 : sim::whole_steps("T_off", s.T_off, s.dt);
}

void check_spec(NeuronAstrocyteSpec s) {
  for (const auto& f : named_params(s))
    check_value(std::string("params.") + f.name, *f.value, f.check, f.unit);
  check_drives("b_pre", s.b_pre);
  check_drives("b_post", s.b_post);
  check_value("dt", s.dt, Check::positive, "s");
  check_value("T_on", s.T_on, Check::positive, "s");
  check_value("T_off", s.T_off, Check::non_negative, "s");
  std::int64_t n_on, n_off;
  phase_steps(s, n_on, n_off);
  if (s.n_cycles < 1) throw ConfigError("n_cycles", std::to_string(s.n_cycles), "must be >= 1");
  if (s.record_every < 1) throw ConfigError("record_every", std::to_string(s.record_every), "must be >= 1");
}

// The coupled network as one state vector: x_pre, x_post, then s, p^s, p^l per synapse.
class Network {
 public:
  explicit Network(const NeuronAstrocyteSpec& spec)
      : sp_(spec),
        n_pre_(static_cast<std::int64_t>(spec.b_pre.size())),
        n_post_(static_cast<std::int64_t>(spec.b_post.size())),
        n_syn_(n_pre_ * n_post_),
        T_(static_cast<std::size_t>(n_syn_ * n_syn_)),
        theta_pre_(static_cast<std::size_t>(n_pre_)),
        theta_post_(static_cast<std::size_t>(n_post_)),
        psi_(static_cast<std::size_t>(n_syn_)),
        u_post_(static_cast<std::size_t>(n_post_)),
        coupling_(static_cast<std::size_t>(n_syn_)) {
    // Dense kernel: the networks of the LTP protocol are small (9 synapses by default).
    for (std::int64_t a = 0; a < n_syn_; ++a)
      for (std::int64_t b = 0; b < n_syn_; ++b)
        T_[static_cast<std::size_t>(a * n_syn_ + b)] =
            process_kernel(sp_.process, static_cast<double>(a / n_pre_ - b / n_pre_),
                           static_cast<double>(a % n_pre_ - b % n_pre_));
  }

  std::int64_t size() const { return n_pre_ + n_post_ + 3 * n_syn_; }
  std::int64_t pre() const { return 0; }
  std::int64_t post() const { return n_pre_; }
  std::int64_t syn() const { return n_pre_ + n_post_; }
  std::int64_t ps() const { return syn() + n_syn_; }
  std::int64_t pl() const { return ps() + n_syn_; }

  void step(double* y, bool on) {
    const double dt = sp_.dt;
    const auto n = static_cast<std::size_t>(size());
    k1_.resize(n);
    k2_.resize(n);
    k3_.resize(n);
    k4_.resize(n);
    tmp_.resize(n);
    switch (sp_.method) {
      case NetworkStepMethod::exact:
        step_exact(y, on);
        break;
      case NetworkStepMethod::euler:
        rhs(y, on, k1_.data());
        for (std::size_t i = 0; i < n; ++i) y[i] += dt * k1_[i];
        break;
      case NetworkStepMethod::rk2:
        rhs(y, on, k1_.data());
        for (std::size_t i = 0; i < n; ++i) tmp_[i] = y[i] + 0.5 * dt * k1_[i];
        rhs(tmp_.data(), on, k2_.data());
        for (std::size_t i = 0; i < n; ++i) y[i] += dt * k2_[i];
        break;
      case NetworkStepMethod::rk4:
        rhs(y, on, k1_.data());
        for (std::size_t i = 0; i < n; ++i) tmp_[i] = y[i] + 0.5 * dt * k1_[i];
        rhs(tmp_.data(), on, k2_.data());
        for (std::size_t i = 0; i < n; ++i) tmp_[i] = y[i] + 0.5 * dt * k2_[i];
        rhs(tmp_.data(), on, k3_.data());
        for (std::size_t i = 0; i < n; ++i) tmp_[i] = y[i] + dt * k3_[i];
        rhs(tmp_.data(), on, k4_.data());
        for (std::size_t i = 0; i < n; ++i)
          y[i] += dt / 6.0 * (k1_[i] + 2.0 * k2_[i] + 2.0 * k3_[i] + k4_[i]);
        break;
    }
  }

 private:
  // theta of every neuron, psi of every process, the postsynaptic inputs and the coupling sums.
  void inputs(const double* y, bool on) {
    const RateNonlinearity f = sp_.neuron.theta;
    for (std::int64_t j = 0; j < n_pre_; ++j) theta_pre_[j] = rate_theta(f, y[pre() + j]);
    for (std::int64_t i = 0; i < n_post_; ++i) theta_post_[i] = rate_theta(f, y[post() + i]);
    for (std::int64_t k = 0; k < n_syn_; ++k) psi_[k] = process_psi(sp_.process, y[ps() + k]);
    for (std::int64_t i = 0; i < n_post_; ++i) {
      double u = on ? sp_.b_post[i] : 0.0;
      for (std::int64_t j = 0; j < n_pre_; ++j) u += sp_.w_gain * y[syn() + i * n_pre_ + j] * theta_pre_[j];
      u_post_[i] = u;
    }
    for (std::int64_t a = 0; a < n_syn_; ++a) {
      double c = 0.0;
      for (std::int64_t b = 0; b < n_syn_; ++b) c += T_[a * n_syn_ + b] * psi_[b];
      coupling_[a] = c;
    }
  }

  void rhs(const double* y, bool on, double* d) {
    inputs(y, on);
    for (std::int64_t j = 0; j < n_pre_; ++j)
      d[pre() + j] = rate_neuron_rhs(sp_.neuron, y[pre() + j], on ? sp_.b_pre[j] : 0.0);
    for (std::int64_t i = 0; i < n_post_; ++i)
      d[post() + i] = rate_neuron_rhs(sp_.neuron, y[post() + i], u_post_[i]);
    for (std::int64_t k = 0; k < n_syn_; ++k) {
      const double s = y[syn() + k];
      d[syn() + k] = hebbian_rhs(sp_.synapse, s, theta_post_[k / n_pre_], theta_pre_[k % n_pre_], psi_[k]);
      d[ps() + k] = process_short_rhs(sp_.process, y[ps() + k], coupling_[k], s);
      d[pl() + k] = process_long_rhs(sp_.process, y[pl() + k], s);
    }
  }

  // Every element's exact step with the inputs of the step start (exponential Euler).
  void step_exact(double* y, bool on) {
    inputs(y, on);
    const double dt = sp_.dt;
    for (std::int64_t j = 0; j < n_pre_; ++j) {
      RateNeuronState x{y[pre() + j]};
      rate_neuron_step_exact(sp_.neuron, x, on ? sp_.b_pre[j] : 0.0, dt);
      y[pre() + j] = x.x;
    }
    for (std::int64_t i = 0; i < n_post_; ++i) {
      RateNeuronState x{y[post() + i]};
      rate_neuron_step_exact(sp_.neuron, x, u_post_[i], dt);
      y[post() + i] = x.x;
    }
    for (std::int64_t k = 0; k < n_syn_; ++k) {
      const double s_start = y[syn() + k];
      HebbianSynapseState s{s_start};
      hebbian_step_exact(sp_.synapse, s, theta_post_[k / n_pre_], theta_pre_[k % n_pre_], psi_[k], dt);
      AstrocyteProcessState p{y[ps() + k], y[pl() + k]};
      process_step_exact(sp_.process, p, coupling_[k], s_start, dt);
      y[syn() + k] = s.s;
      y[ps() + k] = p.p_s;
      y[pl() + k] = p.p_l;
    }
  }

  const NeuronAstrocyteSpec& sp_;
  std::int64_t n_pre_, n_post_, n_syn_;
  std::vector<double> T_, theta_pre_, theta_post_, psi_, u_post_, coupling_;
  std::vector<double> k1_, k2_, k3_, k4_, tmp_;
};

void record(const Network& net, const std::vector<double>& y, std::int64_t n_pre, std::int64_t n_post,
            NeuronAstrocyteResult& r) {
  const std::int64_t n_syn = n_pre * n_post;
  const auto at = [&](std::int64_t k) { return y.begin() + k; };
  r.x_pre.insert(r.x_pre.end(), at(net.pre()), at(net.pre() + n_pre));
  r.x_post.insert(r.x_post.end(), at(net.post()), at(net.post() + n_post));
  r.s.insert(r.s.end(), at(net.syn()), at(net.syn() + n_syn));
  r.p_s.insert(r.p_s.end(), at(net.ps()), at(net.ps() + n_syn));
  r.p_l.insert(r.p_l.end(), at(net.pl()), at(net.pl() + n_syn));
}

}  // namespace

NeuronAstrocyteSpec build_neuron_astrocyte_network(const NeuronAstrocyteArrays& a) {
  NeuronAstrocyteSpec s;
  auto fields = named_params(s);
  for (const auto& [name, value] : a.params) {
    NamedParam* f = nullptr;
    for (auto& candidate : fields)
      if (name == candidate.name) f = &candidate;
    if (!f) throw ConfigError("params." + name, io::number_text(value), "unknown parameter of the network");
    check_value("params." + name, value, f->check, f->unit);
    *f->value = value;
  }
  s.neuron.theta = rate_nonlinearity("theta", a.theta);
  s.b_pre = a.b_pre;
  s.b_post = a.b_post;
  s.T_on = a.T_on;
  s.T_off = a.T_off;
  s.n_cycles = a.n_cycles;
  s.dt = check_finite("dt", a.dt);
  io::check_positive("dt", s.dt, "s");
  s.record_every =
      sim::whole_steps("record_dt", a.record_dt > 0 ? check_finite("record_dt", a.record_dt) : s.dt, s.dt);
  s.method = step_method("method", a.method);
  check_spec(s);
  return s;
}

std::map<std::string, double> neuron_astrocyte_params(const NeuronAstrocyteSpec& spec) {
  NeuronAstrocyteSpec copy = spec;
  std::map<std::string, double> out;
  for (const auto& f : named_params(copy)) out[f.name] = *f.value;
  return out;
}

NeuronAstrocyteResult run_neuron_astrocyte_network(const NeuronAstrocyteSpec& spec) {
  check_spec(spec);
  std::int64_t n_on, n_off;
  phase_steps(spec, n_on, n_off);
  const std::int64_t n_cycle = n_on + n_off, n_steps = n_cycle * spec.n_cycles;
  Network net(spec);
  NeuronAstrocyteResult r;
  r.n_pre = static_cast<std::int64_t>(spec.b_pre.size());
  r.n_post = static_cast<std::int64_t>(spec.b_post.size());
  const std::int64_t n_syn = r.n_pre * r.n_post;
  std::vector<double> y(static_cast<std::size_t>(net.size()), 0.0);
  r.t.push_back(0.0);
  record(net, y, r.n_pre, r.n_post, r);
  for (std::int64_t k = 0; k < n_steps; ++k) {
    const std::int64_t in_cycle = k % n_cycle;
    net.step(y.data(), in_cycle < n_on);
    const double t = static_cast<double>(k + 1) * spec.dt;
    const auto p_l = y.begin() + net.pl();
    if (in_cycle + 1 == n_on) r.p_l_on_end.insert(r.p_l_on_end.end(), p_l, p_l + n_syn);
    if (in_cycle + 1 == n_cycle) {
      r.cycle_end_t.push_back(t);
      r.p_l_cycle_end.insert(r.p_l_cycle_end.end(), p_l, p_l + n_syn);
    }
    if ((k + 1) % spec.record_every == 0) {
      r.t.push_back(t);
      record(net, y, r.n_pre, r.n_post, r);
    }
  }
  return r;
}

}  // namespace glia::bio
