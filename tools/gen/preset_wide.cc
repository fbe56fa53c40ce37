// Preset "wide": a few partitions with up to millions of rows each, for the
// promoted index and bounded memory. Scale = thousands of rows. Rows are
// clustered by (seq bigint, sub int); four flushes each hold a contiguous
// slice of every partition plus updates of the previous slice's last 5%;
// the last flush also deletes a range of early seqs (range tombstone with
// one-component bounds). Partitions are streamed to the writer in batches,
// never held whole.
#include "tools/gen/codec.h"
#include "tools/gen/preset.h"
#include "tools/gen/prng.h"

namespace sstablefs::gen {
namespace {

using reader::Status;

constexpr int kSSTables = 4;
constexpr int kSubs = 4;  // rows per seq
constexpr uint64_t kRowsPerPartitionTarget = 600000;
constexpr size_t kBatch = 4096;

struct Shape {
  uint64_t partitions;
  uint64_t rows;  // per partition
};
Shape ShapeFor(uint64_t scale) {
  uint64_t total = scale * 1000;
  uint64_t p = total / kRowsPerPartitionTarget;
  p = p < 2 ? 2 : (p > 64 ? 64 : p);
  uint64_t rows = (total + p - 1) / p;
  rows = (rows + kSubs - 1) / kSubs * kSubs;
  return {p, rows};
}

int64_t FlushMicros(int k) { return kEpochMicros + k * 3600LL * 1000000; }

class WideStream : public TableStream {
 public:
  WideStream(const GenTable& table, uint64_t seed, uint64_t scale)
      : seed_(seed), shape_(ShapeFor(scale)) {
    for (const char* n : {"flag", "kind", "payload", "value"}) {
      header_.push_back(table.Column(n).header_index);
    }
  }
  int sstable_count() const override { return kSSTables; }
  reader::EncodingStats Stats(int k) const override {
    reader::EncodingStats s;
    s.min_timestamp = FlushMicros(k);
    s.min_local_deletion_time = static_cast<int32_t>(kEpochSeconds);
    s.min_ttl = 0;
    return s;
  }
  uint64_t PartitionEstimate(int) const override { return shape_.partitions; }

  Status Generate(int k, PartitionSink* sink) override {
    const uint64_t slice = shape_.rows / kSSTables;
    const uint64_t overlap = slice / 20;
    uint64_t begin = k * slice;
    if (k > 0) begin -= overlap;
    const uint64_t end = k + 1 == kSSTables ? shape_.rows : (k + 1) * slice;
    std::vector<uint32_t> order = TokenOrder(
        shape_.partitions, [](uint64_t p, std::string* out) { Key(p, out); },
        [](uint64_t) { return true; });
    std::string key;
    std::string a;
    std::string b;
    for (uint32_t p : order) {
      key.clear();
      Key(p, &key);
      builder_.Reset(key);
      SSTFS_RETURN_IF_ERROR(builder_.EmitBegin(sink));
      if (k + 1 == kSSTables && slice >= 40) {
        // DELETE ... WHERE bucket = p AND seq >= a AND seq <= b.
        a.clear();
        b.clear();
        PutI64(static_cast<int64_t>(slice / kSubs / 10), &a);
        PutI64(static_cast<int64_t>(slice / kSubs / 5), &b);
        const int64_t ts = FlushMicros(k) + 1;
        const int32_t ldt = static_cast<int32_t>(ts / 1000000);
        builder_.AddMarker(reader::BoundKind::kInclStartBound, {a}, ts, ldt);
        builder_.AddMarker(reader::BoundKind::kInclEndBound, {b}, ts, ldt);
      }
      for (uint64_t i = begin; i < end; ++i) {
        AddRow(p, i, k);
        if (builder_.row_count() >= kBatch) {
          SSTFS_RETURN_IF_ERROR(builder_.EmitRows(sink));
          builder_.ClearRows();
        }
      }
      SSTFS_RETURN_IF_ERROR(builder_.EmitRows(sink));
      builder_.ClearRows();
      SSTFS_RETURN_IF_ERROR(sink->End());
    }
    return Status::Ok();
  }

 private:
  static void Key(uint64_t p, std::string* out) {
    PutI32(static_cast<int32_t>(p), out);
  }

  void AddRow(uint64_t p, uint64_t i, int k) {
    ck_seq_.clear();
    ck_sub_.clear();
    PutI64(static_cast<int64_t>(i / kSubs), &ck_seq_);
    PutI32(static_cast<int32_t>(i % kSubs), &ck_sub_);
    reader::Row* row = builder_.AddRow({ck_seq_, ck_sub_});
    Rng rng(DeriveSeed(seed_ ^ p, i, static_cast<uint64_t>(k)));
    const int64_t ts = FlushMicros(k) + static_cast<int64_t>(i % 1000000);
    row->liveness.timestamp = ts;
    // Header order: flag, kind, payload, value (all simple, by name).
    static constexpr const char* kKinds[] = {
        "click", "view", "buy", "scroll", "hover", "share", "login", "logout"};
    v_[0].assign(1, rng.Percent(50) ? '\1' : '\0');
    v_[1] = kKinds[rng.Uniform(8)];
    v_[2].clear();
    int len = static_cast<int>(rng.Range(16, 48));
    for (int j = 0; j < len; j += 8) PutU64(rng.Next(), &v_[2]);
    v_[2].resize(len);
    v_[3].clear();
    PutDouble(static_cast<double>(rng.Uniform(1000000)) / 100.0, &v_[3]);
    for (int c = 0; c < 4; ++c) {
      PartitionBuilder::AddCell(row, header_[c], ts, builder_.Copy(v_[c]));
    }
  }

  uint64_t seed_;
  Shape shape_;
  std::vector<int> header_;
  PartitionBuilder builder_;
  std::string ck_seq_;
  std::string ck_sub_;
  std::string v_[4];
};

class Wide : public Preset {
 public:
  explicit Wide(uint64_t seed) : Preset("wide", seed) {}
  Status Init() {
    using marshal::Simple;
    GenTable t;
    t.keyspace = "gen_wide";
    t.name = "events";
    t.columns = {PartitionKeyColumn("bucket", Simple("Int32Type"), 0),
                 ClusteringColumn("seq", Simple("LongType"), 0),
                 ClusteringColumn("sub", Simple("Int32Type"), 1),
                 RegularColumn("kind", Simple("UTF8Type")),
                 RegularColumn("payload", Simple("BytesType")),
                 RegularColumn("value", Simple("DoubleType")),
                 RegularColumn("flag", Simple("BooleanType"))};
    return AddTable(std::move(t));
  }
  std::unique_ptr<TableStream> Stream(size_t table,
                                      uint64_t scale) const override {
    return std::make_unique<WideStream>(tables_[table], seed_, scale);
  }
  uint64_t min_scale() const override { return 2; }
  uint64_t calibration_scale() const override { return 200; }
};

}  // namespace

reader::Result<std::unique_ptr<Preset>> MakeWide(uint64_t seed) {
  auto p = std::make_unique<Wide>(seed);
  SSTFS_RETURN_IF_ERROR(p->Init());
  return std::unique_ptr<Preset>(std::move(p));
}

}  // namespace sstablefs::gen
