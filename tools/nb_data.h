// Internal to the nb writer (tools/nb_writer.h): Data.db serialization
// (UnfilteredSerializer / Cell.Serializer / ColumnIndex as BigTableWriter
// drives them) and the statistics Cassandra gathers while writing
// (EncodingStats.Collector for the serialization header, MetadataCollector
// for the STATS component of Statistics.db).
#ifndef SSTABLEFS_TOOLS_NB_DATA_H_
#define SSTABLEFS_TOOLS_NB_DATA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "reader/columns.h"
#include "reader/status.h"
#include "tools/nb_metadata.h"
#include "tools/nb_writer.h"

namespace sstablefs::tools {

// EncodingStats.Collector over every partition: the minima that Data.db
// timestamps, deletion times and TTLs are written relative to.
reader::EncodingStats CollectEncodingStats(
    const std::vector<PartitionData>& partitions);

// MetadataCollector: what the STATS and COMPACTION components hold.
struct StatsCollector {
  StatsCollector();

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

// Serializes partitions into Data.db bytes and feeds `stats`.
class DataEncoder {
 public:
  // `columns` must outlive the encoder.
  DataEncoder(const reader::Columns* columns, StatsCollector* stats);

  // Appends the partition at the end of `out`.
  reader::Status AppendPartition(const PartitionData& p, std::string* out);

 private:
  reader::Status AppendRow(const reader::Row& row, uint64_t previous_size,
                           std::string* out);
  void AppendColumnSubset(const std::vector<bool>& present, std::string* out);
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
  void AppendTimestamp(int64_t ts, std::string* out) const;
  void AppendLocalDeletionTime(int32_t ldt, std::string* out) const;
  void AppendTtl(int32_t ttl, std::string* out) const;
  void AppendDeletionTime(const reader::DeletionTime& dt,
                          std::string* out) const;
  // Rows.collectStats: returns the row's cell count.
  int64_t CollectRowStats(const reader::Row& row);
  void UpdateClusteringBounds(const reader::Clustering& c);

  const reader::Columns* columns_;
  StatsCollector* stats_;
  reader::BoundKind min_kind_ = reader::BoundKind::kClustering;
  reader::BoundKind max_kind_ = reader::BoundKind::kClustering;
};

}  // namespace sstablefs::tools

#endif  // SSTABLEFS_TOOLS_NB_DATA_H_
