#pragma once
// Rate neuron of the neuron–astrocyte networks (BIOPHYSICS.md §1; Kozachkov et al. 2023):
//   tau_n dx_i/dt = -lambda x_i + sum_j w_ij theta(x_j) + b_i(t),
// x a dimensionless activity, theta a nonlinearity (identity, tanh, elu + 1, relu) and b an
// external drive (clamping a population to a token's features). The engine sums the recurrent
// input; the functions here take the total input u = sum_j w_ij theta(x_j) + b_i.
//
// Two ways to step:
// - rate_neuron_step_exact: the linear part exactly, with u held at its value at the start of
//   the step (exponential Euler). Exact for constant input; first order when u changes within the
//   step (through b(t) or the other neurons).
// - rate_neuron_step: forward Euler, RK2 or RK4 (engine/sim/fixed_step.hpp) with u re-evaluated
//   at every stage from a callable u(t, x), for inputs known in closed form or self-coupling.
// Coupled populations are stepped as one system by their runner (neuron_astrocyte_network.cpp).
#include <cmath>
#include <string>

#include "engine/core/error.hpp"
#include "engine/core/hostdevice.hpp"
#include "engine/sim/fixed_step.hpp"
#include "models/bio/exact_relaxation.hpp"

namespace glia::bio {

enum class RateNonlinearity { identity, tanh, elu_plus_one, relu };

struct RateNeuronParams {
  double tau_n = 10e-3;  // s, time constant, > 0 (fast against the synaptic 1 s and the process seconds)
  double lambda = 1.0;   // leak (dimensionless), >= 0; 0 makes the neuron a pure integrator
  RateNonlinearity theta = RateNonlinearity::tanh;  // bounded: keeps Hebbian growth finite
};

struct RateNeuronState {
  double x = 0.0;  // activity (dimensionless)
};

// theta(x). elu(x) + 1 is x + 1 for x > 0 and e^x otherwise: positive, smooth at 0 (the feature
// map of linear attention, Katharopoulos et al. 2020).
GLIA_HD inline double rate_theta(RateNonlinearity f, double x) {
  switch (f) {
    case RateNonlinearity::identity:
      return x;
    case RateNonlinearity::tanh:
      return tanh(x);
    case RateNonlinearity::elu_plus_one:
      return x > 0.0 ? x + 1.0 : exp(x);
    case RateNonlinearity::relu:
      return x > 0.0 ? x : 0.0;
  }
  return x;
}

// dx/dt (1/s) at activity x and total input u.
GLIA_HD inline double rate_neuron_rhs(const RateNeuronParams& p, double x, double u) {
  return (-p.lambda * x + u) / p.tau_n;
}

// One step of dt with the input u held over the step (see the header comment).
GLIA_HD inline void rate_neuron_step_exact(const RateNeuronParams& p, RateNeuronState& s, double u,
                                           double dt) {
  s.x = relax_exact(s.x, p.lambda, u, p.tau_n, dt);
}

// One fixed step of dt from t; `input(t, x)` gives the total input u at a stage.
template <class Input>
GLIA_HD inline void rate_neuron_step(sim::FixedStepMethod method, const RateNeuronParams& p,
                                     RateNeuronState& s, double t, double dt, const Input& input) {
  const auto rhs = [&](double ts, const double* y, double* d) {
    d[0] = rate_neuron_rhs(p, y[0], input(ts, y[0]));
  };
  sim::fixed_step<1>(method, rhs, t, &s.x, dt);
}

// "identity", "tanh", "elu+1" or "relu"; ConfigError(field) otherwise.
inline RateNonlinearity rate_nonlinearity(const std::string& field, const std::string& name) {
  if (name == "identity") return RateNonlinearity::identity;
  if (name == "tanh") return RateNonlinearity::tanh;
  if (name == "elu+1") return RateNonlinearity::elu_plus_one;
  if (name == "relu") return RateNonlinearity::relu;
  throw ConfigError(field, "\"" + name + "\"", "expected \"identity\", \"tanh\", \"elu+1\" or \"relu\"");
}

// The name rate_nonlinearity reads.
inline const char* rate_nonlinearity_name(RateNonlinearity f) {
  switch (f) {
    case RateNonlinearity::identity:
      return "identity";
    case RateNonlinearity::tanh:
      return "tanh";
    case RateNonlinearity::elu_plus_one:
      return "elu+1";
    case RateNonlinearity::relu:
      return "relu";
  }
  return "tanh";
}

}  // namespace glia::bio
