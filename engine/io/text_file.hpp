#pragma once
// Text files read and written whole: configs in, small results out.
//  - read_text_file refuses, as a ConfigError naming the field and path, a path that does not exist, is a
//    directory or another non-file, cannot be read, or is larger than kMaxTextFileBytes (a config that large
//    is a mistake, and reading it whole would take that much memory at once);
//  - write_text_atomically writes to "<path>.tmp<pid>" and renames it to `path` once complete (a reader never
//    sees a half-written file).
#include <cstdint>
#include <string>
#include <vector>

namespace glia::io {

inline constexpr std::uintmax_t kMaxTextFileBytes = std::uintmax_t{1} << 30;  // 1 GiB

std::string read_text_file(const std::string& path, const std::string& field);

// ConfigError(field) if the file cannot be created; RuntimeError if writing fails.
void write_text_atomically(const std::string& path, const std::string& text, const std::string& field);

// Refuses (ConfigError naming `output_field`) an output path that is one of the inputs: the same file, also
// through a symbolic or hard link, so that a run can never overwrite its own config or checkpoint.
void check_output_is_not_an_input(const std::string& output, const std::string& output_field,
                                  const std::vector<std::string>& inputs);

// Refuses (ConfigError naming `output_field`) an output path inside the input directory `dir` (a data set),
// also through links; nothing when `dir` is empty or does not exist.
void check_output_outside_directory(const std::string& output, const std::string& output_field,
                                    const std::string& dir);

}  // namespace glia::io
