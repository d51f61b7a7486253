// CPU versus CUDA for the G-ChI ensemble: same variants, results equal to rounding.
#include <gtest/gtest.h>

#include <cmath>

#include "models/bio/gchi_ensemble.hpp"
#include "tests/cuda/require_device.hpp"

namespace glia::bio {

TEST(GChIEnsembleCuda, MatchesCpu) {
  GLIA_REQUIRE_CUDA_DEVICE();
  GChIEnsembleSpec s;
  for (int v = 0; v < 1000; ++v) {
    GChIParams p = gchi_single_astrocyte_params();
    p.O_beta = 1.0 + 0.005 * v;
    s.params.push_back(p);
    s.Y_S.push_back(0.05 + 0.001 * v);
    s.J_ex.push_back(0.0);
    s.initial.push_back({0.0, 0.1, 0.05, 0.9});
  }
  s.Y_S[999] = 500.0;  // fails under Euler at this step: status must agree too
  s.dt = 2e-3;
  s.n_steps = 5000;
  s.method = sim::FixedStepMethod::euler;
  s.record = {0, 500, 999};
  s.record_every = 50;
  const GChIEnsembleResult cpu = run_gchi_ensemble_cpu(s), gpu = run_gchi_ensemble_cuda(s);
  ASSERT_EQ(cpu.status, gpu.status);
  ASSERT_EQ(cpu.C_crossings, gpu.C_crossings);
  for (std::size_t v = 0; v < s.params.size(); ++v)
    for (int i = 0; i < kGChIVars; ++i) ASSERT_NEAR(cpu.final_state[v][i], gpu.final_state[v][i], 1e-12) << v;
  ASSERT_EQ(cpu.traces.size(), gpu.traces.size());
  for (std::size_t k = 0; k < cpu.traces.size(); ++k) {
    if (std::isnan(cpu.traces[k])) {
      ASSERT_TRUE(std::isnan(gpu.traces[k])) << k;
    } else {
      ASSERT_NEAR(cpu.traces[k], gpu.traces[k], 1e-12) << k;
    }
  }
}

}  // namespace glia::bio
