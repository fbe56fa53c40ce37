// Reading Cassandra's system_schema keyspace (3.0+) from a data directory:
//   <data_dir>/system_schema/keyspaces-<id>/, tables-<id>/, columns-<id>/,
//   types-<id>/, dropped_columns-<id>/
// into the same parsed form a CQL file gives (cql_parser.h), so schema.cc
// builds one SchemaCatalog from either. Layouts: see reader/FORMAT.md section
// "system_schema" (written by SchemaKeyspace.java).
//
// Merging: every SSTable of a schema table is read through the Table model
// (reader/table.h), so updates, row/partition deletions (DROP TABLE, DROP
// KEYSPACE, ALTER ... DROP) and newer generations apply as Cassandra's read
// path applies them; `now_seconds` expires TTLs (schema rows carry none).
//
// Contract: NotFound when data_dir has no system_schema folder or no
// columns/tables SSTables; kCorruption (naming the file) when a schema
// SSTable cannot be decoded; an unexpected value (a row without its key
// columns, an unknown kind) is skipped with a warning. Thread-compatible.
#ifndef SSTABLEFS_READER_SYSTEM_SCHEMA_H_
#define SSTABLEFS_READER_SYSTEM_SCHEMA_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reader/cql_parser.h"
#include "reader/status.h"

namespace sstablefs::reader {

class ChunkCache;

// One live CQL row of a schema table: column name -> serialized value (only
// columns with a live value; key and clustering columns by their names).
using SchemaRow = std::map<std::string, std::string>;

// The live rows of system_schema.<table> (all its SSTables merged), with the
// key columns named by `key_names` (partition key components, then
// clustering columns, as SchemaKeyspace defines them). NotFound when the
// table has no folder or no SSTables.
Result<std::vector<SchemaRow>> ReadSchemaTableRows(
    const std::string& data_dir, const std::string& table,
    const std::vector<std::string>& key_names, ChunkCache* cache,
    int64_t now_seconds, std::vector<std::string>* warnings);

// keyspaces, tables, columns, types and dropped_columns as parsed
// statements (types as CQL text, resolved later). Tables of the system
// keyspaces are included; callers filter by keyspace when they want to.
Result<cql::ParsedSchema> ReadSystemSchema(const std::string& data_dir,
                                           ChunkCache* cache,
                                           std::vector<std::string>* warnings);

// Value decoders for schema rows (nullopt when absent or malformed).
std::optional<std::string> RowText(const SchemaRow& row, const char* column);
std::optional<int32_t> RowInt(const SchemaRow& row, const char* column);
std::optional<int64_t> RowBigint(const SchemaRow& row, const char* column);
// frozen<list<text>> / frozen<set<text>>: the elements.
std::optional<std::vector<std::string>> RowTextList(const SchemaRow& row,
                                                    const char* column);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_SYSTEM_SCHEMA_H_
