#pragma once
// The per-element updates of a network step, written once for the CPU loops (network_step.cpp)
// and the CUDA kernels (cuda/network_device.cu): a Tsodyks–Markram synapse at a delivered spike,
// presynaptic receptors under held gliotransmitter, one G-ChI astrocyte's step with its
// gliotransmitter release, one Li–Rinzel astrocyte's step, a calcium-STDP synapse's step and the
// slow inward current onto a neuron. (Rate groups: rate_kernels.hpp.)
#include <cmath>
#include <cstdint>

#include "engine/core/hostdevice.hpp"
#include "engine/core/philox.hpp"
#include "engine/sim/fixed_step.hpp"
#include "models/bio/astrocyte_gchi.hpp"
#include "models/bio/astrocyte_li_rinzel.hpp"
#include "models/bio/astrocyte_network.hpp"
#include "models/bio/calcium_stdp.hpp"
#include "models/bio/gliotransmission.hpp"

namespace glia::network {

constexpr std::uint32_t kNoiseStream = 0x6e6f6900u;  // + group index: astrocyte noise (Philox stream)
constexpr std::uint32_t kStdpStream = 0x73746400u;   // + projection index: calcium-STDP noise

// Release probability of a synapse whose receptors are activated to gamma (De Pittà et al. 2011).
GLIA_HD inline double modulated_release_probability(double U_star, double alpha, double gamma) {
  return (1.0 - gamma) * U_star + alpha * gamma;
}

// A Tsodyks–Markram synapse (u, x as of its previous spike) at a spike: ef = e^{-elapsed/tau_fac},
// ed = e^{-elapsed/tau_rec} (shared by every synapse of the presynaptic element); returns r = u x.
GLIA_HD inline double tm_release(double& u, double& x, double ef, double ed, double U) {
  double uu = u * ef;
  uu += U * (1.0 - uu);
  const double xx = 1.0 - (1.0 - x) * ed;
  const double r = uu * xx;
  u = uu;
  x = xx - r;
  return r;
}

// Receptor relaxation over the next astrocyte step with G_A held: Gamma_S -> g_inf, per base step
// by the factor `decay`.
GLIA_HD inline void receptor_relaxation(double O_G, double Omega_G, double G_A, double dt, double& g_inf,
                                        double& decay) {
  const double on = O_G * G_A, rate = on + Omega_G;
  g_inf = rate > 0.0 ? on / rate : 0.0;
  decay = exp(-rate * dt);
}

// Everything an astrocyte step needs besides the astrocyte's own state.
struct AstrocyteStepParams {
  bio::GChIParams gchi;
  bio::IP3BiasParams bias;  // F_ex = 0 when the group has no bias
  sim::FixedStepMethod method = sim::FixedStepMethod::rk4;
  bool stochastic = false, milstein = false;
  double sigma = 0.0;
  bio::GliotransmitterReleaseParams release;
  double recover = 1.0, clear = 1.0;  // e^{-Omega_A h}, e^{-Omega_e h}
  double C_max = 0.0;                 // C_T / (1 + rho_A)
  std::uint64_t seed = 0;
  std::uint32_t noise_stream = 0;
  // Glutamate input decaying inside the step (group option "glutamate_input": "decaying"): its synaptic
  // part's factors e^{-Omega_c h/2}, e^{-Omega_c h}; held otherwise.
  // (1 or 0: a double, not a bool, so that lanes over variants read it as they read the other parameters)
  double glutamate_decays = 0.0;
  double glutamate_half = 1.0, glutamate_full = 1.0;
  double J_ex = 0.0;  // µM/s, a constant external IP3 flux (added to the coupling flux)
};

// The glutamate input of a step: Y_S at its start, Y_fixed the constant (ambient) part.
GLIA_HD inline bio::GlutamateInput glutamate_input(const AstrocyteStepParams& q, double Y_S, double Y_fixed) {
  return bio::glutamate_input(Y_S, Y_fixed, q.glutamate_decays != 0.0, q.glutamate_half, q.glutamate_full);
}

constexpr int kAstrocyteReleased = 1;
constexpr int kAstrocyteOutOfBounds = 2;

// The end of an astrocyte step from C0 to the new state y: bounds, then the gliotransmitter pool
// recovers and G_A clears over the step, and an upward crossing of C_Theta releases. Returns the flags
// of astrocyte_step. Branch-free apart from the release, so that loops over variants vectorise.
// `fractions`: Gamma_A and h must stay in [0, 1] too — for the deterministic methods, where leaving it means
// the step is too long; the stochastic G-ChI's noise on h may carry it out (its right-hand side clips both).
GLIA_HD inline int astrocyte_step_end(const AstrocyteStepParams& q, double C0, const double* y, double& x_A,
                                      double& G_A, bool fractions) {
  bool ok = true;
  for (int v = 0; v < bio::kGChIVars; ++v) ok &= y[v] - y[v] == 0.0;  // false for inf and nan
  ok &= (y[bio::kCa] >= -1e-12) & (y[bio::kCa] <= q.C_max + 1e-12) & (y[bio::kIP3] >= -1e-12);
  ok &= (!fractions) | ((y[bio::kGammaA] >= -1e-12) & (y[bio::kGammaA] <= 1.0 + 1e-12) &
                        (y[bio::kH] >= -1e-12) & (y[bio::kH] <= 1.0 + 1e-12));
  const double x = 1.0 - (1.0 - x_A) * q.recover, G = G_A * q.clear;
  const bool released = bio::crossed_upward(C0, y[bio::kCa], q.release.C_Theta);
  // Selects, not branches (adding 0 leaves a non-negative value unchanged).
  G_A = G + (released ? q.release.rho_e * q.release.G_T * q.release.U_A * x : 0.0);
  x_A = x - (released ? q.release.U_A * x : 0.0);
  return (ok ? 0 : kAstrocyteOutOfBounds) | (released ? kAstrocyteReleased : 0);
}

// One RK4 step of a deterministic astrocyte without an IP3 bias (the common case of sweeps): the same
// arithmetic as astrocyte_step then takes for it, with no calls and no branch on the method, so that a
// loop over a batch's variants vectorises (each lane computes exactly what it computes alone).
GLIA_HD inline int astrocyte_rk4_step(const AstrocyteStepParams& q, double t, double h, double Y_S,
                                      double Y_fixed, double J, double* y, double& x_A, double& G_A) {
  const double C0 = y[bio::kCa];
  const bio::GlutamateInput Y = glutamate_input(q, Y_S, Y_fixed);
  const double J_in = J + q.J_ex;
  const auto rhs = [&](double ts, const double* s, double* d) {
    bio::gchi_rhs(q.gchi, bio::glutamate_at(Y, t, ts, h), J_in, s, d);
  };
  sim::rk4_step<bio::kGChIVars>(rhs, t, y, h);
  return astrocyte_step_end(q, C0, y, x_A, G_A, true);
}

// One astrocyte step from t to t + h with its glutamate input Y_S (held, or decaying towards its constant
// part Y_fixed: glutamate_input) and coupling flux J held;
// `tick` numbers the astrocyte's steps (the noise counter). Returns kAstrocyteReleased if C
// crossed C_Theta upward (G_A and x_A are then updated) and kAstrocyteOutOfBounds if the state is
// not finite, C left [0, C_max], I turned negative or (deterministic methods) Gamma_A or h left [0, 1].
GLIA_HD inline int astrocyte_step(const AstrocyteStepParams& q, double t, double h, std::int64_t tick,
                                  std::uint32_t a, double I_bias, double Y_S, double Y_fixed, double J,
                                  double* y, double& x_A, double& G_A) {
  const double C0 = y[bio::kCa];
  J += q.J_ex;
  if (q.stochastic) {
    const double J_bias =
        bio::gchi_ip3_coupling(y[bio::kIP3], I_bias, q.bias.F_ex, q.bias.I_Theta, q.bias.omega_I);
    const double dW = sqrt(h) * philox_normal(q.seed, tick, a, q.noise_stream);
    bio::gchi_stochastic_step(q.gchi, Y_S, J + J_bias, q.sigma, q.milstein, y, h, dW);
  } else {
    bio::astrocyte_network_step(q.gchi, q.bias, I_bias, glutamate_input(q, Y_S, Y_fixed), J, q.method, t, h,
                                y);
  }
  return astrocyte_step_end(q, C0, y, x_A, G_A, !q.stochastic);
}

// One Li–Rinzel astrocyte step from t to t + h: the IP3 delivered by spikes since the last step
// (ip3_in, µM) is added first, then the fixed-step method integrates the cell. Returns
// kAstrocyteOutOfBounds if the state is not finite, C left [0, Ca_tot], h left [0, 1] or IP3 turned
// negative.
GLIA_HD inline int li_rinzel_step(const bio::LiRinzelParams& p, sim::FixedStepMethod method, double t,
                                  double h, double ip3_in, double* y) {
  y[bio::kLrIP3] += ip3_in;
  const auto rhs = [&](double, const double* s, double* d) { bio::li_rinzel_rhs(p, s, d); };
  sim::fixed_step<bio::kLiRinzelVars>(method, rhs, t, y, h);
  bool ok = true;
  for (int v = 0; v < bio::kLiRinzelVars; ++v) ok = ok && y[v] - y[v] == 0.0;
  ok = ok && y[bio::kLrCa] >= -1e-12 && y[bio::kLrCa] <= p.Ca_tot + 1e-12 && y[bio::kLrIP3] >= -1e-12 &&
       y[bio::kLrH] >= -1e-12 && y[bio::kLrH] <= 1.0 + 1e-12;
  return ok ? 0 : kAstrocyteOutOfBounds;
}

// A calcium-STDP synapse over one base step of dt from step k (its calcium held at its value at the
// step start, then decaying exactly); `q` numbers its noise.
GLIA_HD inline void stdp_synapse_step(const bio::CalciumStdpParams& p, double dt, std::uint64_t seed,
                                      std::uint32_t stream, std::int64_t k, std::uint32_t q, double& rho,
                                      double& c) {
  const double dW = p.sigma > 0.0 ? sqrt(dt) * philox_normal(seed, k, q, stream) : 0.0;
  bio::CalciumStdpState s{rho, c};
  bio::cstdp_step(p, s, dt, dW);
  rho = s.rho;
  c = s.c;
}

// The slow inward current onto neuron i from the astrocytes connected to it by one projection:
// w Σ_q I_SIC(C of the astrocyte of synapse q). `C` has stride kLiRinzelVars (the astrocytes' state).
GLIA_HD inline double sic_current(const bio::LiRinzelSicParams& p, double w, const std::int64_t* in_ptr,
                                  const std::int64_t* in_syn, const std::uint32_t* pre_of, const double* y,
                                  std::int64_t i) {
  double sum = 0.0;
  for (std::int64_t k = in_ptr[i]; k < in_ptr[i + 1]; ++k)
    sum += bio::li_rinzel_sic(
        p, y[static_cast<std::int64_t>(pre_of[in_syn[k]]) * bio::kLiRinzelVars + bio::kLrCa]);
  return w * sum;
}

}  // namespace glia::network
