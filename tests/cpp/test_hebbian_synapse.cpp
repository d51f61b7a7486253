#include <gtest/gtest.h>

#include <cmath>
#include <tuple>
#include <vector>

#include "models/bio/hebbian_synapse.hpp"
#include "models/bio/rate_neuron.hpp"

namespace glia::bio {

namespace {

using sim::FixedStepMethod;

std::vector<double> orders(const std::vector<double>& errors) {
  std::vector<double> o;
  for (std::size_t k = 1; k < errors.size(); ++k) o.push_back(std::log2(errors[k - 1] / errors[k]));
  return o;
}

// int_0^T sin(a t) cos(b t) dt, a != b.
double sin_cos_integral(double a, double b, double T) {
  const auto F = [&](double t) {
    return -std::cos((a + b) * t) / (2 * (a + b)) - std::cos((a - b) * t) / (2 * (a - b));
  };
  return F(T) - F(0.0);
}

}  // namespace

// The write phase of attention: tokens (key k_t on the presynaptic neurons, value v_t on the
// postsynaptic ones) are presented one after another for tau_p each. With beta = 0 and psi = 0 the
// synapses end at S0 + (c tau_p / tau_s) sum_t theta(v_t) theta(k_t)^T, the outer-product sum, which
// is computed here directly as a matrix product.
TEST(HebbianSynapse, WritePhaseIntegratesOuterProductExactly) {
  HebbianSynapseParams p;
  p.beta = 0.0;
  p.c = 1.7;
  const RateNonlinearity theta = RateNonlinearity::elu_plus_one;
  const int n_tok = 5, n_pre = 4, n_post = 3, steps_per_token = 37;
  const double tau_p = 0.05, dt = tau_p / steps_per_token;
  std::vector<std::vector<double>> keys(n_tok, std::vector<double>(n_pre)),
      values(n_tok, std::vector<double>(n_post));
  for (int t = 0; t < n_tok; ++t) {
    for (int j = 0; j < n_pre; ++j) keys[t][j] = std::sin(1.3 * t + 0.7 * j) * 1.5;
    for (int i = 0; i < n_post; ++i) values[t][i] = std::cos(0.9 * t - 1.1 * i);
  }
  std::vector<HebbianSynapseState> S(n_post * n_pre);
  for (int k = 0; k < n_post * n_pre; ++k) S[k].s = 0.01 * k;  // the write adds to what is stored
  for (int t = 0; t < n_tok; ++t)
    for (int n = 0; n < steps_per_token; ++n)
      for (int i = 0; i < n_post; ++i)
        for (int j = 0; j < n_pre; ++j)
          hebbian_step_exact(p, S[i * n_pre + j], rate_theta(theta, values[t][i]),
                             rate_theta(theta, keys[t][j]), 0.0, dt);
  for (int i = 0; i < n_post; ++i) {
    for (int j = 0; j < n_pre; ++j) {
      double outer = 0.0;
      for (int t = 0; t < n_tok; ++t)
        outer += rate_theta(theta, values[t][i]) * rate_theta(theta, keys[t][j]);
      const double expected = 0.01 * (i * n_pre + j) + p.c * tau_p / p.tau_s * outer;
      EXPECT_NEAR(S[i * n_pre + j].s, expected, 1e-13) << i << "," << j;
    }
  }
}

// Smoothly varying activities theta(x_i) = sin(a t), theta(x_j) = cos(b t): the pure integrator
// (beta = 0, psi = 0) must give (c/tau_s) int sin(a t) cos(b t) dt. RK2 and RK4 are then the
// midpoint and Simpson rules: orders 2 and 4; forward Euler order 1.
TEST(HebbianSynapse, PureIntegratorConvergesToActivityIntegral) {
  HebbianSynapseParams p;
  p.beta = 0.0;
  p.c = 0.8;
  const double a = 2 * M_PI * 1.3, b = 2 * M_PI * 0.4, T = 1.7;
  const double expected = p.c / p.tau_s * sin_cos_integral(a, b, T);
  const auto inputs = [&](double t, double, double& post, double& pre, double& psi) {
    post = std::sin(a * t);
    pre = std::cos(b * t);
    psi = 0.0;
  };
  for (auto [method, order, dt0] :
       {std::tuple{FixedStepMethod::euler, 1.0, 1.7e-3}, std::tuple{FixedStepMethod::rk2, 2.0, 1.7e-2},
        std::tuple{FixedStepMethod::rk4, 4.0, 8.5e-2}}) {
    std::vector<double> errors;
    for (double dt = dt0; errors.size() < 4; dt /= 2) {
      HebbianSynapseState s;
      const int n_steps = static_cast<int>(std::lround(T / dt));
      for (int n = 0; n < n_steps; ++n) hebbian_step(method, p, s, n * dt, dt, inputs);
      errors.push_back(std::fabs(s.s - expected));
    }
    for (double o : orders(errors)) EXPECT_NEAR(o, order, 0.15) << static_cast<int>(method);
  }
}

// Constant activities and psi: s relaxes to s_inf = (c theta_i theta_j + psi) / beta with time
// constant tau_s / beta; the exact step reproduces the closed form at any dt.
TEST(HebbianSynapse, LeakyRelaxationToConstantInputSteadyState) {
  for (double beta : {1.0, 0.25}) {
    for (double dt : {1e-3, 0.05, 0.4}) {
      HebbianSynapseParams p;
      p.beta = beta;
      p.c = 1.5;
      const double th_post = 0.76, th_pre = -0.4, psi = 0.3, s0 = 0.9;
      const double s_inf = (p.c * th_post * th_pre + psi) / beta;
      HebbianSynapseState s{s0};
      for (int n = 1; n <= 100; ++n) {
        hebbian_step_exact(p, s, th_post, th_pre, psi, dt);
        EXPECT_NEAR(s.s, s_inf + (s0 - s_inf) * std::exp(-beta * n * dt / p.tau_s), 1e-13)
            << "beta " << beta << " dt " << dt << " n " << n;
      }
    }
  }
}

// With leak and a sinusoidal Hebbian drive c theta_i theta_j = c sin(w t) (theta_j = 1) and psi
// constant, s(t) has a closed form; Euler, RK2 and RK4 converge to it at orders 1, 2, 4.
TEST(HebbianSynapse, LeakyDrivenSynapseConvergesAtMethodOrder) {
  HebbianSynapseParams p;
  p.beta = 1.0;
  p.c = 1.2;
  const double w = 2 * M_PI * 0.5, psi = 0.2, T = 2.0, s0 = 0.1;
  // s' = -k s + g sin(w t) + h, k = beta/tau_s, g = c/tau_s, h = psi/tau_s.
  const double k = p.beta / p.tau_s, g = p.c / p.tau_s, h = psi / p.tau_s;
  const auto sp = [&](double t) {
    return h / k + g * (k * std::sin(w * t) - w * std::cos(w * t)) / (k * k + w * w);
  };
  const double expected = sp(T) + (s0 - sp(0.0)) * std::exp(-k * T);
  const auto inputs = [&](double t, double, double& post, double& pre, double& ps) {
    post = std::sin(w * t);
    pre = 1.0;
    ps = psi;
  };
  for (auto [method, order, dt0] :
       {std::tuple{FixedStepMethod::euler, 1.0, 1e-2}, std::tuple{FixedStepMethod::rk2, 2.0, 2.5e-2},
        std::tuple{FixedStepMethod::rk4, 4.0, 0.1}}) {
    std::vector<double> errors;
    for (double dt = dt0; errors.size() < 4; dt /= 2) {
      HebbianSynapseState s{s0};
      const int n_steps = static_cast<int>(std::lround(T / dt));
      for (int n = 0; n < n_steps; ++n) hebbian_step(method, p, s, n * dt, dt, inputs);
      errors.push_back(std::fabs(s.s - expected));
    }
    for (double o : orders(errors)) EXPECT_NEAR(o, order, 0.15) << static_cast<int>(method);
  }
}

}  // namespace glia::bio
