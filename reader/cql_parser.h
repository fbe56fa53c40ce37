// A hand-written parser for the schema statements of a CQL file (a snapshot's
// schema.cql, `cqlsh -e DESCRIBE` output, `-o schema=FILE`):
//   CREATE TYPE [IF NOT EXISTS] [ks.]name (field type, ...)
//   CREATE TABLE | COLUMNFAMILY [IF NOT EXISTS] [ks.]name (
//       col type [STATIC] [PRIMARY KEY], ...,
//       [PRIMARY KEY ((a, b), c, d)])
//     [WITH CLUSTERING ORDER BY (c ASC, d DESC) AND COMPACT STORAGE
//      AND ID = <uuid> AND option = value ...]
//   ALTER TABLE [ks.]name ADD col type [STATIC] | ADD (col type, ...)
//   ALTER TABLE [ks.]name DROP col | DROP (a, b) [USING TIMESTAMP micros]
//   USE ks
// (Cassandra writes the ALTER TABLE forms into a snapshot's schema.cql for
// dropped and re-added columns.) Every other statement (CREATE KEYSPACE,
// CREATE INDEX, INSERT, other ALTERs, ...) is skipped up to its ';'. Names are
// lower-cased unless double-quoted. Types are kept as text here and resolved
// by schema.cc once every CREATE TYPE of the file is known.
//
// Contract: pure and thread-safe. A malformed CREATE TYPE / CREATE TABLE /
// ALTER TABLE is kInvalidArgument "<origin>:<line>: <reason> (near '...')".
// Never loops forever: every step consumes a token.
#ifndef SSTABLEFS_READER_CQL_PARSER_H_
#define SSTABLEFS_READER_CQL_PARSER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "reader/schema.h"
#include "reader/status.h"

namespace sstablefs::reader::cql {

struct ParsedType {
  std::string keyspace;
  std::string name;
  std::vector<std::string> field_names;
  std::vector<std::string> field_type_texts;  // CQL type text per field
  int line = 0;
};

struct ParsedColumn {
  std::string name;
  std::string type_text;  // CQL type text, e.g. "map<text, frozen<list<int>>>"
  CqlColumnDef::Kind kind = CqlColumnDef::Kind::kRegular;
  int position = 0;  // within the partition key / clustering columns
};

// A dropped column as system_schema.dropped_columns records it.
struct ParsedDropped {
  std::string name;
  std::string type_text;  // CQL type text (UDTs already expanded to tuples)
  int64_t dropped_time_micros = 0;
  bool is_static = false;
};

struct ParsedTable {
  std::string keyspace;
  std::string table;
  std::string id;  // 32 lower-case hex digits from WITH ID = ..., or ""
  std::vector<ParsedColumn> columns;  // in the order written
  // Clustering column names with DESC order (WITH CLUSTERING ORDER BY).
  std::vector<std::string> descending;
  bool compact_storage = false;
  std::vector<std::string> options;    // "name = value" as written
  std::vector<ParsedDropped> dropped;  // system_schema only
  int line = 0;
};

struct ParsedAlter {
  std::string keyspace;
  std::string table;
  std::vector<ParsedColumn> added;    // ALTER TABLE ... ADD
  std::vector<std::string> dropped;   // ALTER TABLE ... DROP
  int64_t drop_timestamp_micros = 0;  // USING TIMESTAMP, 0 when absent
  int line = 0;
};

// In file order per kind; ALTERs apply after the tables are created.
struct ParsedSchema {
  std::vector<ParsedType> types;
  std::vector<ParsedTable> tables;
  std::vector<ParsedAlter> alters;
  // Statements skipped, e.g. "CREATE KEYSPACE at line 1" (for diagnostics).
  std::vector<std::string> skipped;
};

Result<ParsedSchema> ParseSchemaStatements(std::string_view cql,
                                           std::string_view origin,
                                           std::string_view default_keyspace);

}  // namespace sstablefs::reader::cql

#endif  // SSTABLEFS_READER_CQL_PARSER_H_
