// The tripartite and gchi sweep presets (network configs run by the network engine): a variant's results
// do not depend on chunk size, thread count or its position in the design; they equal independent
// references (the single-cell integrator, the Tsodyks–Markram steady state) and the same network written by
// hand; diverging variants fail alone; summary definitions; cross-parameter checks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "engine/core/error.hpp"
#include "engine/sim/summary.hpp"
#include "models/bio/cell_integration.hpp"
#include "models/sweep/sweep_run.hpp"
#include "tests/cpp/sweep_config_error.hpp"

namespace glia::sweep {

namespace {

using nlohmann::json;

json tripartite_config() {
  return {
      {"model", "tripartite"},
      {"parameter_set", "single_astrocyte"},
      {"duration", 20.0},
      {"dt", 1e-3},
      {"transient", 2.0},
      {"parameters", {{"seed", 5}, {"alpha", 1.0}}},
      {"design", {{"grid", {{"O_beta", {1.0, 3.0, 5.0}}, {"rate", {0.5, 2.0, 8.0}}, {"feedback", {0, 1}}}}}},
      {"summaries",
       {"C.mean",
        "C.max",
        "C.min",
        "C.final",
        "C.frequency",
        "C.amplitude",
        "C.events",
        "Gamma_S.max",
        "U_0.mean",
        "G_A.max",
        "release_probability",
        "released_fraction",
        "spike_count",
        {{"variable", "C"}, {"stat", "time_above"}, {"threshold", 0.3}}}},
      {"traces", {{"variants", {1, 7, 16}}, {"dt", 0.01}}}};
}

SweepOutcome run(const json& config, std::int64_t chunk = 0, int threads = 0) {
  SweepOptions o;
  o.chunk = chunk;
  o.threads = threads;
  return run_sweep(parse_sweep_config(config), o);
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

}  // namespace

TEST(SweepPreset, ResultsDoNotDependOnChunkSizeOrThreads) {
  const json c = tripartite_config();
  const SweepOutcome ref = run(c, 256, 1);
  ASSERT_EQ(ref.n_variants, 18u);
  for (auto s : ref.status) ASSERT_EQ(s, 0);
  // The loop closes: with feedback and alpha = 1 gliotransmission raises U_0 above U = 0.6 when
  // the astrocyte releases; without feedback U_0 stays at U.
  const SweepSpec spec = parse_sweep_config(c);
  const std::size_t n = 18, u0 = 8, glio = 9;
  bool raised = false;
  for (std::size_t v = 0; v < n; ++v) {
    const bool feedback = spec.design.at(v, static_cast<std::size_t>(spec.design.column("feedback"))) == 1.0;
    if (!feedback) {
      EXPECT_NEAR(ref.summaries[u0 * n + v], 0.6, 1e-12);
    }
    if (feedback && ref.summaries[glio * n + v] > 0)
      raised = raised || ref.summaries[u0 * n + v] > 0.6 + 1e-6;
  }
  EXPECT_TRUE(raised);
  for (std::int64_t chunk : {1, 3, 7}) {
    for (int threads : {1, 2}) {
      const SweepOutcome r = run(c, chunk, threads);
      EXPECT_TRUE(same_bits(r.summaries, ref.summaries)) << "chunk " << chunk << " threads " << threads;
      EXPECT_TRUE(same_bits(r.traces, ref.traces)) << "chunk " << chunk << " threads " << threads;
      EXPECT_EQ(r.status, ref.status);
    }
  }
}

TEST(SweepPreset, VariantRunAloneOrElsewhereInTheDesignIsIdentical) {
  const json c = tripartite_config();
  const SweepOutcome all = run(c);
  const SweepSpec spec = parse_sweep_config(c);
  const std::size_t n = spec.design.size(), n_summ = spec.summaries.size();
  for (std::size_t v : {std::size_t{4}, std::size_t{11}, std::size_t{17}}) {
    json one = c, moved = c;
    json row = json::object();
    for (std::size_t col = 0; col < spec.design.names.size(); ++col)
      row[spec.design.names[col]] = spec.design.at(v, col);
    one["design"] = {{"list", {row}}};
    one.erase("traces");
    // The same variant second in a list, after another one.
    json other = row;
    other["O_beta"] = 2.5;
    moved["design"] = {{"list", {other, row}}};
    moved.erase("traces");
    const SweepOutcome alone = run(one), second = run(moved, 1, 2);
    for (std::size_t q = 0; q < n_summ; ++q) {
      const double in_sweep = all.summaries[q * n + v];
      EXPECT_EQ(std::memcmp(&alone.summaries[q], &in_sweep, sizeof(double)), 0)
          << "variant " << v << " summary " << q;
      EXPECT_EQ(std::memcmp(&second.summaries[q * 2 + 1], &in_sweep, sizeof(double)), 0)
          << "variant " << v << " summary " << q;
    }
  }
}

TEST(SweepPreset, BareAstrocyteEqualsTheSingleCellIntegrator) {
  const json c = {{"model", "gchi"},
                  {"parameter_set", "single_astrocyte"},
                  {"duration", 10.0},
                  {"dt", 1e-3},
                  {"parameters", {{"initial.I", 0.1}, {"initial.C", 0.05}}},
                  {"design", {{"grid", {{"Y_S", {0.1, 0.2, 0.5}}, {"O_beta", {3.0, 5.0}}}}}},
                  {"summaries", {"C.mean", "C.max"}},
                  {"traces", {{"variants", {0, 1, 2, 3, 4, 5}}, {"dt", 1e-3}}}};
  const SweepOutcome r = run(c, 4, 2);
  const SweepSpec spec = parse_sweep_config(c);
  const std::size_t samples = r.trace_t.size(), n = 6;
  ASSERT_EQ(samples, 10001u);
  for (std::size_t v = 0; v < n; ++v) {
    const json solo = {{"model", "gchi"},
                       {"parameter_set", "single_astrocyte"},
                       {"params", {{"O_beta", spec.design.at(v, 0)}}},
                       {"input", {{"Y_S", spec.design.at(v, 1)}}},
                       {"initial", {{"Gamma_A", 0.0}, {"I", 0.1}, {"C", 0.05}, {"h", 0.9}}},
                       {"duration", 10.0},
                       {"sample_dt", 1e-3},
                       {"method", "rk4"},
                       {"dt", 1e-3}};
    const bio::CellTrace t = bio::integrate_cell(solo);
    double c_sum = 0.0, c_max = -1.0;
    for (std::size_t k = 0; k < samples; ++k) {
      for (int i = 0; i < bio::kGChIVars; ++i)
        ASSERT_NEAR(r.traces[(v * 4 + static_cast<std::size_t>(i)) * samples + k], t.values[k * 4 + i], 1e-13)
            << "variant " << v << " sample " << k << " variable " << i;
      if (k > 0) {
        c_sum += t.values[k * 4 + bio::kCa];
        c_max = std::max(c_max, t.values[k * 4 + bio::kCa]);
      }
    }
    EXPECT_NEAR(r.summaries[v], c_sum / 10000.0, 1e-12);
    EXPECT_NEAR(r.summaries[n + v], c_max, 1e-13);
  }
}

TEST(SweepPreset, ReleaseMatchesTheTsodyksMarkramSteadyStateOfARegularTrain) {
  // Depressing (tau_fac = 0) and facilitating synapses at 20 Hz (Tsodyks et al. 1998).
  const json c = {{"model", "tripartite"},
                  {"input", "regular"},
                  {"duration", 15.0},
                  {"dt", 1e-3},
                  {"transient", 10.0},
                  {"parameters", {{"rate", 20.0}}},
                  {"design",
                   {{"list",
                     {{{"U", 0.5}, {"tau_rec", 0.8}, {"tau_fac", 0.0}},
                      {{"U", 0.03}, {"tau_rec", 0.13}, {"tau_fac", 0.53}}}}}},
                  {"summaries", {"release_probability", "released_fraction", "spike_count"}}};
  const SweepOutcome r = run(c);
  const double delta = 0.05;
  const auto x_inf = [&](double u, double tau_rec) {
    const double e = std::exp(-delta / tau_rec);
    return (1.0 - e) / (1.0 - (1.0 - u) * e);
  };
  // Depressing: u = U at every spike.
  EXPECT_NEAR(r.summaries[0], 0.5, 1e-15);
  EXPECT_NEAR(r.summaries[2], 0.5 * x_inf(0.5, 0.8), 1e-10);
  // Facilitating: u+ = U / (1 - (1 - U) e^{-delta/tau_fac}).
  const double u_plus = 0.03 / (1.0 - 0.97 * std::exp(-delta / 0.53));
  EXPECT_NEAR(r.summaries[1], u_plus, 1e-10);
  EXPECT_NEAR(r.summaries[3], u_plus * x_inf(u_plus, 0.13), 1e-10);
  EXPECT_EQ(r.summaries[4], 100.0);  // spikes after the transient: 10.05, 10.10, ..., 15.00 s
}

TEST(SweepPreset, DivergingVariantFailsAloneWithItsReason) {
  // Forward Euler at 10 ms cannot follow receptor activation under 5 Hz of glutamate release.
  const json c = {{"model", "tripartite"},
                  {"duration", 5.0},
                  {"dt", 1e-2},
                  {"method", "euler"},
                  {"input", "regular"},
                  {"design", {{"grid", {{"rate", {0.0, 5.0}}}}}},
                  {"summaries", {"C.mean", "I.max"}}};
  const SweepOutcome r = run(c);
  EXPECT_EQ(r.status, (std::vector<std::int32_t>{0, 1}));
  EXPECT_EQ(r.failed_variable[1], "Gamma_A");
  EXPECT_GE(r.failed_at[1], 0.2);  // the first spike of the 5 Hz train is at 0.2 s
  EXPECT_LT(r.failed_at[1], 0.3);
  EXPECT_EQ(r.failed_value[1], r.failed_value[1]);  // the value is kept
  EXPECT_TRUE(r.failed_value[1] < 0.0 || r.failed_value[1] > 1.0) << r.failed_value[1];
  EXPECT_NE(r.reason[1].find("Gamma_A[0] = "), std::string::npos) << r.reason[1];
  EXPECT_NE(r.reason[1].find(": outside [0, 1] at t = "), std::string::npos) << r.reason[1];
  EXPECT_TRUE(std::isnan(r.summaries[1]) && std::isnan(r.summaries[3]));
  EXPECT_TRUE(std::isfinite(r.summaries[0]) && std::isfinite(r.summaries[2]));
  EXPECT_EQ(r.reason[0], "");
  EXPECT_EQ(r.failed, 1u);
}

TEST(SweepPreset, SummaryDefinitionsOnASine) {
  // v(t) = sin(2 pi f t) sampled every dt for 10 s, threshold 0.
  const double f = 2.0, dt = 1e-4, pi = 3.14159265358979323846;
  const sim::SummaryStat stats[] = {sim::SummaryStat::frequency, sim::SummaryStat::amplitude,
                                    sim::SummaryStat::events,    sim::SummaryStat::time_above,
                                    sim::SummaryStat::mean,      sim::SummaryStat::max};
  double value[6];
  for (int s = 0; s < 6; ++s) {
    sim::SummaryAcc acc;
    sim::summary_start(stats[s], acc, 0.0);
    for (int k = 1; k <= 100000; ++k) {
      const double t = k * dt;
      sim::summary_sample(stats[s], acc, std::sin(2 * pi * f * t), 0.0, t, dt, true);
    }
    value[s] = sim::summary_value(stats[s], acc, dt);
  }
  EXPECT_NEAR(value[0], 2.0, 1e-6);  // crossings every 0.5 s
  EXPECT_NEAR(value[1], 2.0, 1e-5);  // peak to trough
  EXPECT_EQ(value[2], 20.0);         // at t = 0, 0.5, ..., 9.5 s
  EXPECT_NEAR(value[3], 5.0, 5e-4);  // half the time above 0 (to a few samples at the zeros)
  EXPECT_NEAR(value[4], 0.0, 1e-4);
  EXPECT_NEAR(value[5], 1.0, 1e-6);
}

TEST(SweepPreset, ChecksAcrossParametersNameTheDesignField) {
  json c = tripartite_config();
  c.erase("traces");
  c["design"] = {{"grid", {{"initial.C", {0.5, 1.8}}}}};
  c["parameters"]["rate"] = 1.0;
  EXPECT_NE(error_of(c).find("design.grid.initial.C[1] = 1.8: must be <= C_T / (1 + rho_A) = 1.69"),
            std::string::npos)
      << error_of(c);
  c["design"] = {{"grid", {{"rate", {2000.0}}}}};
  c["parameters"].erase("rate");
  EXPECT_NE(error_of(c).find("design.grid.rate[0] = 2000.0: must be <= 1/dt = 1000 Hz"), std::string::npos)
      << error_of(c);
  c["design"] = {{"grid", {{"O_beta", {1.0}}}}};
  EXPECT_NE(error_of(c).find("parameters.rate: missing"), std::string::npos) << error_of(c);
  c["parameters"]["rate"] = 1.0;
  c["parameters"]["O_bta"] = 1.0;
  EXPECT_NE(error_of(c).find("parameters.O_bta = 1.0: unknown parameter of model \"tripartite\""),
            std::string::npos)
      << error_of(c);
  c["parameters"].erase("O_bta");
  c["parameters"]["O_beta"] = 2.0;
  EXPECT_NE(error_of(c).find("parameters.O_beta: also swept by the design"), std::string::npos)
      << error_of(c);
  c["parameters"].erase("O_beta");
  c["summaries"] = {"Q.mean"};
  EXPECT_NE(error_of(c).find("summaries[0] = \"Q.mean\": unknown variable"), std::string::npos)
      << error_of(c);
  c["summaries"] = {{{"variable", "x"}, {"stat", "frequency"}}};
  EXPECT_NE(error_of(c).find("summaries[0].threshold: missing"), std::string::npos) << error_of(c);
  c["model"] = "gchi";
  c["summaries"] = {"release_probability"};
  c["parameters"] = json::object();
  EXPECT_NE(error_of(c).find("summaries[0] = \"release_probability\": this model has no presynaptic spikes"),
            std::string::npos)
      << error_of(c);
}

}  // namespace glia::sweep
