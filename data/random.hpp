#pragma once
// A sequence of Philox random numbers for one generated example: key = seed, counter = (step, element,
// stream) with `element` counting the blocks drawn so far. An example's draws depend only on (seed, step,
// stream), never on which thread or shard produced it.
#include <cstdint>

#include "engine/core/philox.hpp"

namespace glia::data {

class PhiloxSequence {
 public:
  PhiloxSequence(std::uint64_t seed, std::int64_t step, std::uint32_t stream)
      : seed_(seed), step_(step), stream_(stream) {}

  std::uint32_t next_u32() {
    if (used_ == 4) {
      block_ = philox_block(seed_, step_, element_++, stream_);
      used_ = 0;
    }
    return block_.v[used_++];
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() {
    const std::uint32_t hi = next_u32();
    return philox_unit(hi, next_u32());
  }
  // Uniform integer in [0, n) for 0 < n <= 2^32 (multiply-shift; bias below n / 2^32).
  std::int64_t below(std::int64_t n) {
    return static_cast<std::int64_t>(
        (static_cast<std::uint64_t>(next_u32()) * static_cast<std::uint64_t>(n)) >> 32);
  }

 private:
  std::uint64_t seed_;
  std::int64_t step_;
  std::uint32_t stream_;
  std::uint32_t element_ = 0;
  Philox4x32 block_{};
  int used_ = 4;
};

// Uniform integer in [0, n) from one 32-bit word (multiply-shift), for draws taken from a Philox block.
inline std::int64_t word_below(std::uint32_t word, std::int64_t n) {
  return static_cast<std::int64_t>((static_cast<std::uint64_t>(word) * static_cast<std::uint64_t>(n)) >> 32);
}

}  // namespace glia::data
