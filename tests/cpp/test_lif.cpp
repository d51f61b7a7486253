#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/bio/lif.hpp"

namespace glia::bio {

namespace {

// Time for v to go from v0 to V_th under constant drive R I (continuous time, no input):
// tau_m ln((R I - (v0 - E_l)) / (R I - (V_th - E_l))).
double analytic_time_to_threshold(double tau_m, double RI, double E_l, double v0, double V_th) {
  return tau_m * std::log((RI - (v0 - E_l)) / (RI - (V_th - E_l)));
}

// Grid spike times (end of the spiking step) over n_steps of dt.
template <class Params, class State, class Step>
std::vector<double> spike_times(const Params& p, State s, double dt, int n_steps, Step step) {
  std::vector<double> times;
  for (int n = 0; n < n_steps; ++n) {
    if (step(p, s, n * dt, dt, 0.0)) times.push_back((n + 1) * dt);
  }
  return times;
}

// The first spike (from v0 = E_l) and every ISI must lie in [T, T + dt]: the exact integration
// crosses V_th at the continuous time and the spike is reported at the next grid point.
void expect_isis_match_analytic(const std::vector<double>& times, double t_first, double isi, double dt,
                                const char* what, double current) {
  const double tol = 1e-9;  // s, float slack on grid times
  ASSERT_GE(times.size(), 4u) << what << " I=" << current;
  EXPECT_GE(times[0], t_first - tol) << what << " I=" << current;
  EXPECT_LE(times[0], t_first + dt + tol) << what << " I=" << current;
  for (size_t k = 1; k < times.size(); ++k) {
    const double measured = times[k] - times[k - 1];
    EXPECT_GE(measured, isi - tol) << what << " I=" << current << " k=" << k;
    EXPECT_LE(measured, isi + dt + tol) << what << " I=" << current << " k=" << k;
  }
}

// Independent reference: classic RK4 on the full COBA system (v, g_e, g_i), no threshold.
double coba_rk4_v(const LifCobaParams& p, LifState s, double t_end, int n_steps) {
  const double h = t_end / n_steps;
  auto f = [&p](const double y[3], double d[3]) {
    d[0] = (p.g_l * (p.E_l - y[0]) + y[1] * (p.E_e - y[0]) + y[2] * (p.E_i - y[0]) + p.I_ext) / p.C_m;
    d[1] = -y[1] / p.tau_e;
    d[2] = -y[2] / p.tau_i;
  };
  double y[3] = {s.v, s.g_e, s.g_i}, k1[3], k2[3], k3[3], k4[3], tmp[3];
  for (int n = 0; n < n_steps; ++n) {
    f(y, k1);
    for (int j = 0; j < 3; ++j) tmp[j] = y[j] + 0.5 * h * k1[j];
    f(tmp, k2);
    for (int j = 0; j < 3; ++j) tmp[j] = y[j] + 0.5 * h * k2[j];
    f(tmp, k3);
    for (int j = 0; j < 3; ++j) tmp[j] = y[j] + h * k3[j];
    f(tmp, k4);
    for (int j = 0; j < 3; ++j) y[j] += h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j]);
  }
  return y[0];
}

}  // namespace

TEST(LifCuba, ConstantCurrentIsiMatchesAnalytic) {
  for (double V_r : {-0.060, -0.065}) {
    for (double dt : {1e-4, 2.5e-5}) {
      for (double I : {150e-12, 200e-12, 300e-12, 500e-12, 1e-9}) {
        LifCubaParams p;
        p.V_r = V_r;
        p.I_ext = I;
        const double RI = p.tau_m / p.C_m * I;
        const double t_first = analytic_time_to_threshold(p.tau_m, RI, p.E_l, p.E_l, p.V_th);
        const double isi = p.tau_ref + analytic_time_to_threshold(p.tau_m, RI, p.E_l, p.V_r, p.V_th);
        LifCubaState s;
        s.v = p.E_l;
        const auto times = spike_times(p, s, dt, static_cast<int>(std::lround(1.0 / dt)), lif_cuba_step);
        expect_isis_match_analytic(times, t_first, isi, dt, "CUBA", I);
      }
    }
  }
}

TEST(LifCuba, SubthresholdMatchesExponentialApproach) {
  for (double I : {0.0, 50e-12, 95e-12, -40e-12}) {
    LifCubaParams p;
    p.I_ext = I;
    const double dt = 1e-4, v0 = -0.070;
    const double v_inf = p.E_l + p.tau_m / p.C_m * I;
    LifCubaState s;
    s.v = v0;
    for (int n = 0; n < 3000; ++n) {
      ASSERT_FALSE(lif_cuba_step(p, s, n * dt, dt));
      const double t = (n + 1) * dt;
      EXPECT_NEAR(s.v, v_inf + (v0 - v_inf) * std::exp(-t / p.tau_m), 1e-12) << "I=" << I << " n=" << n;
    }
  }
}

// A synaptic current i0 delivered at t = 0 (no I_ext): i(t) = i0 e^{-t/tau_s} and
// v - E_l = i0/C_m tau_m tau_s/(tau_s - tau_m) (e^{-t/tau_s} - e^{-t/tau_m}), or
// i0/C_m t e^{-t/tau_m} when tau_s = tau_m.
TEST(LifCuba, DecayingSynapticCurrentMatchesClosedForm) {
  for (double tau_syn : {2e-3, 5e-3, 40e-3, LifCubaParams{}.tau_m}) {
    for (double i0 : {80e-12, -80e-12}) {
      LifCubaParams p;
      p.I_ext = 0.0;
      p.tau_syn = tau_syn;
      const double dt = 1e-4;
      LifCubaState s;
      s.v = p.E_l;
      lif_cuba_receive(s, i0);
      for (int n = 0; n < 2000; ++n) {
        ASSERT_FALSE(lif_cuba_step(p, s, n * dt, dt));
        const double t = (n + 1) * dt;
        const double u = tau_syn == p.tau_m ? i0 / p.C_m * t * std::exp(-t / p.tau_m)
                                            : i0 / p.C_m * p.tau_m * tau_syn / (tau_syn - p.tau_m) *
                                                  (std::exp(-t / tau_syn) - std::exp(-t / p.tau_m));
        EXPECT_NEAR(s.v, p.E_l + u, 1e-12) << "tau_syn=" << tau_syn << " n=" << n;
        EXPECT_NEAR(s.i_syn / i0, std::exp(-t / tau_syn), 1e-12) << "tau_syn=" << tau_syn << " n=" << n;
      }
    }
  }
}

// Without conductances COBA is CUBA with tau_m = C_m / g_l and R = 1 / g_l.
TEST(LifCoba, NoInputIsiMatchesAnalytic) {
  for (double dt : {1e-4, 2.5e-5}) {
    for (double I : {100e-12, 150e-12, 200e-12, 300e-12, 500e-12, 1e-9}) {
      LifCobaParams p;
      p.I_ext = I;
      const double tau_m = p.C_m / p.g_l, RI = I / p.g_l;
      const double t_first = analytic_time_to_threshold(tau_m, RI, p.E_l, p.E_l, p.V_th);
      const double isi = p.tau_ref + analytic_time_to_threshold(tau_m, RI, p.E_l, p.V_r, p.V_th);
      LifState s;
      s.v = p.E_l;
      // The default current is barely above rheobase (first spike at ~137 ms), so run long.
      const auto times = spike_times(p, s, dt, static_cast<int>(std::lround(1.0 / dt)), lif_coba_step);
      expect_isis_match_analytic(times, t_first, isi, dt, "COBA", I);
    }
  }
}

TEST(LifCoba, ConductanceDecayIsExactExponential) {
  LifCobaParams p;
  p.V_th = 1.0;  // keep v subthreshold; only the conductances are under test
  const double dt = 1e-4, dge = 3e-9, dgi = 2e-9;
  LifState s;
  lif_receive_excitatory(s, dge);
  lif_receive_inhibitory(s, dgi);
  for (int n = 0; n < 1000; ++n) {
    lif_coba_step(p, s, n * dt, dt);
    const double t = (n + 1) * dt;
    EXPECT_NEAR(s.g_e / dge, std::exp(-t / p.tau_e), 1e-12) << "n=" << n;
    EXPECT_NEAR(s.g_i / dgi, std::exp(-t / p.tau_i), 1e-12) << "n=" << n;
  }
}

// With conductances that do not decay, the frozen-conductance solution is exact:
// v -> (g_l E_l + g_e E_e + g_i E_i + I) / g with time constant C_m / g.
TEST(LifCoba, ConstantConductanceIsExact) {
  LifCobaParams p;
  p.V_th = 1.0;
  p.tau_e = p.tau_i = 1e300;  // exp(-dt/tau) == 1
  const double dt = 1e-4, ge = 4e-9, gi = 6e-9, v0 = -0.055;
  LifState s;
  s.v = v0;
  lif_receive_excitatory(s, ge);
  lif_receive_inhibitory(s, gi);
  const double g = p.g_l + ge + gi;
  const double v_inf = (p.g_l * p.E_l + ge * p.E_e + gi * p.E_i + p.I_ext) / g;
  for (int n = 0; n < 2000; ++n) {
    lif_coba_step(p, s, n * dt, dt);
    const double t = (n + 1) * dt;
    EXPECT_NEAR(s.v, v_inf + (v0 - v_inf) * std::exp(-t * g / p.C_m), 1e-12) << "n=" << n;
  }
}

// Decaying conductances frozen within each step: first order in dt against RK4 at tiny dt.
TEST(LifCoba, DecayingConductanceConvergesFirstOrderToRk4) {
  LifCobaParams p;
  p.V_th = 1.0;
  LifState s0;
  s0.v = p.E_l;
  s0.g_e = 8e-9;
  s0.g_i = 5e-9;
  const double t_end = 20e-3;
  const double v_ref = coba_rk4_v(p, s0, t_end, 200000);
  std::vector<double> errors;
  for (double dt : {2e-4, 1e-4, 5e-5, 2.5e-5, 1.25e-5}) {
    LifState s = s0;
    const int n_steps = static_cast<int>(std::lround(t_end / dt));
    for (int n = 0; n < n_steps; ++n) lif_coba_step(p, s, n * dt, dt);
    errors.push_back(std::fabs(s.v - v_ref));
  }
  for (size_t k = 1; k < errors.size(); ++k) {
    const double ratio = errors[k - 1] / errors[k];
    EXPECT_GT(ratio, 1.8) << "k=" << k << " errors " << errors[k - 1] << " " << errors[k];
    EXPECT_LT(ratio, 2.2) << "k=" << k << " errors " << errors[k - 1] << " " << errors[k];
  }
}

// After a spike at t_s, v == V_r on every grid point before t_s + tau_ref; afterwards it
// relaxes from V_r exactly from t_s + tau_ref, also when tau_ref is not a multiple of dt.
TEST(LifRefractory, VoltageHeldAtResetForTauRef) {
  for (double tau_ref : {5e-3, 5.05e-3, 2.33e-3}) {
    LifCobaParams p;
    p.tau_ref = tau_ref;
    p.I_ext = 400e-12;
    const double dt = 1e-4, tau_m = p.C_m / p.g_l, v_inf = p.E_l + p.I_ext / p.g_l;
    LifState s;
    s.v = p.E_l;
    int n = 0;
    while (!lif_coba_step(p, s, n * dt, dt)) ++n;
    const double t_s = (n + 1) * dt, t_free = t_s + tau_ref;
    EXPECT_EQ(s.v, p.V_r);
    int checked_free = 0;
    for (++n; checked_free < 3; ++n) {
      ASSERT_FALSE(lif_coba_step(p, s, n * dt, dt)) << "tau_ref=" << tau_ref;
      const double t = (n + 1) * dt;
      if (t < t_free - 1e-9) {
        EXPECT_EQ(s.v, p.V_r) << "tau_ref=" << tau_ref << " t-t_s=" << t - t_s;
      } else {
        const double free = t - t_free > 0.0 ? t - t_free : 0.0;
        EXPECT_NEAR(s.v, v_inf + (p.V_r - v_inf) * std::exp(-free / tau_m), 1e-12)
            << "tau_ref=" << tau_ref << " t-t_s=" << t - t_s;
        ++checked_free;
      }
    }
  }
}

// Input during refractoriness cannot move v, but the conductance keeps decaying exactly. When
// v is released at t_s + tau_ref (on or off the grid), it relaxes from V_r with g_e frozen at
// its value then, dge e^{-tau_ref/tau_e}: the input was not lost.
TEST(LifRefractory, ConductancesDecayWhileClamped) {
  for (double tau_ref : {5e-3, 5.05e-3}) {
    LifCobaParams p;
    p.I_ext = 400e-12;
    p.tau_ref = tau_ref;
    const double dt = 1e-4, dge = 100e-9;  // v_inf ~ -4 mV: v would fire within ~3 ms if free
    LifState s;
    s.v = p.E_l;
    int n = 0;
    while (!lif_coba_step(p, s, n * dt, dt)) ++n;
    const double t_s = (n + 1) * dt, t_free = t_s + tau_ref;
    lif_receive_excitatory(s, dge);
    for (++n; (n + 1) * dt < t_free + 1e-9; ++n) {
      ASSERT_FALSE(lif_coba_step(p, s, n * dt, dt));
      const double t = (n + 1) * dt;
      EXPECT_NEAR(s.v, p.V_r, 1e-15) << "tau_ref=" << tau_ref << " t-t_s=" << t - t_s;
      EXPECT_NEAR(s.g_e / dge, std::exp(-(t - t_s) / p.tau_e), 1e-12) << "t-t_s=" << t - t_s;
    }
    const double ge = dge * std::exp(-tau_ref / p.tau_e), g = p.g_l + ge;
    const double v_inf = (p.g_l * p.E_l + ge * p.E_e + p.I_ext) / g;
    const double h = (n + 1) * dt - t_free;  // free part of the next step
    ASSERT_FALSE(lif_coba_step(p, s, n * dt, dt));
    EXPECT_NEAR(s.v, v_inf + (p.V_r - v_inf) * std::exp(-h * g / p.C_m), 1e-12) << "tau_ref=" << tau_ref;
    EXPECT_GT(s.v, p.V_r + 1e-4) << "tau_ref=" << tau_ref;
  }
}

// CUBA, tau_ref off the grid, with a synaptic current arriving during refractoriness: held at
// V_r until t_free = t_s + tau_ref, then the continuous-time solution from (V_r, i(t_free)).
TEST(LifRefractory, CubaVoltageHeldAtResetForTauRef) {
  LifCubaParams p;
  p.I_ext = 400e-12;
  p.tau_ref = 3.07e-3;
  const double dt = 1e-4, R = p.tau_m / p.C_m, di = -150e-12;
  LifCubaState s;
  s.v = p.E_l;
  int n = 0;
  while (!lif_cuba_step(p, s, n * dt, dt)) ++n;
  const double t_s = (n + 1) * dt, t_free = t_s + p.tau_ref;
  lif_cuba_receive(s, di);
  const double i_free = di * std::exp(-p.tau_ref / p.tau_syn);
  int checked_free = 0;
  for (++n; checked_free < 10; ++n) {
    ASSERT_FALSE(lif_cuba_step(p, s, n * dt, dt));
    const double t = (n + 1) * dt;
    EXPECT_NEAR(s.i_syn / di, std::exp(-(t - t_s) / p.tau_syn), 1e-12) << "t-t_s=" << t - t_s;
    if (t < t_free) {
      EXPECT_EQ(s.v, p.V_r) << "t-t_s=" << t - t_s;
    } else {
      const double f = t - t_free, em = std::exp(-f / p.tau_m);
      const double expected =
          p.E_l + (p.V_r - p.E_l) * em + R * p.I_ext * (1.0 - em) +
          i_free / p.C_m * p.tau_m * p.tau_syn / (p.tau_syn - p.tau_m) * (std::exp(-f / p.tau_syn) - em);
      EXPECT_NEAR(s.v, expected, 1e-12) << "t-t_s=" << t - t_s;
      ++checked_free;
    }
  }
}

}  // namespace glia::bio
