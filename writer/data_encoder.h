// Internal to the writer (writer/sstable_writer.h): Data.db serialization
// (UnfilteredSerializer / Cell.Serializer driven by ColumnIndex, as
// BigTableWriter uses them), the promoted index that ColumnIndex builds on
// the way, and the statistics Cassandra gathers while writing
// (EncodingStats.Collector for the serialization header, MetadataCollector
// for the STATS component of Statistics.db).
//
// Contract: single-threaded value types. The encoder appends to a
// DataBuffer; the caller may drain bytes from the front of the buffer between
// calls (it keeps `flushed` up to date), so a partition of any size is
// encoded with memory bounded by one row plus its promoted index.
#ifndef SSTABLEFS_WRITER_DATA_ENCODER_H_
#define SSTABLEFS_WRITER_DATA_ENCODER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "reader/columns.h"
#include "reader/status.h"
#include "writer/metadata.h"
#include "writer/sstable_writer.h"

namespace sstablefs::writer {

// EncodingStats epochs (2015-09-22T00:00:00Z): EncodingStats.NO_STATS.
inline constexpr int64_t kTimestampEpoch = 1442880000000000LL;
inline constexpr int32_t kDeletionTimeEpoch = 1442880000;

// EncodingStats.Collector over every partition: the minima that Data.db
// timestamps, deletion times and TTLs are written relative to.
reader::EncodingStats CollectEncodingStats(
    const std::vector<PartitionData>& partitions);

// MetadataCollector: what the STATS and COMPACTION components hold.
struct StatsCollector {
  StatsCollector();
  // 3.x (version me) statistics: see TombstoneHistogram.
  void SetLegacy(bool legacy) { tombstones.set_legacy(legacy); }

  EstimatedHistogram partition_sizes;  // EstimatedHistogram(150)
  EstimatedHistogram cell_counts;      // EstimatedHistogram(118)
  TombstoneHistogram tombstones;
  CardinalityEstimator cardinality;
  int64_t min_timestamp = 0, max_timestamp = 0;
  bool timestamp_set = false;
  int32_t min_ldt = reader::kNoDeletionTime, max_ldt = reader::kNoDeletionTime;
  bool ldt_set = false;
  int32_t min_ttl = 0, max_ttl = 0;
  bool ttl_set = false;
  int64_t total_columns_set = 0;
  int64_t total_rows = 0;
  // Smallest / largest clustering prefix (rows and marker bounds).
  bool has_clustering = false;
  std::vector<std::string> min_clustering;
  std::vector<std::string> max_clustering;

  void UpdateTimestamp(int64_t ts);
  void UpdateLocalDeletionTime(int32_t ldt);
  void UpdateTtl(int32_t ttl);
  void Update(const reader::DeletionTime& dt);
};

// Data.db bytes not yet handed to the file; bytes[0] is at Data.db offset
// `flushed`.
struct DataBuffer {
  std::string bytes;
  uint64_t flushed = 0;
  uint64_t position() const { return flushed + bytes.size(); }
};

// Serializes partitions into Data.db bytes, feeds `stats` and builds the
// promoted index (ColumnIndex) of each partition.
class DataEncoder {
 public:
  // `columns` must outlive the encoder. `column_index_size`: the Data.db
  // bytes after which ColumnIndex closes an index block.
  DataEncoder(const reader::Columns* columns, StatsCollector* stats,
              uint32_t column_index_size = 64 * 1024);

  // One partition in three steps (rows may be drained from `out` between
  // the calls). `static_row` may be null (an empty static row).
  reader::Status BeginPartition(reader::ByteView key,
                                const reader::DeletionTime& deletion,
                                const reader::Row* static_row, DataBuffer* out);
  reader::Status AddUnfiltered(const reader::Unfiltered& u, DataBuffer* out);
  reader::Status EndPartition(DataBuffer* out);

  // The three steps at once; appends the partition at the end of `out`.
  reader::Status AppendPartition(const PartitionData& p, DataBuffer* out);
  reader::Status AppendPartition(const PartitionData& p, std::string* out);

  // After EndPartition: the partition's Data.db start, and its promoted
  // index (RowIndexEntry.IndexedEntry after the size vint: header length,
  // partition deletion, IndexInfo blocks, offsets), empty when the partition
  // has fewer than two index blocks (Cassandra then writes none).
  uint64_t partition_start() const { return partition_start_; }
  const std::string& promoted_index() const { return promoted_index_; }

 private:
  reader::Status AppendRow(const reader::Row& row, uint64_t previous_size,
                           std::string* out);
  void AppendColumnSubset(std::string* out);
  reader::Status AppendRowBody(const reader::Row& row, int flags,
                               std::string* out);
  reader::Status AppendCell(const reader::Cell& cell,
                            const reader::ColumnDef& column,
                            const reader::LivenessInfo& row_liveness,
                            std::string* out);
  reader::Status AppendMarker(const reader::RangeTombstoneMarker& marker,
                              uint64_t previous_size, std::string* out);
  reader::Status AppendClusteringValues(const reader::Clustering& c,
                                        std::string* out);
  // ClusteringPrefix.serializer: kind byte, [u16 size], values.
  reader::Status AppendClusteringPrefix(const reader::Clustering& c,
                                        std::string* out);
  void AppendTimestamp(int64_t ts, std::string* out) const;
  void AppendLocalDeletionTime(int32_t ldt, std::string* out) const;
  void AppendTtl(int32_t ttl, std::string* out) const;
  void AppendDeletionTime(const reader::DeletionTime& dt,
                          std::string* out) const;
  // Rows.collectStats: returns the row's cell count.
  int64_t CollectRowStats(const reader::Row& row);
  void UpdateClusteringBounds(const reader::Clustering& c);
  int CompareToBound(const reader::Clustering& c,
                     const std::vector<std::string>& bound,
                     reader::BoundKind bound_kind) const;
  // ColumnIndex.addIndexBlock.
  reader::Status AddIndexBlock(uint64_t end);

  const reader::Columns* columns_;
  StatsCollector* stats_;
  const uint32_t column_index_size_;
  reader::BoundKind min_kind_ = reader::BoundKind::kClustering;
  reader::BoundKind max_kind_ = reader::BoundKind::kClustering;

  // Per partition.
  uint64_t partition_start_ = 0;
  uint64_t header_length_ = 0;
  uint64_t previous_start_ = 0;  // relative start of the previous unfiltered
  int64_t cells_ = 0;
  int64_t written_ = 0;
  reader::DeletionTime partition_deletion_;
  // The open index block (ColumnIndex.firstClustering != null).
  bool block_open_ = false;
  uint64_t block_start_ = 0;
  std::string block_first_;  // serialized ClusteringPrefix
  std::string block_last_;
  bool has_open_marker_ = false;
  reader::DeletionTime open_marker_;
  uint32_t block_count_ = 0;
  std::string blocks_;  // serialized IndexInfo entries
  std::vector<uint32_t> block_offsets_;
  std::string promoted_index_;

  // Scratch, reused across rows to avoid per-row allocation.
  std::vector<uint8_t> present_;
  std::vector<reader::DeletionTime> complex_deletion_;
  std::string body_;
  std::string last_clustering_;
};

}  // namespace sstablefs::writer

#endif  // SSTABLEFS_WRITER_DATA_ENCODER_H_
