#pragma once
// How much memory this process may still take: the machine's physical memory, or less when an address-space
// limit (ulimit -v, a batch scheduler's) is set. Configs are checked against it before anything is allocated,
// so that a request that cannot fit is refused with a message instead of failing inside an allocation.

#include <string>

namespace glia {

// Physical memory, bounded by a cgroup (container) limit and by the address-space limit minus what the
// process has mapped already (bytes).
double memory_limit_bytes();

// "23.5 GiB", three significant digits.
std::string gib_text(double bytes);

}  // namespace glia
