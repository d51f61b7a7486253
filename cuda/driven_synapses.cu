// CUDA runner for driven Tsodyks–Markram synapses: one kernel launch per time step, one
// thread per synapse, calling the same driven_synapse_step() as the CPU runner.
#include <algorithm>
#include <cmath>
#include <vector>

#include "cuda/check.cuh"
#include "models/bio/driven_synapses.hpp"

namespace glia::bio {

namespace {

struct SpikeEvent {
  std::int64_t step;
  std::uint32_t i;
  double r;
};

__global__ void driven_synapses_step_kernel(DrivenSynapsesKernel k, std::int64_t step, SpikeEvent* events,
                                            unsigned long long* count, unsigned long long capacity) {
  const std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= k.n) return;
  double r;
  if (driven_synapse_step(k, i, step, r)) {
    const unsigned long long at = atomicAdd(count, 1ull);
    if (at < capacity) events[at] = SpikeEvent{step, i, r};
  }
}

constexpr std::int64_t kProgressSteps = 1000;
constexpr int kBlock = 256;

// Runs the whole simulation with room for `capacity` spikes; returns the spike count,
// which exceeds capacity when the buffer was too small (events past it are dropped).
unsigned long long run_once(const DrivenSynapsesSpec& spec, unsigned long long capacity,
                            const ProgressFn& progress, DrivenSynapsesRecord& rec,
                            std::vector<SpikeEvent>& events_out) {
  const std::uint32_t n = spec.n;
  std::vector<double> u0(n, 0.0), x0(n, 1.0), t0(n, 0.0);
  std::vector<std::int32_t> slot(n, -1);
  for (std::size_t c = 0; c < spec.state_indices.size(); ++c)
    slot[spec.state_indices[c]] = static_cast<std::int32_t>(c);
  const auto n_slots = static_cast<std::int32_t>(spec.state_indices.size());
  const std::size_t n_rec = static_cast<std::size_t>(state_sample_count(spec)) * n_slots;

  cuda::DeviceBuffer<double> u(n), x(n), t_last(n), u_rec(n_rec), x_rec(n_rec);
  cuda::DeviceBuffer<std::int32_t> d_slot(n);
  cuda::DeviceBuffer<SpikeEvent> events(capacity);
  cuda::DeviceBuffer<unsigned long long> count(1);
  u.upload(u0.data());
  x.upload(x0.data());
  t_last.upload(t0.data());
  d_slot.upload(slot.data());
  cuda::check(cudaMemset(count.get(), 0, sizeof(unsigned long long)), "cudaMemset");

  const DrivenSynapsesKernel k{
      n,          spec.dt,      spec.source,  spec.has_synapse, spec.tm,          u.get(),
      x.get(),    t_last.get(), d_slot.get(), n_slots,          spec.state_every, u_rec.get(),
      x_rec.get()};
  const unsigned grid = (n + kBlock - 1) / kBlock;
  for (std::int64_t step = 0; step < spec.n_steps; ++step) {
    driven_synapses_step_kernel<<<grid, kBlock>>>(k, step, events.get(), count.get(), capacity);
    if (progress && (step + 1) % kProgressSteps == 0) {
      cuda::check(cudaDeviceSynchronize(), "driven_synapses_step_kernel");
      progress(step + 1, spec.n_steps);
    }
  }
  cuda::check(cudaGetLastError(), "driven_synapses_step_kernel launch");
  cuda::check(cudaDeviceSynchronize(), "driven_synapses_step_kernel");

  unsigned long long n_events = 0;
  count.download(&n_events);
  if (n_events > capacity) return n_events;
  events_out.resize(n_events);
  cuda::check(
      cudaMemcpy(events_out.data(), events.get(), n_events * sizeof(SpikeEvent), cudaMemcpyDeviceToHost),
      "download events");
  rec.u.resize(n_rec);
  rec.x.resize(n_rec);
  u_rec.download(rec.u.data());
  x_rec.download(rec.x.data());
  return n_events;
}

}  // namespace

DrivenSynapsesRecord run_driven_synapses_cuda(const DrivenSynapsesSpec& spec, const ProgressFn& progress,
                                              unsigned long long spike_capacity) {
  // Room for the expected spike count with a wide margin; if a run still overflows, the
  // exact count is known and the deterministic run is repeated once with that size.
  if (!spec.record_spikes) {  // no spike buffer at all
    DrivenSynapsesRecord rec;
    std::vector<SpikeEvent> none;
    run_once(spec, 0, progress, rec, none);
    for (std::int64_t s = 0; s < state_sample_count(spec); ++s)
      rec.state_t.push_back(static_cast<double>(s * spec.state_every) * spec.dt);
    return rec;
  }
  const double expected =
      static_cast<double>(spec.n) * (spec.source.rate * static_cast<double>(spec.n_steps) * spec.dt + 1.0);
  const unsigned long long capacity =
      spike_capacity > 0
          ? spike_capacity
          : static_cast<unsigned long long>(1.2 * expected + 10.0 * std::sqrt(expected) + 1024);
  DrivenSynapsesRecord rec;
  std::vector<SpikeEvent> events;
  const unsigned long long needed = run_once(spec, capacity, progress, rec, events);
  if (needed > capacity) run_once(spec, needed, progress, rec, events);

  // Threads append in arbitrary order; the CPU order is (step, index).
  std::sort(events.begin(), events.end(), [](const SpikeEvent& a, const SpikeEvent& b) {
    return a.step != b.step ? a.step < b.step : a.i < b.i;
  });
  for (const SpikeEvent& e : events) {
    rec.spike_t.push_back(static_cast<double>(e.step) * spec.dt);
    rec.spike_i.push_back(e.i);
    if (spec.has_synapse) rec.spike_r.push_back(e.r);
  }
  for (std::int64_t s = 0; s < state_sample_count(spec); ++s)
    rec.state_t.push_back(static_cast<double>(s * spec.state_every) * spec.dt);
  return rec;
}

}  // namespace glia::bio
