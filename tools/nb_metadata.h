// Encoders for the small metadata structures of an nb ("big") SSTable that
// the example writer needs: Cassandra's MurmurHash2 64-bit hash, the HLL++
// cardinality estimator of Statistics.db, EstimatedHistogram, the tombstone
// drop-time histogram, the bloom filter (Filter.db) and the index summary
// (Summary.db). See reader/FORMAT.md for the layouts.
//
// Contract: these are plain value types used by one writer thread; nothing
// here touches the file system. Everything is deterministic: the same input
// always yields the same bytes.
#ifndef SSTABLEFS_TOOLS_NB_METADATA_H_
#define SSTABLEFS_TOOLS_NB_METADATA_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "reader/byte_view.h"
#include "reader/status.h"

namespace sstablefs::tools {

// org.apache.cassandra.utils.MurmurHash.hash2_64(key, 0, len, seed), which
// MetadataCollector.addKey feeds to the cardinality estimator. Like
// Cassandra, the tail bytes are sign-extended Java bytes.
uint64_t CassandraMurmurHash2_64(reader::ByteView key, uint64_t seed = 0);

// clearspring HyperLogLogPlus(p = 13, sp = 25) as MetadataCollector uses it,
// in its sparse representation; Serialize() is HyperLogLogPlus.getBytes()
// (the CompactionMetadata payload).
class CardinalityEstimator {
 public:
  void OfferKey(reader::ByteView partition_key);
  // kUnsupported once the sparse set would turn into the normal (register)
  // representation (more than 6144 distinct sparse indexes): the example
  // never gets near that.
  reader::Result<std::string> Serialize() const;

 private:
  std::vector<int32_t> encoded_;  // one sparse encoding per offered key
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

// StreamingTombstoneHistogramBuilder with Cassandra's defaults (100 bins,
// points rounded up to 60 s) and the nb serializer (i32 size twice, then
// (f64 point, i64 count) pairs).
class TombstoneHistogram {
 public:
  void Update(int32_t local_deletion_time);
  // kUnsupported beyond 100 distinct rounded points (Cassandra would start
  // merging bins; the example never needs that).
  reader::Status Serialize(std::string* out) const;

 private:
  std::map<int64_t, int64_t> bins_;
};

// Filter.db for the na+ layout (BloomFilterSerializer with the "new" bit
// format): i32 hash count, i32 word count, raw bit bytes. The filter size
// follows FilterFactory.getFilter(keys.size(), fp_chance).
reader::Result<std::string> BuildBloomFilter(
    const std::vector<std::string>& keys, double fp_chance);

// Summary.db as IndexSummaryBuilder + IndexSummary.serializer +
// SSTableReader.saveSummary write it with min_index_interval 128 at full
// sampling. Offsets and entry positions are little-endian (Cassandra writes
// them in the native order of an x86 host), everything else big-endian.
// `keys` in partition order, `index_positions[i]` = Index.db offset of key i.
std::string BuildIndexSummary(const std::vector<std::string>& keys,
                              const std::vector<uint64_t>& index_positions);

}  // namespace sstablefs::tools

#endif  // SSTABLEFS_TOOLS_NB_METADATA_H_
