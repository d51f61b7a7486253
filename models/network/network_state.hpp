#pragma once
// The state of a built network, struct-of-arrays per group and per projection, on the host. A
// device backend (cuda/network_device.cu) mirrors these buffers and copies them back when the
// host needs them (monitors, error messages).
//
// A batch of V variants of one network (network.hpp) keeps every per-element buffer V times as
// long with the variant as the inner index: element i of variant v at i V + v (synapses: each
// variant's own, interleaved by presynaptic element). Alone, V = 1 and the index is the element's.
#include <cmath>
#include <cstdint>
#include <vector>

#include "models/network/network_config.hpp"
#include "models/network/network_kernels.hpp"

namespace glia::network {

struct GroupState {
  const GroupConfig* cfg = nullptr;
  double dt = 0.0;                                           // s, the group's own step
  std::vector<double> v, g_e, g_i, i_syn, refractory_until;  // neurons
  std::vector<double> I_sic;            // A, per neuron: slow inward current from astrocytes (empty without)
  std::vector<std::uint32_t> sic_from;  // projections that inject it
  std::vector<double> y;  // astrocytes: n x (Gamma_A, I, C, h) for G-ChI, n x (C, h, IP3) for Li–Rinzel
  std::vector<double> x_A, G_A, Y_in, J, n_covered;
  std::vector<double> Y_fixed;        // G-ChI: the constant part of Y_in (its ambient glutamate, else 0)
  std::vector<double> I_bias;         // µM, per astrocyte (0 without a bias)
  std::vector<double> glutamate;      // µM, constant glutamate per G-ChI astrocyte (empty: none)
  std::vector<double> ip3_in;         // µM, Li–Rinzel: IP3 delivered by spikes since the last tick
  std::vector<std::uint32_t> sic_to;  // Li–Rinzel: the sic projections it drives
  bool coupled = false;
  std::vector<bio::IP3CouplingParams> coupling_v;  // per variant
  std::vector<std::int64_t> row_ptr;               // gap-junction neighbours, CSR
  std::vector<std::uint32_t> neighbours;
  std::vector<std::uint32_t> glutamate_from;  // projections whose glutamate this group reads
  std::vector<std::uint32_t> receptors_of;    // projections whose receptors this group drives
  std::vector<char> flag;                     // per element: spiked (neurons), released (astrocytes)
  std::vector<std::uint32_t> spikes;          // spikes of the current base step
  bool record_spikes = false;
  std::int64_t rate_bin = 0;                     // base steps per rate bin; 0 = no rate monitor
  std::vector<std::int64_t> rate_count;          // per variant: spikes in the current rate bin
  std::vector<AstrocyteStepParams> astro_q;      // G-ChI: per variant, the step's parameters (built once)
  std::vector<bio::LiRinzelParams> li_rinzel_v;  // Li–Rinzel: per variant
  bool simd_step = false;                        // G-ChI: every variant takes astrocyte_rk4_step (SIMD lanes)
  // Sources, per variant: started yet and the spike probability of this step (scratch, no allocation per
  // step).
  std::vector<char> on_v;
  std::vector<double> prob_v;
  // Spike sources, per variant: rate (Hz; NaN when a rate_schedule sets it) and start (s), read every step
  // without touching the variants' configurations.
  std::vector<double> rate_v, start_v;
};

struct ProjectionState {
  const ProjectionConfig* cfg = nullptr;
  std::uint32_t n_pre = 0, n_post = 0, n_blocks = 1, block_size = 1;
  std::int64_t n_syn = 0;
  std::vector<std::int64_t> row_ptr;  // n_blocks x (n_pre + 1): block-local CSR by presynaptic index
  std::vector<std::uint32_t> post;
  std::vector<double> u, x, Y;      // Tsodyks–Markram state and glutamate as of the last spike
  std::vector<std::int32_t> astro;  // covering astrocyte, -1 for none
  std::vector<double> last;         // s, per presynaptic element: time of its last delivered spike
  std::vector<std::vector<std::uint32_t>> ring;  // spikes waiting for their delay, by step
  double* target = nullptr;                      // the receptor variable of the target group (host)
  bool reads_glutamate = false, receives_gliotransmitter = false;
  std::uint32_t astro_group = 0, n_astro = 0;
  std::vector<double> acc;  // n_blocks x n_astro: glutamate released since the last tick, as of the next tick
  std::vector<double> Y_sum;  // µM, per astrocyte: summed glutamate of its synapses at the last tick
  std::vector<double> gamma, gamma_inf, gamma_decay;  // per astrocyte: Gamma_S and its per-step relaxation
  std::vector<double> ef, ed, ey;  // per delivered spike: decay factors since its last spike
  // Per variant (built once): weight, release and glutamate parameters, the glutamate decay over the
  // astrocytes' step; to_tick_v is this step's (scratch).
  std::vector<double> w_v, U_v, alpha_v, released_v, Omega_c_v, fold_v, to_tick_v;
  std::vector<std::int64_t> n_syn_v;     // per variant: its synapses
  std::vector<std::int64_t> delay_v;     // per variant: its delay in base steps
  std::vector<std::int64_t> storage;     // list index -> storage position (monitors, STDP noise)
  std::vector<std::uint32_t> list_pre;   // list index -> presynaptic element (batched index)
  std::vector<std::int64_t> list_start;  // per variant: where its list indices start in storage/list_pre
  std::vector<std::int64_t> list_of;     // storage position -> list index (spike monitors), or empty
  bool record_spikes = false;            // a spikes monitor records this projection's deliveries
  bool summarised = false;               // a summary monitor reduces its deliveries (u after the jump, r)
  std::vector<double> r_last;            // storage position -> release at its last delivery (recorded TM)
  // Calcium STDP: efficacy and calcium per synapse, presynaptic calcium waiting for its delay D,
  // and the synapses of each postsynaptic element (storage positions).
  std::vector<double> rho, c;
  std::vector<std::vector<std::uint32_t>> stdp_ring;
  std::vector<std::int64_t> in_ptr, in_syn;
  std::vector<std::uint32_t> pre_of;  // storage position -> presynaptic element (sic)
};

// What an astrocyte group's step needs besides the astrocytes' own state, for a step of h seconds.
inline AstrocyteStepParams astrocyte_step_params(const GroupConfig& cfg, double h, std::uint64_t seed) {
  AstrocyteStepParams q;
  q.gchi = cfg.gchi;
  q.bias = cfg.bias;
  if (!cfg.has_bias) q.bias.F_ex = 0.0;
  q.method = cfg.method;
  q.stochastic = cfg.stochastic;
  q.milstein = cfg.milstein;
  q.sigma = cfg.sigma;
  q.release = cfg.release;
  q.recover = std::exp(-cfg.release.Omega_A * h);
  q.clear = std::exp(-cfg.release.Omega_e * h);
  q.C_max = cfg.gchi.C_T / (1.0 + cfg.gchi.rho_A);
  q.seed = seed;
  q.noise_stream = kNoiseStream + cfg.index;
  q.glutamate_decays = cfg.glutamate_decays ? 1.0 : 0.0;
  q.J_ex = cfg.J_ex;  // its factors are set from the projections (Network)
  return q;
}

}  // namespace glia::network
