#include "engine/nn/optim/schedule.hpp"

#include <algorithm>
#include <cmath>

#include "engine/core/error.hpp"

namespace glia::nn {

void check_schedule(const LrSchedule& s) {
  if (!(s.base_lr > 0.0) || !std::isfinite(s.base_lr))
    throw ConfigError("schedule.base_lr", std::to_string(s.base_lr), "must be finite and > 0");
  if (!(s.min_lr >= 0.0 && s.min_lr <= s.base_lr))
    throw ConfigError("schedule.min_lr", std::to_string(s.min_lr), "must be in [0, base_lr]");
  if (s.warmup < 0) throw ConfigError("schedule.warmup", std::to_string(s.warmup), "must be >= 0");
  if (s.kind != LrSchedule::Kind::constant && s.total <= s.warmup)
    throw ConfigError("schedule.total", std::to_string(s.total),
                      "must exceed warmup = " + std::to_string(s.warmup) + " for a decaying schedule");
}

LrSchedule::Kind schedule_kind(const std::string& field, const std::string& name) {
  if (name == "constant") return LrSchedule::Kind::constant;
  if (name == "linear") return LrSchedule::Kind::linear;
  if (name == "cosine") return LrSchedule::Kind::cosine;
  throw ConfigError(field, "\"" + name + "\"", "expected \"constant\", \"linear\" or \"cosine\"");
}

double learning_rate(const LrSchedule& s, std::int64_t step) {
  if (s.warmup > 0 && step <= s.warmup)
    return s.base_lr * static_cast<double>(std::max<std::int64_t>(step, 1)) / static_cast<double>(s.warmup);
  if (s.kind == LrSchedule::Kind::constant) return s.base_lr;
  const double progress =
      std::clamp(static_cast<double>(step - s.warmup) / static_cast<double>(s.total - s.warmup), 0.0, 1.0);
  const double shape = s.kind == LrSchedule::Kind::linear
                           ? 1.0 - progress
                           : 0.5 * (1.0 + std::cos(3.14159265358979323846 * progress));
  return s.min_lr + (s.base_lr - s.min_lr) * shape;
}

}  // namespace glia::nn
