#include "models/sweep/retention_sweep.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include "engine/core/error.hpp"
#include "engine/io/json_reader.hpp"
#include "models/sweep/config_paths.hpp"

namespace glia::sweep {

namespace {

using nlohmann::json;

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

// Whole-number locations of the retention config: the table lengths, the cycle count, the seed.
bool integer_location(const std::vector<std::string>& keys, const std::string&) {
  return keys[0] == "T" || (keys.size() == 1 && (keys[0] == "n_cycles" || keys[0] == "seed"));
}

// Paths into a retention configuration: keys by name, list entries (T, b_pre, b_post) by index.
const ConfigPathSchema& retention_schema() {
  static const ConfigPathSchema schema{
      "retention",
      "the retention config such as \"params.tau_pl\" or \"T_on\" (keys joined by '.', list entries by "
      "index: \"b_pre.0\")",
      {},
      {{"output", "\"output\" is not a parameter (a retention sweep writes no file per variant)"}},
      integer_location};
  return schema;
}

const char* stat_text(RetentionStat s) {
  switch (s) {
    case RetentionStat::rf:
      return "rf";
    case RetentionStat::rf_fitted:
      return "rf_fitted";
    case RetentionStat::fit_parameter:
    case RetentionStat::fit_rmse:
    case RetentionStat::fit_relative_rmse:
    case RetentionStat::fit_max_abs_error:
    case RetentionStat::fit_at_bound:
      return "fit";
    case RetentionStat::p_l:
      return "p_l";
    case RetentionStat::falls_from:
      return "falls_from";
    case RetentionStat::warnings:
      return "warnings";
  }
  return "?";
}

// A whole number written plainly ("10", not "010" or "1e1"); -1 otherwise.
std::int64_t plain_count(const std::string& s) {
  if (s.empty() || s.size() > 9 || (s.size() > 1 && s[0] == '0') ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  return std::stoll(s);
}

std::string join(const std::vector<std::int64_t>& v) {
  std::string s;
  for (std::size_t k = 0; k < v.size(); ++k) s += (k ? ", " : "") + std::to_string(v[k]);
  return s;
}

const char* kForms =
    "expected rf, rf.T<T>, rf.T<T>.<t>, the same with rf_fitted, fit, fit.<parameter>, fit.rmse, "
    "fit.relative_rmse, fit.max_abs_error, fit.at_bound, p_l, p_l.<cycle>, p_l.final, falls_from, "
    "falls_from.T<T> or warnings";

const char* kFitErrors[] = {"rmse", "relative_rmse", "max_abs_error", "at_bound"};

RetentionSummary fit_error_summary(const std::string& name, const std::string& field,
                                   const std::string& given) {
  RetentionSummary s;
  s.name = "fit." + name;
  s.field = field;
  s.given = given;
  s.stat = name == "rmse"            ? RetentionStat::fit_rmse
           : name == "relative_rmse" ? RetentionStat::fit_relative_rmse
           : name == "max_abs_error" ? RetentionStat::fit_max_abs_error
                                     : RetentionStat::fit_at_bound;
  return s;
}

// The columns of one summaries entry, against the first variant's configuration.
std::vector<RetentionSummary> expand_summary(const json& entry, const std::string& field,
                                             const mapping::RetentionSpec& first) {
  if (!entry.is_string()) throw ConfigError(field, io::json_text(entry), kForms);
  const std::string text = entry.get<std::string>();
  const std::string& given = text;
  const std::vector<std::string> parts = split_dots(text);
  const std::string& head = parts[0];
  const auto bad = [&](const std::string& why) { throw ConfigError(field, in_quotes(text), why); };
  // "T<T>" naming a table of the first variant.
  const auto table = [&](const std::string& part) {
    const std::int64_t T = part.size() > 1 && part[0] == 'T' ? plain_count(part.substr(1)) : -1;
    if (T < 1) bad(in_quotes(part) + ": expected T<T>, a table length such as T10");
    if (std::find(first.T.begin(), first.T.end(), T) == first.T.end())
      bad("no table for T = " + std::to_string(T) + " (the retention config's T: " + join(first.T) + ")");
    return T;
  };
  std::vector<RetentionSummary> out;
  if ((head == "rf" || head == "rf_fitted") && parts.size() <= 3) {
    const RetentionStat stat = head == "rf" ? RetentionStat::rf : RetentionStat::rf_fitted;
    const std::vector<std::int64_t> Ts =
        parts.size() == 1 ? first.T : std::vector<std::int64_t>{table(parts[1])};
    for (std::int64_t T : Ts) {
      std::int64_t lo = 1, hi = T;
      if (parts.size() == 3) {
        lo = hi = plain_count(parts[2]);
        if (lo < 1 || lo > T)
          bad(in_quotes(parts[2]) + ": expected an entry t in 1.." + std::to_string(T) + " of the table");
      }
      for (std::int64_t t = lo; t <= hi; ++t) {
        RetentionSummary s;
        s.name = head + ".T" + std::to_string(T) + "." + std::to_string(t);
        s.stat = stat;
        s.T = T;
        s.t = t;
        s.field = field;
        s.given = given;
        out.push_back(s);
      }
    }
    return out;
  }
  if (head == "fit" && parts.size() <= 2) {
    const std::vector<std::string> names = mapping::ltp_model_parameter_names(first.model);
    for (std::size_t k = 0; k < names.size(); ++k) {
      if (parts.size() == 2 && parts[1] != names[k]) continue;
      RetentionSummary s;
      s.name = "fit." + names[k];
      s.stat = RetentionStat::fit_parameter;
      s.parameter = k;
      s.field = field;
      s.given = given;
      out.push_back(s);
    }
    for (const char* e : kFitErrors)
      if (parts.size() == 1 || parts[1] == e) out.push_back(fit_error_summary(e, field, given));
    if (out.empty()) {
      std::string known;
      for (const auto& n : names) known += n + ", ";
      bad("unknown fit quantity " + in_quotes(parts[1]) + " of the " + mapping::ltp_model_name(first.model) +
          " fit (known: " + known + "rmse, relative_rmse, max_abs_error, at_bound)");
    }
    return out;
  }
  if (head == "p_l" && parts.size() <= 2) {
    std::int64_t lo = 1, hi = first.n_cycles;
    if (parts.size() == 2 && parts[1] == "final") {
      lo = hi = 0;
    } else if (parts.size() == 2) {
      lo = hi = plain_count(parts[1]);
      if (lo < 1 || lo > first.n_cycles)
        bad(in_quotes(parts[1]) + ": expected final or a cycle in 1.." + std::to_string(first.n_cycles) +
            " (n_cycles)");
    }
    for (std::int64_t n = lo; n <= hi; ++n) {
      RetentionSummary s;
      s.name = n == 0 ? "p_l.final" : "p_l." + std::to_string(n);
      s.stat = RetentionStat::p_l;
      s.cycle = n;
      s.field = field;
      s.given = given;
      out.push_back(s);
    }
    return out;
  }
  if (head == "falls_from" && parts.size() <= 2) {
    const std::vector<std::int64_t> Ts =
        parts.size() == 1 ? first.T : std::vector<std::int64_t>{table(parts[1])};
    for (std::int64_t T : Ts) {
      RetentionSummary s;
      s.name = "falls_from.T" + std::to_string(T);
      s.stat = RetentionStat::falls_from;
      s.T = T;
      s.field = field;
      s.given = given;
      out.push_back(s);
    }
    return out;
  }
  if (head == "warnings" && parts.size() == 1) {
    RetentionSummary s;
    s.name = "warnings";
    s.stat = RetentionStat::warnings;
    s.field = field;
    s.given = given;
    return {s};
  }
  bad(kForms);
  return out;
}

std::vector<RetentionSummary> parse_retention_summaries(const json& list,
                                                        const mapping::RetentionSpec& first) {
  if (!list.is_array()) throw ConfigError("summaries", io::json_text(list), "expected a list of summaries");
  if (list.empty())
    throw ConfigError("summaries", "[]", "no summaries: name at least one (e.g. \"rf\" or \"fit.tau_L\")");
  std::vector<RetentionSummary> out;
  std::map<std::string, const RetentionSummary*> seen;  // column -> where it came from
  for (std::size_t k = 0; k < list.size(); ++k) {
    const std::string field = "summaries[" + std::to_string(k) + "]";
    for (const RetentionSummary& s : expand_summary(list[k], field, first)) out.push_back(s);
  }
  for (const RetentionSummary& s : out) {
    const auto it = seen.find(s.name);
    if (it != seen.end()) {
      const RetentionSummary& earlier = *it->second;
      throw ConfigError(s.field, in_quotes(s.given),
                        earlier.given == s.given ? "summary listed twice"
                                                 : "its column " + s.name + " also comes from " +
                                                       earlier.field + " = " + in_quotes(earlier.given));
    }
    seen[s.name] = &s;
  }
  return out;
}

// Every summary must exist for every variant: its table among the variant's T, its cycle within
// the variant's n_cycles.
void check_summaries(const std::vector<RetentionSummary>& summaries, const mapping::RetentionSpec& spec,
                     const sim::DesignTable& design, std::size_t v) {
  for (const auto& s : summaries) {
    std::string why;
    if ((s.stat == RetentionStat::rf || s.stat == RetentionStat::rf_fitted ||
         s.stat == RetentionStat::falls_from) &&
        std::find(spec.T.begin(), spec.T.end(), s.T) == spec.T.end())
      why = "has no table for T = " + std::to_string(s.T) + " (its T: " + join(spec.T) + ")";
    if (s.stat == RetentionStat::p_l && s.cycle > spec.n_cycles)
      why = "has " + std::to_string(spec.n_cycles) + " cycles (n_cycles), not " + std::to_string(s.cycle);
    if (!why.empty()) {
      throw ConfigError(s.field, in_quotes(s.given),
                        "column " + s.name + ": design variant " + std::to_string(v) + " (" +
                            variant_values_text(design, v) + ") " + why);
    }
  }
}

std::size_t table_index(const mapping::RetentionResult& r, std::int64_t T) {
  return static_cast<std::size_t>(std::find(r.T.begin(), r.T.end(), T) - r.T.begin());
}

}  // namespace

std::vector<sim::DesignParameter> retention_design_parameters(const json& base, const json& design,
                                                              const std::string& design_field) {
  if (!base.is_object())
    throw ConfigError("retention", io::json_text(base),
                      "expected a retention configuration object (the JSON of glia retention)");
  return path_design_parameters(base, design, design_field, retention_schema());
}

json retention_variant_config(const RetentionSweep& r, const sim::DesignTable& design, std::size_t v) {
  return substitute_variant(r.base, r.pointers, design, v);
}

void setup_retention_sweep(RetentionSweep& r, const json& base, const sim::DesignTable& design,
                           const json& summaries) {
  r.base = base;
  r.base.erase("output");
  resolve_design_paths(r.base, design, retention_schema(), r.pointers, r.parser_fields);
  // An error of the base itself (not at a swept value) is reported as the retention config's.
  try {
    mapping::parse_retention_config(r.base);
  } catch (const ConfigError& e) {
    restate_base_error("retention", r.parser_fields, e);
  }
  std::vector<mapping::RetentionSpec> specs;
  for (std::size_t v = 0; v < design.size(); ++v) {
    try {
      specs.push_back(mapping::parse_retention_config(retention_variant_config(r, design, v)));
    } catch (const ConfigError& e) {
      restate_variant_error("retention", r.parser_fields, design, v, e);
    }
  }
  r.summaries = parse_retention_summaries(summaries, specs.at(0));
  for (std::size_t v = 1; v < specs.size(); ++v) check_summaries(r.summaries, specs[v], design, v);
}

std::vector<double> retention_summaries(const RetentionSweep& r, const mapping::RetentionResult& result) {
  std::vector<double> out;
  out.reserve(r.summaries.size());
  for (const auto& s : r.summaries) {
    switch (s.stat) {
      case RetentionStat::rf:
        out.push_back(result.rf_simulated.at(table_index(result, s.T)).at(static_cast<std::size_t>(s.t - 1)));
        break;
      case RetentionStat::rf_fitted:
        out.push_back(result.rf_fitted.at(table_index(result, s.T)).at(static_cast<std::size_t>(s.t - 1)));
        break;
      case RetentionStat::fit_parameter:
        out.push_back(result.fit.params.at(s.parameter));
        break;
      case RetentionStat::fit_rmse:
        out.push_back(result.fit.rmse);
        break;
      case RetentionStat::fit_relative_rmse:
        out.push_back(result.fit.relative_rmse);
        break;
      case RetentionStat::fit_max_abs_error:
        out.push_back(result.fit.max_abs_error);
        break;
      case RetentionStat::fit_at_bound:
        out.push_back(result.fit.at_bound ? 1.0 : 0.0);
        break;
      case RetentionStat::p_l:
        out.push_back(s.cycle == 0 ? result.p_l_mean.back()
                                   : result.p_l_mean.at(static_cast<std::size_t>(s.cycle)));
        break;
      case RetentionStat::falls_from:
        out.push_back(static_cast<double>(result.falls_from.at(table_index(result, s.T))));
        break;
      case RetentionStat::warnings:
        out.push_back(static_cast<double>(result.warnings.size()));
        break;
    }
  }
  return out;
}

RetentionVariantResult run_retention_variant(const RetentionSweep& r, const sim::DesignTable& design,
                                             std::size_t v) {
  const mapping::RetentionSpec spec = mapping::parse_retention_config(retention_variant_config(r, design, v));
  RetentionVariantResult out;
  try {
    out.summaries = retention_summaries(r, mapping::derive_retention(spec));
    return out;
  } catch (const ConfigError& e) {  // no potentiation, divergence: found while deriving
    out.reason = std::string("retention.") + e.what();
  } catch (const RuntimeError& e) {
    out.reason = e.what();
  }
  out.failed = true;
  out.summaries.assign(r.summaries.size(), std::numeric_limits<double>::quiet_NaN());
  return out;
}

json retention_summary_descriptions(const RetentionSweep& r) {
  json out = json::array();
  for (const auto& s : r.summaries) {
    json d = {{"name", s.name}, {"stat", stat_text(s.stat)}};
    if (s.stat == RetentionStat::rf || s.stat == RetentionStat::rf_fitted) {
      d["T"] = s.T;
      d["t"] = s.t;
    } else if (s.stat == RetentionStat::falls_from) {
      d["T"] = s.T;
    } else if (s.stat == RetentionStat::p_l) {
      d["cycle"] = s.cycle == 0 ? json("final") : json(s.cycle);
    } else if (s.stat != RetentionStat::warnings) {
      d["quantity"] = s.name.substr(4);  // after "fit."
    }
    out.push_back(d);
  }
  return out;
}

}  // namespace glia::sweep
