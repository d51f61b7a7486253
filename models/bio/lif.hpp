#pragma once
// Leaky integrate-and-fire neurons (BIOPHYSICS.md §1), one step of dt at a time.
//
// COBA (conductance-based, the Stimberg et al. 2018 Fig. 6 / Brunel network neuron):
//   C_m dv/dt = g_l (E_l - v) + g_e (E_e - v) + g_i (E_i - v) + I_ext,
//   dg_e/dt = -g_e / tau_e,   dg_i/dt = -g_i / tau_i.
// CUBA (current-based, NEST iaf_psc_exp with one synaptic current):
//   C_m dv/dt = -(C_m / tau_m) (v - E_l) + i_syn + I_ext,   di_syn/dt = -i_syn / tau_syn.
// Both: a spike when v > V_th at the end of a step, then v <- V_r, and v is held at V_r for
// tau_ref while the synaptic variables keep decaying. The step that spikes at its end
// (time t + dt) starts the refractory period there, so spike times lie on the grid.
// Refractoriness ends at an exact time; a step that straddles it integrates only its
// free remainder, so tau_ref need not be a multiple of dt.
#include <cmath>

#include "engine/core/hostdevice.hpp"

namespace glia::bio {

struct LifCobaParams {
  double E_l = -0.060;     // V, leak reversal potential
  double g_l = 9.99e-9;    // S, leak conductance, > 0
  double E_e = 0.0;        // V, excitatory reversal potential
  double E_i = -0.080;     // V, inhibitory reversal potential
  double C_m = 198e-12;    // F, membrane capacitance, > 0
  double tau_e = 5e-3;     // s, decay of the excitatory conductance, > 0
  double tau_i = 10e-3;    // s, decay of the inhibitory conductance, > 0
  double tau_ref = 5e-3;   // s, absolute refractory period, >= 0
  double V_th = -0.050;    // V, spike when v > V_th
  double V_r = -0.060;     // V, reset potential (= E_l in Stimberg Fig. 6), < V_th
  double I_ext = 100e-12;  // A, constant external current (just above rheobase g_l (V_th - E_l))
};

// COBA state, stored struct-of-arrays by the engine.
struct LifState {
  double v = -0.060;              // V, membrane potential
  double g_e = 0.0;               // S, excitatory conductance
  double g_i = 0.0;               // S, inhibitory conductance
  double refractory_until = 0.0;  // s, v is held at V_r before this time (0: free for t >= 0)
};

// CUBA parameters. Defaults match the COBA defaults without synaptic input
// (tau_m = C_m / g_l = 19.82 ms, R = tau_m / C_m = 1 / g_l).
struct LifCubaParams {
  double E_l = -0.060;               // V, resting potential
  double C_m = 198e-12;              // F, membrane capacitance, > 0
  double tau_m = 198e-12 / 9.99e-9;  // s, membrane time constant, > 0
  double tau_syn = 5e-3;             // s, decay of the synaptic current, > 0
  double tau_ref = 5e-3;             // s, absolute refractory period, >= 0
  double V_th = -0.050;              // V, spike when v > V_th
  double V_r = -0.060;               // V, reset potential, < V_th
  double I_ext = 100e-12;            // A, constant external current
};

// CUBA has its own state: one signed synaptic current instead of two conductances.
struct LifCubaState {
  double v = -0.060;              // V, membrane potential
  double i_syn = 0.0;             // A, synaptic current (excitatory > 0, inhibitory < 0)
  double refractory_until = 0.0;  // s, as in LifState
};

// Length of the part of [t, t + dt] after refractoriness ends, in [0, dt].
GLIA_HD inline double lif_free_time(double refractory_until, double t, double dt) {
  const double h = t + dt - refractory_until;
  return h < 0.0 ? 0.0 : (h > dt ? dt : h);
}

// Advance a COBA neuron from t to t + dt; true if it spiked at t + dt.
// The conductances decay exactly. For v, the linear ODE is solved exactly with g_e, g_i
// frozen at their value at the start of the free interval (exponential Euler, what Brian's
// 'exponential_euler' does): v relaxes to v_inf = (g_l E_l + g_e E_e + g_i E_i + I_ext) / g
// with time constant C_m / g, g = g_l + g_e + g_i. This is exact without synaptic input but
// only first order in dt otherwise, because g changes within the step. I_add (A) adds to I_ext for this
// neuron alone (an astrocyte's slow inward current).
GLIA_HD inline bool lif_coba_step(const LifCobaParams& p, LifState& s, double t, double dt, double I_add = 0.0) {
  const double h = lif_free_time(s.refractory_until, t, dt);
  bool spiked = false;
  if (h < dt) s.v = p.V_r;  // held during the refractory part of the step
  if (h > 0.0) {
    double g_e = s.g_e, g_i = s.g_i;
    if (h < dt) {  // the free interval starts dt - h into the step
      g_e *= exp(-(dt - h) / p.tau_e);
      g_i *= exp(-(dt - h) / p.tau_i);
    }
    const double g = p.g_l + g_e + g_i;
    const double v_inf = (p.g_l * p.E_l + g_e * p.E_e + g_i * p.E_i + (p.I_ext + I_add)) / g;
    s.v = v_inf + (s.v - v_inf) * exp(-h * g / p.C_m);
    if (s.v > p.V_th) {
      s.v = p.V_r;
      s.refractory_until = t + dt + p.tau_ref;
      spiked = true;
    }
  }
  s.g_e *= exp(-dt / p.tau_e);
  s.g_i *= exp(-dt / p.tau_i);
  return spiked;
}

// Advance a COBA neuron from t to t + dt by forward Euler (the method of Stimberg et al.'s
// Fig. 6 network in Brian, method='euler'): every variable moves along its derivative at t.
// v is frozen while refractory (Brian's "unless refractory") -- a step is free when it starts
// at or after refractory_until -- and the conductances decay throughout. First order in dt.
GLIA_HD inline bool lif_coba_euler_step(const LifCobaParams& p, LifState& s, double t, double dt,
                                        double I_add = 0.0) {
  const bool free = t + 0.5 * dt >= s.refractory_until;
  const double dv =
      (p.g_l * (p.E_l - s.v) + s.g_e * (p.E_e - s.v) + s.g_i * (p.E_i - s.v) + (p.I_ext + I_add)) / p.C_m;
  s.g_e -= dt * s.g_e / p.tau_e;
  s.g_i -= dt * s.g_i / p.tau_i;
  if (!free) return false;
  s.v += dt * dv;
  if (s.v > p.V_th) {
    s.v = p.V_r;
    s.refractory_until = t + dt + p.tau_ref;
    return true;
  }
  return false;
}

// Synaptic input between steps; dg in S, >= 0.
GLIA_HD inline void lif_receive_excitatory(LifState& s, double dg) { s.g_e += dg; }
GLIA_HD inline void lif_receive_inhibitory(LifState& s, double dg) { s.g_i += dg; }

// expm1(x) / x, continuous at 0.
GLIA_HD inline double lif_expm1_over_x(double x) { return x == 0.0 ? 1.0 : expm1(x) / x; }

// Advance a CUBA neuron from t to t + dt; true if it spiked at t + dt.
// Exact integration (Rotter & Diesmann 1999, as NEST iaf_psc_exp) over a free interval h,
// with u = v - E_l and i_syn(s) = i0 e^{-s/tau_syn}:
//   u(h) = u e^{-h/tau_m} + R I_ext (1 - e^{-h/tau_m}) + P21 i0,   R = tau_m / C_m,
//   P21 = tau_m tau_syn / (C_m (tau_syn - tau_m)) (e^{-h/tau_syn} - e^{-h/tau_m})
//       = (h / C_m) e^{-h/tau_m} expm1(x) / x,   x = h (1/tau_m - 1/tau_syn).
// The second form is well conditioned, also at tau_syn = tau_m (where P21 = h e^{-h/tau_m} / C_m).
GLIA_HD inline bool lif_cuba_step(const LifCubaParams& p, LifCubaState& s, double t, double dt, double I_add = 0.0) {
  const double h = lif_free_time(s.refractory_until, t, dt);
  bool spiked = false;
  if (h < dt) s.v = p.V_r;
  if (h > 0.0) {
    const double i0 = h < dt ? s.i_syn * exp(-(dt - h) / p.tau_syn) : s.i_syn;
    const double p22 = exp(-h / p.tau_m);
    const double p20 = -(p.tau_m / p.C_m) * expm1(-h / p.tau_m);  // R (1 - e^{-h/tau_m})
    const double p21 = (h / p.C_m) * p22 * lif_expm1_over_x(h * (1.0 / p.tau_m - 1.0 / p.tau_syn));
    s.v = p.E_l + (s.v - p.E_l) * p22 + p20 * (p.I_ext + I_add) + p21 * i0;
    if (s.v > p.V_th) {
      s.v = p.V_r;
      s.refractory_until = t + dt + p.tau_ref;
      spiked = true;
    }
  }
  s.i_syn *= exp(-dt / p.tau_syn);
  return spiked;
}

// Synaptic input between steps; di in A, signed (inhibition < 0).
GLIA_HD inline void lif_cuba_receive(LifCubaState& s, double di) { s.i_syn += di; }

}  // namespace glia::bio
