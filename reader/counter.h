// Counter cell values: the CounterContext blob Cassandra stores as the value
// of a counter cell (org.apache.cassandra.db.context.CounterContext).
// See reader/FORMAT.md, section "Data.db", "Counters".
//
// Layout (big-endian):
//   i16 n                      header element count; negative means "local
//                              shards must be cleared" (abs(n) elements)
//   i16 elt[abs(n)]            shard index of a local shard (elt >= 0) or of
//                              a global shard (elt - INT16_MIN, elt < 0)
//   shard[*]                   32 bytes each, to the end of the value:
//     u8  counter_id[16]       a host id (UUID)
//     i64 clock                logical clock
//     i64 count
// Shards not named by the header are "remote" (legacy, pre-2.1).
//
// Contract: pure functions over the given bytes; views returned point into
// `context` and live as long as it does. A blob whose length does not fit the
// layout is kCorruption (with offset 0 relative to the value; callers add
// the file context).
#ifndef SSTABLEFS_READER_COUNTER_H_
#define SSTABLEFS_READER_COUNTER_H_

#include <cstdint>
#include <vector>

#include "reader/byte_view.h"
#include "reader/status.h"

namespace sstablefs::reader {

struct CounterShard {
  enum class Kind { kGlobal, kLocal, kRemote };
  Kind kind = Kind::kRemote;
  ByteView counter_id;  // 16 bytes
  int64_t clock = 0;
  int64_t count = 0;
};

// The counter's value as CounterContext.total computes it: the sum of the
// counts of every shard, whatever its kind (wrapping on overflow as Java's
// long arithmetic does). An empty blob totals 0.
Result<int64_t> CounterValue(ByteView context);

// Every shard in stored order, with its kind. Appends to `out` (cleared
// first).
Status DecodeCounterShards(ByteView context, std::vector<CounterShard>* out);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_COUNTER_H_
