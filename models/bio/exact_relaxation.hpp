#pragma once
// Exact step of a linear relaxation  tau dy/dt = -k y + u  with the input u held constant over
// the step (exponential Euler): y(t + dt) = u/k + (y - u/k) e^{-k dt/tau}. The rate neuron, the
// Hebbian synapse and the astrocyte processes (BIOPHYSICS.md §1, §2, §4) all have this form once
// their coupling inputs are frozen. The update is exact when u is constant and first order in dt
// when u changes within the step.
#include <cmath>

#include "engine/core/hostdevice.hpp"

namespace glia::bio {

// expm1(z) / z, continuous at z = 0.
GLIA_HD inline double relax_phi1(double z) { return z == 0.0 ? 1.0 : expm1(z) / z; }

// y after dt for tau dy/dt = -k y + u (k >= 0, tau > 0, u constant). Written as
// y + (u - k y) (dt/tau) phi1(-k dt/tau), which has no cancellation for small k dt/tau and is
// the plain integrator y + u dt/tau at k = 0.
GLIA_HD inline double relax_exact(double y, double k, double u, double tau, double dt) {
  const double h = dt / tau;
  return y + (u - k * y) * h * relax_phi1(-k * h);
}

}  // namespace glia::bio
