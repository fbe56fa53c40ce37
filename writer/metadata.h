// Encoders for the small metadata structures of an nb ("big") SSTable that
// the example writer needs: Cassandra's MurmurHash2 64-bit hash, the HLL++
// cardinality estimator of Statistics.db, EstimatedHistogram, the tombstone
// drop-time histogram, the bloom filter (Filter.db) and the index summary
// (Summary.db). See reader/FORMAT.md for the layouts.
//
// Contract: these are plain value types used by one writer thread; nothing
// here touches the file system. Everything is deterministic: the same input
// always yields the same bytes.
#ifndef SSTABLEFS_WRITER_METADATA_H_
#define SSTABLEFS_WRITER_METADATA_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "reader/byte_view.h"
#include "reader/status.h"

namespace sstablefs::writer {

// org.apache.cassandra.utils.MurmurHash.hash2_64(key, 0, len, seed), which
// MetadataCollector.addKey feeds to the cardinality estimator. Like
// Cassandra, the tail bytes are sign-extended Java bytes.
uint64_t CassandraMurmurHash2_64(reader::ByteView key, uint64_t seed = 0);

// clearspring HyperLogLogPlus(p = 13, sp = 25) as MetadataCollector uses it;
// Serialize() is HyperLogLogPlus.getBytes() (the CompactionMetadata
// payload): the sparse set while it has at most 6144 entries, else the
// normal form (8192 5-bit registers packed 6 per int). Which form and which
// bytes result does not depend on when Java's temp list was merged, so keys
// are batched freely here. Memory: bounded (temp batch + 6144 entries or
// 1366 register words).
class CardinalityEstimator {
 public:
  void OfferKey(reader::ByteView partition_key);
  reader::Result<std::string> Serialize() const;

 private:
  // Merges pending_ into sparse_ (sorted by sparse index, the smallest
  // encoding per index), converting to registers past the threshold.
  void MergePending(std::vector<int32_t>* pending, std::vector<int32_t>* sparse,
                    std::vector<int32_t>* registers) const;
  void UpdateRegister(std::vector<int32_t>* registers, uint32_t index,
                      int32_t run_length) const;

  std::vector<int32_t> pending_;    // encodings not merged yet
  std::vector<int32_t> sparse_;     // merged sparse set
  std::vector<int32_t> registers_;  // normal form, once converted
};

// org.apache.cassandra.utils.EstimatedHistogram(bucket_count) with its
// serializer: i32 count, then (i64 offset, i64 bucket) pairs.
class EstimatedHistogram {
 public:
  explicit EstimatedHistogram(int bucket_count);
  void Add(int64_t value);
  void Serialize(std::string* out) const;

 private:
  std::vector<int64_t> offsets_;
  std::vector<int64_t> buckets_;  // offsets_.size() + 1 (overflow bucket)
};

// StreamingTombstoneHistogramBuilder(maxBinSize 100, maxSpoolSize 100000,
// roundSeconds 60) as MetadataCollector builds it, with the same spool (an
// open-addressing map drained into the bins when full, in slot order) and
// the same nearest-pair bin merging, so more than 100 distinct points merge
// exactly as Cassandra 4.x merges them. Serialize() is the 4.x serializer:
// i32 size (as "maxBinSize"), i32 size, then (f64 point, i64 count) pairs.
// `legacy` (3.x, version me): "maxBinSize" is written as 100, as Cassandra
// 3.0.18+ (md, me) files show.
class TombstoneHistogram {
 public:
  // The builder's parameters (Cassandra's unit tests use small ones); the
  // spool capacity is rounded up to a power of two, 0 = no spool.
  explicit TombstoneHistogram(bool legacy = false, int max_bins = 100,
                              uint32_t spool_capacity = 100000,
                              int32_t round_seconds = 60);
  void set_legacy(bool legacy) { legacy_ = legacy; }
  void Update(int32_t local_deletion_time);
  reader::Status Serialize(std::string* out) const;
  // The bins after draining the spool: (point, count) in point order.
  std::vector<std::pair<int32_t, int32_t>> Bins() const;

 private:
  bool TrySpool(int32_t point, int32_t delta);
  void FlushSpool();
  void FlushValue(int32_t point, int32_t delta);
  int32_t Round(int32_t point) const;

  bool legacy_;
  int max_bins_;
  uint32_t spool_capacity_;
  int32_t round_seconds_;
  std::vector<std::pair<int32_t, int32_t>> bins_;  // sorted by point
  std::vector<int32_t> spool_;  // (point, value) slots, -1 = empty
  uint32_t spool_size_ = 0;
};

// Filter.db for the na+ layout (BloomFilterSerializer with the "new" bit
// format): i32 hash count, i32 word count, raw bit bytes. The filter size
// follows FilterFactory.getFilter(keys.size(), fp_chance).
reader::Result<std::string> BuildBloomFilter(
    const std::vector<std::string>& keys, double fp_chance);

// The same filter built incrementally: Cassandra sizes the filter from the
// key count it expects (the memtable's partition count for a flush). With
// expected_keys == 0 the writer does not know it, so the key hashes are kept
// (16 bytes per partition) and the filter is sized from the exact count at
// Finish. `old_format` (before na): the pre-4.0 bit order in Filter.db.
class BloomFilterBuilder {
 public:
  BloomFilterBuilder(double fp_chance, uint64_t expected_keys, bool old_format);
  void Add(reader::ByteView key);
  reader::Result<std::string> Finish();

 private:
  void SetBits(uint64_t h1, uint64_t h2);
  double fp_chance_;
  uint64_t expected_keys_;
  bool old_format_;
  int hash_count_ = 0;
  std::vector<uint64_t> words_;
  std::vector<std::pair<uint64_t, uint64_t>> pending_;  // expected_keys_ == 0
  reader::Status status_;
};

// Summary.db as IndexSummaryBuilder + IndexSummary.serializer +
// SSTableReader.saveSummary write it with min_index_interval 128 at full
// sampling. Offsets and entry positions are little-endian (Cassandra writes
// them in the native order of an x86 host), everything else big-endian.
// `keys` in partition order, `index_positions[i]` = Index.db offset of key i.
std::string BuildIndexSummary(const std::vector<std::string>& keys,
                              const std::vector<uint64_t>& index_positions);

// BuildIndexSummary, incrementally: keeps every min_index_interval-th key
// (IndexSummaryBuilder at full sampling) plus the first and last key.
class SummaryBuilder {
 public:
  explicit SummaryBuilder(int min_index_interval = 128)
      : interval_(min_index_interval) {}
  void Add(reader::ByteView key, uint64_t index_position);
  std::string Finish() const;

 private:
  uint32_t interval_;
  uint64_t count_ = 0;
  std::vector<uint32_t> offsets_;
  std::string entries_;
  std::string first_, last_;
};

}  // namespace sstablefs::writer

#endif  // SSTABLEFS_WRITER_METADATA_H_
