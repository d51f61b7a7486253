#include <cuda_runtime.h>

#include "engine/core/backend.hpp"

namespace glia {

bool cuda_built() { return true; }

int cuda_device_count(std::string* reason) {
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    if (reason) *reason = std::string("no usable CUDA device: ") + cudaGetErrorString(err);
    cudaGetLastError();  // clear the sticky error so later calls are not poisoned
    return 0;
  }
  if (count == 0 && reason) *reason = "no CUDA device is present";
  return count;
}

}  // namespace glia
