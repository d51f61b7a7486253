// Stepping a network (the order of one base step is in network.hpp). Each update calls the
// per-element functions of network_kernels.hpp, in OpenMP loops here and in CUDA kernels in
// cuda/network_device.cu.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "engine/core/error.hpp"
#include "engine/core/parallel.hpp"
#include "engine/core/philox.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/sim/spike_source.hpp"
#include "models/network/network.hpp"
#include "models/network/network_kernels.hpp"
#ifdef GLIA_WITH_CUDA
#include "models/network/network_device.hpp"
#endif

namespace glia::network {

namespace {

constexpr std::uint32_t kSourceStream = 0x73726300u;  // + group index: spike sources
constexpr std::int64_t kParallelMin = 1024;           // elements below which a loop stays serial

std::string where(const GroupConfig& g) {
  return "groups[" + std::to_string(g.index) + "] \"" + g.name + "\"";
}

std::string time_text(double t) {
  std::ostringstream s;
  s.precision(10);
  s << t;
  return s.str();
}

}  // namespace

void Network::step(std::int64_t k) {
  for (auto& g : groups_) {
    if (!g.cfg->is_astrocyte() || k % g.cfg->every != 0) continue;
    if (g.cfg->is_gchi()) {
      astrocyte_inputs(g);
      sample(k, false, static_cast<std::int32_t>(g.cfg->index));
      astrocyte_tick(g, k);
    } else {
      sample(k, false, static_cast<std::int32_t>(g.cfg->index));
      li_rinzel_tick(g, k);
      for (std::uint32_t pi : g.sic_to) update_sic(groups_[projections_[pi].cfg->target]);
    }
  }
  for (auto& p : projections_)
    if (p.cfg && p.cfg->model == SynapseModel::calcium_stdp) stdp_advance(p, k);
  for (auto& g : groups_) {
    g.spikes.clear();
    if ((k + 1) % g.cfg->every != 0) continue;
    if (g.cfg->is_neuron()) advance_neurons(g, k);
    if (g.cfg->is_source()) advance_source(g, k);
  }
  rates_->step(k);
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
    if (!p.cfg || p.cfg->model == SynapseModel::sic) continue;
    const Group& src = groups_[p.cfg->source];
    const auto slots = static_cast<std::int64_t>(p.ring.size());
    if (V_ == 1) {
      auto& later = p.ring[static_cast<std::size_t>((k + p.cfg->delay_steps) % slots)];
      later.insert(later.end(), src.spikes.begin(), src.spikes.end());
    } else {  // each variant's spikes wait for its own delay
      for (std::uint32_t e : src.spikes)
        p.ring[static_cast<std::size_t>((k + p.delay_v[e % V_]) % slots)].push_back(e);
    }
    if (p.cfg->model == SynapseModel::calcium_stdp) stdp_calcium(p, k);
    deliver(p, k);
  }
  const double t = static_cast<double>(k + 1) * c_.dt;
  for (auto& g : groups_) {
    if (g.record_spikes && !g.cfg->is_astrocyte()) {
      for (const auto& m : c_.monitors) {
        if (m.on_projection || m.type != MonitorType::spikes || m.target_index != g.cfg->index) continue;
        for (std::uint32_t e : g.spikes) {
          SpikeTrain& s = results_[e % V_].spikes[m.name];
          s.t.push_back(t);
          s.i.push_back(e / V_);
        }
      }
    }
    if (g.rate_bin > 0) {
      for (std::uint32_t e : g.spikes) ++g.rate_count[e % V_];
      if ((k + 1) % g.rate_bin == 0) {
        for (const auto& m : c_.monitors) {
          if (m.on_projection || m.type != MonitorType::rate || m.target_index != g.cfg->index) continue;
          const double bin = static_cast<double>(g.rate_bin) * c_.dt;
          for (std::uint32_t v = 0; v < V_; ++v) {
            RateTrace& r = results_[v].rates[m.name];
            r.t.push_back(static_cast<double>(k + 1 - g.rate_bin) * c_.dt);
            r.rate.push_back(static_cast<double>(g.rate_count[v]) / (static_cast<double>(g.cfg->n) * bin));
          }
        }
        std::fill(g.rate_count.begin(), g.rate_count.end(), 0);
      }
    }
  }
  sample(k + 1, true);
}

void Network::advance_neurons(Group& g, std::int64_t k) {
  const GroupConfig& cfg = *g.cfg;
  const auto n = static_cast<std::int64_t>(cfg.n) * V_;        // elements of the batch
  const double t = static_cast<double>(k + 1) * c_.dt - g.dt;  // start of the group's step
  const std::uint32_t V = V_;
  std::int64_t bad = n;
#ifdef GLIA_WITH_CUDA
  if (device_) {
    std::vector<double> factors(V_);
    for (std::uint32_t v = 0; v < V_; ++v) factors[v] = of(g, v).I_ext_factor.at(t);
    bad = device_->lif_step(g, t, factors);
  }
#endif
  const double* sic = g.I_sic.empty() ? nullptr : g.I_sic.data();
  if (device_) {
    // stepped on the device
  } else if (cfg.model == GroupModel::lif_coba) {
    std::vector<bio::LifCobaParams> ps(V);  // per variant
    for (std::uint32_t v = 0; v < V; ++v) {
      ps[v] = of(g, v).coba;
      ps[v].I_ext *= of(g, v).I_ext_factor.at(t);
    }
    const bool euler = cfg.lif_method == LifMethod::euler;
    AtomicMin first_bad(n);
    parallel_for(n, kParallelMin, [&](std::int64_t i) {
      const auto u = static_cast<std::size_t>(i);
      const bio::LifCobaParams& p = ps[u % V];
      const double I_add = sic ? sic[u] : 0.0;
      bio::LifState s{g.v[u], g.g_e[u], g.g_i[u], g.refractory_until[u]};
      const bool spiked =
          euler ? bio::lif_coba_euler_step(p, s, t, g.dt, I_add) : bio::lif_coba_step(p, s, t, g.dt, I_add);
      g.v[u] = s.v;
      g.g_e[u] = s.g_e;
      g.g_i[u] = s.g_i;
      g.refractory_until[u] = s.refractory_until;
      g.flag[u] = spiked;
      if (!std::isfinite(s.v) || !std::isfinite(s.g_e) || !std::isfinite(s.g_i)) first_bad.update(i);
    });
    bad = first_bad.get();
  } else {
    std::vector<bio::LifCubaParams> ps(V);
    for (std::uint32_t v = 0; v < V; ++v) {
      ps[v] = of(g, v).cuba;
      ps[v].I_ext *= of(g, v).I_ext_factor.at(t);
    }
    AtomicMin first_bad(n);
    parallel_for(n, kParallelMin, [&](std::int64_t i) {
      const auto u = static_cast<std::size_t>(i);
      const bio::LifCubaParams& p = ps[u % V];
      bio::LifCubaState s{g.v[u], g.i_syn[u], g.refractory_until[u]};
      g.flag[u] = bio::lif_cuba_step(p, s, t, g.dt, sic ? sic[u] : 0.0);
      g.v[u] = s.v;
      g.i_syn[u] = s.i_syn;
      g.refractory_until[u] = s.refractory_until;
      if (!std::isfinite(s.v) || !std::isfinite(s.i_syn)) first_bad.update(i);
    });
    bad = first_bad.get();
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
    throw RuntimeError(where(cfg) + ": " + variant_text(static_cast<std::uint32_t>(bad % V)) + var + "[" +
                       std::to_string(bad / V) + "] = " + io::number_text(value) +
                       " at t = " + time_text(t + g.dt) +
                       " s: the state is no longer finite (check weights, inputs and the step size)");
  }
  for (std::int64_t e = 0; e < n; ++e)
    if (g.flag[static_cast<std::size_t>(e)]) g.spikes.push_back(static_cast<std::uint32_t>(e));
}

void Network::advance_source(Group& g, std::int64_t k) {
  const GroupConfig& cfg = *g.cfg;
  const std::int64_t m = (k + 1) / cfg.every;  // the group's step count: spikes at t = m * dt_group
  const double t = static_cast<double>(m) * g.dt;
  // Per variant: started yet, and its spike probability (Poisson).
  std::vector<char>& on = g.on_v;
  std::vector<double>& prob = g.prob_v;
  bool any = false;
  for (std::uint32_t v = 0; v < V_; ++v) {
    on[v] = !(t < g.start_v[v] - 0.5 * g.dt);
    any = any || on[v];
    const double rate = std::isnan(g.rate_v[v]) ? of(g, v).rate_schedule.at(t - g.dt) : g.rate_v[v];
    prob[v] = rate * g.dt;
  }
  if (!any) return;
  // Element i of variant v draws from variant v's seed with its own index, as alone.
  const std::uint32_t stream = kSourceStream + cfg.index;
  for (std::uint32_t i = 0, e = 0; i < cfg.n; ++i)
    for (std::uint32_t v = 0; v < V_; ++v, ++e) {
      if (!on[v]) continue;
      bool spike;
      if (cfg.model == GroupModel::poisson) {
        spike = philox_uniform(variants_[v]->seed, m, i, stream) < prob[v];
      } else {
        sim::SpikeSourceParams r;
        r.kind = sim::SourceKind::regular;
        r.rate = of(g, v).rate;
        r.start = of(g, v).start;
        spike = sim::source_spikes(r, i, m, g.dt);
      }
      if (spike) g.spikes.push_back(e);
    }
}

void Network::deliver(Projection& p, std::int64_t k) {
  auto& spikes = p.ring[static_cast<std::size_t>(k % static_cast<std::int64_t>(p.ring.size()))];
  if (spikes.empty()) return;
  const ProjectionConfig& cfg = *p.cfg;
  const double t = static_cast<double>(k + 1) * c_.dt;
  const bool tm = cfg.model == SynapseModel::tsodyks_markram;
  const bool stdp = cfg.model == SynapseModel::calcium_stdp;
  const bool glutamate = cfg.has_astrocytes;
  const std::size_t n_spikes = spikes.size();
  // Per variant: its weight, release parameters and glutamate decay (a spike's variant is its index mod V).
  const std::uint32_t V = V_;
  const std::vector<double>&w = p.w_v, &released_to_Y = p.released_v, &U_star = p.U_v, &alpha = p.alpha_v,
        &Omega_c = p.Omega_c_v;
  std::vector<double>& to_tick = p.to_tick_v;
  [[maybe_unused]] double until_tick =
      0.0;  // s, to the next astrocyte tick (the device weights glutamate itself)
  // Glutamate reaches the astrocyte at its next tick: weight a release by its decay until then.
  if (p.reads_glutamate) {
    const std::int64_t every = c_.groups[p.astro_group].every;
    const std::int64_t next_tick = ((k + 1 + every - 1) / every) * every;
    for (std::uint32_t v = 0; v < V; ++v)
      to_tick[v] = std::exp(-Omega_c[v] * static_cast<double>(next_tick - (k + 1)) * c_.dt);
    until_tick = static_cast<double>(next_tick - (k + 1)) * c_.dt;
  }
  p.ef.assign(n_spikes, 1.0);
  p.ed.assign(n_spikes, 1.0);
  p.ey.assign(n_spikes, 1.0);
  for (std::size_t s = 0; s < n_spikes; ++s) {
    const std::uint32_t v = spikes[s] % V;
    const double elapsed = t - p.last[spikes[s]];
    if (tm) {
      p.ef[s] = bio::tm_decay(elapsed, of(p, v).tm.tau_fac);
      p.ed[s] = bio::tm_decay(elapsed, of(p, v).tm.tau_rec);
    }
    if (glutamate) p.ey[s] = std::exp(-Omega_c[v] * elapsed);
  }
  for (std::uint32_t i : spikes) p.last[i] = t;
  const std::size_t stride = static_cast<std::size_t>(p.n_pre) + 1;
  double* r_out =
      (p.record_spikes || p.summarised) && tm ? p.r_last.data() : nullptr;  // releases, for monitors
#ifdef GLIA_WITH_CUDA
  if (device_) device_->deliver(p, spikes, until_tick, r_out);
#endif
  if (!device_) {
    double* target = p.target;
    const std::int64_t work =
        static_cast<std::int64_t>(n_spikes) * (p.n_syn / std::max<std::int64_t>(1, p.n_pre));
    const auto n_blocks = static_cast<std::int64_t>(p.n_blocks);
    parallel_for_dynamic(n_blocks, work >= 4 * kParallelMin && n_blocks > 1, [&](std::int64_t b) {
      const std::int64_t* row = p.row_ptr.data() + static_cast<std::size_t>(b) * stride;
      double* acc = p.reads_glutamate ? p.acc.data() + static_cast<std::size_t>(b) * p.n_astro : nullptr;
      for (std::size_t s = 0; s < n_spikes; ++s) {
        const std::uint32_t i = spikes[s], v = i % V;
        for (std::int64_t q = row[i]; q < row[i + 1]; ++q) {
          const auto qu = static_cast<std::size_t>(q);
          if (!tm) {
            if (target) target[p.post[qu]] += stdp ? w[v] * p.rho[qu] : w[v];
            continue;
          }
          const std::int32_t a = glutamate ? p.astro[qu] : -1;
          const double U =
              a >= 0 && p.receives_gliotransmitter
                  ? modulated_release_probability(U_star[v], alpha[v], p.gamma[static_cast<std::size_t>(a)])
                  : U_star[v];
          const double r = tm_release(p.u[qu], p.x[qu], p.ef[s], p.ed[s], U);
          if (target) target[p.post[qu]] += w[v] * r;
          if (glutamate) {
            p.Y[qu] = p.Y[qu] * p.ey[s] + released_to_Y[v] * r;
            if (a >= 0 && acc) acc[a] += released_to_Y[v] * r * to_tick[v];
          }
          if (r_out) r_out[qu] = r;
        }
      }
    });
  }
  if (p.summarised) summarise_deliveries(p, spikes, k);
  if (p.record_spikes) {
    // Deliveries in the order of the CPU loop: blocks, spikes, synapses.
    for (const auto& m : c_.monitors) {
      if (!m.on_projection || m.type != MonitorType::spikes || m.target_index != cfg.index) continue;
      for (std::uint32_t b = 0; b < p.n_blocks; ++b)
        for (std::uint32_t i : spikes)
          for (std::int64_t q = p.row_ptr[b * stride + i]; q < p.row_ptr[b * stride + i + 1]; ++q) {
            SpikeTrain& rec = results_[i % V_].spikes[m.name];
            rec.t.push_back(t);
            rec.i.push_back(static_cast<std::uint32_t>(p.list_of[static_cast<std::size_t>(q)]));
            if (r_out) rec.r.push_back(r_out[static_cast<std::size_t>(q)]);
          }
    }
  }
  spikes.clear();
}

// Summary monitors of a Tsodyks–Markram projection: each delivery of the step inside a monitor's window
// (u after the facilitation jump, r = u x), in the order of the CPU loop — blocks, spikes, synapses — which
// for each variant is its order alone.
void Network::summarise_deliveries(Projection& p, const std::vector<std::uint32_t>& spikes, std::int64_t k) {
#ifdef GLIA_WITH_CUDA
  if (device_) device_->download(p);
#endif
  const std::size_t stride = static_cast<std::size_t>(p.n_pre) + 1;
  for (std::size_t j = 0; j < c_.monitors.size(); ++j) {
    const MonitorConfig& m = c_.monitors[j];
    if (!m.release_summary() || m.target_index != p.cfg->index) continue;
    if (k + 1 <= m.window_start) continue;
    for (std::uint32_t b = 0; b < p.n_blocks; ++b)
      for (std::uint32_t i : spikes)
        for (std::int64_t q = p.row_ptr[b * stride + i]; q < p.row_ptr[b * stride + i + 1]; ++q) {
          const auto qu = static_cast<std::size_t>(q);
          sim::summary_spike(m.stat, summary_acc_[j][i % V_], p.u[qu], p.r_last[qu]);
        }
  }
}

void Network::stdp_advance(Projection& p, std::int64_t k) {
  const ProjectionConfig& cfg = *p.cfg;
#ifdef GLIA_WITH_CUDA
  if (device_) device_->stdp_advance(p, k);  // and copies rho back for the check below
#endif
  if (!device_) {
    const std::uint32_t stream = kStdpStream + cfg.index;
    parallel_for(p.n_syn, kParallelMin, [&](std::int64_t q) {
      const auto u = static_cast<std::size_t>(q);
      stdp_synapse_step(cfg.stdp, c_.dt, c_.seed, stream, k, static_cast<std::uint32_t>(q), p.rho[u], p.c[u]);
    });
  }
  for (std::int64_t q = 0; q < p.n_syn; ++q) {
    const double rho = p.rho[static_cast<std::size_t>(q)];
    if (std::isfinite(rho)) continue;
    // The presynaptic element of storage position q: the row of the block CSR that holds it.
    const std::size_t stride = static_cast<std::size_t>(p.n_pre) + 1;
    std::uint32_t pre = 0;
    for (std::size_t r = 0; r < p.row_ptr.size(); ++r)
      if (r % stride < p.n_pre && p.row_ptr[r] <= q && q < p.row_ptr[r + 1])
        pre = static_cast<std::uint32_t>(r % stride);
    throw RuntimeError("projections[" + std::to_string(cfg.index) + "] \"" + cfg.name + "\": synapse pre " +
                       std::to_string(pre) + " -> post " +
                       std::to_string(p.post[static_cast<std::size_t>(q)]) +
                       ": plastic weight rho = " + io::number_text(rho) +
                       " at t = " + time_text(static_cast<double>(k + 1) * c_.dt) + " s: no longer finite");
  }
}

// Calcium jumps of step k: presynaptic spikes whose delay D ends now, and the target's spikes.
void Network::stdp_calcium(Projection& p, std::int64_t k) {
  const ProjectionConfig& cfg = *p.cfg;
  const std::size_t slots = p.stdp_ring.size();
  const Group& src = groups_[cfg.source];
  auto& later =
      p.stdp_ring[static_cast<std::size_t>((k + cfg.stdp_delay_steps) % static_cast<std::int64_t>(slots))];
  later.insert(later.end(), src.spikes.begin(), src.spikes.end());
  auto& now = p.stdp_ring[static_cast<std::size_t>(k % static_cast<std::int64_t>(slots))];
  const std::vector<std::uint32_t>& post = groups_[cfg.target].spikes;
#ifdef GLIA_WITH_CUDA
  if (device_) {
    device_->stdp_calcium(p, now, post);
    now.clear();
    return;
  }
#endif
  const std::size_t stride = static_cast<std::size_t>(p.n_pre) + 1;
  for (std::uint32_t i : now)
    for (std::uint32_t b = 0; b < p.n_blocks; ++b)
      for (std::int64_t q = p.row_ptr[b * stride + i]; q < p.row_ptr[b * stride + i + 1]; ++q)
        bio::cstdp_pre_calcium(cfg.stdp, p.c[static_cast<std::size_t>(q)]);
  for (std::uint32_t j : post)
    for (std::int64_t e = p.in_ptr[j]; e < p.in_ptr[j + 1]; ++e)
      bio::cstdp_post_calcium(cfg.stdp, p.c[static_cast<std::size_t>(p.in_syn[static_cast<std::size_t>(e)])]);
  now.clear();
}

void Network::update_sic(Group& neurons) {
#ifdef GLIA_WITH_CUDA
  if (device_) {
    device_->update_sic(neurons);
    return;
  }
#endif
  const auto n = static_cast<std::int64_t>(neurons.cfg->n);
  std::fill(neurons.I_sic.begin(), neurons.I_sic.end(), 0.0);
  for (std::uint32_t pi : neurons.sic_from) {
    const Projection& p = projections_[pi];
    const double* y = groups_[p.cfg->source].y.data();
    parallel_for(n, kParallelMin, [&](std::int64_t i) {
      neurons.I_sic[static_cast<std::size_t>(i)] +=
          sic_current(p.cfg->sic, p.cfg->weight, p.in_ptr.data(), p.in_syn.data(), p.pre_of.data(), y, i);
    });
  }
}

void Network::li_rinzel_tick(Group& g, std::int64_t k) {
  const GroupConfig& cfg = *g.cfg;
  const double t = static_cast<double>(k) * c_.dt, h = g.dt;
  const std::uint32_t V = V_;
  const auto n = static_cast<std::int64_t>(cfg.n) * V;
  std::int64_t bad = n;
#ifdef GLIA_WITH_CUDA
  if (device_) bad = device_->li_rinzel_tick(g, t);
#endif
  if (!device_) {
    AtomicMin first_bad(n);
    parallel_for(n, kParallelMin, [&](std::int64_t a) {
      const auto u = static_cast<std::size_t>(a);  // element u / V of variant u % V
      if (li_rinzel_step(g.li_rinzel_v[u % V], cfg.method, t, h, g.ip3_in[u],
                         g.y.data() + u * bio::kLiRinzelVars) != 0)
        first_bad.update(a);
      g.ip3_in[u] = 0.0;
    });
    bad = first_bad.get();
  }
  if (bad < n) {
#ifdef GLIA_WITH_CUDA
    if (device_) device_->download(g);
#endif
    const double* y = g.y.data() + static_cast<std::size_t>(bad) * bio::kLiRinzelVars;
    std::ostringstream s;
    s << where(cfg) << ": " << variant_text(static_cast<std::uint32_t>(bad % V)) << "astrocyte " << bad / V
      << " has C = " << io::number_text(y[bio::kLrCa]) << " µM, h = " << io::number_text(y[bio::kLrH])
      << ", IP3 = " << io::number_text(y[bio::kLrIP3]) << " µM at t = " << time_text(t + h)
      << " s: outside C in [0, Ca_tot], h in [0, 1], IP3 >= 0 (the step dt = " << time_text(h)
      << " s is too long for its method, or the input is out of range)";
    throw RuntimeError(s.str());
  }
}

void Network::astrocyte_inputs(Group& g) {
#ifdef GLIA_WITH_CUDA
  if (device_) {
    device_->astrocyte_inputs(g);
    return;
  }
#endif
  const std::uint32_t n = g.cfg->n * V_, V = V_;
  std::fill(g.Y_in.begin(), g.Y_in.end(), 0.0);
  for (std::uint32_t pi : g.glutamate_from) {
    Projection& p = projections_[pi];
    const std::vector<double>& decay = p.fold_v;  // e^{-Omega_c h}, per variant
    for (std::uint32_t a = 0; a < n; ++a) {
      double sum = p.Y_sum[a] * decay[a % V];
      for (std::uint32_t b = 0; b < p.n_blocks; ++b) {  // fixed order: independent of threads
        double& acc = p.acc[static_cast<std::size_t>(b) * n + a];
        sum += acc;
        acc = 0.0;
      }
      p.Y_sum[a] = sum;
      g.Y_in[a] += sum;
    }
  }
  for (std::uint32_t a = 0; a < n; ++a) {
    if (g.n_covered[a] > 0.0) g.Y_in[a] /= g.n_covered[a];
    if (!g.glutamate.empty()) g.Y_in[a] += g.glutamate[a];
  }
  // Receptors of the covered synapses over the next astrocyte step, with G_A(t) held.
  for (std::uint32_t pi : g.receptors_of) {
    Projection& p = projections_[pi];
    for (std::uint32_t a = 0; a < n; ++a) {
      const bio::PresynapticGliotransmitterParams& r = of(p, a % V).astrocytes.receptors;
      receptor_relaxation(r.O_G, r.Omega_G, g.G_A[a], c_.dt, p.gamma_inf[a], p.gamma_decay[a]);
    }
  }
}

// Whether a G-ChI group's astrocytes take the vectorised step (astrocyte_rk4_step): deterministic RK4
// without an IP3 bias in every variant.
bool Network::vectorised_astrocytes(const Group& g) const {
  for (const AstrocyteStepParams& q : g.astro_q)
    if (q.stochastic || q.method != sim::FixedStepMethod::rk4 || q.bias.F_ex != 0.0) return false;
  return true;
}

void Network::astrocyte_tick(Group& g, std::int64_t k) {
  const GroupConfig& cfg = *g.cfg;
  const double t = static_cast<double>(k) * c_.dt, h = g.dt;
  const std::uint32_t V = V_;
  const auto n = static_cast<std::int64_t>(cfg.n) * V;
  std::int64_t bad = n;
#ifdef GLIA_WITH_CUDA
  if (device_) bad = device_->astrocyte_tick(g, t, k / cfg.every);
#endif
  if (!device_) {
    if (g.coupled)
      parallel_for(n, kParallelMin, [&](std::int64_t a) {
        g.J[static_cast<std::size_t>(a)] =
            bio::ip3_coupling_flux(g.coupling_v[static_cast<std::size_t>(a) % V], g.row_ptr.data(),
                                   g.neighbours.data(), g.y.data(), a);
      });
    const std::vector<AstrocyteStepParams>& qs = g.astro_q;  // per variant, each with its own seed
    const std::int64_t tick = k / cfg.every;
    if (g.simd_step) {
      // Blocks of a fixed size (results cannot depend on the thread count); inside a block, each element's
      // run of consecutive variants is one SIMD loop (lane v reads its variant's parameters q[v]).
      const AstrocyteStepParams* q = qs.data();
      const double *Y = g.Y_in.data(), *J = g.J.data();
      const double* Yf = g.Y_fixed.data();
      double *y = g.y.data(), *x_A = g.x_A.data(), *G_A = g.G_A.data();
      char* flag = g.flag.data();
      // Lane v's variant through an index (v itself): GCC then gathers the parameters, which it does not do
      // for a constant stride of 41 doubles.
      const std::int32_t* lane = variant_index_.data();
      const std::int64_t n_blocks = (n + kParallelMin - 1) / kParallelMin, W = V;
      parallel_for(n_blocks, 2, [=](std::int64_t b) {
        // Locals, not the closure's members: stores through y could alias those, and GCC would reload them.
        const AstrocyteStepParams* const qv = q;
        const double *const Yv = Y, *const Jv = J, *const Yfv = Yf;
        double *const yv = y, *const xv = x_A, *const Gv = G_A;
        char* const fv = flag;
        const std::int32_t* const iv = lane;
        const std::int64_t hi = std::min(n, (b + 1) * kParallelMin);
        for (std::int64_t a = b * kParallelMin; a < hi;) {
          const std::int64_t row = a - a % W, v_end = std::min(hi - row, W);
#pragma omp simd
          for (std::int64_t v = a - row; v < v_end; ++v) {
            const std::int64_t u = row + v;
            fv[u] = static_cast<char>(astrocyte_rk4_step(qv[iv[v]], t, h, Yv[u], Yfv[u], Jv[u],
                                                         yv + u * bio::kGChIVars, xv[u], Gv[u]));
          }
          a = row + v_end;
        }
      });
      for (std::int64_t a = 0; a < n && bad == n; ++a)
        if (g.flag[static_cast<std::size_t>(a)] & kAstrocyteOutOfBounds) bad = a;
      for (auto& f : g.flag) f = static_cast<char>(f & kAstrocyteReleased);
    } else {
      AtomicMin first_bad(n);
      parallel_for(n, kParallelMin, [&](std::int64_t a) {
        const auto u = static_cast<std::size_t>(a);
        // The noise of astrocyte i of variant v: its variant's seed and its own index, as alone.
        const int flags =
            astrocyte_step(qs[u % V], t, h, tick, static_cast<std::uint32_t>(u / V), g.I_bias[u], g.Y_in[u],
                           g.Y_fixed[u], g.J[u], g.y.data() + u * bio::kGChIVars, g.x_A[u], g.G_A[u]);
        g.flag[u] = (flags & kAstrocyteReleased) != 0;
        if (flags & kAstrocyteOutOfBounds) first_bad.update(a);
      });
      bad = first_bad.get();
    }
  }
  if (bad < n) {
#ifdef GLIA_WITH_CUDA
    if (device_) device_->download(g);
#endif
    const std::uint32_t v = static_cast<std::uint32_t>(bad % V);
    const double C_max = of(g, v).gchi.C_T / (1.0 + of(g, v).gchi.rho_A);
    const double* y = g.y.data() + static_cast<std::size_t>(bad) * bio::kGChIVars;
    const std::int64_t local = bad / V;
    const char* names[bio::kGChIVars] = {"Gamma_A", "I", "C", "h"};
    int x = 0;
    while (x < bio::kGChIVars && std::isfinite(y[x])) ++x;
    std::string what;
    int var = x;
    const std::string at = "[" + std::to_string(local) + "] = ";
    if (x < bio::kGChIVars) {
      what = std::string(names[x]) + at + io::number_text(y[x]) + ": not finite";
    } else if (y[bio::kIP3] < -1e-12) {
      var = bio::kIP3;
      what = "I" + at + io::number_text(y[bio::kIP3]) + " µM: negative";
    } else if (y[bio::kCa] < -1e-12 || y[bio::kCa] > C_max + 1e-12) {
      var = bio::kCa;
      what = "C" + at + io::number_text(y[bio::kCa]) + " µM: outside [0, C_T/(1 + rho_A)] = [0, " +
             io::number_text(C_max) + "]";
    } else {  // Gamma_A or h (deterministic methods)
      var = y[bio::kGammaA] < -1e-12 || y[bio::kGammaA] > 1.0 + 1e-12 ? bio::kGammaA : bio::kH;
      what = std::string(names[var]) + at + io::number_text(y[var]) + ": outside [0, 1]";
    }
    throw StateError(where(cfg) + ": " + variant_text(v) + what + " at t = " + time_text(t + h) +
                         " s (the astrocyte step dt = " + time_text(h) +
                         " s is too long for its method, or the input is out of range)",
                     names[var], y[var]);
  }
  if (g.record_spikes) {
    for (const auto& m : c_.monitors) {
      if (m.on_projection || m.type != MonitorType::spikes || m.target_index != cfg.index) continue;
      for (std::int64_t a = 0; a < n; ++a)
        if (g.flag[static_cast<std::size_t>(a)]) {
          SpikeTrain& s = results_[static_cast<std::size_t>(a % V)].spikes[m.name];
          s.t.push_back(t + h);
          s.i.push_back(static_cast<std::uint32_t>(a / V));
        }
    }
  }
}

}  // namespace glia::network
