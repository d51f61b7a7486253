#include <omp.h>

#include <limits>

#include "models/bio/tripartite_batch.hpp"

namespace glia::bio {

namespace {

// Variants stepped together by one thread: their state stays in cache while the step loop
// runs over them, and the variant is the inner loop.
constexpr std::int64_t kBlock = 32;

}  // namespace

TripartiteChunkOutput run_tripartite_chunk_cpu(const TripartiteChunkInput& in, int threads) {
  const auto n = static_cast<std::int64_t>(in.variants.size());
  const auto un = static_cast<std::size_t>(n);
  const auto n_summ = static_cast<std::int32_t>(in.summaries.size());
  const std::int64_t n_samples = tripartite_trace_samples(in);
  TripartiteChunkOutput out;
  out.summaries.resize(static_cast<std::size_t>(n_summ) * un);
  out.status.resize(un);
  out.failed_variable.resize(un);
  out.failed_at.resize(un);
  out.failed_value.resize(un);
  out.traces.assign(
      static_cast<std::size_t>(in.n_slots) * in.trace_vars.size() * static_cast<std::size_t>(n_samples),
      std::numeric_limits<double>::quiet_NaN());
  std::vector<double> state(static_cast<std::size_t>(kTStateVars) * un);
  std::vector<sim::SummaryAcc> acc(static_cast<std::size_t>(n_summ) * un);

  const TripartiteBatch b{n,
                          in.run,
                          in.variants.data(),
                          state.data(),
                          n_summ,
                          in.summaries.data(),
                          in.thresholds.data(),
                          acc.data(),
                          out.summaries.data(),
                          out.status.data(),
                          out.failed_variable.data(),
                          out.failed_at.data(),
                          out.failed_value.data(),
                          in.trace_slot.data(),
                          static_cast<std::int32_t>(in.trace_vars.size()),
                          in.trace_vars.data(),
                          in.trace_every,
                          n_samples,
                          out.traces.data()};
  const std::int64_t n_blocks = (n + kBlock - 1) / kBlock;
  const int n_threads = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(n_threads)
  for (std::int64_t blk = 0; blk < n_blocks; ++blk) {
    const std::int64_t lo = blk * kBlock, hi = lo + kBlock < n ? lo + kBlock : n;
    for (std::int64_t i = lo; i < hi; ++i) tripartite_init(b, i);
    for (std::int64_t step = 0; step < in.run.n_steps; ++step)
      for (std::int64_t i = lo; i < hi; ++i) tripartite_step(b, i, step);
    for (std::int64_t i = lo; i < hi; ++i) tripartite_finish(b, i);
  }
  return out;
}

}  // namespace glia::bio
