// The group and projection types of the network engine beyond LIF, sources, G-ChI and static/TM
// synapses (Li–Rinzel, rate neurons, Hebbian synapses with astrocyte processes and presynaptic Ca²⁺,
// calcium STDP, SIC, continuous transmission), each against an independent reference: the
// single-cell integrator, closed forms for constant drive, Graupner–Brunel's averaged pair-protocol
// dynamics and the SIC formula. Then a network with every type at once: bitwise equal at 1 and 2
// threads; the resolved config reads back as the same network; errors name the field.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/core/error.hpp"
#include "engine/io/hdf5_file.hpp"
#include "models/bio/astrocyte_li_rinzel.hpp"
#include "models/bio/cell_integration.hpp"
#include "models/network/network.hpp"
#include "models/simulation/driven_network.hpp"
#include "tests/cpp/network_test_util.hpp"

using glia::network::NetworkResult;
using nlohmann::json;

namespace {

using glia::network::testing::config_error_field;
using glia::network::testing::run;

json read_json(const std::string& relative) {
  std::ifstream in(std::string(GLIA_SOURCE_DIR) + "/" + relative);
  return json::parse(in);
}

// A clamped presynaptic and postsynaptic rate group (identity θ) joined all-to-all by a Hebbian
// projection; `projection` adds to or replaces its keys.
json hebbian_config(const json& pre, const json& post, const json& projection, const char* method,
                    double duration) {
  json syn{{"name", "syn"},    {"model", "hebbian"}, {"source", "pre"},
           {"target", "post"}, {"weight", 0.0},      {"connect", {{"rule", "all_to_all"}}}};
  for (auto it = projection.begin(); it != projection.end(); ++it) syn[it.key()] = it.value();
  const auto group = [&](const char* name, const json& values) {
    return json{{"name", name},       {"model", "rate"},
                {"n", values.size()}, {"nonlinearity", "identity"},
                {"method", method},   {"windows", {{"dt", duration}, {"clamp", {values}}}}};
  };
  return json{{"simulation", {{"duration", duration}, {"dt", 1e-3}}},
              {"groups", {group("pre", pre), group("post", post)}},
              {"projections", {syn}},
              {"monitors",
               {{{"type", "state"},
                 {"target", "syn"},
                 {"variables", {"s"}},
                 {"indices", {0, 1, 2, 3, 4, 5}},
                 {"dt", 0.1}}}}};
}

}  // namespace

// A Li–Rinzel group without input is the single cell: the same RK4 steps as integrate_cell.
TEST(NetworkModels, LiRinzelInANetworkEqualsIntegrateCell) {
  const json net = json::parse(R"({
    "simulation": {"duration": 20.0, "dt": 1e-3},
    "groups": [{"name": "L", "model": "li_rinzel", "n": 2, "method": "rk4", "params": {"IP3_0": 0.5},
                "init": {"C": 0.1, "h": 0.6}}],
    "projections": [],
    "monitors": [{"type": "state", "target": "L", "variables": ["C", "h", "IP3"], "dt": 0.01}]})");
  const NetworkResult r = run(net);
  ASSERT_TRUE(r.complete) << r.error;
  const glia::bio::CellTrace cell = glia::bio::integrate_cell(json::parse(R"({
    "model": "li_rinzel", "duration": 20.0, "sample_dt": 0.01, "method": "rk4", "dt": 1e-3,
    "params": {"IP3_0": 0.5}, "initial": {"C": 0.1, "h": 0.6, "IP3": 0.5}})"));
  const auto& st = r.state.at("L");
  ASSERT_EQ(st.t.size(), cell.t.size());
  double c_range = 0.0;
  for (std::size_t k = 0; k < st.t.size(); ++k)
    for (int v = 0; v < 3; ++v) {
      const char* name = v == 0 ? "C" : v == 1 ? "h" : "IP3";
      EXPECT_NEAR(st.values.at(name)[2 * k + 1], cell.values[3 * k + static_cast<std::size_t>(v)], 1e-13)
          << name << " t " << st.t[k];
      if (v == 0) c_range = std::max(c_range, cell.values[3 * k]);
    }
  EXPECT_GT(c_range, 0.3);  // the cell oscillates: the comparison covers its dynamics
}

// IP3 relaxes to IP3_0 with tau_IP3 and jumps by delta_IP3 w at each spike, whatever Ca2+ does.
TEST(NetworkModels, LiRinzelIp3FollowsItsSpikeInput) {
  const json net = json::parse(R"({
    "simulation": {"duration": 10.0, "dt": 1e-3},
    "groups": [{"name": "S", "model": "regular", "n": 1, "rate": 1.0, "start": 0.5},
               {"name": "L", "model": "li_rinzel", "n": 1, "dt": 1e-2, "params": {"delta_IP3": 0.01}}],
    "projections": [{"name": "SL", "source": "S", "target": "L", "receptor": "ip3", "weight": 20.0,
                     "connect": {"rule": "all_to_all"}}],
    "monitors": [{"type": "state", "target": "L", "variables": ["IP3"]}]})");
  const NetworkResult r = run(net);
  ASSERT_TRUE(r.complete) << r.error;
  const glia::bio::LiRinzelParams p;
  const auto& st = r.state.at("L");
  for (std::size_t k = 0; k < st.t.size(); ++k) {
    const double t = st.t[k];
    double expected = p.IP3_0;
    // A spike at s arrives at the next astrocyte tick (10 ms steps) and is added before that step.
    for (double s = 0.5; s < 10.0; s += 1.0) {
      const double tick = std::ceil(s / 0.01 - 1e-9) * 0.01;
      if (t > tick + 1e-9) expected += 0.01 * 20.0 * std::exp(-(t - tick) / p.tau_IP3);
    }
    EXPECT_NEAR(st.values.at("IP3")[k], expected, 1e-10) << "t " << t;
  }
}

// tau_s ds/dt = -beta s + c a b with clamped activities: s relaxes exactly to c a b / beta.
TEST(NetworkModels, HebbianSynapseMatchesTheClosedFormForConstantDrive) {
  const json pre{0.5, -1.0, 2.0}, post{1.5, -0.25};
  for (const char* method : {"exact", "rk4", "rk2"}) {
    const NetworkResult r = run(hebbian_config(
        pre, post, {{"params", {{"tau_s", 0.4}, {"beta", 2.0}, {"c", 0.7}}}, {"init", {{"s", 0.3}}}}, method,
        2.0));
    ASSERT_TRUE(r.complete) << r.error;
    const auto& st = r.state.at("syn");
    for (std::size_t k = 0; k < st.t.size(); ++k)
      for (std::size_t q = 0; q < 6; ++q) {
        const double a = pre[q / 2], b = post[q % 2];  // synapse q: pre q / 2, post q % 2
        const double s_inf = 0.7 * a * b / 2.0;
        const double s = s_inf + (0.3 - s_inf) * std::exp(-2.0 * st.t[k] / 0.4);
        const double tol = std::string(method) == "rk2" ? 2e-6 : 1e-11;
        EXPECT_NEAR(st.values.at("s")[k * 6 + q], s, tol) << method << " t " << st.t[k] << " q " << q;
      }
  }
}

// With s held (c = 0, beta = 0, psi_gain = 0) the processes relax to kappa(s)/gamma: p^s with tau_ps,
// p^l with tau_pl (BIOPHYSICS.md §4), for every synapse whatever its neighbours.
TEST(NetworkModels, TwoTimescaleProcessMatchesTheClosedFormForAConstantSynapse) {
  json c = hebbian_config({1.0, 1.0, 1.0}, {1.0, 1.0},
                          {{"params", {{"beta", 0.0}, {"c", 0.0}}},
                           {"init", {{"s", 0.8}}},
                           {"process",
                            {{"model", "two_timescale"},
                             {"params",
                              {{"psi_gain", 0.0},
                               {"kappa_gain", 1.3},
                               {"gamma_s", 0.5},
                               {"gamma_l", 2.0},
                               {"tau_ps", 0.7},
                               {"tau_pl", 9.0}}}}}},
                          "rk4", 20.0);
  c["monitors"][0]["variables"] = {"s", "p_s", "p_l"};
  const NetworkResult r = run(c);
  ASSERT_TRUE(r.complete) << r.error;
  const auto& st = r.state.at("syn");
  const double K = 1.3 * std::tanh(0.8);
  for (std::size_t k = 0; k < st.t.size(); ++k) {
    const double t = st.t[k];
    for (std::size_t q = 0; q < 6; ++q) {
      EXPECT_NEAR(st.values.at("s")[k * 6 + q], 0.8, 1e-15);
      EXPECT_NEAR(st.values.at("p_s")[k * 6 + q], K / 0.5 * (1.0 - std::exp(-0.5 * t / 0.7)), 1e-10) << t;
      EXPECT_NEAR(st.values.at("p_l")[k * 6 + q], K / 2.0 * (1.0 - std::exp(-2.0 * t / 9.0)), 1e-10) << t;
    }
  }
}

// The positional process integrates theta(drive) theta(post) like the synapse, presynaptic Ca2+
// integrates theta(pre)/tau, both only inside the learning window.
TEST(NetworkModels, PositionalProcessAndPresynapticCalciumIntegrateTheirDrives) {
  json c = hebbian_config({0.5, 2.0, -1.0}, {1.0, -3.0},
                          {{"params", {{"tau_s", 0.5}, {"beta", 0.0}, {"c", 1.0}}},
                           {"learning", {{"until", 1.0}}},
                           {"process", {{"model", "positional"}, {"drive", "K"}}},
                           {"presynaptic_calcium", {{"tau", 0.25}, {"alpha", 0.5}}}},
                          "rk4", 2.0);
  c["groups"].push_back({{"name", "K"},
                         {"model", "rate"},
                         {"n", 3},
                         {"nonlinearity", "identity"},
                         {"method", "rk4"},
                         {"windows", {{"dt", 2.0}, {"clamp", {{0.25, -0.5, 4.0}}}}}});
  c["monitors"][0]["variables"] = {"s", "p", "z", "w"};
  const NetworkResult r = run(c);
  ASSERT_TRUE(r.complete) << r.error;
  const auto& st = r.state.at("syn");
  const double pre[3] = {0.5, 2.0, -1.0}, post[2] = {1.0, -3.0}, drive[3] = {0.25, -0.5, 4.0};
  for (std::size_t k = 0; k < st.t.size(); ++k) {
    const double t = std::min(st.t[k], 1.0);  // learning stops at 1 s
    for (std::size_t q = 0; q < 6; ++q) {
      const std::size_t j = q / 2, i = q % 2;
      EXPECT_NEAR(st.values.at("s")[k * 6 + q], pre[j] * post[i] * t / 0.5, 1e-12);
      EXPECT_NEAR(st.values.at("p")[k * 6 + q], drive[j] * post[i] * t / 0.5, 1e-12);
      EXPECT_NEAR(st.values.at("z")[k * 6 + q], pre[j] * t / 0.25, 1e-12);
      EXPECT_NEAR(st.values.at("w")[k * 6 + q], (pre[j] + drive[j]) * post[i] * t / 0.5, 1e-12);
    }
  }
}

// A pairing protocol through a network: the presynaptic train drives the synapse's calcium (after D),
// the postsynaptic train's spikes add C_post. Graupner & Brunel's averaged dynamics predict rho:
// with the fractions of time alpha_d, alpha_p above the thresholds, rho relaxes to
// gamma_p alpha_p / (gamma_p alpha_p + gamma_d alpha_d) at rate (gamma_p alpha_p + gamma_d alpha_d)/tau.
TEST(NetworkModels, CalciumStdpFollowsTheAveragedPairProtocolDynamics) {
  const glia::bio::CalciumStdpParams p;
  for (double dt_pair : {0.010, -0.010}) {
    const double pre_start = 0.1, post_start = pre_start + dt_pair;  // post relative to the pre spike
    const int pairs = 60;
    json c{{"simulation", {{"duration", 0.1 + pairs * 1.0}, {"dt", 1e-4}}},
           {"groups",
            {{{"name", "pre"}, {"model", "regular"}, {"n", 1}, {"rate", 1.0}, {"start", pre_start}},
             {{"name", "post"}, {"model", "regular"}, {"n", 1}, {"rate", 1.0}, {"start", post_start}}}},
           {"projections",
            {{{"name", "syn"},
              {"model", "calcium_stdp"},
              {"source", "pre"},
              {"target", "post"},
              {"params", {{"sigma", 0.0}}},
              {"init", {{"rho", dt_pair > 0 ? 0.0 : 1.0}}},
              {"connect", {{"rule", "all_to_all"}}}}}},
           {"monitors",
            {{{"type", "state"},
              {"target", "syn"},
              {"variables", {"rho", "c"}},
              {"indices", {0}},
              {"dt", 0.1 + pairs}}}}};
    const NetworkResult r = run(c);
    ASSERT_TRUE(r.complete) << r.error;
    // Time above the thresholds over one pairing period, from the calcium's closed form.
    double above_d = 0, above_p = 0;
    const int n = 1000000;
    const double t_pre = p.D, t_post = dt_pair;
    for (int i = 0; i < n; ++i) {
      const double t = (i + 0.5) / n - 0.05;
      double ca = 0;
      if (t >= t_pre) ca += p.C_pre * std::exp(-(t - t_pre) / p.tau_Ca);
      if (t >= t_post) ca += p.C_post * std::exp(-(t - t_post) / p.tau_Ca);
      above_d += ca > p.theta_d;
      above_p += ca > p.theta_p;
    }
    const double Gp = p.gamma_p * above_p / n, Gd = p.gamma_d * above_d / n;
    const double rho_bar = Gp / (Gp + Gd), rate = (Gp + Gd) / p.tau;
    const double rho0 = dt_pair > 0 ? 0.0 : 1.0;
    const auto& rho = r.state.at("syn").values.at("rho");
    const double predicted = rho_bar + (rho0 - rho_bar) * std::exp(-rate * pairs);
    EXPECT_NEAR(rho.back(), predicted, 0.01) << "dt_pair " << dt_pair;
    if (dt_pair > 0) {
      EXPECT_GT(rho.back(), 0.05);  // pre before post potentiates
    } else {
      EXPECT_LT(rho.back(), 0.95);  // post before pre depresses
    }
  }
}

// The current a neuron receives is w sum_a k ln(y_a) H(ln y_a), y = (C_a - C_0)/1 nM, from the
// astrocytes' Ca2+ after their latest step.
TEST(NetworkModels, SlowInwardCurrentFollowsItsFormula) {
  const json net = json::parse(R"({
    "simulation": {"duration": 5.0, "dt": 1e-4},
    "groups": [
      {"name": "L", "model": "li_rinzel", "n": 3, "dt": 1e-2, "params": {"IP3_0": 0.6},
       "init": {"C": [0.1, 0.3, 0.5]}},
      {"name": "N", "model": "lif_coba", "n": 2, "params": {"V_th": 10.0}}],
    "projections": [{"name": "LN", "model": "sic", "source": "L", "target": "N", "weight": 0.7,
                     "params": {"k": 2e-10, "C_0": 0.2},
                     "connect": {"rule": "explicit", "pre": [0, 1, 2, 2], "post": [0, 0, 0, 1]}}],
    "monitors": [{"type": "state", "target": "L", "variables": ["C"], "dt": 0.01},
                 {"type": "state", "target": "N", "variables": ["I_sic"], "dt": 0.01}]})");
  const NetworkResult r = run(net);
  ASSERT_TRUE(r.complete) << r.error;
  const auto& C = r.state.at("L").values.at("C");
  const auto& I = r.state.at("N").values.at("I_sic");
  const auto sic = [](double c) {
    const double y = (c - 0.2) / 1e-3;
    return y > 1.0 ? 2e-10 * std::log(y) : 0.0;
  };
  int active = 0;
  for (std::size_t k = 1; k < r.state.at("N").t.size(); ++k) {
    const double a0 = C[3 * k], a1 = C[3 * k + 1], a2 = C[3 * k + 2];
    EXPECT_NEAR(I[2 * k], 0.7 * (sic(a0) + sic(a1) + sic(a2)), 1e-22) << k;
    EXPECT_NEAR(I[2 * k + 1], 0.7 * sic(a2), 1e-22) << k;
    active += sic(a2) > 0.0;
  }
  EXPECT_GT(active, 10);
}

// Every group and projection type in one network: the same spikes, traces and plastic weights at one
// and two threads, bit for bit (groups are large enough for the parallel loops to run).
TEST(NetworkModels, EveryModelAtOnceIsIdenticalAtOneAndTwoThreads) {
  const json config = read_json("experiments/configs/every_model.json");
  omp_set_num_threads(1);
  const NetworkResult one = run(config);
  omp_set_num_threads(2);
  const NetworkResult two = run(config);
  ASSERT_TRUE(one.complete) << one.error;
  ASSERT_TRUE(two.complete) << two.error;
  ASSERT_GT(one.spikes.at("E").t.size(), 100u);
  for (const auto& [name, s] : one.spikes) {
    EXPECT_EQ(s.t, two.spikes.at(name).t) << name;
    EXPECT_EQ(s.i, two.spikes.at(name).i) << name;
    EXPECT_EQ(s.r, two.spikes.at(name).r) << name;
  }
  for (const auto& [name, s] : one.state) EXPECT_EQ(s.values, two.state.at(name).values) << name;
  for (const auto& [name, s] : one.means) EXPECT_EQ(s.values, two.means.at(name).values) << name;
  for (const auto& [name, s] : one.rates) EXPECT_EQ(s.rate, two.rates.at(name).rate) << name;
  ASSERT_EQ(one.summaries.size(), 3u);
  for (const auto& [name, x] : one.summaries)
    EXPECT_TRUE(x == two.summaries.at(name) || (std::isnan(x) && std::isnan(two.summaries.at(name)))) << name;
  // The plastic weights did move.
  const auto& s = one.state.at("XY").values.at("s");
  EXPECT_NE(s.front(), s.back());
}

// The resolved config (every default filled in) is a config that reads back as itself.
TEST(NetworkModels, ResolvedConfigReadsBackAsTheSameNetwork) {
  for (const char* path :
       {"experiments/configs/every_model.json", "experiments/configs/stimberg_fig6.json"}) {
    const auto c = glia::network::parse_network_config(read_json(path));
    const auto again = glia::network::parse_network_config(c.resolved);
    EXPECT_EQ(again.resolved, c.resolved) << path;
    EXPECT_TRUE(c.resolved["groups"][0].contains("params")) << path;
    EXPECT_TRUE(c.resolved["groups"][0].contains("init")) << path;
  }
}

// The same seed gives the same Poisson spikes whatever else the config holds: without projections,
// with them, and in the driven-synapse form.
TEST(NetworkModels, SameSeedSameSpikesInEveryFormOfConfig) {
  const json alone = json::parse(R"({
    "simulation": {"duration": 0.1, "dt": 1e-4, "seed": 5},
    "groups": [{"name": "P", "model": "poisson", "n": 10, "rate": 100.0}],
    "projections": [],
    "monitors": [{"type": "spikes", "target": "P"}]})");
  json with = alone;
  with["groups"].push_back({{"name", "N"}, {"model", "lif_coba"}, {"n", 3}});
  with["projections"].push_back({{"name", "PN"},
                                 {"source", "P"},
                                 {"target", "N"},
                                 {"receptor", "g_e"},
                                 {"weight", 1e-9},
                                 {"connect", {{"rule", "all_to_all"}}}});
  const json driven = json::parse(R"({
    "simulation": {"duration": 0.1, "dt": 1e-4, "seed": 5},
    "groups": [{"name": "P", "model": "poisson", "n": 10, "rate": 100.0}],
    "synapses": [{"name": "syn", "model": "tsodyks_markram", "source": "P", "preset": "depressing"}],
    "monitors": [{"type": "spikes", "target": "P"}]})");
  const auto a = run(alone).spikes.at("P"), b = run(with).spikes.at("P"),
             d = run(glia::simulation::as_network_config(driven)).spikes.at("P");
  ASSERT_GT(a.t.size(), 50u);
  EXPECT_EQ(a.t, b.t);
  EXPECT_EQ(a.i, b.i);
  EXPECT_EQ(a.t, d.t);
  EXPECT_EQ(a.i, d.i);
}

// A plastic weight that overflows stops the run naming the projection, the synapse and the time; the
// file keeps what was recorded and says it is incomplete.
TEST(NetworkModels, NonFinitePlasticWeightStopsTheRunNamingProjectionSynapseAndTime) {
  json c = hebbian_config({1e200, 1.0}, {1e200}, {{"params", {{"beta", 0.0}, {"c", 1e200}}}}, "rk4", 1.0);
  c["monitors"][0]["indices"] = {0, 1};
  const auto config = glia::network::parse_network_config(c);
  const std::string out = (std::filesystem::temp_directory_path() / "glia_nonfinite_weight.h5").string();
  std::string message;
  try {
    glia::network::simulate_network_to_file(config, out);
  } catch (const glia::RuntimeError& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("projections[0] \"syn\": synapse 0 (pre 0 -> post 0): plastic weight s"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("at t = 0.001 s"), std::string::npos) << message;
  {
    const glia::io::Hdf5File f = glia::io::Hdf5File::open(out, false);
    EXPECT_EQ(f.int_attribute("/", "complete"), 0);
  }
  std::filesystem::remove(out);
  // A calcium-STDP efficacy that runs away.
  const NetworkResult r = run(json::parse(R"({
    "simulation": {"duration": 0.01, "dt": 1e-4},
    "groups": [{"name": "S", "model": "regular", "n": 2, "rate": 10.0},
               {"name": "T", "model": "regular", "n": 3, "rate": 10.0}],
    "projections": [{"name": "stdp", "model": "calcium_stdp", "source": "S", "target": "T",
                     "connect": {"rule": "all_to_all"}, "params": {"gamma_p": 1e308, "theta_p": 0.5, "sigma": 0},
                     "init": {"c": 1.0}}]})"));
  EXPECT_FALSE(r.complete);
  EXPECT_NE(r.error.find("projections[0] \"stdp\": synapse pre 0 -> post 0: plastic weight rho = "),
            std::string::npos)
      << r.error;
}

// Every new field is named in its error.
TEST(NetworkModels, ConfigErrorsNameTheNewFields) {
  const json base = read_json("experiments/configs/every_model.json");
  const auto mutated = [&](const char* pointer, const json& value) {
    json c = base;
    c[json::json_pointer(pointer)] = value;
    return config_error_field(c);
  };
  EXPECT_EQ(mutated("/groups/6/windows/drive", json{1.0}),
            "groups[6].windows.drive");  // one entry, two windows
  EXPECT_EQ(mutated("/groups/6/windows/durations/1", 0.00015), "groups[6].windows.durations[1]");
  EXPECT_EQ(mutated("/groups/6/nonlinearity", "sigmoid"), "groups[6].nonlinearity");
  EXPECT_EQ(mutated("/groups/6/params/tau_n", -1.0), "groups[6].params.tau_n");
  EXPECT_EQ(mutated("/groups/7/method", "exact"), "groups[7].method");  // rate groups share one method
  EXPECT_EQ(mutated("/groups/5/params/v1", -6.0), "groups[5].params.v1");
  EXPECT_EQ(mutated("/groups/5/init/IP3", json{1, 2}), "groups[5].init.IP3");
  EXPECT_EQ(mutated("/projections/7/params/beta", -1.0), "projections[7].params.beta");
  EXPECT_EQ(mutated("/projections/7/process/model", "three_timescale"), "projections[7].process.model");
  EXPECT_EQ(mutated("/projections/7/process/params/lambda_T", 0.0), "projections[7].process.params.lambda_T");
  EXPECT_EQ(mutated("/projections/8/process/drive", "Y"), "projections[8].process.drive");
  EXPECT_EQ(mutated("/projections/8/learning/until", -1.0), "projections[8].learning.until");
  EXPECT_EQ(mutated("/projections/8/presynaptic_calcium/alpha", 0.0),
            "projections[8].presynaptic_calcium.alpha");
  EXPECT_EQ(mutated("/projections/8/efficacy/sigmoid_scale", -1.0), "projections[8].efficacy.sigmoid_scale");
  EXPECT_EQ(mutated("/projections/4/params/D", 1.37e-4 + 1e-5), "projections[4].params.D");
  EXPECT_EQ(mutated("/projections/4/params/tau", 0.0), "projections[4].params.tau");
  EXPECT_EQ(mutated("/projections/6/source", "E"), "projections[6].source");  // sic starts at li_rinzel
  EXPECT_EQ(mutated("/projections/6/params/C_0", -0.1), "projections[6].params.C_0");
  EXPECT_EQ(mutated("/projections/5/receptor", "g_e"), "projections[5].receptor");  // li_rinzel takes ip3
  EXPECT_EQ(mutated("/projections/9/weights", json{1.0, 2.0}), "projections[9].weights");
  EXPECT_EQ(mutated("/projections/9/delay", 1e-3), "projections[9].delay");
  EXPECT_EQ(mutated("/monitors/6/variables/0", "v"), "monitors[6].variables[0]");
  EXPECT_EQ(mutated("/monitors/8/variables/1", "p_l"), "monitors[8].variables[1]");
  EXPECT_EQ(mutated("/monitors/8/times", json{0.5, 0.1}), "monitors[8].times");
}
