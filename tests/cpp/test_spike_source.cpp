#include <gtest/gtest.h>

#include <cmath>

#include "engine/sim/spike_source.hpp"

namespace glia::sim {

// Poisson counts over many neurons: mean rate*T within 5 standard errors, and the
// Fano factor of per-neuron counts near 1.
TEST(SpikeSource, PoissonCountsMatchRate) {
  SpikeSourceParams p{SourceKind::poisson, 20.0, 0.0, 123, 0};
  const double dt = 1e-4;
  const std::int64_t steps = 20000;  // 2 s
  const std::uint32_t n = 200;
  double sum = 0, sum2 = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    double c = 0;
    for (std::int64_t s = 0; s < steps; ++s) c += source_spikes(p, i, s, dt);
    sum += c;
    sum2 += c * c;
  }
  const double lambda = p.rate * steps * dt;  // 40 expected spikes per neuron
  const double mean = sum / n, var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, lambda, 5 * std::sqrt(lambda / n));
  EXPECT_NEAR(var / mean, 1.0, 0.3);
}

TEST(SpikeSource, PoissonRespectsStart) {
  SpikeSourceParams p{SourceKind::poisson, 500.0, 0.5, 9, 0};
  for (std::int64_t s = 0; s < 4999; ++s) EXPECT_FALSE(source_spikes(p, 0, s, 1e-4)) << s;
  int after = 0;  // 0.5 s at 500 Hz after the start: 250 expected
  for (std::int64_t s = 5000; s < 10000; ++s) after += source_spikes(p, 0, s, 1e-4);
  EXPECT_NEAR(after, 250, 5 * std::sqrt(250.0));
}

// A regular train at 20 Hz from t = 0.01 s on a 0.1 ms grid: spikes exactly at
// 0.01 + k * 0.05 s.
TEST(SpikeSource, RegularTrainOnGrid) {
  SpikeSourceParams p{SourceKind::regular, 20.0, 0.01, 0, 0};
  const double dt = 1e-4;
  int count = 0;
  for (std::int64_t s = 0; s < 10000; ++s) {
    const bool expected = s >= 100 && (s - 100) % 500 == 0;
    EXPECT_EQ(source_spikes(p, 3, s, dt), expected) << "step " << s;
    count += expected;
  }
  EXPECT_EQ(count, 20);
}

// A period that is not a multiple of dt: each spike lands on the step nearest its exact time.
TEST(SpikeSource, RegularTrainRoundsToNearestStep) {
  SpikeSourceParams p{SourceKind::regular, 30.0, 0.0, 0, 0};
  const double dt = 1e-3;
  for (std::int64_t s = 0; s < 1000; ++s) {
    bool expected = false;
    for (int k = 0; k < 31; ++k) expected = expected || std::llround(k / 30.0 / dt) == s;
    EXPECT_EQ(source_spikes(p, 0, s, dt), expected) << "step " << s;
  }
}

}  // namespace glia::sim
