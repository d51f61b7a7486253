#include "engine/core/memory.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

namespace glia {

namespace {

// Physical memory bounded by a container's limit (cgroup v2 memory.max; "max" when there is none): fixed for
// the process's life, so read once (a sweep checks every variant's config against the limit).
double machine_limit_bytes() {
  static const double limit = [] {
    double l = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGESIZE));
    std::ifstream cgroup("/sys/fs/cgroup/memory.max");
    double cgroup_max = 0.0;
    if (cgroup >> cgroup_max && cgroup_max > 0.0) l = std::min(l, cgroup_max);
    return l;
  }();
  return limit;
}

}  // namespace

double memory_limit_bytes() {
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  double limit = machine_limit_bytes();
  rlimit as{};
  if (::getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) {
    double mapped = 0.0;  // the first field of statm: the process's virtual size in pages
    std::ifstream statm("/proc/self/statm");
    if (statm >> mapped) mapped *= page;
    limit = std::min(limit, std::max(0.0, static_cast<double>(as.rlim_cur) - mapped));
  }
  return limit;
}

std::string gib_text(double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g GiB", bytes / (1024.0 * 1024.0 * 1024.0));
  return text;
}

}  // namespace glia
