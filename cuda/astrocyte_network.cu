// CUDA runner of IP3-coupled astrocyte networks: per step, one kernel computes every coupling
// flux from the step-start state, a second advances every astrocyte; both call the functions
// the CPU runner calls.
#include <vector>

#include "cuda/check.cuh"
#include "models/bio/astrocyte_network.hpp"

namespace glia::bio {

namespace {

__global__ void coupling_kernel(IP3CouplingParams c, const std::int64_t* row_ptr,
                                const std::uint32_t* neighbours, const double* state, double* J,
                                std::int64_t n) {
  const std::int64_t a = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (a < n) J[a] = ip3_coupling_flux(c, row_ptr, neighbours, state, a);
}

__global__ void step_kernel(GChIParams p, IP3BiasParams b, const double* I_bias, const double* Y_S,
                            const double* J, sim::FixedStepMethod method, double t, double dt, double* state,
                            std::int64_t n) {
  const std::int64_t a = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (a < n) astrocyte_network_step(p, b, I_bias[a], Y_S[a], J[a], method, t, dt, state + a * kGChIVars);
}

__global__ void record_kernel(const double* state, double* C, double* I, std::int64_t n) {
  const std::int64_t a = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (a < n) {
    C[a] = state[a * kGChIVars + kCa];
    I[a] = state[a * kGChIVars + kIP3];
  }
}

}  // namespace

AstrocyteNetworkResult run_astrocyte_network_cuda(const AstrocyteNetworkSpec& spec) {
  const auto n = static_cast<std::int64_t>(spec.Y_S.size());
  const auto un = static_cast<std::size_t>(n);
  const std::int64_t n_samples = spec.n_steps / spec.record_every + 1;
  std::vector<double> state(un * kGChIVars);
  for (std::size_t a = 0; a < un; ++a)
    for (int i = 0; i < kGChIVars; ++i) state[a * kGChIVars + i] = spec.initial[i];

  cuda::DeviceBuffer<double> d_state(state.size()), d_J(un), d_I_bias(un), d_Y_S(un);
  cuda::DeviceBuffer<double> d_C(static_cast<std::size_t>(n_samples) * un),
      d_I(static_cast<std::size_t>(n_samples) * un);
  cuda::DeviceBuffer<std::int64_t> d_row_ptr(spec.row_ptr.size());
  cuda::DeviceBuffer<std::uint32_t> d_neighbours(spec.neighbours.size());
  d_state.upload(state.data());
  d_I_bias.upload(spec.I_bias.data());
  d_Y_S.upload(spec.Y_S.data());
  d_row_ptr.upload(spec.row_ptr.data());
  d_neighbours.upload(spec.neighbours.data());

  constexpr int kBlock = 128;
  const auto grid = static_cast<unsigned>((n + kBlock - 1) / kBlock);
  record_kernel<<<grid, kBlock>>>(d_state.get(), d_C.get(), d_I.get(), n);
  for (std::int64_t step = 0; step < spec.n_steps; ++step) {
    coupling_kernel<<<grid, kBlock>>>(spec.coupling, d_row_ptr.get(), d_neighbours.get(), d_state.get(),
                                      d_J.get(), n);
    step_kernel<<<grid, kBlock>>>(spec.params, spec.bias, d_I_bias.get(), d_Y_S.get(), d_J.get(), spec.method,
                                  static_cast<double>(step) * spec.dt, spec.dt, d_state.get(), n);
    if ((step + 1) % spec.record_every == 0) {
      const std::int64_t row = (step + 1) / spec.record_every;
      record_kernel<<<grid, kBlock>>>(d_state.get(), d_C.get() + row * n, d_I.get() + row * n, n);
    }
  }
  cuda::check(cudaGetLastError(), "astrocyte network kernels");
  cuda::check(cudaDeviceSynchronize(), "astrocyte network kernels");

  AstrocyteNetworkResult r;
  for (std::int64_t s = 0; s < n_samples; ++s)
    r.t.push_back(static_cast<double>(s * spec.record_every) * spec.dt);
  r.C.resize(d_C.size());
  r.I.resize(d_I.size());
  d_C.download(r.C.data());
  d_I.download(r.I.data());
  return r;
}

}  // namespace glia::bio
