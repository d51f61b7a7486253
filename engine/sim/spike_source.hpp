#pragma once
// Spike sources that drive synapses: a homogeneous Poisson process and a regular train.
// Spikes fall on the simulation grid (t = step * dt), as in Brian's PoissonGroup and
// NEST's poisson_generator; randomness comes from Philox keyed by (seed, step, neuron,
// stream), so every backend and thread count draws the same spikes.
#include <cstdint>

#include "engine/core/hostdevice.hpp"
#include "engine/core/philox.hpp"

namespace glia::sim {

enum class SourceKind : std::int32_t { poisson = 0, regular = 1 };

struct SpikeSourceParams {
  SourceKind kind = SourceKind::poisson;
  double rate = 10.0;        // Hz; Poisson mean rate or regular train frequency
  double start = 0.0;        // s; no spikes before this time
  std::uint64_t seed = 0;    // simulation seed (Poisson only)
  std::uint32_t stream = 0;  // distinguishes groups sharing a seed
};

// Does neuron i of the source spike in time step `step` (covering [step*dt, (step+1)*dt))?
GLIA_HD inline bool source_spikes(const SpikeSourceParams& p, std::uint32_t i, std::int64_t step, double dt) {
  const double t = static_cast<double>(step) * dt;
  if (t < p.start - 0.5 * dt) return false;
  if (p.kind == SourceKind::poisson) {
    return philox_uniform(p.seed, step, i, p.stream) < p.rate * dt;
  }
  // Regular: spike k is at start + k/rate, rounded to the nearest step. The period is at
  // least dt (validated), so only the nearest k can land on this step.
  const double k_real = (t - p.start) * p.rate;
  const auto k = static_cast<std::int64_t>(k_real + 0.5);
  if (k < 0) return false;
  const double t_k = p.start + static_cast<double>(k) / p.rate;
  return static_cast<std::int64_t>(t_k / dt + 0.5) == step;
}

}  // namespace glia::sim
