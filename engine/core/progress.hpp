#pragma once
// A progress line for long runs on stderr: fraction done, rate, ETA. Quiet for runs that
// finish within the first second, and redrawn at most once per second.
#include <chrono>
#include <cstdint>
#include <string>

namespace glia {

class ProgressLine {
 public:
  // `simulated_seconds`: biological time covered by the whole job, to show wall seconds per
  // simulated second; 0 to omit it.
  ProgressLine(std::string label, double simulated_seconds, bool enabled = true);
  ~ProgressLine();
  void update(std::int64_t done, std::int64_t total);

 private:
  using Clock = std::chrono::steady_clock;
  std::string label_;
  double simulated_seconds_;
  bool enabled_;
  bool printed_ = false;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_ = start_;
};

}  // namespace glia
