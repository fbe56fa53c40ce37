// SSTableWriter: writes one Cassandra SSTable in format "nb" (and "me") the
// way BigTableWriter does — Data.db (LZ4-compressed with CompressionInfo.db,
// or uncompressed with CRC.db), Index.db with promoted indexes for wide
// partitions, Summary.db, Filter.db, Statistics.db, Digest.crc32, TOC.txt —
// from a stream of partitions in partitioner order. See reader/FORMAT.md.
//
// Contract:
//  - Streaming: Add() / AddUnfiltered() write Data.db chunks as they fill
//    and one Index.db entry per partition; memory is bounded by one chunk,
//    one row (BeginPartition/AddUnfiltered/EndPartition) or one partition's
//    input (Add), the partition's promoted index, and what Cassandra also
//    keeps in memory (Summary samples, bloom filter bits, chunk offsets,
//    statistics) — never the whole Data.db. Writer decisions (promoted index
//    granularity, summary sampling, filter sizing): reader/FORMAT.md,
//    "Writing SSTables".
//  - Rows are checked as they are encoded (cells of a simple column exactly
//    once, in column order; values of fixed-length types with their length;
//    clustering sizes): kInvalidArgument, after which the writer stays failed
//    (every later call returns that error). Misuse that writes nothing (a
//    key out of order, calls out of sequence) is refused without effect.
//  - Partitions must come in strictly increasing partitioner order
//    (kInvalidArgument otherwise); rows/markers in clustering order; cells in
//    header column order, complex cells in path order.
//  - Deterministic: same input and options, same bytes.
//  - Files are written under their final names in `directory` (which must
//    exist): <version>-<generation>-big-<Component>; a failure (kIoError)
//    may leave partial files.
//  - Not thread-safe: one thread drives one writer; writers are independent.
#ifndef SSTABLEFS_WRITER_SSTABLE_WRITER_H_
#define SSTABLEFS_WRITER_SSTABLE_WRITER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reader/columns.h"
#include "reader/partitioner.h"
#include "reader/statistics.h"
#include "reader/status.h"
#include "reader/unfiltered.h"

namespace sstablefs::writer {

using reader::Result;
using reader::Status;

// The serialization header. Columns in Cassandra's order (simple before
// complex, then by name bytes): Cell::column indexes refer to it.
struct WriterSchema {
  std::string key_type;                       // AbstractType string
  std::vector<std::string> clustering_types;  // AbstractType strings
  std::vector<reader::HeaderColumn> statics;
  std::vector<reader::HeaderColumn> regulars;
  // The EncodingStats Data.db deltas are relative to (a flush computes them
  // from the memtable, a compaction merges its inputs'; any value is valid,
  // smaller deltas give smaller files). None: EncodingStats.NO_STATS (the
  // 2015-09-22 epochs, TTL 0). CollectEncodingStats (writer/data_encoder.h)
  // computes the flush value from a list of partitions.
  std::optional<reader::EncodingStats> encoding_stats;
};

// One partition; views need only live during Add().
struct PartitionData {
  std::string key;  // serialized partition key
  reader::DeletionTime deletion;
  std::optional<reader::Row> static_row;
  std::vector<reader::Unfiltered> unfiltereds;
};

struct WriterOptions {
  std::string version = "nb";  // "nb" or "me"
  std::string generation = "1";
  bool lz4 = false;  // LZ4Compressor, else uncompressed + CRC.db
  uint32_t chunk_length = 16384;
  double bloom_fp_chance = 0.01;
  reader::PartitionerKind partitioner = reader::PartitionerKind::kMurmur3;
  uint32_t column_index_size = 64 * 1024;  // promoted index granularity
  int min_index_interval = 128;            // Summary.db: every Nth partition
  // Partitions the bloom filter is sized for (Cassandra: the memtable's
  // partition count). 0: unknown, the filter is sized from the exact count
  // at Finish (the writer keeps 16 bytes per partition until then).
  uint64_t expected_partitions = 0;
};

class SSTableWriter {
 public:
  static Result<std::unique_ptr<SSTableWriter>> Create(
      const std::string& directory, const WriterSchema& schema,
      const WriterOptions& options);
  virtual ~SSTableWriter() = default;
  virtual Status Add(const PartitionData& partition) = 0;
  // The same partition in pieces, for partitions too large to hold in
  // memory: BeginPartition, AddUnfiltered for each row/marker in clustering
  // order, EndPartition. Views need only live during each call. Add() must
  // not be called between BeginPartition and EndPartition. `static_row`:
  // null when the partition has none (an empty one is written when the
  // table has static columns, as Cassandra does).
  virtual Status BeginPartition(std::string_view key,
                                const reader::DeletionTime& deletion,
                                const reader::Row* static_row) = 0;
  virtual Status AddUnfiltered(const reader::Unfiltered& unfiltered) = 0;
  virtual Status EndPartition() = 0;
  // Writes the remaining components. The writer is unusable afterwards.
  // kInvalidArgument when no partition was written (Cassandra never writes
  // an empty SSTable) or a partition is still open.
  virtual Status Finish() = 0;
  // Uncompressed Data.db bytes written so far (generators size by it).
  virtual uint64_t data_bytes() const = 0;
};

}  // namespace sstablefs::writer

#endif  // SSTABLEFS_WRITER_SSTABLE_WRITER_H_
