// Fidelity of the SSTable writer (writer/sstable_writer.h) against files
// Cassandra (and Scylla, in Cassandra's format) wrote: every readable corpus
// SSTable is decoded with the reader and re-written with the writer, with the
// same partitioner, serialization header, compression parameters and
// generation; the re-write is compared component by component.
//
//  - Data.db (decompressed): byte-identical for every version ma..nb.
//  - Index.db: byte-identical (same RowIndexEntry format in ma..nb).
//  - nb only: Summary.db, Filter.db byte-identical; Statistics.db compared
//    field by field, except the fields listed in kNonDeterministic.
// Files whose re-write differs are listed in kKnownDifferences with the
// reason; the test prints how many re-writes were byte-identical.
//
// Also: a streaming round trip of one wide partition (promoted index, bounded
// memory, verifier clean).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "reader/big/index_file.h"
#include "reader/big/partition_index.h"
#include "reader/byte_reader.h"
#include "reader/data_file.h"
#include "reader/sstable.h"
#include "reader/statistics.h"
#include "reader/verifier.h"
#include "tests/test_util.h"
#include "writer/metadata.h"
#include "writer/sstable_writer.h"

namespace sstablefs::writer {
namespace {

namespace fs = std::filesystem;
using reader::ByteView;
using reader::Unfiltered;
using sstablefs::testing::CorpusDir;
using sstablefs::testing::ReadFileToString;

// Statistics.db fields that record the writing node's state rather than the
// data, so a re-write cannot reproduce them.
const std::map<std::string, std::string> kNonDeterministic = {
    {"commitLogUpperBound/LowerBound/Intervals",
     "commit log positions of the memtable that was flushed"},
    {"originatingHostId", "the UUID of the node that wrote the file"},
    {"repairedAt/pendingRepair/sstableLevel",
     "repair and compaction state; the writer writes an unrepaired level 0"},
};

// Corpus SSTables whose re-write differs, component -> reason. Keys are path
// fragments relative to the corpus root (a fragment matches every SSTable
// under it).
struct KnownDifference {
  const char* path;
  const char* component;  // "Data.db", "Index.db", "Summary.db", ...
  const char* reason;
};
const KnownDifference kKnownDifferences[] = {
    // Scylla writes a shadowable row deletion with its own extension (an
    // extra extended-flags bit and a second deletion time); Cassandra, and
    // the writer, use the HAS_SHADOWABLE_DELETION flag with one deletion.
    {"scylla-3x/uncompressed/write_shadowable_deletion/", "Data.db",
     "Scylla's shadowable-deletion extension"},
    {"scylla-3x/uncompressed/write_regular_and_shadowable_deletion/", "Data.db",
     "Scylla's shadowable-deletion extension"},
    {"scylla-3x/uncompressed/write_shadowable_deletion/", "Digest.crc32",
     "follows from the Data.db difference"},
    {"scylla-3x/uncompressed/write_regular_and_shadowable_deletion/",
     "Digest.crc32", "follows from the Data.db difference"},
    // Scylla picks its own CRC.db chunk size (Cassandra: 64 KiB).
    {"scylla-3x/uncompressed/read_range_tombstones_only_index/", "CRC.db",
     "Scylla's CRC.db chunk size"},
    {"scylla-3x/uncompressed/write_empty_counter/", "CRC.db",
     "Scylla's CRC.db chunk size"},
    // Scylla's own metadata: its IndexSummary header, HyperLogLog, cell
    // counting, compression ratio and filter sizing differ from Cassandra's.
    {"scylla-misc/mixed_generation_type/", "Summary.db",
     "Scylla's Summary.db header (entries size/sampling fields)"},
    {"scylla-misc/mixed_generation_type/", "Statistics.db",
     "Scylla's cardinality estimator, cell counts and compression ratio"},
    {"scylla-misc/multi_schema_test/", "Filter.db",
     "Scylla sizes the filter from an estimated key count"},
    {"scylla-misc/multi_schema_test/", "Statistics.db",
     "Scylla counts cells per partition differently"},
    {"scylla-misc/wrong_range_tombstone_order/", "Statistics.db",
     "Scylla's cell counts and clustering bounds (its markers are out of "
     "order on purpose)"},
};

std::string Relative(const std::string& path) {
  const std::string root = CorpusDir() + "/";
  return path.starts_with(root) ? path.substr(root.size()) : path;
}

// Entries of kKnownDifferences that matched a difference (stale entries
// fail the test, so the table stays exact).
std::set<const KnownDifference*>& UsedKnownDifferences() {
  static std::set<const KnownDifference*> used;
  return used;
}

const char* KnownReason(const std::string& rel, const std::string& component) {
  for (const KnownDifference& k : kKnownDifferences) {
    if (component == k.component && rel.find(k.path) != std::string::npos) {
      UsedKnownDifferences().insert(&k);
      return k.reason;
    }
  }
  return nullptr;
}

std::string TempDir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "sstfs_writer_" + name + "_" +
                    std::to_string(::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// The decompressed Data.db of an SSTable.
std::optional<std::string> DataBytes(const reader::SSTable& t) {
  auto input = t.OpenData();
  if (!input.ok()) return std::nullopt;
  auto all = (*input)->Peek((*input)->size());
  if (!all.ok()) return std::nullopt;
  return all->ToString();
}

// column_index_size is configuration, not stored in the SSTable: the largest
// power-of-two size (64 KiB default down to 1 KiB) that is no larger than the
// narrowest non-final IndexInfo block of the original promoted indexes.
uint32_t InferColumnIndexSize(const reader::SSTable& t) {
  uint32_t size = 64 * 1024;
  auto r =
      reader::IndexFileReader::Open(t.descriptor().ComponentPath("Index.db"));
  if (!r.ok()) return size;
  const std::vector<int> fixed =
      reader::ClusteringFixedLengths(t.columns().clustering_types);
  uint64_t min_width = UINT64_MAX;
  reader::IndexEntry e;
  while (true) {
    auto more = (*r)->Next(&e);
    if (!more.ok() || !*more) break;
    if (!e.HasPromotedIndex()) continue;
    auto pi = reader::DecodePromotedIndex(ByteView(e.promoted_index), fixed,
                                          "Index.db", 0);
    if (!pi.ok()) continue;
    for (size_t i = 0; i + 1 < pi->blocks.size(); ++i) {
      min_width = std::min(min_width, pi->blocks[i].width);
    }
  }
  while (size > 1024 && size > min_width) size /= 2;
  return size;
}

// The header's columns in the order the reader resolved them (Cassandra's
// order, which Cell::column refers to); Scylla stores some in another order.
std::vector<reader::HeaderColumn> SortedColumns(
    const std::vector<reader::ColumnDef>& defs,
    const std::vector<reader::HeaderColumn>& stored) {
  std::vector<reader::HeaderColumn> out;
  for (const reader::ColumnDef& d : defs) {
    for (const reader::HeaderColumn& c : stored) {
      if (c.name == d.name) out.push_back(c);
    }
  }
  return out;
}

// Re-writes `t` into `dir` with the writer; returns the writer's status.
reader::Status Rewrite(const reader::SSTable& t, const std::string& dir) {
  const reader::SerializationHeader& h = *t.statistics().header;
  WriterSchema schema;
  schema.key_type = h.key_type;
  schema.clustering_types = h.clustering_types;
  schema.statics = SortedColumns(t.columns().statics, h.static_columns);
  schema.regulars = SortedColumns(t.columns().regulars, h.regular_columns);
  schema.encoding_stats = t.columns().stats;
  WriterOptions o;
  o.version = t.descriptor().version < reader::Version("na") ? "me" : "nb";
  o.generation = t.descriptor().generation;
  o.partitioner = t.partitioner().kind();
  if (t.statistics().validation) {
    o.bloom_fp_chance = t.statistics().validation->bloom_filter_fp_chance;
  }
  o.column_index_size = InferColumnIndexSize(t);
  o.lz4 = t.compression() != nullptr;
  if (o.lz4) o.chunk_length = t.compression()->chunk_length;
  SSTFS_ASSIGN_OR_RETURN(auto w, SSTableWriter::Create(dir, schema, o));
  SSTFS_ASSIGN_OR_RETURN(auto input, t.OpenData());
  reader::PartitionIterator it(input.get(), &t.columns(),
                               t.descriptor().version);
  for (it.SeekToFirst(); it.Valid(); it.NextPartition()) {
    it.StartRows();
    const reader::Row* static_row = nullptr;
    if (it.RowValid() && it.unfiltered().kind == Unfiltered::Kind::kRow &&
        it.unfiltered().row.is_static) {
      static_row = &it.unfiltered().row;
    }
    SSTFS_RETURN_IF_ERROR(w->BeginPartition(it.partition().key.AsStringView(),
                                            it.partition().deletion,
                                            static_row));
    if (static_row != nullptr) it.NextRow();
    for (; it.RowValid(); it.NextRow()) {
      SSTFS_RETURN_IF_ERROR(w->AddUnfiltered(it.unfiltered()));
    }
    SSTFS_RETURN_IF_ERROR(w->EndPartition());
  }
  SSTFS_RETURN_IF_ERROR(it.status());
  return w->Finish();
}

bool SameColumns(const std::vector<reader::HeaderColumn>& a,
                 const std::vector<reader::HeaderColumn>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].type_name != b[i].type_name) {
      return false;
    }
  }
  return true;
}

// Field-by-field comparison of the deterministic parts of Statistics.db;
// returns the names of the fields that differ.
std::vector<std::string> StatisticsDifferences(const reader::Statistics& a,
                                               const reader::Statistics& b) {
  std::vector<std::string> out;
  auto check = [&](bool same, const char* name) {
    if (!same) out.push_back(name);
  };
  check(a.validation.has_value() && b.validation.has_value() &&
            a.validation->partitioner == b.validation->partitioner &&
            a.validation->bloom_filter_fp_chance ==
                b.validation->bloom_filter_fp_chance,
        "validation");
  check(a.compaction.has_value() && b.compaction.has_value() &&
            a.compaction->cardinality_estimator ==
                b.compaction->cardinality_estimator,
        "cardinality");
  if (!a.stats || !b.stats) {
    out.push_back("stats missing");
    return out;
  }
  const reader::StatsMetadata& x = *a.stats;
  const reader::StatsMetadata& y = *b.stats;
  check(x.partition_sizes.offsets == y.partition_sizes.offsets &&
            x.partition_sizes.counts == y.partition_sizes.counts,
        "estimatedPartitionSize");
  check(x.column_counts.offsets == y.column_counts.offsets &&
            x.column_counts.counts == y.column_counts.counts,
        "estimatedCellPerPartitionCount");
  check(
      x.min_timestamp == y.min_timestamp && x.max_timestamp == y.max_timestamp,
      "min/maxTimestamp");
  check(x.min_local_deletion_time == y.min_local_deletion_time &&
            x.max_local_deletion_time == y.max_local_deletion_time,
        "min/maxLocalDeletionTime");
  check(x.min_ttl == y.min_ttl && x.max_ttl == y.max_ttl, "min/maxTTL");
  check(x.compression_ratio == y.compression_ratio, "compressionRatio");
  check(x.tombstone_histogram.max_bin_size ==
                y.tombstone_histogram.max_bin_size &&
            x.tombstone_histogram.bins == y.tombstone_histogram.bins,
        "estimatedTombstoneDropTime");
  check(x.min_clustering_values == y.min_clustering_values &&
            x.max_clustering_values == y.max_clustering_values,
        "min/maxClusteringValues");
  check(x.has_legacy_counter_shards == y.has_legacy_counter_shards,
        "hasLegacyCounterShards");
  check(x.total_columns_set == y.total_columns_set &&
            x.total_rows == y.total_rows,
        "totalColumnsSet/totalRows");
  check(x.is_transient == y.is_transient, "isTransient");
  check(a.header.has_value() && b.header.has_value() &&
            a.header->min_timestamp == b.header->min_timestamp &&
            a.header->min_local_deletion_time ==
                b.header->min_local_deletion_time &&
            a.header->min_ttl == b.header->min_ttl &&
            a.header->key_type == b.header->key_type &&
            a.header->clustering_types == b.header->clustering_types &&
            SameColumns(a.header->static_columns, b.header->static_columns) &&
            SameColumns(a.header->regular_columns, b.header->regular_columns),
        "header");
  return out;
}

// The versions whose Summary.db, Filter.db and Statistics.db the writer
// reproduces: nb (what it writes), me (its 3.x output) and md (the same
// metadata as me without originatingHostId). Older 3.0 releases counted
// cells per partition differently, and na (4.0-rc1) too.
bool CompareMetadata(const reader::Version& v) {
  return v == reader::Version("nb") || v == reader::Version("me") ||
         v == reader::Version("md");
}

struct Tally {
  int compared = 0;
  int identical = 0;
  int known = 0;
};

TEST(WriterFidelityTest, EveryCorpusSSTableRewritesIdentically) {
  SSTFS_REQUIRE_CORPUS();
  std::map<std::string, Tally> tally;  // component -> counts
  std::map<std::string, int> skipped;  // reason -> count
  int sstables = 0;
  std::vector<std::string> data_paths;
  // corpus/malformed is left out: deliberately damaged files.
  for (const char* root : {"cassandra-legacy", "scylla-3x", "scylla-misc"}) {
    for (const auto& e :
         fs::recursive_directory_iterator(CorpusDir() + "/" + root)) {
      const std::string path = e.path().string();
      const std::string name = e.path().filename().string();
      if (name.ends_with("-big-Data.db")) {
        data_paths.push_back(path);
        continue;
      }
      // Sets that are not re-written, found by their TOC.txt.
      if (!name.ends_with("TOC.txt")) continue;
      if (name.find("-bti-") != std::string::npos) {
        ++skipped["BTI format (the writer writes big)"];
      } else if (name.find("-big-") == std::string::npos) {
        ++skipped["pre-3.0 format (ka/la), not readable"];
      } else if (!fs::exists(path.substr(0, path.size() - 7) + "Data.db")) {
        ++skipped["incomplete set without Data.db"];
      }
    }
  }
  std::sort(data_paths.begin(), data_paths.end());
  const std::string out_root = TempDir("fidelity");
  for (const std::string& path : data_paths) {
    const std::string rel = Relative(path);
    SCOPED_TRACE(rel);
    if (rel.find("integrity_check") != std::string::npos) {
      ++skipped["integrity_check: deliberately damaged checksums/digests"];
      continue;
    }
    auto opened = reader::SSTable::Open(path, nullptr);
    if (!opened.ok()) {
      ++skipped["not readable: " +
                std::string(opened.status().ToString()).substr(0, 60)];
      continue;
    }
    const reader::SSTable& t = **opened;
    if (!t.statistics().header) {
      ++skipped["no serialization header"];
      continue;
    }
    const std::string dir = out_root + "/" + std::to_string(sstables++);
    fs::create_directories(dir);
    reader::Status s = Rewrite(t, dir);
    if (!s.ok()) {
      const char* data_known = KnownReason(rel, "Data.db");
      EXPECT_NE(data_known, nullptr)
          << rel << ": re-write failed: " << s.ToString();
      ++tally["Data.db"].known;
      continue;
    }
    auto ours = reader::SSTable::Open(
        dir + "/" +
            (t.descriptor().version < reader::Version("na") ? "me" : "nb") +
            "-" + t.descriptor().generation + "-big-Data.db",
        nullptr);
    ASSERT_TRUE(ours.ok()) << ours.status().ToString();
    auto compare = [&](const std::string& component, bool same,
                       const std::string* a = nullptr,
                       const std::string* b = nullptr) {
      Tally& c = tally[component];
      ++c.compared;
      if (same) {
        ++c.identical;
        return;
      }
      const char* reason = KnownReason(rel, component);
      if (reason != nullptr) {
        ++c.known;
      } else {
        std::string where;
        if (a != nullptr && b != nullptr) {
          const size_t n = std::min(a->size(), b->size());
          const size_t at =
              std::mismatch(a->begin(), a->begin() + n, b->begin()).first -
              a->begin();
          where = " at byte " + std::to_string(at) + " (sizes " +
                  std::to_string(a->size()) + " vs " +
                  std::to_string(b->size()) + ")";
        }
        ADD_FAILURE() << rel << ": " << component << " of the re-write differs"
                      << where;
      }
    };
    auto original_data = DataBytes(t);
    auto our_data = DataBytes(**ours);
    ASSERT_TRUE(original_data && our_data);
    compare("Data.db", *original_data == *our_data, &*original_data,
            &*our_data);

    auto original_index =
        ReadFileToString(t.descriptor().ComponentPath("Index.db"));
    auto our_index =
        ReadFileToString((*ours)->descriptor().ComponentPath("Index.db"));
    if (original_index) {
      compare("Index.db", *original_index == *our_index, &*original_index,
              &*our_index);
    }

    for (const char* component : {"Digest.crc32", "CRC.db"}) {
      auto a = ReadFileToString(t.descriptor().ComponentPath(component));
      auto b = ReadFileToString((*ours)->descriptor().ComponentPath(component));
      const bool lz4 =
          t.compression() != nullptr &&
          t.compression()->compressor_class.find("LZ4") != std::string::npos;
      // The digest covers the compressed file: comparable for LZ4 and
      // uncompressed originals.
      if (a && b && (lz4 || t.compression() == nullptr)) {
        compare(component, *a == *b, &*a, &*b);
      }
    }
    if (t.compression() != nullptr &&
        t.compression()->compressor_class.find("LZ4") != std::string::npos) {
      compare("CompressionInfo.db", t.compression()->chunk_offsets ==
                                        (*ours)->compression()->chunk_offsets);
    }
    if (!CompareMetadata(t.descriptor().version)) continue;
    for (const char* component : {"Summary.db", "Filter.db"}) {
      auto a = ReadFileToString(t.descriptor().ComponentPath(component));
      auto b = ReadFileToString((*ours)->descriptor().ComponentPath(component));
      if (a && b) compare(component, *a == *b, &*a, &*b);
    }
    const std::vector<std::string> diffs =
        StatisticsDifferences(t.statistics(), (*ours)->statistics());
    std::string joined;
    for (const std::string& d : diffs) joined += d + " ";
    SCOPED_TRACE("Statistics.db fields that differ: " + joined);
    compare("Statistics.db", diffs.empty());
  }
  std::printf(
      "writer fidelity: %d SSTables re-written (Statistics.db: the "
      "deterministic fields compared one by one)\n",
      sstables);
  for (const auto& [component, c] : tally) {
    std::printf(
        "  %-20s %3d compared, %3d byte-identical, %3d known differences\n",
        component.c_str(), c.compared, c.identical, c.known);
  }
  for (const auto& [field, reason] : kNonDeterministic) {
    std::printf("  Statistics.db field not compared: %s (%s)\n", field.c_str(),
                reason.c_str());
  }
  for (const auto& [reason, n] : skipped) {
    std::printf("  skipped %3d: %s\n", n, reason.c_str());
  }
  EXPECT_GE(tally["Data.db"].identical, 100);
  for (const KnownDifference& k : kKnownDifferences) {
    EXPECT_TRUE(UsedKnownDifferences().count(&k))
        << "known difference no longer seen: " << k.path << " " << k.component;
  }
  fs::remove_all(out_root);
}

// --- Tombstone histogram ---------------------------------------------------
// Expectations from Cassandra's StreamingTombstoneHistogramBuilderTest.

TEST(TombstoneHistogramTest, MergesNearestBinsAsCassandra) {
  TombstoneHistogram h(false, /*max_bins=*/5, /*spool_capacity=*/0,
                       /*round_seconds=*/1);
  for (int p : {23, 19, 10, 16, 36, 2, 9}) h.Update(p);
  const std::vector<std::pair<int32_t, int32_t>> want = {
      {2, 1}, {9, 2}, {17, 2}, {23, 1}, {36, 1}};
  EXPECT_EQ(h.Bins(), want);
}

TEST(TombstoneHistogramTest, SpoolOverflowKeepsMaxBins) {
  TombstoneHistogram h(false, 5, 10, 1);
  for (int p : {23, 19, 10, 16, 36,  2,  9,  32, 30, 45, 31, 32, 32, 33, 34, 35,
                70, 78, 80, 90, 100, 32, 32, 33, 34, 35, 70, 78, 80, 90, 100}) {
    h.Update(p);
  }
  EXPECT_EQ(h.Bins().size(), 5u);
}

TEST(TombstoneHistogramTest, RoundsUpAndSaturates) {
  TombstoneHistogram h(false, 5, 10, 60);
  for (int p : {INT32_MAX - 1 - 2, 59, 60, 119, 180, 181, 300, 400}) {
    h.Update(p);
  }
  std::map<int32_t, int32_t> bins;
  for (const auto& [p, n] : h.Bins()) bins[p] = n;
  EXPECT_EQ(bins.size(), 5u);
  EXPECT_EQ(bins[180], 4);
  EXPECT_EQ(bins[240], 1);
  EXPECT_EQ(bins[300], 1);
  EXPECT_EQ(bins[420], 1);
  EXPECT_EQ(bins[INT32_MAX - 1], 1);
}

// --- Cardinality estimator (HLL++ p=13, sp=25) -----------------------------

std::string HllBytes(int keys, bool reverse) {
  CardinalityEstimator e;
  for (int i = 0; i < keys; ++i) {
    const std::string k =
        "partition-" + std::to_string(reverse ? keys - 1 - i : i);
    e.OfferKey(ByteView(k));
  }
  auto bytes = e.Serialize();
  return bytes.ok() ? *bytes : std::string();
}

TEST(CardinalityEstimatorTest, SparseAndNormalFormsDoNotDependOnOrder) {
  // 5000 keys stay sparse (<= 6144 sparse indexes), 200000 do not (and
  // convert in the middle of the stream: batches are 65536 keys).
  for (int keys : {5000, 200000}) {
    const std::string forward = HllBytes(keys, false);
    ASSERT_FALSE(forward.empty());
    EXPECT_EQ(forward, HllBytes(keys, true));
    // i32 -2, p 13, sp 25, then the format: 1 sparse, 0 normal.
    EXPECT_EQ(static_cast<uint8_t>(forward[6]), keys > 6144 ? 0 : 1);
  }
}

TEST(CardinalityEstimatorTest, NormalFormEstimatesTheCount) {
  const int keys = 20000;
  const std::string b = HllBytes(keys, false);
  // Header: i32, p, sp, format 0, LEB128 byte count (1366 ints * 4 = 5464),
  // then 1366 big-endian ints of six 5-bit registers each.
  constexpr int kWords = 8192 / 6 + 1;
  ASSERT_EQ(b.size(), 4u + 3 + 2 + kWords * 4);
  int zeros = 0;
  for (int r = 0; r < 8192; ++r) {
    const size_t at = 9 + (r / 6) * 4;
    uint32_t w = 0;
    for (int i = 0; i < 4; ++i) w = (w << 8) | static_cast<uint8_t>(b[at + i]);
    zeros += ((w >> (5 * (r % 6))) & 0x1f) == 0;
  }
  // Linear counting (what HyperLogLogPlus.cardinality uses at this load).
  const double estimate = 8192 * std::log(8192.0 / zeros);
  EXPECT_NEAR(estimate, keys, keys * 0.05);
}

// --- Streaming round trip --------------------------------------------------

constexpr char kMarshal[] = "org.apache.cassandra.db.marshal.";

std::string BigEndian32(int32_t v) {
  std::string s;
  reader::AppendU32(&s, static_cast<uint32_t>(v));
  return s;
}
std::string BigEndian64(int64_t v) {
  std::string s;
  reader::AppendU64(&s, static_cast<uint64_t>(v));
  return s;
}

long MaxRssKb() {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// One partition of 200k rows (~40 MB of Data.db) written row by row, between
// two small partitions, with a range tombstone over part of it.
class WideRoundTripTest : public ::testing::Test {
 protected:
  static constexpr int kRows = 200000;
  static constexpr int kTombstoneStart = 1000;
  static constexpr int kTombstoneEnd = 150000;
  static constexpr int64_t kTs = 1700000000000000LL;

  static WriterSchema Schema() {
    const std::string m = kMarshal;
    WriterSchema s;
    s.key_type = m + "UTF8Type";
    s.clustering_types = {m + "Int32Type"};
    s.regulars = {{"n", m + "LongType"}, {"v", m + "UTF8Type"}};
    s.encoding_stats = reader::EncodingStats{kTs, 1700000000, 0};
    return s;
  }

  static reader::DeletionTime TombstoneDeletion() {
    reader::DeletionTime d;
    d.marked_for_delete_at = kTs - 1;
    d.local_deletion_time = 1700000000;
    return d;
  }

  // Writes partition `key` with `rows` rows, building one row at a time.
  static reader::Status WritePartition(SSTableWriter* w, const std::string& key,
                                       int rows, bool tombstone) {
    SSTFS_RETURN_IF_ERROR(
        w->BeginPartition(key, reader::DeletionTime(), nullptr));
    const std::string text(150, 'x');
    Unfiltered u;
    u.row.cells.resize(2);
    u.row.liveness.timestamp = kTs;
    for (int i = 0; i < rows; ++i) {
      const std::string ck = BigEndian32(i);
      const std::string n = BigEndian64(i);
      if (tombstone && (i == kTombstoneStart || i == kTombstoneEnd + 1)) {
        Unfiltered m;
        m.kind = Unfiltered::Kind::kRangeTombstoneMarker;
        const bool open = i == kTombstoneStart;
        const std::string bound = BigEndian32(open ? i : kTombstoneEnd);
        m.marker.bound.kind = open ? reader::BoundKind::kInclStartBound
                                   : reader::BoundKind::kInclEndBound;
        m.marker.bound.values = {ByteView(bound)};
        m.marker.deletion = TombstoneDeletion();
        SSTFS_RETURN_IF_ERROR(w->AddUnfiltered(m));
      }
      u.row.clustering.values = {ByteView(ck)};
      u.row.cells[0].column = 0;
      u.row.cells[0].timestamp = kTs;
      u.row.cells[0].value = ByteView(n);
      u.row.cells[1].column = 1;
      u.row.cells[1].timestamp = kTs;
      u.row.cells[1].value = ByteView(text);
      SSTFS_RETURN_IF_ERROR(w->AddUnfiltered(u));
    }
    return w->EndPartition();
  }
};

TEST_F(WideRoundTripTest, StreamsAWidePartitionWithAPromotedIndex) {
  const std::string dir = TempDir("wide");
  WriterOptions o;
  o.lz4 = true;
  const long rss_before = MaxRssKb();
  auto w = SSTableWriter::Create(dir, Schema(), o);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  // Three partitions in Murmur3 order.
  std::vector<std::string> keys = {"small-a", "wide", "small-b"};
  const reader::Partitioner murmur3;
  std::sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
    return murmur3.CompareKeys(ByteView(a), ByteView(b)) < 0;
  });
  for (const std::string& k : keys) {
    const bool wide = k == "wide";
    reader::Status s = WritePartition(w->get(), k, wide ? kRows : 3, wide);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  const uint64_t data_bytes = (*w)->data_bytes();
  ASSERT_TRUE((*w)->Finish().ok());
  const long rss_growth_kb = MaxRssKb() - rss_before;
  std::printf(
      "wide partition: %llu bytes of Data.db, peak RSS growth %ld KiB\n",
      static_cast<unsigned long long>(data_bytes), rss_growth_kb);
  EXPECT_GT(data_bytes, 30u << 20);
  // Streaming: far less memory than the partition (Data.db chunks, Index.db
  // entries go to disk as they are made).
  EXPECT_LT(rss_growth_kb * 1024, static_cast<long>(data_bytes / 4));

  // Out of order is refused.
  {
    auto w2 = SSTableWriter::Create(TempDir("order"), Schema(), o);
    ASSERT_TRUE(w2.ok());
    ASSERT_TRUE(WritePartition(w2->get(), keys[1], 1, false).ok());
    EXPECT_EQ(WritePartition(w2->get(), keys[0], 1, false).code(),
              reader::StatusCode::kInvalidArgument);
  }

  auto t = reader::SSTable::Open(dir + "/nb-1-big-Data.db", nullptr);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto index = (*t)->index();
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  auto entry = (*index)->Find(ByteView(std::string("wide")));
  ASSERT_TRUE(entry.ok() && entry->has_value());
  const reader::IndexEntry& e = **entry;
  ASSERT_TRUE(e.HasPromotedIndex());
  auto pi = reader::DecodePromotedIndex(
      ByteView(e.promoted_index),
      reader::ClusteringFixedLengths((*t)->columns().clustering_types),
      "Index.db", e.promoted_index_position());
  ASSERT_TRUE(pi.ok()) << pi.status().ToString();
  // ColumnIndex closes a block once it reaches 64 KiB.
  EXPECT_GE(pi->blocks.size(), data_bytes / (65 * 1024));
  EXPECT_LE(pi->blocks.size(), data_bytes / (64 * 1024) + 1);

  // Every block starts at an unfiltered whose clustering is the block's
  // first, ends where the next one starts, and records the open tombstone.
  auto input = (*t)->OpenData();
  ASSERT_TRUE(input.ok());
  reader::PartitionIterator it(input->get(), &(*t)->columns(),
                               (*t)->descriptor().version);
  it.Seek(e.data_position);
  ASSERT_TRUE(it.Valid());
  std::map<uint64_t, std::string> first_value_at;  // relative offset -> ck
  int rows = 0;
  for (it.StartRows(); it.RowValid(); it.NextRow()) {
    const Unfiltered& u = it.unfiltered();
    const reader::Clustering& c =
        u.kind == Unfiltered::Kind::kRow ? u.row.clustering : u.marker.bound;
    first_value_at[u.position - e.data_position] = c.values[0]->ToString();
    rows += u.kind == Unfiltered::Kind::kRow;
  }
  ASSERT_TRUE(it.status().ok()) << it.status().ToString();
  EXPECT_EQ(rows, kRows);
  uint64_t expected_offset = pi->header_length;
  for (const reader::IndexBlock& b : pi->blocks) {
    EXPECT_EQ(b.offset, expected_offset);
    auto at = first_value_at.find(b.offset);
    ASSERT_NE(at, first_value_at.end()) << "no unfiltered at " << b.offset;
    EXPECT_EQ(at->second, b.first.values[0]->ToString());
    expected_offset = b.offset + b.width;
    int32_t last = 0;
    reader::ByteReader last_reader(*b.last.values[0]);
    ASSERT_TRUE(last_reader.ReadI32(&last));
    const bool inside = last >= kTombstoneStart && last < kTombstoneEnd;
    EXPECT_EQ(b.end_open_marker.has_value(), inside)
        << "block ending at " << last;
    if (b.end_open_marker) {
      EXPECT_EQ(b.end_open_marker->marked_for_delete_at,
                TombstoneDeletion().marked_for_delete_at);
    }
  }
  // The last block also covers the end-of-partition byte.
  it.NextPartition();
  const uint64_t partition_end =
      it.Valid() ? it.partition().position : (*t)->data_length();
  EXPECT_EQ(e.data_position + expected_offset, partition_end);

  // The verifier finds nothing wrong.
  reader::SSTableReport report =
      reader::VerifySSTable((*t)->descriptor(), reader::VerifyOptions());
  for (const reader::Finding& f : report.findings) {
    ADD_FAILURE() << reader::FormatFinding(f);
  }
  EXPECT_FALSE(report.HasErrors());
  EXPECT_EQ(report.rows, static_cast<uint64_t>(kRows + 6));
  fs::remove_all(dir);
}

// Every partitioner, version and compression the writer supports: the files
// open with that partitioner and version, every key is found through
// Filter/Summary/Index, and the verifier reports nothing.
TEST_F(WideRoundTripTest, EveryPartitionerVersionAndCompression) {
  for (auto kind :
       {reader::PartitionerKind::kMurmur3, reader::PartitionerKind::kRandom,
        reader::PartitionerKind::kByteOrdered}) {
    for (const char* version : {"nb", "me"}) {
      for (bool lz4 : {true, false}) {
        const reader::Partitioner partitioner(kind);
        SCOPED_TRACE(std::string(partitioner.ShortName()) + " " + version +
                     (lz4 ? " lz4" : " uncompressed"));
        const std::string dir = TempDir("variants");
        WriterOptions o;
        o.version = version;
        o.lz4 = lz4;
        o.partitioner = kind;
        o.generation = "7";
        o.column_index_size = 4096;
        std::vector<std::string> keys;
        for (int i = 0; i < 300; ++i)
          keys.push_back("key-" + std::to_string(i));
        std::sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
          return partitioner.CompareKeys(ByteView(a), ByteView(b)) < 0;
        });
        auto w = SSTableWriter::Create(dir, Schema(), o);
        ASSERT_TRUE(w.ok()) << w.status().ToString();
        for (size_t i = 0; i < keys.size(); ++i) {
          ASSERT_TRUE(
              WritePartition(w->get(), keys[i], i % 50 == 0 ? 200 : 2, i == 0)
                  .ok());
        }
        ASSERT_TRUE((*w)->Finish().ok());
        auto t = reader::SSTable::Open(dir + "/" + version + "-7-big-Data.db",
                                       nullptr);
        ASSERT_TRUE(t.ok()) << t.status().ToString();
        EXPECT_EQ((*t)->partitioner().kind(), kind);
        EXPECT_EQ((*t)->descriptor().version, reader::Version(version));
        EXPECT_TRUE((*t)->warnings().empty());
        for (const std::string& k : keys) {
          auto pos = (*t)->FindPartition(ByteView(k));
          ASSERT_TRUE(pos.ok()) << pos.status().ToString();
          EXPECT_TRUE(pos->has_value()) << k;
        }
        auto absent = (*t)->FindPartition(ByteView(std::string("absent")));
        ASSERT_TRUE(absent.ok());
        EXPECT_FALSE(absent->has_value());
        reader::SSTableReport report =
            reader::VerifySSTable((*t)->descriptor(), reader::VerifyOptions());
        for (const reader::Finding& f : report.findings) {
          ADD_FAILURE() << reader::FormatFinding(f);
        }
        EXPECT_EQ(report.partitions, keys.size());
        fs::remove_all(dir);
      }
    }
  }
}

}  // namespace
}  // namespace sstablefs::writer
