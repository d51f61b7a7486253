#pragma once
// Single-cell integration of the astrocyte models: one instance, a chosen integrator
// (Euler, RK2, RK4 fixed step, or adaptive Dormand–Prince for reference runs), sampled on
// a regular grid. Used for validation against SciPy and Brian 2, and by glia.integrate_cell.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace glia::bio {

struct CellTrace {
  std::string model;
  std::vector<std::string> variables;  // column names, e.g. Gamma_A, I, C, h
  std::vector<double> t;               // s, sample times including 0 and the duration
  std::vector<double> values;          // [sample][variable]
  std::int64_t rhs_evaluations = 0;    // cost, for fixed-step methods
  nlohmann::json resolved;             // the effective configuration
};

// Configuration (all keys documented in README.md, "Single-cell integration"):
//   model "gchi" | "li_rinzel"; parameter_set (gchi: "network" | "single_astrocyte");
//   params {name: value}; initial {variable: value}; input (gchi): Y_S (µM), J_ex (µM/s),
//   Y_S_pulses {times, amount, Omega_c}, IP3_bias_coupling {I_bias, F_ex, I_Theta, omega_I};
//   duration, sample_dt (s); method "euler" | "rk2" | "rk4" | "dopri5" | "euler_maruyama" |
//   "milstein"; dt (fixed step, s); rtol, atol (dopri5); noise {sigma, seed} (stochastic).
// Throws ConfigError for bad input and RuntimeError (naming model, variable, value and time)
// if the state leaves the model's bounds or turns non-finite.
CellTrace integrate_cell(const nlohmann::json& config);

}  // namespace glia::bio
