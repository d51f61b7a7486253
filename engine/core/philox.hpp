#pragma once
// Philox4x32-10 counter-based random numbers (Salmon et al., SC'11). A random value is a
// pure function of (key, counter), so streams are identical on any backend and thread
// count: the key holds the seed, the counter holds (step, element, stream).
#include <cmath>
#include <cstdint>

#include "engine/core/hostdevice.hpp"

namespace glia {

struct Philox4x32 {
  std::uint32_t v[4];
};

GLIA_HD inline void philox_mulhilo(std::uint32_t a, std::uint32_t b, std::uint32_t& hi, std::uint32_t& lo) {
  const std::uint64_t p = static_cast<std::uint64_t>(a) * b;
  hi = static_cast<std::uint32_t>(p >> 32);
  lo = static_cast<std::uint32_t>(p);
}

GLIA_HD inline Philox4x32 philox4x32_10(Philox4x32 ctr, std::uint32_t k0, std::uint32_t k1) {
  constexpr std::uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
  constexpr std::uint32_t W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += W0;
      k1 += W1;
    }
    std::uint32_t hi0, lo0, hi1, lo1;
    philox_mulhilo(M0, ctr.v[0], hi0, lo0);
    philox_mulhilo(M1, ctr.v[2], hi1, lo1);
    ctr = Philox4x32{{hi1 ^ ctr.v[1] ^ k0, lo1, hi0 ^ ctr.v[3] ^ k1, lo0}};
  }
  return ctr;
}

// The Philox block for (seed, step, element, stream): the key holds the seed, the counter
// holds the rest.
GLIA_HD inline Philox4x32 philox_block(std::uint64_t seed, std::int64_t step, std::uint32_t element,
                                       std::uint32_t stream) {
  const auto s = static_cast<std::uint64_t>(step);
  return philox4x32_10(
      Philox4x32{{static_cast<std::uint32_t>(s), static_cast<std::uint32_t>(s >> 32), element, stream}},
      static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
}

// Philox blocks of kPhiloxLanes consecutive element counters (element0, element0 + 1, ...) at
// once, for CPU loops that need many: the lanes are kept in arrays so that the compiler
// vectorises the rounds (the 32×32→64-bit products included). Lane j of out equals
// philox_block(seed, step, element0 + j, stream) word for word.
inline constexpr int kPhiloxLanes = 16;

inline void philox_blocks(std::uint64_t seed, std::int64_t step, std::uint32_t element0, std::uint32_t stream,
                          std::uint32_t (&out)[4][kPhiloxLanes]) {
  constexpr std::uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
  constexpr std::uint32_t W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
  const auto s = static_cast<std::uint64_t>(step);
  std::uint32_t c0[kPhiloxLanes], c1[kPhiloxLanes], c2[kPhiloxLanes], c3[kPhiloxLanes];
  for (int j = 0; j < kPhiloxLanes; ++j) {
    c0[j] = static_cast<std::uint32_t>(s);
    c1[j] = static_cast<std::uint32_t>(s >> 32);
    c2[j] = element0 + static_cast<std::uint32_t>(j);
    c3[j] = stream;
  }
  std::uint32_t k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += W0;
      k1 += W1;
    }
#pragma omp simd
    for (int j = 0; j < kPhiloxLanes; ++j) {
      const std::uint64_t p0 = static_cast<std::uint64_t>(M0) * c0[j];
      const std::uint64_t p1 = static_cast<std::uint64_t>(M1) * c2[j];
      const std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1[j] ^ k0;
      const std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3[j] ^ k1;
      c0[j] = n0;
      c1[j] = static_cast<std::uint32_t>(p1);
      c2[j] = n2;
      c3[j] = static_cast<std::uint32_t>(p0);
    }
  }
  for (int j = 0; j < kPhiloxLanes; ++j) {
    out[0][j] = c0[j];
    out[1][j] = c1[j];
    out[2][j] = c2[j];
    out[3][j] = c3[j];
  }
}

// 53 random bits from two 32-bit words, as a double in [0, 1).
GLIA_HD inline double philox_unit(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t bits =
      ((static_cast<std::uint64_t>(hi) << 21) ^ (lo >> 11)) & ((std::uint64_t{1} << 53) - 1);
  return static_cast<double>(bits) * 0x1.0p-53;
}

// Uniform double in [0, 1), keyed by a 64-bit seed and indexed by (step, element, stream).
GLIA_HD inline double philox_uniform(std::uint64_t seed, std::int64_t step, std::uint32_t element,
                                     std::uint32_t stream) {
  const Philox4x32 r = philox_block(seed, step, element, stream);
  return philox_unit(r.v[0], r.v[1]);
}

// Standard normal variate (Box–Muller on one Philox block), same indexing as philox_uniform.
GLIA_HD inline double philox_normal(std::uint64_t seed, std::int64_t step, std::uint32_t element,
                                    std::uint32_t stream) {
  const Philox4x32 r = philox_block(seed, step, element, stream);
  const double u1 = 1.0 - philox_unit(r.v[0], r.v[1]);  // in (0, 1]: log(u1) is finite
  const double u2 = philox_unit(r.v[2], r.v[3]);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

}  // namespace glia
