#pragma once
// A small neuron–astrocyte network under an STP protocol: the LTP macro model (BIOPHYSICS.md §4,
// MAPPING.md §2). n_pre presynaptic and n_post postsynaptic rate neurons (rate_neuron.hpp), a
// Hebbian synapse from every pre j to every post i (hebbian_synapse.hpp) and one two-timescale
// astrocyte process per synapse on an n_post x n_pre grid (astrocyte_process.hpp):
//   tau_n dx_j/dt   = -lambda x_j + b_pre_j on(t)                                   (pre)
//   tau_n dx_i/dt   = -lambda x_i + w_gain sum_j s_ij theta(x_j) + b_post_i on(t)   (post)
//   tau_s ds_ij/dt  = -beta s_ij + c theta(x_i) theta(x_j) + psi(p^s_ij)
//   tau_ps dp^s_ij/dt = -gamma_s p^s_ij + sum_kl T_ijkl psi(p^s_kl) + kappa(s_ij)
//   tau_pl dp^l_ij/dt = -gamma_l p^l_ij + kappa(s_ij)
// on(t) is 1 during the first T_on of every cycle of T_on + T_off (correlated pre and post drive)
// and 0 after it. Every state starts at 0. The protocol's phase changes lie on the step grid and
// each step sees the drive of its phase, so the RK methods keep their order across the switches.
// Methods: "exact" (each element's exact step with its inputs held, first order), "euler", "rk2",
// "rk4" (the tableaux of engine/sim/fixed_step.hpp on the whole coupled state).
//
// The network is a network config (two rate groups, a Hebbian projection with two-timescale
// astrocyte processes; neuron_astrocyte_network_config) that the network engine runs: a user can
// dump it (glia retention --dump-config), change its biology and run it with glia simulate.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/bio/astrocyte_process.hpp"
#include "models/bio/hebbian_synapse.hpp"
#include "models/bio/rate_neuron.hpp"
#include "models/network/network.hpp"

namespace glia::mapping {

struct NeuronAstrocyteSpec {
  bio::RateNeuronParams neuron;
  bio::HebbianSynapseParams synapse;
  bio::AstrocyteProcessParams process;
  double w_gain = 1.0;                  // weight of s_ij in the postsynaptic input (0: open loop)
  std::vector<double> b_pre{1, 1, 1};   // drive of each presynaptic neuron while on (3 pre, RMAAT)
  std::vector<double> b_post{1, 1, 1};  // drive of each postsynaptic neuron while on (3 post)
  double T_on = 2.0;                    // s, correlated drive per cycle
  double T_off = 2.0;                   // s, rest per cycle (may be 0)
  std::int64_t n_cycles = 10;
  double dt = 1e-3;                // s
  std::int64_t record_every = 10;  // steps between samples
  network::RateMethod method = network::RateMethod::rk4;
};

// Synapse (i, j) (post i, pre j) is stored at i * n_pre + j, as its process's grid point.
struct NeuronAstrocyteResult {
  std::int64_t n_pre = 0, n_post = 0;
  std::vector<double> t;              // s, 0 and every record_every steps after it
  std::vector<double> x_pre, x_post;  // [sample][neuron]
  std::vector<double> s, p_s, p_l;    // [sample][synapse]
  std::vector<double> cycle_end_t;    // s, end of each cycle
  std::vector<double> p_l_on_end;     // [cycle][synapse], p^l at the end of each on-phase
  std::vector<double> p_l_cycle_end;  // [cycle][synapse], p^l at the end of each cycle
};

NeuronAstrocyteResult run_neuron_astrocyte_network(const NeuronAstrocyteSpec& spec,
                                                   const network::ProgressFn& progress = {});

// The network config that run_neuron_astrocyte_network runs (docs/network_config.md): groups "pre"
// and "post", projection "syn"; monitors "pre", "post", "syn" (s, p_s, p_l every record_dt),
// "p_l_on_end" and "p_l_cycle_end" (p^l at the end of each on-phase and each cycle), synapses
// recorded in the order i * n_pre + j.
nlohmann::json neuron_astrocyte_network_config(const NeuronAstrocyteSpec& spec);

// The network as a front end describes it: scalar parameters by name (tau_n, lambda, tau_s, beta,
// c, tau_ps, tau_pl, gamma_s, gamma_l, c_T, lambda_T, psi_gain, kappa_gain, w_gain), theta's name,
// the drives (their lengths give n_pre and n_post), the protocol and the stepping.
struct NeuronAstrocyteArrays {
  std::map<std::string, double> params;
  std::string theta = "tanh";
  std::vector<double> b_pre{1, 1, 1}, b_post{1, 1, 1};
  double T_on = 2.0, T_off = 2.0;
  std::int64_t n_cycles = 10;
  double dt = 1e-3, record_dt = 1e-2;
  std::string method = "rk4";
};

// Checks the arrays; ConfigError naming the field (params.<name>, b_pre[k], T_on, ...).
NeuronAstrocyteSpec build_neuron_astrocyte_network(const NeuronAstrocyteArrays& a);

// The scalar parameters of a spec by the names of NeuronAstrocyteArrays::params (for provenance).
std::map<std::string, double> neuron_astrocyte_params(const NeuronAstrocyteSpec& spec);

}  // namespace glia::mapping
