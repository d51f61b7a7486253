#include "engine/io/text_file.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/core/error.hpp"

namespace glia::io {

void write_text_atomically(const std::string& path, const std::string& text, const std::string& field) {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) throw ConfigError(field, path, "cannot write the file");
    out << text;
    if (!out) throw RuntimeError("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace glia::io
