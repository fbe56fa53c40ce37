#include "writer/statistics_writer.h"

#include <cstring>

#include "reader/byte_reader.h"
#include "reader/crc32.h"

namespace sstablefs::writer {

using reader::AppendU16;
using reader::AppendU32;
using reader::AppendU64;
using reader::AppendUnsignedVInt;
using reader::ByteView;
using reader::Result;
using reader::Version;

namespace {

void AppendUtf(std::string* out, std::string_view s) {  // writeUTF
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

}  // namespace

std::string ValidationComponent(std::string_view partitioner_class,
                                double bloom_fp_chance) {
  std::string out;
  AppendUtf(&out, partitioner_class);
  AppendDouble(&out, bloom_fp_chance);
  return out;
}

Result<std::string> CompactionComponent(const StatsCollector& s) {
  SSTFS_ASSIGN_OR_RETURN(std::string hll, s.cardinality.Serialize());
  std::string out;
  AppendU32(&out, static_cast<uint32_t>(hll.size()));
  out += hll;
  return out;
}

Result<std::string> StatsComponent(const StatsCollector& s,
                                   double compression_ratio,
                                   const Version& version) {
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
  if (reader::HasCommitLogLowerBound(version)) {
    AppendCommitLogPositionNone(&out);
  }
  if (reader::HasCommitLogIntervals(version)) {
    AppendU32(&out, 0);  // no commit log intervals
  }
  if (reader::HasPendingRepair(version)) out.push_back(0);  // none
  if (reader::HasIsTransient(version)) out.push_back(0);
  if (reader::HasOriginatingHostId(version)) out.push_back(0);  // none
  return out;
}

std::string HeaderComponent(const reader::EncodingStats& stats,
                            const WriterSchema& schema) {
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
  for (const std::string& t : schema.clustering_types) {
    AppendVIntString(&out, t);
  }
  for (const auto* list : {&schema.statics, &schema.regulars}) {
    AppendUnsignedVInt(&out, list->size());
    for (const reader::HeaderColumn& c : *list) {
      AppendVIntString(&out, c.name);
      AppendVIntString(&out, c.type_name);
    }
  }
  return out;
}

std::string StatisticsFile(const std::vector<std::string>& components,
                           const Version& version) {
  const bool checksummed = reader::HasMetadataChecksum(version);
  const uint32_t n = static_cast<uint32_t>(components.size());
  std::string toc;
  AppendU32(&toc, n);
  std::string out = toc;
  if (checksummed) AppendU32(&out, reader::Crc32(ByteView(toc)));
  uint32_t position = 4 + 8 * n + (checksummed ? 2 * 4 : 0);
  for (uint32_t type = 0; type < n; ++type) {
    AppendU32(&toc, type);  // VALIDATION, COMPACTION, STATS, HEADER
    AppendU32(&toc, position);
    position +=
        static_cast<uint32_t>(components[type].size()) + (checksummed ? 4 : 0);
  }
  out.append(toc, 4, std::string::npos);
  if (checksummed) AppendU32(&out, reader::Crc32(ByteView(toc)));
  for (const std::string& c : components) {
    out += c;
    if (checksummed) AppendU32(&out, reader::Crc32(ByteView(c)));
  }
  return out;
}

}  // namespace sstablefs::writer
