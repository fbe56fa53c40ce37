#include "reader/statistics.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "reader/byte_reader.h"
#include "reader/crc32.h"

namespace sstablefs::reader {
namespace {

constexpr int32_t kNumKnownTypes = 4;
constexpr size_t kChecksumLength = 4;  // CRC32, big-endian int

// Which optional pieces a Statistics.db carries. Derived from the version
// predicates, except for the legacy BTI files (see DecodeStatistics).
struct Layout {
  bool checksummed = false;
  bool commit_log_lower_bound = false;
  bool commit_log_intervals = false;
  bool accurate_min_max = false;
  bool pending_repair = false;
  bool is_transient = false;
  // Pre-release `na` files (Cassandra trunk of 2017, before transient
  // replication) end the checksummed STATS component right after
  // pendingRepair. The checksum bounds the component exactly, so a missing
  // isTransient byte is recognised, not guessed.
  bool is_transient_may_be_absent = false;
  bool originating_host_id = false;
};

Layout LayoutFor(const Version& v) {
  Layout l;
  l.checksummed = HasMetadataChecksum(v);
  l.commit_log_lower_bound = HasCommitLogLowerBound(v);
  l.commit_log_intervals = HasCommitLogIntervals(v);
  l.accurate_min_max = HasAccurateMinMax(v);
  l.pending_repair = HasPendingRepair(v);
  l.is_transient = HasIsTransient(v);
  l.is_transient_may_be_absent = v.str() == "na";
  l.originating_host_id = HasOriginatingHostId(v);
  return l;
}

std::string Hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

std::string TypeName(int32_t type) {
  switch (type) {
    case 0:
      return "VALIDATION";
    case 1:
      return "COMPACTION";
    case 2:
      return "STATS";
    case 3:
      return "HEADER";
    default:
      return "type " + std::to_string(type);
  }
}

// Bounds-checked field reads that turn a short read into a Corruption status
// naming the file, the absolute offset, the component and the field.
class FieldReader {
 public:
  FieldReader(ByteView view, uint64_t base, const std::string& path,
              std::string component)
      : r_(view, base), path_(path), component_(std::move(component)) {}

  Status Error(std::string_view reason) const {
    return Status::Corruption(path_, r_.offset(),
                              component_ + ": " + std::string(reason));
  }
  Status Truncated(std::string_view what) const {
    return Error("truncated reading " + std::string(what));
  }

  Status I32(std::string_view what, int32_t* v) {
    return r_.ReadI32(v) ? Status() : Truncated(what);
  }
  Status I64(std::string_view what, int64_t* v) {
    return r_.ReadI64(v) ? Status() : Truncated(what);
  }
  Status F64(std::string_view what, double* v) {
    return r_.ReadF64(v) ? Status() : Truncated(what);
  }
  Status Bool(std::string_view what, bool* v) {
    return r_.ReadBool(v) ? Status() : Truncated(what);
  }
  Status U8(std::string_view what, uint8_t* v) {
    return r_.ReadU8(v) ? Status() : Truncated(what);
  }
  Status UVInt(std::string_view what, uint64_t* v) {
    return r_.ReadUnsignedVInt(v) ? Status() : Truncated(what);
  }
  Status Utf(std::string_view what, std::string* v) {
    return r_.ReadUTF(v) ? Status() : Truncated(what);
  }
  Status VIntBytes(std::string_view what, std::string* v) {
    ByteView b;
    if (!r_.ReadVIntLengthBytes(&b)) return Truncated(what);
    *v = b.ToString();
    return Status();
  }
  Status ShortBytes(std::string_view what, std::string* v) {
    ByteView b;
    if (!r_.ReadShortLengthBytes(&b)) return Truncated(what);
    *v = b.ToString();
    return Status();
  }
  Status IntBytes(std::string_view what, std::string* v) {
    ByteView b;
    if (!r_.ReadIntLengthBytes(&b)) return Truncated(what);
    *v = b.ToString();
    return Status();
  }
  // A count read from disk: must be >= 0 and its elements (at least
  // `min_element_size` bytes each) must fit in what remains.
  Status Count(std::string_view what, size_t min_element_size, int32_t* n) {
    SSTFS_RETURN_IF_ERROR(I32(what, n));
    if (*n < 0 ||
        static_cast<uint64_t>(*n) * min_element_size > r_.remaining()) {
      return Error("implausible " + std::string(what) + " " +
                   std::to_string(*n) + " (" + std::to_string(r_.remaining()) +
                   " bytes remain)");
    }
    return Status();
  }
  // An unsigned vint count, same rule as Count().
  Status VCount(std::string_view what, size_t min_element_size, uint64_t* n) {
    SSTFS_RETURN_IF_ERROR(UVInt(what, n));
    if (*n > r_.remaining() / std::max<size_t>(min_element_size, 1)) {
      return Error("implausible " + std::string(what) + " " +
                   std::to_string(*n) + " (" + std::to_string(r_.remaining()) +
                   " bytes remain)");
    }
    return Status();
  }
  ByteReader& reader() { return r_; }

 private:
  ByteReader r_;
  const std::string& path_;
  std::string component_;
};

std::string UuidText(ByteView b) {
  std::string hex = b.ToHex();  // 32 digits
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) +
         "-" + hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

Status ReadOptionalUuid(FieldReader& f, std::string_view what,
                        std::optional<std::string>* out) {
  uint8_t present;
  SSTFS_RETURN_IF_ERROR(f.U8(what, &present));
  if (present == 0) return Status();
  ByteView b;
  if (!f.reader().ReadBytes(16, &b)) return f.Truncated(what);
  *out = UuidText(b);
  return Status();
}

// EstimatedHistogram.EstimatedHistogramSerializer.
Status ReadHistogram(FieldReader& f, std::string_view what, Histogram* h) {
  int32_t size;
  SSTFS_RETURN_IF_ERROR(f.Count(what, 16, &size));
  if (size == 0) return Status();
  h->offsets.resize(static_cast<size_t>(size) - 1);
  h->counts.resize(static_cast<size_t>(size));
  for (int32_t i = 0; i < size; ++i) {
    int64_t offset;
    SSTFS_RETURN_IF_ERROR(f.I64(what, &offset));
    // Entry 0 repeats offsets[0] (Java writes offsets[i == 0 ? 0 : i - 1]);
    // entry i > 0 carries the bound of bucket i - 1.
    if (i > 0) h->offsets[static_cast<size_t>(i) - 1] = offset;
    SSTFS_RETURN_IF_ERROR(f.I64(what, &h->counts[i]));
  }
  return Status();
}

Status ReadCommitLogPosition(FieldReader& f, std::string_view what,
                             CommitLogPosition* p) {
  SSTFS_RETURN_IF_ERROR(f.I64(what, &p->segment_id));
  return f.I32(what, &p->position);
}

std::string PositionText(const CommitLogPosition& p) {
  // Built by appends: GCC 12 at -O3 reports a false -Wrestrict on the
  // operator+ chain.
  std::string text("(");
  text.append(std::to_string(p.segment_id));
  text.push_back(':');
  text.append(std::to_string(p.position));
  text.push_back(')');
  return text;
}

Status ReadClusteringValues(FieldReader& f, std::string_view what,
                            std::vector<std::string>* out) {
  int32_t n;
  SSTFS_RETURN_IF_ERROR(f.Count(what, 2, &n));
  out->resize(static_cast<size_t>(n));
  for (auto& v : *out) SSTFS_RETURN_IF_ERROR(f.ShortBytes(what, &v));
  return Status();
}

// ValidationMetadata.ValidationMetadataSerializer.
Status DecodeValidation(FieldReader& f, ValidationMetadata* v) {
  SSTFS_RETURN_IF_ERROR(f.Utf("partitioner", &v->partitioner));
  return f.F64("bloomFilterFPChance", &v->bloom_filter_fp_chance);
}

// CompactionMetadata.CompactionMetadataSerializer (no ancestors since ma).
Status DecodeCompaction(FieldReader& f, CompactionMetadata* c) {
  return f.IntBytes("cardinality estimator", &c->cardinality_estimator);
}

// The part of StatsMetadataSerializer.deserialize up to the clustering bounds.
Status DecodeStatsHead(FieldReader& f, StatsMetadata* s) {
  SSTFS_RETURN_IF_ERROR(
      ReadHistogram(f, "estimatedPartitionSize", &s->partition_sizes));
  SSTFS_RETURN_IF_ERROR(
      ReadHistogram(f, "estimatedCellPerPartitionCount", &s->column_counts));
  SSTFS_RETURN_IF_ERROR(ReadCommitLogPosition(f, "commitLogUpperBound",
                                              &s->commit_log_upper_bound));
  SSTFS_RETURN_IF_ERROR(f.I64("minTimestamp", &s->min_timestamp));
  SSTFS_RETURN_IF_ERROR(f.I64("maxTimestamp", &s->max_timestamp));
  SSTFS_RETURN_IF_ERROR(
      f.I32("minLocalDeletionTime", &s->min_local_deletion_time));
  SSTFS_RETURN_IF_ERROR(
      f.I32("maxLocalDeletionTime", &s->max_local_deletion_time));
  SSTFS_RETURN_IF_ERROR(f.I32("minTTL", &s->min_ttl));
  SSTFS_RETURN_IF_ERROR(f.I32("maxTTL", &s->max_ttl));
  SSTFS_RETURN_IF_ERROR(f.F64("compressionRatio", &s->compression_ratio));
  TombstoneHistogram& th = s->tombstone_histogram;
  SSTFS_RETURN_IF_ERROR(
      f.I32("tombstone histogram max bin size", &th.max_bin_size));
  int32_t bins;
  SSTFS_RETURN_IF_ERROR(f.Count("tombstone histogram size", 16, &bins));
  th.bins.resize(static_cast<size_t>(bins));
  for (auto& [point, count] : th.bins) {
    SSTFS_RETURN_IF_ERROR(f.F64("tombstone histogram point", &point));
    SSTFS_RETURN_IF_ERROR(f.I64("tombstone histogram count", &count));
  }
  SSTFS_RETURN_IF_ERROR(f.I32("sstableLevel", &s->sstable_level));
  return f.I64("repairedAt", &s->repaired_at);
}

// StatsMetadata.StatsMetadataSerializer for ma..nb (hasLegacyMinMax, no
// improved min/max, key range, uint deletion times or token coverage).
Status DecodeStats(FieldReader& f, const Layout& l, StatsMetadata* s,
                   std::vector<std::string>* notes) {
  SSTFS_RETURN_IF_ERROR(DecodeStatsHead(f, s));
  SSTFS_RETURN_IF_ERROR(ReadClusteringValues(f, "minClusteringValues",
                                             &s->min_clustering_values));
  SSTFS_RETURN_IF_ERROR(ReadClusteringValues(f, "maxClusteringValues",
                                             &s->max_clustering_values));
  s->accurate_min_max = l.accurate_min_max;
  SSTFS_RETURN_IF_ERROR(
      f.Bool("hasLegacyCounterShards", &s->has_legacy_counter_shards));
  SSTFS_RETURN_IF_ERROR(f.I64("totalColumnsSet", &s->total_columns_set));
  SSTFS_RETURN_IF_ERROR(f.I64("totalRows", &s->total_rows));
  if (l.commit_log_lower_bound) {
    CommitLogPosition lower;
    SSTFS_RETURN_IF_ERROR(
        ReadCommitLogPosition(f, "commitLogLowerBound", &lower));
    s->commit_log_lower_bound = lower;
  }
  if (l.commit_log_intervals) {
    int32_t n;
    SSTFS_RETURN_IF_ERROR(f.Count("commitLogIntervals count", 24, &n));
    s->commit_log_intervals.resize(static_cast<size_t>(n));
    for (auto& [start, end] : s->commit_log_intervals) {
      SSTFS_RETURN_IF_ERROR(
          ReadCommitLogPosition(f, "commitLogIntervals", &start));
      SSTFS_RETURN_IF_ERROR(
          ReadCommitLogPosition(f, "commitLogIntervals", &end));
    }
  } else {
    // Cassandra builds IntervalSet(lowerBound or NONE, upperBound).
    s->commit_log_intervals.emplace_back(
        s->commit_log_lower_bound.value_or(CommitLogPosition{-1, 0}),
        s->commit_log_upper_bound);
  }
  std::string text = "[";
  for (const auto& [start, end] : s->commit_log_intervals) {
    if (text.size() > 1) text += ", ";
    text += PositionText(start) + "-" + PositionText(end);
  }
  s->commit_log_intervals_text = text + "]";
  if (l.pending_repair) {
    SSTFS_RETURN_IF_ERROR(
        ReadOptionalUuid(f, "pendingRepair", &s->pending_repair));
  }
  if (l.is_transient) {
    if (l.is_transient_may_be_absent && l.checksummed && f.reader().AtEnd()) {
      notes->push_back(
          "STATS component has no isTransient field (pre-release na layout)");
    } else {
      SSTFS_RETURN_IF_ERROR(f.Bool("isTransient", &s->is_transient));
    }
  }
  if (l.originating_host_id) {
    SSTFS_RETURN_IF_ERROR(
        ReadOptionalUuid(f, "originatingHostId", &s->originating_host_id));
  }
  return Status();
}

Status ReadColumns(FieldReader& f, std::string_view what,
                   std::vector<HeaderColumn>* out) {
  uint64_t n;
  // Each column needs at least a name length and a type length byte.
  SSTFS_RETURN_IF_ERROR(f.VCount(what, 2, &n));
  out->resize(static_cast<size_t>(n));
  for (HeaderColumn& c : *out) {
    SSTFS_RETURN_IF_ERROR(f.VIntBytes("column name", &c.name));
    SSTFS_RETURN_IF_ERROR(f.VIntBytes("column type", &c.type_name));
  }
  return Status();
}

// SerializationHeader.Serializer.deserialize (EncodingStats first).
Status DecodeHeader(FieldReader& f, SerializationHeader* h) {
  uint64_t ts, ldt, ttl;
  SSTFS_RETURN_IF_ERROR(f.UVInt("EncodingStats minTimestamp", &ts));
  SSTFS_RETURN_IF_ERROR(f.UVInt("EncodingStats minLocalDeletionTime", &ldt));
  SSTFS_RETURN_IF_ERROR(f.UVInt("EncodingStats minTTL", &ttl));
  // Java: readUnsignedVInt() + EPOCH in long resp. (int) arithmetic, which
  // wraps; do the same in unsigned arithmetic to stay defined.
  h->min_timestamp =
      static_cast<int64_t>(ts + static_cast<uint64_t>(kEncodingTimestampEpoch));
  h->min_local_deletion_time =
      static_cast<int32_t>(static_cast<uint32_t>(ldt) +
                           static_cast<uint32_t>(kEncodingDeletionTimeEpoch));
  h->min_ttl = static_cast<int32_t>(static_cast<uint32_t>(ttl) +
                                    static_cast<uint32_t>(kEncodingTtlEpoch));
  SSTFS_RETURN_IF_ERROR(f.VIntBytes("key type", &h->key_type));
  uint64_t n;
  SSTFS_RETURN_IF_ERROR(f.VCount("clustering type count", 1, &n));
  h->clustering_types.resize(static_cast<size_t>(n));
  for (auto& t : h->clustering_types) {
    SSTFS_RETURN_IF_ERROR(f.VIntBytes("clustering type", &t));
  }
  SSTFS_RETURN_IF_ERROR(
      ReadColumns(f, "static column count", &h->static_columns));
  return ReadColumns(f, "regular column count", &h->regular_columns);
}

// Reads the component count and TOC, verifying their CRCs when checksummed.
// On success `*toc` holds the entries with offsets; lengths are filled later.
Status ReadToc(ByteView file, const Layout& l, const std::string& path,
               std::vector<MetadataTocEntry>* toc, size_t* entries_at,
               size_t* toc_end) {
  FieldReader f(file, 0, path, "metadata TOC");
  int32_t count;
  SSTFS_RETURN_IF_ERROR(f.I32("component count", &count));
  uint32_t crc = Crc32(0, file.data(), 4);
  if (l.checksummed) {
    uint32_t stored;
    if (!f.reader().ReadU32(&stored)) return f.Truncated("count checksum");
    if (stored != crc) {
      return Status::Corruption(
          path, 4,
          "metadata TOC: component count checksum mismatch (stored " +
              Hex32(stored) + ", computed " + Hex32(crc) + ")");
    }
  }
  if (count <= 0 || count > 64 ||
      static_cast<size_t>(count) * 8 > f.reader().remaining()) {
    return Status::Corruption(
        path, 0,
        "metadata TOC: implausible component count " + std::to_string(count));
  }
  *entries_at = f.reader().position();
  toc->resize(static_cast<size_t>(count));
  for (MetadataTocEntry& e : *toc) {
    int32_t offset;
    SSTFS_RETURN_IF_ERROR(f.I32("component type", &e.type));
    SSTFS_RETURN_IF_ERROR(f.I32("component offset", &offset));
    e.offset = static_cast<uint32_t>(offset);
    if (offset < 0) return f.Error("negative component offset");
  }
  if (l.checksummed) {
    crc = Crc32(crc, file.data() + *entries_at, static_cast<size_t>(count) * 8);
    const uint64_t at = f.reader().offset();
    uint32_t stored;
    if (!f.reader().ReadU32(&stored)) return f.Truncated("TOC checksum");
    if (stored != crc) {
      return Status::Corruption(path, at,
                                "metadata TOC: checksum mismatch (stored " +
                                    Hex32(stored) + ", computed " + Hex32(crc) +
                                    ")");
    }
  }
  *toc_end = f.reader().position();
  return Status();
}

// Each component extends to the next offset (in offset order) or the end of
// the file. Offsets must lie between the TOC and the end, and be distinct.
// Errors name the offset of the TOC entry's offset field.
Status ComputeExtents(ByteView file, size_t entries_at, size_t toc_end,
                      const std::string& path,
                      std::vector<MetadataTocEntry>* toc) {
  std::vector<uint32_t> starts;
  for (size_t i = 0; i < toc->size(); ++i) {
    const MetadataTocEntry& e = (*toc)[i];
    if (e.offset < toc_end || e.offset > file.size()) {
      return Status::Corruption(path, entries_at + 8 * i + 4,
                                "metadata TOC: " + TypeName(e.type) +
                                    " offset " + std::to_string(e.offset) +
                                    " outside the components area [" +
                                    std::to_string(toc_end) + ", " +
                                    std::to_string(file.size()) + "]");
    }
    starts.push_back(e.offset);
  }
  std::sort(starts.begin(), starts.end());
  if (std::adjacent_find(starts.begin(), starts.end()) != starts.end()) {
    return Status::Corruption(path, entries_at,
                              "metadata TOC: two components share an offset");
  }
  for (MetadataTocEntry& e : *toc) {
    auto next = std::upper_bound(starts.begin(), starts.end(), e.offset);
    uint64_t end = next == starts.end() ? file.size() : *next;
    e.length = static_cast<uint32_t>(end - e.offset);
  }
  return Status();
}

Status DecodeComponent(ByteView body, uint64_t base, const MetadataTocEntry& e,
                       const Layout& l, const std::string& path,
                       Statistics* out) {
  FieldReader f(body, base, path, TypeName(e.type) + " component");
  switch (static_cast<MetadataType>(e.type)) {
    case MetadataType::kValidation:
      SSTFS_RETURN_IF_ERROR(DecodeValidation(f, &out->validation.emplace()));
      break;
    case MetadataType::kCompaction:
      SSTFS_RETURN_IF_ERROR(DecodeCompaction(f, &out->compaction.emplace()));
      break;
    case MetadataType::kStats:
      SSTFS_RETURN_IF_ERROR(
          DecodeStats(f, l, &out->stats.emplace(), &out->notes));
      break;
    case MetadataType::kHeader:
      SSTFS_RETURN_IF_ERROR(DecodeHeader(f, &out->header.emplace()));
      break;
  }
  // Cassandra ignores bytes a component does not use; so do we, but say so.
  if (!f.reader().AtEnd()) {
    out->notes.push_back(TypeName(e.type) + " component: " +
                         std::to_string(f.reader().remaining()) +
                         " unused trailing bytes at offset " +
                         std::to_string(f.reader().offset()));
  }
  return Status();
}

Result<Statistics> Decode(ByteView file, const Layout& l,
                          const std::string& path) {
  Statistics out;
  out.checksummed = l.checksummed;
  size_t entries_at = 0, toc_end = 0;
  SSTFS_RETURN_IF_ERROR(
      ReadToc(file, l, path, &out.toc, &entries_at, &toc_end));
  SSTFS_RETURN_IF_ERROR(
      ComputeExtents(file, entries_at, toc_end, path, &out.toc));
  bool seen[kNumKnownTypes] = {};
  for (const MetadataTocEntry& e : out.toc) {
    if (e.type < 0 || e.type >= kNumKnownTypes) {
      out.unknown_components.push_back(e.type);
      continue;
    }
    if (seen[e.type]) {
      return Status::Corruption(
          path, e.offset,
          "metadata TOC: " + TypeName(e.type) + " component listed twice");
    }
    seen[e.type] = true;
    ByteView body = file.substr(e.offset, e.length);
    if (l.checksummed) {
      if (body.size() < kChecksumLength) {
        return Status::Corruption(
            path, e.offset,
            TypeName(e.type) + " component: shorter than its checksum");
      }
      body = body.substr(0, body.size() - kChecksumLength);
      ByteReader crc_reader(file.substr(e.offset + body.size(), 4));
      uint32_t stored = 0;
      (void)crc_reader.ReadU32(&stored);
      const uint32_t computed = Crc32(body);
      if (stored != computed) {
        return Status::Corruption(
            path, e.offset + body.size(),
            TypeName(e.type) + " component: checksum mismatch (stored " +
                Hex32(stored) + ", computed " + Hex32(computed) + ")");
      }
    }
    SSTFS_RETURN_IF_ERROR(DecodeComponent(body, e.offset, e, l, path, &out));
  }
  return out;
}

}  // namespace

Result<Statistics> DecodeStatistics(ByteView file, Version version,
                                    const std::string& path) {
  return DecodeStatistics(file, version, "big", path);
}

Result<Statistics> DecodeStatistics(ByteView file, Version version,
                                    std::string_view format,
                                    const std::string& path) {
  if (!IsSupportedBigVersion(version)) {
    return Status::Unsupported(path + ": Statistics.db of version '" +
                               version.str() + "' is not supported");
  }
  Layout layout = LayoutFor(version);
  if (format == "bti") {
    // The only BTI files of an m*/n* version are the pre-release `na-*-bti`
    // ones in Cassandra's legacy test data; they were written with the md
    // metadata layout (no checksums, no repair/transient/host id fields).
    layout = LayoutFor(Version("md"));
  } else if (format != "big") {
    return Status::Unsupported(path + ": Statistics.db of format '" +
                               std::string(format) + "' is not supported");
  }
  return Decode(file, layout, path);
}

}  // namespace sstablefs::reader
