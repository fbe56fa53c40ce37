// Internal to the table model (table.h): the per-SSTable streams of a merge
// and the merger of ONE partition across them. table.cc drives partitions;
// row_renderer.cc uses it with one source for RenderSSTableRows; history.cc
// observes it.
//
// How a partition is merged: every source positioned on the partition
// starts its rows; their static rows are merged first (live values copied
// into the merger's arena, since they must outlive the sources' windows);
// then the sources' unfiltereds are merged in clustering order. At each
// position the sources holding an item there take part: range tombstone
// markers update that source's open deletion; rows are reconciled straight
// from each source's decoded row (the views of every source's current
// unfiltered stay valid until that source advances, so nothing is copied).
//
// Not thread-safe; one merger per reader.
#ifndef SSTABLEFS_READER_TABLE_MERGE_H_
#define SSTABLEFS_READER_TABLE_MERGE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "reader/data_file.h"
#include "reader/data_input.h"
#include "reader/partitioner.h"
#include "reader/reconcile.h"
#include "reader/row_renderer.h"
#include "reader/sstable.h"
#include "reader/table.h"
#include "reader/verify_clustering.h"

namespace sstablefs::reader {

// How one SSTable's header columns map onto the TableSchema.
struct ColumnMapping {
  struct Slot {
    int slot = -1;  // TableSchema::columns index, -1: not rendered
    // Cells with timestamp <= this are ignored (dropped before, re-added).
    int64_t dropped_at = kNoTimestamp;
    bool complex = false;  // as the header stores it
    bool counter = false;
    bool dropped = false;  // dropped and not re-added (history only)
  };
  std::vector<Slot> statics;   // per Columns::statics
  std::vector<Slot> regulars;  // per Columns::regulars
};

// Maps by name and kind; a column whose header kind (simple/complex)
// disagrees with the schema type is not rendered and gets a warning.
ColumnMapping MapColumns(const Columns& columns, const TableSchema& schema,
                         const std::string& sstable_name,
                         std::vector<std::string>* warnings);

// One SSTable's stream.
struct MergeSource {
  const SSTable* sstable = nullptr;
  uint32_t index = 0;  // in Table::sstables()
  const ColumnMapping* mapping = nullptr;
  std::unique_ptr<DataInput> input;
  std::unique_ptr<PartitionIterator> it;
  Token token;  // of the current partition, when the merge needs it
  // Per partition.
  DeletionTime open_rt;  // the deletion of its open range tombstone
};

// Sees every item of every source of a merged partition with its fate in
// the merged view (history.jsonl).
class MergeObserver {
 public:
  virtual ~MergeObserver() = default;
  // `src` indexes the sources passed to Merge().
  virtual Status OnPartition(size_t src, const PartitionHeader& p) = 0;
  virtual Status OnMarker(size_t src, const RangeTombstoneMarker& m) = 0;
  // cell_shown[i]: row.cells[i] is the version the merged row shows.
  virtual Status OnRow(size_t src, const Row& row, bool liveness_shown,
                       std::span<const uint8_t> cell_shown) = 0;
};

class PartitionMerger {
 public:
  PartitionMerger(const TableSchema& schema, const RowOptions& options);

  // Merges the current partition of `sources` (all Valid() on the same key;
  // rows not started). Live rows go to `rows` (may be null), facts to
  // `summary` (may be null; key/sstables/bytes are the caller's). Leaves the
  // sources on the partition (the caller advances them). A source's decode
  // error is returned.
  Status Merge(std::span<MergeSource* const> sources, RowSink* rows,
               PartitionSummary* summary, MergeObserver* observer);

 private:
  struct Ref;  // one source's cells of one schema column
  void SplitKey(ByteView key, const CqlType& key_type);
  // Reconciles the rows of sources `part` (indices into sources_) at one
  // position under `active`; fills `values` and `cells`. `copy`: keep
  // bytes in static_arena_. Returns whether any cell is live.
  bool MergeCells(std::span<const size_t> part, const DeletionTime& active,
                  bool copy, std::vector<ColumnValue>* values,
                  std::vector<MultiCellEntry>* cells);
  // MergeCells for a row only one source holds.
  bool FillSingle(size_t src, const DeletionTime& active, bool copy,
                  std::vector<ColumnValue>* values,
                  std::vector<MultiCellEntry>* cells);
  bool ResolveSimple(int first_ref, const DeletionTime& active, bool copy,
                     ColumnValue* out);
  bool ResolveComplex(int first_ref, const DeletionTime& active, bool copy,
                      const CqlType& type, std::vector<MultiCellEntry>* cells,
                      ColumnValue* out);
  // Row-level merge; returns whether the row is live.
  bool MergeRow(std::span<const size_t> part, const DeletionTime& base,
                bool copy, std::vector<ColumnValue>* values,
                std::vector<MultiCellEntry>* cells);
  void CountRow(const Row& r, PartitionSummary* summary) const;
  // `v`, or its copy in static_arena_ when `copy`.
  ByteView Keep(ByteView v, bool copy) {
    return !copy || v.empty() ? v : KeepSlow(v);
  }
  ByteView KeepSlow(ByteView v);
  // The current row of source `src` (taking part at this position).
  const Row& RowOf(size_t src) const { return *rows_[src]; }
  Status Observe(std::span<const size_t> part);

  const TableSchema& schema_;
  const int64_t now_;
  ClusteringOrder order_;
  std::vector<CqlTypePtr> path_types_;  // per schema column (complex only)
  // Per merge.
  std::span<MergeSource* const> sources_;
  MergeObserver* observer_ = nullptr;
  std::string key_copy_;
  std::vector<ByteView> key_parts_;
  std::vector<ColumnValue> values_;
  std::vector<ColumnValue> static_values_;
  std::vector<MultiCellEntry> cells_;
  std::vector<MultiCellEntry> static_cells_;
  std::string static_arena_;
  std::vector<size_t> part_;
  std::vector<const Row*> rows_;  // per source: its row at this position
  std::vector<size_t> active_sources_;
  // Per row: refs by schema slot (linked lists), touched slots.
  struct Ref {
    size_t src;      // index into sources_
    uint32_t begin;  // cells [begin, end) of the source row
    uint32_t end;
    DeletionTime complex_deletion;
    int64_t dropped_at;
    bool counter;
    int next;
  };
  std::vector<Ref> refs_;
  std::vector<int> slot_head_;
  std::vector<int> touched_;
  CounterMerger counters_;
  // Observer support: per source the shown flags of its current row.
  std::vector<std::vector<uint8_t>> shown_;
  std::vector<uint8_t> liveness_shown_;
  bool track_ = false;
};

// Merges the partition with serialized `key` of every SSTable of `table`
// holding it (found through the partition indexes). NotFound when none does.
Status MergeOnePartition(const std::shared_ptr<const Table>& table,
                         ByteView key, const RowOptions& options, RowSink* rows,
                         PartitionSummary* summary, MergeObserver* observer);

// Sorts SSTables oldest first: numeric generations by value, then the
// others (UUID-style) by text, then by version.
void SortByGeneration(std::vector<std::shared_ptr<SSTable>>* sstables);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_TABLE_MERGE_H_
