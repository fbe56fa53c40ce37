// The merge of one partition across SSTables (table_merge.h).
#include "reader/table_merge.h"

#include <algorithm>
#include <utility>

#include "reader/byte_reader.h"
#include "reader/counter.h"

namespace sstablefs::reader {
namespace {

const Clustering& PositionOf(const Unfiltered& u) {
  return u.kind == Unfiltered::Kind::kRow ? u.row.clustering : u.marker.bound;
}

// The deletion a marker leaves open after it (none for an end bound).
DeletionTime OpenAfter(const RangeTombstoneMarker& m) {
  if (IsBoundary(m.bound.kind)) return m.start_deletion;
  if (IsStart(m.bound.kind)) return m.deletion;
  return DeletionTime();
}

bool SameLiveness(const LivenessInfo& a, const LivenessInfo& b) {
  return a.timestamp == b.timestamp && a.ttl == b.ttl &&
         a.local_expiration_time == b.local_expiration_time;
}

bool AllDigits(const std::string& s) {
  return !s.empty() && s.size() < 19 &&
         s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

ColumnMapping MapColumns(const Columns& columns, const TableSchema& schema,
                         const std::string& sstable_name,
                         std::vector<std::string>* warnings) {
  ColumnMapping m;
  for (const auto* defs : {&columns.statics, &columns.regulars}) {
    auto& slots = defs == &columns.statics ? m.statics : m.regulars;
    slots.resize(defs->size());
    for (size_t j = 0; j < defs->size(); ++j) {
      const ColumnDef& d = (*defs)[j];
      ColumnMapping::Slot& s = slots[j];
      s.complex = d.is_complex;
      s.counter = d.type && d.type->kind == TypeKind::kCounter;
      for (const TableSchema::DroppedColumn& dc : schema.dropped) {
        if (dc.name == d.name && dc.is_static == d.is_static) {
          s.dropped_at = std::max(s.dropped_at, dc.dropped_time_micros);
        }
      }
      for (size_t i = 0; i < schema.columns.size(); ++i) {
        const SchemaColumn& sc = schema.columns[i];
        if (sc.name != d.name || sc.is_static != d.is_static) continue;
        const bool schema_complex = sc.type && sc.type->IsMultiCell();
        if (schema_complex != d.is_complex) {
          if (warnings != nullptr) {
            warnings->push_back(
                "column " + d.name + ": type " +
                (d.type ? d.type->CqlName() : std::string("?")) + " in " +
                sstable_name + ", " +
                (sc.type ? sc.type->CqlName() : std::string("?")) +
                " in schema: its cells in " + sstable_name +
                " are not rendered");
          }
          break;
        }
        s.slot = static_cast<int>(i);
        break;
      }
      if (s.slot < 0 && s.dropped_at != kNoTimestamp) s.dropped = true;
    }
  }
  return m;
}

void SortByGeneration(std::vector<std::shared_ptr<SSTable>>* sstables) {
  std::stable_sort(
      sstables->begin(), sstables->end(),
      [](const std::shared_ptr<SSTable>& a, const std::shared_ptr<SSTable>& b) {
        const Descriptor& da = a->descriptor();
        const Descriptor& db = b->descriptor();
        const bool na = AllDigits(da.generation);
        const bool nb = AllDigits(db.generation);
        if (na != nb) return na;  // sequence ids before UUID-style ones
        if (na && da.generation != db.generation) {
          return std::stoll(da.generation) < std::stoll(db.generation);
        }
        if (da.generation != db.generation) {
          return da.generation < db.generation;
        }
        return da.version.str() < db.version.str();
      });
}

PartitionMerger::PartitionMerger(const TableSchema& schema,
                                 const RowOptions& options)
    : schema_(schema),
      now_(options.now_seconds),
      order_(schema.static_compact ? std::vector<CqlTypePtr>()
                                   : schema.clustering_types) {
  path_types_.resize(schema.columns.size());
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    const CqlTypePtr& t = schema.columns[i].type;
    if (t && t->IsMultiCell()) path_types_[i] = CellPathType(*t);
  }
  values_.resize(schema.columns.size());
  static_values_.resize(schema.columns.size());
  slot_head_.assign(schema.columns.size(), -1);
}

void PartitionMerger::SplitKey(ByteView key, const CqlType& key_type) {
  key_copy_.assign(reinterpret_cast<const char*>(key.data()), key.size());
  ByteView k(key_copy_);
  key_parts_.clear();
  if (key_type.kind != TypeKind::kComposite) {
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

ByteView PartitionMerger::KeepSlow(ByteView v) {
  size_t at = static_arena_.size();
  static_arena_.append(reinterpret_cast<const char*>(v.data()), v.size());
  return ByteView(reinterpret_cast<const uint8_t*>(static_arena_.data()) + at,
                  v.size());
}

void PartitionMerger::CountRow(const Row& r, PartitionSummary* s) const {
  if (!r.deletion.IsLive() || !r.shadowable_deletion.IsLive()) {
    ++s->row_tombstones;
  }
  s->cell_tombstones += r.complex_deletions.size();
  if (r.liveness.IsExpiring() && !LivenessIsLive(r.liveness, now_) &&
      r.liveness.ttl != kExpiredLiveness) {
    ++s->expired_cells;
  }
  for (const Cell& c : r.cells) {
    if (c.is_tombstone) {
      ++s->cell_tombstones;
    } else if (c.is_expiring && now_ >= c.local_deletion_time) {
      ++s->expired_cells;
    }
  }
}

Status PartitionMerger::Observe(std::span<const size_t> part) {
  for (size_t s : part) {
    SSTFS_RETURN_IF_ERROR(
        observer_->OnRow(s, RowOf(s), liveness_shown_[s] != 0, shown_[s]));
  }
  return Status::Ok();
}

Status PartitionMerger::Merge(std::span<MergeSource* const> sources,
                              RowSink* rows, PartitionSummary* summary,
                              MergeObserver* observer) {
  sources_ = sources;
  observer_ = observer;
  track_ = observer != nullptr;
  if (track_) {
    shown_.resize(sources.size());
    liveness_shown_.assign(sources.size(), 0);
  }
  SplitKey(sources[0]->it->partition().key,
           *sources[0]->sstable->columns().key_type);
  DeletionTime pdel;
  for (size_t i = 0; i < sources.size(); ++i) {
    const PartitionHeader& p = sources[i]->it->partition();
    pdel = MaxDeletion(pdel, p.deletion);
    if (summary != nullptr && !p.deletion.IsLive()) {
      ++summary->partition_tombstones;
    }
    if (track_) SSTFS_RETURN_IF_ERROR(observer_->OnPartition(i, p));
    sources[i]->open_rt = DeletionTime();
    sources[i]->it->StartRows();
  }
  // The static rows come first in every source.
  for (ColumnValue& v : static_values_) v = ColumnValue();
  part_.clear();
  for (size_t i = 0; i < sources.size(); ++i) {
    PartitionIterator& it = *sources[i]->it;
    if (it.RowValid() && it.unfiltered().kind == Unfiltered::Kind::kRow &&
        it.unfiltered().row.is_static) {
      part_.push_back(i);
    }
  }
  bool static_live = false;
  rows_.resize(sources.size());
  for (size_t s : part_) rows_[s] = &sources[s]->it->unfiltered().row;
  if (!part_.empty()) {
    static_live =
        MergeRow(part_, pdel, /*copy=*/true, &static_values_, &static_cells_);
    for (size_t s : part_) {
      if (summary != nullptr) CountRow(RowOf(s), summary);
    }
    if (track_) SSTFS_RETURN_IF_ERROR(Observe(part_));
    for (size_t s : part_) sources[s]->it->NextRow();
  }
  uint64_t emitted = 0;
  const size_t n = sources.size();
  while (true) {
    // The sources with an item at the smallest position.
    part_.clear();
    const Clustering* min = nullptr;
    if (n == 1) {  // one source: no comparisons
      if (sources[0]->it->RowValid()) part_.push_back(0);
    } else {
      for (size_t i = 0; i < n; ++i) {
        if (!sources[i]->it->RowValid()) continue;
        const Clustering& c = PositionOf(sources[i]->it->unfiltered());
        int cmp = min == nullptr ? -1 : order_.Compare(c, *min);
        if (cmp < 0) {
          part_.clear();
          min = &c;
        }
        if (cmp <= 0) part_.push_back(i);
      }
    }
    if (part_.empty()) break;
    const Unfiltered& u = sources[part_[0]]->it->unfiltered();
    if (u.kind == Unfiltered::Kind::kRangeTombstoneMarker) {
      for (size_t s : part_) {
        const RangeTombstoneMarker& m = sources[s]->it->unfiltered().marker;
        sources[s]->open_rt = OpenAfter(m);
        if (summary != nullptr) ++summary->range_tombstones;
        if (track_) SSTFS_RETURN_IF_ERROR(observer_->OnMarker(s, m));
        sources[s]->it->NextRow();
      }
      continue;
    }
    // Cassandra lets only the static row through in a static compact table.
    if (!schema_.static_compact || track_) {
      for (size_t s : part_) rows_[s] = &sources[s]->it->unfiltered().row;
      DeletionTime base = pdel;
      for (size_t i = 0; i < n; ++i) {
        base = MaxDeletion(base, sources[i]->open_rt);
      }
      for (size_t i = 0; i < values_.size(); ++i) {
        values_[i] =
            schema_.columns[i].is_static ? static_values_[i] : ColumnValue();
      }
      const bool live =
          MergeRow(part_, base, /*copy=*/false, &values_, &cells_);
      if (summary != nullptr) {
        for (size_t s : part_) CountRow(RowOf(s), summary);
      }
      if (track_) SSTFS_RETURN_IF_ERROR(Observe(part_));
      if (live && !schema_.static_compact) {
        ++emitted;
        if (rows != nullptr) {
          CqlRow row;
          row.partition_key = key_parts_;
          row.clustering = u.row.clustering.values;
          row.columns = values_;
          SSTFS_RETURN_IF_ERROR(rows->AddRow(row));
        }
      }
    }
    for (size_t s : part_) sources[s]->it->NextRow();
  }
  for (size_t i = 0; i < n; ++i) {
    SSTFS_RETURN_IF_ERROR(sources[i]->it->status());
  }
  if (emitted == 0 && static_live) {
    ++emitted;
    if (rows != nullptr) {
      CqlRow row;
      row.partition_key = key_parts_;
      row.columns = static_values_;
      SSTFS_RETURN_IF_ERROR(rows->AddRow(row));
    }
  }
  if (summary != nullptr) summary->live_rows += emitted;
  return Status::Ok();
}

bool PartitionMerger::MergeRow(std::span<const size_t> part,
                               const DeletionTime& base, bool copy,
                               std::vector<ColumnValue>* values,
                               std::vector<MultiCellEntry>* cells) {
  // Rows.merge: the superseding liveness and deletion of the versions.
  LivenessInfo live;
  DeletionTime row_del;
  bool shadowable = false;
  DeletionTime scylla_shadowable;
  for (size_t s : part) {
    const Row& r = RowOf(s);
    if (LivenessSupersedes(r.liveness, live)) live = r.liveness;
    if (Supersedes(r.deletion, row_del)) {
      row_del = r.deletion;
      shadowable = r.deletion_is_shadowable;
    }
    scylla_shadowable = MaxDeletion(scylla_shadowable, r.shadowable_deletion);
  }
  // A shadowable deletion (materialized views) gives way to a newer row
  // marker (Row.Deletion.isShadowedBy).
  if (shadowable && !live.IsEmpty() &&
      live.timestamp > row_del.marked_for_delete_at) {
    row_del = DeletionTime();
  }
  if (!scylla_shadowable.IsLive() &&
      (live.IsEmpty() ||
       live.timestamp <= scylla_shadowable.marked_for_delete_at)) {
    row_del = MaxDeletion(row_del, scylla_shadowable);
  }
  const DeletionTime active = MaxDeletion(base, row_del);
  if (!live.IsEmpty() && Deletes(active, live.timestamp)) live = LivenessInfo();
  const bool marker_live = LivenessIsLive(live, now_);
  if (track_) {
    bool given = false;
    for (size_t s : part) {
      const bool shown =
          marker_live && !given && SameLiveness(RowOf(s).liveness, live);
      liveness_shown_[s] = shown;
      given |= shown;
    }
  }
  return MergeCells(part, active, copy, values, cells) || marker_live;
}

bool PartitionMerger::FillSingle(size_t s, const DeletionTime& active,
                                 bool copy, std::vector<ColumnValue>* values,
                                 std::vector<MultiCellEntry>* cells) {
  const Row& r = RowOf(s);
  const ColumnMapping& mapping = *sources_[s]->mapping;
  const auto& slots = r.is_static ? mapping.statics : mapping.regulars;
  if (copy) {
    size_t bytes = 0;
    for (const Cell& c : r.cells) bytes += c.path.size() + c.value.size();
    static_arena_.clear();
    static_arena_.reserve(bytes);
  }
  if (track_) shown_[s].assign(r.cells.size(), 0);
  cells->clear();
  cells->reserve(r.cells.size());  // spans into it must not move
  bool any_live = false;
  const size_t nc = r.cells.size();
  size_t cd = 0;
  for (size_t i = 0; i < nc;) {
    const uint32_t column = r.cells[i].column;
    size_t end = i + 1;
    while (end < nc && r.cells[end].column == column) ++end;
    // Cells of columns the schema does not render (dropped) do not make
    // the row live either: Cassandra skips them on read.
    if (column >= slots.size() || slots[column].slot < 0) {
      i = end;
      continue;
    }
    const ColumnMapping::Slot* sl = &slots[column];
    const int64_t dropped = sl->dropped_at;
    if (sl->complex) {
      DeletionTime del = active;
      while (cd < r.complex_deletions.size() &&
             r.complex_deletions[cd].column < column) {
        ++cd;
      }
      if (cd < r.complex_deletions.size() &&
          r.complex_deletions[cd].column == column) {
        del = MaxDeletion(del, r.complex_deletions[cd].deletion);
      }
      const size_t first = cells->size();
      for (size_t j = i; j < end; ++j) {
        const Cell& c = r.cells[j];
        if (c.timestamp <= dropped || Deletes(del, c.timestamp) ||
            !CellIsLive(c, now_)) {
          continue;
        }
        any_live = true;
        cells->emplace_back(Keep(c.path, copy), Keep(c.value, copy));
        if (track_) shown_[s][j] = 1;
      }
      if (cells->size() > first) {
        ColumnValue& v = (*values)[sl->slot];
        v.kind = ColumnValue::Kind::kCells;
        v.cells = std::span<const MultiCellEntry>(cells->data() + first,
                                                  cells->size() - first);
      }
    } else {
      const Cell& c = r.cells[i];  // a simple column has one cell
      if (c.timestamp > dropped && !Deletes(active, c.timestamp) &&
          CellIsLive(c, now_)) {
        any_live = true;
        ColumnValue& v = (*values)[sl->slot];
        v.kind = ColumnValue::Kind::kValue;
        v.value = Keep(c.value, copy);
        if (sl->counter) {
          // Not a counter context: the bytes are shown rather than nothing.
          Result<int64_t> total = CounterValue(c.value);
          if (total.ok()) {
            v.kind = ColumnValue::Kind::kCounter;
            v.counter = *total;
          }
        }
        if (track_) shown_[s][i] = 1;
      }
    }
    i = end;
  }
  return any_live;
}

bool PartitionMerger::MergeCells(std::span<const size_t> part,
                                 const DeletionTime& active, bool copy,
                                 std::vector<ColumnValue>* values,
                                 std::vector<MultiCellEntry>* cells) {
  // One version of the row (the common case): no reconciliation needed.
  if (part.size() == 1) return FillSingle(part[0], active, copy, values, cells);
  refs_.clear();
  touched_.clear();
  size_t total_cells = 0;
  size_t bytes = 0;
  for (size_t s : part) {
    const Row& r = RowOf(s);
    const ColumnMapping& mapping = *sources_[s]->mapping;
    const auto& slots = r.is_static ? mapping.statics : mapping.regulars;
    total_cells += r.cells.size();
    if (copy) {
      for (const Cell& c : r.cells) bytes += c.path.size() + c.value.size();
    }
    if (track_) shown_[s].assign(r.cells.size(), 0);
    const size_t nc = r.cells.size();
    const size_t nd = r.complex_deletions.size();
    size_t i = 0;
    size_t cd = 0;
    while (i < nc || cd < nd) {
      uint32_t column = i < nc ? r.cells[i].column : UINT32_MAX;
      if (cd < nd && r.complex_deletions[cd].column < column) {
        column = r.complex_deletions[cd].column;
      }
      size_t end = i;
      while (end < nc && r.cells[end].column == column) ++end;
      DeletionTime cdel;
      if (cd < nd && r.complex_deletions[cd].column == column) {
        cdel = r.complex_deletions[cd++].deletion;
      }
      if (column < slots.size() && slots[column].slot >= 0) {
        const ColumnMapping::Slot& sl = slots[column];
        const int slot = sl.slot;
        if (slot_head_[slot] < 0) touched_.push_back(slot);
        refs_.push_back(Ref{s, static_cast<uint32_t>(i),
                            static_cast<uint32_t>(end), cdel, sl.dropped_at,
                            sl.counter, slot_head_[slot]});
        slot_head_[slot] = static_cast<int>(refs_.size() - 1);
      }
      i = end;
    }
  }
  if (copy) {
    // Reserved up front so the views handed out below stay valid.
    static_arena_.clear();
    static_arena_.reserve(bytes);
  }
  cells->clear();
  cells->reserve(total_cells);  // spans into it must not move
  bool any_live = false;
  for (int slot : touched_) {
    const int head = slot_head_[slot];
    slot_head_[slot] = -1;
    ColumnValue& out = (*values)[slot];
    if (path_types_[slot] != nullptr) {
      any_live |= ResolveComplex(head, active, copy,
                                 *schema_.columns[slot].type, cells, &out);
    } else {
      any_live |= ResolveSimple(head, active, copy, &out);
    }
  }
  return any_live;
}

bool PartitionMerger::ResolveSimple(int head, const DeletionTime& active,
                                    bool copy, ColumnValue* out) {
  const Cell* win = nullptr;
  int win_ref = -1;
  int candidates = 0;
  bool counter = false;
  for (int r = head; r >= 0; r = refs_[r].next) {
    const Ref& ref = refs_[r];
    if (ref.begin == ref.end) continue;  // a complex deletion only
    const Cell& c = RowOf(ref.src).cells[ref.begin];
    if (c.timestamp <= ref.dropped_at || Deletes(active, c.timestamp)) continue;
    ++candidates;
    counter |= ref.counter;
    if (win == nullptr) {
      win = &c;
      win_ref = r;
    } else if (ref.counter) {
      if (CounterCellChoice(c, *win) > 0) {
        win = &c;
        win_ref = r;
      }
    } else if (RegularCellWins(c, *win)) {
      win = &c;
      win_ref = r;
    }
  }
  if (win == nullptr || !CellIsLive(*win, now_)) return false;
  if (!counter) {
    out->kind = ColumnValue::Kind::kValue;
    out->value = Keep(win->value, copy);
    if (track_) shown_[refs_[win_ref].src][refs_[win_ref].begin] = 1;
    return true;
  }
  // Counters: a tombstone or an empty context wins outright (win is then
  // that cell); otherwise every live context merges.
  Result<int64_t> total(0);
  if (candidates == 1 || win->value.empty()) {
    total = CounterValue(win->value);
    if (track_) shown_[refs_[win_ref].src][refs_[win_ref].begin] = 1;
  } else {
    counters_.Reset();
    Status st;
    for (int r = head; r >= 0 && st.ok(); r = refs_[r].next) {
      const Ref& ref = refs_[r];
      if (ref.begin == ref.end) continue;
      const Cell& c = RowOf(ref.src).cells[ref.begin];
      if (c.timestamp <= ref.dropped_at || Deletes(active, c.timestamp)) {
        continue;
      }
      st = counters_.Add(c.value);
      if (track_) shown_[ref.src][ref.begin] = 1;
    }
    total = st.ok() ? Result<int64_t>(counters_.Total()) : Result<int64_t>(st);
  }
  if (total.ok()) {
    out->kind = ColumnValue::Kind::kCounter;
    out->counter = *total;
  } else {
    // Not a counter context: show the bytes rather than nothing.
    out->kind = ColumnValue::Kind::kValue;
    out->value = Keep(win->value, copy);
  }
  return true;
}

bool PartitionMerger::ResolveComplex(int head, const DeletionTime& active,
                                     bool copy, const CqlType& type,
                                     std::vector<MultiCellEntry>* cells,
                                     ColumnValue* out) {
  DeletionTime del = active;
  int64_t dropped = kNoTimestamp;
  int nrefs = 0;
  for (int r = head; r >= 0; r = refs_[r].next) {
    del = MaxDeletion(del, refs_[r].complex_deletion);
    dropped = std::max(dropped, refs_[r].dropped_at);
    ++nrefs;
  }
  auto hidden = [&](const Cell& c) {
    return c.timestamp <= dropped || Deletes(del, c.timestamp) ||
           !CellIsLive(c, now_);
  };
  const size_t first = cells->size();
  if (nrefs == 1) {
    const Ref& ref = refs_[head];
    const Row& row = RowOf(ref.src);
    for (uint32_t j = ref.begin; j < ref.end; ++j) {
      const Cell& c = row.cells[j];
      if (hidden(c)) continue;
      cells->emplace_back(Keep(c.path, copy), Keep(c.value, copy));
      if (track_) shown_[ref.src][j] = 1;
    }
  } else {
    // k-way merge of the sources' cells by path (the column's cell path
    // comparator), reconciling equal paths.
    const CqlTypePtr path_type = CellPathType(type);
    while (true) {
      int min_ref = -1;
      for (int r = head; r >= 0; r = refs_[r].next) {
        const Ref& ref = refs_[r];
        if (ref.begin >= ref.end) continue;
        if (min_ref < 0) {
          min_ref = r;
          continue;
        }
        const Ref& m = refs_[min_ref];
        ByteView a = RowOf(ref.src).cells[ref.begin].path;
        ByteView b = RowOf(m.src).cells[m.begin].path;
        int cmp = path_type ? CompareValues(*path_type, a, b) : a.Compare(b);
        if (cmp < 0) min_ref = r;
      }
      if (min_ref < 0) break;
      const Ref& m = refs_[min_ref];
      const ByteView min_path = RowOf(m.src).cells[m.begin].path;
      const Cell* win = nullptr;
      int win_ref = -1;
      for (int r = head; r >= 0; r = refs_[r].next) {
        Ref& ref = refs_[r];
        if (ref.begin >= ref.end) continue;
        const Cell& c = RowOf(ref.src).cells[ref.begin];
        ByteView p = c.path;
        int cmp = path_type ? CompareValues(*path_type, p, min_path)
                            : p.Compare(min_path);
        if (cmp != 0) continue;
        if (win == nullptr || RegularCellWins(c, *win)) {
          win = &c;
          win_ref = r;
        }
        ++ref.begin;
      }
      if (win != nullptr && !hidden(*win)) {
        cells->emplace_back(Keep(win->path, copy), Keep(win->value, copy));
        if (track_) shown_[refs_[win_ref].src][refs_[win_ref].begin - 1] = 1;
      }
    }
  }
  if (cells->size() == first) return false;
  out->kind = ColumnValue::Kind::kCells;
  out->cells = std::span<const MultiCellEntry>(cells->data() + first,
                                               cells->size() - first);
  return true;
}

}  // namespace sstablefs::reader
