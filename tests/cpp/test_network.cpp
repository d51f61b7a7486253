// The network engine (models/network) against closed forms computed here: Tsodyks–Markram
// release sequences and their postsynaptic jumps, glutamate reaching an astrocyte, presynaptic
// receptors under a held gliotransmitter, LIF firing periods, delays; identity across thread
// counts; errors that name the field, group and index.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "engine/core/error.hpp"
#include "models/network/network.hpp"
#include "tests/cpp/network_test_util.hpp"

using glia::network::NetworkResult;
using nlohmann::json;

namespace {

using glia::network::testing::config_error_field;
using glia::network::testing::run;

// A regular 20 Hz train from t = 0.05 s through a depressing synapse onto one COBA neuron that
// cannot fire; g_e is recorded every step.
json depressing_config() {
  return json::parse(R"({
    "simulation": {"duration": 1.0, "dt": 1e-4, "seed": 3},
    "groups": [
      {"name": "S", "model": "regular", "n": 1, "rate": 20.0, "start": 0.05},
      {"name": "N", "model": "lif_coba", "n": 1, "params": {"I_ext": 0.0, "V_th": 10.0}}
    ],
    "projections": [
      {"name": "SN", "source": "S", "target": "N", "receptor": "g_e", "weight": 2e-9,
       "connect": {"rule": "one_to_one"}, "model": "tsodyks_markram",
       "params": {"U": 0.5, "tau_rec": 0.8, "tau_fac": 0.0}}
    ],
    "monitors": [
      {"type": "state", "target": "N", "variables": ["g_e"]},
      {"type": "state", "target": "SN", "variables": ["u", "x"], "indices": [0]},
      {"type": "spikes", "target": "S"}
    ]
  })");
}

}  // namespace

TEST(Network, DepressingReleaseSequenceAndSteadyState) {
  const NetworkResult r = run(depressing_config());
  ASSERT_TRUE(r.complete) << r.error;
  const auto& g = r.state.at("N").values.at("g_e");
  const auto& t = r.state.at("N").t;
  const auto& spikes = r.spikes.at("S").t;
  ASSERT_EQ(spikes.size(), 20u);  // 0.05, 0.10, ..., 1.00: a step stamps its spikes at its end
  const double U = 0.5, tau_rec = 0.8, w = 2e-9, decay = std::exp(-1e-4 / 5e-3), D = 0.05;
  double x = 1.0;  // closed-form recurrence of the resources just before each spike
  for (std::size_t k = 0; k < spikes.size(); ++k) {
    const auto s = static_cast<std::size_t>(std::llround(spikes[k] / 1e-4));
    ASSERT_NEAR(t[s], spikes[k], 1e-12);
    const double r_engine = (g[s] - g[s - 1] * decay) / w;
    EXPECT_NEAR(r_engine, U * x, 1e-9) << "spike " << k;  // g is ~1e-9: rounding ~1e-25 / w
    x = 1.0 - (1.0 - x * (1.0 - U)) * std::exp(-D / tau_rec);
  }
  const double e = std::exp(-D / tau_rec), x_inf = (1 - e) / (1 - (1 - U) * e);
  // The 19th release is within (1-U)^18 e^18-ish of steady state; compare the recurrence's limit.
  double xr = 1.0;
  for (int k = 0; k < 2000; ++k) xr = 1.0 - (1.0 - xr * (1.0 - U)) * e;
  EXPECT_NEAR(xr, x_inf, 1e-12);
  // Between spikes the synapse state is read lazily: x at t = 0.975 s (25 ms after the last spike).
  const auto& xs = r.state.at("SN").values.at("x");
  const auto s_last = static_cast<std::size_t>(std::llround(0.95 / 1e-4));
  const auto s_mid = static_cast<std::size_t>(std::llround(0.975 / 1e-4));
  const double x_after = xs[s_last];
  EXPECT_NEAR(xs[s_mid], 1.0 - (1.0 - x_after) * std::exp(-0.025 / tau_rec), 1e-14);
  EXPECT_DOUBLE_EQ(r.state.at("SN").values.at("u")[s_mid], 0.0);  // tau_fac = 0: no facilitation left
}

TEST(Network, GlutamateReachesTheAstrocyteExactly) {
  // Two identical regular trains through Stimberg TM synapses covered by one astrocyte (feedback
  // "none": the astrocyte only reads glutamate). Its input Y_S at each 10 ms tick is the mean of
  // the synapses' Y_S, sum_k rho_c Y_T r_k exp(-Omega_c (t - t_k)).
  const json c = json::parse(R"({
    "simulation": {"duration": 0.5, "dt": 1e-4},
    "groups": [
      {"name": "S", "model": "regular", "n": 2, "rate": 23.0, "start": 0.0123},
      {"name": "A", "model": "gchi", "n": 1, "dt": 0.001, "release": {"C_Theta": 100.0}}
    ],
    "projections": [
      {"name": "syn", "source": "S", "connect": {"rule": "one_to_one"}, "model": "tsodyks_markram",
       "params": {"U": 0.6, "tau_rec": 0.5, "tau_fac": 0.3},
       "astrocytes": {"group": "A", "assign": "index", "index": [0, 0], "feedback": "none"}}
    ],
    "monitors": [
      {"type": "state", "target": "A", "variables": ["Y_S"], "dt": 0.01},
      {"type": "state", "target": "syn", "variables": ["Y_S"], "indices": [1], "dt": 0.01},
      {"type": "spikes", "target": "S"}
    ]
  })");
  const NetworkResult r = run(c);
  ASSERT_TRUE(r.complete) << r.error;
  std::vector<double> ts;
  for (std::size_t k = 0; k < r.spikes.at("S").t.size(); ++k)
    if (r.spikes.at("S").i[k] == 0) ts.push_back(r.spikes.at("S").t[k]);
  ASSERT_GT(ts.size(), 8u);
  // Releases by the closed-form TM recurrence (Stimberg form: u decays to 0).
  std::vector<double> rel;
  double u = 0, x = 1, last = 0;
  for (double tk : ts) {
    u *= std::exp(-(tk - last) / 0.3);
    x = 1 - (1 - x) * std::exp(-(tk - last) / 0.5);
    u += 0.6 * (1 - u);
    rel.push_back(u * x);
    x -= u * x;
    last = tk;
  }
  const auto& tA = r.state.at("A").t;
  const auto& yA = r.state.at("A").values.at("Y_S");
  const auto& ySyn = r.state.at("syn").values.at("Y_S");
  ASSERT_EQ(tA.size(), 51u);
  for (std::size_t s = 0; s < tA.size(); ++s) {
    double expect = 0;
    for (std::size_t k = 0; k < ts.size(); ++k)
      if (ts[k] <= tA[s] + 1e-12) expect += 0.005 * 5e5 * rel[k] * std::exp(-40.0 * (tA[s] - ts[k]));
    EXPECT_NEAR(yA[s], expect, 1e-9 * (1 + expect)) << "t = " << tA[s];
    EXPECT_NEAR(ySyn[s], expect, 1e-9 * (1 + expect)) << "t = " << tA[s];
  }
}

TEST(Network, ReceptorsRelaxUnderHeldGliotransmitterAndSetReleaseProbability) {
  // G_A held at 0.01 µM (no clearance, no astrocyte release): Gamma_S(t) = g_inf (1 - e^{-k t}),
  // k = O_G G_A + Omega_G; with alpha = 1 the first release is U = (1 - Gamma_S) U* + Gamma_S.
  const json c = json::parse(R"({
    "simulation": {"duration": 0.2, "dt": 1e-4},
    "groups": [
      {"name": "S", "model": "regular", "n": 1, "rate": 10.0, "start": 0.1537},
      {"name": "N", "model": "lif_coba", "n": 1, "params": {"I_ext": 0.0, "V_th": 10.0}},
      {"name": "A", "model": "gchi", "n": 1, "dt": 0.01, "init": {"G_A": 0.01},
       "release": {"C_Theta": 100.0, "Omega_e": 0.0}}
    ],
    "projections": [
      {"name": "syn", "source": "S", "target": "N", "receptor": "g_e", "weight": 1e-9,
       "connect": {"rule": "one_to_one"}, "model": "tsodyks_markram",
       "params": {"U": 0.3, "tau_rec": 0.8, "tau_fac": 0.0},
       "astrocytes": {"group": "A", "assign": "index", "index": [0], "feedback": "open",
                      "gliotransmission": {"alpha": 1.0, "O_G": 1.5, "Omega_G": 0.5}}}
    ],
    "monitors": [
      {"type": "state", "target": "syn", "variables": ["Gamma_S", "u"], "indices": [0]},
      {"type": "state", "target": "A", "variables": ["Gamma_S"], "dt": 0.01}
    ]
  })");
  const NetworkResult r = run(c);
  ASSERT_TRUE(r.complete) << r.error;
  const double on = 1.5 * 0.01, k = on + 0.5, g_inf = on / k;
  const auto& t = r.state.at("syn").t;
  const auto& gs = r.state.at("syn").values.at("Gamma_S");
  for (std::size_t s = 0; s < t.size(); s += 97) EXPECT_NEAR(gs[s], g_inf * (1 - std::exp(-k * t[s])), 1e-13);
  const auto spike = static_cast<std::size_t>(std::llround(0.1537 / 1e-4));
  const double gamma = g_inf * (1 - std::exp(-k * t[spike]));
  EXPECT_NEAR(r.state.at("syn").values.at("u")[spike], (1 - gamma) * 0.3 + gamma, 1e-13);
  EXPECT_NEAR(r.state.at("A").values.at("Gamma_S").back(), g_inf * (1 - std::exp(-k * 0.2)), 1e-13);
}

TEST(Network, LifCobaFiresWithTheAnalyticPeriod) {
  // Constant drive, no synapses: v(t) = v_inf + (V_r - v_inf) e^{-t g_l / C_m}, exactly integrated.
  const json c = json::parse(R"({
    "simulation": {"duration": 0.2, "dt": 1e-4},
    "groups": [{"name": "N", "model": "lif_coba", "n": 1, "init": {"v": -0.06},
                "params": {"I_ext": 1.5e-10, "tau_ref": 0.002}}],
    "projections": [],
    "monitors": [{"type": "spikes", "target": "N"}]
  })");
  const NetworkResult r = run(c);
  const double g_l = 9.99e-9, C_m = 198e-12, v_inf = -0.06 + 1.5e-10 / g_l;
  const double t_star = C_m / g_l * std::log((v_inf + 0.06) / (v_inf + 0.05));  // from V_r = E_l to V_th
  const double first = std::ceil(t_star / 1e-4) * 1e-4;
  const double isi = 0.002 + std::ceil((t_star - 1e-12) / 1e-4) * 1e-4;
  const auto& st = r.spikes.at("N").t;
  ASSERT_GE(st.size(), 5u);
  EXPECT_NEAR(st[0], first, 1e-12);
  for (std::size_t k = 1; k < st.size(); ++k) EXPECT_NEAR(st[k] - st[k - 1], isi, 1e-9);
}

TEST(Network, DelayShiftsTheSynapticEffect) {
  const json c = json::parse(R"({
    "simulation": {"duration": 0.05, "dt": 1e-4},
    "groups": [
      {"name": "S", "model": "regular", "n": 1, "rate": 10.0, "start": 0.01},
      {"name": "N", "model": "lif_cuba", "n": 1, "params": {"I_ext": 0.0, "V_th": 10.0}}
    ],
    "projections": [{"name": "SN", "source": "S", "target": "N", "receptor": "i_syn", "weight": -1e-10,
                     "connect": {"rule": "one_to_one"}, "delay": 0.0023}],
    "monitors": [{"type": "state", "target": "N", "variables": ["i_syn"]}]
  })");
  const NetworkResult r = run(c);
  const auto& i_syn = r.state.at("N").values.at("i_syn");
  std::size_t first = 0;
  while (first < i_syn.size() && i_syn[first] == 0.0) ++first;
  EXPECT_NEAR(r.state.at("N").t[first], 0.01 + 0.0023, 1e-12);
  EXPECT_DOUBLE_EQ(i_syn[first], -1e-10);
}

TEST(Network, IdenticalResultsAtOneAndTwoThreads) {
  // Large enough that every parallel loop runs in parallel: 1,200 Poisson sources at 100 Hz
  // (12 spikes per step) onto 1,100 neurons all-to-all, astrocytes coupled by distance.
  const json c = json::parse(R"({
    "simulation": {"duration": 0.06, "dt": 1e-4, "seed": 11},
    "groups": [
      {"name": "P", "model": "poisson", "n": 1200, "rate": 100.0},
      {"name": "N", "model": "lif_coba", "n": 1100, "method": "euler",
       "init": {"v": {"uniform": [-0.06, -0.05]}},
       "positions": {"grid": {"rows": 33, "spacing": 1e-5}}},
      {"name": "A", "model": "gchi", "n": 1100, "dt": 0.002,
       "params": {"O_beta": 5.0}, "init": {"C": {"uniform": [0.0, 0.6]}, "I": {"uniform": [0.0, 3.0]}},
       "positions": {"grid": {"rows": 33, "spacing": 1e-5, "origin": [3e-6, 0.0]}}}
    ],
    "projections": [
      {"name": "PN", "source": "P", "target": "N", "receptor": "g_e", "weight": 2e-11,
       "connect": {"rule": "all_to_all"}, "model": "tsodyks_markram", "preset": "stimberg",
       "astrocytes": {"group": "A", "gliotransmission": {"O_G": 100.0}}},
      {"name": "NN", "source": "N", "target": "N", "receptor": "g_i", "weight": 1e-10,
       "connect": {"rule": "fixed_probability", "p": 0.1, "autapses": false}}
    ],
    "astrocyte_coupling": [{"group": "A", "radius": 1.5e-5, "F": 2.0}],
    "monitors": [
      {"type": "spikes", "target": "N"}, {"type": "spikes", "target": "A"},
      {"type": "state", "target": "A", "variables": ["C", "I", "Y_S", "Gamma_S", "G_A"], "dt": 0.002},
      {"type": "state", "target": "N", "variables": ["v", "g_e", "g_i"], "indices": [0, 500, 1099]},
      {"type": "state", "target": "PN", "variables": ["u", "x", "Y_S", "Gamma_S"], "indices": [0, 77777, 1319999]}
    ]
  })");
  const int before = omp_get_max_threads();
  omp_set_num_threads(1);
  const NetworkResult one = run(c);
  omp_set_num_threads(2);
  const NetworkResult two = run(c);
  omp_set_num_threads(before);
  ASSERT_TRUE(one.complete && two.complete) << one.error << two.error;
  ASSERT_GT(one.spikes.at("N").t.size(), 100u);  // the network is active ...
  ASSERT_GT(one.spikes.at("A").t.size(), 0u);    // ... and so are the astrocytes
  EXPECT_EQ(one.spikes.at("N").t, two.spikes.at("N").t);
  EXPECT_EQ(one.spikes.at("N").i, two.spikes.at("N").i);
  EXPECT_EQ(one.spikes.at("A").i, two.spikes.at("A").i);
  for (const auto& target : {"A", "N", "PN"})
    for (const auto& [var, values] : one.state.at(target).values)
      EXPECT_EQ(values, two.state.at(target).values.at(var)) << target << "." << var;  // bitwise
}

TEST(Network, ConfigErrorsNameTheField) {
  json c = depressing_config();
  c["groups"][1]["model"] = "hodgkin_huxley";
  EXPECT_EQ(config_error_field(c), "groups[1].model");
  c = depressing_config();
  c["groups"][1]["params"]["tau_x"] = 1.0;
  EXPECT_EQ(config_error_field(c), "groups[1].params.tau_x");
  c = depressing_config();
  c["groups"][1]["params"]["tau_e"] = -1.0;
  EXPECT_EQ(config_error_field(c), "groups[1].params.tau_e");
  c = depressing_config();
  c["groups"][1]["dt"] = 1.5e-4;  // not a multiple of the base step
  EXPECT_EQ(config_error_field(c), "groups[1].dt");
  c = depressing_config();
  c["groups"][1]["dt"] = 0.3;  // the duration is not a whole number of the group's steps
  EXPECT_EQ(config_error_field(c), "groups[1].dt");
  c = depressing_config();
  c["projections"][0]["connect"] = json::parse(R"({"rule": "explicit", "pre": [0, 1], "post": [0, 0]})");
  EXPECT_EQ(config_error_field(c), "projections[0].connect.pre[1]");
  c = depressing_config();
  c["projections"][0]["receptor"] = "i_syn";
  EXPECT_EQ(config_error_field(c), "projections[0].receptor");
  c = depressing_config();
  c["monitors"][0]["variables"] = json::array({"w"});
  EXPECT_EQ(config_error_field(c), "monitors[0].variables[0]");
  c = depressing_config();
  c["monitors"][1]["indices"] = json::array({1});  // the projection has one synapse
  EXPECT_EQ(config_error_field(c), "monitors[1].indices[0]");
  c = depressing_config();
  c["projections"][0]["target"] = "nowhere";
  EXPECT_EQ(config_error_field(c), "projections[0].target");
}

TEST(Network, NonFiniteStateStopsTheRunNamingGroupVariableAndIndex) {
  json c = depressing_config();
  c["groups"][1]["n"] = 3;
  c["groups"][1]["method"] = "euler";  // dv/dt overflows at v = 1e308
  c["groups"][1]["init"] = json::parse(R"({"v": [-0.06, 1e308, -0.06]})");
  c["projections"] = json::array();
  c["monitors"] = json::parse(R"([{"type": "state", "target": "N", "variables": ["v"]}])");
  const NetworkResult r = run(c);
  EXPECT_FALSE(r.complete);
  EXPECT_NE(r.error.find("groups[1] \"N\": v[1] = "), std::string::npos) << r.error;
  EXPECT_EQ(r.steps_done, 0);
  EXPECT_EQ(r.state.at("N").t.size(), 1u);  // the initial sample was kept
}

TEST(Network, StochasticAstrocytesReduceToEulerAsTheNoiseVanishes) {
  json c = json::parse(R"({
    "simulation": {"duration": 20.0, "dt": 0.01, "seed": 4},
    "groups": [{"name": "A", "model": "gchi", "n": 3, "method": "euler",
                "params": {"O_beta": 3.0, "O_delta": 0.6}, "ip3_bias": {"I_bias": 1.0, "F_ex": 2.0}}],
    "projections": [],
    "monitors": [{"type": "state", "target": "A", "variables": ["C", "h"]}]
  })");
  const NetworkResult euler = run(c);
  c["groups"][0]["method"] = "euler_maruyama";
  c["groups"][0]["sigma"] = 1e-9;
  const NetworkResult quiet = run(c);
  const auto& a = euler.state.at("A").values.at("h");
  const auto& b = quiet.state.at("A").values.at("h");
  ASSERT_EQ(a.size(), b.size());
  double diff = 0;
  for (std::size_t k = 0; k < a.size(); ++k) diff = std::max(diff, std::fabs(a[k] - b[k]));
  EXPECT_GT(diff, 0.0);   // the noise is applied ...
  EXPECT_LT(diff, 1e-6);  // ... and scales with sigma
  c["groups"][0]["method"] = "milstein";
  c["groups"][0]["sigma"] = 0.5;
  const NetworkResult noisy = run(c), again = run(c);
  EXPECT_EQ(noisy.state.at("A").values.at("C"), again.state.at("A").values.at("C"));  // same seed
  const auto& h = noisy.state.at("A").values.at("h");
  EXPECT_NE(h[h.size() - 1], h[h.size() - 2]);  // astrocytes draw independent noise:
  EXPECT_NE(h[h.size() - 3], h[h.size() - 1]);  // the three h's end apart although started equal
}
