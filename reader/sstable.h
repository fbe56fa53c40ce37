// SSTable: one SSTable's components opened together — the entry point the
// dump/verify commands and the filesystem use.
//
// Contract:
//  - Open() takes the path of any component (e.g. ".../nb-1-big-Data.db") and
//    reads only the small components eagerly (TOC.txt, Statistics.db,
//    CompressionInfo.db offsets); Data.db and Index.db are read on demand.
//  - A missing or unlisted component that is not needed for reading is a
//    warning (warnings()), not an error. A missing Data.db or Statistics.db is
//    an error. A recognised but unsupported format (BTI, oa, ka/la, ...) is
//    kUnsupported naming the version.
//  - An SSTable is immutable after Open() and safe to share between threads;
//    each thread opens its own DataInput / PartitionIterator.
#ifndef SSTABLEFS_READER_SSTABLE_H_
#define SSTABLEFS_READER_SSTABLE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "reader/chunk_cache.h"
#include "reader/columns.h"
#include "reader/compression_info.h"
#include "reader/data_file.h"
#include "reader/data_input.h"
#include "reader/descriptor.h"
#include "reader/partitioner.h"
#include "reader/statistics.h"
#include "reader/status.h"

namespace sstablefs::reader {

class ChunkCache;
class PartitionIndex;
class RandomAccessFile;

class SSTable {
 public:
  // `cache` must outlive the SSTable; nullptr means no caching.
  static Result<std::shared_ptr<SSTable>> Open(
      const std::string& component_path, ChunkCache* cache);
  ~SSTable();

  const Descriptor& descriptor() const { return descriptor_; }
  const Statistics& statistics() const { return statistics_; }
  const Columns& columns() const { return columns_; }
  // Null for uncompressed SSTables.
  const std::shared_ptr<const CompressionInfo>& compression() const {
    return compression_;
  }
  // Uncompressed length of Data.db.
  uint64_t data_length() const;
  // On-disk size of Data.db.
  uint64_t data_file_size() const;
  Partitioner partitioner() const { return partitioner_; }
  // Components listed in TOC.txt (empty when there is no TOC).
  const std::vector<std::string>& toc() const { return toc_; }
  // Missing or unlisted components, and similar non-fatal findings.
  const std::vector<std::string>& warnings() const { return warnings_; }

  // Whether OpenData() checks CRC.db of an uncompressed Data.db. Compressed
  // chunks are always checked (their CRC is needed to trust decompression).
  enum class DataChecksums { kVerify, kSkipCrcDb };
  // A fresh reader over the uncompressed Data.db bytes. kSkipCrcDb lets the
  // verifier decode a file whose CRC.db is known to be wrong, so it can still
  // report structural damage.
  // kLookupOnly: a scan that reads each chunk once uses cached chunks but
  // does not insert the ones it reads (see file_data_input.h).
  Result<std::unique_ptr<DataInput>> OpenData(
      DataChecksums checksums = DataChecksums::kVerify,
      CacheFill fill = CacheFill::kFill) const;

  // Data.db offset of the partition with this serialized key, std::nullopt
  // when it is absent (bloom filter, then Summary.db -> Index.db). Falls back
  // to a scan of Index.db when Summary.db is missing.
  Result<std::optional<uint64_t>> FindPartition(ByteView key) const;

  // The partition index (Index.db, Summary.db, Filter.db); opened on first use.
  // kNotFound when the SSTable has no Index.db.
  Result<const PartitionIndex*> index() const;

 private:
  SSTable() = default;
  Status CheckPartitionKeyAt(uint64_t position, ByteView key) const;

  Descriptor descriptor_;
  Statistics statistics_;
  Columns columns_;
  std::shared_ptr<const CompressionInfo> compression_;
  // Data.db stays open for the SSTable's life: reads keep working when
  // compaction deletes the file from a live node's data directory.
  std::shared_ptr<RandomAccessFile> data_file_;
  std::string crc_path_;  // CRC.db of an uncompressed SSTable, "" if none
  Partitioner partitioner_;
  std::vector<std::string> toc_;
  std::vector<std::string> warnings_;
  ChunkCache* cache_ = nullptr;
  uint64_t file_id_ = 0;
  mutable std::mutex index_mu_;
  mutable std::unique_ptr<PartitionIndex> index_;
  mutable Status index_status_;
  mutable bool index_opened_ = false;
};

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_SSTABLE_H_
