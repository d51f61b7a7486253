#pragma once
// The order in which a training run visits its data: epoch e is a Fisher–Yates permutation of the
// split drawn from Philox keyed by (seed, e, i, stream "shuf"), and batches run through the epochs
// without gaps. The whole position is one number, the examples consumed, so a resumed run continues
// with exactly the batches it would have seen.
#include <cstdint>
#include <vector>

#include "engine/core/philox.hpp"

namespace glia::nets {

class DataOrder {
 public:
  DataOrder(std::int64_t size, std::uint64_t seed) : size_(size), seed_(seed) {}

  // Dataset index of the n-th example consumed (n ≥ 0).
  std::int64_t index(std::int64_t n) {
    const std::int64_t epoch = n / size_;
    if (epoch != epoch_) shuffle(epoch);
    return permutation_[static_cast<std::size_t>(n % size_)];
  }

 private:
  void shuffle(std::int64_t epoch) {
    permutation_.resize(static_cast<std::size_t>(size_));
    for (std::int64_t i = 0; i < size_; ++i) permutation_[static_cast<std::size_t>(i)] = i;
    for (std::int64_t i = size_ - 1; i > 0; --i) {
      const double u = philox_uniform(seed_, epoch, static_cast<std::uint32_t>(i), 0x73687566u);
      const auto j = std::min<std::int64_t>(i, static_cast<std::int64_t>(u * static_cast<double>(i + 1)));
      std::swap(permutation_[static_cast<std::size_t>(i)], permutation_[static_cast<std::size_t>(j)]);
    }
    epoch_ = epoch;
  }

  std::int64_t size_;
  std::uint64_t seed_;
  std::int64_t epoch_ = -1;
  std::vector<std::int64_t> permutation_;
};

}  // namespace glia::nets
