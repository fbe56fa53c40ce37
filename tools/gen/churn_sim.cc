#include "tools/gen/churn_sim.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "reader/partitioner.h"
#include "reader/types.h"
#include "tools/gen/codec.h"
#include "tools/gen/prng.h"

namespace sstablefs::gen::churn {
namespace {

// Generates the operations from the seed, in order, and applies those of
// flush `only` (all when -1) to `items` / `hits`. The simulator's own
// history (last insert per row, counter shards, ranges per flush) is kept
// whatever is applied, so every replay makes the same operations.
class Simulator {
 public:
  Simulator(uint64_t seed, uint64_t ops) : seed_(seed), ops_(ops) {
    partitions_ = std::max<uint64_t>(4, ops / 50);
  }

  void Run(int only, Store* items, Store* hits) {
    for (uint64_t i = 0; i < ops_; ++i) {
      const int k = static_cast<int>(i * kFlushes / ops_);
      const uint64_t first =
          (static_cast<uint64_t>(k) * ops_ + kFlushes - 1) / kFlushes;
      const uint64_t in_flush = i - first;
      const int64_t ts = FlushBase(k) + static_cast<int64_t>(in_flush) * 10000;
      Rng rng(DeriveSeed(seed_, i));
      const bool apply = only < 0 || only == k;
      if (in_flush == 0 || (in_flush > 1 && rng.Percent(15))) {
        HitOp(&rng, ts, apply ? hits : nullptr);
      } else {
        ItemOp(&rng, k, ts, in_flush == 1, apply ? items : nullptr);
      }
    }
  }

 private:
  static CellVersion Value(int64_t ts, std::string v, int32_t ttl) {
    CellVersion c;
    c.ts = ts;
    c.value = std::move(v);
    if (ttl > 0) {
      c.ttl = ttl;
      c.ldt = static_cast<int32_t>(ts / 1000000) + ttl;
    }
    return c;
  }
  static CellVersion Tombstone(int64_t ts) {
    CellVersion c;
    c.ts = ts;
    c.tombstone = true;
    c.ldt = static_cast<int32_t>(ts / 1000000);
    return c;
  }
  static void Put(RowState* row, int col, const std::string& path,
                  const CellVersion& c) {
    Reconcile(c, &row->columns[col].cells[path]);
  }
  static void DeleteComplex(RowState* row, int col, int64_t ts) {
    ColumnState& cs = row->columns[col];
    if (ts > cs.complex_deletion) {
      cs.complex_deletion = ts;
      cs.complex_deletion_ldt = static_cast<int32_t>(ts / 1000000);
    }
  }
  static void DeleteRow(RowState* row, int64_t ts) {
    if (ts > row->deletion) {
      row->deletion = ts;
      row->deletion_ldt = static_cast<int32_t>(ts / 1000000);
    }
  }

  std::string SimpleValue(int col, Rng* rng) {
    std::string v;
    switch (col) {
      case kVDouble:
        PutDouble(static_cast<double>(rng->Range(-100000, 100000)) / 8, &v);
        break;
      case kVInt:
        PutI32(static_cast<int32_t>(rng->Range(-1000000, 1000000)), &v);
        break;
      default:  // text columns
        if (rng->Percent(5)) {
          v = "\xc3\xbc"
              "ber \"quoted\" \\ tab\t";
        } else {
          PutRandomText(rng, 0, 16, &v);
        }
    }
    return v;
  }
  static std::string Tag(Rng* rng) {
    static constexpr const char* kTags[] = {"blue", "green", "red", "x", "y"};
    return kTags[rng->Uniform(5)];
  }
  int32_t Ttl(Rng* rng) {
    // Two expire before `now`, two after.
    static constexpr int32_t kTtls[] = {3600, 30 * 86400, 120 * 86400,
                                        365 * 86400};
    return kTtls[rng->Uniform(4)];
  }

  void ItemOp(Rng* rng, int k, int64_t ts, bool force_insert, Store* items) {
    int32_t pk = static_cast<int32_t>(rng->Uniform(partitions_));
    const int32_t ck = static_cast<int32_t>(rng->Uniform(16));
    int r = force_insert ? 0 : static_cast<int>(rng->Uniform(100));
    if (!force_insert && rng->Percent(4)) {
      // Partitions that only ever get static values and row deletions:
      // the read path returns one row of statics with null clustering.
      pk = static_cast<int32_t>(partitions_ +
                                rng->Uniform(partitions_ / 10 + 1));
      r = rng->Percent(70) ? 75 : 63;
    }
    PartitionState scratch;
    PartitionState& p = items != nullptr ? (*items)[pk] : scratch;
    const int32_t ldt = static_cast<int32_t>(ts / 1000000);
    if (r < 35) {  // INSERT
      const int32_t ttl = rng->Percent(25) ? Ttl(rng) : 0;
      RowState& row = p.rows[ck];
      Liveness l{ts, ttl, ttl > 0 ? ldt + ttl : kNever};
      ReconcileLiveness(l, &row.liveness);
      for (int c : {kVDouble, kVInt, kVText}) {
        if (rng->Percent(85))
          Put(&row, c, "", Value(ts, SimpleValue(c, rng), ttl));
      }
      if (k == 0 && rng->Percent(50)) {
        Put(&row, kOldNote, "", Value(ts, SimpleValue(kOldNote, rng), ttl));
      }
      if (rng->Percent(50)) {  // tags = {...}: replaces the whole set
        DeleteComplex(&row, kTags, ts - 1);
        int n = static_cast<int>(rng->Uniform(4));
        for (int j = 0; j < n; ++j)
          Put(&row, kTags, Tag(rng), Value(ts, "", ttl));
      }
      if (rng->Percent(20)) {
        p.has_static = true;
        Put(&p.static_row, kSNote, "",
            Value(ts, SimpleValue(kSNote, rng), ttl));
      }
      last_insert_[{pk, ck}] = ts;
    } else if (r < 55) {  // UPDATE of some cells
      const int32_t ttl = rng->Percent(20) ? Ttl(rng) : 0;
      RowState& row = p.rows[ck];
      int n = static_cast<int>(rng->Range(1, 3));
      for (int j = 0; j < n; ++j) {
        int c = kVDouble + static_cast<int>(rng->Uniform(3));
        Put(&row, c, "", Value(ts, SimpleValue(c, rng), ttl));
      }
    } else if (r < 63) {  // DELETE one column
      RowState& row = p.rows[ck];
      int c = kVDouble + static_cast<int>(rng->Uniform(4));
      if (c == kTags) {
        DeleteComplex(&row, kTags, ts);
      } else {
        Put(&row, c, "", Tombstone(ts));
      }
    } else if (r < 69) {  // DELETE row
      DeleteRow(&p.rows[ck], ts);
    } else if (r < 73) {  // DELETE range (one per partition per flush)
      if (!ranged_.insert({k, pk}).second) {
        DeleteRow(&p.rows[ck], ts);
      } else {
        RangeDeletion d;
        d.lo = static_cast<int32_t>(rng->Uniform(12));
        d.hi = d.lo + static_cast<int32_t>(rng->Range(1, 5));
        d.lo_inclusive = rng->Percent(50);
        d.hi_inclusive = rng->Percent(50);
        d.ts = ts;
        d.ldt = ldt;
        p.ranges.push_back(d);
      }
    } else if (r < 75) {  // DELETE partition
      if (ts > p.deletion) {
        p.deletion = ts;
        p.deletion_ldt = ldt;
      }
    } else if (r < 83) {  // UPDATE static
      const int32_t ttl = rng->Percent(20) ? Ttl(rng) : 0;
      p.has_static = true;
      Put(&p.static_row, kSNote, "", Value(ts, SimpleValue(kSNote, rng), ttl));
    } else if (r < 91) {  // tags + {e} / tags - {e}
      RowState& row = p.rows[ck];
      if (rng->Percent(40)) {
        Put(&row, kTags, Tag(rng), Tombstone(ts));
      } else {
        Put(&row, kTags, Tag(rng), Value(ts, "", 0));
      }
    } else if (r < 94) {  // DELETE ... USING TIMESTAMP of an earlier insert
      auto it = last_insert_.find({pk, ck});
      if (it != last_insert_.end()) DeleteRow(&p.rows[ck], it->second);
    } else {  // UPDATE ... USING TTL that ends exactly at `now`
      RowState& row = p.rows[ck];
      int32_t ttl = static_cast<int32_t>(kNow - ts / 1000000);
      Put(&row, kVInt, "", Value(ts, SimpleValue(kVInt, rng), ttl));
    }
    if (items == nullptr) return;
    // Drop rows the operation created without content (nothing to flush).
    auto it = p.rows.find(ck);
    if (it != p.rows.end() && it->second.columns.empty() &&
        it->second.liveness.ts == kNone && it->second.deletion == kNone) {
      p.rows.erase(it);
    }
  }

  void HitOp(Rng* rng, int64_t ts, Store* hits) {
    const int32_t pk = static_cast<int32_t>(rng->Uniform(partitions_ / 2 + 1));
    const int page = static_cast<int>(rng->Uniform(4));
    const int col = static_cast<int>(rng->Uniform(2));
    const int node = static_cast<int>(rng->Uniform(2));
    const int64_t delta = rng->Range(-2, 10);
    auto& shard = counters_[{pk, page, col, node}];
    shard.first += 1;  // clock
    shard.second += delta;
    if (hits == nullptr) return;
    CellVersion c;
    c.ts = ts;
    std::string id;
    PutUuidV4(0xc0c0000000000000ULL + node, 0x7777, &id);
    c.shards[id] = shard;
    Put(&(*hits)[pk].rows[page], col, "", c);
  }

  uint64_t seed_;
  uint64_t ops_;
  uint64_t partitions_;
  std::map<std::pair<int32_t, int32_t>, int64_t> last_insert_;
  std::set<std::pair<int, int32_t>> ranged_;
  std::map<std::tuple<int32_t, int, int, int>, std::pair<int64_t, int64_t>>
      counters_;
};

}  // namespace

void Simulate(uint64_t seed, uint64_t ops, int only, Store* items,
              Store* hits) {
  Simulator(seed, ops).Run(only, items, hits);
}

std::string IntBytes(int32_t v) {
  std::string s;
  PutI32(v, &s);
  return s;
}

// Partition keys of a store in token order.
std::vector<int32_t> TokenOrdered(const Store& store) {
  std::vector<int32_t> keys;
  for (const auto& [pk, p] : store) keys.push_back(pk);
  reader::Partitioner partitioner;
  std::sort(keys.begin(), keys.end(), [&](int32_t a, int32_t b) {
    std::string ka = IntBytes(a);
    std::string kb = IntBytes(b);
    return partitioner.CompareKeys(reader::ByteView(ka), reader::ByteView(kb)) <
           0;
  });
  return keys;
}

namespace {

std::string JsonOf(const reader::CqlType& type, const std::string& bytes) {
  std::string out;
  reader::AppendJson(type, reader::ByteView(bytes), &out);
  return out;
}

}  // namespace

std::string ItemsJsonl(const GenTable& t, const Store& store) {
  const reader::CqlType& int_type = *t.Column("id").type;
  const reader::CqlType& text_type = *t.Column("s_note").type;
  const reader::CqlType& double_type = *t.Column("v_double").type;
  const reader::CqlType& tags_type = *t.Column("tags").type;
  std::string out;
  for (int32_t pk : TokenOrdered(store)) {
    const PartitionState& p = store.at(pk);
    std::string s_note = "null";
    auto col = [](const RowState& r, int c) -> const ColumnState* {
      auto it = r.columns.find(c);
      return it == r.columns.end() ? nullptr : &it->second;
    };
    if (const ColumnState* cs = col(p.static_row, kSNote)) {
      const CellVersion& c = cs->cells.at("");
      if (CellLive(c, p.deletion, kNow)) s_note = JsonOf(text_type, c.value);
    }
    auto line = [&](const std::string& ck, const std::string& tags,
                    const std::string& vd, const std::string& vi,
                    const std::string& vt) {
      out += "{\"id\": " + JsonOf(int_type, IntBytes(pk)) + ", \"ck\": " + ck +
             ", \"s_note\": " + s_note + ", \"tags\": " + tags +
             ", \"v_double\": " + vd + ", \"v_int\": " + vi +
             ", \"v_text\": " + vt + "}\n";
    };
    bool emitted = false;
    for (const auto& [ck, r] : p.rows) {
      int64_t del = std::max(p.deletion, r.deletion);
      for (const RangeDeletion& d : p.ranges) {
        if (d.Covers(ck)) del = std::max(del, d.ts);
      }
      bool live = LivenessLive(r.liveness, del, kNow);
      std::string values[3] = {"null", "null", "null"};
      const reader::CqlType* types[3] = {&double_type, &int_type, &text_type};
      for (int c = kVDouble; c <= kVText; ++c) {
        const ColumnState* cs = col(r, c);
        if (cs == nullptr) continue;
        const CellVersion& cell = cs->cells.at("");
        if (CellLive(cell, del, kNow)) {
          values[c - kVDouble] = JsonOf(*types[c - kVDouble], cell.value);
          live = true;
        }
      }
      std::string tags = "null";
      if (const ColumnState* cs = col(r, kTags)) {
        std::vector<reader::MultiCellEntry> entries;
        int64_t tag_del = std::max(del, cs->complex_deletion);
        for (const auto& [path, cell] : cs->cells) {
          if (CellLive(cell, tag_del, kNow)) {
            entries.emplace_back(reader::ByteView(path), reader::ByteView());
          }
        }
        if (!entries.empty()) {
          tags.clear();
          reader::AppendMultiCellJson(tags_type, entries, &tags);
          live = true;
        }
      }
      // old_note: dropped, never shown (its cells predate the drop).
      if (!live) continue;
      line(JsonOf(int_type, IntBytes(ck)), tags, values[0], values[1],
           values[2]);
      emitted = true;
    }
    if (!emitted && s_note != "null")
      line("null", "null", "null", "null", "null");
  }
  return out;
}

std::string HitsJsonl(const GenTable& t, const Store& store) {
  const reader::CqlType& int_type = *t.Column("id").type;
  const reader::CqlType& text_type = *t.Column("page").type;
  std::string out;
  for (int32_t pk : TokenOrdered(store)) {
    for (const auto& [page, r] : store.at(pk).rows) {
      std::string v[2] = {"null", "null"};
      for (const auto& [c, cs] : r.columns) {
        v[c] = std::to_string(CounterTotal(cs.cells.at("")));
      }
      // Regular columns by name: clicks, views.
      out += "{\"id\": " + JsonOf(int_type, IntBytes(pk)) +
             ", \"page\": " + JsonOf(text_type, kPages[page]) +
             ", \"clicks\": " + v[kClicks] + ", \"views\": " + v[kViews] +
             "}\n";
    }
  }
  return out;
}

}  // namespace sstablefs::gen::churn
