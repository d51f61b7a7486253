#pragma once
// The parameters of each astrocyte model by name, with units: how configs, Python keyword
// arguments and sweep designs address a model's parameter struct.
#include <string>
#include <vector>

#include "models/bio/astrocyte_gchi.hpp"
#include "models/bio/astrocyte_li_rinzel.hpp"

namespace glia::bio {

// A named parameter of a model's struct, with its unit for messages and docs.
template <class P>
struct ParamField {
  const char* name;
  double P::*member;
  const char* unit;
};

inline const std::vector<ParamField<GChIParams>>& gchi_fields() {
  static const std::vector<ParamField<GChIParams>> f{{"O_P", &GChIParams::O_P, "µM/s"},
                                                     {"K_P", &GChIParams::K_P, "µM"},
                                                     {"C_T", &GChIParams::C_T, "µM"},
                                                     {"rho_A", &GChIParams::rho_A, ""},
                                                     {"Omega_C", &GChIParams::Omega_C, "1/s"},
                                                     {"Omega_L", &GChIParams::Omega_L, "1/s"},
                                                     {"d1", &GChIParams::d1, "µM"},
                                                     {"d2", &GChIParams::d2, "µM"},
                                                     {"O_2", &GChIParams::O_2, "1/(µM s)"},
                                                     {"d3", &GChIParams::d3, "µM"},
                                                     {"d5", &GChIParams::d5, "µM"},
                                                     {"O_beta", &GChIParams::O_beta, "µM/s"},
                                                     {"O_N", &GChIParams::O_N, "1/(µM s)"},
                                                     {"Omega_N", &GChIParams::Omega_N, "1/s"},
                                                     {"K_KC", &GChIParams::K_KC, "µM"},
                                                     {"zeta", &GChIParams::zeta, ""},
                                                     {"O_delta", &GChIParams::O_delta, "µM/s"},
                                                     {"kappa_delta", &GChIParams::kappa_delta, "µM"},
                                                     {"K_delta", &GChIParams::K_delta, "µM"},
                                                     {"Omega_5P", &GChIParams::Omega_5P, "1/s"},
                                                     {"K_D", &GChIParams::K_D, "µM"},
                                                     {"K_3K", &GChIParams::K_3K, "µM"},
                                                     {"O_3K", &GChIParams::O_3K, "µM/s"}};
  return f;
}

inline const std::vector<ParamField<LiRinzelParams>>& li_rinzel_fields() {
  static const std::vector<ParamField<LiRinzelParams>> f{
      {"Ca_tot", &LiRinzelParams::Ca_tot, "µM"}, {"r_ER", &LiRinzelParams::r_ER, ""},
      {"v1", &LiRinzelParams::v1, "1/s"},        {"v2", &LiRinzelParams::v2, "1/s"},
      {"v3", &LiRinzelParams::v3, "µM/s"},       {"k3", &LiRinzelParams::k3, "µM"},
      {"d1", &LiRinzelParams::d1, "µM"},         {"d2", &LiRinzelParams::d2, "µM"},
      {"d3", &LiRinzelParams::d3, "µM"},         {"d5", &LiRinzelParams::d5, "µM"},
      {"a2", &LiRinzelParams::a2, "1/(µM s)"},   {"IP3_0", &LiRinzelParams::IP3_0, "µM"},
      {"tau_IP3", &LiRinzelParams::tau_IP3, "s"}};
  return f;
}

// The field of `fields` called `name`, or nullptr.
template <class P>
const ParamField<P>* find_param(const std::vector<ParamField<P>>& fields, const std::string& name) {
  for (const auto& f : fields)
    if (name == f.name) return &f;
  return nullptr;
}

}  // namespace glia::bio
