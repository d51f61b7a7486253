#include <cmath>

#include "engine/core/error.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/sim/step_config.hpp"
#include "models/bio/astrocyte_network.hpp"
#include "models/bio/parameter_tables.hpp"

namespace glia::bio {

AstrocyteNetworkSpec build_astrocyte_network(const AstrocyteNetworkArrays& a) {
  AstrocyteNetworkSpec s;
  const auto n = static_cast<std::int64_t>(a.Y_S.size());
  if (n < 1) throw ConfigError("n", "0", "the network has no astrocytes");
  for (const auto& [name, value] : a.params) {
    const auto* f = find_param(gchi_fields(), name);
    if (!f) throw ConfigError("params." + name, io::number_text(value), "unknown parameter of gchi");
    s.params.*(f->member) = io::check_positive("params." + name, value, f->unit);
  }
  if (static_cast<std::int64_t>(a.I_bias.size()) != n)
    throw ConfigError("I_bias", std::to_string(a.I_bias.size()) + " values", "expected one per astrocyte");
  for (std::int64_t k = 0; k < n; ++k) {
    const std::string idx = "[" + std::to_string(k) + "]";
    s.Y_S.push_back(io::check_non_negative("Y_S" + idx, a.Y_S[static_cast<std::size_t>(k)], "µM"));
    s.I_bias.push_back(io::check_non_negative("I_bias" + idx, a.I_bias[static_cast<std::size_t>(k)], "µM"));
  }
  if (static_cast<std::int64_t>(a.row_ptr.size()) != n + 1 || a.row_ptr.front() != 0 ||
      a.row_ptr.back() != static_cast<std::int64_t>(a.neighbours.size()))
    throw ConfigError("edges", std::to_string(a.row_ptr.size()) + " row pointers",
                      "expected a CSR of n + 1 row pointers from 0 to the number of neighbours");
  for (std::size_t k = 1; k < a.row_ptr.size(); ++k)
    if (a.row_ptr[k] < a.row_ptr[k - 1])
      throw ConfigError("edges.row_ptr[" + std::to_string(k) + "]", std::to_string(a.row_ptr[k]),
                        "must not decrease");
  for (std::size_t k = 0; k < a.neighbours.size(); ++k) {
    const std::int64_t j = a.neighbours[k];
    if (j < 0 || j >= n)
      throw ConfigError("edges.neighbours[" + std::to_string(k) + "]", std::to_string(j),
                        "out of range [0, " + std::to_string(n) + ")");
    s.neighbours.push_back(static_cast<std::uint32_t>(j));
  }
  s.row_ptr = a.row_ptr;
  s.coupling.F = io::check_non_negative("coupling.F", a.coupling.F, "µM/s");
  s.coupling.I_Theta = io::check_non_negative("coupling.I_Theta", a.coupling.I_Theta, "µM");
  s.coupling.omega_I = io::check_positive("coupling.omega_I", a.coupling.omega_I, "µM");
  s.bias.F_ex = io::check_non_negative("bias.F_ex", a.bias.F_ex, "µM/s");
  s.bias.I_Theta = io::check_non_negative("bias.I_Theta", a.bias.I_Theta, "µM");
  s.bias.omega_I = io::check_positive("bias.omega_I", a.bias.omega_I, "µM");
  s.bias.period = io::check_non_negative("bias.period", a.bias.period, "s");
  s.bias.on = io::check_non_negative("bias.on", a.bias.on, "s");
  const char* names[kGChIVars] = {"Gamma_A", "I", "C", "h"};
  for (const auto& [name, value] : a.initial) {
    int i = 0;
    while (i < kGChIVars && name != names[i]) ++i;
    if (i == kGChIVars)
      throw ConfigError("initial." + name, io::number_text(value), "unknown variable (Gamma_A, I, C, h)");
    const double hi = i == kCa ? s.params.C_T / (1.0 + s.params.rho_A) : (i == kIP3 ? 1e300 : 1.0);
    s.initial[i] = io::check_in_range("initial." + name, value, 0.0, false, hi, "");
  }
  s.dt = io::check_positive("dt", a.dt, "s");
  s.n_steps = sim::whole_steps("duration", io::check_positive("duration", a.duration, "s"), s.dt);
  s.record_every = sim::whole_steps("record_dt", a.record_dt > 0 ? a.record_dt : s.dt, s.dt);
  s.method = sim::fixed_step_method("method", a.method);
  return s;
}

}  // namespace glia::bio
