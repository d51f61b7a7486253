#include "models/network/rate_system.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "engine/core/backend.hpp"
#include "engine/core/error.hpp"
#include "engine/core/parallel.hpp"
#include "engine/io/json_reader.hpp"
#ifdef GLIA_WITH_CUDA
#include "models/network/rate_device.hpp"
#endif

namespace glia::network {

namespace {

constexpr std::int64_t kParallelMin = 2048;  // elements below which a loop stays serial
constexpr double kMaxCouplingEntries = 1e8;  // dense process coupling beyond this needs a cutoff

struct CpuBackend {
  template <class F>
  void for_each(std::int64_t n, const F& f) {
    parallel_for_simd(n, kParallelMin, f);
  }
  template <class F>
  void serial(const F& f) {
    f();
  }
};

std::int64_t take(std::vector<double>& v, std::int64_t n, double fill = 0.0) {
  const auto at = static_cast<std::int64_t>(v.size());
  v.resize(static_cast<std::size_t>(at + n), fill);
  return at;
}

std::string where(const char* kind, std::uint32_t index, const std::string& name) {
  return std::string(kind) + "[" + std::to_string(index) + "] \"" + name + "\"";
}

}  // namespace

RateSystem::~RateSystem() = default;

RateSystem::RateSystem(const NetworkConfig& c, const Connect& connect, const Initial& initial)
    : c_(c), group_slot_(c.groups.size(), -1), projection_slot_(c.projections.size(), -1) {
  RateLayout& L = layout_;
  for (const auto& g : c.groups) {
    if (!g.is_rate()) continue;
    group_slot_[g.index] = static_cast<std::int32_t>(L.groups.size());
    L.every = g.every;
    L.method = g.rate_method;
    RateLayout::Group lg;
    lg.index = g.index;
    const auto n = static_cast<std::int64_t>(g.n);
    lg.view.n = n;
    lg.view.x = L.size;
    lg.view.p = g.rate_neuron;
    L.size += n;
    for (std::uint32_t i = 0; i < g.n; ++i) L.y.push_back(initial(g, "x", i, 0));
    if (!g.bias_drive.empty()) {
      lg.bias = take(L.reals, n);
      std::copy(g.bias_drive.begin(), g.bias_drive.end(), L.reals.begin() + lg.bias);
    }
    if (!g.windows.empty()) {
      lg.windows = &g.windows;
      const auto n_windows = static_cast<std::int64_t>(g.windows.steps.size());
      const auto fill = [&](const std::vector<std::vector<double>>& entries, std::int64_t& at,
                            std::vector<char>& has) {
        has.assign(static_cast<std::size_t>(n_windows), 0);
        if (entries.empty()) return;
        at = take(L.reals, n_windows * n);
        for (std::int64_t w = 0; w < n_windows; ++w) {
          const auto& e = entries[static_cast<std::size_t>(w)];
          if (e.empty()) continue;
          has[static_cast<std::size_t>(w)] = 1;
          std::copy(e.begin(), e.end(), L.reals.begin() + at + w * n);
        }
      };
      fill(g.windows.drive, lg.drive, lg.has_drive);
      fill(g.windows.clamp, lg.clamp, lg.has_clamp);
    }
    lg.theta = take(L.reals, n);
    lg.input = take(L.reals, n);
    L.groups.push_back(std::move(lg));
  }

  L.plastic = L.size;
  for (const auto& p : c.projections) {
    if (!p.continuous()) continue;
    const std::string field = io::element_field("projections", p.index);
    projection_slot_[p.index] = static_cast<std::int32_t>(L.projections.size());
    RateLayout::Projection lp;
    lp.index = p.index;
    lp.source = static_cast<std::uint32_t>(group_slot_[p.source]);
    lp.target = static_cast<std::uint32_t>(group_slot_[p.target]);
    std::vector<std::int64_t> given_order;
    const sim::SynapseList list = connect(p, &given_order);
    const auto n_syn = static_cast<std::int64_t>(list.pre.size());
    RateProjectionView& v = lp.view;
    v.n_pre = c.groups[p.source].n;
    v.n_post = c.groups[p.target].n;
    v.n_syn = n_syn;
    v.w = p.weight;
    v.hebbian = p.model == SynapseModel::hebbian;

    // Storage by postsynaptic element; within one, the list order (presynaptic index ascending).
    std::vector<std::int64_t> in_ptr(static_cast<std::size_t>(v.n_post) + 1, 0);
    for (std::uint32_t post : list.post) ++in_ptr[post + 1];
    for (std::size_t i = 0; i + 1 < in_ptr.size(); ++i) in_ptr[i + 1] += in_ptr[i];
    lp.storage.resize(static_cast<std::size_t>(n_syn));
    lp.list_pre = list.pre;
    std::vector<std::int64_t> fill(in_ptr.begin(), in_ptr.end() - 1);
    std::vector<std::uint32_t> pre(static_cast<std::size_t>(n_syn)), post(static_cast<std::size_t>(n_syn));
    for (std::int64_t s = 0; s < n_syn; ++s) {
      const auto su = static_cast<std::size_t>(s);
      const std::int64_t q = fill[list.post[su]]++;
      lp.storage[su] = q;
      pre[static_cast<std::size_t>(q)] = list.pre[su];
      post[static_cast<std::size_t>(q)] = list.post[su];
    }
    lp.in_ptr = static_cast<std::int64_t>(L.ints.size());
    L.ints.insert(L.ints.end(), in_ptr.begin(), in_ptr.end());
    lp.pre = static_cast<std::int64_t>(L.idx.size());
    L.idx.insert(L.idx.end(), pre.begin(), pre.end());
    lp.post = static_cast<std::int64_t>(L.idx.size());
    L.idx.insert(L.idx.end(), post.begin(), post.end());

    if (!p.weights.empty()) {
      if (static_cast<std::int64_t>(p.weights.size()) != n_syn)
        throw ConfigError(field + ".weights", std::to_string(p.weights.size()) + " values",
                          "must have one value per synapse: the projection made " + std::to_string(n_syn));
      // Weights follow the synapse numbering: list order, or the order of the pairs given for explicit.
      lp.weights = take(L.reals, n_syn);
      const bool given = p.connect.rule == sim::ConnectRule::explicit_pairs;
      for (std::int64_t k = 0; k < n_syn; ++k) {
        const auto s = static_cast<std::size_t>(given ? given_order[static_cast<std::size_t>(k)] : k);
        L.reals[static_cast<std::size_t>(lp.weights + lp.storage[s])] =
            p.weights[static_cast<std::size_t>(k)];
      }
    }
    if (v.hebbian) {
      const HebbianConfig& h = p.hebbian;
      v.syn = h.params;
      lp.eff = take(L.reals, n_syn);
      v.s = L.size;
      L.size += n_syn;
      L.y.resize(static_cast<std::size_t>(L.size), h.init_s);
      lp.learn_from = h.learning_from_step;
      lp.learn_until = h.learning_until_step;
      if (h.process == ProcessModel::two_timescale) {
        v.proc = h.process_params;
        v.p_s = L.size;
        v.p_l = L.size + n_syn;
        L.size += 2 * n_syn;
        L.y.resize(static_cast<std::size_t>(L.size), 0.0);
        lp.psi = take(L.reals, n_syn);
        lp.coupling = take(L.reals, n_syn);
        // T between the processes of synapses (i, j) and (k, l) at grid points (post, pre).
        const double entries = static_cast<double>(n_syn) * static_cast<double>(n_syn);
        if (h.process_cutoff == 0.0 && entries > kMaxCouplingEntries)
          throw ConfigError(field + ".process.cutoff", "0",
                            "the dense coupling of " + std::to_string(n_syn) +
                                " processes is too large: give a cutoff distance (grid units)");
        std::vector<std::int64_t> t_ptr{0};
        std::vector<std::uint32_t> t_idx;
        std::vector<double> t_val;
        const auto cut = static_cast<std::int64_t>(std::floor(h.process_cutoff));
        std::vector<std::int64_t> slot;  // (post, pre) -> storage index, for the cutoff search
        if (cut > 0) {
          slot.assign(static_cast<std::size_t>(v.n_post * v.n_pre), -1);
          for (std::int64_t q = 0; q < n_syn; ++q)
            slot[static_cast<std::size_t>(post[static_cast<std::size_t>(q)] * v.n_pre +
                                          pre[static_cast<std::size_t>(q)])] = q;
        }
        const auto add = [&](std::int64_t q, std::int64_t r) {
          const double di =
              static_cast<double>(post[static_cast<std::size_t>(q)]) - post[static_cast<std::size_t>(r)];
          const double dj =
              static_cast<double>(pre[static_cast<std::size_t>(q)]) - pre[static_cast<std::size_t>(r)];
          if (di == 0.0 && dj == 0.0) return;
          if (h.process_cutoff > 0.0 && std::sqrt(di * di + dj * dj) > h.process_cutoff) return;
          t_idx.push_back(static_cast<std::uint32_t>(r));
          t_val.push_back(bio::process_kernel(v.proc, di, dj));
        };
        for (std::int64_t q = 0; q < n_syn; ++q) {
          if (cut > 0) {
            const auto i0 = static_cast<std::int64_t>(post[static_cast<std::size_t>(q)]);
            const auto j0 = static_cast<std::int64_t>(pre[static_cast<std::size_t>(q)]);
            for (std::int64_t i = std::max<std::int64_t>(0, i0 - cut); i <= std::min(v.n_post - 1, i0 + cut);
                 ++i)
              for (std::int64_t j = std::max<std::int64_t>(0, j0 - cut); j <= std::min(v.n_pre - 1, j0 + cut);
                   ++j) {
                const std::int64_t r = slot[static_cast<std::size_t>(i * v.n_pre + j)];
                if (r >= 0) add(q, r);
              }
          } else {
            for (std::int64_t r = 0; r < n_syn; ++r) add(q, r);
          }
          t_ptr.push_back(static_cast<std::int64_t>(t_idx.size()));
        }
        lp.t_ptr = static_cast<std::int64_t>(L.ints.size());
        L.ints.insert(L.ints.end(), t_ptr.begin(), t_ptr.end());
        lp.t_idx = static_cast<std::int64_t>(L.idx.size());
        L.idx.insert(L.idx.end(), t_idx.begin(), t_idx.end());
        lp.t_val = take(L.reals, static_cast<std::int64_t>(t_val.size()));
        std::copy(t_val.begin(), t_val.end(), L.reals.begin() + lp.t_val);
      } else if (h.process == ProcessModel::positional) {
        v.p_pos = L.size;
        L.size += n_syn;
        L.y.resize(static_cast<std::size_t>(L.size), 0.0);
        lp.drive = group_slot_[h.process_drive];
      }
      v.sigmoid_scale = h.sigmoid_scale;
      if (h.calcium) {
        v.z = L.size;
        L.size += v.n_pre;
        L.y.resize(static_cast<std::size_t>(L.size), 0.0);
        v.alpha = h.calcium_alpha;
        v.epsilon = h.calcium_epsilon;
        v.tau_z = h.calcium_tau;
        lp.response = take(L.reals, 1);
        lp.g = take(L.reals, v.n_pre);
      }
    }
    L.projections.push_back(std::move(lp));
  }
  if (empty()) return;
  state_.assign(static_cast<std::size_t>(6 * L.size), 0.0);
  std::copy(L.y.begin(), L.y.end(), state_.begin());
  if (c.device == Device::cuda) {
#ifdef GLIA_WITH_CUDA
    device_ = std::make_shared<RateDevice>(L);
#endif
  }
}

std::int64_t RateSystem::synapse_count(std::uint32_t projection) const {
  return layout_.projections[static_cast<std::size_t>(projection_slot_[projection])].view.n_syn;
}

void RateSystem::step(std::int64_t k) {
  if (empty() || (k + 1) % layout_.every != 0) return;
  const std::int64_t k0 = k + 1 - layout_.every;
  const double h = static_cast<double>(layout_.every) * c_.dt;
  std::int64_t bad = layout_.size;
#ifdef GLIA_WITH_CUDA
  if (device_) {
    bad = device_->step(layout_, k0, h);
    host_stale_ = true;
  }
#endif
  if (!device_) {
    rate_views_key(layout_, k0, key_);
    if (key_ != views_key_ || views_.groups.empty()) {
      rate_views(layout_, k0, state_.data(), layout_.reals.data(), layout_.ints.data(), layout_.idx.data(),
                 views_);
      views_key_.swap(key_);
    }
    CpuBackend be;
    rate_step(be, views_, layout_.method, h);
    // y * 0 is 0 for finite y and NaN otherwise: one vectorised pass, the index only when needed.
    double any = 0.0;
    const double* y = state_.data();
#pragma omp simd reduction(+ : any)
    for (std::int64_t i = 0; i < views_.active; ++i) any += y[i] * 0.0;
    if (any != 0.0 || std::isnan(any))
      for (std::int64_t i = 0; i < layout_.size; ++i)
        if (!std::isfinite(y[i])) {
          bad = i;
          break;
        }
  }
  if (bad < layout_.size) {
    sync();
    std::ostringstream t;
    t.precision(10);
    t << static_cast<double>(k + 1) * c_.dt;
    throw RuntimeError(describe(bad) + " = " + io::number_text(state_[static_cast<std::size_t>(bad)]) +
                       " at t = " + t.str() +
                       " s: the state is no longer finite (check the gains, leaks and the step size)");
  }
}

void RateSystem::sync() const {
#ifdef GLIA_WITH_CUDA
  if (device_ && host_stale_) {
    device_->download(state_);
    host_stale_ = false;
  }
#endif
}

// "groups[2] \"post\": x[1]" or "projections[0] \"syn\": synapse 4 (pre 1 -> post 1): s".
std::string RateSystem::describe(std::int64_t index) const {
  for (const auto& g : layout_.groups)
    if (index >= g.view.x && index < g.view.x + g.view.n)
      return where("groups", g.index, c_.groups[g.index].name) + ": x[" + std::to_string(index - g.view.x) +
             "]";
  for (const auto& p : layout_.projections) {
    const RateProjectionView& v = p.view;
    const std::string name = where("projections", p.index, c_.projections[p.index].name);
    if (v.z >= 0 && index >= v.z && index < v.z + v.n_pre)
      return name + ": presynaptic Ca2+ z[" + std::to_string(index - v.z) + "]";
    const std::pair<std::int64_t, const char*> parts[] = {
        {v.s, "s"}, {v.p_s, "p_s"}, {v.p_l, "p_l"}, {v.p_pos, "p"}};
    for (const auto& [offset, var] : parts) {
      if (offset < 0 || index < offset || index >= offset + v.n_syn) continue;
      const std::int64_t q = index - offset;
      const auto it = std::find(p.storage.begin(), p.storage.end(), q);
      const auto s = static_cast<std::size_t>(it - p.storage.begin());
      const std::uint32_t post = layout_.idx[static_cast<std::size_t>(p.post + q)];
      return name + ": synapse " + std::to_string(s) + " (pre " + std::to_string(p.list_pre[s]) +
             " -> post " + std::to_string(post) + "): plastic weight " + var;
    }
  }
  return "state[" + std::to_string(index) + "]";
}

double RateSystem::group_value(std::uint32_t group, const std::string&, std::uint32_t i) const {
  sync();
  const auto& g = layout_.groups[static_cast<std::size_t>(group_slot_[group])];
  return state_[static_cast<std::size_t>(g.view.x + i)];
}

double RateSystem::projection_value(std::uint32_t projection, const std::string& var,
                                    std::int64_t synapse) const {
  sync();
  const auto& p = layout_.projections[static_cast<std::size_t>(projection_slot_[projection])];
  const RateProjectionView& v = p.view;
  const std::int64_t q = p.storage[static_cast<std::size_t>(synapse)];
  const double* y = state_.data();
  if (var == "s") return y[v.s + q];
  if (var == "p_s") return y[v.p_s + q];
  if (var == "p_l") return y[v.p_l + q];
  if (var == "p") return y[v.p_pos + q];
  if (var == "z") return y[v.z + p.list_pre[static_cast<std::size_t>(synapse)]];
  if (var == "w") {
    double e = y[v.s + q];
    if (v.p_pos >= 0) e += y[v.p_pos + q];
    return v.sigmoid_scale > 0.0 ? rate_logistic(v.sigmoid_scale * e) : e;
  }
  return 0.0;
}

}  // namespace glia::network
