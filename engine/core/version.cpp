#include "engine/core/version.hpp"

#include <ctime>

#include "glia_build_info.hpp"  // generated at build time: GLIA_VERSION, GLIA_GIT_COMMIT

namespace glia {

const char* version() { return GLIA_VERSION; }
const char* git_commit() { return GLIA_GIT_COMMIT; }

std::string utc_timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace glia
