#include "models/bio/cell_integration.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <sstream>

#include "engine/core/error.hpp"
#include "engine/core/philox.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/sim/adaptive.hpp"
#include "engine/sim/fixed_step.hpp"
#include "models/bio/astrocyte_gchi.hpp"
#include "models/bio/astrocyte_li_rinzel.hpp"
#include "models/bio/parameter_tables.hpp"

namespace glia::bio {

namespace {

using io::JsonObjectReader;
using nlohmann::json;

// Reads overrides from "params"; every model parameter is a positive rate, constant or
// concentration. The resolved values are written back into `resolved`.
template <class P>
void read_params(JsonObjectReader& root, const std::vector<ParamField<P>>& fields, P& p, json& resolved) {
  if (root.has("params")) {
    JsonObjectReader r(root.member("params"), "params");
    for (const auto& f : fields)
      if (r.has(f.name)) p.*(f.member) = io::check_positive(r.field(f.name), r.number(f.name), f.unit);
    r.finish();
  }
  for (const auto& f : fields) resolved["params"][f.name] = p.*(f.member);
}

struct Bounds {
  double lo, hi;
};

template <int N>
struct CellModel {
  std::array<const char*, N> names;
  std::array<double, N> y0;
  std::array<Bounds, N> bounds;
};

// Reads "initial" into the model's default initial state, checking bounds.
template <int N>
void read_initial(JsonObjectReader& root, CellModel<N>& m, json& resolved) {
  if (root.has("initial")) {
    JsonObjectReader r(root.member("initial"), "initial");
    for (int i = 0; i < N; ++i) {
      if (!r.has(m.names[i])) continue;
      const double hi = std::isfinite(m.bounds[i].hi) ? m.bounds[i].hi : 1e300;
      m.y0[i] = io::check_in_range(r.field(m.names[i]), r.number(m.names[i]), m.bounds[i].lo, false, hi,
                                   "µM or fraction");
    }
    r.finish();
  }
  for (int i = 0; i < N; ++i) resolved["initial"][m.names[i]] = m.y0[i];
}

template <int N>
void check_state(const std::string& model, const CellModel<N>& m, const double* y, double t) {
  for (int i = 0; i < N; ++i) {
    // Tolerance for rounding at a bound, relative to the variable's scale.
    const double tol = 1e-9 * (std::isfinite(m.bounds[i].hi) ? m.bounds[i].hi : 1.0);
    if (!std::isfinite(y[i]) || y[i] < m.bounds[i].lo - tol || y[i] > m.bounds[i].hi + tol) {
      std::ostringstream s;
      s << model << ": " << m.names[i] << " = " << y[i] << " at t = " << t << " s left its bounds ["
        << m.bounds[i].lo << ", " << m.bounds[i].hi
        << "]; the integration is unstable (reduce dt or use method \"dopri5\")";
      throw RuntimeError(s.str());
    }
  }
}

struct Grid {
  double duration, sample_dt;
  std::int64_t n_samples;  // including t = 0
};

// One stochastic step (t, y, dt, dW, sigma, milstein); empty for models without a noisy variant.
using NoisyStep = std::function<void(double, double*, double, double, double, bool)>;

// Glutamate released by one synapse at given times, as the astrocyte sees it:
// Y_S(t) = sum over t_k <= t of amount exp(-Omega_c (t - t_k)) (BIOPHYSICS.md §2, exact).
struct GlutamatePulses {
  std::vector<double> times;  // s, ascending
  double amount = 0.0;        // µM per release (rho_c Y_T r)
  double Omega_c = 40.0;      // 1/s, clearance rate

  // Releases up to this time act. A fixed step sets it to the step's start, so that a release
  // at the step's end (its last stage) acts from the next step on, as in a time-stepped
  // network; the adaptive method leaves it infinite.
  double active_until = std::numeric_limits<double>::infinity();

  double at(double t) const {
    double y = 0.0;
    for (auto it = std::upper_bound(times.begin(), times.end(), std::min(t, active_until));
         it != times.begin();) {
      const double term = amount * std::exp(-Omega_c * (t - *--it));
      if (term < 1e-18 * amount) break;  // older pulses are smaller still
      y += term;
    }
    return y;
  }
};

GlutamatePulses parse_pulses(JsonObjectReader& in, json& resolved) {
  GlutamatePulses g;
  if (!in.has("Y_S_pulses")) return g;
  JsonObjectReader r(in.member("Y_S_pulses"), in.field("Y_S_pulses"));
  const json& times = r.member("times");
  if (!times.is_array())
    throw ConfigError(r.field("times"), io::json_text(times), "expected a list of times (s)");
  for (std::size_t k = 0; k < times.size(); ++k) {
    const std::string f = r.field("times") + "[" + std::to_string(k) + "]";
    g.times.push_back(io::check_non_negative(f, io::as_number(times[k], f), "s"));
    if (k > 0 && g.times[k] < g.times[k - 1])
      throw ConfigError(f, io::json_text(times[k]), "times must be ascending");
  }
  g.amount = io::check_non_negative(r.field("amount"), r.number("amount"), "µM");
  g.Omega_c = io::check_positive(r.field("Omega_c"), r.number("Omega_c", 40.0), "1/s");
  r.finish();
  resolved["input"]["Y_S_pulses"]["Omega_c"] = g.Omega_c;
  return g;
}

// Philox stream of the Wiener increments of single-cell runs.
constexpr std::uint32_t kNoiseStream = 0x6e6f6973u;

template <int N, class Rhs>
void run(const std::string& model, const CellModel<N>& m, const Rhs& rhs, const NoisyStep& noisy,
         const std::function<void(double)>& before_step, JsonObjectReader& root, const Grid& g,
         CellTrace& trace) {
  const std::string method = root.string("method", "rk4");
  const bool stochastic = method == "euler_maruyama" || method == "milstein";
  if (stochastic && !noisy)
    throw ConfigError(root.field("method"), "\"" + method + "\"",
                      "model \"" + model + "\" has no stochastic variant");
  if (stochastic != root.has("noise"))
    throw ConfigError(root.field("noise"), root.has("noise") ? io::json_text(root.member("noise")) : "",
                      stochastic ? "required by a stochastic method"
                                 : "only used by methods \"euler_maruyama\" and \"milstein\"");
  double sigma = 0.0;
  std::uint64_t seed = 0;
  if (stochastic) {
    JsonObjectReader r(root.member("noise"), "noise");
    sigma = io::check_non_negative(r.field("sigma"), r.number("sigma"), "");
    seed = r.unsigned_integer("seed", 0);
    r.finish();
    trace.resolved["noise"] = {{"sigma", sigma}, {"seed", seed}};
  }
  trace.variables.assign(m.names.begin(), m.names.end());
  for (std::int64_t k = 0; k < g.n_samples; ++k) trace.t.push_back(static_cast<double>(k) * g.sample_dt);
  trace.resolved["method"] = method;
  // Options of the other kind of integrator are mistakes, not silently ignored values.
  for (const char* key : {"rtol", "atol"})
    if (method != "dopri5" && root.has(key))
      throw ConfigError(root.field(key), io::json_text(root.member(key)), "only used by method \"dopri5\"");
  if (method == "dopri5" && root.has("dt"))
    throw ConfigError(root.field("dt"), io::json_text(root.member("dt")),
                      "not used by method \"dopri5\" (adaptive)");
  if (method == "dopri5") {
    const double rtol = io::check_positive(root.field("rtol"), root.number("rtol", 1e-8), "");
    const double atol = io::check_positive(root.field("atol"), root.number("atol", 1e-10), "µM");
    trace.resolved["rtol"] = rtol;
    trace.resolved["atol"] = atol;
    std::int64_t evals = 0;
    auto counted = [&](double t, const double* y, double* dydt) {
      ++evals;
      rhs(t, y, dydt);
    };
    trace.values = sim::integrate_dopri5<N>(counted, m.y0, trace.t, rtol, atol);
    trace.rhs_evaluations = evals;
    for (std::int64_t k = 0; k < g.n_samples; ++k) check_state<N>(model, m, &trace.values[k * N], trace.t[k]);
    return;
  }
  sim::FixedStepMethod fm = sim::FixedStepMethod::euler;
  int stages = 1;
  if (stochastic) {
    // handled in the step loop below
  } else if (method == "euler") {
    fm = sim::FixedStepMethod::euler, stages = 1;
  } else if (method == "rk2") {
    fm = sim::FixedStepMethod::rk2, stages = 2;
  } else if (method == "rk4") {
    fm = sim::FixedStepMethod::rk4, stages = 4;
  } else {
    throw ConfigError(
        root.field("method"), "\"" + method + "\"",
        "unknown method (expected \"euler\", \"rk2\", \"rk4\", \"dopri5\", \"euler_maruyama\" or "
        "\"milstein\")");
  }
  const double dt = io::check_positive(root.field("dt"), root.number("dt", g.sample_dt), "s");
  const double ratio = g.sample_dt / dt;
  const auto every = static_cast<std::int64_t>(std::llround(ratio));
  if (every < 1 || std::fabs(ratio - static_cast<double>(every)) > 1e-9 * ratio)
    throw ConfigError(root.field("dt"), io::json_text(json(dt)), "sample_dt must be a whole multiple of dt");
  trace.resolved["dt"] = dt;
  std::array<double, N> y = m.y0;
  trace.values.assign(y.begin(), y.end());
  for (std::int64_t k = 1; k < g.n_samples; ++k) {
    for (std::int64_t s = 0; s < every; ++s) {
      const std::int64_t step = (k - 1) * every + s;
      const double t = static_cast<double>(step) * dt;
      if (before_step) before_step(t);
      if (stochastic) {
        noisy(t, y.data(), dt, std::sqrt(dt) * philox_normal(seed, step, 0, kNoiseStream), sigma,
              method == "milstein");
      } else {
        sim::fixed_step<N>(fm, rhs, t, y.data(), dt);
      }
      check_state<N>(model, m, y.data(), (static_cast<double>(step) + 1.0) * dt);
    }
    trace.values.insert(trace.values.end(), y.begin(), y.end());
  }
  trace.rhs_evaluations = (g.n_samples - 1) * every * stages;
}

}  // namespace

CellTrace integrate_cell(const json& config) {
  JsonObjectReader root(config, "");
  CellTrace trace;
  trace.model = root.string("model");
  trace.resolved = config;
  Grid g;
  g.duration = io::check_positive(root.field("duration"), root.number("duration"), "s");
  g.sample_dt = io::check_positive(root.field("sample_dt"), root.number("sample_dt"), "s");
  const double n = g.duration / g.sample_dt;
  g.n_samples = std::llround(n) + 1;
  if (std::fabs(n - static_cast<double>(g.n_samples - 1)) > 1e-9 * n)
    throw ConfigError(root.field("duration"), io::json_text(json(g.duration)),
                      "must be a whole multiple of sample_dt");

  if (trace.model == "gchi") {
    const std::string set = root.string("parameter_set", "network");
    GChIParams p;
    if (set == "single_astrocyte") {
      p = gchi_single_astrocyte_params();
    } else if (set != "network") {
      throw ConfigError(root.field("parameter_set"), "\"" + set + "\"",
                        "unknown parameter set (expected \"network\" or \"single_astrocyte\")");
    }
    read_params(root, gchi_fields(), p, trace.resolved);
    double Y_S = 0.0, J_ex = 0.0;
    GlutamatePulses pulses;
    // Optional gap-junction IP3 exchange with a neighbour clamped at I_bias (F = 0: none).
    double I_bias = 0.0, F_ex = 0.0, I_Theta = 0.3, omega_I = 0.05;
    if (root.has("input")) {
      JsonObjectReader in(root.member("input"), "input");
      Y_S = io::check_non_negative(in.field("Y_S"), in.number("Y_S", 0.0), "µM");
      J_ex = in.number("J_ex", 0.0);
      pulses = parse_pulses(in, trace.resolved);
      if (in.has("IP3_bias_coupling")) {
        JsonObjectReader c(in.member("IP3_bias_coupling"), in.field("IP3_bias_coupling"));
        I_bias = io::check_non_negative(c.field("I_bias"), c.number("I_bias", 0.0), "µM");
        F_ex = io::check_positive(c.field("F_ex"), c.number("F_ex", 0.09), "µM/s");
        I_Theta = io::check_non_negative(c.field("I_Theta"), c.number("I_Theta", 0.3), "µM");
        omega_I = io::check_positive(c.field("omega_I"), c.number("omega_I", 0.05), "µM");
        c.finish();
        trace.resolved["input"]["IP3_bias_coupling"] = {
            {"I_bias", I_bias}, {"F_ex", F_ex}, {"I_Theta", I_Theta}, {"omega_I", omega_I}};
      }
      in.finish();
    }
    const double inf = std::numeric_limits<double>::infinity();
    CellModel<kGChIVars> m{{"Gamma_A", "I", "C", "h"},
                           {0.0, 0.0, 0.0, 0.9},
                           {Bounds{0, 1}, Bounds{0, inf}, Bounds{0, p.C_T / (1 + p.rho_A)}, Bounds{0, 1}}};
    read_initial(root, m, trace.resolved);
    // Glutamate is held at its value at the start of a stochastic step (Itô).
    const NoisyStep noisy = [&](double t, double* y, double dt, double dW, double sigma, bool milstein) {
      gchi_stochastic_step(p, Y_S + pulses.at(t),
                           J_ex + gchi_ip3_coupling(y[kIP3], I_bias, F_ex, I_Theta, omega_I), sigma, milstein,
                           y, dt, dW);
    };
    const auto rhs = [&](double t, const double* y, double* d) {
      gchi_rhs(p, Y_S + pulses.at(t), J_ex + gchi_ip3_coupling(y[kIP3], I_bias, F_ex, I_Theta, omega_I), y,
               d);
    };
    run<kGChIVars>(
        "gchi", m, rhs, noisy, [&](double t) { pulses.active_until = t; }, root, g, trace);
  } else if (trace.model == "li_rinzel") {
    LiRinzelParams p;
    read_params(root, li_rinzel_fields(), p, trace.resolved);
    const double inf = std::numeric_limits<double>::infinity();
    CellModel<kLiRinzelVars> m{
        {"C", "h", "IP3"}, {0.073, 0.793, p.IP3_0}, {Bounds{0, p.Ca_tot}, Bounds{0, 1}, Bounds{0, inf}}};
    read_initial(root, m, trace.resolved);
    run<kLiRinzelVars>(
        "li_rinzel", m, [&](double, const double* y, double* d) { li_rinzel_rhs(p, y, d); }, NoisyStep{}, {},
        root, g, trace);
  } else {
    throw ConfigError(root.field("model"), "\"" + trace.model + "\"",
                      "unknown cell model (expected \"gchi\" or \"li_rinzel\")");
  }
  root.finish();
  return trace;
}

}  // namespace glia::bio
