// CQL rows as JSON Lines and CSV (SPEC §3): what `sstablefs dump --rows /
// --csv` prints and what the mount's rows.jsonl / rows.csv will serve.
//
// Three layers (the table merge of table.h produces rows for the same sinks):
//  1. TableSchema: the output columns (partition key, clustering, static,
//     regular) with names and types. SchemaFromColumns() derives it from a
//     serialization header with the SPEC §5 fallback names (`key`, `key1`…,
//     `clustering`, `clustering1`…); a schema recovered elsewhere
//     (system_schema, schema.cql) can be supplied instead.
//  2. RowSink: receives already-reconciled CQL rows (CqlRow: key components,
//     clustering values and one ColumnValue per schema column). The JSON
//     Lines and CSV writers implement it; the merge across SSTables
//     (table.h) produces CqlRows for the same sinks.
//  3. RenderSSTableRows(): the single-SSTable source. It applies, within the
//     one SSTable, everything a read would: partition, range, row (regular
//     and shadowable) and complex-column deletions, TTL expiry at `now`,
//     counter totals, and the "row exists iff it has a live cell or a live
//     row marker" rule; a partition with live static cells but no live
//     clustering row yields one row with null clustering/regular columns.
//     It does NOT merge with other SSTables: a row present in two SSTables
//     is rendered once per SSTable (table.h merges a table's SSTables; this
//     is its merge with one source).
//
// Static compact tables (COMPACT STORAGE without clustering columns; corpus
// *_simple_compact, cassandra_static_compact): Cassandra stores the CQL
// columns as static columns beside one hidden UTF8 clustering column, and
// Data.db holds only static rows. Detected from the header (no regular
// columns, some static columns, exactly one text clustering column), such a
// table renders its static row as the partition's one CQL row, without a
// clustering column — as `SELECT *` shows it.
//
// Performance: the writers stream into one reused std::string, flushed to
// the OutputSink in ~1 MiB blocks; per-column JSON prefixes are built once in
// Begin(); values go through types.h renderers; no allocation per row or
// cell once buffers have grown.
//
// Thread-safety: a RowSink or renderer instance is used by one thread.
#ifndef SSTABLEFS_READER_ROW_RENDERER_H_
#define SSTABLEFS_READER_ROW_RENDERER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "reader/byte_view.h"
#include "reader/columns.h"
#include "reader/output_sink.h"
#include "reader/status.h"
#include "reader/types.h"

namespace sstablefs::reader {

class SSTable;

struct SchemaColumn {
  std::string name;
  CqlTypePtr type;
  // Where the SSTable stores it: the header's static columns (true) or its
  // regular ones. In a static compact table every column is "static" here
  // although CQL shows it as regular.
  bool is_static = false;
};

struct TableSchema {
  std::vector<std::string> partition_key_names;  // one per key component
  std::vector<CqlTypePtr> partition_key_types;
  std::vector<std::string> clustering_names;  // empty for static compact
  std::vector<CqlTypePtr> clustering_types;
  // Output order after the primary key: static columns, then regular ones.
  std::vector<SchemaColumn> columns;
  bool static_compact = false;

  // Filled by schema recovery (schema.h); empty/defaults for the header
  // fallback.
  std::string keyspace;
  std::string table;
  // True when key and clustering names are SPEC §5 placeholders.
  bool placeholder_names = true;
  // Where names came from, for schema.cql's comment: "system_schema",
  // "snapshot schema.cql", "schema file x.cql", "SSTable headers".
  std::string origin = "SSTable headers";
  bool compact_storage = false;
  std::vector<std::string> table_options;  // CQL "name = value" after WITH
  // Dropped columns: left out of rows; a cell of a column re-added later is
  // ignored when its timestamp <= dropped_time_micros.
  struct DroppedColumn {
    std::string name;
    CqlTypePtr type;  // may be null
    int64_t dropped_time_micros = 0;
    bool is_static = false;
  };
  std::vector<DroppedColumn> dropped;
};

// True for the static compact layout described above.
bool IsStaticCompact(const Columns& columns);

// The schema one SSTable's header implies: key/clustering names per SPEC §5,
// statics then regulars, each sorted by name.
TableSchema SchemaFromColumns(const Columns& columns);

// Adds the columns of `columns` that `schema` lacks (by name and kind) in
// the same order rules, for a folder whose SSTables list different columns.
void MergeSchemaColumns(const Columns& columns, TableSchema* schema);

// One column's reconciled value in a CQL row.
struct ColumnValue {
  enum class Kind : uint8_t {
    kNull,     // no live value
    kValue,    // one serialized value of the column type
    kCells,    // live cells of a multi-cell collection/UDT, in path order
    kCounter,  // a counter's total
  };
  Kind kind = Kind::kNull;
  ByteView value;                         // kValue
  std::span<const MultiCellEntry> cells;  // kCells
  int64_t counter = 0;                    // kCounter
};

// A CQL row handed to a RowSink. Views are valid during AddRow() only.
struct CqlRow {
  // One per TableSchema::partition_key_types; fewer when the stored key is
  // malformed (missing components render as null).
  std::span<const ByteView> partition_key;
  // One per clustering column, or empty for a static-only row (all null).
  std::span<const std::optional<ByteView>> clustering;
  // One per TableSchema::columns.
  std::span<const ColumnValue> columns;
};

class RowSink {
 public:
  virtual ~RowSink() = default;
  // Once, before any row (the CSV header line is written here).
  virtual Status Begin(const TableSchema& schema) = 0;
  virtual Status AddRow(const CqlRow& row) = 0;
  // Hands everything buffered so far to the OutputSink without ending the
  // document (the mount flushes at its checkpoints). Default: nothing
  // buffered.
  virtual Status Flush() { return Status::Ok(); }
  // Bytes buffered and not yet handed to the OutputSink.
  virtual size_t buffered_bytes() const { return 0; }
  // Flushes everything to the OutputSink.
  virtual Status Finish() = 0;
};

enum class RowFormat { kJsonLines, kCsv };

// SPEC §3 writers. rows.jsonl: one `SELECT JSON *` object per line, keys in
// schema order, every column present, `null` when no live value; names with
// upper-case letters double-quoted inside the JSON key, as Cassandra does.
// rows.csv: RFC 4180 with a header line, "\n" line ends, CQL literal text
// (cqlsh COPY TO style), null as an empty field and the empty string as "".
// `out` must outlive the writer.
std::unique_ptr<RowSink> NewRowWriter(RowFormat format, OutputSink* out);

struct RowOptions {
  // Seconds since the epoch at which TTLs are evaluated.
  int64_t now_seconds = 0;
};

// Renders the live CQL rows of ONE SSTable through `sink` (AddRow only: the
// caller calls Begin/Finish, so several SSTables can share one sink). Schema
// columns the SSTable lacks are null; SSTable columns the schema lacks are
// ignored. Stops at the first decode error and returns it.
Status RenderSSTableRows(const SSTable& sstable, const TableSchema& schema,
                         const RowOptions& options, RowSink* sink);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_ROW_RENDERER_H_
