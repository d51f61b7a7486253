#pragma once
// Increments of a scalar Itô SDE dy = a dt + b dW over one step dt with Wiener increment dW:
// Euler–Maruyama (strong order 1/2 for multiplicative noise) and Milstein, which adds
// (1/2) b (db/dy) (dW^2 - dt) for strong order 1. Written once for CPU and CUDA.
#include "engine/core/hostdevice.hpp"

namespace glia::sim {

GLIA_HD inline double euler_maruyama_increment(double a, double b, double dt, double dW) {
  return a * dt + b * dW;
}

GLIA_HD inline double milstein_increment(double a, double b, double db_dy, double dt, double dW) {
  return a * dt + b * dW + 0.5 * b * db_dy * (dW * dW - dt);
}

}  // namespace glia::sim
