#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "engine/core/philox.hpp"
#include "models/bio/calcium_stdp.hpp"

namespace glia::bio {

namespace {

constexpr double kDt = 1e-4;

// A spike-pair protocol: n_pairs pairings at rate f, post spike dt_pair after the pre spike
// (negative: before). The presynaptic calcium jump arrives D after the pre spike.
struct Protocol {
  double dt_pair, f;
  int n_pairs;
};

// Runs the protocol on the step grid; returns rho at the end (after the last pairing + 1/f).
double run_protocol(const CalciumStdpParams& p, const Protocol& pr, double rho0, std::uint64_t seed,
                    bool noise) {
  const double period = 1.0 / pr.f, offset = 0.1;  // first pre spike at 0.1 s
  const auto steps = static_cast<std::int64_t>(std::llround((offset + pr.n_pairs * period) / kDt));
  const auto period_steps = static_cast<std::int64_t>(std::llround(period / kDt));
  const auto pre_steps = static_cast<std::int64_t>(std::llround((offset + p.D) / kDt));
  const auto post_steps = static_cast<std::int64_t>(std::llround((offset + pr.dt_pair) / kDt));
  CalciumStdpState s{rho0, 0.0};
  for (std::int64_t k = 0; k < steps; ++k) {
    const std::int64_t pairing = k / period_steps, in = k % period_steps;
    if (pairing < pr.n_pairs) {
      if (in == pre_steps) cstdp_pre_arrival(p, s);
      if (in == post_steps) cstdp_post_spike(p, s);
    }
    const double dW = noise ? std::sqrt(kDt) * philox_normal(seed, k, 0, 11) : 0.0;
    cstdp_step(p, s, kDt, dW);
  }
  return s.rho;
}

// Fractions of one pairing period that the calcium trace spends above theta_d and theta_p,
// from its closed form (sum of two decaying exponentials), sampled finely.
void time_above(const CalciumStdpParams& p, const Protocol& pr, double& alpha_d, double& alpha_p) {
  const double period = 1.0 / pr.f, t_pre = p.D, t_post = pr.dt_pair;
  const int n = 2000000;
  double above_d = 0, above_p = 0;
  for (int i = 0; i < n; ++i) {
    const double t = (i + 0.5) * period / n - 0.05;  // covers both jumps (pair intervals < 50 ms here)
    double c = 0;
    if (t >= t_pre) c += p.C_pre * std::exp(-(t - t_pre) / p.tau_Ca);
    if (t >= t_post) c += p.C_post * std::exp(-(t - t_post) / p.tau_Ca);
    above_d += c > p.theta_d;
    above_p += c > p.theta_p;
  }
  alpha_d = above_d / n;
  alpha_p = above_p / n;
}

}  // namespace

TEST(CalciumStdp, CalciumDecaysExactly) {
  CalciumStdpParams p;
  CalciumStdpState s;
  cstdp_post_spike(p, s);
  for (int k = 0; k < 100; ++k) cstdp_step(p, s, kDt, 0.0);
  cstdp_pre_arrival(p, s);
  for (int k = 0; k < 50; ++k) cstdp_step(p, s, kDt, 0.0);
  const double expected =
      p.C_post * std::exp(-150 * kDt / p.tau_Ca) + p.C_pre * std::exp(-50 * kDt / p.tau_Ca);
  EXPECT_NEAR(s.c, expected, 1e-14);
}

// Without calcium only the cubic acts: rho relaxes to 0 below rho_star and to 1 above it,
// following the ODE (checked against RK4 at the same step).
TEST(CalciumStdp, BistableWithoutCalcium) {
  CalciumStdpParams p;
  p.tau = 1.0;  // fast, so the test is short
  for (double rho0 : {0.3, 0.45, 0.55, 0.8}) {
    CalciumStdpState s{rho0, 0.0};
    double r = rho0;
    const double h = 1e-3;
    auto f = [&](double x) { return -x * (1 - x) * (p.rho_star - x) / p.tau; };
    for (int k = 0; k < 200000; ++k) {
      cstdp_step(p, s, h, 0.0);
      const double k1 = f(r), k2 = f(r + 0.5 * h * k1), k3 = f(r + 0.5 * h * k2), k4 = f(r + h * k3);
      r += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
    }
    EXPECT_NEAR(s.rho, rho0 < p.rho_star ? 0.0 : 1.0, 1e-3) << rho0;
    EXPECT_NEAR(s.rho, r, 1e-3) << rho0;  // Euler vs RK4: first-order difference only
  }
}

// Graupner & Brunel's averaged dynamics: with the fractions of time alpha_d, alpha_p the
// calcium spends above the thresholds, drho/dt ~ (gamma_p alpha_p (1 - rho) - gamma_d alpha_d rho)/tau
// (the cubic is negligible against these rates while the protocol runs). Pre-before-post at
// +10 ms potentiates, post-before-pre at -10 ms depresses, both as predicted.
TEST(CalciumStdp, PairProtocolFollowsAveragedDynamics) {
  const CalciumStdpParams p;
  for (double dt_pair : {0.010, -0.010, 0.030}) {
    const Protocol pr{dt_pair, 1.0, 60};
    double alpha_d, alpha_p;
    time_above(p, pr, alpha_d, alpha_p);
    const double Gp = p.gamma_p * alpha_p, Gd = p.gamma_d * alpha_d;
    const double rho_bar = Gp / (Gp + Gd), rate = (Gp + Gd) / p.tau;
    for (double rho0 : {0.0, 1.0}) {
      const double predicted = rho_bar + (rho0 - rho_bar) * std::exp(-rate * pr.n_pairs / pr.f);
      const double simulated = run_protocol(p, pr, rho0, 0, false);
      EXPECT_NEAR(simulated, predicted, 0.01) << "dt " << dt_pair << " rho0 " << rho0;
    }
  }
  // Signs of the classic STDP window.
  EXPECT_GT(run_protocol(p, {0.010, 1.0, 60}, 0.0, 0, false), 0.05);
  EXPECT_LT(run_protocol(p, {-0.010, 1.0, 60}, 1.0, 0, false), 0.95);
}

// With noise, a synapse far from any threshold crossing only drifts through the cubic, and
// the noise is off (it acts only while calcium is above a threshold).
TEST(CalciumStdp, NoiseOnlyWhileCalciumIsAboveThreshold) {
  const CalciumStdpParams p;
  EXPECT_EQ(cstdp_noise(p, 0.5), 0.0);
  EXPECT_NEAR(cstdp_noise(p, 1.1), p.sigma / std::sqrt(p.tau), 1e-15);
  EXPECT_NEAR(cstdp_noise(p, 1.5), p.sigma * std::sqrt(2.0) / std::sqrt(p.tau), 1e-15);
  // Noisy runs of the same protocol differ by seed and average near the deterministic one.
  double mean = 0;
  const int runs = 40;
  for (int r = 0; r < runs; ++r) mean += run_protocol(p, {0.010, 1.0, 60}, 0.0, 1000 + r, true) / runs;
  const double det = run_protocol(p, {0.010, 1.0, 60}, 0.0, 0, false);
  EXPECT_NE(run_protocol(p, {0.010, 1.0, 60}, 0.0, 1, true), run_protocol(p, {0.010, 1.0, 60}, 0.0, 2, true));
  EXPECT_NEAR(mean, det, 0.1);
}

}  // namespace glia::bio
