// Rows as JSON Lines / CSV (SPEC §3): the writers on synthetic rows, and
// `dump --rows` / `--csv` on the corpus against expected.json facts.
#include "reader/row_renderer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/dump_cli_util.h"
#include "tests/test_util.h"

namespace sstablefs {
namespace {

using nlohmann::json;
using reader::ByteView;
using reader::ColumnValue;
using reader::CqlRow;
using reader::TypeKind;
using testing::CorpusDir;
using testing::ExpectedSets;
using testing::RunDumpCli;

// RFC 4180 parser (test oracle): records of fields; quoted fields may hold
// commas, quotes ("") and line breaks.
// A field that was quoted is marked in `quoted` (same shape as the result),
// so that "" (empty string) differs from an empty field (null).
std::vector<std::vector<std::string>> ParseCsv(
    const std::string& s, bool* ok,
    std::vector<std::vector<bool>>* quoted = nullptr) {
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> qrow;
  bool was_quoted = false;
  std::vector<std::string> row;
  std::string field;
  *ok = true;
  size_t i = 0;
  bool at_field_start = true;
  while (i < s.size()) {
    char ch = s[i];
    if (at_field_start && ch == '"') {
      was_quoted = true;
      ++i;
      for (;;) {
        if (i >= s.size()) {
          *ok = false;
          return rows;
        }
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.push_back(s[i++]);
      }
      at_field_start = false;
      if (i < s.size() && s[i] != ',' && s[i] != '\n' && s[i] != '\r') {
        *ok = false;
        return rows;
      }
      continue;
    }
    if (ch == ',') {
      row.push_back(field);
      qrow.push_back(was_quoted);
      field.clear();
      at_field_start = true;
      was_quoted = false;
    } else if (ch == '\n' || ch == '\r') {
      if (ch == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      row.push_back(field);
      qrow.push_back(was_quoted);
      rows.push_back(row);
      if (quoted != nullptr) quoted->push_back(qrow);
      row.clear();
      qrow.clear();
      field.clear();
      at_field_start = true;
      was_quoted = false;
    } else {
      if (ch == '"') *ok = false;  // a bare quote inside an unquoted field
      field.push_back(ch);
      at_field_start = false;
    }
    ++i;
  }
  if (!field.empty() || !row.empty() || was_quoted) {
    row.push_back(field);
    qrow.push_back(was_quoted);
    rows.push_back(row);
    if (quoted != nullptr) quoted->push_back(qrow);
  }
  return rows;
}

std::string Be32(int32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i)
    s[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
  return s;
}

reader::TableSchema TestSchema() {
  reader::TableSchema s;
  s.partition_key_names = {"key"};
  s.partition_key_types = {reader::SimpleType(TypeKind::kInt)};
  s.clustering_names = {"clustering"};
  s.clustering_types = {reader::SimpleType(TypeKind::kText)};
  s.columns = {{"s", reader::SimpleType(TypeKind::kText), true},
               {"Val", reader::SimpleType(TypeKind::kText), false},
               {"n", reader::SimpleType(TypeKind::kCounter), false}};
  return s;
}

struct Rendered {
  std::string jsonl;
  std::string csv;
};

Rendered RenderOne(const CqlRow& row) {
  Rendered out;
  reader::TableSchema schema = TestSchema();
  for (auto fmt : {reader::RowFormat::kJsonLines, reader::RowFormat::kCsv}) {
    std::string* dst = fmt == reader::RowFormat::kCsv ? &out.csv : &out.jsonl;
    reader::StringSink sink(dst);
    auto w = reader::NewRowWriter(fmt, &sink);
    EXPECT_TRUE(w->Begin(schema).ok());
    EXPECT_TRUE(w->AddRow(row).ok());
    EXPECT_TRUE(w->Finish().ok());
  }
  return out;
}

TEST(RowWriterTest, JsonAndCsvOfOneRow) {
  std::string key = Be32(7);
  ByteView key_view(key);
  std::optional<ByteView> ck = ByteView(std::string_view("a,b\"c"));
  ColumnValue vals[3];
  vals[1].kind = ColumnValue::Kind::kValue;
  vals[1].value = ByteView(std::string_view("line1\nline2"));
  vals[2].kind = ColumnValue::Kind::kCounter;
  vals[2].counter = -12;
  CqlRow row;
  row.partition_key = {&key_view, 1};
  row.clustering = {&ck, 1};
  row.columns = vals;
  Rendered r = RenderOne(row);
  // SELECT JSON: every column, null when absent, upper-case names quoted.
  EXPECT_EQ(r.jsonl,
            "{\"key\": 7, \"clustering\": \"a,b\\\"c\", \"s\": null, "
            "\"\\\"Val\\\"\": \"line1\\nline2\", \"n\": -12}\n");
  json parsed = json::parse(r.jsonl);
  EXPECT_EQ(parsed["clustering"], "a,b\"c");
  // RFC 4180: quoted when needed, null empty.
  EXPECT_EQ(r.csv,
            "key,clustering,s,Val,n\n"
            "7,\"a,b\"\"c\",,\"line1\nline2\",-12\n");
  bool ok = false;
  auto rows = ParseCsv(r.csv, &ok);
  ASSERT_TRUE(ok);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][1], "a,b\"c");
  EXPECT_EQ(rows[1][3], "line1\nline2");
}

TEST(RowWriterTest, EmptyStringIsNotNullAndStaticOnlyRow) {
  std::string key = Be32(1);
  ByteView key_view(key);
  ColumnValue vals[3];
  vals[0].kind = ColumnValue::Kind::kValue;  // s = ''
  CqlRow row;
  row.partition_key = {&key_view, 1};
  row.columns = vals;  // no clustering: a static-only row
  Rendered r = RenderOne(row);
  EXPECT_EQ(r.jsonl,
            "{\"key\": 1, \"clustering\": null, \"s\": \"\", "
            "\"\\\"Val\\\"\": null, \"n\": null}\n");
  EXPECT_EQ(r.csv, "key,clustering,s,Val,n\n1,,\"\",,\n");
}

// --- Corpus: facts -----------------------------------------------------------

// A JSON value as the text a CQL literal component holds ("5", "abc").
std::string Plain(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string StripTrailingFractionZeros(std::string s) {
  if (s.find(':') == std::string::npos) return s;
  size_t dot = s.rfind('.');
  if (dot == std::string::npos) return s;
  while (s.size() > dot + 1 && s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

bool ValueMatches(const json& want, const json& got) {
  if (want.is_number()) {
    if (!got.is_number()) return false;
    if (want.is_number_integer() && got.is_number_integer()) {
      return want == got;
    }
    double a = want.get<double>(), b = got.get<double>();
    return std::fabs(a - b) <= 1e-6 * std::max(1.0, std::fabs(a));
  }
  if (want.is_string()) {
    return got.is_string() &&
           StripTrailingFractionZeros(want.get<std::string>()) ==
               StripTrailingFractionZeros(got.get<std::string>());
  }
  if (want.is_array() || want.is_object()) {
    if (got.type() != want.type() || got.size() != want.size()) return false;
    if (want.is_array()) {
      for (size_t i = 0; i < want.size(); ++i) {
        if (!ValueMatches(want[i], got[i])) return false;
      }
      return true;
    }
    for (auto it = want.begin(); it != want.end(); ++it) {
      if (!got.contains(it.key()) || !ValueMatches(it.value(), got[it.key()])) {
        return false;
      }
    }
    return true;
  }
  return want == got;
}

// Rows of a rows.jsonl text, keys kept in output order.
std::vector<nlohmann::ordered_json> ParseOrderedLines(const std::string& text) {
  std::vector<nlohmann::ordered_json> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    rows.push_back(nlohmann::ordered_json::parse(line));
  }
  return rows;
}

std::vector<json> ParseLines(const std::string& text) {
  std::vector<json> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) rows.push_back(json::parse(line));
  return rows;
}

// Key column values of a row as plain strings.
std::vector<std::string> RowKey(const json& row, const char* base) {
  std::vector<std::string> out;
  for (int i = 0;; ++i) {
    std::string name = i == 0 ? base : base + std::to_string(i);
    if (!row.contains(name)) break;
    out.push_back(row[name].is_null() ? "null" : Plain(row[name]));
  }
  return out;
}

bool IsCheckableFact(const json& f) {
  if (f.contains("kind") || !f.contains("column") || !f["column"].is_string()) {
    return false;
  }
  if (f.value("deleted", false)) return false;
  if (f["value"].is_null()) return false;  // unknown/random values
  return true;
}

// Checks each checkable fact of a single-SSTable set against --rows output.
// Returns the number of facts checked.
int CheckFacts(const json& set, const std::string& file) {
  int64_t now = 0;
  for (const auto& f : set["facts"]) {
    if (f.contains("ttl") && f.contains("local_expiration_time")) {
      int64_t t = f["local_expiration_time"].get<int64_t>() - 1;
      if (now == 0 || t < now) now = t;
    }
  }
  std::vector<std::string> args = {file, "--rows"};
  if (now != 0) {
    args.push_back("--now");
    args.push_back(std::to_string(now));
  }
  auto r = RunDumpCli(args);
  EXPECT_EQ(r.code, 0) << r.err;
  std::vector<json> rows = ParseLines(r.out);
  int checked = 0;
  for (const auto& f : set["facts"]) {
    if (!IsCheckableFact(f)) continue;
    std::vector<std::string> key = testing::LiteralComponents(f["partition"]);
    std::vector<std::string> ck;
    if (f["clustering"].is_array()) {
      for (const auto& c : f["clustering"]) {
        ck.push_back(testing::LiteralComponents(c)[0]);
      }
    }
    const std::string col = f["column"];
    bool found = false;
    for (const json& row : rows) {
      if (RowKey(row, "key") != key) continue;
      if (!ck.empty()) {
        // Compact tables allow clustering prefixes: the rest is null.
        std::vector<std::string> rck = RowKey(row, "clustering");
        if (rck.size() < ck.size()) continue;
        if (!std::equal(ck.begin(), ck.end(), rck.begin())) continue;
        if (std::any_of(rck.begin() + ck.size(), rck.end(),
                        [](const std::string& v) { return v != "null"; })) {
          continue;
        }
      }
      found = true;
      EXPECT_TRUE(row.contains(col)) << row.dump();
      if (!row.contains(col)) break;
      EXPECT_TRUE(ValueMatches(f["value"], row[col]))
          << "fact " << f.dump() << "\nrow " << row.dump();
      break;
    }
    EXPECT_TRUE(found) << "no row for fact " << f.dump();
    ++checked;
  }
  return checked;
}

TEST(RowsCorpusTest, FactsOfSingleSSTableSets) {
  SSTFS_REQUIRE_CORPUS();
  int checked = 0;
  std::map<std::string, int> per_set;
  for (const auto& set : ExpectedSets()) {
    if (testing::IsBrokenSet(set) || set["sstable_count"] != 1) continue;
    auto files = testing::ReadableDataFiles(set);
    if (files.size() != 1) continue;
    SCOPED_TRACE(set["path"].get<std::string>());
    int n = CheckFacts(set, files[0]);
    per_set[set["path"]] = n;
    checked += n;
  }
  // The sets the SPEC names must all have been checked.
  for (const char* comp :
       {"uncompressed", "lz4", "snappy", "deflate", "zstd"}) {
    EXPECT_GT(per_set[std::string("scylla-3x/") + comp +
                      "/partition_key_with_values_of_different_types"],
              40);
  }
  for (const char* name : {"simple", "compound_ck", "collections", "static_row",
                           "write_different_types", "counters"}) {
    EXPECT_GT(per_set[std::string("scylla-3x/uncompressed/") + name], 0)
        << name;
  }
  EXPECT_GT(
      per_set["cassandra-legacy/mc/legacy_tables/legacy_mc_simple_compact"], 0);
  EXPECT_GT(checked, 600);
}

TEST(RowsCorpusTest, RowCountsAndShapes) {
  SSTFS_REQUIRE_CORPUS();
  const std::string u = CorpusDir() + "/scylla-3x/uncompressed/";
  // static_row: 5 partitions, one row each with s and val.
  auto r = RunDumpCli({u + "static_row/mc-1-big-Data.db", "--rows"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto rows = ParseLines(r.out);
  ASSERT_EQ(rows.size(), 5u);
  for (const json& row : rows) {
    EXPECT_EQ(row["s"].get<int>(), 100 + row["key"].get<int>());
    EXPECT_EQ(row["val"].get<int>(), 1000 + row["key"].get<int>());
  }
  // Column order: key, clustering, static, regular.
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')).find("{\"key\": "), 0u);
  EXPECT_LT(r.out.find("\"clustering\""), r.out.find("\"s\""));
  EXPECT_LT(r.out.find("\"s\""), r.out.find("\"val\""));

  // Static compact: one CQL row per partition, no clustering column.
  auto c =
      RunDumpCli({CorpusDir() + "/cassandra-legacy/mc/legacy_tables/"
                                "legacy_mc_simple_compact/mc-1-big-Data.db",
                  "--rows"});
  ASSERT_EQ(c.code, 0) << c.err;
  auto crows = ParseLines(c.out);
  ASSERT_EQ(crows.size(), 5u);
  EXPECT_FALSE(crows[0].contains("clustering"));
  EXPECT_EQ(crows[0]["val"], "foo bar baz");

  // TTL: everything in write_ttled_row expires at 1543905466.
  std::string ttl = u + "write_ttled_row/mc-1-big-Data.db";
  auto live = RunDumpCli({ttl, "--rows", "--now", "1543905465"});
  auto dead = RunDumpCli({ttl, "--rows", "--now", "2018-12-04T06:37:46Z"});
  EXPECT_EQ(ParseLines(live.out).size(), 1u);
  EXPECT_EQ(ParseLines(dead.out).size(), 0u) << dead.out;
}

TEST(RowsCorpusTest, CsvParsesBackWithTheSameRows) {
  SSTFS_REQUIRE_CORPUS();
  int sets = 0;
  for (const auto& set : ExpectedSets()) {
    if (testing::IsBrokenSet(set)) continue;
    for (const std::string& file : testing::ReadableDataFiles(set)) {
      SCOPED_TRACE(file);
      auto j = RunDumpCli({file, "--rows", "--now", "1500000000"});
      auto c = RunDumpCli({file, "--csv", "--now", "1500000000"});
      ASSERT_EQ(j.code, 0) << j.err;
      ASSERT_EQ(c.code, 0) << c.err;
      auto rows = ParseOrderedLines(j.out);
      bool ok = false;
      std::vector<std::vector<bool>> quoted;
      auto records = ParseCsv(c.out, &ok, &quoted);
      ASSERT_TRUE(ok);
      ASSERT_EQ(records.size(), rows.size() + 1);
      for (size_t i = 0; i < rows.size(); ++i) {
        ASSERT_EQ(records[i + 1].size(), records[0].size());
        ASSERT_EQ(rows[i].size(), records[0].size());
        // null <-> empty field, and nothing else is empty.
        size_t k = 0;
        for (auto it = rows[i].begin(); it != rows[i].end(); ++it, ++k) {
          EXPECT_EQ(it.value().is_null(),
                    records[i + 1][k].empty() && !quoted[i + 1][k])
              << it.key();
        }
      }
      ++sets;
    }
  }
  EXPECT_GT(sets, 100);
}

TEST(RowsCorpusTest, TableFolderMergesItsSSTables) {
  SSTFS_REQUIRE_CORPUS();
  // Two SSTables listing different columns (mc-1 only rc1, mc-2 only rc2):
  // a common header holds both; the README's merged row is key,ck,,rc2.
  std::string dir = CorpusDir() + "/scylla-3x/uncompressed/compact_deleted_row";
  auto c = RunDumpCli({dir, "--csv"});
  ASSERT_EQ(c.code, 0) << c.err;
  std::string header = c.out.substr(0, c.out.find('\n'));
  EXPECT_NE(header.find("rc1"), std::string::npos) << header;
  EXPECT_NE(header.find("rc2"), std::string::npos) << header;
  EXPECT_EQ(c.out.substr(header.size() + 1), "key,ck,,rc2\n");
  // A legacy na folder also holds a BTI copy of the same data: an unreadable
  // format is left out with a warning (as the mount does), not damage.
  auto na = RunDumpCli(
      {CorpusDir() + "/cassandra-legacy/na/legacy_tables/legacy_na_simple",
       "--rows"});
  EXPECT_EQ(na.code, 0);
  EXPECT_NE(na.err.find("na-1-bti"), std::string::npos) << na.err;
  EXPECT_EQ(ParseLines(na.out).size(), 5u);
}

}  // namespace
}  // namespace sstablefs
