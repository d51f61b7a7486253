#pragma once
// Hebbian synapse of the neuron–astrocyte networks (BIOPHYSICS.md §2; Kozachkov et al. 2023):
//   tau_s ds_ij/dt = -beta s_ij + c theta(x_i) theta(x_j) + psi(p_ij),
// from presynaptic neuron j to postsynaptic neuron i, theta the neurons' nonlinearity
// (rate_neuron.hpp) and psi(p_ij) = psi_gain tanh(p^s_ij) the feedback of the astrocyte process at
// the synapse (astrocyte_process.hpp: saturating, odd, zero at rest). The functions take the
// evaluated theta(x_i), theta(x_j) and psi, which the engine computes once per neuron and process.
// With beta = 0 and psi = 0 the synapse integrates the outer product of post and pre activity,
//   s_ij(T) = s_ij(0) + (c / tau_s) int_0^T theta(x_i) theta(x_j) dt,
// the write phase of attention (MAPPING.md §1). s is dimensionless (it is the weight w_ij of the
// postsynaptic rate neuron's input).
#include "engine/core/hostdevice.hpp"
#include "engine/sim/fixed_step.hpp"
#include "models/bio/exact_relaxation.hpp"

namespace glia::bio {

struct HebbianSynapseParams {
  double tau_s = 1.0;  // s, synaptic time constant, > 0
  double beta = 1.0;   // leak (dimensionless), >= 0; 0 makes the synapse a pure integrator
  double c = 1.0;      // Hebbian gain (dimensionless); < 0 for anti-Hebbian
};

struct HebbianSynapseState {
  double s = 0.0;  // synaptic weight (dimensionless)
};

// ds/dt (1/s).
GLIA_HD inline double hebbian_rhs(const HebbianSynapseParams& p, double s, double theta_post,
                                  double theta_pre, double psi) {
  return (-p.beta * s + p.c * theta_post * theta_pre + psi) / p.tau_s;
}

// One step of dt with the activities and psi held over the step: exact for constant inputs, and
// for beta = 0 exactly s += (dt / tau_s)(c theta_post theta_pre + psi), the rectangle rule of the
// outer-product integral.
GLIA_HD inline void hebbian_step_exact(const HebbianSynapseParams& p, HebbianSynapseState& st,
                                       double theta_post, double theta_pre, double psi, double dt) {
  st.s = relax_exact(st.s, p.beta, p.c * theta_post * theta_pre + psi, p.tau_s, dt);
}

// One fixed step of dt from t; `inputs(t, s, theta_post, theta_pre, psi)` fills the inputs at a
// stage (for activities known in closed form).
template <class Inputs>
GLIA_HD inline void hebbian_step(sim::FixedStepMethod method, const HebbianSynapseParams& p,
                                 HebbianSynapseState& st, double t, double dt, const Inputs& inputs) {
  const auto rhs = [&](double ts, const double* y, double* d) {
    double theta_post = 0.0, theta_pre = 0.0, psi = 0.0;
    inputs(ts, y[0], theta_post, theta_pre, psi);
    d[0] = hebbian_rhs(p, y[0], theta_post, theta_pre, psi);
  };
  sim::fixed_step<1>(method, rhs, t, &st.s, dt);
}

}  // namespace glia::bio
