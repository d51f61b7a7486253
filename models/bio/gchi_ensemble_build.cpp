#include <cmath>
#include <set>

#include "engine/core/error.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/sim/step_config.hpp"
#include "models/bio/gchi_ensemble.hpp"
#include "models/bio/parameter_tables.hpp"

namespace glia::bio {

namespace {

std::string at(const std::string& field, std::size_t v) { return field + "[" + std::to_string(v) + "]"; }

}  // namespace

GChIEnsembleSpec build_gchi_ensemble(const GChIEnsembleArrays& a) {
  const std::size_t n = a.Y_S.size();
  if (n == 0) throw ConfigError("Y_S", "[]", "the ensemble has no variants");
  if (a.J_ex.size() != n)
    throw ConfigError("J_ex", std::to_string(a.J_ex.size()) + " values",
                      "expected one per variant (" + std::to_string(n) + ")");
  if (a.initial.size() != n * kGChIVars)
    throw ConfigError("initial", std::to_string(a.initial.size()) + " values",
                      "expected 4 per variant (Gamma_A, I, C, h)");
  GChIParams base;
  if (a.parameter_set == "single_astrocyte") {
    base = gchi_single_astrocyte_params();
  } else if (a.parameter_set != "network") {
    throw ConfigError("parameter_set", "\"" + a.parameter_set + "\"",
                      "expected \"network\" or \"single_astrocyte\"");
  }
  GChIEnsembleSpec s;
  s.params.assign(n, base);
  for (const auto& [name, values] : a.params) {
    const std::string field = "params." + name;
    const auto* f = find_param(gchi_fields(), name);
    if (!f) throw ConfigError(field, "", "unknown parameter of gchi");
    if (values.size() != n)
      throw ConfigError(field, std::to_string(values.size()) + " values",
                        "expected one per variant (" + std::to_string(n) + ")");
    for (std::size_t v = 0; v < n; ++v)
      s.params[v].*(f->member) = io::check_positive(at(field, v), values[v], f->unit);
  }
  for (std::size_t v = 0; v < n; ++v) {
    s.Y_S.push_back(io::check_non_negative(at("Y_S", v), a.Y_S[v], "µM"));
    if (!std::isfinite(a.J_ex[v]))
      throw ConfigError(at("J_ex", v), io::number_text(a.J_ex[v]), "must be finite");
    s.J_ex.push_back(a.J_ex[v]);
    std::array<double, kGChIVars> y{};
    const double hi[kGChIVars] = {1.0, 1e300, s.params[v].C_T / (1.0 + s.params[v].rho_A), 1.0};
    const char* names[kGChIVars] = {"Gamma_A", "I", "C", "h"};
    for (int i = 0; i < kGChIVars; ++i)
      y[i] = io::check_in_range("initial." + std::string(names[i]) + "[" + std::to_string(v) + "]",
                                a.initial[v * kGChIVars + i], 0.0, false, hi[i], "");
    s.initial.push_back(y);
  }
  s.dt = io::check_positive("dt", a.dt, "s");
  s.n_steps = sim::whole_steps("duration", io::check_positive("duration", a.duration, "s"), s.dt);
  // record_dt < 0: not given, every step; 0 or a value that is not a whole number of steps is an error.
  s.record_every = sim::whole_steps(
      "record_dt", a.record_dt < 0 ? s.dt : io::check_positive("record_dt", a.record_dt, "s"), s.dt);
  s.method = sim::fixed_step_method("method", a.method);
  std::set<std::int64_t> seen;
  for (std::size_t k = 0; k < a.record.size(); ++k) {
    const std::int64_t v = a.record[k];
    if (v < 0 || v >= static_cast<std::int64_t>(n))
      throw ConfigError(at("record", k), std::to_string(v), "out of range [0, " + std::to_string(n) + ")");
    if (!seen.insert(v).second) throw ConfigError(at("record", k), std::to_string(v), "listed twice");
    s.record.push_back(static_cast<std::uint32_t>(v));
  }
  s.C_threshold = io::check_non_negative("C_threshold", a.C_threshold, "µM");
  return s;
}

}  // namespace glia::bio
