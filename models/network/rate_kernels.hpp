#pragma once
// The per-element updates of the continuous part of a network (rate groups and the projections
// between them), written once for the CPU loops and the CUDA kernels: both run the stepping in
// rate_step.hpp with their own `for_each`, over views whose pointers are host or device memory.
//
// The continuous state is one vector y: the activity x of every rate neuron, and for every
// Hebbian projection its synapses s, the astrocyte processes (p^s and p^l, or the positional p)
// and the presynaptic Ca²⁺ z of its source neurons. A stage of a step evaluates, from a state y:
//   theta_i = θ(x_i)                                             (per neuron)
//   psi_q = ψ(p^s_q), coupling_q = Σ_r T_qr psi_r                (per synapse with a process)
//   C = ε + Σ_j θ(x_j) max(z_j, 0)^α                             (per projection with Ca²⁺)
//   input_i = bias_i + drive_i + Σ_projections w Σ_{q→i} W_q θ(x_pre(q)) [/ C]
//   dx_i/dt = (−λ x_i + input_i)/τ_n (0 when clamped), and the synapses', processes' and z's rates.
#include <cmath>
#include <cstdint>

#include "engine/core/hostdevice.hpp"
#include "models/bio/astrocyte_process.hpp"
#include "models/bio/exact_relaxation.hpp"
#include "models/bio/hebbian_synapse.hpp"
#include "models/bio/rate_neuron.hpp"

namespace glia::network {

// One rate group. x is the offset of its activities in y.
struct RateGroupView {
  std::int64_t n = 0, x = 0;
  bio::RateNeuronParams p;
  const double* bias = nullptr;   // n, or null
  const double* drive = nullptr;  // n: this step's window, or null
  const double* clamp = nullptr;  // n: this step's window, or null (free)
  double* theta = nullptr;        // n, θ(x) of the stage
  double* input = nullptr;        // n, total input of the stage
};

// One projection between rate groups: static transmission or a Hebbian projection. Synapses are
// stored by postsynaptic element (in_ptr), in the order of their presynaptic index.
struct RateProjectionView {
  std::int64_t n_pre = 0, n_post = 0, n_syn = 0;
  const std::int64_t* in_ptr = nullptr;  // n_post + 1
  const std::uint32_t* pre = nullptr;    // n_syn
  const std::uint32_t* post = nullptr;   // n_syn
  const double* weights = nullptr;       // n_syn (static), or null: every synapse has weight w
  double w = 1.0;                        // static weight, or the Hebbian transmission gain
  const double* theta_pre = nullptr;
  const double* theta_post = nullptr;
  double* input_post = nullptr;
  bool hebbian = false;
  bool learning = false;                                        // this step lies in the learning window
  std::int64_t s = -1, p_s = -1, p_l = -1, p_pos = -1, z = -1;  // offsets in y (-1: absent)
  bio::HebbianSynapseParams syn;
  bio::AstrocyteProcessParams proc;
  const double* theta_drive = nullptr;  // positional process: θ of its drive group
  double sigmoid_scale = 0.0;           // > 0: W = σ(c (s + p))
  double alpha = 1.0, epsilon = 1e-6, tau_z = 1.0;
  double* psi = nullptr;                // n_syn (two_timescale)
  double* coupling = nullptr;           // n_syn (two_timescale)
  const std::int64_t* t_ptr = nullptr;  // process coupling T, CSR over synapses
  const std::uint32_t* t_idx = nullptr;
  const double* t_val = nullptr;
  double* response = nullptr;  // 1 value: C of the stage (with z)
  double* eff = nullptr;       // n_syn: the efficacy W of each synapse (Hebbian), set per stage or per step
  double* g = nullptr;         // n_pre: max(z, 0)^α of each source neuron (with z), likewise
  // The state at the step start: outside the learning window s, p and z do not change within a step,
  // so the stages read them there (the steppers leave those parts of their stage states unset).
  const double* y0 = nullptr;
};

// Where a stage reads the plastic state of a projection: its own stage state while learning.
GLIA_HD inline const double* rate_plastic(const RateProjectionView& v, const double* y) {
  return v.learning ? y : v.y0;
}

GLIA_HD inline double rate_logistic(double v) { return 1.0 / (1.0 + exp(-v)); }

// ---- stage quantities ----------------------------------------------------------------------

GLIA_HD inline void rate_theta(const RateGroupView& g, const double* y, std::int64_t i) {
  g.theta[i] = bio::rate_theta(g.p.theta, y[g.x + i]);
}

GLIA_HD inline void rate_input_base(const RateGroupView& g, std::int64_t i) {
  g.input[i] = (g.bias ? g.bias[i] : 0.0) + (g.drive ? g.drive[i] : 0.0);
}

GLIA_HD inline void rate_psi(const RateProjectionView& v, const double* y, std::int64_t q) {
  v.psi[q] = bio::process_psi(v.proc, rate_plastic(v, y)[v.p_s + q]);
}

GLIA_HD inline void rate_coupling(const RateProjectionView& v, std::int64_t q) {
  double c = 0.0;
  for (std::int64_t k = v.t_ptr[q]; k < v.t_ptr[q + 1]; ++k) c += v.t_val[k] * v.psi[v.t_idx[k]];
  v.coupling[q] = c;
}

// The efficacy W of a Hebbian synapse: s (+ p) through the optional sigmoid.
GLIA_HD inline double rate_efficacy(const RateProjectionView& v, const double* y_stage, std::int64_t q) {
  const double* y = rate_plastic(v, y_stage);
  double e = y[v.s + q];
  if (v.p_pos >= 0) e += y[v.p_pos + q];
  return v.sigmoid_scale > 0.0 ? rate_logistic(v.sigmoid_scale * e) : e;
}

GLIA_HD inline void rate_store_efficacy(const RateProjectionView& v, const double* y, std::int64_t q) {
  v.eff[q] = rate_efficacy(v, y, q);
}

// g_j = max(z_j, 0)^α: the saturating read-out of presynaptic Ca²⁺.
GLIA_HD inline void rate_calcium_readout(const RateProjectionView& v, const double* y_stage, std::int64_t j) {
  const double zj = rate_plastic(v, y_stage)[v.z + j];
  v.g[j] = pow(zj > 0.0 ? zj : 0.0, v.alpha);
}

// C = ε + Σ_j θ(x_j) g_j: the presynaptic response that scales transmission.
GLIA_HD inline void rate_response(const RateProjectionView& v) {
  double c = v.epsilon;
  for (std::int64_t j = 0; j < v.n_pre; ++j) c += v.theta_pre[j] * v.g[j];
  *v.response = c;
}

// input_i += w Σ_{q→i} W_q θ(x_pre(q)) (/ C): continuous transmission to postsynaptic element i, with the
// efficacies W of this stage (Hebbian) or the static weights.
GLIA_HD inline void rate_transmit(const RateProjectionView& v, std::int64_t i) {
  const double* w = v.hebbian ? v.eff : v.weights;
  double sum = 0.0;
  if (w) {
    for (std::int64_t q = v.in_ptr[i]; q < v.in_ptr[i + 1]; ++q) sum += w[q] * v.theta_pre[v.pre[q]];
  } else {
    for (std::int64_t q = v.in_ptr[i]; q < v.in_ptr[i + 1]; ++q) sum += v.w * v.theta_pre[v.pre[q]];
  }
  if (!v.hebbian) {
    v.input_post[i] += sum;
  } else if (v.z >= 0) {
    v.input_post[i] += v.w * (sum / *v.response);
  } else {
    v.input_post[i] += v.w * sum;
  }
}

// ---- rates of change -----------------------------------------------------------------------

GLIA_HD inline void rate_neuron_derivative(const RateGroupView& g, const double* y, double* d,
                                           std::int64_t i) {
  d[g.x + i] = g.clamp ? 0.0 : bio::rate_neuron_rhs(g.p, y[g.x + i], g.input[i]);
}

// The rates of synapse q while learning: its weight s, and its astrocyte process (two-timescale p^s
// and p^l, or the positional p). Separate functions keep each loop free of branches.
GLIA_HD inline void rate_hebbian_derivative(const RateProjectionView& v, const double* y, double* d,
                                            std::int64_t q) {
  const double psi = v.psi ? v.psi[q] : 0.0;
  d[v.s + q] = bio::hebbian_rhs(v.syn, y[v.s + q], v.theta_post[v.post[q]], v.theta_pre[v.pre[q]], psi);
}

GLIA_HD inline void rate_two_timescale_derivative(const RateProjectionView& v, const double* y, double* d,
                                                  std::int64_t q) {
  const double s = y[v.s + q];
  d[v.p_s + q] = bio::process_short_rhs(v.proc, y[v.p_s + q], v.coupling[q], s);
  d[v.p_l + q] = bio::process_long_rhs(v.proc, y[v.p_l + q], s);
}

GLIA_HD inline void rate_positional_derivative(const RateProjectionView& v, const double* y, double* d,
                                               std::int64_t q) {
  d[v.p_pos + q] =
      bio::hebbian_rhs(v.syn, y[v.p_pos + q], v.theta_post[v.post[q]], v.theta_drive[v.pre[q]], 0.0);
}

// Outside its learning window a projection's plastic state has zero rates.
GLIA_HD inline void rate_frozen_derivative(const RateProjectionView& v, double* d, std::int64_t q) {
  d[v.s + q] = 0.0;
  if (v.p_s >= 0) {
    d[v.p_s + q] = 0.0;
    d[v.p_l + q] = 0.0;
  }
  if (v.p_pos >= 0) d[v.p_pos + q] = 0.0;
}

GLIA_HD inline void rate_calcium_derivative(const RateProjectionView& v, double* d, std::int64_t j) {
  d[v.z + j] = v.learning ? v.theta_pre[j] / v.tau_z : 0.0;
}

// ---- the "exact" method: each element's exact step with its stage-0 inputs held -------------

GLIA_HD inline void rate_neuron_exact(const RateGroupView& g, const double* y0, double* y1, std::int64_t i,
                                      double h) {
  y1[g.x + i] = g.clamp ? y0[g.x + i] : bio::relax_exact(y0[g.x + i], g.p.lambda, g.input[i], g.p.tau_n, h);
}

GLIA_HD inline void rate_synapse_exact(const RateProjectionView& v, const double* y0, double* y1,
                                       std::int64_t q, double h) {
  const double s = y0[v.s + q];
  if (!v.learning) {
    y1[v.s + q] = s;
    if (v.p_s >= 0) {
      y1[v.p_s + q] = y0[v.p_s + q];
      y1[v.p_l + q] = y0[v.p_l + q];
    }
    if (v.p_pos >= 0) y1[v.p_pos + q] = y0[v.p_pos + q];
    return;
  }
  const double th_post = v.theta_post[v.post[q]];
  const double psi = v.p_s >= 0 ? v.psi[q] : 0.0;
  bio::HebbianSynapseState st{s};
  bio::hebbian_step_exact(v.syn, st, th_post, v.theta_pre[v.pre[q]], psi, h);
  y1[v.s + q] = st.s;
  if (v.p_s >= 0) {
    bio::AstrocyteProcessState p{y0[v.p_s + q], y0[v.p_l + q]};
    bio::process_step_exact(v.proc, p, v.coupling[q], s, h);
    y1[v.p_s + q] = p.p_s;
    y1[v.p_l + q] = p.p_l;
  }
  if (v.p_pos >= 0) {
    bio::HebbianSynapseState p{y0[v.p_pos + q]};
    bio::hebbian_step_exact(v.syn, p, th_post, v.theta_drive[v.pre[q]], 0.0, h);
    y1[v.p_pos + q] = p.s;
  }
}

GLIA_HD inline void rate_calcium_exact(const RateProjectionView& v, const double* y0, double* y1,
                                       std::int64_t j, double h) {
  y1[v.z + j] = v.learning ? y0[v.z + j] + h * (v.theta_pre[j] / v.tau_z) : y0[v.z + j];
}

// ---- whole-vector updates of the fixed-step methods (the tableaux of fixed_step.hpp) --------

// out = y + a k
GLIA_HD inline void rate_axpy(const double* y, const double* k, double a, double* out, std::int64_t i) {
  out[i] = y[i] + a * k[i];
}

// y += h/6 (k1 + 2 k2 + 2 k3 + k4)
GLIA_HD inline void rate_rk4_sum(double* y, const double* k1, const double* k2, const double* k3,
                                 const double* k4, double h, std::int64_t i) {
  y[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
}

}  // namespace glia::network
