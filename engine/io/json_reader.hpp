#pragma once
// Strict reading of JSON configuration objects: every value is checked for type and
// finiteness, every error names the field by its full path ("synapses[0].tau_rec") and its
// value, and keys that nobody read are reported as unknown (a typo must not be ignored).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "engine/core/error.hpp"

namespace glia::io {

// Compact text of a JSON value for error messages (strings quoted, long values cut).
std::string json_text(const nlohmann::json& v);

// Shortest text that reads back as v ("0.8", "nan", "inf"), for error messages.
std::string number_text(double v);

// Parses JSON text; a syntax error becomes a ConfigError naming `what` (a file name) and
// the byte offset. Values nested deeper than kMaxJsonDepth are refused (ConfigError naming the path).
inline constexpr std::size_t kMaxJsonDepth = 64;
nlohmann::json parse_json(const std::string& text, const std::string& what);

class JsonObjectReader {
 public:
  // `path` is the field path of this object ("" for the root).
  JsonObjectReader(const nlohmann::json& object, std::string path);

  bool has(const std::string& key) const;
  std::string field(const std::string& key) const;  // full path of a member

  double number(const std::string& key);  // required, finite
  double number(const std::string& key, double fallback);
  std::int64_t integer(const std::string& key);
  std::int64_t integer(const std::string& key, std::int64_t fallback);
  std::uint64_t unsigned_integer(const std::string& key, std::uint64_t fallback);
  std::string string(const std::string& key);
  std::string string(const std::string& key, const std::string& fallback);
  bool boolean(const std::string& key, bool fallback);
  // A member of any type, marked as read; throws if missing.
  const nlohmann::json& member(const std::string& key);
  // A member that must be a JSON list.
  const nlohmann::json& array(const std::string& key);

  // Throws ConfigError for the first key that was never read.
  void finish() const;

 private:
  const nlohmann::json& require(const std::string& key);
  const nlohmann::json& object_;
  std::string path_;
  std::set<std::string> used_;
};

// Value checks for numbers that have already been read; `unit` is printed in the message.
double check_positive(const std::string& field, double v, const char* unit);
double check_non_negative(const std::string& field, double v, const char* unit);
double check_in_range(const std::string& field, double v, double lo, bool lo_open, double hi,
                      const char* unit);

// "field[i]": the path of a list element, for messages.
std::string element_field(const std::string& field, std::size_t i);

// A name of a group, synapse or projection: letters, digits and '_' only, not empty.
void check_name(const std::string& field, const std::string& name);

// Number or integer conversion of an element already in hand (arrays of indices etc.).
double as_number(const nlohmann::json& v, const std::string& field);
std::int64_t as_integer(const nlohmann::json& v, const std::string& field);

}  // namespace glia::io
