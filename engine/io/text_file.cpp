#include "engine/io/text_file.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "engine/core/error.hpp"

namespace glia::io {

namespace fs = std::filesystem;

namespace {
std::string quoted(const std::string& s) { return "\"" + s + "\""; }
}  // namespace

std::string read_text_file(const std::string& path, const std::string& field) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st))
    throw ConfigError(field, quoted(path),
                      ec && ec != std::errc::no_such_file_or_directory ? "cannot read it: " + ec.message()
                                                                       : "no such file");
  if (fs::is_directory(st)) throw ConfigError(field, quoted(path), "is a directory, not a file");
  if (!fs::is_regular_file(st)) throw ConfigError(field, quoted(path), "is not a regular file");
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > kMaxTextFileBytes)
    throw ConfigError(field, quoted(path),
                      "is " + std::to_string(size >> 20) + " MiB; a config file is at most " +
                          std::to_string(kMaxTextFileBytes >> 20) + " MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(field, quoted(path), "cannot read it (permission denied?)");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text_atomically(const std::string& path, const std::string& text, const std::string& field) {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) throw ConfigError(field, quoted(path), "cannot write the file");
    out << text;
    if (!out) throw RuntimeError("cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw ConfigError(field, quoted(path), "cannot replace the file: " + ec.message());
  }
}

void check_output_is_not_an_input(const std::string& output, const std::string& output_field,
                                  const std::vector<std::string>& inputs) {
  std::error_code ec;
  const fs::path out = fs::weakly_canonical(output, ec);
  for (const std::string& input : inputs) {
    if (input.empty()) continue;
    std::error_code e1, e2;
    const bool same = fs::exists(output, e1) && fs::exists(input, e2)
                          ? fs::equivalent(output, input, e1)
                          : (!ec && fs::weakly_canonical(input, e2) == out);
    if (same)
      throw ConfigError(output_field, quoted(output),
                        "is the input " + quoted(input) + ": writing the result there would destroy it");
  }
}

}  // namespace glia::io
