#pragma once
// A built network of neuron, spike-source and astrocyte groups joined by projections, stepped on
// a base clock with per-group clocks (BIOPHYSICS.md §5). State lives in struct-of-arrays buffers.
//
// One base step k takes every group from t_k = k dt to t_{k+1}:
//  1. astrocyte groups whose clock ticks at t_k exchange with their synapses — G-ChI astrocytes
//     read the mean glutamate Y_S of the synapses they cover as of t_k, and their gliotransmitter
//     G_A(t_k) sets the receptor dynamics of those synapses; Li–Rinzel astrocytes take the IP3
//     that spikes delivered since their last tick — and then advance one astrocyte step with
//     these inputs held (zero-order hold on both sides, at the slower clock's ticks); the slow
//     inward current of a Li–Rinzel group onto its neurons is set from its new Ca²⁺ and held;
//  2. calcium-STDP synapses advance their efficacy rho (Euler–Maruyama) and calcium by dt;
//  3. neuron and source groups whose step ends at t_{k+1} advance; their spikes carry the time
//     t_{k+1} (the end of the step in which the threshold was crossed); the rate groups and the
//     projections between them advance as one continuous system (rate_system.hpp);
//  4. spikes are delivered through projections (after their delay, in whole steps) at t_{k+1}:
//     Tsodyks–Markram synapses update exactly and lazily (their state is read only at spikes),
//     the postsynaptic conductance or current jumps by w r, glutamate Y_S jumps by rho_c Y_T r;
//     calcium-STDP synapses transmit w rho, and their calcium jumps at presynaptic spikes (after D)
//     and at the spikes of their target;
//  5. monitors sample.
// Synapses are stored CSR by presynaptic index inside fixed blocks of postsynaptic indices; the
// block count depends only on the target size, blocks are spread over threads and each sums into
// its own accumulators, so results are identical for any thread count.
//
// Variants: a Network built from V configurations of one structure (the same groups, sizes,
// projections and monitors; any parameter, rate, weight, initial value, delay, connectivity or seed
// may differ) steps them as one network, the variant the inner index of every buffer (network_state.hpp).
// Each variant draws its random numbers from its own seed and its own element indices, and every sum
// runs over its own elements in the order it has alone, so a variant in a batch gives the same
// results, bit for bit, as alone. batch_unsupported() says which networks cannot be batched yet.
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/network/network_config.hpp"
#include "models/network/network_state.hpp"
#include "models/network/rate_system.hpp"

namespace glia::network {

class NetworkDevice;  // cuda/network_device.cu

// The variables a monitor reads most often, resolved once per sample (others by name).
enum class GroupVar { other, v, Gamma_A, I, C, h, x_A, G_A, Y_S };

struct SpikeTrain {
  std::vector<double> t;         // s
  std::vector<std::uint32_t> i;  // element (group) or synapse (projection)
  std::vector<double> r;         // released fraction per delivery (Tsodyks–Markram projections)
};

struct RateTrace {
  std::vector<double> t;     // s, bin starts
  std::vector<double> rate;  // Hz, per element
};

struct StateTrace {
  std::vector<double> t;  // s
  std::vector<std::uint32_t> indices;
  std::map<std::string, std::vector<double>> values;  // [sample][index]
};

struct MeanTrace {
  std::vector<double> t;
  std::map<std::string, std::vector<double>> values;  // [sample]
};

// Recordings by monitor name (the target's name unless the monitor names itself).
struct NetworkResult {
  std::map<std::string, SpikeTrain> spikes;
  std::map<std::string, RateTrace> rates;
  std::map<std::string, StateTrace> state;
  std::map<std::string, MeanTrace> means;
  std::map<std::string, double> summaries;  // summary monitors (NaN without a sample in the window)
  std::map<std::string, std::int64_t> synapse_counts;  // per projection
  double setup_seconds = 0.0, run_seconds = 0.0;
  std::int64_t steps_done = 0;
  bool complete = false;
  std::string error;  // why the run stopped early
  // An astrocyte state out of bounds: the variable ("Gamma_A", "I", "C", "h") and its value; else "" and NaN.
  std::string failed_variable;
  double failed_value = std::numeric_limits<double>::quiet_NaN();
};

// A state variable out of its bounds (the run stops with it).
class StateError : public RuntimeError {
 public:
  StateError(const std::string& what, std::string var, double val)
      : RuntimeError(what), variable(std::move(var)), value(val) {}
  std::string variable;
  double value;
};

using ProgressFn = std::function<void(std::int64_t done, std::int64_t total)>;

class Network {
 public:
  explicit Network(const NetworkConfig& config);
  // A batch of variants (see above); throws ConfigError naming the variant and what differs.
  explicit Network(const std::vector<const NetworkConfig*>& variants);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;
  // Runs to the configured duration. A state that turns non-finite or leaves its bounds stops
  // the run: the result then holds what was recorded so far, complete = false and the error.
  NetworkResult run(const ProgressFn& progress = {});
  // The batch's run: one result per variant. A state that turns non-finite stops the whole batch
  // (each result then holds what was recorded, complete = false and the error, which names the variant).
  std::vector<NetworkResult> run_batch(const ProgressFn& progress = {});

  std::int64_t synapse_count(std::uint32_t projection, std::uint32_t variant = 0) const;

 private:
  using Group = GroupState;
  using Projection = ProjectionState;
  void build_group(const GroupConfig& g);
  void set_glutamate_decay(Group& g);
  void build_projection(const ProjectionConfig& p);
  sim::SynapseList connect(const NetworkConfig& c, const ProjectionConfig& p,
                           std::vector<std::int64_t>* given_order) const;
  double initial_value(const NetworkConfig& c, const GroupConfig& g, const std::string& var, std::uint32_t i,
                       std::uint32_t var_index) const;
  // Variant v's configuration of a group or projection.
  const GroupConfig& of(const Group& g, std::uint32_t v) const { return variants_[v]->groups[g.cfg->index]; }
  const ProjectionConfig& of(const Projection& p, std::uint32_t v) const {
    return variants_[v]->projections[p.cfg->index];
  }
  std::string variant_text(std::uint32_t v) const {
    return V_ > 1 ? "variant " + std::to_string(v) + ": " : "";
  }
  void step(std::int64_t k);
  void astrocyte_inputs(Group& g);
  void astrocyte_tick(Group& g, std::int64_t k);
  bool vectorised_astrocytes(const Group& g) const;
  void li_rinzel_tick(Group& g, std::int64_t k);
  void update_sic(Group& neurons);
  void stdp_advance(Projection& p, std::int64_t k);
  void stdp_calcium(Projection& p, std::int64_t k);
  void advance_neurons(Group& g, std::int64_t k);
  void advance_source(Group& g, std::int64_t k);
  void deliver(Projection& p, std::int64_t k);
  void summarise_deliveries(Projection& p, const std::vector<std::uint32_t>& spikes, std::int64_t k);
  // Samples state, mean and summary monitors due at k_time: of neurons, rate groups and projections, or
  // of one astrocyte group.
  void sample(std::int64_t k_time, bool neuron_side, std::int32_t astro_group = -1);
  double group_value(const Group& g, const std::string& var, std::uint32_t i) const;
  void summaries_to_results();
  GroupVar group_var(const Group& g, const std::string& var) const;
  double group_value(const Group& g, GroupVar var, std::uint32_t i) const;
  double projection_value(const Projection& p, const std::string& var, std::uint32_t v, std::int64_t synapse,
                          double t) const;

  const NetworkConfig& c_;  // the structure: variant 0's configuration
  std::vector<const NetworkConfig*> variants_;
  std::uint32_t V_ = 1;
  std::vector<std::int32_t> variant_index_;  // 0, 1, ..., V - 1
  std::vector<Group> groups_;
  std::vector<Projection> projections_;
  std::unique_ptr<RateSystem> rates_;
  std::vector<NetworkResult> results_;  // per variant
  // State and mean recordings, per monitor: each variant's time vector, and its value vector per variable
  // (variant v, variable x at v * variables + x); pointers into results_.
  std::vector<std::vector<std::vector<double>*>> trace_times_, trace_values_;
  // Summary monitors' running statistics, per monitor and variant, their samples in the window and
  // thresholds.
  std::vector<std::vector<sim::SummaryAcc>> summary_acc_;
  std::vector<std::vector<std::int64_t>> summary_in_window_;
  std::vector<std::vector<double>> summary_threshold_;
  // Set when the config asks for "cuda" (shared_ptr: its deleter is bound where the type is complete,
  // so CPU-only builds need no definition of NetworkDevice).
  std::shared_ptr<NetworkDevice> device_;
};

// Builds and runs a network configuration; a failed run still returns its partial result.
NetworkResult run_network(const NetworkConfig& config, const ProgressFn& progress = {});

// Why these variants cannot run as one batch ("" when they can): a model the batch does not step yet
// (rate groups, Li–Rinzel astrocytes, calcium STDP, slow inward currents), or a
// structure that differs between variants (named with the variant and the field).
std::string batch_unsupported(const std::vector<const NetworkConfig*>& variants);

// Builds and runs V variants as one batch (batch_unsupported must be ""); one result per variant.
std::vector<NetworkResult> run_network_batch(const std::vector<const NetworkConfig*>& variants,
                                             const ProgressFn& progress = {});

// Runs and writes the HDF5 result (provenance as for every glia file). A run that stops early
// writes what it recorded with complete = 0 and an "error" attribute, then throws RuntimeError.
NetworkResult simulate_network_to_file(const NetworkConfig& config, const std::string& output,
                                       const ProgressFn& progress = {});

}  // namespace glia::network
