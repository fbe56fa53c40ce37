// libFuzzer entry point for the reader's decoders of untrusted bytes.
//
// Input layout: byte 0 selects the target, byte 1 a variant (format version
// or schema), the rest is the payload:
//   0  DecodeStatistics(payload, version)
//   1  DecodeCompressionInfo(payload[4:], version, size = payload[0:4] BE)
//   2  ParseMarshalType(text up to NUL), then render the bytes after the NUL
//      with that type (JSON, CQL literal, dump string) and ParseLiteral
//   3  PartitionIterator over NewMemoryDataInput(payload) with one of a few
//      fixed schemas (the ones of corpus sets, so corpus Data.db files make
//      good seeds), rendering every cell
//   4  CounterValue / DecodeCounterShards
//   5  ParseToc, ParseDigestCrc32
//   6  Decompressor (codec = variant % 5) on the payload, expected size =
//      first 3 payload bytes (big-endian), after CheckPlausibleSize
//   7  DecodePromotedIndex with the clustering layout of schema variant % 5
// scripts/fuzz-smoke.sh builds seeds by prefixing corpus component files with
// these two bytes.
//
// Built only with -DSSTFS_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ (ASan+UBSan).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reader/big/index_file.h"
#include "reader/byte_view.h"
#include "reader/columns.h"
#include "reader/compression_info.h"
#include "reader/compressor.h"
#include "reader/counter.h"
#include "reader/crc32.h"
#include "reader/data_file.h"
#include "reader/data_input.h"
#include "reader/statistics.h"
#include "reader/toc.h"
#include "reader/types.h"
#include "reader/unfiltered.h"
#include "reader/version.h"

namespace {

namespace rd = ::sstablefs::reader;

const char* const kVersions[] = {"ma", "mb", "mc", "md", "me", "na", "nb"};

rd::Version PickVersion(uint8_t b) {
  return rd::Version(kVersions[b % (sizeof(kVersions) / sizeof(kVersions[0]))]);
}

std::string M(const char* short_name) {
  return std::string("org.apache.cassandra.db.marshal.") + short_name;
}

// Schemas of corpus sets (see ../shared/corpus/README.md), as serialization
// headers: their uncompressed Data.db files are the seeds for target 3.
struct Schema {
  rd::SerializationHeader header;
  rd::Columns columns;
  bool ok = false;
};

rd::HeaderColumn Col(const char* name, const std::string& type) {
  return rd::HeaderColumn{name, type};
}

std::vector<Schema>* BuildSchemas() {
  auto* out = new std::vector<Schema>();
  auto add = [&](rd::SerializationHeader h) {
    Schema s;
    s.header = std::move(h);
    auto c = rd::ResolveColumns(s.header, "fuzz-Statistics.db");
    if (c.ok()) {
      s.columns = std::move(c).value();
      s.ok = true;
    }
    out->push_back(std::move(s));
  };
  rd::SerializationHeader h;
  // 0: scylla-3x/uncompressed/static_row (pk int, ck int, s int static,
  //    val int).
  h = {};
  h.key_type = M("Int32Type");
  h.clustering_types = {M("Int32Type")};
  h.static_columns = {Col("s", M("Int32Type"))};
  h.regular_columns = {Col("val", M("Int32Type"))};
  add(h);
  // 1: scylla-3x/uncompressed/collections (set<int>, list<text>,
  //    map<int, text>).
  h = {};
  h.key_type = M("Int32Type");
  h.regular_columns = {Col("list_val", M("ListType(") + M("UTF8Type") + ")"),
                       Col("map_val", M("MapType(") + M("Int32Type") + "," +
                                          M("UTF8Type") + ")"),
                       Col("set_val", M("SetType(") + M("Int32Type") + ")")};
  add(h);
  // 2: scylla-3x/uncompressed/write_overlapped_range_tombstones (pk text,
  //    ck1 text, ck2 text, ck3 text): range tombstones only.
  h = {};
  h.key_type = M("UTF8Type");
  h.clustering_types = {M("UTF8Type"), M("UTF8Type"), M("UTF8Type")};
  add(h);
  // 3: counters (pk int, val counter).
  h = {};
  h.key_type = M("Int32Type");
  h.regular_columns = {Col("val", M("CounterColumnType"))};
  add(h);
  // 4: composite key, reversed clustering, many types.
  h = {};
  h.key_type = M("CompositeType(") + M("Int32Type") + "," + M("UTF8Type") +
               "," + M("BooleanType") + ")";
  h.clustering_types = {M("ReversedType(") + M("TimestampType") + ")",
                        M("UUIDType")};
  h.static_columns = {Col("st", M("UTF8Type"))};
  h.regular_columns = {
      Col("d", M("DecimalType")), Col("f", M("FloatType")),
      Col("t", M("TupleType(") + M("Int32Type") + "," + M("UTF8Type") + ")"),
      Col("u", M("UserType(ks,61,62:") + M("Int32Type") + ")")};
  add(h);
  return out;
}

const std::vector<Schema>& Schemas() {
  static const std::vector<Schema>* s = BuildSchemas();
  return *s;
}

void RenderAll(const rd::CqlType& type, rd::ByteView value) {
  std::string out;
  rd::AppendJson(type, value, &out);
  rd::AppendCqlLiteral(type, value, true, &out);
  rd::AppendCqlLiteral(type, value, false, &out);
  rd::AppendDumpString(type, value, &out);
}

void FuzzData(uint8_t variant, rd::ByteView payload) {
  const auto& schemas = Schemas();
  const Schema& s = schemas[variant % schemas.size()];
  if (!s.ok) return;
  rd::Version version = PickVersion(variant / 8);
  auto input = rd::NewMemoryDataInput(payload.ToString(), "fuzz-Data.db");
  rd::PartitionIterator it(input.get(), &s.columns, version);
  size_t items = 0;
  for (it.SeekToFirst(); it.Valid() && items < 100000; it.NextPartition()) {
    RenderAll(*s.columns.key_type, it.partition().key);
    for (it.StartRows(); it.RowValid() && items < 100000; it.NextRow()) {
      ++items;
      const rd::Unfiltered& u = it.unfiltered();
      if (u.kind != rd::Unfiltered::Kind::kRow) continue;
      const auto& defs =
          u.row.is_static ? s.columns.statics : s.columns.regulars;
      for (const rd::Cell& c : u.row.cells) {
        if (c.column >= defs.size()) __builtin_trap();  // contract violation
        const rd::CqlType& t = *defs[c.column].type;
        if (c.has_path) {
          rd::MultiCellEntry e{c.path, c.value};
          std::string out;
          rd::AppendMultiCellJson(t, {&e, 1}, &out);
        } else if (t.kind == rd::TypeKind::kCounter) {
          (void)rd::CounterValue(c.value);
        } else {
          RenderAll(t, c.value);
        }
      }
    }
  }
  // Seek to an arbitrary offset: must fail cleanly or land on a partition.
  if (payload.size() > 2) {
    it.Seek(payload[0] % payload.size());
    if (it.Valid()) {
      for (it.StartRows(); it.RowValid() && items < 200000; it.NextRow()) {
        ++items;
      }
    }
  }
  (void)it.status();
}

void FuzzType(rd::ByteView payload) {
  std::string_view all = payload.AsStringView();
  size_t nul = all.find('\0');
  std::string_view type_text = all.substr(0, nul);
  rd::ByteView value =
      nul == std::string_view::npos ? rd::ByteView() : payload.substr(nul + 1);
  auto t = rd::ParseMarshalType(type_text);
  if (!t.ok()) return;
  const rd::CqlType& type = **t;
  RenderAll(type, value);
  (void)type.CqlName();
  (void)type.FixedLength();
  (void)rd::CompareValues(type, value, value);
  auto lit = rd::ParseLiteral(type, value.AsStringView());
  if (lit.ok()) RenderAll(type, rd::ByteView(*lit));
  if (type.IsMultiCell() && value.size() >= 2) {
    rd::MultiCellEntry e{value.substr(0, value.size() / 2),
                         value.substr(value.size() / 2)};
    std::string out;
    rd::AppendMultiCellJson(type, {&e, 1}, &out);
    rd::AppendMultiCellCqlLiteral(type, {&e, 1}, true, &out);
  }
}

void FuzzDecompress(uint8_t variant, rd::ByteView payload) {
  static const rd::Codec kCodecs[] = {rd::Codec::kLz4, rd::Codec::kSnappy,
                                      rd::Codec::kDeflate, rd::Codec::kZstd,
                                      rd::Codec::kNoop};
  if (payload.size() < 3) return;
  size_t expected =
      (size_t{payload[0]} << 16) | (size_t{payload[1]} << 8) | payload[2];
  rd::ByteView in = payload.substr(3);
  rd::Decompressor d(kCodecs[variant % 5]);
  if (!d.CheckPlausibleSize(in, expected).ok()) return;
  std::vector<uint8_t> out(expected);
  (void)d.Decompress(in, out.data(), expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t target = data[0];
  const uint8_t variant = data[1];
  rd::ByteView payload(data + 2, size - 2);
  switch (target % 8) {
    case 0:
      (void)rd::DecodeStatistics(payload, PickVersion(variant),
                                 "fuzz-Statistics.db");
      break;
    case 1: {
      // Payload: u32 big-endian size of the compressed Data.db, then the
      // CompressionInfo.db bytes.
      if (payload.size() < 4) break;
      uint64_t data_size = (uint64_t{payload[0]} << 24) |
                           (uint64_t{payload[1]} << 16) |
                           (uint64_t{payload[2]} << 8) | payload[3];
      (void)rd::DecodeCompressionInfo(payload.substr(4), PickVersion(variant),
                                      "fuzz-CompressionInfo.db", data_size);
      break;
    }
    case 2:
      FuzzType(payload);
      break;
    case 3:
      FuzzData(variant, payload);
      break;
    case 4: {
      (void)rd::CounterValue(payload);
      std::vector<rd::CounterShard> shards;
      (void)rd::DecodeCounterShards(payload, &shards);
      break;
    }
    case 5:
      (void)rd::ParseToc(payload, "fuzz-TOC.txt");
      (void)rd::ParseDigestCrc32(payload, "fuzz-Digest.crc32");
      break;
    case 6:
      FuzzDecompress(variant, payload);
      break;
    case 7: {
      const auto& schemas = Schemas();
      const Schema& s = schemas[variant % schemas.size()];
      if (!s.ok) break;
      (void)rd::DecodePromotedIndex(
          payload, rd::ClusteringFixedLengths(s.columns.clustering_types),
          "fuzz-Index.db", 0);
      break;
    }
  }
  return 0;
}
