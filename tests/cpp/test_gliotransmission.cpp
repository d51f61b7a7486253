#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/bio/gliotransmission.hpp"

namespace glia::bio {

namespace {

// Independent reference for the astrocyte–synapse coupling: the full system
//   dx_A/dt = Omega_A (1 - x_A), dG_A/dt = -Omega_e G_A,
//   dGamma_S/dt = O_G G_A (1 - Gamma_S) - Omega_G Gamma_S,
// integrated together by classic RK4 in long double with a very small step while G_A matters
// (1 µs) and a larger one once it does not (0.1 ms); releases applied as the spec states.
struct CoupledReference {
  GliotransmitterReleaseParams astro;
  PresynapticGliotransmitterParams syn;
  long double x = 1, G = 0, gamma = 0, t = 0;

  void derivs(long double xx, long double GG, long double gg, long double& dx, long double& dG,
              long double& dg) const {
    dx = astro.Omega_A * (1 - xx);
    dG = -astro.Omega_e * GG;
    dg = syn.O_G * GG * (1 - gg) - syn.Omega_G * gg;
  }

  void advance_to(long double t_end) {
    while (t < t_end) {
      const long double chunk = std::fmin(t_end - t, 0.01L);
      const long double h_nominal = syn.O_G * G > 1e-14L ? 1e-6L : 1e-4L;
      const long n = static_cast<long>(std::ceil(chunk / h_nominal));
      const long double h = chunk / static_cast<long double>(n);
      for (long i = 0; i < n; ++i) {
        long double dx1, dG1, dg1, dx2, dG2, dg2, dx3, dG3, dg3, dx4, dG4, dg4;
        derivs(x, G, gamma, dx1, dG1, dg1);
        derivs(x + h / 2 * dx1, G + h / 2 * dG1, gamma + h / 2 * dg1, dx2, dG2, dg2);
        derivs(x + h / 2 * dx2, G + h / 2 * dG2, gamma + h / 2 * dg2, dx3, dG3, dg3);
        derivs(x + h * dx3, G + h * dG3, gamma + h * dg3, dx4, dG4, dg4);
        x += h / 6 * (dx1 + 2 * dx2 + 2 * dx3 + dx4);
        G += h / 6 * (dG1 + 2 * dG2 + 2 * dG3 + dG4);
        gamma += h / 6 * (dg1 + 2 * dg2 + 2 * dg3 + dg4);
      }
      t += chunk;
    }
  }

  void release() {
    G += astro.rho_e * astro.G_T * astro.U_A * x;
    x -= astro.U_A * x;
  }
};

// Analytic Gamma_S after a release (Omega_e > 0), through the incomplete gamma function: with
// k = O_G G_A0 / Omega_e, z_t = k e^{-Omega_e t}, nu = Omega_G / Omega_e and s = 1 - nu,
//   Gamma_S(t) = e^{z_t - k - Omega_G t} (Gamma_0 + k S(k)) - z_t S(z_t),
//   S(x) = sum_{n>=0} x^n / (s (s+1) ... (s+n))   (lower incomplete gamma = x^s e^{-x} S(x)).
long double kummer_S(long double x, long double s) {
  long double term = 1 / s, sum = term;
  for (int n = 1; n < 400 && term > 1e-30L * sum; ++n) {
    term *= x / (s + n);
    sum += term;
  }
  return sum;
}

long double gamma_s_series(const PresynapticGliotransmitterParams& p, long double Omega_e, long double gamma0,
                           long double G_A0, long double t) {
  const long double k = p.O_G * G_A0 / Omega_e;
  const long double z = k * std::exp(-Omega_e * t);
  const long double s = 1 - p.Omega_G / Omega_e;
  return std::exp(z - k - p.Omega_G * t) * (gamma0 + k * kummer_S(k, s)) - z * kummer_S(z, s);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Synaptic glutamate

TEST(SynapticGlutamate, MatchesSumOfExponentials) {
  const SynapticGlutamateParams p;
  const std::vector<double> t_rel = {0.0, 0.01, 0.0125, 0.1, 0.35};
  const std::vector<double> r_rel = {0.5, 0.3, 0.2, 0.45, 0.1};
  auto analytic = [&](double t) {
    double y = 0;
    for (std::size_t k = 0; k < t_rel.size() && t_rel[k] <= t; ++k)
      y += 0.005 * 5e5 * r_rel[k] * std::exp(-40.0 * (t - t_rel[k]));
    return y;
  };
  SynapticGlutamateState s;
  std::size_t next = 0;
  for (double t : {0.0, 0.005, 0.01, 0.011, 0.0125, 0.05, 0.1, 0.2, 0.35, 0.36, 0.5}) {
    while (next < t_rel.size() && t_rel[next] <= t) {
      const double y = synaptic_glutamate_on_release(p, s, t_rel[next], r_rel[next]);
      EXPECT_NEAR(y, analytic(t_rel[next]), 1e-12 * analytic(t_rel[next]));
      ++next;
    }
    const double expected = analytic(t);
    EXPECT_NEAR(synaptic_glutamate_at(p, s, t), expected, 1e-12 * expected) << "t " << t;
  }
}

// ---------------------------------------------------------------------------------------------
// Astrocytic gliotransmitter release

TEST(GliotransmitterRelease, RecoveryAndDecayMatchClosedForms) {
  const GliotransmitterReleaseParams p;
  const double Omega_A = 0.6, U_A = 0.6, Omega_e = 60.0, jump_full = 6.5e-4 * 2e5 * 0.6;  // µM
  GliotransmitterReleaseState s;
  const double t0 = 0.5, t1 = 1.7;
  EXPECT_NEAR(gliotransmitter_on_release(p, s, t0), jump_full, 1e-12 * jump_full);
  for (double t : {0.5, 0.51, 0.6, 1.0, 1.7}) {
    double x, G;
    gliotransmitter_state_at(p, s, t, x, G);
    const double x_ref = 1.0 - U_A * std::exp(-Omega_A * (t - t0));
    const double G_ref = jump_full * std::exp(-Omega_e * (t - t0));
    EXPECT_NEAR(x, x_ref, 1e-12 * x_ref) << "t " << t;
    EXPECT_NEAR(G, G_ref, 1e-12 * G_ref) << "t " << t;
  }
  // Second release: uses the recovered resources, adds to the decayed G_A.
  const double x1 = 1.0 - U_A * std::exp(-Omega_A * (t1 - t0));
  const double G1 = jump_full * std::exp(-Omega_e * (t1 - t0)) + jump_full * x1;
  EXPECT_NEAR(gliotransmitter_on_release(p, s, t1), jump_full * x1, 1e-12 * jump_full * x1);
  for (double t : {1.7, 1.72, 2.0}) {
    double x, G;
    gliotransmitter_state_at(p, s, t, x, G);
    const double x_ref = 1.0 - (1.0 - (1.0 - U_A) * x1) * std::exp(-Omega_A * (t - t1));
    const double G_ref = G1 * std::exp(-Omega_e * (t - t1));
    EXPECT_NEAR(x, x_ref, 1e-12 * x_ref) << "t " << t;
    EXPECT_NEAR(G, G_ref, 1e-12 * G_ref) << "t " << t;
  }
}

// Regular events at interval delta: just before an event x_- = (1 - E)/(1 - (1 - U_A) E),
// E = e^{-Omega_A delta} (the depressing Tsodyks–Markram algebra), and just after one
// G_+ = rho_e G_T U_A x_- / (1 - e^{-Omega_e delta}).
TEST(GliotransmitterRelease, RegularEventsReachSteadyState) {
  const GliotransmitterReleaseParams p;
  for (double delta : {0.05, 0.2, 1.0, 3.0, 10.0}) {
    GliotransmitterReleaseState s;
    const int events = 400;
    for (int k = 0; k < events - 1; ++k) gliotransmitter_on_release(p, s, k * delta);
    const double t_last_event = (events - 1) * delta;
    double x_minus, G_minus;
    gliotransmitter_state_at(p, s, t_last_event, x_minus, G_minus);
    const double E = std::exp(-0.6 * delta);
    const double x_ref = (1.0 - E) / (1.0 - (1.0 - 0.6) * E);
    EXPECT_NEAR(x_minus, x_ref, 1e-12) << "delta " << delta;
    gliotransmitter_on_release(p, s, t_last_event);
    const double G_plus_ref = 6.5e-4 * 2e5 * 0.6 * x_ref / (1.0 - std::exp(-60.0 * delta));
    EXPECT_NEAR(s.G_A, G_plus_ref, 1e-12 * G_plus_ref) << "delta " << delta;
    EXPECT_NEAR(s.x_A, 0.4 * x_ref, 1e-12) << "delta " << delta;
  }
}

TEST(GliotransmitterRelease, CrossedUpward) {
  EXPECT_TRUE(crossed_upward(0.4, 0.6, 0.5));
  EXPECT_TRUE(crossed_upward(0.5, 0.6, 0.5));   // from the threshold to above it
  EXPECT_FALSE(crossed_upward(0.4, 0.5, 0.5));  // reaching it is not exceeding it
  EXPECT_FALSE(crossed_upward(0.4, 0.45, 0.5));
  EXPECT_FALSE(crossed_upward(0.6, 0.7, 0.5));  // already above
  EXPECT_FALSE(crossed_upward(0.6, 0.4, 0.5));  // downward
  EXPECT_FALSE(crossed_upward(0.7, 0.3, 0.5));
  // A sampled oscillation C = 0.5 + 0.4 sin(2 pi f t + 0.3) crosses upward once per period.
  const double f = 0.5, dt = 1e-3;
  int crossings = 0;
  double c_prev = 0.5 + 0.4 * std::sin(0.3);
  for (int i = 1; i <= 10000; ++i) {  // 10 s = 5 periods
    const double c = 0.5 + 0.4 * std::sin(2.0 * M_PI * f * i * dt + 0.3);
    crossings += crossed_upward(c_prev, c, 0.5) ? 1 : 0;
    c_prev = c;
  }
  EXPECT_EQ(crossings, 5);
}

// ---------------------------------------------------------------------------------------------
// Presynaptic gliotransmitter receptors

// After one astrocyte release, Gamma_S from gamma_s_advance against the coupled (G_A, Gamma_S)
// RK4 reference in long double.
TEST(PresynapticReceptors, GammaMatchesCoupledReferenceAfterRelease) {
  const PresynapticGliotransmitterParams syn;
  const GliotransmitterReleaseParams astro;
  const std::vector<double> times = {1e-3, 0.01, 0.05, 0.1, 0.3, 0.7, 2.0, 30.0};
  // x_A before the release 1, 0.1, 0.001 (G_A0 = 78, 7.8, 0.078 µM); and G_A0 = 1000 µM, stiff.
  for (double x_before : {1.0, 0.1, 0.001, 1000.0 / 78.0}) {
    for (double gamma0 : {0.0, 0.3, 0.9}) {
      CoupledReference ref{astro, syn, x_before, 0, gamma0, 0};
      ref.release();
      const double G_A0 = static_cast<double>(ref.G);
      for (double t : times) {
        ref.advance_to(t);
        const double got = gamma_s_advance(syn, astro.Omega_e, gamma0, G_A0, t);
        EXPECT_NEAR(got, static_cast<double>(ref.gamma), 1e-10)
            << "G_A0 " << G_A0 << " gamma0 " << gamma0 << " t " << t;
      }
    }
  }
}

// Same, against the analytic incomplete-gamma (Kummer series) solution, including a large G_A0
// (stiff, Gamma_S saturates) and a non-default Omega_G = Omega_e / 2, where the numerically
// integrated part of the solution is largest.
TEST(PresynapticReceptors, GammaMatchesIncompleteGammaSolution) {
  const double Omega_e = 60.0;
  for (double Omega_G : {0.5 / 60.0, 0.0, 1.0, 30.0}) {
    PresynapticGliotransmitterParams syn;
    syn.Omega_G = Omega_G;
    for (double G_A0 : {78.0, 5.0, 200.0}) {
      for (double t : {1e-4, 1e-3, 0.01, 0.05, 0.2, 1.0, 10.0}) {
        const double ref = static_cast<double>(gamma_s_series(syn, Omega_e, 0.2L, G_A0, t));
        EXPECT_NEAR(gamma_s_advance(syn, Omega_e, 0.2, G_A0, t), ref, 1e-9)
            << "Omega_G " << Omega_G << " G_A0 " << G_A0 << " t " << t;
      }
    }
  }
  // Omega_G = Omega_e / 2 has a closed form through erf:
  //   Gamma_S(t) = e^{-Omega_G t} [e^{z-k} Gamma_0 + e^z sqrt(pi k) (erf(sqrt k) - erf(sqrt z))].
  PresynapticGliotransmitterParams syn;
  syn.Omega_G = Omega_e / 2;
  const long double G_A0 = 78, gamma0 = 0.2L, k = syn.O_G * G_A0 / Omega_e;
  for (double t : {1e-3, 0.01, 0.05, 0.2}) {
    const long double z = k * std::exp(-Omega_e * static_cast<long double>(t));
    const long double ref =
        std::exp(-syn.Omega_G * t) *
        (std::exp(z - k) * gamma0 + std::exp(z) * std::sqrt(static_cast<long double>(M_PI) * k) *
                                        (std::erf(std::sqrt(k)) - std::erf(std::sqrt(z))));
    EXPECT_NEAR(gamma_s_advance(syn, Omega_e, 0.2, 78.0, t), static_cast<double>(ref), 1e-9) << "t " << t;
  }
}

// A realistic protocol: astrocyte releases at 0, 0.3 and 2 s; the synapse's Gamma_S is updated
// lazily at presynaptic spikes (every 13 ms) and at each astrocyte release (before it), each
// time from the G_A of the astrocyte at the synapse's last update.
TEST(PresynapticReceptors, LazyUpdatesAcrossReleasesMatchCoupledReference) {
  const PresynapticGliotransmitterParams syn;
  const GliotransmitterReleaseParams astro;
  CoupledReference ref{astro, syn, 1, 0, 0, 0};
  GliotransmitterReleaseState a;
  PresynapticGliotransmitterState s;
  const std::vector<double> releases = {0.0, 0.3, 2.0};
  std::size_t next = 0;
  double max_err = 0;
  for (int i = 1; i <= 300; ++i) {
    const double t_spike = 0.013 * i;
    while (next < releases.size() && releases[next] <= t_spike) {
      const double t_rel = releases[next++];
      double x, G;
      gliotransmitter_state_at(astro, a, s.t_last, x, G);
      gamma_s_update(syn, astro.Omega_e, s, G, t_rel);
      gliotransmitter_on_release(astro, a, t_rel);
      ref.advance_to(t_rel);
      EXPECT_NEAR(s.Gamma_S, static_cast<double>(ref.gamma), 1e-10) << "release at " << t_rel;
      ref.release();
    }
    double x, G;
    gliotransmitter_state_at(astro, a, s.t_last, x, G);
    gamma_s_update(syn, astro.Omega_e, s, G, t_spike);
    ref.advance_to(t_spike);
    max_err = std::fmax(max_err, std::fabs(s.Gamma_S - static_cast<double>(ref.gamma)));
    EXPECT_NEAR(s.Gamma_S, static_cast<double>(ref.gamma), 1e-10) << "t " << t_spike;
  }
  EXPECT_GT(ref.gamma, 0.1L);  // the protocol did activate the receptors
  // One lazy jump over a whole inter-release interval agrees with the many small ones.
  PresynapticGliotransmitterState s2;
  double x, G;
  gamma_s_update(syn, astro.Omega_e, s2, 0.0, 0.0);
  GliotransmitterReleaseState a2;
  gliotransmitter_on_release(astro, a2, 0.0);
  gliotransmitter_state_at(astro, a2, 0.0, x, G);
  gamma_s_update(syn, astro.Omega_e, s2, G, 0.3);
  gliotransmitter_on_release(astro, a2, 0.3);
  gliotransmitter_state_at(astro, a2, 0.3, x, G);
  const double one_jump = gamma_s_at(syn, astro.Omega_e, s2, G, 0.013 * 100);
  ref = CoupledReference{astro, syn, 1, 0, 0, 0};
  ref.release();
  ref.advance_to(0.3);
  ref.release();
  ref.advance_to(0.013 * 100);
  EXPECT_NEAR(one_jump, static_cast<double>(ref.gamma), 1e-10);
}

// Constant G_A (Omega_e = 0): closed form against the reference, and the steady state.
TEST(PresynapticReceptors, ConstantGliotransmitterAndSteadyState) {
  const PresynapticGliotransmitterParams syn;
  GliotransmitterReleaseParams astro;
  astro.Omega_e = 0.0;
  for (double G : {0.0, 0.01, 2.0}) {
    CoupledReference ref{astro, syn, 1, G, 0.1L, 0};
    for (double t : {0.01, 0.5, 3.0}) {
      ref.advance_to(t);
      EXPECT_NEAR(gamma_s_advance(syn, 0.0, 0.1, G, t), static_cast<double>(ref.gamma), 1e-12)
          << "G " << G << " t " << t;
    }
    const double ss = 1.5 * G / (1.5 * G + 0.5 / 60.0);
    EXPECT_NEAR(gamma_s_steady_state(syn, G), ss, 1e-15);
    EXPECT_NEAR(gamma_s_advance(syn, 0.0, 0.1, G, 1e4), ss, 1e-12) << "G " << G;
  }
  // No gliotransmitter at all: pure decay at Omega_G, also through the Omega_e > 0 path.
  EXPECT_NEAR(gamma_s_advance(syn, 60.0, 0.7, 0.0, 50.0), 0.7 * std::exp(-0.5 / 60.0 * 50.0), 1e-15);
}

TEST(PresynapticReceptors, ReleaseProbability) {
  PresynapticGliotransmitterParams p;  // U_0* = 0.6
  for (double g : {0.0, 0.25, 0.8, 1.0}) {
    p.alpha = 0.0;  // release-decreasing: U_0 falls from U_0* to 0
    EXPECT_NEAR(release_probability(p, g), 0.6 - 0.6 * g, 1e-15) << "g " << g;
    p.alpha = 1.0;  // release-increasing: U_0 rises from U_0* to 1
    EXPECT_NEAR(release_probability(p, g), 0.6 + (1.0 - 0.6) * g, 1e-15) << "g " << g;
  }
  p.alpha = 0.0;
  EXPECT_LT(release_probability(p, 0.5), p.U_0_star);
  p.alpha = 1.0;
  EXPECT_GT(release_probability(p, 0.5), p.U_0_star);
}

}  // namespace glia::bio
