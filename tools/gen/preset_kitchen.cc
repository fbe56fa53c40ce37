// Preset "kitchen": every CQL type — all simple types, non-frozen and frozen
// lists/sets/maps (nested too), tuples, UDTs (nested, frozen and not), a
// vector, static columns (one of them a non-frozen map) — in table
// all_types with a composite partition key and a mixed ASC/DESC clustering;
// counters in table counters (shards of two counter ids). Scale =
// partitions. Two flushes: each row goes to one of them, so partitions
// overlap across SSTables without conflicting cells. INSERTs of
// non-frozen collections carry the complex deletion Cassandra writes
// (timestamp - 1).
#include <algorithm>

#include "tools/gen/codec.h"
#include "tools/gen/kitchen_values.h"
#include "tools/gen/preset.h"
#include "tools/gen/prng.h"

namespace sstablefs::gen {
namespace {

using marshal::Simple;
using reader::Status;

constexpr char kKs[] = "gen_kitchen";
constexpr int kSSTables = 2;

int64_t FlushMicros(int k) { return kEpochMicros + k * 3600LL * 1000000; }

std::string Text() { return Simple("UTF8Type"); }

// UDT strings: inside a non-frozen UDT, frozen field types keep their
// FrozenType wrapper; inside a frozen one they do not (UserType.toString).
std::string Address(bool multi_cell) {
  std::string tags = marshal::Set(Text());
  return marshal::Udt(kKs, "address", {"street", "city", "zip", "tags"},
                      {Text(), Text(), Simple("Int32Type"),
                       multi_cell ? marshal::Frozen(tags) : tags});
}
std::string Phone() {
  return marshal::Udt(kKs, "phone", {"kind", "number"}, {Text(), Text()});
}
std::string Person() {
  return marshal::Udt(kKs, "person", {"name", "home", "phones"},
                      {Text(), Address(false), marshal::List(Phone())});
}

class KitchenStream : public TableStream {
 public:
  KitchenStream(const GenTable& table, uint64_t seed, uint64_t scale)
      : table_(table), seed_(seed), partitions_(scale) {
    statics_ = table.HeaderStatics();
    regulars_ = table.HeaderRegulars();
  }
  int sstable_count() const override { return kSSTables; }
  reader::EncodingStats Stats(int k) const override {
    reader::EncodingStats s;
    s.min_timestamp = FlushMicros(k) - 1;  // complex deletions at ts - 1
    s.min_local_deletion_time = static_cast<int32_t>(kEpochSeconds);
    return s;
  }
  uint64_t PartitionEstimate(int) const override { return partitions_; }

  Status Generate(int k, PartitionSink* sink) override {
    std::vector<uint32_t> order = TokenOrder(
        partitions_, [&](uint64_t i, std::string* out) { Key(i, out); },
        [](uint64_t) { return true; });
    std::string key;
    for (uint32_t p : order) {
      key.clear();
      Key(p, &key);
      builder_.Reset(key);
      if (table_.counter) {
        CounterRows(p, k);
      } else {
        if (k == 0) StaticRow(p);
        Rows(p, k);
      }
      // A flush holds only the partitions written before it.
      if (builder_.row_count() == 0 && !builder_.has_static()) continue;
      SSTFS_RETURN_IF_ERROR(builder_.Emit(sink));
    }
    return Status::Ok();
  }

 private:
  void Key(uint64_t p, std::string* out) const {
    std::string id;
    PutI32(static_cast<int32_t>(p), &id);
    if (table_.counter) {
      *out += id;
      return;
    }
    static constexpr const char* kParts[] = {"alpha", "", "\xc3\xa9t\xc3\xa9",
                                             "x:y/z"};
    *out += CompositeKey({id, kParts[p % 4]});
  }

  // Clustering of row r of partition p: (c_text ASC, c_int DESC), distinct.
  std::vector<std::pair<std::string, int32_t>> Clusterings(uint64_t p) const {
    Rng rng(DeriveSeed(seed_, p, 77));
    int n = static_cast<int>(rng.Range(1, 6));
    static constexpr const char* kTexts[] = {"a", "b", "ba", "c", ""};
    std::vector<std::pair<std::string, int32_t>> v;
    for (int i = 0; i < n; ++i) {
      v.emplace_back(kTexts[rng.Uniform(5)],
                     static_cast<int32_t>(rng.Range(-5, 5)));
    }
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first < b.first;
      return a.second > b.second;  // DESC
    });
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  }

  int FlushOf(uint64_t p, size_t r) const {
    return static_cast<int>(DeriveSeed(seed_, p, r + 1000) % kSSTables);
  }

  void FillRow(reader::Row* row, const std::vector<int>& cols, Rng* rng,
               int64_t ts) {
    const int32_t ldt = static_cast<int32_t>(ts / 1000000);
    for (int ci : cols) {
      const GenColumn& c = table_.columns[ci];
      if (rng->Percent(8)) continue;  // null
      if (c.type->IsMultiCell()) {
        row->complex_deletions.push_back(
            {static_cast<uint32_t>(c.header_index), {ts - 1, ldt}});
        for (auto& [path, value] : GenCells(*c.type, rng, ts)) {
          PartitionBuilder::AddComplexCell(row, c.header_index, ts,
                                           builder_.Copy(path),
                                           builder_.Copy(value));
        }
      } else {
        scratch_.clear();
        GenValue(*c.type, rng, &scratch_);
        PartitionBuilder::AddCell(row, c.header_index, ts,
                                  builder_.Copy(scratch_));
      }
    }
  }

  void StaticRow(uint64_t p) {
    if (p == 0) {
      // INSERT INTO all_types (id, part, s_map) VALUES (0, 'alpha', {}):
      // a static row holding only the collection's complex deletion.
      const int64_t ts = FlushMicros(0);
      const int h = table_.Column("s_map").header_index;
      builder_.Static()->complex_deletions.push_back(
          {static_cast<uint32_t>(h),
           {ts - 1, static_cast<int32_t>(ts / 1000000)}});
      return;
    }
    Rng rng(DeriveSeed(seed_, p, 99));
    if (rng.Percent(25)) return;  // no static values in this partition
    reader::Row* row = builder_.Static();
    FillRow(row, statics_, &rng, FlushMicros(0) + static_cast<int64_t>(p));
  }

  void Rows(uint64_t p, int k) {
    auto cl = Clusterings(p);
    for (size_t r = 0; r < cl.size(); ++r) {
      if (FlushOf(p, r) != k) continue;
      std::string ct = cl[r].first;
      std::string ci;
      PutI32(cl[r].second, &ci);
      reader::Row* row = builder_.AddRow({ct, ci});
      Rng rng(DeriveSeed(seed_, p, r));
      const int64_t ts = FlushMicros(k) + static_cast<int64_t>(p * 16 + r);
      row->liveness.timestamp = ts;
      FillRow(row, regulars_, &rng, ts);
    }
  }

  void CounterRows(uint64_t p, int k) {
    static constexpr const char* kNames[] = {"cart", "home", "search", "z"};
    for (size_t r = 0; r < 4; ++r) {
      if (FlushOf(p, r) != k) continue;
      reader::Row* row = builder_.AddRow({kNames[r]});
      Rng rng(DeriveSeed(seed_, p, r + 500));
      const int64_t ts = FlushMicros(k) + static_cast<int64_t>(p * 16 + r);
      for (int ci : regulars_) {
        std::vector<CounterShardSpec> shards;
        for (int node = 0; node < 2; ++node) {
          if (node == 1 && rng.Percent(50)) continue;
          CounterShardSpec s;
          PutUuidV4(0x1111000000000000ULL * (node + 1), 0x42, &s.counter_id);
          s.clock = rng.Range(1, 50);
          s.count = rng.Range(-1000, 100000);
          shards.push_back(std::move(s));
        }
        PartitionBuilder::AddCell(row, table_.columns[ci].header_index, ts,
                                  builder_.Copy(CounterContext(shards)));
      }
    }
  }

  const GenTable& table_;
  uint64_t seed_;
  uint64_t partitions_;
  std::vector<int> statics_;
  std::vector<int> regulars_;
  std::string scratch_;
  PartitionBuilder builder_;
};

class Kitchen : public Preset {
 public:
  explicit Kitchen(uint64_t seed) : Preset("kitchen", seed) {}
  Status Init() {
    SSTFS_RETURN_IF_ERROR(AddType(kKs, "address",
                                  {"street", "city", "zip", "tags"},
                                  {Text(), Text(), Simple("Int32Type"),
                                   marshal::Frozen(marshal::Set(Text()))}));
    SSTFS_RETURN_IF_ERROR(
        AddType(kKs, "phone", {"kind", "number"}, {Text(), Text()}));
    SSTFS_RETURN_IF_ERROR(
        AddType(kKs, "person", {"name", "home", "phones"},
                {Text(), marshal::Frozen(Address(false)),
                 marshal::Frozen(marshal::List(marshal::Frozen(Phone())))}));

    GenTable t;
    t.keyspace = kKs;
    t.name = "all_types";
    t.columns = {
        PartitionKeyColumn("id", Simple("Int32Type"), 0),
        PartitionKeyColumn("part", Text(), 1),
        ClusteringColumn("c_text", Text(), 0),
        ClusteringColumn("c_int", marshal::Reversed(Simple("Int32Type")), 1),
        StaticColumn("s_text", Text()),
        StaticColumn("s_map", marshal::Map(Text(), Simple("Int32Type"))),
    };
    static constexpr const char* kSimple[][2] = {
        {"t_ascii", "AsciiType"},         {"t_bigint", "LongType"},
        {"t_blob", "BytesType"},          {"t_boolean", "BooleanType"},
        {"t_date", "SimpleDateType"},     {"t_decimal", "DecimalType"},
        {"t_double", "DoubleType"},       {"t_duration", "DurationType"},
        {"t_float", "FloatType"},         {"t_inet", "InetAddressType"},
        {"t_int", "Int32Type"},           {"t_smallint", "ShortType"},
        {"t_text", "UTF8Type"},           {"t_time", "TimeType"},
        {"t_timestamp", "TimestampType"}, {"t_timeuuid", "TimeUUIDType"},
        {"t_tinyint", "ByteType"},        {"t_uuid", "UUIDType"},
        {"t_varint", "IntegerType"}};
    for (const auto& [name, cls] : kSimple) {
      t.columns.push_back(RegularColumn(name, Simple(cls)));
    }
    const std::string i32 = Simple("Int32Type");
    t.columns.push_back(RegularColumn("l_int", marshal::List(i32)));
    t.columns.push_back(RegularColumn("s_set", marshal::Set(Text())));
    t.columns.push_back(RegularColumn("m_text_int", marshal::Map(Text(), i32)));
    t.columns.push_back(RegularColumn(
        "m_int_list",
        marshal::Map(i32, marshal::Frozen(marshal::List(Text())))));
    t.columns.push_back(
        RegularColumn("fl_text", marshal::Frozen(marshal::List(Text()))));
    t.columns.push_back(
        RegularColumn("fs_int", marshal::Frozen(marshal::Set(i32))));
    t.columns.push_back(RegularColumn(
        "fm_uuid_text",
        marshal::Frozen(marshal::Map(Simple("UUIDType"), Text()))));
    // TupleType.toString(): tuples carry no FrozenType wrapper on disk.
    t.columns.push_back(RegularColumn(
        "tup", marshal::Tuple({i32, Text(), Simple("DoubleType")})));
    t.columns.push_back(RegularColumn("addr", Address(true)));
    t.columns.push_back(
        RegularColumn("faddr", marshal::Frozen(Address(false))));
    t.columns.push_back(RegularColumn("who", marshal::Frozen(Person())));
    t.columns.push_back(
        RegularColumn("phones", marshal::List(marshal::Frozen(Phone()))));
    t.columns.push_back(
        RegularColumn("vec", marshal::Vector(Simple("FloatType"), 3)));
    SSTFS_RETURN_IF_ERROR(AddTable(std::move(t)));

    GenTable c;
    c.keyspace = kKs;
    c.name = "counters";
    c.counter = true;
    c.columns = {PartitionKeyColumn("id", i32, 0),
                 ClusteringColumn("page", Text(), 0),
                 RegularColumn("views", Simple("CounterColumnType")),
                 RegularColumn("clicks", Simple("CounterColumnType"))};
    return AddTable(std::move(c));
  }
  std::unique_ptr<TableStream> Stream(size_t table,
                                      uint64_t scale) const override {
    return std::make_unique<KitchenStream>(tables_[table], seed_, scale);
  }
  uint64_t min_scale() const override { return 20; }
  uint64_t calibration_scale() const override { return 200; }
};

}  // namespace

reader::Result<std::unique_ptr<Preset>> MakeKitchen(uint64_t seed) {
  auto p = std::make_unique<Kitchen>(seed);
  SSTFS_RETURN_IF_ERROR(p->Init());
  return std::unique_ptr<Preset>(std::move(p));
}

}  // namespace sstablefs::gen
