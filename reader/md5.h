// MD5 message digest (RFC 1321), used by RandomPartitioner to compute tokens.
//
// Own implementation so that the reader needs no crypto library. Not for
// security purposes: Cassandra uses MD5 only to spread keys over the ring.
//
// Contract: pure functions of their input; thread-safe; never fail.
#ifndef SSTABLEFS_READER_MD5_H_
#define SSTABLEFS_READER_MD5_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "reader/byte_view.h"

namespace sstablefs::reader {

using Md5Digest = std::array<uint8_t, 16>;

// Incremental MD5: Update() any number of times, then Finish() once.
class Md5 {
 public:
  Md5();
  void Update(ByteView data);
  // Returns the digest; the object must not be updated afterwards.
  Md5Digest Finish();

 private:
  void ProcessBlock(const uint8_t* block);

  uint32_t state_[4];
  uint64_t length_ = 0;  // bytes hashed so far
  uint8_t buffer_[64];
  size_t buffered_ = 0;
};

// One-shot convenience.
Md5Digest ComputeMd5(ByteView data);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_MD5_H_
