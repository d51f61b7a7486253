#include "engine/io/text_file.hpp"

#include <unistd.h>

#include <algorithm>
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
    out.flush();
    if (!out) {
      std::error_code ignored;
      fs::remove(tmp, ignored);  // leave nothing that looks like a result
      throw RuntimeError("cannot write " + tmp + " (disk full?)");
    }
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
  // An output that does not exist yet cannot be an existing input; one that does is compared by identity
  // (device and inode), so links and relative paths cannot hide it.
  for (const std::string& input : inputs) {
    if (input.empty()) continue;
    std::error_code e1, e2;
    const bool same = fs::exists(output, e1) && fs::exists(input, e2) && fs::equivalent(output, input, e1);
    if (same)
      throw ConfigError(output_field, quoted(output),
                        "is the input " + quoted(input) + ": writing the result there would destroy it");
  }
}

void check_output_outside_directory(const std::string& output, const std::string& output_field,
                                    const std::string& dir) {
  std::error_code e1, e2;
  if (dir.empty() || !fs::is_directory(dir, e1)) return;
  const fs::path d = fs::canonical(dir, e1), out = fs::weakly_canonical(output, e2);
  if (e1 || e2) return;
  const auto [end_d, end_out] = std::mismatch(d.begin(), d.end(), out.begin(), out.end());
  if (end_d == d.end())
    throw ConfigError(
        output_field, quoted(output),
        "is inside the input directory " + quoted(dir) + ": writing there could destroy its files");
}

}  // namespace glia::io
