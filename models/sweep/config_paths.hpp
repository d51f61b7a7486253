#pragma once
// Designs over paths into a base JSON configuration (docs/sweep_config.md): the "network" and
// "retention" sweep models keep a base configuration (of `glia simulate`, of `glia retention`) and
// a design whose names are paths into it ("groups.A.params.O_beta", "params.tau_pl", "T_on").
// A variant is the base with its values substituted, parsed by that configuration's own parser;
// this file resolves the paths, substitutes, and restates the parser's errors in terms of the
// design field and variant.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/error.hpp"
#include "engine/sim/design.hpp"

namespace glia::sweep {

// "rate.E" -> {"rate", "E"}: the parts of a summary's name or a path between its dots (empty parts kept).
std::vector<std::string> split_dots(const std::string& text);

// What a path may name in one kind of configuration.
struct ConfigPathSchema {
  // The sweep key of the base ("network", "retention"): errors say "no group "X" in network",
  // and an error of the base or of a variant outside the swept values is "network.<field>".
  std::string config;
  // Shown when a path is malformed: "expected a path into <path_hint>".
  std::string path_hint;
  // Top-level lists whose entries a path picks by a string key: "groups.NAME.…" picks the entry
  // of "groups" whose "name" is NAME.
  struct NamedList {
    std::string list;     // "groups"
    std::string key;      // "name": the key that names an entry
    std::string noun;     // "group": "expected groups.NAME.KEY: the group by its name, …"
    std::string missing;  // "group": "no group "X" in network"
  };
  std::vector<NamedList> named_lists;
  // First keys that are not parameters, with the reason.
  std::vector<std::pair<std::string, std::string>> refused;
  // True for whole-number locations (seeds, sizes, counts): the path's keys and the parser's
  // name of it ("groups[0].n").
  std::function<bool(const std::vector<std::string>& keys, const std::string& parser_field)> integer;
};

// Where a path points into the base.
struct ConfigPath {
  nlohmann::json::json_pointer pointer;
  std::string parser_field;  // as the configuration's parser names it: "groups[0].params.O_beta"
  bool integer = false;
};

// Resolves `path` (keys joined by '.', named entries by name, list entries by index) in `base`.
// The path must lead through existing objects and lists to a number, or to a key absent from an
// object (it is then added, with any objects under it: the parser checks it like any other key).
// ConfigError(field, "", reason) otherwise.
ConfigPath resolve_config_path(const nlohmann::json& base, const std::string& path, const std::string& field,
                               const ConfigPathSchema& schema);

// The names a design object sets, with the field of their first appearance ("design.grid.NAME").
// Resolves every design column's path in `base` (see resolve_config_path): the JSON pointers where a
// variant's values go and the fields the configuration's parser names them by.
void resolve_design_paths(const nlohmann::json& base, const sim::DesignTable& design,
                          const ConfigPathSchema& schema, std::vector<nlohmann::json::json_pointer>& pointers,
                          std::vector<std::string>& parser_fields);

std::vector<std::pair<std::string, std::string>> design_path_names(const nlohmann::json& design,
                                                                   const std::string& design_field);

// The known parameters of a design over paths into `base`, for sim::parse_design: every name of
// the design resolved (errors name its field), whole numbers where the schema says so.
std::vector<sim::DesignParameter> path_design_parameters(const nlohmann::json& base,
                                                         const nlohmann::json& design,
                                                         const std::string& design_field,
                                                         const ConfigPathSchema& schema);

// The base with variant v's values substituted at `pointers` (one per design column).
nlohmann::json substitute_variant(const nlohmann::json& base,
                                  const std::vector<nlohmann::json::json_pointer>& pointers,
                                  const sim::DesignTable& design, std::size_t v);

// "design.grid.a[1] = 2.0, design.grid.b[0] = 3.0": variant v's values and where they came from.
std::string variant_values_text(const sim::DesignTable& design, std::size_t v);

// The reason of a ConfigError without its "field = value: " prefix.
std::string config_error_reason(const ConfigError& e);

// True when the parser's error at `error_field` is about the value at `column_field` (or about a
// key the substitution added on the way to it).
bool config_error_is_about(const std::string& error_field, const std::string& column_field);

// An error the parser raised for the base as given: one about a swept location is left to the
// variants (the design replaces that value); any other is ConfigError("<config>.<field>", …).
void restate_base_error(const std::string& config, const std::vector<std::string>& parser_fields,
                        const ConfigError& e);

// The parser's error for variant v, restated: under the design field and entry when it is about a
// swept value ("design.grid.params.tau_pl[1] = -1.0: must be > 0 (s)"), else as the configuration's,
// naming the variant ("retention.T_on = …: … (in design variant 3: …)").
[[noreturn]] void restate_variant_error(const std::string& config,
                                        const std::vector<std::string>& parser_fields,
                                        const sim::DesignTable& design, std::size_t v, const ConfigError& e);

}  // namespace glia::sweep
