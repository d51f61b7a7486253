#pragma once
#include <string>

namespace glia {

// The project version (from CMakeLists.txt) and the git commit the binary was built from
// ("<sha>-dirty" for uncommitted changes, "unknown" outside a git checkout). Both are
// written into every output file as provenance.
const char* version();
const char* git_commit();

// Current UTC time as ISO 8601, for the "created" provenance attribute.
std::string utc_timestamp();

}  // namespace glia
