#pragma once
// Sweeps of retention-factor derivations ("model": "retention"; docs/sweep_config.md): a base
// retention configuration (the JSON of `glia retention`, docs/retention_config.md), a design over
// paths into it ("params.tau_pl", "T_on", "b_pre.0", "n_cycles"), and named summaries of each
// derivation ("rf.T10.1", "rf_fitted.T10.1", "fit.tau_L", "fit.relative_rmse", "p_l.final", ...).
// Each variant is the base with its values substituted, parsed by the retention config parser and
// run by mapping::derive_retention (no file per variant); the variants of a chunk run in parallel,
// one per thread, each a function of its own configuration only.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/sim/design.hpp"
#include "models/mapping/retention.hpp"

namespace glia::sweep {

// What a retention summary reads from a derivation.
enum class RetentionStat {
  rf,             // simulated RF(t, T)
  rf_fitted,      // the fitted macro model's RF(t, T)
  fit_parameter,  // a parameter of the fitted macro model (p_inf, tau_L, ...)
  fit_rmse,
  fit_relative_rmse,
  fit_max_abs_error,
  fit_at_bound,  // 1 when a fitted time constant ended at the bound of its search, else 0
  p_l,           // mean p^l at the end of a cycle
  falls_from,    // smallest t0 from which RF(t, T) falls strictly
  warnings       // number of warnings of the derivation
};

// One result column. Names: rf.T<T>.<t>, rf_fitted.T<T>.<t>, fit.<parameter>, fit.rmse,
// fit.relative_rmse, fit.max_abs_error, fit.at_bound, p_l.<cycle>, p_l.final, falls_from.T<T>,
// warnings. The summaries "rf", "rf_fitted", "rf.T<T>", "rf_fitted.T<T>", "fit", "p_l" and
// "falls_from" expand to several columns.
struct RetentionSummary {
  std::string name;
  RetentionStat stat = RetentionStat::rf;
  std::int64_t T = 0;         // rf, rf_fitted, falls_from: the table
  std::int64_t t = 0;         // rf, rf_fitted: the entry, 1..T
  std::int64_t cycle = 0;     // p_l: 1..n_cycles; 0: the last cycle ("p_l.final")
  std::size_t parameter = 0;  // fit_parameter: index into LtpFit::params
  std::string field;          // the summaries entry it came from ("summaries[0]")
  std::string given;          // and its text ("rf")
};

struct RetentionSweep {
  nlohmann::json base;                                 // the base configuration, without "output"
  std::vector<nlohmann::json::json_pointer> pointers;  // per design column: where its value goes
  std::vector<std::string> parser_fields;              // per design column: the parser's name of it
  std::vector<RetentionSummary> summaries;             // expanded: one per result column
};

// Checks the design's paths against the base retention config (names are the design's columns);
// `design` is the config's design object, read here only for its names and their fields. Returns
// the known parameters for sim::parse_design (T, T.<k>, n_cycles and seed take whole numbers).
std::vector<sim::DesignParameter> retention_design_parameters(const nlohmann::json& base,
                                                              const nlohmann::json& design,
                                                              const std::string& design_field);

// Fills `r` from the base and the parsed design: pointers, summaries; parses every variant's
// configuration (before any work), naming the design field and variant of any error the retention
// parser raises for a substituted value, and checks every summary against every variant.
void setup_retention_sweep(RetentionSweep& r, const nlohmann::json& base, const sim::DesignTable& design,
                           const nlohmann::json& summaries);

// The configuration of variant v (design index): the base with the variant's values substituted.
nlohmann::json retention_variant_config(const RetentionSweep& r, const sim::DesignTable& design,
                                        std::size_t v);

// The summaries of one derivation, in the order of r.summaries.
std::vector<double> retention_summaries(const RetentionSweep& r, const mapping::RetentionResult& result);

// The outcome of one variant.
struct RetentionVariantResult {
  std::vector<double> summaries;  // per summary (NaN when failed)
  bool failed = false;
  std::string reason;  // the derivation's error: "retention.params.kappa_gain: … no long-term potentiation …"
};

// Parses and derives variant v. A derivation that cannot give a table (p^l stays 0, or diverges)
// fails the variant with the derivation's error as its reason.
RetentionVariantResult run_retention_variant(const RetentionSweep& r, const sim::DesignTable& design,
                                             std::size_t v);

// Descriptions of the summaries for the result file's /summaries attribute.
nlohmann::json retention_summary_descriptions(const RetentionSweep& r);

}  // namespace glia::sweep
