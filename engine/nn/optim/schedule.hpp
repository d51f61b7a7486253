#pragma once
// Learning-rate schedules for the trainer: linear warm-up to the base rate, then constant, linear decay or
// cosine decay to a floor, as a pure function of the step (so a resumed run continues exactly).
#include <cstdint>
#include <string>

namespace glia::nn {

struct LrSchedule {
  enum class Kind { constant, linear, cosine } kind = Kind::constant;
  double base_lr = 1e-3;    // > 0
  double min_lr = 0.0;      // in [0, base_lr]: the rate reached at total_steps
  std::int64_t warmup = 0;  // steps of linear warm-up from base_lr / warmup (step 1) to base_lr
  std::int64_t total = 0;   // decay ends here (linear, cosine); > warmup
};

// Checks the schedule; ConfigError naming "schedule.<field>".
void check_schedule(const LrSchedule& s);
// Kind from its name ("constant", "linear", "cosine"); ConfigError naming `field` otherwise.
LrSchedule::Kind schedule_kind(const std::string& field, const std::string& name);

// Learning rate of optimizer step `step` (1-based). After `total` the rate stays at min_lr.
double learning_rate(const LrSchedule& s, std::int64_t step);

}  // namespace glia::nn
