#include "writer/data_encoder.h"

#include <algorithm>
#include <utility>

#include "reader/byte_reader.h"
#include "reader/types.h"

namespace sstablefs::writer {

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

// --- DataEncoder -------------------------------------------------------------

DataEncoder::DataEncoder(const reader::Columns* columns, StatsCollector* stats,
                         uint32_t column_index_size)
    : columns_(columns), stats_(stats), column_index_size_(column_index_size) {}

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

Status DataEncoder::AppendPartition(const PartitionData& p, DataBuffer* out) {
  SSTFS_RETURN_IF_ERROR(BeginPartition(ByteView(p.key), p.deletion,
                                       p.static_row ? &*p.static_row : nullptr,
                                       out));
  for (const Unfiltered& u : p.unfiltereds) {
    SSTFS_RETURN_IF_ERROR(AddUnfiltered(u, out));
  }
  return EndPartition(out);
}

Status DataEncoder::AppendPartition(const PartitionData& p, std::string* out) {
  DataBuffer buffer;
  buffer.bytes.swap(*out);
  Status s = AppendPartition(p, &buffer);
  buffer.bytes.swap(*out);
  return s;
}

Status DataEncoder::BeginPartition(ByteView key, const DeletionTime& deletion,
                                   const Row* static_row, DataBuffer* buffer) {
  if (key.size() > 0xffff) return Status::InvalidArgument("key too long");
  std::string* out = &buffer->bytes;
  partition_start_ = buffer->position();
  previous_start_ = 0;
  cells_ = 0;
  written_ = 0;
  partition_deletion_ = deletion;
  block_open_ = false;
  has_open_marker_ = false;
  block_count_ = 0;
  blocks_.clear();
  block_offsets_.clear();
  promoted_index_.clear();
  stats_->cardinality.OfferKey(key);
  stats_->Update(deletion);

  // ColumnIndex.writePartitionHeader.
  AppendU16(out, static_cast<uint16_t>(key.size()));
  out->append(key.AsStringView());
  AppendU32(out, static_cast<uint32_t>(deletion.local_deletion_time));
  AppendU64(out, static_cast<uint64_t>(deletion.marked_for_delete_at));
  if (!columns_->statics.empty()) {
    Row empty_static;
    empty_static.is_static = true;
    empty_static.clustering.kind = BoundKind::kStaticClustering;
    const Row& s = static_row != nullptr ? *static_row : empty_static;
    if (!s.is_static) return Status::InvalidArgument("static row not static");
    if (!s.cells.empty() || !s.complex_deletions.empty() ||
        !s.liveness.IsEmpty() || !s.deletion.IsLive()) {
      cells_ += CollectRowStats(s);
    }
    SSTFS_RETURN_IF_ERROR(AppendRow(s, 0, out));
  } else if (static_row != nullptr) {
    return Status::InvalidArgument("static row but no static columns");
  }
  header_length_ = buffer->position() - partition_start_;
  return Status::Ok();
}

Status DataEncoder::AddUnfiltered(const Unfiltered& u, DataBuffer* buffer) {
  // ColumnIndex.add: each unfiltered records the distance from the previous
  // one's start (the first one: from the partition start).
  std::string* out = &buffer->bytes;
  const uint64_t pos = buffer->position() - partition_start_;
  const Clustering& clustering =
      u.kind == Unfiltered::Kind::kRow ? u.row.clustering : u.marker.bound;
  last_clustering_.clear();
  SSTFS_RETURN_IF_ERROR(AppendClusteringPrefix(clustering, &last_clustering_));
  if (!block_open_) {
    block_open_ = true;
    block_start_ = pos;
    block_first_ = last_clustering_;
  }
  if (u.kind == Unfiltered::Kind::kRow) {
    if (u.row.is_static) return Status::InvalidArgument("static row in rows");
    UpdateClusteringBounds(u.row.clustering);
    cells_ += CollectRowStats(u.row);
    SSTFS_RETURN_IF_ERROR(AppendRow(u.row, pos - previous_start_, out));
  } else {
    const RangeTombstoneMarker& m = u.marker;
    if (reader::IsBoundary(m.bound.kind)) {
      stats_->Update(m.end_deletion);
      stats_->Update(m.start_deletion);
    } else {
      UpdateClusteringBounds(m.bound);
      stats_->Update(m.deletion);
    }
    SSTFS_RETURN_IF_ERROR(AppendMarker(m, pos - previous_start_, out));
    // RangeTombstoneMarker.isOpen(false) / openDeletionTime(false): what
    // stays open after this marker in clustering order.
    switch (m.bound.kind) {
      case BoundKind::kInclStartBound:
      case BoundKind::kExclStartBound:
        has_open_marker_ = true;
        open_marker_ = m.deletion;
        break;
      case BoundKind::kExclEndInclStartBoundary:
      case BoundKind::kInclEndExclStartBoundary:
        has_open_marker_ = true;
        open_marker_ = m.start_deletion;
        break;
      default:
        has_open_marker_ = false;
    }
  }
  block_last_.swap(last_clustering_);
  previous_start_ = pos;
  ++written_;
  const uint64_t now = buffer->position() - partition_start_;
  if (now - block_start_ >= column_index_size_) {
    SSTFS_RETURN_IF_ERROR(AddIndexBlock(now));
  }
  return Status::Ok();
}

Status DataEncoder::AddIndexBlock(uint64_t end) {
  // IndexInfo.Serializer: first and last clustering, vint offset, signed vint
  // width - 64 KiB (WIDTH_BASE), the end-open marker.
  block_offsets_.push_back(static_cast<uint32_t>(blocks_.size()));
  blocks_ += block_first_;
  blocks_ += block_last_;
  AppendUnsignedVInt(&blocks_, block_start_);
  reader::AppendVInt(
      &blocks_, static_cast<int64_t>(end - block_start_) - int64_t{64 * 1024});
  blocks_.push_back(has_open_marker_ ? 1 : 0);
  if (has_open_marker_) {
    AppendU32(&blocks_,
              static_cast<uint32_t>(open_marker_.local_deletion_time));
    AppendU64(&blocks_,
              static_cast<uint64_t>(open_marker_.marked_for_delete_at));
  }
  ++block_count_;
  block_open_ = false;
  return Status::Ok();
}

Status DataEncoder::EndPartition(DataBuffer* buffer) {
  buffer->bytes.push_back(static_cast<char>(kEndOfPartition));
  const uint64_t size = buffer->position() - partition_start_;
  stats_->partition_sizes.Add(static_cast<int64_t>(size));
  stats_->cell_counts.Add(cells_);
  if (written_ == 0) return Status::Ok();
  if (block_open_) SSTFS_RETURN_IF_ERROR(AddIndexBlock(size));
  if (block_count_ < 2) return Status::Ok();
  // RowIndexEntry.IndexedEntry.serialize, after the size.
  AppendUnsignedVInt(&promoted_index_, header_length_);
  AppendU32(&promoted_index_,
            static_cast<uint32_t>(partition_deletion_.local_deletion_time));
  AppendU64(&promoted_index_,
            static_cast<uint64_t>(partition_deletion_.marked_for_delete_at));
  AppendUnsignedVInt(&promoted_index_, block_count_);
  promoted_index_ += blocks_;
  for (uint32_t o : block_offsets_) AppendU32(&promoted_index_, o);
  return Status::Ok();
}

Status DataEncoder::AppendRow(const Row& row, uint64_t previous_size,
                              std::string* out) {
  const auto& header_columns =
      row.is_static ? columns_->statics : columns_->regulars;
  // Which header columns carry data (cells, or a complex deletion).
  present_.assign(header_columns.size(), 0);
  complex_deletion_.assign(header_columns.size(), DeletionTime());
  size_t present_count = 0;
  for (const Cell& c : row.cells) {
    if (c.column >= present_.size()) {
      return Status::InvalidArgument("cell column index out of range");
    }
    present_count += present_[c.column] == 0;
    present_[c.column] = 1;
  }
  bool has_complex_deletion = false;
  for (const auto& cd : row.complex_deletions) {
    if (cd.column >= present_.size() || !header_columns[cd.column].is_complex) {
      return Status::InvalidArgument("complex deletion on a simple column");
    }
    if (!cd.deletion.IsLive()) {
      present_count += present_[cd.column] == 0;
      present_[cd.column] = 1;
      complex_deletion_[cd.column] = cd.deletion;
      has_complex_deletion = true;
    }
  }
  const bool all_columns = present_count == present_.size();

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
  body_.clear();
  AppendUnsignedVInt(&body_, previous_size);
  SSTFS_RETURN_IF_ERROR(AppendRowBody(row, flags, &body_));
  AppendUnsignedVInt(out, body_.size());
  *out += body_;
  return Status::Ok();
}

void DataEncoder::AppendColumnSubset(std::string* out) {
  // Columns.Serializer.serializeSubset.
  const size_t superset = present_.size();
  const size_t count = std::count(present_.begin(), present_.end(), 1);
  if (count == superset) {
    AppendUnsignedVInt(out, 0);
  } else if (superset < 64) {
    // A bitmap of the MISSING columns.
    uint64_t missing = 0;
    for (size_t i = 0; i < superset; ++i) {
      if (!present_[i]) missing |= uint64_t{1} << i;
    }
    AppendUnsignedVInt(out, missing);
  } else {
    // serializeLargeSubset: the number missing, then the indexes of the
    // present columns when they are fewer than half, else of the missing.
    AppendUnsignedVInt(out, superset - count);
    const bool list_present = count < superset / 2;
    for (size_t i = 0; i < superset; ++i) {
      if ((present_[i] != 0) == list_present) AppendUnsignedVInt(out, i);
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
  if (!(flags & kHasAllColumns)) AppendColumnSubset(out);

  size_t next = 0;  // index into row.cells
  for (size_t col = 0; col < header_columns.size(); ++col) {
    if (!present_[col]) continue;
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
        AppendDeletionTime(complex_deletion_[col], out);
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
  body_.clear();
  AppendUnsignedVInt(&body_, previous_size);
  if (reader::IsBoundary(marker.bound.kind)) {
    AppendDeletionTime(marker.end_deletion, &body_);
    AppendDeletionTime(marker.start_deletion, &body_);
  } else {
    AppendDeletionTime(marker.deletion, &body_);
  }
  AppendUnsignedVInt(out, body_.size());
  *out += body_;
  return Status::Ok();
}

Status DataEncoder::AppendClusteringPrefix(const Clustering& c,
                                           std::string* out) {
  out->push_back(static_cast<char>(c.kind));
  if (c.kind != BoundKind::kClustering) {
    AppendU16(out, static_cast<uint16_t>(c.values.size()));
  }
  return AppendClusteringValues(c, out);
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

int DataEncoder::CompareToBound(const Clustering& c,
                                const std::vector<std::string>& bound,
                                BoundKind bound_kind) const {
  // ClusteringComparator.compare of two prefixes (null values as empty).
  const size_t n = std::min(c.values.size(), bound.size());
  for (size_t i = 0; i < n; ++i) {
    const reader::CqlType& t = *columns_->clustering_types[i];
    const ByteView a = c.values[i] ? *c.values[i] : ByteView();
    int cmp = reader::CompareValues(t, a, ByteView(bound[i]));
    if (t.reversed) cmp = -cmp;
    if (cmp != 0) return cmp;
  }
  if (c.values.size() == bound.size()) {
    return ComparedToClustering(c.kind) - ComparedToClustering(bound_kind);
  }
  return c.values.size() < bound.size() ? ComparedToClustering(c.kind)
                                        : -ComparedToClustering(bound_kind);
}

void DataEncoder::UpdateClusteringBounds(const Clustering& c) {
  // MetadataCollector keeps the smallest and largest clustering prefix
  // (ClusteringComparator order); Statistics.db stores their values. Values
  // are copied only when they become the new minimum or maximum.
  auto assign = [&](std::vector<std::string>* to) {
    to->resize(c.values.size());
    for (size_t i = 0; i < c.values.size(); ++i) {
      (*to)[i].assign(c.values[i] ? c.values[i]->AsStringView()
                                  : std::string_view());
    }
  };
  if (!stats_->has_clustering) {
    stats_->has_clustering = true;
    assign(&stats_->min_clustering);
    assign(&stats_->max_clustering);
    min_kind_ = max_kind_ = c.kind;
    return;
  }
  if (CompareToBound(c, stats_->min_clustering, min_kind_) < 0) {
    assign(&stats_->min_clustering);
    min_kind_ = c.kind;
  }
  if (CompareToBound(c, stats_->max_clustering, max_kind_) > 0) {
    assign(&stats_->max_clustering);
    max_kind_ = c.kind;
  }
}

}  // namespace sstablefs::writer
