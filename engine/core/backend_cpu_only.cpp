// Compiled instead of cuda/device_info.cu when glia is built without CUDA.
#include "engine/core/backend.hpp"

namespace glia {

bool cuda_built() { return false; }

int cuda_device_count(std::string* reason) {
  if (reason) *reason = "this glia build has no CUDA backend (no CUDA toolkit was found at configure time)";
  return 0;
}

}  // namespace glia
