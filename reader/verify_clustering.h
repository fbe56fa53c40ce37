// The clustering order of rows and range tombstone markers within a
// partition, used by the verifier and the tests (Cassandra's
// ClusteringComparator.compare over ClusteringPrefix: values compared per
// clustering type, ReversedType descending, null before any value; on a common
// prefix the kinds decide: a bound sorts before or after the clusterings it
// prefixes).
#ifndef SSTABLEFS_READER_VERIFY_CLUSTERING_H_
#define SSTABLEFS_READER_VERIFY_CLUSTERING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "reader/types.h"
#include "reader/unfiltered.h"

namespace sstablefs::reader {

// Compares clusterings (rows or bounds) of one table. Keeps a copy of the
// previous one so a sequence can be checked; reuses its buffers (no
// allocation per row once warm). Not thread-safe.
// Same kind and the same bytes for every value (nulls included).
bool SameClustering(const Clustering& a, const Clustering& b);

class ClusteringOrder {
 public:
  explicit ClusteringOrder(std::vector<CqlTypePtr> types)
      : types_(std::move(types)) {}

  // <0, 0, >0 as Cassandra orders `a` and `b`.
  int Compare(const Clustering& a, const Clustering& b) const;

  // Forgets the previous clustering (a new partition starts).
  void Reset() { have_prev_ = false; }
  // Checks that `c` comes after the previous clustering and remembers it.
  // Two equal positions are accepted only as an end bound followed by a
  // start bound (some writers emit them instead of one boundary). On
  // failure `why` describes the pair.
  bool Accept(const Clustering& c, std::string* why);
  // The clustering last passed to Accept, or nullptr after Reset().
  const Clustering* previous() const { return have_prev_ ? &prev_ : nullptr; }
  // "row (1, 'a')": for messages.
  std::string Describe(const Clustering& c) const;

 private:
  int CompareValue(size_t i, const std::optional<ByteView>& a,
                   const std::optional<ByteView>& b) const;

  std::vector<CqlTypePtr> types_;
  // The previous clustering: values point into prev_bytes_.
  bool have_prev_ = false;
  std::string prev_bytes_;
  struct Slot {
    bool present;
    size_t offset;
    size_t size;
  };
  std::vector<Slot> prev_slots_;
  Clustering prev_;
};

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_VERIFY_CLUSTERING_H_
