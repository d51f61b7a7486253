#pragma once
// Per-variant summaries of a batched run, accumulated step by step (no traces kept), written
// once for CPU and CUDA. A summary reads one variable at the end of every step inside the
// window (after the transient) and reduces it:
//   mean, max, min          over the window's samples;
//   final                   the value at the end of the run;
//   time_above              seconds (samples x dt) with the value > threshold;
//   events                  upward crossings of the threshold (prev <= thr < value);
//   frequency               (crossings - 1) / (last - first crossing time), crossing times
//                           interpolated linearly between samples; 0 with fewer than 2;
//   amplitude               mean over complete cycles (one upward crossing to the next) of
//                           max - min of the samples in the cycle; NaN without a cycle.
// Spike summaries are fed at presynaptic spikes inside the window instead:
//   spike_count, release_probability (mean u after the facilitation jump, the probability
//   that a docked resource is released) and released_fraction (mean r = u x).
#include <cstdint>

#include "engine/core/hostdevice.hpp"

namespace glia::sim {

enum class SummaryStat : std::int32_t {
  mean,
  max,
  min,
  final_value,
  time_above,
  events,
  frequency,
  amplitude,
  spike_count,
  release_probability,
  released_fraction
};

GLIA_HD inline bool summary_needs_threshold(SummaryStat s) {
  return s == SummaryStat::time_above || s == SummaryStat::events || s == SummaryStat::frequency ||
         s == SummaryStat::amplitude;
}

GLIA_HD inline bool summary_is_spike_stat(SummaryStat s) {
  return s == SummaryStat::spike_count || s == SummaryStat::release_probability ||
         s == SummaryStat::released_fraction;
}

// Running state of one summary of one variant.
struct SummaryAcc {
  double a, b, c;     // statistic-specific (sum, extremes, crossing times)
  double prev;        // the previous sample, for crossings
  std::int64_t n, m;  // counts
};

GLIA_HD inline void summary_start(SummaryStat s, SummaryAcc& acc, double v0) {
  acc.a = s == SummaryStat::max ? -1.0 / 0.0 : (s == SummaryStat::min ? 1.0 / 0.0 : 0.0);
  if (s == SummaryStat::final_value) acc.a = v0;
  acc.b = acc.c = 0.0;
  acc.prev = v0;
  acc.n = acc.m = 0;
}

// One sample v at time t (end of a step of length dt); `in_window`: after the transient.
GLIA_HD inline void summary_sample(SummaryStat s, SummaryAcc& acc, double v, double threshold, double t,
                                   double dt, bool in_window) {
  const double prev = acc.prev;
  acc.prev = v;
  if (s == SummaryStat::final_value) {
    acc.a = v;
    return;
  }
  if (!in_window) return;
  const bool crossed = prev <= threshold && v > threshold;
  switch (s) {
    case SummaryStat::mean:
      acc.a += v;
      ++acc.n;
      break;
    case SummaryStat::max:
      acc.a = v > acc.a ? v : acc.a;
      break;
    case SummaryStat::min:
      acc.a = v < acc.a ? v : acc.a;
      break;
    case SummaryStat::time_above:
      acc.n += v > threshold ? 1 : 0;
      break;
    case SummaryStat::events:
      acc.n += crossed ? 1 : 0;
      break;
    case SummaryStat::frequency:
      if (crossed) {
        const double t_cross = t - dt * (v - threshold) / (v - prev);
        if (acc.n == 0) acc.a = t_cross;
        acc.b = t_cross;
        ++acc.n;
      }
      break;
    case SummaryStat::amplitude:
      if (crossed) {
        if (acc.m) {  // a cycle ends: its extremes are a (max) and b (min)
          acc.c += acc.a - acc.b;
          ++acc.n;
        }
        acc.a = acc.b = v;
        acc.m = 1;
      } else if (acc.m) {
        acc.a = v > acc.a ? v : acc.a;
        acc.b = v < acc.b ? v : acc.b;
      }
      break;
    default:
      break;
  }
}

// A presynaptic spike inside the window: u after the facilitation jump, r the released fraction.
GLIA_HD inline void summary_spike(SummaryStat s, SummaryAcc& acc, double u, double r) {
  if (s == SummaryStat::spike_count) {
    ++acc.n;
  } else if (s == SummaryStat::release_probability) {
    acc.a += u;
    ++acc.n;
  } else if (s == SummaryStat::released_fraction) {
    acc.a += r;
    ++acc.n;
  }
}

GLIA_HD inline double summary_value(SummaryStat s, const SummaryAcc& acc, double dt) {
  const double nan = 0.0 / 0.0;
  switch (s) {
    case SummaryStat::mean:
    case SummaryStat::release_probability:
    case SummaryStat::released_fraction:
      return acc.n > 0 ? acc.a / static_cast<double>(acc.n) : nan;
    case SummaryStat::max:
    case SummaryStat::min:
    case SummaryStat::final_value:
      return acc.a;
    case SummaryStat::time_above:
      return static_cast<double>(acc.n) * dt;
    case SummaryStat::events:
    case SummaryStat::spike_count:
      return static_cast<double>(acc.n);
    case SummaryStat::frequency:
      return acc.n >= 2 ? static_cast<double>(acc.n - 1) / (acc.b - acc.a) : 0.0;
    case SummaryStat::amplitude:
      return acc.n > 0 ? acc.c / static_cast<double>(acc.n) : nan;
  }
  return nan;
}

}  // namespace glia::sim
