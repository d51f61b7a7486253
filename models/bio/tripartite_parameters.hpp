#pragma once
// The tripartite unit's parameters by name, with ranges and units: what sweep configs and
// designs may set. Model "tripartite" (synapse-driven astrocyte, optional gliotransmitter
// feedback) and model "gchi" (the bare astrocyte under constant glutamate Y_S).
#include <functional>
#include <string>
#include <vector>

#include "engine/sim/design.hpp"
#include "models/bio/tripartite_unit.hpp"

namespace glia::bio {

struct TripartiteParameter {
  sim::DesignParameter spec;  // name, accepted range, whole numbers only, unit
  std::function<double&(TripartiteParams&)> ref;
};

// Parameters of `model` ("tripartite" or "gchi"); ConfigError(field) for another model name.
const std::vector<TripartiteParameter>& tripartite_parameters(const std::string& model,
                                                              const std::string& field = "model");
const TripartiteParameter* find_tripartite_parameter(const std::string& model, const std::string& name);

// Defaults: G-ChI from `parameter_set` ("network", Stimberg et al. Fig. 6, or "single_astrocyte",
// Fig. 2); synapse as Stimberg et al. (U 0.6, tau_rec 0.5 s, tau_fac 0.3 s); glutamate,
// gliotransmitter release and presynaptic receptors as in gliotransmission.hpp; no feedback.
TripartiteParams tripartite_defaults(const std::string& parameter_set, const std::string& field);

// Limits that involve several parameters or the step: initial C <= C_T / (1 + rho_A) and, with a
// synapse, rate <= 1/dt. Returns false and fills name/reason for the first violated one.
bool tripartite_cross_check(const TripartiteParams& p, double dt, bool synapse, std::string& name,
                            std::string& reason);

// The per-step constants of a variant (model "gchi": no clearance, Y_S stays constant).
TripartiteVariant make_tripartite_variant(const TripartiteParams& p, double dt, bool synapse);

}  // namespace glia::bio
