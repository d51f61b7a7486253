// CUDA runner of the G-ChI ensemble: one thread per variant, each running the same
// gchi_variant_run() as the CPU runner.
#include <cmath>
#include <limits>
#include <vector>

#include "cuda/check.cuh"
#include "models/bio/gchi_ensemble.hpp"

namespace glia::bio {

namespace {

struct EnsembleKernelArgs {
  const GChIParams* params;
  const double* Y_S;
  const double* J_ex;
  const double* initial;  // n x kGChIVars
  const std::int64_t* column;
  std::int64_t n, n_rec;
  double dt;
  std::int64_t n_steps, record_every;
  sim::FixedStepMethod method;
  double C_threshold;
  double* traces;
  double* final_state;
  double *C_max, *C_mean;
  std::int64_t* C_crossings;
  std::int32_t* status;
  double* failed_at;
  std::int32_t* failed_variable;
};

__global__ void gchi_ensemble_kernel(EnsembleKernelArgs a) {
  const std::int64_t v = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (v >= a.n) return;
  const GChIVariantOutput out{a.column[v] >= 0 ? a.traces + a.column[v] * kGChIVars : nullptr,
                              a.n_rec * kGChIVars,
                              a.final_state + v * kGChIVars,
                              a.C_max + v,
                              a.C_mean + v,
                              a.C_crossings + v,
                              a.status + v,
                              a.failed_at + v,
                              a.failed_variable + v};
  gchi_variant_run(a.params[v], a.Y_S[v], a.J_ex[v], a.initial + v * kGChIVars, a.dt, a.n_steps, a.method,
                   a.record_every, a.C_threshold, out);
}

}  // namespace

GChIEnsembleResult run_gchi_ensemble_cuda(const GChIEnsembleSpec& spec) {
  const auto n = static_cast<std::int64_t>(spec.params.size());
  const auto n_rec = static_cast<std::int64_t>(spec.record.size());
  const std::int64_t n_samples = gchi_ensemble_samples(spec);
  const auto un = static_cast<std::size_t>(n);

  std::vector<double> initial(un * kGChIVars);
  for (std::size_t v = 0; v < un; ++v)
    for (int i = 0; i < kGChIVars; ++i) initial[v * kGChIVars + i] = spec.initial[v][i];
  std::vector<std::int64_t> column(un, -1);
  for (std::int64_t j = 0; j < n_rec; ++j) column[spec.record[static_cast<std::size_t>(j)]] = j;
  std::vector<double> traces(static_cast<std::size_t>(n_samples * n_rec * kGChIVars),
                             std::numeric_limits<double>::quiet_NaN());

  cuda::DeviceBuffer<GChIParams> d_params(un);
  cuda::DeviceBuffer<double> d_Y_S(un), d_J_ex(un), d_initial(un * kGChIVars), d_traces(traces.size());
  cuda::DeviceBuffer<std::int64_t> d_column(un), d_crossings(un);
  cuda::DeviceBuffer<double> d_final(un * kGChIVars), d_C_max(un), d_C_mean(un), d_failed_at(un);
  cuda::DeviceBuffer<std::int32_t> d_status(un), d_failed_variable(un);
  d_params.upload(spec.params.data());
  d_Y_S.upload(spec.Y_S.data());
  d_J_ex.upload(spec.J_ex.data());
  d_initial.upload(initial.data());
  d_column.upload(column.data());
  d_traces.upload(traces.data());

  const EnsembleKernelArgs args{d_params.get(),
                                d_Y_S.get(),
                                d_J_ex.get(),
                                d_initial.get(),
                                d_column.get(),
                                n,
                                n_rec,
                                spec.dt,
                                spec.n_steps,
                                spec.record_every,
                                spec.method,
                                spec.C_threshold,
                                d_traces.get(),
                                d_final.get(),
                                d_C_max.get(),
                                d_C_mean.get(),
                                d_crossings.get(),
                                d_status.get(),
                                d_failed_at.get(),
                                d_failed_variable.get()};
  constexpr int kBlock = 128;
  if (n > 0) gchi_ensemble_kernel<<<static_cast<unsigned>((n + kBlock - 1) / kBlock), kBlock>>>(args);
  cuda::check(cudaGetLastError(), "gchi_ensemble_kernel launch");
  cuda::check(cudaDeviceSynchronize(), "gchi_ensemble_kernel");

  GChIEnsembleResult r;
  for (std::int64_t s = 0; s < n_samples; ++s)
    r.trace_t.push_back(static_cast<double>(s * spec.record_every) * spec.dt);
  r.traces.resize(traces.size());
  d_traces.download(r.traces.data());
  std::vector<double> final_flat(un * kGChIVars);
  d_final.download(final_flat.data());
  r.final_state.resize(un);
  for (std::size_t v = 0; v < un; ++v)
    for (int i = 0; i < kGChIVars; ++i) r.final_state[v][i] = final_flat[v * kGChIVars + i];
  r.C_max.resize(un);
  r.C_mean.resize(un);
  r.C_crossings.resize(un);
  r.status.resize(un);
  r.failed_at.resize(un);
  r.failed_variable.resize(un);
  d_C_max.download(r.C_max.data());
  d_C_mean.download(r.C_mean.data());
  d_crossings.download(r.C_crossings.data());
  d_status.download(r.status.data());
  d_failed_at.download(r.failed_at.data());
  d_failed_variable.download(r.failed_variable.data());
  return r;
}

}  // namespace glia::bio
