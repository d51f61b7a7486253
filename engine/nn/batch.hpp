#pragma once
// A batch of a sequence-classification task: token ids, the mask of real positions and the labels.
#include <cstdint>

#include "engine/nn/tensor.hpp"

namespace glia::nn {

struct Batch {
  Tensor<std::int32_t> tokens;  // (B, L)
  Tensor<std::uint8_t> mask;    // (B, L): 1 for a real token, 0 for padding
  Tensor<std::int32_t> labels;  // (B)
  Index size() const { return labels.size(); }
};

}  // namespace glia::nn
