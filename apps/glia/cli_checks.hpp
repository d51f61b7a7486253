#pragma once
// Validators for the glia CLI's numeric options: the value is checked as text (a negative number never wraps
// into an unsigned option, and 2^64 does not fit one), and the message names the value and the real range in
// one line (CLI11's own checks print ranges such as "0 to 1.797e308").
#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

namespace glia::cli {

// An integer in [lo, hi].
inline CLI::Validator integer_in(std::int64_t lo, std::int64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        std::int64_t v = 0;
        const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
        if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v < lo || v > hi)
          return "= " + text + ": must be an integer between " + std::to_string(lo) + " and " +
                 std::to_string(hi);
        return {};
      },
      "INT in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

// An unsigned 64-bit integer (a seed): 0 .. 2^64 - 1.
inline CLI::Validator unsigned_64() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        std::uint64_t v = 0;
        const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
        if (r.ec != std::errc() || r.ptr != text.data() + text.size())
          return "= " + text + ": must be an integer between 0 and " +
                 std::to_string(std::numeric_limits<std::uint64_t>::max());
        return {};
      },
      "UINT64");
}

inline constexpr std::int64_t kMaxCount = std::numeric_limits<std::int64_t>::max();

}  // namespace glia::cli
