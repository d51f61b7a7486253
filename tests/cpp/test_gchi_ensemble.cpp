#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>

#include "models/bio/cell_integration.hpp"
#include "models/bio/gchi_ensemble.hpp"

namespace glia::bio {

namespace {

// Three variants of different glutamate levels and PLCbeta rates, plus one with a step far
// too long for forward Euler at a high glutamate level (it must fail alone).
GChIEnsembleSpec spec(sim::FixedStepMethod method, double dt) {
  GChIEnsembleSpec s;
  const double levels[] = {0.1, 0.2, 0.5, 1.0};
  const double o_beta[] = {5.0, 3.0, 5.0, 5.0};
  for (int v = 0; v < 4; ++v) {
    GChIParams p = gchi_single_astrocyte_params();
    p.O_beta = o_beta[v];
    s.params.push_back(p);
    s.Y_S.push_back(levels[v]);
    s.J_ex.push_back(0.0);
    s.initial.push_back({0.0, 0.1, 0.05, 0.9});
  }
  s.dt = dt;
  s.n_steps = static_cast<std::int64_t>(std::llround(20.0 / dt));
  s.method = method;
  s.record = {0, 1, 2, 3};
  s.record_every = static_cast<std::int64_t>(std::llround(0.1 / dt));
  return s;
}

nlohmann::json solo_config(const GChIEnsembleSpec& s, int v, const char* method) {
  return {{"model", "gchi"},
          {"parameter_set", "single_astrocyte"},
          {"params", {{"O_beta", s.params[v].O_beta}}},
          {"input", {{"Y_S", s.Y_S[v]}}},
          {"initial", {{"Gamma_A", 0.0}, {"I", 0.1}, {"C", 0.05}, {"h", 0.9}}},
          {"duration", 20.0},
          {"sample_dt", 0.1},
          {"method", method},
          {"dt", s.dt}};
}

}  // namespace

TEST(GChIEnsemble, VariantEqualsSoloRun) {
  const GChIEnsembleSpec s = spec(sim::FixedStepMethod::rk4, 1e-3);
  const GChIEnsembleResult r = run_gchi_ensemble_cpu(s);
  ASSERT_EQ(r.trace_t.size(), 201u);
  for (int v = 0; v < 4; ++v) {
    ASSERT_EQ(r.status[v], kVariantOk) << v;
    const CellTrace solo = integrate_cell(solo_config(s, v, "rk4"));
    for (std::size_t k = 0; k < solo.t.size(); ++k)
      for (int i = 0; i < kGChIVars; ++i)
        ASSERT_NEAR(r.traces[(k * 4 + v) * kGChIVars + i], solo.values[k * kGChIVars + i], 1e-13)
            << "variant " << v << " sample " << k << " variable " << i;
  }
}

TEST(GChIEnsemble, DivergingVariantFailsAloneWithReason) {
  GChIEnsembleSpec s = spec(sim::FixedStepMethod::euler, 0.05);
  s.Y_S[3] = 500.0;  // Gamma_A's rate O_N Y_S = 150/s: Euler at 50 ms overshoots at once
  const GChIEnsembleResult r = run_gchi_ensemble_cpu(s);
  EXPECT_EQ(r.status[3], kVariantLeftBounds);
  EXPECT_EQ(r.failed_variable[3], kGammaA);
  EXPECT_NEAR(r.failed_at[3], 0.05, 1e-12);
  EXPECT_TRUE(std::isnan(r.traces[(10 * 4 + 3) * kGChIVars + kCa]));  // no data after the failure
  for (int v = 0; v < 3; ++v) {
    EXPECT_EQ(r.status[v], kVariantOk) << v;
    EXPECT_TRUE(std::isnan(r.failed_at[v]));
  }
  // The others are exactly what they would be without the failing neighbour.
  GChIEnsembleSpec three = s;
  for (auto* vec : {&three.Y_S, &three.J_ex}) vec->pop_back();
  three.params.pop_back();
  three.initial.pop_back();
  three.record = {0, 1, 2};
  const GChIEnsembleResult r3 = run_gchi_ensemble_cpu(three);
  for (int v = 0; v < 3; ++v) EXPECT_EQ(r.final_state[v], r3.final_state[v]) << v;
}

TEST(GChIEnsemble, SummariesMatchTheTrace) {
  GChIEnsembleSpec s = spec(sim::FixedStepMethod::rk4, 1e-2);
  s.record_every = 1;  // every step, so the summaries can be recomputed from the trace
  const GChIEnsembleResult r = run_gchi_ensemble_cpu(s);
  const std::size_t n_samples = r.trace_t.size();
  for (int v = 0; v < 4; ++v) {
    double c_max = 0, c_sum = 0;
    std::int64_t crossings = 0;
    for (std::size_t k = 0; k < n_samples; ++k) {
      const double c = r.traces[(k * 4 + v) * kGChIVars + kCa];
      c_max = std::max(c_max, c);
      c_sum += c;
      if (k > 0 && r.traces[((k - 1) * 4 + v) * kGChIVars + kCa] <= 0.5 && c > 0.5) ++crossings;
    }
    EXPECT_DOUBLE_EQ(r.C_max[v], c_max);
    EXPECT_NEAR(r.C_mean[v], c_sum / static_cast<double>(n_samples), 1e-12);
    EXPECT_EQ(r.C_crossings[v], crossings);
  }
  EXPECT_GT(r.C_crossings[0] + r.C_crossings[1], 0);  // some variants do oscillate
}

TEST(GChIEnsemble, IdenticalAtOneAndTwoThreads) {
  GChIEnsembleSpec s = spec(sim::FixedStepMethod::rk4, 1e-2);
  for (int copy = 0; copy < 50; ++copy) {  // more variants than threads
    s.params.push_back(s.params[copy % 4]);
    s.Y_S.push_back(0.05 + 0.01 * copy);
    s.J_ex.push_back(0.0);
    s.initial.push_back(s.initial[0]);
  }
  omp_set_num_threads(1);
  const GChIEnsembleResult one = run_gchi_ensemble_cpu(s);
  omp_set_num_threads(2);
  const GChIEnsembleResult two = run_gchi_ensemble_cpu(s);
  EXPECT_EQ(one.final_state, two.final_state);
  EXPECT_EQ(one.traces.size(), two.traces.size());
  for (std::size_t k = 0; k < one.traces.size(); ++k) ASSERT_EQ(one.traces[k], two.traces[k]) << k;
  EXPECT_EQ(one.C_crossings, two.C_crossings);
}

}  // namespace glia::bio
