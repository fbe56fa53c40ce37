// Table: all SSTables of one table read as Cassandra's read path sees them —
// a streaming k-way merge with reconciliation (SPEC §3), the history of a
// partition (SPEC §2 history.jsonl) and the partition list
// (partitions.csv). Everything user-facing (the mount, `dump --rows/--csv`
// on a table folder or data directory) goes through this file.
//
// Merge order: partitions in partitioner order (token, then key bytes; the
// partitioner of the first SSTable — a mismatch is a warning); within a
// partition the static row first, then rows in clustering order of the
// TableSchema's clustering types (ReversedType respected).
//
// Reconciliation (Cassandra's Cells.reconcile / Rows.merge /
// DeletionTime.supersedes):
//  - per cell the greatest timestamp wins; on equal timestamps a tombstone
//    (or expired cell) beats a live one, then an expiring cell beats a
//    non-expiring one with the same timestamp, then the greater value bytes;
//  - partition deletions, range tombstones (bounds and boundaries from any
//    SSTable, overlapping), row deletions (regular and shadowable) and
//    complex (collection) deletions hide cells and liveness with timestamp
//    <= their markedForDeleteAt;
//  - expiring cells and row markers whose local expiration time <= now are
//    tombstones; counters sum the shards of the winning per-context state
//    (shards merged by counter id, greatest clock wins);
//  - a row exists only if it keeps a live cell or a live row marker; a
//    partition with live static cells and no live row yields one row with
//    null clustering and regular columns.
//  - columns are matched between an SSTable's header and the TableSchema by
//    name and kind (static/regular); schema columns an SSTable lacks are
//    null there; header columns the schema lacks (dropped) are ignored;
//    cells of a dropped-then-re-added column older than its drop time are
//    ignored (TableSchema::dropped).
//
// Memory: bounded by the chunk cache plus the rows being merged at one
// clustering position (one row per SSTable) and the open range tombstones;
// never a whole partition, however wide.
//
// Thread-safety: a Table is immutable and shared; a MergedReader is used by
// one thread at a time. Data.db stays open through the SSTables, so a table
// keeps reading when compaction deletes its files.
#ifndef SSTABLEFS_READER_TABLE_H_
#define SSTABLEFS_READER_TABLE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reader/byte_view.h"
#include "reader/output_sink.h"
#include "reader/partitioner.h"
#include "reader/row_renderer.h"
#include "reader/sstable.h"
#include "reader/status.h"

namespace sstablefs::reader {

class Table {
 public:
  // `sstables` in any order (kept sorted by generation order of their
  // descriptors); may be empty (an empty table renders no rows). `schema`
  // names the output columns (schema.h recovers it; SchemaFromColumns +
  // MergeSchemaColumns over the headers is the fallback).
  static Result<std::shared_ptr<const Table>> Open(
      std::vector<std::shared_ptr<SSTable>> sstables, TableSchema schema);

  const TableSchema& schema() const { return schema_; }
  const std::vector<std::shared_ptr<SSTable>>& sstables() const {
    return sstables_;
  }
  const Partitioner& partitioner() const { return partitioner_; }
  // Partitioner mismatches, header/schema type conflicts ("column v: type
  // int in nb-2-big, text in schema"), unknown columns.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  Table() = default;
  TableSchema schema_;
  std::vector<std::shared_ptr<SSTable>> sstables_;
  Partitioner partitioner_;
  std::vector<std::string> warnings_;
  friend class TableInternals;
};

// The merged stream's position between two partitions: per SSTable (in
// Table::sstables() order) the uncompressed Data.db offset of its next
// partition not yet merged, or kCursorExhausted. Small and copyable, so the
// mount keeps one every ~1 MiB of output as a restart point (checkpoint).
inline constexpr uint64_t kCursorExhausted = ~uint64_t{0};
struct TableCursor {
  std::vector<uint64_t> data_positions;
  friend bool operator==(const TableCursor&, const TableCursor&) = default;
};

// Cursors that cut the merged table into at most `parts` contiguous pieces
// at partition boundaries, so the pieces can be rendered (or counted) in
// parallel: piece i runs from cursors[i] (cursors[0] is the start of the
// table) to cursors[i + 1], the last to the end. A MergedReader Seek()ed
// to cursors[i] reaches cursor() == cursors[i + 1] exactly when it has
// merged every partition before the boundary.
// The boundaries are keys sampled from the Summary.db of the SSTable with
// the most Data.db bytes; every SSTable is placed on its first partition at
// or after each boundary through its own Summary.db and Index.db (never a
// Data.db scan). One cursor (no split) when parts < 2, the table has less
// than `min_piece_bytes` of Data.db per piece, or an SSTable lacks Index.db
// or Summary.db or is in another partitioner's order.
Result<std::vector<TableCursor>> SplitTable(const Table& table, size_t parts,
                                            uint64_t min_piece_bytes = 8 << 20);

// What partitions.csv says about one merged partition.
struct PartitionSummary {
  std::string key;                 // serialized partition key
  std::vector<uint32_t> sstables;  // indices into Table::sstables()
  uint64_t live_rows = 0;          // CQL rows rendered (static-only counts 1)
  uint64_t bytes = 0;              // its uncompressed Data.db bytes, summed
  uint64_t partition_tombstones = 0;
  uint64_t range_tombstones = 0;  // range tombstone markers (bounds+boundaries)
  uint64_t row_tombstones = 0;
  uint64_t cell_tombstones = 0;  // tombstone cells + complex deletions
  uint64_t expired_cells = 0;    // TTL'd cells/markers expired at `now`
};

class MergedReader {
 public:
  MergedReader(std::shared_ptr<const Table> table, const RowOptions& options);
  ~MergedReader();
  MergedReader(const MergedReader&) = delete;
  MergedReader& operator=(const MergedReader&) = delete;

  Status SeekToFirst();
  // `cursor` must come from cursor() of a reader over the same Table.
  Status Seek(const TableCursor& cursor);
  // Merges the next partition: its live CQL rows go to `rows` (AddRow only;
  // may be null), its facts to `summary` (may be null). false at the end.
  // A sink error stops the merge and is returned as is (the mount uses it
  // to cancel a render); the reader must then be re-Seek()ed.
  Result<bool> Next(RowSink* rows, PartitionSummary* summary);
  // The position before the next partition Next() would merge.
  TableCursor cursor() const;
  // cursor() == `c`, without building a cursor (checked per partition).
  bool AtCursor(const TableCursor& c) const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// The partition with this serialized key, found through each SSTable's
// partition index (never a scan). NotFound when no SSTable holds it.
Status RenderPartitionRows(const std::shared_ptr<const Table>& table,
                           ByteView key, const RowOptions& options,
                           RowSink* rows, PartitionSummary* summary);

// history.jsonl of one partition (SPEC §2): one JSON object per line for
// every version of every cell and every tombstone in every SSTable (oldest
// SSTable first, then Data.db order), with its SSTable, writetime, ttl,
// local expiry/deletion time, and whether it is live in the merged view.
// Fields (in this order; absent ones omitted):
//   {"sstable":"nb-1-big","kind":"cell"|"row_marker"|"row_deletion"|
//    "partition_deletion"|"range_tombstone_bound"|"complex_deletion",
//    "clustering":[...CQL JSON...] | null,"column":"v","path":<CQL JSON>,
//    "value":<CQL JSON>,"tombstone":true,"writetime":123,"ttl":60,
//    "expires_at":"2024-01-31 13:45:00Z","deleted_at":"...Z",
//    "bound":"incl_start"|...,"live":true|false}
// Dropped columns appear with "dropped":true. NotFound when absent.
Status RenderPartitionHistory(const std::shared_ptr<const Table>& table,
                              ByteView key, const RowOptions& options,
                              OutputSink* out);

// partitions.csv (SPEC §2): RFC 4180, header line
//   key,token,sstables,rows,bytes,partition_tombstones,range_tombstones,
//   row_tombstones,cell_tombstones
// key as the partition folder name's CQL literal text (components joined by
// ':'), token as the partitioner prints it, sstables as descriptor names
// joined by ' ' (e.g. "nb-1-big nb-2-big").
std::string PartitionsCsvHeader();
void AppendPartitionsCsvLine(const Table& table, const PartitionSummary& p,
                             std::string* out);

// Partition keys of the merged table in order, from Index.db only (Data.db
// is not read, except for an SSTable without Index.db, whose keys come from
// a Data.db scan). Each key once. For `ls partitions/` at any scale: memory
// does not grow with the number of keys.
class MergedKeyLister {
 public:
  explicit MergedKeyLister(std::shared_ptr<const Table> table);
  ~MergedKeyLister();
  Status SeekToFirst();
  // Next key (serialized) into *key; false at the end.
  Result<bool> Next(std::string* key);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_TABLE_H_
