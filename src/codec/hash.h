// The checksum of format v1: a 32-lane multiply-rotate hash ("lane hash"), chosen because both a
// CUDA warp and a CPU SIMD unit compute it at memory speed.
//
// The bytes are read as little-endian u32 words (the last word zero-padded). Word i feeds lane
// i mod 32, whose accumulator starts at (lane + 1) * P1 and absorbs each word w as
//     acc = rotl(acc + w * P2, 13) * P1            (xxHash32's round)
// A warp gives each lane its own words (coalesced loads); a CPU keeps the 32 accumulators in a
// few vectors. The 32 accumulators are then folded in lane order with the byte count,
//     h = P5 + nbytes;  for each lane: h = rotl(h + acc * P3, 17) * P4
// and finished with xxHash32's avalanche. Detects corruption; it is not a cryptographic hash.
#pragma once

#include <cstddef>
#include <cstdint>

#include "codec/dtype_traits.h"
#include "common/host_device.h"

namespace zccl::codec {

constexpr uint32_t kHashP1 = 0x9E3779B1u;
constexpr uint32_t kHashP2 = 0x85EBCA77u;
constexpr uint32_t kHashP3 = 0xC2B2AE3Du;
constexpr uint32_t kHashP4 = 0x27D4EB2Fu;
constexpr uint32_t kHashP5 = 0x165667B1u;
constexpr int kHashLanes = 32;

ZCCL_HD uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
ZCCL_HD uint32_t hashLaneInit(int lane) { return static_cast<uint32_t>(lane + 1) * kHashP1; }
ZCCL_HD uint32_t hashLaneRound(uint32_t acc, uint32_t word) { return rotl32(acc + word * kHashP2, 13) * kHashP1; }

// Folds the lane accumulators (in lane order) and the byte count into the final hash.
ZCCL_HD uint32_t hashFinish(const uint32_t* acc, uint64_t nbytes) {
  uint32_t h = kHashP5 + static_cast<uint32_t>(nbytes);
  for (int l = 0; l < kHashLanes; ++l) h = rotl32(h + acc[l] * kHashP3, 17) * kHashP4;
  h ^= h >> 15;
  h *= kHashP2;
  h ^= h >> 13;
  h *= kHashP3;
  h ^= h >> 16;
  return h;
}

// Straightforward scalar form (the definition).
ZCCL_HD uint32_t hashBytes(const uint8_t* p, size_t nbytes) {
  uint32_t acc[kHashLanes];
  for (int l = 0; l < kHashLanes; ++l) acc[l] = hashLaneInit(l);
  size_t nwords = (nbytes + 3) / 4;
  for (size_t i = 0; i < nwords; ++i) {
    uint32_t w = 0;
    if (4 * i + 4 <= nbytes) {
      w = loadLE32(p + 4 * i);
    } else {
      for (size_t b = 4 * i; b < nbytes; ++b) w |= static_cast<uint32_t>(p[b]) << (8 * (b - 4 * i));
    }
    acc[i % kHashLanes] = hashLaneRound(acc[i % kHashLanes], w);
  }
  return hashFinish(acc, nbytes);
}

}  // namespace zccl::codec
