#include "tools/nb_data.h"

#include <algorithm>
#include <utility>

#include "reader/byte_reader.h"
#include "reader/types.h"

namespace sstablefs::tools {

using reader::AppendU16;
using reader::AppendU32;
using reader::AppendU64;
using reader::AppendUnsignedVInt;
using reader::BoundKind;
using reader::ByteView;
using reader::Cell;
using reader::Clustering;
using reader::ColumnDef;
using reader::DeletionTime;
using reader::LivenessInfo;
using reader::RangeTombstoneMarker;
using reader::Row;
using reader::Status;
using reader::Unfiltered;

namespace {

// EncodingStats epochs (2015-09-22T00:00:00Z): values are written as deltas
// from these when nothing of the kind was seen.
constexpr int64_t kTimestampEpoch = 1442880000000000LL;
constexpr int32_t kDeletionTimeEpoch = 1442880000;

// UnfilteredSerializer flags.
constexpr int kEndOfPartition = 0x01;
constexpr int kIsMarker = 0x02;
constexpr int kHasTimestamp = 0x04;
constexpr int kHasTtl = 0x08;
constexpr int kHasDeletion = 0x10;
constexpr int kHasAllColumns = 0x20;
constexpr int kHasComplexDeletion = 0x40;
constexpr int kExtensionFlag = 0x80;
constexpr int kIsStatic = 0x01;               // extended flags
constexpr int kHasShadowableDeletion = 0x02;  // extended flags

// Cell.Serializer flags.
constexpr int kCellIsDeleted = 0x01;
constexpr int kCellIsExpiring = 0x02;
constexpr int kCellHasEmptyValue = 0x04;
constexpr int kCellUseRowTimestamp = 0x08;
constexpr int kCellUseRowTtl = 0x10;

// Cell.localDeletionTime() of a live, non-expiring cell.
int32_t CellLocalDeletionTime(const Cell& c) {
  return (c.is_tombstone || c.is_expiring) ? c.local_deletion_time
                                           : reader::kNoDeletionTime;
}

// Java int subtraction (wraps) widened to long, then written as an unsigned
// vint, as SerializationHeader.writeLocalDeletionTime / writeTTL do.
void AppendIntDelta(std::string* out, int32_t v, int32_t min) {
  int32_t d = static_cast<int32_t>(static_cast<uint32_t>(v) -
                                   static_cast<uint32_t>(min));
  AppendUnsignedVInt(out, static_cast<uint64_t>(static_cast<int64_t>(d)));
}

// ClusteringPrefix.Kind.comparedToClustering.
int ComparedToClustering(BoundKind k) {
  switch (k) {
    case BoundKind::kExclEndBound:
    case BoundKind::kInclStartBound:
    case BoundKind::kExclEndInclStartBoundary:
      return -1;
    case BoundKind::kInclEndBound:
    case BoundKind::kExclStartBound:
    case BoundKind::kInclEndExclStartBoundary:
      return 1;
    default:
      return 0;
  }
}

}  // namespace

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

// --- DataEncoder
// -----------------------------------------------------------------------

DataEncoder::DataEncoder(const reader::Columns* columns, StatsCollector* stats)
    : columns_(columns), stats_(stats) {}

void DataEncoder::AppendTimestamp(int64_t ts, std::string* out) const {
  AppendUnsignedVInt(out,
                     static_cast<uint64_t>(ts) -
                         static_cast<uint64_t>(columns_->stats.min_timestamp));
}

void DataEncoder::AppendLocalDeletionTime(int32_t ldt, std::string* out) const {
  AppendIntDelta(out, ldt, columns_->stats.min_local_deletion_time);
}

void DataEncoder::AppendTtl(int32_t ttl, std::string* out) const {
  AppendIntDelta(out, ttl, columns_->stats.min_ttl);
}

void DataEncoder::AppendDeletionTime(const DeletionTime& dt,
                                     std::string* out) const {
  AppendTimestamp(dt.marked_for_delete_at, out);
  AppendLocalDeletionTime(dt.local_deletion_time, out);
}

Status DataEncoder::AppendPartition(const PartitionData& p, std::string* out) {
  const size_t start = out->size();
  if (p.key.size() > 0xffff) return Status::InvalidArgument("key too long");
  stats_->cardinality.OfferKey(ByteView(p.key));
  stats_->Update(p.deletion);

  // ColumnIndex.writePartitionHeader.
  AppendU16(out, static_cast<uint16_t>(p.key.size()));
  *out += p.key;
  AppendU32(out, static_cast<uint32_t>(p.deletion.local_deletion_time));
  AppendU64(out, static_cast<uint64_t>(p.deletion.marked_for_delete_at));
  int64_t cells = 0;
  if (!columns_->statics.empty()) {
    Row empty_static;
    empty_static.is_static = true;
    empty_static.clustering.kind = BoundKind::kStaticClustering;
    const Row& s = p.static_row ? *p.static_row : empty_static;
    if (!s.is_static) return Status::InvalidArgument("static row not static");
    if (!s.cells.empty() || !s.liveness.IsEmpty() || !s.deletion.IsLive()) {
      cells += CollectRowStats(s);
    }
    SSTFS_RETURN_IF_ERROR(AppendRow(s, 0, out));
  } else if (p.static_row) {
    return Status::InvalidArgument("static row but no static columns");
  }

  // ColumnIndex.add: each unfiltered records the distance from the previous
  // one's start (the first one: from the partition start).
  uint64_t previous_start = 0;
  for (const Unfiltered& u : p.unfiltereds) {
    const uint64_t pos = out->size() - start;
    if (u.kind == Unfiltered::Kind::kRow) {
      if (u.row.is_static) return Status::InvalidArgument("static row in rows");
      UpdateClusteringBounds(u.row.clustering);
      cells += CollectRowStats(u.row);
      SSTFS_RETURN_IF_ERROR(AppendRow(u.row, pos - previous_start, out));
    } else {
      const RangeTombstoneMarker& m = u.marker;
      if (reader::IsBoundary(m.bound.kind)) {
        stats_->Update(m.end_deletion);
        stats_->Update(m.start_deletion);
      } else {
        UpdateClusteringBounds(m.bound);
        stats_->Update(m.deletion);
      }
      SSTFS_RETURN_IF_ERROR(AppendMarker(m, pos - previous_start, out));
    }
    previous_start = pos;
  }
  out->push_back(static_cast<char>(kEndOfPartition));
  stats_->partition_sizes.Add(static_cast<int64_t>(out->size() - start));
  stats_->cell_counts.Add(cells);
  return Status::Ok();
}

Status DataEncoder::AppendRow(const Row& row, uint64_t previous_size,
                              std::string* out) {
  const auto& header_columns =
      row.is_static ? columns_->statics : columns_->regulars;
  // Which header columns carry data (cells, or a complex deletion).
  std::vector<bool> present(header_columns.size(), false);
  for (const Cell& c : row.cells) {
    if (c.column >= present.size()) {
      return Status::InvalidArgument("cell column index out of range");
    }
    present[c.column] = true;
  }
  bool has_complex_deletion = false;
  for (const auto& cd : row.complex_deletions) {
    if (cd.column >= present.size() || !header_columns[cd.column].is_complex) {
      return Status::InvalidArgument("complex deletion on a simple column");
    }
    if (!cd.deletion.IsLive()) {
      present[cd.column] = true;
      has_complex_deletion = true;
    }
  }
  const bool all_columns = std::count(present.begin(), present.end(), true) ==
                           static_cast<std::ptrdiff_t>(present.size());

  int flags = 0, extended = 0;
  if (row.is_static) extended |= kIsStatic;
  if (!row.liveness.IsEmpty()) flags |= kHasTimestamp;
  if (row.liveness.IsExpiring()) flags |= kHasTtl;
  if (!row.deletion.IsLive()) {
    flags |= kHasDeletion;
    if (row.deletion_is_shadowable) extended |= kHasShadowableDeletion;
  }
  if (has_complex_deletion) flags |= kHasComplexDeletion;
  if (all_columns) flags |= kHasAllColumns;
  if (extended != 0) flags |= kExtensionFlag;

  out->push_back(static_cast<char>(flags));
  if (extended != 0) out->push_back(static_cast<char>(extended));
  if (!row.is_static) {
    if (row.clustering.values.size() != columns_->clustering_types.size()) {
      return Status::InvalidArgument("row clustering has the wrong size");
    }
    SSTFS_RETURN_IF_ERROR(AppendClusteringValues(row.clustering, out));
  }
  std::string body;
  SSTFS_RETURN_IF_ERROR(AppendRowBody(row, flags, &body));
  std::string prev;
  AppendUnsignedVInt(&prev, previous_size);
  AppendUnsignedVInt(out, body.size() + prev.size());
  *out += prev;
  *out += body;
  return Status::Ok();
}

void DataEncoder::AppendColumnSubset(const std::vector<bool>& present,
                                     std::string* out) {
  // Columns.Serializer.serializeSubset.
  const size_t superset = present.size();
  const size_t count = std::count(present.begin(), present.end(), true);
  if (count == superset) {
    AppendUnsignedVInt(out, 0);
  } else if (superset < 64) {
    // A bitmap of the MISSING columns.
    uint64_t missing = 0;
    for (size_t i = 0; i < superset; ++i) {
      if (!present[i]) missing |= uint64_t{1} << i;
    }
    AppendUnsignedVInt(out, missing);
  } else {
    // serializeLargeSubset: the number missing, then the indexes of the
    // present columns when they are fewer than half, else of the missing.
    AppendUnsignedVInt(out, superset - count);
    const bool list_present = count < superset / 2;
    for (size_t i = 0; i < superset; ++i) {
      if (present[i] == list_present) AppendUnsignedVInt(out, i);
    }
  }
}

Status DataEncoder::AppendRowBody(const Row& row, int flags, std::string* out) {
  const auto& header_columns =
      row.is_static ? columns_->statics : columns_->regulars;
  if (flags & kHasTimestamp) AppendTimestamp(row.liveness.timestamp, out);
  if (flags & kHasTtl) {
    AppendTtl(row.liveness.ttl, out);
    AppendLocalDeletionTime(row.liveness.local_expiration_time, out);
  }
  if (flags & kHasDeletion) AppendDeletionTime(row.deletion, out);

  std::vector<bool> present(header_columns.size(), false);
  std::vector<DeletionTime> complex_deletion(header_columns.size());
  for (const Cell& c : row.cells) present[c.column] = true;
  for (const auto& cd : row.complex_deletions) {
    if (!cd.deletion.IsLive()) {
      present[cd.column] = true;
      complex_deletion[cd.column] = cd.deletion;
    }
  }
  if (!(flags & kHasAllColumns)) AppendColumnSubset(present, out);

  size_t next = 0;  // index into row.cells
  for (size_t col = 0; col < header_columns.size(); ++col) {
    if (!present[col]) continue;
    const ColumnDef& def = header_columns[col];
    size_t end = next;
    while (end < row.cells.size() && row.cells[end].column == col) ++end;
    if (!def.is_complex) {
      if (end - next != 1) {
        return Status::InvalidArgument("simple column " + def.name +
                                       " needs exactly one cell, in order");
      }
    } else {
      if (flags & kHasComplexDeletion) {
        AppendDeletionTime(complex_deletion[col], out);
      }
      AppendUnsignedVInt(out, end - next);
    }
    for (; next < end; ++next) {
      SSTFS_RETURN_IF_ERROR(
          AppendCell(row.cells[next], def, row.liveness, out));
    }
  }
  if (next != row.cells.size()) {
    return Status::InvalidArgument("cells are not in column order");
  }
  return Status::Ok();
}

Status DataEncoder::AppendCell(const Cell& cell, const ColumnDef& column,
                               const LivenessInfo& row_liveness,
                               std::string* out) {
  const bool has_value = !cell.value.empty();
  const bool deleted = cell.is_tombstone;
  const bool expiring = cell.is_expiring && !deleted;
  const bool use_row_ts =
      !row_liveness.IsEmpty() && cell.timestamp == row_liveness.timestamp;
  const bool use_row_ttl =
      expiring && row_liveness.IsExpiring() && cell.ttl == row_liveness.ttl &&
      cell.local_deletion_time == row_liveness.local_expiration_time;
  int flags = 0;
  if (!has_value) flags |= kCellHasEmptyValue;
  if (deleted) {
    flags |= kCellIsDeleted;
  } else if (expiring) {
    flags |= kCellIsExpiring;
  }
  if (use_row_ts) flags |= kCellUseRowTimestamp;
  if (use_row_ttl) flags |= kCellUseRowTtl;
  out->push_back(static_cast<char>(flags));
  if (!use_row_ts) AppendTimestamp(cell.timestamp, out);
  if ((deleted || expiring) && !use_row_ttl) {
    AppendLocalDeletionTime(cell.local_deletion_time, out);
  }
  if (expiring && !use_row_ttl) AppendTtl(cell.ttl, out);
  if (column.is_complex) {
    if (!cell.has_path)
      return Status::InvalidArgument("complex cell without path");
    AppendUnsignedVInt(out, cell.path.size());
    out->append(cell.path.AsStringView());
  }
  if (has_value) {
    // The column's type writes the value: fixed-length types raw, others
    // (and every multi-cell collection) with a vint length.
    const int fixed = column.is_complex ? -1 : column.type->FixedLength();
    if (fixed >= 0) {
      if (cell.value.size() != static_cast<size_t>(fixed)) {
        return Status::InvalidArgument("value of " + column.name +
                                       " has the wrong length");
      }
    } else {
      AppendUnsignedVInt(out, cell.value.size());
    }
    out->append(cell.value.AsStringView());
  }
  return Status::Ok();
}

Status DataEncoder::AppendMarker(const RangeTombstoneMarker& marker,
                                 uint64_t previous_size, std::string* out) {
  out->push_back(static_cast<char>(kIsMarker));
  // ClusteringBoundOrBoundary.Serializer: kind ordinal, u16 size, values.
  out->push_back(static_cast<char>(marker.bound.kind));
  AppendU16(out, static_cast<uint16_t>(marker.bound.values.size()));
  SSTFS_RETURN_IF_ERROR(AppendClusteringValues(marker.bound, out));
  std::string body;
  AppendUnsignedVInt(&body, previous_size);
  if (reader::IsBoundary(marker.bound.kind)) {
    AppendDeletionTime(marker.end_deletion, &body);
    AppendDeletionTime(marker.start_deletion, &body);
  } else {
    AppendDeletionTime(marker.deletion, &body);
  }
  AppendUnsignedVInt(out, body.size());
  *out += body;
  return Status::Ok();
}

Status DataEncoder::AppendClusteringValues(const Clustering& c,
                                           std::string* out) {
  // ClusteringPrefix.Serializer.serializeValuesWithoutSize: per block of 32
  // values an unsigned vint header (2 bits each: empty, null), then the
  // non-empty values.
  const auto& types = columns_->clustering_types;
  if (c.values.size() > types.size()) {
    return Status::InvalidArgument("clustering has too many values");
  }
  for (size_t offset = 0; offset < c.values.size(); offset += 32) {
    const size_t limit = std::min(c.values.size(), offset + 32);
    uint64_t header = 0;
    for (size_t i = offset; i < limit; ++i) {
      const size_t shift = (i - offset) * 2;
      if (!c.values[i]) {
        header |= uint64_t{1} << (shift + 1);
      } else if (c.values[i]->empty()) {
        header |= uint64_t{1} << shift;
      }
    }
    AppendUnsignedVInt(out, header);
    for (size_t i = offset; i < limit; ++i) {
      if (!c.values[i] || c.values[i]->empty()) continue;
      const int fixed = types[i]->FixedLength();
      if (fixed >= 0) {
        if (c.values[i]->size() != static_cast<size_t>(fixed)) {
          return Status::InvalidArgument(
              "clustering value has the wrong length");
        }
      } else {
        AppendUnsignedVInt(out, c.values[i]->size());
      }
      out->append(c.values[i]->AsStringView());
    }
  }
  return Status::Ok();
}

int64_t DataEncoder::CollectRowStats(const Row& row) {
  // Rows.collectStats with MetadataCollector's update methods.
  if (!row.liveness.IsEmpty()) {
    stats_->UpdateTimestamp(row.liveness.timestamp);
    stats_->UpdateTtl(row.liveness.IsExpiring() ? row.liveness.ttl : 0);
    stats_->UpdateLocalDeletionTime(row.liveness.IsExpiring()
                                        ? row.liveness.local_expiration_time
                                        : reader::kNoDeletionTime);
  }
  stats_->Update(row.deletion);
  for (const auto& cd : row.complex_deletions) stats_->Update(cd.deletion);
  int64_t cells = 0, columns_set = 0;
  uint32_t last_column = UINT32_MAX;
  for (const Cell& c : row.cells) {
    ++cells;
    if (c.column != last_column) ++columns_set;
    last_column = c.column;
    stats_->UpdateTimestamp(c.timestamp);
    stats_->UpdateTtl(c.is_expiring && !c.is_tombstone ? c.ttl : 0);
    stats_->UpdateLocalDeletionTime(CellLocalDeletionTime(c));
  }
  stats_->total_columns_set += columns_set;
  ++stats_->total_rows;
  return cells;
}

void DataEncoder::UpdateClusteringBounds(const Clustering& c) {
  // MetadataCollector keeps the smallest and largest clustering prefix
  // (ClusteringComparator order); Statistics.db stores their values.
  std::vector<std::string> values;
  for (const auto& v : c.values) values.push_back(v ? v->ToString() : "");
  auto compare = [&](const std::vector<std::string>& a, BoundKind ak,
                     const std::vector<std::string>& b, BoundKind bk) {
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      const reader::CqlType& t = *columns_->clustering_types[i];
      int cmp = reader::CompareValues(t, ByteView(a[i]), ByteView(b[i]));
      if (t.reversed) cmp = -cmp;
      if (cmp != 0) return cmp;
    }
    if (a.size() == b.size()) {
      return ComparedToClustering(ak) - ComparedToClustering(bk);
    }
    return a.size() < b.size() ? ComparedToClustering(ak)
                               : -ComparedToClustering(bk);
  };
  if (!stats_->has_clustering) {
    stats_->has_clustering = true;
    stats_->min_clustering = values;
    stats_->max_clustering = values;
    min_kind_ = max_kind_ = c.kind;
    return;
  }
  if (compare(values, c.kind, stats_->min_clustering, min_kind_) < 0) {
    stats_->min_clustering = values;
    min_kind_ = c.kind;
  }
  if (compare(values, c.kind, stats_->max_clustering, max_kind_) > 0) {
    stats_->max_clustering = values;
    max_kind_ = c.kind;
  }
}

}  // namespace sstablefs::tools
