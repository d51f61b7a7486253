// Building a network: state buffers per group, CSR projections, the continuous system, the device.
// Stepping is in network_step.cpp, monitors in network_monitors.cpp.
#include "models/network/network.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "engine/core/backend.hpp"
#include "engine/core/error.hpp"
#include "engine/core/philox.hpp"
#include "models/network/network_kernels.hpp"
#ifdef GLIA_WITH_CUDA
#include "models/network/network_device.hpp"
#endif

namespace glia::network {

namespace {
constexpr std::uint32_t kInitStream = 0x696e6900u;     // + group index: random initial values
constexpr std::uint32_t kConnectStream = 0x636f6e00u;  // + projection index: random connectivity

// Synapses of each postsynaptic element, as storage positions in storage order (CSR).
void index_by_post(const std::vector<std::uint32_t>& post, std::uint32_t n_post,
                   std::vector<std::int64_t>& in_ptr, std::vector<std::int64_t>& in_syn) {
  in_ptr.assign(static_cast<std::size_t>(n_post) + 1, 0);
  for (std::uint32_t i : post) ++in_ptr[i + 1];
  for (std::size_t i = 0; i < n_post; ++i) in_ptr[i + 1] += in_ptr[i];
  std::vector<std::int64_t> fill(in_ptr.begin(), in_ptr.end() - 1);
  in_syn.resize(post.size());
  for (std::size_t q = 0; q < post.size(); ++q)
    in_syn[static_cast<std::size_t>(fill[post[q]]++)] = static_cast<std::int64_t>(q);
}
}  // namespace

Network::~Network() = default;

double Network::initial_value(const GroupConfig& g, const std::string& var, std::uint32_t i,
                              std::uint32_t var_index) const {
  const auto it = g.init.find(var);
  if (it == g.init.end()) return default_initial_value(g, var);
  const InitValue& v = it->second;
  switch (v.kind) {
    case InitValue::Kind::constant:
      return v.lo;
    case InitValue::Kind::array:
      return v.values[i];
    case InitValue::Kind::uniform:
      return v.lo + (v.hi - v.lo) * philox_uniform(c_.seed, var_index, i, kInitStream + g.index);
  }
  return 0.0;
}

sim::SynapseList Network::connect(const ProjectionConfig& p, std::vector<std::int64_t>* given_order) const {
  const std::uint32_t n_pre = c_.groups[p.source].n;
  const std::uint32_t n_post = p.has_target ? c_.groups[p.target].n : n_pre;
  return sim::connect(p.connect, n_pre, n_post, p.has_target && p.source == p.target, c_.seed,
                      kConnectStream + p.index, "projections[" + std::to_string(p.index) + "].connect",
                      given_order);
}

Network::Network(const NetworkConfig& config) : c_(config) {
  const auto t0 = std::chrono::steady_clock::now();
  if (c_.device == Device::cuda) {
#ifdef GLIA_WITH_CUDA
    std::string why;
    if (cuda_device_count(&why) == 0) throw ConfigError("simulation.device", "\"cuda\"", why);
#else
    throw ConfigError("simulation.device", "\"cuda\"", "this build of glia has no CUDA backend");
#endif
  }
  groups_.resize(c_.groups.size());
  projections_.resize(c_.projections.size());
  for (const auto& g : c_.groups) build_group(g);
  for (const auto& cc : c_.couplings) {
    Group& g = groups_[cc.group];
    g.coupled = true;
    g.coupling = cc.params;
    if (cc.row_ptr.empty()) {
      sim::pairs_within(g.cfg->positions, cc.radius, g.row_ptr, g.neighbours);
    } else {
      g.row_ptr = cc.row_ptr;
      g.neighbours = cc.neighbours;
    }
  }
  for (const auto& p : c_.projections)
    if (!p.continuous()) build_projection(p);
  rates_ = std::make_unique<RateSystem>(
      c_, [this](const ProjectionConfig& p, std::vector<std::int64_t>* order) { return connect(p, order); },
      [this](const GroupConfig& g, const std::string& var, std::uint32_t i, std::uint32_t k) {
        return initial_value(g, var, i, k);
      });
  for (const auto& m : c_.monitors) {
    if (m.on_projection) continue;
    if (m.type == MonitorType::spikes) groups_[m.target_index].record_spikes = true;
    if (m.type == MonitorType::rate) groups_[m.target_index].rate_bin = m.every;
  }
  for (std::size_t k = 0; k < projections_.size(); ++k)
    result_.synapse_counts[c_.projections[k].name] = synapse_count(static_cast<std::uint32_t>(k));
  // Monitored synapses by list index must exist.
  for (const auto& m : c_.monitors) {
    if (!m.on_projection || m.type != MonitorType::state) continue;
    const std::int64_t n = synapse_count(m.target_index);
    for (std::size_t k = 0; k < m.indices.size(); ++k)
      if (m.indices[k] >= n)
        throw ConfigError(
            m.field + ".indices[" + std::to_string(k) + "]", std::to_string(m.indices[k]),
            "out of range: projection \"" + m.target + "\" has " + std::to_string(n) + " synapses");
  }
#ifdef GLIA_WITH_CUDA
  if (c_.device == Device::cuda) device_ = std::make_shared<NetworkDevice>(groups_, projections_, c_.seed);
#endif
  result_.setup_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::int64_t Network::synapse_count(std::uint32_t projection) const {
  if (rates_ && rates_->has_projection(projection)) return rates_->synapse_count(projection);
  return projections_.at(projection).n_syn;
}

void Network::build_group(const GroupConfig& cfg) {
  Group& g = groups_[cfg.index];
  g.cfg = &cfg;
  g.dt = c_.dt * static_cast<double>(cfg.every);
  const std::uint32_t n = cfg.n;
  if (cfg.is_rate()) return;  // the continuous system holds its state
  g.flag.assign(n, 0);
  auto init = [&](std::vector<double>& a, const char* var, std::uint32_t var_index) {
    a.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) a[i] = initial_value(cfg, var, i, var_index);
  };
  // Interleaved per element (stride = the model's variable count), as the per-element steps read it.
  auto init_interleaved = [&](const std::vector<const char*>& names) {
    const std::size_t stride = names.size();
    g.y.resize(static_cast<std::size_t>(n) * stride);
    for (std::size_t v = 0; v < stride; ++v)
      for (std::uint32_t i = 0; i < n; ++i)
        g.y[static_cast<std::size_t>(i) * stride + v] =
            initial_value(cfg, names[v], i, static_cast<std::uint32_t>(v));
  };
  if (cfg.model == GroupModel::lif_coba) {
    init(g.v, "v", 0);
    init(g.g_e, "g_e", 1);
    init(g.g_i, "g_i", 2);
    g.refractory_until.assign(n, 0.0);
  } else if (cfg.model == GroupModel::lif_cuba) {
    init(g.v, "v", 0);
    init(g.i_syn, "i_syn", 1);
    g.refractory_until.assign(n, 0.0);
  } else if (cfg.is_gchi()) {
    init_interleaved({"Gamma_A", "I", "C", "h"});
    init(g.x_A, "x_A", 4);
    init(g.G_A, "G_A", 5);
    g.Y_in.assign(n, 0.0);
    g.J.assign(n, 0.0);
    g.I_bias = cfg.has_bias ? cfg.I_bias : std::vector<double>(n, 0.0);
    g.glutamate = cfg.glutamate;
    g.n_covered.assign(n, 0.0);
  } else if (cfg.is_li_rinzel()) {
    init_interleaved({"C", "h", "IP3"});
    g.ip3_in.assign(n, 0.0);
  }
}

void Network::build_projection(const ProjectionConfig& cfg) {
  Projection& p = projections_[cfg.index];
  p.cfg = &cfg;
  const GroupConfig& src = c_.groups[cfg.source];
  p.n_pre = src.n;
  p.n_post = cfg.has_target ? c_.groups[cfg.target].n : src.n;
  const std::string field = "projections[" + std::to_string(cfg.index) + "]";
  std::vector<std::int64_t> given_order;
  const sim::SynapseList list = connect(cfg, &given_order);
  p.n_syn = static_cast<std::int64_t>(list.pre.size());

  // Blocks of postsynaptic indices: fixed by the target size, never by the thread count.
  p.n_blocks = std::clamp<std::uint32_t>(p.n_post / 128, 1, 64);
  p.block_size = (p.n_post + p.n_blocks - 1) / p.n_blocks;
  const std::size_t stride = static_cast<std::size_t>(p.n_pre) + 1;
  p.row_ptr.assign(p.n_blocks * stride, 0);
  for (std::int64_t s = 0; s < p.n_syn; ++s) {
    const std::uint32_t b = list.post[static_cast<std::size_t>(s)] / p.block_size;
    ++p.row_ptr[b * stride + list.pre[static_cast<std::size_t>(s)] + 1];
  }
  std::int64_t offset = 0;
  for (std::uint32_t b = 0; b < p.n_blocks; ++b) {
    std::int64_t* r = p.row_ptr.data() + b * stride;
    r[0] = offset;
    for (std::size_t i = 0; i < p.n_pre; ++i) r[i + 1] += r[i];
    offset = r[p.n_pre];
  }
  std::vector<std::int64_t> phys(static_cast<std::size_t>(p.n_syn));  // list order -> storage order
  {
    std::vector<std::int64_t> fill(p.row_ptr);
    p.post.resize(static_cast<std::size_t>(p.n_syn));
    for (std::int64_t s = 0; s < p.n_syn; ++s) {
      const auto su = static_cast<std::size_t>(s);
      const std::uint32_t b = list.post[su] / p.block_size;
      const std::int64_t q = fill[b * stride + list.pre[su]]++;
      phys[su] = q;
      p.post[static_cast<std::size_t>(q)] = list.post[su];
    }
  }
  if (cfg.has_target) {
    Group& t = groups_[cfg.target];
    switch (cfg.receptor) {
      case Receptor::g_e:
        p.target = t.g_e.data();
        break;
      case Receptor::g_i:
        p.target = t.g_i.data();
        break;
      case Receptor::i_syn:
        p.target = t.i_syn.data();
        break;
      case Receptor::ip3:
        p.target = t.ip3_in.data();
        break;
      default:
        p.target = nullptr;
    }
  }
  if (cfg.model == SynapseModel::tsodyks_markram) {
    p.u.assign(static_cast<std::size_t>(p.n_syn), cfg.init_u);
    p.x.assign(static_cast<std::size_t>(p.n_syn), cfg.init_x);
  }
  if (cfg.model == SynapseModel::calcium_stdp) {
    p.rho.assign(static_cast<std::size_t>(p.n_syn), cfg.init_rho);
    p.c.assign(static_cast<std::size_t>(p.n_syn), cfg.init_c);
    p.stdp_ring.resize(static_cast<std::size_t>(cfg.stdp_delay_steps) + 1);
    index_by_post(p.post, p.n_post, p.in_ptr, p.in_syn);
  }
  if (cfg.model == SynapseModel::sic) {
    p.pre_of.resize(static_cast<std::size_t>(p.n_syn));
    for (std::int64_t s = 0; s < p.n_syn; ++s)
      p.pre_of[static_cast<std::size_t>(phys[static_cast<std::size_t>(s)])] =
          list.pre[static_cast<std::size_t>(s)];
    index_by_post(p.post, p.n_post, p.in_ptr, p.in_syn);
    Group& t = groups_[cfg.target];
    t.I_sic.assign(t.cfg->n, 0.0);
    t.sic_from.push_back(cfg.index);
    groups_[cfg.source].sic_to.push_back(cfg.index);
  }
  p.last.assign(p.n_pre, 0.0);
  p.ring.resize(static_cast<std::size_t>(cfg.delay_steps) + 1);

  // Monitors address synapses by list index.
  bool monitored = false;
  for (const auto& m : c_.monitors) {
    if (!m.on_projection || m.target_index != cfg.index) continue;
    monitored = true;
    if (m.type == MonitorType::spikes) p.record_spikes = true;
  }
  if (monitored) {
    p.storage = phys;
    p.list_pre = list.pre;
  }
  if (p.record_spikes && cfg.model == SynapseModel::tsodyks_markram)
    p.r_last.assign(static_cast<std::size_t>(p.n_syn), 0.0);
  if (p.record_spikes) {
    p.list_of.resize(static_cast<std::size_t>(p.n_syn));
    for (std::int64_t s = 0; s < p.n_syn; ++s)
      p.list_of[static_cast<std::size_t>(phys[static_cast<std::size_t>(s)])] = s;
  }

  if (!cfg.has_astrocytes) return;
  const AstrocyteCover& cov = cfg.astrocytes;
  Group& a = groups_[cov.group];
  p.astro_group = cov.group;
  p.n_astro = a.cfg->n;
  p.reads_glutamate = cov.feedback != Feedback::open;
  p.receives_gliotransmitter = cov.feedback != Feedback::none;
  p.astro.assign(static_cast<std::size_t>(p.n_syn), -1);
  if (cov.nearest_to_target) {
    const std::vector<std::uint32_t> nearest =
        sim::nearest_points(c_.groups[cfg.target].positions, a.cfg->positions);
    for (std::int64_t q = 0; q < p.n_syn; ++q)
      p.astro[static_cast<std::size_t>(q)] =
          static_cast<std::int32_t>(nearest[p.post[static_cast<std::size_t>(q)]]);
  } else {
    if (static_cast<std::int64_t>(cov.index.size()) != p.n_syn)
      throw ConfigError(field + ".astrocytes.index", std::to_string(cov.index.size()) + " entries",
                        "must have one entry per synapse: the projection made " + std::to_string(p.n_syn));
    const bool explicit_pairs = cfg.connect.rule == sim::ConnectRule::explicit_pairs;
    for (std::size_t k = 0; k < cov.index.size(); ++k) {
      const auto s = static_cast<std::size_t>(explicit_pairs ? given_order[k] : static_cast<std::int64_t>(k));
      p.astro[static_cast<std::size_t>(phys[s])] = static_cast<std::int32_t>(cov.index[k]);
    }
  }
  p.Y.assign(static_cast<std::size_t>(p.n_syn), 0.0);
  if (p.reads_glutamate) {
    for (std::int32_t ai : p.astro)
      if (ai >= 0) a.n_covered[static_cast<std::size_t>(ai)] += 1.0;
    p.acc.assign(static_cast<std::size_t>(p.n_blocks) * p.n_astro, 0.0);
    p.Y_sum.assign(p.n_astro, 0.0);
    a.glutamate_from.push_back(cfg.index);
  }
  p.gamma.assign(p.n_astro, 0.0);
  p.gamma_inf.assign(p.n_astro, 0.0);
  p.gamma_decay.assign(p.n_astro, 1.0);
  if (p.receives_gliotransmitter) a.receptors_of.push_back(cfg.index);
}

NetworkResult Network::run(const ProgressFn& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& m : c_.monitors) {
    if (m.type == MonitorType::spikes) result_.spikes[m.name];
    if (m.type == MonitorType::rate) result_.rates[m.name];
    if (m.type == MonitorType::state) result_.state[m.name].indices = m.indices;
    if (m.type == MonitorType::mean) result_.means[m.name];
  }
  try {
    sample(0, true);  // astrocytes are sampled at their ticks, the first one at k = 0
    // Often enough that a progress line (and its ETA) appears within a second even for absurdly long runs.
    const std::int64_t report_every = std::clamp<std::int64_t>(c_.n_steps / 1000, 1, 1000);
    for (std::int64_t k = 0; k < c_.n_steps; ++k) {
      step(k);
      result_.steps_done = k + 1;
      if (progress && ((k + 1) % report_every == 0 || k + 1 == c_.n_steps)) progress(k + 1, c_.n_steps);
    }
    // Astrocytes' state at the end (every group's step divides the duration).
    for (auto& g : groups_)
      if (g.cfg->is_astrocyte()) {
        if (g.cfg->is_gchi()) astrocyte_inputs(g);
        sample(c_.n_steps, false, static_cast<std::int32_t>(g.cfg->index));
      }
    result_.complete = true;
  } catch (const RuntimeError& e) {
    result_.error = e.what();
  }
  result_.run_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result_;
}

NetworkResult run_network(const NetworkConfig& config, const ProgressFn& progress) {
  Network net(config);
  return net.run(progress);
}

}  // namespace glia::network
