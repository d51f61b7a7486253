// CUDA backend of the continuous system: the layout's arrays mirrored on the device and stepped by
// the same rate_step (models/network/rate_step.hpp) as the CPU, with for_each as a kernel launch.
#include <memory>

#include "cuda/check.cuh"
#include "models/network/rate_device.hpp"

namespace glia::network {

namespace {

constexpr int kThreads = 128;

template <class F>
__global__ void for_each_kernel(std::int64_t n, F f) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) f(i);
}

template <class F>
__global__ void serial_kernel(F f) {
  f();
}

__global__ void first_nonfinite_kernel(std::int64_t n, const double* y, unsigned long long* bad) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n && !(y[i] - y[i] == 0.0)) atomicMin(bad, static_cast<unsigned long long>(i));
}

struct CudaBackend {
  template <class F>
  void for_each(std::int64_t n, const F& f) {
    if (n <= 0) return;
    for_each_kernel<<<static_cast<unsigned>((n + kThreads - 1) / kThreads), kThreads>>>(n, f);
    cuda::check(cudaGetLastError(), "rate kernel");
  }
  template <class F>
  void serial(const F& f) {
    serial_kernel<<<1, 1>>>(f);
    cuda::check(cudaGetLastError(), "rate kernel");
  }
};

template <class T>
std::unique_ptr<cuda::DeviceBuffer<T>> mirror(const std::vector<T>& host) {
  auto d = std::make_unique<cuda::DeviceBuffer<T>>(host.size());
  d->upload(host.data());
  return d;
}

}  // namespace

struct RateDevice::Impl {
  std::unique_ptr<cuda::DeviceBuffer<double>> state, reals;
  std::unique_ptr<cuda::DeviceBuffer<std::int64_t>> ints;
  std::unique_ptr<cuda::DeviceBuffer<std::uint32_t>> idx;
  cuda::DeviceBuffer<unsigned long long> bad{1};
  std::int64_t size = 0;
  RateViews views;
};

RateDevice::RateDevice(const RateLayout& L) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.size = L.size;
  std::vector<double> state(static_cast<std::size_t>(6 * L.size), 0.0);
  std::copy(L.y.begin(), L.y.end(), state.begin());
  m.state = mirror(state);
  m.reals = mirror(L.reals);
  m.ints = mirror(L.ints);
  m.idx = mirror(L.idx);
}

RateDevice::~RateDevice() = default;

std::int64_t RateDevice::step(const RateLayout& L, std::int64_t k, double h) {
  Impl& m = *impl_;
  RateViews& v = m.views;
  rate_views(L, k, m.state->get(), m.reals->get(), m.ints->get(), m.idx->get(), v);
  CudaBackend be;
  rate_step(be, v, L.method, h);
  const auto n = static_cast<unsigned long long>(m.size);
  m.bad.upload(&n);
  first_nonfinite_kernel<<<static_cast<unsigned>((m.size + kThreads - 1) / kThreads), kThreads>>>(m.size, v.y,
                                                                                                  m.bad.get());
  cuda::check(cudaGetLastError(), "rate check kernel");
  unsigned long long bad = 0;
  m.bad.download(&bad);
  return static_cast<std::int64_t>(bad);
}

void RateDevice::download(std::vector<double>& y) const {
  const Impl& m = *impl_;
  cuda::check(cudaMemcpy(y.data(), m.state->get(), static_cast<std::size_t>(m.size) * sizeof(double),
                         cudaMemcpyDeviceToHost),
              "download rate state");
}

}  // namespace glia::network
