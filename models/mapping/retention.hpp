#pragma once
// Retention factors from simulated long-term plasticity (MAPPING.md §2, NETWORKS.md §3).
//
// The small neuron–astrocyte network of BIOPHYSICS.md §4 (models/mapping/ltp_network) runs
// n_cycles STP cycles of length tau_c = T_on + T_off from rest. Its long-term process p^l at the cycle
// ends, p_n = p^l(n tau_c) (mean over synapses, and per synapse; p_0 = 0), gives
//   Delta p_t = p_t - p_{t-1},   RF(t, T) = Delta p_t / sum_{i=1..T} Delta p_i = Delta p_t / p_T,
// for every requested T <= n_cycles (the first T cycles of a longer run are the run of T cycles: the
// protocol is causal). The macro model is fitted to (n tau_c, p_n), n = 1..n_cycles, by least squares:
//   exponential   p(t) = p_inf (1 - e^{-t / tau_L})                      (default)
//   exponential2  p(t) = a_1 (1 - e^{-t / tau_1}) + a_2 (1 - e^{-t / tau_2}),  tau_1 <= tau_2
//   hill          p(t) = p_inf t^n / (t_half^n + t^n)
// The linear coefficients are solved in closed form for given time constants (variable projection);
// the time constants (log-transformed) by Levenberg–Marquardt started from the best point of a grid.
// The fitted model's table is RF(t, T) = (p(t tau_c) - p((t - 1) tau_c)) / p(T tau_c); for the
// exponential that is e^{-c (t - 1)} (1 - e^{-c}) / (1 - e^{-c T}), c = tau_c / tau_L.
//
// Settings that cannot give a table are errors (ConfigError naming the field): p^l that stays 0 (no
// drive, c = 0, kappa_gain = 0), too few cycles for the fit. Settings whose table is degenerate are
// warnings (RetentionResult::warnings): no saturation within T (RF within 5 % of 1/T), increments that
// change sign (some RF <= 0), a table that still rises after t = 2 (a long build-up of the synapse–process
// loop), a fit that ran to the bound of its time constants.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/mapping/ltp_network.hpp"

namespace glia::mapping {

enum class LtpModel { exponential, exponential2, hill };

// "exponential", "exponential2" or "hill"; ConfigError(field) otherwise.
LtpModel ltp_model(const std::string& field, const std::string& name);
const char* ltp_model_name(LtpModel m);
// Names of the fitted parameters, in the order of LtpFit::params (times in s).
std::vector<std::string> ltp_model_parameter_names(LtpModel m);

struct LtpFit {
  LtpModel model = LtpModel::exponential;
  std::vector<double> params;  // by ltp_model_parameter_names
  double rmse = 0.0;           // root mean square of the residuals at the fitted points
  double relative_rmse = 0.0;  // rmse / max |p_n|
  double max_abs_error = 0.0;  // largest |residual|
  bool at_bound = false;       // a time constant ended at the bound of the search
  int iterations = 0;          // Levenberg–Marquardt iterations after the grid
};

// The model p(t) with the given parameters.
double ltp_model_value(LtpModel m, const std::vector<double>& params, double t);

// Least-squares fit of `model` to (t[k], p[k]) (t in s, > 0). ConfigError("fit.model") when there are
// fewer points than parameters + 1 (no error left to report).
LtpFit fit_ltp_curve(const std::vector<double>& t, const std::vector<double>& p, LtpModel model);

// RF(t, T), t = 1..T, from levels p_0..p_T (levels.size() >= T + 1): (p_t - p_{t-1}) / (p_T - p_0).
// NaN for every t when p_T == p_0.
std::vector<double> retention_from_levels(const std::vector<double>& levels, std::int64_t T);
// The exponential macro model's table e^{-c (t-1)} (1 - e^{-c}) / (1 - e^{-c T}); 1/T at c = 0.
std::vector<double> retention_exponential(double c, std::int64_t T);
// The fitted model's table for cycles of length T_cycle (s).
std::vector<double> retention_from_fit(const LtpFit& fit, double T_cycle, std::int64_t T);

struct RetentionSpec {
  NeuronAstrocyteSpec network;  // network.n_cycles = n_cycles
  std::vector<std::int64_t> T;  // sorted, distinct, >= 1
  std::int64_t n_cycles = 10;   // cycles simulated and fitted, >= max T
  LtpModel model = LtpModel::exponential;
  std::uint64_t seed = 0;   // provenance only: the network is deterministic
  std::string output;       // "" if the config names none
  nlohmann::json resolved;  // the config with every default filled in
};

// The retention config (docs/retention_config.md); ConfigError naming the field.
RetentionSpec parse_retention_config(const nlohmann::json& config);
RetentionSpec parse_retention_config_text(const std::string& text, const std::string& what);

struct RetentionResult {
  std::int64_t n_pre = 0, n_post = 0, n_cycles = 0;
  double T_cycle = 0.0;           // s
  std::vector<double> cycle_t;    // s, 0, tau_c, ..., n_cycles tau_c
  std::vector<double> p_l_mean;   // [cycle 0..n_cycles], mean over synapses (p_l_mean[0] = 0)
  std::vector<double> p_l;        // [cycle 0..n_cycles][synapse], synapse i * n_pre + j
  std::vector<double> delta_p;    // [cycle 1..n_cycles], of the mean
  std::vector<double> trace_t;    // s, every record_dt
  std::vector<double> trace_p_l;  // [sample][synapse]
  LtpFit fit;
  std::vector<double> fit_curve;  // the fitted model at cycle_t
  std::vector<std::int64_t> T;
  std::vector<std::vector<double>> rf_simulated;    // [T index][t - 1]
  std::vector<std::vector<double>> rf_fitted;       // [T index][t - 1]
  std::vector<std::vector<double>> rf_per_synapse;  // [T index][(t - 1) * n_syn + synapse], NaN if p_T = 0
  std::vector<std::int64_t> falls_from;  // [T index]: smallest t0 with RF strictly falling for t >= t0
  std::vector<std::string> warnings;
};

// Simulates and fits; ConfigError when p^l stays 0 (naming the likeliest cause).
// `progress` (optional) is called with (steps done, total steps) while the network runs.
RetentionResult derive_retention(const RetentionSpec& spec, const network::ProgressFn& progress = {});

// Writes everything to `path` (atomically, with provenance; layout in docs/retention_config.md).
void write_retention(const RetentionSpec& spec, const RetentionResult& r, const std::string& path);

// One table read back from a retention file, validated.
struct RetentionTable {
  std::int64_t T = 0;
  std::string source;      // "simulated" or "fitted"
  std::vector<double> rf;  // RF(t, T), t = 1..T
  double T_cycle = 0.0;    // s
  std::string fit_model;   // the macro model of the file
  std::vector<double> fit_params;
  std::string glia_version, git_commit, config;
};

// Reads and validates the table for T. `source`: "simulated" or "fitted". ConfigError(field, path, ...)
// naming the cause: no such file, not HDF5, not a retention file, incomplete, no table for T (listing
// the Ts it has), a table of the wrong length, non-finite entries, entries that do not sum to 1.
// `field` is the config field that named the file (rmaat: its retention setting).
RetentionTable read_retention(const std::string& path, std::int64_t T,
                              const std::string& source = "simulated",
                              const std::string& field = "retention");

}  // namespace glia::mapping
