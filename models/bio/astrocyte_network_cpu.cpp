#include "models/bio/astrocyte_network.hpp"

namespace glia::bio {

void ring_neighbours(std::int64_t n, std::vector<std::int64_t>& row_ptr,
                     std::vector<std::uint32_t>& neighbours) {
  row_ptr.assign(1, 0);
  neighbours.clear();
  for (std::int64_t a = 0; a < n; ++a) {
    if (n > 1) neighbours.push_back(static_cast<std::uint32_t>((a + n - 1) % n));
    if (n > 2) neighbours.push_back(static_cast<std::uint32_t>((a + 1) % n));
    row_ptr.push_back(static_cast<std::int64_t>(neighbours.size()));
  }
}

AstrocyteNetworkResult run_astrocyte_network_cpu(const AstrocyteNetworkSpec& spec) {
  const auto n = static_cast<std::int64_t>(spec.Y_S.size());
  std::vector<double> state(static_cast<std::size_t>(n * kGChIVars));
  for (std::int64_t a = 0; a < n; ++a)
    for (int i = 0; i < kGChIVars; ++i) state[static_cast<std::size_t>(a * kGChIVars + i)] = spec.initial[i];
  std::vector<double> J(static_cast<std::size_t>(n));
  AstrocyteNetworkResult r;
  auto record = [&](std::int64_t step) {
    r.t.push_back(static_cast<double>(step) * spec.dt);
    for (std::int64_t a = 0; a < n; ++a) {
      r.C.push_back(state[static_cast<std::size_t>(a * kGChIVars + kCa)]);
      r.I.push_back(state[static_cast<std::size_t>(a * kGChIVars + kIP3)]);
    }
  };
  record(0);
  for (std::int64_t step = 0; step < spec.n_steps; ++step) {
    // Fluxes from every astrocyte's state at the step start, then every astrocyte's step.
#pragma omp parallel for schedule(static) if (n >= 4096)
    for (std::int64_t a = 0; a < n; ++a)
      J[static_cast<std::size_t>(a)] =
          ip3_coupling_flux(spec.coupling, spec.row_ptr.data(), spec.neighbours.data(), state.data(), a);
    const double t = static_cast<double>(step) * spec.dt;
#pragma omp parallel for schedule(static) if (n >= 4096)
    for (std::int64_t a = 0; a < n; ++a) {
      const auto k = static_cast<std::size_t>(a);
      astrocyte_network_step(spec.params, spec.bias, spec.I_bias[k], spec.Y_S[k], J[k], spec.method, t,
                             spec.dt, state.data() + a * kGChIVars);
    }
    if ((step + 1) % spec.record_every == 0) record(step + 1);
  }
  return r;
}

}  // namespace glia::bio
