// Which variants of a network can run as one batch (network.hpp): the same structure, and only the
// models whose per-element steps take per-variant parameters so far.
#include <string>
#include <vector>

#include "models/network/network.hpp"

namespace glia::network {

namespace {

// The first model of a network that the batch does not step yet, or "".
std::string unbatched_model(const NetworkConfig& c) {
  for (const auto& g : c.groups) {
    if (g.is_rate()) return "group \"" + g.name + "\": rate neurons";
  }
  for (const auto& p : c.projections) {
    if (p.continuous()) return "projection \"" + p.name + "\": rate transmission";
    if (p.model == SynapseModel::calcium_stdp) return "projection \"" + p.name + "\": calcium STDP";
    if (p.model == SynapseModel::sic) return "projection \"" + p.name + "\": slow inward current";
  }
  return "";
}

}  // namespace

std::string batch_unsupported(const std::vector<const NetworkConfig*>& variants) {
  if (variants.empty()) return "no variants";
  const NetworkConfig& a = *variants.front();
  if (std::string m = unbatched_model(a); !m.empty()) return "not batched yet: " + m;
  for (std::size_t v = 1; v < variants.size(); ++v) {
    const NetworkConfig& b = *variants[v];
    const std::string at = "variant " + std::to_string(v) + " differs from variant 0 in ";
    if (b.dt != a.dt || b.n_steps != a.n_steps) return at + "simulation.dt or simulation.duration";
    if (b.device != a.device) return at + "simulation.device";
    if (b.groups.size() != a.groups.size()) return at + "its number of groups";
    for (std::size_t k = 0; k < a.groups.size(); ++k) {
      const GroupConfig &x = a.groups[k], &y = b.groups[k];
      const std::string f = "groups[" + std::to_string(k) + "].";
      if (x.name != y.name) return at + f + "name";
      if (x.model != y.model) return at + f + "model";
      if (x.n != y.n) return at + f + "n";
      if (x.every != y.every) return at + f + "dt";
      if (x.method != y.method || x.stochastic != y.stochastic || x.milstein != y.milstein)
        return at + f + "method";
      if (x.lif_method != y.lif_method) return at + f + "method";
    }
    if (b.projections.size() != a.projections.size()) return at + "its number of projections";
    for (std::size_t k = 0; k < a.projections.size(); ++k) {
      const ProjectionConfig &x = a.projections[k], &y = b.projections[k];
      const std::string f = "projections[" + std::to_string(k) + "].";
      if (x.name != y.name) return at + f + "name";
      if (x.source != y.source || x.target != y.target || x.has_target != y.has_target)
        return at + f + "source or target";
      if (x.model != y.model) return at + f + "model";
      if (x.receptor != y.receptor) return at + f + "receptor";
      if (x.has_astrocytes != y.has_astrocytes) return at + f + "astrocytes";
      if (x.has_astrocytes &&
          (x.astrocytes.group != y.astrocytes.group || x.astrocytes.feedback != y.astrocytes.feedback))
        return at + f + "astrocytes (group or feedback)";
    }
    if (b.couplings.size() != a.couplings.size()) return at + "astrocyte_coupling";
    for (std::size_t k = 0; k < a.couplings.size(); ++k)
      if (b.couplings[k].group != a.couplings[k].group)
        return at + "astrocyte_coupling[" + std::to_string(k) + "].group";
    if (b.monitors.size() != a.monitors.size()) return at + "its number of monitors";
    for (std::size_t k = 0; k < a.monitors.size(); ++k) {
      const MonitorConfig &x = a.monitors[k], &y = b.monitors[k];
      if (x.type != y.type || x.name != y.name || x.target != y.target || x.variables != y.variables ||
          x.indices != y.indices || x.every != y.every || x.start_step != y.start_step || x.at != y.at ||
          x.stat != y.stat || x.index != y.index || x.window_start != y.window_start)
        return at + "monitors[" + std::to_string(k) + "]";
    }
  }
  return "";
}

}  // namespace glia::network
