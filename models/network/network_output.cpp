// Writing a network run to HDF5: the layout documented in docs/network_config.md.
#include "engine/core/error.hpp"
#include "engine/core/version.hpp"
#include "engine/io/hdf5_writer.hpp"
#include "models/network/network.hpp"

namespace glia::network {

NetworkResult simulate_network_to_file(const NetworkConfig& c, const std::string& output,
                                       const ProgressFn& progress) {
  io::Hdf5Writer file(output);  // an unwritable path fails here, before any work
  const NetworkResult r = run_network(c, progress);

  file.provenance(c.resolved.dump(), c.seed);
  file.attribute("/", "format", std::string("glia-simulation"));
  file.attribute("/", "device", std::string(c.device == Device::cuda ? "cuda" : "cpu"));
  file.attribute("/", "duration", c.duration);
  file.attribute("/", "dt", c.dt);
  file.attribute("/", "steps_done", r.steps_done);
  file.attribute("/", "setup_seconds", r.setup_seconds);
  file.attribute("/", "run_seconds", r.run_seconds);
  for (const auto& [name, n] : r.synapse_counts) file.attribute("/projections/" + name, "synapses", n);
  for (const auto& [target, s] : r.spikes) {
    file.dataset("/spikes/" + target + "/t", s.t, {s.t.size()});
    file.dataset("/spikes/" + target + "/i", s.i, {s.i.size()});
    if (!s.r.empty()) file.dataset("/spikes/" + target + "/r", s.r, {s.r.size()});
  }
  for (const auto& [target, s] : r.rates) {
    file.dataset("/rates/" + target + "/t", s.t, {s.t.size()});
    file.dataset("/rates/" + target + "/rate", s.rate, {s.rate.size()});
  }
  for (const auto& [target, s] : r.state) {
    const std::string g = "/state/" + target;
    file.dataset(g + "/t", s.t, {s.t.size()});
    file.dataset(g + "/indices", s.indices, {s.indices.size()});
    for (const auto& [var, values] : s.values)
      file.dataset(g + "/" + var, values, {s.t.size(), s.indices.size()});
  }
  for (const auto& [target, s] : r.means) {
    file.dataset("/mean/" + target + "/t", s.t, {s.t.size()});
    for (const auto& [var, values] : s.values)
      file.dataset("/mean/" + target + "/" + var, values, {values.size()});
  }
  for (const auto& [name, value] : r.summaries)
    file.dataset("/summary/" + name, std::vector<double>{value}, {1});
  if (!r.complete) {
    file.commit_incomplete(r.error);
    throw RuntimeError(
        r.error + " (partial results up to t = " + std::to_string(static_cast<double>(r.steps_done) * c.dt) +
        " s are in " + output + ", marked complete = 0)");
  }
  file.commit();
  return r;
}

}  // namespace glia::network
