#pragma once
// Many independent G-ChI astrocytes at once, each with its own parameters, inputs and initial
// state (struct-of-arrays over variants): the batched core of parameter sweeps. One variant's
// whole run is a single call of gchi_variant_run(), written once for CPU and CUDA; the CPU
// runner spreads variants over OpenMP threads, the CUDA runner (cuda/gchi_ensemble.cu) over
// GPU threads. Variants never interact, so results do not depend on the thread count or backend.
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/core/hostdevice.hpp"
#include "engine/sim/fixed_step.hpp"
#include "models/bio/astrocyte_gchi.hpp"

namespace glia::bio {

struct GChIEnsembleSpec {
  std::vector<GChIParams> params;                      // one per variant
  std::vector<double> Y_S;                             // µM, constant glutamate, one per variant
  std::vector<double> J_ex;                            // µM/s, constant external IP3 flux, one per variant
  std::vector<std::array<double, kGChIVars>> initial;  // Gamma_A, I, C, h per variant
  double dt = 1e-3;                                    // s
  std::int64_t n_steps = 0;
  sim::FixedStepMethod method = sim::FixedStepMethod::rk4;
  std::vector<std::uint32_t> record;  // variants whose traces are kept
  std::int64_t record_every = 1;      // steps between trace samples (t = 0 included)
  double C_threshold = 0.5;           // µM, upward crossings are counted (gliotransmitter events)
};

// Per-variant status codes.
constexpr std::int32_t kVariantOk = 0;
constexpr std::int32_t kVariantLeftBounds = 1;  // the state left its bounds (unstable step size)

struct GChIEnsembleResult {
  std::vector<double> trace_t;  // s
  std::vector<double> traces;   // [sample][recorded variant][variable]
  std::vector<std::array<double, kGChIVars>> final_state;
  std::vector<double> C_max, C_mean;          // µM, over the run (samples at every step)
  std::vector<std::int64_t> C_crossings;      // upward crossings of C_threshold
  std::vector<std::int32_t> status;           // kVariantOk or kVariantLeftBounds
  std::vector<double> failed_at;              // s, time the state left its bounds (NaN if ok)
  std::vector<std::int32_t> failed_variable;  // index of the offending variable (-1 if ok)
};

// Pointers into the ensemble's buffers for one variant's run.
struct GChIVariantOutput {
  double* trace;        // n_samples x stride, this variant's column, or nullptr
  std::int64_t stride;  // distance between samples in `trace`
  double* final_state;  // kGChIVars values
  double* C_max;
  double* C_mean;
  std::int64_t* C_crossings;
  std::int32_t* status;
  double* failed_at;
  std::int32_t* failed_variable;
};

// Bounds of the G-ChI state: Gamma_A and h in [0, 1], I >= 0, C in [0, C_T/(1 + rho_A)].
GLIA_HD inline int gchi_out_of_bounds(const GChIParams& p, const double* y) {
  const double tol = 1e-9;
  for (int i = 0; i < kGChIVars; ++i)
    if (!(y[i] == y[i]) || y[i] > 1e300 || y[i] < -1e300) return i;  // NaN or infinite
  if (y[kGammaA] < -tol || y[kGammaA] > 1.0 + tol) return kGammaA;
  if (y[kIP3] < -tol) return kIP3;
  if (y[kCa] < -tol || y[kCa] > p.C_T / (1.0 + p.rho_A) + tol) return kCa;
  if (y[kH] < -tol || y[kH] > 1.0 + tol) return kH;
  return -1;
}

// Integrates one variant for n_steps and fills its outputs. A variant whose state leaves
// the bounds stops there and is marked failed (its later trace rows stay as they were, NaN);
// the others are unaffected.
GLIA_HD inline void gchi_variant_run(const GChIParams& p, double Y_S, double J_ex, const double* y0,
                                     double dt, std::int64_t n_steps, sim::FixedStepMethod method,
                                     std::int64_t record_every, double C_threshold,
                                     const GChIVariantOutput& out) {
  double y[kGChIVars];
  for (int i = 0; i < kGChIVars; ++i) y[i] = y0[i];
  const auto rhs = [&](double, const double* s, double* d) { gchi_rhs(p, Y_S, J_ex, s, d); };
  double c_max = y[kCa], c_sum = y[kCa];
  std::int64_t crossings = 0, samples = 1;
  *out.status = kVariantOk;
  *out.failed_variable = -1;
  *out.failed_at = 0.0 / 0.0;
  if (out.trace)
    for (int i = 0; i < kGChIVars; ++i) out.trace[i] = y[i];
  for (std::int64_t step = 0; step < n_steps; ++step) {
    const double c_before = y[kCa];
    sim::fixed_step<kGChIVars>(method, rhs, static_cast<double>(step) * dt, y, dt);
    const int bad = gchi_out_of_bounds(p, y);
    if (bad >= 0) {
      *out.status = kVariantLeftBounds;
      *out.failed_variable = bad;
      *out.failed_at = static_cast<double>(step + 1) * dt;
      break;
    }
    c_max = y[kCa] > c_max ? y[kCa] : c_max;
    c_sum += y[kCa];
    ++samples;
    crossings += (c_before <= C_threshold && y[kCa] > C_threshold) ? 1 : 0;
    if (out.trace && (step + 1) % record_every == 0) {
      double* row = out.trace + ((step + 1) / record_every) * out.stride;
      for (int i = 0; i < kGChIVars; ++i) row[i] = y[i];
    }
  }
  for (int i = 0; i < kGChIVars; ++i) out.final_state[i] = y[i];
  *out.C_max = c_max;
  *out.C_mean = c_sum / static_cast<double>(samples);
  *out.C_crossings = crossings;
}

inline std::int64_t gchi_ensemble_samples(const GChIEnsembleSpec& s) {
  return s.n_steps / s.record_every + 1;
}

GChIEnsembleResult run_gchi_ensemble_cpu(const GChIEnsembleSpec& spec);
// Defined in cuda/gchi_ensemble.cu; only present when glia is built with CUDA.
GChIEnsembleResult run_gchi_ensemble_cuda(const GChIEnsembleSpec& spec);

}  // namespace glia::bio

namespace glia::bio {

// An ensemble as a front end describes it: per-variant arrays, checked and turned into a
// spec by build_gchi_ensemble(), which throws ConfigError naming the field and variant.
struct GChIEnsembleArrays {
  std::string parameter_set = "network";              // or "single_astrocyte"
  std::map<std::string, std::vector<double>> params;  // overrides by parameter name, one value per variant
  std::vector<double> Y_S, J_ex;                      // one per variant
  std::vector<double> initial;                        // n x (Gamma_A, I, C, h)
  double duration = 0.0, dt = 0.0, record_dt = -1.0;  // s; record_dt < 0: every step
  std::string method = "rk4";
  std::vector<std::int64_t> record;  // variants whose traces are kept
  double C_threshold = 0.5;          // µM
};

GChIEnsembleSpec build_gchi_ensemble(const GChIEnsembleArrays& a);

}  // namespace glia::bio
