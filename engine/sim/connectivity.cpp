#include "engine/sim/connectivity.hpp"

#include <cmath>

#include "engine/core/error.hpp"
#include "engine/core/philox.hpp"

namespace glia::sim {

namespace {

// Rows (one per presynaptic element) concatenated into a sorted list.
SynapseList from_rows(const std::vector<std::vector<std::uint32_t>>& rows) {
  std::size_t total = 0;
  for (const auto& r : rows) total += r.size();
  SynapseList s;
  s.pre.reserve(total);
  s.post.reserve(total);
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::uint32_t j : rows[i]) {
      s.pre.push_back(static_cast<std::uint32_t>(i));
      s.post.push_back(j);
    }
  return s;
}

// Stable counting sort of pairs by pre; order[k] = sorted position of pair k.
SynapseList sort_by_pre(const std::vector<std::uint32_t>& pre, const std::vector<std::uint32_t>& post,
                        std::uint32_t n_pre, std::vector<std::int64_t>* order) {
  std::vector<std::int64_t> start(static_cast<std::size_t>(n_pre) + 1, 0);
  for (std::uint32_t i : pre) ++start[i + 1];
  for (std::size_t i = 0; i < n_pre; ++i) start[i + 1] += start[i];
  SynapseList s;
  s.pre.resize(pre.size());
  s.post.resize(pre.size());
  if (order) order->resize(pre.size());
  for (std::size_t k = 0; k < pre.size(); ++k) {
    const auto at = static_cast<std::size_t>(start[pre[k]]++);
    s.pre[at] = pre[k];
    s.post[at] = post[k];
    if (order) (*order)[k] = static_cast<std::int64_t>(at);
  }
  return s;
}

}  // namespace

SynapseList connect(const ConnectSpec& spec, std::uint32_t n_pre, std::uint32_t n_post, bool same_group,
                    std::uint64_t seed, std::uint32_t stream, const std::string& field,
                    std::vector<std::int64_t>* given_order) {
  const bool skip_self = same_group && !spec.autapses;
  switch (spec.rule) {
    case ConnectRule::all_to_all: {
      std::vector<std::vector<std::uint32_t>> rows(n_pre);
      for (std::uint32_t i = 0; i < n_pre; ++i)
        for (std::uint32_t j = 0; j < n_post; ++j)
          if (!(skip_self && i == j)) rows[i].push_back(j);
      return from_rows(rows);
    }
    case ConnectRule::one_to_one: {
      if (n_pre != n_post)
        throw ConfigError(field + ".rule", "\"one_to_one\"",
                          "source has " + std::to_string(n_pre) + " elements and target " +
                              std::to_string(n_post) + "; one_to_one needs equal sizes");
      SynapseList s;
      for (std::uint32_t i = 0; i < n_pre; ++i) {
        s.pre.push_back(i);
        s.post.push_back(i);
      }
      return s;
    }
    case ConnectRule::fixed_probability: {
      // Geometric gaps between successes: O(synapses) draws instead of O(n_pre n_post).
      std::vector<std::vector<std::uint32_t>> rows(n_pre);
      const double p = spec.p;
      if (p > 0.0) {
        const double log_q = std::log1p(-p);  // -inf for p = 1: every gap is 1
#pragma omp parallel for schedule(dynamic, 64)
        for (std::int64_t i = 0; i < static_cast<std::int64_t>(n_pre); ++i) {
          auto& row = rows[static_cast<std::size_t>(i)];
          std::int64_t j = -1;
          for (std::uint32_t draw = 0;; ++draw) {
            const double u = philox_uniform(seed, i, draw, stream);
            const double gap = p >= 1.0 ? 1.0 : 1.0 + std::floor(std::log1p(-u) / log_q);
            if (gap >= static_cast<double>(n_post) - static_cast<double>(j)) break;
            j += static_cast<std::int64_t>(gap);
            if (skip_self && j == i) continue;
            row.push_back(static_cast<std::uint32_t>(j));
          }
        }
      }
      return from_rows(rows);
    }
    case ConnectRule::fixed_indegree: {
      const std::uint32_t candidates = skip_self ? n_pre - 1 : n_pre;
      if (spec.k > candidates)
        throw ConfigError(field + ".k", std::to_string(spec.k),
                          "larger than the " + std::to_string(candidates) + " possible presynaptic partners");
      // Floyd's sampling of k distinct partners per postsynaptic element.
      std::vector<std::uint32_t> pre, post;
      std::vector<std::vector<std::uint32_t>> chosen(n_post);
#pragma omp parallel
      {
        std::vector<char> taken(n_pre, 0);
#pragma omp for schedule(dynamic, 64)
        for (std::int64_t j = 0; j < static_cast<std::int64_t>(n_post); ++j) {
          auto& c = chosen[static_cast<std::size_t>(j)];
          std::uint32_t draw = 0;
          for (std::uint32_t r = candidates - spec.k; r < candidates; ++r) {
            const double u = philox_uniform(seed, j, draw++, stream);
            auto t = static_cast<std::uint32_t>(u * (static_cast<double>(r) + 1.0));
            if (t > r) t = r;
            if (taken[t]) t = r;
            taken[t] = 1;
            c.push_back(t);
          }
          for (std::uint32_t t : c) taken[t] = 0;
          for (auto& t : c)  // candidate index -> presynaptic index, skipping j itself
            if (skip_self && static_cast<std::int64_t>(t) >= j) ++t;
        }
      }
      for (std::uint32_t j = 0; j < n_post; ++j)
        for (std::uint32_t i : chosen[j]) {
          pre.push_back(i);
          post.push_back(j);
        }
      return sort_by_pre(pre, post, n_pre, nullptr);
    }
    case ConnectRule::explicit_pairs: {
      if (spec.pre.size() != spec.post.size())
        throw ConfigError(field + ".post", std::to_string(spec.post.size()) + " entries",
                          "must have as many entries as pre (" + std::to_string(spec.pre.size()) + ")");
      std::vector<std::uint32_t> pre(spec.pre.size()), post(spec.post.size());
      for (std::size_t k = 0; k < spec.pre.size(); ++k) {
        if (spec.pre[k] < 0 || spec.pre[k] >= n_pre)
          throw ConfigError(field + ".pre[" + std::to_string(k) + "]", std::to_string(spec.pre[k]),
                            "out of range: the source has " + std::to_string(n_pre) + " elements");
        if (spec.post[k] < 0 || spec.post[k] >= n_post)
          throw ConfigError(field + ".post[" + std::to_string(k) + "]", std::to_string(spec.post[k]),
                            "out of range: the target has " + std::to_string(n_post) + " elements");
        pre[k] = static_cast<std::uint32_t>(spec.pre[k]);
        post[k] = static_cast<std::uint32_t>(spec.post[k]);
      }
      return sort_by_pre(pre, post, n_pre, given_order);
    }
  }
  return {};
}

}  // namespace glia::sim
