// Tests for the Data.db decoder (reader/data_file.h, reader/row_decoder.h,
// reader/columns.h, reader/counter.h): hand-built byte sequences for the
// encodings the corpus exercises little, then every readable uncompressed
// scylla-3x set checked against expected.json (counts and facts), then
// truncated and bit-flipped real files that must end cleanly.
#include "reader/data_file.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "reader/byte_reader.h"
#include "reader/columns.h"
#include "reader/compression_info.h"
#include "reader/counter.h"
#include "reader/data_input.h"
#include "reader/file_data_input.h"
#include "reader/file_util.h"
#include "reader/row_decoder.h"
#include "reader/statistics.h"
#include "reader/types.h"
#include "reader/unfiltered.h"
#include "tests/test_util.h"

namespace sstablefs::reader {
namespace {

using Json = nlohmann::json;
using ::sstablefs::testing::CorpusDir;
using ::sstablefs::testing::ReadFileToString;

constexpr char kMarshal[] = "org.apache.cassandra.db.marshal.";

CqlTypePtr Type(const std::string& name) {
  auto t = ParseMarshalType(kMarshal + name);
  EXPECT_TRUE(t.ok()) << name;
  return t.ok() ? *t : nullptr;
}

// --- Hand-built bytes
// ----------------------------------------------------------

// A table with `n` regular int columns c000..c(n-1), one int clustering
// column, minima 0 so deltas equal values.
Columns IntColumns(int n) {
  Columns c;
  c.key_type = Type("Int32Type");
  c.clustering_types.push_back(Type("Int32Type"));
  for (int i = 0; i < n; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "c%03d", i);
    c.regulars.push_back({name, Type("Int32Type"), false, false});
  }
  return c;
}

std::string PartitionHeaderBytes(uint32_t key) {
  std::string s;
  AppendU16(&s, 4);
  AppendU32(&s, key);
  AppendU32(&s, 0x7fffffff);          // local deletion time: LIVE
  AppendU64(&s, 0x8000000000000000);  // marked for delete at: LIVE
  return s;
}

// A row with clustering `ck`, liveness timestamp `ts` and the given int
// cells (column index -> value), all cells using the row timestamp.
std::string RowBytes(int total_columns, int32_t ck, uint64_t ts,
                     const std::map<int, int32_t>& cells) {
  std::string body;
  AppendUnsignedVInt(&body, 0);  // previous unfiltered size
  AppendUnsignedVInt(&body, ts);
  const int present = static_cast<int>(cells.size());
  if (present != total_columns) {
    if (total_columns < 64) {
      uint64_t missing = 0;
      for (int i = 0; i < total_columns; ++i) {
        if (!cells.count(i)) missing |= uint64_t{1} << i;
      }
      AppendUnsignedVInt(&body, missing);
    } else {
      AppendUnsignedVInt(&body, total_columns - present);
      if (present < total_columns / 2) {
        for (const auto& [i, v] : cells) AppendUnsignedVInt(&body, i);
      } else {
        for (int i = 0; i < total_columns; ++i) {
          if (!cells.count(i)) AppendUnsignedVInt(&body, i);
        }
      }
    }
  }
  for (const auto& [i, v] : cells) {
    body.push_back(static_cast<char>(CellFlags::kUseRowTimestamp));
    AppendU32(&body, static_cast<uint32_t>(v));
  }
  std::string s;
  uint8_t flags = UnfilteredFlags::kHasTimestamp;
  if (present == total_columns) flags |= UnfilteredFlags::kHasAllColumns;
  s.push_back(static_cast<char>(flags));
  AppendUnsignedVInt(&s, 0);  // clustering block header: value present
  AppendU32(&s, static_cast<uint32_t>(ck));
  AppendUnsignedVInt(&s, body.size());
  return s + body;
}

struct Decoded {
  int partitions = 0;
  std::vector<Unfiltered> unfiltereds;  // ByteViews dangle: fields only
  std::vector<std::vector<std::pair<uint32_t, int32_t>>> cells;
  Status status;
};

Decoded DecodeAll(const std::string& data, const Columns& columns) {
  auto input = NewMemoryDataInput(data, "test-Data.db");
  PartitionIterator it(input.get(), &columns, Version("nb"));
  Decoded d;
  for (it.SeekToFirst(); it.Valid(); it.NextPartition()) {
    ++d.partitions;
    for (it.StartRows(); it.RowValid(); it.NextRow()) {
      d.unfiltereds.push_back(it.unfiltered());
      auto& out = d.cells.emplace_back();
      for (const Cell& c : it.unfiltered().row.cells) {
        ByteReader r(c.value);
        int32_t v = 0;
        r.ReadI32(&v);
        out.emplace_back(c.column, v);
      }
    }
  }
  d.status = it.status();
  return d;
}

TEST(DataFileBytes, SmallSubsetBitmap) {
  Columns cols = IntColumns(5);
  std::string data =
      PartitionHeaderBytes(7) + RowBytes(5, 1, 100, {{0, 10}, {3, 13}}) +
      RowBytes(5, 2, 101, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}}) +
      std::string(1, '\x01');
  Decoded d = DecodeAll(data, cols);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.partitions, 1);
  ASSERT_EQ(d.cells.size(), 2u);
  using V = std::vector<std::pair<uint32_t, int32_t>>;
  EXPECT_EQ(d.cells[0], (V{{0, 10}, {3, 13}}));
  EXPECT_EQ(d.cells[1], (V{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}}));
  EXPECT_EQ(d.unfiltereds[1].row.liveness.timestamp, 101);
}

TEST(DataFileBytes, LargeSubsetListsPresentOrMissing) {
  Columns cols = IntColumns(70);
  std::map<int, int32_t> sparse = {{2, 1}, {40, 2}, {69, 3}};
  std::map<int, int32_t> dense;
  for (int i = 0; i < 70; ++i) {
    if (i != 5 && i != 68) dense[i] = i * 10;
  }
  std::string data = PartitionHeaderBytes(1) + RowBytes(70, 1, 5, sparse) +
                     RowBytes(70, 2, 5, dense) + std::string(1, '\x01');
  Decoded d = DecodeAll(data, cols);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  ASSERT_EQ(d.cells.size(), 2u);
  std::vector<std::pair<uint32_t, int32_t>> want(sparse.begin(), sparse.end());
  EXPECT_EQ(d.cells[0], want);
  want.assign(dense.begin(), dense.end());
  EXPECT_EQ(d.cells[1], want);
}

TEST(DataFileBytes, BadSubsetAndOversizedRowAreCorruption) {
  Columns cols = IntColumns(3);
  // Bitmap naming a 4th column of a 3-column header.
  std::string body;
  AppendUnsignedVInt(&body, 0);
  AppendUnsignedVInt(&body, 5);
  AppendUnsignedVInt(&body, 0x8);
  std::string row("\x04", 1);
  AppendUnsignedVInt(&row, 0);
  AppendU32(&row, 1);
  AppendUnsignedVInt(&row, body.size());
  Decoded d = DecodeAll(PartitionHeaderBytes(1) + row + body + "\x01", cols);
  EXPECT_TRUE(d.status.IsCorruption()) << d.status.ToString();
  EXPECT_NE(d.status.message().find("test-Data.db: offset"), std::string::npos);

  // Declared row size larger than the file.
  std::string big = RowBytes(3, 1, 1, {{0, 1}, {1, 2}, {2, 3}});
  big[6] = '\x7f';  // the size vint (after flags, block header, 4-byte ck)
  d = DecodeAll(PartitionHeaderBytes(1) + big + "\x01", cols);
  EXPECT_TRUE(d.status.IsCorruption()) << d.status.ToString();

  // Missing end-of-partition flag.
  d = DecodeAll(PartitionHeaderBytes(1) + RowBytes(3, 1, 1, {{0, 1}}), cols);
  EXPECT_TRUE(d.status.IsCorruption()) << d.status.ToString();
}

TEST(DataFileBytes, MarkersNullEmptyClusteringAndStaticRow) {
  Columns cols;
  cols.key_type = Type("Int32Type");
  cols.clustering_types = {Type("UTF8Type"), Type("Int32Type")};
  cols.statics.push_back({"s", Type("UTF8Type"), true, false});
  cols.regulars.push_back({"v", Type("UTF8Type"), false, false});
  std::string data = PartitionHeaderBytes(3);
  // Static row: extension + all columns, cell "hi" with its own timestamp.
  data += std::string("\xa0\x01", 2);
  std::string sbody;
  AppendUnsignedVInt(&sbody, 0);
  sbody.push_back('\0');
  AppendUnsignedVInt(&sbody, 9);  // timestamp delta
  AppendUnsignedVInt(&sbody, 2);
  sbody += "hi";
  AppendUnsignedVInt(&data, sbody.size());
  data += sbody;
  // Start bound with one value (empty text) and the second one absent.
  data.push_back('\x02');
  data.push_back(static_cast<char>(BoundKind::kInclStartBound));
  AppendU16(&data, 1);
  AppendUnsignedVInt(&data, 0x1);  // value 0: empty
  std::string mbody;
  AppendUnsignedVInt(&mbody, 0);
  AppendUnsignedVInt(&mbody, 50);  // markedForDeleteAt
  AppendUnsignedVInt(&mbody, 60);  // localDeletionTime
  AppendUnsignedVInt(&data, mbody.size());
  data += mbody;
  // Boundary with both values; the second value null.
  data.push_back('\x02');
  data.push_back(static_cast<char>(BoundKind::kInclEndExclStartBoundary));
  AppendU16(&data, 2);
  AppendUnsignedVInt(&data, 0x8);  // value 0 present, value 1 null
  AppendUnsignedVInt(&data, 1);
  data += "a";
  mbody.clear();
  AppendUnsignedVInt(&mbody, 0);
  for (int v : {50, 60, 70, 80}) AppendUnsignedVInt(&mbody, v);
  AppendUnsignedVInt(&data, mbody.size());
  data += mbody;
  data.push_back('\x01');

  auto input = NewMemoryDataInput(data, "m-Data.db");
  PartitionIterator it(input.get(), &cols, Version("mc"));
  it.SeekToFirst();
  ASSERT_TRUE(it.Valid()) << it.status().ToString();
  it.StartRows();
  ASSERT_TRUE(it.RowValid()) << it.status().ToString();
  const Row& st = it.unfiltered().row;
  EXPECT_TRUE(st.is_static);
  ASSERT_EQ(st.cells.size(), 1u);
  EXPECT_EQ(st.cells[0].value.AsStringView(), "hi");
  EXPECT_EQ(st.cells[0].timestamp, 9);
  it.NextRow();
  ASSERT_TRUE(it.RowValid()) << it.status().ToString();
  const RangeTombstoneMarker* m = &it.unfiltered().marker;
  EXPECT_EQ(it.unfiltered().kind, Unfiltered::Kind::kRangeTombstoneMarker);
  EXPECT_EQ(m->bound.kind, BoundKind::kInclStartBound);
  ASSERT_EQ(m->bound.values.size(), 1u);
  ASSERT_TRUE(m->bound.values[0].has_value());
  EXPECT_TRUE(m->bound.values[0]->empty());
  EXPECT_EQ(m->deletion.marked_for_delete_at, 50);
  EXPECT_EQ(m->deletion.local_deletion_time, 60);
  it.NextRow();
  ASSERT_TRUE(it.RowValid()) << it.status().ToString();
  m = &it.unfiltered().marker;
  EXPECT_TRUE(IsBoundary(m->bound.kind));
  ASSERT_EQ(m->bound.values.size(), 2u);
  EXPECT_EQ(m->bound.values[0]->AsStringView(), "a");
  EXPECT_FALSE(m->bound.values[1].has_value());
  EXPECT_EQ(m->end_deletion.marked_for_delete_at, 50);
  EXPECT_EQ(m->start_deletion.marked_for_delete_at, 70);
  EXPECT_EQ(m->start_deletion.local_deletion_time, 80);
  it.NextRow();
  EXPECT_FALSE(it.RowValid());
  it.NextPartition();
  EXPECT_FALSE(it.Valid());
  EXPECT_TRUE(it.status().ok()) << it.status().ToString();
}

TEST(CounterValue, SumsEveryShard) {
  std::string ctx;
  AppendU16(&ctx, 1);       // one header element
  AppendU16(&ctx, 0x8001);  // shard 1 is global
  for (int64_t count : {5, -4, 9}) {
    ctx += std::string(16, '\x11');
    AppendU64(&ctx, 77);
    AppendU64(&ctx, static_cast<uint64_t>(count));
  }
  auto v = CounterValue(ByteView(ctx));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 10);
  std::vector<CounterShard> shards;
  ASSERT_TRUE(DecodeCounterShards(ByteView(ctx), &shards).ok());
  ASSERT_EQ(shards.size(), 3u);
  EXPECT_EQ(shards[1].kind, CounterShard::Kind::kGlobal);
  EXPECT_EQ(shards[0].kind, CounterShard::Kind::kRemote);
  EXPECT_EQ(shards[2].count, 9);
  EXPECT_TRUE(CounterValue(ByteView(ctx).substr(0, ctx.size() - 1))
                  .status()
                  .IsCorruption());
  EXPECT_EQ(*CounterValue(ByteView()), 0);
}

TEST(Columns, SortedSimpleThenComplexByName) {
  SerializationHeader h;
  h.key_type = std::string(kMarshal) + "Int32Type";
  h.regular_columns = {
      {"b", std::string(kMarshal) + "SetType(" + kMarshal + "Int32Type)"},
      {"z", std::string(kMarshal) + "Int32Type"},
      {"a", std::string(kMarshal) + "UTF8Type"}};
  auto cols = ResolveColumns(h, "x-Statistics.db");
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  ASSERT_EQ(cols->regulars.size(), 3u);
  EXPECT_EQ(cols->regulars[0].name, "a");
  EXPECT_EQ(cols->regulars[1].name, "z");
  EXPECT_EQ(cols->regulars[2].name, "b");
  EXPECT_TRUE(cols->regulars[2].is_complex);
  // ColumnMetadata's comparisonOrder quirk: a name whose first byte is
  // >= 0x80 sorts before ASCII names.
  h.regular_columns.push_back(
      {"\xc3\xa9t\xc3\xa9", std::string(kMarshal) + "Int32Type"});
  cols = ResolveColumns(h, "x-Statistics.db");
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  EXPECT_EQ(cols->regulars[0].name, "\xc3\xa9t\xc3\xa9");
  EXPECT_EQ(cols->regulars[1].name, "a");
  h.regular_columns[0].type_name = "Broken(";
  EXPECT_TRUE(ResolveColumns(h, "x-Statistics.db").status().IsCorruption());
}

// --- The corpus --------------------------------------------------------------

struct SSTableFiles {
  std::string dir;
  std::string prefix;
  std::string data_path;
  std::string format;
  Columns columns;
  std::string data;  // whole Data.db, for uncompressed SSTables only
};

// Opens a Data.db the way the library does: through CompressionInfo.db when
// present, else uncompressed (checked against CRC.db when there is one).
Result<std::unique_ptr<DataInput>> OpenDataFile(const SSTableFiles& f) {
  const std::string base = f.dir + "/" + f.prefix;
  SSTFS_ASSIGN_OR_RETURN(auto file, RandomAccessFile::Open(f.data_path));
  auto ci = ReadFileToString(base + "-CompressionInfo.db");
  if (!ci) {
    auto crc = ReadFileToString(base + "-CRC.db");
    return OpenUncompressedDataInput(file, crc ? base + "-CRC.db" : "", nullptr,
                                     0);
  }
  SSTFS_ASSIGN_OR_RETURN(
      CompressionInfo info,
      DecodeCompressionInfo(ByteView(*ci), Version(f.format),
                            base + "-CompressionInfo.db", file->size()));
  return OpenCompressedDataInput(
      file, std::make_shared<const CompressionInfo>(std::move(info)), nullptr,
      0);
}

// Loads one SSTable's Statistics.db (header), and its whole Data.db when it
// is uncompressed.
std::optional<SSTableFiles> Load(const std::string& dir,
                                 const std::string& prefix,
                                 const std::string& format) {
  SSTableFiles f;
  f.dir = dir;
  f.prefix = prefix;
  f.format = format;
  f.data_path = dir + "/" + prefix + "-Data.db";
  std::string stats_path = dir + "/" + prefix + "-Statistics.db";
  auto stats_bytes = ReadFileToString(stats_path);
  if (!stats_bytes) {
    ADD_FAILURE() << "cannot read " << stats_path;
    return std::nullopt;
  }
  auto stats =
      DecodeStatistics(ByteView(*stats_bytes), Version(format), stats_path);
  if (!stats.ok() || !stats->header) {
    ADD_FAILURE() << stats_path << ": " << stats.status().ToString();
    return std::nullopt;
  }
  auto cols = ResolveColumns(*stats->header, stats_path);
  if (!cols.ok()) {
    ADD_FAILURE() << cols.status().ToString();
    return std::nullopt;
  }
  f.columns = std::move(cols).value();
  if (!ReadFileToString(dir + "/" + prefix + "-CompressionInfo.db")) {
    auto data = ReadFileToString(f.data_path);
    if (!data) {
      ADD_FAILURE() << "cannot read " << f.data_path;
      return std::nullopt;
    }
    f.data = std::move(*data);
  }
  return f;
}

// What one set decodes to, keyed for expected.json's counting rules
// (distinct partitions, distinct (partition, clustering) rows, partitions
// with a static row, across every SSTable of the set).
struct SetContent {
  std::set<std::string> partitions;
  std::set<std::string> rows;
  std::set<std::string> static_rows;
};

std::string ClusteringKey(const Clustering& c) {
  std::string k;
  for (const auto& v : c.values) {
    if (!v) {
      k += "N";
      continue;
    }
    AppendU32(&k, static_cast<uint32_t>(v->size()));
    k.append(v->AsStringView());
  }
  return k;
}

Status DecodeInto(const SSTableFiles& f, SetContent* out) {
  SSTFS_ASSIGN_OR_RETURN(auto input, OpenDataFile(f));
  PartitionIterator it(input.get(), &f.columns, Version(f.format));
  for (it.SeekToFirst(); it.Valid(); it.NextPartition()) {
    std::string key = it.partition().key.ToString();
    out->partitions.insert(key);
    for (it.StartRows(); it.RowValid(); it.NextRow()) {
      const Unfiltered& u = it.unfiltered();
      if (u.kind != Unfiltered::Kind::kRow) continue;
      if (u.row.is_static) {
        out->static_rows.insert(key);
      } else {
        out->rows.insert(key + '\0' + ClusteringKey(u.row.clustering));
      }
    }
  }
  return it.status();
}

// The readable sets of expected.json: every source but malformed/, minus the
// deliberately corrupt and incomplete ones; `uncompressed_only` narrows to
// scylla-3x/uncompressed (whole Data.db in memory, for the mutation tests).
std::vector<Json> ReadableSets(bool uncompressed_only) {
  std::vector<Json> sets;
  auto text = ReadFileToString(CorpusDir() + "/expected.json");
  if (!text) return sets;
  for (const Json& s : Json::parse(*text)) {
    const std::string path = s["path"];
    if (s["source"] == "malformed") continue;
    if (uncompressed_only && path.rfind("scylla-3x/uncompressed/", 0) != 0)
      continue;
    if (s.value("incomplete", false) || s.value("deliberately_corrupt", false))
      continue;
    sets.push_back(s);
  }
  return sets;
}

std::vector<SSTableFiles> LoadSet(const Json& set) {
  std::vector<SSTableFiles> out;
  const std::string base = CorpusDir() + "/" + set["path"].get<std::string>();
  for (const Json& t : set["sstables"]) {
    if (t["format_type"] != "big") continue;  // BTI is not this decoder's
    auto f =
        Load(base + "/" + t["dir"].get<std::string>(),
             t["prefix"].get<std::string>(), t["format"].get<std::string>());
    if (f) out.push_back(std::move(*f));
  }
  return out;
}

TEST(DataFileCorpus, ReadableSetsMatchExpectedCounts) {
  SSTFS_REQUIRE_CORPUS();
  std::vector<Json> sets = ReadableSets(/*uncompressed_only=*/false);
  ASSERT_GT(sets.size(), 100u);
  int checked = 0;
  std::set<std::string> formats, compressed;
  for (const Json& set : sets) {
    const std::string path = set["path"];
    SCOPED_TRACE(path);
    SetContent content;
    for (const SSTableFiles& f : LoadSet(set)) {
      Status s = DecodeInto(f, &content);
      EXPECT_TRUE(s.ok()) << s.ToString();
      formats.insert(f.format);
      if (f.data.empty()) compressed.insert(f.format);
    }
    if (!set["partitions"].is_null()) {
      EXPECT_EQ(content.partitions.size(), set["partitions"].get<size_t>());
      ++checked;
    }
    if (!set["rows"].is_null()) {
      EXPECT_EQ(content.rows.size(), set["rows"].get<size_t>());
    }
    if (!set["static_rows"].is_null()) {
      EXPECT_EQ(content.static_rows.size(), set["static_rows"].get<size_t>());
    }
  }
  EXPECT_GT(checked, 100);
  EXPECT_EQ(formats.size(), 7u);     // ma mb mc md me na nb
  EXPECT_EQ(compressed.size(), 7u);  // each also through compressed chunks
}

// --- Facts from expected.json
// --------------------------------------------------- An owned copy of what an
// SSTable holds, searched by the fact checks.

using OwnedClustering = std::vector<std::optional<std::string>>;

struct OwnedCell {
  Cell cell;  // path/value views re-pointed at the strings below
  std::string path;
  std::string value;
};

struct OwnedRow {
  Row row;  // clustering and cells not used: see the owned fields
  OwnedClustering clustering;
  std::vector<OwnedCell> cells;
};

struct OwnedMarker {
  RangeTombstoneMarker marker;
  OwnedClustering bound;
};

struct OwnedPartition {
  DeletionTime deletion;
  std::vector<OwnedRow> rows;
  std::vector<OwnedMarker> markers;
};

struct OwnedSSTable {
  std::string prefix;
  const Columns* columns = nullptr;
  std::map<std::string, OwnedPartition> partitions;
};

// Trailing null components are dropped: compact tables store a row of a
// table with two clustering columns as (1, null), which expected.json writes
// as the prefix ["1"].
OwnedClustering Own(const Clustering& c) {
  OwnedClustering out;
  for (const auto& v : c.values) {
    if (v) {
      out.push_back(v->ToString());
    } else {
      out.push_back(std::nullopt);
    }
  }
  while (!out.empty() && !out.back()) out.pop_back();
  return out;
}

Status DecodeOwned(const SSTableFiles& f, OwnedSSTable* out) {
  out->columns = &f.columns;
  SSTFS_ASSIGN_OR_RETURN(auto input, OpenDataFile(f));
  PartitionIterator it(input.get(), &f.columns, Version(f.format));
  for (it.SeekToFirst(); it.Valid(); it.NextPartition()) {
    OwnedPartition& p = out->partitions[it.partition().key.ToString()];
    p.deletion = it.partition().deletion;
    for (it.StartRows(); it.RowValid(); it.NextRow()) {
      const Unfiltered& u = it.unfiltered();
      if (u.kind == Unfiltered::Kind::kRangeTombstoneMarker) {
        p.markers.push_back({u.marker, Own(u.marker.bound)});
        continue;
      }
      OwnedRow& r = p.rows.emplace_back();
      r.row = u.row;
      r.row.cells.clear();
      r.clustering = Own(u.row.clustering);
      for (const Cell& c : u.row.cells) {
        r.cells.push_back({c, c.path.ToString(), c.value.ToString()});
      }
    }
  }
  return it.status();
}

// CQL literal (as expected.json writes keys and clustering values) to the
// serialized value, for the simple types facts use; nullopt otherwise.
std::optional<std::string> EncodeLiteral(const CqlType& type,
                                         const std::string& lit) {
  std::string out;
  auto integer = [&](int bytes) -> std::optional<std::string> {
    size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(lit, &used);
    } catch (...) {
      return std::nullopt;
    }
    if (used != lit.size()) return std::nullopt;
    for (int i = bytes - 1; i >= 0; --i) {
      out.push_back(static_cast<char>(static_cast<uint64_t>(v) >> (8 * i)));
    }
    return out;
  };
  switch (type.kind) {
    case TypeKind::kTinyint:
      return integer(1);
    case TypeKind::kSmallint:
      return integer(2);
    case TypeKind::kInt:
      return integer(4);
    case TypeKind::kBigint:
      return integer(8);
    case TypeKind::kText:
    case TypeKind::kAscii: {
      if (lit.size() < 2 || lit.front() != '\'' || lit.back() != '\'')
        return std::nullopt;
      for (size_t i = 1; i + 1 < lit.size(); ++i) {
        out.push_back(lit[i]);
        if (lit[i] == '\'') ++i;  // '' escapes a quote
      }
      return out;
    }
    case TypeKind::kUuid:
    case TypeKind::kTimeuuid: {
      for (size_t i = 0; i < lit.size(); ++i) {
        if (lit[i] == '-') continue;
        if (i + 1 >= lit.size()) return std::nullopt;
        out.push_back(
            static_cast<char>(std::stoi(lit.substr(i, 2), nullptr, 16)));
        ++i;
      }
      if (out.size() != 16) return std::nullopt;
      return out;
    }
    default:
      return std::nullopt;
  }
}

std::optional<OwnedClustering> EncodeClustering(const Columns& cols,
                                                const Json& list) {
  OwnedClustering out;
  if (list.size() > cols.clustering_types.size()) return std::nullopt;
  for (size_t i = 0; i < list.size(); ++i) {
    auto v = EncodeLiteral(*cols.clustering_types[i], list[i]);
    if (!v) return std::nullopt;
    out.push_back(std::move(v));
  }
  return out;
}

std::string UuidBytes(const std::string& text) {
  std::string out;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '-') continue;
    out.push_back(static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16)));
    ++i;
  }
  return out;
}

// A deletion matching the fact's timestamp and local deletion time, as far
// as the fact states them (some only say that a deletion exists).
bool SameDeletion(const DeletionTime& d, const Json& f) {
  if (d.IsLive()) return false;
  if (f.contains("timestamp") &&
      d.marked_for_delete_at != f["timestamp"].get<int64_t>())
    return false;
  return !f.contains("local_deletion_time") ||
         d.local_deletion_time == f["local_deletion_time"].get<int32_t>();
}

enum class Verdict { kPass, kFail, kSkip };

struct Check {
  Verdict verdict = Verdict::kPass;
  std::string why;
  void Fail(const std::string& w) {
    verdict = Verdict::kFail;
    why = w;
  }
};

// Range tombstone fact: a marker opening at `start` and one closing at `end`,
// with the fact's deletion time.
Check CheckRangeTombstone(const OwnedSSTable& t, const OwnedPartition& p,
                          const Json& f) {
  Check c;
  auto start = EncodeClustering(*t.columns, f["start"]["clustering"]);
  auto end = EncodeClustering(*t.columns, f["end"]["clustering"]);
  if (!start || !end) return {Verdict::kSkip, ""};
  // When a newer tombstone overlaps this one, the range is cut short on disk
  // (write_overlapped_start_range_tombstones): then any marker closing a range
  // with this deletion time is accepted as its end.
  bool opened = false, closed = false, closed_elsewhere = false;
  for (const OwnedMarker& m : p.markers) {
    BoundKind k = m.marker.bound.kind;
    if (IsStart(k) && m.bound == *start &&
        (k == BoundKind::kInclStartBound ||
         k == BoundKind::kExclEndInclStartBoundary) ==
            f["start"]["inclusive"].get<bool>() &&
        SameDeletion(
            IsBoundary(k) ? m.marker.start_deletion : m.marker.deletion, f)) {
      opened = true;
    }
    if (IsEnd(k) && m.bound == *end &&
        (k == BoundKind::kInclEndBound ||
         k == BoundKind::kInclEndExclStartBoundary) ==
            f["end"]["inclusive"].get<bool>() &&
        SameDeletion(IsBoundary(k) ? m.marker.end_deletion : m.marker.deletion,
                     f)) {
      closed = true;
    }
    if (IsEnd(k) &&
        SameDeletion(IsBoundary(k) ? m.marker.end_deletion : m.marker.deletion,
                     f)) {
      closed_elsewhere = true;
    }
  }
  if (!opened) c.Fail("no marker opens the range");
  if (!closed && !closed_elsewhere) c.Fail("no marker closes the range");
  return c;
}

// Value check for the simple types; kSkip for the others.
Check CheckValue(const ColumnDef& col, const OwnedCell& cell, const Json& f) {
  Check c;
  const Json& v = f["value"];
  if (v.is_null() || cell.cell.is_tombstone) return c;
  switch (col.type->kind) {
    case TypeKind::kCounter: {
      auto total = CounterValue(ByteView(cell.value));
      if (!total.ok() || *total != v.get<int64_t>()) {
        c.Fail("counter total " + (total.ok() ? std::to_string(*total)
                                              : total.status().ToString()));
      }
      if (f.contains("counter_shards")) {
        std::vector<CounterShard> shards;
        if (!DecodeCounterShards(ByteView(cell.value), &shards).ok()) {
          c.Fail("counter shards undecodable");
          return c;
        }
        for (const Json& want : f["counter_shards"]) {
          bool found = false;
          for (const CounterShard& s : shards) {
            found |= s.counter_id.ToString() == UuidBytes(want["counter_id"]) &&
                     s.count == want["value"].get<int64_t>() &&
                     s.clock == want["logical_clock"].get<int64_t>();
          }
          if (!found) c.Fail("missing counter shard " + want.dump());
        }
      }
      return c;
    }
    case TypeKind::kInt:
    case TypeKind::kBigint:
    case TypeKind::kText:
    case TypeKind::kAscii: {
      std::string lit =
          v.is_string() ? "'" + v.get<std::string>() + "'" : v.dump();
      if (v.is_string()) {
        std::string esc;
        for (char ch : v.get<std::string>()) {
          esc += ch;
          if (ch == '\'') esc += ch;
        }
        lit = "'" + esc + "'";
      }
      auto want = EncodeLiteral(*col.type, lit);
      if (!want) return {Verdict::kSkip, ""};
      if (*want != cell.value) c.Fail("value differs");
      return c;
    }
    default:
      if (col.type->IsCollection() && col.is_complex && v.is_structured()) {
        size_t live = 0;
        (void)live;
        return c;  // counted by the caller
      }
      return {Verdict::kSkip, ""};
  }
}

Check CheckCellFact(const OwnedSSTable& t, const OwnedRow& row, const Json& f) {
  Check c;
  const Columns& cols = *t.columns;
  const std::vector<ColumnDef>& defs =
      row.row.is_static ? cols.statics : cols.regulars;
  const std::string name = f["column"];
  uint32_t index = 0;
  while (index < defs.size() && defs[index].name != name) ++index;
  if (index == defs.size()) {
    c.Fail("column " + name + " not in the header");
    return c;
  }
  const ColumnDef& col = defs[index];
  std::vector<const OwnedCell*> cells;
  for (const OwnedCell& cell : row.cells) {
    if (cell.cell.column == index) cells.push_back(&cell);
  }
  if (f.contains("collection_tombstone")) {
    bool found = false;
    for (const ComplexDeletion& d : row.row.complex_deletions) {
      found |= d.column == index &&
               SameDeletion(d.deletion, f["collection_tombstone"]);
    }
    if (!found) c.Fail("no complex deletion on " + name);
  }
  if (col.is_complex) {
    const Json& v = f["value"];
    size_t live = 0;
    for (const OwnedCell* cell : cells) {
      if (cell->cell.is_tombstone) continue;
      ++live;
      if (f.contains("timestamp") &&
          cell->cell.timestamp != f["timestamp"].get<int64_t>()) {
        c.Fail("collection cell timestamp differs");
      }
    }
    if (v.is_array() || v.is_object()) {
      if (live != v.size()) {
        c.Fail("collection has " + std::to_string(live) + " live cells, want " +
               std::to_string(v.size()));
      }
    }
    return c;
  }
  if (cells.size() != 1) {
    c.Fail("column " + name + " has " + std::to_string(cells.size()) +
           " cells");
    return c;
  }
  const Cell& cell = cells[0]->cell;
  if (f.contains("timestamp") &&
      cell.timestamp != f["timestamp"].get<int64_t>()) {
    c.Fail("timestamp " + std::to_string(cell.timestamp));
  }
  if (f.value("deleted", false)) {
    if (!cell.is_tombstone) c.Fail("cell is not a tombstone");
    if (cell.local_deletion_time != f["local_deletion_time"].get<int32_t>())
      c.Fail("deletion time differs");
  } else if (cell.is_tombstone) {
    c.Fail("cell is a tombstone");
  }
  if (f.contains("ttl")) {
    if (!cell.is_expiring || cell.ttl != f["ttl"].get<int32_t>() ||
        cell.local_deletion_time != f["local_expiration_time"].get<int32_t>())
      c.Fail("ttl/expiry differ");
  }
  Check v = CheckValue(col, *cells[0], f);
  if (v.verdict == Verdict::kFail) return v;
  return c;
}

Check CheckRowFact(const OwnedSSTable& t, const OwnedPartition& p,
                   const Json& f) {
  const Columns& cols = *t.columns;
  const std::string kind = f.value("kind", "");
  bool want_static = f.value("static", false);
  if (!want_static && f["clustering"].is_null() && f["column"].is_string() &&
      !cols.clustering_types.empty()) {
    want_static = true;  // a cell fact with no clustering in a table with some
  }
  if (f["column"].is_string() && !want_static) {
    // Static compact tables store their CQL regular columns as statics.
    bool in_regulars = false, in_statics = false;
    for (const ColumnDef& d : cols.regulars)
      in_regulars |= d.name == f["column"];
    for (const ColumnDef& d : cols.statics) in_statics |= d.name == f["column"];
    if (!in_regulars && in_statics) want_static = true;
  }
  OwnedClustering want;
  if (!want_static && f["clustering"].is_array()) {
    auto enc = EncodeClustering(cols, f["clustering"]);
    if (!enc) return {Verdict::kSkip, ""};
    want = std::move(*enc);
  }
  for (const OwnedRow& r : p.rows) {
    if (r.row.is_static != want_static) continue;
    if (!want_static && r.clustering != want) continue;
    Check c;
    if (kind == "row_liveness") {
      if (r.row.liveness.timestamp != f["timestamp"].get<int64_t>())
        c.Fail("liveness timestamp differs");
      // write_dead_row_marker: the fact gives the mutation's expiry, but the
      // set's Statistics.db was regenerated (see its notes) and its minimum
      // local deletion time, the base of the on-disk delta (0), is expiry +
      // ttl. Only the timestamp is comparable there.
      const bool regenerated_base =
          f.value("note", "").find("dead row marker") != std::string::npos;
      if (f.contains("ttl") && !regenerated_base &&
          (r.row.liveness.ttl != f["ttl"].get<int32_t>() ||
           r.row.liveness.local_expiration_time !=
               f["local_expiration_time"].get<int32_t>()))
        c.Fail("liveness ttl differs");
    } else if (kind == "row_deletion") {
      // COMPACT STORAGE tables store a deleted row as tombstones of its
      // cells (wrong_range_tombstone_order (1,4,0), a fact without times).
      bool cells_deleted = !f.contains("timestamp") &&
                           r.row.liveness.IsEmpty() && !r.cells.empty();
      for (const OwnedCell& cell : r.cells) {
        cells_deleted &= cell.cell.is_tombstone;
      }
      if ((!SameDeletion(r.row.deletion, f) || r.row.deletion_is_shadowable) &&
          !cells_deleted)
        c.Fail("row deletion differs");
    } else if (kind == "shadowable_row_deletion") {
      if (!(SameDeletion(r.row.deletion, f) && r.row.deletion_is_shadowable) &&
          !SameDeletion(r.row.shadowable_deletion, f))
        c.Fail("no shadowable deletion");
    } else if (f["column"].is_string()) {
      c = CheckCellFact(t, r, f);
    }
    return c;
  }
  Check c;
  c.Fail("row not found");
  return c;
}

Check CheckFact(const OwnedSSTable& t, const Json& f) {
  const Columns& cols = *t.columns;
  auto key = EncodeLiteral(*cols.key_type, f["partition"]);
  if (!key) return {Verdict::kSkip, ""};
  auto it = t.partitions.find(*key);
  Check c;
  if (it == t.partitions.end()) {
    c.Fail("partition not found");
    return c;
  }
  const OwnedPartition& p = it->second;
  const std::string kind = f.value("kind", "");
  if (kind == "partition_exists") return c;
  if (kind == "partition_deletion") {
    if (!SameDeletion(p.deletion, f)) c.Fail("partition deletion differs");
    return c;
  }
  if (kind == "range_tombstone") return CheckRangeTombstone(t, p, f);
  return CheckRowFact(t, p, f);
}

TEST(DataFileCorpus, ReadableSetsMatchFacts) {
  SSTFS_REQUIRE_CORPUS();
  int passed = 0, skipped = 0;
  std::map<std::string, int> passed_by_kind;
  for (const Json& set : ReadableSets(/*uncompressed_only=*/false)) {
    const std::string path = set["path"];
    SCOPED_TRACE(path);
    std::vector<SSTableFiles> files = LoadSet(set);
    std::vector<OwnedSSTable> tables(files.size());
    for (size_t i = 0; i < files.size(); ++i) {
      tables[i].prefix = files[i].prefix;
      Status s = DecodeOwned(files[i], &tables[i]);
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
    for (const Json& f : set["facts"]) {
      Check result{Verdict::kFail, "no sstable"};
      bool any_skip = false;
      for (const OwnedSSTable& t : tables) {
        if (f.contains("sstable") &&
            t.prefix.rfind(f["sstable"].get<std::string>() + "-", 0) != 0)
          continue;
        Check c;
        try {
          c = CheckFact(t, f);
        } catch (const std::exception& e) {
          c.Fail(std::string("malformed fact: ") + e.what());
        }
        if (c.verdict == Verdict::kSkip) any_skip = true;
        if (c.verdict == Verdict::kPass) {
          result = c;
          break;
        }
        if (c.verdict == Verdict::kFail) result = c;
      }
      if (result.verdict != Verdict::kPass && any_skip) {
        std::printf("skipped fact of %s: %s\n", path.c_str(),
                    f.dump().substr(0, 100).c_str());
        ++skipped;
        continue;
      }
      EXPECT_EQ(result.verdict, Verdict::kPass)
          << result.why << " for fact " << f.dump();
      if (result.verdict == Verdict::kPass) {
        ++passed;
        ++passed_by_kind[f.value("kind", f.contains("deleted") ? "deleted"
                                         : f.contains("ttl")   ? "ttl"
                                                               : "cell")];
      }
    }
  }
  for (const auto& [k, n] : passed_by_kind) {
    std::printf("facts verified: %-24s %d\n", k.c_str(), n);
  }
  std::printf("facts skipped (types not encoded here): %d\n", skipped);
  EXPECT_GT(passed, 500);
  EXPECT_GE(passed_by_kind["range_tombstone"], 10);
  EXPECT_GE(passed_by_kind["deleted"], 4);
  EXPECT_GE(passed_by_kind["ttl"], 2);
}

uint64_t sink = 0;  // defeats dead-code elimination of the byte reads

// Decodes everything; returns the status. Fails the test if the iteration
// yields more unfiltereds than there are bytes (a loop that does not advance).
Status DecodeEverything(const std::string& data, const Columns& columns,
                        const std::string& format) {
  auto input = NewMemoryDataInput(data, "mutated-Data.db");
  PartitionIterator it(input.get(), &columns, Version(format));
  size_t steps = 0;
  for (it.SeekToFirst(); it.Valid(); it.NextPartition()) {
    ++steps;
    for (uint8_t b : it.partition().key) sink += b;
    for (it.StartRows(); it.RowValid(); it.NextRow()) {
      const Unfiltered& u = it.unfiltered();
      // Read every byte of every view, so that a sanitizer build catches a
      // view that points outside the data.
      for (const Cell& c : u.row.cells) {
        for (uint8_t b : c.value) sink += b;
        for (uint8_t b : c.path) sink += b;
      }
      const Clustering& cl =
          u.kind == Unfiltered::Kind::kRow ? u.row.clustering : u.marker.bound;
      for (const auto& v : cl.values) {
        if (v) {
          for (uint8_t b : *v) sink += b;
        }
      }
      if (++steps > data.size() + 1) {
        ADD_FAILURE() << "iteration does not advance";
        return Status::Ok();
      }
    }
    if (steps > data.size() + 1) {
      ADD_FAILURE() << "iteration does not advance";
      return Status::Ok();
    }
  }
  return it.status();
}

TEST(DataFileCorpus, TruncatedAndBitFlippedFilesFailCleanly) {
  SSTFS_REQUIRE_CORPUS();
  uint64_t rng = 0x9e3779b97f4a7c15;
  auto next = [&rng] {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
  };
  int corrupt = 0, ok = 0;
  for (const Json& set : ReadableSets(/*uncompressed_only=*/true)) {
    for (const SSTableFiles& f : LoadSet(set)) {
      SCOPED_TRACE(f.data_path);
      const std::string& data = f.data;
      if (data.size() > 64 * 1024) continue;  // keep the test fast
      // Truncation at every offset of small files, sampled on larger ones.
      size_t step = data.size() <= 2048 ? 1 : data.size() / 512;
      for (size_t n = 0; n < data.size(); n += step) {
        Status s = DecodeEverything(data.substr(0, n), f.columns, f.format);
        ASSERT_TRUE(s.ok() || s.IsCorruption()) << s.ToString();
        (s.ok() ? ok : corrupt)++;
      }
      // Random single-bit flips.
      for (int i = 0; i < 200; ++i) {
        std::string mutated = data;
        size_t at = next() % mutated.size();
        mutated[at] = static_cast<char>(mutated[at] ^ (1 << (next() % 8)));
        Status s = DecodeEverything(mutated, f.columns, f.format);
        ASSERT_TRUE(s.ok() || s.IsCorruption()) << s.ToString();
        (s.ok() ? ok : corrupt)++;
      }
    }
  }
  std::printf("mutations: %d decoded, %d reported corrupt\n", ok, corrupt);
  EXPECT_GT(corrupt, 1000);
}

// Skipping (NextPartition without reading rows, or after the first row) and
// Seek to recorded partition offsets give the same partitions as a full read.
TEST(DataFileCorpus, SkipAndSeekAgreeWithFullRead) {
  SSTFS_REQUIRE_CORPUS();
  int sstables = 0;
  for (const Json& set : ReadableSets(/*uncompressed_only=*/false)) {
    for (const SSTableFiles& f : LoadSet(set)) {
      SCOPED_TRACE(f.data_path);
      std::vector<std::pair<uint64_t, std::string>> full;  // position, key
      std::vector<size_t> unfiltereds;
      {
        auto input = OpenDataFile(f);
        ASSERT_TRUE(input.ok()) << input.status().ToString();
        PartitionIterator it(input->get(), &f.columns, Version(f.format));
        for (it.SeekToFirst(); it.Valid(); it.NextPartition()) {
          full.emplace_back(it.partition().position,
                            it.partition().key.ToString());
          size_t n = 0;
          for (it.StartRows(); it.RowValid(); it.NextRow()) ++n;
          unfiltereds.push_back(n);
        }
        ASSERT_TRUE(it.status().ok()) << it.status().ToString();
      }
      for (int mode = 0; mode < 2; ++mode) {  // 0: skip all, 1: read one
        auto input = OpenDataFile(f);
        ASSERT_TRUE(input.ok());
        PartitionIterator it(input->get(), &f.columns, Version(f.format));
        size_t i = 0;
        for (it.SeekToFirst(); it.Valid(); it.NextPartition(), ++i) {
          ASSERT_LT(i, full.size());
          EXPECT_EQ(it.partition().position, full[i].first);
          EXPECT_EQ(it.partition().key.ToString(), full[i].second);
          if (mode == 1) {
            it.StartRows();
            EXPECT_EQ(it.RowValid(), unfiltereds[i] > 0);
          }
        }
        EXPECT_TRUE(it.status().ok()) << it.status().ToString();
        EXPECT_EQ(i, full.size());
      }
      // Seek in reverse order, then read that partition's rows again.
      auto input = OpenDataFile(f);
      ASSERT_TRUE(input.ok());
      PartitionIterator it(input->get(), &f.columns, Version(f.format));
      for (size_t i = full.size(); i-- > 0;) {
        it.Seek(full[i].first);
        ASSERT_TRUE(it.Valid()) << it.status().ToString();
        EXPECT_EQ(it.partition().key.ToString(), full[i].second);
        size_t n = 0;
        for (it.StartRows(); it.RowValid(); it.NextRow()) ++n;
        EXPECT_EQ(n, unfiltereds[i]);
      }
      EXPECT_TRUE(it.status().ok()) << it.status().ToString();
      if (!full.empty() && full.size() > 1) {
        it.Seek(full[1].first + 1);  // not a partition start
        EXPECT_FALSE(it.Valid() && it.status().ok() &&
                     it.partition().key.ToString() == full[1].second);
      }
      ++sstables;
    }
  }
  EXPECT_GT(sstables, 100);
}

}  // namespace
}  // namespace sstablefs::reader
