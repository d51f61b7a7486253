#include "models/network/config_fields.hpp"

#include <set>

#include "engine/io/json_reader.hpp"
#include "models/bio/parameter_tables.hpp"

namespace glia::network::fields {

template <class P>
void read_params(const nlohmann::json& j, const std::string& path, const std::vector<Field<P>>& fields,
                 const std::string& model, P& p) {
  if (!j.is_object()) throw ConfigError(path, io::json_text(j), "expected an object of parameters");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const Field<P>* f = nullptr;
    for (const auto& c : fields)
      if (it.key() == c.name) f = &c;
    const std::string field = path + "." + it.key();
    if (!f) {
      std::string names;
      for (const auto& c : fields) names += std::string(names.empty() ? "" : ", ") + c.name;
      throw ConfigError(field, io::json_text(it.value()),
                        "unknown parameter of " + model + " (expected one of " + names + ")");
    }
    const double v = io::as_number(it.value(), field);
    if (f->range == Field<P>::positive) io::check_positive(field, v, f->unit);
    if (f->range == Field<P>::non_negative) io::check_non_negative(field, v, f->unit);
    p.*(f->member) = v;
  }
}

#define GLIA_READ_PARAMS(P)                                                                             \
  template void read_params<P>(const nlohmann::json&, const std::string&, const std::vector<Field<P>>&, \
                               const std::string&, P&);
GLIA_READ_PARAMS(bio::LifCobaParams)
GLIA_READ_PARAMS(bio::LifCubaParams)
GLIA_READ_PARAMS(bio::GChIParams)
GLIA_READ_PARAMS(bio::LiRinzelParams)
GLIA_READ_PARAMS(bio::RateNeuronParams)
GLIA_READ_PARAMS(bio::GliotransmitterReleaseParams)
GLIA_READ_PARAMS(bio::TsodyksMarkramParams)
GLIA_READ_PARAMS(bio::SynapticGlutamateParams)
GLIA_READ_PARAMS(bio::PresynapticGliotransmitterParams)
GLIA_READ_PARAMS(bio::IP3CouplingParams)
GLIA_READ_PARAMS(bio::HebbianSynapseParams)
GLIA_READ_PARAMS(bio::AstrocyteProcessParams)
GLIA_READ_PARAMS(bio::CalciumStdpParams)
GLIA_READ_PARAMS(bio::LiRinzelSicParams)
#undef GLIA_READ_PARAMS

const std::vector<Field<bio::LifCobaParams>>& coba() {
  using P = bio::LifCobaParams;
  static const std::vector<Field<P>> f{
      {"E_l", &P::E_l, "V", Field<P>::any},          {"g_l", &P::g_l, "S", Field<P>::positive},
      {"E_e", &P::E_e, "V", Field<P>::any},          {"E_i", &P::E_i, "V", Field<P>::any},
      {"C_m", &P::C_m, "F", Field<P>::positive},     {"tau_e", &P::tau_e, "s", Field<P>::positive},
      {"tau_i", &P::tau_i, "s", Field<P>::positive}, {"tau_ref", &P::tau_ref, "s", Field<P>::non_negative},
      {"V_th", &P::V_th, "V", Field<P>::any},        {"V_r", &P::V_r, "V", Field<P>::any},
      {"I_ext", &P::I_ext, "A", Field<P>::any}};
  return f;
}

const std::vector<Field<bio::LifCubaParams>>& cuba() {
  using P = bio::LifCubaParams;
  static const std::vector<Field<P>> f{{"E_l", &P::E_l, "V", Field<P>::any},
                                       {"C_m", &P::C_m, "F", Field<P>::positive},
                                       {"tau_m", &P::tau_m, "s", Field<P>::positive},
                                       {"tau_syn", &P::tau_syn, "s", Field<P>::positive},
                                       {"tau_ref", &P::tau_ref, "s", Field<P>::non_negative},
                                       {"V_th", &P::V_th, "V", Field<P>::any},
                                       {"V_r", &P::V_r, "V", Field<P>::any},
                                       {"I_ext", &P::I_ext, "A", Field<P>::any}};
  return f;
}

const std::vector<Field<bio::GChIParams>>& gchi() {
  // Rates and maximal fluxes may be 0 (a pathway switched off); affinities divide.
  static const std::vector<Field<bio::GChIParams>> f = [] {
    static const std::set<std::string> may_be_zero{"O_P",     "rho_A",    "Omega_C", "Omega_L",
                                                   "O_beta",  "O_N",      "Omega_N", "zeta",
                                                   "O_delta", "Omega_5P", "O_3K",    "O_2"};
    std::vector<Field<bio::GChIParams>> out;
    for (const auto& p : bio::gchi_fields())
      out.push_back({p.name, p.member, p.unit,
                     may_be_zero.count(p.name) ? Field<bio::GChIParams>::non_negative
                                               : Field<bio::GChIParams>::positive});
    return out;
  }();
  return f;
}

const std::vector<Field<bio::LiRinzelParams>>& li_rinzel() {
  static const std::vector<Field<bio::LiRinzelParams>> f = [] {
    static const std::set<std::string> may_be_zero{"v1", "v2", "v3", "a2", "IP3_0"};
    std::vector<Field<bio::LiRinzelParams>> out;
    for (const auto& p : bio::li_rinzel_fields())
      out.push_back({p.name, p.member, p.unit,
                     may_be_zero.count(p.name) ? Field<bio::LiRinzelParams>::non_negative
                                               : Field<bio::LiRinzelParams>::positive});
    out.push_back({"delta_IP3", &bio::LiRinzelParams::delta_IP3, "µM", Field<bio::LiRinzelParams>::any});
    return out;
  }();
  return f;
}

const std::vector<Field<bio::RateNeuronParams>>& rate_neuron() {
  using P = bio::RateNeuronParams;
  static const std::vector<Field<P>> f{{"tau_n", &P::tau_n, "s", Field<P>::positive},
                                       {"lambda", &P::lambda, "", Field<P>::non_negative}};
  return f;
}

const std::vector<Field<bio::GliotransmitterReleaseParams>>& release() {
  using P = bio::GliotransmitterReleaseParams;
  static const std::vector<Field<P>> f{{"Omega_A", &P::Omega_A, "1/s", Field<P>::non_negative},
                                       {"U_A", &P::U_A, "", Field<P>::non_negative},
                                       {"G_T", &P::G_T, "µM", Field<P>::non_negative},
                                       {"rho_e", &P::rho_e, "", Field<P>::non_negative},
                                       {"Omega_e", &P::Omega_e, "1/s", Field<P>::non_negative},
                                       {"C_Theta", &P::C_Theta, "µM", Field<P>::any}};
  return f;
}

const std::vector<Field<bio::TsodyksMarkramParams>>& tsodyks_markram() {
  using P = bio::TsodyksMarkramParams;
  static const std::vector<Field<P>> f{{"U", &P::U, "", Field<P>::positive},
                                       {"tau_rec", &P::tau_rec, "s", Field<P>::positive},
                                       {"tau_fac", &P::tau_fac, "s", Field<P>::non_negative}};
  return f;
}

const std::vector<Field<bio::SynapticGlutamateParams>>& glutamate() {
  using P = bio::SynapticGlutamateParams;
  static const std::vector<Field<P>> f{{"rho_c", &P::rho_c, "", Field<P>::non_negative},
                                       {"Y_T", &P::Y_T, "µM", Field<P>::non_negative},
                                       {"Omega_c", &P::Omega_c, "1/s", Field<P>::non_negative}};
  return f;
}

const std::vector<Field<bio::PresynapticGliotransmitterParams>>& receptors() {
  using P = bio::PresynapticGliotransmitterParams;
  static const std::vector<Field<P>> f{{"alpha", &P::alpha, "", Field<P>::non_negative},
                                       {"O_G", &P::O_G, "1/(µM s)", Field<P>::non_negative},
                                       {"Omega_G", &P::Omega_G, "1/s", Field<P>::non_negative}};
  return f;
}

const std::vector<Field<bio::IP3CouplingParams>>& coupling() {
  using P = bio::IP3CouplingParams;
  static const std::vector<Field<P>> f{{"F", &P::F, "µM/s", Field<P>::non_negative},
                                       {"I_Theta", &P::I_Theta, "µM", Field<P>::non_negative},
                                       {"omega_I", &P::omega_I, "µM", Field<P>::positive}};
  return f;
}

const std::vector<Field<bio::HebbianSynapseParams>>& hebbian() {
  using P = bio::HebbianSynapseParams;
  static const std::vector<Field<P>> f{{"tau_s", &P::tau_s, "s", Field<P>::positive},
                                       {"beta", &P::beta, "", Field<P>::non_negative},
                                       {"c", &P::c, "", Field<P>::any}};
  return f;
}

const std::vector<Field<bio::AstrocyteProcessParams>>& process() {
  using P = bio::AstrocyteProcessParams;
  static const std::vector<Field<P>> f{{"tau_ps", &P::tau_ps, "s", Field<P>::positive},
                                       {"tau_pl", &P::tau_pl, "s", Field<P>::positive},
                                       {"gamma_s", &P::gamma_s, "", Field<P>::non_negative},
                                       {"gamma_l", &P::gamma_l, "", Field<P>::non_negative},
                                       {"c_T", &P::c_T, "", Field<P>::any},
                                       {"lambda_T", &P::lambda_T, "grid units", Field<P>::positive},
                                       {"psi_gain", &P::psi_gain, "", Field<P>::any},
                                       {"kappa_gain", &P::kappa_gain, "", Field<P>::any}};
  return f;
}

const std::vector<Field<bio::CalciumStdpParams>>& calcium_stdp() {
  using P = bio::CalciumStdpParams;
  static const std::vector<Field<P>> f{{"C_pre", &P::C_pre, "", Field<P>::non_negative},
                                       {"C_post", &P::C_post, "", Field<P>::non_negative},
                                       {"D", &P::D, "s", Field<P>::non_negative},
                                       {"tau_Ca", &P::tau_Ca, "s", Field<P>::positive},
                                       {"theta_d", &P::theta_d, "", Field<P>::non_negative},
                                       {"theta_p", &P::theta_p, "", Field<P>::non_negative},
                                       {"gamma_d", &P::gamma_d, "", Field<P>::non_negative},
                                       {"gamma_p", &P::gamma_p, "", Field<P>::non_negative},
                                       {"sigma", &P::sigma, "", Field<P>::non_negative},
                                       {"tau", &P::tau, "s", Field<P>::positive},
                                       {"rho_star", &P::rho_star, "", Field<P>::any}};
  return f;
}

const std::vector<Field<bio::LiRinzelSicParams>>& sic() {
  using P = bio::LiRinzelSicParams;
  static const std::vector<Field<P>> f{{"k", &P::k, "A", Field<P>::any},
                                       {"C_0", &P::C_0, "µM", Field<P>::non_negative}};
  return f;
}

}  // namespace glia::network::fields
