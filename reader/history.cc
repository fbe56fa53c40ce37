// history.jsonl of one partition (table.h, SPEC §2): every version of every
// cell and every tombstone in every SSTable, and whether the merged view
// shows it.
//
// The partition is merged once per SSTable holding it, with an observer that
// writes only that SSTable's items: output comes oldest SSTable first, then
// in Data.db order, and memory stays bounded by the merge (never the whole
// partition's history), at the price of one merge pass per SSTable.
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "reader/counter.h"
#include "reader/table.h"
#include "reader/table_merge.h"
#include "reader/types.h"

namespace sstablefs::reader {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

// "2024-01-31 13:45:00Z" for seconds since the epoch.
void AppendTime(int64_t secs, std::string* out) {
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  // civil_from_days (proleptic Gregorian).
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[160];  // room for any int64 fields (-Wformat-truncation)
  std::snprintf(
      buf, sizeof buf, "\"%04lld-%02lld-%02lld %02lld:%02lld:%02lldZ\"",
      static_cast<long long>(y), static_cast<long long>(m),
      static_cast<long long>(d), static_cast<long long>(rem / 3600),
      static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  out->append(buf);
}

const char* BoundName(BoundKind k) {
  switch (k) {
    case BoundKind::kExclEndBound:
      return "excl_end";
    case BoundKind::kInclStartBound:
      return "incl_start";
    case BoundKind::kExclEndInclStartBoundary:
      return "excl_end_incl_start";
    case BoundKind::kInclEndExclStartBoundary:
      return "incl_end_excl_start";
    case BoundKind::kInclEndBound:
      return "incl_end";
    case BoundKind::kExclStartBound:
      return "excl_start";
    default:
      return "clustering";
  }
}

class HistoryWriter : public MergeObserver {
 public:
  HistoryWriter(const Table& table, OutputSink* out) : out_(out) {
    (void)table;
  }

  // Writes the items of the `target`-th source of the merge, an SSTable
  // whose header is `sstable`'s.
  void Target(size_t target, const SSTable* sstable,
              const ColumnMapping* mapping) {
    target_ = target;
    sstable_ = sstable;
    mapping_ = mapping;
  }

  Status OnPartition(size_t src, const PartitionHeader& p) override {
    if (src != target_ || p.deletion.IsLive()) return Status::Ok();
    Start("partition_deletion");
    buf_ += ",\"clustering\":null";
    Deletion(p.deletion);
    return End(false);
  }

  Status OnMarker(size_t src, const RangeTombstoneMarker& m) override {
    if (src != target_) return Status::Ok();
    Start("range_tombstone_bound");
    ClusteringJson(m.bound);
    if (IsBoundary(m.bound.kind)) {
      Deletion(m.start_deletion);
      buf_ += ",\"end_writetime\":";
      buf_ += std::to_string(m.end_deletion.marked_for_delete_at);
      buf_ += ",\"end_deleted_at\":";
      AppendTime(m.end_deletion.local_deletion_time, &buf_);
    } else {
      Deletion(m.deletion);
    }
    buf_ += ",\"bound\":\"";
    buf_ += BoundName(m.bound.kind);
    buf_ += '"';
    return End(false);
  }

  Status OnRow(size_t src, const Row& row, bool liveness_shown,
               std::span<const uint8_t> cell_shown) override {
    if (src != target_) return Status::Ok();
    if (!row.liveness.IsEmpty()) {
      Start("row_marker");
      RowClustering(row);
      const LivenessInfo& l = row.liveness;
      const bool expired_marker = l.ttl == kExpiredLiveness;
      if (expired_marker) buf_ += ",\"tombstone\":true";
      buf_ += ",\"writetime\":" + std::to_string(l.timestamp);
      if (l.IsExpiring() && !expired_marker) {
        buf_ += ",\"ttl\":" + std::to_string(l.ttl) + ",\"expires_at\":";
        AppendTime(l.local_expiration_time, &buf_);
      } else if (expired_marker) {
        buf_ += ",\"deleted_at\":";
        AppendTime(l.local_expiration_time, &buf_);
      }
      SSTFS_RETURN_IF_ERROR(End(liveness_shown));
    }
    for (const DeletionTime* d : {&row.deletion, &row.shadowable_deletion}) {
      if (d->IsLive()) continue;
      Start("row_deletion");
      RowClustering(row);
      Deletion(*d);
      if (d != &row.deletion || row.deletion_is_shadowable) {
        buf_ += ",\"shadowable\":true";
      }
      SSTFS_RETURN_IF_ERROR(End(false));
    }
    const Columns& cols = sstable_->columns();
    const auto& defs = row.is_static ? cols.statics : cols.regulars;
    const auto& slots = row.is_static ? mapping_->statics : mapping_->regulars;
    for (const ComplexDeletion& cd : row.complex_deletions) {
      if (cd.column >= defs.size()) continue;
      Start("complex_deletion");
      RowClustering(row);
      Column(defs[cd.column], slots[cd.column],
             cd.deletion.marked_for_delete_at);
      Deletion(cd.deletion);
      SSTFS_RETURN_IF_ERROR(End(false));
    }
    for (size_t i = 0; i < row.cells.size(); ++i) {
      const Cell& c = row.cells[i];
      if (c.column >= defs.size()) continue;
      const ColumnDef& def = defs[c.column];
      Start("cell");
      RowClustering(row);
      Column(def, slots[c.column], c.timestamp);
      CellValue(def, c);
      if (c.is_tombstone) buf_ += ",\"tombstone\":true";
      buf_ += ",\"writetime\":" + std::to_string(c.timestamp);
      if (c.is_expiring) {
        buf_ += ",\"ttl\":" + std::to_string(c.ttl) + ",\"expires_at\":";
        AppendTime(c.local_deletion_time, &buf_);
      } else if (c.is_tombstone) {
        buf_ += ",\"deleted_at\":";
        AppendTime(c.local_deletion_time, &buf_);
      }
      SSTFS_RETURN_IF_ERROR(End(i < cell_shown.size() && cell_shown[i] != 0));
    }
    return Status::Ok();
  }

  Status Finish() {
    Status s = out_->Append(buf_);
    buf_.clear();
    return s;
  }

 private:
  void Start(const char* kind) {
    buf_ += "{\"sstable\":";
    AppendJsonString(sstable_->descriptor().prefix(), &buf_);
    buf_ += ",\"kind\":\"";
    buf_ += kind;
    buf_ += '"';
  }
  Status End(bool live) {
    buf_ += live ? ",\"live\":true}\n" : ",\"live\":false}\n";
    if (buf_.size() < kFlushBytes) return Status::Ok();
    return Finish();
  }
  void Deletion(const DeletionTime& d) {
    buf_ += ",\"tombstone\":true,\"writetime\":";
    buf_ += std::to_string(d.marked_for_delete_at);
    buf_ += ",\"deleted_at\":";
    AppendTime(d.local_deletion_time, &buf_);
  }
  void ClusteringJson(const Clustering& c) {
    const auto& types = sstable_->columns().clustering_types;
    buf_ += ",\"clustering\":[";
    for (size_t i = 0; i < c.values.size(); ++i) {
      if (i) buf_ += ',';
      if (!c.values[i] || i >= types.size()) {
        buf_ += "null";
      } else {
        AppendJson(*types[i], *c.values[i], &buf_);
      }
    }
    buf_ += ']';
  }
  void RowClustering(const Row& row) {
    if (row.is_static) {
      buf_ += ",\"clustering\":null";
    } else {
      ClusteringJson(row.clustering);
    }
  }
  void Column(const ColumnDef& def, const ColumnMapping::Slot& slot,
              int64_t timestamp) {
    buf_ += ",\"column\":";
    AppendJsonString(def.name, &buf_);
    if (slot.dropped || (slot.slot >= 0 && timestamp <= slot.dropped_at)) {
      buf_ += ",\"dropped\":true";
    }
  }
  void CellValue(const ColumnDef& def, const Cell& c) {
    const CqlType& type = *def.type;
    if (c.has_path && def.is_complex) {
      buf_ += ",\"path\":";
      if (type.kind == TypeKind::kUdt) {
        int pos = UdtFieldPosition(c.path);
        if (pos >= 0 && static_cast<size_t>(pos) < type.field_names.size()) {
          AppendJsonString(type.field_names[pos], &buf_);
        } else {
          buf_ += std::to_string(pos);
        }
      } else if (CqlTypePtr pt = CellPathType(type)) {
        AppendJson(*pt, c.path, &buf_);
      } else {
        buf_ += "null";
      }
      if (c.is_tombstone) return;
      CqlTypePtr vt = type.kind == TypeKind::kUdt
                          ? UdtFieldType(type, UdtFieldPosition(c.path))
                          : CellValueType(type);
      if (vt != nullptr && !(type.kind == TypeKind::kSet)) {
        buf_ += ",\"value\":";
        AppendJson(*vt, c.value, &buf_);
      }
      return;
    }
    if (c.is_tombstone) return;
    buf_ += ",\"value\":";
    if (type.kind == TypeKind::kCounter) {
      Result<int64_t> total = CounterValue(c.value);
      if (total.ok()) {
        buf_ += std::to_string(*total);
        return;
      }
    }
    AppendJson(type, c.value, &buf_);
  }

  OutputSink* out_;
  std::string buf_;
  size_t target_ = 0;
  const SSTable* sstable_ = nullptr;
  const ColumnMapping* mapping_ = nullptr;
};

}  // namespace

Status RenderPartitionHistory(const std::shared_ptr<const Table>& table,
                              ByteView key, const RowOptions& options,
                              OutputSink* out) {
  // The SSTables holding the key, in table order: the merge's sources.
  std::vector<size_t> holders;
  for (size_t i = 0; i < table->sstables().size(); ++i) {
    SSTFS_ASSIGN_OR_RETURN(std::optional<uint64_t> pos,
                           table->sstables()[i]->FindPartition(key));
    if (pos) holders.push_back(i);
  }
  if (holders.empty()) {
    return Status::NotFound("partition not found in any SSTable");
  }
  HistoryWriter writer(*table, out);
  for (size_t j = 0; j < holders.size(); ++j) {
    const SSTable* sstable = table->sstables()[holders[j]].get();
    ColumnMapping mapping =
        MapColumns(sstable->columns(), table->schema(), "", nullptr);
    writer.Target(j, sstable, &mapping);
    SSTFS_RETURN_IF_ERROR(
        MergeOnePartition(table, key, options, nullptr, nullptr, &writer));
  }
  return writer.Finish();
}

}  // namespace sstablefs::reader
