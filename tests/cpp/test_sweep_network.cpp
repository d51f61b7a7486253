// Network sweeps: paths into the base network, substitution, and errors that name the design field.
#include <gtest/gtest.h>

#include "engine/core/error.hpp"
#include "models/network/network_config.hpp"
#include "models/sweep/sweep_config.hpp"

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
                 {"dt", 0.01},
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

std::string error_of(const json& config) {
  try {
    parse_sweep_config(config);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(NetworkSweep, PathsSubstituteIntoTheBase) {
  const SweepSpec s =
      parse_sweep_config(network_sweep({{"groups.A.params.O_beta", {1.0, 2.0}},
                                        {"projections.PE.astrocytes.gliotransmission.alpha", {0.5}},
                                        {"simulation.seed", {3}}}));
  ASSERT_EQ(s.design.size(), 2u);
  EXPECT_EQ(s.chunk, 1);
  const network::NetworkConfig c =
      network::parse_network_config(network_variant_config(s.network, s.design, 1));
  EXPECT_EQ(c.groups[2].gchi.O_beta, 2.0);
  EXPECT_EQ(c.projections[0].astrocytes.receptors.alpha, 0.5);
  EXPECT_EQ(c.seed, 3u);
  // The monitors the summaries need replace the base's.
  ASSERT_EQ(c.monitors.size(), 2u);
  EXPECT_EQ(c.monitors[0].type, network::MonitorType::spikes);
  EXPECT_EQ(c.monitors[1].type, network::MonitorType::mean);
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

}  // namespace glia::sweep
