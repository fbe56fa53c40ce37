// The table model (reader/table.h): merged rows of several SSTables.
//  - Real data: the corpus tables with several SSTables, against the merged
//    results their README / expected.json state.
//  - Reconciliation rules (Cassandra's Cells.reconcile, Rows.merge,
//    DeletionTime.supersedes, CounterContext.merge) on SSTables written with
//    writer/sstable_writer.h, each expectation derived from the rule.
//  - Checkpoints: a merge restarted from cursor() continues identically.
#include "reader/table.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "reader/descriptor.h"
#include "reader/partitioner.h"
#include "reader/row_renderer.h"
#include "reader/sstable.h"
#include "tests/dump_cli_util.h"
#include "tests/test_util.h"
#include "writer/sstable_writer.h"

namespace sstablefs {
namespace {

namespace rd = reader;
using json = nlohmann::json;
using testing::CorpusDir;

constexpr char kM[] = "org.apache.cassandra.db.marshal.";
std::string T(const std::string& s) { return kM + s; }

// --- Rendering helpers ------------------------------------------------------

// The first folder under `root` (itself included) holding a Data.db.
std::string SSTableFolderUnder(const std::string& root) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.path().filename().string().ends_with("-Data.db")) {
      return e.path().parent_path().string();
    }
  }
  return root;
}

std::shared_ptr<const rd::Table> OpenFolder(const std::string& dir) {
  auto list = rd::ListSSTables(dir);
  EXPECT_TRUE(list.ok()) << list.status().message();
  std::vector<std::shared_ptr<rd::SSTable>> tables;
  for (const rd::Descriptor& d : *list) {
    if (!d.IsReadable() || d.format != "big") continue;
    auto t = rd::SSTable::Open(d.ComponentPath("Data.db"), nullptr);
    EXPECT_TRUE(t.ok()) << t.status().message();
    if (t.ok()) tables.push_back(*t);
  }
  EXPECT_FALSE(tables.empty()) << dir;
  rd::TableSchema schema = rd::SchemaFromColumns(tables[0]->columns());
  for (const auto& t : tables) rd::MergeSchemaColumns(t->columns(), &schema);
  auto table = rd::Table::Open(tables, schema);
  EXPECT_TRUE(table.ok());
  return *table;
}

// The merged rows.jsonl of a table.
std::string RenderTable(const std::shared_ptr<const rd::Table>& table,
                        int64_t now,
                        rd::RowFormat format = rd::RowFormat::kJsonLines) {
  std::string out;
  rd::StringSink sink(&out);
  auto w = rd::NewRowWriter(format, &sink);
  rd::RowOptions o;
  o.now_seconds = now;
  rd::MergedReader r(table, o);
  EXPECT_TRUE(w->Begin(table->schema()).ok());
  EXPECT_TRUE(r.SeekToFirst().ok());
  while (true) {
    auto more = r.Next(w.get(), nullptr);
    EXPECT_TRUE(more.ok()) << more.status().message();
    if (!more.ok() || !*more) break;
  }
  EXPECT_TRUE(w->Finish().ok());
  return out;
}

std::vector<json> Lines(const std::string& text) {
  std::vector<json> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(json::parse(text.substr(pos, nl - pos)));
    pos = nl + 1;
  }
  return out;
}

// --- Real data
// ----------------------------------------------------------------

TEST(TableCorpusTest, CompactDeletedRowMergesToRc2Only) {
  SSTFS_REQUIRE_CORPUS();
  // README: mc-1 rc1='rc1'; mc-2 deletes the row, then writes rc2='rc2'.
  // Merged: one row ('key','ck') with rc1 null and rc2 'rc2'.
  auto t =
      OpenFolder(CorpusDir() + "/scylla-3x/uncompressed/compact_deleted_row");
  ASSERT_EQ(t->sstables().size(), 2u);
  auto rows = Lines(RenderTable(t, 1600000000));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["key"], "key");
  EXPECT_EQ(rows[0]["clustering"], "ck");
  EXPECT_TRUE(rows[0]["rc1"].is_null()) << rows[0].dump();
  EXPECT_EQ(rows[0]["rc2"], "rc2");
}

TEST(TableCorpusTest, CompactDeletedCellLeavesLiveRowWithNull) {
  SSTFS_REQUIRE_CORPUS();
  // README: mc-2 holds only the tombstone of rc; the row marker of mc-1 keeps
  // the row: key | ck | null.
  auto t =
      OpenFolder(CorpusDir() + "/scylla-3x/uncompressed/compact_deleted_cell");
  auto rows = Lines(RenderTable(t, 1600000000));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["key"], "key");
  EXPECT_EQ(rows[0]["clustering"], "ck");
  EXPECT_TRUE(rows[0]["rc"].is_null());
}

TEST(TableCorpusTest, MixedGenerationTypeMergesAllThree) {
  SSTFS_REQUIRE_CORPUS();
  const json* set = nullptr;
  for (const auto& s : testing::ExpectedSets()) {
    if (s["path"] == "scylla-misc/mixed_generation_type") set = &s;
  }
  ASSERT_NE(set, nullptr);
  auto t = OpenFolder(
      SSTableFolderUnder(CorpusDir() + "/scylla-misc/mixed_generation_type"));
  ASSERT_EQ(t->sstables().size(), 3u);
  // Oldest first: numeric generations by value, then the UUID-style one.
  EXPECT_EQ(t->sstables()[0]->descriptor().generation, "3");
  EXPECT_EQ(t->sstables()[1]->descriptor().generation, "5");
  auto rows = Lines(RenderTable(t, 1600000000));
  ASSERT_EQ(rows.size(), (*set)["partitions"].get<size_t>());
  for (const auto& f : (*set)["facts"]) {
    int pk = std::stoi(f["partition"].get<std::string>());
    bool found = false;
    for (const json& r : rows) {
      if (r["key"] == pk) {
        found = true;
        EXPECT_EQ(r[f["column"].get<std::string>()], f["value"]);
      }
    }
    EXPECT_TRUE(found) << f.dump();
  }
}

// Folders holding byte-identical (or equal-content) copies of one SSTable:
// the merge must show each row once, as one copy alone renders it.
TEST(TableCorpusTest, DuplicateCopiesMergeToOneCopy) {
  SSTFS_REQUIRE_CORPUS();
  int checked = 0;
  for (const char* path :
       {"scylla-misc/multi_schema_test/test/"
        "test_multi_schema-1c6ace40fad111e7b9cf000000000002",
        "scylla-misc/wrong_range_tombstone_order/ks/"
        "wrong_range_tombstone_order-1c6ace40fad111e7b9cf000000000002"}) {
    SCOPED_TRACE(path);
    auto t = OpenFolder(CorpusDir() + "/" + path);
    ASSERT_EQ(t->sstables().size(), 3u);
    std::string merged = RenderTable(t, 1600000000);
    for (const auto& one : t->sstables()) {
      std::string single;
      rd::StringSink sink(&single);
      auto w = rd::NewRowWriter(rd::RowFormat::kJsonLines, &sink);
      rd::RowOptions o;
      o.now_seconds = 1600000000;
      ASSERT_TRUE(w->Begin(t->schema()).ok());
      ASSERT_TRUE(rd::RenderSSTableRows(*one, t->schema(), o, w.get()).ok());
      ASSERT_TRUE(w->Finish().ok());
      EXPECT_EQ(merged, single) << one->descriptor().prefix();
    }
    EXPECT_FALSE(merged.empty());
    ++checked;
  }
  // multi_schema_test: the test asserts a=0 with the single cell e=5.
  auto t = OpenFolder(CorpusDir() +
                      "/scylla-misc/multi_schema_test/test/"
                      "test_multi_schema-1c6ace40fad111e7b9cf000000000002");
  auto rows = Lines(RenderTable(t, 1600000000));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["key"], 0);
  EXPECT_EQ(rows[0]["e"], 5);
  EXPECT_EQ(checked, 2);
}

TEST(TableCorpusTest, DumpRowsOnTableFolderMerges) {
  SSTFS_REQUIRE_CORPUS();
  auto r = testing::RunDumpCli(
      {CorpusDir() + "/scylla-3x/uncompressed/compact_deleted_row", "--rows"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto rows = Lines(r.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0]["rc1"].is_null());
  EXPECT_EQ(rows[0]["rc2"], "rc2");
}

TEST(TableCorpusTest, HistoryShowsEveryVersionAndWhatIsLive) {
  SSTFS_REQUIRE_CORPUS();
  // README facts (compact_deleted_row): mc-1 rc1 = "rc1"; mc-2 a row
  // deletion at 1533591535618022, row liveness and rc2 = "rc2" at
  // 1533591593120115. Merged: rc1 shadowed, rc2 and the marker shown.
  auto t =
      OpenFolder(CorpusDir() + "/scylla-3x/uncompressed/compact_deleted_row");
  std::string out;
  rd::StringSink sink(&out);
  ASSERT_TRUE(rd::RenderPartitionHistory(t, rd::ByteView(std::string("key")),
                                         rd::RowOptions{1600000000}, &sink)
                  .ok());
  auto lines = Lines(out);
  auto find = [&](const std::string& kind, const std::string& column) {
    for (const json& l : lines) {
      if (l["kind"] == kind &&
          (column.empty() || l.value("column", "") == column)) {
        return l;
      }
    }
    return json();
  };
  json rc1 = find("cell", "rc1");
  ASSERT_FALSE(rc1.is_null()) << out;
  EXPECT_EQ(rc1["sstable"], "mc-1-big");
  EXPECT_EQ(rc1["value"], "rc1");
  EXPECT_EQ(rc1["live"], false);
  json rc2 = find("cell", "rc2");
  EXPECT_EQ(rc2["sstable"], "mc-2-big");
  EXPECT_EQ(rc2["writetime"], 1533591593120115);
  EXPECT_EQ(rc2["live"], true);
  json del = find("row_deletion", "");
  EXPECT_EQ(del["writetime"], 1533591535618022);
  EXPECT_EQ(del["deleted_at"], "2018-08-06 21:38:55Z");
  EXPECT_EQ(del["clustering"], json::parse(R"(["ck"])"));
  // Both INSERTs wrote a row marker: mc-1's is deleted, mc-2's is shown.
  int markers = 0;
  for (const json& l : lines) {
    if (l["kind"] != "row_marker") continue;
    ++markers;
    EXPECT_EQ(l["live"], l["sstable"] == "mc-2-big") << l.dump();
  }
  EXPECT_EQ(markers, 2);
  // Oldest SSTable first.
  EXPECT_EQ(lines.front()["sstable"], "mc-1-big");
  EXPECT_EQ(lines.back()["sstable"], "mc-2-big");
  EXPECT_EQ(rd::RenderPartitionHistory(t, rd::ByteView(std::string("nokey")),
                                       rd::RowOptions{1600000000}, &sink)
                .code(),
            rd::StatusCode::kNotFound);
}

TEST(TableCorpusTest, PartitionSummaryAndCsvLine) {
  SSTFS_REQUIRE_CORPUS();
  auto t =
      OpenFolder(CorpusDir() + "/scylla-3x/uncompressed/compact_deleted_row");
  rd::MergedReader r(t, rd::RowOptions{1600000000});
  ASSERT_TRUE(r.SeekToFirst().ok());
  rd::PartitionSummary p;
  auto more = r.Next(nullptr, &p);
  ASSERT_TRUE(more.ok() && *more);
  EXPECT_EQ(p.key, "key");
  EXPECT_EQ(p.sstables, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(p.live_rows, 1u);
  EXPECT_EQ(p.row_tombstones, 1u);  // the DELETE of mc-2
  uint64_t data_bytes = 0;
  for (const auto& s : t->sstables()) data_bytes += s->data_length();
  EXPECT_EQ(p.bytes, data_bytes);  // one partition per SSTable
  std::string line;
  rd::AppendPartitionsCsvLine(*t, p, &line);
  EXPECT_EQ(line.substr(0, 4), "key,") << line;
  EXPECT_NE(line.find(",mc-1-big mc-2-big,1,"), std::string::npos) << line;
  EXPECT_EQ(rd::PartitionsCsvHeader(),
            "key,token,sstables,rows,bytes,partition_tombstones,"
            "range_tombstones,row_tombstones,cell_tombstones\n");
  more = r.Next(nullptr, &p);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
}

}  // namespace
}  // namespace sstablefs

namespace sstablefs {
namespace {

// --- SSTables written for the reconciliation rules ---------------------------

// Keeps the bytes cells and keys point to.
class Bytes {
 public:
  rd::ByteView Int(int32_t v) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i)
      s[i] = static_cast<char>(uint32_t(v) >> (24 - 8 * i));
    return Keep(std::move(s));
  }
  rd::ByteView Keep(std::string s) {
    store_.push_back(std::move(s));
    return rd::ByteView(store_.back());
  }
  // A counter context (CounterContext layout): shards of (id byte, clock,
  // count, kind).
  struct Shard {
    uint8_t id;
    int64_t clock;
    int64_t count;
    char kind;  // 'g'lobal, 'l'ocal, 'r'emote
  };
  rd::ByteView Counter(std::vector<Shard> shards) {
    std::sort(shards.begin(), shards.end(),
              [](const Shard& a, const Shard& b) { return a.id < b.id; });
    std::string h, body;
    auto put = [](std::string* o, uint64_t v, int n) {
      for (int i = n - 1; i >= 0; --i) o->push_back(char(v >> (8 * i)));
    };
    int16_t elts = 0;
    for (size_t i = 0; i < shards.size(); ++i) {
      if (shards[i].kind == 'g') {
        put(&h, uint16_t(int16_t(i) + INT16_MIN), 2), ++elts;
      } else if (shards[i].kind == 'l') {
        put(&h, uint16_t(i), 2), ++elts;
      }
      body.append(15, '\0');
      body.push_back(char(shards[i].id));
      put(&body, uint64_t(shards[i].clock), 8);
      put(&body, uint64_t(shards[i].count), 8);
    }
    std::string out;
    put(&out, uint16_t(elts), 2);
    return Keep(out + h + body);
  }

 private:
  std::deque<std::string> store_;
};

rd::Cell Live(uint32_t column, int64_t ts, rd::ByteView v) {
  rd::Cell c;
  c.column = column;
  c.timestamp = ts;
  c.value = v;
  return c;
}
rd::Cell Expiring(uint32_t column, int64_t ts, rd::ByteView v, int32_t ttl,
                  int32_t expires) {
  rd::Cell c = Live(column, ts, v);
  c.is_expiring = true;
  c.ttl = ttl;
  c.local_deletion_time = expires;
  return c;
}
rd::Cell Dead(uint32_t column, int64_t ts, int32_t ldt = 1000) {
  rd::Cell c;
  c.column = column;
  c.timestamp = ts;
  c.is_tombstone = true;
  c.local_deletion_time = ldt;
  return c;
}
rd::Cell PathCell(uint32_t column, int64_t ts, rd::ByteView path,
                  rd::ByteView v) {
  rd::Cell c = Live(column, ts, v);
  c.has_path = true;
  c.path = path;
  return c;
}

rd::Unfiltered RowU(std::vector<rd::ByteView> ck, int64_t liveness_ts,
                    std::vector<rd::Cell> cells) {
  rd::Unfiltered u;
  u.kind = rd::Unfiltered::Kind::kRow;
  for (rd::ByteView v : ck) u.row.clustering.values.push_back(v);
  u.row.liveness.timestamp = liveness_ts;
  u.row.cells = std::move(cells);
  return u;
}
rd::Unfiltered Marker(rd::BoundKind kind, rd::ByteView ck, int64_t ts,
                      int64_t start_ts = 0) {
  rd::Unfiltered u;
  u.kind = rd::Unfiltered::Kind::kRangeTombstoneMarker;
  u.marker.bound.kind = kind;
  u.marker.bound.values.push_back(ck);
  rd::DeletionTime d{ts, 1000};
  u.marker.deletion = d;
  u.marker.end_deletion = d;
  u.marker.start_deletion = rd::DeletionTime{start_ts, 1000};
  return u;
}

class TableWriter {
 public:
  explicit TableWriter(writer::WriterSchema schema)
      : schema_(std::move(schema)) {
    dir_ = std::filesystem::temp_directory_path() /
           ("sstfs_table_test_" + std::to_string(::getpid()) + "_" +
            std::to_string(counter_++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~TableWriter() { std::filesystem::remove_all(dir_); }

  // One SSTable (next generation) of these partitions, in any order.
  void Flush(std::vector<writer::PartitionData> parts) {
    std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) {
      rd::Partitioner p;
      return p.CompareKeys(rd::ByteView(a.key), rd::ByteView(b.key)) < 0;
    });
    writer::WriterOptions o;
    o.generation = std::to_string(++generation_);
    auto w = writer::SSTableWriter::Create(dir_.string(), schema_, o);
    ASSERT_TRUE(w.ok()) << w.status().message();
    for (const auto& p : parts) {
      auto s = (*w)->Add(p);
      ASSERT_TRUE(s.ok()) << s.message();
    }
    auto s = (*w)->Finish();
    ASSERT_TRUE(s.ok()) << s.message();
  }
  std::shared_ptr<const rd::Table> Open() { return OpenFolder(dir_.string()); }
  std::string dir() const { return dir_.string(); }

 private:
  static inline int counter_ = 0;
  writer::WriterSchema schema_;
  std::filesystem::path dir_;
  int generation_ = 0;
};

writer::PartitionData Partition(rd::ByteView key,
                                std::vector<rd::Unfiltered> rows) {
  writer::PartitionData p;
  p.key.assign(reinterpret_cast<const char*>(key.data()), key.size());
  p.unfiltereds = std::move(rows);
  return p;
}

// key int, clustering int, v int, w int, m map<int,int>, static s int.
// Header column order: statics [s]; regulars [v, w, m] (simple first).
writer::WriterSchema KvSchema(bool reversed = false) {
  writer::WriterSchema s;
  s.key_type = T("Int32Type");
  s.clustering_types = {reversed ? T("ReversedType(") + T("Int32Type)")
                                 : T("Int32Type")};
  s.statics = {{"s", T("Int32Type")}};
  s.regulars = {{"v", T("Int32Type")},
                {"w", T("Int32Type")},
                {"m", T("MapType(") + T("Int32Type,") + T("Int32Type)")}};
  return s;
}
constexpr uint32_t kV = 0, kW = 1, kMap = 2, kS = 0;

// Rows of one partition key, by clustering value.
std::map<int, json> RowsOf(const std::vector<json>& rows, int key) {
  std::map<int, json> out;
  for (const json& r : rows) {
    if (r["key"] != key) continue;
    const bool has = r.contains("clustering") && !r["clustering"].is_null();
    out[has ? r["clustering"].get<int>() : -1] = r;
  }
  return out;
}

TEST(TableMergeTest, NewestCellWinsAndTiesFollowCellsReconcile) {
  Bytes b;
  TableWriter tw(KvSchema());
  // Key 1: v newest in the OLDER SSTable; w newest in the newer one.
  // Key 2, equal timestamps: greater value wins (v); a tombstone beats a
  // live cell (w); an expiring cell beats a plain one even with a smaller
  // value (clustering 2).
  tw.Flush({Partition(b.Int(1), {RowU({b.Int(1)}, 10,
                                      {Live(kV, 300, b.Int(3)),
                                       Live(kW, 100, b.Int(1))})}),
            Partition(b.Int(2),
                      {RowU({b.Int(1)}, 10,
                            {Live(kV, 100, b.Int(7)), Live(kW, 100, b.Int(1))}),
                       RowU({b.Int(2)}, 10, {Live(kV, 100, b.Int(9))})})});
  tw.Flush(
      {Partition(b.Int(1),
                 {RowU({b.Int(1)}, 10,
                       {Live(kV, 200, b.Int(2)), Live(kW, 200, b.Int(2))})}),
       Partition(
           b.Int(2),
           {RowU({b.Int(1)}, 10, {Live(kV, 100, b.Int(5)), Dead(kW, 100)}),
            RowU({b.Int(2)}, 10, {Expiring(kV, 100, b.Int(4), 60, 5000)})})});
  auto rows = Lines(RenderTable(tw.Open(), 4000));
  auto k1 = RowsOf(rows, 1);
  auto k2 = RowsOf(rows, 2);
  ASSERT_EQ(k1.size(), 1u);
  EXPECT_EQ(k1[1]["v"], 3);
  EXPECT_EQ(k1[1]["w"], 2);
  ASSERT_EQ(k2.size(), 2u);
  EXPECT_EQ(k2[1]["v"], 7);
  EXPECT_TRUE(k2[1]["w"].is_null());
  EXPECT_EQ(k2[2]["v"], 4);
  // At its expiry the expiring winner is a tombstone: v is null, not 9.
  auto later = RowsOf(Lines(RenderTable(tw.Open(), 5000)), 2);
  ASSERT_EQ(later.size(), 2u);
  EXPECT_TRUE(later[2]["v"].is_null());
}

TEST(TableMergeTest, RangeTombstonesFromSeveralSSTablesOverlap) {
  Bytes b;
  TableWriter tw(KvSchema());
  std::vector<rd::Unfiltered> base;
  for (int c = 1; c <= 10; ++c) {
    base.push_back(RowU({b.Int(c)}, 100, {Live(kV, 100, b.Int(c))}));
  }
  tw.Flush({Partition(b.Int(1), base)});
  // [2, 5] at 150, then (5, 6] at 120 through a boundary.
  tw.Flush({Partition(
      b.Int(1),
      {Marker(rd::BoundKind::kInclStartBound, b.Int(2), 150),
       Marker(rd::BoundKind::kInclEndExclStartBoundary, b.Int(5), 150, 120),
       Marker(rd::BoundKind::kInclEndBound, b.Int(6), 120)})});
  // (4, 8] at 90 hides nothing (older than the rows); [7, 9) at 200 does;
  // a row at 3 written at 160 outlives the tombstone of 150.
  tw.Flush({Partition(
      b.Int(1),
      {RowU({b.Int(3)}, 160, {Live(kV, 160, b.Int(33))}),
       Marker(rd::BoundKind::kExclStartBound, b.Int(4), 90),
       Marker(rd::BoundKind::kExclEndInclStartBoundary, b.Int(7), 90, 200),
       Marker(rd::BoundKind::kExclEndBound, b.Int(9), 200)})});
  auto k = RowsOf(Lines(RenderTable(tw.Open(), 4000)), 1);
  std::vector<int> present;
  for (const auto& [c, r] : k) present.push_back(c);
  EXPECT_EQ(present, (std::vector<int>{1, 3, 9, 10}));
  EXPECT_EQ(k[3]["v"], 33);
  EXPECT_EQ(k[9]["v"], 9);
}

TEST(TableMergeTest, PartitionRowComplexDeletionsAndStatics) {
  Bytes b;
  TableWriter tw(KvSchema());
  auto p1 =
      Partition(b.Int(1), {RowU({b.Int(1)}, 100, {Live(kV, 100, b.Int(1))}),
                           RowU({b.Int(2)}, 100,
                                {PathCell(kMap, 100, b.Int(1), b.Int(10)),
                                 PathCell(kMap, 100, b.Int(2), b.Int(20))})});
  rd::Row st;
  st.is_static = true;
  st.cells = {Live(kS, 100, b.Int(5))};
  p1.static_row = st;
  tw.Flush({p1});
  // Newer: a partition deletion at 150 (hides row 1 and the static 5), a
  // complex deletion of m at 150 with a newer element, a newer static.
  auto p2 =
      Partition(b.Int(1), {RowU({b.Int(2)}, rd::kNoTimestamp,
                                {PathCell(kMap, 160, b.Int(3), b.Int(30))})});
  p2.unfiltereds[0].row.complex_deletions.push_back({kMap, {150, 1000}});
  p2.deletion = rd::DeletionTime{150, 1000};
  tw.Flush({p2});
  // A third SSTable: an element older than the complex deletion (hidden),
  // a row written after the partition deletion, the newest static.
  auto p3 =
      Partition(b.Int(1), {RowU({b.Int(2)}, rd::kNoTimestamp,
                                {PathCell(kMap, 140, b.Int(1), b.Int(11))}),
                           RowU({b.Int(4)}, 200, {Live(kW, 200, b.Int(4))})});
  st.cells = {Live(kS, 300, b.Int(7))};
  p3.static_row = st;
  tw.Flush({p3});
  auto k = RowsOf(Lines(RenderTable(tw.Open(), 4000)), 1);
  std::vector<int> present;
  for (const auto& [c, r] : k) present.push_back(c);
  EXPECT_EQ(present, (std::vector<int>{2, 4}));
  EXPECT_EQ(k[2]["m"], json::parse(R"({"3": 30})"));
  EXPECT_EQ(k[2]["s"], 7);
  EXPECT_EQ(k[4]["w"], 4);
  EXPECT_TRUE(k[4]["v"].is_null());
}

TEST(TableMergeTest, RowDeletionsRegularAndShadowable) {
  Bytes b;
  TableWriter tw(KvSchema());
  tw.Flush({Partition(b.Int(1),
                      {RowU({b.Int(1)}, 100, {Live(kV, 100, b.Int(1))}),
                       RowU({b.Int(2)}, 100, {Live(kV, 100, b.Int(2))})})});
  // Row 1: a shadowable deletion at 150; row 2: a regular one at 150.
  auto p2 = Partition(b.Int(1), {RowU({b.Int(1)}, rd::kNoTimestamp, {}),
                                 RowU({b.Int(2)}, rd::kNoTimestamp, {})});
  p2.unfiltereds[0].row.deletion = {150, 1000};
  p2.unfiltereds[0].row.deletion_is_shadowable = true;
  p2.unfiltereds[1].row.deletion = {150, 1000};
  tw.Flush({p2});
  auto before = RowsOf(Lines(RenderTable(tw.Open(), 4000)), 1);
  EXPECT_TRUE(before.empty()) << before.size();
  // A newer row marker (200) shadows the shadowable deletion (the data of
  // 100 comes back: Row.Deletion.isShadowedBy) but not the regular one.
  tw.Flush({Partition(b.Int(1),
                      {RowU({b.Int(1)}, 200, {}), RowU({b.Int(2)}, 200, {})})});
  auto after = RowsOf(Lines(RenderTable(tw.Open(), 4000)), 1);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[1]["v"], 1);
  EXPECT_TRUE(after[2]["v"].is_null());
}

TEST(TableMergeTest, TtlExpiresAtNowAndActsAsTombstone) {
  Bytes b;
  TableWriter tw(KvSchema());
  tw.Flush({Partition(b.Int(1), {RowU({b.Int(1)}, 50, {Live(kV, 50, b.Int(5))}),
                                 RowU({b.Int(2)}, rd::kNoTimestamp,
                                      {Live(kV, 50, b.Int(5))})})});
  auto row = RowU({b.Int(1)}, 100, {Expiring(kV, 100, b.Int(1), 60, 1000)});
  row.row.liveness.ttl = 60;
  row.row.liveness.local_expiration_time = 1000;
  auto row2 = RowU({b.Int(2)}, 100, {Expiring(kV, 100, b.Int(1), 60, 1000)});
  row2.row.liveness.ttl = 60;
  row2.row.liveness.local_expiration_time = 1000;
  tw.Flush({Partition(b.Int(1), {row, row2})});
  auto live = RowsOf(Lines(RenderTable(tw.Open(), 999)), 1);
  ASSERT_EQ(live.size(), 2u);
  EXPECT_EQ(live[1]["v"], 1);
  // At now = expiry: the newer marker and cell are dead. Row 1 keeps no
  // live marker (the expired one of 100 supersedes the one of 50) and v's
  // expired cell hides the older 5: the row is gone. Row 2 never had
  // another marker: gone too.
  auto dead = RowsOf(Lines(RenderTable(tw.Open(), 1000)), 1);
  EXPECT_TRUE(dead.empty()) << dead.begin()->second.dump();
}

TEST(TableMergeTest, CountersMergeShardsThenSum) {
  Bytes b;
  writer::WriterSchema s;
  s.key_type = T("Int32Type");
  s.regulars = {{"c", T("CounterColumnType")}};
  TableWriter tw(s);
  // Shard A: global in both, clocks 1 and 2 -> the clock-2 count 7.
  // Shard B: local in both -> summed, 3 + 4. Shard C: remote, only in the
  // second -> 10. Total 24.
  tw.Flush(
      {Partition(
           b.Int(1),
           {RowU({}, 100,
                 {Live(0, 100, b.Counter({{1, 1, 5, 'g'}, {2, 2, 3, 'l'}}))})}),
       Partition(
           b.Int(2),
           {RowU({}, 100, {Live(0, 100, b.Counter({{1, 1, 5, 'g'}}))})})});
  tw.Flush({Partition(b.Int(1), {RowU({}, 200,
                                      {Live(0, 200,
                                            b.Counter({{1, 2, 7, 'g'},
                                                       {2, 1, 4, 'l'},
                                                       {3, 1, 10, 'r'}}))})}),
            // A counter tombstone wins whatever its timestamp.
            Partition(b.Int(2), {RowU({}, rd::kNoTimestamp, {Dead(0, 50)})})});
  auto rows = Lines(RenderTable(tw.Open(), 4000));
  auto k1 = RowsOf(rows, 1);
  auto k2 = RowsOf(rows, 2);
  ASSERT_EQ(k1.size(), 1u);
  EXPECT_EQ(k1[-1]["c"], 24);
  ASSERT_EQ(k2.size(), 1u);  // the row marker of 100 keeps the row
  EXPECT_TRUE(k2[-1]["c"].is_null());
}

TEST(TableMergeTest, ReversedClusteringMergesInDescendingOrder) {
  Bytes b;
  TableWriter tw(KvSchema(/*reversed=*/true));
  tw.Flush({Partition(b.Int(1),
                      {RowU({b.Int(9)}, 100, {Live(kV, 100, b.Int(9))}),
                       RowU({b.Int(5)}, 100, {Live(kV, 100, b.Int(5))}),
                       RowU({b.Int(1)}, 100, {Live(kV, 100, b.Int(1))})})});
  tw.Flush({Partition(b.Int(1),
                      {RowU({b.Int(7)}, 100, {Live(kV, 100, b.Int(7))}),
                       RowU({b.Int(5)}, 200, {Live(kV, 200, b.Int(55))}),
                       RowU({b.Int(2)}, 100, {Live(kV, 100, b.Int(2))})})});
  auto rows = Lines(RenderTable(tw.Open(), 4000));
  std::vector<int> order;
  for (const json& r : rows) order.push_back(r["clustering"]);
  EXPECT_EQ(order, (std::vector<int>{9, 7, 5, 2, 1}));
  EXPECT_EQ(rows[2]["v"], 55);
}

TEST(TableMergeTest, DroppedColumnsAreLeftOutAndReAddedOnesFiltered) {
  Bytes b;
  TableWriter tw(KvSchema());
  tw.Flush({Partition(
      b.Int(1),
      {RowU({b.Int(1)}, 100,
            {Live(kV, 100, b.Int(1)), Live(kW, 100, b.Int(1))}),
       RowU({b.Int(2)}, rd::kNoTimestamp, {Live(kV, 100, b.Int(2))})})});
  tw.Flush({Partition(b.Int(1),
                      {RowU({b.Int(3)}, 200, {Live(kW, 200, b.Int(3))})})});
  auto opened = tw.Open();
  // v dropped (not re-added); w dropped at 150 and re-added.
  rd::TableSchema schema = opened->schema();
  std::erase_if(schema.columns,
                [](const rd::SchemaColumn& c) { return c.name == "v"; });
  schema.dropped.push_back({"v", nullptr, 150, false});
  schema.dropped.push_back({"w", nullptr, 150, false});
  auto table = rd::Table::Open(opened->sstables(), schema);
  ASSERT_TRUE(table.ok());
  auto rows = Lines(RenderTable(*table, 4000));
  // Row 1 lives by its marker, without v and with its old w hidden; row 2
  // had only a v cell: gone; row 3's w was written after the re-add.
  auto k = RowsOf(rows, 1);
  ASSERT_EQ(k.size(), 2u) << rows.size();
  EXPECT_FALSE(k[1].contains("v"));
  EXPECT_TRUE(k[1]["w"].is_null());
  EXPECT_EQ(k[3]["w"], 3);
}

// Many partitions over three SSTables that share some keys.
std::unique_ptr<TableWriter> ChurnedTable(Bytes* b, int partitions = 60) {
  auto tw = std::make_unique<TableWriter>(KvSchema());
  for (int g = 0; g < 3; ++g) {
    std::vector<writer::PartitionData> parts;
    for (int k = 0; k < partitions; ++k) {
      if ((k + g) % 3 == 0) continue;
      std::vector<rd::Unfiltered> rows;
      for (int c = 0; c < 4; ++c) {
        rows.push_back(RowU({b->Int(c)}, 100 + g,
                            {Live(kV, 100 + g, b->Int(k * 100 + c * 10 + g))}));
      }
      parts.push_back(Partition(b->Int(k), rows));
    }
    tw->Flush(parts);
  }
  return tw;
}

TEST(TableMergeTest, CheckpointCursorResumesIdentically) {
  Bytes b;
  auto tw = ChurnedTable(&b);
  auto table = tw->Open();
  ASSERT_EQ(table->sstables().size(), 3u);
  rd::RowOptions o;
  o.now_seconds = 4000;
  // Uninterrupted: the output after each partition, and the cursors.
  std::vector<std::string> outputs;
  std::vector<rd::TableCursor> cursors;
  {
    std::string out;
    rd::StringSink sink(&out);
    auto w = rd::NewRowWriter(rd::RowFormat::kJsonLines, &sink);
    ASSERT_TRUE(w->Begin(table->schema()).ok());
    rd::MergedReader r(table, o);
    ASSERT_TRUE(r.SeekToFirst().ok());
    while (true) {
      cursors.push_back(r.cursor());
      ASSERT_TRUE(w->Flush().ok());
      outputs.push_back(out);
      auto more = r.Next(w.get(), nullptr);
      ASSERT_TRUE(more.ok());
      if (!*more) break;
    }
    ASSERT_TRUE(w->Finish().ok());
    outputs.back() = out;
  }
  ASSERT_EQ(cursors.size(), 61u);  // 60 partitions + the end
  const std::string full = outputs.back();
  for (size_t k = 0; k < cursors.size(); k += 7) {
    std::string rest;
    rd::StringSink sink(&rest);
    auto w = rd::NewRowWriter(rd::RowFormat::kJsonLines, &sink);
    ASSERT_TRUE(w->Begin(table->schema()).ok());
    rd::MergedReader r(table, o);
    ASSERT_TRUE(r.Seek(cursors[k]).ok());
    while (true) {
      auto more = r.Next(w.get(), nullptr);
      ASSERT_TRUE(more.ok());
      if (!*more) break;
    }
    ASSERT_TRUE(w->Finish().ok());
    EXPECT_EQ(outputs[k] + rest, full) << "cursor at partition " << k;
  }
  // Each row once, newest value (generation 2 wrote +2 where present).
  auto rows = Lines(full);
  EXPECT_EQ(rows.size(), 60u * 4u);
}

// Renders `table` whole, and piece by piece from each SplitTable cut to the
// next: the pieces joined must equal the whole, and every cut must be a
// partition boundary of the uninterrupted merge.
void ExpectSplitRendersIdentically(
    const std::shared_ptr<const rd::Table>& table, const rd::RowOptions& o) {
  std::string full;
  std::vector<rd::TableCursor> boundaries;
  {
    rd::StringSink sink(&full);
    auto w = rd::NewRowWriter(rd::RowFormat::kJsonLines, &sink);
    ASSERT_TRUE(w->Begin(table->schema()).ok());
    rd::MergedReader r(table, o);
    ASSERT_TRUE(r.SeekToFirst().ok());
    while (true) {
      boundaries.push_back(r.cursor());
      auto more = r.Next(w.get(), nullptr);
      ASSERT_TRUE(more.ok()) << more.status().ToString();
      if (!*more) break;
    }
    ASSERT_TRUE(w->Finish().ok());
  }
  for (size_t parts : {2, 3, 5, 8}) {
    auto cuts = rd::SplitTable(*table, parts, /*min_piece_bytes=*/1);
    ASSERT_TRUE(cuts.ok()) << cuts.status().ToString();
    ASSERT_GE(cuts->size(), 2u) << "not split into " << parts;
    ASSERT_LE(cuts->size(), parts);
    std::string joined;
    for (size_t i = 0; i < cuts->size(); ++i) {
      EXPECT_NE(std::find(boundaries.begin(), boundaries.end(), (*cuts)[i]),
                boundaries.end())
          << "cut " << i << " of " << parts << " is not a partition boundary";
      std::string piece;
      rd::StringSink sink(&piece);
      auto w = rd::NewRowWriter(rd::RowFormat::kJsonLines, &sink);
      ASSERT_TRUE(w->Begin(table->schema()).ok());
      ASSERT_TRUE(w->Flush().ok());
      if (i > 0) piece.clear();  // only piece 0 keeps a header
      rd::MergedReader r(table, o);
      ASSERT_TRUE(r.Seek((*cuts)[i]).ok());
      while (i + 1 == cuts->size() || !r.AtCursor((*cuts)[i + 1])) {
        auto more = r.Next(w.get(), nullptr);
        ASSERT_TRUE(more.ok());
        if (!*more) break;
      }
      ASSERT_TRUE(w->Flush().ok());
      joined += piece;
    }
    EXPECT_EQ(joined.size(), full.size()) << parts << " parts";
    EXPECT_TRUE(joined == full) << parts << " parts";
  }
}

TEST(TableMergeTest, SplitPiecesRenderLikeTheWholeTable) {
  Bytes b;
  // ~1000 partitions per SSTable: several Summary.db samples to cut at.
  auto tw = ChurnedTable(&b, 1500);
  rd::RowOptions o;
  o.now_seconds = 4000;
  ExpectSplitRendersIdentically(tw->Open(), o);
}

// Every corpus SSTable's Summary.db holds a single sample, so no corpus
// table can be cut: SplitTable must say so (one cut, the start) rather than
// invent boundaries. (Cuts are proven above on our writer's tables, whose
// Index.db and Summary.db are byte-identical to Cassandra's: see
// writer_fidelity_test.)
TEST(TableCorpusTest, SplitLeavesSingleSampleTablesWhole) {
  SSTFS_REQUIRE_CORPUS();
  auto t = OpenFolder(
      SSTableFolderUnder(CorpusDir() + "/scylla-misc/mixed_generation_type"));
  ASSERT_GE(t->sstables().size(), 2u);
  auto cuts = rd::SplitTable(*t, 8, /*min_piece_bytes=*/1);
  ASSERT_TRUE(cuts.ok()) << cuts.status().ToString();
  ASSERT_EQ(cuts->size(), 1u);
  EXPECT_EQ((*cuts)[0].data_positions,
            std::vector<uint64_t>(t->sstables().size(), 0));
}

// A damaged Index.db makes SplitTable fail with an error naming the file
// (the size pass then falls back to one sequential pass, which reports it),
// never crash or cut at a wrong place.
TEST(TableMergeTest, SplitOnTruncatedOrFlippedIndexFailsCleanly) {
  for (bool truncate : {true, false}) {
    Bytes b;
    auto tw = ChurnedTable(&b, 1500);
    std::string index;
    for (const auto& e : std::filesystem::directory_iterator(tw->dir())) {
      if (e.path().string().ends_with("2-big-Index.db")) index = e.path();
    }
    ASSERT_FALSE(index.empty());
    const auto size = std::filesystem::file_size(index);
    if (truncate) {
      std::filesystem::resize_file(index, size / 2 + 3);
    } else {
      std::fstream f(index, std::ios::in | std::ios::out | std::ios::binary);
      for (uint64_t off = 0; off < size; off += 97) {  // key lengths too
        f.seekp(static_cast<std::streamoff>(off));
        f.put(static_cast<char>(0xff));
      }
    }
    auto table = tw->Open();
    auto cuts = rd::SplitTable(*table, 8, /*min_piece_bytes=*/1);
    if (!cuts.ok()) {
      EXPECT_NE(cuts.status().message().find("Index.db"), std::string::npos)
          << cuts.status().ToString();
      continue;
    }
    // Whatever SplitTable still returns are partition boundaries of the
    // merge (which reads Data.db only).
    std::vector<rd::TableCursor> boundaries;
    rd::MergedReader r(table, rd::RowOptions());
    ASSERT_TRUE(r.SeekToFirst().ok());
    while (true) {
      boundaries.push_back(r.cursor());
      auto more = r.Next(nullptr, nullptr);
      ASSERT_TRUE(more.ok());
      if (!*more) break;
    }
    for (const rd::TableCursor& c : *cuts) {
      EXPECT_NE(std::find(boundaries.begin(), boundaries.end(), c),
                boundaries.end());
    }
  }
}

TEST(TableMergeTest, KeyListerAndSinglePartitionReads) {
  Bytes b;
  auto tw = ChurnedTable(&b);
  auto table = tw->Open();
  rd::MergedReader r(table, rd::RowOptions{4000});
  ASSERT_TRUE(r.SeekToFirst().ok());
  std::vector<std::string> keys;
  rd::PartitionSummary p;
  while (true) {
    auto more = r.Next(nullptr, &p);
    ASSERT_TRUE(more.ok());
    if (!*more) break;
    keys.push_back(p.key);
    EXPECT_EQ(p.live_rows, 4u);
  }
  rd::MergedKeyLister lister(table);
  ASSERT_TRUE(lister.SeekToFirst().ok());
  std::vector<std::string> listed;
  std::string k;
  while (true) {
    auto more = lister.Next(&k);
    ASSERT_TRUE(more.ok()) << more.status().message();
    if (!*more) break;
    listed.push_back(k);
  }
  EXPECT_EQ(listed, keys);
  // One partition through the indexes: the same rows as in the full merge.
  std::string all = RenderTable(table, 4000);
  std::string one;
  rd::StringSink sink(&one);
  auto w = rd::NewRowWriter(rd::RowFormat::kJsonLines, &sink);
  ASSERT_TRUE(w->Begin(table->schema()).ok());
  ASSERT_TRUE(rd::RenderPartitionRows(table, rd::ByteView(keys[5]),
                                      rd::RowOptions{4000}, w.get(), &p)
                  .ok());
  ASSERT_TRUE(w->Finish().ok());
  EXPECT_EQ(Lines(one).size(), 4u);
  EXPECT_NE(all.find(one), std::string::npos);
  EXPECT_EQ(p.sstables.size(), 2u);
  std::string absent = "\x7f\x7f\x7f\x7f";
  EXPECT_EQ(rd::RenderPartitionRows(table, rd::ByteView(absent),
                                    rd::RowOptions{4000}, w.get(), &p)
                .code(),
            rd::StatusCode::kNotFound);
}

TEST(TableMergeTest, DamagedSSTableStopsTheMergeWithItsError) {
  Bytes b;
  auto tw = ChurnedTable(&b);
  // Flip a byte in the middle of generation 2's Data.db (CRC.db catches it).
  const std::string data = tw->dir() + "/nb-2-big-Data.db";
  std::string bytes = *testing::ReadFileToString(data);
  bytes[bytes.size() / 2] ^= 0x5a;
  {
    std::FILE* f = std::fopen(data.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
  auto table = tw->Open();
  rd::MergedReader r(table, rd::RowOptions{4000});
  rd::Status st = r.SeekToFirst();
  int partitions = 0;
  while (st.ok()) {
    auto more = r.Next(nullptr, nullptr);
    if (!more.ok()) {
      st = more.status();
      break;
    }
    if (!*more) break;
    ++partitions;
  }
  EXPECT_EQ(st.code(), rd::StatusCode::kCorruption) << st.message();
  EXPECT_NE(st.message().find("nb-2-big"), std::string::npos) << st.message();
  EXPECT_LT(partitions, 60);
}

// Random tables (several seeds) against a brute-force model of the rules:
// distinct timestamps, so only "newest wins" and "deletion hides what is not
// newer" decide. Checks the k-way merge itself: every (key, clustering)
// reconciled once, in order, whatever the overlap of the SSTables.
TEST(TableMergeTest, RandomOverlapsMatchABruteForceModel) {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % n); };
    Bytes b;
    TableWriter tw(KvSchema());
    std::vector<int64_t> stamps(4000);
    for (size_t i = 0; i < stamps.size(); ++i) stamps[i] = 1000 + i;
    std::shuffle(stamps.begin(), stamps.end(), rng);
    size_t next_ts = 0;
    auto ts = [&] { return stamps[next_ts++]; };
    constexpr int kKeys = 12, kCks = 8;
    struct Version {
      int64_t ts;
      int value;  // -1: tombstone
    };
    // Model: per key: deletion times by ck (max), versions per (ck, col),
    // liveness per ck.
    std::map<int, std::map<int, int64_t>> del;  // key -> ck -> max deletion
    std::map<int, std::map<int, std::vector<Version>>> cells[2];
    std::map<int, std::map<int, int64_t>> marker;
    const int sstables = 2 + pick(3);
    for (int g = 0; g < sstables; ++g) {
      std::vector<writer::PartitionData> parts;
      for (int k = 0; k < kKeys; ++k) {
        if (pick(3) == 0) continue;
        std::vector<rd::Unfiltered> us;
        int rt_a = -1, rt_b = -1;
        int64_t rt_ts = 0;
        if (pick(3) == 0) {
          rt_a = pick(kCks);
          rt_b = rt_a + pick(kCks - rt_a);
          rt_ts = ts();
          for (int c = rt_a; c <= rt_b; ++c) {
            del[k][c] = std::max(del[k][c], rt_ts);
          }
        }
        for (int c = 0; c < kCks; ++c) {
          if (c == rt_a) {
            us.push_back(
                Marker(rd::BoundKind::kInclStartBound, b.Int(c), rt_ts));
          }
          if (pick(2) == 0) {
            std::vector<rd::Cell> cs;
            for (uint32_t col : {kV, kW}) {
              int what = pick(4);
              if (what == 0) continue;
              int64_t t = ts();
              if (what == 1) {
                cs.push_back(Dead(col, t));
                cells[col][k][c].push_back({t, -1});
              } else {
                int v = pick(1000);
                cs.push_back(Live(col, t, b.Int(v)));
                cells[col][k][c].push_back({t, v});
              }
            }
            int64_t lv = pick(2) ? ts() : rd::kNoTimestamp;
            if (lv != rd::kNoTimestamp) {
              marker[k][c] = std::max(marker[k][c], lv);
            }
            auto u = RowU({b.Int(c)}, lv, cs);
            if (pick(6) == 0) {
              int64_t d = ts();
              u.row.deletion = {d, 1000};
              del[k][c] = std::max(del[k][c], d);
            }
            if (!cs.empty() || lv != rd::kNoTimestamp ||
                !u.row.deletion.IsLive()) {
              us.push_back(u);
            }
          }
          if (c == rt_b) {
            us.push_back(Marker(rd::BoundKind::kInclEndBound, b.Int(c), rt_ts));
          }
        }
        auto p = Partition(b.Int(k), us);
        if (pick(8) == 0) {
          int64_t d = ts();
          p.deletion = {d, 1000};
          for (int c = 0; c < kCks; ++c) del[k][c] = std::max(del[k][c], d);
        }
        parts.push_back(p);
      }
      tw.Flush(parts);
    }
    // Expected rows: key -> ck -> (v, w) as JSON.
    std::map<int, std::map<int, json>> want;
    for (int k = 0; k < kKeys; ++k) {
      for (int c = 0; c < kCks; ++c) {
        const int64_t d = del[k].count(c) ? del[k][c] : 0;
        json row = {
            {"key", k}, {"clustering", c}, {"v", nullptr}, {"w", nullptr}};
        bool live = marker[k].count(c) && marker[k][c] > d;
        for (uint32_t col : {kV, kW}) {
          const auto& vs = cells[col][k][c];
          const Version* best = nullptr;
          for (const Version& v : vs) {
            if (best == nullptr || v.ts > best->ts) best = &v;
          }
          if (best != nullptr && best->ts > d && best->value >= 0) {
            row[col == kV ? "v" : "w"] = best->value;
            live = true;
          }
        }
        if (live) want[k][c] = row;
      }
    }
    auto table = tw.Open();
    auto rows = Lines(RenderTable(table, 4000));
    size_t expected_rows = 0;
    for (int k = 0; k < kKeys; ++k) {
      auto got = RowsOf(rows, k);
      expected_rows += want[k].size();
      ASSERT_EQ(got.size(), want[k].size()) << "key " << k;
      for (auto& [c, r] : want[k]) {
        EXPECT_EQ(got[c]["v"], r["v"]) << "key " << k << " ck " << c;
        EXPECT_EQ(got[c]["w"], r["w"]) << "key " << k << " ck " << c;
      }
    }
    EXPECT_EQ(rows.size(), expected_rows);
    // Token order, then clustering order.
    rd::Partitioner part;
    for (size_t i = 1; i < rows.size(); ++i) {
      rd::ByteView ka = b.Int(rows[i - 1]["key"].get<int>());
      rd::ByteView kb = b.Int(rows[i]["key"].get<int>());
      int cmp = part.CompareKeys(ka, kb);
      EXPECT_TRUE(cmp < 0 || (cmp == 0 && rows[i - 1]["clustering"].get<int>() <
                                              rows[i]["clustering"].get<int>()))
          << i;
    }
  }
}

// The generator's churn preset writes a data directory and, from its own
// independent model, the rows Cassandra's read path returns (expected/).
// Our merged rows must equal them byte for byte, at several seeds and sizes.
TEST(TableChurnTest, MergedRowsEqualTheGeneratorsOracle) {
  const std::string gen =
      std::string(SSTFS_BINARY_DIR) + "/tools/gen/sstablefs-gen";
  if (::access(gen.c_str(), X_OK) != 0) {
    if (testing::UnderCi()) FAIL() << gen << " is not built";
    GTEST_SKIP() << "build the sstablefs-gen target to run this test";
  }
  const std::string base = (std::filesystem::temp_directory_path() /
                            ("sstfs_churn_" + std::to_string(::getpid())))
                               .string();
  int compared = 0;
  for (const char* seed : {"1", "5", "23"}) {
    for (const char* size : {"0", "1M"}) {
      SCOPED_TRACE(std::string("seed ") + seed + " size " + size);
      const std::string out = base + "_" + seed + "_" + size;
      std::filesystem::remove_all(out);
      const std::string cmd = gen + " --preset churn --quiet --seed " + seed +
                              " --size " + size + " " + out;
      ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
      auto now = testing::ReadFileToString(out + "/expected/now.txt");
      ASSERT_TRUE(now.has_value());
      while (!now->empty() && now->back() == '\n') now->pop_back();
      for (const auto& e :
           std::filesystem::directory_iterator(out + "/expected")) {
        const std::string name = e.path().filename().string();
        const std::string suffix = ".rows.jsonl";
        if (!name.ends_with(suffix)) continue;
        // "gen_churn.items.rows.jsonl" -> table gen_churn.items
        const std::string table = name.substr(0, name.size() - suffix.size());
        auto want = testing::ReadFileToString(e.path().string());
        ASSERT_TRUE(want.has_value());
        auto r = testing::RunDumpCli(
            {out + "/data", "--rows", "--table", table, "--now", *now});
        EXPECT_EQ(r.code, 0) << r.err;
        EXPECT_EQ(r.out, *want) << table;
        ++compared;
      }
      std::filesystem::remove_all(out);
    }
  }
  EXPECT_GE(compared, 12);
}

}  // namespace
}  // namespace sstablefs
