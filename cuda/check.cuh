#pragma once
#include <cuda_runtime.h>

#include <string>

#include "engine/core/error.hpp"

namespace glia::cuda {

// Throws glia::RuntimeError naming the call site and CUDA's message.
inline void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess)
    throw RuntimeError(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(err));
}

// An owning device allocation (plain cudaMalloc; no managed memory).
template <class T>
class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::size_t n) : n_(n) {
    if (n_ > 0) check(cudaMalloc(&ptr_, n_ * sizeof(T)), "cudaMalloc");
  }
  ~DeviceBuffer() {
    if (ptr_) cudaFree(ptr_);
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  T* get() const { return ptr_; }
  std::size_t size() const { return n_; }
  void upload(const T* src) {
    if (n_ > 0) check(cudaMemcpy(ptr_, src, n_ * sizeof(T), cudaMemcpyHostToDevice), "upload");
  }
  void download(T* dst) const {
    if (n_ > 0) check(cudaMemcpy(dst, ptr_, n_ * sizeof(T), cudaMemcpyDeviceToHost), "download");
  }

 private:
  T* ptr_ = nullptr;
  std::size_t n_;
};

}  // namespace glia::cuda
