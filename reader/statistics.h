// Statistics.db: the metadata components of an SSTable (MetadataSerializer).
// See reader/FORMAT.md, section "Statistics.db".
//
// Layout: a table of contents (component count, then (type, offset) pairs),
// then each component; from version `na` on, CRC32 checksums guard the count,
// the TOC and each component. Components (MetadataType ordinals):
//   0 VALIDATION (partitioner, bloom fp chance)
//   1 COMPACTION (HyperLogLog cardinality estimator, kept as raw bytes)
//   2 STATS      (timestamps, deletion times, TTLs, histograms, clustering
//                 bounds, repair info, ...)
//   3 HEADER     (SerializationHeader.Component)
//
// Contract: DecodeStatistics reads a whole Statistics.db held in memory (it is
// small) and fails with kCorruption naming the file, the byte offset and the
// reason on any inconsistency (bad counts or offsets, truncated component,
// checksum mismatch, lengths running past the end). It never reads outside
// `file`, never allocates more than the bytes that remain justify, and keeps
// no reference to `file` after it returns (everything is copied). A
// component type it does not know is skipped and listed in
// `unknown_components`. Versions other than ma..nb give kUnsupported.
// Thread-safety: pure function.
#ifndef SSTABLEFS_READER_STATISTICS_H_
#define SSTABLEFS_READER_STATISTICS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reader/byte_view.h"
#include "reader/status.h"
#include "reader/version.h"

namespace sstablefs::reader {

// MetadataType ordinals as stored in the TOC.
enum class MetadataType : int32_t {
  kValidation = 0,
  kCompaction = 1,
  kStats = 2,
  kHeader = 3,
};

struct ValidationMetadata {
  std::string partitioner;  // full class name as stored
  double bloom_filter_fp_chance = 0;
};

struct CompactionMetadata {
  // HyperLogLogPlus.getBytes() of the partition key cardinality estimator.
  std::string cardinality_estimator;
};

// EstimatedHistogram: `counts` has one more entry than `offsets`; counts[i]
// holds values <= offsets[i] (and > offsets[i-1]); the last count is the
// overflow bucket (values > offsets.back()).
struct Histogram {
  std::vector<int64_t> offsets;
  std::vector<int64_t> counts;
};

// TombstoneHistogram (StreamingHistogram in 3.0): (point, count) pairs, the
// points being local deletion times in seconds.
struct TombstoneHistogram {
  int32_t max_bin_size = 0;
  std::vector<std::pair<double, int64_t>> bins;
};

// CommitLogPosition (ReplayPosition in 3.0): segment id + offset in it.
struct CommitLogPosition {
  int64_t segment_id = 0;
  int32_t position = 0;
};

struct StatsMetadata {
  Histogram partition_sizes;                 // estimatedPartitionSize
  Histogram column_counts;                   // estimatedCellPerPartitionCount
  CommitLogPosition commit_log_upper_bound;  // all versions
  std::optional<CommitLogPosition> commit_log_lower_bound;  // mb+
  // mc+: the covered commit log intervals, (start, end) pairs.
  std::vector<std::pair<CommitLogPosition, CommitLogPosition>>
      commit_log_intervals;
  // Human-readable rendering for metadata.json:
  // "[(seg:pos)-(seg:pos), ...]"; before mc the single interval
  // lower..upper bound (lower = (-1:0) when not stored).
  std::string commit_log_intervals_text;
  int64_t min_timestamp = 0;
  int64_t max_timestamp = 0;
  // INT32_MAX (Cell.NO_DELETION_TIME as stored) means "no deletion".
  int32_t min_local_deletion_time = 0;
  int32_t max_local_deletion_time = 0;
  int32_t min_ttl = 0;
  int32_t max_ttl = 0;
  double compression_ratio = -1;  // -1 when uncompressed
  TombstoneHistogram tombstone_histogram;
  int32_t sstable_level = 0;
  int64_t repaired_at = 0;  // ms since epoch, 0 = unrepaired
  // Legacy min/max clustering values (all of ma..nb): serialized values, one
  // per clustering column prefix stored. Only trustworthy when
  // `accurate_min_max` (md+, CASSANDRA-14861).
  std::vector<std::string> min_clustering_values;
  std::vector<std::string> max_clustering_values;
  bool accurate_min_max = false;
  bool has_legacy_counter_shards = false;
  int64_t total_columns_set = -1;
  int64_t total_rows = -1;
  std::optional<std::string> originating_host_id;  // UUID text; me, nb+
  std::optional<std::string> pending_repair;       // UUID text; na+ when set
  bool is_transient = false;                       // na+
  std::optional<double> token_space_coverage;      // oa+ (never for ma..nb)
};

struct HeaderColumn {
  std::string name;       // column name bytes as stored (UTF-8)
  std::string type_name;  // AbstractType string, see types.h
};

// SerializationHeader.Component: the EncodingStats minima that Data.db deltas
// are relative to, and the key/clustering/column types.
struct SerializationHeader {
  int64_t min_timestamp = 0;
  int32_t min_local_deletion_time = 0;
  int32_t min_ttl = 0;
  std::string key_type;
  std::vector<std::string> clustering_types;
  std::vector<HeaderColumn> static_columns;   // in the order stored
  std::vector<HeaderColumn> regular_columns;  // in the order stored
};

// One entry of the metadata TOC, with the extent derived from the offsets.
struct MetadataTocEntry {
  int32_t type = 0;
  uint32_t offset = 0;
  uint32_t length = 0;  // up to the next component or end of file,
                        // including the trailing CRC when checksummed
};

struct Statistics {
  std::optional<ValidationMetadata> validation;
  std::optional<CompactionMetadata> compaction;
  std::optional<StatsMetadata> stats;
  std::optional<SerializationHeader> header;
  std::vector<int32_t> unknown_components;
  std::vector<MetadataTocEntry> toc;  // in stored order
  bool checksummed = false;  // the layout stores (and we verified) CRC32s
  // Tolerated oddities, human-readable (unused trailing bytes in a
  // component, pre-release layout variants). Not errors.
  std::vector<std::string> notes;
};

// EncodingStats epochs (EncodingStats.TIMESTAMP_EPOCH etc.): 2015-09-22
// 00:00:00 UTC in microseconds / seconds.
inline constexpr int64_t kEncodingTimestampEpoch = 1442880000000000LL;
inline constexpr int32_t kEncodingDeletionTimeEpoch = 1442880000;
inline constexpr int32_t kEncodingTtlEpoch = 0;

// `path` is used only in error messages. Assumes the "big" format.
Result<Statistics> DecodeStatistics(ByteView file, Version version,
                                    const std::string& path);

// As above for an SSTable of format `format` ("big" or "bti"). The legacy
// `na-*-bti` files of Cassandra's test data (pre-release BTI) use the
// pre-na layout: no checksums, and StatsMetadata fields as in md.
Result<Statistics> DecodeStatistics(ByteView file, Version version,
                                    std::string_view format,
                                    const std::string& path);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_STATISTICS_H_
