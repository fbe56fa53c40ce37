// Cassandra's reconciliation rules (reconcile.h).
#include "reader/reconcile.h"

#include <algorithm>

namespace sstablefs::reader {
namespace {

bool IsExpiredLiveness(const LivenessInfo& l) {
  return l.ttl == kExpiredLiveness;
}

// CounterContext.compare: >0 when a overrides b, <0 when b overrides a, 0
// for two local shards (they are summed).
int CompareShards(CounterShard::Kind ak, int64_t aclock, int64_t acount,
                  CounterShard::Kind bk, int64_t bclock, int64_t bcount) {
  using K = CounterShard::Kind;
  if (ak == K::kGlobal || bk == K::kGlobal) {
    if (ak != bk) return ak == K::kGlobal ? 1 : -1;
    if (aclock != bclock) return aclock > bclock ? 1 : -1;
    return acount > bcount ? 1 : -1;  // equal: either (same shard)
  }
  if (ak == K::kLocal || bk == K::kLocal) {
    if (ak == bk) return 0;
    return ak == K::kLocal ? 1 : -1;
  }
  if (aclock == bclock) return acount > bcount ? 1 : -1;
  // Remote shards: negative clocks mark shards merged away (pre-2.1
  // renewal); the rule is CounterContext's as is.
  const bool a_wins = (aclock >= 0 && bclock > 0 && aclock >= bclock) ||
                      (aclock < 0 && (bclock > 0 || aclock < bclock));
  return a_wins ? 1 : -1;
}

}  // namespace

bool LivenessSupersedes(const LivenessInfo& a, const LivenessInfo& b) {
  if (a.timestamp != b.timestamp) return a.timestamp > b.timestamp;
  if (IsExpiredLiveness(a) != IsExpiredLiveness(b)) {
    return IsExpiredLiveness(a);
  }
  if (a.IsExpiring() == b.IsExpiring()) {
    return a.local_expiration_time > b.local_expiration_time;
  }
  return a.IsExpiring();
}

bool LivenessIsLive(const LivenessInfo& l, int64_t now) {
  if (l.IsEmpty()) return false;
  if (!l.IsExpiring()) return true;
  return !IsExpiredLiveness(l) && now < l.local_expiration_time;
}

bool RegularCellWins(const Cell& a, const Cell& b) {
  if (a.timestamp != b.timestamp) return a.timestamp > b.timestamp;
  // localDeletionTime is NO_DELETION_TIME exactly for live non-expiring
  // cells; tombstones and expiring cells carry one.
  const bool a_dead_or_exp = a.is_tombstone || a.is_expiring;
  const bool b_dead_or_exp = b.is_tombstone || b.is_expiring;
  if (a_dead_or_exp || b_dead_or_exp) {
    if (a_dead_or_exp != b_dead_or_exp) return a_dead_or_exp;
    const bool a_tomb = !a.is_expiring;
    const bool b_tomb = !b.is_expiring;
    if (a_tomb != b_tomb) return a_tomb;
    if (a.local_deletion_time != b.local_deletion_time) {
      return a.local_deletion_time > b.local_deletion_time;
    }
  }
  return a.value.Compare(b.value) >= 0;
}

int CounterCellChoice(const Cell& a, const Cell& b) {
  if (a.is_tombstone || b.is_tombstone) {
    // A counter tombstone wins whatever the timestamps (CASSANDRA-7346).
    if (a.is_tombstone != b.is_tombstone) return a.is_tombstone ? 1 : -1;
    return a.timestamp >= b.timestamp ? 1 : -1;
  }
  const bool a_empty = a.value.empty();
  const bool b_empty = b.value.empty();
  if (a_empty || b_empty) {
    if (a_empty != b_empty) return a_empty ? 1 : -1;
    return a.timestamp > b.timestamp ? 1 : -1;
  }
  return 0;
}

Status CounterMerger::Add(ByteView context) {
  SSTFS_RETURN_IF_ERROR(DecodeCounterShards(context, &decoded_));
  for (const CounterShard& s : decoded_) {
    shards_.push_back(Shard{s.counter_id, s.kind, s.clock, s.count});
  }
  return Status::Ok();
}

int64_t CounterMerger::Total() {
  // Shards of one context have distinct ids; a stable sort by id groups the
  // versions of a shard in the order the contexts were added.
  std::stable_sort(
      shards_.begin(), shards_.end(),
      [](const Shard& a, const Shard& b) { return a.id.Compare(b.id) < 0; });
  uint64_t total = 0;  // Java long arithmetic wraps
  for (size_t i = 0; i < shards_.size();) {
    Shard merged = shards_[i];
    size_t j = i + 1;
    for (; j < shards_.size() && shards_[j].id.Compare(merged.id) == 0; ++j) {
      const Shard& s = shards_[j];
      int cmp = CompareShards(merged.kind, merged.clock, merged.count, s.kind,
                              s.clock, s.count);
      if (cmp == 0) {
        merged.clock =
            static_cast<int64_t>(static_cast<uint64_t>(merged.clock) +
                                 static_cast<uint64_t>(s.clock));
        merged.count =
            static_cast<int64_t>(static_cast<uint64_t>(merged.count) +
                                 static_cast<uint64_t>(s.count));
      } else if (cmp < 0) {
        merged = s;
      }
    }
    total += static_cast<uint64_t>(merged.count);
    i = j;
  }
  return static_cast<int64_t>(total);
}

}  // namespace sstablefs::reader
