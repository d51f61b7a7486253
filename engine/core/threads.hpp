#pragma once
// The CPU thread count a front end asks for (--threads, threads=): 0 keeps OpenMP's default
// (OMP_NUM_THREADS or all cores); otherwise 1 .. max_threads(). More threads than cores only spin, and
// thousands of them exhaust the process (libgomp aborts), so larger requests are configuration errors.
#include <cstdint>
#include <string>

namespace glia {

// 4 per processor, at least 8.
int max_threads();

// n when it is 0 or in [1, max_threads()]; ConfigError(field) naming the value and the range otherwise.
int checked_threads(std::int64_t n, const std::string& field);

// Sets OpenMP's thread count for n > 0 (after checked_threads); 0 leaves it.
void use_threads(std::int64_t n, const std::string& field);

}  // namespace glia
