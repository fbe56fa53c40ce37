// A small, in-memory writer for one Cassandra SSTable in format "nb" (the
// "big" format of Cassandra 4.0/4.1, also readable by 5.0), as
// BigTableWriter would write it after a memtable flush: Data.db (uncompressed
// with CRC.db, or LZ4-compressed with CompressionInfo.db), Index.db,
// Summary.db, Filter.db, Statistics.db, Digest.crc32 and TOC.txt.
// See reader/FORMAT.md for every layout; the Cassandra classes mirrored are
// named next to the code that mirrors them.
//
// Scope: small tables (the example data, test fixtures). Everything is built
// in memory; no promoted (column) index is written, so a partition must stay
// below Cassandra's column_index_size (64 KiB by default in 4.x) for the
// files to be exactly what Cassandra writes. Only Murmur3Partitioner.
//
// Contract: WriteSSTable is deterministic (same input, same bytes) and
// thread-compatible. Input views (keys, values, paths) only need to live for
// the duration of the call. Bad input (cells out of column order, a value of
// the wrong length for a fixed-length type, ...) is kInvalidArgument; a file
// system failure is kIoError. Partial files may remain after a failure.
#ifndef SSTABLEFS_TOOLS_NB_WRITER_H_
#define SSTABLEFS_TOOLS_NB_WRITER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reader/statistics.h"
#include "reader/status.h"
#include "reader/unfiltered.h"

namespace sstablefs::tools {

// The table as the serialization header describes it. Columns must already be
// in Cassandra's order (simple before complex, then by name bytes), which is
// the order Cell::column indexes refer to.
struct TableSchema {
  std::string key_type;                       // AbstractType string
  std::vector<std::string> clustering_types;  // AbstractType strings
  std::vector<reader::HeaderColumn> statics;
  std::vector<reader::HeaderColumn> regulars;
};

// One partition. Rows and markers come in clustering order; cells in column
// order, the cells of a complex column in path order. Row::liveness,
// Row::deletion, Row::complex_deletions and the Cell fields mean what they
// mean when the reader decodes them (reader/unfiltered.h); Unfiltered::position
// is ignored.
struct PartitionData {
  std::string key;  // serialized partition key
  reader::DeletionTime deletion;
  std::optional<reader::Row> static_row;  // none: an empty static row
  std::vector<reader::Unfiltered> unfiltereds;
};

struct WriteOptions {
  int generation = 1;
  bool lz4 = false;               // LZ4Compressor, else uncompressed + CRC.db
  uint32_t chunk_length = 16384;  // CompressionParams default chunk length
  double bloom_fp_chance = 0.01;  // table default
};

// Writes <dir>/nb-<generation>-big-*. `dir` must exist. Partitions may come
// in any order: they are written in Murmur3 token order.
reader::Status WriteSSTable(const std::string& dir, const TableSchema& schema,
                            std::vector<PartitionData> partitions,
                            const WriteOptions& options);

}  // namespace sstablefs::tools

#endif  // SSTABLEFS_TOOLS_NB_WRITER_H_
