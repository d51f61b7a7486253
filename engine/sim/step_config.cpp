#include "engine/sim/step_config.hpp"

#include <cmath>

#include "engine/core/error.hpp"
#include "engine/io/json_reader.hpp"

namespace glia::sim {

std::int64_t whole_steps(const std::string& field, double interval, double dt) {
  const double ratio = interval / dt;
  const auto steps = static_cast<std::int64_t>(std::llround(ratio));
  if (steps < 1 || std::fabs(ratio - static_cast<double>(steps)) > 1e-9 * std::max(1.0, ratio))
    throw ConfigError(field, io::json_text(nlohmann::json(interval)),
                      "must be a whole multiple of dt = " + io::json_text(nlohmann::json(dt)) + " s");
  return steps;
}

FixedStepMethod fixed_step_method(const std::string& field, const std::string& name) {
  if (name == "euler") return FixedStepMethod::euler;
  if (name == "rk2") return FixedStepMethod::rk2;
  if (name == "rk4") return FixedStepMethod::rk4;
  throw ConfigError(field, "\"" + name + "\"", "expected \"euler\", \"rk2\" or \"rk4\"");
}

const char* fixed_step_method_name(FixedStepMethod m) {
  switch (m) {
    case FixedStepMethod::euler:
      return "euler";
    case FixedStepMethod::rk2:
      return "rk2";
    case FixedStepMethod::rk4:
      return "rk4";
  }
  return "rk4";
}

}  // namespace glia::sim
