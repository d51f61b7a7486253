// State and mean monitors of a network: which values they read and when they sample.
#include <cmath>

#include "models/network/network.hpp"
#ifdef GLIA_WITH_CUDA
#include "models/network/network_device.hpp"
#endif

namespace glia::network {

GroupVar Network::group_var(const Group& g, const std::string& var) const {
  if (g.cfg->is_rate()) return GroupVar::other;
  if (g.cfg->is_gchi()) {
    static const std::pair<const char*, GroupVar> names[] = {
        {"Gamma_A", GroupVar::Gamma_A}, {"I", GroupVar::I},     {"C", GroupVar::C},    {"h", GroupVar::h},
        {"x_A", GroupVar::x_A},         {"G_A", GroupVar::G_A}, {"Y_S", GroupVar::Y_S}};
    for (const auto& [name, code] : names)
      if (var == name) return code;
  }
  if (g.cfg->is_neuron() && var == "v") return GroupVar::v;
  return GroupVar::other;
}

double Network::group_value(const Group& g, GroupVar var, std::uint32_t i) const {
  const double* y = g.y.data() + static_cast<std::size_t>(i) * bio::kGChIVars;
  switch (var) {
    case GroupVar::v:
      return g.v[i];
    case GroupVar::Gamma_A:
      return y[bio::kGammaA];
    case GroupVar::I:
      return y[bio::kIP3];
    case GroupVar::C:
      return y[bio::kCa];
    case GroupVar::h:
      return y[bio::kH];
    case GroupVar::x_A:
      return g.x_A[i];
    case GroupVar::G_A:
      return g.G_A[i];
    case GroupVar::Y_S:
      return g.Y_in[i];
    case GroupVar::other:
      break;
  }
  return 0.0;
}

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
  const std::int32_t a = p.astro.empty() ? -1 : p.astro[u];
  const double gamma = a >= 0 && p.receives_gliotransmitter ? p.gamma[static_cast<std::size_t>(a)] : 0.0;
  if (var == "Gamma_S") return gamma;
  if (var == "U_0")  // the release probability in force (U* without gliotransmitter feedback)
    return a >= 0 && p.receives_gliotransmitter
               ? modulated_release_probability(c.tm.U, c.astrocytes.receptors.alpha, gamma)
               : c.tm.U;
  return 0.0;
}

void Network::sample(std::int64_t k_time, bool neuron_side, std::int32_t astro_group) {
  const double t = static_cast<double>(k_time) * c_.dt;
  for (std::size_t j = 0; j < c_.monitors.size(); ++j) {
    const MonitorConfig& m = c_.monitors[j];
    if (m.type != MonitorType::state && m.type != MonitorType::mean && m.type != MonitorType::summary)
      continue;
    if (m.release_summary()) continue;  // fed at deliveries
    if (!m.due(k_time)) continue;
    const bool astro = !m.on_projection && groups_[m.target_index].cfg->is_astrocyte();
    if (astro ? static_cast<std::int32_t>(m.target_index) != astro_group : !neuron_side) continue;
    const bool continuous = m.on_projection && rates_->has_projection(m.target_index);
#ifdef GLIA_WITH_CUDA
    if (device_ && m.on_projection && !continuous) device_->download(projections_[m.target_index]);
    if (device_ && !m.on_projection) device_->download(groups_[m.target_index]);
#endif
    // Element or synapse `index` of variant v (a group's variable resolved once per sample, not per element).
    const auto value_of = [&](const std::string& var) {
      const GroupVar code = m.on_projection ? GroupVar::other : group_var(groups_[m.target_index], var);
      return [&, code](std::uint32_t v, std::int64_t index) {
        if (!m.on_projection) {
          const Group& g = groups_[m.target_index];
          const auto e = static_cast<std::uint32_t>(index * V_ + v);
          return code == GroupVar::other ? group_value(g, var, e) : group_value(g, code, e);
        }
        if (continuous) return rates_->projection_value(m.target_index, var, index);
        return projection_value(projections_[m.target_index], var, v, index, t);
      };
    };
    if (m.type == MonitorType::summary) {
      const Group* g = m.on_projection ? nullptr : &groups_[m.target_index];
      const GroupVar code = g ? group_var(*g, m.variables.front()) : GroupVar::other;
      const auto value = [&](std::uint32_t e) {
        return code == GroupVar::other ? group_value(*g, m.variables.front(), e) : group_value(*g, code, e);
      };
      const std::int64_t n = g ? g->cfg->n : 0;
      const double step = static_cast<double>(m.every) * c_.dt;
      for (std::uint32_t v = 0; v < V_; ++v) {
        double x = 0.0;
        if (!g) {  // synapse `index` of a projection
          x = projection_value(projections_[m.target_index], m.variables.front(), v, m.index, t);
        } else if (m.index >= 0) {
          x = value(static_cast<std::uint32_t>(m.index * V_ + v));
        } else {  // the group mean, summed in index order as alone
          for (std::int64_t i = 0; i < n; ++i) x += value(static_cast<std::uint32_t>(i * V_ + v));
          x /= static_cast<double>(n);
        }
        sim::SummaryAcc& acc = summary_acc_[j][v];
        if (k_time == 0) {
          sim::summary_start(m.stat, acc, x);
          continue;
        }
        const bool in_window = k_time > m.window_start;
        summary_in_window_[j][v] += in_window ? 1 : 0;
        sim::summary_sample(m.stat, acc, x, summary_threshold_[j][v], t, step, in_window);
      }
      continue;
    }
    std::vector<decltype(value_of(m.variables.front()))> readers;
    for (const auto& var : m.variables) readers.push_back(value_of(var));
    const std::size_t n_vars = m.variables.size();
    for (std::uint32_t v = 0; v < V_; ++v) {
      // The recording's time and value vectors of variant v (cached pointers: no lookup by name here).
      trace_times_[j][v]->push_back(t);
      if (m.type == MonitorType::state) {
        for (std::size_t x = 0; x < n_vars; ++x) {
          std::vector<double>& out = *trace_values_[j][v * n_vars + x];
          for (std::uint32_t i : m.indices) out.push_back(readers[x](v, i));
        }
      } else {
        const std::int64_t n =
            m.on_projection ? synapse_count(m.target_index, v) : groups_[m.target_index].cfg->n;
        double sum = 0.0;
        for (std::int64_t i = 0; i < n; ++i) sum += readers[0](v, i);
        trace_values_[j][v * n_vars]->push_back(n > 0 ? sum / static_cast<double>(n) : 0.0);
      }
    }
  }
}

}  // namespace glia::network
