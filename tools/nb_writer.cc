#include "tools/nb_writer.h"

#include <lz4.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "reader/byte_reader.h"
#include "reader/columns.h"
#include "reader/crc32.h"
#include "reader/partitioner.h"
#include "tools/nb_data.h"
#include "tools/nb_metadata.h"

namespace sstablefs::tools {

using reader::AppendU16;
using reader::AppendU32;
using reader::AppendU64;
using reader::AppendUnsignedVInt;
using reader::ByteView;
using reader::Result;
using reader::Status;

namespace {

constexpr int64_t kTimestampEpoch = 1442880000000000LL;
constexpr int32_t kDeletionTimeEpoch = 1442880000;
constexpr uint32_t kCrcChunkLength = 64 * 1024;  // SequentialWriter buffer
constexpr char kPartitioner[] = "org.apache.cassandra.dht.Murmur3Partitioner";

void AppendUtf(std::string* out, std::string_view s) {  // DataOutput.writeUTF
  AppendU16(out, static_cast<uint16_t>(s.size()));
  out->append(s);
}

void AppendDouble(std::string* out, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof(bits));
  AppendU64(out, bits);
}

void AppendVIntString(std::string* out, std::string_view s) {
  AppendUnsignedVInt(out, s.size());
  out->append(s);
}

void AppendCommitLogPositionNone(std::string* out) {  // CommitLogPosition.NONE
  AppendU64(out, static_cast<uint64_t>(-1));
  AppendU32(out, 0);
}

void AppendShortValues(std::string* out, const std::vector<std::string>& v) {
  AppendU32(out, static_cast<uint32_t>(v.size()));
  for (const std::string& s : v) {
    AppendU16(out, static_cast<uint16_t>(s.size()));
    *out += s;
  }
}

// StatsMetadata.serializer for version nb.
Result<std::string> StatsComponent(const StatsCollector& s,
                                   double compression_ratio) {
  std::string out;
  s.partition_sizes.Serialize(&out);
  s.cell_counts.Serialize(&out);
  AppendCommitLogPositionNone(&out);  // commit log upper bound
  AppendU64(&out, static_cast<uint64_t>(s.min_timestamp));
  AppendU64(&out, static_cast<uint64_t>(s.max_timestamp));
  AppendU32(&out, static_cast<uint32_t>(s.min_ldt));
  AppendU32(&out, static_cast<uint32_t>(s.max_ldt));
  AppendU32(&out, static_cast<uint32_t>(s.min_ttl));
  AppendU32(&out, static_cast<uint32_t>(s.max_ttl));
  AppendDouble(&out, compression_ratio);
  SSTFS_RETURN_IF_ERROR(s.tombstones.Serialize(&out));
  AppendU32(&out, 0);  // sstableLevel
  AppendU64(&out, 0);  // repairedAt: unrepaired
  AppendShortValues(&out, s.min_clustering);
  AppendShortValues(&out, s.max_clustering);
  out.push_back(0);  // hasLegacyCounterShards
  AppendU64(&out, static_cast<uint64_t>(s.total_columns_set));
  AppendU64(&out, static_cast<uint64_t>(s.total_rows));
  AppendCommitLogPositionNone(&out);  // commit log lower bound
  AppendU32(&out, 0);                 // commit log intervals: none
  out.push_back(0);                   // no pendingRepair
  out.push_back(0);                   // isTransient
  out.push_back(0);                   // no originatingHostId
  return out;
}

// SerializationHeader.Component serializer.
std::string HeaderComponent(const reader::EncodingStats& stats,
                            const TableSchema& schema) {
  std::string out;
  AppendUnsignedVInt(&out, static_cast<uint64_t>(stats.min_timestamp) -
                               static_cast<uint64_t>(kTimestampEpoch));
  int32_t ldt = static_cast<int32_t>(
      static_cast<uint32_t>(stats.min_local_deletion_time) -
      static_cast<uint32_t>(kDeletionTimeEpoch));
  AppendUnsignedVInt(&out, static_cast<uint64_t>(static_cast<int64_t>(ldt)));
  AppendUnsignedVInt(
      &out, static_cast<uint64_t>(static_cast<int64_t>(stats.min_ttl)));
  AppendVIntString(&out, schema.key_type);
  AppendUnsignedVInt(&out, schema.clustering_types.size());
  for (const std::string& t : schema.clustering_types)
    AppendVIntString(&out, t);
  for (const auto* list : {&schema.statics, &schema.regulars}) {
    AppendUnsignedVInt(&out, list->size());
    for (const reader::HeaderColumn& c : *list) {
      AppendVIntString(&out, c.name);
      AppendVIntString(&out, c.type_name);
    }
  }
  return out;
}

// MetadataSerializer.serialize with nb's checksums: count, CRC, TOC entries,
// CRC of count + entries, then each component followed by its own CRC.
std::string StatisticsFile(const std::vector<std::string>& components) {
  const uint32_t n = static_cast<uint32_t>(components.size());
  std::string toc;
  AppendU32(&toc, n);
  std::string out = toc;
  AppendU32(&out, reader::Crc32(ByteView(toc)));
  uint32_t position = 4 + 8 * n + 2 * 4;
  for (uint32_t type = 0; type < n; ++type) {
    AppendU32(&toc, type);  // VALIDATION, COMPACTION, STATS, HEADER
    AppendU32(&toc, position);
    position += static_cast<uint32_t>(components[type].size()) + 4;
  }
  out.append(toc, 4, std::string::npos);
  AppendU32(&out, reader::Crc32(ByteView(toc)));
  for (const std::string& c : components) {
    out += c;
    AppendU32(&out, reader::Crc32(ByteView(c)));
  }
  return out;
}

// CompressedSequentialWriter with LZ4Compressor: per chunk a 4-byte
// little-endian uncompressed length and an LZ4 block, then the CRC32 of those
// bytes; CompressionMetadata.Writer describes the chunks.
Status CompressLz4(const std::string& data, uint32_t chunk_length,
                   std::string* file, std::string* info, double* ratio) {
  std::vector<uint64_t> offsets;
  uint64_t compressed_total = 0;
  for (size_t off = 0; off < data.size(); off += chunk_length) {
    const int n =
        static_cast<int>(std::min<size_t>(chunk_length, data.size() - off));
    std::string chunk(4 + LZ4_compressBound(n), '\0');
    for (int i = 0; i < 4; ++i) chunk[i] = static_cast<char>(n >> (8 * i));
    int c = LZ4_compress_default(data.data() + off, chunk.data() + 4, n,
                                 static_cast<int>(chunk.size()) - 4);
    if (c <= 0) return Status::IoError("LZ4 compression failed");
    chunk.resize(4 + c);
    offsets.push_back(file->size());
    *file += chunk;
    AppendU32(file, reader::Crc32(ByteView(chunk)));
    compressed_total += chunk.size();
  }
  AppendUtf(info, "LZ4Compressor");
  AppendU32(info, 0);  // no compressor options
  AppendU32(info, chunk_length);
  AppendU32(info, 0x7fffffff);  // maxCompressedLength (min_compress_ratio 0)
  AppendU64(info, data.size());
  AppendU32(info, static_cast<uint32_t>(offsets.size()));
  for (uint64_t o : offsets) AppendU64(info, o);
  *ratio =
      data.empty() ? -1.0 : static_cast<double>(compressed_total) / data.size();
  return Status::Ok();
}

// ChecksumWriter for an uncompressed Data.db: chunk length, then the CRC32 of
// each chunk.
std::string CrcFile(const std::string& data) {
  std::string out;
  AppendU32(&out, kCrcChunkLength);
  for (size_t off = 0; off < data.size(); off += kCrcChunkLength) {
    size_t n = std::min<size_t>(kCrcChunkLength, data.size() - off);
    AppendU32(&out,
              reader::Crc32(
                  0, reinterpret_cast<const uint8_t*>(data.data()) + off, n));
  }
  return out;
}

Status WriteFile(const std::string& path, const std::string& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return Status::FromErrno("open " + path, errno);
  size_t written = std::fwrite(bytes.data(), 1, bytes.size(), f);
  int err = written == bytes.size() ? 0 : errno;
  if (std::fclose(f) != 0 && err == 0) err = errno;
  if (written != bytes.size() || err != 0) {
    return Status::FromErrno("write " + path, err != 0 ? err : EIO);
  }
  return Status::Ok();
}

Status CheckColumnOrder(const std::vector<reader::HeaderColumn>& given,
                        const std::vector<reader::ColumnDef>& sorted) {
  for (size_t i = 0; i < given.size(); ++i) {
    if (given[i].name != sorted[i].name) {
      return Status::InvalidArgument(
          "schema columns must be in Cassandra order (simple before complex, "
          "then by name): expected " +
          sorted[i].name + " at position " + std::to_string(i));
    }
  }
  return Status::Ok();
}

}  // namespace

Status WriteSSTable(const std::string& dir, const TableSchema& schema,
                    std::vector<PartitionData> partitions,
                    const WriteOptions& options) {
  const reader::EncodingStats encoding = CollectEncodingStats(partitions);
  reader::SerializationHeader header;
  header.min_timestamp = encoding.min_timestamp;
  header.min_local_deletion_time = encoding.min_local_deletion_time;
  header.min_ttl = encoding.min_ttl;
  header.key_type = schema.key_type;
  header.clustering_types = schema.clustering_types;
  header.static_columns = schema.statics;
  header.regular_columns = schema.regulars;
  SSTFS_ASSIGN_OR_RETURN(reader::Columns columns,
                         reader::ResolveColumns(header, "schema"));
  SSTFS_RETURN_IF_ERROR(CheckColumnOrder(schema.statics, columns.statics));
  SSTFS_RETURN_IF_ERROR(CheckColumnOrder(schema.regulars, columns.regulars));

  const reader::Partitioner partitioner;  // Murmur3Partitioner
  std::stable_sort(partitions.begin(), partitions.end(),
                   [&](const PartitionData& a, const PartitionData& b) {
                     return partitioner.CompareKeys(ByteView(a.key),
                                                    ByteView(b.key)) < 0;
                   });
  StatsCollector stats;
  DataEncoder encoder(&columns, &stats);
  std::string data, index;
  std::vector<std::string> keys;
  std::vector<uint64_t> index_positions;
  for (size_t i = 0; i < partitions.size(); ++i) {
    const PartitionData& p = partitions[i];
    if (i > 0 && partitions[i - 1].key == p.key) {
      return Status::InvalidArgument("duplicate partition key");
    }
    keys.push_back(p.key);
    index_positions.push_back(index.size());
    // BigTableWriter.IndexWriter.append: key, then RowIndexEntry (position,
    // and 0 for "no promoted index").
    AppendU16(&index, static_cast<uint16_t>(p.key.size()));
    index += p.key;
    AppendUnsignedVInt(&index, data.size());
    AppendUnsignedVInt(&index, 0);
    SSTFS_RETURN_IF_ERROR(encoder.AppendPartition(p, &data));
  }

  std::string data_file, checksum_component;
  double ratio = -1.0;  // MetadataCollector.NO_COMPRESSION_RATIO
  if (options.lz4) {
    SSTFS_RETURN_IF_ERROR(CompressLz4(data, options.chunk_length, &data_file,
                                      &checksum_component, &ratio));
  } else {
    data_file = data;
    checksum_component = CrcFile(data);
  }

  std::string validation;
  AppendUtf(&validation, kPartitioner);
  AppendDouble(&validation, options.bloom_fp_chance);
  std::string compaction;
  SSTFS_ASSIGN_OR_RETURN(std::string hll, stats.cardinality.Serialize());
  AppendU32(&compaction, static_cast<uint32_t>(hll.size()));
  compaction += hll;
  SSTFS_ASSIGN_OR_RETURN(std::string stats_component,
                         StatsComponent(stats, ratio));
  const std::string statistics =
      StatisticsFile({validation, compaction, stats_component,
                      HeaderComponent(encoding, schema)});
  SSTFS_ASSIGN_OR_RETURN(std::string filter,
                         BuildBloomFilter(keys, options.bloom_fp_chance));
  const std::string summary = BuildIndexSummary(keys, index_positions);
  const std::string digest = std::to_string(reader::Crc32(ByteView(data_file)));

  const std::string checksum_name =
      options.lz4 ? "CompressionInfo.db" : "CRC.db";
  // TOC.txt: the order Cassandra's (hash set) happened to write for the nb
  // corpus sstables.
  const std::vector<std::pair<std::string, const std::string*>> files = {
      {checksum_name, &checksum_component},
      {"Index.db", &index},
      {"TOC.txt", nullptr},
      {"Filter.db", &filter},
      {"Summary.db", &summary},
      {"Statistics.db", &statistics},
      {"Digest.crc32", &digest},
      {"Data.db", &data_file},
  };
  const std::string prefix =
      dir + "/nb-" + std::to_string(options.generation) + "-big-";
  std::string toc;
  for (const auto& [name, bytes] : files) {
    toc += name + "\n";
    if (bytes != nullptr)
      SSTFS_RETURN_IF_ERROR(WriteFile(prefix + name, *bytes));
  }
  return WriteFile(prefix + "TOC.txt", toc);
}

}  // namespace sstablefs::tools
