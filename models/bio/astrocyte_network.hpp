#pragma once
// IP3 gap-junction coupling between G-ChI astrocytes (BIOPHYSICS.md §3) and an optional exogenous
// IP3 bias per astrocyte switched on periodically (Stimberg et al. example 5, the Ca2+ wave on a
// ring): the per-element functions of a coupled astrocyte group of the network engine. Coupling
// fluxes are computed from the IP3 levels at the start of each astrocyte step and held over the
// step, as Brian's summed variables do.
#include <cstdint>

#include "engine/core/hostdevice.hpp"
#include "engine/sim/fixed_step.hpp"
#include "models/bio/astrocyte_gchi.hpp"

namespace glia::bio {

struct IP3CouplingParams {
  double F = 0.09;        // µM/s, gap-junction IP3 permeability (2 µM/s for regenerative waves)
  double I_Theta = 0.3;   // µM, threshold gradient for IP3 diffusion
  double omega_I = 0.05;  // µM, scaling of the diffusion
};

// Exogenous IP3 towards a clamped level I_bias, on for `on` seconds of every `period`.
struct IP3BiasParams {
  double F_ex = 0.09;     // µM/s
  double I_Theta = 0.3;   // µM
  double omega_I = 0.05;  // µM
  double period = 0.0;    // s; 0 = always on
  double on = 0.0;        // s
};

// Net IP3 flux into astrocyte `a` from its neighbours, from the IP3 levels `I` (stride kGChIVars).
GLIA_HD inline double ip3_coupling_flux(const IP3CouplingParams& c, const std::int64_t* row_ptr,
                                        const std::uint32_t* neighbours, const double* state,
                                        std::int64_t a) {
  double j = 0.0;
  const double I_a = state[a * kGChIVars + kIP3];
  for (std::int64_t k = row_ptr[a]; k < row_ptr[a + 1]; ++k)
    j += gchi_ip3_coupling(I_a, state[static_cast<std::int64_t>(neighbours[k]) * kGChIVars + kIP3], c.F,
                           c.I_Theta, c.omega_I);
  return j;
}

// The glutamate an astrocyte sees during a step from t to t + h, at the stages of the fixed-step methods
// (s = 0, h/2 or h): Y_S held (as Brian's summed variables are), or, when it decays, its synaptic part
// Y_S - Y_fixed decaying exactly as e^{-Omega_c s} (e_half = e^{-Omega_c h/2}, e_full = e^{-Omega_c h}).
// Computed once per step and without branches, so that a loop over variants still vectorises.
struct GlutamateInput {
  double start = 0.0, half = 0.0, full = 0.0;  // µM at s = 0, h/2, h
};

GLIA_HD inline GlutamateInput glutamate_input(double Y_S, double Y_fixed, bool decays, double e_half,
                                              double e_full) {
  const double synaptic = Y_S - Y_fixed;
  GlutamateInput g;
  g.start = Y_S;
  g.half = decays ? Y_fixed + synaptic * e_half : Y_S;
  g.full = decays ? Y_fixed + synaptic * e_full : Y_S;
  return g;
}

GLIA_HD inline double glutamate_at(const GlutamateInput& g, double t, double ts, double h) {
  return ts == t ? g.start : (ts - t < 0.75 * h ? g.half : g.full);
}

// One step of astrocyte `a` from t, with the coupling flux `J_coupling` held over the step.
GLIA_HD inline void astrocyte_network_step(const GChIParams& p, const IP3BiasParams& b, double I_bias,
                                           const GlutamateInput& Y, double J_coupling,
                                           sim::FixedStepMethod method, double t, double dt, double* y) {
  const auto rhs = [&](double ts, const double* s, double* d) {
    // Without a bias (F_ex = 0) its flux is 0: skip fmod and tanh, a fifth of a small astrocyte's step.
    double J = J_coupling;
    if (b.F_ex != 0.0) {
      const bool on = b.period <= 0.0 || fmod(ts, b.period) < b.on;
      J += gchi_ip3_coupling(s[kIP3], on ? I_bias : 0.0, b.F_ex, b.I_Theta, b.omega_I);
    }
    gchi_rhs(p, glutamate_at(Y, t, ts, dt), J, s, d);
  };
  sim::fixed_step<kGChIVars>(method, rhs, t, y, dt);
}

}  // namespace glia::bio
