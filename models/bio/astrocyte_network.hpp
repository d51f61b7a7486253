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

// One step of astrocyte `a` from t, with the coupling flux `J_coupling` held over the step.
GLIA_HD inline void astrocyte_network_step(const GChIParams& p, const IP3BiasParams& b, double I_bias,
                                           double Y_S, double J_coupling, sim::FixedStepMethod method,
                                           double t, double dt, double* y) {
  const auto rhs = [&](double ts, const double* s, double* d) {
    // Without a bias (F_ex = 0) its flux is 0: skip fmod and tanh, a fifth of a small astrocyte's step.
    double J = J_coupling;
    if (b.F_ex != 0.0) {
      const bool on = b.period <= 0.0 || fmod(ts, b.period) < b.on;
      J += gchi_ip3_coupling(s[kIP3], on ? I_bias : 0.0, b.F_ex, b.I_Theta, b.omega_I);
    }
    gchi_rhs(p, Y_S, J, s, d);
  };
  sim::fixed_step<kGChIVars>(method, rhs, t, y, dt);
}

}  // namespace glia::bio
