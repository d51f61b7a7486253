// State and mean monitors of a network: which values they read and when they sample.
#include <cmath>

#include "models/network/network.hpp"
#ifdef GLIA_WITH_CUDA
#include "models/network/network_device.hpp"
#endif

namespace glia::network {

double Network::group_value(const Group& g, const std::string& var, std::uint32_t i) const {
  const GroupConfig& cfg = *g.cfg;
  if (cfg.is_rate()) return rates_->group_value(cfg.index, var, i);
  if (var == "v") return g.v[i];
  if (var == "g_e") return g.g_e[i];
  if (var == "g_i") return g.g_i[i];
  if (var == "i_syn") return g.i_syn[i];
  if (var == "I_sic") return g.I_sic.empty() ? 0.0 : g.I_sic[i];
  if (cfg.is_li_rinzel()) {
    const double* y = g.y.data() + static_cast<std::size_t>(i) * bio::kLiRinzelVars;
    if (var == "C") return y[bio::kLrCa];
    if (var == "h") return y[bio::kLrH];
    return y[bio::kLrIP3];
  }
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

// The value of synapse `synapse` (by list index) of variant v at time t: Tsodyks–Markram state relaxes
// exactly since the synapse's last spike.
double Network::projection_value(const Projection& p, const std::string& var, std::uint32_t v,
                                 std::int64_t synapse, double t) const {
  const auto l = static_cast<std::size_t>(p.list_start[v] + synapse);
  const auto u = static_cast<std::size_t>(p.storage[l]);
  if (var == "rho") return p.rho[u];
  if (var == "c") return p.c[u];
  const ProjectionConfig& c = of(p, v);
  const double elapsed = t - p.last[p.list_pre[l]];
  if (var == "u") return p.u[u] * bio::tm_decay(elapsed, c.tm.tau_fac);
  if (var == "x") return 1.0 - (1.0 - p.x[u]) * bio::tm_decay(elapsed, c.tm.tau_rec);
  if (var == "Y_S") return p.Y[u] * std::exp(-c.astrocytes.glutamate.Omega_c * elapsed);
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
    if (!m.due(k_time)) continue;
    const bool astro = !m.on_projection && groups_[m.target_index].cfg->is_astrocyte();
    if (astro ? static_cast<std::int32_t>(m.target_index) != astro_group : !neuron_side) continue;
    const bool continuous = m.on_projection && rates_->has_projection(m.target_index);
#ifdef GLIA_WITH_CUDA
    if (device_ && m.on_projection && !continuous) device_->download(projections_[m.target_index]);
    if (device_ && !m.on_projection) device_->download(groups_[m.target_index]);
#endif
    // Element or synapse `index` of variant v.
    const auto value = [&](const std::string& var, std::uint32_t v, std::int64_t index) {
      if (!m.on_projection)
        return group_value(groups_[m.target_index], var, static_cast<std::uint32_t>(index * V_ + v));
      if (continuous) return rates_->projection_value(m.target_index, var, index);
      return projection_value(projections_[m.target_index], var, v, index, t);
    };
    for (std::uint32_t v = 0; v < V_; ++v) {
      if (m.type == MonitorType::state) {
        StateTrace& s = results_[v].state[m.name];
        s.t.push_back(t);
        for (const auto& var : m.variables) {
          auto& out = s.values[var];
          for (std::uint32_t i : m.indices) out.push_back(value(var, v, i));
        }
      } else {
        MeanTrace& s = results_[v].means[m.name];
        s.t.push_back(t);
        const std::string& var = m.variables.front();
        const std::int64_t n =
            m.on_projection ? synapse_count(m.target_index, v) : groups_[m.target_index].cfg->n;
        double sum = 0.0;
        for (std::int64_t i = 0; i < n; ++i) sum += value(var, v, i);
        s.values[var].push_back(n > 0 ? sum / static_cast<double>(n) : 0.0);
      }
    }
  }
}

}  // namespace glia::network
