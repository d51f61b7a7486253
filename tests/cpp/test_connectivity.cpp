// Connection rules (engine/sim/connectivity): exact counts for deterministic rules, binomial
// statistics for fixed_probability, exact in-degrees for fixed_indegree, sorted stable order.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "engine/core/error.hpp"
#include "engine/sim/connectivity.hpp"

using glia::sim::connect;
using glia::sim::ConnectRule;
using glia::sim::ConnectSpec;

namespace {

void expect_sorted_unique(const glia::sim::SynapseList& s) {
  for (std::size_t k = 1; k < s.pre.size(); ++k) {
    ASSERT_LE(s.pre[k - 1], s.pre[k]);
    if (s.pre[k - 1] == s.pre[k]) {
      ASSERT_LT(s.post[k - 1], s.post[k]);
    }
  }
}

}  // namespace

TEST(Connectivity, AllToAllWithAndWithoutAutapses) {
  ConnectSpec spec;
  spec.rule = ConnectRule::all_to_all;
  auto s = connect(spec, 7, 5, false, 1, 0, "c");
  EXPECT_EQ(s.pre.size(), 35u);
  expect_sorted_unique(s);
  spec.autapses = false;
  s = connect(spec, 6, 6, true, 1, 0, "c");
  EXPECT_EQ(s.pre.size(), 30u);
  for (std::size_t k = 0; k < s.pre.size(); ++k) EXPECT_NE(s.pre[k], s.post[k]);
  s = connect(spec, 6, 6, false, 1, 0, "c");  // different groups: autapses do not apply
  EXPECT_EQ(s.pre.size(), 36u);
}

TEST(Connectivity, OneToOneNeedsEqualSizes) {
  ConnectSpec spec;
  spec.rule = ConnectRule::one_to_one;
  const auto s = connect(spec, 4, 4, false, 1, 0, "c");
  ASSERT_EQ(s.pre.size(), 4u);
  for (std::uint32_t i = 0; i < 4; ++i) EXPECT_EQ(s.post[i], i);
  try {
    connect(spec, 4, 5, false, 1, 0, "projections[2].connect");
    FAIL() << "expected ConfigError";
  } catch (const glia::ConfigError& e) {
    EXPECT_EQ(e.field(), "projections[2].connect.rule");
  }
}

TEST(Connectivity, FixedProbabilityIsBinomialAndDeterministic) {
  ConnectSpec spec;
  spec.rule = ConnectRule::fixed_probability;
  spec.p = 0.05;
  const std::uint32_t n_pre = 800, n_post = 1000;
  const auto s = connect(spec, n_pre, n_post, false, 42, 3, "c");
  expect_sorted_unique(s);
  const double n = static_cast<double>(n_pre) * n_post, mean = n * spec.p;
  const double sd = std::sqrt(n * spec.p * (1 - spec.p));
  EXPECT_LT(std::fabs(static_cast<double>(s.pre.size()) - mean), 5 * sd);
  // Targets are uniform: the count in the lower half of the targets is half of all, within 5 sd.
  double low = 0;
  for (auto j : s.post) low += j < n_post / 2;
  const double m = static_cast<double>(s.post.size());
  EXPECT_LT(std::fabs(low - m / 2), 5 * std::sqrt(m / 4));
  // Same seed, same network; another seed or stream, another network.
  const auto again = connect(spec, n_pre, n_post, false, 42, 3, "c");
  EXPECT_EQ(again.pre, s.pre);
  EXPECT_EQ(again.post, s.post);
  EXPECT_NE(connect(spec, n_pre, n_post, false, 43, 3, "c").post, s.post);
  EXPECT_NE(connect(spec, n_pre, n_post, false, 42, 4, "c").post, s.post);
  // Edge cases: p = 0 and p = 1.
  spec.p = 0.0;
  EXPECT_TRUE(connect(spec, 10, 10, false, 1, 0, "c").pre.empty());
  spec.p = 1.0;
  spec.autapses = false;
  EXPECT_EQ(connect(spec, 10, 10, true, 1, 0, "c").pre.size(), 90u);
}

TEST(Connectivity, FixedInDegreeGivesExactlyKDistinctPartners) {
  ConnectSpec spec;
  spec.rule = ConnectRule::fixed_indegree;
  spec.k = 25;
  spec.autapses = false;
  const std::uint32_t n = 60;
  const auto s = connect(spec, n, n, true, 7, 0, "c");
  expect_sorted_unique(s);
  std::vector<std::set<std::uint32_t>> in(n);
  for (std::size_t q = 0; q < s.pre.size(); ++q) {
    EXPECT_NE(s.pre[q], s.post[q]);
    in[s.post[q]].insert(s.pre[q]);
  }
  for (const auto& partners : in) EXPECT_EQ(partners.size(), 25u);
  spec.k = 60;  // only 59 candidates without autapses
  EXPECT_THROW(connect(spec, n, n, true, 7, 0, "c"), glia::ConfigError);
  spec.k = 60;
  EXPECT_EQ(connect(spec, n, n, false, 7, 0, "c").pre.size(), 3600u);
}

TEST(Connectivity, ExplicitPairsAreSortedStablyAndChecked) {
  ConnectSpec spec;
  spec.rule = ConnectRule::explicit_pairs;
  spec.pre = {2, 0, 2, 1, 0};
  spec.post = {5, 1, 3, 0, 4};
  std::vector<std::int64_t> order;
  const auto s = connect(spec, 3, 6, false, 1, 0, "c", &order);
  const std::vector<std::uint32_t> pre{0, 0, 1, 2, 2}, post{1, 4, 0, 5, 3};
  EXPECT_EQ(s.pre, pre);
  EXPECT_EQ(s.post, post);
  for (std::size_t k = 0; k < spec.pre.size(); ++k) {
    EXPECT_EQ(s.pre[static_cast<std::size_t>(order[k])], spec.pre[k]);
    EXPECT_EQ(s.post[static_cast<std::size_t>(order[k])], spec.post[k]);
  }
  spec.post[3] = 6;
  try {
    connect(spec, 3, 6, false, 1, 0, "projections[0].connect");
    FAIL() << "expected ConfigError";
  } catch (const glia::ConfigError& e) {
    EXPECT_EQ(e.field(), "projections[0].connect.post[3]");
    EXPECT_EQ(e.value(), "6");
  }
}
