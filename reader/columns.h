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
  // In the order Cassandra serializes them (the header's order: simple columns
  // first, then complex, each sorted by name bytes) — a row's column bitmap
  // and cell order refer to this order.
  std::vector<ColumnDef> statics;
  std::vector<ColumnDef> regulars;
  EncodingStats stats;
};

// Parses every type string of the header. An unparsable type string is
// kCorruption naming `path` (the Statistics.db file).
Result<Columns> ResolveColumns(const SerializationHeader& header,
                               const std::string& path);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_COLUMNS_H_
