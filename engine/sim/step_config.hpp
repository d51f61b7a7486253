#pragma once
// Checks shared by every front end that sets up time stepping: intervals that must be whole
// multiples of a step, and the names of the fixed-step methods. Errors are ConfigErrors naming
// the field.
#include <cstdint>
#include <string>

#include "engine/sim/fixed_step.hpp"

namespace glia::sim {

// interval / dt as a whole number >= 1 of steps, or ConfigError(field) if it is not one.
std::int64_t whole_steps(const std::string& field, double interval, double dt);

// "euler", "rk2" or "rk4"; ConfigError(field) otherwise.
FixedStepMethod fixed_step_method(const std::string& field, const std::string& name);

// The name fixed_step_method reads.
const char* fixed_step_method_name(FixedStepMethod m);

}  // namespace glia::sim
