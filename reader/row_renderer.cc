// TableSchema derivation and the single-SSTable row source of
// row_renderer.h. The writers are in row_writers.cc.
#include "reader/row_renderer.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "reader/byte_reader.h"
#include "reader/counter.h"
#include "reader/data_file.h"
#include "reader/sstable.h"
#include "reader/unfiltered.h"

namespace sstablefs::reader {
namespace {

// SPEC §5 fallback names: base, base1, base2, ...
std::string NthName(const char* base, size_t i) {
  return i == 0 ? std::string(base) : std::string(base) + std::to_string(i);
}

bool SchemaHas(const TableSchema& s, const ColumnDef& d) {
  for (const SchemaColumn& c : s.columns) {
    if (c.name == d.name && c.is_static == d.is_static) return true;
  }
  return false;
}

// Keeps statics before regulars, each group sorted by name bytes.
void SortColumns(std::vector<SchemaColumn>* cols) {
  std::stable_sort(cols->begin(), cols->end(),
                   [](const SchemaColumn& a, const SchemaColumn& b) {
                     if (a.is_static != b.is_static) return a.is_static;
                     return ByteView(std::string_view(a.name))
                                .Compare(ByteView(std::string_view(b.name))) <
                            0;
                   });
}

// The largest markedForDeleteAt of two deletions (what shadows more).
int64_t MaxTs(int64_t a, int64_t b) { return a > b ? a : b; }

// Row liveness (LivenessInfo.isLive) not shadowed by a deletion at `del`.
bool LivenessLive(const LivenessInfo& lv, int64_t del, int64_t now) {
  if (lv.IsEmpty() || lv.timestamp <= del) return false;
  if (!lv.IsExpiring()) return true;
  return lv.ttl != kExpiredLiveness && now < lv.local_expiration_time;
}

bool CellLive(const Cell& c, int64_t del, int64_t now) {
  if (c.is_tombstone || c.timestamp <= del) return false;
  return !c.is_expiring || now < c.local_deletion_time;
}

// Renders the rows of the partitions of one SSTable. Per partition it keeps
// the static row's live values (copied: the iterator's views move on) and the
// open range tombstone, and turns each clustering row into a CqlRow.
class SSTableRowSource {
 public:
  SSTableRowSource(const Columns& columns, const TableSchema& schema,
                   const RowOptions& options)
      : columns_(columns), schema_(schema), now_(options.now_seconds) {
    static_slot_.assign(columns.statics.size(), -1);
    regular_slot_.assign(columns.regulars.size(), -1);
    for (size_t i = 0; i < schema.columns.size(); ++i) {
      const SchemaColumn& sc = schema.columns[i];
      const auto& defs = sc.is_static ? columns.statics : columns.regulars;
      auto& slots = sc.is_static ? static_slot_ : regular_slot_;
      for (size_t j = 0; j < defs.size(); ++j) {
        if (defs[j].name == sc.name) slots[j] = static_cast<int>(i);
      }
    }
    values_.resize(schema.columns.size());
    static_values_.resize(schema.columns.size());
  }

  Status RenderPartition(PartitionIterator* it, RowSink* sink);

 private:
  void SplitKey(ByteView key);
  // Fills `values` (the slots of `row`'s kind) with the row's live cells.
  // When `copy`, bytes are copied into static_arena_ so they outlive the
  // iterator step. Returns whether any cell is live.
  bool FillValues(const Row& row, int64_t row_del, bool copy,
                  std::vector<ColumnValue>* values,
                  std::vector<MultiCellEntry>* cells);
  ByteView Keep(ByteView v, bool copy) {
    if (!copy || v.empty()) return v;
    size_t at = static_arena_.size();
    static_arena_.append(reinterpret_cast<const char*>(v.data()), v.size());
    return ByteView(reinterpret_cast<const uint8_t*>(static_arena_.data()) + at,
                    v.size());
  }
  Status Emit(std::span<const std::optional<ByteView>> clustering,
              RowSink* sink) {
    CqlRow row;
    row.partition_key = key_parts_;
    row.clustering = clustering;
    row.columns = values_;
    return sink->AddRow(row);
  }

  const Columns& columns_;
  const TableSchema& schema_;
  const int64_t now_;
  std::vector<int> static_slot_;   // Columns::statics index -> schema slot
  std::vector<int> regular_slot_;  // Columns::regulars index -> schema slot
  std::string key_copy_;
  std::vector<ByteView> key_parts_;
  std::vector<ColumnValue> values_;
  std::vector<ColumnValue> static_values_;
  std::vector<MultiCellEntry> cells_;
  std::vector<MultiCellEntry> static_cells_;
  std::string static_arena_;
};

void SSTableRowSource::SplitKey(ByteView key) {
  key_copy_.assign(reinterpret_cast<const char*>(key.data()), key.size());
  ByteView k(key_copy_);
  key_parts_.clear();
  if (columns_.key_type->kind != TypeKind::kComposite) {
    key_parts_.push_back(k);
    return;
  }
  ByteReader r(k);
  while (!r.AtEnd()) {
    ByteView comp;
    uint8_t eoc = 0;
    if (!r.ReadShortLengthBytes(&comp) || !r.ReadU8(&eoc)) break;
    key_parts_.push_back(comp);
    if (eoc != 0) break;
  }
}

bool SSTableRowSource::FillValues(const Row& row, int64_t row_del, bool copy,
                                  std::vector<ColumnValue>* values,
                                  std::vector<MultiCellEntry>* cells) {
  const std::vector<int>& slots = row.is_static ? static_slot_ : regular_slot_;
  const std::vector<ColumnDef>& defs =
      row.is_static ? columns_.statics : columns_.regulars;
  if (copy) {
    // Reserve up front so the views handed out below stay valid.
    size_t bytes = 0;
    for (const Cell& c : row.cells) bytes += c.path.size() + c.value.size();
    static_arena_.clear();
    static_arena_.reserve(bytes);
  }
  cells->clear();
  cells->reserve(row.cells.size());  // spans into it must not move
  bool any_live = false;
  size_t cd = 0;
  for (size_t i = 0; i < row.cells.size();) {
    const uint32_t column = row.cells[i].column;
    size_t end = i;
    while (end < row.cells.size() && row.cells[end].column == column) ++end;
    int64_t del = row_del;
    while (cd < row.complex_deletions.size() &&
           row.complex_deletions[cd].column < column) {
      ++cd;
    }
    if (cd < row.complex_deletions.size() &&
        row.complex_deletions[cd].column == column) {
      del = MaxTs(del, row.complex_deletions[cd].deletion.marked_for_delete_at);
    }
    const int slot = column < slots.size() ? slots[column] : -1;
    const bool complex = column < defs.size() && defs[column].is_complex;
    if (complex) {
      size_t first = cells->size();
      for (size_t j = i; j < end; ++j) {
        const Cell& c = row.cells[j];
        if (!CellLive(c, del, now_)) continue;
        any_live = true;
        cells->emplace_back(Keep(c.path, copy), Keep(c.value, copy));
      }
      if (slot >= 0 && cells->size() > first) {
        ColumnValue& v = (*values)[slot];
        v.kind = ColumnValue::Kind::kCells;
        v.cells = std::span<const MultiCellEntry>(cells->data() + first,
                                                  cells->size() - first);
      }
    } else {
      const Cell& c = row.cells[i];  // a simple column has one cell
      if (CellLive(c, del, now_)) {
        any_live = true;
        if (slot >= 0) {
          ColumnValue& v = (*values)[slot];
          Result<int64_t> total(0);
          if (defs[column].type->kind == TypeKind::kCounter &&
              (total = CounterValue(c.value)).ok()) {
            v.kind = ColumnValue::Kind::kCounter;
            v.counter = *total;
          } else {
            v.kind = ColumnValue::Kind::kValue;
            v.value = Keep(c.value, copy);
          }
        }
      }
    }
    i = end;
  }
  return any_live;
}

Status SSTableRowSource::RenderPartition(PartitionIterator* it, RowSink* sink) {
  const PartitionHeader& p = it->partition();
  SplitKey(p.key);
  const int64_t partition_del = p.deletion.marked_for_delete_at;
  int64_t open_rt = kNoTimestamp;  // deletion of the open range tombstone
  bool static_live = false;
  bool emitted = false;
  for (ColumnValue& v : static_values_) v = ColumnValue();
  for (it->StartRows(); it->RowValid(); it->NextRow()) {
    const Unfiltered& u = it->unfiltered();
    if (u.kind == Unfiltered::Kind::kRangeTombstoneMarker) {
      const RangeTombstoneMarker& m = u.marker;
      if (IsBoundary(m.bound.kind)) {
        open_rt = m.start_deletion.marked_for_delete_at;
      } else if (IsStart(m.bound.kind)) {
        open_rt = m.deletion.marked_for_delete_at;
      } else {
        open_rt = kNoTimestamp;
      }
      continue;
    }
    const Row& r = u.row;
    if (r.is_static) {
      int64_t del = MaxTs(partition_del, r.deletion.marked_for_delete_at);
      static_live =
          FillValues(r, del, /*copy=*/true, &static_values_, &static_cells_) ||
          LivenessLive(r.liveness, del, now_);
      continue;
    }
    if (schema_.static_compact) continue;  // only the static row is CQL
    int64_t row_del = r.deletion.marked_for_delete_at;
    // A shadowable deletion (materialized views) gives way to a newer
    // row marker.
    if (r.deletion_is_shadowable && !r.liveness.IsEmpty() &&
        r.liveness.timestamp > row_del) {
      row_del = kNoTimestamp;
    }
    const int64_t scylla_shadowable =
        r.shadowable_deletion.marked_for_delete_at;
    if (!r.shadowable_deletion.IsLive() &&
        (r.liveness.IsEmpty() || r.liveness.timestamp <= scylla_shadowable)) {
      row_del = MaxTs(row_del, scylla_shadowable);
    }
    const int64_t del = MaxTs(MaxTs(partition_del, open_rt), row_del);
    for (size_t i = 0; i < values_.size(); ++i) {
      values_[i] =
          schema_.columns[i].is_static ? static_values_[i] : ColumnValue();
    }
    bool live = FillValues(r, del, /*copy=*/false, &values_, &cells_);
    if (!live && !LivenessLive(r.liveness, del, now_)) continue;
    SSTFS_RETURN_IF_ERROR(Emit(r.clustering.values, sink));
    emitted = true;
  }
  if (!emitted && static_live && it->status().ok()) {
    values_ = static_values_;
    SSTFS_RETURN_IF_ERROR(Emit({}, sink));
  }
  return Status::Ok();
}

}  // namespace

bool IsStaticCompact(const Columns& columns) {
  return columns.regulars.empty() && !columns.statics.empty() &&
         columns.clustering_types.size() == 1 &&
         columns.clustering_types[0]->kind == TypeKind::kText;
}

TableSchema SchemaFromColumns(const Columns& columns) {
  TableSchema s;
  const CqlType& key = *columns.key_type;
  if (key.kind == TypeKind::kComposite) {
    for (size_t i = 0; i < key.params.size(); ++i) {
      s.partition_key_names.push_back(NthName("key", i));
      s.partition_key_types.push_back(key.params[i]);
    }
  } else {
    s.partition_key_names.push_back("key");
    s.partition_key_types.push_back(columns.key_type);
  }
  s.static_compact = IsStaticCompact(columns);
  if (!s.static_compact) {
    for (size_t i = 0; i < columns.clustering_types.size(); ++i) {
      s.clustering_names.push_back(NthName("clustering", i));
      s.clustering_types.push_back(columns.clustering_types[i]);
    }
  }
  MergeSchemaColumns(columns, &s);
  return s;
}

void MergeSchemaColumns(const Columns& columns, TableSchema* schema) {
  for (const auto* defs : {&columns.statics, &columns.regulars}) {
    for (const ColumnDef& d : *defs) {
      if (!SchemaHas(*schema, d)) {
        schema->columns.push_back(SchemaColumn{d.name, d.type, d.is_static});
      }
    }
  }
  SortColumns(&schema->columns);
}

Status RenderSSTableRows(const SSTable& sstable, const TableSchema& schema,
                         const RowOptions& options, RowSink* sink) {
  SSTFS_ASSIGN_OR_RETURN(std::unique_ptr<DataInput> in, sstable.OpenData());
  PartitionIterator it(in.get(), &sstable.columns(),
                       sstable.descriptor().version);
  SSTableRowSource source(sstable.columns(), schema, options);
  for (it.SeekToFirst(); it.Valid(); it.NextPartition()) {
    SSTFS_RETURN_IF_ERROR(source.RenderPartition(&it, sink));
  }
  return it.status();
}

}  // namespace sstablefs::reader
