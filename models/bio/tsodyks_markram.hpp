#pragma once
// Tsodyks–Markram short-term plasticity (BIOPHYSICS.md §2), in the form of Tsodyks et al.
// 1998 / De Pittà et al. 2011: facilitation u decays to 0 between spikes, resources x
// recover to 1,
//   du/dt = -u / tau_fac,   dx/dt = (1 - x) / tau_rec,
// and at a presynaptic spike u <- u + U (1 - u), r = u x, x <- x - r (r is the released
// fraction; the postsynaptic effect is w r). Both decays are linear, so the gaps between
// spikes are integrated exactly and lazily: the state is stored as of the last spike and
// evaluated at any later time in closed form. tau_fac = 0 means no facilitation (u = U at
// every spike).
#include <cmath>

#include "engine/core/hostdevice.hpp"

namespace glia::bio {

struct TsodyksMarkramParams {
  double U = 0.5;        // release increment U_0, dimensionless, in (0, 1]
  double tau_rec = 0.8;  // s, recovery time constant of resources (1/Omega_d), > 0
  double tau_fac = 0.0;  // s, decay time constant of facilitation (1/Omega_f), >= 0
};

// Per-synapse state, stored struct-of-arrays by the engine. Values are as of t_last.
struct TsodyksMarkramState {
  double u = 0.0;
  double x = 1.0;
  double t_last = 0.0;  // s, time of the last update (the last spike, or 0)
};

// exp(-elapsed / tau), with tau = 0 meaning "decays instantly" -- but not at elapsed = 0:
// the state read right at a spike is the post-spike state (u = U when tau_fac = 0).
GLIA_HD inline double tm_decay(double elapsed, double tau) {
  return tau > 0.0 ? exp(-elapsed / tau) : (elapsed > 0.0 ? 0.0 : 1.0);
}

// u and x at time t >= s.t_last, without a spike.
GLIA_HD inline void tm_state_at(const TsodyksMarkramParams& p, const TsodyksMarkramState& s, double t,
                                double& u, double& x) {
  const double elapsed = t - s.t_last;
  u = s.u * tm_decay(elapsed, p.tau_fac);
  x = 1.0 - (1.0 - s.x) * tm_decay(elapsed, p.tau_rec);
}

// Apply a presynaptic spike at time t >= s.t_last; returns the released fraction r.
GLIA_HD inline double tm_on_spike(const TsodyksMarkramParams& p, TsodyksMarkramState& s, double t) {
  double u, x;
  tm_state_at(p, s, t, u, x);
  u += p.U * (1.0 - u);
  const double r = u * x;
  s.u = u;
  s.x = x - r;
  s.t_last = t;
  return r;
}

}  // namespace glia::bio
