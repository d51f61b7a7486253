#include "models/network/network.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include "engine/core/backend.hpp"
#include "engine/core/error.hpp"
#include "engine/core/philox.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/sim/spike_source.hpp"
#include "models/network/network_kernels.hpp"
#ifdef GLIA_WITH_CUDA
#include "models/network/network_device.hpp"
#endif

namespace glia::network {

namespace {

constexpr std::uint32_t kSourceStream = 0x73726300u;   // + group index: spike sources
constexpr std::uint32_t kInitStream = 0x696e6900u;     // + group index: random initial values
constexpr std::uint32_t kConnectStream = 0x636f6e00u;  // + projection index: random connectivity
constexpr std::int64_t kParallelMin = 1024;            // elements below which a loop stays serial

std::string where(const GroupConfig& g) {
  return "groups[" + std::to_string(g.index) + "] \"" + g.name + "\"";
}

std::string time_text(double t) {
  std::ostringstream s;
  s.precision(10);
  s << t;
  return s.str();
}

double initial_value(const GroupConfig& g, const std::string& var, double fallback, std::uint32_t i,
                     std::uint32_t var_index, std::uint64_t seed) {
  const auto it = g.init.find(var);
  if (it == g.init.end()) return fallback;
  const InitValue& v = it->second;
  switch (v.kind) {
    case InitValue::Kind::constant:
      return v.lo;
    case InitValue::Kind::array:
      return v.values[i];
    case InitValue::Kind::uniform:
      return v.lo + (v.hi - v.lo) * philox_uniform(seed, var_index, i, kInitStream + g.index);
  }
  return fallback;
}

}  // namespace

Network::~Network() = default;

Network::Network(const NetworkConfig& config) : c_(config) {
  const auto t0 = std::chrono::steady_clock::now();
  groups_.resize(c_.groups.size());
  projections_.resize(c_.projections.size());
  for (const auto& g : c_.groups) build_group(g);
  for (const auto& cc : c_.couplings) {
    Group& g = groups_[cc.group];
    g.coupled = true;
    g.coupling = cc.params;
    sim::pairs_within(g.cfg->positions, cc.radius, g.row_ptr, g.neighbours);
  }
  for (const auto& p : c_.projections) build_projection(p);
  for (const auto& m : c_.monitors) {
    if (m.on_projection) continue;
    if (m.type == MonitorType::spikes) groups_[m.target_index].record_spikes = true;
    if (m.type == MonitorType::rate) groups_[m.target_index].rate_bin = m.every;
  }
  for (std::size_t k = 0; k < projections_.size(); ++k)
    result_.synapse_counts[c_.projections[k].name] = projections_[k].n_syn;
  if (c_.device == Device::cuda) {
#ifdef GLIA_WITH_CUDA
    std::string why;
    if (cuda_device_count(&why) == 0) throw ConfigError("simulation.device", "\"cuda\"", why);
    device_ = std::make_shared<NetworkDevice>(groups_, projections_, c_.seed);
#else
    throw ConfigError("simulation.device", "\"cuda\"", "this build of glia has no CUDA backend");
#endif
  }
  result_.setup_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::int64_t Network::synapse_count(std::uint32_t projection) const {
  return projections_.at(projection).n_syn;
}

void Network::build_group(const GroupConfig& cfg) {
  Group& g = groups_[cfg.index];
  g.cfg = &cfg;
  g.dt = c_.dt * static_cast<double>(cfg.every);
  const std::uint32_t n = cfg.n;
  g.flag.assign(n, 0);
  auto init = [&](std::vector<double>& a, const char* var, double fallback, std::uint32_t var_index) {
    a.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) a[i] = initial_value(cfg, var, fallback, i, var_index, c_.seed);
  };
  if (cfg.model == GroupModel::lif_coba) {
    init(g.v, "v", cfg.coba.E_l, 0);
    init(g.g_e, "g_e", 0.0, 1);
    init(g.g_i, "g_i", 0.0, 2);
    g.refractory_until.assign(n, 0.0);
  } else if (cfg.model == GroupModel::lif_cuba) {
    init(g.v, "v", cfg.cuba.E_l, 0);
    init(g.i_syn, "i_syn", 0.0, 1);
    g.refractory_until.assign(n, 0.0);
  } else if (cfg.is_astrocyte()) {
    const char* names[bio::kGChIVars] = {"Gamma_A", "I", "C", "h"};
    const double fallback[bio::kGChIVars] = {0.0, 0.01, 0.01, 0.9};
    g.y.resize(static_cast<std::size_t>(n) * bio::kGChIVars);
    for (int v = 0; v < bio::kGChIVars; ++v)
      for (std::uint32_t i = 0; i < n; ++i)
        g.y[static_cast<std::size_t>(i) * bio::kGChIVars + static_cast<std::size_t>(v)] =
            initial_value(cfg, names[v], fallback[v], i, static_cast<std::uint32_t>(v), c_.seed);
    init(g.x_A, "x_A", 1.0, 4);
    init(g.G_A, "G_A", 0.0, 5);
    g.Y_in.assign(n, 0.0);
    g.J.assign(n, 0.0);
    g.I_bias = cfg.has_bias ? cfg.I_bias : std::vector<double>(n, 0.0);
    g.n_covered.assign(n, 0.0);
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
  const sim::SynapseList list =
      sim::connect(cfg.connect, p.n_pre, p.n_post, cfg.has_target && cfg.source == cfg.target, c_.seed,
                   kConnectStream + cfg.index, field + ".connect", &given_order);
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
    p.target = cfg.receptor == Receptor::g_e   ? t.g_e.data()
               : cfg.receptor == Receptor::g_i ? t.g_i.data()
                                               : t.i_syn.data();
  }
  if (cfg.model == SynapseModel::tsodyks_markram) {
    p.u.assign(static_cast<std::size_t>(p.n_syn), cfg.init_u);
    p.x.assign(static_cast<std::size_t>(p.n_syn), cfg.init_x);
  }
  p.last.assign(p.n_pre, 0.0);
  p.ring.resize(static_cast<std::size_t>(cfg.delay_steps) + 1);

  // A state monitor of this projection records synapses by list index: map them to storage once.
  for (const auto& m : c_.monitors) {
    if (!m.on_projection || m.target_index != cfg.index || m.type != MonitorType::state) continue;
    for (std::size_t k = 0; k < m.indices.size(); ++k) {
      if (m.indices[k] >= p.n_syn)
        throw ConfigError(
            m.field + ".indices[" + std::to_string(k) + "]", std::to_string(m.indices[k]),
            "out of range: projection \"" + m.target + "\" has " + std::to_string(p.n_syn) + " synapses");
      p.monitor_q.push_back(phys[m.indices[k]]);
      p.monitor_pre.push_back(list.pre[m.indices[k]]);
    }
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
// ---------------------------------------------------------------------------------------------
// Stepping

NetworkResult Network::run(const ProgressFn& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& m : c_.monitors) {
    if (m.type == MonitorType::spikes) result_.spikes[m.target];
    if (m.type == MonitorType::rate) result_.rates[m.target];
    if (m.type == MonitorType::state) result_.state[m.target].indices = m.indices;
    if (m.type == MonitorType::mean) result_.means[m.target];
  }
  try {
    sample(0, true);  // astrocytes are sampled at their ticks, the first one at k = 0
    const std::int64_t report_every = std::max<std::int64_t>(1, c_.n_steps / 1000);
    for (std::int64_t k = 0; k < c_.n_steps; ++k) {
      step(k);
      result_.steps_done = k + 1;
      if (progress && ((k + 1) % report_every == 0 || k + 1 == c_.n_steps)) progress(k + 1, c_.n_steps);
    }
    // Astrocytes' state at the end (every group's step divides the duration).
    for (auto& g : groups_)
      if (g.cfg->is_astrocyte()) {
        astrocyte_inputs(g);
        sample(c_.n_steps, false, static_cast<std::int32_t>(g.cfg->index));
      }
    result_.complete = true;
  } catch (const RuntimeError& e) {
    result_.error = e.what();
  }
  result_.run_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result_;
}

void Network::step(std::int64_t k) {
  for (auto& g : groups_) {
    if (!g.cfg->is_astrocyte() || k % g.cfg->every != 0) continue;
    astrocyte_inputs(g);
    sample(k, false, static_cast<std::int32_t>(g.cfg->index));
    astrocyte_tick(g, k);
  }
  for (auto& g : groups_) {
    g.spikes.clear();
    if ((k + 1) % g.cfg->every != 0) continue;
    if (g.cfg->is_neuron()) advance_neurons(g, k);
    if (g.cfg->is_source()) advance_source(g, k);
  }
  // Receptors relax towards the level set by the gliotransmitter at the last tick: Gamma_S(t_{k+1}).
  for (auto& p : projections_) {
    if (!p.receives_gliotransmitter) continue;
#ifdef GLIA_WITH_CUDA
    if (device_) {
      device_->relax_receptors(p);
      continue;
    }
#endif
    for (std::uint32_t a = 0; a < p.n_astro; ++a)
      p.gamma[a] = p.gamma_inf[a] + (p.gamma[a] - p.gamma_inf[a]) * p.gamma_decay[a];
  }
  for (auto& p : projections_) {
    const Group& src = groups_[p.cfg->source];
    const std::size_t slots = p.ring.size();
    auto& later =
        p.ring[static_cast<std::size_t>((k + p.cfg->delay_steps) % static_cast<std::int64_t>(slots))];
    later.insert(later.end(), src.spikes.begin(), src.spikes.end());
    deliver(p, k);
  }
  const double t = static_cast<double>(k + 1) * c_.dt;
  for (auto& g : groups_) {
    if (g.record_spikes && !g.cfg->is_astrocyte()) {
      SpikeTrain& s = result_.spikes[g.cfg->name];
      for (std::uint32_t i : g.spikes) {
        s.t.push_back(t);
        s.i.push_back(i);
      }
    }
    if (g.rate_bin > 0) {
      g.rate_count += static_cast<std::int64_t>(g.spikes.size());
      if ((k + 1) % g.rate_bin == 0) {
        RateTrace& r = result_.rates[g.cfg->name];
        const double bin = static_cast<double>(g.rate_bin) * c_.dt;
        r.t.push_back(static_cast<double>(k + 1 - g.rate_bin) * c_.dt);
        r.rate.push_back(static_cast<double>(g.rate_count) / (static_cast<double>(g.cfg->n) * bin));
        g.rate_count = 0;
      }
    }
  }
  sample(k + 1, true);
}

void Network::advance_neurons(Group& g, std::int64_t k) {
  const GroupConfig& cfg = *g.cfg;
  const auto n = static_cast<std::int64_t>(cfg.n);
  const double t = static_cast<double>(k + 1) * c_.dt - g.dt;  // start of the group's step
  std::int64_t bad = n;
#ifdef GLIA_WITH_CUDA
  if (device_) bad = device_->lif_step(g, t, cfg.I_ext_factor.at(t));
#endif
  if (device_) {
    // stepped on the device
  } else if (cfg.model == GroupModel::lif_coba) {
    bio::LifCobaParams p = cfg.coba;
    p.I_ext *= cfg.I_ext_factor.at(t);
    const bool euler = cfg.lif_method == LifMethod::euler;
#pragma omp parallel for schedule(static) reduction(min : bad) if (n >= kParallelMin)
    for (std::int64_t i = 0; i < n; ++i) {
      const auto u = static_cast<std::size_t>(i);
      bio::LifState s{g.v[u], g.g_e[u], g.g_i[u], g.refractory_until[u]};
      const bool spiked = euler ? bio::lif_coba_euler_step(p, s, t, g.dt) : bio::lif_coba_step(p, s, t, g.dt);
      g.v[u] = s.v;
      g.g_e[u] = s.g_e;
      g.g_i[u] = s.g_i;
      g.refractory_until[u] = s.refractory_until;
      g.flag[u] = spiked;
      if (!std::isfinite(s.v) || !std::isfinite(s.g_e) || !std::isfinite(s.g_i)) bad = std::min(bad, i);
    }
  } else {
    bio::LifCubaParams p = cfg.cuba;
    p.I_ext *= cfg.I_ext_factor.at(t);
#pragma omp parallel for schedule(static) reduction(min : bad) if (n >= kParallelMin)
    for (std::int64_t i = 0; i < n; ++i) {
      const auto u = static_cast<std::size_t>(i);
      bio::LifCubaState s{g.v[u], g.i_syn[u], g.refractory_until[u]};
      g.flag[u] = bio::lif_cuba_step(p, s, t, g.dt);
      g.v[u] = s.v;
      g.i_syn[u] = s.i_syn;
      g.refractory_until[u] = s.refractory_until;
      if (!std::isfinite(s.v) || !std::isfinite(s.i_syn)) bad = std::min(bad, i);
    }
  }
  if (bad < n) {
#ifdef GLIA_WITH_CUDA
    if (device_) device_->download(g);
#endif
    const auto u = static_cast<std::size_t>(bad);
    const bool coba = cfg.model == GroupModel::lif_coba;
    const char* var = !std::isfinite(g.v[u]) ? "v"
                      : coba                 ? (!std::isfinite(g.g_e[u]) ? "g_e" : "g_i")
                                             : "i_syn";
    const double value = !std::isfinite(g.v[u]) ? g.v[u]
                         : coba                 ? (!std::isfinite(g.g_e[u]) ? g.g_e[u] : g.g_i[u])
                                                : g.i_syn[u];
    throw RuntimeError(where(cfg) + ": " + var + "[" + std::to_string(bad) + "] = " + io::number_text(value) +
                       " at t = " + time_text(t + g.dt) +
                       " s: the state is no longer finite (check weights, inputs and the step size)");
  }
  for (std::uint32_t i = 0; i < cfg.n; ++i)
    if (g.flag[i]) g.spikes.push_back(i);
}

void Network::advance_source(Group& g, std::int64_t k) {
  const GroupConfig& cfg = *g.cfg;
  const std::int64_t m = (k + 1) / cfg.every;  // the group's step count: spikes at t = m * dt_group
  const double t = static_cast<double>(m) * g.dt;
  if (t < cfg.start - 0.5 * g.dt) return;
  if (cfg.model == GroupModel::poisson) {
    const double rate = cfg.rate_schedule.values.empty() ? cfg.rate : cfg.rate_schedule.at(t - g.dt);
    const double p = rate * g.dt;
    for (std::uint32_t i = 0; i < cfg.n; ++i)
      if (philox_uniform(c_.seed, m, i, kSourceStream + cfg.index) < p) g.spikes.push_back(i);
  } else {
    sim::SpikeSourceParams p;
    p.kind = sim::SourceKind::regular;
    p.rate = cfg.rate;
    p.start = cfg.start;
    for (std::uint32_t i = 0; i < cfg.n; ++i)
      if (sim::source_spikes(p, i, m, g.dt)) g.spikes.push_back(i);
  }
}

void Network::deliver(Projection& p, std::int64_t k) {
  auto& spikes = p.ring[static_cast<std::size_t>(k % static_cast<std::int64_t>(p.ring.size()))];
  if (spikes.empty()) return;
  const ProjectionConfig& cfg = *p.cfg;
  const double t = static_cast<double>(k + 1) * c_.dt;
  const bool tm = cfg.model == SynapseModel::tsodyks_markram;
  const bool glutamate = cfg.has_astrocytes;
  const std::size_t n_spikes = spikes.size();
  p.ef.assign(n_spikes, 1.0);
  p.ed.assign(n_spikes, 1.0);
  p.ey.assign(n_spikes, 1.0);
  const double Omega_c = glutamate ? cfg.astrocytes.glutamate.Omega_c : 0.0;
  for (std::size_t s = 0; s < n_spikes; ++s) {
    const double elapsed = t - p.last[spikes[s]];
    if (tm) {
      p.ef[s] = bio::tm_decay(elapsed, cfg.tm.tau_fac);
      p.ed[s] = bio::tm_decay(elapsed, cfg.tm.tau_rec);
    }
    if (glutamate) p.ey[s] = std::exp(-Omega_c * elapsed);
  }
  // Glutamate reaches the astrocyte at its next tick: weight a release by its decay until then.
  double to_tick = 1.0;
  if (p.reads_glutamate) {
    const std::int64_t every = c_.groups[p.astro_group].every;
    const std::int64_t next_tick = ((k + 1 + every - 1) / every) * every;
    to_tick = std::exp(-Omega_c * static_cast<double>(next_tick - (k + 1)) * c_.dt);
  }
  for (std::uint32_t i : spikes) p.last[i] = t;
#ifdef GLIA_WITH_CUDA
  if (device_) {
    device_->deliver(p, spikes, to_tick);
    spikes.clear();
    return;
  }
#endif
  const double released_to_Y =
      glutamate ? cfg.astrocytes.glutamate.rho_c * cfg.astrocytes.glutamate.Y_T : 0.0;
  const double U_star = cfg.tm.U, alpha = cfg.astrocytes.receptors.alpha;
  const double w = cfg.weight;
  double* target = p.target;
  const std::size_t stride = static_cast<std::size_t>(p.n_pre) + 1;
  const std::int64_t work =
      static_cast<std::int64_t>(n_spikes) * (p.n_syn / std::max<std::int64_t>(1, p.n_pre));
  const auto n_blocks = static_cast<std::int64_t>(p.n_blocks);
#pragma omp parallel for schedule(dynamic, 1) if (work >= 4 * kParallelMin && n_blocks > 1)
  for (std::int64_t b = 0; b < n_blocks; ++b) {
    const std::int64_t* row = p.row_ptr.data() + static_cast<std::size_t>(b) * stride;
    double* acc = p.reads_glutamate ? p.acc.data() + static_cast<std::size_t>(b) * p.n_astro : nullptr;
    for (std::size_t s = 0; s < n_spikes; ++s) {
      const std::uint32_t i = spikes[s];
      for (std::int64_t q = row[i]; q < row[i + 1]; ++q) {
        const auto qu = static_cast<std::size_t>(q);
        if (!tm) {
          target[p.post[qu]] += w;
          continue;
        }
        const std::int32_t a = glutamate ? p.astro[qu] : -1;
        const double U =
            a >= 0 && p.receives_gliotransmitter
                ? modulated_release_probability(U_star, alpha, p.gamma[static_cast<std::size_t>(a)])
                : U_star;
        const double r = tm_release(p.u[qu], p.x[qu], p.ef[s], p.ed[s], U);
        if (target) target[p.post[qu]] += w * r;
        if (glutamate) {
          p.Y[qu] = p.Y[qu] * p.ey[s] + released_to_Y * r;
          if (a >= 0 && acc) acc[a] += released_to_Y * r * to_tick;
        }
      }
    }
  }
  spikes.clear();
}

void Network::astrocyte_inputs(Group& g) {
#ifdef GLIA_WITH_CUDA
  if (device_) {
    device_->astrocyte_inputs(g);
    return;
  }
#endif
  const double h = g.dt;
  const std::uint32_t n = g.cfg->n;
  std::fill(g.Y_in.begin(), g.Y_in.end(), 0.0);
  for (std::uint32_t pi : g.glutamate_from) {
    Projection& p = projections_[pi];
    const double decay = std::exp(-p.cfg->astrocytes.glutamate.Omega_c * h);
    for (std::uint32_t a = 0; a < n; ++a) {
      double sum = p.Y_sum[a] * decay;
      for (std::uint32_t b = 0; b < p.n_blocks; ++b) {  // fixed order: independent of threads
        double& acc = p.acc[static_cast<std::size_t>(b) * n + a];
        sum += acc;
        acc = 0.0;
      }
      p.Y_sum[a] = sum;
      g.Y_in[a] += sum;
    }
  }
  for (std::uint32_t a = 0; a < n; ++a)
    if (g.n_covered[a] > 0.0) g.Y_in[a] /= g.n_covered[a];
  // Receptors of the covered synapses over the next astrocyte step, with G_A(t) held.
  for (std::uint32_t pi : g.receptors_of) {
    Projection& p = projections_[pi];
    const bio::PresynapticGliotransmitterParams& r = p.cfg->astrocytes.receptors;
    for (std::uint32_t a = 0; a < n; ++a)
      receptor_relaxation(r.O_G, r.Omega_G, g.G_A[a], c_.dt, p.gamma_inf[a], p.gamma_decay[a]);
  }
}

void Network::astrocyte_tick(Group& g, std::int64_t k) {
  const GroupConfig& cfg = *g.cfg;
  const double t = static_cast<double>(k) * c_.dt, h = g.dt;
  const auto n = static_cast<std::int64_t>(cfg.n);
  std::int64_t bad = n;
#ifdef GLIA_WITH_CUDA
  if (device_) bad = device_->astrocyte_tick(g, t, k / cfg.every);
#endif
  if (!device_) {
    if (g.coupled) {
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
      for (std::int64_t a = 0; a < n; ++a)
        g.J[static_cast<std::size_t>(a)] =
            bio::ip3_coupling_flux(g.coupling, g.row_ptr.data(), g.neighbours.data(), g.y.data(), a);
    }
    const AstrocyteStepParams q = astrocyte_step_params(cfg, h, c_.seed);
    const std::int64_t tick = k / cfg.every;
#pragma omp parallel for schedule(static) reduction(min : bad) if (n >= kParallelMin)
    for (std::int64_t a = 0; a < n; ++a) {
      const auto u = static_cast<std::size_t>(a);
      const int flags = astrocyte_step(q, t, h, tick, static_cast<std::uint32_t>(a), g.I_bias[u], g.Y_in[u],
                                       g.J[u], g.y.data() + u * bio::kGChIVars, g.x_A[u], g.G_A[u]);
      g.flag[u] = (flags & kAstrocyteReleased) != 0;
      if (flags & kAstrocyteOutOfBounds) bad = std::min(bad, a);
    }
  }
  if (bad < n) {
#ifdef GLIA_WITH_CUDA
    if (device_) device_->download(g);
#endif
    const double C_max = cfg.gchi.C_T / (1.0 + cfg.gchi.rho_A);
    const double* y = g.y.data() + static_cast<std::size_t>(bad) * bio::kGChIVars;
    const char* names[bio::kGChIVars] = {"Gamma_A", "I", "C", "h"};
    int v = 0;
    while (v < bio::kGChIVars && std::isfinite(y[v])) ++v;
    std::string what;
    if (v < bio::kGChIVars) {
      what =
          std::string(names[v]) + "[" + std::to_string(bad) + "] = " + io::number_text(y[v]) + ": not finite";
    } else if (y[bio::kIP3] < 0.0) {
      what = "I[" + std::to_string(bad) + "] = " + io::number_text(y[bio::kIP3]) + " µM: negative";
    } else {
      what = "C[" + std::to_string(bad) + "] = " + io::number_text(y[bio::kCa]) +
             " µM: outside [0, C_T/(1 + rho_A)] = [0, " + io::number_text(C_max) + "]";
    }
    throw RuntimeError(where(cfg) + ": " + what + " at t = " + time_text(t + h) +
                       " s (the astrocyte step dt = " + time_text(h) +
                       " s is too long for its method, or the input is out of range)");
  }
  if (g.record_spikes) {
    SpikeTrain& s = result_.spikes[cfg.name];
    for (std::uint32_t a = 0; a < cfg.n; ++a)
      if (g.flag[a]) {
        s.t.push_back(t + h);
        s.i.push_back(a);
      }
  }
}

// ---------------------------------------------------------------------------------------------
// Monitors

double Network::group_value(const Group& g, const std::string& var, std::uint32_t i) const {
  if (var == "v") return g.v[i];
  if (var == "g_e") return g.g_e[i];
  if (var == "g_i") return g.g_i[i];
  if (var == "i_syn") return g.i_syn[i];
  const double* y = g.y.data() + static_cast<std::size_t>(i) * bio::kGChIVars;
  if (var == "Gamma_A") return y[bio::kGammaA];
  if (var == "I") return y[bio::kIP3];
  if (var == "C") return y[bio::kCa];
  if (var == "h") return y[bio::kH];
  if (var == "x_A") return g.x_A[i];
  if (var == "G_A") return g.G_A[i];
  if (var == "Y_S") return g.Y_in[i];
  if (var == "Gamma_S") return g.receptors_of.empty() ? 0.0 : projections_[g.receptors_of.front()].gamma[i];
  return 0.0;
}

double Network::projection_value(const Projection& p, const std::string& var, std::int64_t q,
                                 std::uint32_t pre, double t) const {
  const auto u = static_cast<std::size_t>(q);
  const double elapsed = t - p.last[pre];
  if (var == "u") return p.u[u] * bio::tm_decay(elapsed, p.cfg->tm.tau_fac);
  if (var == "x") return 1.0 - (1.0 - p.x[u]) * bio::tm_decay(elapsed, p.cfg->tm.tau_rec);
  if (var == "Y_S") return p.Y[u] * std::exp(-p.cfg->astrocytes.glutamate.Omega_c * elapsed);
  if (var == "Gamma_S") {
    const std::int32_t a = p.astro[u];
    return a >= 0 && p.receives_gliotransmitter ? p.gamma[static_cast<std::size_t>(a)] : 0.0;
  }
  return 0.0;
}

void Network::sample(std::int64_t k_time, bool neuron_side, std::int32_t astro_group) {
  const double t = static_cast<double>(k_time) * c_.dt;
  for (const auto& m : c_.monitors) {
    if (m.type != MonitorType::state && m.type != MonitorType::mean) continue;
    if (k_time % m.every != 0) continue;
    const bool astro = !m.on_projection && groups_[m.target_index].cfg->is_astrocyte();
    if (astro ? static_cast<std::int32_t>(m.target_index) != astro_group : !neuron_side) continue;
#ifdef GLIA_WITH_CUDA
    if (device_ && m.on_projection) device_->download(projections_[m.target_index]);
    if (device_ && !m.on_projection) device_->download(groups_[m.target_index]);
#endif
    if (m.type == MonitorType::state) {
      StateTrace& s = result_.state[m.target];
      s.t.push_back(t);
      for (const auto& var : m.variables) {
        auto& out = s.values[var];
        for (std::size_t k = 0; k < m.indices.size(); ++k) {
          if (m.on_projection) {
            const Projection& p = projections_[m.target_index];
            out.push_back(projection_value(p, var, p.monitor_q[k], p.monitor_pre[k], t));
          } else {
            out.push_back(group_value(groups_[m.target_index], var, m.indices[k]));
          }
        }
      }
    } else {
      MeanTrace& s = result_.means[m.target];
      s.t.push_back(t);
      const std::string& var = m.variables.front();
      double sum = 0.0, count = 0.0;
      if (m.on_projection) {
        const Projection& p = projections_[m.target_index];
        const std::size_t stride = static_cast<std::size_t>(p.n_pre) + 1;
        for (std::uint32_t b = 0; b < p.n_blocks; ++b)
          for (std::uint32_t i = 0; i < p.n_pre; ++i)
            for (std::int64_t q = p.row_ptr[b * stride + i]; q < p.row_ptr[b * stride + i + 1]; ++q) {
              sum += projection_value(p, var, q, i, t);
              count += 1.0;
            }
      } else {
        const Group& g = groups_[m.target_index];
        for (std::uint32_t i = 0; i < g.cfg->n; ++i) sum += group_value(g, var, i);
        count = g.cfg->n;
      }
      s.values[var].push_back(count > 0.0 ? sum / count : 0.0);
    }
  }
}

NetworkResult run_network(const NetworkConfig& config, const ProgressFn& progress) {
  Network net(config);
  return net.run(progress);
}

}  // namespace glia::network
