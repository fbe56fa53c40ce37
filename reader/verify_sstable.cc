// Per-SSTable verification: completeness, Statistics.db, and one streaming
// pass over Data.db that checks the whole-file digest and every chunk
// checksum together (so `verify --quick` reads each byte once). The decoding
// checks live in verify_structure.cc.
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "reader/byte_reader.h"
#include "reader/columns.h"
#include "reader/compression_info.h"
#include "reader/compressor.h"
#include "reader/crc32.h"
#include "reader/file_util.h"
#include "reader/partitioner.h"
#include "reader/sstable.h"
#include "reader/statistics.h"
#include "reader/toc.h"
#include "reader/verifier.h"
#include "reader/verify_internal.h"
#include "reader/verify_scan.h"

namespace sstablefs::reader {
namespace {

// Limits for components read whole (as reader/sstable.cc uses).
constexpr size_t kMaxTocBytes = 64 * 1024;
constexpr size_t kMaxStatisticsBytes = 64 * 1024 * 1024;
constexpr size_t kMaxCompressionInfoBytes = 1024 * 1024 * 1024;
constexpr size_t kMaxDigestBytes = 256;
// Streaming block for components only checked for readability.
constexpr size_t kReadBlock = 1 << 20;

// Components that every readable "big" SSTable has, TOC or not.
constexpr std::string_view kRequiredComponents[] = {"Data.db", "Statistics.db",
                                                    "Index.db"};

// Component name -> size of the files in the SSTable's folder with its
// prefix.
std::map<std::string, uint64_t> PresentComponents(const Descriptor& d) {
  std::map<std::string, uint64_t> out;
  const std::string prefix = d.prefix() + "-";
  // ListFolderEntries: no atime change of the SSTable's folder.
  Result<std::vector<FolderEntry>> entries = ListFolderEntries(d.directory);
  if (!entries.ok()) return out;
  for (const FolderEntry& e : *entries) {
    const std::string& name = e.name;
    if (!e.is_file || name.size() <= prefix.size() ||
        name.compare(0, prefix.size(), prefix) != 0) {
      continue;
    }
    struct stat st;
    const std::string path = d.directory + "/" + name;
    out[name.substr(prefix.size())] =
        ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  }
  return out;
}

// Reads a file through in bounded blocks: proves every byte can be read.
Status ReadThrough(const std::string& path, VerifyContext& ctx) {
  SSTFS_ASSIGN_OR_RETURN(auto file, RandomAccessFile::Open(path));
  std::vector<uint8_t> buf(std::min<uint64_t>(kReadBlock, file->size()) + 1);
  for (uint64_t pos = 0; pos < file->size();) {
    size_t want =
        static_cast<size_t>(std::min<uint64_t>(buf.size(), file->size() - pos));
    SSTFS_RETURN_IF_ERROR(file->ReadExactAt(pos, want, buf.data()));
    pos += want;
  }
  return Status::Ok();
}

// Components read (and so proven readable) by later passes.
bool ReadByLaterPass(std::string_view c) {
  return c == "Data.db" || c == "Statistics.db" || c == "CompressionInfo.db" ||
         c == "CRC.db" || c == "Digest.crc32" || c == "TOC.txt";
}

void CheckCompleteness(VerifyContext& ctx,
                       const std::map<std::string, uint64_t>& present) {
  const Descriptor& d = ctx.descriptor();
  const std::string toc_path = ComponentPathOf(d, "TOC.txt");
  std::vector<std::string> toc;
  bool have_toc = false;
  if (present.count("TOC.txt") == 0) {
    ctx.Add(Severity::kWarning, kCheckCompleteness, "TOC.txt", std::nullopt,
            "missing (components found by file name)");
  } else {
    Result<std::string> bytes = ReadSmallFile(toc_path, kMaxTocBytes);
    if (!bytes.ok()) {
      ctx.AddStatus(Severity::kError, kCheckCompleteness, "TOC.txt",
                    bytes.status());
    } else {
      Result<std::vector<std::string>> parsed =
          ParseToc(ByteView(*bytes), toc_path);
      if (!parsed.ok()) {
        ctx.AddStatus(Severity::kError, kCheckCompleteness, "TOC.txt",
                      parsed.status());
      } else {
        toc = std::move(parsed).value();
        have_toc = true;
      }
    }
  }
  std::set<std::string> listed;
  for (const std::string& c : toc) {
    if (!listed.insert(c).second) {
      ctx.Add(Severity::kWarning, kCheckCompleteness, "TOC.txt", std::nullopt,
              c + " is listed twice");
      continue;
    }
    if (!IsKnownComponent(c)) {
      ctx.Add(Severity::kWarning, kCheckCompleteness, "TOC.txt", std::nullopt,
              "lists '" + c + "', which is not a known component");
    }
    if (present.count(c) != 0) continue;
    if (c == "Summary.db") {
      // A cache of Index.db: Cassandra rebuilds a missing one on load.
      ctx.Add(Severity::kWarning, kCheckCompleteness, c, std::nullopt,
              "listed in TOC.txt but missing (Cassandra rebuilds it from "
              "Index.db)");
    } else {
      ctx.Add(Severity::kError, kCheckCompleteness, c, std::nullopt,
              "listed in TOC.txt but missing");
    }
  }
  if (have_toc) {
    for (const auto& [c, size] : present) {
      if (listed.count(c) == 0 && c != "TOC.txt") {
        ctx.Add(Severity::kWarning, kCheckCompleteness, c, std::nullopt,
                "present but not listed in TOC.txt");
      }
    }
  }
  // Without these nothing can read the SSTable, listed or not (a TOC that
  // leaves them out is itself damaged). BTI and pre-3.0 formats have other
  // index components: only Data.db is required of them.
  for (std::string_view c : kRequiredComponents) {
    if (!d.IsReadable() && c != "Data.db") continue;
    if (present.count(std::string(c)) == 0 &&
        listed.count(std::string(c)) == 0) {
      ctx.Add(Severity::kError, kCheckCompleteness, c, std::nullopt,
              "missing (every SSTable needs it)");
    }
  }
  // Readability of the components no later pass reads whole.
  for (const auto& [c, size] : present) {
    if (ReadByLaterPass(c) && d.IsReadable()) continue;
    Status s = ReadThrough(ComponentPathOf(d, c), ctx);
    if (!s.ok()) ctx.AddStatus(Severity::kError, kCheckCompleteness, c, s);
    ctx.Progress(size);
  }
  ctx.Ran(
      kCheckCompleteness,
      std::to_string(present.size()) + " component files" +
          (have_toc ? ", " + std::to_string(toc.size()) + " listed in TOC.txt"
                    : ""));
}

// The AbstractType classes of org.apache.cassandra.db.marshal (3.0-5.0).
const std::set<std::string_view> kMarshalClasses = {"AsciiType",
                                                    "BooleanType",
                                                    "BytesType",
                                                    "ByteType",
                                                    "CounterColumnType",
                                                    "DateType",
                                                    "DecimalType",
                                                    "DoubleType",
                                                    "DurationType",
                                                    "EmptyType",
                                                    "FloatType",
                                                    "InetAddressType",
                                                    "Int32Type",
                                                    "IntegerType",
                                                    "LexicalUUIDType",
                                                    "LongType",
                                                    "ShortType",
                                                    "SimpleDateType",
                                                    "TimeType",
                                                    "TimestampType",
                                                    "TimeUUIDType",
                                                    "UTF8Type",
                                                    "UUIDType",
                                                    "FrozenType",
                                                    "ReversedType",
                                                    "ListType",
                                                    "SetType",
                                                    "MapType",
                                                    "TupleType",
                                                    "CompositeType",
                                                    "DynamicCompositeType",
                                                    "UserType",
                                                    "VectorType",
                                                    "ColumnToCollectionType",
                                                    "PartitionerDefinedOrder",
                                                    "LocalByPartionerType"};

// Cassandra loads a type by its class name: a dotted name that is not one of
// the marshal classes (a damaged package or class name) cannot be loaded.
// Returns the first such name in an AbstractType string, or "".
std::string ForeignClassName(std::string_view type) {
  static constexpr std::string_view kPackage =
      "org.apache.cassandra.db.marshal.";
  size_t i = 0;
  while (i < type.size()) {
    size_t j = i;
    while (j < type.size() &&
           (std::isalnum(static_cast<unsigned char>(type[j])) ||
            type[j] == '_' || type[j] == '.' || type[j] == '$')) {
      ++j;
    }
    std::string_view word = type.substr(i, j - i);
    if (word.find('.') != std::string_view::npos &&
        (word.substr(0, kPackage.size()) != kPackage ||
         kMarshalClasses.count(word.substr(kPackage.size())) == 0)) {
      return std::string(word);
    }
    i = j == i ? i + 1 : j;
  }
  return "";
}

void CheckTypeNames(VerifyContext& ctx, const SerializationHeader& h) {
  std::vector<std::string_view> types = {h.key_type};
  for (const std::string& t : h.clustering_types) types.push_back(t);
  for (const auto* list : {&h.static_columns, &h.regular_columns}) {
    for (const HeaderColumn& c : *list) types.push_back(c.type_name);
  }
  for (std::string_view t : types) {
    std::string bad = ForeignClassName(t);
    if (!bad.empty()) {
      ctx.Add(Severity::kError, kCheckStatistics, "Statistics.db", std::nullopt,
              "serialization header names type class '" + bad +
                  "', which is not in org.apache.cassandra.db.marshal");
      return;
    }
  }
}

// Decodes Statistics.db and checks the header. Returns the statistics when
// they can be used by later passes.
std::optional<Statistics> CheckStatistics(VerifyContext& ctx, bool present) {
  const Descriptor& d = ctx.descriptor();
  if (!present) {
    ctx.Skipped(kCheckStatistics, "Statistics.db is missing");
    return std::nullopt;
  }
  const std::string path = ComponentPathOf(d, "Statistics.db");
  Result<std::string> bytes = ReadSmallFile(path, kMaxStatisticsBytes);
  if (!bytes.ok()) {
    ctx.AddStatus(Severity::kError, kCheckStatistics, "Statistics.db",
                  bytes.status());
    return std::nullopt;
  }
  ctx.Progress(bytes->size());
  Result<Statistics> stats =
      DecodeStatistics(ByteView(*bytes), d.version, d.format, path);
  if (!stats.ok()) {
    ctx.AddStatus(Severity::kError, kCheckStatistics, "Statistics.db",
                  stats.status());
    return std::nullopt;
  }
  bool usable = true;
  if (!stats->header) {
    ctx.Add(Severity::kError, kCheckStatistics, "Statistics.db", std::nullopt,
            "no serialization header component");
    usable = false;
  } else {
    Result<Columns> cols = ResolveColumns(*stats->header, path);
    if (!cols.ok()) {
      ctx.AddStatus(Severity::kError, kCheckStatistics, "Statistics.db",
                    cols.status());
      usable = false;
    }
    CheckTypeNames(ctx, *stats->header);
    std::set<std::string> names;
    for (const auto* list :
         {&stats->header->static_columns, &stats->header->regular_columns}) {
      for (const HeaderColumn& c : *list) {
        if (std::any_of(c.name.begin(), c.name.end(), [](char ch) {
              return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f;
            })) {
          ctx.Add(Severity::kError, kCheckStatistics, "Statistics.db",
                  std::nullopt,
                  "serialization header column name holds a control "
                  "character");
        }
        if (!names.insert(c.name).second) {
          ctx.Add(Severity::kError, kCheckStatistics, "Statistics.db",
                  std::nullopt,
                  "serialization header lists column '" + c.name + "' twice");
        }
      }
    }
  }
  if (!stats->validation) {
    ctx.Add(Severity::kWarning, kCheckStatistics, "Statistics.db", std::nullopt,
            "no validation component (partitioner unknown; Murmur3 assumed)");
  } else {
    Result<Partitioner> p =
        Partitioner::FromClassName(stats->validation->partitioner);
    if (!p.ok()) {
      ctx.Add(Severity::kError, kCheckStatistics, "Statistics.db", std::nullopt,
              p.status().message());
      usable = false;
    }
  }
  // MetadataSerializer of ma..nb writes exactly these four components.
  for (int32_t t : stats->unknown_components) {
    ctx.Add(Severity::kError, kCheckStatistics, "Statistics.db", std::nullopt,
            "unknown metadata component type " + std::to_string(t));
  }
  if (!stats->compaction || !stats->stats) {
    ctx.Add(Severity::kError, kCheckStatistics, "Statistics.db", std::nullopt,
            std::string("no ") + (!stats->stats ? "stats" : "compaction") +
                " metadata component (every writer stores it)");
  }
  ctx.Ran(kCheckStatistics, stats->checksummed
                                ? "decoded, checksums verified"
                                : "decoded (this version stores no checksums)");
  if (!usable) return std::nullopt;
  return std::move(stats).value();
}

// CompressionInfo.db, decoded and validated against Data.db's size.
std::shared_ptr<const CompressionInfo> LoadCompressionInfo(VerifyContext& ctx,
                                                           uint64_t data_size) {
  const Descriptor& d = ctx.descriptor();
  const std::string path = ComponentPathOf(d, "CompressionInfo.db");
  Result<std::string> bytes = ReadSmallFile(path, kMaxCompressionInfoBytes);
  if (!bytes.ok()) {
    ctx.AddStatus(Severity::kError, kCheckChunks, "CompressionInfo.db",
                  bytes.status());
    return nullptr;
  }
  ctx.Progress(bytes->size());
  Result<CompressionInfo> info =
      DecodeCompressionInfo(ByteView(*bytes), d.version, path, data_size);
  if (!info.ok()) {
    ctx.AddStatus(Severity::kError, kCheckChunks, "CompressionInfo.db",
                  info.status());
    return nullptr;
  }
  // CompressionParams options: the compressor refuses names it does not
  // support, so any other name is damage.
  static const std::set<std::string> kOptions = {"chunk_length_kb",
                                                 "chunk_length_in_kb",
                                                 "crc_check_chance",
                                                 "compression_level",
                                                 "enabled",
                                                 "lz4_compressor_type",
                                                 "lz4_high_compressor_level",
                                                 "min_compress_ratio",
                                                 "class",
                                                 "sstable_compression",
                                                 "max_compressed_length"};
  double min_ratio = 0;
  for (const auto& [name, value] : info->options) {
    if (kOptions.count(name) == 0) {
      ctx.Add(Severity::kError, kCheckChunks, "CompressionInfo.db",
              std::nullopt, "unknown compression option '" + name + "'");
    }
    if (name == "min_compress_ratio") {
      char* end = nullptr;
      min_ratio = std::strtod(value.c_str(), &end);
      if (end == value.c_str() || *end != '\0') min_ratio = -1;
    }
  }
  // CompressionParams.calcMaxCompressedLength: chunk length over
  // min_compress_ratio, rounded up, Integer.MAX_VALUE without a ratio.
  if (info->has_max_compressed_length && min_ratio >= 0) {
    const double limit =
        min_ratio > 0
            ? std::ceil(std::min(info->chunk_length / min_ratio, 2147483647.0))
            : 2147483647.0;
    if (static_cast<double>(info->max_compressed_length) != limit) {
      ctx.Add(
          Severity::kError, kCheckChunks, "CompressionInfo.db", std::nullopt,
          "max compressed length " +
              std::to_string(info->max_compressed_length) +
              " does not follow from chunk length " +
              std::to_string(info->chunk_length) + " and min_compress_ratio");
    }
  }
  return std::make_shared<const CompressionInfo>(std::move(info).value());
}

std::optional<uint32_t> LoadDigest(VerifyContext& ctx) {
  const std::string path = ComponentPathOf(ctx.descriptor(), "Digest.crc32");
  Result<std::string> bytes = ReadSmallFile(path, kMaxDigestBytes);
  if (!bytes.ok()) {
    ctx.AddStatus(Severity::kError, kCheckDigest, "Digest.crc32",
                  bytes.status());
    return std::nullopt;
  }
  Result<uint32_t> v = ParseDigestCrc32(ByteView(*bytes), path);
  if (!v.ok()) {
    ctx.AddStatus(Severity::kError, kCheckDigest, "Digest.crc32", v.status());
    return std::nullopt;
  }
  return *v;
}

// The digest and chunk checks: one pass over Data.db. Returns true when a
// chunk was found damaged.
bool CheckDigestAndChunks(VerifyContext& ctx,
                          const std::map<std::string, uint64_t>& present,
                          bool compressed_layout_known) {
  const Descriptor& d = ctx.descriptor();
  const bool has_data = present.count("Data.db") != 0;
  const bool has_crc32_digest = present.count("Digest.crc32") != 0;
  if (!has_data) {
    ctx.Skipped(kCheckDigest, "Data.db is missing");
    ctx.Skipped(kCheckChunks, "Data.db is missing");
    return false;
  }
  std::optional<uint32_t> digest;
  if (has_crc32_digest) digest = LoadDigest(ctx);
  Result<std::shared_ptr<RandomAccessFile>> data =
      RandomAccessFile::Open(ComponentPathOf(d, "Data.db"));
  if (!data.ok()) {
    ctx.AddStatus(Severity::kError, kCheckDigest, "Data.db", data.status());
    ctx.Skipped(kCheckChunks, "Data.db cannot be opened");
    return false;
  }
  DataScanPlan plan;
  plan.data = *data;
  plan.verify_chunks = compressed_layout_known;
  plan.decompress = !ctx.options().quick;
  if (compressed_layout_known && present.count("CompressionInfo.db") != 0) {
    plan.compression = LoadCompressionInfo(ctx, (*data)->size());
    if (!plan.compression) plan.verify_chunks = false;
  } else if (compressed_layout_known && present.count("CRC.db") != 0) {
    plan.crc_path = ComponentPathOf(d, "CRC.db");
  } else {
    plan.verify_chunks = false;
  }
  DataScanResult scan = ScanDataFile(plan, ctx);
  if (!scan.io_status.ok()) {
    ctx.AddStatus(Severity::kError, kCheckDigest, "Data.db", scan.io_status);
  }
  // Digest.
  if (!has_crc32_digest) {
    std::string other;
    for (const char* c : {"Digest.sha1", "Digest.adler32"}) {
      if (present.count(c)) other = c;
    }
    ctx.Skipped(kCheckDigest, other.empty()
                                  ? "no Digest component"
                                  : other + " (algorithm not supported)");
    if (!other.empty()) {
      ctx.Add(Severity::kNote, kCheckDigest, other, std::nullopt,
              "not checked: digest algorithm not supported");
    }
  } else if (digest && scan.io_status.ok()) {
    if (*digest != scan.file_crc) {
      ctx.Add(Severity::kError, kCheckDigest, "Data.db", std::nullopt,
              "digest mismatch (Digest.crc32 holds " + Crc32Hex(*digest) +
                  ", computed " + Crc32Hex(scan.file_crc) + ")");
    }
    ctx.Ran(kCheckDigest, "CRC32 of " + std::to_string((*data)->size()) +
                              " bytes against Digest.crc32");
  } else if (!digest) {
    ctx.Ran(kCheckDigest, "Digest.crc32 unreadable");
  }
  // Chunks.
  for (const Status& s : scan.damaged_chunks) {
    ctx.AddStatus(Severity::kError, kCheckChunks, "Data.db", s);
  }
  if (!scan.layout_status.ok()) {
    ctx.AddStatus(Severity::kError, kCheckChunks,
                  plan.compression ? "CompressionInfo.db" : "CRC.db",
                  scan.layout_status);
  }
  if (plan.verify_chunks && scan.io_status.ok()) {
    ctx.Ran(kCheckChunks,
            std::to_string(scan.chunks_checked) + " chunks, " +
                std::to_string(scan.damaged_chunks.size()) + " damaged" +
                (plan.compression && plan.decompress ? ", decompressed" : ""));
  } else if (!plan.verify_chunks && !ctx.Failed(kCheckChunks)) {
    ctx.Skipped(kCheckChunks,
                compressed_layout_known
                    ? "uncompressed Data.db without CRC.db"
                    : "chunk layout of this format not supported");
  }
  return !scan.damaged_chunks.empty();
}

}  // namespace

std::string ComponentPathOf(const Descriptor& d, std::string_view component) {
  return d.ComponentPath(component);
}

uint64_t EstimateVerifyBytes(const Descriptor& d, bool quick) {
  uint64_t total = 0;
  for (const auto& [c, size] : PresentComponents(d)) {
    total += size;
    if (!quick && c == "Data.db" && d.IsReadable()) total += size;
    if (!quick && c == "Index.db" && d.IsReadable()) total += size;
  }
  return total;
}

SSTableReport VerifySSTable(const Descriptor& d, const VerifyOptions& options,
                            uint64_t progress_base, uint64_t progress_total) {
  SSTableReport report;
  report.descriptor = d;
  report.name = d.prefix();
  report.supported = d.IsReadable();
  if (progress_total == 0) {
    progress_total = EstimateVerifyBytes(d, options.quick);
  }
  VerifyContext ctx(&report, &options, progress_base, progress_total);
  const std::map<std::string, uint64_t> present = PresentComponents(d);
  for (const auto& [c, size] : present) report.bytes += size;

  CheckCompleteness(ctx, present);
  if (!report.supported) {
    // What can be checked without decoding: the TOC (above) and a CRC32
    // digest. BTI and pre-3.0 layouts are not decoded.
    ctx.Add(Severity::kNote, kCheckStructure, "Data.db", std::nullopt,
            "not checked: unsupported format '" + d.version.str() + "-" +
                d.format + (d.legacy_name ? " (legacy file name)" : "") +
                "' (readable: ma..nb big)");
    CheckDigestAndChunks(ctx, present, /*compressed_layout_known=*/false);
    for (const char* c :
         {kCheckStatistics, kCheckStructure, kCheckIndex, kCheckSummary,
          kCheckBloomFilter, kCheckStatsAgreement}) {
      ctx.Skipped(c, "unsupported format");
    }
    return report;
  }
  std::optional<Statistics> stats =
      CheckStatistics(ctx, present.count("Statistics.db") != 0);
  const bool chunks_damaged =
      CheckDigestAndChunks(ctx, present, /*compressed_layout_known=*/true);

  const char* structure_checks[] = {kCheckStructure, kCheckIndex, kCheckSummary,
                                    kCheckBloomFilter, kCheckStatsAgreement};
  std::string skip_reason;
  if (options.quick) {
    skip_reason = "--quick";
  } else if (present.count("Data.db") == 0) {
    skip_reason = "Data.db is missing";
  } else if (!stats) {
    skip_reason = "Statistics.db is unusable";
  } else if (ctx.Failed(kCheckChunks) && present.count("CompressionInfo.db") &&
             report.findings.size() > 0 &&
             std::any_of(report.findings.begin(), report.findings.end(),
                         [](const Finding& f) {
                           return f.component == "CompressionInfo.db" &&
                                  f.severity == Severity::kError;
                         })) {
    skip_reason = "CompressionInfo.db is unusable";
  }
  if (!skip_reason.empty()) {
    for (const char* c : structure_checks) ctx.Skipped(c, skip_reason);
    return report;
  }
  Result<std::shared_ptr<SSTable>> table =
      SSTable::Open(ComponentPathOf(d, "Data.db"), nullptr);
  if (!table.ok()) {
    ctx.AddStatus(Severity::kError, kCheckStructure, "Data.db", table.status());
    for (const char* c : structure_checks) {
      ctx.Skipped(c, "the SSTable cannot be opened");
    }
    return report;
  }
  RunStructureChecks(ctx, **table, chunks_damaged);
  return report;
}

}  // namespace sstablefs::reader
