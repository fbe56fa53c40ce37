// WriteSystemSchema: writes the system_schema keyspace of a Cassandra data
// directory — keyspaces, tables, columns, types and dropped_columns — for a
// set of table and UDT definitions, laid out as Cassandra 4.x's
// SchemaKeyspace stores them (one SSTable per schema table, one partition
// per keyspace, Murmur3 order). Used by sstablefs-gen and by tests of schema
// recovery (reader/schema.h SchemaCatalog::FromSystemSchema).
//
// Contract:
//  - Files go to <data_dir>/system_schema/<table>-<id>/ where <id> is the
//    fixed id Cassandra gives each schema table (TableId.forSystemTable:
//    a name-based UUID of "system_schema" + table name).
//  - Deterministic: same input, same bytes. Rows carry `timestamp_micros`
//    as write time (tables rows also the deletePrevious row tombstone at
//    timestamp - 1, as SchemaKeyspace writes them).
//  - Keyspaces are those named by `keyspaces`, plus any keyspace a table or
//    type uses (SimpleStrategy, replication_factor 1).
//  - Table params are Cassandra 4.x defaults (LZ4 16 KiB chunks, ...); the
//    option "compression = {'enabled': 'false'}" in CqlTableDef::options
//    writes compression {'enabled': 'false'} instead.
//  - Column types are written in CQL form (CqlType::CqlName, without
//    ReversedType); DESC clustering columns are recognised by `reversed`.
//  - Fails with the writer's status (kIoError, kInvalidArgument) and may
//    leave partial files.
#ifndef SSTABLEFS_WRITER_SYSTEM_SCHEMA_WRITER_H_
#define SSTABLEFS_WRITER_SYSTEM_SCHEMA_WRITER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "reader/schema.h"
#include "reader/status.h"

namespace sstablefs::writer {

struct KeyspaceDef {
  std::string name;
  bool durable_writes = true;
  std::map<std::string, std::string> replication = {
      {"class", "org.apache.cassandra.locator.SimpleStrategy"},
      {"replication_factor", "1"}};
};

struct SystemSchemaOptions {
  int64_t timestamp_micros = 1735689600000000;  // 2025-01-01T00:00:00Z
  std::string version = "nb";
  std::string generation = "1";
  bool lz4 = true;
};

reader::Status WriteSystemSchema(const std::string& data_dir,
                                 const std::vector<reader::CqlTableDef>& tables,
                                 const std::vector<reader::CqlUserType>& types,
                                 const std::vector<KeyspaceDef>& keyspaces = {},
                                 const SystemSchemaOptions& options = {});

// "abac5682dea631c5b535b3d6cffd0fb6" for ("system_schema", "keyspaces"):
// UUID.nameUUIDFromBytes(keyspace bytes + table bytes) without dashes.
std::string SystemTableIdHex(const std::string& keyspace,
                             const std::string& table);

// A type as CQL3Type.toString() prints it (system_schema `type` text,
// snapshot schema.cql): CqlType::CqlName(), except that a tuple is always
// "frozen<tuple<...>>" (Cassandra's headers store tuples without a
// FrozenType wrapper, yet CQL shows them frozen).
std::string CqlTypeText(const reader::CqlType& type);

// The schema tables written, in this order.
inline constexpr const char* kSystemSchemaTables[] = {
    "keyspaces", "tables", "columns", "types", "dropped_columns"};

}  // namespace sstablefs::writer

#endif  // SSTABLEFS_WRITER_SYSTEM_SCHEMA_WRITER_H_
