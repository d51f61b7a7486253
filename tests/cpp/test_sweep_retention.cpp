// Retention sweeps ("model": "retention"): every variant's summaries equal a direct derivation of
// its substituted retention config; bad paths, values and summaries are ConfigErrors naming the
// design field; a derivation without potentiation fails its variant only; an interrupted sweep
// file resumes to the uninterrupted one.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "engine/core/error.hpp"
#include "engine/io/hdf5_file.hpp"
#include "models/mapping/retention.hpp"
#include "models/sweep/sweep_run.hpp"
#include "tests/cpp/sweep_config_error.hpp"

namespace glia::sweep {

namespace {

using nlohmann::json;

// 6 cycles of 2 + 2 s at a coarse step: a few thousand RK4 steps of 33 states per variant.
json base_retention() {
  return {
      {"T", {4, 6}},           {"dt", 0.01}, {"T_on", 2.0}, {"T_off", 2.0}, {"params", {{"gamma_l", 1.0}}},
      {"output", "ignored.h5"}};
}

json retention_sweep(const json& design, const json& summaries) {
  return {
      {"model", "retention"}, {"retention", base_retention()}, {"design", design}, {"summaries", summaries}};
}

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "glia_retention_sweep_" + std::to_string(::getpid()) + "_" + name;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

}  // namespace

TEST(RetentionSweep, VariantsEqualDirectDerivationsOfTheirConfigs) {
  const json config =
      retention_sweep({{"grid", {{"params.tau_pl", {10.0, 30.0}}, {"T_on", {1.0, 2.0}}}}},
                      {"rf", "rf_fitted.T4", "fit", "p_l", "p_l.final", "falls_from.T6", "warnings"});
  const SweepSpec s = parse_sweep_config(config);
  ASSERT_EQ(s.design.size(), 4u);
  EXPECT_EQ(s.chunk, 16);
  EXPECT_EQ(s.method_name, "rk4");
  EXPECT_EQ(s.dt, 0.01);
  EXPECT_EQ(s.duration, 6 * 3.0);  // the first variant: T_on = 1, T_off = 2
  EXPECT_FALSE(s.resolved.at("retention").contains("output"));
  // The columns: the tables in order of T, then t; the fit's parameters, then its errors.
  std::vector<std::string> expected;
  for (int T : {4, 6})
    for (int t = 1; t <= T; ++t) expected.push_back("rf.T" + std::to_string(T) + "." + std::to_string(t));
  for (int t = 1; t <= 4; ++t) expected.push_back("rf_fitted.T4." + std::to_string(t));
  for (const char* q : {"p_inf", "tau_L", "rmse", "relative_rmse", "max_abs_error", "at_bound"})
    expected.push_back(std::string("fit.") + q);
  for (int n = 1; n <= 6; ++n) expected.push_back("p_l." + std::to_string(n));
  expected.insert(expected.end(), {"p_l.final", "falls_from.T6", "warnings"});
  EXPECT_EQ(s.summary_names, expected);

  SweepOptions o;
  o.threads = 2;
  o.chunk = 3;
  const SweepOutcome r = run_sweep(s, o);
  ASSERT_EQ(r.n_variants, 4u);
  const std::size_t n = 4, n_q = s.summary_names.size();
  for (std::size_t v = 0; v < n; ++v) {
    EXPECT_EQ(r.status[v], 0);
    // The same config built by hand from the design's values, derived directly.
    json c = base_retention();
    c["params"]["tau_pl"] = s.design.at(v, static_cast<std::size_t>(s.design.column("params.tau_pl")));
    c["T_on"] = s.design.at(v, static_cast<std::size_t>(s.design.column("T_on")));
    const mapping::RetentionResult d = mapping::derive_retention(mapping::parse_retention_config(c));
    std::vector<double> want;
    for (std::size_t k = 0; k < d.T.size(); ++k)
      want.insert(want.end(), d.rf_simulated[k].begin(), d.rf_simulated[k].end());
    want.insert(want.end(), d.rf_fitted[0].begin(), d.rf_fitted[0].end());
    want.insert(want.end(), d.fit.params.begin(), d.fit.params.end());
    want.insert(want.end(),
                {d.fit.rmse, d.fit.relative_rmse, d.fit.max_abs_error, d.fit.at_bound ? 1.0 : 0.0});
    want.insert(want.end(), d.p_l_mean.begin() + 1, d.p_l_mean.end());
    want.push_back(d.p_l_mean[6]);
    want.push_back(static_cast<double>(d.falls_from[1]));
    want.push_back(static_cast<double>(d.warnings.size()));
    ASSERT_EQ(want.size(), n_q);
    for (std::size_t q = 0; q < n_q; ++q)
      EXPECT_TRUE(same_bits(r.summaries[q * n + v], want[q]))
          << "variant " << v << " " << s.summary_names[q] << ": " << r.summaries[q * n + v] << " vs "
          << want[q];
  }
  // Columns in key order, the last fastest: T_on = 1, 1, 2, 2 and tau_pl = 10, 30, 10, 30.
  EXPECT_EQ(s.design.names, (std::vector<std::string>{"T_on", "params.tau_pl"}));
  // The design reaches the derivation: a faster long-term process saturates sooner, so the first
  // segment's share of T = 6 is larger; another burst length gives another table.
  const auto rf61 = [&](std::size_t v) { return r.summaries[4 * n + v]; };  // rf.T6.1
  EXPECT_GT(rf61(0), rf61(1));
  EXPECT_GT(rf61(2), rf61(3));
  EXPECT_NE(r.summaries[0 * n + 0], r.summaries[0 * n + 2]);
}

TEST(RetentionSweep, ListDesignMovesTOnAndTOffTogetherAndSweepsIntegers) {
  const SweepSpec s =
      parse_sweep_config(retention_sweep({{"list",
                                           {{{"T_on", 1.0}, {"T_off", 1.0}, {"n_cycles", 6}},
                                            {{"T_on", 3.0}, {"T_off", 3.0}, {"n_cycles", 8}}}}},
                                         {"p_l.final", "rf.T4.1"}));
  ASSERT_EQ(s.design.size(), 2u);
  const mapping::RetentionSpec second =
      mapping::parse_retention_config(retention_variant_config(s.retention, s.design, 1));
  EXPECT_EQ(second.network.T_on, 3.0);
  EXPECT_EQ(second.network.T_off, 3.0);
  EXPECT_EQ(second.n_cycles, 8);
  // record_dt follows each variant's own cycle length (it is not fixed by the base).
  EXPECT_EQ(second.network.record_every, 600);
}

TEST(RetentionSweep, ErrorsNameTheDesignFieldAndTheSummary) {
  const json summaries = {"rf"};
  const auto grid = [&](const char* path, const json& values) {
    return retention_sweep({{"grid", {{path, values}}}}, summaries);
  };
  EXPECT_EQ(error_of(grid("params.tau_pl", {10.0, -1.0})),
            "design.grid.params.tau_pl[1] = -1.0: must be > 0 (s)");
  EXPECT_EQ(error_of(grid("params.tau_pl", {10.0, std::nan("")})),
            "design.grid.params.tau_pl[1] = nan: must be finite");
  EXPECT_EQ(error_of(grid("params.tau_pq", {10.0})),
            "design.grid.params.tau_pq[0] = 10.0: unknown parameter of the network");
  EXPECT_EQ(error_of(grid("parms.tau_pl", {10.0})),
            "design.grid.parms.tau_pl[0] = 10.0: retention.parms = {\"tau_pl\":10.0}: unknown key");
  EXPECT_EQ(error_of(grid("theta", {1.0})), "design.grid.theta[0] = 1.0: expected a string");
  EXPECT_EQ(
      error_of(grid("output", {1.0})),
      "design.grid.output: \"output\" is not a parameter (a retention sweep writes no file per variant)");
  EXPECT_EQ(
      error_of(grid("b_pre.1", {1.0})),
      "design.grid.b_pre.1: b_pre is not in the base retention: give the list there to sweep an entry of it "
      "(\"1\" is a list index)");
  json drives = grid("b_pre.5", {1.0});
  drives["retention"]["b_pre"] = {1.0, 1.0, 1.0};
  EXPECT_EQ(error_of(drives),
            "design.grid.b_pre.5: \"5\": b_pre is a list of 3: expected an index in [0, 3)");
  EXPECT_EQ(error_of(grid("T.0", {2.5})), "design.grid.T.0[0] = 2.5: must be a whole number");
  EXPECT_EQ(error_of(grid("dt.x", {1.0})), "design.grid.dt.x: dt = 0.01 has no key \"x\"");
  EXPECT_EQ(error_of(grid("params..tau_pl", {1.0}))
                .rfind("design.grid.params..tau_pl: expected a path into the "
                       "retention config such as",
                       0),
            0u);
  EXPECT_NE(error_of(grid("T_on", {1.0, 1.005})).find("design.grid.T_on[1] = 1.005: "), std::string::npos);
  // An error of the base outside the swept paths is the retention config's.
  json bad = grid("T_on", {1.0});
  bad["retention"]["method"] = "rk5";
  EXPECT_EQ(error_of(bad), "retention.method = \"rk5\": expected \"exact\", \"euler\", \"rk2\" or \"rk4\"");
  // Summaries are checked against every variant.
  json s = grid("T_on", {1.0});
  s["summaries"] = {"rf.T5"};
  EXPECT_EQ(error_of(s), "summaries[0] = \"rf.T5\": no table for T = 5 (the retention config's T: 4, 6)");
  s["summaries"] = {"fit.tau_1"};
  EXPECT_EQ(
      error_of(s),
      "summaries[0] = \"fit.tau_1\": unknown fit quantity \"tau_1\" of the exponential fit (known: p_inf, "
      "tau_L, rmse, relative_rmse, max_abs_error, at_bound)");
  s["summaries"] = {"rf", "rf.T4.2"};
  EXPECT_EQ(error_of(s),
            "summaries[1] = \"rf.T4.2\": its column rf.T4.2 also comes from summaries[0] = \"rf\"");
  s["summaries"] = {"p_l.7"};
  EXPECT_EQ(error_of(s), "summaries[0] = \"p_l.7\": \"7\": expected final or a cycle in 1..6 (n_cycles)");
  s["summaries"] = {"mean.p_l"};
  EXPECT_NE(error_of(s).find("summaries[0] = \"mean.p_l\": expected rf, "), std::string::npos);
  json t = retention_sweep({{"grid", {{"T.1", {6, 8}}}}}, {"rf.T6"});
  EXPECT_EQ(
      error_of(t),
      "summaries[0] = \"rf.T6\": column rf.T6.1: design variant 1 (design.grid.T.1[1] = 8.0) has no table "
      "for T = 6 (its T: 4, 8)");
  // Keys of the other models.
  json k = grid("T_on", {1.0});
  k["traces"] = {{"variants", {0}}};
  EXPECT_NE(error_of(k).find("traces = {\"variants\":[0]}: not a key of a \"retention\" sweep"),
            std::string::npos);
  k = grid("T_on", {1.0});
  k["device"] = "cuda";
  EXPECT_NE(error_of(k).find("device = \"cuda\": the retention network runs on the CPU"), std::string::npos);
  json other = {{"model", "gchi"}, {"retention", base_retention()}};
  EXPECT_EQ(error_of(other),
            "retention = {...}: only a sweep with \"model\": \"retention\" takes a retention config");
}

TEST(RetentionSweep, AVariantWithoutPotentiationFailsAlone) {
  const SweepSpec s = parse_sweep_config(
      retention_sweep({{"grid", {{"params.kappa_gain", {1.0, 0.0}}}}}, {"rf.T4", "p_l.final"}));
  const SweepOutcome r = run_sweep(s, SweepOptions{});
  EXPECT_EQ(r.status, (std::vector<std::int32_t>{0, 1}));
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.reason[0], "");
  EXPECT_EQ(
      r.reason[1].rfind("retention.params.kappa_gain: the network produces no long-term potentiation", 0), 0u)
      << r.reason[1];
  EXPECT_TRUE(std::isfinite(r.summaries[0]));
  EXPECT_TRUE(std::isnan(r.summaries[1]));
}

TEST(RetentionSweep, InterruptedFileResumesToTheUninterruptedOne) {
  const SweepSpec s = parse_sweep_config(
      retention_sweep({{"grid", {{"params.tau_pl", {10.0, 20.0, 40.0}}, {"T_off", {1.0, 2.0}}}}},
                      {"rf", "fit.tau_L", "p_l.final"}));
  const std::string whole = temp_path("whole.h5"), parts = temp_path("parts.h5");
  std::remove(whole.c_str());
  std::remove(parts.c_str());
  SweepOptions o;
  o.output = whole;
  o.threads = 1;
  run_sweep(s, o);

  o.output = parts;
  o.chunk = 2;
  o.threads = 2;
  o.between_chunks = [] { throw std::runtime_error("stopped"); };
  EXPECT_THROW(run_sweep(s, o), std::runtime_error);
  {
    const io::Hdf5File f = io::Hdf5File::open(parts, false);
    EXPECT_EQ(f.int_attribute("/", "complete"), 0);
    const auto done = f.read_u8("/status/done");
    EXPECT_EQ(std::count(done.begin(), done.end(), 1), 2);
  }
  o.between_chunks = {};
  o.chunk = 3;
  const SweepOutcome rest = run_sweep(s, o);
  EXPECT_EQ(rest.resumed, 2u);
  EXPECT_EQ(rest.computed, 4u);
  const io::Hdf5File a = io::Hdf5File::open(whole, false), b = io::Hdf5File::open(parts, false);
  EXPECT_EQ(b.int_attribute("/", "complete"), 1);
  EXPECT_EQ(b.string_attribute("/", "model"), "retention");
  for (const auto& q : s.summary_names) {
    const std::vector<double> x = a.read_f64("/summaries/" + q), y = b.read_f64("/summaries/" + q);
    ASSERT_EQ(x.size(), 6u);
    EXPECT_EQ(std::memcmp(x.data(), y.data(), x.size() * sizeof(double)), 0) << q;
  }
  EXPECT_EQ(a.read_i32("/status/code"), b.read_i32("/status/code"));
  std::remove(whole.c_str());
  std::remove(parts.c_str());
}

}  // namespace glia::sweep
