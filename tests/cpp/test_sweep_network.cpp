// Network sweeps: paths into the base network, substitution, and errors that name the design field.
#include <gtest/gtest.h>

#include "engine/core/error.hpp"
#include "models/network/network_config.hpp"
#include "models/sweep/network_sweep.hpp"
#include "models/sweep/sweep_config.hpp"
#include "tests/cpp/sweep_config_error.hpp"

namespace glia::sweep {

namespace {

using nlohmann::json;

json network_sweep(const json& grid) {
  json net = {{"simulation", {{"duration", 0.1}, {"dt", 1e-4}}},
              {"groups",
               {{{"name", "P"}, {"model", "poisson"}, {"n", 5}, {"rate", 10.0}},
                {{"name", "E"},
                 {"model", "lif_coba"},
                 {"n", 4},
                 {"positions", {{"grid", {{"rows", 2}, {"spacing", 1e-5}}}}}},
                {{"name", "A"},
                 {"model", "gchi"},
                 {"n", 2},
                 {"dt", 0.001},
                 {"positions", {{"grid", {{"rows", 1}, {"spacing", 1e-5}}}}}}}},
              {"projections",
               {{{"name", "PE"},
                 {"source", "P"},
                 {"target", "E"},
                 {"receptor", "g_e"},
                 {"weight", 1e-9},
                 {"connect", {{"rule", "all_to_all"}}},
                 {"model", "tsodyks_markram"},
                 {"astrocytes", {{"group", "A"}, {"assign", "nearest_to_target"}}}}}}};
  return {{"model", "network"},
          {"network", net},
          {"design", {{"grid", grid}}},
          {"summaries", {"rate.E", "mean.A.C"}}};
}

}  // namespace

TEST(NetworkSweep, PathsSubstituteIntoTheBase) {
  const SweepSpec s =
      parse_sweep_config(network_sweep({{"groups.A.params.O_beta", {1.0, 2.0}},
                                        {"projections.PE.astrocytes.gliotransmission.alpha", {0.5}},
                                        {"simulation.seed", {3}}}));
  ASSERT_EQ(s.design.size(), 2u);
  EXPECT_EQ(s.chunk, 16);
  const network::NetworkConfig c =
      network::parse_network_config(network_variant_config(s.network, s.design, 1));
  EXPECT_EQ(c.groups[2].gchi.O_beta, 2.0);
  EXPECT_EQ(c.projections[0].astrocytes.receptors.alpha, 0.5);
  EXPECT_EQ(c.seed, 3u);
  // The monitors the summaries need replace the base's.
  ASSERT_EQ(c.monitors.size(), 2u);
  EXPECT_EQ(c.monitors[0].type, network::MonitorType::summary);  // mean.A.C, reduced online
  EXPECT_EQ(c.monitors[0].target, "A");
  EXPECT_EQ(c.monitors[0].stat, sim::SummaryStat::mean);
  EXPECT_EQ(c.monitors[1].type, network::MonitorType::spikes);  // rate.E
  EXPECT_EQ(s.summary_names, (std::vector<std::string>{"rate.E", "mean.A.C"}));
}

TEST(NetworkSweep, ErrorsNameTheDesignField) {
  EXPECT_EQ(error_of(network_sweep({{"groups.X.params.O_beta", {1.0}}})),
            "design.grid.groups.X.params.O_beta: no group \"X\" in network");
  EXPECT_EQ(error_of(network_sweep({{"projections.Q.weight", {1.0}}})),
            "design.grid.projections.Q.weight: no projection \"Q\" in network");
  EXPECT_EQ(error_of(network_sweep({{"groups.E.model", {1.0}}})),
            "design.grid.groups.E.model: groups[1].model = \"lif_coba\": not a number");
  EXPECT_EQ(error_of(network_sweep({{"groups.E.params.tau_e", {0.005, -1.0}}})),
            "design.grid.groups.E.params.tau_e[1] = -1.0: must be > 0 (s)");
  EXPECT_EQ(error_of(network_sweep({{"groups.P.rate", {1.0, std::nan("")}}})),
            "design.grid.groups.P.rate[1] = nan: must be finite");
  json bad = network_sweep({{"groups.P.rate", {1.0}}});
  bad["summaries"] = {"events.E"};
  EXPECT_EQ(error_of(bad),
            "summaries[0] = \"events.E\": group \"E\" has no astrocytes: its firing rate is \"rate.E\"");
}

// A chunk runs as one batch of the network engine, and each variant's summaries are those it gives
// alone (bit for bit); a chunk the engine cannot batch runs one variant after another.
TEST(NetworkSweep, AChunkRunsAsOneBatchWithEachVariantsOwnResults) {
  json config = network_sweep({{"groups.A.params.O_beta", {0.5, 2.0, 4.0}},
                               {"projections.PE.weight", {5e-10, 2e-9}},
                               {"simulation.seed", {3, 4}}});
  config["network"]["groups"][0]["rate"] = 200.0;
  const SweepSpec s = parse_sweep_config(config);
  ASSERT_EQ(s.design.size(), 12u);
  const std::vector<std::uint64_t> chunk = {0, 3, 5, 6, 11};
  bool batched = false;
  const std::vector<NetworkVariantResult> r = run_network_chunk(s.network, s.design, chunk, 1, &batched);
  EXPECT_TRUE(batched);
  ASSERT_EQ(r.size(), chunk.size());
  for (std::size_t k = 0; k < chunk.size(); ++k) {
    const NetworkVariantResult alone = run_network_variant(s.network, s.design, chunk[k], 1);
    EXPECT_FALSE(alone.failed) << alone.reason;
    EXPECT_EQ(alone.summaries, r[k].summaries) << "variant " << chunk[k];
  }
  EXPECT_NE(r[0].summaries, r[4].summaries);
  EXPECT_GT(r[1].summaries[0], 0.0);  // rate.E: the neurons fire

  // Variants of another structure (the group size swept) run one by one.
  const SweepSpec sizes = parse_sweep_config(network_sweep({{"groups.E.n", {4, 6}}}));
  const std::vector<NetworkVariantResult> q =
      run_network_chunk(sizes.network, sizes.design, {0, 1}, 1, &batched);
  EXPECT_FALSE(batched);
  EXPECT_EQ(q[1].summaries, run_network_variant(sizes.network, sizes.design, 1, 1).summaries);
}

}  // namespace glia::sweep
