#include "models/mapping/retention.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>

#include "engine/core/error.hpp"
#include "engine/core/memory.hpp"
#include "engine/core/version.hpp"
#include "engine/io/hdf5_file.hpp"
#include "engine/io/hdf5_writer.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/sim/step_config.hpp"

namespace glia::mapping {

namespace {

using nlohmann::json;
constexpr std::int64_t kFormatVersion = 1;
constexpr const char* kKind = "glia.retention";
const double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- macro models ---------------------------------------------------------------------------

// Linear coefficients (1 or 2) times columns that depend on the nonlinear parameters (1 or 2).
int n_linear(LtpModel m) { return m == LtpModel::exponential2 ? 2 : 1; }
int n_nonlinear(LtpModel m) { return m == LtpModel::exponential ? 1 : 2; }

// The basis columns at t for the nonlinear parameters th (actual values, not logs).
void columns(LtpModel m, const double* th, double t, double* col) {
  switch (m) {
    case LtpModel::exponential:
      col[0] = -std::expm1(-t / th[0]);
      return;
    case LtpModel::exponential2:
      col[0] = -std::expm1(-t / th[0]);
      col[1] = -std::expm1(-t / th[1]);
      return;
    case LtpModel::hill:
      col[0] = t <= 0.0 ? 0.0 : 1.0 / (1.0 + std::pow(th[0] / t, th[1]));
      return;
  }
}

// The full parameter vector (by ltp_model_parameter_names) from linear and nonlinear parts.
std::vector<double> full_params(LtpModel m, const double* lin, const double* th) {
  switch (m) {
    case LtpModel::exponential:
      return {lin[0], th[0]};
    case LtpModel::exponential2:
      return {lin[0], th[0], lin[1], th[1]};
    case LtpModel::hill:
      return {lin[0], th[0], th[1]};
  }
  return {};
}

struct Problem {
  LtpModel model;
  const std::vector<double>& t;
  const std::vector<double>& p;
  std::array<double, 2> lo{}, hi{};  // bounds of the log nonlinear parameters

  // Residuals for log-parameters u (clamped to the bounds); fills the linear coefficients.
  double residuals(const std::array<double, 2>& u, std::vector<double>& r, std::array<double, 2>& lin) const {
    const int nl = n_nonlinear(model), k = n_linear(model);
    std::array<double, 2> th{};
    for (int i = 0; i < nl; ++i) th[i] = std::exp(std::clamp(u[i], lo[i], hi[i]));
    // Normal equations of the linear part (k <= 2).
    double a11 = 0, a12 = 0, a22 = 0, b1 = 0, b2 = 0;
    std::vector<std::array<double, 2>> cols(t.size());
    for (std::size_t n = 0; n < t.size(); ++n) {
      columns(model, th.data(), t[n], cols[n].data());
      a11 += cols[n][0] * cols[n][0];
      b1 += cols[n][0] * p[n];
      if (k == 2) {
        a12 += cols[n][0] * cols[n][1];
        a22 += cols[n][1] * cols[n][1];
        b2 += cols[n][1] * p[n];
      }
    }
    lin = {0.0, 0.0};
    if (k == 1) {
      lin[0] = a11 > 0.0 ? b1 / a11 : 0.0;
    } else {
      const double det = a11 * a22 - a12 * a12;
      if (det > 1e-13 * a11 * a22) {
        lin[0] = (a22 * b1 - a12 * b2) / det;
        lin[1] = (a11 * b2 - a12 * b1) / det;
      } else {  // collinear columns (tau_1 = tau_2): one exponential carries the curve
        lin[0] = a11 > 0.0 ? b1 / a11 : 0.0;
      }
    }
    r.resize(t.size());
    double cost = 0.0;
    for (std::size_t n = 0; n < t.size(); ++n) {
      double f = lin[0] * cols[n][0];
      if (k == 2) f += lin[1] * cols[n][1];
      r[n] = f - p[n];
      cost += r[n] * r[n];
    }
    return cost;
  }
};

// Solves the (at most 2 x 2) system A x = b.
std::array<double, 2> solve(int n, const std::array<double, 4>& A, const std::array<double, 2>& b) {
  if (n == 1) return {A[0] != 0.0 ? b[0] / A[0] : 0.0, 0.0};
  const double det = A[0] * A[3] - A[1] * A[2];
  if (det == 0.0) return {0.0, 0.0};
  return {(A[3] * b[0] - A[1] * b[1]) / det, (A[0] * b[1] - A[2] * b[0]) / det};
}

// ---- config ---------------------------------------------------------------------------------

std::vector<double> read_drives(io::JsonObjectReader& r, const std::string& key) {
  if (!r.has(key)) return {1.0, 1.0, 1.0};
  const json& v = r.member(key);
  if (!v.is_array()) throw ConfigError(r.field(key), io::json_text(v), "expected an array of numbers");
  std::vector<double> out;
  for (std::size_t k = 0; k < v.size(); ++k)
    out.push_back(io::as_number(v[k], r.field(key) + "[" + std::to_string(k) + "]"));
  return out;
}

std::vector<std::int64_t> read_T(io::JsonObjectReader& r) {
  if (!r.has("T")) return {10};
  const json& v = r.member("T");
  std::vector<std::int64_t> out;
  if (v.is_array()) {
    if (v.empty()) throw ConfigError("T", "[]", "expected at least one number of cycles");
    for (std::size_t k = 0; k < v.size(); ++k) {
      const std::string field = "T[" + std::to_string(k) + "]";
      const std::int64_t T = io::as_integer(v[k], field);
      if (T < 1) throw ConfigError(field, std::to_string(T), "must be >= 1 (cycles, i.e. segments)");
      out.push_back(T);
    }
  } else {
    const std::int64_t T = io::as_integer(v, "T");
    if (T < 1) throw ConfigError("T", std::to_string(T), "must be >= 1 (cycles, i.e. segments)");
    out.push_back(T);
  }
  std::sort(out.begin(), out.end());
  for (std::size_t k = 1; k < out.size(); ++k)
    if (out[k] == out[k - 1]) throw ConfigError("T", io::json_text(v), "a value is given twice");
  return out;
}

std::string join_T(const std::vector<std::int64_t>& T) {
  std::string s;
  for (std::size_t k = 0; k < T.size(); ++k) s += (k ? ", " : "") + std::to_string(T[k]);
  return s;
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

// The field most likely responsible for a p^l that never moves.
std::string zero_drive_field(const NeuronAstrocyteSpec& s) {
  const auto all_zero = [](const std::vector<double>& b) {
    return std::all_of(b.begin(), b.end(), [](double x) { return x == 0.0; });
  };
  if (s.process.kappa_gain == 0.0) return "params.kappa_gain";
  if (s.synapse.c == 0.0) return "params.c";
  if (all_zero(s.b_pre)) return "b_pre";
  if (all_zero(s.b_post)) return "b_post";
  return "params";
}

}  // namespace

LtpModel ltp_model(const std::string& field, const std::string& name) {
  if (name == "exponential") return LtpModel::exponential;
  if (name == "exponential2") return LtpModel::exponential2;
  if (name == "hill") return LtpModel::hill;
  throw ConfigError(field, quoted(name), "expected \"exponential\", \"exponential2\" or \"hill\"");
}

const char* ltp_model_name(LtpModel m) {
  switch (m) {
    case LtpModel::exponential:
      return "exponential";
    case LtpModel::exponential2:
      return "exponential2";
    case LtpModel::hill:
      return "hill";
  }
  return "exponential";
}

std::vector<std::string> ltp_model_parameter_names(LtpModel m) {
  switch (m) {
    case LtpModel::exponential:
      return {"p_inf", "tau_L"};
    case LtpModel::exponential2:
      return {"a_1", "tau_1", "a_2", "tau_2"};
    case LtpModel::hill:
      return {"p_inf", "t_half", "n"};
  }
  return {};
}

double ltp_model_value(LtpModel m, const std::vector<double>& q, double t) {
  switch (m) {
    case LtpModel::exponential:
      return -q[0] * std::expm1(-t / q[1]);
    case LtpModel::exponential2:
      return -q[0] * std::expm1(-t / q[1]) - q[2] * std::expm1(-t / q[3]);
    case LtpModel::hill:
      return t <= 0.0 ? 0.0 : q[0] / (1.0 + std::pow(q[1] / t, q[2]));
  }
  return 0.0;
}

LtpFit fit_ltp_curve(const std::vector<double>& t, const std::vector<double>& p, LtpModel model) {
  const int nl = n_nonlinear(model);
  const std::size_t n_params = static_cast<std::size_t>(nl + n_linear(model));
  if (t.size() != p.size()) throw RuntimeError("fit_ltp_curve: t and p differ in length");
  if (t.size() < n_params + 1)
    throw ConfigError("fit.model", quoted(ltp_model_name(model)),
                      "needs at least " + std::to_string(n_params + 1) + " points (cycles), got " +
                          std::to_string(t.size()));
  for (std::size_t n = 0; n < t.size(); ++n)
    if (!(t[n] > 0.0) || !std::isfinite(p[n]))
      throw RuntimeError("fit_ltp_curve: point " + std::to_string(n) + " is not (t > 0, finite p)");
  Problem pr{model, t, p};
  const double tmin = *std::min_element(t.begin(), t.end()), tmax = *std::max_element(t.begin(), t.end());
  // Time constants from a hundredth of the first point to a thousand times the span; Hill's n in
  // [0.1, 20].
  pr.lo = {std::log(tmin / 100.0), std::log(tmin / 100.0)};
  pr.hi = {std::log(tmax * 1e3), std::log(tmax * 1e3)};
  if (model == LtpModel::hill) {
    pr.lo[1] = std::log(0.1);
    pr.hi[1] = std::log(20.0);
  }
  std::vector<double> r;
  std::array<double, 2> lin{};
  // Start: the best point of a grid over the log parameters.
  std::array<double, 2> u{pr.lo[0], pr.lo[1]};
  double best = std::numeric_limits<double>::infinity();
  const int g0 = nl == 1 ? 400 : 60, g1 = nl == 1 ? 1 : 60;
  for (int i = 0; i < g0; ++i) {
    for (int j = 0; j < g1; ++j) {
      std::array<double, 2> c{pr.lo[0] + (pr.hi[0] - pr.lo[0]) * i / (g0 - 1),
                              g1 == 1 ? 0.0 : pr.lo[1] + (pr.hi[1] - pr.lo[1]) * j / (g1 - 1)};
      if (model == LtpModel::exponential2 && c[0] > c[1]) continue;
      const double cost = pr.residuals(c, r, lin);
      if (cost < best) {
        best = cost;
        u = c;
      }
    }
  }
  // Levenberg–Marquardt on the log parameters, central-difference Jacobian.
  LtpFit fit;
  fit.model = model;
  double cost = pr.residuals(u, r, lin), mu = 1e-3;
  std::vector<double> rp, rm, r_new;
  std::array<double, 2> lin_tmp{};
  const std::size_t N = t.size();
  std::vector<std::array<double, 2>> J(N);
  for (int it = 0; it < 500 && cost > 0.0; ++it) {
    fit.iterations = it + 1;
    for (int i = 0; i < nl; ++i) {
      const double h = 1e-6;
      std::array<double, 2> up = u, um = u;
      up[i] += h;
      um[i] -= h;
      pr.residuals(up, rp, lin_tmp);
      pr.residuals(um, rm, lin_tmp);
      for (std::size_t n = 0; n < N; ++n) J[n][i] = (rp[n] - rm[n]) / (2.0 * h);
    }
    std::array<double, 4> H{};
    std::array<double, 2> g{};
    for (std::size_t n = 0; n < N; ++n)
      for (int i = 0; i < nl; ++i) {
        g[i] += J[n][i] * r[n];
        for (int j = 0; j < nl; ++j) H[i * 2 + j] += J[n][i] * J[n][j];
      }
    bool accepted = false;
    while (mu < 1e12) {
      std::array<double, 4> A = H;
      for (int i = 0; i < nl; ++i) A[i * 2 + i] += mu * (H[i * 2 + i] + 1e-30);
      const std::array<double, 2> d =
          solve(nl, nl == 1 ? std::array<double, 4>{A[0], 0, 0, 0} : A, {-g[0], -g[1]});
      std::array<double, 2> un = u;
      for (int i = 0; i < nl; ++i) un[i] = std::clamp(u[i] + d[i], pr.lo[i], pr.hi[i]);
      const double c_new = pr.residuals(un, r_new, lin_tmp);
      if (c_new < cost) {
        const double step = std::max(std::fabs(un[0] - u[0]), nl == 2 ? std::fabs(un[1] - u[1]) : 0.0);
        u = un;
        r = r_new;
        cost = c_new;
        mu = std::max(mu / 3.0, 1e-15);
        accepted = step > 1e-14;
        break;
      }
      mu *= 4.0;
    }
    if (!accepted) break;
  }
  cost = pr.residuals(u, r, lin);
  std::array<double, 2> th{};
  for (int i = 0; i < nl; ++i) {
    th[i] = std::exp(u[i]);
    if (u[i] - pr.lo[i] < 1e-6 || pr.hi[i] - u[i] < 1e-6) fit.at_bound = true;
  }
  if (model == LtpModel::exponential2 && th[0] > th[1]) {
    std::swap(th[0], th[1]);
    std::swap(lin[0], lin[1]);
  }
  fit.params = full_params(model, lin.data(), th.data());
  double max_p = 0.0;
  for (std::size_t n = 0; n < N; ++n) {
    fit.max_abs_error = std::max(fit.max_abs_error, std::fabs(r[n]));
    max_p = std::max(max_p, std::fabs(p[n]));
  }
  fit.rmse = std::sqrt(cost / static_cast<double>(N));
  fit.relative_rmse = max_p > 0.0 ? fit.rmse / max_p : kNaN;
  return fit;
}

std::vector<double> retention_from_levels(const std::vector<double>& levels, std::int64_t T) {
  if (T < 1 || static_cast<std::int64_t>(levels.size()) < T + 1)
    throw RuntimeError("retention_from_levels: need levels p_0..p_T");
  const auto u = static_cast<std::size_t>(T);
  const double total = levels[u] - levels[0];
  std::vector<double> rf(u);
  for (std::size_t t = 1; t <= u; ++t) rf[t - 1] = total == 0.0 ? kNaN : (levels[t] - levels[t - 1]) / total;
  return rf;
}

std::vector<double> retention_exponential(double c, std::int64_t T) {
  std::vector<double> rf(static_cast<std::size_t>(T));
  for (std::int64_t t = 1; t <= T; ++t) {
    rf[static_cast<std::size_t>(t - 1)] = c == 0.0
                                              ? 1.0 / static_cast<double>(T)
                                              : std::exp(-c * static_cast<double>(t - 1)) * std::expm1(-c) /
                                                    std::expm1(-c * static_cast<double>(T));
  }
  return rf;
}

std::vector<double> retention_from_fit(const LtpFit& fit, double T_cycle, std::int64_t T) {
  if (fit.model == LtpModel::exponential) return retention_exponential(T_cycle / fit.params[1], T);
  std::vector<double> levels(static_cast<std::size_t>(T + 1));
  for (std::int64_t n = 0; n <= T; ++n)
    levels[static_cast<std::size_t>(n)] =
        ltp_model_value(fit.model, fit.params, static_cast<double>(n) * T_cycle);
  return retention_from_levels(levels, T);
}

RetentionSpec parse_retention_config(const json& config) {
  if (!config.is_object()) throw ConfigError("config", io::json_text(config), "expected a JSON object");
  io::JsonObjectReader r(config, "");
  RetentionSpec s;
  NeuronAstrocyteArrays a;
  if (r.has("params")) {
    const json& obj = r.member("params");
    if (!obj.is_object()) throw ConfigError("params", io::json_text(obj), "expected an object of numbers");
    io::JsonObjectReader pr(obj, "params");
    for (auto it = obj.begin(); it != obj.end(); ++it) a.params[it.key()] = pr.number(it.key());
  }
  a.theta = r.string("theta", "tanh");
  a.b_pre = read_drives(r, "b_pre");
  a.b_post = read_drives(r, "b_post");
  a.T_on = r.number("T_on", 2.0);
  a.T_off = r.number("T_off", 2.0);
  a.dt = r.number("dt", 1e-3);
  a.method = r.string("method", "rk4");
  s.T = read_T(r);
  s.n_cycles = r.integer("n_cycles", s.T.back());
  if (s.n_cycles < s.T.back())
    throw ConfigError("n_cycles", std::to_string(s.n_cycles),
                      "must be >= the largest T (" + std::to_string(s.T.back()) + ")");
  a.n_cycles = s.n_cycles;
  {
    // p^l per synapse at every cycle's end and burst's end, the traces and the tables: refuse what cannot
    // fit.
    const double n_syn = static_cast<double>(a.b_pre.size() * a.b_post.size());
    const double bytes =
        8.0 * static_cast<double>(s.n_cycles) * (8.0 * n_syn + 4.0 * (a.b_pre.size() + a.b_post.size()));
    const double limit = 0.5 * memory_limit_bytes();
    if (bytes > limit) {
      std::ostringstream m;
      m << "the recordings of that many cycles would take " << gib_text(bytes) << ", more than half of the "
        << gib_text(2 * limit) << " this process may use";
      throw ConfigError("n_cycles", std::to_string(s.n_cycles), m.str());
    }
  }
  // record_dt defaults to the cycle length (set once the network has checked T_on, T_off and dt).
  const bool has_record_dt = r.has("record_dt");
  a.record_dt = has_record_dt ? r.number("record_dt") : 0.0;
  if (has_record_dt && !(a.record_dt > 0.0))
    throw ConfigError("record_dt", io::number_text(a.record_dt), "must be > 0 (s)");
  if (r.has("fit")) {
    const json& f = r.member("fit");
    if (!f.is_object()) throw ConfigError("fit", io::json_text(f), "expected an object {\"model\": ...}");
    io::JsonObjectReader fr(f, "fit");
    s.model = ltp_model("fit.model", fr.string("model", "exponential"));
    fr.finish();
  }
  s.seed = r.unsigned_integer("seed", 0);
  s.output = r.string("output", "");
  r.finish();
  s.network = build_neuron_astrocyte_network(a);
  if (!has_record_dt) {
    s.network.record_every = sim::whole_steps("T_on", a.T_on, a.dt);
    if (a.T_off > 0.0) s.network.record_every += sim::whole_steps("T_off", a.T_off, a.dt);
  }
  const std::int64_t need = n_linear(s.model) + n_nonlinear(s.model) + 1;
  if (s.n_cycles < need)
    throw ConfigError("n_cycles", std::to_string(s.n_cycles),
                      std::string("the ") + ltp_model_name(s.model) + " fit needs at least " +
                          std::to_string(need) + " cycles (raise n_cycles or the largest T)");

  json params = json::object();
  for (const auto& [k, v] : neuron_astrocyte_params(s.network)) params[k] = v;
  s.resolved = {{"params", params},
                {"theta", a.theta},
                {"b_pre", s.network.b_pre},
                {"b_post", s.network.b_post},
                {"T_on", s.network.T_on},
                {"T_off", s.network.T_off},
                {"dt", s.network.dt},
                {"record_dt", static_cast<double>(s.network.record_every) * s.network.dt},
                {"method", network::rate_method_name(s.network.method)},
                {"T", s.T},
                {"n_cycles", s.n_cycles},
                {"fit", {{"model", ltp_model_name(s.model)}}},
                {"seed", s.seed},
                {"output", s.output}};
  return s;
}

RetentionSpec parse_retention_config_text(const std::string& text, const std::string& what) {
  return parse_retention_config(io::parse_json(text, what));
}

RetentionResult derive_retention(const RetentionSpec& spec, const network::ProgressFn& progress) {
  NeuronAstrocyteSpec net = spec.network;
  net.n_cycles = spec.n_cycles;
  const NeuronAstrocyteResult sim = run_neuron_astrocyte_network(net, progress);
  RetentionResult r;
  r.n_pre = sim.n_pre;
  r.n_post = sim.n_post;
  r.n_cycles = spec.n_cycles;
  r.T_cycle = net.T_on + net.T_off;
  const auto n_syn = static_cast<std::size_t>(sim.n_pre * sim.n_post);
  const auto N = static_cast<std::size_t>(spec.n_cycles);
  r.cycle_t.assign(1, 0.0);
  r.p_l.assign(n_syn, 0.0);  // cycle 0: rest
  r.p_l_mean.assign(1, 0.0);
  for (std::size_t n = 0; n < N; ++n) {
    r.cycle_t.push_back(sim.cycle_end_t[n]);
    double mean = 0.0;
    for (std::size_t k = 0; k < n_syn; ++k) {
      const double v = sim.p_l_cycle_end[n * n_syn + k];
      r.p_l.push_back(v);
      mean += v;
    }
    mean /= static_cast<double>(n_syn);
    if (!std::isfinite(mean))
      throw ConfigError("dt", io::number_text(net.dt),
                        "the simulation diverged (p^l not finite at cycle " + std::to_string(n + 1) +
                            "); lower dt or use method \"exact\"");
    r.p_l_mean.push_back(mean);
    r.delta_p.push_back(mean - r.p_l_mean[n]);
  }
  r.trace_t = sim.t;
  r.trace_p_l = sim.p_l;
  for (std::int64_t T : spec.T) {
    if (r.p_l_mean[static_cast<std::size_t>(T)] == 0.0) {
      const std::string field = zero_drive_field(net);
      throw ConfigError(
          field, "",
          "the network produces no long-term potentiation: p^l at the end of cycle " + std::to_string(T) +
              " is 0, so RF(t, " + std::to_string(T) +
              ") = delta p_t / sum delta p is undefined (drive the pre and post neurons together, "
              "with c != 0 and kappa_gain != 0)");
    }
  }

  std::vector<double> ft(r.cycle_t.begin() + 1, r.cycle_t.end()),
      fp(r.p_l_mean.begin() + 1, r.p_l_mean.end());
  r.fit = fit_ltp_curve(ft, fp, spec.model);
  for (double t : r.cycle_t) r.fit_curve.push_back(ltp_model_value(r.fit.model, r.fit.params, t));

  r.T = spec.T;
  std::vector<double> syn_levels(N + 1);
  for (std::int64_t T : spec.T) {
    const auto u = static_cast<std::size_t>(T);
    r.rf_simulated.push_back(retention_from_levels(r.p_l_mean, T));
    r.rf_fitted.push_back(retention_from_fit(r.fit, r.T_cycle, T));
    std::vector<double> per(u * n_syn);
    for (std::size_t k = 0; k < n_syn; ++k) {
      for (std::size_t n = 0; n <= N; ++n) syn_levels[n] = r.p_l[n * n_syn + k];
      const std::vector<double> rf = retention_from_levels(syn_levels, T);
      for (std::size_t t = 0; t < u; ++t) per[t * n_syn + k] = rf[t];
    }
    r.rf_per_synapse.push_back(per);
    const std::vector<double>& rf = r.rf_simulated.back();
    std::int64_t t0 = T;
    while (t0 > 1 && rf[static_cast<std::size_t>(t0 - 2)] > rf[static_cast<std::size_t>(t0 - 1)]) --t0;
    r.falls_from.push_back(t0);
    // A rise beyond t = 2: the loop builds up over several cycles (the default rises from t = 1 to 2 only).
    std::int64_t rises_until = 0;
    for (std::int64_t t = 2; t <= T; ++t)
      if (rf[static_cast<std::size_t>(t - 1)] > rf[static_cast<std::size_t>(t - 2)] * (1.0 + 1e-12))
        rises_until = t;
    if (rises_until > 2)
      r.warnings.push_back(
          "T_on / T_off: RF(t, " + std::to_string(T) + ") rises up to t = " + std::to_string(rises_until) +
          " (the synapse–process loop builds up over several cycles; short bursts against tau_s "
          "do this): the table does not fall with t");
    if (std::any_of(rf.begin(), rf.end(), [](double x) { return !(x > 0.0); }))
      r.warnings.push_back("RF(t, " + std::to_string(T) +
                           ") has entries <= 0: the increments of p^l change sign (the table is not a "
                           "distribution over segments; check the sign of c and the drives)");
  }
  // No saturation: the largest table is within 5 % of uniform.
  const std::vector<double>& last = r.rf_simulated.back();
  if (last.size() >= 2) {
    const auto [mn, mx] = std::minmax_element(last.begin(), last.end());
    if (*mn > 0.0 && *mx / *mn - 1.0 < 0.05) {
      std::ostringstream w;
      w << "params.gamma_l / params.tau_pl: p^l does not saturate within T = " << spec.T.back()
        << " cycles (gamma_l T_c / tau_pl = " << net.process.gamma_l * r.T_cycle / net.process.tau_pl
        << "): RF(t, " << spec.T.back()
        << ") is within 5 % of 1/T, i.e. no retention schedule; raise gamma_l, lower tau_pl or lengthen the "
           "cycles";
      r.warnings.push_back(w.str());
    }
  }
  if (r.fit.at_bound)
    r.warnings.push_back(
        std::string("fit.model: the ") + ltp_model_name(r.fit.model) +
        " fit ran to the bound of its time constants (no saturation, or saturation within the "
        "first cycle, within the simulated cycles); its parameters are not meaningful");
  return r;
}

void write_retention(const RetentionSpec& spec, const RetentionResult& r, const std::string& path) {
  io::Hdf5Writer w(path);
  const auto n_syn = static_cast<std::uint64_t>(r.n_pre * r.n_post);
  const auto N = static_cast<std::uint64_t>(r.n_cycles);
  w.attribute("/", "kind", std::string(kKind));
  w.attribute("/", "format_version", kFormatVersion);
  w.provenance(spec.resolved.dump(), spec.seed);
  w.attribute("/", "n_pre", r.n_pre);
  w.attribute("/", "n_post", r.n_post);
  w.attribute("/", "n_cycles", r.n_cycles);
  w.attribute("/", "T_cycle", r.T_cycle);
  w.attribute("/", "T_on", spec.network.T_on);
  w.attribute("/", "T_off", spec.network.T_off);
  std::string warnings;
  for (const auto& s : r.warnings) warnings += (warnings.empty() ? "" : "\n") + s;
  w.attribute("/", "warnings", warnings);

  w.dataset("/curve/t", r.cycle_t, {N + 1});
  w.dataset("/curve/p_l_mean", r.p_l_mean, {N + 1});
  w.dataset("/curve/p_l", r.p_l, {N + 1, n_syn});
  w.dataset("/curve/delta_p", r.delta_p, {N});
  w.dataset("/curve/fit", r.fit_curve, {N + 1});
  const auto samples = static_cast<std::uint64_t>(r.trace_t.size());
  w.dataset("/trace/t", r.trace_t, {samples});
  w.dataset("/trace/p_l", r.trace_p_l, {samples, n_syn});

  std::string names;
  for (const auto& s : ltp_model_parameter_names(r.fit.model)) names += (names.empty() ? "" : ",") + s;
  w.attribute("/fit", "model", std::string(ltp_model_name(r.fit.model)));
  w.attribute("/fit", "parameter_names", names);
  w.attribute("/fit", "rmse", r.fit.rmse);
  w.attribute("/fit", "relative_rmse", r.fit.relative_rmse);
  w.attribute("/fit", "max_abs_error", r.fit.max_abs_error);
  w.attribute("/fit", "at_bound", std::int64_t{r.fit.at_bound ? 1 : 0});
  w.dataset("/fit/params", r.fit.params, {static_cast<std::uint64_t>(r.fit.params.size())});

  std::vector<std::uint32_t> Ts;
  for (std::int64_t T : r.T) Ts.push_back(static_cast<std::uint32_t>(T));
  w.dataset("/rf/T", Ts, {static_cast<std::uint64_t>(Ts.size())});
  for (std::size_t k = 0; k < r.T.size(); ++k) {
    const std::string name = "T" + std::to_string(r.T[k]);
    const auto T = static_cast<std::uint64_t>(r.T[k]);
    w.dataset("/rf/simulated/" + name, r.rf_simulated[k], {T});
    w.dataset("/rf/fitted/" + name, r.rf_fitted[k], {T});
    w.dataset("/rf/per_synapse/" + name, r.rf_per_synapse[k], {T, n_syn});
    w.attribute("/rf/simulated", "falls_from_" + name, r.falls_from[k]);
  }
  w.commit();
}

namespace {
RetentionTable read_retention_file(const io::Hdf5File& f, const std::string& path, std::int64_t T,
                                   const std::string& source, const std::string& field);
}  // namespace

RetentionTable read_retention(const std::string& path, std::int64_t T, const std::string& source,
                              const std::string& field) {
  const std::string value = quoted(path);
  if (T < 1) throw ConfigError("T", std::to_string(T), "must be >= 1 (segments)");
  if (source != "simulated" && source != "fitted")
    throw ConfigError("source", quoted(source), "expected \"simulated\" or \"fitted\"");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw ConfigError(field, value, "no such retention file");
  if (!io::Hdf5File::is_hdf5(path))
    throw ConfigError(field, value, "not an HDF5 file (not a retention file)");
  try {
    return read_retention_file(io::Hdf5File::open(path, false), path, T, source, field);
  } catch (const RuntimeError& e) {  // a group where a dataset should be, a wrong type, ...
    throw ConfigError(field, value, std::string("malformed retention file: ") + e.what());
  }
}

namespace {

RetentionTable read_retention_file(const io::Hdf5File& f, const std::string& path, std::int64_t T,
                                   const std::string& source, const std::string& field) {
  const std::string value = quoted(path);
  if (!f.has_attribute("/", "kind") || f.string_attribute("/", "kind") != kKind)
    throw ConfigError(
        field, value,
        "not a glia retention file (no root attribute kind = \"glia.retention\"; write one with "
        "`glia retention` or glia.mapping.derive_retention)");
  if (!f.has_attribute("/", "format_version") || f.int_attribute("/", "format_version") != kFormatVersion)
    throw ConfigError(
        field, value,
        "malformed retention file: format_version is missing or not " + std::to_string(kFormatVersion));
  if (!f.has_attribute("/", "complete") || f.int_attribute("/", "complete") != 1)
    throw ConfigError(field, value, "incomplete retention file (the run that wrote it did not finish)");
  if (!f.exists("/rf/T") || f.dims("/rf/T").size() != 1)
    throw ConfigError(field, value, "malformed retention file: no /rf/T list of table lengths");
  const std::vector<std::int32_t> Ts = f.read_i32("/rf/T");
  std::vector<std::int64_t> have(Ts.begin(), Ts.end());
  if (std::find(have.begin(), have.end(), T) == have.end())
    throw ConfigError(field, value,
                      "has retention tables for T = " + join_T(have) + ", not for T = " + std::to_string(T) +
                          " (the model's number of segments); derive one with \"T\": " + std::to_string(T));
  const std::string ds = "/rf/" + source + "/T" + std::to_string(T);
  if (!f.exists(ds)) throw ConfigError(field, value, "malformed retention file: " + ds + " is missing");
  const std::vector<std::uint64_t> dims = f.dims(ds);
  if (dims.size() != 1 || dims[0] != static_cast<std::uint64_t>(T)) {
    std::string shape;
    for (std::size_t k = 0; k < dims.size(); ++k) shape += (k ? ", " : "") + std::to_string(dims[k]);
    throw ConfigError(field, value,
                      "malformed retention file: " + ds + " has shape (" + shape + "), expected (" +
                          std::to_string(T) + ")");
  }
  RetentionTable tab;
  tab.T = T;
  tab.source = source;
  tab.rf = f.read_f64(ds);
  double sum = 0.0;
  for (std::size_t k = 0; k < tab.rf.size(); ++k) {
    if (!std::isfinite(tab.rf[k]))
      throw ConfigError(field, value,
                        "malformed retention file: RF(" + std::to_string(k + 1) + ", " + std::to_string(T) +
                            ") in " + ds + " is not finite");
    sum += tab.rf[k];
  }
  if (std::fabs(sum - 1.0) > 1e-9 * static_cast<double>(T))
    throw ConfigError(field, value,
                      "malformed retention file: " + ds + " sums to " + io::number_text(sum) + ", not 1");
  if (f.exists("/curve/t") && f.dims("/curve/t")[0] >= 2) tab.T_cycle = f.read_f64("/curve/t")[1];
  if (f.has_attribute("/fit", "model")) tab.fit_model = f.string_attribute("/fit", "model");
  if (f.exists("/fit/params")) tab.fit_params = f.read_f64("/fit/params");
  if (f.has_attribute("/", "glia_version")) tab.glia_version = f.string_attribute("/", "glia_version");
  if (f.has_attribute("/", "git_commit")) tab.git_commit = f.string_attribute("/", "git_commit");
  if (f.has_attribute("/", "config")) tab.config = f.string_attribute("/", "config");
  return tab;
}

}  // namespace

}  // namespace glia::mapping
