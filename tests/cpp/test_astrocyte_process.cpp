#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/core/error.hpp"
#include "engine/sim/fixed_step.hpp"
#include "models/bio/astrocyte_li_rinzel.hpp"
#include "models/bio/astrocyte_process.hpp"
#include "models/mapping/ltp_network.hpp"

namespace glia::bio {

using mapping::build_neuron_astrocyte_network;
using mapping::NeuronAstrocyteArrays;
using mapping::NeuronAstrocyteResult;
using mapping::NeuronAstrocyteSpec;
using mapping::run_neuron_astrocyte_network;

namespace {

std::vector<double> orders(const std::vector<double>& errors) {
  std::vector<double> o;
  for (std::size_t k = 1; k < errors.size(); ++k) o.push_back(std::log2(errors[k - 1] / errors[k]));
  return o;
}

// Final state of a network run: every recorded variable at the last sample.
std::vector<double> final_state(const NeuronAstrocyteResult& r) {
  const auto last = [&](const std::vector<double>& v, std::int64_t n) {
    return std::vector<double>(v.end() - n, v.end());
  };
  std::vector<double> y;
  const std::int64_t n_syn = r.n_pre * r.n_post;
  for (const auto& part : {last(r.x_pre, r.n_pre), last(r.x_post, r.n_post), last(r.s, n_syn),
                           last(r.p_s, n_syn), last(r.p_l, n_syn)})
    y.insert(y.end(), part.begin(), part.end());
  return y;
}

double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) m = std::max(m, std::fabs(a[k] - b[k]));
  return m;
}

// Mean over synapses of p^l at the end of each cycle.
std::vector<double> mean_cycle_levels(const NeuronAstrocyteResult& r) {
  const std::size_t n_syn = static_cast<std::size_t>(r.n_pre * r.n_post);
  std::vector<double> m(r.cycle_end_t.size(), 0.0);
  for (std::size_t n = 0; n < m.size(); ++n)
    for (std::size_t k = 0; k < n_syn; ++k)
      m[n] += r.p_l_cycle_end[n * n_syn + k] / static_cast<double>(n_syn);
  return m;
}

}  // namespace

TEST(AstrocyteProcess, SaturatingFunctionsAndGridKernel) {
  AstrocyteProcessParams p;
  p.psi_gain = 0.7;
  p.kappa_gain = 1.3;
  const double h = 1e-7;
  EXPECT_NEAR(process_psi(p, h) / h, p.psi_gain, 1e-9);  // slope at rest
  EXPECT_NEAR(process_kappa(p, h) / h, p.kappa_gain, 1e-9);
  for (double u : {-50.0, -1.0, 0.0, 0.4, 3.0, 50.0}) {
    EXPECT_DOUBLE_EQ(process_psi(p, u), 0.7 * std::tanh(u));
    EXPECT_DOUBLE_EQ(process_kappa(p, u), 1.3 * std::tanh(u));
    EXPECT_EQ(process_psi(p, -u), -process_psi(p, u));
    EXPECT_LE(std::fabs(process_kappa(p, u)), p.kappa_gain);
  }
  p.c_T = 0.2;
  p.lambda_T = 1.5;
  EXPECT_EQ(process_kernel(p, 0.0, 0.0), 0.0);  // no self-coupling
  EXPECT_DOUBLE_EQ(process_kernel(p, 1.0, 0.0), 0.2 * std::exp(-1.0 / 1.5));
  EXPECT_DOUBLE_EQ(process_kernel(p, 0.0, -1.0), 0.2 * std::exp(-1.0 / 1.5));
  EXPECT_DOUBLE_EQ(process_kernel(p, 1.0, 1.0), 0.2 * std::exp(-std::sqrt(2.0) / 1.5));
  EXPECT_DOUBLE_EQ(process_kernel(p, -2.0, 1.0), 0.2 * std::exp(-std::sqrt(5.0) / 1.5));
  EXPECT_EQ(process_kernel(p, 2.0, -1.0), process_kernel(p, -2.0, 1.0));
}

// Constant s (and coupling): each process relaxes exponentially to its input over its decay;
// gamma = 0 turns it into an integrator. The exact step matches at any dt.
TEST(AstrocyteProcess, ExactStepSolvesBothTimescales) {
  for (double gamma : {1.0, 0.4, 0.0}) {
    for (double dt : {1e-3, 0.1, 1.5}) {
      AstrocyteProcessParams p;
      p.gamma_s = p.gamma_l = gamma;
      const double s = 0.8, coupling = -0.05, ps0 = 0.3, pl0 = 0.1, k = std::tanh(s);
      AstrocyteProcessState st{ps0, pl0};
      for (int n = 1; n <= 60; ++n) {
        process_step_exact(p, st, coupling, s, dt);
        const double t = n * dt;
        const auto expected = [&](double y0, double u, double tau) {
          return gamma == 0.0 ? y0 + u * t / tau : u / gamma + (y0 - u / gamma) * std::exp(-gamma * t / tau);
        };
        EXPECT_NEAR(st.p_s, expected(ps0, coupling + k, p.tau_ps), 1e-12) << gamma << " " << dt << " " << n;
        EXPECT_NEAR(st.p_l, expected(pl0, k, p.tau_pl), 1e-12) << gamma << " " << dt << " " << n;
      }
    }
  }
}

// The LTP macro model in closed form. A process driven by kappa = K for T_on, then 0 for T_off:
// p^l at the end of every cycle equals the phase-by-phase exact solution (iterated here), the
// geometric series A (1 - q^n)/(1 - q) and the saturating exponential p_inf (1 - e^{-n r}).
// Stepped exactly it matches to rounding; RK4 converges to it at order 4.
TEST(AstrocyteProcess, SquareDriveLtpCurveIsGeometricSeries) {
  for (double gamma_l : {1.0, 0.5, 0.0}) {
    AstrocyteProcessParams p;
    p.gamma_l = gamma_l;
    const double K = 0.6, T_on = 2.0, T_off = 2.0, dt = 0.01;
    const double s_on = std::atanh(K / p.kappa_gain);  // kappa(s_on) = K
    const int n_on = 200, n_off = 200, cycles = 10;
    AstrocyteProcessState st;
    double iterated = 0.0;
    const double a = gamma_l * T_on / p.tau_pl, b = gamma_l * T_off / p.tau_pl, q = std::exp(-(a + b));
    const double A = gamma_l == 0.0 ? K * T_on / p.tau_pl : K / gamma_l * (1.0 - std::exp(-a)) * std::exp(-b);
    for (int n = 1; n <= cycles; ++n) {
      for (int k = 0; k < n_on; ++k) process_step_exact(p, st, 0.0, s_on, dt);
      for (int k = 0; k < n_off; ++k) process_step_exact(p, st, 0.0, 0.0, dt);
      iterated = gamma_l == 0.0 ? iterated + K * T_on / p.tau_pl
                                : (K / gamma_l + (iterated - K / gamma_l) * std::exp(-a)) * std::exp(-b);
      const double series = gamma_l == 0.0 ? n * A : A * (1.0 - std::pow(q, n)) / (1.0 - q);
      EXPECT_NEAR(st.p_l, iterated, 1e-13) << gamma_l << " " << n;
      EXPECT_NEAR(st.p_l, series, 1e-13) << gamma_l << " " << n;
      EXPECT_NEAR(ltp_square_level(p, K, T_on, T_off, 0.0, n), series, 1e-14) << gamma_l << " " << n;
      if (gamma_l > 0.0) {
        EXPECT_NEAR(st.p_l, A / (1.0 - q) * (1.0 - std::exp(-n * gamma_l * (T_on + T_off) / p.tau_pl)),
                    1e-13);
      }
    }
    // From a non-zero start the curve decays geometrically towards the same p_inf.
    EXPECT_NEAR(ltp_square_level(p, K, T_on, T_off, 0.2, 3),
                std::exp(-3 * (a + b)) * 0.2 + ltp_square_level(p, K, T_on, T_off, 0.0, 3), 1e-15);
  }
  // RK4 on the same protocol (phase changes on the grid): order 4.
  AstrocyteProcessParams p;
  p.tau_pl = 3.0;  // fast, so the step error is visible at dt ~ 0.1 s
  const double K = 0.6, s_on = std::atanh(K);
  const double expected = ltp_square_level(p, K, 2.0, 2.0, 0.0, 3);
  std::vector<double> errors;
  for (double dt : {0.5, 0.25, 0.125, 0.0625}) {
    const int per_phase = static_cast<int>(std::lround(2.0 / dt));
    double pl = 0.0;
    for (int n = 0; n < 3 * 2 * per_phase; ++n) {
      const double s = (n / per_phase) % 2 == 0 ? s_on : 0.0;
      const auto rhs = [&](double, const double* y, double* d) { d[0] = process_long_rhs(p, y[0], s); };
      sim::rk4_step<1>(rhs, n * dt, &pl, dt);
    }
    errors.push_back(std::fabs(pl - expected));
  }
  for (double o : orders(errors)) EXPECT_NEAR(o, 4.0, 0.15);
}

// Coupled short-term processes on a 3 x 3 grid with constant synapses settle where
// gamma_s p = T psi(p) + kappa(s); the fixed point is found here by iterating that map (a
// contraction: psi_gain * max row sum of T < gamma_s).
TEST(AstrocyteProcess, CoupledShortTermProcessesReachSteadyState) {
  AstrocyteProcessParams p;
  p.c_T = 0.3;
  p.lambda_T = 1.2;
  const int rows = 3, cols = 3, n = rows * cols;
  std::vector<double> s(n), T(n * n);
  for (int k = 0; k < n; ++k) s[k] = 0.2 + 0.15 * k - 0.02 * k * k;
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b) T[a * n + b] = process_kernel(p, a / cols - b / cols, a % cols - b % cols);
  const auto coupling = [&](const std::vector<double>& ps, int a) {
    double c = 0.0;
    for (int b = 0; b < n; ++b) c += T[a * n + b] * process_psi(p, ps[b]);
    return c;
  };
  std::vector<double> fixed(n, 0.0);
  for (int it = 0; it < 500; ++it) {
    std::vector<double> next(n);
    for (int a = 0; a < n; ++a) next[a] = (coupling(fixed, a) + process_kappa(p, s[a])) / p.gamma_s;
    fixed = next;
  }
  std::vector<AstrocyteProcessState> st(n);
  const double dt = 0.02;
  for (int step = 0; step < 5000; ++step) {  // 100 s: the coupling slows the approach (rate ~0.7 / tau_ps)
    std::vector<double> ps(n), c(n);
    for (int a = 0; a < n; ++a) ps[a] = st[a].p_s;
    for (int a = 0; a < n; ++a) c[a] = coupling(ps, a);
    for (int a = 0; a < n; ++a) process_step_exact(p, st[a], c[a], s[a], dt);
  }
  for (int a = 0; a < n; ++a) {
    EXPECT_NEAR(st[a].p_s, fixed[a], 1e-8) << a;
    EXPECT_GT(st[a].p_s, process_kappa(p, s[a]) / p.gamma_s) << a;  // excitatory coupling adds
  }
}

// Open loop (w_gain = 0, psi_gain = 0) with theta = identity: pre and post neurons relax
// independently, x_i(t) = b_i (1 - e^{-t/tau_n}) while on, so every synapse follows
//   tau_s ds_ij/dt = -beta s_ij + c b_i b_j (1 - e^{-t/tau_n})^2,
// whose solution is a sum of exponentials; after the on-phase x decays and s follows in closed
// form too. Checks the network's wiring (post i, pre j) on a non-square 3 x 2 network.
TEST(AstrocyteProcessNetwork, OpenLoopSynapsesMatchClosedForm) {
  NeuronAstrocyteSpec spec;
  spec.neuron.theta = RateNonlinearity::identity;
  spec.w_gain = 0.0;
  spec.process.psi_gain = 0.0;
  spec.synapse.beta = 0.8;
  spec.synapse.c = 1.4;
  spec.b_pre = {0.5, -1.2};
  spec.b_post = {1.0, 0.3, 2.0};
  spec.T_on = 0.2;
  spec.T_off = 0.1;
  spec.n_cycles = 1;
  spec.dt = 1e-4;
  spec.record_every = 1;
  const NeuronAstrocyteResult r = run_neuron_astrocyte_network(spec);
  const double tn = spec.neuron.tau_n, k = spec.synapse.beta / spec.synapse.tau_s,
               g = spec.synapse.c / spec.synapse.tau_s;
  // int_0^t e^{-k (t - u)} e^{-alpha u} du
  const auto conv = [&](double alpha, double t) {
    return alpha == k ? t * std::exp(-k * t) : (std::exp(-alpha * t) - std::exp(-k * t)) / (k - alpha);
  };
  const auto unit_on = [&](double t) {  // s for b_i b_j = 1 during the on-phase
    return g * (conv(0.0, t) - 2.0 * conv(1.0 / tn, t) + conv(2.0 / tn, t));
  };
  const double X = 1.0 - std::exp(-spec.T_on / tn);  // x / b at the end of the on-phase
  const auto unit_off = [&](double t) {              // t after the on-phase ends
    return unit_on(spec.T_on) * std::exp(-k * t) + g * X * X * conv(2.0 / tn, t);
  };
  ASSERT_EQ(r.t.size(), 3001u);
  for (std::size_t n : {250u, 2000u, 2500u, 3000u}) {
    const double t = r.t[n];
    const double unit = t <= spec.T_on + 1e-12 ? unit_on(t) : unit_off(t - spec.T_on);
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 2; ++j) {
        const double expected = spec.b_post[i] * spec.b_pre[j] * unit;
        EXPECT_NEAR(r.s[n * 6 + i * 2 + j], expected, 1e-9) << "t " << t << " i " << i << " j " << j;
      }
      const double x_post = spec.b_post[i] * (t <= spec.T_on + 1e-12 ? 1.0 - std::exp(-t / tn)
                                                                     : X * std::exp(-(t - spec.T_on) / tn));
      EXPECT_NEAR(r.x_post[n * 3 + i], x_post, 1e-9) << "t " << t << " i " << i;
    }
  }
}

// The whole coupled network converges at each method's order (against a fine RK4 run): the
// protocol's phase changes lie on the grid, so RK4 keeps order 4 across them.
TEST(AstrocyteProcessNetwork, MethodsConvergeAtTheirOrder) {
  NeuronAstrocyteSpec spec;
  spec.T_on = 0.5;
  spec.T_off = 0.5;
  spec.n_cycles = 1;
  spec.b_pre = {1.0, 0.6, 1.4};
  spec.b_post = {0.8, 1.2, 1.0};
  spec.process.c_T = 0.3;
  spec.record_every = 1;
  spec.method = network::RateMethod::rk4;
  spec.dt = 1.25e-4;
  const std::vector<double> reference = final_state(run_neuron_astrocyte_network(spec));
  struct Case {
    network::RateMethod method;
    double order, dt0;
  };
  for (const Case& c : {Case{network::RateMethod::euler, 1.0, 1e-3}, Case{network::RateMethod::exact, 1.0, 1e-3},
                        Case{network::RateMethod::rk2, 2.0, 2e-3}, Case{network::RateMethod::rk4, 4.0, 4e-3}}) {
    std::vector<double> errors;
    for (double dt = c.dt0; errors.size() < 3; dt /= 2) {
      spec.method = c.method;
      spec.dt = dt;
      errors.push_back(max_abs_difference(final_state(run_neuron_astrocyte_network(spec)), reference));
    }
    for (double o : orders(errors)) EXPECT_NEAR(o, c.order, 0.15) << static_cast<int>(c.method);
  }
}

// The default network (3 x 3, 2 s on + 2 s off): p^l accumulates and saturates. Once the synapses
// and short-term processes repeat from cycle to cycle, the drive kappa(s) is periodic and the
// increments shrink by q = e^{-gamma_l T_c / tau_pl} per cycle (the geometric series). Uniform
// drive makes synapses at symmetric grid points equal; the centre has the most neighbours.
TEST(AstrocyteProcessNetwork, LtpCurveAccumulatesAndSaturates) {
  NeuronAstrocyteSpec spec;
  spec.n_cycles = 12;
  const NeuronAstrocyteResult r = run_neuron_astrocyte_network(spec);
  ASSERT_EQ(r.cycle_end_t.size(), 12u);
  EXPECT_NEAR(r.cycle_end_t.back(), 48.0, 1e-9);
  const std::vector<double> m = mean_cycle_levels(r);
  const double q = std::exp(-spec.process.gamma_l * (spec.T_on + spec.T_off) / spec.process.tau_pl);
  for (std::size_t n = 1; n < m.size(); ++n) EXPECT_GT(m[n], m[n - 1]) << n;
  for (std::size_t n = 3; n < m.size(); ++n) {
    const double ratio = (m[n] - m[n - 1]) / (m[n - 1] - m[n - 2]);
    const double previous = (m[n - 1] - m[n - 2]) / (m[n - 2] - m[n - 3]);
    EXPECT_LT(ratio, 1.0) << n;
    EXPECT_LT(std::fabs(ratio - q), std::fabs(previous - q)) << n;  // approaches q
  }
  EXPECT_NEAR((m[11] - m[10]) / (m[10] - m[9]), q, 1e-4);
  EXPECT_LT(m.back(), spec.process.kappa_gain / spec.process.gamma_l);
  ASSERT_EQ(r.p_l_on_end.size(), 12u * 9u);
  for (std::size_t k = 0; k < 9; ++k) EXPECT_GT(r.p_l_on_end[9 * 11 + k], r.p_l_cycle_end[9 * 10 + k]) << k;
  const auto at = [&](int i, int j) { return r.p_l_cycle_end[9 * 11 + i * 3 + j]; };
  // Mirror symmetry of rows (post neurons) and of columns (pre neurons); not transposition, as
  // the middle post neuron receives the centre synapse's extra weight.
  EXPECT_NEAR(at(0, 0), at(0, 2), 1e-12);
  EXPECT_NEAR(at(0, 0), at(2, 0), 1e-12);
  EXPECT_NEAR(at(0, 0), at(2, 2), 1e-12);
  EXPECT_NEAR(at(0, 1), at(2, 1), 1e-12);
  EXPECT_NEAR(at(1, 0), at(1, 2), 1e-12);
  EXPECT_GT(at(1, 1), std::max(at(0, 1), at(1, 0)));
  EXPECT_GT(std::min(at(0, 1), at(1, 0)), at(0, 0));
}

TEST(AstrocyteProcessNetwork, BadParametersNameTheField) {
  const auto expect_field = [](const NeuronAstrocyteArrays& a, const std::string& field) {
    try {
      build_neuron_astrocyte_network(a);
      ADD_FAILURE() << "expected ConfigError for " << field;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.field(), field) << e.what();
    }
  };
  NeuronAstrocyteArrays a;
  EXPECT_NO_THROW(build_neuron_astrocyte_network(a));
  a.params = {{"tau_pl", -1.0}};
  expect_field(a, "params.tau_pl");
  a.params = {{"tau_n", 0.0}};
  expect_field(a, "params.tau_n");
  a.params = {{"lambda_T", 0.0}};
  expect_field(a, "params.lambda_T");
  a.params = {{"c_T", std::nan("")}};
  expect_field(a, "params.c_T");
  a.params = {{"tau_q", 1.0}};
  expect_field(a, "params.tau_q");
  a.params = {};
  a.theta = "sigmoid";
  expect_field(a, "theta");
  a.theta = "tanh";
  a.T_on = 2.0005;
  expect_field(a, "T_on");
  a.T_on = 2.0;
  a.T_off = -1.0;
  expect_field(a, "T_off");
  a.T_off = 0.0;
  EXPECT_NO_THROW(build_neuron_astrocyte_network(a));  // back-to-back bursts are allowed
  a.b_pre = {};
  expect_field(a, "b_pre");
  a.b_pre = {1.0, INFINITY};
  expect_field(a, "b_pre[1]");
  a.b_pre = {1.0};
  a.n_cycles = 0;
  expect_field(a, "n_cycles");
  a.n_cycles = 3;
  a.method = "rk45";
  expect_field(a, "method");
  a.method = "exact";
  a.record_dt = 0.0015;
  expect_field(a, "record_dt");
}

// Nadkarni & Jung's slow inward current, I = k ln(y) H(ln y) with y = [Ca]/nM - 196.69: the
// astrocyte's output to a neuron (tested here with the other astrocyte outputs).
TEST(AstrocyteProcessSic, MatchesNadkarniJungCurrent) {
  const LiRinzelSicParams p;
  EXPECT_NEAR(p.k, 2.11e-6 * 198e-12 / 1e-6, 1e-14);  // 2.11 µA/cm² on the LIF's 1.98e-4 cm²
  for (double C : {0.0, 0.1, 0.19669, 0.19669 + 0.9999e-3}) {
    EXPECT_EQ(li_rinzel_sic(p, C), 0.0) << C;  // y < 1, including negative y: no current, no NaN
  }
  EXPECT_NEAR(li_rinzel_sic(p, 0.19669 + 1e-3), 0.0, 1e-12 * p.k);  // y = 1 up to rounding
  EXPECT_NEAR(li_rinzel_sic(p, 0.19669 + std::exp(1.0) * 1e-3), p.k, 1e-12 * p.k);
  EXPECT_NEAR(li_rinzel_sic(p, 0.19669 + 1.000001e-3), p.k * 1e-6, 1e-9 * p.k);  // continuous at y = 1
  for (double C_uM : {0.25, 0.5, 1.0, 1.7}) {
    const double y = C_uM * 1000.0 - 196.69;  // the paper's form, in nM
    EXPECT_NEAR(li_rinzel_sic(p, C_uM), p.k * std::log(y), 1e-9 * p.k) << C_uM;
  }
  LiRinzelSicParams q;
  q.k = 1e-12;
  EXPECT_NEAR(li_rinzel_sic(q, 0.5), 1e-12 * std::log(303.31), 1e-21);
}

}  // namespace glia::bio
