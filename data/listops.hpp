#pragma once
// ListOps after the Long Range Arena generator (../shared/design/DATA.md, docs/data.md): prefix trees of
// MIN, MAX, MED (median; floored mean of the two middle values for an even count) and SM (sum mod 10) over
// the digits 0-9. A tree is written as "[MAX 2 9 [MIN 4 7 ] 0 ]": an operator token, its arguments, a close
// token; there are no parentheses. The label is the tree's value (10 classes).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/generate.hpp"

namespace glia::data::listops {

// Token ids: 0 pad, digit d -> 1 + d, then the operators and the close token.
inline constexpr std::int32_t kPad = 0;
inline constexpr std::int32_t kDigit0 = 1;
inline constexpr std::int32_t kMin = 11;
inline constexpr std::int32_t kMax = 12;
inline constexpr std::int32_t kMed = 13;
inline constexpr std::int32_t kSum = 14;  // SM: sum mod 10
inline constexpr std::int32_t kClose = 15;
inline constexpr std::int64_t kVocabSize = 16;
inline constexpr std::int64_t kNumClasses = 10;
// Philox stream of the candidate trees ("list"): block (seed, candidate, node, stream) decides one node.
inline constexpr std::uint32_t kStream = 0x6c697374;
inline constexpr const char* kGeneratorVersion = "listops-1";

struct Params {
  std::int64_t min_length = 500;   // keep a tree if min_length < length < max_length
  std::int64_t max_length = 2000;  // also the pad width on disk
  int root_depth = 1;              // the LRA generator calls tree(1)
  int max_depth = 10;              // at depth >= max_depth a node is a leaf
  int max_args = 10;               // arguments per operator: randint(2, max_args), inclusive
  double value_p = 0.25;           // a node is a leaf if r > value_p, r ~ U(0, 1)
};

enum class Outcome { kept, too_short, too_long };

// Candidate tree number `candidate` of the stream keyed by `seed`. Its prefix tokens are written to
// `tokens` (generation stops once the tree reaches max_length tokens: too_long).
Outcome sample_candidate(std::uint64_t seed, std::int64_t candidate, const Params& p,
                         std::vector<std::uint8_t>& tokens);

// The value of a token sequence (0-9). RuntimeError describing the first problem for a sequence that is
// not exactly one well-formed tree (unknown or pad token, close without operator, operator without
// arguments or never closed, tokens after the tree).
int evaluate(const std::int32_t* tokens, std::int64_t n);
int evaluate(const std::vector<std::int32_t>& tokens);

// "[MAX 2 9 [MIN 4 7 ] 0 ]" <-> token ids (whitespace-separated; "[SM" for sum mod 10).
std::vector<std::int32_t> parse(const std::string& text);
std::string to_text(const std::int32_t* tokens, std::int64_t n);

std::unique_ptr<Task> make_task(const GenerateOptions& options);
std::unique_ptr<Task> make_task(const Manifest& m);

}  // namespace glia::data::listops
