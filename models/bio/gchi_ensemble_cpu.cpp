#include <cmath>
#include <limits>

#include "models/bio/gchi_ensemble.hpp"

namespace glia::bio {

GChIEnsembleResult run_gchi_ensemble_cpu(const GChIEnsembleSpec& spec) {
  const auto n = static_cast<std::int64_t>(spec.params.size());
  const auto n_rec = static_cast<std::int64_t>(spec.record.size());
  const std::int64_t n_samples = gchi_ensemble_samples(spec);
  GChIEnsembleResult r;
  r.traces.assign(static_cast<std::size_t>(n_samples * n_rec * kGChIVars),
                  std::numeric_limits<double>::quiet_NaN());
  for (std::int64_t s = 0; s < n_samples; ++s)
    r.trace_t.push_back(static_cast<double>(s * spec.record_every) * spec.dt);
  r.final_state.resize(static_cast<std::size_t>(n));
  r.C_max.resize(static_cast<std::size_t>(n));
  r.C_mean.resize(static_cast<std::size_t>(n));
  r.C_crossings.resize(static_cast<std::size_t>(n));
  r.status.resize(static_cast<std::size_t>(n));
  r.failed_at.resize(static_cast<std::size_t>(n));
  r.failed_variable.resize(static_cast<std::size_t>(n));
  std::vector<std::int64_t> column(static_cast<std::size_t>(n), -1);
  for (std::int64_t j = 0; j < n_rec; ++j) column[spec.record[static_cast<std::size_t>(j)]] = j;

#pragma omp parallel for schedule(dynamic, 16)
  for (std::int64_t v = 0; v < n; ++v) {
    const auto k = static_cast<std::size_t>(v);
    const GChIVariantOutput out{column[k] >= 0 ? r.traces.data() + column[k] * kGChIVars : nullptr,
                                n_rec * kGChIVars,
                                r.final_state[k].data(),
                                &r.C_max[k],
                                &r.C_mean[k],
                                &r.C_crossings[k],
                                &r.status[k],
                                &r.failed_at[k],
                                &r.failed_variable[k]};
    gchi_variant_run(spec.params[k], spec.Y_S[k], spec.J_ex[k], spec.initial[k].data(), spec.dt, spec.n_steps,
                     spec.method, spec.record_every, spec.C_threshold, out);
  }
  return r;
}

}  // namespace glia::bio
