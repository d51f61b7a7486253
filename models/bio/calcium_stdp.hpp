#pragma once
// Calcium-based synaptic plasticity (Graupner & Brunel 2012; BIOPHYSICS.md §4): a synaptic
// efficacy rho in [0, 1] with two stable states (0 and 1, separated by rho_star) driven by a
// calcium trace c that jumps at presynaptic spikes (after a delay D) and postsynaptic spikes:
//   tau drho/dt = -rho (1 - rho)(rho_star - rho) + gamma_p (1 - rho) H(c - theta_p)
//                 - gamma_d rho H(c - theta_d) + sigma sqrt(tau) sqrt(H(c - theta_d) + H(c - theta_p)) xi(t),
//   dc/dt = -c / tau_Ca.
// The astrocyte's contribution to postsynaptic calcium (De Pittà & Brunel 2016) enters as an
// extra jump or current on c by the caller. c decays exactly; rho takes an Euler–Maruyama
// step with c held at its value at the step start (c changes on the ms scale of tau_Ca, so
// dt must resolve it: 0.1 ms is typical).
#include <cmath>

#include "engine/core/hostdevice.hpp"

namespace glia::bio {

struct CalciumStdpParams {
  double C_pre = 1.0;        // calcium jump at a presynaptic spike (dimensionless)
  double C_post = 2.0;       // calcium jump at a postsynaptic spike
  double D = 13.7e-3;        // s, delay of the presynaptic calcium jump
  double tau_Ca = 20e-3;     // s, calcium decay time constant
  double theta_d = 1.0;      // depression threshold
  double theta_p = 1.3;      // potentiation threshold
  double gamma_d = 200.0;    // depression rate (in units of 1/tau)
  double gamma_p = 321.808;  // potentiation rate (in units of 1/tau)
  double sigma = 2.8284;     // noise amplitude
  double tau = 150.0;        // s, time constant of rho
  double rho_star = 0.5;     // boundary between the basins of the two stable states
};

struct CalciumStdpState {
  double rho = 0.0;  // synaptic efficacy
  double c = 0.0;    // calcium
};

// Deterministic drift drho/dt (1/s) at efficacy rho and calcium c.
GLIA_HD inline double cstdp_drift(const CalciumStdpParams& p, double rho, double c) {
  double f = -rho * (1.0 - rho) * (p.rho_star - rho);
  if (c > p.theta_p) f += p.gamma_p * (1.0 - rho);
  if (c > p.theta_d) f -= p.gamma_d * rho;
  return f / p.tau;
}

// Noise amplitude b in drho = drift dt + b dW (1/sqrt(s)).
GLIA_HD inline double cstdp_noise(const CalciumStdpParams& p, double c) {
  const double active = (c > p.theta_d ? 1.0 : 0.0) + (c > p.theta_p ? 1.0 : 0.0);
  return p.sigma * sqrt(active) / sqrt(p.tau);
}

// One step of dt: rho by Euler–Maruyama with the Wiener increment dW (0 for the
// deterministic rule), then the exact calcium decay.
GLIA_HD inline void cstdp_step(const CalciumStdpParams& p, CalciumStdpState& s, double dt, double dW) {
  s.rho += cstdp_drift(p, s.rho, s.c) * dt + cstdp_noise(p, s.c) * dW;
  s.c *= exp(-dt / p.tau_Ca);
}

GLIA_HD inline void cstdp_pre_calcium(const CalciumStdpParams& p, double& c) { c += p.C_pre; }
GLIA_HD inline void cstdp_post_calcium(const CalciumStdpParams& p, double& c) { c += p.C_post; }
GLIA_HD inline void cstdp_pre_arrival(const CalciumStdpParams& p, CalciumStdpState& s) { cstdp_pre_calcium(p, s.c); }
GLIA_HD inline void cstdp_post_spike(const CalciumStdpParams& p, CalciumStdpState& s) { cstdp_post_calcium(p, s.c); }

}  // namespace glia::bio
