// CPU versus CUDA for a tripartite preset sweep (network configs on the network engine's two backends): the
// same variants give the same status and, to rounding, the same summaries and traces.
#include <gtest/gtest.h>

#include <cmath>

#include "models/sweep/sweep_run.hpp"
#include "tests/cuda/require_device.hpp"

namespace glia::sweep {

TEST(SweepCuda, PresetSweepMatchesCpu) {
  GLIA_REQUIRE_CUDA_DEVICE();
  nlohmann::json c = {
      {"model", "tripartite"},
      {"parameter_set", "single_astrocyte"},
      {"duration", 10.0},
      {"dt", 1e-3},
      {"transient", 1.0},
      {"parameters", {{"alpha", 1.0}}},
      {"design",
       {{"grid",
         {{"O_beta", {1.0, 3.0, 5.0}}, {"rate", {0.5, 2.0, 8.0}}, {"feedback", {0, 1}}, {"seed", {1, 2}}}}}},
      {"summaries",
       {"C.mean", "C.max", "C.frequency", "C.amplitude", "C.events", "U_0.mean", "release_probability",
        "spike_count"}},
      {"traces", {{"variants", {0, 17, 35}}, {"dt", 0.05}}}};
  const SweepOutcome cpu = run_sweep(parse_sweep_config(c), SweepOptions{});
  c["device"] = "cuda";
  const SweepOutcome gpu = run_sweep(parse_sweep_config(c), SweepOptions{});
  ASSERT_EQ(cpu.status, gpu.status);
  ASSERT_EQ(cpu.summaries.size(), gpu.summaries.size());
  for (std::size_t k = 0; k < cpu.summaries.size(); ++k) {
    const double a = cpu.summaries[k], b = gpu.summaries[k];
    if (std::isnan(a)) {
      ASSERT_TRUE(std::isnan(b)) << k;
    } else {
      ASSERT_NEAR(a, b, 1e-9 * (1.0 + std::fabs(a))) << k;
    }
  }
  ASSERT_EQ(cpu.traces.size(), gpu.traces.size());
  for (std::size_t k = 0; k < cpu.traces.size(); ++k) ASSERT_NEAR(cpu.traces[k], gpu.traces[k], 1e-9) << k;
}

}  // namespace glia::sweep
