#pragma once
// Astrocyte processes with two timescales, one process per synapse (BIOPHYSICS.md §4; RMAAT):
//   tau_ps dp^s_ij/dt = -gamma_s p^s_ij + sum_kl T_ijkl psi(p^s_kl) + kappa(s_ij),
//   tau_pl dp^l_ij/dt = -gamma_l p^l_ij + kappa(s_ij),
// s_ij the Hebbian synapse it covers (hebbian_synapse.hpp), which receives psi(p^s_ij) back.
//
// Choices of this project (the papers give only the form):
// - psi(p) = psi_gain tanh(p) and kappa(s) = kappa_gain tanh(s): saturating, odd, zero at rest, so
//   a silent network stays silent, with slopes psi_gain and kappa_gain at 0.
// - Processes sit on a grid: the process of synapse (i, j) (post i, pre j) at grid point (i, j).
//   T_ijkl = c_T exp(-dist / lambda_T), dist the Euclidean distance in grid units, and T_ijij = 0:
//   a process does not excite itself, so gamma_s alone sets its own decay.
// - Defaults: c_T 0.1 and lambda_T 1 grid unit make the coupling small and short-ranged. Stability
//   at rest (tanh slope <= 1): the process layer alone contracts when gamma_s > psi_gain * (largest
//   row sum of T); on a 3 x 3 grid that sum is 0.244 (centre: 4 e^{-1} + 4 e^{-sqrt 2}, times c_T).
//   The loop synapse -> process -> synapse has gain psi_gain kappa_gain / beta at 0 and must stay
//   below beta (gamma_s - psi_gain rowsum) / beta: 0.5 < 0.88 with the defaults.
// - Time constants: tau_ps 2 s, tau_pl 30 s, gamma_s = gamma_l = 1 (with tau_s 1 s of the synapse).
//
// The exact step freezes the coupling sum and s over the step (first order in dt when they move);
// runners that need higher order step the whole network with RK (neuron_astrocyte_network.cpp).
#include <cmath>

#include "engine/core/hostdevice.hpp"
#include "models/bio/exact_relaxation.hpp"

namespace glia::bio {

struct AstrocyteProcessParams {
  double tau_ps = 2.0;      // s, short-term process time constant, > 0
  double tau_pl = 30.0;     // s, long-term process time constant, > 0
  double gamma_s = 1.0;     // short-term decay (dimensionless), >= 0
  double gamma_l = 1.0;     // long-term decay (dimensionless), >= 0; 0: p^l integrates kappa
  double c_T = 0.1;         // coupling strength between processes (dimensionless)
  double lambda_T = 1.0;    // coupling length, grid units, > 0
  double psi_gain = 0.5;    // psi(p) = psi_gain tanh(p): process -> synapse and process -> process
  double kappa_gain = 1.0;  // kappa(s) = kappa_gain tanh(s): synapse -> process
};

struct AstrocyteProcessState {
  double p_s = 0.0;  // short-term process (dimensionless)
  double p_l = 0.0;  // long-term process (dimensionless)
};

GLIA_HD inline double process_psi(const AstrocyteProcessParams& p, double ps) {
  return p.psi_gain * tanh(ps);
}
GLIA_HD inline double process_kappa(const AstrocyteProcessParams& p, double s) {
  return p.kappa_gain * tanh(s);
}

// T between two processes whose grid points differ by (d_row, d_col); 0 for a process and itself.
GLIA_HD inline double process_kernel(const AstrocyteProcessParams& p, double d_row, double d_col) {
  if (d_row == 0.0 && d_col == 0.0) return 0.0;
  return p.c_T * exp(-sqrt(d_row * d_row + d_col * d_col) / p.lambda_T);
}

// dp^s/dt (1/s) given the coupling sum_kl T_ijkl psi(p^s_kl) and the synapse s_ij.
GLIA_HD inline double process_short_rhs(const AstrocyteProcessParams& p, double ps, double coupling,
                                        double s) {
  return (-p.gamma_s * ps + coupling + process_kappa(p, s)) / p.tau_ps;
}

// dp^l/dt (1/s) given the synapse s_ij.
GLIA_HD inline double process_long_rhs(const AstrocyteProcessParams& p, double pl, double s) {
  return (-p.gamma_l * pl + process_kappa(p, s)) / p.tau_pl;
}

// One step of dt with the coupling sum and s held over the step (exact for constant inputs).
GLIA_HD inline void process_step_exact(const AstrocyteProcessParams& p, AstrocyteProcessState& st,
                                       double coupling, double s, double dt) {
  const double k = process_kappa(p, s);
  st.p_s = relax_exact(st.p_s, p.gamma_s, coupling + k, p.tau_ps, dt);
  st.p_l = relax_exact(st.p_l, p.gamma_l, k, p.tau_pl, dt);
}

// ---- The LTP macro model in closed form ---------------------------------------------------
// STP cycles of length T_c = T_on + T_off. Let kappa(s(t)) be T_c-periodic and let A be the p^l
// that one cycle produces from p^l = 0. p^l is linear in kappa, so at the end of cycle n
//   p_n = q p_{n-1} + A,   q = e^{-r},  r = gamma_l T_c / tau_pl,
//   p_n = q^n p_0 + A (1 - q^n) / (1 - q)       (geometric series; p_n = p_0 + n A when r = 0),
// and from p_0 = 0, p_n = p_inf (1 - e^{-n r}) with p_inf = A / (1 - q): the saturating exponential
// of MAPPING.md §2 sampled at cycle ends, with tau_L = tau_pl / gamma_l exactly.
// For kappa = K during on-phases and 0 during off-phases, solving each phase exactly gives
//   A = (K / gamma_l) (1 - e^{-a}) e^{-b},  a = gamma_l T_on / tau_pl,  b = gamma_l T_off / tau_pl.

// (1 - e^{-n r}) / (1 - e^{-r}), the geometric sum 1 + q + ... + q^{n-1}; n at r = 0.
GLIA_HD inline double ltp_geometric_sum(double r, int n) {
  return r == 0.0 ? static_cast<double>(n) : expm1(-n * r) / expm1(-r);
}

// p^l at the end of cycle n for a periodic drive with per-cycle gain A, starting from p0.
GLIA_HD inline double ltp_periodic_level(const AstrocyteProcessParams& p, double A, double T_cycle, double p0,
                                         int n) {
  const double r = p.gamma_l * T_cycle / p.tau_pl;
  return exp(-n * r) * p0 + A * ltp_geometric_sum(r, n);
}

// A for the square drive: kappa = K for T_on, then 0 for T_off. (1 - e^{-a}) / gamma_l is written
// as (T_on / tau_pl) phi1(-a) so that gamma_l = 0 (no saturation) is included.
GLIA_HD inline double ltp_square_cycle_gain(const AstrocyteProcessParams& p, double K, double T_on,
                                            double T_off) {
  const double a = p.gamma_l * T_on / p.tau_pl, b = p.gamma_l * T_off / p.tau_pl;
  return K * (T_on / p.tau_pl) * relax_phi1(-a) * exp(-b);
}

// p^l at the end of cycle n under the square drive, from p0.
GLIA_HD inline double ltp_square_level(const AstrocyteProcessParams& p, double K, double T_on, double T_off,
                                       double p0, int n) {
  return ltp_periodic_level(p, ltp_square_cycle_gain(p, K, T_on, T_off), T_on + T_off, p0, n);
}

}  // namespace glia::bio
