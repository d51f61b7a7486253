#pragma once
// The first network the engine runs: a group of spike sources, each driving one
// Tsodyks–Markram synapse (one-to-one), with state and spike recording. The per-element
// step below is the single definition of the update; the CPU runner calls it in a loop and
// the CUDA runner (cuda/driven_synapses.cu) calls it from a kernel.
#include <cstdint>
#include <functional>
#include <vector>

#include "engine/core/hostdevice.hpp"
#include "engine/sim/spike_source.hpp"
#include "models/bio/tsodyks_markram.hpp"

namespace glia::bio {

struct DrivenSynapsesSpec {
  std::uint32_t n = 0;       // number of sources (and synapses)
  double dt = 1e-4;          // s
  std::int64_t n_steps = 0;  // duration / dt
  sim::SpikeSourceParams source;
  bool has_synapse = true;    // false: run the sources alone (spike recording only)
  bool record_spikes = true;  // keep spike times (and releases); off when no monitor needs them
  TsodyksMarkramParams tm;
  std::vector<std::uint32_t> state_indices;  // synapses whose u, x are recorded
  std::int64_t state_every = 0;              // steps between state samples; 0 = none
};

struct DrivenSynapsesRecord {
  std::vector<double> state_t;  // s, sample times (step * dt), after that step's spikes
  std::vector<double> u, x;     // [sample][index] row-major, n_samples x state_indices.size()
  std::vector<double> spike_t;  // s, ordered by time then index
  std::vector<std::uint32_t> spike_i;
  std::vector<double> spike_r;  // released fraction r at each spike (empty without synapse)
};

// Plain pointers into the engine's struct-of-arrays buffers (host or device memory).
struct DrivenSynapsesKernel {
  std::uint32_t n;
  double dt;
  sim::SpikeSourceParams source;
  bool has_synapse;
  TsodyksMarkramParams tm;
  double* u;
  double* x;
  double* t_last;
  const std::int32_t* slot;  // per synapse: column in the state record, or -1
  std::int32_t n_slots;
  std::int64_t state_every;
  double* u_rec;  // n_samples x n_slots
  double* x_rec;
};

// One time step of synapse i: draw its source's spike, apply it, record state if due.
// Returns true if the source spiked; r receives the released fraction.
GLIA_HD inline bool driven_synapse_step(const DrivenSynapsesKernel& k, std::uint32_t i, std::int64_t step,
                                        double& r) {
  const double t = static_cast<double>(step) * k.dt;
  const bool spiked = sim::source_spikes(k.source, i, step, k.dt);
  r = 0.0;
  if (!k.has_synapse) return spiked;
  TsodyksMarkramState s{k.u[i], k.x[i], k.t_last[i]};
  if (spiked) {
    r = tm_on_spike(k.tm, s, t);
    k.u[i] = s.u;
    k.x[i] = s.x;
    k.t_last[i] = s.t_last;
  }
  if (k.state_every > 0 && step % k.state_every == 0 && k.slot[i] >= 0) {
    double u, x;
    tm_state_at(k.tm, s, t, u, x);
    const std::int64_t row = step / k.state_every;
    k.u_rec[row * k.n_slots + k.slot[i]] = u;
    k.x_rec[row * k.n_slots + k.slot[i]] = x;
  }
  return spiked;
}

// Called every few hundred steps with (steps done, total steps).
using ProgressFn = std::function<void(std::int64_t, std::int64_t)>;

inline std::int64_t state_sample_count(const DrivenSynapsesSpec& s) {
  return s.state_every > 0 ? (s.n_steps + s.state_every - 1) / s.state_every : 0;
}

DrivenSynapsesRecord run_driven_synapses_cpu(const DrivenSynapsesSpec& spec, const ProgressFn& progress = {});
// Defined in cuda/driven_synapses.cu; only present when glia is built with CUDA.
// spike_capacity: initial size of the device spike buffer (0: estimated from the rate); a
// run that overflows it is repeated once with the exact size.
DrivenSynapsesRecord run_driven_synapses_cuda(const DrivenSynapsesSpec& spec, const ProgressFn& progress = {},
                                              unsigned long long spike_capacity = 0);

}  // namespace glia::bio
