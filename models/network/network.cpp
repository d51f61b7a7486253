// Building a network: state buffers per group, CSR projections, the continuous system, the device.
// Stepping is in network_step.cpp, monitors in network_monitors.cpp.
#include "models/network/network.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

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

double Network::initial_value(const NetworkConfig& c, const GroupConfig& g, const std::string& var,
                              std::uint32_t i, std::uint32_t var_index) const {
  const auto it = g.init.find(var);
  if (it == g.init.end()) return default_initial_value(g, var);
  const InitValue& v = it->second;
  switch (v.kind) {
    case InitValue::Kind::constant:
      return v.lo;
    case InitValue::Kind::array:
      return v.values[i];
    case InitValue::Kind::uniform:
      return v.lo + (v.hi - v.lo) * philox_uniform(c.seed, var_index, i, kInitStream + g.index);
  }
  return 0.0;
}

sim::SynapseList Network::connect(const NetworkConfig& c, const ProjectionConfig& p,
                                  std::vector<std::int64_t>* given_order) const {
  const std::uint32_t n_pre = c.groups[p.source].n;
  const std::uint32_t n_post = p.has_target ? c.groups[p.target].n : n_pre;
  return sim::connect(p.connect, n_pre, n_post, p.has_target && p.source == p.target, c.seed,
                      kConnectStream + p.index, "projections[" + std::to_string(p.index) + "].connect",
                      given_order);
}

Network::Network(const NetworkConfig& config) : Network(std::vector<const NetworkConfig*>{&config}) {}

Network::Network(const std::vector<const NetworkConfig*>& variants)
    : c_(*variants.at(0)), variants_(variants), V_(static_cast<std::uint32_t>(variants.size())) {
  const auto t0 = std::chrono::steady_clock::now();
  for (std::uint32_t v = 0; v < V_; ++v) variant_index_.push_back(static_cast<std::int32_t>(v));
  if (V_ > 1) {
    const std::string why = batch_unsupported(variants);
    if (!why.empty()) throw ConfigError("variants", std::to_string(V_) + " networks", why);
    // Batched indices (elements, astrocytes, presynaptic rows) are 32-bit.
    for (const auto& g : c_.groups)
      if (static_cast<std::uint64_t>(g.n) * V_ > 0x7fffffffu)
        throw ConfigError("variants", std::to_string(V_) + " networks",
                          "group \"" + g.name + "\" has " + std::to_string(g.n) +
                              " elements: too many variants for one batch (n × variants must be < 2^31)");
  }
  if (c_.device == Device::cuda) {
#ifdef GLIA_WITH_CUDA
    std::string why;
    if (cuda_device_count(&why) == 0) throw ConfigError("simulation.device", "\"cuda\"", why);
#else
    throw ConfigError("simulation.device", "\"cuda\"", "this build of glia has no CUDA backend");
#endif
  }
  results_.resize(V_);
  groups_.resize(c_.groups.size());
  projections_.resize(c_.projections.size());
  for (const auto& g : c_.groups) build_group(g);
  for (std::size_t k = 0; k < c_.couplings.size(); ++k) {
    Group& g = groups_[c_.couplings[k].group];
    g.coupled = true;
    // Each variant's neighbours, as batched indices, rows in batched order.
    std::vector<std::vector<std::int64_t>> rows(V_);
    std::vector<std::vector<std::uint32_t>> nbs(V_);
    for (std::uint32_t v = 0; v < V_; ++v) {
      const CouplingConfig& cc = variants_[v]->couplings[k];
      g.coupling_v.push_back(cc.params);
      if (cc.row_ptr.empty()) {
        sim::pairs_within(of(g, v).positions, cc.radius, rows[v], nbs[v]);
      } else {
        rows[v] = cc.row_ptr;
        nbs[v] = cc.neighbours;
      }
    }
    const std::uint32_t n = g.cfg->n;
    g.row_ptr.assign(static_cast<std::size_t>(n) * V_ + 1, 0);
    for (std::uint32_t i = 0; i < n; ++i)
      for (std::uint32_t v = 0; v < V_; ++v) {
        for (std::int64_t e = rows[v][i]; e < rows[v][i + 1]; ++e)
          g.neighbours.push_back(nbs[v][static_cast<std::size_t>(e)] * V_ + v);
        g.row_ptr[static_cast<std::size_t>(i) * V_ + v + 1] = static_cast<std::int64_t>(g.neighbours.size());
      }
  }
  for (const auto& p : c_.projections)
    if (!p.continuous()) build_projection(p);
  for (Group& g : groups_)
    if (g.cfg->is_gchi()) set_glutamate_decay(g);
  rates_ = std::make_unique<RateSystem>(
      c_,
      [this](const ProjectionConfig& p, std::vector<std::int64_t>* order) { return connect(c_, p, order); },
      [this](const GroupConfig& g, const std::string& var, std::uint32_t i, std::uint32_t k) {
        return initial_value(c_, g, var, i, k);
      });
  for (const auto& m : c_.monitors) {
    if (m.on_projection) continue;
    if (m.type == MonitorType::spikes) groups_[m.target_index].record_spikes = true;
    if (m.type == MonitorType::rate) groups_[m.target_index].rate_bin = m.every;
  }
  for (std::uint32_t v = 0; v < V_; ++v)
    for (std::size_t k = 0; k < projections_.size(); ++k)
      results_[v].synapse_counts[c_.projections[k].name] = synapse_count(static_cast<std::uint32_t>(k), v);
  // Monitored synapses by list index must exist.
  for (const auto& m : c_.monitors) {
    if (m.on_projection && m.type == MonitorType::summary && !m.release_summary())
      for (std::uint32_t v = 0; v < V_; ++v)
        if (m.index >= synapse_count(m.target_index, v))
          throw ConfigError(m.field + ".index", std::to_string(m.index),
                            variant_text(v) + "out of range: projection \"" + m.target + "\" has " +
                                std::to_string(synapse_count(m.target_index, v)) + " synapses");
    if (!m.on_projection || m.type != MonitorType::state) continue;
    for (std::uint32_t v = 0; v < V_; ++v) {
      const std::int64_t n = synapse_count(m.target_index, v);
      for (std::size_t k = 0; k < m.indices.size(); ++k)
        if (m.indices[k] >= n)
          throw ConfigError(m.field + ".indices[" + std::to_string(k) + "]", std::to_string(m.indices[k]),
                            variant_text(v) + "out of range: projection \"" + m.target + "\" has " +
                                std::to_string(n) + " synapses");
    }
  }
#ifdef GLIA_WITH_CUDA
  if (c_.device == Device::cuda) device_ = std::make_shared<NetworkDevice>(groups_, projections_, variants_);
#endif
  const double setup = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (auto& r : results_) r.setup_seconds = setup;
}

std::int64_t Network::synapse_count(std::uint32_t projection, std::uint32_t variant) const {
  if (rates_ && rates_->has_projection(projection)) return rates_->synapse_count(projection);
  return projections_.at(projection).n_syn_v.at(variant);
}

void Network::build_group(const GroupConfig& cfg) {
  Group& g = groups_[cfg.index];
  g.cfg = &cfg;
  g.dt = c_.dt * static_cast<double>(cfg.every);
  g.rate_count.assign(V_, 0);
  g.on_v.assign(V_, 0);
  g.prob_v.assign(V_, 0.0);
  for (std::uint32_t v = 0; v < V_; ++v) {
    const GroupConfig& c = of(g, v);
    g.rate_v.push_back(c.rate_schedule.values.empty() ? c.rate : std::numeric_limits<double>::quiet_NaN());
    g.start_v.push_back(c.start);
  }
  const std::uint32_t n = cfg.n;
  const std::size_t nb = static_cast<std::size_t>(n) * V_;  // elements of the batch
  if (cfg.is_rate()) return;                                // the continuous system holds its state
  g.flag.assign(nb, 0);
  // Element i of variant v at i V + v.
  auto init = [&](std::vector<double>& a, const char* var, std::uint32_t var_index) {
    a.resize(nb);
    for (std::uint32_t i = 0; i < n; ++i)
      for (std::uint32_t v = 0; v < V_; ++v)
        a[static_cast<std::size_t>(i) * V_ + v] = initial_value(*variants_[v], of(g, v), var, i, var_index);
  };
  // Interleaved per element (stride = the model's variable count), as the per-element steps read it.
  auto init_interleaved = [&](const std::vector<const char*>& names) {
    const std::size_t stride = names.size();
    g.y.resize(nb * stride);
    for (std::size_t k = 0; k < stride; ++k)
      for (std::uint32_t i = 0; i < n; ++i)
        for (std::uint32_t v = 0; v < V_; ++v)
          g.y[(static_cast<std::size_t>(i) * V_ + v) * stride + k] =
              initial_value(*variants_[v], of(g, v), names[k], i, static_cast<std::uint32_t>(k));
  };
  auto per_element = [&](std::vector<double>& a, auto value) {
    a.resize(nb);
    for (std::uint32_t i = 0; i < n; ++i)
      for (std::uint32_t v = 0; v < V_; ++v) a[static_cast<std::size_t>(i) * V_ + v] = value(of(g, v), i);
  };
  if (cfg.model == GroupModel::lif_coba) {
    init(g.v, "v", 0);
    init(g.g_e, "g_e", 1);
    init(g.g_i, "g_i", 2);
    g.refractory_until.assign(nb, 0.0);
  } else if (cfg.model == GroupModel::lif_cuba) {
    init(g.v, "v", 0);
    init(g.i_syn, "i_syn", 1);
    g.refractory_until.assign(nb, 0.0);
  } else if (cfg.is_gchi()) {
    init_interleaved({"Gamma_A", "I", "C", "h"});
    init(g.x_A, "x_A", 4);
    init(g.G_A, "G_A", 5);
    g.Y_in.assign(nb, 0.0);
    g.J.assign(nb, 0.0);
    per_element(g.I_bias,
                [](const GroupConfig& c, std::uint32_t i) { return c.has_bias ? c.I_bias[i] : 0.0; });
    bool ambient = false;
    for (std::uint32_t v = 0; v < V_; ++v) ambient = ambient || !of(g, v).glutamate.empty();
    if (ambient)
      per_element(g.glutamate, [](const GroupConfig& c, std::uint32_t i) {
        return c.glutamate.empty() ? 0.0 : c.glutamate[i];
      });
    g.Y_fixed = g.glutamate.empty() ? std::vector<double>(nb, 0.0) : g.glutamate;
    g.n_covered.assign(nb, 0.0);
    for (std::uint32_t v = 0; v < V_; ++v)
      g.astro_q.push_back(astrocyte_step_params(of(g, v), g.dt, variants_[v]->seed));
    g.simd_step = vectorised_astrocytes(g);
  } else if (cfg.is_li_rinzel()) {
    init_interleaved({"C", "h", "IP3"});
    g.ip3_in.assign(nb, 0.0);
    for (std::uint32_t v = 0; v < V_; ++v) g.li_rinzel_v.push_back(of(g, v).li_rinzel);
  }
}

// The variants of a G-ChI group whose glutamate input decays inside its step: the factors e^{-Omega_c h/2},
// e^{-Omega_c h} (the projections onto the group share Omega_c: checked by the config parser).
void Network::set_glutamate_decay(Group& g) {
  for (std::uint32_t v = 0; v < V_; ++v) {
    if (!of(g, v).glutamate_decays || g.glutamate_from.empty()) continue;
    const double Omega_c = of(projections_[g.glutamate_from.front()], v).astrocytes.glutamate.Omega_c;
    g.astro_q[v].glutamate_half = std::exp(-0.5 * Omega_c * g.dt);
    g.astro_q[v].glutamate_full = std::exp(-Omega_c * g.dt);
  }
}

void Network::build_projection(const ProjectionConfig& cfg) {
  Projection& p = projections_[cfg.index];
  p.cfg = &cfg;
  const GroupConfig& src = c_.groups[cfg.source];
  const std::uint32_t n_pre = src.n, n_post = cfg.has_target ? c_.groups[cfg.target].n : src.n;
  p.n_pre = n_pre * V_;
  p.n_post = n_post * V_;
  const std::string field = "projections[" + std::to_string(cfg.index) + "]";
  // Each variant's synapses (its own seed and connectivity), in its list order.
  std::vector<sim::SynapseList> lists(V_);
  std::vector<std::vector<std::int64_t>> given_order(V_);
  p.n_syn = 0;
  for (std::uint32_t v = 0; v < V_; ++v) {
    lists[v] = connect(*variants_[v], of(p, v), &given_order[v]);
    p.n_syn_v.push_back(static_cast<std::int64_t>(lists[v].pre.size()));
    p.list_start.push_back(p.n_syn);
    p.n_syn += p.n_syn_v.back();
    p.delay_v.push_back(of(p, v).delay_steps);
  }

  // Blocks of postsynaptic indices: fixed by the target size (of one variant), never by the thread count
  // or the batch, so that every sum runs as it does alone.
  p.n_blocks = std::clamp<std::uint32_t>(n_post / 128, 1, 64);
  p.block_size = (n_post + p.n_blocks - 1) / p.n_blocks;
  const std::size_t stride = static_cast<std::size_t>(p.n_pre) + 1;
  p.row_ptr.assign(p.n_blocks * stride, 0);
  for (std::uint32_t v = 0; v < V_; ++v)
    for (std::size_t s = 0; s < lists[v].pre.size(); ++s) {
      const std::uint32_t b = lists[v].post[s] / p.block_size;
      ++p.row_ptr[b * stride + static_cast<std::size_t>(lists[v].pre[s]) * V_ + v + 1];
    }
  std::int64_t offset = 0;
  for (std::uint32_t b = 0; b < p.n_blocks; ++b) {
    std::int64_t* r = p.row_ptr.data() + b * stride;
    r[0] = offset;
    for (std::size_t i = 0; i < p.n_pre; ++i) r[i + 1] += r[i];
    offset = r[p.n_pre];
  }
  std::vector<std::int64_t> phys(static_cast<std::size_t>(p.n_syn));  // batch list order -> storage order
  std::vector<std::uint32_t> list_pre(static_cast<std::size_t>(p.n_syn));
  {
    std::vector<std::int64_t> fill(p.row_ptr);
    p.post.resize(static_cast<std::size_t>(p.n_syn));
    for (std::uint32_t v = 0; v < V_; ++v)
      for (std::size_t s = 0; s < lists[v].pre.size(); ++s) {
        const std::uint32_t b = lists[v].post[s] / p.block_size;
        const std::uint32_t pre = lists[v].pre[s] * V_ + v;
        const std::int64_t q = fill[b * stride + pre]++;
        const auto l = static_cast<std::size_t>(p.list_start[v]) + s;
        phys[l] = q;
        list_pre[l] = pre;
        p.post[static_cast<std::size_t>(q)] = lists[v].post[s] * V_ + v;
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
  // A per-synapse value of each variant's configuration, at the synapse's storage position.
  auto per_synapse = [&](std::vector<double>& a, auto value) {
    a.resize(static_cast<std::size_t>(p.n_syn));
    for (std::uint32_t v = 0; v < V_; ++v)
      for (std::int64_t s = 0; s < p.n_syn_v[v]; ++s)
        a[static_cast<std::size_t>(phys[static_cast<std::size_t>(p.list_start[v] + s)])] = value(of(p, v));
  };
  if (cfg.model == SynapseModel::tsodyks_markram) {
    per_synapse(p.u, [](const ProjectionConfig& c) { return c.init_u; });
    per_synapse(p.x, [](const ProjectionConfig& c) { return c.init_x; });
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
          list_pre[static_cast<std::size_t>(s)];
    index_by_post(p.post, p.n_post, p.in_ptr, p.in_syn);
    Group& t = groups_[cfg.target];
    t.I_sic.assign(static_cast<std::size_t>(t.cfg->n) * V_, 0.0);
    t.sic_from.push_back(cfg.index);
    groups_[cfg.source].sic_to.push_back(cfg.index);
  }
  for (std::uint32_t v = 0; v < V_; ++v) {
    const ProjectionConfig& c = of(p, v);
    // A spike onto a Li–Rinzel astrocyte adds delta_IP3 * w to its IP3.
    p.w_v.push_back(c.receptor == Receptor::ip3
                        ? c.weight * variants_[v]->groups[c.target].li_rinzel.delta_IP3
                        : c.weight);
    p.U_v.push_back(c.tm.U);
    p.alpha_v.push_back(c.astrocytes.receptors.alpha);
    p.released_v.push_back(c.has_astrocytes ? c.astrocytes.glutamate.rho_c * c.astrocytes.glutamate.Y_T
                                            : 0.0);
    p.Omega_c_v.push_back(c.has_astrocytes ? c.astrocytes.glutamate.Omega_c : 0.0);
    if (c.has_astrocytes)
      p.fold_v.push_back(std::exp(-c.astrocytes.glutamate.Omega_c * groups_[c.astrocytes.group].dt));
  }
  p.to_tick_v.assign(V_, 1.0);
  p.last.assign(p.n_pre, 0.0);
  p.ring.resize(static_cast<std::size_t>(*std::max_element(p.delay_v.begin(), p.delay_v.end())) + 1);

  // Monitors address synapses by list index (per variant: from list_start[v]).
  bool monitored = false;
  for (const auto& m : c_.monitors) {
    if (!m.on_projection || m.target_index != cfg.index) continue;
    monitored = true;
    if (m.type == MonitorType::spikes) p.record_spikes = true;
    if (m.release_summary()) p.summarised = true;
  }
  if (monitored) {
    p.storage = phys;
    p.list_pre = list_pre;
  }
  if ((p.record_spikes || p.summarised) && cfg.model == SynapseModel::tsodyks_markram)
    p.r_last.assign(static_cast<std::size_t>(p.n_syn), 0.0);
  if (p.record_spikes) {
    p.list_of.resize(static_cast<std::size_t>(p.n_syn));
    for (std::uint32_t v = 0; v < V_; ++v)
      for (std::int64_t s = 0; s < p.n_syn_v[v]; ++s)
        p.list_of[static_cast<std::size_t>(phys[static_cast<std::size_t>(p.list_start[v] + s)])] = s;
  }

  if (!cfg.has_astrocytes) return;
  const AstrocyteCover& cov = cfg.astrocytes;
  Group& a = groups_[cov.group];
  p.astro_group = cov.group;
  p.n_astro = a.cfg->n * V_;
  p.reads_glutamate = cov.feedback != Feedback::open;
  p.receives_gliotransmitter = cov.feedback != Feedback::none;
  p.astro.assign(static_cast<std::size_t>(p.n_syn), -1);
  for (std::uint32_t v = 0; v < V_; ++v) {
    const ProjectionConfig& pv = of(p, v);
    const auto cover = [&](std::int64_t s, std::int64_t astro_local) {
      p.astro[static_cast<std::size_t>(phys[static_cast<std::size_t>(p.list_start[v] + s)])] =
          astro_local < 0 ? -1 : static_cast<std::int32_t>(astro_local * V_ + v);
    };
    if (pv.astrocytes.nearest_to_target) {
      const std::vector<std::uint32_t> nearest = sim::nearest_points(
          variants_[v]->groups[cfg.target].positions, variants_[v]->groups[cov.group].positions);
      for (std::int64_t s = 0; s < p.n_syn_v[v]; ++s)
        cover(s, nearest[lists[v].post[static_cast<std::size_t>(s)]]);
    } else {
      const std::vector<std::int64_t>& index = pv.astrocytes.index;
      if (static_cast<std::int64_t>(index.size()) != p.n_syn_v[v])
        throw ConfigError(field + ".astrocytes.index", std::to_string(index.size()) + " entries",
                          variant_text(v) + "must have one entry per synapse: the projection made " +
                              std::to_string(p.n_syn_v[v]));
      const bool explicit_pairs = pv.connect.rule == sim::ConnectRule::explicit_pairs;
      for (std::size_t k = 0; k < index.size(); ++k)
        cover(explicit_pairs ? given_order[v][k] : static_cast<std::int64_t>(k), index[k]);
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

std::vector<NetworkResult> Network::run_batch(const ProgressFn& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  // State and mean recordings are reserved whole (their sample count is known), so that a batch of many
  // variants does not reallocate them as they grow.
  std::vector<std::size_t> samples(c_.monitors.size(), 0);
  for (std::size_t j = 0; j < c_.monitors.size(); ++j) {
    const MonitorConfig& m = c_.monitors[j];
    if (m.type != MonitorType::state && m.type != MonitorType::mean) continue;
    samples[j] = static_cast<std::size_t>(monitor_samples(m, c_));
  }
  for (auto& result : results_)
    for (std::size_t j = 0; j < c_.monitors.size(); ++j) {
      const MonitorConfig& m = c_.monitors[j];
      if (m.type == MonitorType::spikes) result.spikes[m.name];
      if (m.type == MonitorType::rate) result.rates[m.name];
      if (m.type == MonitorType::state) {
        StateTrace& s = result.state[m.name];
        s.indices = m.indices;
        s.t.reserve(samples[j]);
        for (const auto& var : m.variables) s.values[var].reserve(samples[j] * m.indices.size());
      }
      if (m.type == MonitorType::mean) {
        MeanTrace& s = result.means[m.name];
        s.t.reserve(samples[j]);
        for (const auto& var : m.variables) s.values[var].reserve(samples[j]);
      }
    }
  summary_acc_.assign(c_.monitors.size(), std::vector<sim::SummaryAcc>(V_));
  summary_in_window_.assign(c_.monitors.size(), std::vector<std::int64_t>(V_, 0));
  summary_threshold_.assign(c_.monitors.size(), {});
  for (std::size_t j = 0; j < c_.monitors.size(); ++j) {
    for (std::uint32_t v = 0; v < V_; ++v)
      summary_threshold_[j].push_back(variants_[v]->monitors[j].threshold);
    // Spike statistics start empty; a group's statistics start at its first sample (k = 0).
    if (c_.monitors[j].release_summary())
      for (auto& acc : summary_acc_[j]) sim::summary_start(c_.monitors[j].stat, acc, 0.0);
  }
  trace_times_.assign(c_.monitors.size(), {});
  trace_values_.assign(c_.monitors.size(), {});
  for (std::size_t j = 0; j < c_.monitors.size(); ++j) {
    const MonitorConfig& m = c_.monitors[j];
    if (m.type != MonitorType::state && m.type != MonitorType::mean) continue;
    for (auto& result : results_) {
      const bool state = m.type == MonitorType::state;
      auto& values = state ? result.state[m.name].values : result.means[m.name].values;
      trace_times_[j].push_back(state ? &result.state[m.name].t : &result.means[m.name].t);
      for (const auto& var : m.variables) trace_values_[j].push_back(&values[var]);
    }
  }
  bool complete = false;
  std::string error, failed_variable;
  double failed_value = std::numeric_limits<double>::quiet_NaN();
  std::int64_t done = 0;
  try {
    sample(0, true);  // astrocytes are sampled at their ticks, the first one at k = 0
    // Often enough that a progress line (and its ETA) appears within a second even for absurdly long runs.
    const std::int64_t report_every = std::clamp<std::int64_t>(c_.n_steps / 1000, 1, 1000);
    for (std::int64_t k = 0; k < c_.n_steps; ++k) {
      step(k);
      done = k + 1;
      if (progress && ((k + 1) % report_every == 0 || k + 1 == c_.n_steps)) progress(k + 1, c_.n_steps);
    }
    // Astrocytes' state at the end (every group's step divides the duration).
    for (auto& g : groups_)
      if (g.cfg->is_astrocyte()) {
        if (g.cfg->is_gchi()) astrocyte_inputs(g);
        sample(c_.n_steps, false, static_cast<std::int32_t>(g.cfg->index));
      }
    complete = true;
  } catch (const StateError& e) {
    error = e.what();
    failed_variable = e.variable;
    failed_value = e.value;
  } catch (const RuntimeError& e) {
    error = e.what();
  }
  summaries_to_results();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (auto& r : results_) {
    r.steps_done = done;
    r.complete = complete;
    r.error = error;
    r.failed_variable = failed_variable;
    r.failed_value = failed_value;
    r.run_seconds = seconds;
  }
  return std::move(results_);  // a network runs once: no second copy of the recordings
}

void Network::summaries_to_results() {
  for (std::size_t j = 0; j < c_.monitors.size(); ++j) {
    if (c_.monitors[j].type != MonitorType::summary) continue;
    for (std::uint32_t v = 0; v < V_; ++v) {
      const MonitorConfig& m = variants_[v]->monitors[j];
      // Without a sample in the window a group statistic is NaN (final still reads the end); spike
      // statistics say themselves (a count of 0, a mean of nothing NaN).
      const bool defined = summary_in_window_[j][v] > 0 || m.stat == sim::SummaryStat::final_value ||
                           sim::summary_is_spike_stat(m.stat);
      const double step = static_cast<double>(m.every) * c_.dt;
      results_[v].summaries[m.name] = defined ? sim::summary_value(m.stat, summary_acc_[j][v], step)
                                              : std::numeric_limits<double>::quiet_NaN();
    }
  }
}

NetworkResult Network::run(const ProgressFn& progress) { return std::move(run_batch(progress).front()); }

NetworkResult run_network(const NetworkConfig& config, const ProgressFn& progress) {
  Network net(config);
  return net.run(progress);
}

std::vector<NetworkResult> run_network_batch(const std::vector<const NetworkConfig*>& variants,
                                             const ProgressFn& progress) {
  Network net(variants);
  return net.run_batch(progress);
}

}  // namespace glia::network
