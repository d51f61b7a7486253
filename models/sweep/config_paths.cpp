#include "models/sweep/config_paths.hpp"

#include <algorithm>
#include <limits>
#include <set>

#include "engine/io/json_reader.hpp"

namespace glia::sweep {

namespace {

using nlohmann::json;

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

std::vector<std::string> split_path(const std::string& path, const std::string& field,
                                    const ConfigPathSchema& schema) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    out.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (out.back().empty()) throw ConfigError(field, "", "expected a path into " + schema.path_hint);
    // A config is at most kMaxJsonDepth levels deep, and so is a path into it.
    if (out.size() > io::kMaxJsonDepth)
      throw ConfigError(field, "",
                        "a path of more than " + std::to_string(io::kMaxJsonDepth) + " components");
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

bool is_index(const std::string& s) {
  return !s.empty() && s.size() < 10 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::vector<std::string> split_dots(const std::string& text) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const std::size_t dot = text.find('.', start);
    parts.push_back(text.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

ConfigPath resolve_config_path(const json& base, const std::string& path, const std::string& field,
                               const ConfigPathSchema& schema) {
  const std::vector<std::string> segs = split_path(path, field, schema);
  ConfigPath out;
  const json* cur = &base;
  std::size_t i = 0;
  const std::string& first = segs[0];
  for (const auto& [key, reason] : schema.refused)
    if (first == key) throw ConfigError(field, "", reason);
  for (const auto& named : schema.named_lists) {
    if (first != named.list) continue;
    if (segs.size() < 3)
      throw ConfigError(field, "",
                        "expected " + first + ".NAME.KEY: the " + named.noun + " by its " + named.key +
                            ", then a key in it");
    const json* list = base.contains(first) ? &base.at(first) : nullptr;
    std::size_t found = std::numeric_limits<std::size_t>::max();
    if (list && list->is_array())
      for (std::size_t k = 0; k < list->size(); ++k) {
        const json& e = (*list)[k];
        if (e.is_object() && e.contains(named.key) && e.at(named.key).is_string() &&
            e.at(named.key).get<std::string>() == segs[1]) {
          found = k;
          break;
        }
      }
    if (found == std::numeric_limits<std::size_t>::max())
      throw ConfigError(field, "", "no " + named.missing + " " + in_quotes(segs[1]) + " in " + schema.config);
    cur = &(*list)[found];
    out.pointer /= first;
    out.pointer /= found;
    out.parser_field = first + "[" + std::to_string(found) + "]";
    i = 2;
    break;
  }
  bool exists = true;
  for (; i < segs.size(); ++i) {
    const std::string& seg = segs[i];
    if (!exists) {
      if (is_index(seg))
        throw ConfigError(field, "",
                          out.parser_field + " is not in the base " + schema.config +
                              ": give the list there to " + "sweep an entry of it (" + in_quotes(seg) +
                              " is a list index)");
      out.pointer /= seg;
      out.parser_field += "." + seg;
    } else if (cur->is_object()) {
      out.pointer /= seg;
      out.parser_field += (out.parser_field.empty() ? "" : ".") + seg;
      if (cur->contains(seg)) {
        cur = &cur->at(seg);
      } else {
        exists = false;
      }
    } else if (cur->is_array()) {
      if (!is_index(seg) || std::stoul(seg) >= cur->size())
        throw ConfigError(field, "",
                          in_quotes(seg) + ": " + out.parser_field + " is a list of " +
                              std::to_string(cur->size()) + ": expected an index in [0, " +
                              std::to_string(cur->size()) + ")");
      const std::size_t k = std::stoul(seg);
      out.pointer /= k;
      out.parser_field += "[" + seg + "]";
      cur = &(*cur)[k];
    } else {
      throw ConfigError(field, "",
                        (out.parser_field.empty() ? "the " + schema.config : out.parser_field) + " = " +
                            io::json_text(*cur) + " has no key " + in_quotes(seg));
    }
  }
  if (exists && !cur->is_number())
    throw ConfigError(field, "", out.parser_field + " = " + io::json_text(*cur) + ": not a number");
  out.integer = schema.integer && schema.integer(segs, out.parser_field);
  return out;
}

std::vector<std::pair<std::string, std::string>> design_path_names(const json& design,
                                                                   const std::string& design_field) {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  const auto add = [&](const std::string& name, const std::string& field) {
    if (seen.insert(name).second) out.emplace_back(name, field);
  };
  if (!design.is_object()) return out;
  if (design.contains("grid") && design.at("grid").is_object())
    for (auto it = design.at("grid").begin(); it != design.at("grid").end(); ++it)
      add(it.key(), design_field + ".grid." + it.key());
  if (design.contains("list") && design.at("list").is_array()) {
    const json& l = design.at("list");
    for (std::size_t v = 0; v < l.size(); ++v)
      if (l[v].is_object())
        for (auto it = l[v].begin(); it != l[v].end(); ++it)
          add(it.key(), design_field + ".list[" + std::to_string(v) + "]." + it.key());
  }
  for (const char* kind : {"random", "lhs"})
    if (design.contains(kind) && design.at(kind).is_object() && design.at(kind).contains("ranges") &&
        design.at(kind).at("ranges").is_object())
      for (auto it = design.at(kind).at("ranges").begin(); it != design.at(kind).at("ranges").end(); ++it)
        add(it.key(), design_field + "." + kind + ".ranges." + it.key());
  return out;
}

std::vector<sim::DesignParameter> path_design_parameters(const json& base, const json& design,
                                                         const std::string& design_field,
                                                         const ConfigPathSchema& schema) {
  std::vector<sim::DesignParameter> known;
  for (const auto& [name, field] : design_path_names(design, design_field)) {
    const ConfigPath r = resolve_config_path(base, name, field, schema);
    sim::DesignParameter p;
    p.name = name;
    p.integer = r.integer;
    known.push_back(p);
  }
  return known;
}

json substitute_variant(const json& base, const std::vector<json::json_pointer>& pointers,
                        const sim::DesignTable& design, std::size_t v) {
  json c = base;
  for (std::size_t k = 0; k < pointers.size(); ++k) c[pointers[k]] = design.at(v, k);
  return c;
}

std::string variant_values_text(const sim::DesignTable& design, std::size_t v) {
  std::string values;
  for (std::size_t c = 0; c < design.names.size(); ++c)
    values += (values.empty() ? "" : ", ") + design.source(v, c) + " = " + io::number_text(design.at(v, c));
  return values;
}

std::string config_error_reason(const ConfigError& e) {
  const std::string prefix = e.field() + (e.value().empty() ? "" : " = " + e.value()) + ": ";
  const std::string what = e.what();
  return what.compare(0, prefix.size(), prefix) == 0 ? what.substr(prefix.size()) : what;
}

bool config_error_is_about(const std::string& error_field, const std::string& column_field) {
  if (error_field == column_field) return true;
  return column_field.size() > error_field.size() &&
         column_field.compare(0, error_field.size(), error_field) == 0 &&
         (column_field[error_field.size()] == '.' || column_field[error_field.size()] == '[');
}

void restate_base_error(const std::string& config, const std::vector<std::string>& parser_fields,
                        const ConfigError& e) {
  for (const auto& f : parser_fields)
    if (config_error_is_about(e.field(), f)) return;
  throw ConfigError(config + "." + e.field(), e.value(), config_error_reason(e));
}

void restate_variant_error(const std::string& config, const std::vector<std::string>& parser_fields,
                           const sim::DesignTable& design, std::size_t v, const ConfigError& e) {
  for (std::size_t c = 0; c < design.names.size(); ++c)
    if (config_error_is_about(e.field(), parser_fields[c])) {
      const std::string reason =
          e.field() == parser_fields[c] ? config_error_reason(e) : config + "." + e.what();
      throw ConfigError(design.source(v, c), io::number_text(design.at(v, c)), reason);
    }
  throw ConfigError(config + "." + e.field(), e.value(),
                    config_error_reason(e) + " (in design variant " + std::to_string(v) + ": " +
                        variant_values_text(design, v) + ")");
}

void resolve_design_paths(const nlohmann::json& base, const sim::DesignTable& design,
                          const ConfigPathSchema& schema, std::vector<nlohmann::json::json_pointer>& pointers,
                          std::vector<std::string>& parser_fields) {
  pointers.clear();
  parser_fields.clear();
  for (const std::string& name : design.names) {
    const ConfigPath p = resolve_config_path(base, name, design.path + "." + name, schema);
    pointers.push_back(p.pointer);
    parser_fields.push_back(p.parser_field);
  }
}

}  // namespace glia::sweep
