#pragma once
// The tripartite unit's parameters by name, with ranges and units: what sweep configs and
// designs may set. Model "tripartite" (synapse-driven astrocyte, optional gliotransmitter
// feedback) and model "gchi" (the bare astrocyte under constant glutamate Y_S).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/sim/design.hpp"
#include "models/bio/astrocyte_gchi.hpp"
#include "models/bio/gliotransmission.hpp"
#include "models/bio/tsodyks_markram.hpp"

namespace glia::bio {

// Variables of the unit; U_0 is derived (the release probability in force). The first kGChIVars are the
// bare astrocyte's.
enum TripartiteVar : std::int32_t {
  kTGammaA = 0,
  kTI = 1,
  kTC = 2,
  kTh = 3,
  kTGammaS = 4,
  kTu = 5,
  kTx = 6,
  kTY_S = 7,
  kTx_A = 8,
  kTG_A = 9,
  kTStateVars = 10,
  kTU_0 = 10,
  kTVariables = 11
};

inline const char* tripartite_variable_name(int v) {
  constexpr const char* names[kTVariables] = {"Gamma_A", "I",   "C",   "h",   "Gamma_S", "u",
                                              "x",       "Y_S", "x_A", "G_A", "U_0"};
  return names[v];
}

// Parameters of one variant. tm.U is the release probability without gliotransmission (U_0*).
struct TripartiteParams {
  GChIParams gchi;
  TsodyksMarkramParams tm;
  SynapticGlutamateParams glu;
  GliotransmitterReleaseParams glio;
  PresynapticGliotransmitterParams pre;
  double J_ex = 0.0;      // µM/s, constant external IP3 flux
  double rate = 0.0;      // Hz, presynaptic rate
  double seed = 0.0;      // seed of the Poisson train (a whole number)
  double feedback = 0.0;  // 1: Gamma_S sets the release probability; 0: it does not
  // Initial state (Gamma_S and Y_S start at 0: synapses without glutamate, receptors at rest); for the bare
  // astrocyte, initial[kTY_S] is its constant glutamate Y_S.
  double initial[kTStateVars] = {0.0, 0.0, 0.0, 0.9, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0};
};

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
// synapse, rate <= 1/dt (Poisson: at most one spike per step) or <= 1/(2 dt) (a regular train). Returns
// false and fills name/reason for the first violated one.
bool tripartite_cross_check(const TripartiteParams& p, double dt, bool synapse, bool regular,
                            std::string& name, std::string& reason);

}  // namespace glia::bio
