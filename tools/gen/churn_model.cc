#include "tools/gen/churn_model.h"

namespace sstablefs::gen::churn {

void Reconcile(const CellVersion& incoming, CellVersion* current) {
  if (!incoming.shards.empty() && !current->shards.empty() &&
      !incoming.tombstone && !current->tombstone) {
    // CounterContext.merge: per counter id the higher clock wins.
    for (const auto& [id, shard] : incoming.shards) {
      auto it = current->shards.find(id);
      if (it == current->shards.end() || shard.first > it->second.first) {
        current->shards[id] = shard;
      }
    }
    if (incoming.ts > current->ts) current->ts = incoming.ts;
    return;
  }
  if (current->ts == kNone || incoming.ts > current->ts ||
      (incoming.ts == current->ts && incoming.tombstone &&
       !current->tombstone)) {
    *current = incoming;
  }
}

void ReconcileLiveness(const Liveness& incoming, Liveness* current) {
  if (incoming.ts > current->ts) *current = incoming;
}

bool CellLive(const CellVersion& c, int64_t deleted_at, int64_t now) {
  if (c.ts == kNone || c.tombstone || c.ts <= deleted_at) return false;
  return c.ttl == 0 || now < c.ldt;
}

bool LivenessLive(const Liveness& l, int64_t deleted_at, int64_t now) {
  if (l.ts == kNone || l.ts <= deleted_at) return false;
  return l.ttl == 0 || now < l.expiry;
}

int64_t CounterTotal(const CellVersion& c) {
  uint64_t total = 0;  // Java long arithmetic wraps
  for (const auto& [id, shard] : c.shards) {
    total += static_cast<uint64_t>(shard.second);
  }
  return static_cast<int64_t>(total);
}

}  // namespace sstablefs::gen::churn
