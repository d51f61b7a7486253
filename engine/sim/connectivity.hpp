#pragma once
// Connection rules for projections between two groups (BIOPHYSICS.md §5): all-to-all,
// one-to-one, fixed probability, fixed in-degree and explicit index arrays. The result is a
// list of (pre, post) pairs sorted by presynaptic index (stable), the order in which a
// projection numbers its synapses. Random rules draw from Philox keyed by (seed, row, draw,
// stream), so a network is the same for any thread count.
#include <cstdint>
#include <string>
#include <vector>

namespace glia::sim {

enum class ConnectRule { all_to_all, one_to_one, fixed_probability, fixed_indegree, explicit_pairs };

struct ConnectSpec {
  ConnectRule rule = ConnectRule::all_to_all;
  double p = 0.0;                       // fixed_probability: probability of each pair, in [0, 1]
  std::uint32_t k = 0;                  // fixed_indegree: presynaptic partners per postsynaptic element
  bool autapses = true;                 // pairs (i, i) allowed when source and target are the same group
  std::vector<std::int64_t> pre, post;  // explicit_pairs: indices, one pair per entry
};

struct SynapseList {
  std::vector<std::uint32_t> pre, post;  // sorted by pre; equal pre keep their creation order
};

// Builds the pairs. `same_group`: source and target are one group (autapses apply). `field`
// names the connect spec in errors (ConfigError for explicit indices out of range, one_to_one
// between groups of different sizes, k larger than the candidates). For explicit pairs,
// `given_order` (if not null) receives, for each given pair, its index in the sorted list.
SynapseList connect(const ConnectSpec& spec, std::uint32_t n_pre, std::uint32_t n_post, bool same_group,
                    std::uint64_t seed, std::uint32_t stream, const std::string& field,
                    std::vector<std::int64_t>* given_order = nullptr);

}  // namespace glia::sim
