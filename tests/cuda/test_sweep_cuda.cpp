// CPU versus CUDA for a sweep chunk of tripartite units: the same variants give the same status,
// event counts and, to rounding, the same summaries and traces.
#include <gtest/gtest.h>

#include <cmath>

#include "models/bio/tripartite_batch.hpp"
#include "models/sweep/sweep_config.hpp"
#include "tests/cuda/require_device.hpp"

namespace glia::sweep {

TEST(SweepCuda, ChunkMatchesCpu) {
  GLIA_REQUIRE_CUDA_DEVICE();
  const nlohmann::json c = {{"model", "tripartite"},
                            {"parameter_set", "single_astrocyte"},
                            {"duration", 10.0},
                            {"dt", 1e-3},
                            {"transient", 1.0},
                            {"parameters", {{"alpha", 1.0}}},
                            {"design",
                             {{"grid",
                               {{"O_beta", {1.0, 2.0, 3.0, 4.0, 5.0}},
                                {"rate", {0.5, 1.0, 2.0, 4.0, 8.0}},
                                {"feedback", {0, 1}},
                                {"seed", {1, 2, 3, 4}}}}}},
                            {"summaries",
                             {"C.mean", "C.max", "C.frequency", "C.amplitude", "C.events", "U_0.mean",
                              "release_probability", "spike_count"}},
                            {"traces", {{"variants", {0, 77, 199}}, {"dt", 0.05}}}};
  const SweepSpec s = parse_sweep_config(c);
  std::vector<std::uint64_t> all;
  for (std::uint64_t v = 0; v < s.design.size(); ++v) all.push_back(v);
  std::vector<std::int64_t> rows;
  const bio::TripartiteChunkInput in = chunk_input(s, all, rows);
  const bio::TripartiteChunkOutput cpu = bio::run_tripartite_chunk_cpu(in, 0),
                                   gpu = bio::run_tripartite_chunk_cuda(in);
  ASSERT_EQ(cpu.status, gpu.status);
  ASSERT_EQ(cpu.summaries.size(), gpu.summaries.size());
  const std::size_t n = all.size();
  for (std::size_t q = 0; q < s.summaries.size(); ++q)
    for (std::size_t v = 0; v < n; ++v) {
      const double a = cpu.summaries[q * n + v], b = gpu.summaries[q * n + v];
      if (std::isnan(a)) {
        ASSERT_TRUE(std::isnan(b)) << s.summaries[q].name << " variant " << v;
      } else {
        ASSERT_NEAR(a, b, 1e-9 * (1.0 + std::fabs(a))) << s.summaries[q].name << " variant " << v;
      }
    }
  ASSERT_EQ(cpu.traces.size(), gpu.traces.size());
  for (std::size_t k = 0; k < cpu.traces.size(); ++k) ASSERT_NEAR(cpu.traces[k], gpu.traces[k], 1e-9) << k;
}

}  // namespace glia::sweep
