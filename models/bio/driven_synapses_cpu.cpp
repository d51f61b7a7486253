#include <vector>

#include "models/bio/driven_synapses.hpp"

namespace glia::bio {

namespace {
// Progress is reported this often; also bounds how stale a progress line can be.
constexpr std::int64_t kProgressSteps = 1000;
}  // namespace

DrivenSynapsesRecord run_driven_synapses_cpu(const DrivenSynapsesSpec& spec, const ProgressFn& progress) {
  const std::uint32_t n = spec.n;
  std::vector<double> u(n, 0.0), x(n, 1.0), t_last(n, 0.0);
  std::vector<std::int32_t> slot(n, -1);
  for (std::size_t c = 0; c < spec.state_indices.size(); ++c)
    slot[spec.state_indices[c]] = static_cast<std::int32_t>(c);

  DrivenSynapsesRecord rec;
  const auto n_slots = static_cast<std::int32_t>(spec.state_indices.size());
  const std::int64_t n_samples = state_sample_count(spec);
  rec.u.resize(static_cast<std::size_t>(n_samples * n_slots));
  rec.x.resize(rec.u.size());
  for (std::int64_t s = 0; s < n_samples; ++s)
    rec.state_t.push_back(static_cast<double>(s * spec.state_every) * spec.dt);

  const DrivenSynapsesKernel k{n,           spec.dt,  spec.source,      spec.has_synapse,
                               spec.tm,     u.data(), x.data(),         t_last.data(),
                               slot.data(), n_slots,  spec.state_every, rec.u.data(),
                               rec.x.data()};
  // Per step: the element pass (parallel when large), then spikes appended in index order.
  std::vector<double> r(n);
  std::vector<unsigned char> spiked(n);
  for (std::int64_t step = 0; step < spec.n_steps; ++step) {
#pragma omp parallel for schedule(static) if (n >= 8192)
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(n); ++i) {
      const auto ii = static_cast<std::uint32_t>(i);
      spiked[ii] = driven_synapse_step(k, ii, step, r[ii]) ? 1 : 0;
    }
    const double t = static_cast<double>(step) * spec.dt;
    for (std::uint32_t i = 0; spec.record_spikes && i < n; ++i) {
      if (!spiked[i]) continue;
      rec.spike_t.push_back(t);
      rec.spike_i.push_back(i);
      if (spec.has_synapse) rec.spike_r.push_back(r[i]);
    }
    if (progress && (step + 1) % kProgressSteps == 0) progress(step + 1, spec.n_steps);
  }
  if (progress) progress(spec.n_steps, spec.n_steps);
  return rec;
}

}  // namespace glia::bio
