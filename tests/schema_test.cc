// Schema recovery (SPEC §5): CQL type text, the CREATE TYPE / CREATE TABLE
// parser, ResolveTableSchema against the corpus SSTable headers (every
// expected.json "schema_cql"), RenderSchemaCql round trips, and
// system_schema SSTables written with the project's writer and read back.
#include "reader/schema.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reader/cql_type_text.h"
#include "reader/descriptor.h"
#include "reader/partitioner.h"
#include "reader/sstable.h"
#include "tests/test_util.h"
#include "writer/sstable_writer.h"
#include "writer/system_schema_writer.h"

namespace sstablefs::reader {
namespace {

using testing::CorpusDir;

CqlTypePtr Cql(std::string_view text) {
  auto t = ParseCqlTypeText(text, "ks", nullptr, nullptr);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status().ToString();
  return t.ok() ? *t : nullptr;
}

CqlTypePtr Marshal(std::string_view text) {
  auto t = ParseMarshalType(text);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status().ToString();
  return t.ok() ? *t : nullptr;
}

// Structural equality including every frozen flag (stricter than
// SameCqlType, which only looks at collections and UDTs).
bool Identical(const CqlType& a, const CqlType& b) {
  if (a.kind != b.kind || a.frozen != b.frozen || a.reversed != b.reversed ||
      a.params.size() != b.params.size() || a.udt_name != b.udt_name ||
      a.field_names != b.field_names ||
      a.vector_dimension != b.vector_dimension) {
    return false;
  }
  for (size_t i = 0; i < a.params.size(); ++i) {
    if (!Identical(*a.params[i], *b.params[i])) return false;
  }
  return true;
}

// --- CQL type text -----------------------------------------------------------

TEST(CqlTypeText, MatchesMarshalTypes) {
  const std::pair<const char*, const char*> cases[] = {
      {"text", "UTF8Type"},
      {"varchar", "UTF8Type"},
      {"bigint", "LongType"},
      {"counter", "CounterColumnType"},
      {"map<text, frozen<list<int>>>",
       "MapType(UTF8Type,FrozenType(ListType(Int32Type)))"},
      {"frozen<map<text, text>>", "FrozenType(MapType(UTF8Type,UTF8Type))"},
      {"set<timeuuid>", "SetType(TimeUUIDType)"},
      {"list<frozen<set<blob>>>", "ListType(FrozenType(SetType(BytesType)))"},
      {"tuple<int, text, frozen<list<double>>>",
       "TupleType(Int32Type,UTF8Type,FrozenType(ListType(DoubleType)))"},
      {"frozen<tuple<int, text>>", "FrozenType(TupleType(Int32Type,UTF8Type))"},
      {"vector<float, 3>", "VectorType(FloatType,3)"},
      {"'org.apache.cassandra.db.marshal.DateType'", "DateType"},
      {"duration", "DurationType"},
      {"empty", "EmptyType"},
  };
  for (const auto& [cql, marshal] : cases) {
    CqlTypePtr a = Cql(cql);
    CqlTypePtr b = Marshal(marshal);
    ASSERT_TRUE(a && b);
    EXPECT_TRUE(Identical(*a, *b)) << cql << " vs " << marshal;
    EXPECT_TRUE(SameCqlType(*a, *b)) << cql;
  }
  // Non-frozen vs frozen collections differ.
  EXPECT_FALSE(SameCqlType(*Cql("list<int>"), *Cql("frozen<list<int>>")));
  EXPECT_FALSE(SameCqlType(*Cql("int"), *Cql("bigint")));
}

TEST(CqlTypeText, ResolvesUdtsLikeTheHeader) {
  // address (street text, "Zip" int, tags frozen<set<text>>) in ks.
  const std::string marshal =
      "UserType(ks,61646472657373,737472656574:UTF8Type,5a6970:Int32Type,"
      "74616773:FrozenType(SetType(UTF8Type)))";
  auto def = std::make_shared<CqlType>(**ParseMarshalType(marshal));
  UdtResolver resolver = [&](std::string_view ks, std::string_view name) {
    return ks == "ks" && name == "address" ? CqlTypePtr(def) : nullptr;
  };
  std::vector<std::string> warnings;
  auto t = ParseCqlTypeText("frozen<address>", "ks", resolver, &warnings);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(
      Identical(**t, **ParseMarshalType("FrozenType(" + marshal + ")")));
  auto multi = ParseCqlTypeText("ks.address", "other", resolver, &warnings);
  ASSERT_TRUE(multi.ok());
  EXPECT_TRUE((*multi)->IsMultiCell());
  EXPECT_TRUE(warnings.empty());
  auto unknown = ParseCqlTypeText("frozen<nope>", "ks", resolver, &warnings);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ((*unknown)->kind, TypeKind::kUdt);
  EXPECT_EQ(warnings.size(), 1u);
}

TEST(CqlTypeText, RendersWhatItParses) {
  for (const char* text :
       {"map<text, frozen<list<int>>>", "frozen<tuple<int, text>>",
        "vector<float, 3>", "set<frozen<map<int, blob>>>", "list<varint>",
        "frozen<list<frozen<tuple<date, time>>>>"}) {
    CqlTypePtr t = Cql(text);
    ASSERT_TRUE(t);
    std::string rendered = CqlTypeToCql(*t);
    CqlTypePtr again = Cql(rendered);
    ASSERT_TRUE(again) << rendered;
    EXPECT_TRUE(Identical(*t, *again)) << text << " -> " << rendered;
  }
  EXPECT_EQ(CqlTypeToCql(*Cql("map<text, frozen<list<int>>>")),
            "map<text, frozen<list<int>>>");
}

TEST(CqlTypeText, RejectsBrokenTypes) {
  for (const char* text :
       {"map<text>", "list<int", "vector<float>", "vector<float, 0>",
        "frozen<>", "<int>", "int int", "'NoSuchType(('"}) {
    auto t = ParseCqlTypeText(text, "ks", nullptr, nullptr);
    EXPECT_FALSE(t.ok()) << text;
  }
}

TEST(CqlTypeText, QuotesIdentifiers) {
  EXPECT_EQ(MaybeQuoteIdentifier("val"), "val");
  EXPECT_EQ(MaybeQuoteIdentifier("Val"), "\"Val\"");
  EXPECT_EQ(MaybeQuoteIdentifier("select"), "\"select\"");
  EXPECT_EQ(MaybeQuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(MaybeQuoteIdentifier("1a"), "\"1a\"");
  EXPECT_EQ(MaybeQuoteIdentifier(""), "\"\"");
}

// --- The statement parser
// ------------------------------------------------------

// schema.cql parses back to the same TableSchema (defined below).
void ExpectRoundTrip(const TableSchema& s, const std::string& what);

const CqlColumnDef* Column(const CqlTableDef& t, std::string_view name) {
  for (const CqlColumnDef& c : t.columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

constexpr const char* kRichSchema = R"(
-- a comment with a ; in it
CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy',
  'replication_factor': '1'} AND durable_writes = true;
USE shop;
/* block comment; CREATE TABLE nope (a int PRIMARY KEY); */
CREATE TYPE IF NOT EXISTS shop."Line" (qty int, price decimal);
CREATE TYPE shop.address (
    street text,   // inline comment
    "Zip" int,
    lines frozen<list<frozen<"Line">>>
);
CREATE TABLE IF NOT EXISTS shop."Orders" (
    "Customer" text,
    region int,
    day date,
    seq timeuuid,
    ship frozen<address>,
    bill address,
    notes map<text, frozen<list<int>>>,
    pair tuple<int, text>,
    emb vector<float, 3>,
    total counter,
    s text static,
    PRIMARY KEY (("Customer", region), day, seq)
) WITH CLUSTERING ORDER BY (day DESC, seq ASC)
    AND comment = 'it''s ours'
    AND compaction = {'class': 'SizeTieredCompactionStrategy'}
    AND ID = 5bc52802-de25-35ed-aeab-188eecebb090
    AND gc_grace_seconds = 864000;
CREATE INDEX orders_idx ON shop."Orders" (region);
CREATE TABLE other.kv (k blob PRIMARY KEY, v text) WITH COMPACT STORAGE;
ALTER TABLE shop."Orders" DROP pair USING TIMESTAMP 1700000000000000;
ALTER TABLE shop."Orders" ADD extra set<int>;
ALTER TABLE shop."Orders" WITH comment = 'x';
)";

TEST(CqlParser, ParsesARichSchema) {
  auto cat = SchemaCatalog::FromCql(kRichSchema, "rich.cql", "dflt");
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  EXPECT_EQ(cat->source(), SchemaSource::kOptionCql);
  EXPECT_TRUE(cat->warnings().empty()) << cat->warnings()[0];
  ASSERT_EQ(cat->types().size(), 2u);
  const CqlTableDef* t = cat->FindTable("shop", "Orders");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->id, "5bc52802de2535edaeab188eecebb090");
  EXPECT_EQ(t->origin, "schema file rich.cql");
  EXPECT_FALSE(t->compact_storage);
  ASSERT_EQ(t->options.size(), 3u);
  EXPECT_EQ(t->options[0], "comment = 'it''s ours'");
  EXPECT_EQ(t->options[2], "gc_grace_seconds = 864000");

  const CqlColumnDef* c = Column(*t, "Customer");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->kind, CqlColumnDef::Kind::kPartitionKey);
  EXPECT_EQ(c->position, 0);
  EXPECT_EQ(Column(*t, "region")->position, 1);
  EXPECT_EQ(Column(*t, "day")->kind, CqlColumnDef::Kind::kClustering);
  EXPECT_TRUE(Column(*t, "day")->type->reversed);
  EXPECT_FALSE(Column(*t, "seq")->type->reversed);
  EXPECT_EQ(Column(*t, "seq")->position, 1);
  EXPECT_EQ(Column(*t, "s")->kind, CqlColumnDef::Kind::kStatic);
  EXPECT_EQ(Column(*t, "total")->type->kind, TypeKind::kCounter);

  const CqlType& ship = *Column(*t, "ship")->type;
  EXPECT_EQ(ship.kind, TypeKind::kUdt);
  EXPECT_TRUE(ship.frozen);
  EXPECT_EQ(ship.field_names,
            (std::vector<std::string>{"street", "Zip", "lines"}));
  const CqlType& line = *ship.params[2]->params[0];
  EXPECT_EQ(line.udt_name, "Line");
  EXPECT_EQ(line.field_names, (std::vector<std::string>{"qty", "price"}));
  EXPECT_TRUE(Column(*t, "bill")->type->IsMultiCell());
  EXPECT_EQ(Column(*t, "emb")->type->vector_dimension, 3);

  // ALTERs: pair dropped with its time and type, extra added.
  EXPECT_EQ(Column(*t, "pair"), nullptr);
  ASSERT_EQ(t->dropped.size(), 1u);
  EXPECT_EQ(t->dropped[0].name, "pair");
  EXPECT_EQ(t->dropped[0].dropped_time_micros, 1700000000000000);
  EXPECT_EQ(t->dropped[0].type->kind, TypeKind::kTuple);
  ASSERT_NE(Column(*t, "extra"), nullptr);

  const CqlTableDef* kv = cat->FindTable("other", "kv");
  ASSERT_NE(kv, nullptr);
  EXPECT_TRUE(kv->compact_storage);
  EXPECT_EQ(cat->FindTable("dflt", "nope"), nullptr);
}

// The shape of a Cassandra 4.x snapshot's schema.cql
// (SchemaCQLHelper.reCreateStatementsForSchemaCql): UDTs, CREATE TABLE IF
// NOT EXISTS with WITH ID and every option, dropped columns listed in the
// CREATE and dropped with ALTER ... USING TIMESTAMP, a re-added column, an
// index.
constexpr const char* kSnapshotSchema =
    "CREATE TYPE IF NOT EXISTS ks.pt (\n\tx double,\n\ty double\n);\n"
    "CREATE TABLE IF NOT EXISTS ks.events (\n"
    "\tid uuid,\n\tts timestamp,\n\twhere frozen<pt>,\n"
    "\tpayload text,\n\told_col int,\n\tre int,\n"
    "\tPRIMARY KEY (id, ts))\n"
    "\tWITH ID = 0e8e3f40-1b33-11ef-9d4e-31d8d47c3c5f\n"
    "\tAND CLUSTERING ORDER BY (ts DESC)\n"
    "\tAND additional_write_policy = '99p'\n"
    "\tAND bloom_filter_fp_chance = 0.01\n"
    "\tAND caching = { 'keys' : 'ALL', 'rows_per_partition' : 'NONE' }\n"
    "\tAND cdc = false\n"
    "\tAND comment = ''\n"
    "\tAND compaction = { 'class' : "
    "'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', "
    "'max_threshold' : 32, 'min_threshold' : 4 }\n"
    "\tAND extensions = {}\n"
    "\tAND memtable = 'default'\n"
    "\tAND speculative_retry = '99p';\n"
    "ALTER TABLE ks.events DROP old_col USING TIMESTAMP 1716540000000000;\n"
    "ALTER TABLE ks.events DROP re USING TIMESTAMP 1716540000000001;\n"
    "ALTER TABLE ks.events ADD re int;\n"
    "CREATE INDEX IF NOT EXISTS events_payload ON ks.events (payload);\n";

TEST(CqlParser, ParsesASnapshotSchemaCql) {
  auto path = std::filesystem::temp_directory_path() /
              ("sstfs_schema_cql_" + std::to_string(::getpid()) + ".cql");
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(kSnapshotSchema, f);
    std::fclose(f);
  }
  auto cat = SchemaCatalog::FromCqlFile(path.string(), "ks",
                                        SchemaSource::kSnapshotCql);
  std::filesystem::remove(path);
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  EXPECT_TRUE(cat->warnings().empty()) << cat->warnings()[0];
  const CqlTableDef* t =
      cat->FindTable("ks", "events", "0e8e3f401b3311ef9d4e31d8d47c3c5f");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->origin, "snapshot " + path.string());
  EXPECT_TRUE(Column(*t, "ts")->type->reversed);
  EXPECT_EQ(Column(*t, "where")->type->udt_name, "pt");
  EXPECT_EQ(Column(*t, "old_col"), nullptr);
  ASSERT_NE(Column(*t, "re"), nullptr);  // re-added
  ASSERT_EQ(t->dropped.size(), 2u);
  EXPECT_EQ(t->dropped[0].name, "old_col");
  EXPECT_EQ(t->dropped[1].dropped_time_micros, 1716540000000001);
  EXPECT_EQ(t->options.size(), 9u);
  TableSchema s = ResolveTableSchema(t, {}, cat->source(), nullptr);
  EXPECT_EQ(s.dropped.size(), 2u);
  ExpectRoundTrip(s, "snapshot");

  auto missing = SchemaCatalog::FromCqlFile("/nonexistent/x.cql", "ks");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kIoError);
}

TEST(CqlParser, DefaultKeyspaceAndCaseFolding) {
  auto cat = SchemaCatalog::FromCql(
      "create TABLE T1 (K int, \"V\" text, PRIMARY KEY (k));", "x.cql", "ks");
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  const CqlTableDef* t = cat->FindTable("ks", "t1");
  ASSERT_NE(t, nullptr);
  ASSERT_NE(Column(*t, "k"), nullptr);
  ASSERT_NE(Column(*t, "V"), nullptr);
}

TEST(CqlParser, SyntaxErrorsNameFileAndLine) {
  auto cat = SchemaCatalog::FromCql(
      "CREATE TABLE ks.t (\n  a int,\n  b map<int>,\n PRIMARY KEY (a));",
      "bad.cql", "ks");
  ASSERT_FALSE(cat.ok());
  EXPECT_EQ(cat.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(cat.status().message().find("bad.cql:3:"), std::string::npos)
      << cat.status().message();

  for (const char* bad :
       {"CREATE TABLE t (a int);", "CREATE TABLE t (a int PRIMARY KEY",
        "CREATE TABLE t (a int, PRIMARY KEY (b));", "CREATE TYPE x (a int",
        "CREATE TABLE t (a 'x", "/* open"}) {
    EXPECT_FALSE(SchemaCatalog::FromCql(bad, "b.cql", "ks").ok()) << bad;
  }
}

TEST(CqlParser, SkipsEverythingElse) {
  auto cat = SchemaCatalog::FromCql(
      "INSERT INTO t (a) VALUES ('x;y');\n"
      "CREATE FUNCTION f() RETURNS int LANGUAGE java AS $$ return 1; $$;\n"
      "CREATE MATERIALIZED VIEW v AS SELECT * FROM t;\n"
      "-- only comments\n",
      "s.cql", "ks");
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  EXPECT_TRUE(cat->tables().empty());
  EXPECT_TRUE(SchemaCatalog::FromCql("", "e.cql", "ks").ok());
}

// Hostile input: random soups of schema tokens never crash or hang; every
// prefix of a valid schema either parses or fails with a message.
TEST(CqlParser, SurvivesGarbage) {
  const char* vocab[] = {
      "CREATE",     "TABLE", "TYPE",    "(",    ")",      "<",      ">",
      ",",          ";",     "PRIMARY", "KEY",  "frozen", "map",    "list",
      "int",        "text",  "\"Q\"",   "'s'",  "WITH",   "AND",    "=",
      "{",          "}",     "ALTER",   "DROP", "ADD",    "static", ".",
      "CLUSTERING", "ORDER", "BY",      "DESC", "x",      "1",      "--",
      "\n",         "/*",    "*/",      "$$",   "tuple",  "vector"};
  uint64_t seed = 12345;
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    int n = static_cast<int>(seed % 40);
    for (int k = 0; k < n; ++k) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      text += vocab[(seed >> 33) % (sizeof(vocab) / sizeof(vocab[0]))];
      text += ' ';
    }
    auto cat = SchemaCatalog::FromCql(text, "fuzz.cql", "ks");
    if (!cat.ok()) {
      EXPECT_EQ(cat.status().code(), StatusCode::kInvalidArgument) << text;
    }
  }
  std::string rich = kRichSchema;
  for (size_t len = 0; len <= rich.size(); len += 7) {
    auto cat = SchemaCatalog::FromCql(rich.substr(0, len), "p.cql", "ks");
    if (!cat.ok()) {
      EXPECT_NE(cat.status().message().find("p.cql:"), std::string::npos);
    }
  }
}

TEST(SchemaCatalog, MergeAndFind) {
  auto a = SchemaCatalog::FromCql(
      "CREATE TABLE ks.t (a int PRIMARY KEY) WITH ID = "
      "00000000-0000-0000-0000-000000000001;",
      "a.cql", "ks");
  auto b = SchemaCatalog::FromCql(
      "CREATE TABLE ks.t (b int PRIMARY KEY) WITH ID = "
      "00000000-0000-0000-0000-000000000002;"
      "CREATE TABLE ks.u (c int PRIMARY KEY);",
      "b.cql", "ks");
  ASSERT_TRUE(a.ok() && b.ok());
  SchemaCatalog cat = *a;
  cat.MergeFrom(*b);
  EXPECT_EQ(cat.tables().size(), 3u);
  const std::string id2 = "00000000000000000000000000000002";
  ASSERT_NE(cat.FindTable("ks", "t", id2), nullptr);
  EXPECT_EQ(cat.FindTable("ks", "t", id2)->columns[0].name, "b");
  EXPECT_NE(cat.FindTable("ks", "u"), nullptr);
  cat.MergeFrom(*b);  // nothing new
  EXPECT_EQ(cat.tables().size(), 3u);

  // Tables defined without a keyspace match any; an exact keyspace wins.
  auto loose = SchemaCatalog::FromCql(
      "CREATE TABLE t (a int PRIMARY KEY); CREATE TABLE ks.t (b int PRIMARY "
      "KEY);",
      "l.cql", "");
  ASSERT_TRUE(loose.ok());
  ASSERT_NE(loose->FindTable("ks", "t"), nullptr);
  EXPECT_EQ(loose->FindTable("ks", "t")->columns[0].name, "b");
  ASSERT_NE(loose->FindTable("other", "t"), nullptr);
  EXPECT_EQ(loose->FindTable("other", "t")->columns[0].name, "a");
  EXPECT_EQ(loose->FindTable("other", "u"), nullptr);
}

// --- ResolveTableSchema and RenderSchemaCql ---------------------------------

Columns HeaderOf(const std::string& key, std::vector<std::string> clustering,
                 std::vector<std::pair<std::string, std::string>> statics,
                 std::vector<std::pair<std::string, std::string>> regulars) {
  Columns c;
  c.key_type = Marshal(key);
  for (const auto& t : clustering) c.clustering_types.push_back(Marshal(t));
  for (const auto& [n, t] : statics) {
    CqlTypePtr type = Marshal(t);
    c.statics.push_back(ColumnDef{n, type, true, type->IsMultiCell()});
  }
  for (const auto& [n, t] : regulars) {
    CqlTypePtr type = Marshal(t);
    c.regulars.push_back(ColumnDef{n, type, false, type->IsMultiCell()});
  }
  return c;
}

TEST(ResolveTableSchema, NamesFromSchemaTypesFromHeader) {
  auto cat = SchemaCatalog::FromCql(
      "CREATE TABLE ks.t (a int, b text, c bigint, s int static, v text, "
      "w int, gone int, PRIMARY KEY ((a, b), c)) WITH CLUSTERING ORDER BY "
      "(c DESC);"
      "ALTER TABLE ks.t DROP gone USING TIMESTAMP 5;",
      "t.cql", "ks");
  ASSERT_TRUE(cat.ok());
  Columns h = HeaderOf("CompositeType(Int32Type,UTF8Type)",
                       {"ReversedType(LongType)"}, {{"s", "Int32Type"}},
                       {{"gone", "Int32Type"},
                        {"v", "Int32Type"},  // schema says text
                        {"zz", "BytesType"}});
  std::vector<std::string> warnings;
  TableSchema s = ResolveTableSchema(cat->FindTable("ks", "t"), {&h},
                                     SchemaSource::kOptionCql, &warnings);
  EXPECT_EQ(s.partition_key_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.clustering_names, (std::vector<std::string>{"c"}));
  EXPECT_TRUE(s.clustering_types[0]->reversed);
  EXPECT_FALSE(s.placeholder_names);
  EXPECT_EQ(s.origin, "schema file t.cql");
  std::vector<std::string> names;
  for (const SchemaColumn& c : s.columns) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"s", "v", "w", "zz"}));
  EXPECT_TRUE(s.columns[0].is_static);
  EXPECT_EQ(s.columns[1].type->kind, TypeKind::kInt);  // the header's type
  EXPECT_EQ(s.columns[2].type->kind, TypeKind::kInt);  // schema only
  ASSERT_EQ(s.dropped.size(), 1u);
  EXPECT_EQ(s.dropped[0].name, "gone");
  EXPECT_EQ(s.dropped[0].dropped_time_micros, 5);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("column v: type int in the SSTable header, text "
                             "in the schema"),
            std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[1].find("column zz"), std::string::npos) << warnings[1];
}

TEST(ResolveTableSchema, SelectOrderOfNonAsciiNames) {
  // Cassandra merges names with ByteBuffer.compareTo (signed bytes): a name
  // starting with a byte >= 0x80 comes before ASCII names.
  auto cat = SchemaCatalog::FromCql(
      "CREATE TABLE ks.t (k int PRIMARY KEY, b int, \"\xc3\xa9t\xc3\xa9\" int, "
      "a int);",
      "t.cql", "ks");
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  TableSchema s = ResolveTableSchema(cat->FindTable("ks", "t"), {},
                                     SchemaSource::kOptionCql, nullptr);
  ASSERT_EQ(s.columns.size(), 3u);
  EXPECT_EQ(s.columns[0].name, "\xc3\xa9t\xc3\xa9");
  EXPECT_EQ(s.columns[1].name, "a");
  EXPECT_EQ(s.columns[2].name, "b");
  ExpectRoundTrip(s, "non-ascii");
}

TEST(ResolveTableSchema, HeaderFallbackHasPlaceholders) {
  Columns h = HeaderOf("Int32Type", {"UTF8Type"}, {}, {{"v", "Int32Type"}});
  TableSchema s =
      ResolveTableSchema(nullptr, {&h}, SchemaSource::kHeader, nullptr);
  EXPECT_TRUE(s.placeholder_names);
  EXPECT_EQ(s.partition_key_names, (std::vector<std::string>{"key"}));
  EXPECT_EQ(s.clustering_names, (std::vector<std::string>{"clustering"}));
  std::string cql = RenderSchemaCql(s);
  EXPECT_EQ(cql.rfind("-- schema from SSTable headers: key and clustering "
                      "column names are placeholders\n",
                      0),
            0u)
      << cql;
  auto back = SchemaCatalog::FromCql(cql, "r.cql", "ks");
  ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << cql;
  EXPECT_EQ(back->tables().size(), 1u);
}

// Everything a TableSchema says that schema.cql must carry.
void ExpectSameSchema(const TableSchema& a, const TableSchema& b,
                      const std::string& what) {
  EXPECT_EQ(a.partition_key_names, b.partition_key_names) << what;
  EXPECT_EQ(a.clustering_names, b.clustering_names) << what;
  EXPECT_EQ(a.static_compact, b.static_compact) << what;
  ASSERT_EQ(a.partition_key_types.size(), b.partition_key_types.size());
  for (size_t i = 0; i < a.partition_key_types.size(); ++i) {
    EXPECT_TRUE(
        SameCqlType(*a.partition_key_types[i], *b.partition_key_types[i]))
        << what;
  }
  ASSERT_EQ(a.clustering_types.size(), b.clustering_types.size()) << what;
  for (size_t i = 0; i < a.clustering_types.size(); ++i) {
    EXPECT_TRUE(SameCqlType(*a.clustering_types[i], *b.clustering_types[i],
                            /*compare_reversed=*/true))
        << what;
  }
  ASSERT_EQ(a.columns.size(), b.columns.size()) << what;
  for (size_t i = 0; i < a.columns.size(); ++i) {
    EXPECT_EQ(a.columns[i].name, b.columns[i].name) << what;
    EXPECT_EQ(a.columns[i].is_static, b.columns[i].is_static) << what;
    EXPECT_TRUE(SameCqlType(*a.columns[i].type, *b.columns[i].type))
        << what << " column " << a.columns[i].name;
  }
}

// schema.cql parses back to the same TableSchema (no headers involved).
void ExpectRoundTrip(const TableSchema& s, const std::string& what) {
  std::string cql = RenderSchemaCql(s);
  auto back = SchemaCatalog::FromCql(cql, "schema.cql", "ks",
                                     SchemaSource::kSnapshotCql);
  ASSERT_TRUE(back.ok()) << what << ": " << back.status().ToString() << "\n"
                         << cql;
  EXPECT_TRUE(back->warnings().empty()) << what << ": " << back->warnings()[0];
  const CqlTableDef* def =
      back->FindTable(s.keyspace.empty() ? "ks" : s.keyspace,
                      s.table.empty() ? "sstables" : s.table);
  ASSERT_NE(def, nullptr) << what << "\n" << cql;
  TableSchema again =
      ResolveTableSchema(def, {}, SchemaSource::kSnapshotCql, nullptr);
  ExpectSameSchema(s, again, what + "\n" + cql);
  EXPECT_EQ(again.compact_storage, s.compact_storage || s.static_compact);
  EXPECT_EQ(again.table_options, s.table_options) << what;
}

TEST(RenderSchemaCql, RichSchemaRoundTrips) {
  auto cat = SchemaCatalog::FromCql(kRichSchema, "rich.cql", "dflt");
  ASSERT_TRUE(cat.ok());
  TableSchema s = ResolveTableSchema(cat->FindTable("shop", "Orders"), {},
                                     SchemaSource::kOptionCql, nullptr);
  std::string cql = RenderSchemaCql(s);
  EXPECT_EQ(cql.rfind("-- schema from schema file rich.cql\n", 0), 0u) << cql;
  // UDTs nested first, then the table.
  size_t line = cql.find("CREATE TYPE shop.\"Line\"");
  size_t address = cql.find("CREATE TYPE shop.address");
  size_t table = cql.find("CREATE TABLE shop.\"Orders\"");
  EXPECT_LT(line, address) << cql;
  EXPECT_LT(address, table) << cql;
  EXPECT_NE(cql.find("PRIMARY KEY ((\"Customer\", region), day, seq)"),
            std::string::npos)
      << cql;
  EXPECT_NE(cql.find("CLUSTERING ORDER BY (day DESC, seq ASC)"),
            std::string::npos)
      << cql;
  EXPECT_NE(cql.find("    s text static,"), std::string::npos) << cql;
  ExpectRoundTrip(s, "rich");

  TableSchema kv = ResolveTableSchema(cat->FindTable("other", "kv"), {},
                                      SchemaSource::kOptionCql, nullptr);
  EXPECT_TRUE(kv.static_compact);
  EXPECT_NE(RenderSchemaCql(kv).find("WITH COMPACT STORAGE;"),
            std::string::npos);
  ExpectRoundTrip(kv, "kv");
}

// --- The corpus: every expected.json schema_cql
// -------------------------------

struct CorpusSet {
  std::string path;
  std::string keyspace;
  std::string cql;
};

std::vector<CorpusSet> CorpusSchemas() {
  std::vector<CorpusSet> out;
  auto text = testing::ReadFileToString(CorpusDir() + "/expected.json");
  if (!text) return out;
  auto sets = nlohmann::json::parse(*text);
  for (const auto& s : sets) {
    if (!s.contains("schema_cql") || !s["schema_cql"].is_string()) continue;
    CorpusSet c;
    c.path = s["path"].get<std::string>();
    if (s.contains("keyspace") && s["keyspace"].is_string()) {
      c.keyspace = s["keyspace"].get<std::string>();
    }
    c.cql = s["schema_cql"].get<std::string>();
    out.push_back(std::move(c));
  }
  return out;
}

// The readable SSTables of a corpus folder (ka/la and BTI ones are skipped:
// their headers are not readable here).
std::vector<std::shared_ptr<SSTable>> OpenSet(const std::string& dir) {
  std::vector<std::shared_ptr<SSTable>> out;
  auto descs = ListSSTables(dir);
  if (!descs.ok()) return out;
  for (const Descriptor& d : *descs) {
    if (!d.IsReadable()) continue;
    auto sst = SSTable::Open(d.ComponentPath("Data.db"), nullptr);
    if (sst.ok()) out.push_back(*sst);
  }
  return out;
}

TEST(CorpusSchemas, EveryStatementParses) {
  SSTFS_REQUIRE_CORPUS();
  auto sets = CorpusSchemas();
  ASSERT_GE(sets.size(), 100u);
  size_t tables = 0;
  for (const CorpusSet& s : sets) {
    auto cat = SchemaCatalog::FromCql(s.cql, s.path, "ks");
    ASSERT_TRUE(cat.ok()) << s.path << ": " << cat.status().ToString();
    EXPECT_TRUE(cat->warnings().empty()) << s.path;
    // A statement that starts with CREATE TABLE yields exactly one table;
    // the rest are comments describing the set ("-- n/a").
    bool has_create = s.cql.rfind("CREATE TABLE", 0) == 0;
    EXPECT_EQ(cat->tables().size(), has_create ? 1u : 0u) << s.path;
    tables += cat->tables().size();
  }
  RecordProperty("sets", static_cast<int>(sets.size()));
  RecordProperty("tables", static_cast<int>(tables));
  EXPECT_GE(tables, 130u);
}

// Names and types of the schema agree with every readable SSTable header of
// the set: ResolveTableSchema has nothing to warn about, and its names come
// from the CREATE TABLE.
TEST(CorpusSchemas, AgreeWithSSTableHeaders) {
  SSTFS_REQUIRE_CORPUS();
  size_t checked = 0;
  for (const CorpusSet& s : CorpusSchemas()) {
    auto cat = SchemaCatalog::FromCql(s.cql, s.path, "ks");
    ASSERT_TRUE(cat.ok());
    if (cat->tables().empty()) continue;
    const CqlTableDef& def = cat->tables()[0];
    auto ssts = OpenSet(CorpusDir() + "/" + s.path);
    if (ssts.empty()) continue;
    std::vector<const Columns*> headers;
    for (const auto& sst : ssts) headers.push_back(&sst->columns());
    std::vector<std::string> warnings;
    TableSchema rs =
        ResolveTableSchema(&def, headers, SchemaSource::kOptionCql, &warnings);
    EXPECT_TRUE(warnings.empty())
        << s.path << ": " << (warnings.empty() ? "" : warnings[0]);
    std::vector<std::string> pk;
    for (const CqlColumnDef& c : def.columns) {
      if (c.kind == CqlColumnDef::Kind::kPartitionKey) pk.push_back(c.name);
    }
    EXPECT_EQ(rs.partition_key_names, pk) << s.path;
    for (const Columns* h : headers) {
      for (const auto* defs : {&h->statics, &h->regulars}) {
        for (const ColumnDef& hc : *defs) {
          auto it = std::find_if(
              rs.columns.begin(), rs.columns.end(),
              [&](const SchemaColumn& c) { return c.name == hc.name; });
          if (hc.name.empty()) continue;
          ASSERT_NE(it, rs.columns.end()) << s.path << " column " << hc.name;
          EXPECT_TRUE(SameCqlType(*it->type, *hc.type)) << s.path;
        }
      }
    }
    ExpectRoundTrip(rs, s.path);
    ++checked;
  }
  RecordProperty("sets_checked", static_cast<int>(checked));
  EXPECT_GE(checked, 120u);
}

// --- system_schema
// -------------------------------------------------------------

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("sstfs_schema_test_" + std::to_string(::getpid()) + "_" +
             std::to_string(counter_++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

void ExpectSameDef(const CqlTableDef& a, const CqlTableDef& b) {
  EXPECT_EQ(a.keyspace, b.keyspace);
  EXPECT_EQ(a.table, b.table);
  EXPECT_EQ(a.compact_storage, b.compact_storage) << a.table;
  ASSERT_EQ(a.columns.size(), b.columns.size()) << a.table;
  for (const CqlColumnDef& ca : a.columns) {
    const CqlColumnDef* cb = Column(b, ca.name);
    ASSERT_NE(cb, nullptr) << a.table << "." << ca.name;
    EXPECT_EQ(ca.kind, cb->kind) << ca.name;
    EXPECT_EQ(ca.position, cb->position) << ca.name;
    EXPECT_TRUE(Identical(*ca.type, *cb->type))
        << ca.name << ": " << CqlTypeToCql(*ca.type) << " vs "
        << CqlTypeToCql(*cb->type);
  }
  ASSERT_EQ(a.dropped.size(), b.dropped.size()) << a.table;
  for (size_t i = 0; i < a.dropped.size(); ++i) {
    EXPECT_EQ(a.dropped[i].name, b.dropped[i].name);
    EXPECT_EQ(a.dropped[i].is_static, b.dropped[i].is_static);
    // system_schema keeps milliseconds.
    EXPECT_EQ(a.dropped[i].dropped_time_micros / 1000,
              b.dropped[i].dropped_time_micros / 1000);
  }
}

TEST(SystemSchema, ReadsWhatTheWriterWrote) {
  const char* cql = R"(
    CREATE TYPE shop.line (qty int, price decimal);
    CREATE TYPE shop.address (street text, zip int,
                              lines frozen<list<frozen<line>>>);
    CREATE TABLE shop.orders (
      customer text, region int, day date, seq timeuuid,
      ship frozen<address>, bill address,
      notes map<text, frozen<list<int>>>, emb vector<float, 3>,
      s text static, gone int,
      PRIMARY KEY ((customer, region), day, seq)
    ) WITH CLUSTERING ORDER BY (day DESC) AND ID = 5bc52802-de25-35ed-aeab-188eecebb090;
    ALTER TABLE shop.orders DROP gone USING TIMESTAMP 1700000000123000;
    CREATE TABLE shop.counts (k int PRIMARY KEY, n counter);
    CREATE TABLE other.kv (k blob PRIMARY KEY, v text) WITH COMPACT STORAGE;
    CREATE TABLE other.dense (k int, c int, v text, PRIMARY KEY (k, c))
      WITH COMPACT STORAGE;
  )";
  auto src = SchemaCatalog::FromCql(cql, "src.cql", "ks");
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  ASSERT_TRUE(src->warnings().empty()) << src->warnings()[0];
  TempDir dir;
  ASSERT_TRUE(
      writer::WriteSystemSchema(dir.path(), src->tables(), src->types()).ok());

  auto cat = SchemaCatalog::FromSystemSchema(dir.path(), nullptr);
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  EXPECT_EQ(cat->source(), SchemaSource::kSystemSchema);
  EXPECT_TRUE(cat->warnings().empty()) << cat->warnings()[0];
  ASSERT_EQ(cat->tables().size(), src->tables().size());
  for (const CqlTableDef& t : src->tables()) {
    const CqlTableDef* got = cat->FindTable(t.keyspace, t.table);
    ASSERT_NE(got, nullptr) << t.table;
    EXPECT_EQ(got->origin, "system_schema");
    ExpectSameDef(t, *got);
  }
  EXPECT_EQ(cat->FindTable("shop", "orders")->id,
            "5bc52802de2535edaeab188eecebb090");
  ASSERT_EQ(cat->types().size(), 2u);
  // Options come back as CQL that parses again.
  const CqlTableDef* orders = cat->FindTable("shop", "orders");
  EXPECT_FALSE(orders->options.empty());
  TableSchema s = ResolveTableSchema(orders, {}, cat->source(), nullptr);
  EXPECT_EQ(RenderSchemaCql(s).rfind("-- schema from system_schema\n", 0), 0u);
  ExpectRoundTrip(s, "system_schema orders");
}

TEST(SystemSchema, LoadInOrderOfTrust) {
  auto src = SchemaCatalog::FromCql(
      "CREATE TABLE ks.t (k int PRIMARY KEY, from_system int);", "s.cql", "ks");
  ASSERT_TRUE(src.ok());
  TempDir dir;
  ASSERT_TRUE(
      writer::WriteSystemSchema(dir.path(), src->tables(), src->types()).ok());
  std::string option = dir.path() + "/extra.cql";
  {
    std::FILE* f = std::fopen(option.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(
        "CREATE TABLE t (k int PRIMARY KEY, from_file int);\n"
        "CREATE TABLE u (k int PRIMARY KEY);\n",
        f);
    std::fclose(f);
  }
  SchemaLocations where;
  where.data_dir = dir.path();
  where.snapshot_schema_cql = dir.path() + "/no-such-schema.cql";
  where.option_files = {option};
  where.default_keyspace = "ks";
  std::vector<std::string> warnings;
  auto cat = LoadSchemaCatalog(where, nullptr, &warnings);
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  EXPECT_TRUE(warnings.empty()) << warnings[0];
  ASSERT_EQ(cat->tables().size(), 2u);
  const CqlTableDef* t = cat->FindTable("ks", "t");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->origin, "system_schema");  // system_schema wins
  EXPECT_NE(Column(*t, "from_system"), nullptr);
  ASSERT_NE(cat->FindTable("ks", "u"), nullptr);
  EXPECT_EQ(cat->FindTable("ks", "u")->origin, "schema file " + option);
  // Loose lookups: any keyspace; the only table of a one-table catalog.
  EXPECT_EQ(cat->FindTable("", "u"), cat->FindTable("ks", "u"));
  EXPECT_EQ(cat->FindTable("", ""), nullptr);  // two tables: ambiguous

  where.option_files = {dir.path() + "/missing.cql"};
  EXPECT_FALSE(LoadSchemaCatalog(where, nullptr, nullptr).ok());
  where = SchemaLocations();
  auto none = LoadSchemaCatalog(where, nullptr, nullptr);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->tables().empty());
}

TEST(SystemSchema, NotFoundWithoutTheKeyspace) {
  TempDir dir;
  auto cat = SchemaCatalog::FromSystemSchema(dir.path(), nullptr);
  ASSERT_FALSE(cat.ok());
  EXPECT_TRUE(cat.status().IsNotFound()) << cat.status().ToString();
}

// Hand-written system_schema SSTables in Cassandra's exact layout
// (SchemaKeyspace 4.x), several generations, to check the merge and the
// static compact layout Cassandra really stores.
class SchemaTableWriter {
 public:
  struct RowSpec {
    std::string keyspace;
    std::vector<std::string> clustering;
    std::map<std::string, std::string> values;  // live cells
    std::vector<std::string> tombstones;        // tombstone cells
    int64_t timestamp = 0;
    int64_t row_deletion = kNoTimestamp;
  };

  static constexpr const char* kText =
      "org.apache.cassandra.db.marshal.UTF8Type";

  static std::string Int(int32_t v) {
    std::string s;
    for (int i = 3; i >= 0; --i) s.push_back(static_cast<char>(v >> (8 * i)));
    return s;
  }
  static std::string TextList(const std::vector<std::string>& l) {
    std::string s = Int(static_cast<int32_t>(l.size()));
    for (const auto& e : l) s += Int(static_cast<int32_t>(e.size())) + e;
    return s;
  }

  // Writes one SSTable of system_schema.<table> (generation `gen`).
  static void Write(const std::string& data_dir, const std::string& table,
                    int clustering_count,
                    std::vector<std::pair<std::string, std::string>> regulars,
                    std::vector<RowSpec> rows, const std::string& gen,
                    std::map<std::string, int64_t> partition_deletions = {}) {
    std::string dir = data_dir + "/system_schema/" + table + "-" +
                      writer::SystemTableIdHex("system_schema", table);
    std::filesystem::create_directories(dir);
    writer::WriterSchema ws;
    ws.key_type = kText;
    ws.clustering_types.assign(clustering_count, kText);
    std::sort(regulars.begin(), regulars.end());
    for (const auto& [n, t] : regulars) ws.regulars.push_back({n, t});
    writer::WriterOptions wo;
    wo.generation = gen;
    auto w = writer::SSTableWriter::Create(dir, ws, wo);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    std::map<std::string, std::vector<RowSpec>> parts;
    for (auto& r : rows) parts[r.keyspace].push_back(r);
    for (const auto& [ks, ts] : partition_deletions) parts[ks];
    std::vector<std::string> keys;
    for (const auto& [k, v] : parts) keys.push_back(k);
    Partitioner p;
    std::sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
      return p.CompareKeys(ByteView(a), ByteView(b)) < 0;
    });
    for (const std::string& ks : keys) {
      auto& prow = parts[ks];
      std::sort(prow.begin(), prow.end(), [](const auto& a, const auto& b) {
        return a.clustering < b.clustering;
      });
      writer::PartitionData pd;
      pd.key = ks;
      if (auto it = partition_deletions.find(ks);
          it != partition_deletions.end()) {
        pd.deletion = {it->second, 1700000000};
      }
      for (const RowSpec& r : prow) {
        Unfiltered& u = pd.unfiltereds.emplace_back();
        for (const auto& c : r.clustering) {
          u.row.clustering.values.emplace_back(ByteView(c));
        }
        if (!r.values.empty()) u.row.liveness.timestamp = r.timestamp;
        if (r.row_deletion != kNoTimestamp) {
          u.row.deletion = {r.row_deletion, 1700000000};
        }
        for (size_t i = 0; i < ws.regulars.size(); ++i) {
          const std::string& name = ws.regulars[i].name;
          Cell c;
          c.column = static_cast<uint32_t>(i);
          c.timestamp = r.timestamp;
          if (auto it = r.values.find(name); it != r.values.end()) {
            c.value = ByteView(it->second);
          } else if (std::count(r.tombstones.begin(), r.tombstones.end(),
                                name) > 0) {
            c.is_tombstone = true;
            c.local_deletion_time = 1700000000;
          } else {
            continue;
          }
          u.row.cells.push_back(c);
        }
      }
      ASSERT_TRUE((*w)->Add(pd).ok());
    }
    ASSERT_TRUE((*w)->Finish().ok());
  }

  static void Tables(const std::string& dir, std::vector<RowSpec> rows,
                     const std::string& gen) {
    Write(dir, "tables", 1,
          {{"flags",
            "org.apache.cassandra.db.marshal.FrozenType("
            "org.apache.cassandra.db.marshal.SetType(" +
                std::string(kText) + "))"},
           {"comment", kText},
           {"id", "org.apache.cassandra.db.marshal.UUIDType"}},
          std::move(rows), gen);
  }
  static void Columns(const std::string& dir, std::vector<RowSpec> rows,
                      const std::string& gen,
                      std::map<std::string, int64_t> partition_deletions = {}) {
    Write(dir, "columns", 2,
          {{"clustering_order", kText},
           {"column_name_bytes", "org.apache.cassandra.db.marshal.BytesType"},
           {"kind", kText},
           {"position", "org.apache.cassandra.db.marshal.Int32Type"},
           {"type", kText}},
          std::move(rows), gen, std::move(partition_deletions));
  }
  static RowSpec Col(const std::string& ks, const std::string& table,
                     const std::string& name, const std::string& kind,
                     int position, const std::string& type, int64_t ts,
                     const std::string& order = "none") {
    return RowSpec{ks,
                   {table, name},
                   {{"clustering_order", order},
                    {"column_name_bytes", name},
                    {"kind", kind},
                    {"position", Int(position)},
                    {"type", type}},
                   {},
                   ts};
  }
};

TEST(SystemSchema, MergesGenerationsAndDeletions) {
  using W = SchemaTableWriter;
  TempDir dir;
  const std::string compound = W::TextList({"compound"});
  // Generation 1: ks.t (k, c DESC, v, old) and ks.gone.
  W::Tables(dir.path(),
            {{"ks", {"t"}, {{"flags", compound}, {"comment", "first"}}, {}, 10},
             {"ks", {"gone"}, {{"flags", compound}}, {}, 10},
             {"ks2", {"x"}, {{"flags", compound}}, {}, 10}},
            "1");
  W::Columns(dir.path(),
             {W::Col("ks", "t", "k", "partition_key", 0, "text", 10),
              W::Col("ks", "t", "c", "clustering", 0, "int", 10, "desc"),
              W::Col("ks", "t", "v", "regular", -1, "map<text, int>", 10),
              W::Col("ks", "t", "old", "regular", -1, "int", 10),
              W::Col("ks", "gone", "k", "partition_key", 0, "int", 10),
              W::Col("ks2", "x", "k", "partition_key", 0, "int", 10)},
             "1");
  // Generation 2: comment updated, `old` dropped (row deleted), `gone`
  // dropped (row deletion, its columns deleted), a new static column, and
  // keyspace ks2 dropped (partition deletions).
  W::Tables(dir.path(),
            {{"ks", {"t"}, {{"comment", "second"}}, {}, 20},
             {"ks", {"gone"}, {}, {}, 20, 20}},
            "2");
  W::Columns(dir.path(),
             {{"ks", {"t", "old"}, {}, {}, 20, 20},
              {"ks", {"gone", "k"}, {}, {}, 20, 20},
              W::Col("ks", "t", "s", "static", -1, "frozen<set<int>>", 20)},
             "2", {{"ks2", 20}});
  // Generation 3 (older timestamps): must not resurrect or override.
  W::Tables(dir.path(), {{"ks", {"t"}, {{"comment", "stale"}}, {}, 5}}, "3");

  auto cat = SchemaCatalog::FromSystemSchema(dir.path(), nullptr);
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  // ks.gone is deleted; ks2.x lost its columns with its keyspace (only the
  // columns partition was deleted here): ignored with a warning, as
  // Cassandra's fetchColumns refuses it.
  ASSERT_EQ(cat->tables().size(), 1u);
  ASSERT_EQ(cat->warnings().size(), 1u);
  EXPECT_NE(cat->warnings()[0].find("ks2.x has no partition key"),
            std::string::npos)
      << cat->warnings()[0];
  const CqlTableDef* t = cat->FindTable("ks", "t");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->options, (std::vector<std::string>{"comment = 'second'"}));
  EXPECT_EQ(t->columns.size(), 4u);
  EXPECT_EQ(Column(*t, "old"), nullptr);
  ASSERT_NE(Column(*t, "s"), nullptr);
  EXPECT_EQ(Column(*t, "s")->kind, CqlColumnDef::Kind::kStatic);
  EXPECT_TRUE(Column(*t, "c")->type->reversed);
  EXPECT_TRUE(Column(*t, "v")->type->IsMultiCell());
}

TEST(SystemSchema, StaticCompactTableAsCassandraStoresIt) {
  using W = SchemaTableWriter;
  TempDir dir;
  // CREATE TABLE ks.cf (key text PRIMARY KEY, c1 text, c2 int) WITH COMPACT
  // STORAGE: flags {} (neither compound nor dense), a hidden clustering
  // column column1 and value column, the CQL columns static.
  W::Tables(dir.path(), {{"ks", {"cf"}, {{"flags", W::TextList({})}}, {}, 1}},
            "1");
  W::Columns(dir.path(),
             {W::Col("ks", "cf", "key", "partition_key", 0, "text", 1),
              W::Col("ks", "cf", "column1", "clustering", 0, "text", 1, "asc"),
              W::Col("ks", "cf", "value", "regular", -1, "blob", 1),
              W::Col("ks", "cf", "c1", "static", -1, "text", 1),
              W::Col("ks", "cf", "c2", "static", -1, "int", 1)},
             "1");
  auto cat = SchemaCatalog::FromSystemSchema(dir.path(), nullptr);
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  const CqlTableDef* t = cat->FindTable("ks", "cf");
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->compact_storage);
  ASSERT_EQ(t->columns.size(), 3u);
  EXPECT_EQ(Column(*t, "c1")->kind, CqlColumnDef::Kind::kRegular);
  EXPECT_EQ(Column(*t, "column1"), nullptr);
  // A dense table without a value column: the hidden value column is
  // stored with type "empty" (EmptyType) and never shown.
  W::Tables(dir.path(),
            {{"ks", {"dense"}, {{"flags", W::TextList({"dense"})}}, {}, 1}},
            "2");
  W::Columns(dir.path(),
             {W::Col("ks", "dense", "k", "partition_key", 0, "int", 1),
              W::Col("ks", "dense", "c", "clustering", 0, "int", 1, "asc"),
              W::Col("ks", "dense", "value", "regular", -1, "empty", 1)},
             "2");
  auto cat2 = SchemaCatalog::FromSystemSchema(dir.path(), nullptr);
  ASSERT_TRUE(cat2.ok()) << cat2.status().ToString();
  const CqlTableDef* dense = cat2->FindTable("ks", "dense");
  ASSERT_NE(dense, nullptr);
  EXPECT_TRUE(dense->compact_storage);
  TableSchema ds = ResolveTableSchema(dense, {}, cat2->source(), nullptr);
  EXPECT_TRUE(ds.columns.empty());
  EXPECT_EQ(ds.clustering_names, (std::vector<std::string>{"c"}));
  ExpectRoundTrip(ds, "dense");

  // The header of such a table: statics + one text clustering column.
  Columns h = HeaderOf(std::string(W::kText), {W::kText},
                       {{"c1", "UTF8Type"}, {"c2", "Int32Type"}}, {});
  std::vector<std::string> warnings;
  TableSchema s = ResolveTableSchema(t, {&h}, cat->source(), &warnings);
  EXPECT_TRUE(warnings.empty()) << warnings[0];
  EXPECT_TRUE(s.static_compact);
  EXPECT_TRUE(s.clustering_names.empty());
  ASSERT_EQ(s.columns.size(), 2u);
  EXPECT_TRUE(s.columns[0].is_static);
  EXPECT_EQ(s.columns[1].type->kind, TypeKind::kInt);
}

}  // namespace
}  // namespace sstablefs::reader
