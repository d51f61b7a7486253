#pragma once
// G-ChI astrocyte (De Pittà et al. 2009, as formulated by Stimberg et al. 2019;
// BIOPHYSICS.md §3): receptor activation Gamma_A, IP3 (I), cytosolic Ca2+ (C) and IP3R
// de-inactivation h. Concentrations in µM, time in s (rates in 1/s or µM/s).
#include <cmath>

#include "engine/core/hostdevice.hpp"
#include "engine/sim/sde.hpp"

namespace glia::bio {

struct GChIParams {
  // Ca2+ fluxes
  double O_P = 0.9;      // µM/s, maximal SERCA uptake rate
  double K_P = 0.05;     // µM, SERCA Ca2+ affinity
  double C_T = 2.0;      // µM, total free Ca2+ content
  double rho_A = 0.18;   // ER-to-cytoplasm volume ratio
  double Omega_C = 6.0;  // 1/s, maximal IP3R release rate
  double Omega_L = 0.1;  // 1/s, ER leak rate
  // IP3R kinetics
  double d1 = 0.13;    // µM, IP3 binding affinity
  double d2 = 1.05;    // µM, Ca2+ inactivation dissociation constant
  double O_2 = 0.2;    // 1/(µM s), IP3R binding rate for Ca2+ inhibition
  double d3 = 0.9434;  // µM, IP3 dissociation constant
  double d5 = 0.08;    // µM, Ca2+ activation dissociation constant
  // agonist-dependent IP3 production (PLCβ)
  double O_beta = 0.5;   // µM/s
  double O_N = 0.3;      // 1/(µM s), agonist binding rate
  double Omega_N = 0.5;  // 1/s, maximal receptor inactivation rate
  double K_KC = 0.5;     // µM, PKC Ca2+ affinity
  double zeta = 10.0;    // maximal reduction of receptor affinity by PKC
  // endogenous IP3 production (PLCδ)
  double O_delta = 1.2;      // µM/s
  double kappa_delta = 1.5;  // µM, PLCδ inhibition by IP3
  double K_delta = 0.1;      // µM, PLCδ Ca2+ affinity
  // IP3 degradation
  double Omega_5P = 0.05;  // 1/s, IP-5P rate
  double K_D = 0.7;        // µM, IP3-3K Ca2+ affinity
  double K_3K = 1.0;       // µM, IP3-3K IP3 affinity
  double O_3K = 4.5;       // µM/s, maximal IP3-3K rate
};

// Parameter set of the single-astrocyte simulations (Stimberg et al. 2019, Fig. 2); the
// defaults above are the network set (Fig. 6).
inline GChIParams gchi_single_astrocyte_params() {
  GChIParams p;
  p.K_P = 0.1;
  p.O_beta = 5.0;
  p.O_delta = 0.2;
  p.K_delta = 0.3;
  p.Omega_5P = 0.1;
  p.K_D = 0.5;
  return p;
}

// State order used by integrators and recordings.
enum GChIVar { kGammaA = 0, kIP3 = 1, kCa = 2, kH = 3, kGChIVars = 4 };

GLIA_HD inline double clip01(double v) { return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v); }

// Right-hand side. Y_S: glutamate seen by the astrocyte (µM); J_ex: external IP3 flux
// (gap-junction coupling or a bias, µM/s).
GLIA_HD inline void gchi_rhs(const GChIParams& p, double Y_S, double J_ex, const double* y, double* dydt) {
  const double gamma = clip01(y[kGammaA]);
  const double I = y[kIP3], C = y[kCa], h = clip01(y[kH]);
  const double C2 = C * C, C4 = C2 * C2;
  const double K_D2 = p.K_D * p.K_D;
  dydt[kGammaA] = p.O_N * Y_S * (1.0 - gamma) - p.Omega_N * (1.0 + p.zeta * C / (C + p.K_KC)) * gamma;
  const double J_beta = p.O_beta * gamma;
  const double J_delta = p.O_delta / (1.0 + I / p.kappa_delta) * C2 / (C2 + p.K_delta * p.K_delta);
  const double J_3K = p.O_3K * C4 / (C4 + K_D2 * K_D2) * I / (I + p.K_3K);
  dydt[kIP3] = J_beta + J_delta - J_3K - p.Omega_5P * I + J_ex;
  const double m_inf = I / (I + p.d1) * C / (C + p.d5);
  const double er = p.C_T - (1.0 + p.rho_A) * C;
  const double m3h3 = m_inf * m_inf * m_inf * h * h * h;
  dydt[kCa] = p.Omega_C * m3h3 * er + p.Omega_L * er - p.O_P * C2 / (C2 + p.K_P * p.K_P);
  const double Q2 = p.d2 * (I + p.d1) / (I + p.d3);
  const double h_inf = Q2 / (Q2 + C);
  dydt[kH] = (h_inf - h) * p.O_2 * (Q2 + C);  // (h_inf - h) / tau_h
}

// IP3 flux into astrocyte i through a gap junction with a neighbour j (BIOPHYSICS.md §3):
// -(F/2) (1 + tanh((|I_i - I_j| - I_Theta)/omega_I)) sign(I_i - I_j), in µM/s. Stimberg's
// single-astrocyte example couples to a clamped neighbour at I_bias with F = F_ex.
GLIA_HD inline double gchi_ip3_coupling(double I_i, double I_j, double F, double I_Theta, double omega_I) {
  const double diff = I_i - I_j;
  const double sign = diff > 0.0 ? 1.0 : (diff < 0.0 ? -1.0 : 0.0);
  return -0.5 * F * (1.0 + tanh((fabs(diff) - I_Theta) / omega_I)) * sign;
}

// Time constant of IP3R de-inactivation, tau_h = 1/(O_2 (Q2 + C)) (s).
GLIA_HD inline double gchi_tau_h(const GChIParams& p, const double* y) {
  const double I = y[kIP3], C = y[kCa];
  const double Q2 = p.d2 * (I + p.d1) / (I + p.d3);
  return 1.0 / (p.O_2 * (Q2 + C));
}

// One step of the stochastic G-ChI model, in which dh/dt is multiplied by
// (1 + sigma xi sqrt(tau_h)) with white noise xi (Stimberg et al. 2019): dh = a dt + b dW with
// a = (h_inf - h)/tau_h and b = sigma sqrt(tau_h) a, so db/dh = -sigma/sqrt(tau_h). The other
// variables take a forward Euler step; h takes a Milstein step (strong order 1) or, without
// `milstein`, an Euler–Maruyama step (order 1/2). dW is the Wiener increment over dt.
GLIA_HD inline void gchi_stochastic_step(const GChIParams& p, double Y_S, double J_ex, double sigma,
                                         bool milstein, double* y, double dt, double dW) {
  double d[kGChIVars];
  gchi_rhs(p, Y_S, J_ex, y, d);
  const double sqrt_tau_h = sqrt(gchi_tau_h(p, y));
  const double b = sigma * sqrt_tau_h * d[kH];
  for (int i = 0; i < kGChIVars; ++i)
    if (i != kH) y[i] += dt * d[i];
  y[kH] += milstein ? sim::milstein_increment(d[kH], b, -sigma / sqrt_tau_h, dt, dW)
                    : sim::euler_maruyama_increment(d[kH], b, dt, dW);
}

}  // namespace glia::bio
