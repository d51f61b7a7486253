#pragma once
#include <stdexcept>
#include <string>

namespace glia {

// A bad configuration or argument supplied by the user. The message names the field
// (as a path such as "synapses[0].tau_rec") and the offending value. Front ends map it
// to exit status 2 (CLI) or glia.ConfigError (Python).
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string field, std::string value, const std::string& reason)
      : std::runtime_error(field + (value.empty() ? "" : " = " + value) + ": " + reason),
        field_(std::move(field)),
        value_(std::move(value)) {}
  const std::string& field() const { return field_; }
  const std::string& value() const { return value_; }

 private:
  std::string field_;
  std::string value_;
};

// A failure while running (I/O, device, numerics) that is not the user's input.
class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace glia
