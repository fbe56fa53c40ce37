// Reconciliation rules of Cassandra's read path, as pure functions over the
// decoded structs of unfiltered.h: which of two versions of a cell, row
// marker or deletion wins, and the merged total of counter contexts.
// The table merge (table_merge.h) and the history view use them.
//
// Sources (Apache Cassandra): Cells.resolveRegular / resolveCounter,
// LivenessInfo.supersedes, DeletionTime.supersedes / deletes,
// CounterContext.merge (shards by counter id: global beats local beats
// remote; two globals or two remotes: greater clock, then greater count;
// two locals: summed).
//
// Contract: pure, thread-safe, no allocation except CounterMerger's reused
// buffers.
#ifndef SSTABLEFS_READER_RECONCILE_H_
#define SSTABLEFS_READER_RECONCILE_H_

#include <cstdint>
#include <vector>

#include "reader/byte_view.h"
#include "reader/counter.h"
#include "reader/status.h"
#include "reader/unfiltered.h"

namespace sstablefs::reader {

// DeletionTime.supersedes: greater markedForDeleteAt, then greater local
// deletion time.
inline bool Supersedes(const DeletionTime& a, const DeletionTime& b) {
  return a.marked_for_delete_at > b.marked_for_delete_at ||
         (a.marked_for_delete_at == b.marked_for_delete_at &&
          a.local_deletion_time > b.local_deletion_time);
}
// The one of a and b that supersedes (a on a tie).
inline const DeletionTime& MaxDeletion(const DeletionTime& a,
                                       const DeletionTime& b) {
  return Supersedes(b, a) ? b : a;
}
// DeletionTime.deletes: data written at `timestamp` is hidden.
inline bool Deletes(const DeletionTime& d, int64_t timestamp) {
  return timestamp <= d.marked_for_delete_at;
}

// LivenessInfo.supersedes (expired-liveness markers win ties, then the
// later local expiration time, then an expiring one over a plain one).
bool LivenessSupersedes(const LivenessInfo& a, const LivenessInfo& b);
// LivenessInfo.isLive at `now` (seconds).
bool LivenessIsLive(const LivenessInfo& l, int64_t now);

// Cell.isLive at `now`: not a tombstone and not expired.
inline bool CellIsLive(const Cell& c, int64_t now) {
  return !c.is_tombstone && (!c.is_expiring || now < c.local_deletion_time);
}
// True when `a` wins over `b` under Cells.resolveRegular (a wins full
// ties). Not for counters.
bool RegularCellWins(const Cell& a, const Cell& b);
// Cells.resolveCounter's choice for the cases that do not merge: returns
// 1 when a wins outright, -1 when b does, 0 when the two contexts merge.
int CounterCellChoice(const Cell& a, const Cell& b);

// Merges counter contexts (CounterContext.merge, folded over any number of
// contexts) and returns the total of the merged context. Reuses its buffers:
// keep one per reader. A malformed context is kCorruption.
class CounterMerger {
 public:
  void Reset() { shards_.clear(); }
  Status Add(ByteView context);
  int64_t Total();

 private:
  struct Shard {
    ByteView id;
    CounterShard::Kind kind;
    int64_t clock;
    int64_t count;
  };
  std::vector<CounterShard> decoded_;
  std::vector<Shard> shards_;
};

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_RECONCILE_H_
