#pragma once
// The CUDA backend of the network step (cuda/network_device.cu, built with CUDA only). It mirrors
// the state of every group and projection on the device and runs the same per-element updates
// as the CPU loops (network_kernels.hpp, models/bio/lif.hpp); the host keeps the order of
// events: it collects each step's spikes and hands them back for delivery, so spikes are
// delivered in the same order as on the CPU. A delivery's postsynaptic sums follow that order
// exactly; only the astrocytes' glutamate sums are accumulated atomically, so results agree
// with the CPU to rounding. A batch of variants (network.hpp) runs each update as one launch over
// all of them, with each variant's parameters.
#include <cstdint>
#include <memory>
#include <vector>

#include "models/network/network_state.hpp"

namespace glia::network {

class NetworkDevice {
 public:
  NetworkDevice(std::vector<GroupState>& groups, std::vector<ProjectionState>& projections,
                const std::vector<const NetworkConfig*>& variants);
  ~NetworkDevice();
  NetworkDevice(const NetworkDevice&) = delete;
  NetworkDevice& operator=(const NetworkDevice&) = delete;

  // A LIF group's step from t, with each variant's I_ext scaled by its I_ext_factor; fills g.flag on
  // the host. Returns the first element whose state is not finite, or n.
  std::int64_t lif_step(GroupState& g, double t, const std::vector<double>& I_ext_factor);
  // Delivers `spikes` (with p.ef, p.ed, p.ey filled) with each variant's weight; glutamate is weighted
  // by its decay over until_tick seconds, to the astrocytes' next tick. With r_out (host, n_syn), the
  // releases of Tsodyks–Markram synapses are copied there.
  void deliver(ProjectionState& p, const std::vector<std::uint32_t>& spikes, double until_tick,
               double* r_out);
  // Calcium STDP: the step of every synapse from base step k; the calcium jumps of presynaptic
  // spikes whose delay D ends now (`pre`) and of the target's spikes (`post`).
  void stdp_advance(ProjectionState& p, std::int64_t k);
  void stdp_calcium(ProjectionState& p, const std::vector<std::uint32_t>& pre,
                    const std::vector<std::uint32_t>& post);
  // The slow inward current of every neuron of a group from its sic projections.
  void update_sic(GroupState& neurons);
  // A Li–Rinzel group's step from t; returns the first astrocyte out of bounds, or n.
  std::int64_t li_rinzel_tick(GroupState& g, double t);
  void relax_receptors(ProjectionState& p);
  // Astrocyte group at a tick: fold glutamate into Y_in (from the projections it reads), set the
  // receptor relaxation of the projections it drives, then step. Fills g.flag (released) on the
  // host; returns the first astrocyte out of bounds, or n.
  void astrocyte_inputs(GroupState& g);
  std::int64_t astrocyte_tick(GroupState& g, double t, std::int64_t tick);
  // Copies the state of a group or projection back to the host buffers.
  void download(GroupState& g);
  void download(ProjectionState& p);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace glia::network
