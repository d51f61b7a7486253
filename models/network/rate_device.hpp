#pragma once
// The CUDA backend of the continuous system (cuda/rate_device.cu, built with CUDA only): a device
// mirror of a RateLayout's arrays, stepped by the same rate_step as the CPU.
#include <cstdint>
#include <memory>
#include <vector>

#include "models/network/rate_layout.hpp"

namespace glia::network {

class RateDevice {
 public:
  explicit RateDevice(const RateLayout& layout);
  ~RateDevice();
  RateDevice(const RateDevice&) = delete;
  RateDevice& operator=(const RateDevice&) = delete;

  // The step that starts at base step k, of h seconds. Returns the first state index that is not
  // finite afterwards, or the state size.
  std::int64_t step(const RateLayout& layout, std::int64_t k, double h);
  void download(std::vector<double>& y) const;  // the state (first layout.size doubles)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace glia::network
