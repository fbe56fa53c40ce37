// RowDecoder: decodes ONE unfiltered (row, range tombstone marker or the
// end-of-partition flag) of Data.db from a contiguous byte window, as
// Cassandra's UnfilteredSerializer writes it (formats ma..nb, unchanged
// across them). PartitionIterator (data_file.h) drives it; it is separate so
// that the byte-level decoding can be tested and fuzzed on plain buffers.
// See reader/FORMAT.md, section "Data.db".
//
// Decoding is in two stages, because the row/marker size is written only
// after the flags and the clustering:
//   1. DecodePrefix: flags, extended flags, clustering (row) or bound
//      (marker), and the body size vint. It may run out of window: kNeedMore,
//      with `need` set to the window size known to be necessary when a length
//      prefix said so (0 when unknown: grow and retry).
//   2. DecodeRowBody / DecodeMarkerBody: from a ByteReader spanning exactly
//      the declared body; any read past it, or bytes left over, is corruption.
//
// Contract: never allocates from a length read from disk; ByteViews stored in
// the output point into the window. Output objects are reused (vectors are
// cleared, keeping capacity). Not thread-safe (keeps a scratch vector).
#ifndef SSTABLEFS_READER_ROW_DECODER_H_
#define SSTABLEFS_READER_ROW_DECODER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "reader/byte_reader.h"
#include "reader/columns.h"
#include "reader/unfiltered.h"

namespace sstablefs::reader {

// UnfilteredSerializer flags (first byte).
struct UnfilteredFlags {
  static constexpr uint8_t kEndOfPartition = 0x01;
  static constexpr uint8_t kIsMarker = 0x02;
  static constexpr uint8_t kHasTimestamp = 0x04;
  static constexpr uint8_t kHasTtl = 0x08;
  static constexpr uint8_t kHasDeletion = 0x10;
  static constexpr uint8_t kHasAllColumns = 0x20;
  static constexpr uint8_t kHasComplexDeletion = 0x40;
  static constexpr uint8_t kExtension = 0x80;

  uint8_t bits = 0;
  bool EndOfPartition() const { return bits & kEndOfPartition; }
  bool IsMarker() const { return bits & kIsMarker; }
  bool HasTimestamp() const { return bits & kHasTimestamp; }
  bool HasTtl() const { return bits & kHasTtl; }
  bool HasDeletion() const { return bits & kHasDeletion; }
  bool HasAllColumns() const { return bits & kHasAllColumns; }
  bool HasComplexDeletion() const { return bits & kHasComplexDeletion; }
  bool HasExtension() const { return bits & kExtension; }
};

// Extended flags (second byte, present when kExtension is set).
struct ExtendedFlags {
  static constexpr uint8_t kIsStatic = 0x01;
  static constexpr uint8_t kHasShadowableDeletion = 0x02;        // Cassandra
  static constexpr uint8_t kHasScyllaShadowableDeletion = 0x80;  // ScyllaDB

  uint8_t bits = 0;
  bool IsStatic() const { return bits & kIsStatic; }
  bool HasShadowableDeletion() const { return bits & kHasShadowableDeletion; }
  bool HasScyllaShadowableDeletion() const {
    return bits & kHasScyllaShadowableDeletion;
  }
};

// Cell.Serializer flags.
struct CellFlags {
  static constexpr uint8_t kIsDeleted = 0x01;
  static constexpr uint8_t kIsExpiring = 0x02;
  static constexpr uint8_t kHasEmptyValue = 0x04;
  static constexpr uint8_t kUseRowTimestamp = 0x08;
  static constexpr uint8_t kUseRowTtl = 0x10;

  uint8_t bits = 0;
  bool IsDeleted() const { return bits & kIsDeleted; }
  bool IsExpiring() const { return bits & kIsExpiring; }
  bool HasEmptyValue() const { return bits & kHasEmptyValue; }
  bool UseRowTimestamp() const { return bits & kUseRowTimestamp; }
  bool UseRowTtl() const { return bits & kUseRowTtl; }
};

// Where and why decoding failed. `offset` is absolute (ByteReader::offset()).
struct DecodeError {
  uint64_t offset = 0;
  std::string reason;
};

// What stage 1 found.
struct UnfilteredPrefix {
  UnfilteredFlags flags;
  ExtendedFlags extended;
  size_t length = 0;       // bytes from the flags byte through the size vint
  uint64_t body_size = 0;  // bytes after the size vint (0 at end of partition)
};

// The decoder's inlined byte cursor (row_decoder.cc); ByteReader's calls are
// out of line, too slow for the per-cell path.
class DecodeCursor;

class RowDecoder {
 public:
  enum class Outcome { kOk, kNeedMore, kCorrupt };

  // `columns` must outlive the decoder.
  explicit RowDecoder(const Columns* columns);

  // Stage 1, from the window `r` (positioned at a flags byte). On kOk `r`
  // has advanced by prefix->length; the row clustering or marker bound is in
  // `clustering` (kind kStaticClustering with no values for a static row).
  // On kNeedMore, *need is the window size (from the start of the prefix)
  // known to be required, or 0.
  Outcome DecodePrefix(ByteReader& r, UnfilteredPrefix* prefix,
                       Clustering* clustering, size_t* need,
                       DecodeError* error);

  // Stage 2, `body` spans exactly prefix.body_size bytes. `row->clustering`
  // is left as stage 1 filled it. Returns false with `error` on corruption.
  bool DecodeRowBody(ByteReader& body, const UnfilteredPrefix& prefix, Row* row,
                     DecodeError* error);
  bool DecodeMarkerBody(ByteReader& body, RangeTombstoneMarker* marker,
                        DecodeError* error);

 private:
  struct ColumnInfo {
    int fixed_length;  // -1: vint length prefix
    bool complex;
  };

  Outcome DecodeClusteringValues(DecodeCursor& r, size_t count,
                                 Clustering* clustering, size_t* need);
  bool ReadColumnSubset(DecodeCursor& r, const UnfilteredFlags& flags,
                        size_t superset, DecodeError* error);
  bool ReadLargeSubset(DecodeCursor& r, uint64_t missing, size_t superset,
                       DecodeError* error);
  bool DecodeCell(DecodeCursor& r, const ColumnInfo& info, uint32_t column,
                  const LivenessInfo& row_liveness, Row* row,
                  DecodeError* error);
  bool DecodeComplexColumn(DecodeCursor& r, const ColumnInfo& info,
                           uint32_t column, const UnfilteredFlags& flags,
                           const LivenessInfo& row_liveness, Row* row,
                           DecodeError* error);

  bool ReadTimestamp(DecodeCursor& r, int64_t* v) const;
  bool ReadLocalDeletionTime(DecodeCursor& r, int32_t* v) const;
  bool ReadTtl(DecodeCursor& r, int32_t* v) const;
  bool ReadDeletionTime(DecodeCursor& r, DeletionTime* dt) const;

  const Columns* columns_;
  std::vector<int> clustering_fixed_;  // per clustering column
  std::vector<ColumnInfo> statics_;
  std::vector<ColumnInfo> regulars_;
  std::vector<uint32_t> present_;  // scratch: column indexes of one row
};

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_ROW_DECODER_H_
