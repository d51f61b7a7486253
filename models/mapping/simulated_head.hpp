#pragma once
// One astromorphic attention head run as a neuron–astrocyte simulation (MAPPING.md §1).
//
// The operator (NETWORKS.md §2, engine/nn/ops/astromorphic_attention) for one head is
//   out_i = φ(q_i)ᵀ W / (φ(q_i) · g + ε),  W = σ(c H) (H without the nonlinearity),
//   H = Σ_t (φ(k_t) + φ(A_t)) v_tᵀ  (m × d),  g = (Σ_t φ(k_t))^α,  c = 1/N,
// with φ(x) = elu(x) + 1 and A the astrocyte's positional activity (absent without the astrocyte term).
// The sums run over the keys presented; c is 1/N of them unless given (the network op keeps c = 1/N_k over
// all its key rows, padded ones included, while padded keys leave the sums: head_inputs_from_attention with
// a key mask presents the real keys only and sets c = 1/N_k).
//
// The simulation is a network config run by the network engine (simulated_head_config), built from
// the engine's models:
// - m hidden ("presynaptic") rate neurons, nonlinearity φ (elu+1), time constant τ_n, leak λ, driven by the
//   token's key (write) or query (read): their output φ(x_j) relaxes to φ(k_tj) or φ(q_ij);
// - d output rate neurons (identity): clamped to v_t while writing; while reading
//   τ_n do_i/dt = −λ o_i + Σ_j φ(x_j) W_ji / C(t), the astrocyte response C(t) = φ(x(t)) · g + ε scaling
//   synaptic transmission, and W the synapses' efficacy σ(c (s + p)) (s + p without the nonlinearity);
// - Hebbian synapses hidden → output, τ_s = τ_p, c = 1, leak β: τ_p ds_ji/dt = −β s_ji + φ(x_j) v_ti;
// - one astrocyte process per synapse integrating its positional drive in the same form,
//   τ_p dp_ji/dt = −β p_ji + φ(A_tj) v_ti (the drive is clamped for the token's window);
// - the presynaptic Ca²⁺ state of each hidden neuron, τ_p dz_j/dt = φ(x_j), read out through the saturating
//   response g = z^α.
// Write phase: the N tokens are presented one after another for τ_p each. Read phase: each query for τ_p;
// the synapses hold (no learning while reading); out_i is the output neurons' state at the end of query i's
// window. Neuron states carry over from one window to the next (no resets): their relaxation transient is
// what the simulation adds to the operator.
//
// With λ = 1, β = 0 the simulation converges to the operator as τ_n/τ_p → 0 (first order: each window's
// integral misses ≈ τ_n/τ_p of the step between successive drives) and, at fixed τ_n/τ_p, its ODE solution is
// approached as dt → 0 at the integrator's order. With a leak β > 0 (or λ ≠ 1) it is a different,
// biologically constrained operator.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/nn/ops/astromorphic_attention.hpp"
#include "engine/nn/tensor.hpp"
#include "engine/sim/fixed_step.hpp"

namespace glia::mapping {

using Matrix = nn::RowMatrix<double>;

// Operator side of one head: the inputs of the closed form.
struct HeadInputs {
  Matrix q;         // N_q × m queries
  Matrix k;         // N × m keys
  Matrix v;         // N × d values
  Matrix activity;  // N × m astrocyte activity A = P_pos E; 0 × 0 without the astrocyte term
  double alpha = 0.25;
  bool nonlinearity = true;  // σ(c ·) on the synaptic efficacy
  double epsilon = 1e-6;
  // c of σ(c ·) (with the nonlinearity only); 0: 1/N, N the number of keys presented (rows of k).
  double synaptic_scale = 0.0;
};

// The c that σ(c ·) uses for these inputs.
double synaptic_scale(const HeadInputs& inputs);

// Simulation side: timing, integrator and the two leaks.
struct SimulatedHeadSettings {
  double tau_n = 1e-3;  // s, time constant of the hidden and output rate neurons; must be < tau_p
  double tau_p = 0.1;   // s, presentation time of each token (write) and query (read)
  double dt = 1e-4;     // s, integration step; must divide tau_p and be <= tau_n
  sim::FixedStepMethod method = sim::FixedStepMethod::rk4;
  double neuron_leak = 1.0;   // λ of the rate neurons (1: they relax to their drive)
  double synapse_leak = 0.0;  // β of the synapses and processes (0: pure integrators)
};

struct SimulatedHeadResult {
  Matrix out;                   // N_q × d, the output neurons at the end of each query window
  Matrix synapses;              // m × d, s + p at the end of the write phase (the simulated H)
  std::vector<double> calcium;  // m, the presynaptic Ca²⁺ state z (the simulated Σ_t φ(k_t))
  std::vector<std::string> warnings;
};

// Runs the write and read phases. ConfigError naming the setting for settings that cannot converge
// (τ_n ≥ τ_p, dt that does not divide τ_p or exceeds τ_n, non-positive times, negative leaks) and for
// inputs of mismatched shapes.
SimulatedHeadResult simulate_head(const HeadInputs& inputs, const SimulatedHeadSettings& settings);

// The network config that simulate_head runs with the network engine (docs/network_config.md): rate
// groups "hidden" (m, φ = elu+1, driven by the keys then the queries, one window of τ_p each),
// "output" (d, identity, clamped to the values while writing) and, with the astrocyte term,
// "positional" (m, φ, clamped to A); a Hebbian projection "synapses" hidden → output (τ_s = τ_p,
// leak β, learning during the write phase) with a positional astrocyte process per synapse,
// presynaptic Ca²⁺ (τ_p, α, ε) and, with the nonlinearity, the sigmoid efficacy σ(c ·); monitors of
// the output at the end of every query window and of the synapses at the end of the write phase.
// A user can change the biology of this config and run it with glia simulate.
nlohmann::json simulated_head_config(const HeadInputs& inputs, const SimulatedHeadSettings& settings);

// The checks simulate_head makes on the settings alone (ConfigError naming the setting), to fail before any
// work when many heads are to be simulated.
void validate_settings(const SimulatedHeadSettings& settings);

// The closed-form operator on the same inputs (what the simulation converges to).
Matrix head_operator(const HeadInputs& inputs);

// Operator → simulation: the inputs of head h of batch element b of an astromorphic attention op (q, k, v
// of shape (B, H, N, d_h), position E (H, N, m), decay ρ (H)), with A = P_pos E computed as the op does
// (over all N positions). With a key mask (B, N), only the real keys are presented (k, v and the rows of A
// at their positions, in order; `key_rows`, when given, receives those positions); every query row is kept.
// The synaptic scale c is the op's: `scales` (c per head, AstromorphicAttentionContext::scale) when given,
// else 1/N or 1/√N over all N key rows as options.scale says (a learned scale needs `scales`).
HeadInputs head_inputs_from_attention(const nn::Tensor<double>& q, const nn::Tensor<double>& k,
                                      const nn::Tensor<double>& v, const nn::Tensor<double>& position,
                                      const nn::Tensor<double>& decay, nn::Index b, nn::Index h,
                                      const nn::AstromorphicAttentionOptions& options,
                                      const nn::KeyMask* key_mask = nullptr,
                                      std::vector<nn::Index>* key_rows = nullptr,
                                      const std::vector<double>* scales = nullptr);

// Simulation → operator: the attention options that the head's inputs correspond to (their synaptic scale is
// inputs.synaptic_scale, which the op takes as a learned scale's value).
nn::AstromorphicAttentionOptions attention_options(const HeadInputs& inputs);

}  // namespace glia::mapping
