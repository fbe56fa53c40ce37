// `sstablefs dump` (sstabledump-compatible JSON): the writer's pieces, the
// CLI on every readable corpus SSTable, key selection, and broken inputs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "reader/dump_json.h"
#include "reader/schema.h"
#include "tests/dump_cli_util.h"
#include "tests/test_util.h"
#include "writer/sstable_writer.h"
#include "writer/system_schema_writer.h"

namespace sstablefs {
namespace {

using nlohmann::json;
using reader::AppendDumpTime;
using testing::CorpusDir;
using testing::ExpectedSets;
using testing::RunDumpCli;

std::string Time(int64_t v, bool micros, bool raw = false) {
  std::string s;
  AppendDumpTime(v, micros, raw, &s);
  return s;
}

// Expectations from java.time.Instant.toString and TimeUnit arithmetic
// (and python's datetime for the calendar).
TEST(DumpTimeTest, FormatsAsJavaInstant) {
  EXPECT_EQ(Time(0, true), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Time(1551785032379079, true), "2019-03-05T11:23:52.379079Z");
  EXPECT_EQ(Time(1551785032379000, true), "2019-03-05T11:23:52.379Z");
  EXPECT_EQ(Time(1529586065, false), "2018-06-21T13:01:05Z");
  EXPECT_EQ(Time(1, true), "1970-01-01T00:00:00.000001Z");
  // TimeUnit.toSeconds truncates toward zero, floorMod keeps nanos >= 0.
  EXPECT_EQ(Time(-1, true), "1970-01-01T00:00:00.999999Z");
  EXPECT_EQ(Time(-86400, false), "1969-12-31T00:00:00Z");
  // Beyond 2262 TimeUnit.toNanos saturates at Long.MAX_VALUE, whose value
  // modulo one second (854775807 ns) Cassandra then prints as the fraction.
  EXPECT_EQ(Time(253402300800, false), "+10000-01-01T00:00:00.854775807Z");
  EXPECT_EQ(Time(9223372036, false), "2262-04-11T23:47:16Z");
  EXPECT_EQ(Time(1551785032379079, true, true), "1551785032379079");
  EXPECT_EQ(Time(2147483647, false), "2038-01-19T03:14:07Z");
}

TEST(DumpJsonTest, QuotesIdentifiersAsToCqlString) {
  EXPECT_EQ(reader::CqlQuoteIdentifier("val"), "val");
  EXPECT_EQ(reader::CqlQuoteIdentifier("v_1"), "v_1");
  EXPECT_EQ(reader::CqlQuoteIdentifier("Val"), "\"Val\"");
  EXPECT_EQ(reader::CqlQuoteIdentifier("1a"), "\"1a\"");
  EXPECT_EQ(reader::CqlQuoteIdentifier("select"), "\"select\"");
  EXPECT_EQ(reader::CqlQuoteIdentifier("a\"b"), "\"a\"\"b\"");
}

TEST(DumpCliTest, UsageErrors) {
  EXPECT_EQ(RunDumpCli({}).code, 2);
  EXPECT_EQ(RunDumpCli({"a", "b"}).code, 2);
  EXPECT_EQ(RunDumpCli({"a", "--bogus"}).code, 2);
  EXPECT_EQ(RunDumpCli({"a", "--rows", "--csv"}).code, 2);
  EXPECT_EQ(RunDumpCli({"a", "--rows", "-k", "1"}).code, 2);
  EXPECT_EQ(RunDumpCli({"a", "-k"}).code, 2);
  EXPECT_EQ(RunDumpCli({"a", "--now", "yesterday"}).code, 2);
  auto help = RunDumpCli({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--rows"), std::string::npos);
  auto missing = RunDumpCli({"/nonexistent/nb-1-big-Data.db"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("sstablefs: /nonexistent/nb-1-big-"),
            std::string::npos)
      << missing.err;
}

// The key arrays of a dump, in output order.
std::vector<json> Keys(const json& dump) {
  std::vector<json> keys;
  for (const auto& p : dump) keys.push_back(p["partition"]["key"]);
  return keys;
}

std::string KeyArg(const json& key) {
  std::string s;
  for (size_t i = 0; i < key.size(); ++i) {
    if (i > 0) s += ":";
    s += key[i].get<std::string>();
  }
  return s;
}

TEST(DumpCorpusTest, DumpsEveryReadableSSTable) {
  SSTFS_REQUIRE_CORPUS();
  int dumped = 0;
  for (const auto& set : ExpectedSets()) {
    if (testing::IsBrokenSet(set)) continue;
    auto files = testing::ReadableDataFiles(set);
    for (const std::string& file : files) {
      SCOPED_TRACE(file);
      auto r = RunDumpCli({file});
      ASSERT_EQ(r.code, 0) << r.err;
      json dump = json::parse(r.out, nullptr, false);
      ASSERT_FALSE(dump.is_discarded()) << r.out.substr(0, 2000);
      ASSERT_TRUE(dump.is_array());
      ++dumped;
      for (const auto& p : dump) {
        EXPECT_EQ(p["table kind"], "REGULAR");
        EXPECT_TRUE(p["partition"]["position"].is_number_unsigned());
        for (const auto& row : p["rows"]) {
          std::string type = row["type"];
          EXPECT_TRUE(type == "row" || type == "static_block" ||
                      type == "range_tombstone_bound" ||
                      type == "range_tombstone_boundary")
              << type;
        }
      }
      if (files.size() != 1 || set["sstable_count"] != 1) continue;
      if (set["partitions"].is_number()) {
        EXPECT_EQ(dump.size(), set["partitions"].get<size_t>());
      }
      if (set.contains("partition_order") &&
          set["partition_order"].is_array()) {
        std::vector<json> keys = Keys(dump);
        ASSERT_EQ(keys.size(), set["partition_order"].size());
        for (size_t i = 0; i < keys.size(); ++i) {
          auto want = testing::LiteralComponents(set["partition_order"][i]);
          EXPECT_EQ(keys[i], json(want)) << "partition " << i;
        }
      }
    }
  }
  EXPECT_GT(dumped, 100);
}

// Exact Jackson layout, derived from JsonTransformer for the first partition
// of scylla-3x simple: pk int 5 -> header 2 + 4 + 12 bytes, so both the
// partition and its first row are at offset 18; one cell whose timestamp is
// the row's, so no "tstamp" in the cell.
TEST(DumpCorpusTest, LayoutMatchesSstabledump) {
  SSTFS_REQUIRE_CORPUS();
  auto r = RunDumpCli(
      {CorpusDir() + "/scylla-3x/uncompressed/simple/mc-1-big-Data.db"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string head =
      "[\n"
      "  {\n"
      "    \"table kind\" : \"REGULAR\",\n"
      "    \"partition\" : {\n"
      "      \"key\" : [ \"5\" ],\n"
      "      \"position\" : 18\n"
      "    },\n"
      "    \"rows\" : [\n"
      "      {\n"
      "        \"type\" : \"row\",\n"
      "        \"position\" : 18,\n"
      "        \"clustering\" : [ 105 ],\n"
      "        \"liveness_info\" : { \"tstamp\" : \"";
  EXPECT_EQ(r.out.substr(0, head.size()), head);
  const std::string cells =
      "\" },\n"
      "        \"cells\" : [\n"
      "          { \"name\" : \"val\", \"value\" : 1005 }\n"
      "        ]\n"
      "      }\n"
      "    ]\n"
      "  },\n"
      "  {\n";
  EXPECT_NE(r.out.find(cells), std::string::npos) << r.out.substr(0, 600);
  EXPECT_EQ(r.out.substr(r.out.size() - 6), "  }\n]\n");
}

// A tombstone cell: after its compact deletion_info the object indenter is
// no longer compact, so "tstamp" goes on its own line (JsonTransformer).
TEST(DumpCorpusTest, TombstoneCellLayout) {
  SSTFS_REQUIRE_CORPUS();
  auto r = RunDumpCli(
      {CorpusDir() + "/scylla-3x/uncompressed/deleted_cells/mc-1-big-Data.db"});
  ASSERT_EQ(r.code, 0) << r.err;
  // Facts: ck 102 deleted at 1529586065552460, local deletion 1529586065.
  const std::string cell =
      "{ \"name\" : \"val\", \"deletion_info\" : { \"local_delete_time\" : "
      "\"2018-06-21T13:01:05Z\" },\n"
      "            \"tstamp\" : \"2018-06-21T13:01:05.552460Z\"\n"
      "          }";
  EXPECT_NE(r.out.find(cell), std::string::npos) << r.out;
  auto raw = RunDumpCli(
      {CorpusDir() + "/scylla-3x/uncompressed/deleted_cells/mc-1-big-Data.db",
       "-t"});
  EXPECT_NE(raw.out.find("\"tstamp\" : \"1529586065552460\""),
            std::string::npos);
}

struct KeySet {
  std::string file;
  std::vector<json> keys;
  json dump;  // the full dump
};

// Single-SSTable sets with a few partitions, with their dumped keys.
std::vector<KeySet> SmallSets() {
  std::vector<KeySet> out;
  for (const auto& set : ExpectedSets()) {
    if (testing::IsBrokenSet(set) || set["sstable_count"] != 1) continue;
    if (!set["partitions"].is_number() || set["partitions"] > 20) continue;
    auto files = testing::ReadableDataFiles(set);
    if (files.size() != 1) continue;
    auto r = RunDumpCli({files[0]});
    if (r.code != 0) continue;
    json dump = json::parse(r.out);
    out.push_back({files[0], Keys(dump), dump});
  }
  return out;
}

TEST(DumpCorpusTest, IncludeExcludeEnumerate) {
  SSTFS_REQUIRE_CORPUS();
  auto sets = SmallSets();
  ASSERT_GT(sets.size(), 30u);
  for (const KeySet& s : sets) {
    SCOPED_TRACE(s.file);
    for (const json& key : s.keys) {
      auto r = RunDumpCli({s.file, "-k", KeyArg(key)});
      ASSERT_EQ(r.code, 0) << r.err;
      json d = json::parse(r.out);
      ASSERT_EQ(d.size(), 1u) << KeyArg(key);
      EXPECT_EQ(d[0]["partition"]["key"], key);
      // Found through the index, printed exactly as in the full scan
      // (positions included).
      size_t i = std::find(s.keys.begin(), s.keys.end(), key) - s.keys.begin();
      EXPECT_EQ(d[0], s.dump[i]);
    }
    // All keys at once (given in reverse): Data.db order comes back.
    std::vector<std::string> args = {s.file};
    for (auto k = s.keys.rbegin(); k != s.keys.rend(); ++k) {
      args.push_back("-k");
      args.push_back(KeyArg(*k));
    }
    auto all = RunDumpCli(args);
    ASSERT_EQ(all.code, 0) << all.err;
    EXPECT_EQ(Keys(json::parse(all.out)), s.keys);

    auto x = RunDumpCli({s.file, "-x", KeyArg(s.keys[0])});
    ASSERT_EQ(x.code, 0) << x.err;
    std::vector<json> rest(s.keys.begin() + 1, s.keys.end());
    EXPECT_EQ(Keys(json::parse(x.out)), rest);

    auto e = RunDumpCli({s.file, "-e"});
    ASSERT_EQ(e.code, 0) << e.err;
    json ek = json::parse(e.out);
    EXPECT_EQ(ek, json(s.keys));
    // keysToJson layout: the array indenter is compact while each key
    // array starts (serializePartitionKey sets it before writeStartArray),
    // so keys follow each other on one line: `[ [ "k1" ], [ "k2" ]\n]`.
    EXPECT_EQ(e.out.substr(0, 4), "[ [ ");
    EXPECT_EQ(e.out.substr(e.out.size() - 5), " ]\n]\n");
    if (s.keys.size() > 1) {
      EXPECT_NE(e.out.find(" ], [ "), std::string::npos) << e.out;
    }

    auto l = RunDumpCli({s.file, "-l"});
    ASSERT_EQ(l.code, 0) << l.err;
    std::istringstream lines(l.out);
    std::string line;
    std::vector<json> lkeys;
    while (std::getline(lines, line)) {
      json doc = json::parse(line, nullptr, false);
      ASSERT_FALSE(doc.is_discarded()) << line;
      EXPECT_EQ(line.find(": "), std::string::npos);  // minimal printer
      lkeys.push_back(doc["partition"]["key"]);
    }
    EXPECT_EQ(lkeys, s.keys);
  }
}

TEST(DumpCorpusTest, AbsentAndInvalidKeys) {
  SSTFS_REQUIRE_CORPUS();
  std::string file =
      CorpusDir() + "/scylla-3x/uncompressed/simple/mc-1-big-Data.db";
  auto absent = RunDumpCli({file, "-k", "424242"});
  EXPECT_EQ(absent.code, 0) << absent.err;
  EXPECT_EQ(json::parse(absent.out).size(), 0u);
  EXPECT_EQ(absent.out, "[ ]\n");
  auto bad = RunDumpCli({file, "-k", "not-an-int"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("not-an-int"), std::string::npos);
}

TEST(DumpCorpusTest, BrokenInputsExit2NamingTheFile) {
  SSTFS_REQUIRE_CORPUS();
  const std::string c = CorpusDir();
  struct Case {
    std::vector<std::string> args;
    std::string must_name;
  };
  std::vector<Case> cases = {
      {{c + "/scylla-3x/uncompressed/integrity_check/invalid_checksums/"
            "me-1-big-Data.db"},
       "me-1-big"},
      {{c + "/scylla-3x/lz4/integrity_check/invalid_checksums/"
            "me-1-big-Data.db"},
       "me-1-big"},
      {{c + "/malformed/invalid_boundary/mc-33-big-Data.db"}, "mc-33-big"},
      {{c + "/malformed/empty_index/mc-36-big-Data.db", "-k", "42"},
       "mc-36-big"},
      {{c + "/malformed/bad_column_name/la-58-big-Data.db"}, "la-58-big"},
      {{c + "/malformed/broken_ranges/la-2-big-Data.db"}, "la-2-big"},
      {{c + "/malformed/badcompression/la-1-big-TOC.txt"}, "la-1-big"},
      {{c + "/cassandra-legacy/na/legacy_tables/legacy_na_simple/"
            "na-1-bti-Data.db"},
       "na-1-bti"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.args[0]);
    auto r = RunDumpCli(k.args);
    EXPECT_EQ(r.code, 2) << r.out.substr(0, 300);
    EXPECT_EQ(r.err.rfind("sstablefs: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(k.must_name), std::string::npos) << r.err;
  }
  // The index is the damaged part: the message names Index.db, once.
  auto idx =
      RunDumpCli({c + "/malformed/empty_index/mc-36-big-Data.db", "-k", "42"});
  EXPECT_NE(idx.err.find("mc-36-big-Index.db"), std::string::npos) << idx.err;
  EXPECT_EQ(idx.err.find("Data.db"), std::string::npos) << idx.err;
  auto la = RunDumpCli({c + "/malformed/bad_column_name/la-58-big-Data.db"});
  EXPECT_NE(la.err.find("unsupported format la"), std::string::npos) << la.err;
}

TEST(DumpCorpusTest, FolderNeedsRowsOrCsv) {
  SSTFS_REQUIRE_CORPUS();
  auto r = RunDumpCli({CorpusDir() + "/scylla-3x/uncompressed/simple"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--rows"), std::string::npos);
}

// --- dump --rows / --csv on a table of several SSTables --------------------

std::string Int(int32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i)
    s[i] = static_cast<char>(uint32_t(v) >> (24 - 8 * i));
  return s;
}

// <root>/data/shop/orders-<id>/ with two SSTables of the header columns qty
// and old; `system_schema` adds the keyspace with real names, where `old`
// was dropped at 150.
struct ShopData {
  std::string root;
  std::string data;
  std::string table_dir;
  explicit ShopData(bool system_schema) {
    root = (std::filesystem::temp_directory_path() /
            ("sstfs_dump_rows_" + std::to_string(::getpid()) +
             (system_schema ? "_s" : "_n")))
               .string();
    std::filesystem::remove_all(root);
    data = root + "/data";
    table_dir = data + "/shop/orders-0123456789abcdef0123456789abcdef";
    std::filesystem::create_directories(table_dir);
    const std::string m = "org.apache.cassandra.db.marshal.";
    writer::WriterSchema ws;
    ws.key_type = m + "Int32Type";
    ws.clustering_types = {m + "Int32Type"};
    ws.regulars = {{"old", m + "Int32Type"}, {"qty", m + "Int32Type"}};
    std::string one = Int(1);
    for (int gen = 1; gen <= 2; ++gen) {
      writer::PartitionData p;
      p.key = one;
      reader::Unfiltered u;
      u.row.clustering.values.push_back(reader::ByteView(one));
      u.row.liveness.timestamp = 100 * gen;
      std::string qty = Int(4 + gen);
      if (gen == 1) {
        reader::Cell old;
        old.column = 0;
        old.timestamp = 100;
        old.value = reader::ByteView(one);
        u.row.cells.push_back(old);
      }
      reader::Cell q;
      q.column = 1;
      q.timestamp = 100 * gen;
      q.value = reader::ByteView(qty);
      u.row.cells.push_back(q);
      p.unfiltereds.push_back(u);
      writer::WriterOptions o;
      o.generation = std::to_string(gen);
      auto w = writer::SSTableWriter::Create(table_dir, ws, o);
      EXPECT_TRUE(w.ok());
      EXPECT_TRUE((*w)->Add(p).ok());
      EXPECT_TRUE((*w)->Finish().ok());
    }
    if (!system_schema) return;
    reader::CqlTableDef def;
    def.keyspace = "shop";
    def.table = "orders";
    def.id = "0123456789abcdef0123456789abcdef";
    auto int_type = reader::SimpleType(reader::TypeKind::kInt);
    using K = reader::CqlColumnDef::Kind;
    def.columns = {{"order_id", int_type, K::kPartitionKey, 0},
                   {"line", int_type, K::kClustering, 0},
                   {"qty", int_type, K::kRegular, 0}};
    def.dropped = {{"old", int_type, 150, false}};
    EXPECT_TRUE(writer::WriteSystemSchema(data, {def}, {}).ok());
  }
  ~ShopData() { std::filesystem::remove_all(root); }
};

TEST(DumpRowsTest, DataDirectoryMergesWithSystemSchemaNames) {
  ShopData d(/*system_schema=*/true);
  // The newer qty (6) wins; old was dropped; names from system_schema.
  const std::string want = "{\"order_id\": 1, \"line\": 1, \"qty\": 6}\n";
  auto r = RunDumpCli({d.data, "--rows", "--table", "shop.orders"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, want) << r.err;
  // The table folder finds system_schema two levels up.
  auto t = RunDumpCli({d.table_dir, "--csv"});
  EXPECT_EQ(t.code, 0) << t.err;
  EXPECT_EQ(t.out, "order_id,line,qty\n1,1,6\n");
  // Without --table, a data directory lists its tables.
  auto n = RunDumpCli({d.data, "--rows"});
  EXPECT_EQ(n.code, 2);
  EXPECT_NE(n.err.find("shop.orders"), std::string::npos) << n.err;
  auto u = RunDumpCli({d.data, "--rows", "--table", "shop.nothing"});
  EXPECT_EQ(u.code, 2);
  EXPECT_NE(u.err.find("no table shop.nothing"), std::string::npos) << u.err;
}

TEST(DumpRowsTest, SchemaFileNamesColumnsElseHeaderNames) {
  ShopData d(/*system_schema=*/false);
  auto plain = RunDumpCli({d.table_dir, "--csv"});
  EXPECT_EQ(plain.code, 0) << plain.err;
  EXPECT_EQ(plain.out, "key,clustering,old,qty\n1,1,1,6\n");
  const std::string cql = d.root + "/schema.cql";
  std::ofstream(cql) << "CREATE TABLE shop.orders (order_id int, line int, "
                        "qty int, old int, PRIMARY KEY (order_id, line));\n";
  auto named = RunDumpCli({d.table_dir, "--csv", "--schema", cql});
  EXPECT_EQ(named.code, 0) << named.err;
  EXPECT_EQ(named.out, "order_id,line,old,qty\n1,1,1,6\n");
}

}  // namespace
}  // namespace sstablefs
