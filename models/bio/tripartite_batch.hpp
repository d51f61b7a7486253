#pragma once
// A batch (one chunk of a sweep) of tripartite-unit variants: the host-side description, the
// results, and the runners. Both runners call tripartite_init/step/finish of
// tripartite_unit.hpp for every variant; the CPU runner spreads blocks of variants over OpenMP
// threads and steps a block with the variant as the inner loop, the CUDA runner
// (cuda/tripartite_batch.cu) gives each variant a GPU thread.
#include <cstdint>
#include <vector>

#include "engine/sim/summary.hpp"
#include "models/bio/tripartite_unit.hpp"

namespace glia::bio {

struct TripartiteChunkInput {
  TripartiteRun run{};
  std::vector<TripartiteVariant> variants;
  std::vector<sim::SummaryItem> summaries;
  std::vector<double> thresholds;        // n_summaries x n
  std::vector<std::int32_t> trace_slot;  // per variant: its trace block, or -1
  std::int32_t n_slots = 0;
  std::vector<std::int32_t> trace_vars;  // TripartiteVar indices
  std::int64_t trace_every = 1;          // steps between trace samples (t = 0 included)
};

struct TripartiteChunkOutput {
  std::vector<double> summaries;  // n_summaries x n (NaN for failed variants)
  std::vector<std::int32_t> status, failed_variable;
  std::vector<double> failed_at, failed_value;
  std::vector<double> traces;  // n_slots x n_trace_vars x n_trace_samples (NaN after a failure)
};

inline std::int64_t tripartite_trace_samples(const TripartiteChunkInput& in) {
  return in.run.n_steps / in.trace_every + 1;
}

// threads <= 0: OpenMP's default.
TripartiteChunkOutput run_tripartite_chunk_cpu(const TripartiteChunkInput& in, int threads);
// Defined in cuda/tripartite_batch.cu; only present when glia is built with CUDA.
TripartiteChunkOutput run_tripartite_chunk_cuda(const TripartiteChunkInput& in);

}  // namespace glia::bio
