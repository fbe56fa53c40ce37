// Writer throughput benchmark: writes timeseries-like data (the shape of the
// generator's `timeseries` preset: (sensor uuid, day date) partitions of one
// row per minute, a dozen typed columns, a TTL on a fifth of the rows) with
// the streaming writer and prints MB/s of (uncompressed) Data.db.
//
//   bench_writer OUTDIR [MEGABYTES=256] [--uncompressed]
//
// The time includes building the rows (cheap, no allocation per row),
// encoding, LZ4 and the file writes; not the generator's own work.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "reader/byte_reader.h"
#include "reader/partitioner.h"
#include "writer/sstable_writer.h"

namespace sstablefs::writer {
namespace {

using reader::ByteView;

constexpr char kMarshal[] = "org.apache.cassandra.db.marshal.";
constexpr int kRowsPerPartition = 1440;  // one per minute of a day
constexpr int64_t kBaseMs = 1700000000000LL;

struct Rng {
  uint64_t s;
  uint64_t Next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

WriterSchema Schema() {
  const std::string m = kMarshal;
  WriterSchema s;
  s.key_type = m + "CompositeType(" + m + "UUIDType," + m + "SimpleDateType)";
  s.clustering_types = {m + "ReversedType(" + m + "TimestampType)"};
  // Simple columns by name (Cassandra's order).
  s.regulars = {
      {"battery", m + "FloatType"},   {"co2", m + "Int32Type"},
      {"firmware", m + "UTF8Type"},   {"humidity", m + "DoubleType"},
      {"lat", m + "DoubleType"},      {"lon", m + "DoubleType"},
      {"ok", m + "BooleanType"},      {"pressure", m + "DoubleType"},
      {"reading_id", m + "UUIDType"}, {"seq", m + "LongType"},
      {"status", m + "UTF8Type"},     {"temperature", m + "DoubleType"}};
  s.encoding_stats = reader::EncodingStats{kBaseMs * 1000, 1700000000, 0};
  return s;
}

std::string PartitionKey(uint64_t a, uint64_t b, uint32_t day) {
  // CompositeType: per component u16 length, bytes, end-of-component 0.
  std::string k;
  reader::AppendU16(&k, 16);
  reader::AppendU64(&k, a);
  reader::AppendU64(&k, (b & ~0xf000ULL) | 0x4000ULL);
  k.push_back(0);
  reader::AppendU16(&k, 4);
  reader::AppendU32(&k, day);
  k.push_back(0);
  return k;
}

int Run(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: bench_writer OUTDIR [MEGABYTES] [--uncompressed]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const uint64_t target =
      (argc > 2 && argv[2][0] != '-' ? std::atoll(argv[2]) : 256) << 20;
  bool lz4 = true;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--uncompressed") == 0) lz4 = false;
  }
  std::filesystem::create_directories(dir);

  // >= 50 bytes per row: enough partitions for the target, in token order.
  const uint64_t partitions = target / (kRowsPerPartition * 50) + 1;
  Rng rng{0x9e3779b97f4a7c15ULL};
  std::vector<std::string> keys;
  for (uint64_t p = 0; p < partitions; ++p) {
    keys.push_back(PartitionKey(rng.Next(), rng.Next(), 19700 + p % 30));
  }
  const reader::Partitioner murmur3;
  std::sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
    return murmur3.CompareKeys(ByteView(a), ByteView(b)) < 0;
  });

  WriterOptions o;
  o.lz4 = lz4;
  o.expected_partitions = keys.size();
  auto start = std::chrono::steady_clock::now();
  auto w = SSTableWriter::Create(dir, Schema(), o);
  if (!w.ok()) {
    std::fprintf(stderr, "%s\n", w.status().ToString().c_str());
    return 1;
  }
  static const char* kStatus[] = {"ok", "degraded", "calibrating", "offline"};
  reader::Unfiltered u;
  reader::Row& row = u.row;
  row.cells.resize(12);
  std::string values[12];
  std::string ck;
  for (const std::string& key : keys) {
    if ((*w)->data_bytes() >= target) break;
    reader::Status s =
        (*w)->BeginPartition(key, reader::DeletionTime(), nullptr);
    for (int r = 0; r < kRowsPerPartition && s.ok(); ++r) {
      const uint64_t x = rng.Next();
      // Clustering DESC: newest first.
      const int64_t ms = kBaseMs + int64_t{kRowsPerPartition - r} * 60000;
      ck.clear();
      reader::AppendU64(&ck, static_cast<uint64_t>(ms));
      row.clustering.values.assign(1, ByteView(ck));
      const int64_t ts = ms * 1000;
      const bool ttl = x % 5 == 0;
      row.liveness.timestamp = ts;
      row.liveness.ttl = ttl ? 86400 * 30 : 0;
      row.liveness.local_expiration_time =
          ttl ? static_cast<int32_t>(ms / 1000 + 86400 * 30)
              : reader::kNoDeletionTime;
      for (auto& v : values) v.clear();
      reader::AppendU32(&values[0], static_cast<uint32_t>(x));        // float
      reader::AppendU32(&values[1], static_cast<uint32_t>(x >> 20));  // int
      values[2] = "fw-2.4." + std::to_string(x % 7);
      for (int d : {3, 4, 5, 7, 11}) reader::AppendU64(&values[d], rng.Next());
      values[6].push_back(static_cast<char>(x & 1));
      reader::AppendU64(&values[8], rng.Next());
      reader::AppendU64(&values[8], (rng.Next() & ~0xf000ULL) | 0x4000ULL);
      reader::AppendU64(&values[9], static_cast<uint64_t>(r));
      values[10] = kStatus[(x >> 8) % 4];
      for (uint32_t c = 0; c < 12; ++c) {
        reader::Cell& cell = row.cells[c];
        cell.column = c;
        cell.timestamp = ts;
        cell.is_expiring = ttl;
        cell.ttl = row.liveness.ttl;
        cell.local_deletion_time = row.liveness.local_expiration_time;
        cell.value = ByteView(values[c]);
      }
      s = (*w)->AddUnfiltered(u);
    }
    if (s.ok()) s = (*w)->EndPartition();
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
  }
  const uint64_t bytes = (*w)->data_bytes();
  reader::Status s = (*w)->Finish();
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf("bench_writer: %.1f MB of Data.db (%s) in %.2f s: %.1f MB/s\n",
              bytes / 1e6, lz4 ? "LZ4" : "uncompressed", secs,
              bytes / 1e6 / secs);
  return 0;
}

}  // namespace
}  // namespace sstablefs::writer

int main(int argc, char** argv) { return sstablefs::writer::Run(argc, argv); }
