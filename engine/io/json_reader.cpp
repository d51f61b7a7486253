#include "engine/io/json_reader.hpp"

#include <cmath>
#include <functional>
#include <sstream>
#include <vector>

#include "engine/core/memory.hpp"

namespace glia::io {

namespace {
std::string unit_suffix(const char* unit) {
  return unit && *unit ? std::string(" (") + unit + ")" : std::string();
}

// Tracks the field path while nlohmann parses, so that an error raised inside the parser
// (a number that overflows to infinity) can name the field it belongs to. It also bounds the
// nesting: nlohmann parses any depth, but printing or walking a value recurses once per level,
// and a config nested 100,000 levels deep would overflow the stack there.
class PathTracker {
 public:
  bool operator()(int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    switch (event) {
      case E::object_start:
      case E::array_start:
        if (frames_.size() >= kMaxJsonDepth)
          throw ConfigError(path().empty() ? "config" : path(), "",
                            "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        frames_.push_back({event == E::array_start, 0, "", {}});
        break;
      case E::key:
        frames_.back().key = parsed.get<std::string>();
        // nlohmann keeps the last of duplicated keys; a config must not say two things.
        if (!frames_.back().keys.insert(frames_.back().key).second)
          throw ConfigError(path(), "", "key given twice");
        break;
      case E::object_end:
      case E::array_end:
        frames_.pop_back();
        [[fallthrough]];
      case E::value:
        if (!frames_.empty() && frames_.back().is_array) ++frames_.back().index;
        break;
    }
    return true;
  }
  std::string path() const {
    std::string p;
    for (const Frame& f : frames_) {
      if (f.is_array) {
        p += "[" + std::to_string(f.index) + "]";
      } else if (!f.key.empty()) {
        p += (p.empty() ? "" : ".") + f.key;
      }
    }
    return p;
  }

 private:
  struct Frame {
    bool is_array;
    std::size_t index;
    std::string key;
    std::set<std::string> keys;
  };
  std::vector<Frame> frames_;
};
}  // namespace

// Shortest text that reads back as v ("0.8", not "0.80000000000000004").
std::string number_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return nlohmann::json(v).dump();
}

std::string json_text(const nlohmann::json& v) {
  std::string s = v.is_number_float() ? number_text(v.get<double>()) : v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

nlohmann::json parse_json(const std::string& text, const std::string& what) {
  // nlohmann keeps every value in 16 bytes plus its container's share (arrays grow by doubling; an object
  // member is a map node with its key). Estimate that from the text and refuse a config that cannot fit:
  // running out of memory inside the parser is not recoverable (its clean-up allocates, and the process
  // aborts).
  double values = 1.0, members = 0.0;
  for (const char ch : text) {
    values += ch == ',' || ch == '[' || ch == '{';
    members += ch == ':';
  }
  const double need = static_cast<double>(text.size()) + 48.0 * values + 96.0 * members;
  if (need > memory_limit_bytes())
    throw ConfigError(what, gib_text(static_cast<double>(text.size())) + " of JSON",
                      "parsing it would take about " + gib_text(need) + ", more than the " +
                          gib_text(memory_limit_bytes()) + " this process may use");
  PathTracker tracker;
  try {
    return nlohmann::json::parse(text, std::ref(tracker));
  } catch (const nlohmann::json::out_of_range& e) {
    // "number overflow parsing '1e999'": a value that is not finite.
    std::string token = e.what();
    const auto open = token.find('\''), close = token.rfind('\'');
    token = open != std::string::npos && close > open ? token.substr(open + 1, close - open - 1) : "";
    throw ConfigError(tracker.path().empty() ? what : tracker.path(), token,
                      "must be finite (number overflows a double)");
  } catch (const nlohmann::json::parse_error& e) {
    std::string reason = e.what();
    // nlohmann prefixes "[json.exception.parse_error.101] parse error at ..."; keep the tail.
    const auto pos = reason.find("parse error");
    if (pos != std::string::npos) reason = reason.substr(pos);
    throw ConfigError(what, "", "invalid JSON: " + reason);
  }
}

double as_number(const nlohmann::json& v, const std::string& field) {
  // JSON has no NaN or infinity; the Python front end passes them as these strings.
  static const std::set<std::string> non_finite{"nan", "inf", "-inf", "NaN", "Infinity", "-Infinity"};
  if (v.is_string() && non_finite.count(v.get<std::string>()))
    throw ConfigError(field, v.get<std::string>(), "must be finite");
  if (!v.is_number()) throw ConfigError(field, json_text(v), "expected a number");
  const double d = v.get<double>();
  if (!std::isfinite(d)) throw ConfigError(field, json_text(v), "must be finite");
  return d;
}

std::int64_t as_integer(const nlohmann::json& v, const std::string& field) {
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    throw ConfigError(field, std::to_string(v.get<std::uint64_t>()), "too large");
  if (v.is_number_integer()) return v.get<std::int64_t>();
  const double d = as_number(v, field);
  if (d != std::floor(d) || std::fabs(d) > 9.0e15)
    throw ConfigError(field, json_text(v), "expected an integer");
  return static_cast<std::int64_t>(d);
}

JsonObjectReader::JsonObjectReader(const nlohmann::json& object, std::string path)
    : object_(object), path_(std::move(path)) {
  if (!object_.is_object())
    throw ConfigError(path_.empty() ? "config" : path_, json_text(object_), "expected a JSON object");
}

bool JsonObjectReader::has(const std::string& key) const { return object_.contains(key); }

std::string JsonObjectReader::field(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

const nlohmann::json& JsonObjectReader::require(const std::string& key) {
  if (!has(key)) throw ConfigError(field(key), "", "missing required field");
  used_.insert(key);
  return object_.at(key);
}

const nlohmann::json& JsonObjectReader::member(const std::string& key) { return require(key); }

double JsonObjectReader::number(const std::string& key) { return as_number(require(key), field(key)); }

double JsonObjectReader::number(const std::string& key, double fallback) {
  return has(key) ? number(key) : fallback;
}

std::int64_t JsonObjectReader::integer(const std::string& key) {
  return as_integer(require(key), field(key));
}

std::int64_t JsonObjectReader::integer(const std::string& key, std::int64_t fallback) {
  return has(key) ? integer(key) : fallback;
}

std::uint64_t JsonObjectReader::unsigned_integer(const std::string& key, std::uint64_t fallback) {
  if (!has(key)) return fallback;
  const nlohmann::json& v = require(key);
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  const std::int64_t i = as_integer(v, field(key));
  if (i < 0) throw ConfigError(field(key), json_text(v), "must be >= 0");
  return static_cast<std::uint64_t>(i);
}

std::string JsonObjectReader::string(const std::string& key) {
  const nlohmann::json& v = require(key);
  if (!v.is_string()) throw ConfigError(field(key), json_text(v), "expected a string");
  return v.get<std::string>();
}

std::string JsonObjectReader::string(const std::string& key, const std::string& fallback) {
  return has(key) ? string(key) : fallback;
}

bool JsonObjectReader::boolean(const std::string& key, bool fallback) {
  if (!has(key)) return fallback;
  const nlohmann::json& v = require(key);
  if (!v.is_boolean()) throw ConfigError(field(key), json_text(v), "expected true or false");
  return v.get<bool>();
}

void JsonObjectReader::finish() const {
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (!used_.count(it.key())) throw ConfigError(field(it.key()), json_text(it.value()), "unknown key");
  }
}

// Values reach these checks from JSON (always finite) and from Python and C++ callers (possibly not):
// infinity passes "> 0" but is no parameter value.
double check_positive(const std::string& field, double v, const char* unit) {
  if (!(v > 0.0)) throw ConfigError(field, number_text(v), "must be > 0" + unit_suffix(unit));
  if (!std::isfinite(v)) throw ConfigError(field, number_text(v), "must be finite");
  return v;
}

double check_non_negative(const std::string& field, double v, const char* unit) {
  if (!(v >= 0.0)) throw ConfigError(field, number_text(v), "must be >= 0" + unit_suffix(unit));
  if (!std::isfinite(v)) throw ConfigError(field, number_text(v), "must be finite");
  return v;
}

double check_in_range(const std::string& field, double v, double lo, bool lo_open, double hi,
                      const char* unit) {
  const bool ok = (lo_open ? v > lo : v >= lo) && v <= hi;
  if (!ok) {
    std::ostringstream r;
    r << "must be in " << (lo_open ? "(" : "[") << lo << ", " << hi << "]" << unit_suffix(unit);
    throw ConfigError(field, number_text(v), r.str());
  }
  return v;
}

const nlohmann::json& JsonObjectReader::array(const std::string& key) {
  const nlohmann::json& a = member(key);
  if (!a.is_array()) throw ConfigError(field(key), json_text(a), "expected a list");
  return a;
}

std::string element_field(const std::string& field, std::size_t i) {
  return field + "[" + std::to_string(i) + "]";
}

void check_name(const std::string& field, const std::string& name) {
  if (name.empty()) throw ConfigError(field, "\"\"", "must not be empty");
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) throw ConfigError(field, "\"" + name + "\"", "may contain only letters, digits and '_'");
  }
}

}  // namespace glia::io
