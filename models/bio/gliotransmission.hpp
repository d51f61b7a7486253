#pragma once
// Tripartite-synapse building blocks (BIOPHYSICS.md §2 "Synaptic glutamate", "Presynaptic
// gliotransmitter receptors", §3 "Gliotransmitter release"; De Pittà et al. 2011, in the
// formulation of Stimberg et al. 2019). Concentrations in µM, time in s.
//
// 1. Synaptic glutamate seen by the astrocyte:
//      dY_S/dt = -Omega_c Y_S,   Y_S <- Y_S + rho_c Y_T r at a release of fraction r.
// 2. Astrocytic gliotransmitter release (a release event is the astrocyte's Ca2+ C crossing
//    C_Theta upward):
//      dx_A/dt = Omega_A (1 - x_A),   dG_A/dt = -Omega_e G_A,
//      at an event  G_A <- G_A + rho_e G_T U_A x_A,  then  x_A <- x_A - U_A x_A.
// 3. Presynaptic gliotransmitter receptors, driven by the G_A of the covering astrocyte:
//      dGamma_S/dt = O_G G_A (1 - Gamma_S) - Omega_G Gamma_S,
//      release probability at the next spike  U_0 = (1 - Gamma_S) U_0* + alpha Gamma_S.
//
// 1 and 2 are linear decays: the state is stored as of its last update (t_last) and evaluated
// lazily in closed form at any later time. For 3, between astrocyte events
// G_A(t0 + s) = G_A0 e^{-Omega_e s}, so Gamma_S obeys a linear ODE with a time-varying
// coefficient. With a = O_G G_A0 and the integrating factor
//      Phi(s) = (a / Omega_e)(1 - e^{-Omega_e s}) + Omega_G s,
// the exact solution is
//      Gamma_S(s) = 1 - (1 - Gamma_S(0)) e^{-Phi(s)} - Omega_G K(s),
//      K(s) = int_0^s e^{-(Phi(s) - Phi(u))} du,   i.e.  dK/ds = 1 - (a e^{-Omega_e s} + Omega_G) K, K(0) =
//      0.
// The first two terms are elementary; K is not: with z = (a/Omega_e) e^{-Omega_e u} it becomes
// an incomplete gamma function gamma(1 - Omega_G/Omega_e, .) (a Kummer series), which is
// elementary only for Omega_G = 0. So K is integrated numerically with a fixed-step RK4 of its
// 1-D linear ODE (the exactly solved part carries the dominant dynamics, and the RK4 error
// enters multiplied by Omega_G, which is small by default). Once the remaining gliotransmitter
// can move Gamma_S by less than kGammaSCutoff (int O_G G_A ds over the rest of time), G_A is
// dropped and Gamma_S decays exactly, e^{-Omega_G s}, so a long interval costs no more than
// the first few 1/Omega_e.
#include <cmath>

#include "engine/core/hostdevice.hpp"

namespace glia::bio {

// ---------------------------------------------------------------------------------------------
// Synaptic glutamate

struct SynapticGlutamateParams {
  double rho_c = 0.005;   // dimensionless, synaptic vesicle-to-extracellular space volume ratio
  double Y_T = 5e5;       // µM, total vesicular glutamate concentration (500 mM)
  double Omega_c = 40.0;  // 1/s, glutamate clearance rate, >= 0
};

// Per-synapse state; Y_S is the value as of t_last.
struct SynapticGlutamateState {
  double Y_S = 0.0;     // µM, synaptic glutamate
  double t_last = 0.0;  // s, time of the last update (the last release, or 0)
};

// Y_S at time t >= s.t_last, without a release.
GLIA_HD inline double synaptic_glutamate_at(const SynapticGlutamateParams& p, const SynapticGlutamateState& s,
                                            double t) {
  return s.Y_S * exp(-p.Omega_c * (t - s.t_last));
}

// Apply a release of fraction r (the Tsodyks–Markram r = u x) at time t >= s.t_last; returns
// the new Y_S (µM).
GLIA_HD inline double synaptic_glutamate_on_release(const SynapticGlutamateParams& p,
                                                    SynapticGlutamateState& s, double t, double r) {
  s.Y_S = synaptic_glutamate_at(p, s, t) + p.rho_c * p.Y_T * r;
  s.t_last = t;
  return s.Y_S;
}

// ---------------------------------------------------------------------------------------------
// Astrocytic gliotransmitter release

struct GliotransmitterReleaseParams {
  double Omega_A = 0.6;   // 1/s, recovery rate of gliotransmitter resources x_A, >= 0
  double U_A = 0.6;       // dimensionless, fraction of resources released per event, in [0, 1]
  double G_T = 2e5;       // µM, total vesicular gliotransmitter concentration (200 mM)
  double rho_e = 6.5e-4;  // dimensionless, astrocytic vesicle-to-extracellular volume ratio
  double Omega_e = 60.0;  // 1/s, gliotransmitter clearance rate, >= 0
  double C_Theta = 0.5;   // µM, Ca2+ threshold whose upward crossing triggers a release
};

// Per-astrocyte state; values are as of t_last.
struct GliotransmitterReleaseState {
  double x_A = 1.0;     // dimensionless, available gliotransmitter resources
  double G_A = 0.0;     // µM, extracellular gliotransmitter
  double t_last = 0.0;  // s, time of the last update (the last release, or 0)
};

// True when a sampled Ca2+ trace goes from at-or-below the threshold to strictly above it
// (Brian's `threshold='C > C_Theta', refractory='C > C_Theta'` of Stimberg et al. 2019).
GLIA_HD inline bool crossed_upward(double c_before, double c_after, double threshold) {
  return c_before <= threshold && c_after > threshold;
}

// x_A and G_A at time t >= s.t_last, without a release.
GLIA_HD inline void gliotransmitter_state_at(const GliotransmitterReleaseParams& p,
                                             const GliotransmitterReleaseState& s, double t, double& x_A,
                                             double& G_A) {
  const double elapsed = t - s.t_last;
  x_A = 1.0 - (1.0 - s.x_A) * exp(-p.Omega_A * elapsed);
  G_A = s.G_A * exp(-p.Omega_e * elapsed);
}

// Apply a release event at time t >= s.t_last; returns the gliotransmitter released (µM, the
// jump of G_A). Synapses driven by this astrocyte must have been advanced to t (with the G_A
// from before the event) before the event is applied: see gamma_s_update.
GLIA_HD inline double gliotransmitter_on_release(const GliotransmitterReleaseParams& p,
                                                 GliotransmitterReleaseState& s, double t) {
  double x_A, G_A;
  gliotransmitter_state_at(p, s, t, x_A, G_A);
  const double released = p.rho_e * p.G_T * p.U_A * x_A;
  s.G_A = G_A + released;
  s.x_A = x_A - p.U_A * x_A;
  s.t_last = t;
  return released;
}

// ---------------------------------------------------------------------------------------------
// Presynaptic gliotransmitter receptors

struct PresynapticGliotransmitterParams {
  double O_G = 1.5;             // 1/(µM s), receptor activation rate
  double Omega_G = 0.5 / 60.0;  // 1/s, receptor deactivation rate, >= 0
  double alpha = 0.0;           // dimensionless, in [0, 1]: 0 release-decreasing, 1 release-increasing
  double U_0_star = 0.6;        // dimensionless, release probability without gliotransmission
  // Numerics, not biophysics: the RK4 step for K (see the top of the file) is
  // h = rk4_step_scale / (O_G G_A0 + Omega_G + Omega_e). 0.05 keeps Gamma_S within ~1e-12 of the
  // exact value for the defaults and within ~1e-9 even for Omega_G comparable to Omega_e.
  double rk4_step_scale = 0.05;  // dimensionless, > 0
};

// Per-synapse state; Gamma_S is the value as of t_last.
struct PresynapticGliotransmitterState {
  double Gamma_S = 0.0;  // dimensionless, fraction of activated presynaptic receptors
  double t_last = 0.0;   // s, time of the last update
};

// Bound on the change of Gamma_S that dropping the gliotransmitter left after the active
// window may cause (see the top of the file).
constexpr double kGammaSCutoff = 1e-16;

// Steady state of Gamma_S under a constant gliotransmitter concentration G_A (µM).
GLIA_HD inline double gamma_s_steady_state(const PresynapticGliotransmitterParams& p, double G_A) {
  const double on = p.O_G * G_A;
  return on / (on + p.Omega_G);
}

// Gamma_S after `elapsed` seconds (>= 0), starting from gamma0 with G_A = G_A0 (µM) at the start
// of the interval and G_A decaying as G_A0 e^{-Omega_e s} throughout it (no astrocyte release
// inside the interval). Omega_e is GliotransmitterReleaseParams::Omega_e (1/s); Omega_e = 0
// means a constant G_A, solved in closed form.
GLIA_HD inline double gamma_s_advance(const PresynapticGliotransmitterParams& p, double Omega_e,
                                      double gamma0, double G_A0, double elapsed) {
  if (elapsed <= 0.0) return gamma0;
  const double a = p.O_G * G_A0;  // 1/s, activation rate at the start of the interval
  if (Omega_e <= 0.0) {           // constant G_A: a linear ODE with constant coefficients
    const double lambda = a + p.Omega_G;
    if (lambda <= 0.0) return gamma0;
    const double g_inf = a / lambda;
    return g_inf + (gamma0 - g_inf) * exp(-lambda * elapsed);
  }
  // Active window: beyond it, int O_G G_A ds = (a / Omega_e) e^{-Omega_e s} < kGammaSCutoff.
  double active = 0.0;
  if (a > Omega_e * kGammaSCutoff) active = fmin(elapsed, log(a / (Omega_e * kGammaSCutoff)) / Omega_e);
  double gamma = gamma0;
  if (active > 0.0) {
    const double phi = -(a / Omega_e) * expm1(-Omega_e * active) + p.Omega_G * active;
    double K = 0.0;  // s
    if (p.Omega_G > 0.0) {
      const int n = static_cast<int>(ceil(active * (a + p.Omega_G + Omega_e) / p.rk4_step_scale));
      const double h = active / n;
      const double half_decay = exp(-0.5 * Omega_e * h);  // G_A over half a step, exactly
      double rate = a;                                    // O_G G_A at the start of the step
      for (int i = 0; i < n; ++i) {
        const double rate_mid = rate * half_decay;
        const double rate_end = rate_mid * half_decay;
        const double k1 = 1.0 - (rate + p.Omega_G) * K;
        const double k2 = 1.0 - (rate_mid + p.Omega_G) * (K + 0.5 * h * k1);
        const double k3 = 1.0 - (rate_mid + p.Omega_G) * (K + 0.5 * h * k2);
        const double k4 = 1.0 - (rate_end + p.Omega_G) * (K + h * k3);
        K += h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
        rate = rate_end;
      }
    }
    gamma = 1.0 - (1.0 - gamma0) * exp(-phi) - p.Omega_G * K;
  }
  return gamma * exp(-p.Omega_G * (elapsed - active));
}

// Gamma_S at time t >= s.t_last, given G_A_at_t_last, the astrocyte's G_A at s.t_last
// (gliotransmitter_state_at); valid only if the astrocyte had no release in (s.t_last, t].
GLIA_HD inline double gamma_s_at(const PresynapticGliotransmitterParams& p, double Omega_e,
                                 const PresynapticGliotransmitterState& s, double G_A_at_t_last, double t) {
  return gamma_s_advance(p, Omega_e, s.Gamma_S, G_A_at_t_last, t - s.t_last);
}

// Advance the state to time t (same conditions as gamma_s_at); returns the new Gamma_S. Call it
// at each presynaptic spike, and for every covered synapse at each release of the astrocyte,
// before gliotransmitter_on_release.
GLIA_HD inline double gamma_s_update(const PresynapticGliotransmitterParams& p, double Omega_e,
                                     PresynapticGliotransmitterState& s, double G_A_at_t_last, double t) {
  s.Gamma_S = gamma_s_at(p, Omega_e, s, G_A_at_t_last, t);
  s.t_last = t;
  return s.Gamma_S;
}

// Release probability U_0 used at the next presynaptic spike (the Tsodyks–Markram U).
GLIA_HD inline double release_probability(const PresynapticGliotransmitterParams& p, double gamma_S) {
  return (1.0 - gamma_S) * p.U_0_star + p.alpha * gamma_S;
}

}  // namespace glia::bio
