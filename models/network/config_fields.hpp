#pragma once
// The named parameters of every model a network config can hold, with units and admissible
// ranges: read by the parser (network_config.cpp and its parts) and written back, all of them,
// by the resolved config (resolved_config.cpp). One table per parameter struct.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/network/network_config.hpp"

namespace glia::network::fields {

// A named double member of a parameter struct, with its unit and admissible range.
template <class P>
struct Field {
  const char* name;
  double P::*member;
  const char* unit;
  enum Range { positive, non_negative, any } range;
};

// Reads the parameters given in `j` (an object) into `p`; unknown names and values out of range
// are ConfigErrors naming "path.name".
template <class P>
void read_params(const nlohmann::json& j, const std::string& path, const std::vector<Field<P>>& fields,
                 const std::string& model, P& p);

// Every parameter of `p` by name (the resolved form).
template <class P>
nlohmann::json write_params(const std::vector<Field<P>>& fields, const P& p) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& f : fields) out[f.name] = p.*(f.member);
  return out;
}

const std::vector<Field<bio::LifCobaParams>>& coba();
const std::vector<Field<bio::LifCubaParams>>& cuba();
const std::vector<Field<bio::GChIParams>>& gchi();
const std::vector<Field<bio::LiRinzelParams>>& li_rinzel();
const std::vector<Field<bio::RateNeuronParams>>& rate_neuron();
const std::vector<Field<bio::GliotransmitterReleaseParams>>& release();
const std::vector<Field<bio::TsodyksMarkramParams>>& tsodyks_markram();
const std::vector<Field<bio::SynapticGlutamateParams>>& glutamate();
const std::vector<Field<bio::PresynapticGliotransmitterParams>>& receptors();
const std::vector<Field<bio::IP3CouplingParams>>& coupling();
const std::vector<Field<bio::HebbianSynapseParams>>& hebbian();
const std::vector<Field<bio::AstrocyteProcessParams>>& process();
const std::vector<Field<bio::CalciumStdpParams>>& calcium_stdp();
const std::vector<Field<bio::LiRinzelSicParams>>& sic();

}  // namespace glia::network::fields
