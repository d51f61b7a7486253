// The SDE increments on geometric Brownian motion, whose exact solution along the same
// Wiener path is known: y(T) = y0 exp((mu - s^2/2) T + s W(T)).
#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/philox.hpp"
#include "engine/sim/sde.hpp"

namespace glia::sim {

namespace {

double strong_error(bool milstein, int steps, int paths) {
  const double mu = 0.5, s = 0.8, y0 = 1.0, T = 1.0, dt = T / steps;
  const int fine = 1024;  // Wiener path resolution; each step sums fine/steps increments
  double sum = 0;
  for (int p = 0; p < paths; ++p) {
    double y = y0, W = 0;
    for (int k = 0; k < steps; ++k) {
      double dW = 0;
      for (int j = 0; j < fine / steps; ++j)
        dW +=
            std::sqrt(T / fine) * philox_normal(17, k * (fine / steps) + j, static_cast<std::uint32_t>(p), 0);
      y += milstein ? milstein_increment(mu * y, s * y, s, dt, dW)
                    : euler_maruyama_increment(mu * y, s * y, dt, dW);
      W += dW;
    }
    sum += std::fabs(y - y0 * std::exp((mu - 0.5 * s * s) * T + s * W));
  }
  return sum / paths;
}

double measured_order(bool milstein) {
  const double coarse = strong_error(milstein, 16, 2000), finer = strong_error(milstein, 128, 2000);
  return std::log2(coarse / finer) / 3.0;
}

}  // namespace

TEST(Sde, EulerMaruyamaStrongOrderHalf) { EXPECT_NEAR(measured_order(false), 0.5, 0.1); }

TEST(Sde, MilsteinStrongOrderOne) { EXPECT_NEAR(measured_order(true), 1.0, 0.1); }

}  // namespace glia::sim
