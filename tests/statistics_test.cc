// Statistics.db decoding (reader/statistics.h) and the version predicates
// (reader/version.h), tested on every Statistics.db of the corpus plus
// truncation and bit-flip robustness.
#include "reader/statistics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reader/byte_reader.h"
#include "reader/descriptor.h"
#include "reader/version.h"
#include "tests/test_util.h"

namespace sstablefs::reader {
namespace {

namespace fs = std::filesystem;
using ::sstablefs::testing::CorpusDir;
using ::sstablefs::testing::ReadFileToString;

// --- Version predicates: the ranges of Cassandra 5.0 BigFormat.BigVersion ---

TEST(VersionTest, SupportedBigVersions) {
  for (const char* v : {"ma", "mb", "mc", "md", "me", "na", "nb"}) {
    EXPECT_TRUE(IsSupportedBigVersion(Version(v))) << v;
  }
  for (const char* v :
       {"ka", "la", "lb", "mf", "nc", "oa", "da", "", "n", "nbb", "NB"}) {
    EXPECT_FALSE(IsSupportedBigVersion(Version(v))) << v;
  }
}

TEST(VersionTest, PredicatesMatchBigVersion) {
  struct Row {
    const char* v;
    bool lower, intervals, accurate, host_id, na_plus;
  };
  // From BigVersion's constructor: hasCommitLogLowerBound >= mb,
  // hasCommitLogIntervals >= mc, hasAccurateMinMax m[d-z]|n[a-z],
  // hasOriginatingHostId >= nb || m[e-z], na+ for the rest.
  const Row rows[] = {
      {"ma", false, false, false, false, false},
      {"mb", true, false, false, false, false},
      {"mc", true, true, false, false, false},
      {"md", true, true, true, false, false},
      {"me", true, true, true, true, false},
      {"na", true, true, true, false, true},
      {"nb", true, true, true, true, true},
  };
  for (const Row& r : rows) {
    Version v(r.v);
    SCOPED_TRACE(r.v);
    EXPECT_EQ(HasCommitLogLowerBound(v), r.lower);
    EXPECT_EQ(HasCommitLogIntervals(v), r.intervals);
    EXPECT_EQ(HasAccurateMinMax(v), r.accurate);
    EXPECT_TRUE(HasLegacyMinMax(v));
    EXPECT_EQ(HasOriginatingHostId(v), r.host_id);
    EXPECT_EQ(HasMaxCompressedLength(v), r.na_plus);
    EXPECT_EQ(HasPendingRepair(v), r.na_plus);
    EXPECT_EQ(HasIsTransient(v), r.na_plus);
    EXPECT_EQ(HasMetadataChecksum(v), r.na_plus);
    EXPECT_EQ(HasOldBfFormat(v), !r.na_plus);
    EXPECT_FALSE(HasImprovedMinMax(v));
    EXPECT_FALSE(HasKeyRange(v));
    EXPECT_FALSE(HasPartitionLevelDeletionsPresenceMarker(v));
    EXPECT_FALSE(HasUIntDeletionTime(v));
    EXPECT_FALSE(HasTokenSpaceCoverage(v));
    EXPECT_TRUE(HasTotalColumnsAndRows(v));
  }
  EXPECT_TRUE(HasImprovedMinMax(Version("nc")));
  EXPECT_TRUE(HasKeyRange(Version("nc")));
  EXPECT_FALSE(HasUIntDeletionTime(Version("nc")));
  EXPECT_TRUE(HasUIntDeletionTime(Version("oa")));
  EXPECT_TRUE(HasTokenSpaceCoverage(Version("oa")));
  EXPECT_TRUE(HasOriginatingHostId(Version("nc")));
}

// --- Small synthetic inputs
// ----------------------------------------------------

TEST(StatisticsTest, UnsupportedVersionAndFormat) {
  std::string bytes(64, '\0');
  EXPECT_TRUE(DecodeStatistics(ByteView(bytes), Version("la"), "x")
                  .status()
                  .IsUnsupported());
  EXPECT_TRUE(DecodeStatistics(ByteView(bytes), Version("oa"), "x")
                  .status()
                  .IsUnsupported());
  EXPECT_TRUE(DecodeStatistics(ByteView(bytes), Version("nb"), "trie", "x")
                  .status()
                  .IsUnsupported());
}

TEST(StatisticsTest, RejectsBadTocs) {
  const std::vector<std::string> inputs = {
      std::string(), std::string("\0\0", 2),
      std::string("\0\0\0\0", 4),          // zero components
      std::string("\xff\xff\xff\xff", 4),  // negative count
      std::string("\0\0\0\x05\0\0\0\0", 8)};
  for (const std::string& bytes : inputs) {
    Result<Statistics> r =
        DecodeStatistics(ByteView(bytes), Version("mc"), "f");
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
  }
  // One VALIDATION component whose offset points past the end.
  std::string bytes;
  AppendU32(&bytes, 1);
  AppendU32(&bytes, 0);
  AppendU32(&bytes, 1000);
  Result<Statistics> r = DecodeStatistics(ByteView(bytes), Version("mc"), "f");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("outside"), std::string::npos)
      << r.status().message();
}

// A hand-built pre-na file with only a HEADER component: checks the
// EncodingStats epochs and the field order of SerializationHeader.
TEST(StatisticsTest, DecodesHandBuiltHeader) {
  std::string header;
  AppendUnsignedVInt(&header, 5);   // minTimestamp - TIMESTAMP_EPOCH
  AppendUnsignedVInt(&header, 7);   // minLocalDeletionTime - epoch
  AppendUnsignedVInt(&header, 60);  // minTTL
  auto add_text = [&](const std::string& s) {
    AppendUnsignedVInt(&header, s.size());
    header += s;
  };
  add_text("org.apache.cassandra.db.marshal.Int32Type");
  AppendUnsignedVInt(&header, 1);
  add_text("org.apache.cassandra.db.marshal.UTF8Type");
  AppendUnsignedVInt(&header, 1);
  add_text("s");
  add_text("org.apache.cassandra.db.marshal.LongType");
  AppendUnsignedVInt(&header, 2);
  add_text("b");
  add_text("org.apache.cassandra.db.marshal.BytesType");
  add_text("a");
  add_text("org.apache.cassandra.db.marshal.BooleanType");

  std::string file;
  AppendU32(&file, 1);
  AppendU32(&file, 3);   // HEADER
  AppendU32(&file, 12);  // right after the TOC
  file += header;
  Result<Statistics> r = DecodeStatistics(ByteView(file), Version("mc"), "f");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->header.has_value());
  EXPECT_FALSE(r->stats.has_value());
  const SerializationHeader& h = *r->header;
  EXPECT_EQ(h.min_timestamp, kEncodingTimestampEpoch + 5);
  EXPECT_EQ(h.min_local_deletion_time, kEncodingDeletionTimeEpoch + 7);
  EXPECT_EQ(h.min_ttl, 60);
  EXPECT_EQ(h.key_type, "org.apache.cassandra.db.marshal.Int32Type");
  ASSERT_EQ(h.clustering_types.size(), 1u);
  ASSERT_EQ(h.static_columns.size(), 1u);
  EXPECT_EQ(h.static_columns[0].name, "s");
  ASSERT_EQ(h.regular_columns.size(), 2u);
  EXPECT_EQ(h.regular_columns[0].name, "b");  // stored order, not sorted
  EXPECT_EQ(h.regular_columns[1].type_name,
            "org.apache.cassandra.db.marshal.BooleanType");

  // A column count larger than the bytes left is rejected before allocating.
  std::string huge = file.substr(0, 12);
  AppendUnsignedVInt(&huge, 0);
  AppendUnsignedVInt(&huge, 0);
  AppendUnsignedVInt(&huge, 0);
  AppendUnsignedVInt(&huge, 0);  // empty key type
  AppendUnsignedVInt(&huge, uint64_t{1} << 60);
  Result<Statistics> bad = DecodeStatistics(ByteView(huge), Version("mc"), "f");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsCorruption());
}

// --- The corpus
// ---------------------------------------------------------------

struct CorpusFile {
  std::string path;
  std::string relative;
  Descriptor descriptor;
  const nlohmann::json* set = nullptr;  // its expected.json entry
};

class StatisticsCorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SSTFS_REQUIRE_CORPUS();
    std::optional<std::string> text =
        ReadFileToString(CorpusDir() + "/expected.json");
    ASSERT_TRUE(text.has_value());
    expected_ = nlohmann::json::parse(*text);
    for (const auto& entry : fs::recursive_directory_iterator(CorpusDir())) {
      std::string name = entry.path().filename().string();
      if (!entry.is_regular_file() || name.size() < 14 ||
          name.compare(name.size() - 14, 14, "-Statistics.db") != 0) {
        continue;
      }
      CorpusFile f;
      f.path = entry.path().string();
      f.relative = fs::relative(entry.path(), CorpusDir()).string();
      Result<Descriptor> d = ParseDescriptor(f.path);
      ASSERT_TRUE(d.ok()) << d.status().ToString();
      f.descriptor = *d;
      // The set is the longest expected.json path that prefixes the file.
      size_t best = 0;
      for (const auto& set : expected_) {
        std::string p = set["path"].get<std::string>() + "/";
        if (f.relative.compare(0, p.size(), p) == 0 && p.size() > best) {
          best = p.size();
          f.set = &set;
        }
      }
      ASSERT_NE(f.set, nullptr) << f.relative;
      files_.push_back(std::move(f));
    }
    std::sort(files_.begin(), files_.end(),
              [](const CorpusFile& a, const CorpusFile& b) {
                return a.path < b.path;
              });
  }

  static bool Flag(const nlohmann::json& set, const char* key) {
    return set.contains(key) && set[key].is_boolean() && set[key].get<bool>();
  }

  static Result<Statistics> Decode(const CorpusFile& f, std::string* bytes) {
    std::optional<std::string> b = ReadFileToString(f.path);
    if (!b) return Status::IoError(f.path + ": unreadable");
    *bytes = std::move(*b);
    return DecodeStatistics(ByteView(*bytes), f.descriptor.version,
                            f.descriptor.format, f.path);
  }

  nlohmann::json expected_;
  std::vector<CorpusFile> files_;
};

bool LooksLikeMarshalType(const std::string& t) {
  static const std::string kPrefix = "org.apache.cassandra.db.marshal.";
  if (t.compare(0, kPrefix.size(), kPrefix) != 0) return false;
  int depth = 0;
  for (char c : t) {
    if (c == '(') ++depth;
    if (c == ')' && --depth < 0) return false;
  }
  return depth == 0;
}

TEST_F(StatisticsCorpusTest, EveryBigStatisticsDecodes) {
  ASSERT_GT(files_.size(), 100u);
  int decoded = 0;
  for (const CorpusFile& f : files_) {
    SCOPED_TRACE(f.relative);
    std::string bytes;
    Result<Statistics> r = Decode(f, &bytes);
    if (!IsSupportedBigVersion(f.descriptor.version)) {
      // ka/la under malformed/: recognised and refused, never decoded.
      EXPECT_TRUE(r.status().IsUnsupported()) << r.status().ToString();
      continue;
    }
    // Every m*/n* Statistics.db of the corpus is intact, even in the sets
    // flagged malformed (their damage is in Data.db / Index.db).
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ++decoded;
    const Statistics& s = *r;
    EXPECT_EQ(s.checksummed, HasMetadataChecksum(f.descriptor.version) &&
                                 f.descriptor.format == "big");
    ASSERT_TRUE(s.validation && s.stats && s.header);
    EXPECT_TRUE(s.unknown_components.empty());

    // Partitioner: expected.json gives the class short name per set.
    const std::string& cls = s.validation->partitioner;
    EXPECT_EQ(cls.substr(cls.rfind('.') + 1),
              (*f.set)["partitioner"].get<std::string>());
    EXPECT_EQ(cls.rfind("org.apache.cassandra.dht.", 0), 0u) << cls;
    EXPECT_GT(s.validation->bloom_filter_fp_chance, 0.0);
    EXPECT_LE(s.validation->bloom_filter_fp_chance, 1.0);

    // Header types are AbstractType strings.
    const SerializationHeader& h = *s.header;
    EXPECT_TRUE(LooksLikeMarshalType(h.key_type)) << h.key_type;
    for (const std::string& t : h.clustering_types) {
      EXPECT_TRUE(LooksLikeMarshalType(t)) << t;
    }
    for (const auto* cols : {&h.static_columns, &h.regular_columns}) {
      for (const HeaderColumn& c : *cols) {
        EXPECT_FALSE(c.name.empty());
        EXPECT_TRUE(LooksLikeMarshalType(c.type_name)) << c.type_name;
      }
    }

    // Timestamps: when any was recorded, min <= max.
    const StatsMetadata& st = *s.stats;
    if (st.min_timestamp != std::numeric_limits<int64_t>::min() &&
        st.max_timestamp != std::numeric_limits<int64_t>::min() &&
        st.min_timestamp != std::numeric_limits<int64_t>::max()) {
      EXPECT_LE(st.min_timestamp, st.max_timestamp);
    }
    EXPECT_LE(st.min_ttl, st.max_ttl);
    EXPECT_EQ(st.partition_sizes.counts.size(),
              st.partition_sizes.offsets.size() + 1);
    EXPECT_EQ(st.accurate_min_max, HasAccurateMinMax(f.descriptor.version) ||
                                       f.descriptor.format == "bti");
    if (HasOriginatingHostId(f.descriptor.version) &&
        f.descriptor.format == "big" && st.originating_host_id) {
      EXPECT_EQ(st.originating_host_id->size(), 36u);
    }
  }
  EXPECT_GT(decoded, 140);
}

// Cassandra itself wrote the legacy sets: their timestamps are real
// microsecond clocks (2015..2030), the header's EncodingStats minimum is the
// stats minimum, and every partition lands in the partition size histogram.
TEST_F(StatisticsCorpusTest, CassandraWrittenStatsAreConsistent) {
  int checked = 0;
  for (const CorpusFile& f : files_) {
    if (f.relative.rfind("cassandra-legacy/", 0) != 0) continue;
    SCOPED_TRACE(f.relative);
    std::string bytes;
    Result<Statistics> r = Decode(f, &bytes);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const StatsMetadata& st = *r->stats;
    constexpr int64_t k2015 = 1420070400LL * 1000000;
    constexpr int64_t k2030 = 1893456000LL * 1000000;
    EXPECT_GE(st.min_timestamp, k2015);
    EXPECT_LE(st.max_timestamp, k2030);
    EXPECT_LE(st.min_timestamp, st.max_timestamp);
    EXPECT_EQ(r->header->min_timestamp, st.min_timestamp);
    // Cassandra always records the commit log span of a flush.
    EXPECT_FALSE(st.commit_log_intervals.empty());
    EXPECT_LE(st.min_local_deletion_time, st.max_local_deletion_time);
    int64_t partitions = 0;
    for (int64_t c : st.partition_sizes.counts) partitions += c;
    const nlohmann::json& set = *f.set;
    if (set["partitions"].is_number() && set["sstable_count"] == 1) {
      EXPECT_EQ(partitions, set["partitions"].get<int64_t>());
    }
    ++checked;
  }
  EXPECT_GE(checked, 60);
}

// The legacy `na-1-bti` files use the pre-na (unchecksummed) layout: read as
// "bti" they decode, and decoding them as "big" fails cleanly.
TEST_F(StatisticsCorpusTest, LegacyBtiUsesPreNaLayout) {
  int seen = 0;
  for (const CorpusFile& f : files_) {
    if (f.descriptor.format != "bti") continue;
    SCOPED_TRACE(f.relative);
    ++seen;
    std::string bytes;
    Result<Statistics> r = Decode(f, &bytes);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(r->checksummed);
    Result<Statistics> as_big =
        DecodeStatistics(ByteView(bytes), f.descriptor.version, "big", f.path);
    ASSERT_FALSE(as_big.ok());
    EXPECT_TRUE(as_big.status().IsCorruption());
  }
  EXPECT_EQ(seen, 8);
}

// --- Robustness
// ---------------------------------------------------------------

// Decodes every truncation and many single-byte corruptions of real files:
// the result is a value or a kCorruption, never a crash (run under
// -DSSTFS_SANITIZE=ON to catch out-of-bounds reads). From na on every byte
// is under a CRC, so every change there must be detected.
TEST_F(StatisticsCorpusTest, TruncationsAndBitFlipsFailCleanly) {
  // The legacy clustered tables (ma..nb, big and bti) and a Scylla-written
  // mc file with static columns.
  std::vector<const CorpusFile*> chosen;
  for (const CorpusFile& f : files_) {
    if (f.relative.find("_clust/") != std::string::npos ||
        f.relative.find("/compound_static_row/") != std::string::npos) {
      chosen.push_back(&f);
    }
  }
  ASSERT_GE(chosen.size(), 9u);
  for (const CorpusFile* f : chosen) {
    SCOPED_TRACE(f->relative);
    std::string original;
    ASSERT_TRUE(Decode(*f, &original).ok());
    const bool checksummed = HasMetadataChecksum(f->descriptor.version) &&
                             f->descriptor.format == "big";
    auto decode = [&](const std::string& bytes) {
      return DecodeStatistics(ByteView(bytes), f->descriptor.version,
                              f->descriptor.format, f->path);
    };
    for (size_t len = 0; len < original.size(); ++len) {
      std::string cut = original.substr(0, len);
      Result<Statistics> r = decode(cut);
      if (!r.ok()) {
        EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
      }
      // The header is the last component and is read to its end.
      EXPECT_FALSE(r.ok()) << "truncated to " << len << " decoded";
    }
    for (size_t pos = 0; pos < original.size(); ++pos) {
      for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
        std::string flipped = original;
        flipped[pos] = static_cast<char>(flipped[pos] ^ mask);
        Result<Statistics> r = decode(flipped);
        if (!r.ok()) {
          EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
          EXPECT_NE(r.status().message().find(f->path), std::string::npos);
        } else if (checksummed) {
          ADD_FAILURE() << "flip of byte " << pos << " by " << int{mask}
                        << " went unnoticed";
        }
      }
    }
  }
}

TEST_F(StatisticsCorpusTest, ChecksumMismatchNamesOffset) {
  for (const CorpusFile& f : files_) {
    if (f.descriptor.version.str() != "nb") continue;
    std::string bytes;
    Result<Statistics> r = Decode(f, &bytes);
    ASSERT_TRUE(r.ok());
    // Flip a byte inside the STATS component: its CRC (at the end of the
    // component) must be reported with that offset.
    const MetadataTocEntry* stats = nullptr;
    for (const MetadataTocEntry& e : r->toc) {
      if (e.type == static_cast<int32_t>(MetadataType::kStats)) stats = &e;
    }
    ASSERT_NE(stats, nullptr);
    bytes[stats->offset + 10] ^= 0x40;
    Result<Statistics> bad = DecodeStatistics(
        ByteView(bytes), f.descriptor.version, f.descriptor.format, f.path);
    ASSERT_FALSE(bad.ok());
    const std::string msg = bad.status().message();
    EXPECT_NE(msg.find("checksum mismatch"), std::string::npos) << msg;
    EXPECT_NE(
        msg.find("offset " + std::to_string(stats->offset + stats->length - 4)),
        std::string::npos)
        << msg;
    return;
  }
  FAIL() << "no nb Statistics.db in the corpus";
}

}  // namespace
}  // namespace sstablefs::reader
