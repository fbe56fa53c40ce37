// Schema recovery (SPEC §5): the real names, kinds and order of a table's
// columns, its clustering order, UDTs and dropped columns — from, in order of
// trust: the system_schema keyspace of a data directory, a snapshot's
// schema.cql, CQL files given with `-o schema=FILE` / `--schema FILE`, and
// finally the SSTable headers (placeholder key/clustering names).
//
// The result is a TableSchema (row_renderer.h) that the Table merge and the
// row writers use as is, plus CREATE TYPE / CREATE TABLE text for the mount's
// schema.cql.
//
// Contract:
//  - Nothing here fails on a schema that disagrees with the SSTables: type
//    changes, unknown columns and missing tables become warnings naming both
//    sides. Fails only on I/O errors of SOURCE or unreadable system_schema
//    SSTables (kCorruption naming the file).
//  - Column types in a recovered schema are the SSTable header's types when
//    the header has the column (they decode the bytes on disk); the schema's
//    CQL type only for columns no header lists.
//  - Thread-compatible; a SchemaCatalog is immutable after loading and safe
//    to share.
#ifndef SSTABLEFS_READER_SCHEMA_H_
#define SSTABLEFS_READER_SCHEMA_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reader/columns.h"
#include "reader/row_renderer.h"
#include "reader/status.h"
#include "reader/types.h"

namespace sstablefs::reader {

class ChunkCache;

// A table definition as CQL states it (system_schema.tables/columns or a
// CREATE TABLE statement).
struct CqlColumnDef {
  std::string name;
  CqlTypePtr type;  // ReversedType-wrapped for DESC clustering columns
  enum class Kind {
    kPartitionKey,
    kClustering,
    kStatic,
    kRegular
  } kind = Kind::kRegular;
  int position = 0;  // within partition key / clustering; 0 otherwise
};

struct CqlDroppedColumn {
  std::string name;
  CqlTypePtr type;  // may be null when unknown
  int64_t dropped_time_micros = 0;
  bool is_static = false;
};

struct CqlTableDef {
  std::string keyspace;
  std::string table;
  std::string id;  // 32 hex digits without dashes, "" when unknown
  std::vector<CqlColumnDef> columns;  // any order; kind/position say where
  std::vector<CqlDroppedColumn> dropped;
  bool compact_storage = false;
  // Table options as CQL text ("comment = 'x'", "default_time_to_live = 0"),
  // rendered after WITH; may be empty.
  std::vector<std::string> options;
  // Where this definition was read, for schema.cql's comment and warnings:
  // "system_schema", "schema file /x/schema.cql".
  std::string origin;
};

// UDT definitions by (keyspace, name); field types fully resolved.
struct CqlUserType {
  std::string keyspace;
  std::string name;
  std::vector<std::string> field_names;
  std::vector<CqlTypePtr> field_types;
};

// Where a schema came from (schema.cql's header comment says it).
enum class SchemaSource { kSystemSchema, kSnapshotCql, kOptionCql, kHeader };
const char* SchemaSourceName(SchemaSource s);

// Every table and type known from one source.
class SchemaCatalog {
 public:
  // Reads <data_dir>/system_schema/{keyspaces,tables,columns,types,
  // dropped_columns}-*/ SSTables (merged with the Table model, so updates and
  // drops apply). NotFound when data_dir has no system_schema keyspace.
  static Result<SchemaCatalog> FromSystemSchema(const std::string& data_dir,
                                                ChunkCache* cache);
  // Parses CREATE TYPE / CREATE TABLE statements (other statements such as
  // CREATE KEYSPACE, CREATE INDEX, comments are skipped). Quoted identifiers,
  // frozen/nested types, WITH CLUSTERING ORDER BY, COMPACT STORAGE.
  // `default_keyspace` qualifies unqualified names. kInvalidArgument names
  // the file (`origin`), line and reason on a syntax error.
  // ALTER TABLE ... ADD / DROP [USING TIMESTAMP t] (as a snapshot's
  // schema.cql records re-added and dropped columns) apply to the tables
  // created before them; USE ks changes the default keyspace. `source` says
  // what the text is (a snapshot's schema.cql or a -o schema= file).
  static Result<SchemaCatalog> FromCql(
      std::string_view cql, std::string_view origin,
      std::string_view default_keyspace,
      SchemaSource source = SchemaSource::kOptionCql);
  // The same from a file (kIoError when it cannot be read).
  static Result<SchemaCatalog> FromCqlFile(
      const std::string& path, std::string_view default_keyspace,
      SchemaSource source = SchemaSource::kOptionCql);
  // Adds the tables/types of `other` that this catalog lacks.
  void MergeFrom(const SchemaCatalog& other);

  // Table by keyspace/name; when `id` is not empty and several tables share
  // the name, the one with that id. An empty `keyspace` (a loose folder of
  // SSTables) matches any keyspace, and so does a table defined without one
  // (CREATE TABLE t ... read with an empty default keyspace), an exact
  // keyspace match winning; an empty `table` as well matches when the
  // catalog holds exactly one table (`dump --schema t.cql folder/`).
  const CqlTableDef* FindTable(std::string_view keyspace,
                               std::string_view table,
                               std::string_view id = {}) const;
  const std::vector<CqlTableDef>& tables() const { return tables_; }
  const std::vector<CqlUserType>& types() const { return types_; }
  SchemaSource source() const { return source_; }
  // Non-fatal findings while loading: unknown UDTs, unparsable type text in
  // system_schema, ALTERs of unknown tables, skipped damaged rows.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  std::vector<CqlTableDef> tables_;
  std::vector<CqlUserType> types_;
  std::vector<std::string> warnings_;
  SchemaSource source_ = SchemaSource::kHeader;
  friend class SchemaCatalogBuilder;
};

// Where to look for a schema, in SPEC §5 order of trust. Empty members are
// not consulted.
struct SchemaLocations {
  std::string data_dir;                   // its system_schema keyspace
  std::string snapshot_schema_cql;        // a snapshot's schema.cql
  std::vector<std::string> option_files;  // -o schema= / --schema, in order
  std::string default_keyspace;  // qualifies unqualified names in CQL files
};

// One catalog from every location that exists, a later source adding only
// the tables (and types) the earlier ones lack; each CqlTableDef::origin says
// where it came from. A missing system_schema or snapshot schema.cql is
// skipped; a damaged one is a warning (appended to `warnings`, may be null)
// and skipped, so a mount falls back to the next source. An option file
// that cannot be read or parsed is an error: the user named it.
Result<SchemaCatalog> LoadSchemaCatalog(const SchemaLocations& where,
                                        ChunkCache* cache,
                                        std::vector<std::string>* warnings);

// The TableSchema for rows: key/clustering names and order from `def` (types
// from `headers` where present), static then regular columns in the order
// SELECT * returns them (by name), dropped columns recorded in
// TableSchema::dropped. Warnings (type mismatch, header column unknown to the
// schema and not dropped: kept under its header name) are appended.
// With `def` null: the header fallback (SchemaFromColumns +
// MergeSchemaColumns over every header).
TableSchema ResolveTableSchema(const CqlTableDef* def,
                               const std::vector<const Columns*>& headers,
                               SchemaSource source,
                               std::vector<std::string>* warnings);

// schema.cql: CREATE TYPE statements for the UDTs the table uses (nested
// first), then CREATE TABLE with PRIMARY KEY, WITH CLUSTERING ORDER BY and
// COMPACT STORAGE as needed; cqlsh accepts it. A first comment line says the
// source ("-- schema from system_schema" / "... from the SSTable headers:
// key and clustering column names are placeholders"). Ends with a newline.
// The table is named by schema.keyspace / schema.table; the header fallback
// leaves them empty (callers fill them from the folder names), and an empty
// table name renders as "sstables".
std::string RenderSchemaCql(const TableSchema& schema);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_SCHEMA_H_
