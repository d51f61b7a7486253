// AdamW and gradient clipping against analytic properties of the update: with a constant gradient the
// bias-corrected moments are exactly g and g^2, so every step moves by lr g / (|g| + eps); with a zero
// gradient only the decoupled weight decay acts, p (1 - lr wd)^t; clipping rescales to the stated norm.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/error.hpp"
#include "engine/nn/optim/adamw.hpp"

using glia::nn::AdamW;
using glia::nn::AdamWParams;
using glia::nn::Tensor;

TEST(NnOptim, ConstantGradientMovesByLrPerStep) {
  Tensor<double> p({3}, {1.0, -2.0, 0.5}), g({3}, {0.3, -4.0, 1e-3});
  AdamWParams hp;
  hp.lr = 0.01;
  hp.weight_decay = 0.0;
  AdamW<double> opt(hp, {&p});
  for (int t = 1; t <= 5; ++t) {
    opt.step({&p}, {&g});
    for (int i = 0; i < 3; ++i) {
      const double start = i == 0 ? 1.0 : i == 1 ? -2.0 : 0.5;
      const double per_step = hp.lr * g[i] / (std::fabs(g[i]) + hp.eps);
      EXPECT_NEAR(p[i], start - t * per_step, 1e-12) << "t = " << t << ", i = " << i;
    }
  }
  EXPECT_EQ(opt.steps(), 5);
}

TEST(NnOptim, WeightDecayIsDecoupled) {
  Tensor<double> p({2}, {2.0, -1.0}), g({2});
  AdamWParams hp;
  hp.lr = 0.1;
  hp.weight_decay = 0.5;
  AdamW<double> opt(hp, {&p});
  for (int t = 0; t < 4; ++t) opt.step({&p}, {&g});
  EXPECT_NEAR(p[0], 2.0 * std::pow(1 - 0.05, 4), 1e-14);
  EXPECT_NEAR(p[1], -1.0 * std::pow(1 - 0.05, 4), 1e-14);
}

TEST(NnOptim, MinimisesAQuadraticInFloat32) {
  Tensor<float> p({4}, {3.f, -1.f, 0.5f, 2.f}), g({4});
  AdamWParams hp;
  hp.lr = 0.05;
  hp.weight_decay = 0.0;
  AdamW<float> opt(hp, {&p});
  const float target[4] = {1.f, 2.f, -0.5f, 0.f};
  for (int t = 0; t < 2000; ++t) {
    for (int i = 0; i < 4; ++i) g[i] = 2.f * (p[i] - target[i]);
    opt.step({&p}, {&g});
  }
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(p[i], target[i], 1e-3);
}

TEST(NnOptim, ClipGradNormRescalesToTheLimit) {
  Tensor<double> a({2}, {3.0, 0.0}), b({1}, {4.0});
  const double norm = glia::nn::clip_grad_norm<double>({&a, &b}, 1.0);
  EXPECT_DOUBLE_EQ(norm, 5.0);
  const double after = std::sqrt(a[0] * a[0] + b[0] * b[0]);
  EXPECT_NEAR(after, 5.0 / (5.0 + 1e-6), 1e-15);
  EXPECT_NEAR(a[0] / b[0], 0.75, 1e-15);                                      // direction kept
  EXPECT_DOUBLE_EQ(glia::nn::clip_grad_norm<double>({&a, &b}, 10.0), after);  // below the limit: untouched
  EXPECT_NEAR(std::sqrt(a[0] * a[0] + b[0] * b[0]), after, 1e-15);
}

TEST(NnOptim, BadSettingsNameTheField) {
  Tensor<double> p({1});
  AdamWParams hp;
  hp.beta2 = 1.0;
  try {
    AdamW<double> opt(hp, {&p});
    FAIL() << "expected ConfigError";
  } catch (const glia::ConfigError& e) {
    EXPECT_EQ(e.field(), "optimizer.beta2");
  }
  hp = AdamWParams{};
  AdamW<double> opt(hp, {&p});
  Tensor<double> wrong({2});
  EXPECT_THROW(opt.step({&p}, {&wrong}), glia::ConfigError);
  EXPECT_THROW(glia::nn::clip_grad_norm<double>({&p}, 0.0), glia::ConfigError);
}
