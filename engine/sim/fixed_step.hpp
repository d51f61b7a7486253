#pragma once
// Explicit fixed-step integrators over a state of N doubles, for any right-hand side
// `rhs(double t, const double* y, double* dydt)`. Written once for CPU and CUDA; the methods are the
// textbook ones (forward Euler order 1, explicit midpoint RK2 order 2, classic RK4 order 4).
#include <cstddef>
#include <vector>

#include "engine/core/hostdevice.hpp"

namespace glia::sim {

enum class FixedStepMethod { euler, rk2, rk4 };

template <int N, class Rhs>
GLIA_HD inline void euler_step(const Rhs& rhs, double t, double* y, double dt) {
  double k[N];
  rhs(t, y, k);
  for (int i = 0; i < N; ++i) y[i] += dt * k[i];
}

template <int N, class Rhs>
GLIA_HD inline void rk2_step(const Rhs& rhs, double t, double* y, double dt) {
  double k[N], mid[N];
  rhs(t, y, k);
  for (int i = 0; i < N; ++i) mid[i] = y[i] + 0.5 * dt * k[i];
  rhs(t + 0.5 * dt, mid, k);
  for (int i = 0; i < N; ++i) y[i] += dt * k[i];
}

template <int N, class Rhs>
GLIA_HD inline void rk4_step(const Rhs& rhs, double t, double* y, double dt) {
  double k1[N], k2[N], k3[N], k4[N], tmp[N];
  rhs(t, y, k1);
  for (int i = 0; i < N; ++i) tmp[i] = y[i] + 0.5 * dt * k1[i];
  rhs(t + 0.5 * dt, tmp, k2);
  for (int i = 0; i < N; ++i) tmp[i] = y[i] + 0.5 * dt * k2[i];
  rhs(t + 0.5 * dt, tmp, k3);
  for (int i = 0; i < N; ++i) tmp[i] = y[i] + dt * k3[i];
  rhs(t + dt, tmp, k4);
  for (int i = 0; i < N; ++i) y[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
}

template <int N, class Rhs>
GLIA_HD inline void fixed_step(FixedStepMethod m, const Rhs& rhs, double t, double* y, double dt) {
  switch (m) {
    case FixedStepMethod::euler:
      euler_step<N>(rhs, t, y, dt);
      break;
    case FixedStepMethod::rk2:
      rk2_step<N>(rhs, t, y, dt);
      break;
    case FixedStepMethod::rk4:
      rk4_step<N>(rhs, t, y, dt);
      break;
  }
}

// The same methods over a state whose size is known only at run time (host only), e.g. a
// simulated attention head: `rhs(t, y, dydt)` on pointers to n doubles; `scratch` is resized
// as needed and reused between calls.
struct FixedStepScratch {
  std::vector<double> k1, k2, k3, k4, tmp;
};

template <class Rhs>
inline void fixed_step_dynamic(FixedStepMethod m, const Rhs& rhs, double t, std::vector<double>& y, double dt,
                               FixedStepScratch& s) {
  const std::size_t n = y.size();
  for (auto* v : {&s.k1, &s.k2, &s.k3, &s.k4, &s.tmp}) v->resize(n);
  double* yv = y.data();
  rhs(t, yv, s.k1.data());
  if (m == FixedStepMethod::euler) {
    for (std::size_t i = 0; i < n; ++i) yv[i] += dt * s.k1[i];
    return;
  }
  for (std::size_t i = 0; i < n; ++i) s.tmp[i] = yv[i] + 0.5 * dt * s.k1[i];
  rhs(t + 0.5 * dt, s.tmp.data(), s.k2.data());
  if (m == FixedStepMethod::rk2) {
    for (std::size_t i = 0; i < n; ++i) yv[i] += dt * s.k2[i];
    return;
  }
  for (std::size_t i = 0; i < n; ++i) s.tmp[i] = yv[i] + 0.5 * dt * s.k2[i];
  rhs(t + 0.5 * dt, s.tmp.data(), s.k3.data());
  for (std::size_t i = 0; i < n; ++i) s.tmp[i] = yv[i] + dt * s.k3[i];
  rhs(t + dt, s.tmp.data(), s.k4.data());
  for (std::size_t i = 0; i < n; ++i) yv[i] += dt / 6.0 * (s.k1[i] + 2.0 * s.k2[i] + 2.0 * s.k3[i] + s.k4[i]);
}

}  // namespace glia::sim
