// Deterministic pseudo-random numbers for sstablefs-gen.
//
// The generator must produce the same bytes from the same seed on every
// machine and library version, so it uses its own generators and never
// std::*_distribution (whose algorithms differ across standard libraries).
//
// Contract: header-only, no global state; objects are cheap to copy and
// thread-compatible (one object per thread).
#ifndef SSTABLEFS_TOOLS_GEN_PRNG_H_
#define SSTABLEFS_TOOLS_GEN_PRNG_H_

#include <cstdint>

namespace sstablefs::gen {

// The SplitMix64 finalizer: a bijection on 64-bit values with good
// avalanche, used to derive independent seeds and injective keys.
inline uint64_t Mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A seed derived from a parent seed and up to two labels (partition index,
// row index, ...): distinct inputs give unrelated streams.
inline uint64_t DeriveSeed(uint64_t seed, uint64_t a, uint64_t b = 0) {
  return Mix64(Mix64(seed ^ Mix64(a)) + b * 0x2545f4914f6cdd1dULL + b);
}

// xoshiro256** (Blackman and Vigna), seeded through SplitMix64.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t z = seed;
    for (uint64_t& w : s_) {
      z += 0x9e3779b97f4a7c15ULL;
      w = Mix64(z);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n) (n > 0), by multiply-shift (Lemire); the tiny bias
  // is irrelevant for test data and the result is portable.
  uint64_t Uniform(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >>
                                 64);
  }
  // Uniform in [lo, hi] (lo <= hi).
  int64_t Range(int64_t lo, int64_t hi) {
    return lo +
           static_cast<int64_t>(Uniform(static_cast<uint64_t>(hi - lo) + 1));
  }
  // True with probability `percent` / 100.
  bool Percent(int percent) {
    return Uniform(100) < static_cast<uint64_t>(percent);
  }
  // Uniform double in [0, 1) from the top 53 bits.
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace sstablefs::gen

#endif  // SSTABLEFS_TOOLS_GEN_PRNG_H_
