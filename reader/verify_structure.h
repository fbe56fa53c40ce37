// Internal to the verifier: the decoding pass of `verify` (not run with
// --quick). One pass over the Data.db partitions, with Index.db, Summary.db
// and Filter.db followed in lock-step so memory stays bounded (no key is kept
// beyond the previous one). Methods are split between verify_structure.cc
// (Data.db order, rows, markers) and verify_cross.cc (Index.db, Summary.db,
// Filter.db, Statistics.db agreement).
#ifndef SSTABLEFS_READER_VERIFY_STRUCTURE_H_
#define SSTABLEFS_READER_VERIFY_STRUCTURE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reader/big/index_file.h"
#include "reader/big/summary.h"
#include "reader/bloom_filter.h"
#include "reader/data_file.h"
#include "reader/sstable.h"
#include "reader/verify_clustering.h"
#include "reader/verify_internal.h"

namespace sstablefs::reader::verify_internal {

// Per check, findings beyond this many are summarised in one line: one
// shifted Index.db entry would otherwise report every later partition.
inline constexpr int kMaxFindingsPerCheck = 20;

inline std::string U(uint64_t v) { return std::to_string(v); }

inline std::string DeletionText(const DeletionTime& d) {
  return "{markedForDeleteAt " + std::to_string(d.marked_for_delete_at) +
         ", localDeletionTime " + std::to_string(d.local_deletion_time) + "}";
}

// Tracks the [min, max] of values seen and the first one outside a range.
struct RangeTracker {
  bool any = false;
  int64_t min = 0;
  int64_t max = 0;
  std::optional<uint64_t> first_outside_at;  // Data.db offset
  int64_t first_outside = 0;

  void See(int64_t v, int64_t lo, int64_t hi, uint64_t at) {
    if (!any || v < min) min = v;
    if (!any || v > max) max = v;
    any = true;
    if ((v < lo || v > hi) && !first_outside_at) {
      first_outside_at = at;
      first_outside = v;
    }
  }
};

class StructureChecker {
 public:
  StructureChecker(VerifyContext& ctx, const SSTable& t, bool chunks_damaged)
      : ctx_(ctx),
        t_(t),
        d_(t.descriptor()),
        chunks_damaged_(chunks_damaged),
        clustering_(t.columns().clustering_types) {}

  void Run();

 private:
  // Adds a finding unless `check` already has kMaxFindingsPerCheck.
  void Error(const char* check, std::string_view component,
             std::optional<uint64_t> offset, std::string reason);
  void OpenIndexComponents();
  Result<std::unique_ptr<DataInput>> OpenDataForDecoding();
  void CheckPartition(const PartitionHeader& p);
  void CheckRows(PartitionIterator& it, const PartitionHeader& p);
  void CheckMarker(const Unfiltered& u);
  void SeeTimestamp(int64_t ts, uint64_t at);
  void SeeDeletion(const DeletionTime& d, uint64_t at);
  void SeeLocalDeletionTime(int32_t ldt, uint64_t at);
  void IndexEntryFor(const PartitionHeader& p);
  void CheckSummaryEntry(const IndexEntry& e);
  void CheckPromotedIndex(const IndexEntry& e, const PartitionHeader& p);
  void FinishPartitionExtent(uint64_t end);
  // Promoted index blocks against the unfiltereds (see verify_cross.cc).
  void BlocksAtUnfiltered(const Unfiltered& u, const PartitionHeader& p);
  void BlocksAtPartitionEnd(const PartitionHeader& p);
  void CloseBlock(const PartitionHeader& p);
  void FinishIndex(bool data_complete);
  void AddToRebuiltFilter(ByteView key);
  void CompareRebuiltFilter(bool old_word_order);
  void FinishStats(bool data_complete);
  // Statistics.db fields recomputed from the data (verify_cross.cc): the
  // only protection of pre-na Statistics.db, which has no checksums.
  void SeePartitionEnd(uint64_t end);
  void SeeClusteringValues(const Clustering& c);
  void CheckHistogramShape(const Histogram& h, const char* name);
  void CheckPartitionSizes(const StatsMetadata& st);
  void CheckCompressionRatio(const StatsMetadata& st);
  void CheckClusteringBounds(const StatsMetadata& st);
  void CheckCommitLogIntervals(const StatsMetadata& st);
  std::string Key(ByteView key) const {
    return KeyForMessage(t_, key.AsStringView());
  }

  VerifyContext& ctx_;
  const SSTable& t_;
  const Descriptor& d_;
  bool chunks_damaged_;
  ClusteringOrder clustering_;
  std::map<std::string, int> finding_counts_;

  // Partition order.
  std::string prev_key_;
  bool have_prev_ = false;
  std::string first_key_;
  uint64_t partitions_ = 0;
  uint64_t rows_ = 0;
  uint64_t static_rows_ = 0;
  uint64_t markers_ = 0;

  // Range tombstones of the current partition.
  bool rt_open_ = false;
  DeletionTime rt_deletion_;
  uint64_t rt_open_at_ = 0;

  // Index.db, Summary.db, Filter.db.
  std::unique_ptr<IndexFileReader> index_;
  bool index_failed_ = false;
  bool index_ended_ = false;
  uint64_t index_entries_ = 0;
  std::optional<IndexSummary> summary_;
  size_t summary_next_ = 0;
  std::optional<BloomFilter> filter_;
  std::optional<BloomFilter> filter_other_order_;
  // The filter rebuilt from the partition keys (bit i = byte i/8, bit i%8),
  // compared bit for bit with Filter.db at the end: a bloom filter is the
  // OR of its keys' bits, so any other set bit is damage too.
  std::vector<uint8_t> filter_rebuilt_;
  std::string filter_file_;  // Filter.db as stored
  int filter_hash_count_ = 0;
  uint64_t filter_misses_ = 0;
  uint64_t filter_other_misses_ = 0;
  std::string first_filter_miss_;
  // Promoted index blocks of the previous partition, checked once its end
  // (the next partition's start) is known.
  uint64_t pending_start_ = 0;
  uint64_t pending_block_end_ = 0;
  bool pending_ = false;
  uint64_t pending_index_at_ = 0;
  IndexEntry entry_;  // reused for every Index.db entry
  // The current partition's promoted index (views into entry_), while its
  // rows are checked; blocks_next_ is the next block to start.
  std::optional<PromotedIndex> blocks_;
  size_t block_open_ = SIZE_MAX;  // block whose rows are being read
  size_t blocks_next_ = 0;
  bool blocks_reported_ = false;

  // Statistics agreement.
  uint64_t partition_start_ = 0;
  bool in_partition_ = false;
  std::vector<uint64_t> size_buckets_;  // recomputed estimatedPartitionSize
  // Whether each stored min/max clustering component value occurs in the
  // data (as that component of some row or marker).
  std::vector<bool> min_value_seen_;
  std::vector<bool> max_value_seen_;
  bool any_ttl_ = false;  // an expiring cell or row liveness
  RangeTracker timestamps_;
  RangeTracker deletion_times_;
  int64_t stats_min_ts_ = INT64_MIN;
  int64_t stats_max_ts_ = INT64_MAX;
  int64_t stats_min_ldt_ = INT64_MIN;
  int64_t stats_max_ldt_ = INT64_MAX;
};

}  // namespace sstablefs::reader::verify_internal

#endif  // SSTABLEFS_READER_VERIFY_STRUCTURE_H_
