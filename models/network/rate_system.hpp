#pragma once
// The continuous part of a network: every rate group and every projection between rate groups
// (static transmission, Hebbian synapses with their astrocyte processes and presynaptic Ca²⁺),
// stepped together as one system on the rate groups' clock by the method they name
// (rate_step.hpp), on the CPU or, with "device": "cuda", on the GPU (cuda/rate_device.cu).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/sim/connectivity.hpp"
#include "models/network/rate_layout.hpp"

namespace glia::network {

class RateDevice;  // cuda/rate_device.cu

class RateSystem {
 public:
  // A projection's synapses; for explicit pairs, `given_order` receives each given pair's list index.
  using Connect =
      std::function<sim::SynapseList(const ProjectionConfig&, std::vector<std::int64_t>* given_order)>;
  using Initial = std::function<double(const GroupConfig&, const std::string& var, std::uint32_t i,
                                       std::uint32_t var_index)>;
  // Builds the layout of every rate group and continuous projection of `c`; `connect` makes a
  // projection's synapses (the engine's connection rules), `initial` gives initial values.
  RateSystem(const NetworkConfig& c, const Connect& connect, const Initial& initial);
  ~RateSystem();
  RateSystem(const RateSystem&) = delete;
  RateSystem& operator=(const RateSystem&) = delete;

  bool empty() const { return layout_.groups.empty(); }
  // Advances the system if its step ends at base step k + 1. A state that is no longer finite
  // stops the run: RuntimeError naming the group or projection, the element and the time.
  void step(std::int64_t k);

  bool has_group(std::uint32_t group) const { return group_slot_[group] >= 0; }
  bool has_projection(std::uint32_t p) const { return projection_slot_[p] >= 0; }
  std::int64_t synapse_count(std::uint32_t projection) const;
  // Recorded values: "x" of a rate group; s, w, p_s, p_l, p, z of a synapse by its list index.
  double group_value(std::uint32_t group, const std::string& var, std::uint32_t i) const;
  double projection_value(std::uint32_t projection, const std::string& var, std::int64_t synapse) const;

 private:
  void sync() const;  // brings the device state to the host before reading it
  std::string describe(std::int64_t index) const;

  const NetworkConfig& c_;
  RateLayout layout_;
  std::vector<std::int32_t> group_slot_, projection_slot_;  // config index -> layout index, or -1
  mutable std::vector<double> state_;                       // y, k1, k2, k3, k4, tmp
  RateViews views_;                                         // of the current step (reused)
  std::vector<std::int64_t> views_key_, key_;               // what views_ was built for (rate_views_key)
  std::shared_ptr<RateDevice> device_;
  mutable bool host_stale_ = false;
};

}  // namespace glia::network
