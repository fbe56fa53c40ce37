#include "reader/bloom_filter.h"

#include "reader/byte_reader.h"
#include "reader/murmur3.h"

namespace sstablefs::reader {
namespace {

// Cassandra's FilterFactory never builds filters with more hashes than this
// (BloomCalculations caps K at 20-ish); anything far above is corruption.
constexpr int32_t kMaxHashCount = 64;

}  // namespace

bool FilterHasOldWordFormat(const Version& v) { return v < Version("na"); }

Result<BloomFilter> BloomFilter::Decode(ByteView file, bool old_word_format,
                                        const std::string& path) {
  ByteReader r(file);
  int32_t hashes = 0;
  int32_t words = 0;
  if (!r.ReadI32(&hashes) || !r.ReadI32(&words)) {
    return Status::Corruption(path, r.offset(), "Filter.db: truncated header");
  }
  if (hashes <= 0 || hashes > kMaxHashCount) {
    return Status::Corruption(
        path, 0, "Filter.db: implausible hash count " + std::to_string(hashes));
  }
  if (words < 0 || static_cast<uint64_t>(words) * 8 != r.remaining()) {
    return Status::Corruption(
        path, 4,
        "Filter.db: word count " + std::to_string(words) + " needs " +
            std::to_string(static_cast<int64_t>(words) * 8) + " bytes but " +
            std::to_string(r.remaining()) + " follow");
  }
  BloomFilter f;
  f.hash_count_ = hashes;
  ByteView rest = r.Rest();
  f.bits_.assign(rest.begin(), rest.end());
  if (old_word_format) {
    // Each word was written with writeLong (big-endian) from a value whose
    // least significant byte is memory byte 0: reverse each 8-byte group.
    for (size_t w = 0; w + 8 <= f.bits_.size(); w += 8) {
      for (int k = 0; k < 4; ++k) std::swap(f.bits_[w + k], f.bits_[w + 7 - k]);
    }
  }
  return f;
}

bool BloomFilter::MightContain(ByteView key) const {
  const uint64_t bits = bit_count();
  if (bits == 0) return true;
  Murmur3Hash h = CassandraMurmur3(key, 0);
  // BloomFilter.setIndexes(base = hash[1], inc = hash[0]): Java's long % is
  // a signed remainder, FBUtilities.abs() makes it non-negative.
  int64_t base = static_cast<int64_t>(h.h2);
  const uint64_t inc = h.h1;
  const int64_t max = static_cast<int64_t>(bits);
  for (int i = 0; i < hash_count_; ++i) {
    int64_t rem = base % max;
    uint64_t index = static_cast<uint64_t>(rem < 0 ? -rem : rem);
    if ((bits_[index >> 3] & (1u << (index & 7))) == 0) return false;
    base = static_cast<int64_t>(static_cast<uint64_t>(base) + inc);
  }
  return true;
}

}  // namespace sstablefs::reader
