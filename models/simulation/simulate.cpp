#include "models/simulation/simulate.hpp"

#include "engine/core/error.hpp"
#include "engine/core/version.hpp"
#include "engine/io/hdf5_writer.hpp"

namespace glia::simulation {

namespace {

bio::DrivenSynapsesRecord run_on(Device device, const bio::DrivenSynapsesSpec& spec,
                                 const bio::ProgressFn& progress) {
#ifdef GLIA_WITH_CUDA
  if (device == Device::cuda) return bio::run_driven_synapses_cuda(spec, progress);
#endif
  (void)device;
  return bio::run_driven_synapses_cpu(spec, progress);
}

const StateMonitorConfig* state_monitor_of(const SimulationConfig& c, const std::string& target) {
  for (const auto& m : c.state_monitors)
    if (m.target == target) return &m;
  return nullptr;
}

bool spike_monitor_on(const SimulationConfig& c, const std::string& target) {
  for (const auto& m : c.spike_monitors)
    if (m.target == target) return true;
  return false;
}

// A run of one source group alone; the caller adds a synapse group if there is one.
bio::DrivenSynapsesSpec source_run(const SimulationConfig& c, const SourceGroupConfig& g) {
  bio::DrivenSynapsesSpec spec;
  spec.n = g.n;
  spec.dt = c.dt;
  spec.n_steps = c.n_steps;
  spec.source = g.params;
  spec.has_synapse = false;
  return spec;
}

void check_device(const SimulationConfig& c) {
  if (c.device != Device::cuda) return;
  std::string why;
  if (cuda_device_count(&why) == 0) throw ConfigError("simulation.device", "\"cuda\"", why);
}

}  // namespace

SimulationResult run_simulation(const SimulationConfig& c, const bio::ProgressFn& progress) {
  check_device(c);
  // One run per synapse group, plus one for each monitored source group that drives none
  // (a source's spikes are the same in every run: they depend on seed, group and index only).
  std::vector<bio::DrivenSynapsesSpec> runs;
  std::vector<std::string> run_synapse;  // synapse group name, or "" for a bare source
  std::vector<std::string> run_source;
  for (const auto& s : c.synapses) {
    const SourceGroupConfig& g = *c.find_group(s.source);
    bio::DrivenSynapsesSpec spec = source_run(c, g);
    spec.has_synapse = true;
    spec.tm = s.tm;
    spec.record_spikes = spike_monitor_on(c, s.name) || spike_monitor_on(c, g.name);
    if (const StateMonitorConfig* m = state_monitor_of(c, s.name)) {
      spec.state_indices = m->indices;
      spec.state_every = m->every;
    }
    runs.push_back(spec);
    run_synapse.push_back(s.name);
    run_source.push_back(g.name);
  }
  for (const auto& g : c.groups) {
    if (!spike_monitor_on(c, g.name)) continue;
    bool driven = false;
    for (const auto& s : c.synapses) driven = driven || s.source == g.name;
    if (driven) continue;
    runs.push_back(source_run(c, g));
    run_synapse.push_back("");
    run_source.push_back(g.name);
  }

  SimulationResult result;
  const auto total = static_cast<std::int64_t>(runs.size()) * c.n_steps;
  for (std::size_t k = 0; k < runs.size(); ++k) {
    const std::int64_t offset = static_cast<std::int64_t>(k) * c.n_steps;
    bio::ProgressFn step_progress;
    if (progress) step_progress = [&](std::int64_t done, std::int64_t) { progress(offset + done, total); };
    bio::DrivenSynapsesRecord rec = run_on(c.device, runs[k], step_progress);

    const std::string& syn = run_synapse[k];
    if (const StateMonitorConfig* m = syn.empty() ? nullptr : state_monitor_of(c, syn)) {
      StateRecord& s = result.state[syn];
      s.t = rec.state_t;
      s.indices = m->indices;
      for (const auto& v : m->variables) s.variables[v] = v == "u" ? rec.u : rec.x;
    }
    if (!syn.empty() && spike_monitor_on(c, syn)) {
      result.spikes[syn] = SpikeRecord{rec.spike_t, rec.spike_i, rec.spike_r, true};
    }
    const std::string& src = run_source[k];
    if (spike_monitor_on(c, src) && !result.spikes.count(src)) {
      result.spikes[src] = SpikeRecord{std::move(rec.spike_t), std::move(rec.spike_i), {}, false};
    }
  }
  return result;
}

SimulationResult simulate_to_file(const SimulationConfig& c, const std::string& output,
                                  const bio::ProgressFn& progress) {
  check_device(c);
  io::Hdf5Writer file(output);
  SimulationResult result = run_simulation(c, progress);

  file.provenance(c.resolved.dump(), c.seed);
  file.attribute("/", "device", std::string(c.device == Device::cuda ? "cuda" : "cpu"));
  file.attribute("/", "duration", c.duration);
  file.attribute("/", "dt", c.dt);
  for (const auto& [target, s] : result.state) {
    const std::string g = "/state/" + target;
    file.dataset(g + "/t", s.t, {s.t.size()});
    file.dataset(g + "/indices", s.indices, {s.indices.size()});
    for (const auto& [name, values] : s.variables)
      file.dataset(g + "/" + name, values, {s.t.size(), s.indices.size()});
  }
  for (const auto& [target, sp] : result.spikes) {
    const std::string g = "/spikes/" + target;
    file.dataset(g + "/t", sp.t, {sp.t.size()});
    file.dataset(g + "/i", sp.i, {sp.i.size()});
    if (sp.has_r) file.dataset(g + "/r", sp.r, {sp.r.size()});
  }
  file.commit();
  return result;
}

}  // namespace glia::simulation
