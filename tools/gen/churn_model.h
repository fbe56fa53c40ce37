// The churn preset's model: a deliberately simple, obviously-correct
// in-memory store of every write, used twice —
//  - per flush, as the memtable whose content becomes one SSTable;
//  - over all flushes, as the oracle of what Cassandra's read path returns
//    at a fixed `now` (OUTDIR/expected/).
// It shares nothing with reader/table.cc: a map from (partition key,
// clustering) to per-column (value, timestamp, ttl) with deletions applied
// by timestamp.
//
// Rules (Cassandra's, as SPEC §3 states them):
//  - per cell the higher timestamp wins; on a tie a tombstone wins (the
//    generator never writes two live cells with one timestamp);
//  - a deletion (partition, range, row, complex column, cell) at timestamp
//    T hides data with timestamp <= T;
//  - an expiring cell or row marker is dead once now >= its expiry;
//  - counters keep, per counter id, the shard with the highest clock, and
//    total the shards' counts;
//  - a row is returned when its marker or a cell is live; a partition
//    with no live rows but live statics returns one row of its statics;
//  - cells of dropped columns written at or before the drop are ignored.
//
// Contract: single-threaded; plain value types.
#ifndef SSTABLEFS_TOOLS_GEN_CHURN_MODEL_H_
#define SSTABLEFS_TOOLS_GEN_CHURN_MODEL_H_

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace sstablefs::gen::churn {

inline constexpr int64_t kNone = std::numeric_limits<int64_t>::min();
inline constexpr int32_t kNever = std::numeric_limits<int32_t>::max();

struct CellVersion {
  bool tombstone = false;
  int64_t ts = kNone;
  int32_t ttl = 0;
  int32_t ldt = kNever;  // expiry (ttl > 0) or deletion time (tombstone)
  std::string value;
  // Counters: counter id -> (clock, count).
  std::map<std::string, std::pair<int64_t, int64_t>> shards;
};

struct ColumnState {
  int64_t complex_deletion = kNone;  // complex (multi-cell) columns
  int32_t complex_deletion_ldt = kNever;
  std::map<std::string, CellVersion> cells;  // by path ("" when simple)
};

struct Liveness {
  int64_t ts = kNone;
  int32_t ttl = 0;
  int32_t expiry = kNever;
};

struct RowState {
  Liveness liveness;
  int64_t deletion = kNone;
  int32_t deletion_ldt = kNever;
  std::map<int, ColumnState> columns;  // by model column id
};

// A range deletion over the (single, int) clustering column.
struct RangeDeletion {
  int32_t lo = 0;
  bool lo_inclusive = true;
  int32_t hi = 0;
  bool hi_inclusive = true;
  int64_t ts = kNone;
  int32_t ldt = kNever;
  bool Covers(int32_t ck) const {
    return (ck > lo || (lo_inclusive && ck == lo)) &&
           (ck < hi || (hi_inclusive && ck == hi));
  }
};

struct PartitionState {
  int64_t deletion = kNone;
  int32_t deletion_ldt = kNever;
  std::vector<RangeDeletion> ranges;
  RowState static_row;
  bool has_static = false;
  std::map<int32_t, RowState> rows;  // by clustering value
};

// Reconciles `incoming` into `current` (Cells.reconcile): higher
// timestamp wins, a tombstone wins a tie; counter shards merge by clock.
void Reconcile(const CellVersion& incoming, CellVersion* current);
void ReconcileLiveness(const Liveness& incoming, Liveness* current);

// Live at `now` (seconds): not a tombstone, not expired, newer than
// `deleted_at`.
bool CellLive(const CellVersion& c, int64_t deleted_at, int64_t now);
bool LivenessLive(const Liveness& l, int64_t deleted_at, int64_t now);

// Counter total of a counter cell.
int64_t CounterTotal(const CellVersion& c);

}  // namespace sstablefs::gen::churn

#endif  // SSTABLEFS_TOOLS_GEN_CHURN_MODEL_H_
