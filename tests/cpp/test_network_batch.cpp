// Variants of a network run as one batch (network.hpp): each variant's spikes, rates, traces, means and
// summaries equal, bit for bit, those of the same configuration run alone, for batches of 1, 7 and 256 and
// for 1 and 2 threads; batches that cannot run together are refused with the variant and the field.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/core/error.hpp"
#include "models/network/network.hpp"

namespace glia::network {

namespace {

// A network exercising the batched step: Poisson and regular sources, COBA (Euler and exponential
// Euler) and CUBA LIF groups, static and Tsodyks–Markram projections with delays, tripartite synapses
// (closed loop, no feedback, open loop), coupled deterministic and stochastic G-ChI astrocytes on their
// own clocks, constant glutamate, every monitor type (summaries with per-variant thresholds). Variant v
// changes parameters, rates, weights, a delay, connectivity, initial values and the seed.
nlohmann::json mixed(int v) {
  nlohmann::json c = nlohmann::json::parse(R"({
    "simulation": {"duration": 0.1, "dt": 1e-4, "seed": 21},
    "groups": [
      {"name": "P", "model": "poisson", "n": 300, "rate": 40.0},
      {"name": "R", "model": "regular", "n": 10, "rate": 25.0},
      {"name": "E", "model": "lif_coba", "n": 240, "method": "euler",
       "init": {"v": {"uniform": [-0.06, -0.05]}}, "I_ext_schedule": {"dt": 0.05, "factors": [1.0, 1.1]},
       "positions": {"grid": {"rows": 12, "spacing": 1e-5}}},
      {"name": "I", "model": "lif_coba", "n": 60, "positions": {"grid": {"rows": 6, "spacing": 2e-5}}},
      {"name": "C", "model": "lif_cuba", "n": 20, "params": {"I_ext": 0.0}},
      {"name": "A", "model": "gchi", "n": 25, "dt": 0.002, "params": {"O_beta": 5.0}, "glutamate": 0.05,
       "init": {"C": {"uniform": [0.0, 0.6]}, "I": {"uniform": [0.0, 3.0]}},
       "positions": {"grid": {"rows": 5, "spacing": 2e-5}}},
      {"name": "B", "model": "gchi", "n": 10, "dt": 0.01, "method": "milstein", "sigma": 0.3,
       "ip3_bias": {"I_bias": 1.0, "F_ex": 2.0}}
    ],
    "projections": [
      {"name": "PE", "source": "P", "target": "E", "receptor": "g_e", "weight": 3e-10,
       "connect": {"rule": "fixed_probability", "p": 0.05}, "model": "tsodyks_markram", "preset": "stimberg",
       "astrocytes": {"group": "A", "gliotransmission": {"O_G": 100.0, "alpha": 1.0}}},
      {"name": "EI", "source": "E", "target": "I", "receptor": "g_e", "weight": 2e-10,
       "connect": {"rule": "fixed_indegree", "k": 30}, "delay": 0.0015, "model": "tsodyks_markram",
       "preset": "depressing", "astrocytes": {"group": "A", "feedback": "none"}},
      {"name": "IE", "source": "I", "target": "E", "receptor": "g_i", "weight": 5e-10,
       "connect": {"rule": "fixed_probability", "p": 0.2}},
      {"name": "EC", "source": "E", "target": "C", "receptor": "i_syn", "weight": 2e-11,
       "connect": {"rule": "all_to_all"}},
      {"name": "RB", "source": "R", "connect": {"rule": "one_to_one"}, "model": "tsodyks_markram",
       "preset": "facilitating",
       "astrocytes": {"group": "B", "assign": "index", "index": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "feedback": "open"}}
    ],
    "astrocyte_coupling": [{"group": "A", "radius": 2.5e-5, "F": 2.0}],
    "monitors": [
      {"type": "spikes", "target": "E"}, {"type": "spikes", "target": "I"}, {"type": "spikes", "target": "C"},
      {"type": "spikes", "target": "A"}, {"type": "spikes", "target": "PE"}, {"type": "rate", "target": "P", "bin": 0.01},
      {"type": "state", "target": "E", "variables": ["v", "g_e", "g_i"], "indices": [0, 120, 239], "dt": 0.001},
      {"type": "state", "target": "C", "variables": ["v", "i_syn"], "dt": 0.001},
      {"type": "state", "target": "A", "variables": ["C", "I", "h", "Gamma_A", "G_A", "x_A", "Y_S", "Gamma_S"],
       "dt": 0.01},
      {"type": "state", "target": "B", "variables": ["C", "h", "Gamma_S"], "dt": 0.01},
      {"type": "state", "target": "PE", "variables": ["u", "x", "Y_S", "Gamma_S"], "indices": [0, 100, 2000],
       "dt": 0.001},
      {"type": "mean", "target": "A", "variable": "C", "dt": 0.01},
      {"type": "mean", "target": "PE", "variable": "u", "dt": 0.005},
      {"type": "summary", "target": "A", "variable": "C", "stat": "frequency", "threshold": 0.3, "start": 0.02},
      {"type": "summary", "target": "A", "variable": "C", "stat": "amplitude", "index": 3},
      {"type": "summary", "target": "E", "variable": "v", "stat": "max", "start": 0.05},
      {"type": "summary", "target": "PE", "stat": "release_probability", "start": 0.01},
      {"type": "summary", "target": "EI", "stat": "released_fraction"}
    ]
  })");
  if (v == 0) return c;
  c["simulation"]["seed"] = 21 + 7 * v;
  c["groups"][0]["rate"] = 30.0 + 5.0 * v;
  c["groups"][1]["rate"] = 20.0 + v;
  c["groups"][5]["params"]["O_beta"] = 1.0 + 0.7 * v;
  c["groups"][5]["init"]["C"]["uniform"] = {0.0, 0.3 + 0.05 * v};
  c["groups"][6]["sigma"] = 0.1 * v;
  c["projections"][0]["weight"] = 3e-10 * (1.0 + 0.1 * v);
  c["projections"][0]["connect"]["p"] = 0.04 + 0.005 * v;
  c["projections"][1]["delay"] = 0.001 * (v % 3 + 1);
  c["projections"][1]["params"] = {{"U", 0.3 + 0.05 * v}};
  c["astrocyte_coupling"][0]["F"] = 0.5 * v;
  c["monitors"][13]["threshold"] = 0.3 + 0.02 * v;
  return c;
}

void expect_identical(const NetworkResult& a, const NetworkResult& b, const std::string& what) {
  ASSERT_EQ(a.complete, b.complete) << what << a.error << b.error;
  EXPECT_EQ(a.steps_done, b.steps_done) << what;
  EXPECT_EQ(a.synapse_counts, b.synapse_counts) << what;
  ASSERT_EQ(a.spikes.size(), b.spikes.size()) << what;
  for (const auto& [name, s] : a.spikes) {
    EXPECT_EQ(s.t, b.spikes.at(name).t) << what << " spikes " << name;
    EXPECT_EQ(s.i, b.spikes.at(name).i) << what << " spikes " << name;
    EXPECT_EQ(s.r, b.spikes.at(name).r) << what << " releases " << name;
  }
  for (const auto& [name, r] : a.rates) {
    EXPECT_EQ(r.t, b.rates.at(name).t) << what << " rate " << name;
    EXPECT_EQ(r.rate, b.rates.at(name).rate) << what << " rate " << name;
  }
  for (const auto& [name, s] : a.state) {
    EXPECT_EQ(s.t, b.state.at(name).t) << what << " state " << name;
    for (const auto& [var, values] : s.values)
      EXPECT_EQ(values, b.state.at(name).values.at(var)) << what << name << var;
  }
  for (const auto& [name, s] : a.means)
    for (const auto& [var, values] : s.values)
      EXPECT_EQ(values, b.means.at(name).values.at(var)) << what << name << var;
  ASSERT_EQ(a.summaries.size(), b.summaries.size()) << what;
  for (const auto& [name, x] : a.summaries) {  // bit for bit (NaN for a cycle-less amplitude)
    const double y = b.summaries.at(name);
    EXPECT_TRUE(x == y || (std::isnan(x) && std::isnan(y)))
        << what << " summary " << name << ": " << x << " vs " << y;
  }
}

struct Variants {
  std::vector<NetworkConfig> configs;
  std::vector<const NetworkConfig*> pointers() const {
    std::vector<const NetworkConfig*> p;
    for (const auto& c : configs) p.push_back(&c);
    return p;
  }
};

Variants parse(const std::vector<nlohmann::json>& js) {
  Variants v;
  v.configs.reserve(js.size());
  for (const auto& j : js) v.configs.push_back(parse_network_config(j));
  return v;
}

}  // namespace

TEST(NetworkBatch, SevenVariantsEqualEachAloneBitForBit) {
  std::vector<nlohmann::json> js;
  for (int v = 0; v < 7; ++v) js.push_back(mixed(v));
  const Variants vs = parse(js);
  const std::vector<NetworkResult> batch = run_network_batch(vs.pointers());
  ASSERT_EQ(batch.size(), 7u);
  for (int v = 0; v < 7; ++v) {
    const NetworkResult alone = run_network(vs.configs[v]);
    ASSERT_TRUE(alone.complete) << alone.error;
    ASSERT_GT(alone.spikes.at("E").t.size(), 20u);
    ASSERT_GT(alone.spikes.at("PE").t.size(), 100u);
    expect_identical(alone, batch[v], "variant " + std::to_string(v));
  }
  // The variants differ (else the test could not fail).
  EXPECT_NE(batch[0].spikes.at("E").t, batch[3].spikes.at("E").t);
  EXPECT_NE(batch[1].state.at("A").values.at("C"), batch[2].state.at("A").values.at("C"));
  // A batch of one is the network alone.
  const std::vector<NetworkResult> one = run_network_batch({&vs.configs[4]});
  expect_identical(batch[4], one[0], "batch of 1");
}

TEST(NetworkBatch, SameResultsOnOneAndTwoThreads) {
  std::vector<nlohmann::json> js;
  for (int v = 0; v < 3; ++v) js.push_back(mixed(v + 2));
  // Large enough that the parallel loops split (kParallelMin elements).
  for (auto& j : js) {
    j["groups"][2]["n"] = 1600;
    j["groups"][2]["positions"]["grid"]["rows"] = 40;
  }
  const Variants vs = parse(js);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const std::vector<NetworkResult> one = run_network_batch(vs.pointers());
  omp_set_num_threads(2);
  const std::vector<NetworkResult> two = run_network_batch(vs.pointers());
  const NetworkResult alone = run_network(vs.configs[1]);
  omp_set_num_threads(threads);
  for (std::size_t v = 0; v < 3; ++v)
    expect_identical(one[v], two[v], "threads, variant " + std::to_string(v));
  expect_identical(alone, one[1], "alone on 2 threads vs batch on 1");
}

// 256 variants of a tripartite unit: one Poisson input, a Tsodyks–Markram synapse onto a neuron,
// covered by one G-ChI astrocyte with gliotransmission; the rate and O_beta swept.
TEST(NetworkBatch, TwoHundredFiftySixTripartiteUnitsEqualEachAlone) {
  std::vector<nlohmann::json> js;
  for (int v = 0; v < 256; ++v) {
    js.push_back(nlohmann::json::parse(R"({
      "simulation": {"duration": 1.0, "dt": 1e-3, "seed": 5},
      "groups": [
        {"name": "P", "model": "poisson", "n": 1, "rate": 5.0},
        {"name": "N", "model": "lif_cuba", "n": 1, "params": {"I_ext": 0.0}},
        {"name": "A", "model": "gchi", "n": 1, "dt": 0.001, "params": {"O_beta": 3.0}}
      ],
      "projections": [
        {"name": "S", "source": "P", "target": "N", "receptor": "i_syn", "weight": 1e-11,
         "connect": {"rule": "one_to_one"}, "model": "tsodyks_markram", "preset": "stimberg",
         "astrocytes": {"group": "A", "assign": "index", "index": [0], "gliotransmission": {"O_G": 1.5, "alpha": 0.0}}}
      ],
      "monitors": [{"type": "spikes", "target": "S"}, {"type": "state", "target": "A", "variables": ["C", "I"]},
                   {"type": "state", "target": "S", "variables": ["u", "x", "Gamma_S"], "indices": [0]}]
    })"));
    js.back()["groups"][0]["rate"] = 0.5 + 0.2 * (v % 16);
    js.back()["groups"][2]["params"]["O_beta"] = 0.5 + 0.3 * (v / 16);
    js.back()["simulation"]["seed"] = 5 + v;
  }
  const Variants vs = parse(js);
  const std::vector<NetworkResult> batch = run_network_batch(vs.pointers());
  for (int v = 0; v < 256; ++v)
    expect_identical(run_network(vs.configs[v]), batch[v], "variant " + std::to_string(v));
  EXPECT_NE(batch[17].state.at("A").values.at("C"), batch[200].state.at("A").values.at("C"));
}

TEST(NetworkBatch, RefusesVariantsOfAnotherStructureNamingTheVariantAndField) {
  nlohmann::json other = mixed(2);
  other["groups"][3]["n"] = 61;
  Variants vs = parse({mixed(0), mixed(1), other});
  EXPECT_EQ(batch_unsupported(vs.pointers()), "variant 2 differs from variant 0 in groups[3].n");
  try {
    Network net(vs.pointers());
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("variant 2 differs from variant 0 in groups[3].n"),
              std::string::npos);
  }
  nlohmann::json sic = nlohmann::json::parse(R"({
    "simulation": {"duration": 0.01, "dt": 1e-4},
    "groups": [{"name": "L", "model": "li_rinzel", "n": 2}, {"name": "N", "model": "lif_coba", "n": 2}],
    "projections": [{"name": "LN", "source": "L", "target": "N", "model": "sic", "connect": {"rule": "one_to_one"}}]})");
  Variants l = parse({sic, sic});
  EXPECT_EQ(batch_unsupported(l.pointers()), "not batched yet: projection \"LN\": slow inward current");
}

// Li–Rinzel astrocytes driven through IP3 synapses, each variant with its own parameters (v1, delta_IP3,
// IP3_0), weight, rate, seed and initial state: a variant in a batch equals it alone, bit for bit, at 1 and 2
// threads.
TEST(NetworkBatch, LiRinzelVariantsEqualEachAlone) {
  const auto lr = [](int v) {
    nlohmann::json c = nlohmann::json::parse(R"({
      "simulation": {"duration": 4.0, "dt": 1e-3, "seed": 5},
      "groups": [{"name": "P", "model": "poisson", "n": 30, "rate": 20.0},
                 {"name": "L", "model": "li_rinzel", "n": 12, "dt": 0.01, "params": {"v1": 6.0, "delta_IP3": 0.01},
                  "init": {"C": {"uniform": [0.05, 0.2]}}}],
      "projections": [{"name": "PL", "source": "P", "target": "L", "receptor": "ip3", "weight": 5.0,
                       "connect": {"rule": "fixed_indegree", "k": 4}}],
      "monitors": [{"type": "state", "target": "L", "variables": ["C", "h", "IP3"], "dt": 0.05},
                   {"type": "summary", "target": "L", "variable": "C", "stat": "max"}]})");
    c["simulation"]["seed"] = 5 + v;
    c["groups"][0]["rate"] = 10.0 + 4.0 * v;
    c["groups"][1]["params"] = {{"v1", 4.0 + v}, {"delta_IP3", 0.01 * (1 + v)}, {"IP3_0", 0.15 + 0.02 * v}};
    c["projections"][0]["weight"] = 3.0 + v;
    return c;
  };
  std::vector<nlohmann::json> js;
  for (int v = 0; v < 5; ++v) js.push_back(lr(v));
  const Variants vs = parse(js);
  ASSERT_EQ(batch_unsupported(vs.pointers()), "");
  const int before = omp_get_max_threads();
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    const std::vector<NetworkResult> batch = run_network_batch(vs.pointers());
    for (int v = 0; v < 5; ++v) {
      const NetworkResult alone = run_network(vs.configs[v]);
      ASSERT_TRUE(alone.complete) << alone.error;
      expect_identical(alone, batch[v],
                       "variant " + std::to_string(v) + ", " + std::to_string(threads) + " threads");
    }
    EXPECT_NE(batch[0].state.at("L").values.at("C"), batch[4].state.at("L").values.at("C"));
  }
  omp_set_num_threads(before);
}

TEST(NetworkBatch, AStateThatTurnsNonFiniteNamesItsVariant) {
  nlohmann::json good = mixed(3);
  good["groups"][2]["params"] = {{"V_th", 10.0}};
  nlohmann::json bad = good;
  std::vector<double> v(240, -0.06);
  v[7] = 1e308;
  bad["groups"][2]["init"]["v"] = v;
  Variants vs = parse({good, good, bad});
  const std::vector<NetworkResult> r = run_network_batch(vs.pointers());
  ASSERT_FALSE(r[0].complete);
  EXPECT_FALSE(r[2].complete);
  EXPECT_NE(r[0].error.find("groups[2] \"E\": variant 2: v[7] = "), std::string::npos) << r[0].error;
}

}  // namespace glia::network

namespace glia::network {

// The SIMD astrocyte step (deterministic RK4, no bias): 13 variants (not a multiple of any vector width),
// each equal to itself alone; an astrocyte that leaves its bounds in lane 11 is reported with its variant.
TEST(NetworkBatch, SimdAstrocyteLanesEqualEachAloneAndNameABadLane) {
  std::vector<nlohmann::json> js;
  for (int v = 0; v < 13; ++v) {
    js.push_back(nlohmann::json::parse(R"({
      "simulation": {"duration": 2.0, "dt": 1e-3, "seed": 3},
      "groups": [{"name": "P", "model": "poisson", "n": 2, "rate": 4.0},
                 {"name": "A", "model": "gchi", "n": 3, "dt": 0.001, "params": {"O_beta": 3.0}}],
      "projections": [{"name": "S", "source": "P", "connect": {"rule": "one_to_one"}, "model": "tsodyks_markram",
                       "astrocytes": {"group": "A", "assign": "index", "index": [0, 2]}}],
      "monitors": [{"type": "state", "target": "A", "variables": ["C", "I", "Gamma_A", "h", "G_A", "x_A"]},
                   {"type": "summary", "target": "A", "variable": "C", "stat": "frequency", "index": 2}]
    })"));
    js.back()["groups"][1]["params"]["O_beta"] = 0.5 + 0.4 * v;
    js.back()["groups"][0]["rate"] = 1.0 + v;
    js.back()["simulation"]["seed"] = 3 + v;
  }
  Variants vs = parse(js);
  const std::vector<NetworkResult> batch = run_network_batch(vs.pointers());
  for (int v = 0; v < 13; ++v)
    expect_identical(run_network(vs.configs[v]), batch[v], "variant " + std::to_string(v));
  EXPECT_NE(batch[0].state.at("A").values.at("C"), batch[12].state.at("A").values.at("C"));

  js[11]["groups"][1]["init"] = {{"I", -1.0}};  // negative IP3: out of bounds after the first step
  Variants bad = parse(js);
  const std::vector<NetworkResult> r = run_network_batch(bad.pointers());
  ASSERT_FALSE(r[0].complete);
  EXPECT_NE(r[0].error.find("groups[1] \"A\": variant 11: Gamma_A[0] = nan: not finite at t = 0.001 s"),
            std::string::npos)
      << r[0].error;
}

}  // namespace glia::network

namespace glia::network {

// A variant without an IP3 bias steps through the SIMD astrocyte step alone but through the general step
// when batched with a biased variant: both give the same bits.
TEST(NetworkBatch, UnbiasedVariantEqualsItselfAloneWhenBatchedWithABiasedOne) {
  std::vector<nlohmann::json> js;
  for (int v = 0; v < 3; ++v)
    js.push_back(nlohmann::json::parse(R"({
      "simulation": {"duration": 1.0, "dt": 1e-3, "seed": 4},
      "groups": [{"name": "A", "model": "gchi", "n": 4, "dt": 0.002, "params": {"O_beta": 3.0},
                  "init": {"C": 0.3, "I": 0.5}}],
      "projections": [],
      "monitors": [{"type": "state", "target": "A", "variables": ["C", "I", "Gamma_A", "h"]}]
    })"));
  js[1]["groups"][0]["ip3_bias"] = {{"I_bias", 2.0}, {"F_ex", 1.0}};
  js[2]["groups"][0]["params"]["O_beta"] = 1.5;
  Variants vs = parse(js);
  const std::vector<NetworkResult> batch = run_network_batch(vs.pointers());
  for (int v = 0; v < 3; ++v)
    expect_identical(run_network(vs.configs[v]), batch[v], "variant " + std::to_string(v));
  EXPECT_NE(batch[0].state.at("A").values.at("I"), batch[1].state.at("A").values.at("I"));
}

}  // namespace glia::network
