#include "models/bio/tripartite_parameters.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include "engine/core/error.hpp"
#include "models/bio/parameter_tables.hpp"

namespace glia::bio {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// A limit for a message, to 6 significant digits ("1000", "1.69492").
std::string short_text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

TripartiteParameter param(const char* name, double lo, bool lo_open, double hi, const char* unit,
                          std::function<double&(TripartiteParams&)> ref, bool integer = false) {
  sim::DesignParameter d;
  d.name = name;
  d.lo = lo;
  d.lo_open = lo_open;
  d.hi = hi;
  d.integer = integer;
  d.unit = unit;
  return TripartiteParameter{d, std::move(ref)};
}

void add_gchi(std::vector<TripartiteParameter>& out) {
  for (const auto& f : gchi_fields()) {
    const auto member = f.member;
    out.push_back(param(f.name, 0.0, true, kInf, f.unit,
                        [member](TripartiteParams& p) -> double& { return p.gchi.*member; }));
  }
  out.push_back(
      param("J_ex", -kInf, false, kInf, "µM/s", [](TripartiteParams& p) -> double& { return p.J_ex; }));
}

void add_initial(std::vector<TripartiteParameter>& out, int var, double hi, const char* unit) {
  static const char* names[kTStateVars] = {
      "initial.Gamma_A", "initial.I", "initial.C", "initial.h",   "",
      "initial.u",       "initial.x", "",          "initial.x_A", "initial.G_A"};
  out.push_back(param(names[var], 0.0, false, hi, unit,
                      [var](TripartiteParams& p) -> double& { return p.initial[var]; }));
}

std::vector<TripartiteParameter> make_gchi() {
  std::vector<TripartiteParameter> out;
  add_gchi(out);
  out.push_back(
      param("Y_S", 0.0, false, kInf, "µM", [](TripartiteParams& p) -> double& { return p.initial[kTY_S]; }));
  // The Ca2+ level whose upward crossings are release events (default threshold of C summaries).
  out.push_back(param("C_Theta", 0.0, false, kInf, "µM",
                      [](TripartiteParams& p) -> double& { return p.glio.C_Theta; }));
  add_initial(out, kTGammaA, 1.0, "");
  add_initial(out, kTI, kInf, "µM");
  add_initial(out, kTC, kInf, "µM");
  add_initial(out, kTh, 1.0, "");
  return out;
}

std::vector<TripartiteParameter> make_tripartite() {
  using P = TripartiteParams;
  std::vector<TripartiteParameter> out;
  add_gchi(out);
  // presynaptic input
  out.push_back(param("rate", 0.0, false, kInf, "Hz", [](P& p) -> double& { return p.rate; }));
  out.push_back(param(
      "seed", 0.0, false, 9007199254740992.0, "", [](P& p) -> double& { return p.seed; }, true));
  // Tsodyks–Markram synapse
  out.push_back(param("U", 0.0, true, 1.0, "", [](P& p) -> double& { return p.tm.U; }));
  out.push_back(param("tau_rec", 0.0, true, kInf, "s", [](P& p) -> double& { return p.tm.tau_rec; }));
  out.push_back(param("tau_fac", 0.0, false, kInf, "s", [](P& p) -> double& { return p.tm.tau_fac; }));
  // synaptic glutamate
  out.push_back(param("rho_c", 0.0, false, kInf, "", [](P& p) -> double& { return p.glu.rho_c; }));
  out.push_back(param("Y_T", 0.0, false, kInf, "µM", [](P& p) -> double& { return p.glu.Y_T; }));
  out.push_back(param("Omega_c", 0.0, false, kInf, "1/s", [](P& p) -> double& { return p.glu.Omega_c; }));
  // gliotransmitter release
  out.push_back(param("Omega_A", 0.0, false, kInf, "1/s", [](P& p) -> double& { return p.glio.Omega_A; }));
  out.push_back(param("U_A", 0.0, false, 1.0, "", [](P& p) -> double& { return p.glio.U_A; }));
  out.push_back(param("G_T", 0.0, false, kInf, "µM", [](P& p) -> double& { return p.glio.G_T; }));
  out.push_back(param("rho_e", 0.0, false, kInf, "", [](P& p) -> double& { return p.glio.rho_e; }));
  out.push_back(param("Omega_e", 0.0, false, kInf, "1/s", [](P& p) -> double& { return p.glio.Omega_e; }));
  out.push_back(param("C_Theta", 0.0, false, kInf, "µM", [](P& p) -> double& { return p.glio.C_Theta; }));
  // presynaptic gliotransmitter receptors and the feedback switch
  out.push_back(param("O_G", 0.0, false, kInf, "1/(µM s)", [](P& p) -> double& { return p.pre.O_G; }));
  out.push_back(param("Omega_G", 0.0, false, kInf, "1/s", [](P& p) -> double& { return p.pre.Omega_G; }));
  out.push_back(param("alpha", 0.0, false, 1.0, "", [](P& p) -> double& { return p.pre.alpha; }));
  out.push_back(param(
      "feedback", 0.0, false, 1.0, "", [](P& p) -> double& { return p.feedback; }, true));
  // initial state
  add_initial(out, kTGammaA, 1.0, "");
  add_initial(out, kTI, kInf, "µM");
  add_initial(out, kTC, kInf, "µM");
  add_initial(out, kTh, 1.0, "");
  add_initial(out, kTu, 1.0, "");
  add_initial(out, kTx, 1.0, "");
  add_initial(out, kTx_A, 1.0, "");
  add_initial(out, kTG_A, kInf, "µM");
  return out;
}

}  // namespace

const std::vector<TripartiteParameter>& tripartite_parameters(const std::string& model,
                                                              const std::string& field) {
  static const std::vector<TripartiteParameter> gchi = make_gchi(), tripartite = make_tripartite();
  if (model == "gchi") return gchi;
  if (model == "tripartite") return tripartite;
  throw ConfigError(field, "\"" + model + "\"", "unknown sweep model (expected \"tripartite\" or \"gchi\")");
}

const TripartiteParameter* find_tripartite_parameter(const std::string& model, const std::string& name) {
  for (const auto& p : tripartite_parameters(model))
    if (p.spec.name == name) return &p;
  return nullptr;
}

TripartiteParams tripartite_defaults(const std::string& parameter_set, const std::string& field) {
  TripartiteParams p;
  if (parameter_set == "single_astrocyte") {
    p.gchi = gchi_single_astrocyte_params();
  } else if (parameter_set != "network") {
    throw ConfigError(field, "\"" + parameter_set + "\"", "expected \"network\" or \"single_astrocyte\"");
  }
  p.tm = TsodyksMarkramParams{0.6, 0.5, 0.3};
  return p;
}

bool tripartite_cross_check(const TripartiteParams& p, double dt, bool synapse, bool regular,
                            std::string& name, std::string& reason) {
  const double C_max = p.gchi.C_T / (1.0 + p.gchi.rho_A);
  if (p.initial[kTC] > C_max) {
    name = "initial.C";
    reason = "must be <= C_T / (1 + rho_A) = " + short_text(C_max) + " µM";
    return false;
  }
  if (synapse && p.rate * dt > 1.0) {
    name = "rate";
    reason = "must be <= 1/dt = " + short_text(1.0 / dt) + " Hz (at most one spike per step)";
    return false;
  }
  if (synapse && regular && p.rate * dt > 0.5) {
    name = "rate";
    reason =
        "must be <= 1/(2 dt) = " + short_text(0.5 / dt) + " Hz (a regular train's period is at least 2 dt)";
    return false;
  }
  return true;
}

}  // namespace glia::bio
