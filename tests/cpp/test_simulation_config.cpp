#include <gtest/gtest.h>

#include <string>

#include "engine/core/error.hpp"
#include "models/simulation/simulation_config.hpp"

namespace glia::simulation {

namespace {

nlohmann::json valid_config() {
  return nlohmann::json::parse(R"({
    "simulation": {"duration": 1.0, "dt": 0.0001, "seed": 7},
    "groups": [{"name": "pre", "model": "poisson", "n": 4, "rate": 20.0}],
    "synapses": [{"name": "syn", "model": "tsodyks_markram", "source": "pre",
                  "U": 0.5, "tau_rec": 0.8, "tau_fac": 0.0}],
    "monitors": [{"type": "state", "target": "syn", "variables": ["u", "x"], "indices": [0, 3], "dt": 0.001},
                 {"type": "spikes", "target": "pre"}],
    "output": "out.h5"
  })");
}

// Expects a ConfigError whose message starts with `field` and contains `fragment`.
void expect_error(const nlohmann::json& config, const std::string& field, const std::string& fragment) {
  try {
    parse_simulation_config(config);
    FAIL() << "no error for " << field;
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), field) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(SimulationConfig, ParsesValidConfig) {
  const SimulationConfig c = parse_simulation_config(valid_config());
  EXPECT_EQ(c.n_steps, 10000);
  EXPECT_EQ(c.seed, 7u);
  ASSERT_EQ(c.groups.size(), 1u);
  EXPECT_EQ(c.groups[0].n, 4u);
  ASSERT_EQ(c.state_monitors.size(), 1u);
  EXPECT_EQ(c.state_monitors[0].every, 10);
  EXPECT_EQ(c.state_monitors[0].indices, (std::vector<std::uint32_t>{0, 3}));
  EXPECT_EQ(c.output, "out.h5");
}

TEST(SimulationConfig, PresetFillsAndExplicitValuesOverride) {
  auto j = valid_config();
  j["synapses"][0] = {{"name", "syn"},
                      {"model", "tsodyks_markram"},
                      {"source", "pre"},
                      {"preset", "facilitating"},
                      {"tau_fac", 1.0}};
  const SimulationConfig c = parse_simulation_config(j);
  EXPECT_DOUBLE_EQ(c.synapses[0].tm.U, 0.03);
  EXPECT_DOUBLE_EQ(c.synapses[0].tm.tau_rec, 0.13);
  EXPECT_DOUBLE_EQ(c.synapses[0].tm.tau_fac, 1.0);
  EXPECT_DOUBLE_EQ(c.resolved["synapses"][0]["U"].get<double>(), 0.03);
}

TEST(SimulationConfig, UnknownKeysAreErrors) {
  auto j = valid_config();
  j["synapses"][0]["tau_recc"] = 0.8;
  expect_error(j, "synapses[0].tau_recc", "unknown key");
  j = valid_config();
  j["simulaton"] = {};
  expect_error(j, "simulaton", "unknown key");
}

TEST(SimulationConfig, MissingOrNegativeTimeConstants) {
  auto j = valid_config();
  j["synapses"][0].erase("tau_rec");
  expect_error(j, "synapses[0].tau_rec", "missing required field");
  j = valid_config();
  j["synapses"][0]["tau_fac"] = -0.1;
  expect_error(j, "synapses[0].tau_fac", "-0.1");
  j = valid_config();
  j["synapses"][0]["tau_rec"] = 0.0;
  expect_error(j, "synapses[0].tau_rec", "must be > 0");
  j = valid_config();
  j["simulation"]["dt"] = -1e-4;
  expect_error(j, "simulation.dt", "must be > 0");
}

TEST(SimulationConfig, NonFiniteAndWrongTypes) {
  auto j = valid_config();
  j["synapses"][0]["U"] = std::numeric_limits<double>::infinity();
  expect_error(j, "synapses[0].U", "must be finite");
  j = valid_config();
  j["synapses"][0]["U"] = "nan";
  expect_error(j, "synapses[0].U", "must be finite");
  j = valid_config();
  j["groups"][0]["rate"] = "fast";
  expect_error(j, "groups[0].rate", "expected a number");
  j = valid_config();
  j["groups"][0]["n"] = 2.5;
  expect_error(j, "groups[0].n", "expected an integer");
}

TEST(SimulationConfig, RangesAndReferences) {
  auto j = valid_config();
  j["synapses"][0]["U"] = 1.5;
  expect_error(j, "synapses[0].U", "must be in (0, 1]");
  j = valid_config();
  j["groups"][0]["rate"] = 20000.0;
  expect_error(j, "groups[0].rate", "rate * dt exceeds 1");
  j = valid_config();
  j["synapses"][0]["source"] = "post";
  expect_error(j, "synapses[0].source", "no source group");
  j = valid_config();
  j["monitors"][0]["indices"] = {0, 4};
  expect_error(j, "monitors[0].indices[1]", "out of range [0, 4)");
  j = valid_config();
  j["monitors"][0]["dt"] = 0.00015;
  expect_error(j, "monitors[0].dt", "whole multiple");
  j = valid_config();
  j["simulation"]["duration"] = 0.00015;
  expect_error(j, "simulation.duration", "whole multiple");
  j = valid_config();
  j["synapses"][0]["model"] = "stdp";
  expect_error(j, "synapses[0].model", "unknown synapse model");
  j = valid_config();
  j["monitors"][1]["target"] = "syn";
  j["monitors"].push_back({{"type", "spikes"}, {"target", "syn"}});
  expect_error(j, "monitors[2].target", "exists already");
}

TEST(SimulationConfig, JsonSyntaxErrorNamesSource) {
  try {
    parse_simulation_config_text("{\"simulation\": {", "bad.json");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "bad.json");
    EXPECT_NE(std::string(e.what()).find("invalid JSON"), std::string::npos);
  }
}

}  // namespace glia::simulation
