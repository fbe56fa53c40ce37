// The example data set: a small Cassandra table written as real nb SSTables,
// so that someone who cloned only this repository can run `sstablefs dump`
// (see README.md) without a Cassandra node or the ../shared corpus.
//
// Table (CQL):
//   CREATE TABLE example_ks.sensor_readings (
//       sensor_id text, reading_time timestamp,
//       location text STATIC,
//       temperature double, humidity int, sample_count bigint, ok boolean,
//       reading_id uuid, note text, tags set<text>, alerts map<text, int>,
//       PRIMARY KEY (sensor_id, reading_time));
//
// Two SSTables, as two memtable flushes would leave them:
//   nb-1-big (uncompressed, CRC.db): sensor-01..04, three readings each; a
//     static location in three partitions, a TTL'd note (86400 s), a deleted
//     humidity cell, a range tombstone over readings 10:03..10:05 of
//     sensor-03, a set written by INSERT (so with a collection tombstone) and
//     collection cells added by UPDATE.
//   nb-2-big (LZ4): a later reading of sensor-02, a new partition sensor-05,
//     and a partition deletion of sensor-04.
// All timestamps are fixed (readings on 2024-01-15 from 10:00 UTC), so the
// files are byte-for-byte reproducible.
#ifndef SSTABLEFS_TOOLS_EXAMPLE_WRITER_H_
#define SSTABLEFS_TOOLS_EXAMPLE_WRITER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "reader/status.h"
#include "writer/data_encoder.h"
#include "writer/metadata.h"
#include "writer/sstable_writer.h"

namespace sstablefs::tools {

// The writer's types under the names the tools and their tests used before
// the writer became a library (writer/).
using TableSchema = writer::WriterSchema;
using writer::BuildBloomFilter;
using writer::BuildIndexSummary;
using writer::CardinalityEstimator;
using writer::DataEncoder;
using writer::EstimatedHistogram;
using writer::PartitionData;
using writer::StatsCollector;

struct WriteOptions {
  int generation = 1;
  bool lz4 = false;               // LZ4Compressor, else uncompressed + CRC.db
  uint32_t chunk_length = 16384;  // CompressionParams default chunk length
  double bloom_fp_chance = 0.01;  // table default
};

// Writes <dir>/nb-<generation>-big-* as a memtable flush would: partitions
// in any order (sorted here into Murmur3 order), EncodingStats and the bloom
// filter size computed from the whole list. `dir` must exist.
reader::Status WriteSSTable(const std::string& dir, const TableSchema& schema,
                            std::vector<PartitionData> partitions,
                            const WriteOptions& options);

inline constexpr char kExampleKeyspace[] = "example_ks";
inline constexpr char kExampleTable[] = "sensor_readings";
// The table id in the folder name (Cassandra: <table>-<32 hex uuid>).
inline constexpr char kExampleTableId[] = "5e1f3c2a9b7d4e6f8a0b1c2d3e4f5a6b";

struct ExampleSSTable {
  WriteOptions options;
  std::vector<PartitionData> partitions;  // as built, not yet token-sorted
};

// The example content. Views inside `sstables` point into `arena`, so keep the
// object alive (and do not copy it) while using them.
struct ExampleData {
  TableSchema schema;
  std::vector<ExampleSSTable> sstables;
  std::deque<std::string> arena;
};

std::unique_ptr<const ExampleData> BuildExampleData();

// <outdir>/example_ks/sensor_readings-<id>
std::string ExampleTableDir(const std::string& outdir);

// Creates ExampleTableDir(outdir) (and parents) and writes both SSTables into
// it, replacing files of the same names. kIoError on file system failures.
reader::Status WriteExampleTable(const std::string& outdir);

}  // namespace sstablefs::tools

#endif  // SSTABLEFS_TOOLS_EXAMPLE_WRITER_H_
