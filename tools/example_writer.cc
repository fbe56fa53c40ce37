#include "tools/example_writer.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "reader/byte_reader.h"
#include "reader/partitioner.h"

namespace sstablefs::tools {

using reader::BoundKind;
using reader::ByteView;
using reader::Cell;
using reader::DeletionTime;
using reader::Row;
using reader::Status;
using reader::Unfiltered;

namespace {

constexpr char kMarshal[] = "org.apache.cassandra.db.marshal.";

// 2024-01-15T10:00:00Z: the first reading of every sensor.
constexpr int64_t kBaseMs = 1705312800000LL;
constexpr int64_t kMinuteMs = 60 * 1000;

// Regular columns in Cassandra's order (simple by name, then complex).
enum Regular : uint32_t {
  kHumidity,
  kNote,
  kOk,
  kReadingId,
  kSampleCount,
  kTemperature,
  kAlerts,
  kTags
};
constexpr uint32_t kLocation = 0;  // the only static column

int64_t Micros(int64_t ms) { return ms * 1000; }
int32_t Seconds(int64_t micros) {
  return static_cast<int32_t>(micros / 1000000);
}

// Builds rows whose byte views live in the ExampleData arena.
class Builder {
 public:
  explicit Builder(std::deque<std::string>* arena) : arena_(arena) {}

  ByteView Keep(std::string s) {
    arena_->push_back(std::move(s));
    return ByteView(arena_->back());
  }
  ByteView Text(std::string_view s) { return Keep(std::string(s)); }
  ByteView Int(int32_t v) { return BigEndian(static_cast<uint32_t>(v), 4); }
  ByteView Bigint(int64_t v) { return BigEndian(static_cast<uint64_t>(v), 8); }
  ByteView Double(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof(bits));
    return BigEndian(bits, 8);
  }
  ByteView Bool(bool b) { return Keep(std::string(1, b ? '\1' : '\0')); }
  // 32 hex digits.
  ByteView Uuid(std::string_view hex) {
    auto nibble = [](char c) {
      return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    };
    std::string out;
    for (size_t k = 0; k + 1 < hex.size(); k += 2) {
      out.push_back(
          static_cast<char>(nibble(hex[k]) << 4 | nibble(hex[k + 1])));
    }
    return Keep(std::move(out));
  }

  Cell Simple(uint32_t column, ByteView value, int64_t ts) {
    Cell c;
    c.column = column;
    c.timestamp = ts;
    c.value = value;
    return c;
  }
  Cell Complex(uint32_t column, ByteView path, ByteView value, int64_t ts) {
    Cell c = Simple(column, value, ts);
    c.has_path = true;
    c.path = path;
    return c;
  }

  Row NewRow(int64_t reading_ms, int64_t write_ts) {
    Row row;
    row.clustering.values.push_back(Bigint(reading_ms));  // timestamp = ms
    row.liveness.timestamp = write_ts;
    return row;
  }

  Unfiltered Wrap(Row row) {
    Unfiltered u;
    u.row = std::move(row);
    return u;
  }

 private:
  ByteView BigEndian(uint64_t v, int bytes) {
    std::string s;
    for (int i = bytes - 1; i >= 0; --i)
      s.push_back(static_cast<char>(v >> (8 * i)));
    return Keep(std::move(s));
  }
  std::deque<std::string>* arena_;
};

TableSchema ExampleSchema() {
  const std::string m = kMarshal;
  TableSchema s;
  s.key_type = m + "UTF8Type";
  s.clustering_types = {m + "TimestampType"};
  s.statics = {{"location", m + "UTF8Type"}};
  s.regulars = {
      {"humidity", m + "Int32Type"},
      {"note", m + "UTF8Type"},
      {"ok", m + "BooleanType"},
      {"reading_id", m + "UUIDType"},
      {"sample_count", m + "LongType"},
      {"temperature", m + "DoubleType"},
      {"alerts", m + "MapType(" + m + "UTF8Type," + m + "Int32Type)"},
      {"tags", m + "SetType(" + m + "UTF8Type)"},
  };
  return s;
}

Row StaticRow(Builder& b, std::string_view location, int64_t ts) {
  Row row;
  row.is_static = true;
  row.clustering.kind = BoundKind::kStaticClustering;
  row.cells.push_back(b.Simple(kLocation, b.Text(location), ts));
  return row;
}

// One reading inserted with INSERT (all simple columns but note).
Row Reading(Builder& b, int sensor, int minute, int64_t write_ts) {
  Row row = b.NewRow(kBaseMs + minute * kMinuteMs, write_ts);
  char id[33];
  std::snprintf(id, sizeof(id), "6f1c2d3e4a5b4c6d8e7f0000000000%02x",
                sensor * 16 + minute);
  row.cells.push_back(
      b.Simple(kHumidity, b.Int(40 + 3 * sensor + minute), write_ts));
  row.cells.push_back(
      b.Simple(kOk, b.Bool(!(sensor == 3 && minute == 1)), write_ts));
  row.cells.push_back(b.Simple(kReadingId, b.Uuid(id), write_ts));
  row.cells.push_back(
      b.Simple(kSampleCount, b.Bigint(1000LL * sensor + minute), write_ts));
  row.cells.push_back(b.Simple(
      kTemperature, b.Double(19.5 + sensor + minute * 0.25), write_ts));
  return row;
}

void SortCells(Row* row) {
  std::stable_sort(
      row->cells.begin(), row->cells.end(),
      [](const Cell& a, const Cell& c) { return a.column < c.column; });
}

// Generation 1: the first flush.
std::vector<PartitionData> FirstFlush(Builder& b) {
  std::vector<PartitionData> out;
  const char* locations[] = {"greenhouse-north", "greenhouse-south",
                             "warehouse"};
  for (int sensor = 1; sensor <= 4; ++sensor) {
    PartitionData p;
    p.key = "sensor-0" + std::to_string(sensor);
    if (sensor <= 3) {
      p.static_row = StaticRow(b, locations[sensor - 1],
                               Micros(kBaseMs - 3600 * 1000 + sensor));
    }
    for (int minute = 0; minute < 3; ++minute) {
      const int64_t ts =
          Micros(kBaseMs + minute * kMinuteMs + 150 + 10 * sensor);
      Row row = Reading(b, sensor, minute, ts);
      if (sensor == 1 && minute == 0) {
        // INSERT ... tags = {...}, note = ...: a collection literal replaces
        // the column, hence the collection tombstone just below the write.
        row.cells.push_back(b.Simple(kNote, b.Text("first reading"), ts));
        row.complex_deletions.push_back({kTags, {ts - 1, Seconds(ts)}});
        row.cells.push_back(
            b.Complex(kTags, b.Text("calibrated"), ByteView(), ts));
        row.cells.push_back(b.Complex(kTags, b.Text("indoor"), ByteView(), ts));
        // UPDATE ... SET alerts = alerts + {'high_temp': 1} half an hour later.
        const int64_t later = Micros(kBaseMs + 30 * kMinuteMs);
        row.cells.push_back(
            b.Complex(kAlerts, b.Text("high_temp"), b.Int(1), later));
      }
      if (sensor == 2 && minute == 1) {
        // UPDATE ... SET tags = tags + {'outdoor'}.
        const int64_t later = Micros(kBaseMs + 20 * kMinuteMs);
        row.cells.push_back(
            b.Complex(kTags, b.Text("outdoor"), ByteView(), later));
      }
      if (sensor == 2 && minute == 2) {
        // UPDATE ... USING TTL 86400 SET note = 'temporary note'.
        const int64_t later = Micros(kBaseMs + 10 * kMinuteMs);
        Cell note = b.Simple(kNote, b.Text("temporary note"), later);
        note.is_expiring = true;
        note.ttl = 86400;
        note.local_deletion_time = Seconds(later) + 86400;
        row.cells.push_back(note);
      }
      if (sensor == 4 && minute == 0) {
        // DELETE humidity FROM ...: the tombstone shadows the inserted value.
        const int64_t later = Micros(kBaseMs + 40 * kMinuteMs);
        Cell& humidity = row.cells[0];
        humidity.is_tombstone = true;
        humidity.timestamp = later;
        humidity.local_deletion_time = Seconds(later);
        humidity.value = ByteView();
      }
      SortCells(&row);
      p.unfiltereds.push_back(b.Wrap(std::move(row)));
    }
    if (sensor == 3) {
      // DELETE ... WHERE reading_time >= 10:03 AND reading_time < 10:05.
      const int64_t ts = Micros(kBaseMs + 50 * kMinuteMs);
      const DeletionTime dt{ts, Seconds(ts)};
      for (auto [kind, minute] : {std::pair{BoundKind::kInclStartBound, 3},
                                  std::pair{BoundKind::kExclEndBound, 5}}) {
        Unfiltered u;
        u.kind = Unfiltered::Kind::kRangeTombstoneMarker;
        u.marker.bound.kind = kind;
        u.marker.bound.values.push_back(b.Bigint(kBaseMs + minute * kMinuteMs));
        u.marker.deletion = dt;
        p.unfiltereds.push_back(std::move(u));
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

// Generation 2: an hour later.
std::vector<PartitionData> SecondFlush(Builder& b) {
  const int64_t hour = 60 * kMinuteMs;
  std::vector<PartitionData> out;
  PartitionData s2;
  s2.key = "sensor-02";
  s2.unfiltereds.push_back(
      b.Wrap(Reading(b, 2, 3, Micros(kBaseMs + 3 * kMinuteMs + 170))));
  out.push_back(std::move(s2));

  PartitionData s5;
  s5.key = "sensor-05";
  s5.static_row = StaticRow(b, "rooftop", Micros(kBaseMs + hour));
  for (int minute = 0; minute < 2; ++minute) {
    s5.unfiltereds.push_back(b.Wrap(
        Reading(b, 5, minute, Micros(kBaseMs + hour + minute * kMinuteMs))));
  }
  out.push_back(std::move(s5));

  // DELETE FROM sensor_readings WHERE sensor_id = 'sensor-04'.
  PartitionData s4;
  s4.key = "sensor-04";
  const int64_t ts = Micros(kBaseMs + hour + 5 * kMinuteMs);
  s4.deletion = DeletionTime{ts, Seconds(ts)};
  out.push_back(std::move(s4));
  return out;
}

}  // namespace

std::unique_ptr<const ExampleData> BuildExampleData() {
  auto data = std::make_unique<ExampleData>();
  Builder b(&data->arena);
  data->schema = ExampleSchema();
  ExampleSSTable first;
  first.options.generation = 1;
  first.partitions = FirstFlush(b);
  ExampleSSTable second;
  second.options.generation = 2;
  second.options.lz4 = true;
  second.partitions = SecondFlush(b);
  data->sstables.push_back(std::move(first));
  data->sstables.push_back(std::move(second));
  return data;
}

std::string ExampleTableDir(const std::string& outdir) {
  return outdir + "/" + kExampleKeyspace + "/" + kExampleTable + "-" +
         kExampleTableId;
}

Status WriteSSTable(const std::string& dir, const TableSchema& schema,
                    std::vector<PartitionData> partitions,
                    const WriteOptions& options) {
  const reader::Partitioner partitioner;  // Murmur3Partitioner
  std::stable_sort(partitions.begin(), partitions.end(),
                   [&](const PartitionData& a, const PartitionData& b) {
                     return partitioner.CompareKeys(ByteView(a.key),
                                                    ByteView(b.key)) < 0;
                   });
  TableSchema with_stats = schema;
  with_stats.encoding_stats = writer::CollectEncodingStats(partitions);
  writer::WriterOptions o;
  o.generation = std::to_string(options.generation);
  o.lz4 = options.lz4;
  o.chunk_length = options.chunk_length;
  o.bloom_fp_chance = options.bloom_fp_chance;
  o.expected_partitions = partitions.size();
  SSTFS_ASSIGN_OR_RETURN(auto w,
                         writer::SSTableWriter::Create(dir, with_stats, o));
  for (const PartitionData& p : partitions) SSTFS_RETURN_IF_ERROR(w->Add(p));
  return w->Finish();
}

Status WriteExampleTable(const std::string& outdir) {
  const std::string dir = ExampleTableDir(outdir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError("create " + dir + ": " + ec.message());
  std::unique_ptr<const ExampleData> data = BuildExampleData();
  for (const ExampleSSTable& t : data->sstables) {
    SSTFS_RETURN_IF_ERROR(
        WriteSSTable(dir, data->schema, t.partitions, t.options));
  }
  return Status::Ok();
}

}  // namespace sstablefs::tools
