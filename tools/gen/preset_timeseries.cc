// Preset "timeseries": sensor readings, one partition per (sensor, day),
// one row per minute in DESC time order, a dozen typed columns; a quarter of
// the sensors write with a 90-day TTL. Scale = sensor-days (partitions).
// SSTables are five flush windows of equal length over the whole period:
// window boundaries fall inside days, so those days' partitions are split
// across two SSTables (overlapping keys), as successive memtable flushes of
// time-ordered writes would leave them.
#include <cmath>

#include "tools/gen/codec.h"
#include "tools/gen/preset.h"
#include "tools/gen/prng.h"

namespace sstablefs::gen {
namespace {

using reader::Status;

constexpr char kKs[] = "gen_timeseries";
constexpr int kSSTables = 5;
constexpr int kMaxDays = 28;
constexpr int kRowsPerDay = 1440;  // one reading a minute
constexpr int32_t kTtl = 90 * 86400;

// Regular columns, in the order the row generator fills them.
enum Col {
  kTemperature,
  kHumidity,
  kPressure,
  kVoltage,
  kStatus,
  kSeq,
  kFlags,
  kOnline,
  kReadingId,
  kFirmware,
  kQuality,
  kSource,
  kNote,
  kColCount
};
constexpr const char* kColNames[kColCount] = {
    "temperature", "humidity", "pressure", "voltage",    "status",
    "seq",         "flags",    "online",   "reading_id", "firmware",
    "quality",     "source",   "note"};

struct Shape {
  uint64_t days;
  uint64_t sensors;
};
Shape ShapeFor(uint64_t scale) {
  uint64_t days = scale < kMaxDays ? scale : kMaxDays;
  if (days == 0) days = 1;
  return {days, (scale + days - 1) / days};
}

class TimeseriesStream : public TableStream {
 public:
  TimeseriesStream(const GenTable& table, uint64_t seed, uint64_t scale)
      : table_(table), seed_(seed), shape_(ShapeFor(scale)) {
    for (int c = 0; c < kColCount; ++c) {
      header_of_[c] = table.Column(kColNames[c]).header_index;
      col_at_header_[header_of_[c]] = c;
    }
    window_ = static_cast<int64_t>(shape_.days) * 86400 / kSSTables;
  }

  int sstable_count() const override { return kSSTables; }

  reader::EncodingStats Stats(int k) const override {
    reader::EncodingStats s;
    s.min_timestamp = kEpochMicros + k * window_ * 1000000;
    bool ttl = shape_.sensors > 3;  // sensor 3, 7, ... write with a TTL
    s.min_ttl = ttl ? kTtl : 0;
    s.min_local_deletion_time =
        ttl ? static_cast<int32_t>(kEpochSeconds + k * window_ + kTtl)
            : 1442880000;  // EncodingStats.DELETION_TIME_EPOCH
    return s;
  }

  uint64_t PartitionEstimate(int k) const override {
    return shape_.sensors * (window_ / 86400 + 2);
  }

  Status Generate(int k, PartitionSink* sink) override {
    const int64_t w0 = k * window_;
    const int64_t w1 = k + 1 == kSSTables
                           ? static_cast<int64_t>(shape_.days) * 86400
                           : (k + 1) * window_;
    auto key_of = [&](uint64_t p, std::string* out) { KeyBytes(p, out); };
    auto keep = [&](uint64_t p) {
      int64_t d0 = static_cast<int64_t>(p % shape_.days) * 86400;
      return d0 < w1 && d0 + 86400 > w0;
    };
    std::vector<uint32_t> order =
        TokenOrder(shape_.sensors * shape_.days, key_of, keep);
    std::string key;
    for (uint32_t p : order) {
      key.clear();
      KeyBytes(p, &key);
      builder_.Reset(key);
      AddRows(p, w0, w1);
      SSTFS_RETURN_IF_ERROR(builder_.Emit(sink));
    }
    return Status::Ok();
  }

 private:
  uint64_t Sensor(uint64_t p) const { return p / shape_.days; }

  void KeyBytes(uint64_t p, std::string* out) const {
    std::string uuid;
    uint64_t s = Sensor(p);
    PutUuidV4(Mix64(seed_ ^ (s * 2 + 1)), Mix64(seed_ + s), &uuid);
    std::string day;
    PutDate(static_cast<int32_t>(kEpochSeconds / 86400 + p % shape_.days),
            &day);
    *out = CompositeKey({uuid, day});
  }

  // The rows of partition p whose reading time falls in [w0, w1) seconds
  // after the epoch, newest first (clustering DESC).
  void AddRows(uint64_t p, int64_t w0, int64_t w1) {
    const uint64_t s = Sensor(p);
    const int64_t day0 = static_cast<int64_t>(p % shape_.days) * 86400;
    const int phase = static_cast<int>(Mix64(seed_ ^ s) % 60);
    const bool ttl = s % 4 == 3;
    const uint64_t pseed = DeriveSeed(seed_, s, p % shape_.days);
    std::string v[kColCount];
    std::string ck;
    for (int m = kRowsPerDay - 1; m >= 0; --m) {
      const int64_t t = day0 + m * 60 + phase;  // seconds after the epoch
      if (t < w0 || t >= w1) continue;
      Rng rng(DeriveSeed(pseed, static_cast<uint64_t>(m)));
      const int64_t write_us =
          (kEpochSeconds + t) * 1000000 + rng.Range(0, 2000000);
      const int64_t reading_ms = (kEpochSeconds + t) * 1000;
      ck.clear();
      PutI64(reading_ms, &ck);
      reader::Row* row = builder_.AddRow({ck});
      row->liveness.timestamp = write_us;
      const int32_t expiry = static_cast<int32_t>(write_us / 1000000) + kTtl;
      if (ttl) {
        row->liveness.ttl = kTtl;
        row->liveness.local_expiration_time = expiry;
      }
      bool present[kColCount];
      FillValues(s, p, m, reading_ms, write_us, &rng, v, present);
      for (int h = 0; h < kColCount; ++h) {
        int c = col_at_header_[h];
        if (!present[c]) continue;
        PartitionBuilder::AddCell(row, h, write_us, builder_.Copy(v[c]),
                                  ttl ? kTtl : 0,
                                  ttl ? expiry : reader::kNoDeletionTime);
      }
    }
  }

  void FillValues(uint64_t s, uint64_t p, int m, int64_t reading_ms,
                  int64_t write_us, Rng* rng, std::string* v,
                  bool* present) const {
    for (int c = 0; c < kColCount; ++c) {
      v[c].clear();
      present[c] = true;
    }
    const double base = 15.0 + static_cast<double>(Mix64(s) % 100) / 10.0;
    const double wave = 6.0 * std::sin(m * (2 * 3.14159265358979 / 1440));
    double temp = base + wave + (rng->Unit() - 0.5);
    PutDouble(std::round(temp * 100) / 100, &v[kTemperature]);
    present[kHumidity] = !rng->Percent(1);
    PutFloat(static_cast<float>(30 + rng->Uniform(600) / 10.0), &v[kHumidity]);
    PutI32(static_cast<int32_t>(98000 + rng->Uniform(6000)), &v[kPressure]);
    PutFloat(static_cast<float>(3.0 + rng->Uniform(120) / 100.0), &v[kVoltage]);
    uint64_t st = rng->Uniform(100);
    v[kStatus] = st < 95 ? "ok" : st < 99 ? "warn" : "fault";
    PutI64(static_cast<int64_t>((p % shape_.days) * kRowsPerDay + m), &v[kSeq]);
    PutU16(static_cast<uint16_t>(rng->Uniform(16)), &v[kFlags]);
    PutU8(rng->Percent(99) ? 1 : 0, &v[kOnline]);
    PutTimeUuid(reading_ms * 1000, Mix64(s), &v[kReadingId]);
    static constexpr const char* kFw[] = {"fw-1.0.3", "fw-1.2.0", "fw-2.0.1"};
    v[kFirmware] = kFw[Mix64(s + 7) % 3];
    PutU8(static_cast<uint8_t>(rng->Uniform(101)), &v[kQuality]);
    if (s % 5 == 4) {  // an IPv6 sensor
      PutU64(0x20010db800000000ULL, &v[kSource]);
      PutU64(Mix64(s) & 0xffffffff, &v[kSource]);
    } else {
      PutU8(10, &v[kSource]);
      PutU8(static_cast<uint8_t>(s >> 16), &v[kSource]);
      PutU8(static_cast<uint8_t>(s >> 8), &v[kSource]);
      PutU8(static_cast<uint8_t>(s), &v[kSource]);
    }
    present[kNote] = rng->Percent(2);
    if (present[kNote]) PutRandomText(rng, 10, 40, &v[kNote]);
    (void)write_us;
  }

  const GenTable& table_;
  uint64_t seed_;
  Shape shape_;
  int64_t window_ = 0;
  int header_of_[kColCount];
  int col_at_header_[kColCount];
  PartitionBuilder builder_;
};

class Timeseries : public Preset {
 public:
  explicit Timeseries(uint64_t seed) : Preset("timeseries", seed) {}

  Status Init() {
    using marshal::Simple;
    GenTable t;
    t.keyspace = kKs;
    t.name = "readings";
    t.lz4 = true;
    t.columns = {
        PartitionKeyColumn("sensor", Simple("UUIDType"), 0),
        PartitionKeyColumn("day", Simple("SimpleDateType"), 1),
        ClusteringColumn("ts", marshal::Reversed(Simple("TimestampType")), 0),
        RegularColumn("temperature", Simple("DoubleType")),
        RegularColumn("humidity", Simple("FloatType")),
        RegularColumn("pressure", Simple("Int32Type")),
        RegularColumn("voltage", Simple("FloatType")),
        RegularColumn("status", Simple("UTF8Type")),
        RegularColumn("seq", Simple("LongType")),
        RegularColumn("flags", Simple("ShortType")),
        RegularColumn("online", Simple("BooleanType")),
        RegularColumn("reading_id", Simple("TimeUUIDType")),
        RegularColumn("firmware", Simple("AsciiType")),
        RegularColumn("quality", Simple("ByteType")),
        RegularColumn("source", Simple("InetAddressType")),
        RegularColumn("note", Simple("UTF8Type")),
    };
    return AddTable(std::move(t));
  }

  std::unique_ptr<TableStream> Stream(size_t table,
                                      uint64_t scale) const override {
    return std::make_unique<TimeseriesStream>(tables_[table], seed_, scale);
  }
  uint64_t min_scale() const override { return 2; }
  uint64_t calibration_scale() const override { return 16; }
};

}  // namespace

reader::Result<std::unique_ptr<Preset>> MakeTimeseries(uint64_t seed) {
  auto p = std::make_unique<Timeseries>(seed);
  SSTFS_RETURN_IF_ERROR(p->Init());
  return std::unique_ptr<Preset>(std::move(p));
}

}  // namespace sstablefs::gen
