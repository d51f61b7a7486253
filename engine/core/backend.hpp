#pragma once
// Run-time backend selection. The CUDA backend exists only when glia was configured with
// a CUDA toolkit; even then a machine may have no device (CI compiles CUDA but has no GPU).
#include <string>

namespace glia {

enum class Device { cpu, cuda };

// True when this build contains the CUDA backend.
bool cuda_built();

// Number of usable CUDA devices. When 0, *reason (if given) says why: not built with
// CUDA, no driver, or no device.
int cuda_device_count(std::string* reason = nullptr);

}  // namespace glia
