#include "engine/core/progress.hpp"

#include <unistd.h>
#include <cstdio>
#include <string>

namespace glia {

namespace {

// "42.0 s", "3.5 min", "2.1 h", "4.0 d", "57 years": an ETA a person can read at a glance.
std::string duration_text(double s) {
  char text[64];
  if (s < 120)
    std::snprintf(text, sizeof text, "%.1f s", s);
  else if (s < 7200)
    std::snprintf(text, sizeof text, "%.1f min", s / 60);
  else if (s < 172800)
    std::snprintf(text, sizeof text, "%.1f h", s / 3600);
  else if (s < 2 * 31557600.0)
    std::snprintf(text, sizeof text, "%.1f d", s / 86400);
  else
    std::snprintf(text, sizeof text, "%.3g years", s / 31557600.0);
  return text;
}

}  // namespace

ProgressLine::ProgressLine(std::string label, double simulated_seconds, bool enabled)
    : label_(std::move(label)), simulated_seconds_(simulated_seconds), enabled_(enabled) {}

ProgressLine::~ProgressLine() {
  if (printed_) std::fputc('\n', stderr);
}

void ProgressLine::update(std::int64_t done, std::int64_t total) {
  if (!enabled_ || total <= 0) return;
  const auto now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const bool finished = done >= total;
  if (elapsed < 1.0 || (!finished && std::chrono::duration<double>(now - last_).count() < 1.0)) return;
  last_ = now;
  const auto d = static_cast<double>(done), n = static_cast<double>(total);
  const double rate = d / elapsed;
  const double eta = rate > 0 ? (n - d) / rate : 0.0;
  // On a terminal redraw in place; in a log write one line per update.
  const bool tty = ::isatty(STDERR_FILENO);
  std::fprintf(stderr, "%s%s: %5.1f%% %lld/%lld, %.3g/s", tty ? "\r" : "", label_.c_str(), 100.0 * d / n,
               static_cast<long long>(done), static_cast<long long>(total), rate);
  if (simulated_seconds_ > 0 && d > 0)
    std::fprintf(stderr, " (%.3g s wall per s simulated)", elapsed / (d / n * simulated_seconds_));
  std::fprintf(stderr, ", ETA %s%s", duration_text(eta).c_str(), tty ? "   " : "\n");
  printed_ = tty;
  std::fflush(stderr);
}

}  // namespace glia
