// MurmurHash3 x64 128-bit exactly as Cassandra computes it
// (org.apache.cassandra.utils.MurmurHash.hash3_x64_128), used for
// Murmur3Partitioner tokens and for bloom filter bit positions.
//
// Cassandra's variant differs from the reference C++ MurmurHash3 in the tail
// (the last length % 16 bytes): each tail byte is read as a signed Java byte
// and sign-extended to 64 bits before it is shifted into place, so a tail byte
// >= 0x80 sets all the higher bits of its lane. Full 16-byte blocks are read
// unsigned (little-endian). Keys whose tail has no byte >= 0x80 hash the same
// as with the reference implementation.
//
// Contract: pure functions; thread-safe; never fail.
#ifndef SSTABLEFS_READER_MURMUR3_H_
#define SSTABLEFS_READER_MURMUR3_H_

#include <cstdint>

#include "reader/byte_view.h"

namespace sstablefs::reader {

struct Murmur3Hash {
  uint64_t h1 = 0;  // Cassandra's result[0]
  uint64_t h2 = 0;  // Cassandra's result[1]
};

// MurmurHash.hash3_x64_128(key, 0, key.length, seed).
Murmur3Hash CassandraMurmur3(ByteView key, uint64_t seed = 0);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_MURMUR3_H_
