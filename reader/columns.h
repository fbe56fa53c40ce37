// Columns: the serialization header resolved into typed column definitions,
// the form the Data.db decoder and the renderers use.
#ifndef SSTABLEFS_READER_COLUMNS_H_
#define SSTABLEFS_READER_COLUMNS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "reader/statistics.h"
#include "reader/status.h"
#include "reader/types.h"

namespace sstablefs::reader {

struct ColumnDef {
  std::string name;
  CqlTypePtr type;
  bool is_static = false;
  bool is_complex = false;  // type->IsMultiCell()
};

// Data.db encodes timestamps, deletion times and TTLs as deltas from these.
struct EncodingStats {
  int64_t min_timestamp = 0;
  int32_t min_local_deletion_time = 0;
  int32_t min_ttl = 0;
};

struct Columns {
  CqlTypePtr key_type;
  std::vector<CqlTypePtr> clustering_types;
  // In the order Cassandra serializes them: the ColumnMetadata comparator
  // within one kind — simple columns first, then complex, each by name bytes
  // (unsigned, except that names starting with a byte >= 0x80 come before
  // ASCII ones: see columns.cc). Cassandra writes the header in that order;
  // ResolveColumns sorts anyway, as Cassandra's reader does. A row's column
  // subset and Cell::column index this order.
  std::vector<ColumnDef> statics;
  std::vector<ColumnDef> regulars;
  EncodingStats stats;
};

// Parses every type string of the header and orders the columns (above).
// An unparsable type string is kCorruption naming `path` (the Statistics.db
// file) and the column.
Result<Columns> ResolveColumns(const SerializationHeader& header,
                               const std::string& path);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_COLUMNS_H_
