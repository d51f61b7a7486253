#pragma once
// The network form of a `glia simulate` configuration (a config with "projections"): groups of
// neurons (LIF, rate), spike sources and astrocytes (G-ChI, Li–Rinzel), each on its own clock;
// projections between them with a connection rule and a synapse model (static, Tsodyks–Markram,
// Hebbian with astrocyte processes, calcium STDP, the astrocyte's slow inward current) and
// optionally the astrocytes that cover their synapses; astrocyte gap-junction coupling; monitors;
// output. Parsed strictly: every error is a ConfigError naming the field (e.g.
// "projections[1].connect.pre[7]"). Documented in docs/network_config.md.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/core/backend.hpp"
#include "engine/sim/connectivity.hpp"
#include "engine/sim/fixed_step.hpp"
#include "engine/sim/geometry.hpp"
#include "engine/sim/summary.hpp"
#include "models/bio/astrocyte_gchi.hpp"
#include "models/bio/astrocyte_li_rinzel.hpp"
#include "models/bio/astrocyte_network.hpp"
#include "models/bio/astrocyte_process.hpp"
#include "models/bio/calcium_stdp.hpp"
#include "models/bio/gliotransmission.hpp"
#include "models/bio/hebbian_synapse.hpp"
#include "models/bio/lif.hpp"
#include "models/bio/rate_neuron.hpp"
#include "models/bio/tsodyks_markram.hpp"

namespace glia::network {

enum class GroupModel { lif_coba, lif_cuba, poisson, regular, gchi, li_rinzel, rate };
enum class LifMethod { exponential_euler, euler };
// How the rate groups and the continuous projections between them are stepped, as one system:
// "exact" steps every element exactly with its inputs held at the step start (first order);
// the others are the fixed-step tableaux of engine/sim/fixed_step.hpp on the whole coupled state.
enum class RateMethod { exact, euler, rk2, rk4 };

// Piecewise-constant schedule: value k holds on [k dt, (k + 1) dt); the last one holds after.
struct Schedule {
  double dt = 0.0;  // s; 0 = no schedule
  std::vector<double> values;
  double at(double t) const;
};

// Time windows of a rate group's inputs: window w lasts steps[w] base steps; in it the group's
// elements receive drive[w] (added to their input) and/or are clamped to clamp[w] (their state is
// held there). An empty entry means no drive / a free element in that window. With `repeat` the
// windows cycle; without, after the last window there is no drive and no clamp.
struct Windows {
  std::vector<std::int64_t> steps;
  std::vector<std::int64_t> starts;  // first base step of each window (within a period)
  std::int64_t period = 0;           // sum of steps
  bool repeat = false;
  std::vector<std::vector<double>> drive, clamp;  // [window][element] or [window] empty
  bool empty() const { return steps.empty(); }
  // The window of base step k (the step from k dt), or -1 after the last one.
  std::int64_t at(std::int64_t k) const;
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
  // Astrocytes (G-ChI and Li–Rinzel)
  bio::GChIParams gchi;
  bio::LiRinzelParams li_rinzel;
  sim::FixedStepMethod method = sim::FixedStepMethod::rk4;
  bool stochastic = false;  // "euler_maruyama" or "milstein": noise on h (the stochastic G-ChI)
  bool milstein = false;
  double sigma = 0.0;  // noise intensity of the stochastic G-ChI
  bio::GliotransmitterReleaseParams release;
  bool has_bias = false;
  bio::IP3BiasParams bias;
  std::vector<double> I_bias;     // µM, per astrocyte
  std::vector<double> glutamate;  // µM, constant glutamate per astrocyte (added to its synapses' Y_S)
  bool glutamate_decays = false;  // "glutamate_input": "decaying" (exact inside a step) or "held"
  double J_ex = 0.0;              // µM/s, constant external IP3 flux into every astrocyte
  // Rate neurons
  bio::RateNeuronParams rate_neuron;
  RateMethod rate_method = RateMethod::rk4;
  std::vector<double> bias_drive;  // constant drive per element (empty: 0)
  Windows windows;
  std::map<std::string, InitValue> init;
  bool has_positions = false;
  sim::Positions positions;
  nlohmann::json positions_spec;  // as given (a grid or coordinates), for the resolved config

  bool is_neuron() const { return model == GroupModel::lif_coba || model == GroupModel::lif_cuba; }
  bool is_source() const { return model == GroupModel::poisson || model == GroupModel::regular; }
  bool is_spiking() const { return is_neuron() || is_source(); }
  bool is_gchi() const { return model == GroupModel::gchi; }
  bool is_li_rinzel() const { return model == GroupModel::li_rinzel; }
  bool is_astrocyte() const { return is_gchi() || is_li_rinzel(); }
  bool is_rate() const { return model == GroupModel::rate; }
};

enum class SynapseModel { static_weight, tsodyks_markram, hebbian, calcium_stdp, sic };
// What a projection acts on in its target: a LIF conductance or current, a Li–Rinzel astrocyte's
// IP3, a rate neuron's input (continuous transmission), a LIF's external current (SIC).
enum class Receptor { none, g_e, g_i, i_syn, ip3, rate_input, current };
enum class Feedback { closed, open, none };

struct AstrocyteCover {
  std::uint32_t group = 0;  // index of the astrocyte group
  bool nearest_to_target = true;
  std::vector<std::int64_t> index;  // one per synapse in the projection's order, -1 = none
  Feedback feedback = Feedback::closed;
  bio::SynapticGlutamateParams glutamate;
  bio::PresynapticGliotransmitterParams receptors;  // alpha, O_G, Omega_G (U_0_star = the TM U)
};

enum class ProcessModel { none, two_timescale, positional };

// The plastic parts of a Hebbian projection (BIOPHYSICS.md §2, §4; MAPPING.md §1).
struct HebbianConfig {
  bio::HebbianSynapseParams params;
  double init_s = 0.0;
  double learning_from = 0.0, learning_until = -1.0;  // s; until < 0: for the whole run
  std::int64_t learning_from_step = 0, learning_until_step = -1;
  ProcessModel process = ProcessModel::none;
  bio::AstrocyteProcessParams process_params;  // two_timescale
  double process_cutoff = 0.0;                 // grid units; 0 = every pair of processes is coupled
  std::uint32_t process_drive = 0;             // positional: the rate group whose θ drives the process
  double sigmoid_scale = 0.0;                  // W = σ(c (s + p)) when > 0, else W = s + p
  bool calcium = false;                        // presynaptic Ca²⁺ with the 1/C read-out
  double calcium_tau = 1.0, calcium_alpha = 1.0, calcium_epsilon = 1e-6;
};

struct ProjectionConfig {
  std::string name;
  std::uint32_t source = 0, target = 0;  // group indices
  bool has_target = false;
  Receptor receptor = Receptor::none;
  double weight = 0.0;          // S (g_e, g_i), A (i_syn), µM-per-unit (ip3), gain (rate, sic)
  std::vector<double> weights;  // per synapse (list order), rate transmission only; empty = `weight`
  sim::ConnectSpec connect;
  SynapseModel model = SynapseModel::static_weight;
  bio::TsodyksMarkramParams tm;
  double init_u = 0.0, init_x = 1.0;
  double delay = 0.0;  // s
  std::int64_t delay_steps = 0;
  bool has_astrocytes = false;
  AstrocyteCover astrocytes;
  HebbianConfig hebbian;
  bio::CalciumStdpParams stdp;
  double init_rho = 0.0, init_c = 0.0;
  std::int64_t stdp_delay_steps = 0;  // D in base steps
  bio::LiRinzelSicParams sic;
  std::uint32_t index = 0;

  bool continuous() const { return receptor == Receptor::rate_input; }
};

struct CouplingConfig {
  std::uint32_t group = 0;
  double radius = 0.0;                // m; 0 with explicit neighbours
  std::vector<std::int64_t> row_ptr;  // explicit neighbours (CSR), when given
  std::vector<std::uint32_t> neighbours;
  bio::IP3CouplingParams params;
};

enum class MonitorType { spikes, rate, state, mean, summary };

struct MonitorConfig {
  MonitorType type = MonitorType::spikes;
  std::string name;    // the key of its recordings (default: the target's name)
  std::string target;  // a group or projection name
  bool on_projection = false;
  std::uint32_t target_index = 0;
  std::vector<std::string> variables;
  std::vector<std::uint32_t> indices;
  std::int64_t every = 1;        // base steps between samples (state, mean) or per rate bin
  std::int64_t start_step = 0;   // first sample (state, mean)
  std::vector<std::int64_t> at;  // explicit sample steps (state, mean), replacing every/start
  // summary: a statistic (sim/summary.hpp) of one variable of the group mean (index -1) or of one element,
  // reduced at every tick of the group's clock, the samples after base step window_start in its window;
  // no samples are kept. The threshold is the variant's own (C of a gchi group: its C_Theta by default).
  sim::SummaryStat stat = sim::SummaryStat::mean;
  double threshold = 0.0;
  std::int64_t index = -1;
  std::int64_t window_start = 0;
  std::string field;  // "monitors[3]", for errors found later

  bool due(std::int64_t k) const;  // a state, mean or summary sample is taken at base step k
  // A summary of a projection's releases (fed at its deliveries, not sampled).
  bool release_summary() const { return type == MonitorType::summary && on_projection && variables.empty(); }
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
  nlohmann::json resolved;  // the configuration with every default filled in (resolved_config.cpp)

  const GroupConfig* find_group(const std::string& name) const;
};

// True when a configuration object is in the network form (it has "projections").
bool is_network_config(const nlohmann::json& config);

// `resolve` = false leaves `resolved` empty (it is written to result files; a sweep's variants need none).
NetworkConfig parse_network_config(const nlohmann::json& config, bool resolve = true);

// The samples a state or mean monitor takes over the run.
std::int64_t monitor_samples(const MonitorConfig& m, const NetworkConfig& c);

// The configuration with every default filled in, in the form parse_network_config reads (parsing it
// gives the same network).
nlohmann::json resolved_network_config(const NetworkConfig& c);

// The initial value of state variable `var` of element i when `init` does not set it.
double default_initial_value(const GroupConfig& g, const std::string& var);

// Variables a state monitor may record, per group model and per projection model.
const std::vector<std::string>& recordable_variables(GroupModel model);
const std::vector<std::string>& recordable_projection_variables(SynapseModel model);

// "exact", "euler", "rk2" or "rk4" (ConfigError(field) otherwise), and back.
RateMethod rate_method(const std::string& field, const std::string& name);
const char* rate_method_name(RateMethod m);

// Names of the models in configs.
const char* group_model_name(GroupModel m);
const char* synapse_model_name(SynapseModel m);

}  // namespace glia::network
