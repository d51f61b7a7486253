#pragma once
// GPU tests run only where a CUDA device exists; elsewhere they are reported skipped, with
// the reason printed (ctest matches "[  SKIPPED ]").
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "engine/core/backend.hpp"

#define GLIA_REQUIRE_CUDA_DEVICE()                                                      \
  do {                                                                                  \
    std::string why_;                                                                   \
    if (glia::cuda_device_count(&why_) == 0) {                                          \
      std::printf("no CUDA device, CPU-vs-GPU comparison skipped: %s\n", why_.c_str()); \
      GTEST_SKIP() << "no CUDA device";                                                 \
    }                                                                                   \
  } while (0)
