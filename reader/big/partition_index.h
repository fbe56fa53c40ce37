// Partition lookup in a "big" SSTable without scanning Data.db:
// Filter.db (bloom filter) -> Summary.db (binary search) -> a bounded range of
// Index.db. See reader/FORMAT.md, sections "Index.db", "Summary.db",
// "Filter.db".
//
// Contract:
//  - Open() requires Index.db; Summary.db and Filter.db are used when their
//    files exist (a missing one is not an error: lookups then scan Index.db
//    from the start, or skip the bloom filter). A corrupt Summary.db or
//    Filter.db fails Open() with kCorruption naming the file and offset.
//  - The bloom filter is checked against the SSTable's first/last keys: a
//    filter in the other word order than its version implies (some
//    pre-release `na` files) is accepted in that order; one that contains
//    neither is ignored, never trusted to hide partitions (warnings()).
//  - Summary.db and Filter.db are read into memory (they are small); Index.db
//    is read on demand with pread, never whole. Without Summary.db, the first
//    Find() scans Index.db once and keeps every 128th key in memory (as
//    Cassandra rebuilds a missing summary), so later lookups stay bounded.
//  - The object is immutable after Open(); Find() and NewReader() are
//    thread-safe (each call uses its own buffer).
#ifndef SSTABLEFS_READER_BIG_PARTITION_INDEX_H_
#define SSTABLEFS_READER_BIG_PARTITION_INDEX_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "reader/big/index_file.h"
#include "reader/big/summary.h"
#include "reader/bloom_filter.h"
#include "reader/byte_view.h"
#include "reader/descriptor.h"
#include "reader/file_util.h"
#include "reader/partitioner.h"
#include "reader/status.h"

namespace sstablefs::reader {

class PartitionIndex {
 public:
  static Result<std::unique_ptr<PartitionIndex>> Open(const Descriptor& d,
                                                      const Partitioner& p) {
    return Open(d.ComponentPath("Index.db"), d.ComponentPath("Summary.db"),
                d.ComponentPath("Filter.db"), d.version, p);
  }
  // The same with explicit component paths; `version` selects the Filter.db
  // word format.
  static Result<std::unique_ptr<PartitionIndex>> Open(
      const std::string& index_path, const std::string& summary_path,
      const std::string& filter_path, const Version& version,
      const Partitioner& p);

  // The Index.db entry (with its promoted index) of the partition whose
  // serialized key is `key`, or std::nullopt when it is absent.
  Result<std::optional<IndexEntry>> Find(ByteView key) const;

  // A reader over the Index.db entries in order, from the entry that starts
  // at `start` (0, or an index_position() of the summary).
  std::unique_ptr<IndexFileReader> NewReader(uint64_t start = 0) const {
    return std::make_unique<IndexFileReader>(index_file_, start);
  }

  const Partitioner& partitioner() const { return partitioner_; }
  const std::string& index_path() const { return index_file_->path(); }
  uint64_t index_size() const { return index_file_->size(); }
  // Null when the file does not exist.
  const IndexSummary* summary() const {
    return summary_ ? &*summary_ : nullptr;
  }
  // Null when the file does not exist or was ignored (see warnings()).
  const BloomFilter* bloom_filter() const {
    return filter_ ? &*filter_ : nullptr;
  }
  // Non-fatal findings of Open(), e.g. a bloom filter in an unexpected
  // layout or one that had to be ignored.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  PartitionIndex() = default;
  // Decodes Filter.db; checks it against known keys (see the .cc).
  Status LoadFilter(ByteView bytes, const Version& version,
                    const std::string& path);
  // Scans [start, end) of Index.db for `key`; stops at the first larger key.
  Result<std::optional<IndexEntry>> ScanRange(uint64_t start, uint64_t end,
                                              const Token& token,
                                              ByteView key) const;

  // Builds sample_ (see the contract above); runs once.
  void BuildSample() const;

  Partitioner partitioner_;
  std::shared_ptr<const RandomAccessFile> index_file_;
  std::optional<IndexSummary> summary_;
  std::optional<BloomFilter> filter_;
  std::vector<std::string> warnings_;

  struct SampleEntry {
    std::string key;
    uint64_t position;
  };
  mutable std::once_flag sample_once_;
  mutable Status sample_status_;
  mutable std::vector<SampleEntry> sample_;
};

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_BIG_PARTITION_INDEX_H_
