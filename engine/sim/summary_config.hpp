#pragma once
// Choosing summaries by name in a sweep configuration: "C.mean", "C.frequency",
// "release_probability", or {"variable": "C", "stat": "time_above", "threshold": 0.3,
// "name": "C_above"}. The model says which variables exist, whether it has presynaptic spikes,
// and which parameter gives a variable's default threshold (C: the release threshold C_Theta).
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/sim/summary.hpp"

namespace glia::sim {

struct SummaryModel {
  std::vector<std::string> variables;
  bool spikes = false;
  std::map<std::string, std::string> default_threshold;  // variable -> parameter name
};

struct SummarySpec {
  std::string name;  // dataset name in results
  SummaryStat stat = SummaryStat::mean;
  std::string variable;  // "" for spike statistics
  bool has_threshold = false;
  double threshold = 0.0;
  std::string threshold_parameter;  // without an explicit threshold: the variant's value of this
};

const char* summary_stat_name(SummaryStat s);

// The statistic of a name ("mean", "frequency", ...); false for an unknown name.
bool find_summary_stat(const std::string& name, SummaryStat& out);

// The names of the sample statistics (spike = false) or of the spike statistics, comma-separated.
std::string summary_stat_list(bool spike);

// Reads the list at `path`; ConfigError names the entry ("summaries[2].stat = \"freq\": ...").
std::vector<SummarySpec> parse_summaries(const nlohmann::json& list, const std::string& path,
                                         const SummaryModel& model);

}  // namespace glia::sim
