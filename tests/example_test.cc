// The example-data generator (tools/example_writer.h, tools/nb_writer.h):
// its SSTables must read back through the real reader with exactly the
// content it was given, carry valid checksums, and the pieces that can be
// compared with files Cassandra wrote (the nb corpus) must match them byte
// for byte.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "reader/big/partition_index.h"
#include "reader/bloom_filter.h"
#include "reader/byte_reader.h"
#include "reader/crc32.h"
#include "reader/data_file.h"
#include "reader/partitioner.h"
#include "reader/sstable.h"
#include "tests/test_util.h"
#include "tools/example_writer.h"

namespace sstablefs::tools {
namespace {

using reader::ByteView;
using reader::Cell;
using reader::Row;
using reader::Unfiltered;
using sstablefs::testing::ReadFileToString;

class ExampleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sstfs-example-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    outdir_ = tmpl;
    ASSERT_TRUE(WriteExampleTable(outdir_).ok());
    dir_ = ExampleTableDir(outdir_);
    data_ = BuildExampleData();
  }
  void TearDown() override { std::filesystem::remove_all(outdir_); }

  std::string Component(int generation, const std::string& name) const {
    return dir_ + "/nb-" + std::to_string(generation) + "-big-" + name;
  }
  std::string Read(int generation, const std::string& name) const {
    auto s = ReadFileToString(Component(generation, name));
    EXPECT_TRUE(s.has_value()) << Component(generation, name);
    return s.value_or("");
  }

  std::string outdir_, dir_;
  std::unique_ptr<const ExampleData> data_;
};

std::string Str(ByteView v) { return v.ToString(); }

std::vector<std::string> Values(const reader::Clustering& c) {
  std::vector<std::string> out;
  for (const auto& v : c.values) out.push_back(v ? Str(*v) : "<null>");
  return out;
}

void ExpectSameRow(const Row& want, const Row& got, const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_EQ(want.is_static, got.is_static);
  if (!want.is_static) {
    EXPECT_EQ(Values(want.clustering), Values(got.clustering));
  }
  EXPECT_EQ(want.liveness.timestamp, got.liveness.timestamp);
  EXPECT_EQ(want.liveness.ttl, got.liveness.ttl);
  EXPECT_EQ(want.deletion, got.deletion);
  std::vector<reader::ComplexDeletion> got_deletions;
  for (const auto& cd : got.complex_deletions) {
    if (!cd.deletion.IsLive()) got_deletions.push_back(cd);
  }
  ASSERT_EQ(want.complex_deletions.size(), got_deletions.size());
  for (size_t i = 0; i < got_deletions.size(); ++i) {
    EXPECT_EQ(want.complex_deletions[i].column, got_deletions[i].column);
    EXPECT_EQ(want.complex_deletions[i].deletion, got_deletions[i].deletion);
  }
  ASSERT_EQ(want.cells.size(), got.cells.size());
  for (size_t i = 0; i < want.cells.size(); ++i) {
    const Cell& w = want.cells[i];
    const Cell& g = got.cells[i];
    SCOPED_TRACE("cell " + std::to_string(i));
    EXPECT_EQ(w.column, g.column);
    EXPECT_EQ(w.timestamp, g.timestamp);
    EXPECT_EQ(w.is_tombstone, g.is_tombstone);
    EXPECT_EQ(w.is_expiring, g.is_expiring);
    if (w.is_expiring) {
      EXPECT_EQ(w.ttl, g.ttl);
    }
    if (w.is_expiring || w.is_tombstone) {
      EXPECT_EQ(w.local_deletion_time, g.local_deletion_time);
    }
    EXPECT_EQ(w.has_path, g.has_path);
    EXPECT_EQ(Str(w.path), Str(g.path));
    EXPECT_EQ(Str(w.value), Str(g.value));
  }
}

void ExpectSameMarker(const reader::RangeTombstoneMarker& want,
                      const reader::RangeTombstoneMarker& got) {
  EXPECT_EQ(want.bound.kind, got.bound.kind);
  EXPECT_EQ(Values(want.bound), Values(got.bound));
  EXPECT_EQ(want.deletion, got.deletion);
}

TEST_F(ExampleTest, TocListsExactlyTheFilesWritten) {
  for (const ExampleSSTable& t : data_->sstables) {
    const int gen = t.options.generation;
    const std::string checksum =
        t.options.lz4 ? "CompressionInfo.db" : "CRC.db";
    EXPECT_EQ(Read(gen, "TOC.txt"),
              checksum +
                  "\nIndex.db\nTOC.txt\nFilter.db\nSummary.db\n"
                  "Statistics.db\nDigest.crc32\nData.db\n");
    for (const char* name : {"Index.db", "Filter.db", "Summary.db",
                             "Statistics.db", "Digest.crc32", "Data.db"}) {
      EXPECT_TRUE(std::filesystem::exists(Component(gen, name))) << name;
    }
    EXPECT_TRUE(std::filesystem::exists(Component(gen, checksum)));
  }
  EXPECT_EQ(std::filesystem::path(dir_).filename().string(),
            "sensor_readings-5e1f3c2a9b7d4e6f8a0b1c2d3e4f5a6b");
}

TEST_F(ExampleTest, ReadsBackTheIntendedContentInTokenOrder) {
  for (const ExampleSSTable& t : data_->sstables) {
    SCOPED_TRACE("generation " + std::to_string(t.options.generation));
    auto table = reader::SSTable::Open(
        Component(t.options.generation, "Data.db"), nullptr);
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    const reader::SSTable& sst = **table;
    EXPECT_EQ(sst.descriptor().version.str(), "nb");
    EXPECT_EQ(sst.compression() != nullptr, t.options.lz4);
    EXPECT_TRUE(sst.warnings().empty())
        << (sst.warnings().empty() ? "" : sst.warnings().front());

    auto input = sst.OpenData();
    ASSERT_TRUE(input.ok()) << input.status().ToString();
    reader::PartitionIterator it(input->get(), &sst.columns(),
                                 sst.descriptor().version);
    std::vector<std::string> keys_read;
    for (it.SeekToFirst(); it.Valid(); it.NextPartition()) {
      const std::string key = Str(it.partition().key);
      if (!keys_read.empty()) {
        // Murmur3 token order, strictly increasing.
        EXPECT_LT(reader::Murmur3Token(ByteView(keys_read.back())),
                  reader::Murmur3Token(ByteView(key)));
      }
      keys_read.push_back(key);
      const PartitionData* want = nullptr;
      for (const PartitionData& p : t.partitions) {
        if (p.key == key) want = &p;
      }
      ASSERT_NE(want, nullptr) << "unexpected partition " << key;
      EXPECT_EQ(want->deletion, it.partition().deletion) << key;

      // FindPartition (bloom filter, Summary.db, Index.db) agrees with the
      // scan.
      auto found = sst.FindPartition(ByteView(key));
      ASSERT_TRUE(found.ok()) << found.status().ToString();
      ASSERT_TRUE(found->has_value()) << key;
      EXPECT_EQ(**found, it.partition().position) << key;

      bool saw_static = false;
      size_t next = 0;  // index into want->unfiltereds
      for (it.StartRows(); it.RowValid(); it.NextRow()) {
        const Unfiltered& u = it.unfiltered();
        if (u.kind == Unfiltered::Kind::kRow && u.row.is_static) {
          // An empty static row is written for every partition without
          // static data; the reader may or may not surface it.
          if (!want->static_row) {
            EXPECT_TRUE(u.row.cells.empty()) << key;
            continue;
          }
          saw_static = true;
          ExpectSameRow(*want->static_row, u.row, key + " static row");
          continue;
        }
        ASSERT_LT(next, want->unfiltereds.size()) << key;
        const Unfiltered& w = want->unfiltereds[next++];
        ASSERT_EQ(w.kind, u.kind) << key << " unfiltered " << next;
        if (u.kind == Unfiltered::Kind::kRow) {
          ExpectSameRow(w.row, u.row, key + " row " + std::to_string(next));
        } else {
          ExpectSameMarker(w.marker, u.marker);
        }
      }
      EXPECT_EQ(saw_static, want->static_row.has_value()) << key;
      EXPECT_EQ(next, want->unfiltereds.size()) << key;
    }
    EXPECT_TRUE(it.status().ok()) << it.status().ToString();
    EXPECT_EQ(keys_read.size(), t.partitions.size());

    auto absent = sst.FindPartition(ByteView(std::string("sensor-99")));
    ASSERT_TRUE(absent.ok());
    EXPECT_FALSE(absent->has_value());
  }
}

TEST_F(ExampleTest, ShowsTheFeaturesTheReadmePromises) {
  // Independent of the builder: the special cells the example exists to show.
  auto table = reader::SSTable::Open(Component(1, "Data.db"), nullptr);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  auto input = (*table)->OpenData();
  ASSERT_TRUE(input.ok());
  reader::PartitionIterator it(input->get(), &(*table)->columns(),
                               (*table)->descriptor().version);
  int ttl_cells = 0, tombstone_cells = 0, markers = 0, complex_deletions = 0;
  int statics = 0, set_cells = 0, map_cells = 0;
  const auto& regulars = (*table)->columns().regulars;
  for (it.SeekToFirst(); it.Valid(); it.NextPartition()) {
    for (it.StartRows(); it.RowValid(); it.NextRow()) {
      const Unfiltered& u = it.unfiltered();
      if (u.kind == Unfiltered::Kind::kRangeTombstoneMarker) {
        ++markers;
        continue;
      }
      if (u.row.is_static) {
        statics += u.row.cells.empty() ? 0 : 1;
        continue;
      }
      for (const auto& cd : u.row.complex_deletions) {
        complex_deletions += cd.deletion.IsLive() ? 0 : 1;
      }
      for (const Cell& c : u.row.cells) {
        if (c.is_expiring) {
          ++ttl_cells;
          EXPECT_EQ(c.ttl, 86400);
          EXPECT_EQ(Str(c.value), "temporary note");
        }
        if (c.is_tombstone) {
          ++tombstone_cells;
          EXPECT_EQ(regulars[c.column].name, "humidity");
        }
        if (c.has_path && regulars[c.column].name == "tags") ++set_cells;
        if (c.has_path && regulars[c.column].name == "alerts") ++map_cells;
      }
    }
  }
  EXPECT_TRUE(it.status().ok()) << it.status().ToString();
  EXPECT_EQ(ttl_cells, 1);
  EXPECT_EQ(tombstone_cells, 1);
  EXPECT_EQ(markers, 2);  // one range tombstone: its start and end bound
  EXPECT_EQ(complex_deletions, 1);
  EXPECT_EQ(statics, 3);
  EXPECT_EQ(set_cells, 3);
  EXPECT_EQ(map_cells, 1);
}

TEST_F(ExampleTest, BloomFilterHoldsEveryKey) {
  for (const ExampleSSTable& t : data_->sstables) {
    const std::string filter = Read(t.options.generation, "Filter.db");
    auto bf = reader::BloomFilter::Decode(ByteView(filter), false, "Filter.db");
    ASSERT_TRUE(bf.ok()) << bf.status().ToString();
    for (const PartitionData& p : t.partitions) {
      EXPECT_TRUE(bf->MightContain(ByteView(p.key))) << p.key;
    }
  }
}

TEST_F(ExampleTest, DigestAndChecksumsVerify) {
  for (const ExampleSSTable& t : data_->sstables) {
    const int gen = t.options.generation;
    const std::string data = Read(gen, "Data.db");
    auto digest = reader::ParseDigestCrc32(ByteView(Read(gen, "Digest.crc32")),
                                           "Digest.crc32");
    ASSERT_TRUE(digest.ok()) << digest.status().ToString();
    EXPECT_EQ(*digest, reader::Crc32(ByteView(data)));
    if (!t.options.lz4) {
      // CRC.db: chunk length, then one CRC32 per chunk of Data.db.
      const std::string crc = Read(gen, "CRC.db");
      reader::ByteReader r{ByteView(crc)};
      uint32_t chunk = 0;
      ASSERT_TRUE(r.ReadU32(&chunk));
      EXPECT_EQ(chunk, 65536u);
      for (size_t off = 0; off < data.size(); off += chunk) {
        uint32_t want = 0;
        ASSERT_TRUE(r.ReadU32(&want));
        EXPECT_EQ(want, reader::Crc32(ByteView(data).substr(off, chunk)));
      }
      EXPECT_TRUE(r.AtEnd());
    }
    // Statistics.db (nb): count, CRC(count), TOC, CRC(count + TOC), then
    // every component followed by its CRC. The reader checks the same; this
    // recomputes it from the layout.
    const std::string stats = Read(gen, "Statistics.db");
    reader::ByteReader r{ByteView(stats)};
    uint32_t count = 0, crc = 0;
    ASSERT_TRUE(r.ReadU32(&count));
    ASSERT_EQ(count, 4u);
    ASSERT_TRUE(r.ReadU32(&crc));
    EXPECT_EQ(crc, reader::Crc32(ByteView(stats).substr(0, 4)));
    std::vector<uint32_t> offsets;
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t type = 0, offset = 0;
      ASSERT_TRUE(r.ReadU32(&type) && r.ReadU32(&offset));
      EXPECT_EQ(type, i);
      offsets.push_back(offset);
    }
    ASSERT_TRUE(r.ReadU32(&crc));
    std::string toc = stats.substr(0, 4) + stats.substr(8, 8 * count);
    EXPECT_EQ(crc, reader::Crc32(ByteView(toc)));
    offsets.push_back(static_cast<uint32_t>(stats.size()));
    EXPECT_EQ(offsets[0], r.position());
    for (uint32_t i = 0; i < count; ++i) {
      const uint32_t len = offsets[i + 1] - offsets[i] - 4;
      reader::ByteReader c{ByteView(stats).substr(offsets[i] + len, 4)};
      ASSERT_TRUE(c.ReadU32(&crc));
      EXPECT_EQ(crc, reader::Crc32(ByteView(stats).substr(offsets[i], len)))
          << "component " << i;
    }
  }
}

TEST_F(ExampleTest, StatisticsDescribeTheData) {
  auto table = reader::SSTable::Open(Component(1, "Data.db"), nullptr);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  const reader::Statistics& s = (*table)->statistics();
  EXPECT_TRUE(s.checksummed);
  ASSERT_TRUE(s.validation && s.stats && s.header && s.compaction);
  EXPECT_EQ(s.validation->partitioner,
            "org.apache.cassandra.dht.Murmur3Partitioner");
  EXPECT_DOUBLE_EQ(s.validation->bloom_filter_fp_chance, 0.01);
  // The readings were written on 2024-01-15; the TTL'd note expires a day
  // after its write at 10:10; the earliest deletion is the collection
  // tombstone of the 10:00 reading.
  EXPECT_EQ(s.stats->max_ttl, 86400);
  EXPECT_EQ(s.stats->min_ttl, 0);
  EXPECT_EQ(s.stats->min_local_deletion_time, 1705312800);
  EXPECT_EQ(s.stats->max_local_deletion_time, INT32_MAX);
  EXPECT_EQ(s.stats->total_rows, 15);  // 12 readings + 3 static rows
  EXPECT_EQ(s.stats->compression_ratio, -1.0);
  EXPECT_EQ(s.header->min_ttl, 86400);
  EXPECT_EQ(s.header->min_local_deletion_time, 1705312800);
  EXPECT_EQ(s.header->regular_columns.size(), 8u);
  auto lz4 = reader::SSTable::Open(Component(2, "Data.db"), nullptr);
  ASSERT_TRUE(lz4.ok()) << lz4.status().ToString();
  EXPECT_GT((*lz4)->statistics().stats->compression_ratio, 0.0);
}

TEST_F(ExampleTest, OutputIsDeterministic) {
  char tmpl[] = "/tmp/sstfs-example-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string other = tmpl;
  ASSERT_TRUE(WriteExampleTable(other).ok());
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    const std::string name = entry.path().filename().string();
    EXPECT_EQ(ReadFileToString(entry.path().string()),
              ReadFileToString(ExampleTableDir(other) + "/" + name))
        << name;
  }
  std::filesystem::remove_all(other);
}

// --- Byte-level comparison with files Cassandra wrote
// ------------------------------

// legacy_nb_simple / legacy_nb_clust: keys '0'..'4', ByteOrderedPartitioner
// (so partition order is key order), bloom_filter_fp_chance 0.01.
std::string NbSet(const std::string& table) {
  return sstablefs::testing::CorpusDir() +
         "/cassandra-legacy/nb/legacy_tables/" + table + "/nb-1-big-";
}

const std::vector<std::string>& CorpusKeys() {
  static const std::vector<std::string> kKeys = {"0", "1", "2", "3", "4"};
  return kKeys;
}

// The Index.db positions of every key and the Data.db offset each one names.
void ReadIndex(const std::string& index, std::vector<uint64_t>* index_positions,
               std::vector<uint64_t>* data_positions) {
  reader::ByteReader r{ByteView(index)};
  while (!r.AtEnd()) {
    index_positions->push_back(r.position());
    ByteView key, promoted;
    uint64_t position = 0;
    ASSERT_TRUE(r.ReadShortLengthBytes(&key));
    ASSERT_TRUE(r.ReadUnsignedVInt(&position));
    ASSERT_TRUE(r.ReadVIntLengthBytes(&promoted));
    data_positions->push_back(position);
  }
}

TEST(ExampleCorpusTest, FilterSummaryAndCardinalityMatchCassandra) {
  SSTFS_REQUIRE_CORPUS();
  for (const char* table : {"legacy_nb_simple", "legacy_nb_clust"}) {
    SCOPED_TRACE(table);
    const std::string prefix = NbSet(table);
    auto filter = ReadFileToString(prefix + "Filter.db");
    auto summary = ReadFileToString(prefix + "Summary.db");
    auto index = ReadFileToString(prefix + "Index.db");
    auto stats = ReadFileToString(prefix + "Statistics.db");
    ASSERT_TRUE(filter && summary && index && stats);

    auto bf = BuildBloomFilter(CorpusKeys(), 0.01);
    ASSERT_TRUE(bf.ok());
    EXPECT_EQ(*bf, *filter);

    std::vector<uint64_t> index_positions, data_positions;
    ReadIndex(*index, &index_positions, &data_positions);
    ASSERT_EQ(index_positions.size(), CorpusKeys().size());
    EXPECT_EQ(BuildIndexSummary(CorpusKeys(), index_positions), *summary);

    // COMPACTION component (type 1): i32 length + HyperLogLogPlus bytes.
    auto decoded = reader::DecodeStatistics(
        ByteView(*stats), reader::Version("nb"), "Statistics.db");
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    ASSERT_TRUE(decoded->compaction.has_value());
    CardinalityEstimator hll;
    for (const std::string& k : CorpusKeys()) hll.OfferKey(ByteView(k));
    auto bytes = hll.Serialize();
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(*bytes, decoded->compaction->cardinality_estimator);
  }
}

TEST(ExampleCorpusTest, HistogramsMatchCassandra) {
  SSTFS_REQUIRE_CORPUS();
  // legacy_nb_simple: one cell per partition; partition sizes follow from
  // Index.db positions and the uncompressed length (CompressionInfo.db).
  const std::string prefix = NbSet("legacy_nb_simple");
  auto index = ReadFileToString(prefix + "Index.db");
  auto stats = ReadFileToString(prefix + "Statistics.db");
  ASSERT_TRUE(index && stats);
  auto table = reader::SSTable::Open(prefix + "Data.db", nullptr);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  std::vector<uint64_t> index_positions, data_positions;
  ReadIndex(*index, &index_positions, &data_positions);
  data_positions.push_back((*table)->data_length());

  EstimatedHistogram sizes(150), cells(118);
  for (size_t i = 0; i + 1 < data_positions.size(); ++i) {
    sizes.Add(static_cast<int64_t>(data_positions[i + 1] - data_positions[i]));
    cells.Add(1);
  }
  std::string ours;
  sizes.Serialize(&ours);
  cells.Serialize(&ours);
  // STATS (type 2) starts with these two histograms.
  const auto& toc = (*table)->statistics().toc;
  ASSERT_EQ(toc.size(), 4u);
  ASSERT_EQ(toc[2].type, 2);
  EXPECT_EQ(stats->substr(toc[2].offset, ours.size()), ours);
}

// Deep copies of decoded rows, so they outlive the iterator.
class Arena {
 public:
  ByteView Keep(ByteView v) {
    strings_.push_back(v.ToString());
    return ByteView(strings_.back());
  }
  reader::Clustering Copy(const reader::Clustering& c) {
    reader::Clustering out = c;
    for (auto& v : out.values) {
      if (v) v = Keep(*v);
    }
    return out;
  }
  Unfiltered Copy(const Unfiltered& u) {
    Unfiltered out = u;
    out.row.clustering = Copy(u.row.clustering);
    out.marker.bound = Copy(u.marker.bound);
    for (Cell& c : out.row.cells) {
      c.path = Keep(c.path);
      c.value = Keep(c.value);
    }
    return out;
  }

 private:
  std::deque<std::string> strings_;
};

// Decodes `data_path` with the reader and re-encodes it with the example
// writer's Data.db encoder; the result must be the original bytes.
void ExpectReencodesIdentically(const std::string& data_path,
                                bool check_stats) {
  SCOPED_TRACE(data_path);
  auto table = reader::SSTable::Open(data_path, nullptr);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  auto input = (*table)->OpenData();
  ASSERT_TRUE(input.ok());
  auto all = (*input)->Peek((*input)->size());
  ASSERT_TRUE(all.ok());
  const std::string original = all->ToString();
  ASSERT_EQ(original.size(), (*table)->data_length());

  Arena arena;
  std::vector<PartitionData> partitions;
  reader::PartitionIterator it(input->get(), &(*table)->columns(),
                               (*table)->descriptor().version);
  for (it.SeekToFirst(); it.Valid(); it.NextPartition()) {
    PartitionData p;
    p.key = Str(it.partition().key);
    p.deletion = it.partition().deletion;
    for (it.StartRows(); it.RowValid(); it.NextRow()) {
      Unfiltered u = arena.Copy(it.unfiltered());
      if (u.kind == Unfiltered::Kind::kRow && u.row.is_static) {
        p.static_row = u.row;
      } else {
        p.unfiltereds.push_back(std::move(u));
      }
    }
    partitions.push_back(std::move(p));
  }
  ASSERT_TRUE(it.status().ok()) << it.status().ToString();
  ASSERT_FALSE(partitions.empty());

  StatsCollector stats;
  DataEncoder encoder(&(*table)->columns(), &stats);
  std::string encoded;
  for (const PartitionData& p : partitions) {
    reader::Status s = encoder.AppendPartition(p, &encoded);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  EXPECT_EQ(encoded.size(), original.size());
  const size_t n = std::min(encoded.size(), original.size());
  const size_t first_difference =
      std::mismatch(encoded.begin(), encoded.begin() + n, original.begin())
          .first -
      encoded.begin();
  EXPECT_EQ(first_difference, n)
      << "first difference at byte " << first_difference;
  if (!check_stats) return;
  const reader::StatsMetadata& want = *(*table)->statistics().stats;
  EXPECT_EQ(stats.min_timestamp, want.min_timestamp);
  EXPECT_EQ(stats.max_timestamp, want.max_timestamp);
  EXPECT_EQ(stats.total_rows, want.total_rows);
  EXPECT_EQ(stats.total_columns_set, want.total_columns_set);
  EXPECT_EQ(stats.min_clustering, want.min_clustering_values);
  EXPECT_EQ(stats.max_clustering, want.max_clustering_values);
}

// The Data.db encoder fed with what the reader decodes from a Data.db that
// Cassandra wrote must give back that Data.db byte for byte: row flags,
// clustering and column encodings, timestamp deltas, previous-row sizes.
TEST(ExampleCorpusTest, DataEncoderReproducesCassandraDataDb) {
  SSTFS_REQUIRE_CORPUS();
  for (const char* name : {"legacy_nb_simple", "legacy_nb_clust"}) {
    ExpectReencodesIdentically(NbSet(name) + "Data.db", /*check_stats=*/true);
  }
}

// The same for every other Data.db of the corpus in the 3.0+ row encoding
// (ma .. nb, written by Cassandra or by Scylla in Cassandra's format).
TEST(ExampleCorpusTest, DataEncoderReproducesEveryCorpusDataDb) {
  SSTFS_REQUIRE_CORPUS();
  // Not re-encodable by design: deliberately corrupt or incomplete sets, and
  // Scylla's own shadowable-deletion extension flag (0x80), which Cassandra
  // never writes.
  const std::set<std::string> skip = {
      "integrity_check", "read_rows_only_index", "write_wide_partitions",
      "write_shadowable_deletion", "write_regular_and_shadowable_deletion"};
  int checked = 0;
  for (const char* root : {"cassandra-legacy", "scylla-3x", "scylla-misc"}) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(
             sstablefs::testing::CorpusDir() + "/" + root)) {
      const std::string path = e.path().string();
      if (!path.ends_with("-big-Data.db")) continue;
      bool skipped = false;
      for (const auto& part : e.path())
        skipped |= skip.count(part.string()) > 0;
      if (skipped) continue;
      ExpectReencodesIdentically(path, /*check_stats=*/false);
      ++checked;
    }
  }
  EXPECT_GE(checked, 100);
}

}  // namespace
}  // namespace sstablefs::tools
