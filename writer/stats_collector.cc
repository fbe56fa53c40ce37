// EncodingStats.Collector and MetadataCollector (writer/data_encoder.h):
// the statistics Cassandra gathers while it writes an SSTable.
#include <algorithm>

#include "reader/unfiltered.h"
#include "writer/data_encoder.h"

namespace sstablefs::writer {

using reader::Cell;
using reader::DeletionTime;
using reader::Row;
using reader::Unfiltered;

reader::EncodingStats CollectEncodingStats(
    const std::vector<PartitionData>& partitions) {
  bool ts_set = false, ldt_set = false, ttl_set = false;
  int64_t min_ts = INT64_MAX;
  int32_t min_ldt = INT32_MAX, min_ttl = INT32_MAX;
  auto ts = [&](int64_t v) {
    ts_set = true;
    min_ts = std::min(min_ts, v);
  };
  auto ldt = [&](int32_t v) {
    ldt_set = true;
    min_ldt = std::min(min_ldt, v);
  };
  auto ttl = [&](int32_t v) {
    ttl_set = true;
    min_ttl = std::min(min_ttl, v);
  };
  auto deletion = [&](const DeletionTime& d) {
    if (d.IsLive()) return;
    ts(d.marked_for_delete_at);
    ldt(d.local_deletion_time);
  };
  auto row = [&](const Row& r) {
    if (!r.liveness.IsEmpty()) {
      ts(r.liveness.timestamp);
      if (r.liveness.IsExpiring()) {
        ttl(r.liveness.ttl);
        ldt(r.liveness.local_expiration_time);
      }
    }
    deletion(r.deletion);
    for (const auto& cd : r.complex_deletions) deletion(cd.deletion);
    for (const Cell& c : r.cells) {
      ts(c.timestamp);
      if (c.is_expiring && !c.is_tombstone) {
        ttl(c.ttl);
        ldt(c.local_deletion_time);
      } else if (c.is_tombstone) {
        ldt(c.local_deletion_time);
      }
    }
  };
  for (const PartitionData& p : partitions) {
    deletion(p.deletion);
    if (p.static_row) row(*p.static_row);
    for (const Unfiltered& u : p.unfiltereds) {
      if (u.kind == Unfiltered::Kind::kRow) {
        row(u.row);
      } else if (reader::IsBoundary(u.marker.bound.kind)) {
        deletion(u.marker.end_deletion);
        deletion(u.marker.start_deletion);
      } else {
        deletion(u.marker.deletion);
      }
    }
  }
  reader::EncodingStats s;
  s.min_timestamp = ts_set ? min_ts : kTimestampEpoch;
  s.min_local_deletion_time = ldt_set ? min_ldt : kDeletionTimeEpoch;
  s.min_ttl = ttl_set ? min_ttl : 0;
  return s;
}

// --- StatsCollector (MetadataCollector)
// ---------------------------------------------

StatsCollector::StatsCollector() : partition_sizes(150), cell_counts(118) {}

void StatsCollector::UpdateTimestamp(int64_t ts) {
  min_timestamp = timestamp_set ? std::min(min_timestamp, ts) : ts;
  max_timestamp = timestamp_set ? std::max(max_timestamp, ts) : ts;
  timestamp_set = true;
}

void StatsCollector::UpdateLocalDeletionTime(int32_t ldt) {
  min_ldt = ldt_set ? std::min(min_ldt, ldt) : ldt;
  max_ldt = ldt_set ? std::max(max_ldt, ldt) : ldt;
  ldt_set = true;
  if (ldt != reader::kNoDeletionTime) tombstones.Update(ldt);
}

void StatsCollector::UpdateTtl(int32_t ttl) {
  min_ttl = ttl_set ? std::min(min_ttl, ttl) : ttl;
  max_ttl = ttl_set ? std::max(max_ttl, ttl) : ttl;
  ttl_set = true;
}

void StatsCollector::Update(const DeletionTime& dt) {
  if (dt.IsLive()) return;
  UpdateTimestamp(dt.marked_for_delete_at);
  UpdateLocalDeletionTime(dt.local_deletion_time);
}

}  // namespace sstablefs::writer
