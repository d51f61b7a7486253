// CPU versus CUDA for IP3-coupled astrocyte networks.
#include <gtest/gtest.h>

#include "models/bio/astrocyte_network.hpp"
#include "tests/cuda/require_device.hpp"

namespace glia::bio {

TEST(AstrocyteNetworkCuda, RingMatchesCpu) {
  GLIA_REQUIRE_CUDA_DEVICE();
  AstrocyteNetworkSpec s;
  const int n = 300;
  ring_neighbours(n, s.row_ptr, s.neighbours);
  s.params.O_delta = 0.6;
  s.I_bias.assign(n, 0.0);
  s.I_bias[n / 2] = 1.0;
  s.Y_S.assign(n, 0.0);
  s.bias = IP3BiasParams{0.09, 0.3, 0.05, 50.0, 20.0};
  s.dt = 0.05;
  s.n_steps = 2000;  // 100 s: short of the chaotic divergence
  s.record_every = 20;
  const AstrocyteNetworkResult cpu = run_astrocyte_network_cpu(s), gpu = run_astrocyte_network_cuda(s);
  ASSERT_EQ(cpu.C.size(), gpu.C.size());
  for (std::size_t k = 0; k < cpu.C.size(); ++k) {
    ASSERT_NEAR(cpu.C[k], gpu.C[k], 1e-10) << k;
    ASSERT_NEAR(cpu.I[k], gpu.I[k], 1e-10) << k;
  }
}

}  // namespace glia::bio
