// Preset "churn": five overlapping flushes of table items (updates; cell,
// row, range and partition deletions; TTLs, some expired at `now`, one
// expiring exactly at `now`; a tie between a write and a later deletion
// with the same timestamp; a non-frozen set with element adds/removes and
// collection deletions; a column dropped after the first flush) and of
// counter table hits (two counter ids), plus OUTDIR/expected/: the rows
// Cassandra's read path returns at `now` (expected/now.txt), computed by
// churn_sim.h over churn_model.h, and nothing else. Scale = operations. The
// whole model is held in memory (about 300 bytes per operation): churn is the
// merge oracle, not a volume preset.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "tools/gen/churn_sim.h"
#include "tools/gen/codec.h"
#include "tools/gen/preset.h"
#include "tools/gen/prng.h"

namespace sstablefs::gen {
namespace {

using marshal::Simple;
using reader::Status;
using namespace churn;  // NOLINT: the model's small vocabulary

class ChurnStream : public TableStream {
 public:
  ChurnStream(const GenTable& table, uint64_t seed, uint64_t ops, bool items)
      : table_(table), seed_(seed), ops_(ops), items_(items) {}
  int sstable_count() const override { return kFlushes; }
  std::vector<GenDropped> ExtraColumns(int k) const override {
    if (items_ && k == 0) return table_.dropped;
    return {};
  }
  reader::EncodingStats Stats(int) const override {
    reader::EncodingStats s;
    s.min_timestamp = kEpochMicros - 1;
    s.min_local_deletion_time = static_cast<int32_t>(kEpochSeconds);
    return s;
  }

  Status Generate(int k, PartitionSink* sink) override {
    Store items;
    Store hits;
    Simulate(seed_, ops_, k, &items, &hits);
    const Store& store = items_ ? items : hits;
    std::vector<GenDropped> extra = ExtraColumns(k);
    std::vector<int> header;
    const int ncols = items_ ? kItemCols : 2;
    for (int c = 0; c < ncols; ++c) {
      header.push_back(
          items_ ? table_.HeaderIndexWith(extra, kItemNames[c], c == kSNote)
                 : table_.HeaderIndexWith(extra, kHitNames[c], false));
    }
    for (int32_t pk : TokenOrdered(store)) {
      const PartitionState& p = store.at(pk);
      const bool has_static = p.has_static && !p.static_row.columns.empty();
      if (p.deletion == kNone && p.rows.empty() && p.ranges.empty() &&
          !has_static) {
        continue;  // touched by no-op operations only: nothing to flush
      }
      builder_.Reset(IntBytes(pk));
      if (p.deletion != kNone) builder_.SetDeletion(p.deletion, p.deletion_ldt);
      if (has_static) {
        AddCells(builder_.Static(), p.static_row, header);
      }
      EmitRows(p, header);
      SSTFS_RETURN_IF_ERROR(builder_.Emit(sink));
    }
    return Status::Ok();
  }

 private:
  void AddCells(reader::Row* row, const RowState& r,
                const std::vector<int>& header) {
    std::vector<std::pair<int, const ColumnState*>> cols;
    for (const auto& [c, cs] : r.columns) {
      if (header[c] >= 0) cols.emplace_back(header[c], &cs);
    }
    std::sort(cols.begin(), cols.end());
    for (const auto& [h, cs] : cols) {
      if (cs->complex_deletion != kNone) {
        row->complex_deletions.push_back(
            {static_cast<uint32_t>(h),
             {cs->complex_deletion, cs->complex_deletion_ldt}});
      }
      for (const auto& [path, c] : cs->cells) {
        if (c.ts == kNone) continue;
        reader::ByteView value;
        if (!c.shards.empty()) {
          std::vector<CounterShardSpec> shards;
          for (const auto& [id, s] : c.shards)
            shards.push_back({id, s.first, s.second});
          value = builder_.Copy(CounterContext(shards));
        } else {
          value = builder_.Copy(c.value);
        }
        reader::Cell& cell = row->cells.emplace_back();
        cell.column = static_cast<uint32_t>(h);
        cell.timestamp = c.ts;
        if (c.tombstone) {
          cell.is_tombstone = true;
          cell.local_deletion_time = c.ldt;
        } else {
          cell.value = value;
          if (c.ttl > 0) {
            cell.is_expiring = true;
            cell.ttl = c.ttl;
            cell.local_deletion_time = c.ldt;
          }
        }
        if (items_ && h == header[kTags]) {
          cell.has_path = true;
          cell.path = builder_.Copy(path);
        }
      }
    }
  }

  // Rows and the (at most one) range tombstone, in clustering order.
  void EmitRows(const PartitionState& p, const std::vector<int>& header) {
    const RangeDeletion* rd = p.ranges.empty() ? nullptr : &p.ranges[0];
    bool opened = false;
    bool closed = false;
    auto open_before = [&](int32_t ck) {
      return rd->lo < ck || (rd->lo == ck && rd->lo_inclusive);
    };
    auto close_before = [&](int32_t ck) {
      return rd->hi < ck || (rd->hi == ck && !rd->hi_inclusive);
    };
    std::string v;
    auto marker = [&](bool start) {
      v = IntBytes(start ? rd->lo : rd->hi);
      reader::BoundKind kind =
          start ? (rd->lo_inclusive ? reader::BoundKind::kInclStartBound
                                    : reader::BoundKind::kExclStartBound)
                : (rd->hi_inclusive ? reader::BoundKind::kInclEndBound
                                    : reader::BoundKind::kExclEndBound);
      builder_.AddMarker(kind, {v}, rd->ts, rd->ldt);
    };
    for (const auto& [ck, r] : p.rows) {
      if (rd != nullptr && !opened && open_before(ck)) {
        marker(true);
        opened = true;
      }
      if (rd != nullptr && opened && !closed && close_before(ck)) {
        marker(false);
        closed = true;
      }
      std::string cv = items_ ? IntBytes(ck) : std::string(kPages[ck]);
      reader::Row* row = builder_.AddRow({cv});
      if (r.liveness.ts != kNone) {
        row->liveness.timestamp = r.liveness.ts;
        if (r.liveness.ttl > 0) {
          row->liveness.ttl = r.liveness.ttl;
          row->liveness.local_expiration_time = r.liveness.expiry;
        }
      }
      if (r.deletion != kNone) row->deletion = {r.deletion, r.deletion_ldt};
      AddCells(row, r, header);
    }
    if (rd != nullptr && !opened) marker(true);
    if (rd != nullptr && !closed) marker(false);
  }

  const GenTable& table_;
  uint64_t seed_;
  uint64_t ops_;
  bool items_;
  PartitionBuilder builder_;
};

class Churn : public Preset {
 public:
  explicit Churn(uint64_t seed) : Preset("churn", seed) {}
  Status Init() {
    GenTable items;
    items.keyspace = kKs;
    items.name = "items";
    items.columns = {PartitionKeyColumn("id", Simple("Int32Type"), 0),
                     ClusteringColumn("ck", Simple("Int32Type"), 0),
                     StaticColumn("s_note", Simple("UTF8Type")),
                     RegularColumn("v_double", Simple("DoubleType")),
                     RegularColumn("v_int", Simple("Int32Type")),
                     RegularColumn("v_text", Simple("UTF8Type")),
                     RegularColumn("tags", marshal::Set(Simple("UTF8Type")))};
    items.dropped = {{"old_note", Simple("UTF8Type"), false, kDropMicros}};
    SSTFS_RETURN_IF_ERROR(AddTable(std::move(items)));
    GenTable hits;
    hits.keyspace = kKs;
    hits.name = "hits";
    hits.counter = true;
    hits.columns = {PartitionKeyColumn("id", Simple("Int32Type"), 0),
                    ClusteringColumn("page", Simple("UTF8Type"), 0),
                    RegularColumn("views", Simple("CounterColumnType")),
                    RegularColumn("clicks", Simple("CounterColumnType"))};
    return AddTable(std::move(hits));
  }
  std::unique_ptr<TableStream> Stream(size_t table,
                                      uint64_t scale) const override {
    return std::make_unique<ChurnStream>(tables_[table], seed_, scale,
                                         table == 0);
  }
  uint64_t min_scale() const override { return 400; }
  uint64_t calibration_scale() const override { return 4000; }
  // About 1.5 GB of model memory, ~100 MiB of Data.db.
  uint64_t max_scale() const override { return 5000000; }
  Status WriteExtras(const std::string& outdir, uint64_t scale) const override;
};

Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  f.close();
  if (!f) return Status::IoError(path + ": write failed");
  return Status::Ok();
}

Status Churn::WriteExtras(const std::string& outdir, uint64_t scale) const {
  const std::string dir = outdir + "/expected";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError(dir + ": " + ec.message());
  Store items;
  Store hits;
  Simulate(seed_, scale, -1, &items, &hits);
  SSTFS_RETURN_IF_ERROR(
      WriteText(dir + "/now.txt", std::string(kNowText) + "\n"));
  SSTFS_RETURN_IF_ERROR(WriteText(dir + "/gen_churn.items.rows.jsonl",
                                  ItemsJsonl(tables_[0], items)));
  return WriteText(dir + "/gen_churn.hits.rows.jsonl",
                   HitsJsonl(tables_[1], hits));
}

}  // namespace

reader::Result<std::unique_ptr<Preset>> MakeChurn(uint64_t seed) {
  auto p = std::make_unique<Churn>(seed);
  SSTFS_RETURN_IF_ERROR(p->Init());
  return std::unique_ptr<Preset>(std::move(p));
}

}  // namespace sstablefs::gen
