#pragma once
// The network form of a `glia simulate` configuration (a config with "projections"): groups of
// neurons, spike sources and astrocytes, each on its own clock; projections between them with
// a connection rule, a synapse model and optionally the astrocytes that cover their synapses;
// astrocyte gap-junction coupling; monitors; output. Parsed strictly: every error is a
// ConfigError naming the field (e.g. "projections[1].connect.pre[7]"). Documented in
// docs/network_config.md.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/core/backend.hpp"
#include "engine/sim/connectivity.hpp"
#include "engine/sim/fixed_step.hpp"
#include "engine/sim/geometry.hpp"
#include "models/bio/astrocyte_gchi.hpp"
#include "models/bio/astrocyte_network.hpp"
#include "models/bio/gliotransmission.hpp"
#include "models/bio/lif.hpp"
#include "models/bio/tsodyks_markram.hpp"

namespace glia::network {

enum class GroupModel { lif_coba, lif_cuba, poisson, regular, gchi };
enum class LifMethod { exponential_euler, euler };

// Piecewise-constant schedule: value k holds on [k dt, (k + 1) dt); the last one holds after.
struct Schedule {
  double dt = 0.0;  // s; 0 = no schedule
  std::vector<double> values;
  double at(double t) const;
};

// Initial value of a state variable: a constant, uniform random in [lo, hi], or one value per element.
struct InitValue {
  enum class Kind { constant, uniform, array } kind = Kind::constant;
  double lo = 0.0, hi = 0.0;
  std::vector<double> values;
};

struct GroupConfig {
  std::string name;
  GroupModel model = GroupModel::lif_coba;
  std::uint32_t n = 0;
  std::int64_t every = 1;   // the group's step in base steps
  std::uint32_t index = 0;  // position in NetworkConfig::groups (also its random stream)
  // LIF
  LifMethod lif_method = LifMethod::exponential_euler;
  bio::LifCobaParams coba;
  bio::LifCubaParams cuba;
  Schedule I_ext_factor;  // multiplies I_ext
  // Sources
  double rate = 0.0;       // Hz
  double start = 0.0;      // s
  Schedule rate_schedule;  // Hz, replaces `rate` when present
  // Astrocytes
  bio::GChIParams gchi;
  sim::FixedStepMethod method = sim::FixedStepMethod::rk4;
  bool stochastic = false;  // "euler_maruyama" or "milstein": noise on h (the stochastic G-ChI)
  bool milstein = false;
  double sigma = 0.0;  // noise intensity of the stochastic G-ChI
  bio::GliotransmitterReleaseParams release;
  bool has_bias = false;
  bio::IP3BiasParams bias;
  std::vector<double> I_bias;  // µM, per astrocyte
  std::map<std::string, InitValue> init;
  bool has_positions = false;
  sim::Positions positions;

  bool is_neuron() const { return model == GroupModel::lif_coba || model == GroupModel::lif_cuba; }
  bool is_source() const { return model == GroupModel::poisson || model == GroupModel::regular; }
  bool is_astrocyte() const { return model == GroupModel::gchi; }
};

enum class SynapseModel { static_weight, tsodyks_markram };
enum class Receptor { none, g_e, g_i, i_syn };
enum class Feedback { closed, open, none };

struct AstrocyteCover {
  std::uint32_t group = 0;  // index of the astrocyte group
  bool nearest_to_target = true;
  std::vector<std::int64_t> index;  // one per synapse in the projection's order, -1 = none
  Feedback feedback = Feedback::closed;
  bio::SynapticGlutamateParams glutamate;
  bio::PresynapticGliotransmitterParams receptors;  // alpha, O_G, Omega_G (U_0_star = the TM U)
};

struct ProjectionConfig {
  std::string name;
  std::uint32_t source = 0, target = 0;  // group indices
  bool has_target = false;
  Receptor receptor = Receptor::none;
  double weight = 0.0;  // S (g_e, g_i) or A (i_syn)
  sim::ConnectSpec connect;
  SynapseModel model = SynapseModel::static_weight;
  bio::TsodyksMarkramParams tm;
  double init_u = 0.0, init_x = 1.0;
  double delay = 0.0;  // s
  std::int64_t delay_steps = 0;
  bool has_astrocytes = false;
  AstrocyteCover astrocytes;
  std::uint32_t index = 0;
};

struct CouplingConfig {
  std::uint32_t group = 0;
  double radius = 0.0;  // m
  bio::IP3CouplingParams params;
};

enum class MonitorType { spikes, rate, state, mean };

struct MonitorConfig {
  MonitorType type = MonitorType::spikes;
  std::string target;  // a group or projection name
  bool on_projection = false;
  std::uint32_t target_index = 0;
  std::vector<std::string> variables;
  std::vector<std::uint32_t> indices;
  std::int64_t every = 1;  // base steps between samples (state, mean) or per rate bin
  std::string field;       // "monitors[3]", for errors found later
};

struct NetworkConfig {
  double duration = 0.0, dt = 0.0;
  std::int64_t n_steps = 0;
  std::uint64_t seed = 0;
  Device device = Device::cpu;
  std::vector<GroupConfig> groups;
  std::vector<ProjectionConfig> projections;
  std::vector<CouplingConfig> couplings;
  std::vector<MonitorConfig> monitors;
  std::string output;
  nlohmann::json resolved;  // the configuration as read, with defaults filled in

  const GroupConfig* find_group(const std::string& name) const;
};

// True when a configuration object is in the network form (it has "projections").
bool is_network_config(const nlohmann::json& config);

NetworkConfig parse_network_config(const nlohmann::json& config);

// Variables a state monitor may record, per group model and for projections.
const std::vector<std::string>& recordable_variables(GroupModel model);
const std::vector<std::string>& recordable_projection_variables();

}  // namespace glia::network
