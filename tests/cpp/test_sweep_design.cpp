// Sweep designs: grid order and size, random and Latin hypercube properties, and validation
// errors that name the field.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "engine/core/error.hpp"
#include "engine/sim/design.hpp"

namespace glia::sim {

namespace {

std::vector<DesignParameter> known() {
  DesignParameter a;
  a.name = "O_beta";
  a.lo = 0.0;
  a.lo_open = true;
  a.unit = "µM/s";
  DesignParameter b;
  b.name = "rate";
  b.lo = 0.0;
  DesignParameter c;
  c.name = "U";
  c.lo = 0.0;
  c.lo_open = true;
  c.hi = 1.0;
  DesignParameter d;
  d.name = "seed";
  d.lo = 0.0;
  d.integer = true;
  return {a, b, c, d};
}

std::string error_of(const nlohmann::json& design) {
  try {
    parse_design(design, "design", known());
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(SweepDesign, GridIsTheCartesianProductLastFastest) {
  const DesignTable t = full_grid({"a", "b"}, {{1.0, 2.0, 3.0}, {10.0, 20.0}});
  ASSERT_EQ(t.size(), 6u);
  const double expected[6][2] = {{1, 10}, {1, 20}, {2, 10}, {2, 20}, {3, 10}, {3, 20}};
  for (std::size_t v = 0; v < 6; ++v) {
    EXPECT_EQ(t.at(v, 0), expected[v][0]);
    EXPECT_EQ(t.at(v, 1), expected[v][1]);
  }
  EXPECT_EQ(t.grid_shape, (std::vector<std::uint64_t>{3, 2}));
  DesignTable named = t;
  named.path = "design.grid";
  EXPECT_EQ(named.source(5, 0), "design.grid.a[2]");
  EXPECT_EQ(named.source(5, 1), "design.grid.b[1]");
}

TEST(SweepDesign, ParsedGridAndList) {
  const DesignTable g =
      parse_design({{"grid", {{"rate", {1.0, 2.0}}, {"O_beta", {0.5, 1.0, 2.0}}}}}, "design", known());
  EXPECT_EQ(g.size(), 6u);
  EXPECT_EQ(g.names, (std::vector<std::string>{"O_beta", "rate"}));  // JSON objects read in key order
  const DesignTable l = parse_design(
      {{"list", {{{"O_beta", 1.0}, {"rate", 3.0}}, {{"O_beta", 2.0}, {"rate", 4.0}}}}}, "design", known());
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l.at(1, l.column("rate")), 4.0);
  EXPECT_EQ(l.source(1, 0), "design.list[1].O_beta");
}

TEST(SweepDesign, LatinHypercubeHasOneSamplePerStratumInEveryDimension) {
  const std::uint64_t n = 37;
  const std::vector<DesignRange> ranges = {
      {"a", 2.0, 5.0, false}, {"b", 0.01, 100.0, true}, {"c", -1.0, 1.0, false}};
  const DesignTable t = latin_hypercube(ranges, n, 12345);
  ASSERT_EQ(t.size(), n);
  for (std::size_t d = 0; d < ranges.size(); ++d) {
    std::set<long> strata;
    for (std::uint64_t v = 0; v < n; ++v) {
      const double x = t.at(v, d);
      ASSERT_GE(x, ranges[d].lo);
      ASSERT_LE(x, ranges[d].hi);
      const double q = ranges[d].log ? std::log(x / ranges[d].lo) / std::log(ranges[d].hi / ranges[d].lo)
                                     : (x - ranges[d].lo) / (ranges[d].hi - ranges[d].lo);
      strata.insert(static_cast<long>(std::floor(q * static_cast<double>(n))));
    }
    EXPECT_EQ(strata.size(), n) << "dimension " << d;
    EXPECT_EQ(*strata.begin(), 0);
    EXPECT_EQ(*strata.rbegin(), static_cast<long>(n) - 1);
  }
  // Reproducible from the seed, different for another seed; the pairing across dimensions is random.
  EXPECT_EQ(latin_hypercube(ranges, n, 12345).values, t.values);
  EXPECT_NE(latin_hypercube(ranges, n, 12346).values, t.values);
}

TEST(SweepDesign, RandomUniformStaysInRangeAndCoversIt) {
  const std::vector<DesignRange> ranges = {{"a", 1.0, 3.0, false}, {"b", 1e-3, 1e3, true}};
  const DesignTable t = random_uniform(ranges, 4000, 7);
  double mean_a = 0.0, mean_log_b = 0.0;
  for (std::size_t v = 0; v < t.size(); ++v) {
    ASSERT_GE(t.at(v, 0), 1.0);
    ASSERT_LT(t.at(v, 0), 3.0);
    ASSERT_GE(t.at(v, 1), 1e-3);
    ASSERT_LE(t.at(v, 1), 1e3);
    mean_a += t.at(v, 0) / 4000.0;
    mean_log_b += std::log10(t.at(v, 1)) / 4000.0;
  }
  EXPECT_NEAR(mean_a, 2.0, 0.05);     // uniform: mean at the middle (sd of the mean ~0.009)
  EXPECT_NEAR(mean_log_b, 0.0, 0.1);  // log-uniform: mean of log10 at the middle (sd ~0.027)
  EXPECT_EQ(random_uniform(ranges, 4000, 7).values, t.values);
}

TEST(SweepDesign, ErrorsNameTheField) {
  using nlohmann::json;
  EXPECT_NE(error_of({{"grid", {{"O_bta", {1.0}}}}}).find("design.grid.O_bta: unknown parameter"),
            std::string::npos);
  EXPECT_NE(error_of({{"grid", {{"O_beta", {1.0, 2.0, "nan"}}}}})
                .find("design.grid.O_beta[2] = nan: must be finite"),
            std::string::npos);
  EXPECT_NE(error_of({{"grid", {{"O_beta", {1.0, -2.0}}}}})
                .find("design.grid.O_beta[1] = -2.0: must be in (0, inf) (µM/s)"),
            std::string::npos);
  EXPECT_NE(error_of({{"grid", {{"U", {1.5}}}}}).find("design.grid.U[0] = 1.5: must be in (0, 1]"),
            std::string::npos);
  EXPECT_NE(error_of({{"grid", {{"seed", {1.5}}}}}).find("design.grid.seed[0] = 1.5: must be a whole number"),
            std::string::npos);
  EXPECT_NE(error_of(json::object()).find("design = {}: the design is empty"), std::string::npos);
  EXPECT_NE(error_of({{"grid", json::object()}}).find("design.grid = {}: the design is empty"),
            std::string::npos);
  EXPECT_NE(
      error_of({{"grid", {{"O_beta", json::array()}}}}).find("design.grid.O_beta = []: the design is empty"),
      std::string::npos);
  EXPECT_NE(error_of({{"list", json::array()}}).find("design.list = []: the design is empty"),
            std::string::npos);
  EXPECT_NE(error_of({{"list", {{{"O_beta", 1.0}}, {{"rate", 1.0}}}}}).find("design.list[1].rate"),
            std::string::npos);
  EXPECT_NE(error_of({{"random", {{"n", 0}, {"ranges", {{"O_beta", {1.0, 2.0}}}}}}})
                .find("design.random.n = 0: the design is empty"),
            std::string::npos);
  EXPECT_NE(error_of({{"lhs", {{"n", 4}, {"ranges", {{"U", {0.5, 2.0}}}}}}})
                .find("design.lhs.ranges.U[1] = 2.0: must be in (0, 1]"),
            std::string::npos);
  EXPECT_NE(error_of({{"lhs", {{"n", 4}, {"ranges", {{"seed", {0, 9}}}}}}}).find("takes whole numbers only"),
            std::string::npos);
  EXPECT_NE(
      error_of({{"lhs", {{"n", 4}, {"ranges", {{"rate", {{"min", 0.0}, {"max", 2.0}, {"log", true}}}}}}}})
          .find("design.lhs.ranges.rate.min = 0.0: must be > 0 for a log range"),
      std::string::npos);
  EXPECT_NE(error_of({{"grid", {{"O_beta", {1.0}}}}, {"list", json::array()}}).find("a design has one kind"),
            std::string::npos);
}

}  // namespace glia::sim
