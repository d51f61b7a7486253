#include "engine/sim/summary_config.hpp"

#include <algorithm>
#include <set>

#include "engine/core/error.hpp"
#include "engine/io/json_reader.hpp"

namespace glia::sim {

namespace {

struct StatName {
  const char* name;
  SummaryStat stat;
};

constexpr StatName kStats[] = {{"mean", SummaryStat::mean},
                               {"max", SummaryStat::max},
                               {"min", SummaryStat::min},
                               {"final", SummaryStat::final_value},
                               {"time_above", SummaryStat::time_above},
                               {"events", SummaryStat::events},
                               {"frequency", SummaryStat::frequency},
                               {"amplitude", SummaryStat::amplitude},
                               {"spike_count", SummaryStat::spike_count},
                               {"release_probability", SummaryStat::release_probability},
                               {"released_fraction", SummaryStat::released_fraction}};

// Refuses a variable the model does not have.
void check_variable(const SummaryModel& m, const std::string& name, const std::string& field) {
  if (std::find(m.variables.begin(), m.variables.end(), name) != m.variables.end()) return;
  std::string list;
  for (const auto& v : m.variables) list += (list.empty() ? "" : ", ") + v;
  throw ConfigError(field, "\"" + name + "\"", "unknown variable (known: " + list + ")");
}

// Fills stat, variable and name from "VAR.STAT" or a spike statistic's bare name.
void parse_name(const std::string& text, const std::string& field, const SummaryModel& m, SummarySpec& s) {
  SummaryStat stat;
  if (find_summary_stat(text, stat) && summary_is_spike_stat(stat)) {
    s.stat = stat;
  } else {
    const auto dot = text.rfind('.');
    if (dot == std::string::npos || !find_summary_stat(text.substr(dot + 1), stat) ||
        summary_is_spike_stat(stat))
      throw ConfigError(field, "\"" + text + "\"",
                        "expected VARIABLE.STAT (STAT one of " + summary_stat_list(false) + ") or one of " +
                            summary_stat_list(true));
    s.stat = stat;
    s.variable = text.substr(0, dot);
    if (std::find(m.variables.begin(), m.variables.end(), s.variable) == m.variables.end()) {
      std::string list;
      for (const auto& v : m.variables) list += (list.empty() ? "" : ", ") + v;
      throw ConfigError(field, "\"" + text + "\"",
                        "unknown variable \"" + s.variable + "\" (known: " + list + ")");
    }
  }
  s.name = text;
}

}  // namespace

std::string summary_stat_list(bool spike) {
  std::string s;
  for (const auto& k : kStats)
    if (summary_is_spike_stat(k.stat) == spike) s += (s.empty() ? "" : ", ") + std::string(k.name);
  return s;
}

bool find_summary_stat(const std::string& name, SummaryStat& out) {
  for (const auto& k : kStats)
    if (name == k.name) {
      out = k.stat;
      return true;
    }
  return false;
}

const char* summary_stat_name(SummaryStat s) {
  for (const auto& k : kStats)
    if (k.stat == s) return k.name;
  return "?";
}

std::vector<SummarySpec> parse_summaries(const nlohmann::json& list, const std::string& path,
                                         const SummaryModel& model) {
  if (!list.is_array()) throw ConfigError(path, io::json_text(list), "expected a list of summaries");
  if (list.empty()) throw ConfigError(path, "[]", "no summaries: name at least one (e.g. \"C.mean\")");
  std::vector<SummarySpec> out;
  std::set<std::string> names;
  for (std::size_t k = 0; k < list.size(); ++k) {
    const std::string field = path + "[" + std::to_string(k) + "]";
    SummarySpec s;
    std::string name_field = field;
    if (list[k].is_string()) {
      parse_name(list[k].get<std::string>(), field, model, s);
    } else {
      io::JsonObjectReader r(list[k], field);
      const std::string stat = r.string("stat");
      if (!find_summary_stat(stat, s.stat))
        throw ConfigError(r.field("stat"), "\"" + stat + "\"",
                          "unknown statistic (expected one of " + summary_stat_list(false) + ", " +
                              summary_stat_list(true) + ")");
      if (summary_is_spike_stat(s.stat)) {
        if (r.has("variable"))
          throw ConfigError(r.field("variable"), io::json_text(r.member("variable")),
                            "spike statistics take no variable");
        s.name = stat;
      } else {
        s.variable = r.string("variable");
        check_variable(model, s.variable, r.field("variable"));
        s.name = s.variable + "." + stat;
      }
      if (r.has("threshold")) {
        if (!summary_needs_threshold(s.stat))
          throw ConfigError(r.field("threshold"), io::json_text(r.member("threshold")),
                            "statistic \"" + stat + "\" takes no threshold");
        s.has_threshold = true;
        s.threshold = r.number("threshold");
      }
      if (r.has("name")) {
        s.name = r.string("name");
        name_field = r.field("name");
        if (s.name.empty() || s.name.find('/') != std::string::npos)
          throw ConfigError(name_field, "\"" + s.name + "\"", "must be non-empty and contain no '/'");
      }
      r.finish();
    }
    if (summary_is_spike_stat(s.stat) && !model.spikes)
      throw ConfigError(field, "\"" + s.name + "\"", "this model has no presynaptic spikes");
    if (summary_needs_threshold(s.stat) && !s.has_threshold) {
      const auto it = model.default_threshold.find(s.variable);
      if (it == model.default_threshold.end())
        throw ConfigError(field + ".threshold", "",
                          "missing: statistic \"" + std::string(summary_stat_name(s.stat)) +
                              "\" of variable \"" + s.variable +
                              "\" needs a threshold (give the object form)");
      s.threshold_parameter = it->second;
    }
    if (!names.insert(s.name).second)
      throw ConfigError(name_field, "\"" + s.name + "\"", "summary name listed twice (give \"name\")");
    out.push_back(s);
  }
  return out;
}

}  // namespace glia::sim
