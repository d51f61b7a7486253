// CPU versus CUDA: the same spec must give identical spikes and states to rounding.
#include <gtest/gtest.h>

#include <cmath>

#include "models/bio/driven_synapses.hpp"
#include "tests/cuda/require_device.hpp"

namespace glia::bio {

namespace {

DrivenSynapsesSpec spec_for(sim::SourceKind kind, std::uint32_t n) {
  DrivenSynapsesSpec s;
  s.n = n;
  s.dt = 1e-4;
  s.n_steps = 10000;
  s.source = sim::SpikeSourceParams{kind, 25.0, 0.0, 2024, 1};
  s.tm = TsodyksMarkramParams{0.2, 0.5, 0.3};
  for (std::uint32_t i = 0; i < n; i += 7) s.state_indices.push_back(i);
  s.state_every = 10;
  return s;
}

void expect_same(const DrivenSynapsesRecord& cpu, const DrivenSynapsesRecord& gpu) {
  ASSERT_EQ(cpu.spike_i, gpu.spike_i);
  ASSERT_EQ(cpu.spike_t, gpu.spike_t);
  ASSERT_EQ(cpu.spike_r.size(), gpu.spike_r.size());
  for (std::size_t k = 0; k < cpu.spike_r.size(); ++k)
    ASSERT_NEAR(cpu.spike_r[k], gpu.spike_r[k], 1e-12) << k;
  ASSERT_EQ(cpu.u.size(), gpu.u.size());
  for (std::size_t k = 0; k < cpu.u.size(); ++k) {
    ASSERT_NEAR(cpu.u[k], gpu.u[k], 1e-12) << k;
    ASSERT_NEAR(cpu.x[k], gpu.x[k], 1e-12) << k;
  }
  EXPECT_EQ(cpu.state_t, gpu.state_t);
}
}  // namespace

TEST(DrivenSynapsesCuda, PoissonMatchesCpu) {
  GLIA_REQUIRE_CUDA_DEVICE();
  const auto s = spec_for(sim::SourceKind::poisson, 5000);
  expect_same(run_driven_synapses_cpu(s), run_driven_synapses_cuda(s));
}

TEST(DrivenSynapsesCuda, RegularMatchesCpu) {
  GLIA_REQUIRE_CUDA_DEVICE();
  const auto s = spec_for(sim::SourceKind::regular, 300);
  expect_same(run_driven_synapses_cpu(s), run_driven_synapses_cuda(s));
}

// A spike buffer far too small for the run must be detected and the run repeated.
TEST(DrivenSynapsesCuda, OverflowingSpikeBufferIsRerun) {
  GLIA_REQUIRE_CUDA_DEVICE();
  const auto s = spec_for(sim::SourceKind::poisson, 2000);
  expect_same(run_driven_synapses_cpu(s), run_driven_synapses_cuda(s, {}, 16));
}

}  // namespace glia::bio
