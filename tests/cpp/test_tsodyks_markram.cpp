#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>

#include "models/network/network.hpp"
#include "models/simulation/driven_network.hpp"
#include "models/bio/tsodyks_markram.hpp"

namespace glia::bio {

namespace {

// Closed-form steady state of a regular train with interval `delta` (BIOPHYSICS.md §6.3):
// u+ = U / (1 - (1-U) e^{-delta/tau_fac}) just after a spike, and
// x- = (1 - e^{-delta/tau_rec}) / (1 - (1 - u+) e^{-delta/tau_rec}) just before one;
// release r = u+ x-. With tau_fac = 0, u+ = U and x- is the classic depressing x_inf.
struct SteadyState {
  double u_plus, x_minus, r;
};
SteadyState analytic_steady_state(const TsodyksMarkramParams& p, double delta) {
  const double ef = p.tau_fac > 0 ? std::exp(-delta / p.tau_fac) : 0.0;
  const double ed = std::exp(-delta / p.tau_rec);
  const double u = p.U / (1.0 - (1.0 - p.U) * ef);
  const double x = (1.0 - ed) / (1.0 - (1.0 - u) * ed);
  return {u, x, u * x};
}

double release_after(const TsodyksMarkramParams& p, double delta, int spikes) {
  TsodyksMarkramState s;
  double r = 0;
  for (int k = 0; k < spikes; ++k) r = tm_on_spike(p, s, k * delta);
  return r;
}

}  // namespace

TEST(TsodyksMarkram, DepressingSteadyStateMatchesClosedForm) {
  for (double rate : {2.0, 5.0, 10.0, 20.0, 50.0, 100.0}) {
    const TsodyksMarkramParams p{0.5, 0.8, 0.0};
    const double delta = 1.0 / rate;
    const double ed = std::exp(-delta / p.tau_rec);
    const double x_inf = (1.0 - ed) / (1.0 - (1.0 - p.U) * ed);
    EXPECT_NEAR(release_after(p, delta, 400), p.U * x_inf, 1e-12) << "rate " << rate;
  }
}

TEST(TsodyksMarkram, FacilitatingSteadyStateMatchesClosedForm) {
  for (double rate : {2.0, 5.0, 10.0, 20.0, 50.0}) {
    const TsodyksMarkramParams p{0.03, 0.13, 0.53};
    const double delta = 1.0 / rate;
    EXPECT_NEAR(release_after(p, delta, 3000), analytic_steady_state(p, delta).r, 1e-12) << "rate " << rate;
  }
}

// Facilitation must make release grow along a train at low U, and depression make it fall.
TEST(TsodyksMarkram, FacilitationAndDepressionHaveOppositeTrends) {
  const TsodyksMarkramParams fac{0.03, 0.13, 0.53}, dep{0.5, 0.8, 0.0};
  EXPECT_GT(release_after(fac, 0.05, 10), release_after(fac, 0.05, 1));
  EXPECT_LT(release_after(dep, 0.05, 10), release_after(dep, 0.05, 1));
  EXPECT_DOUBLE_EQ(release_after(dep, 0.05, 1), dep.U);
}

// Between spikes the lazy closed form must agree with a numerical integration of the ODEs
// (RK4 at a small step) of du/dt = -u/tau_fac, dx/dt = (1-x)/tau_rec.
TEST(TsodyksMarkram, LazyEvaluationMatchesOdeIntegration) {
  const TsodyksMarkramParams p{0.2, 0.4, 0.3};
  TsodyksMarkramState s;
  tm_on_spike(p, s, 0.0);
  tm_on_spike(p, s, 0.01);
  double u = s.u, x = s.x;
  const double h = 1e-5;
  auto f = [&](double uu, double xx, double& du, double& dx) {
    du = -uu / p.tau_fac;
    dx = (1.0 - xx) / p.tau_rec;
  };
  for (int k = 0; k < 30000; ++k) {  // 0.3 s
    double du1, dx1, du2, dx2, du3, dx3, du4, dx4;
    f(u, x, du1, dx1);
    f(u + 0.5 * h * du1, x + 0.5 * h * dx1, du2, dx2);
    f(u + 0.5 * h * du2, x + 0.5 * h * dx2, du3, dx3);
    f(u + h * du3, x + h * dx3, du4, dx4);
    u += h / 6 * (du1 + 2 * du2 + 2 * du3 + du4);
    x += h / 6 * (dx1 + 2 * dx2 + 2 * dx3 + dx4);
  }
  double u_lazy, x_lazy;
  tm_state_at(p, s, 0.31, u_lazy, x_lazy);
  EXPECT_NEAR(u_lazy, u, 1e-12);
  EXPECT_NEAR(x_lazy, x, 1e-12);
}

// A driven-synapse config (sources -> Tsodyks–Markram synapses one to one), run by the network engine.
network::NetworkResult run_driven(const std::string& source, std::uint32_t n, double rate, double seconds,
                                  const TsodyksMarkramParams& tm, const nlohmann::json& indices, double record_dt,
                                  std::uint64_t seed) {
  const nlohmann::json driven{
      {"simulation", {{"duration", seconds}, {"dt", 1e-4}, {"seed", seed}}},
      {"groups", {{{"name", "src"}, {"model", source}, {"n", n}, {"rate", rate}}}},
      {"synapses",
       {{{"name", "syn"}, {"model", "tsodyks_markram"}, {"source", "src"}, {"U", tm.U}, {"tau_rec", tm.tau_rec},
         {"tau_fac", tm.tau_fac}}}},
      {"monitors",
       {{{"type", "state"}, {"target", "syn"}, {"variables", {"u", "x"}}, {"indices", indices}, {"dt", record_dt}},
        {{"type", "spikes"}, {"target", "syn"}}}}};
  const network::NetworkConfig c = network::parse_network_config(simulation::as_network_config(driven));
  return network::run_network(c);
}

// The same steady state through the whole time-stepped engine with a regular source.
TEST(DrivenSynapses, NetworkReachesAnalyticSteadyState) {
  const TsodyksMarkramParams tm{0.03, 0.13, 0.53};
  const network::NetworkResult r = run_driven("regular", 2, 20.0, 20.0, tm, {1}, 0.01, 0);  // 400 spikes each
  const network::SpikeTrain& sp = r.spikes.at("syn");
  ASSERT_EQ(sp.t.size(), 800u);
  ASSERT_EQ(sp.r.size(), 800u);
  EXPECT_EQ(sp.i[0], 0u);
  EXPECT_EQ(sp.i[1], 1u);
  const SteadyState ss = analytic_steady_state(tm, 0.05);
  EXPECT_NEAR(sp.r.back(), ss.r, 1e-12);
  // State samples are taken after the step's spikes: at a spike time u = u+ and x = x- - r.
  const network::StateTrace& st = r.state.at("syn");
  const auto last_spike_sample = static_cast<std::size_t>(std::llround(sp.t.back() / 0.01));
  EXPECT_NEAR(st.t[last_spike_sample], sp.t.back(), 1e-12);
  EXPECT_NEAR(st.values.at("u")[last_spike_sample], ss.u_plus, 1e-12);
  EXPECT_NEAR(st.values.at("x")[last_spike_sample], ss.x_minus - ss.r, 1e-12);
  ASSERT_EQ(st.t.size(), 2001u);
  EXPECT_DOUBLE_EQ(st.t[1], 0.01);
}

}  // namespace glia::bio

namespace glia::bio {

// Large groups run in parallel; a fixed seed must give identical spikes and traces whatever the
// thread count (counter-based RNG, no shared state).
TEST(DrivenSynapses, IdenticalAtOneAndTwoThreads) {
  const TsodyksMarkramParams tm{0.2, 0.5, 0.3};
  omp_set_num_threads(1);
  const network::NetworkResult one = run_driven("poisson", 20000, 30.0, 0.2, tm, {0, 9999, 19999}, 1e-3, 77);
  omp_set_num_threads(2);
  const network::NetworkResult two = run_driven("poisson", 20000, 30.0, 0.2, tm, {0, 9999, 19999}, 1e-3, 77);
  const network::SpikeTrain &a = one.spikes.at("syn"), &b = two.spikes.at("syn");
  ASSERT_GT(a.t.size(), 1000u);
  EXPECT_EQ(a.t, b.t);
  EXPECT_EQ(a.i, b.i);
  EXPECT_EQ(a.r, b.r);
  EXPECT_EQ(one.state.at("syn").values, two.state.at("syn").values);
}

}  // namespace glia::bio
