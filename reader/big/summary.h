// Summary.db: a sample of Index.db (every min_index_interval-th key at full
// sampling) so a lookup reads only a small range of Index.db
// (IndexSummary.IndexSummarySerializer, IndexSummaryBuilder).
// See reader/FORMAT.md, section "Summary.db".
//
// Layout (mixed byte order!):
//   i32 BE  min index interval
//   i32 BE  entry count N
//   i64 BE  "off-heap size": 4*N + length of the entries section
//   i32 BE  sampling level (128 = full)
//   i32 BE  size at full sampling
//   N x i32 LITTLE-endian: offset of entry i, counted from the start of this
//           offsets table (so offset 0 is 4*N)
//   entries: key bytes (length = next offset - this offset - 8), then
//           i64 LITTLE-endian Index.db position
//   i32 BE first key length, first key; i32 BE last key length, last key
// The little-endian parts are Cassandra's native (x86) memory order dumped
// as is; Cassandra 5.0 documents them as always little-endian.
//
// Contract: Decode() copies the file (small) and validates every offset,
// length and position; lookups are const and thread-safe.
#ifndef SSTABLEFS_READER_BIG_SUMMARY_H_
#define SSTABLEFS_READER_BIG_SUMMARY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "reader/byte_view.h"
#include "reader/partitioner.h"
#include "reader/status.h"

namespace sstablefs::reader {

class IndexSummary {
 public:
  // `index_size` (Index.db length) bounds the stored positions. `path` only
  // feeds error messages. kCorruption on any inconsistency.
  static Result<IndexSummary> Decode(ByteView file, uint64_t index_size,
                                     const std::string& path);

  int32_t min_index_interval() const { return min_index_interval_; }
  int32_t sampling_level() const { return sampling_level_; }
  int32_t size_at_full_sampling() const { return size_at_full_sampling_; }

  size_t size() const { return entries_.size(); }
  // REQUIRES: i < size(). Views into this object, valid for its lifetime.
  ByteView key(size_t i) const;
  uint64_t index_position(size_t i) const { return entries_[i].position; }
  ByteView first_key() const { return ByteView(first_key_); }
  ByteView last_key() const { return ByteView(last_key_); }

  // The last entry whose key sorts at or before `key` in partition order
  // (`key_token` = p.GetToken(key)), or -1 when `key` sorts before entry 0.
  int64_t FindFloor(const Partitioner& p, const Token& key_token,
                    ByteView key) const;

 private:
  struct Entry {
    size_t key_offset;  // into data_
    size_t key_size;
    uint64_t position;
  };
  int32_t min_index_interval_ = 0;
  int32_t sampling_level_ = 0;
  int32_t size_at_full_sampling_ = 0;
  std::string data_;  // the entries section
  std::vector<Entry> entries_;
  std::string first_key_;
  std::string last_key_;
};

// DecoratedKey order of (token, key) against another key:
// <0 when (token, key) sorts before `other`.
int CompareDecorated(const Partitioner& p, const Token& token, ByteView key,
                     ByteView other);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_BIG_SUMMARY_H_
