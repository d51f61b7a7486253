#include "engine/core/threads.hpp"

#include <omp.h>

#include <algorithm>

#include "engine/core/error.hpp"

namespace glia {

int max_threads() { return std::max(8, 4 * omp_get_num_procs()); }

int checked_threads(std::int64_t n, const std::string& field) {
  if (n < 0 || n > max_threads())
    throw ConfigError(field, std::to_string(n),
                      "must be between 1 and " + std::to_string(max_threads()) +
                          " (4 per processor; 0 or none: " + "all cores)");
  return static_cast<int>(n);
}

void use_threads(std::int64_t n, const std::string& field) {
  if (checked_threads(n, field) > 0) omp_set_num_threads(static_cast<int>(n));
}

}  // namespace glia
