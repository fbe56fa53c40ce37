#include "reader/row_decoder.h"

#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace sstablefs::reader {

// Same semantics as ByteReader (bounds-checked, advances only on success,
// Cassandra vints), but header-inlined here: a row of ten cells makes ~50
// reads and out-of-line calls cost more than the decoding itself.
class DecodeCursor {
 public:
  explicit DecodeCursor(const ByteReader& r)
      : begin_(r.view().data()),
        p_(begin_ + r.position()),
        end_(begin_ + r.view().size()),
        base_offset_(r.offset() - r.position()) {}

  size_t position() const { return static_cast<size_t>(p_ - begin_); }
  uint64_t offset() const { return base_offset_ + position(); }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool AtEnd() const { return p_ == end_; }
  void SetPosition(size_t pos) { p_ = begin_ + pos; }

  bool ReadU8(uint8_t* v) {
    if (p_ == end_) return false;
    *v = *p_++;
    return true;
  }
  bool ReadU16(uint16_t* v) {
    if (end_ - p_ < 2) return false;
    *v = static_cast<uint16_t>((p_[0] << 8) | p_[1]);
    p_ += 2;
    return true;
  }
  bool ReadUnsignedVInt(uint64_t* v) {
    if (p_ != end_ && *p_ < 0x80) {  // one byte: the common case
      *v = *p_++;
      return true;
    }
    return ReadLongVInt(v);
  }
  bool ReadBytes(size_t n, ByteView* out) {
    if (remaining() < n) return false;
    *out = ByteView(p_, n);
    p_ += n;
    return true;
  }
  // Unsigned vint length, then that many bytes.
  bool ReadVIntLengthBytes(ByteView* out) {
    const uint8_t* saved = p_;
    uint64_t len;
    if (!ReadUnsignedVInt(&len) || len > remaining()) {
      p_ = saved;
      return false;
    }
    *out = ByteView(p_, static_cast<size_t>(len));
    p_ += len;
    return true;
  }

 private:
  bool ReadLongVInt(uint64_t* v) {
    if (p_ == end_) return false;
    const int extra = std::countl_one(*p_);
    if (remaining() < static_cast<size_t>(extra) + 1) return false;
    uint64_t value = extra >= 7 ? 0 : (*p_ & (0xffu >> (extra + 1)));
    for (int i = 1; i <= extra; ++i) value = (value << 8) | p_[i];
    *v = value;
    p_ += extra + 1;
    return true;
  }

  const uint8_t* begin_;
  const uint8_t* p_;
  const uint8_t* end_;
  uint64_t base_offset_;
};

namespace {

// ClusteringPrefix.Serializer: one header vint per block of 32 values, two
// bits per value: the high bit marks null, the low bit empty.
constexpr size_t kClusteringBlock = 32;

bool Fail(DecodeError* error, const DecodeCursor& r, std::string reason) {
  error->offset = r.offset();
  error->reason = std::move(reason);
  return false;
}

RowDecoder::Outcome Corrupt(DecodeError* error, const DecodeCursor& r,
                            std::string reason) {
  Fail(error, r, std::move(reason));
  return RowDecoder::Outcome::kCorrupt;
}

}  // namespace

RowDecoder::RowDecoder(const Columns* columns) : columns_(columns) {
  for (const CqlTypePtr& t : columns->clustering_types) {
    clustering_fixed_.push_back(t->FixedLength());
  }
  // A complex column's cells are written with the collection (or UDT) type's
  // writeValue, which is never fixed-length: always a vint length prefix.
  auto info = [](const ColumnDef& c) {
    return ColumnInfo{c.is_complex ? -1 : c.type->FixedLength(), c.is_complex};
  };
  for (const ColumnDef& c : columns->statics) statics_.push_back(info(c));
  for (const ColumnDef& c : columns->regulars) regulars_.push_back(info(c));
}

// --- Delta-encoded times (SerializationHeader.read*) ------------------------
// Deltas are unsigned vints from the EncodingStats minima; Java adds them with
// wrapping long (timestamps) or int (deletion times, TTLs) arithmetic, which
// is how LIVE deletion times (Long.MIN_VALUE / Integer.MAX_VALUE) round-trip.

bool RowDecoder::ReadTimestamp(DecodeCursor& r, int64_t* v) const {
  uint64_t delta;
  if (!r.ReadUnsignedVInt(&delta)) return false;
  *v = static_cast<int64_t>(
      delta + static_cast<uint64_t>(columns_->stats.min_timestamp));
  return true;
}

bool RowDecoder::ReadLocalDeletionTime(DecodeCursor& r, int32_t* v) const {
  uint64_t delta;
  if (!r.ReadUnsignedVInt(&delta)) return false;
  *v = static_cast<int32_t>(
      static_cast<uint32_t>(delta) +
      static_cast<uint32_t>(columns_->stats.min_local_deletion_time));
  return true;
}

bool RowDecoder::ReadTtl(DecodeCursor& r, int32_t* v) const {
  uint64_t delta;
  if (!r.ReadUnsignedVInt(&delta)) return false;
  *v = static_cast<int32_t>(static_cast<uint32_t>(delta) +
                            static_cast<uint32_t>(columns_->stats.min_ttl));
  return true;
}

bool RowDecoder::ReadDeletionTime(DecodeCursor& r, DeletionTime* dt) const {
  return ReadTimestamp(r, &dt->marked_for_delete_at) &&
         ReadLocalDeletionTime(r, &dt->local_deletion_time);
}

// --- Stage 1
// ------------------------------------------------------------------

// Positions in *need are relative to the window start (the prefix starts at
// position 0 of its window: see PartitionIterator).
RowDecoder::Outcome RowDecoder::DecodeClusteringValues(DecodeCursor& r,
                                                       size_t count,
                                                       Clustering* clustering,
                                                       size_t* need) {
  clustering->values.resize(count);
  uint64_t header = 0;
  for (size_t i = 0; i < count; ++i) {
    if (i % kClusteringBlock == 0 && !r.ReadUnsignedVInt(&header)) {
      return Outcome::kNeedMore;
    }
    unsigned shift = static_cast<unsigned>((i % kClusteringBlock) * 2);
    std::optional<ByteView>& value = clustering->values[i];
    if (header & (uint64_t{2} << shift)) {
      value.reset();  // null
      continue;
    }
    if (header & (uint64_t{1} << shift)) {
      value = ByteView();  // empty
      continue;
    }
    ByteView bytes;
    const int fixed = clustering_fixed_[i];
    if (fixed >= 0) {
      if (!r.ReadBytes(static_cast<size_t>(fixed), &bytes)) {
        *need = r.position() + static_cast<size_t>(fixed);
        return Outcome::kNeedMore;
      }
    } else {
      const size_t before = r.position();
      uint64_t len;
      if (!r.ReadUnsignedVInt(&len)) return Outcome::kNeedMore;
      if (len > r.remaining()) {
        // Saturating: the caller compares it with the bytes left in the file.
        const size_t at = r.position();
        *need = len > SIZE_MAX - at ? SIZE_MAX : at + static_cast<size_t>(len);
        r.SetPosition(before);
        return Outcome::kNeedMore;
      }
      r.ReadBytes(static_cast<size_t>(len), &bytes);
    }
    value = bytes;
  }
  return Outcome::kOk;
}

RowDecoder::Outcome RowDecoder::DecodePrefix(ByteReader& reader,
                                             UnfilteredPrefix* prefix,
                                             Clustering* clustering,
                                             size_t* need, DecodeError* error) {
  *need = 0;
  DecodeCursor r(reader);
  const size_t start = r.position();
  *prefix = UnfilteredPrefix();
  if (!r.ReadU8(&prefix->flags.bits)) return Outcome::kNeedMore;
  if (prefix->flags.EndOfPartition()) {
    prefix->length = 1;
    reader.SetPosition(r.position());
    return Outcome::kOk;
  }
  if (prefix->flags.HasExtension() && !r.ReadU8(&prefix->extended.bits)) {
    return Outcome::kNeedMore;
  }
  const size_t clustering_size = clustering_fixed_.size();
  Outcome o = Outcome::kOk;
  if (prefix->flags.IsMarker()) {
    // ClusteringBoundOrBoundary.Serializer: kind ordinal, u16 value count.
    uint8_t kind;
    uint16_t size;
    if (!r.ReadU8(&kind) || !r.ReadU16(&size)) return Outcome::kNeedMore;
    if (kind > static_cast<uint8_t>(BoundKind::kExclStartBound) ||
        kind == static_cast<uint8_t>(BoundKind::kClustering) ||
        kind == static_cast<uint8_t>(BoundKind::kStaticClustering)) {
      return Corrupt(error, r,
                     "range tombstone marker with invalid bound kind " +
                         std::to_string(kind));
    }
    if (size > clustering_size) {
      return Corrupt(error, r,
                     "range tombstone bound has " + std::to_string(size) +
                         " clustering values, the table has " +
                         std::to_string(clustering_size));
    }
    clustering->kind = static_cast<BoundKind>(kind);
    o = DecodeClusteringValues(r, size, clustering, need);
  } else if (prefix->extended.IsStatic()) {
    clustering->kind = BoundKind::kStaticClustering;
    clustering->values.clear();
  } else {
    clustering->kind = BoundKind::kClustering;
    o = DecodeClusteringValues(r, clustering_size, clustering, need);
  }
  if (*need != 0) *need -= start;
  if (o != Outcome::kOk) return o;
  if (!r.ReadUnsignedVInt(&prefix->body_size)) return Outcome::kNeedMore;
  prefix->length = r.position() - start;
  reader.SetPosition(r.position());
  return Outcome::kOk;
}

// --- Stage 2: rows
// ---------------------------------------------------------------

// Columns.Serializer.deserializeSubset: which header columns the row has.
bool RowDecoder::ReadColumnSubset(DecodeCursor& r, const UnfilteredFlags& flags,
                                  size_t superset, DecodeError* error) {
  present_.clear();
  uint64_t encoded = 0;
  if (!flags.HasAllColumns() && !r.ReadUnsignedVInt(&encoded)) {
    return Fail(error, r, "row body ends inside its column subset");
  }
  if (encoded == 0) {  // all columns present
    for (size_t i = 0; i < superset; ++i) {
      present_.push_back(static_cast<uint32_t>(i));
    }
    return true;
  }
  if (superset >= 64) return ReadLargeSubset(r, encoded, superset, error);
  // Fewer than 64 columns: a bitmap of the MISSING ones.
  for (size_t i = 0; i < superset; ++i) {
    if ((encoded & 1) == 0) present_.push_back(static_cast<uint32_t>(i));
    encoded >>= 1;
  }
  if (encoded != 0) {
    return Fail(error, r,
                "column subset bitmap names columns beyond the " +
                    std::to_string(superset) + " in the header");
  }
  return true;
}

// Columns.Serializer.deserializeLargeSubset: 64+ columns. `missing` columns
// are absent; whichever list is shorter (present or missing indexes, in
// increasing order) follows as vints.
bool RowDecoder::ReadLargeSubset(DecodeCursor& r, uint64_t missing,
                                 size_t superset, DecodeError* error) {
  if (missing > superset) {
    return Fail(error, r,
                "column subset misses " + std::to_string(missing) +
                    " of only " + std::to_string(superset) + " columns");
  }
  const size_t present_count = superset - static_cast<size_t>(missing);
  const bool lists_present = present_count < superset / 2;
  const size_t listed = lists_present ? present_count : missing;
  size_t next = 0;  // smallest index the next listed one may have
  for (size_t k = 0; k < listed; ++k) {
    uint64_t idx;
    if (!r.ReadUnsignedVInt(&idx)) {
      return Fail(error, r, "row body ends inside its column subset");
    }
    if (idx < next || idx >= superset) {
      return Fail(error, r,
                  "column subset index " + std::to_string(idx) +
                      " out of order or beyond " + std::to_string(superset));
    }
    if (lists_present) {
      present_.push_back(static_cast<uint32_t>(idx));
    } else {
      for (size_t i = next; i < idx; ++i) {
        present_.push_back(static_cast<uint32_t>(i));
      }
    }
    next = static_cast<size_t>(idx) + 1;
  }
  if (!lists_present) {
    for (size_t i = next; i < superset; ++i) {
      present_.push_back(static_cast<uint32_t>(i));
    }
  }
  return true;
}

bool RowDecoder::DecodeCell(DecodeCursor& r, const ColumnInfo& info,
                            uint32_t column, const LivenessInfo& row_liveness,
                            Row* row, DecodeError* error) {
  CellFlags flags;
  if (!r.ReadU8(&flags.bits)) return Fail(error, r, "truncated cell");
  Cell& cell = row->cells.emplace_back();
  cell.column = column;
  cell.is_tombstone = flags.IsDeleted();
  cell.is_expiring = flags.IsExpiring();
  // Order on disk: timestamp, local deletion time, ttl (Cell.Serializer).
  if (flags.UseRowTimestamp()) {
    cell.timestamp = row_liveness.timestamp;
  } else if (!ReadTimestamp(r, &cell.timestamp)) {
    return Fail(error, r, "truncated cell timestamp");
  }
  if (flags.UseRowTtl()) {
    cell.local_deletion_time = row_liveness.local_expiration_time;
    cell.ttl = row_liveness.ttl;
  } else {
    if ((flags.IsDeleted() || flags.IsExpiring()) &&
        !ReadLocalDeletionTime(r, &cell.local_deletion_time)) {
      return Fail(error, r, "truncated cell deletion time");
    }
    if (flags.IsExpiring() && !ReadTtl(r, &cell.ttl)) {
      return Fail(error, r, "truncated cell ttl");
    }
  }
  if (cell.ttl < 0) {  // as Cell.Serializer.deserialize rejects it
    return Fail(error, r, "invalid cell ttl " + std::to_string(cell.ttl));
  }
  cell.has_path = info.complex;
  if (info.complex && !r.ReadVIntLengthBytes(&cell.path)) {
    return Fail(error, r, "truncated cell path");
  }
  if (!flags.HasEmptyValue()) {
    const bool ok =
        info.fixed_length >= 0
            ? r.ReadBytes(static_cast<size_t>(info.fixed_length), &cell.value)
            : r.ReadVIntLengthBytes(&cell.value);
    if (!ok) return Fail(error, r, "cell value overruns the row");
  }
  return true;
}

// UnfilteredSerializer.readComplexColumn: [deletion] cell count, cells.
bool RowDecoder::DecodeComplexColumn(DecodeCursor& r, const ColumnInfo& info,
                                     uint32_t column,
                                     const UnfilteredFlags& flags,
                                     const LivenessInfo& row_liveness, Row* row,
                                     DecodeError* error) {
  if (flags.HasComplexDeletion()) {
    DeletionTime dt;
    if (!ReadDeletionTime(r, &dt)) {
      return Fail(error, r, "truncated complex column deletion");
    }
    // The flag is row-wide: columns without a deletion carry LIVE.
    if (!dt.IsLive()) row->complex_deletions.push_back({column, dt});
  }
  uint64_t count;
  if (!r.ReadUnsignedVInt(&count)) {
    return Fail(error, r, "truncated complex column cell count");
  }
  if (count > r.remaining()) {  // every cell takes at least one byte
    return Fail(error, r,
                "complex column claims " + std::to_string(count) +
                    " cells in " + std::to_string(r.remaining()) + " bytes");
  }
  for (uint64_t i = 0; i < count; ++i) {
    if (!DecodeCell(r, info, column, row_liveness, row, error)) return false;
  }
  return true;
}

bool RowDecoder::DecodeRowBody(ByteReader& reader,
                               const UnfilteredPrefix& prefix, Row* row,
                               DecodeError* error) {
  DecodeCursor body(reader);
  const UnfilteredFlags flags = prefix.flags;
  row->is_static = prefix.extended.IsStatic();
  row->liveness = LivenessInfo();
  row->deletion = DeletionTime();
  row->deletion_is_shadowable = false;
  row->shadowable_deletion = DeletionTime();
  row->cells.clear();
  row->complex_deletions.clear();

  uint64_t previous_size;
  if (!body.ReadUnsignedVInt(&previous_size)) {
    return Fail(error, body, "truncated row body");
  }
  // Primary key liveness: TTL fields only come with a timestamp (as
  // UnfilteredSerializer.deserializeRowBody reads them).
  if (flags.HasTimestamp()) {
    LivenessInfo& l = row->liveness;
    if (!ReadTimestamp(body, &l.timestamp) ||
        (flags.HasTtl() &&
         (!ReadTtl(body, &l.ttl) ||
          !ReadLocalDeletionTime(body, &l.local_expiration_time)))) {
      return Fail(error, body, "truncated row liveness info");
    }
  }
  if (flags.HasDeletion()) {
    if (!ReadDeletionTime(body, &row->deletion)) {
      return Fail(error, body, "truncated row deletion");
    }
    row->deletion_is_shadowable = prefix.extended.HasShadowableDeletion();
  }
  if (prefix.extended.HasScyllaShadowableDeletion() &&
      !ReadDeletionTime(body, &row->shadowable_deletion)) {
    return Fail(error, body, "truncated row shadowable deletion");
  }

  const std::vector<ColumnInfo>& infos = row->is_static ? statics_ : regulars_;
  if (!ReadColumnSubset(body, flags, infos.size(), error)) return false;
  const LivenessInfo liveness = row->liveness;
  for (uint32_t column : present_) {
    const ColumnInfo& info = infos[column];
    const bool ok = info.complex
                        ? DecodeComplexColumn(body, info, column, flags,
                                              liveness, row, error)
                        : DecodeCell(body, info, column, liveness, row, error);
    if (!ok) return false;
  }
  if (!body.AtEnd()) {
    return Fail(error, body,
                std::to_string(body.remaining()) +
                    " bytes left over after the row's cells (declared row "
                    "size is larger than its content)");
  }
  reader.SetPosition(body.position());
  return true;
}

// --- Stage 2: markers
// -------------------------------------------------------------

bool RowDecoder::DecodeMarkerBody(ByteReader& reader,
                                  RangeTombstoneMarker* marker,
                                  DecodeError* error) {
  DecodeCursor body(reader);
  marker->deletion = DeletionTime();
  marker->end_deletion = DeletionTime();
  marker->start_deletion = DeletionTime();
  uint64_t previous_size;
  if (!body.ReadUnsignedVInt(&previous_size)) {
    return Fail(error, body, "truncated range tombstone marker");
  }
  const bool ok = IsBoundary(marker->bound.kind)
                      ? ReadDeletionTime(body, &marker->end_deletion) &&
                            ReadDeletionTime(body, &marker->start_deletion)
                      : ReadDeletionTime(body, &marker->deletion);
  if (!ok) return Fail(error, body, "truncated range tombstone deletion");
  if (!body.AtEnd()) {
    return Fail(error, body,
                std::to_string(body.remaining()) +
                    " bytes left over after a range tombstone marker");
  }
  reader.SetPosition(body.position());
  return true;
}

}  // namespace sstablefs::reader
