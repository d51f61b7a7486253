#pragma once
// The tripartite unit of parameter sweeps (Stimberg et al. 2019, examples 2-4): a presynaptic
// spike train (Poisson, from Philox keyed by the variant's own seed, or regular) drives one
// Tsodyks–Markram synapse; its released glutamate Y_S drives a G-ChI astrocyte; the astrocyte
// releases gliotransmitter G_A when its Ca2+ crosses C_Theta upward, and, with feedback on,
// G_A activates presynaptic receptors Gamma_S that set the synapse's release probability
// U_0 = (1 - Gamma_S) U + alpha Gamma_S (closed loop of example 4). The bare G-ChI astrocyte
// with constant glutamate is the same unit without a synapse.
//
// One step of length dt from t = step dt, for one variant:
//   1. a presynaptic spike at t (if any): u <- u + U_0 (1 - u), r = u x, x <- x - r,
//      Y_S <- Y_S + rho_c Y_T r  (the release acts from this step on, as in glia's networks);
//   2. the astrocyte (Gamma_A, I, C, h) and Gamma_S take one fixed step of the chosen method, with
//      Y_S and G_A decaying exactly inside it (Y_S(t + s) = Y_S(t) e^{-Omega_c s} at the stages);
//   3. the linear variables decay exactly over the step: Y_S, G_A, x_A, u, x;
//   4. a state out of bounds or non-finite fails the variant (it stops; the others go on);
//   5. an upward crossing of C_Theta at t + dt releases gliotransmitter: G_A += rho_e G_T U_A x_A,
//      x_A -= U_A x_A (Gamma_S was advanced with the G_A from before the event);
//   6. summaries read the state at t + dt; traces record it every few steps.
// Variants never interact, so a variant's result is a function of its own parameters only.
#include <cstdint>

#include "engine/core/hostdevice.hpp"
#include "engine/sim/fixed_step.hpp"
#include "engine/sim/spike_source.hpp"
#include "engine/sim/summary.hpp"
#include "models/bio/astrocyte_gchi.hpp"
#include "models/bio/gliotransmission.hpp"
#include "models/bio/tsodyks_markram.hpp"

namespace glia::bio {

// Variables of the unit, in state order; U_0 is derived (the release probability in force).
enum TripartiteVar : std::int32_t {
  kTGammaA = 0,
  kTI = 1,
  kTC = 2,
  kTh = 3,
  kTGammaS = 4,  // integrated with the astrocyte (the first kTIntegrated variables)
  kTu = 5,
  kTx = 6,
  kTY_S = 7,
  kTx_A = 8,
  kTG_A = 9,
  kTStateVars = 10,
  kTU_0 = 10,
  kTVariables = 11
};
constexpr int kTIntegrated = 5;

inline const char* tripartite_variable_name(int v) {
  constexpr const char* names[kTVariables] = {"Gamma_A", "I",   "C",   "h",   "Gamma_S", "u",
                                              "x",       "Y_S", "x_A", "G_A", "U_0"};
  return names[v];
}

// Parameters of one variant. tm.U is the release probability without gliotransmission (U_0*).
struct TripartiteParams {
  GChIParams gchi;
  TsodyksMarkramParams tm;
  SynapticGlutamateParams glu;
  GliotransmitterReleaseParams glio;
  PresynapticGliotransmitterParams pre;
  double J_ex = 0.0;      // µM/s, constant external IP3 flux
  double rate = 0.0;      // Hz, presynaptic rate
  double seed = 0.0;      // Philox key of the Poisson train (a whole number)
  double feedback = 0.0;  // 1: Gamma_S sets the release probability; 0: it does not
  double initial[kTStateVars] = {0.0, 0.0, 0.0, 0.9, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0};
};

// A variant as the step reads it: its parameters and per-step constants derived from them.
struct TripartiteVariant {
  TripartiteParams p;
  double decay_c_half, decay_c;  // e^{-Omega_c dt/2}, e^{-Omega_c dt}
  double decay_e_half, decay_e;  // e^{-Omega_e dt/2}, e^{-Omega_e dt}
  double decay_A;                // e^{-Omega_A dt}
  double decay_rec, decay_fac;   // e^{-dt/tau_rec}, e^{-dt/tau_fac} (0 for tau_fac = 0)
  double glutamate_per_release;  // µM per unit released fraction, rho_c Y_T
  double gliotransmitter_per_x;  // µM per unit x_A, rho_e G_T U_A
  double C_max;                  // µM, C_T / (1 + rho_A)
  std::uint64_t seed;
  bool feedback;
};

// Philox stream of the sweep's presynaptic trains ("trip").
constexpr std::uint32_t kTripartiteSpikeStream = 0x74726970u;

// Per-variant status.
constexpr std::int32_t kTripartiteOk = 0;
constexpr std::int32_t kTripartiteFailed = 1;  // a state variable left its bounds or became non-finite

// Settings shared by all variants of a run.
struct TripartiteRun {
  double dt;
  std::int64_t n_steps, n_transient;  // the summary window is steps n_transient+1 .. n_steps
  sim::FixedStepMethod method;
  sim::SourceKind source;
  bool synapse;  // false: the bare astrocyte (no spikes; Y_S stays at its initial value)
};

// Plain pointers into struct-of-arrays buffers (host or device) for a batch of n variants.
// Variable k of variant i is state[k * n + i]; summary s of variant i is at [s * n + i].
struct TripartiteBatch {
  std::int64_t n;
  TripartiteRun run;
  const TripartiteVariant* variants;
  double* state;
  std::int32_t n_summaries;
  const sim::SummaryItem* summaries;
  const double* thresholds;
  sim::SummaryAcc* acc;
  double* summary_out;
  std::int32_t* status;
  std::int32_t* failed_variable;  // -1 while ok
  double* failed_at;              // s
  double* failed_value;
  const std::int32_t* trace_slot;  // per variant: row block in `traces`, or -1
  std::int32_t n_trace_vars;
  const std::int32_t* trace_vars;
  std::int64_t trace_every, n_trace_samples;
  double* traces;  // [slot][trace variable][sample]
};

GLIA_HD inline double tripartite_release_probability(const TripartiteVariant& v, double gamma_S) {
  return v.feedback ? (1.0 - gamma_S) * v.p.tm.U + v.p.pre.alpha * gamma_S : v.p.tm.U;
}

GLIA_HD inline double tripartite_value(const TripartiteVariant& v, const double* s, int var) {
  return var == kTU_0 ? tripartite_release_probability(v, s[kTGammaS]) : s[var];
}

// Index of the variable that is out of bounds or non-finite, or -1.
GLIA_HD inline int tripartite_out_of_bounds(const TripartiteVariant& v, const double* s) {
  const double tol = 1e-9;
  for (int k = 0; k < kTStateVars; ++k)
    if (!(s[k] == s[k]) || s[k] > 1e300 || s[k] < -1e300) return k;
  if (s[kTGammaA] < -tol || s[kTGammaA] > 1.0 + tol) return kTGammaA;
  if (s[kTI] < -tol) return kTI;
  if (s[kTC] < -tol || s[kTC] > v.C_max + tol) return kTC;
  if (s[kTh] < -tol || s[kTh] > 1.0 + tol) return kTh;
  if (s[kTGammaS] < -tol || s[kTGammaS] > 1.0 + tol) return kTGammaS;
  return -1;
}

GLIA_HD inline void tripartite_record(const TripartiteBatch& b, std::int64_t i, const double* s,
                                      std::int64_t sample) {
  const std::int32_t slot = b.trace_slot[i];
  if (slot < 0) return;
  const TripartiteVariant& v = b.variants[i];
  for (std::int32_t k = 0; k < b.n_trace_vars; ++k)
    b.traces[(static_cast<std::int64_t>(slot) * b.n_trace_vars + k) * b.n_trace_samples + sample] =
        tripartite_value(v, s, b.trace_vars[k]);
}

// Sets variant i to its initial state and starts its summaries and trace.
GLIA_HD inline void tripartite_init(const TripartiteBatch& b, std::int64_t i) {
  const TripartiteVariant& v = b.variants[i];
  double s[kTStateVars];
  for (int k = 0; k < kTStateVars; ++k) s[k] = b.state[k * b.n + i] = v.p.initial[k];
  for (std::int32_t q = 0; q < b.n_summaries; ++q) {
    const sim::SummaryItem it = b.summaries[q];
    sim::summary_start(it.stat, b.acc[q * b.n + i],
                       it.variable >= 0 ? tripartite_value(v, s, it.variable) : 0.0);
  }
  b.status[i] = kTripartiteOk;
  b.failed_variable[i] = -1;
  b.failed_at[i] = b.failed_value[i] = 0.0 / 0.0;
  tripartite_record(b, i, s, 0);
}

// Advances variant i by one step from t = step dt (see the top of the file).
GLIA_HD inline void tripartite_step(const TripartiteBatch& b, std::int64_t i, std::int64_t step) {
  if (b.status[i] != kTripartiteOk) return;
  const TripartiteVariant& v = b.variants[i];
  const TripartiteRun& run = b.run;
  const double dt = run.dt;
  const double t = static_cast<double>(step) * dt;
  double s[kTStateVars];
  for (int k = 0; k < kTStateVars; ++k) s[k] = b.state[k * b.n + i];

  // 1. presynaptic spike at t
  if (run.synapse && v.p.rate > 0.0 &&
      sim::source_spikes(sim::SpikeSourceParams{run.source, v.p.rate, 0.0, v.seed, kTripartiteSpikeStream}, 0,
                         step, dt)) {
    const double U_0 = tripartite_release_probability(v, s[kTGammaS]);
    const double u = s[kTu] + U_0 * (1.0 - s[kTu]);
    const double r = u * s[kTx];
    s[kTu] = u;
    s[kTx] -= r;
    s[kTY_S] += v.glutamate_per_release * r;
    if (step >= run.n_transient)
      for (std::int32_t q = 0; q < b.n_summaries; ++q)
        if (sim::summary_is_spike_stat(b.summaries[q].stat))
          sim::summary_spike(b.summaries[q].stat, b.acc[q * b.n + i], u, r);
  }

  // 2. astrocyte and presynaptic receptors over [t, t + dt]; stage offsets are 0, dt/2 or dt
  const double Y0 = s[kTY_S], G0 = s[kTG_A], C_before = s[kTC];
  const auto rhs = [&](double tau, const double* y, double* d) {
    const double offset = tau - t;
    const bool start = offset == 0.0, half = offset < 0.75 * dt;
    const double Y_S = start ? Y0 : Y0 * (half ? v.decay_c_half : v.decay_c);
    const double G_A = start ? G0 : G0 * (half ? v.decay_e_half : v.decay_e);
    gchi_rhs(v.p.gchi, Y_S, v.p.J_ex, y, d);
    d[kTGammaS] = v.p.pre.O_G * G_A * (1.0 - y[kTGammaS]) - v.p.pre.Omega_G * y[kTGammaS];
  };
  sim::fixed_step<kTIntegrated>(run.method, rhs, t, s, dt);

  // 3. exact decays of the linear variables
  s[kTY_S] *= v.decay_c;
  s[kTG_A] *= v.decay_e;
  s[kTx_A] = 1.0 - (1.0 - s[kTx_A]) * v.decay_A;
  s[kTu] *= v.decay_fac;
  s[kTx] = 1.0 - (1.0 - s[kTx]) * v.decay_rec;

  // 4. bounds
  const double t_end = static_cast<double>(step + 1) * dt;
  const int bad = tripartite_out_of_bounds(v, s);
  if (bad >= 0) {
    b.status[i] = kTripartiteFailed;
    b.failed_variable[i] = bad;
    b.failed_at[i] = t_end;
    b.failed_value[i] = s[bad];
    return;
  }

  // 5. gliotransmitter release at t + dt
  if (crossed_upward(C_before, s[kTC], v.p.glio.C_Theta)) {
    s[kTG_A] += v.gliotransmitter_per_x * s[kTx_A];
    s[kTx_A] -= v.p.glio.U_A * s[kTx_A];
  }

  // 6. summaries and trace
  const bool in_window = step + 1 > run.n_transient;
  for (std::int32_t q = 0; q < b.n_summaries; ++q) {
    const sim::SummaryItem it = b.summaries[q];
    if (it.variable < 0) continue;
    sim::summary_sample(it.stat, b.acc[q * b.n + i], tripartite_value(v, s, it.variable),
                        b.thresholds[q * b.n + i], t_end, dt, in_window);
  }
  if ((step + 1) % b.trace_every == 0) tripartite_record(b, i, s, (step + 1) / b.trace_every);
  for (int k = 0; k < kTStateVars; ++k) b.state[k * b.n + i] = s[k];
}

// Writes variant i's summaries (NaN for a failed variant).
GLIA_HD inline void tripartite_finish(const TripartiteBatch& b, std::int64_t i) {
  const bool ok = b.status[i] == kTripartiteOk;
  for (std::int32_t q = 0; q < b.n_summaries; ++q)
    b.summary_out[q * b.n + i] =
        ok ? sim::summary_value(b.summaries[q].stat, b.acc[q * b.n + i], b.run.dt) : 0.0 / 0.0;
}

}  // namespace glia::bio
