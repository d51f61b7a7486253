// Retention factors from simulated LTP (models/mapping/retention): the macro-model fits recover
// known parameters, the tables are distributions that fall with t and shift down as T grows, the
// simulated table equals the closed form of astrocyte_process.hpp where the drive is square and the
// feedback is off, bad configs name their field, and retention files are validated on reading.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <string>

#include "engine/core/error.hpp"
#include "engine/io/hdf5_writer.hpp"
#include "models/bio/astrocyte_process.hpp"
#include "models/mapping/retention.hpp"

namespace glia::mapping {

namespace {

using nlohmann::json;

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "glia_rf_" + std::to_string(::getpid()) + "_" + name;
}

double sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

// The ConfigError's field, or "" when `f` does not throw one.
template <class F>
std::string config_error_field(F&& f, std::string* message = nullptr) {
  try {
    f();
  } catch (const ConfigError& e) {
    if (message) *message = e.what();
    return e.field();
  }
  return "";
}

// The square-drive, feedback-off network: neurons and synapses so fast (tau 1e-9 s against dt 1e-2 s)
// that the exact step sets them to their fixed points at once, no feedback (psi_gain 0) and no
// recurrent weight (w_gain 0), so kappa(s) is K = kappa_gain tanh(c tanh(b_post) tanh(b_pre) / beta)
// from the third step of every on-phase to the second step of the following rest and 0 otherwise.
json square_config() {
  return {{"params",
           {{"tau_n", 1e-9},
            {"tau_s", 1e-9},
            {"psi_gain", 0.0},
            {"w_gain", 0.0},
            {"tau_pl", 30.0},
            {"gamma_l", 1.0}}},
          {"b_pre", {0.8, 0.8, 0.8}},
          {"b_post", {0.8, 0.8, 0.8}},
          {"T_on", 2.0},
          {"T_off", 2.0},
          {"dt", 1e-2},
          {"method", "exact"},
          {"T", {3, 10, 25}}};
}

}  // namespace

TEST(RetentionFit, ExponentialRecoversKnownParameters) {
  for (double tau_L : {8.0, 25.0, 300.0}) {  // saturated, half-way, barely bending within the span
    std::vector<double> t, p;
    for (int n = 1; n <= 20; ++n) {
      t.push_back(4.0 * n);
      p.push_back(0.7 * -std::expm1(-t.back() / tau_L));
    }
    const LtpFit f = fit_ltp_curve(t, p, LtpModel::exponential);
    EXPECT_NEAR(f.params[0], 0.7, 1e-7 * 0.7) << tau_L;
    EXPECT_NEAR(f.params[1], tau_L, 1e-7 * tau_L) << tau_L;
    EXPECT_LT(f.rmse, 1e-12) << tau_L;
    EXPECT_FALSE(f.at_bound) << tau_L;
  }
  // With a perturbation the fit error is reported and the parameters move only a little.
  std::vector<double> t, p;
  for (int n = 1; n <= 20; ++n) {
    t.push_back(4.0 * n);
    p.push_back(0.7 * -std::expm1(-t.back() / 25.0) + 1e-3 * std::sin(1.7 * n));
  }
  const LtpFit f = fit_ltp_curve(t, p, LtpModel::exponential);
  EXPECT_NEAR(f.params[1], 25.0, 0.5);
  EXPECT_GT(f.rmse, 3e-4);
  EXPECT_LT(f.rmse, 1e-3);
  EXPECT_GE(f.max_abs_error, f.rmse);
  EXPECT_NEAR(f.relative_rmse, f.rmse / *std::max_element(p.begin(), p.end()), 1e-15);
}

TEST(RetentionFit, OtherModelsRecoverKnownParameters) {
  std::vector<double> t, p2, ph;
  const std::vector<double> q2{0.3, 5.0, 0.5, 60.0}, qh{0.8, 20.0, 2.5};
  for (int n = 1; n <= 30; ++n) {
    t.push_back(4.0 * n);
    p2.push_back(ltp_model_value(LtpModel::exponential2, q2, t.back()));
    ph.push_back(ltp_model_value(LtpModel::hill, qh, t.back()));
  }
  const LtpFit f2 = fit_ltp_curve(t, p2, LtpModel::exponential2);
  for (std::size_t k = 0; k < q2.size(); ++k) EXPECT_NEAR(f2.params[k], q2[k], 1e-6 * q2[k]) << k;
  const LtpFit fh = fit_ltp_curve(t, ph, LtpModel::hill);
  for (std::size_t k = 0; k < qh.size(); ++k) EXPECT_NEAR(fh.params[k], qh[k], 1e-6 * qh[k]) << k;
  EXPECT_LT(f2.rmse, 1e-10);
  EXPECT_LT(fh.rmse, 1e-10);
  // The fitted model's table is its own levels' table; for the exponential, the closed form.
  const std::vector<double> rf = retention_from_fit(fh, 4.0, 12);
  std::vector<double> levels{0.0};
  for (int n = 1; n <= 12; ++n) levels.push_back(ltp_model_value(LtpModel::hill, fh.params, 4.0 * n));
  const std::vector<double> expected = retention_from_levels(levels, 12);
  for (std::size_t k = 0; k < rf.size(); ++k) EXPECT_NEAR(rf[k], expected[k], 1e-15);
  // Too few points for the number of parameters.
  const std::vector<double> t3{4, 8, 12, 16}, p3{0.1, 0.2, 0.25, 0.3};
  EXPECT_EQ(config_error_field([&] { fit_ltp_curve(t3, p3, LtpModel::exponential2); }), "fit.model");
  EXPECT_NO_THROW(fit_ltp_curve(t3, p3, LtpModel::hill));
}

TEST(RetentionTables, ExponentialClosedFormIsADistributionThatShiftsDown) {
  const double c = 4.0 / 30.0;
  double previous_first = 2.0;
  for (std::int64_t T : {1, 2, 5, 10, 40}) {
    const std::vector<double> rf = retention_exponential(c, T);
    ASSERT_EQ(rf.size(), static_cast<std::size_t>(T));
    EXPECT_NEAR(sum(rf), 1.0, 1e-14);
    for (std::size_t t = 1; t < rf.size(); ++t) EXPECT_LT(rf[t], rf[t - 1]);
    EXPECT_LT(rf[0], previous_first);  // RF(1, T) falls as T grows
    previous_first = rf[0];
    // The same table from the levels p_inf (1 - e^{-c n}).
    std::vector<double> levels;
    for (std::int64_t n = 0; n <= T; ++n) levels.push_back(0.4 * -std::expm1(-c * static_cast<double>(n)));
    const std::vector<double> from_levels = retention_from_levels(levels, T);
    for (std::size_t t = 0; t < rf.size(); ++t) EXPECT_NEAR(from_levels[t], rf[t], 1e-14);
  }
  const std::vector<double> uniform = retention_exponential(0.0, 4);
  for (double v : uniform) EXPECT_EQ(v, 0.25);
}

// Square drive, no feedback: kappa(s) repeats exactly every cycle from the first, so the simulated
// levels are the geometric series of astrocyte_process.hpp and RF is the exponential closed form with
// c = gamma_l tau_c / tau_pl, to rounding.
TEST(RetentionSimulation, SquareDriveWithoutFeedbackEqualsClosedForm) {
  const RetentionSpec spec = parse_retention_config(square_config());
  const RetentionResult r = derive_retention(spec);
  const bio::AstrocyteProcessParams& pp = spec.network.process;
  const double dt = spec.network.dt, T_on = 2.0, T_off = 2.0, T_c = T_on + T_off;
  const double K = pp.kappa_gain * std::tanh(std::tanh(0.8) * std::tanh(0.8));  // c 1, beta 1
  // kappa = K is shifted by two steps into the cycle: 2 dt of rest (which leave p^l = 0 at 0 and only
  // add to the decay q of earlier cycles), on for T_on, then off for T_off - 2 dt.
  const double A = bio::ltp_square_cycle_gain(pp, K, T_on, T_off - 2.0 * dt);
  ASSERT_EQ(r.p_l_mean.size(), 26u);
  for (int n = 1; n <= 25; ++n) {
    const double expected = bio::ltp_periodic_level(pp, A, T_c, 0.0, n);
    EXPECT_NEAR(r.p_l_mean[static_cast<std::size_t>(n)], expected, 1e-13 * expected) << n;
  }
  for (std::size_t k = 0; k < r.T.size(); ++k) {
    const std::int64_t T = r.T[k];
    const std::vector<double> closed = retention_exponential(pp.gamma_l * T_c / pp.tau_pl, T);
    const double total = bio::ltp_square_level(pp, K, T_on, T_off, 0.0, static_cast<int>(T));
    for (std::int64_t t = 1; t <= T; ++t) {
      const auto i = static_cast<std::size_t>(t - 1);
      // RF from the square-drive levels of astrocyte_process.hpp (the shift cancels in the ratio).
      const double from_ltp = (bio::ltp_square_level(pp, K, T_on, T_off, 0.0, static_cast<int>(t)) -
                               bio::ltp_square_level(pp, K, T_on, T_off, 0.0, static_cast<int>(t - 1))) /
                              total;
      EXPECT_NEAR(r.rf_simulated[k][i], from_ltp, 1e-12) << T << " " << t;
      EXPECT_NEAR(r.rf_simulated[k][i], closed[i], 1e-12) << T << " " << t;
      EXPECT_NEAR(r.rf_fitted[k][i], closed[i], 1e-9) << T << " " << t;
    }
    EXPECT_EQ(r.falls_from[k], 1);
  }
  // The exponential fit recovers tau_L = tau_pl / gamma_l and p_inf = A / (1 - q).
  EXPECT_EQ(r.fit.model, LtpModel::exponential);
  EXPECT_NEAR(r.fit.params[1], pp.tau_pl / pp.gamma_l, 1e-7 * pp.tau_pl);
  EXPECT_NEAR(r.fit.params[0], A / -std::expm1(-T_c / pp.tau_pl), 1e-9);
  EXPECT_LT(r.fit.relative_rmse, 1e-10);
  EXPECT_TRUE(r.warnings.empty());
}

// The default network (BIOPHYSICS.md §4 defaults, RK4): tables sum to 1, shift down as T grows, and
// fall with t from t = 2. RF(1, T) < RF(2, T): in the first cycle the synapse–process loop is still
// building up (s and p^s start at 0; later cycles start with what the rest left of them), so the first
// increment of p^l is smaller than the second.
TEST(RetentionSimulation, DefaultNetworkTables) {
  const RetentionSpec spec = parse_retention_config(json{{"T", {5, 10, 20}}});
  EXPECT_EQ(spec.n_cycles, 20);
  const RetentionResult r = derive_retention(spec);
  double previous_first = 2.0;
  for (std::size_t k = 0; k < r.T.size(); ++k) {
    const std::vector<double>& rf = r.rf_simulated[k];
    EXPECT_NEAR(sum(rf), 1.0, 1e-12);
    EXPECT_NEAR(sum(r.rf_fitted[k]), 1.0, 1e-12);
    EXPECT_LT(rf[0], rf[1]) << "build-up of the first cycle";
    for (std::size_t t = 2; t < rf.size(); ++t) EXPECT_LT(rf[t], rf[t - 1]) << r.T[k] << " " << t;
    EXPECT_EQ(r.falls_from[k], 2);
    EXPECT_LT(rf[0], previous_first);
    previous_first = rf[0];
    // Per-synapse tables are distributions too.
    const std::size_t n_syn = 9;
    for (std::size_t syn = 0; syn < n_syn; ++syn) {
      double s = 0.0;
      for (std::size_t t = 0; t < rf.size(); ++t) s += r.rf_per_synapse[k][t * n_syn + syn];
      EXPECT_NEAR(s, 1.0, 1e-12);
    }
  }
  // The saturating exponential is a fair but not exact description: tau_L near tau_pl / gamma_l,
  // fit error reported, a few per cent of the level.
  EXPECT_GT(r.fit.params[1], 15.0);
  EXPECT_LT(r.fit.params[1], 60.0);
  EXPECT_GT(r.fit.relative_rmse, 1e-4);
  EXPECT_LT(r.fit.relative_rmse, 0.05);
  EXPECT_TRUE(r.warnings.empty());
  // Sums over synapses: the mean curve is the mean of the per-synapse curves.
  EXPECT_NEAR(r.p_l_mean.back(), sum(std::vector<double>(r.p_l.end() - 9, r.p_l.end())) / 9.0, 1e-15);
}

TEST(RetentionSimulation, NoSaturationAndZeroDrive) {
  json c = square_config();
  c["params"]["gamma_l"] = 0.0;  // p^l integrates kappa: a straight line, RF = 1/T
  const RetentionResult r = derive_retention(parse_retention_config(c));
  for (std::size_t k = 0; k < r.T.size(); ++k)
    for (double v : r.rf_simulated[k]) EXPECT_NEAR(v, 1.0 / static_cast<double>(r.T[k]), 1e-12);
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_NE(r.warnings[0].find("does not saturate"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[1].find("bound"), std::string::npos) << r.warnings[1];
  EXPECT_TRUE(r.fit.at_bound);

  json z = square_config();
  z["b_pre"] = {0.0, 0.0, 0.0};
  std::string message;
  EXPECT_EQ(config_error_field([&] { derive_retention(parse_retention_config(z)); }, &message), "b_pre");
  EXPECT_NE(message.find("no long-term potentiation"), std::string::npos) << message;
  json k = json::object();
  k["params"] = {{"kappa_gain", 0.0}};
  EXPECT_EQ(config_error_field([&] { derive_retention(parse_retention_config(k)); }), "params.kappa_gain");
}

TEST(RetentionConfig, ErrorsNameTheField) {
  const auto field = [](const json& c) { return config_error_field([&] { parse_retention_config(c); }); };
  EXPECT_EQ(field(json{{"T", 0}}), "T");
  EXPECT_EQ(field(json{{"T", {4, 0}}}), "T[1]");
  EXPECT_EQ(field(json{{"T", {4, 4}}}), "T");
  EXPECT_EQ(field(json{{"T", "ten"}}), "T");
  EXPECT_EQ(field(json{{"T", 10}, {"n_cycles", 8}}), "n_cycles");
  EXPECT_EQ(field(json{{"T", 3}, {"fit", {{"model", "exponential2"}}}}), "n_cycles");
  EXPECT_EQ(field(json{{"fit", {{"model", "cubic"}}}}), "fit.model");
  EXPECT_EQ(field(json{{"fit", {{"modle", "hill"}}}}), "fit.modle");
  EXPECT_EQ(field(json{{"params", {{"tau_pl", -1.0}}}}), "params.tau_pl");
  EXPECT_EQ(field(json{{"params", {{"tau_x", 1.0}}}}), "params.tau_x");
  EXPECT_EQ(field(json{{"b_pre", {1.0, "a"}}}), "b_pre[1]");
  EXPECT_EQ(field(json{{"T_on", 0.0015}}), "T_on");
  EXPECT_EQ(field(json{{"method", "rk45"}}), "method");
  EXPECT_EQ(field(json{{"record_dt", 0.0}}), "record_dt");
  EXPECT_EQ(field(json{{"cycles", 3}}), "cycles");
  EXPECT_EQ(field(json{{"theta", "sigmoid"}}), "theta");
  // A config that diverges names dt.
  json fast = square_config();
  fast["method"] = "rk4";
  fast["params"]["tau_n"] = 1e-4;
  EXPECT_EQ(config_error_field([&] { derive_retention(parse_retention_config(fast)); }), "dt");
}

TEST(RetentionFile, WriteThenReadValidatesT) {
  const RetentionSpec spec = parse_retention_config(square_config());
  const RetentionResult r = derive_retention(spec);
  const std::string path = temp_path("ok.h5");
  write_retention(spec, r, path);
  for (std::size_t k = 0; k < r.T.size(); ++k) {
    const RetentionTable s = read_retention(path, r.T[k]);
    EXPECT_EQ(s.rf, r.rf_simulated[k]);
    EXPECT_EQ(read_retention(path, r.T[k], "fitted").rf, r.rf_fitted[k]);
    EXPECT_EQ(s.T_cycle, 4.0);
    EXPECT_EQ(s.fit_model, "exponential");
    EXPECT_EQ(s.fit_params, r.fit.params);
    EXPECT_FALSE(s.git_commit.empty());
    EXPECT_EQ(json::parse(s.config)["T"], json({3, 10, 25}));
  }
  std::string message;
  EXPECT_EQ(config_error_field([&] { read_retention(path, 7, "simulated", "model.retention"); }, &message),
            "model.retention");
  EXPECT_NE(message.find("T = 3, 10, 25, not for T = 7"), std::string::npos) << message;
  EXPECT_EQ(config_error_field([&] { read_retention(path, 10, "smoothed"); }), "source");
  EXPECT_EQ(config_error_field([&] { read_retention(path, 0); }), "T");
  std::remove(path.c_str());

  const auto read_message = [](const std::string& p, std::int64_t T) {
    std::string m;
    EXPECT_EQ(config_error_field([&] { read_retention(p, T); }, &m), "retention") << p;
    return m;
  };
  EXPECT_NE(read_message(temp_path("missing.h5"), 3).find("no such retention file"), std::string::npos);
  const std::string text = temp_path("text.h5");
  std::ofstream(text) << "T = 3\n";
  EXPECT_NE(read_message(text, 3).find("not an HDF5 file"), std::string::npos);
  std::remove(text.c_str());
  // Other HDF5 files and broken retention files.
  const std::string other = temp_path("other.h5"), bad_sum = temp_path("bad_sum.h5"),
                    no_list = temp_path("no_list.h5"), bad_shape = temp_path("bad_shape.h5");
  {
    io::Hdf5Writer w(other);
    w.dataset("/x", std::vector<double>{1.0}, {1});
    w.commit();
  }
  EXPECT_NE(read_message(other, 3).find("not a glia retention file"), std::string::npos);
  for (const auto& p : {bad_sum, no_list, bad_shape}) {
    io::Hdf5Writer w(p);
    w.attribute("/", "kind", std::string("glia.retention"));
    w.attribute("/", "format_version", std::int64_t{1});
    if (p != no_list) w.dataset("/rf/T", std::vector<std::uint32_t>{3}, {1});
    if (p == bad_sum) w.dataset("/rf/simulated/T3", std::vector<double>{0.5, 0.5, 0.5}, {3});
    if (p == bad_shape) w.dataset("/rf/simulated/T3", std::vector<double>{0.5, 0.5}, {2});
    w.commit();
  }
  EXPECT_NE(read_message(bad_sum, 3).find("sums to 1.5, not 1"), std::string::npos);
  EXPECT_NE(read_message(no_list, 3).find("malformed retention file: no /rf/T"), std::string::npos);
  EXPECT_NE(read_message(bad_shape, 3).find("has shape (2), expected (3)"), std::string::npos);
  for (const auto& p : {other, bad_sum, no_list, bad_shape}) std::remove(p.c_str());
}

}  // namespace glia::mapping
