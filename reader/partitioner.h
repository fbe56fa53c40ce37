// Partitioners: how Cassandra turns a partition key into a token, and the
// order of partitions in Data.db / Index.db / Summary.db that follows from it.
// See reader/FORMAT.md, section "Partitioners and tokens".
//
//  - Murmur3Partitioner: token = h1 of Cassandra's MurmurHash3 x64/128 of the
//    key bytes (murmur3.h), a signed int64; Long.MIN_VALUE is mapped to
//    Long.MAX_VALUE; the empty key gets the minimum token Long.MIN_VALUE.
//  - RandomPartitioner: token = abs(new BigInteger(md5(key))), i.e. the 16
//    MD5 bytes read as a signed big-endian 128-bit integer, made positive
//    (0 .. 2^127); the empty key gets the minimum token -1.
//  - ByteOrderedPartitioner: token = the key bytes, compared unsigned.
//  - OrderPreservingPartitioner: token = the key decoded as UTF-8 text,
//    compared as Java strings (UTF-16 code units).
//  - LocalPartitioner (system tables, secondary indexes): token = the key,
//    ordered by the key's comparator type. This library compares the raw
//    bytes unsigned instead, which matches the comparator for text, blob,
//    ascii and non-negative fixed-width numbers, but not in general.
//
// Partition order (DecoratedKey.compareTo): by token, then by the key bytes
// compared unsigned.
//
// Contract: Partitioner and Token are small copyable value types; all methods
// are const, thread-safe and never fail.
#ifndef SSTABLEFS_READER_PARTITIONER_H_
#define SSTABLEFS_READER_PARTITIONER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "reader/byte_view.h"
#include "reader/status.h"

namespace sstablefs::reader {

enum class PartitionerKind {
  kMurmur3,
  kRandom,
  kByteOrdered,
  kLocal,
  kOrderPreserving
};

struct Token {
  PartitionerKind kind = PartitionerKind::kMurmur3;
  // kMurmur3: the token.
  int64_t long_value = 0;
  // kRandom: the 128-bit unsigned magnitude (hi:lo), unless `minimum` is set
  // (the token -1 of the empty key, below every other token).
  uint64_t hi = 0;
  uint64_t lo = 0;
  bool minimum = false;
  // kByteOrdered, kLocal, kOrderPreserving: the key bytes.
  std::string bytes;
};

class Partitioner {
 public:
  Partitioner() = default;  // Murmur3
  explicit Partitioner(PartitionerKind kind) : kind_(kind) {}

  // Accepts the full class name as Statistics.db stores it
  // ("org.apache.cassandra.dht.Murmur3Partitioner") or the short name.
  // Anything else is kUnsupported naming the class.
  static Result<Partitioner> FromClassName(std::string_view class_name);

  PartitionerKind kind() const { return kind_; }
  // "Murmur3Partitioner", ...
  std::string_view ShortName() const;
  // True when partition order is key order (ByteOrdered, OrderPreserving,
  // Local): Summary.db/Index.db keys can be compared without hashing.
  bool PreservesOrder() const {
    return kind_ != PartitionerKind::kMurmur3 &&
           kind_ != PartitionerKind::kRandom;
  }

  Token GetToken(ByteView key) const;
  // <0, 0, >0. REQUIRES: both tokens come from this partitioner.
  int CompareTokens(const Token& a, const Token& b) const;
  // Partition order: token, then key bytes unsigned (DecoratedKey.compareTo).
  int CompareKeys(ByteView a, ByteView b) const;
  // As nodetool / sstabledump print tokens: Murmur3 decimal int64, Random
  // decimal BigInteger ("-1" for the minimum), ByteOrdered and Local lower-case
  // hex, OrderPreserving the text itself.
  std::string TokenToString(const Token& t) const;

  friend bool operator==(const Partitioner& a, const Partitioner& b) {
    return a.kind_ == b.kind_;
  }

 private:
  PartitionerKind kind_ = PartitionerKind::kMurmur3;
};

// Murmur3Partitioner.getToken without building a Token.
int64_t Murmur3Token(ByteView key);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_PARTITIONER_H_
