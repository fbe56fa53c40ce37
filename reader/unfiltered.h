// The decoded content of Data.db: partitions, rows, cells and range tombstone
// markers, as Cassandra's UnfilteredSerializer writes them (formats ma..nb).
// See reader/FORMAT.md, section "Data.db".
//
// Contract: these structs are filled by PartitionIterator (data_file.h). Every
// ByteView inside them (keys, clustering values, cell paths and values) points
// into the iterator's buffers and stays valid only until the next call that
// advances the iterator. Copy what you keep.
#ifndef SSTABLEFS_READER_UNFILTERED_H_
#define SSTABLEFS_READER_UNFILTERED_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "reader/byte_view.h"

namespace sstablefs::reader {

inline constexpr int64_t kNoTimestamp = std::numeric_limits<int64_t>::min();
inline constexpr int32_t kNoDeletionTime = std::numeric_limits<int32_t>::max();
inline constexpr int32_t kNoTtl = 0;

// DeletionTime: markedForDeleteAt (microseconds, the write timestamp of the
// deletion) and localDeletionTime (seconds since epoch, server clock).
struct DeletionTime {
  int64_t marked_for_delete_at = kNoTimestamp;
  int32_t local_deletion_time = kNoDeletionTime;

  bool IsLive() const {
    return marked_for_delete_at == kNoTimestamp &&
           local_deletion_time == kNoDeletionTime;
  }
  friend bool operator==(const DeletionTime&, const DeletionTime&) = default;
};

// Primary key liveness (the "row marker"): timestamp, and TTL with its local
// expiration time when the row was written with a TTL. A TTL of
// kExpiredLiveness (Integer.MAX_VALUE, Cassandra's
// LivenessInfo.EXPIRED_LIVENESS_TTL; ScyllaDB's expired_liveness_ttl is the
// same value) marks a liveness turned into a tombstone by a view update; its
// local_expiration_time is then the deletion time.
struct LivenessInfo {
  int64_t timestamp = kNoTimestamp;
  int32_t ttl = kNoTtl;
  int32_t local_expiration_time = kNoDeletionTime;

  bool IsEmpty() const { return timestamp == kNoTimestamp; }
  bool IsExpiring() const { return ttl != kNoTtl; }
};
inline constexpr int32_t kExpiredLiveness = std::numeric_limits<int32_t>::max();

// ClusteringPrefix.Kind, in Cassandra's ordinal order (the byte on disk for
// range tombstone markers).
enum class BoundKind : uint8_t {
  kExclEndBound = 0,
  kInclStartBound = 1,
  kExclEndInclStartBoundary = 2,
  kStaticClustering = 3,
  kClustering = 4,
  kInclEndExclStartBoundary = 5,
  kInclEndBound = 6,
  kExclStartBound = 7,
};
// As ClusteringPrefix.Kind.isBoundary/isStart/isEnd: a boundary both closes
// the previous range and opens the next, so IsStart and IsEnd are both true
// for it. kClustering and kStaticClustering are neither.
bool IsBoundary(BoundKind k);  // either *_BOUNDARY kind
bool IsStart(BoundKind k);     // opens a range (start bound or boundary)
bool IsEnd(BoundKind k);       // closes a range (end bound or boundary)

// Clustering values of a row or a marker bound. A component may be absent
// (std::nullopt: null, allowed in compact tables) or present-but-empty.
// A bound may have fewer components than the table has clustering columns.
struct Clustering {
  BoundKind kind = BoundKind::kClustering;
  std::vector<std::optional<ByteView>> values;
};

// Cell flags as written by Cell.Serializer (BufferCell).
struct Cell {
  uint32_t column = 0;  // index into Columns::statics or Columns::regulars
  bool is_tombstone = false;  // IS_DELETED
  bool is_expiring = false;   // IS_EXPIRING (has ttl)
  int64_t timestamp = kNoTimestamp;
  int32_t ttl = kNoTtl;
  // Expiry (for expiring cells) or deletion time (tombstones), seconds.
  int32_t local_deletion_time = kNoDeletionTime;
  bool has_path = false;  // cell of a complex (multi-cell) column
  ByteView path;          // collection key / list timeuuid / UDT field index
  ByteView value;         // empty for tombstones and set elements
};

// Deletion of a whole complex column (e.g. `SET m = {...}` overwrites m).
struct ComplexDeletion {
  uint32_t column = 0;
  DeletionTime deletion;
};

// A static row that carries nothing (no liveness, deletion or cells) is never
// reported: Cassandra writes one into every partition of a table with static
// columns (Rows.EMPTY_STATIC_ROW) and its own reader drops it too.
struct Row {
  bool is_static = false;
  Clustering clustering;  // kind kClustering (or kStaticClustering)
  LivenessInfo liveness;
  DeletionTime deletion;
  bool deletion_is_shadowable = false;  // HAS_SHADOWABLE_DELETION (MV rows)
  // ScyllaDB-written MV rows only: a second, shadowable tombstone kept next to
  // the regular one (extended flag 0x80, HAS_SCYLLA_SHADOWABLE_DELETION). Live
  // when absent; Cassandra never writes it.
  DeletionTime shadowable_deletion;
  // Cells in column order; complex columns' cells in path order.
  std::vector<Cell> cells;
  std::vector<ComplexDeletion> complex_deletions;
};

// A range tombstone bound or boundary. For a bound, `deletion` is the one it
// opens or closes. For a boundary, `end_deletion` closes the previous range and
// `start_deletion` opens the next one.
struct RangeTombstoneMarker {
  Clustering bound;
  DeletionTime deletion;        // bounds
  DeletionTime end_deletion;    // boundaries
  DeletionTime start_deletion;  // boundaries
};

struct Unfiltered {
  enum class Kind { kRow, kRangeTombstoneMarker };
  Kind kind = Kind::kRow;
  uint64_t position =
      0;    // offset in the uncompressed Data.db of its flags byte
  Row row;  // valid when kind == kRow
  RangeTombstoneMarker marker;  // valid when kind == kRangeTombstoneMarker
};

struct PartitionHeader {
  uint64_t position = 0;  // offset in the uncompressed Data.db
  ByteView key;           // the serialized partition key
  DeletionTime deletion;  // partition-level deletion (live when none)
};

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_UNFILTERED_H_
