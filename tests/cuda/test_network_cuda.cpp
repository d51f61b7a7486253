// CPU versus CUDA for a network exercising every part of the step: Poisson and regular sources,
// COBA (Euler and exponential Euler) and CUBA LIF groups, static and Tsodyks–Markram projections
// with delays, tripartite synapses (closed and open loop), coupled stochastic and deterministic
// astrocytes on their own clock. Spikes must agree exactly and states to rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/network/network.hpp"
#include "tests/cuda/require_device.hpp"

namespace glia::network {

namespace {

nlohmann::json mixed_network(const char* device) {
  nlohmann::json c = nlohmann::json::parse(R"({
    "simulation": {"duration": 0.2, "dt": 1e-4, "seed": 21},
    "groups": [
      {"name": "P", "model": "poisson", "n": 1500, "rate": 40.0},
      {"name": "R", "model": "regular", "n": 10, "rate": 25.0},
      {"name": "E", "model": "lif_coba", "n": 1200, "method": "euler",
       "init": {"v": {"uniform": [-0.06, -0.05]}}, "I_ext_schedule": {"dt": 0.1, "factors": [1.0, 1.1]},
       "positions": {"grid": {"rows": 30, "spacing": 1e-5}}},
      {"name": "I", "model": "lif_coba", "n": 300, "positions": {"grid": {"rows": 15, "spacing": 2e-5}}},
      {"name": "C", "model": "lif_cuba", "n": 50, "params": {"I_ext": 0.0}},
      {"name": "A", "model": "gchi", "n": 1100, "dt": 0.002, "params": {"O_beta": 5.0},
       "init": {"C": {"uniform": [0.0, 0.6]}, "I": {"uniform": [0.0, 3.0]}},
       "positions": {"grid": {"rows": 33, "spacing": 1e-5}}},
      {"name": "B", "model": "gchi", "n": 10, "dt": 0.01, "method": "milstein", "sigma": 0.3,
       "ip3_bias": {"I_bias": 1.0, "F_ex": 2.0}}
    ],
    "projections": [
      {"name": "PE", "source": "P", "target": "E", "receptor": "g_e", "weight": 3e-11,
       "connect": {"rule": "fixed_probability", "p": 0.3}, "model": "tsodyks_markram", "preset": "stimberg",
       "astrocytes": {"group": "A", "gliotransmission": {"O_G": 100.0, "alpha": 1.0}}},
      {"name": "EI", "source": "E", "target": "I", "receptor": "g_e", "weight": 2e-10,
       "connect": {"rule": "fixed_indegree", "k": 60}, "delay": 0.0015, "model": "tsodyks_markram",
       "preset": "depressing", "astrocytes": {"group": "A", "feedback": "none"}},
      {"name": "IE", "source": "I", "target": "E", "receptor": "g_i", "weight": 5e-10,
       "connect": {"rule": "fixed_probability", "p": 0.2}},
      {"name": "EC", "source": "E", "target": "C", "receptor": "i_syn", "weight": 2e-11,
       "connect": {"rule": "all_to_all"}},
      {"name": "RB", "source": "R", "connect": {"rule": "one_to_one"}, "model": "tsodyks_markram",
       "preset": "facilitating",
       "astrocytes": {"group": "B", "assign": "index", "index": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "feedback": "open"}}
    ],
    "astrocyte_coupling": [{"group": "A", "radius": 1.5e-5, "F": 2.0}],
    "monitors": [
      {"type": "spikes", "target": "E"}, {"type": "spikes", "target": "I"}, {"type": "spikes", "target": "C"},
      {"type": "spikes", "target": "A"},
      {"type": "state", "target": "E", "variables": ["v", "g_e", "g_i"], "indices": [0, 600, 1199], "dt": 0.001},
      {"type": "state", "target": "C", "variables": ["v", "i_syn"], "dt": 0.001},
      {"type": "state", "target": "A", "variables": ["C", "I", "h", "Gamma_A", "G_A", "x_A", "Y_S", "Gamma_S"],
       "dt": 0.01},
      {"type": "state", "target": "B", "variables": ["C", "h", "Gamma_S"], "dt": 0.01},
      {"type": "state", "target": "PE", "variables": ["u", "x", "Y_S", "Gamma_S"], "indices": [0, 1000, 50000],
       "dt": 0.001},
      {"type": "mean", "target": "A", "variable": "C", "dt": 0.01}
    ]
  })");
  c["simulation"]["device"] = device;
  return c;
}

// Spikes equal; states and means to rounding.
void expect_same_run(const NetworkResult& cpu, const NetworkResult& gpu) {
  for (const auto& [name, s] : cpu.spikes) {
    EXPECT_EQ(s.t, gpu.spikes.at(name).t) << name;
    EXPECT_EQ(s.i, gpu.spikes.at(name).i) << name;
  }
  const auto near = [](const std::vector<double>& a, const std::vector<double>& b, const std::string& what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    for (std::size_t k = 0; k < a.size(); ++k)
      ASSERT_NEAR(a[k], b[k], 1e-9 * (1.0 + std::fabs(a[k]))) << what << "[" << k << "]";
  };
  for (const auto& [target, s] : cpu.state)
    for (const auto& [var, values] : s.values)
      near(values, gpu.state.at(target).values.at(var), target + "." + var);
  for (const auto& [target, s] : cpu.means)
    for (const auto& [var, values] : s.values)
      near(values, gpu.means.at(target).values.at(var), target + "." + var);
}

}  // namespace

TEST(NetworkCuda, MatchesCpu) {
  GLIA_REQUIRE_CUDA_DEVICE();
  const NetworkConfig cpu_config = parse_network_config(mixed_network("cpu"));
  const NetworkConfig gpu_config = parse_network_config(mixed_network("cuda"));
  const NetworkResult cpu = run_network(cpu_config), gpu = run_network(gpu_config);
  ASSERT_TRUE(cpu.complete && gpu.complete) << cpu.error << gpu.error;
  ASSERT_GT(cpu.spikes.at("E").t.size(), 100u);
  ASSERT_GT(cpu.spikes.at("A").t.size(), 0u);
  expect_same_run(cpu, gpu);
}

// Every group and projection type at once (experiments/configs/every_model.json): Li–Rinzel groups
// with spike-driven IP3 and their slow inward current, rate groups with windows and clamps, Hebbian
// projections with two-timescale and positional processes and presynaptic Ca2+, calcium STDP.
TEST(NetworkCuda, EveryModelMatchesCpu) {
  GLIA_REQUIRE_CUDA_DEVICE();
  std::ifstream in(std::string(GLIA_SOURCE_DIR) + "/experiments/configs/every_model.json");
  nlohmann::json c = nlohmann::json::parse(in);
  const NetworkConfig cpu_config = parse_network_config(c);
  c["simulation"]["device"] = "cuda";
  const NetworkConfig gpu_config = parse_network_config(c);
  const NetworkResult cpu = run_network(cpu_config), gpu = run_network(gpu_config);
  ASSERT_TRUE(cpu.complete && gpu.complete) << cpu.error << gpu.error;
  expect_same_run(cpu, gpu);
}

// A batch of variants (network.hpp) on the GPU, each variant against the same batch on the CPU: one
// launch per update over all variants, each with its own parameters, seed, delay, connectivity and
// I_ext schedule.
TEST(NetworkCuda, BatchMatchesCpuBatch) {
  GLIA_REQUIRE_CUDA_DEVICE();
  std::vector<NetworkConfig> cpu, gpu;
  for (int v = 0; v < 5; ++v) {
    for (const char* device : {"cpu", "cuda"}) {
      nlohmann::json c = mixed_network(device);
      c["simulation"]["duration"] = 0.1;
      c["simulation"]["seed"] = 21 + v;
      c["groups"][0]["rate"] = 30.0 + 5.0 * v;
      c["groups"][2]["I_ext_schedule"]["factors"] = {1.0, 1.0 + 0.05 * v};
      c["groups"][5]["params"]["O_beta"] = 1.0 + v;
      c["projections"][0]["weight"] = 3e-11 * (1.0 + 0.2 * v);
      c["projections"][1]["delay"] = 0.001 * (v % 3 + 1);
      c["projections"][1]["params"] = {{"U", 0.3 + 0.1 * v}};
      c["astrocyte_coupling"][0]["F"] = 0.5 * v;
      (std::string(device) == "cpu" ? cpu : gpu).push_back(parse_network_config(c));
    }
  }
  std::vector<const NetworkConfig*> pc, pg;
  for (int v = 0; v < 5; ++v) {
    pc.push_back(&cpu[v]);
    pg.push_back(&gpu[v]);
  }
  const std::vector<NetworkResult> a = run_network_batch(pc), b = run_network_batch(pg);
  for (int v = 0; v < 5; ++v) {
    ASSERT_TRUE(a[v].complete && b[v].complete) << a[v].error << b[v].error;
    ASSERT_GT(a[v].spikes.at("E").t.size(), 50u);
    SCOPED_TRACE("variant " + std::to_string(v));
    expect_same_run(a[v], b[v]);
  }
  EXPECT_NE(a[0].spikes.at("E").t, a[4].spikes.at("E").t);
}

TEST(NetworkCuda, NonFiniteStateIsReportedAsOnCpu) {
  GLIA_REQUIRE_CUDA_DEVICE();
  nlohmann::json c = nlohmann::json::parse(R"({
    "simulation": {"duration": 0.01, "dt": 1e-4, "device": "cuda"},
    "groups": [{"name": "N", "model": "lif_coba", "n": 3, "method": "euler", "params": {"V_th": 10.0},
                "init": {"v": [-0.06, 1e308, -0.06]}}],
    "projections": []
  })");
  const NetworkResult r = run_network(parse_network_config(c));
  EXPECT_FALSE(r.complete);
  EXPECT_NE(r.error.find("groups[0] \"N\": v[1] = "), std::string::npos) << r.error;
}

}  // namespace glia::network
