#pragma once
// Where the continuous system of a network lives: the state vector, the constant and scratch
// arrays every view points into (as offsets, so that the same layout serves host memory and its
// device mirror), and the views of a given base step (its input windows and learning windows).
#include <cstdint>
#include <vector>

#include "models/network/network_config.hpp"
#include "models/network/rate_step.hpp"

namespace glia::network {

struct RateLayout {
  struct Group {
    std::uint32_t index = 0;  // in NetworkConfig::groups
    RateGroupView view;       // n, x, p; pointers are set by rate_views
    std::int64_t bias = -1, drive = -1, clamp = -1, theta = 0, input = 0;  // offsets into reals
    const Windows* windows = nullptr;
    std::vector<char> has_drive, has_clamp;  // per window
  };
  struct Projection {
    std::uint32_t index = 0;                     // in NetworkConfig::projections
    std::uint32_t source = 0, target = 0;        // layout groups
    std::int32_t drive = -1;                     // layout group of a positional process's drive
    RateProjectionView view;                     // sizes, offsets in y, parameters
    std::int64_t in_ptr = 0, t_ptr = -1;         // offsets into ints
    std::int64_t pre = 0, post = 0, t_idx = -1;  // offsets into idx
    std::int64_t weights = -1, psi = -1, coupling = -1, t_val = -1, response = -1, eff = -1,
                 g = -1;                            // into reals
    std::int64_t learn_from = 0, learn_until = -1;  // base steps
    std::vector<std::int64_t> storage;              // list index -> storage index
    std::vector<std::uint32_t> list_pre;            // list index -> presynaptic element
  };
  std::int64_t size = 0;     // doubles of state
  std::int64_t plastic = 0;  // where the projections' state starts (the groups' activities come first)
  std::vector<double> y;     // the state (initial values until stepped)
  std::vector<double> reals;
  std::vector<std::int64_t> ints;
  std::vector<std::uint32_t> idx;
  std::vector<Group> groups;
  std::vector<Projection> projections;
  std::int64_t every = 1;  // base steps per step of the system
  RateMethod method = RateMethod::rk4;
};

// What distinguishes the views of one step from another's: each group's window and each projection's
// learning state (views need rebuilding only when this changes).
inline void rate_views_key(const RateLayout& L, std::int64_t k, std::vector<std::int64_t>& key) {
  key.clear();
  for (const auto& g : L.groups) key.push_back(g.windows ? g.windows->at(k) : -1);
  for (const auto& p : L.projections)
    key.push_back(k >= p.learn_from && (p.learn_until < 0 || k < p.learn_until));
}

// The views for the step that starts at base step k, over the given memory (host vectors or their
// device mirrors); `state` holds y, k1, k2, k3, k4, tmp one after the other. Fills `v` (reusing its
// storage: this runs every step).
inline void rate_views(const RateLayout& L, std::int64_t k, double* state, double* reals,
                       const std::int64_t* ints, const std::uint32_t* idx, RateViews& v) {
  v.groups.clear();
  v.projections.clear();
  v.size = L.size;
  v.active = L.plastic;
  v.y = state;
  v.k1 = state + L.size;
  v.k2 = state + 2 * L.size;
  v.k3 = state + 3 * L.size;
  v.k4 = state + 4 * L.size;
  v.tmp = state + 5 * L.size;
  for (const auto& g : L.groups) {
    RateGroupView gv = g.view;
    gv.bias = g.bias >= 0 ? reals + g.bias : nullptr;
    gv.theta = reals + g.theta;
    gv.input = reals + g.input;
    const std::int64_t w = g.windows ? g.windows->at(k) : -1;
    const auto wu = static_cast<std::size_t>(w);
    gv.drive = w >= 0 && g.drive >= 0 && g.has_drive[wu] ? reals + g.drive + w * gv.n : nullptr;
    gv.clamp = w >= 0 && g.clamp >= 0 && g.has_clamp[wu] ? reals + g.clamp + w * gv.n : nullptr;
    v.groups.push_back(gv);
  }
  for (const auto& p : L.projections) {
    RateProjectionView pv = p.view;
    pv.in_ptr = ints + p.in_ptr;
    pv.pre = idx + p.pre;
    pv.post = idx + p.post;
    pv.weights = p.weights >= 0 ? reals + p.weights : nullptr;
    pv.theta_pre = reals + L.groups[p.source].theta;
    pv.theta_post = reals + L.groups[p.target].theta;
    pv.input_post = reals + L.groups[p.target].input;
    pv.theta_drive = p.drive >= 0 ? reals + L.groups[static_cast<std::size_t>(p.drive)].theta : nullptr;
    pv.psi = p.psi >= 0 ? reals + p.psi : nullptr;
    pv.coupling = p.coupling >= 0 ? reals + p.coupling : nullptr;
    pv.t_ptr = p.t_ptr >= 0 ? ints + p.t_ptr : nullptr;
    pv.t_idx = p.t_idx >= 0 ? idx + p.t_idx : nullptr;
    pv.t_val = p.t_val >= 0 ? reals + p.t_val : nullptr;
    pv.response = p.response >= 0 ? reals + p.response : nullptr;
    pv.eff = p.eff >= 0 ? reals + p.eff : nullptr;
    pv.g = p.g >= 0 ? reals + p.g : nullptr;
    pv.learning = pv.hebbian && k >= p.learn_from && (p.learn_until < 0 || k < p.learn_until);
    pv.y0 = state;
    if (pv.learning) v.active = L.size;
    v.projections.push_back(pv);
  }
}

}  // namespace glia::network
