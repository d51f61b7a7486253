#pragma once
// CPU loops over index ranges: OpenMP for large ranges, a plain loop below a threshold. An inactive
// OpenMP region (`#pragma omp parallel for if (false)`) still costs a trip through libgomp, which
// dominates the small loops of small networks stepped millions of times; these helpers skip it.
#include <atomic>
#include <cstdint>

namespace glia {

// f(i) for i in [0, n); iterations are independent.
template <class F>
void parallel_for(std::int64_t n, std::int64_t min_parallel, const F& f) {
  if (n < min_parallel) {
    for (std::int64_t i = 0; i < n; ++i) f(i);
    return;
  }
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) f(i);
}

// The same for loop bodies worth running in SIMD lanes (short arithmetic bodies, such as the rate
// system's): the serial loop runs under `omp simd`. The threaded one does not: there the lanes would fall
// differently for each thread count, and results must not depend on it.
template <class F>
void parallel_for_simd(std::int64_t n, std::int64_t min_parallel, const F& f) {
  if (n < min_parallel) {
#pragma omp simd
    for (std::int64_t i = 0; i < n; ++i) f(i);
    return;
  }
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) f(i);
}

// The same with dynamic scheduling, one index at a time (uneven work per index).
template <class F>
void parallel_for_dynamic(std::int64_t n, bool parallel, const F& f) {
  if (!parallel) {
    for (std::int64_t i = 0; i < n; ++i) f(i);
    return;
  }
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t i = 0; i < n; ++i) f(i);
}

// The smallest index reported by any thread (e.g. the first element whose state went bad).
class AtomicMin {
 public:
  explicit AtomicMin(std::int64_t init) : v_(init) {}
  void update(std::int64_t x) {
    std::int64_t cur = v_.load(std::memory_order_relaxed);
    while (x < cur && !v_.compare_exchange_weak(cur, x, std::memory_order_relaxed)) {
    }
  }
  std::int64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> v_;
};

}  // namespace glia
