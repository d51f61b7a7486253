#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/core/error.hpp"
#include "models/bio/rate_neuron.hpp"

namespace glia::bio {

namespace {

using sim::FixedStepMethod;

// Linear neuron driven by b(t) = B sin(w t): x' = -a x + g sin(w t), a = lambda/tau_n, g = B/tau_n.
// x(t) = x_p(t) + (x0 - x_p(0)) e^{-a t} with x_p(t) = g (a sin wt - w cos wt) / (a^2 + w^2).
double driven_linear_solution(const RateNeuronParams& p, double B, double w, double x0, double t) {
  const double a = p.lambda / p.tau_n, g = B / p.tau_n, den = a * a + w * w;
  const auto xp = [&](double s) { return g * (a * std::sin(w * s) - w * std::cos(w * s)) / den; };
  return xp(t) + (x0 - xp(0.0)) * std::exp(-a * t);
}

// log2 of successive error ratios when dt halves.
std::vector<double> orders(const std::vector<double>& errors) {
  std::vector<double> o;
  for (std::size_t k = 1; k < errors.size(); ++k) o.push_back(std::log2(errors[k - 1] / errors[k]));
  return o;
}

// Root of lambda x = w theta(x) + b by bisection on [lo, hi] (an independent steady-state solver).
double steady_state(const RateNeuronParams& p, double w, double b, double lo, double hi) {
  const auto g = [&](double x) { return p.lambda * x - w * rate_theta(p.theta, x) - b; };
  EXPECT_LT(g(lo) * g(hi), 0.0);
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    (g(lo) * g(mid) <= 0.0 ? hi : lo) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

TEST(RateNeuron, NonlinearitiesFollowTheirDefinitions) {
  for (double x : {-3.0, -0.5, -1e-9, 0.0, 1e-9, 0.7, 4.0}) {
    EXPECT_EQ(rate_theta(RateNonlinearity::identity, x), x);
    EXPECT_DOUBLE_EQ(rate_theta(RateNonlinearity::tanh, x), std::tanh(x));
    EXPECT_DOUBLE_EQ(rate_theta(RateNonlinearity::relu, x), std::max(x, 0.0));
    // elu(x) + 1 with elu(x) = x for x > 0 and e^x - 1 otherwise.
    const double elu = x > 0.0 ? x : std::expm1(x);
    EXPECT_NEAR(rate_theta(RateNonlinearity::elu_plus_one, x), elu + 1.0, 1e-15);
    EXPECT_GT(rate_theta(RateNonlinearity::elu_plus_one, x), 0.0);
  }
  // elu + 1 is continuous with slope 1 on both sides of 0.
  const double h = 1e-7;
  EXPECT_NEAR((rate_theta(RateNonlinearity::elu_plus_one, h) - 1.0) / h, 1.0, 1e-6);
  EXPECT_NEAR((1.0 - rate_theta(RateNonlinearity::elu_plus_one, -h)) / h, 1.0, 1e-6);
  EXPECT_EQ(rate_nonlinearity("theta", "elu+1"), RateNonlinearity::elu_plus_one);
  EXPECT_EQ(rate_nonlinearity("theta", "relu"), RateNonlinearity::relu);
  try {
    rate_nonlinearity("network.theta", "sigmoid");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "network.theta");
    EXPECT_NE(std::string(e.what()).find("sigmoid"), std::string::npos);
  }
}

// Constant input u: x(t) = u/lambda + (x0 - u/lambda) e^{-lambda t/tau_n}; x0 + u t/tau_n at lambda = 0.
// The exact step reproduces it at every grid point, for any dt.
TEST(RateNeuron, ExactStepSolvesLinearRelaxation) {
  for (double lambda : {1.0, 0.3, 1e-9, 0.0}) {
    for (double dt : {1e-4, 1e-3, 7e-3}) {
      RateNeuronParams p;
      p.lambda = lambda;
      const double u = 0.8, x0 = -0.4;
      RateNeuronState s{x0};
      for (int n = 1; n <= 200; ++n) {
        rate_neuron_step_exact(p, s, u, dt);
        const double h = n * dt / p.tau_n;
        // For lambda h << 1 the closed form cancels (u/lambda is huge): use its Taylor series.
        const double expected =
            lambda * h < 1e-3
                ? x0 + (u - lambda * x0) * h *
                           (1 - lambda * h / 2 + lambda * lambda * h * h / 6 - std::pow(lambda * h, 3) / 24)
                : u / lambda + (x0 - u / lambda) * std::exp(-lambda * h);
        EXPECT_NEAR(s.x, expected, 1e-12 * std::max(1.0, std::fabs(expected)))
            << "lambda " << lambda << " dt " << dt << " n " << n;
      }
    }
  }
}

// Time-varying drive b(t) = B sin(w t) against the closed-form solution: forward Euler, RK2 and RK4
// converge at orders 1, 2 and 4 (stages see b at their own times); the exact step with b held
// over each step is first order.
TEST(RateNeuron, FixedStepMethodsConvergeAtTheirOrder) {
  RateNeuronParams p;
  p.theta = RateNonlinearity::identity;
  const double B = 1.3, w = 2 * M_PI * 25.0, x0 = 0.2, t_end = 0.1;
  const double exact = driven_linear_solution(p, B, w, x0, t_end);
  const auto drive = [&](double t, double) { return B * std::sin(w * t); };
  struct Case {
    const char* name;
    FixedStepMethod method;
    bool held;
    double order, dt0;
  };
  for (const Case& c : {Case{"euler", FixedStepMethod::euler, false, 1.0, 2e-4},
                        Case{"rk2", FixedStepMethod::rk2, false, 2.0, 5e-4},
                        Case{"rk4", FixedStepMethod::rk4, false, 4.0, 2e-3},
                        Case{"exact-held", FixedStepMethod::euler, true, 1.0, 2e-4}}) {
    std::vector<double> errors;
    for (double dt = c.dt0; errors.size() < 4; dt /= 2) {
      RateNeuronState s{x0};
      const int n_steps = static_cast<int>(std::lround(t_end / dt));
      for (int n = 0; n < n_steps; ++n) {
        if (c.held)
          rate_neuron_step_exact(p, s, drive(n * dt, s.x), dt);
        else
          rate_neuron_step(c.method, p, s, n * dt, dt, drive);
      }
      errors.push_back(std::fabs(s.x - exact));
    }
    for (double o : orders(errors)) EXPECT_NEAR(o, c.order, 0.15) << c.name;
  }
}

// A neuron with self-coupling w theta(x) and constant drive b settles where lambda x = w theta(x) + b
// (found here by bisection), for every nonlinearity; RK4 and the exact step agree with it.
TEST(RateNeuron, SelfCoupledNeuronReachesConstantInputSteadyState) {
  struct Case {
    RateNonlinearity theta;
    double w, b;
  };
  for (const Case& c : {Case{RateNonlinearity::identity, 0.5, 0.6}, Case{RateNonlinearity::tanh, 1.5, 0.3},
                        Case{RateNonlinearity::elu_plus_one, -0.8, 0.2},
                        Case{RateNonlinearity::relu, 0.6, -0.3}, Case{RateNonlinearity::relu, 0.6, 0.9}}) {
    RateNeuronParams p;
    p.theta = c.theta;
    const double x_inf = steady_state(p, c.w, c.b, -10.0, 10.0);
    const auto input = [&](double, double x) { return c.w * rate_theta(p.theta, x) + c.b; };
    RateNeuronState rk{0.05}, ex{0.05};
    const double dt = 1e-3;
    for (int n = 0; n < 2000; ++n) {  // 200 tau_n
      rate_neuron_step(FixedStepMethod::rk4, p, rk, n * dt, dt, input);
      rate_neuron_step_exact(p, ex, input(n * dt, ex.x), dt);
    }
    EXPECT_NEAR(rk.x, x_inf, 1e-10) << static_cast<int>(c.theta) << " b " << c.b;
    EXPECT_NEAR(ex.x, x_inf, 1e-10) << static_cast<int>(c.theta) << " b " << c.b;
  }
}

}  // namespace glia::bio
