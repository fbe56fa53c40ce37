#include "reader/murmur3.h"

namespace sstablefs::reader {
namespace {

constexpr uint64_t kC1 = 0x87c37b91114253d5ULL;
constexpr uint64_t kC2 = 0x4cf5ad432745937fULL;

inline uint64_t Rotl64(uint64_t v, int n) { return (v << n) | (v >> (64 - n)); }

inline uint64_t Fmix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

// Little-endian, unsigned bytes (MurmurHash.getblock masks with 0xff).
inline uint64_t LoadBlock(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// A tail byte as Java's `(long) key.get(i)`: signed, sign-extended, then
// shifted. The shift of a negative value is done on the unsigned
// representation, which is what Java's << on long does.
inline uint64_t TailByte(uint8_t b, int shift) {
  int64_t sign_extended = static_cast<int8_t>(b);
  return static_cast<uint64_t>(sign_extended) << shift;
}

}  // namespace

Murmur3Hash CassandraMurmur3(ByteView key, uint64_t seed) {
  const uint8_t* data = key.data();
  const size_t length = key.size();
  const size_t nblocks = length >> 4;
  uint64_t h1 = seed;
  uint64_t h2 = seed;

  for (size_t i = 0; i < nblocks; ++i) {
    uint64_t k1 = LoadBlock(data + i * 16);
    uint64_t k2 = LoadBlock(data + i * 16 + 8);
    k1 *= kC1;
    k1 = Rotl64(k1, 31);
    k1 *= kC2;
    h1 ^= k1;
    h1 = Rotl64(h1, 27);
    h1 += h2;
    h1 = h1 * 5 + 0x52dce729;
    k2 *= kC2;
    k2 = Rotl64(k2, 33);
    k2 *= kC1;
    h2 ^= k2;
    h2 = Rotl64(h2, 31);
    h2 += h1;
    h2 = h2 * 5 + 0x38495ab5;
  }

  const uint8_t* tail = data + nblocks * 16;
  const size_t rest = length & 15;
  uint64_t k1 = 0;
  uint64_t k2 = 0;
  // Bytes 8..14 of the tail feed k2, bytes 0..7 feed k1 (the fall-through
  // switch of the Java code, written as loops).
  if (rest > 8) {
    for (size_t i = rest; i-- > 8;) k2 ^= TailByte(tail[i], (i - 8) * 8);
    k2 *= kC2;
    k2 = Rotl64(k2, 33);
    k2 *= kC1;
    h2 ^= k2;
  }
  if (rest > 0) {
    size_t n = rest < 8 ? rest : 8;
    for (size_t i = n; i-- > 0;) k1 ^= TailByte(tail[i], i * 8);
    k1 *= kC1;
    k1 = Rotl64(k1, 31);
    k1 *= kC2;
    h1 ^= k1;
  }

  h1 ^= length;
  h2 ^= length;
  h1 += h2;
  h2 += h1;
  h1 = Fmix(h1);
  h2 = Fmix(h2);
  h1 += h2;
  h2 += h1;
  return Murmur3Hash{h1, h2};
}

}  // namespace sstablefs::reader
