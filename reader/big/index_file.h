// Index.db: the primary index of a "big" SSTable, one entry per partition in
// partition order (RowIndexEntry.Serializer, formats ma..nb).
// See reader/FORMAT.md, section "Index.db".
//
// Entry layout:
//   u16     key length, then the serialized partition key
//   vint    Data.db position of the partition (unsigned vint)
//   vint    promoted index size in bytes (unsigned vint; 0 = not indexed)
//   [size bytes of promoted index, present only for partitions with >= 2
//    index blocks]:
//     vint  header length (Data.db bytes from the partition start to its
//           first row: key, partition deletion, static row)
//     i32   partition deletion localDeletionTime, i64 markedForDeleteAt
//     vint  block count N
//     N x IndexInfo: first clustering, last clustering (ClusteringPrefix
//           serializer), vint offset (from the partition start), signed
//           vint width - 65536, u8 has end-open marker [+ i32 + i64]
//     N x i32 offset of each IndexInfo from the first one
//
// Contract:
//  - IndexFileReader streams entries with pread through a bounded buffer; it
//    never reads the whole file and never allocates more than the bytes that
//    exist in its range. Not thread-safe: one reader per thread (the
//    underlying RandomAccessFile is shared and thread-safe).
//  - Any malformed or truncated entry is kCorruption naming the file and the
//    byte offset; the reader then stays failed.
//  - DecodePromotedIndex returns views into the `raw` bytes it is given.
#ifndef SSTABLEFS_READER_BIG_INDEX_FILE_H_
#define SSTABLEFS_READER_BIG_INDEX_FILE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reader/byte_reader.h"
#include "reader/byte_view.h"
#include "reader/file_util.h"
#include "reader/status.h"
#include "reader/types.h"
#include "reader/unfiltered.h"

namespace sstablefs::reader {

struct IndexEntry {
  std::string key;              // serialized partition key
  uint64_t data_position = 0;   // partition start in the uncompressed Data.db
  uint64_t index_position = 0;  // entry start (key length) in Index.db
  // The promoted index bytes (after the size vint); empty when the partition
  // has no promoted index, or when the reader was asked to skip it.
  std::string promoted_index;
  uint64_t promoted_index_size = 0;  // as stored, even when skipped

  bool HasPromotedIndex() const { return promoted_index_size != 0; }
  // Index.db offset of the first promoted index byte.
  uint64_t promoted_index_position() const;
};

// One IndexInfo block of a promoted index.
struct IndexBlock {
  // kClustering, or a bound/boundary kind when the block starts/ends with a
  // range tombstone marker. Views into the promoted index bytes.
  Clustering first;
  Clustering last;
  uint64_t offset = 0;  // from the partition start in Data.db
  uint64_t width = 0;   // bytes of Data.db the block covers
  std::optional<DeletionTime> end_open_marker;
};

struct PromotedIndex {
  uint64_t header_length = 0;
  DeletionTime partition_deletion;
  std::vector<IndexBlock> blocks;
  // Offset of each block's IndexInfo from the first one (the trailing table).
  std::vector<uint32_t> block_offsets;
};

// For each clustering column, the fixed value length of its type, or -1 when
// values are vint-length-prefixed (AbstractType.valueLengthIfFixed()).
inline std::vector<int> ClusteringFixedLengths(
    const std::vector<CqlTypePtr>& clustering_types) {
  std::vector<int> out;
  out.reserve(clustering_types.size());
  for (const CqlTypePtr& t : clustering_types) {
    out.push_back(t ? t->FixedLength() : -1);
  }
  return out;
}

// Decodes a promoted index (IndexEntry::promoted_index). `path` and
// `base_offset` (the Index.db offset of raw[0]) only feed error messages.
// Checks that blocks and the offsets table exactly fill `raw`, that the
// offsets table matches the blocks, and that every clustering has at most as
// many values as there are clustering columns.
Result<PromotedIndex> DecodePromotedIndex(
    ByteView raw, const std::vector<int>& clustering_fixed_lengths,
    const std::string& path, uint64_t base_offset);

// Reads one serialized ClusteringPrefix (ClusteringPrefix.Serializer): a kind
// byte, then for kClustering one value per clustering column, else a u16
// value count and that many values; values are preceded by 2-bit
// null/empty flags in unsigned vints (one per 32 values). False when
// truncated or malformed (unknown/static kind, too many values).
bool ReadClusteringPrefix(ByteReader& r,
                          const std::vector<int>& clustering_fixed_lengths,
                          Clustering* out);

class IndexFileReader {
 public:
  // Reads entries in [start, end) of `file`; `end` is clamped to the file
  // size. REQUIRES: file != nullptr.
  IndexFileReader(std::shared_ptr<const RandomAccessFile> file,
                  uint64_t start = 0, uint64_t end = UINT64_MAX);

  // Opens `path` and reads it whole, entry by entry.
  static Result<std::unique_ptr<IndexFileReader>> Open(const std::string& path);

  // Fills `entry` with the next entry and returns true; false at the end of
  // the range. With `with_promoted_index` false the promoted index bytes are
  // skipped without being read (entry->promoted_index stays empty).
  Result<bool> Next(IndexEntry* entry, bool with_promoted_index = true);

  // Offset of the next entry.
  uint64_t position() const { return pos_; }
  const std::string& path() const { return file_->path(); }

 private:
  // Makes [offset, offset + n) available in buf_; false past `end_`.
  Result<bool> Ensure(uint64_t offset, size_t n);
  ByteView BufferAt(uint64_t offset, size_t n) const {
    return ByteView(buf_.data() + (offset - buf_start_), n);
  }
  Result<uint64_t> ReadVIntAt(uint64_t* offset, const char* what);

  std::shared_ptr<const RandomAccessFile> file_;
  uint64_t pos_;
  uint64_t end_;
  std::vector<uint8_t> buf_;
  uint64_t buf_start_ = 0;  // file offset of buf_[0]
  size_t buf_len_ = 0;      // valid bytes in buf_
  Status failed_;
};

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_BIG_INDEX_FILE_H_
