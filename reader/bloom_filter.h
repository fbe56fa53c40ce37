// Filter.db: the partition-key bloom filter (BloomFilterSerializer).
// See reader/FORMAT.md, section "Filter.db".
//
// Layout: i32 hash count (big-endian), i32 word count (big-endian), then
// word count * 8 bytes of bits. Versions before `na` write every 64-bit word
// as a big-endian long (OffHeapBitSet "old format"); from `na` on the bit
// bytes are written as they are in memory, so bit i is byte i/8, bit i%8 in
// both cases once the old format's words are byte-swapped.
//
// Bit positions (BloomFilter.indexes): (h1, h2) = Cassandra MurmurHash3 of the
// key (seed 0); for i in 0..hashCount-1: bit = abs((h2 + i*h1) mod bits),
// with Java's signed 64-bit arithmetic.
//
// Contract: Decode() copies what it needs; the filter is immutable and
// thread-safe. A zero-word filter answers "maybe present" for every key.
#ifndef SSTABLEFS_READER_BLOOM_FILTER_H_
#define SSTABLEFS_READER_BLOOM_FILTER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "reader/byte_view.h"
#include "reader/status.h"
#include "reader/version.h"

namespace sstablefs::reader {

// Before `na`, Filter.db words are big-endian longs (Version.hasOldBfFormat).
bool FilterHasOldWordFormat(const Version& v);

class BloomFilter {
 public:
  // Decodes a whole Filter.db. `path` only feeds error messages. Fails with
  // kCorruption on a truncated file, trailing bytes, or an implausible hash
  // count.
  static Result<BloomFilter> Decode(ByteView file, bool old_word_format,
                                    const std::string& path);

  // False only when the key is certainly absent.
  bool MightContain(ByteView key) const;

  int hash_count() const { return hash_count_; }
  uint64_t bit_count() const { return bits_.size() * 8; }

 private:
  int hash_count_ = 0;
  std::vector<uint8_t> bits_;  // bit i = bits_[i >> 3] & (1 << (i & 7))
};

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_BLOOM_FILTER_H_
