#pragma once
// Text files written whole or not at all: the text goes to "<path>.tmp<pid>", which is renamed to
// `path` once complete (a reader never sees a half-written result or config).
#include <string>

namespace glia::io {

// ConfigError(field) if the file cannot be created; RuntimeError if writing fails.
void write_text_atomically(const std::string& path, const std::string& text, const std::string& field);

}  // namespace glia::io
