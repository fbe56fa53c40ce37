// Test-only: checks one expected.json fact against one decoded SSTable
// (header-only, see corpus_facts.h for why). Used by corpus_test.cc.
//
// A fact holds when what is stored matches every key the fact states:
// cells (value rendered with our CQL JSON renderer and compared type-aware,
// timestamp, ttl, expiry, tombstone, counter total and shards, collection
// tombstone), rows (existence, liveness, regular or shadowable deletion),
// partitions (existence, deletion) and range tombstones (rebuilt from the
// stored bounds and boundaries). Each function returns "" when the fact
// holds, else a description of what is stored instead.
#ifndef SSTABLEFS_TESTS_CORPUS_FACT_CHECK_H_
#define SSTABLEFS_TESTS_CORPUS_FACT_CHECK_H_

#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

#include "reader/counter.h"
#include "reader/types.h"
#include "tests/corpus_facts.h"

namespace sstablefs::testing::corpus {

inline std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(c));
  return s;
}
inline const OwnedPartition* FindPartitionByText(
    const DecodedSSTable& d, const std::vector<std::string>& k) {
  for (const OwnedPartition& p : d.partitions) {
    if (p.key_text == k) return &p;
  }
  return nullptr;
}

inline const OwnedRow* FindRow(const OwnedPartition& p,
                               const std::vector<std::string>& clustering) {
  for (const OwnedRow& r : p.rows) {
    if (r.clustering_text == clustering) return &r;
  }
  return nullptr;
}

inline std::string DeletionMismatch(const Json& fact, const rd::DeletionTime& d,
                                    const char* what) {
  if (d.IsLive()) return std::string(what) + ": none stored";
  if (fact.contains("timestamp") &&
      fact["timestamp"].get<int64_t>() != d.marked_for_delete_at) {
    return std::string(what) + ": " + DeletionText(d) + ", expected ts " +
           fact["timestamp"].dump();
  }
  if (fact.contains("local_deletion_time") &&
      fact["local_deletion_time"].get<int64_t>() != d.local_deletion_time) {
    return std::string(what) + ": " + DeletionText(d) + ", expected ldt " +
           fact["local_deletion_time"].dump();
  }
  return "";
}

inline std::string CheckRangeTombstone(const Json& fact,
                                       const OwnedPartition& p) {
  const Json& start = fact["start"];
  const Json& end = fact["end"];
  std::vector<std::string> s_text = ExpectedClusteringText(start["clustering"]);
  std::vector<std::string> e_text = ExpectedClusteringText(end["clustering"]);
  bool s_incl = start.value("inclusive", true);
  bool e_incl = end.value("inclusive", true);
  std::vector<RtSegment> segs = Segments(p);
  bool has_ts = fact.contains("timestamp");
  auto covers = [&](const RtSegment& seg) {
    return !has_ts || seg.deletion.marked_for_delete_at >=
                          fact["timestamp"].get<int64_t>();
  };
  // A range is stored as a run of contiguous segments (boundary markers
  // split it where a newer, nested or overlapping tombstone overrides part
  // of it): the run starts and ends at its bounds, at least one segment
  // carries its deletion and the others a newer one.
  for (size_t i = 0; i < segs.size(); ++i) {
    if (segs[i].start != s_text || segs[i].start_inclusive != s_incl ||
        !covers(segs[i])) {
      continue;
    }
    bool exact = false;  // some segment of the run carries its deletion
    for (size_t j = i; j < segs.size(); ++j) {
      if (j > i && (segs[j].start_marker != segs[j - 1].end_marker ||
                    !covers(segs[j]))) {
        break;
      }
      exact = exact || DeletionMismatch(fact, segs[j].deletion, "rt").empty();
      if (exact && segs[j].end == e_text && segs[j].end_inclusive == e_incl) {
        return "";
      }
    }
  }
  std::string got;
  for (const RtSegment& seg : segs) {
    got += std::string(seg.start_inclusive ? "[" : "(") + JoinText(seg.start) +
           ".." + JoinText(seg.end) + (seg.end_inclusive ? "]" : ")") +
           DeletionText(seg.deletion) + " ";
  }
  return "no stored range " + std::string(s_incl ? "[" : "(") +
         JoinText(s_text) + ".." + JoinText(e_text) + (e_incl ? "]" : ")") +
         "; stored: " + (got.empty() ? "none" : got);
}

inline std::string ParseOurJson(const std::string& text, Json* out) {
  *out = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (out->is_discarded()) return "our JSON rendering is not JSON: " + text;
  return "";
}

inline std::string CheckCounterCell(const Json& fact, const OwnedCell& c) {
  auto shards = DecodeCounterContext(c.value);
  if (!shards)
    return "counter context is malformed: 0x" + rd::ByteView(c.value).ToHex();
  int64_t total = 0;
  for (const CounterShard& s : *shards) total += s.value;
  auto ours = rd::CounterValue(rd::ByteView(c.value));
  if (!ours.ok()) return "CounterValue failed: " + ours.status().ToString();
  if (*ours != total) {
    return "CounterValue " + std::to_string(*ours) + " != shard sum " +
           std::to_string(total);
  }
  std::vector<rd::CounterShard> rshards;
  rd::Status st = rd::DecodeCounterShards(rd::ByteView(c.value), &rshards);
  if (!st.ok() || rshards.size() != shards->size()) {
    return "DecodeCounterShards disagrees: " + st.ToString();
  }
  const Json& v = fact["value"];
  if (v.is_number_integer() && v.get<int64_t>() != total) {
    return "counter total " + std::to_string(total) + ", expected " + v.dump();
  }
  if (v.is_null() &&
      Lower(fact.value("value_note", "")).find("empty counter") !=
          std::string::npos &&
      !shards->empty()) {
    return "expected an empty counter context, got " +
           std::to_string(shards->size()) + " shards";
  }
  if (fact.contains("counter_shards")) {
    const Json& want = fact["counter_shards"];
    if (want.size() != shards->size()) {
      return std::to_string(shards->size()) + " shards, expected " +
             std::to_string(want.size());
    }
    for (size_t i = 0; i < shards->size(); ++i) {
      const CounterShard& s = (*shards)[i];
      if (want[i].value("counter_id", "") != s.counter_id ||
          want[i].value("value", int64_t{0}) != s.value ||
          want[i].value("logical_clock", int64_t{0}) != s.logical_clock) {
        return "shard " + std::to_string(i) + ": {" + s.counter_id + ", " +
               std::to_string(s.value) + ", " +
               std::to_string(s.logical_clock) + "}, expected " +
               want[i].dump();
      }
    }
  }
  return "";
}

inline std::string CheckCellFact(const Json& fact, const DecodedSSTable& d,
                                 const OwnedPartition& p) {
  const rd::Columns& cols = d.table->columns();
  const bool is_static = fact.value("static", false);
  const std::string column = fact["column"].get<std::string>();
  const OwnedRow* row = nullptr;
  std::vector<std::string> ck = ExpectedClusteringText(fact["clustering"]);
  if (is_static) {
    if (!p.static_row) return "no static row";
    row = &*p.static_row;
  } else {
    row = FindRow(p, ck);
    if (!row) return "row " + JoinText(ck) + " not found";
  }
  const std::vector<rd::ColumnDef>& defs =
      is_static ? cols.statics : cols.regulars;
  uint32_t index = UINT32_MAX;
  for (size_t i = 0; i < defs.size(); ++i) {
    if (defs[i].name == column) index = static_cast<uint32_t>(i);
  }
  if (index == UINT32_MAX) {
    return "column " + column + " is not a " +
           (is_static ? "static" : "regular") + " column of the header";
  }
  const rd::CqlType& type = *defs[index].type;
  std::vector<const OwnedCell*> cells;
  for (const OwnedCell& c : row->cells) {
    if (c.column == index) cells.push_back(&c);
  }
  if (cells.empty()) return "no cell for " + column;
  const Json& v = fact["value"];

  if (type.IsMultiCell()) {
    std::vector<rd::MultiCellEntry> entries;
    for (const OwnedCell* c : cells) {
      if (fact.contains("timestamp") &&
          c->timestamp != fact["timestamp"].get<int64_t>()) {
        return "cell timestamp " + std::to_string(c->timestamp) +
               ", expected " + fact["timestamp"].dump();
      }
      if (!c->is_tombstone) {
        entries.emplace_back(rd::ByteView(c->path), rd::ByteView(c->value));
      }
    }
    if (!v.is_null()) {
      std::string text;
      rd::AppendMultiCellJson(type, entries, &text);
      Json got;
      if (auto e = ParseOurJson(text, &got); !e.empty()) return e;
      if (auto e = CompareJson(v, got, type); !e.empty())
        return column + ": " + e;
    }
    if (fact.contains("collection_tombstone")) {
      const Json& ct = fact["collection_tombstone"];
      const rd::ComplexDeletion* cd = nullptr;
      for (const auto& x : row->complex_deletions) {
        if (x.column == index) cd = &x;
      }
      if (!cd) return "no collection tombstone for " + column;
      if (auto e = DeletionMismatch(ct, cd->deletion, "collection tombstone");
          !e.empty()) {
        return e;
      }
    }
    return "";
  }

  if (cells.size() != 1) return std::to_string(cells.size()) + " cells";
  const OwnedCell& c = *cells[0];
  if (fact.contains("timestamp") &&
      c.timestamp != fact["timestamp"].get<int64_t>()) {
    return "cell timestamp " + std::to_string(c.timestamp) + ", expected " +
           fact["timestamp"].dump();
  }
  if (fact.value("deleted", false)) {
    if (!c.is_tombstone) return "cell is not a tombstone";
    if (fact.contains("local_deletion_time") &&
        c.local_deletion_time != fact["local_deletion_time"].get<int64_t>()) {
      return "tombstone ldt " + std::to_string(c.local_deletion_time) +
             ", expected " + fact["local_deletion_time"].dump();
    }
    return "";
  }
  if (c.is_tombstone) return "cell is a tombstone";
  if (fact.contains("ttl")) {
    if (!c.is_expiring || c.ttl != fact["ttl"].get<int64_t>()) {
      return "cell ttl " + std::to_string(c.ttl) + ", expected " +
             fact["ttl"].dump();
    }
  }
  if (fact.contains("local_expiration_time") &&
      c.local_deletion_time != fact["local_expiration_time"].get<int64_t>()) {
    return "cell expiry " + std::to_string(c.local_deletion_time) +
           ", expected " + fact["local_expiration_time"].dump();
  }
  if (type.kind == rd::TypeKind::kCounter) return CheckCounterCell(fact, c);
  if (v.is_null()) {
    if (fact.contains("value_length") &&
        c.value.size() != fact["value_length"].get<size_t>()) {
      return "value length " + std::to_string(c.value.size()) + ", expected " +
             fact["value_length"].dump();
    }
    return "";
  }
  std::string text;
  rd::AppendJson(type, rd::ByteView(c.value), &text);
  Json got;
  if (auto e = ParseOurJson(text, &got); !e.empty()) return e;
  if (auto e = CompareJson(v, got, type); !e.empty()) return column + ": " + e;
  if (fact.contains("value_epoch_ms") &&
      (c.value.size() != 8 ||
       BigEndian64(c.value) != fact["value_epoch_ms"].get<int64_t>())) {
    return "timestamp bytes 0x" + rd::ByteView(c.value).ToHex() +
           ", expected epoch ms " + fact["value_epoch_ms"].dump();
  }
  return "";
}

// "" when the fact holds in this SSTable.
inline std::string CheckFactIn(const Json& fact, const DecodedSSTable& d) {
  const rd::Columns& cols = d.table->columns();
  std::vector<std::string> key =
      ExpectedKeyText(cols, fact["partition"].get<std::string>());
  const OwnedPartition* p = FindPartitionByText(d, key);
  if (!p) return "partition " + JoinText(key) + " not found";
  const std::string kind = fact.value("kind", "");
  if (kind.empty()) return CheckCellFact(fact, d, *p);
  if (kind == "partition_exists") return "";
  if (kind == "partition_deletion") {
    return DeletionMismatch(fact, p->deletion, "partition deletion");
  }
  if (kind == "range_tombstone") return CheckRangeTombstone(fact, *p);
  std::vector<std::string> ck = ExpectedClusteringText(fact["clustering"]);
  const OwnedRow* row = FindRow(*p, ck);
  if (!row) return "row " + JoinText(ck) + " not found";
  if (kind == "row_exists") return "";
  if (kind == "row_liveness") {
    const rd::LivenessInfo& l = row->liveness;
    if (l.IsEmpty()) return "row has no liveness info";
    if (fact.contains("timestamp") &&
        l.timestamp != fact["timestamp"].get<int64_t>()) {
      return "liveness ts " + std::to_string(l.timestamp) + ", expected " +
             fact["timestamp"].dump();
    }
    if (fact.contains("ttl") && l.ttl != fact["ttl"].get<int64_t>()) {
      return "liveness ttl " + std::to_string(l.ttl) + ", expected " +
             fact["ttl"].dump();
    }
    if (fact.contains("local_expiration_time") &&
        l.local_expiration_time !=
            fact["local_expiration_time"].get<int64_t>()) {
      return "liveness expiry " + std::to_string(l.local_expiration_time) +
             ", expected " + fact["local_expiration_time"].dump();
    }
    return "";
  }
  if (kind == "row_deletion") {
    if (row->deletion_is_shadowable) {
      return "row deletion is shadowable " + DeletionText(row->deletion);
    }
    return DeletionMismatch(fact, row->deletion, "row deletion");
  }
  if (kind == "shadowable_row_deletion") {
    if (row->deletion_is_shadowable) {
      return DeletionMismatch(fact, row->deletion, "shadowable deletion");
    }
    if (!row->scylla_shadowable_deletion.IsLive()) {
      return DeletionMismatch(fact, row->scylla_shadowable_deletion,
                              "scylla shadowable deletion");
    }
    return "row has no shadowable deletion (row deletion " +
           DeletionText(row->deletion) + ")";
  }
  return "unknown fact kind " + kind;
}

}  // namespace sstablefs::testing::corpus

#endif  // SSTABLEFS_TESTS_CORPUS_FACT_CHECK_H_
