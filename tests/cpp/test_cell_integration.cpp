#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/error.hpp"
#include "engine/core/philox.hpp"
#include "models/bio/astrocyte_gchi.hpp"
#include "models/bio/cell_integration.hpp"

namespace glia::bio {

namespace {

using nlohmann::json;

json gchi_config(const std::string& method) {
  return json{{"model", "gchi"},
              {"parameter_set", "single_astrocyte"},
              {"input", {{"Y_S", 0.2}}},  // sustained Ca2+ oscillations
              {"initial", {{"I", 0.1}, {"C", 0.05}, {"h", 0.9}}},
              {"duration", 20.0},
              {"sample_dt", 0.1},
              {"method", method}};
}

json li_rinzel_config(const std::string& method) {
  return json{{"model", "li_rinzel"},
              {"params", {{"IP3_0", 0.5}}},  // IP3 held at 0.5 µM: sustained
                                             // Ca2+ oscillations
              {"initial", {{"IP3", 1.5}}},
              {"duration", 20.0},
              {"sample_dt", 0.1},
              {"method", method}};
}

// Max abs difference of variable `v` between two traces on the same grid.
double max_diff(const CellTrace& a, const CellTrace& b, std::size_t v) {
  const std::size_t n = a.variables.size();
  double m = 0;
  for (std::size_t k = 0; k < a.t.size(); ++k)
    m = std::max(m, std::fabs(a.values[k * n + v] - b.values[k * n + v]));
  return m;
}

// Order measured from errors at dt, dt/2, dt/4 against a tight adaptive reference.
void expect_order(json config, const std::string& method, double dt, double order, std::size_t var) {
  json ref_cfg = config;
  ref_cfg["method"] = "dopri5";
  ref_cfg["rtol"] = 1e-12;
  ref_cfg["atol"] = 1e-14;
  const CellTrace ref = integrate_cell(ref_cfg);
  config["method"] = method;
  std::vector<double> err;
  for (double h : {dt, dt / 2, dt / 4}) {
    config["dt"] = h;
    err.push_back(max_diff(integrate_cell(config), ref, var));
  }
  for (int k = 0; k < 2; ++k) {
    const double measured = std::log2(err[k] / err[k + 1]);
    EXPECT_NEAR(measured, order, 0.15) << method << " dt " << dt << " errors " << err[k] << " " << err[k + 1];
  }
}

}  // namespace

TEST(CellIntegration, GChIFixedStepOrders) {
  expect_order(gchi_config("euler"), "euler", 1e-3, 1.0, 2);
  expect_order(gchi_config("rk2"), "rk2", 4e-3, 2.0, 2);
  expect_order(gchi_config("rk4"), "rk4", 2e-2, 4.0, 2);
}

TEST(CellIntegration, LiRinzelFixedStepOrders) {
  expect_order(li_rinzel_config("euler"), "euler", 1e-3, 1.0, 0);
  expect_order(li_rinzel_config("rk2"), "rk2", 4e-3, 2.0, 0);
  expect_order(li_rinzel_config("rk4"), "rk4", 2e-2, 4.0, 0);
}

TEST(CellIntegration, LiRinzelIP3RelaxesExponentially) {
  // dIP3/dt = (IP3_0 - IP3)/tau_IP3 is uncoupled: its exact solution is an exponential.
  json c = li_rinzel_config("rk4");
  c["dt"] = 1e-3;
  const CellTrace tr = integrate_cell(c);
  for (std::size_t k = 0; k < tr.t.size(); ++k)
    EXPECT_NEAR(tr.values[k * 3 + 2], 0.5 + (1.5 - 0.5) * std::exp(-tr.t[k] / 7.142), 1e-12);
}

TEST(CellIntegration, UnstableStepIsAnErrorNamingVariable) {
  json c = gchi_config("euler");
  c["dt"] = 0.1;  // far beyond Euler's stability limit for these rates
  c["input"]["Y_S"] = 500.0;
  try {
    integrate_cell(c);
    FAIL() << "no error";
  } catch (const RuntimeError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("gchi: "), std::string::npos) << msg;
    EXPECT_NE(msg.find("left its bounds"), std::string::npos) << msg;
  }
}

TEST(CellIntegration, ConfigErrorsNameTheField) {
  auto expect_field = [](json c, const std::string& field) {
    try {
      integrate_cell(c);
      FAIL() << "no error for " << field;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.field(), field) << e.what();
    }
  };
  json c = gchi_config("rk4");
  c["params"] = {{"O_betta", 1.0}};
  expect_field(c, "params.O_betta");
  c["params"] = {{"K_P", -0.1}};
  expect_field(c, "params.K_P");
  c = gchi_config("rk4");
  c["dt"] = 0.03;
  expect_field(c, "dt");
  c = gchi_config("rk4");
  c["rtol"] = 1e-6;
  expect_field(c, "rtol");
  c = gchi_config("rk4");
  c["initial"]["h"] = 1.5;
  expect_field(c, "initial.h");
  c = gchi_config("midpoint");
  expect_field(c, "method");
  c = li_rinzel_config("rk4");
  c["input"] = {{"Y_S", 1.0}};
  expect_field(c, "input");
}

}  // namespace glia::bio

namespace glia::bio {

namespace {}  // namespace

TEST(StochasticGChI, ZeroNoiseMilsteinIsEuler) {
  json c = gchi_config("milstein");
  c["dt"] = 1e-3;
  c["noise"] = {{"sigma", 0.0}, {"seed", 3}};
  json e = gchi_config("euler");
  e["dt"] = 1e-3;
  const CellTrace a = integrate_cell(c), b = integrate_cell(e);
  EXPECT_EQ(a.values, b.values);
}

// One step against the spec's formula written out here: dh = a dt + sigma sqrt(tau_h) a dW
// (+ Milstein term), with a = (h_inf - h)/tau_h; the other variables take an Euler step.
TEST(StochasticGChI, StepMatchesSpecFormula) {
  const GChIParams p = gchi_single_astrocyte_params();
  const double y0[4] = {0.3, 0.4, 0.25, 0.7}, dt = 1e-3, dW = 0.02, sigma = 0.4;
  const double I = y0[1], C = y0[2], h = y0[3];
  const double Q2 = p.d2 * (I + p.d1) / (I + p.d3);
  const double tau_h = 1.0 / (p.O_2 * (Q2 + C));
  const double a = (Q2 / (Q2 + C) - h) / tau_h;
  const double b = sigma * std::sqrt(tau_h) * a;
  double d[4];
  gchi_rhs(p, 0.2, 0.0, y0, d);
  for (bool milstein : {false, true}) {
    double y[4] = {y0[0], y0[1], y0[2], y0[3]};
    gchi_stochastic_step(p, 0.2, 0.0, sigma, milstein, y, dt, dW);
    const double correction = milstein ? 0.5 * b * (-sigma / std::sqrt(tau_h)) * (dW * dW - dt) : 0.0;
    EXPECT_NEAR(y[kH], h + a * dt + b * dW + correction, 1e-15);
    for (int i : {0, 1, 2}) EXPECT_DOUBLE_EQ(y[i], y0[i] + dt * d[i]);
  }
}

TEST(StochasticGChI, SeededRunsRepeatAndDiffer) {
  json c = gchi_config("milstein");
  c["dt"] = 1e-3;
  c["noise"] = {{"sigma", 0.3}, {"seed", 1}};
  const CellTrace a = integrate_cell(c), b = integrate_cell(c);
  EXPECT_EQ(a.values, b.values);
  c["noise"]["seed"] = 2;
  EXPECT_NE(integrate_cell(c).values, a.values);
  c.erase("noise");
  EXPECT_THROW(integrate_cell(c), ConfigError);  // a stochastic method needs "noise"
}

}  // namespace glia::bio
