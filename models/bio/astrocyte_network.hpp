#pragma once
// G-ChI astrocytes coupled by IP3 gap junctions (BIOPHYSICS.md §3, "IP3 gap-junction coupling"),
// with an optional exogenous IP3 bias per astrocyte switched on periodically (Stimberg et al.
// example 5, the Ca2+ wave on a ring). Coupling fluxes are computed from the IP3 levels at the
// start of each step and held over the step: the exchange happens on the astrocyte clock's ticks,
// as it does between groups of a network (and as Brian's summed variables do).
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/core/hostdevice.hpp"
#include "engine/sim/fixed_step.hpp"
#include "models/bio/astrocyte_gchi.hpp"

namespace glia::bio {

struct IP3CouplingParams {
  double F = 0.09;        // µM/s, gap-junction IP3 permeability (2 µM/s for regenerative waves)
  double I_Theta = 0.3;   // µM, threshold gradient for IP3 diffusion
  double omega_I = 0.05;  // µM, scaling of the diffusion
};

// Exogenous IP3 towards a clamped level I_bias, on for `on` seconds of every `period`.
struct IP3BiasParams {
  double F_ex = 0.09;     // µM/s
  double I_Theta = 0.3;   // µM
  double omega_I = 0.05;  // µM
  double period = 0.0;    // s; 0 = always on
  double on = 0.0;        // s
};

struct AstrocyteNetworkSpec {
  GChIParams params;  // shared by all astrocytes
  IP3CouplingParams coupling;
  IP3BiasParams bias;
  std::vector<double> I_bias;         // µM, per astrocyte (0 with F_ex > 0 drains IP3 above I_Theta)
  std::vector<double> Y_S;            // µM, constant glutamate per astrocyte
  std::vector<std::int64_t> row_ptr;  // CSR of gap-junction neighbours, n + 1 entries
  std::vector<std::uint32_t> neighbours;
  std::array<double, kGChIVars> initial{0.0, 0.0, 0.0, 0.9};
  double dt = 0.05;
  std::int64_t n_steps = 0;
  sim::FixedStepMethod method = sim::FixedStepMethod::rk4;
  std::int64_t record_every = 1;
};

struct AstrocyteNetworkResult {
  std::vector<double> t;     // s, samples 0 .. n_steps / record_every
  std::vector<double> C, I;  // [sample][astrocyte], µM
};

// Net IP3 flux into astrocyte `a` from its neighbours, from the IP3 levels `I` (stride kGChIVars).
GLIA_HD inline double ip3_coupling_flux(const IP3CouplingParams& c, const std::int64_t* row_ptr,
                                        const std::uint32_t* neighbours, const double* state,
                                        std::int64_t a) {
  double j = 0.0;
  const double I_a = state[a * kGChIVars + kIP3];
  for (std::int64_t k = row_ptr[a]; k < row_ptr[a + 1]; ++k)
    j += gchi_ip3_coupling(I_a, state[static_cast<std::int64_t>(neighbours[k]) * kGChIVars + kIP3], c.F,
                           c.I_Theta, c.omega_I);
  return j;
}

// One step of astrocyte `a` from t, with the coupling flux `J_coupling` held over the step.
GLIA_HD inline void astrocyte_network_step(const GChIParams& p, const IP3BiasParams& b, double I_bias,
                                           double Y_S, double J_coupling, sim::FixedStepMethod method,
                                           double t, double dt, double* y) {
  const auto rhs = [&](double ts, const double* s, double* d) {
    const bool on = b.period <= 0.0 || fmod(ts, b.period) < b.on;
    const double J_bias = gchi_ip3_coupling(s[kIP3], on ? I_bias : 0.0, b.F_ex, b.I_Theta, b.omega_I);
    gchi_rhs(p, Y_S, J_coupling + J_bias, s, d);
  };
  sim::fixed_step<kGChIVars>(method, rhs, t, y, dt);
}

AstrocyteNetworkResult run_astrocyte_network_cpu(const AstrocyteNetworkSpec& spec);
// Defined in cuda/astrocyte_network.cu; only present when glia is built with CUDA.
AstrocyteNetworkResult run_astrocyte_network_cuda(const AstrocyteNetworkSpec& spec);

// CSR of a ring of n astrocytes, each coupled to its two neighbours.
void ring_neighbours(std::int64_t n, std::vector<std::int64_t>& row_ptr,
                     std::vector<std::uint32_t>& neighbours);

}  // namespace glia::bio

namespace glia::bio {

// An astrocyte network as a front end describes it; build_astrocyte_network() checks it and
// throws ConfigError naming the field (and astrocyte index).
struct AstrocyteNetworkArrays {
  std::map<std::string, double> params;  // G-ChI overrides of the network set, by name
  std::vector<std::int64_t> row_ptr;
  std::vector<std::int64_t> neighbours;
  IP3CouplingParams coupling;
  IP3BiasParams bias;
  std::vector<double> I_bias, Y_S;        // one per astrocyte
  std::map<std::string, double> initial;  // Gamma_A, I, C, h
  double duration = 0.0, dt = 0.0, record_dt = 0.0;
  std::string method = "rk4";
};

AstrocyteNetworkSpec build_astrocyte_network(const AstrocyteNetworkArrays& a);

}  // namespace glia::bio
