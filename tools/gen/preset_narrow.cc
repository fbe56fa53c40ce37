// Preset "narrow": many single-row partitions (listing and lookup at scale).
// Two tables: users (bigint key, LZ4) and sessions (text key, uncompressed
// with CRC.db). Scale = thousands of partitions (60% users, 40% sessions).
// Four flushes: each key is inserted in one of them; one key in ten is
// updated (two cells, no row marker) in another flush and one in a hundred
// is deleted there instead (partition tombstone). Keys are sorted by token
// compactly (TokenOrder: 12 bytes per key) and rows regenerated from
// per-key seeds.
#include "tools/gen/codec.h"
#include "tools/gen/preset.h"
#include "tools/gen/prng.h"

namespace sstablefs::gen {
namespace {

using reader::Status;

constexpr int kSSTables = 4;

int64_t FlushMicros(int k) { return kEpochMicros + k * 3600LL * 1000000; }

class NarrowStream : public TableStream {
 public:
  NarrowStream(const GenTable& table, uint64_t seed, uint64_t count, bool users)
      : table_(table), seed_(seed), count_(count), users_(users) {
    for (size_t i = 0; i < table.columns.size(); ++i) {
      if (table.columns[i].kind == Kind::kRegular) {
        header_.push_back(table.columns[i].header_index);
      }
    }
  }
  int sstable_count() const override { return kSSTables; }
  reader::EncodingStats Stats(int k) const override {
    reader::EncodingStats s;
    s.min_timestamp = FlushMicros(k);
    s.min_local_deletion_time = static_cast<int32_t>(kEpochSeconds);
    return s;
  }
  uint64_t PartitionEstimate(int) const override {
    return count_ / kSSTables + count_ / 20 + 1;
  }

  Status Generate(int k, PartitionSink* sink) override {
    std::vector<uint32_t> order = TokenOrder(
        count_, [&](uint64_t i, std::string* out) { Key(i, out); },
        [&](uint64_t i) { return Primary(i) == k || Secondary(i) == k; });
    std::string key;
    for (uint32_t i : order) {
      key.clear();
      Key(i, &key);
      builder_.Reset(key);
      if (Primary(i) == k) {
        Insert(i, k);
      } else if (Mix64(i ^ (seed_ << 1)) % 10 == 0) {
        builder_.SetDeletion(FlushMicros(k) + i % 1000000,
                             static_cast<int32_t>(FlushMicros(k) / 1000000));
      } else {
        Update(i, k);
      }
      SSTFS_RETURN_IF_ERROR(builder_.Emit(sink));
    }
    return Status::Ok();
  }

 private:
  int Primary(uint64_t i) const {
    return static_cast<int>(Mix64(i ^ (seed_ * 3 + 1)) % kSSTables);
  }
  int Secondary(uint64_t i) const {
    uint64_t h = Mix64(i + seed_ * 7);
    if (h % 10 != 0) return -1;
    return static_cast<int>((Primary(i) + 1 + (h >> 8) % (kSSTables - 1)) %
                            kSSTables);
  }

  void Key(uint64_t i, std::string* out) const {
    uint64_t id = Mix64(i ^ Mix64(seed_ + (users_ ? 11 : 13)));
    if (users_) {
      PutI64(static_cast<int64_t>(id), out);
    } else {
      *out += "s-";
      std::string raw;
      PutU64(id, &raw);
      *out += ToHex(raw);
    }
  }

  // INSERT of every column, with a row marker.
  void Insert(uint64_t i, int k) {
    Rng rng(DeriveSeed(seed_, i, static_cast<uint64_t>(k)));
    const int64_t ts = FlushMicros(k) + static_cast<int64_t>(i % 1000000);
    reader::Row* row = builder_.AddRow({});
    row->liveness.timestamp = ts;
    FillValues(&rng, i);
    for (size_t c = 0; c < header_.size(); ++c) {
      int h = static_cast<int>(c);  // values_ are in header order
      if (!values_[h].empty() || present_[h]) {
        PartitionBuilder::AddCell(row, h, ts, builder_.Copy(values_[h]));
      }
    }
  }

  // UPDATE of the last two header columns, without a row marker.
  void Update(uint64_t i, int k) {
    Rng rng(DeriveSeed(seed_, i, static_cast<uint64_t>(k) + 100));
    const int64_t ts = FlushMicros(k) + static_cast<int64_t>(i % 1000000);
    reader::Row* row = builder_.AddRow({});
    FillValues(&rng, i);
    for (size_t h = header_.size() - 2; h < header_.size(); ++h) {
      PartitionBuilder::AddCell(row, static_cast<int>(h), ts,
                                builder_.Copy(values_[h]));
    }
  }

  // Values in header order (regular columns sorted by name).
  void FillValues(Rng* rng, uint64_t i) {
    values_.assign(header_.size(), std::string());
    present_.assign(header_.size(), true);
    if (users_) {
      // active boolean, created timestamp, email text, name text, score int
      values_[0].assign(1, rng->Percent(80) ? '\1' : '\0');
      PutI64((kEpochSeconds - rng->Range(0, 86400LL * 1000)) * 1000,
             &values_[1]);
      std::string user;
      PutRandomText(rng, 4, 12, &user);
      for (char& ch : user) ch = ch == ' ' ? '.' : ch;
      values_[2] = user + "@example.com";
      values_[3] = user;
      PutI32(static_cast<int32_t>(rng->Uniform(100000)), &values_[4]);
    } else {
      // ip inet, started timestamp, user_id bigint
      PutU8(192, &values_[0]);
      PutU8(168, &values_[0]);
      PutU16(static_cast<uint16_t>(rng->Next()), &values_[0]);
      PutI64((kEpochSeconds - rng->Range(0, 86400LL * 30)) * 1000, &values_[1]);
      PutI64(static_cast<int64_t>(rng->Uniform(1000000)), &values_[2]);
    }
    (void)i;
  }

  const GenTable& table_;
  uint64_t seed_;
  uint64_t count_;
  bool users_;
  std::vector<int> header_;
  std::vector<std::string> values_;
  std::vector<char> present_;
  PartitionBuilder builder_;
};

class Narrow : public Preset {
 public:
  explicit Narrow(uint64_t seed) : Preset("narrow", seed) {}
  Status Init() {
    using marshal::Simple;
    GenTable users;
    users.keyspace = "gen_narrow";
    users.name = "users";
    users.columns = {PartitionKeyColumn("id", Simple("LongType"), 0),
                     RegularColumn("name", Simple("UTF8Type")),
                     RegularColumn("email", Simple("UTF8Type")),
                     RegularColumn("score", Simple("Int32Type")),
                     RegularColumn("active", Simple("BooleanType")),
                     RegularColumn("created", Simple("TimestampType"))};
    SSTFS_RETURN_IF_ERROR(AddTable(std::move(users)));
    GenTable sessions;
    sessions.keyspace = "gen_narrow";
    sessions.name = "sessions";
    sessions.lz4 = false;
    sessions.columns = {PartitionKeyColumn("token", Simple("UTF8Type"), 0),
                        RegularColumn("user_id", Simple("LongType")),
                        RegularColumn("started", Simple("TimestampType")),
                        RegularColumn("ip", Simple("InetAddressType"))};
    return AddTable(std::move(sessions));
  }
  std::unique_ptr<TableStream> Stream(size_t table,
                                      uint64_t scale) const override {
    uint64_t total = scale * 1000;
    uint64_t users = total * 6 / 10;
    return std::make_unique<NarrowStream>(
        tables_[table], seed_, table == 0 ? users : total - users, table == 0);
  }
  uint64_t min_scale() const override { return 1; }
  uint64_t calibration_scale() const override { return 50; }
};

}  // namespace

reader::Result<std::unique_ptr<Preset>> MakeNarrow(uint64_t seed) {
  auto p = std::make_unique<Narrow>(seed);
  SSTFS_RETURN_IF_ERROR(p->Init());
  return std::unique_ptr<Preset>(std::move(p));
}

}  // namespace sstablefs::gen
