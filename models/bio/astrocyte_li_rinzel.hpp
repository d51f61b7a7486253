#pragma once
// Li–Rinzel astrocyte Ca2+ with IP3 (De Young–Keizer reduction, the form of NEST's
// astrocyte_lr_1994; BIOPHYSICS.md §3). Concentrations in µM, time in s.
#include <cmath>

#include "engine/core/hostdevice.hpp"

namespace glia::bio {

struct LiRinzelParams {
  double Ca_tot = 2.0;     // µM, total free Ca2+ concentration (cytosol + ER, cytosolic volume)
  double r_ER = 0.185;     // ER-to-cytosol volume ratio
  double v1 = 6.0;         // 1/s, maximal IP3R channel flux rate
  double v2 = 0.11;        // 1/s, ER leak rate
  double v3 = 0.9;         // µM/s, maximal SERCA uptake rate
  double k3 = 0.1;         // µM, SERCA activation constant
  double d1 = 0.13;        // µM, IP3 dissociation constant
  double d2 = 1.049;       // µM, Ca2+ inactivation dissociation constant
  double d3 = 0.9434;      // µM, IP3 dissociation constant
  double d5 = 0.08234;     // µM, Ca2+ activation dissociation constant
  double a2 = 0.2;         // 1/(µM s), IP3R binding rate for Ca2+ inhibition
  double IP3_0 = 0.16;     // µM, baseline IP3
  double tau_IP3 = 7.142;  // s, IP3 relaxation time constant
  // µM per unit weight: a spike arriving through a projection onto the astrocyte adds
  // delta_IP3 * weight to IP3 (NEST's astrocyte_lr_1994 input; not used by single cells).
  double delta_IP3 = 0.0002;
};

enum LiRinzelVar { kLrCa = 0, kLrH = 1, kLrIP3 = 2, kLiRinzelVars = 3 };

// Right-hand side between IP3 input events (an event adds delta_IP3 * w to IP3).
GLIA_HD inline void li_rinzel_rhs(const LiRinzelParams& p, const double* y, double* dydt) {
  const double C = y[kLrCa], h = y[kLrH], IP3 = y[kLrIP3];
  const double C_ER = (p.Ca_tot - C) / p.r_ER;
  const double m_inf = IP3 / (IP3 + p.d1);
  const double n_inf = C / (C + p.d5);
  const double mnh = m_inf * n_inf * h;
  const double J_chan = p.r_ER * p.v1 * mnh * mnh * mnh * (C_ER - C);
  const double J_leak = p.r_ER * p.v2 * (C_ER - C);
  const double J_pump = p.v3 * C * C / (p.k3 * p.k3 + C * C);
  dydt[kLrCa] = J_chan + J_leak - J_pump;
  dydt[kLrH] = p.a2 * p.d2 * (IP3 + p.d1) / (IP3 + p.d3) * (1.0 - h) - p.a2 * C * h;
  dydt[kLrIP3] = (p.IP3_0 - IP3) / p.tau_IP3;
}

// Slow inward current from the astrocyte into a neuron (Nadkarni & Jung 2003):
//   I_SIC = k ln(y) H(ln y),  y = (C - C_0) / 1 nM,
// zero up to C = C_0 + 1 nM (y <= 1), continuous there, then growing logarithmically. Positive
// values depolarise: add the result to a neuron's external current (e.g. LIF I_ext).
struct LiRinzelSicParams {
  // A. Nadkarni & Jung's 2.11 µA/cm² times the membrane area of glia's LIF default, 1.98e-4 cm²
  // (C_m 198 pF at 1 µF/cm²).
  double k = 4.1778e-10;
  double C_0 = 0.19669;  // µM, Ca2+ level of y = 0
};

// I_SIC in A at cytosolic Ca2+ C (µM).
GLIA_HD inline double li_rinzel_sic(const LiRinzelSicParams& p, double C) {
  const double y = (C - p.C_0) * 1e3;  // Ca2+ above C_0, in nM
  return y > 1.0 ? p.k * log(y) : 0.0;
}

}  // namespace glia::bio
