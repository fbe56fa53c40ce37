// Statistics.db: the metadata components of an SSTable (MetadataSerializer).
// See reader/FORMAT.md, section "Statistics.db".
//
// Layout: a table of contents (component count, then (type, offset) pairs),
// then each component; from version `na` on, checksums guard the TOC and each
// component. Components: VALIDATION (partitioner, bloom fp chance), COMPACTION
// (cardinality estimator), STATS (timestamps, deletion times, TTLs, histograms,
// clustering bounds, repair info, ...), HEADER (the SerializationHeader).
//
// Contract: DecodeStatistics reads a whole Statistics.db held in memory (it is
// small) and fails with kCorruption naming the file, offset and reason on any
// inconsistency (bad offsets, truncated component, checksum mismatch). A
// component type it does not know is skipped and listed in `unknown_components`.
#ifndef SSTABLEFS_READER_STATISTICS_H_
#define SSTABLEFS_READER_STATISTICS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reader/byte_view.h"
#include "reader/status.h"
#include "reader/version.h"

namespace sstablefs::reader {

struct ValidationMetadata {
  std::string partitioner;  // full class name as stored
  double bloom_filter_fp_chance = 0;
};

// EstimatedHistogram: bucket offsets and counts.
struct Histogram {
  std::vector<int64_t> offsets;
  std::vector<int64_t> counts;
};

// StreamingTombstoneHistogramBuilder output: (point, count) pairs.
struct TombstoneHistogram {
  int32_t max_bin_size = 0;
  std::vector<std::pair<double, int64_t>> bins;
};

struct StatsMetadata {
  Histogram partition_sizes;       // estimatedPartitionSize
  Histogram column_counts;         // estimatedCellPerPartitionCount
  // commitLogIntervals / position: kept raw for metadata.json
  std::string commit_log_intervals_text;
  int64_t min_timestamp = 0;
  int64_t max_timestamp = 0;
  int32_t min_local_deletion_time = 0;
  int32_t max_local_deletion_time = 0;
  int32_t min_ttl = 0;
  int32_t max_ttl = 0;
  double compression_ratio = -1;
  TombstoneHistogram tombstone_histogram;
  int32_t sstable_level = 0;
  int64_t repaired_at = 0;
  // Clustering bounds: min/max per column (mc and earlier) or a covered slice
  // (from nb on): serialized values, one per clustering column present.
  std::vector<std::string> min_clustering_values;
  std::vector<std::string> max_clustering_values;
  bool has_legacy_counter_shards = false;
  int64_t total_columns_set = -1;  // mb+ (-1 when absent)
  int64_t total_rows = -1;         // mb+
  std::optional<std::string> originating_host_id;  // UUID text, nb+ when set
  std::optional<std::string> pending_repair;       // UUID text, mc+ when set
  bool is_transient = false;                       // na+
  std::optional<double> token_space_coverage;      // nb? when present
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

struct Statistics {
  std::optional<ValidationMetadata> validation;
  std::optional<StatsMetadata> stats;
  std::optional<SerializationHeader> header;
  std::vector<int32_t> unknown_components;
  bool checksummed = false;  // the version stores component checksums
};

// `path` is used only in error messages.
Result<Statistics> DecodeStatistics(ByteView file, Version version,
                                    const std::string& path);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_STATISTICS_H_
