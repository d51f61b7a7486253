// CUDA runner of a tripartite-unit batch: one GPU thread per variant, running the same
// tripartite_init/step/finish as the CPU runner over struct-of-arrays device buffers (adjacent
// threads touch adjacent addresses).
#include <limits>
#include <vector>

#include "cuda/check.cuh"
#include "models/bio/tripartite_batch.hpp"

namespace glia::bio {

namespace {

__global__ void tripartite_batch_kernel(TripartiteBatch b) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= b.n) return;
  tripartite_init(b, i);
  for (std::int64_t step = 0; step < b.run.n_steps; ++step) tripartite_step(b, i, step);
  tripartite_finish(b, i);
}

}  // namespace

TripartiteChunkOutput run_tripartite_chunk_cuda(const TripartiteChunkInput& in) {
  const auto n = static_cast<std::int64_t>(in.variants.size());
  const auto un = static_cast<std::size_t>(n);
  const auto n_summ = static_cast<std::int32_t>(in.summaries.size());
  const std::int64_t n_samples = tripartite_trace_samples(in);
  const std::size_t n_trace =
      static_cast<std::size_t>(in.n_slots) * in.trace_vars.size() * static_cast<std::size_t>(n_samples);
  TripartiteChunkOutput out;
  out.summaries.resize(static_cast<std::size_t>(n_summ) * un);
  out.status.resize(un);
  out.failed_variable.resize(un);
  out.failed_at.resize(un);
  out.failed_value.resize(un);
  out.traces.assign(n_trace, std::numeric_limits<double>::quiet_NaN());

  cuda::DeviceBuffer<TripartiteVariant> d_variants(un);
  cuda::DeviceBuffer<double> d_state(static_cast<std::size_t>(kTStateVars) * un);
  cuda::DeviceBuffer<sim::SummaryItem> d_summaries(in.summaries.size());
  cuda::DeviceBuffer<double> d_thresholds(in.thresholds.size()), d_out(out.summaries.size());
  cuda::DeviceBuffer<sim::SummaryAcc> d_acc(static_cast<std::size_t>(n_summ) * un);
  cuda::DeviceBuffer<std::int32_t> d_status(un), d_failed_variable(un), d_slot(un),
      d_trace_vars(in.trace_vars.size());
  cuda::DeviceBuffer<double> d_failed_at(un), d_failed_value(un), d_traces(n_trace);
  d_variants.upload(in.variants.data());
  d_summaries.upload(in.summaries.data());
  d_thresholds.upload(in.thresholds.data());
  d_slot.upload(in.trace_slot.data());
  d_trace_vars.upload(in.trace_vars.data());
  d_traces.upload(out.traces.data());

  const TripartiteBatch b{n,
                          in.run,
                          d_variants.get(),
                          d_state.get(),
                          n_summ,
                          d_summaries.get(),
                          d_thresholds.get(),
                          d_acc.get(),
                          d_out.get(),
                          d_status.get(),
                          d_failed_variable.get(),
                          d_failed_at.get(),
                          d_failed_value.get(),
                          d_slot.get(),
                          static_cast<std::int32_t>(in.trace_vars.size()),
                          d_trace_vars.get(),
                          in.trace_every,
                          n_samples,
                          d_traces.get()};
  constexpr int kBlock = 128;
  if (n > 0) tripartite_batch_kernel<<<static_cast<unsigned>((n + kBlock - 1) / kBlock), kBlock>>>(b);
  cuda::check(cudaGetLastError(), "tripartite_batch_kernel launch");
  cuda::check(cudaDeviceSynchronize(), "tripartite_batch_kernel");

  d_out.download(out.summaries.data());
  d_status.download(out.status.data());
  d_failed_variable.download(out.failed_variable.data());
  d_failed_at.download(out.failed_at.data());
  d_failed_value.download(out.failed_value.data());
  d_traces.download(out.traces.data());
  return out;
}

}  // namespace glia::bio
