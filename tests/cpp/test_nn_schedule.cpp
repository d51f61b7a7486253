// Learning-rate schedules at the points where their definition is exact: warm-up ramp, the end of warm-up,
// the cosine midpoint and end, linear decay, and the floor after the end.
#include <gtest/gtest.h>

#include "engine/core/error.hpp"
#include "engine/nn/optim/schedule.hpp"

using glia::nn::learning_rate;
using glia::nn::LrSchedule;

TEST(NnSchedule, WarmupThenCosineToTheFloor) {
  LrSchedule s{LrSchedule::Kind::cosine, 1e-3, 1e-4, 10, 110};
  glia::nn::check_schedule(s);
  EXPECT_DOUBLE_EQ(learning_rate(s, 1), 1e-4);  // 1/10 of the base rate
  EXPECT_DOUBLE_EQ(learning_rate(s, 5), 5e-4);
  EXPECT_DOUBLE_EQ(learning_rate(s, 10), 1e-3);                   // end of warm-up
  EXPECT_NEAR(learning_rate(s, 60), 0.5 * (1e-3 + 1e-4), 1e-15);  // halfway: cos(pi/2) = 0
  EXPECT_NEAR(learning_rate(s, 110), 1e-4, 1e-18);
  EXPECT_NEAR(learning_rate(s, 500), 1e-4, 1e-18);
  for (std::int64_t k = 11; k < 110; ++k) EXPECT_LT(learning_rate(s, k + 1), learning_rate(s, k));  // decays
}

TEST(NnSchedule, LinearAndConstant) {
  LrSchedule lin{LrSchedule::Kind::linear, 2.0, 0.0, 0, 4};
  EXPECT_DOUBLE_EQ(learning_rate(lin, 1), 1.5);
  EXPECT_DOUBLE_EQ(learning_rate(lin, 2), 1.0);
  EXPECT_DOUBLE_EQ(learning_rate(lin, 4), 0.0);
  LrSchedule c{LrSchedule::Kind::constant, 0.3, 0.0, 0, 0};
  EXPECT_DOUBLE_EQ(learning_rate(c, 1000), 0.3);
}

TEST(NnSchedule, BadSettingsNameTheField) {
  LrSchedule s{LrSchedule::Kind::cosine, 1e-3, 0.0, 10, 10};
  try {
    glia::nn::check_schedule(s);
    FAIL() << "expected ConfigError";
  } catch (const glia::ConfigError& e) {
    EXPECT_EQ(e.field(), "schedule.total");
  }
  s = LrSchedule{LrSchedule::Kind::constant, 1e-3, 2e-3, 0, 0};
  EXPECT_THROW(glia::nn::check_schedule(s), glia::ConfigError);
  EXPECT_THROW(glia::nn::schedule_kind("train.schedule", "step"), glia::ConfigError);
}
