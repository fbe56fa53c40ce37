#include "reader/data_file.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "reader/byte_reader.h"
#include "reader/row_decoder.h"

namespace sstablefs::reader {
namespace {

// First look-ahead for one unfiltered; grown (doubled, or to what a length
// prefix requires) when a row's prefix does not fit. Small on purpose: a
// DataInput returns the rest of its current chunk anyway, and asking for
// more than that makes it copy across a chunk boundary.
constexpr size_t kInitialWindow = 64;

// Partition header: u16 key length, key, DeletionTime (i32 + i64).
constexpr size_t kDeletionTimeSize = 4 + 8;

bool IsEmptyRow(const Row& row) {
  return row.liveness.IsEmpty() && row.deletion.IsLive() &&
         row.shadowable_deletion.IsLive() && row.cells.empty() &&
         row.complex_deletions.empty();
}

}  // namespace

class PartitionIterator::Impl {
 public:
  Impl(DataInput* input, const Columns* columns, Version version)
      : input_(input),
        size_(input->size()),
        decoder_(columns),
        version_(std::move(version)) {}

  void Seek(uint64_t offset);
  void NextPartition();
  void StartRows();
  void NextRow();

  bool valid() const { return valid_ && status_.ok(); }
  bool row_valid() const { return row_valid_ && valid(); }
  const PartitionHeader& partition() const { return header_; }
  const Unfiltered& unfiltered() const { return current_; }
  const Status& status() const { return status_; }

 private:
  // Brings the DataInput to pos_ (lazily: views handed out stay valid until
  // the caller advances us). Invalidates the cached window.
  Status SyncInput();
  // A view of the data starting at pos_, at most up to the end of the data:
  // the last window peeked when it still covers pos_ (and `allow_cached`),
  // which saves the DataInput calls per row, else a fresh Peek of at least
  // min(want, bytes left). *fresh says which (only a fresh window that runs
  // short proves that the data is truncated).
  Status Window(size_t want, bool allow_cached, ByteView* out, bool* fresh);
  void SetCorrupt(uint64_t offset, std::string reason);
  void ReadPartitionHeader();
  // Decodes the unfiltered at pos_ into current_ and advances past it.
  // `skip_body` only frames it (the body is never read). Returns false on
  // error (status_ set). *eop is set at the end-of-partition flag.
  bool ReadUnfiltered(bool skip_body, bool* eop);
  void SkipRestOfPartition();

  DataInput* input_;
  const uint64_t size_;  // of the uncompressed data
  RowDecoder decoder_;
  Version version_;  // every supported version shares the row format
  Status status_;
  PartitionHeader header_;
  std::string key_buf_;
  Unfiltered current_;
  UnfilteredPrefix prefix_;
  DecodeError error_;

  ByteView cache_;           // last window peeked, valid until SyncInput
  uint64_t cache_pos_ = 0;   // data offset of cache_[0]
  uint64_t pos_ = 0;         // next byte to decode
  uint64_t rows_start_ = 0;  // first unfiltered of the current partition
  bool valid_ = false;
  bool row_valid_ = false;
  bool rows_started_ = false;
  bool rows_done_ = false;
  bool first_unfiltered_ = true;
};

Status PartitionIterator::Impl::SyncInput() {
  cache_ = ByteView();
  uint64_t at = input_->position();
  if (at == pos_) return Status::Ok();
  if (pos_ > at) return input_->Skip(static_cast<size_t>(pos_ - at));
  return input_->Seek(pos_);
}

Status PartitionIterator::Impl::Window(size_t want, bool allow_cached,
                                       ByteView* out, bool* fresh) {
  const uint64_t left = size_ - pos_;
  if (allow_cached && pos_ >= cache_pos_ && pos_ - cache_pos_ < cache_.size()) {
    *out = cache_.substr(static_cast<size_t>(pos_ - cache_pos_));
    *fresh = false;
  } else {
    SSTFS_RETURN_IF_ERROR(SyncInput());
    SSTFS_ASSIGN_OR_RETURN(
        cache_,
        input_->Peek(static_cast<size_t>(std::min<uint64_t>(want, left))));
    cache_pos_ = pos_;
    *out = cache_;
    *fresh = true;
  }
  if (out->size() > left) *out = out->substr(0, static_cast<size_t>(left));
  return Status::Ok();
}

void PartitionIterator::Impl::SetCorrupt(uint64_t offset, std::string reason) {
  if (status_.ok()) {
    status_ = Status::Corruption(input_->path(), offset, reason);
  }
  valid_ = false;
  row_valid_ = false;
}

void PartitionIterator::Impl::Seek(uint64_t offset) {
  status_ = Status::Ok();
  valid_ = false;
  row_valid_ = false;
  cache_ = ByteView();
  if (size_ == 0) {
    // Cassandra never writes an SSTable without a partition (an empty flush
    // or compaction produces no SSTable), so empty data is a truncation.
    SetCorrupt(0, "empty data: an SSTable holds at least one partition");
    return;
  }
  if (offset >= size_) {
    SetCorrupt(offset, "no partition starts at offset " +
                           std::to_string(offset) + " (data size " +
                           std::to_string(size_) + ")");
    return;
  }
  pos_ = offset;
  ReadPartitionHeader();
}

void PartitionIterator::Impl::ReadPartitionHeader() {
  const uint64_t start = pos_;
  ByteView window;
  bool fresh;
  Status s = Window(kInitialWindow, /*allow_cached=*/true, &window, &fresh);
  if (s.ok() && window.size() < 2 && !fresh) {
    s = Window(kInitialWindow, /*allow_cached=*/false, &window, &fresh);
  }
  if (!s.ok()) {
    status_ = s;
    valid_ = false;
    return;
  }
  ByteReader r(window, start);
  uint16_t key_len;
  if (!r.ReadU16(&key_len)) {
    SetCorrupt(start, "truncated partition header");
    return;
  }
  const size_t header_len = 2 + size_t{key_len} + kDeletionTimeSize;
  if (size_ - start < header_len) {
    SetCorrupt(start, "partition header (key of " + std::to_string(key_len) +
                          " bytes) runs past the end of the data");
    return;
  }
  if (window.size() < header_len) {
    s = Window(header_len, /*allow_cached=*/false, &window, &fresh);
    if (!s.ok()) {
      status_ = s;
      valid_ = false;
      return;
    }
  }
  r = ByteReader(window, start);
  ByteView key;
  int32_t local_deletion_time;
  int64_t marked_for_delete_at;
  if (!r.ReadShortLengthBytes(&key) || !r.ReadI32(&local_deletion_time) ||
      !r.ReadI64(&marked_for_delete_at)) {
    SetCorrupt(start, "truncated partition header");
    return;
  }
  // Copied: the key must outlive the row windows of this partition.
  key_buf_.assign(key.AsStringView());
  header_.position = start;
  header_.key = ByteView(key_buf_);
  header_.deletion.local_deletion_time = local_deletion_time;
  header_.deletion.marked_for_delete_at = marked_for_delete_at;
  pos_ = start + header_len;
  rows_start_ = pos_;
  valid_ = true;
  row_valid_ = false;
  rows_started_ = false;
  rows_done_ = false;
  first_unfiltered_ = true;
}

bool PartitionIterator::Impl::ReadUnfiltered(bool skip_body, bool* eop) {
  *eop = false;
  const uint64_t start = pos_;
  if (start >= size_) {
    SetCorrupt(start,
               "end of data inside a partition (no end-of-partition "
               "flag)");
    return false;
  }
  const uint64_t left = size_ - start;
  Clustering& clustering = current_.row.clustering;  // markers swap below
  size_t want = kInitialWindow;
  bool allow_cached = true;
  ByteView window;
  // The first round may use the cached window; any shortfall there switches
  // to fresh windows. Each fresh round either succeeds, fails, or grows
  // `want` strictly (at least doubling, capped at `left`), so this ends after
  // O(log left) rounds.
  while (true) {
    bool fresh;
    Status s = Window(want, allow_cached, &window, &fresh);
    if (!s.ok()) {
      status_ = s;
      valid_ = false;
      return false;
    }
    allow_cached = false;
    ByteReader r(window, start);
    size_t need = 0;
    RowDecoder::Outcome o =
        decoder_.DecodePrefix(r, &prefix_, &clustering, &need, &error_);
    if (o == RowDecoder::Outcome::kCorrupt) {
      SetCorrupt(error_.offset, error_.reason);
      return false;
    }
    if (o == RowDecoder::Outcome::kOk) {
      if (prefix_.flags.EndOfPartition()) {
        pos_ = start + 1;
        *eop = true;
        return true;
      }
      if (prefix_.body_size > left - prefix_.length) {
        SetCorrupt(start, "unfiltered of " + std::to_string(prefix_.body_size) +
                              " bytes runs past the end of the data");
        return false;
      }
      const uint64_t total = prefix_.length + prefix_.body_size;
      if (skip_body || window.size() >= total) break;
      want = static_cast<size_t>(total);  // <= left: fits after one more Peek
      continue;
    }
    // kNeedMore.
    if (need > left) {
      SetCorrupt(start, "value length runs past the end of the data");
      return false;
    }
    if (fresh && window.size() >= left) {
      SetCorrupt(start, "truncated unfiltered at end of data");
      return false;
    }
    want = std::max({need, window.size() * 2, want * 2});
  }

  current_.position = start;
  const uint64_t body_start = start + prefix_.length;
  pos_ = body_start + prefix_.body_size;
  if (prefix_.flags.IsMarker()) {
    current_.kind = Unfiltered::Kind::kRangeTombstoneMarker;
    // The bound was decoded into the row's clustering (to reuse its storage
    // on the hot path); hand it to the marker.
    std::swap(current_.marker.bound, current_.row.clustering);
  } else {
    current_.kind = Unfiltered::Kind::kRow;
  }
  if (skip_body) return true;
  ByteReader body(
      window.substr(prefix_.length, static_cast<size_t>(prefix_.body_size)),
      body_start);
  bool ok = prefix_.flags.IsMarker()
                ? decoder_.DecodeMarkerBody(body, &current_.marker, &error_)
                : decoder_.DecodeRowBody(body, prefix_, &current_.row, &error_);
  if (!ok) {
    SetCorrupt(error_.offset, error_.reason);
    return false;
  }
  return true;
}

void PartitionIterator::Impl::StartRows() {
  if (!valid()) return;
  pos_ = rows_start_;
  rows_started_ = true;
  rows_done_ = false;
  first_unfiltered_ = true;
  NextRow();
}

void PartitionIterator::Impl::NextRow() {
  row_valid_ = false;
  if (!valid() || !rows_started_ || rows_done_) return;
  while (true) {
    bool eop;
    if (!ReadUnfiltered(/*skip_body=*/false, &eop)) return;
    if (eop) {
      rows_done_ = true;
      return;
    }
    const bool first = first_unfiltered_;
    first_unfiltered_ = false;
    if (current_.kind == Unfiltered::Kind::kRow && current_.row.is_static) {
      if (!first) {
        SetCorrupt(current_.position,
                   "static row after the first row of a partition");
        return;
      }
      // Cassandra writes an empty static row into every partition of a
      // table with static columns; it means "no static row".
      if (IsEmptyRow(current_.row)) continue;
    }
    row_valid_ = true;
    return;
  }
}

void PartitionIterator::Impl::SkipRestOfPartition() {
  if (!rows_started_) {
    pos_ = rows_start_;
    rows_started_ = true;
  }
  while (!rows_done_) {
    bool eop;
    if (!ReadUnfiltered(/*skip_body=*/true, &eop)) return;
    if (eop) rows_done_ = true;
  }
}

void PartitionIterator::Impl::NextPartition() {
  if (!valid()) return;
  row_valid_ = false;
  SkipRestOfPartition();
  if (!status_.ok()) return;
  if (pos_ == size_) {
    valid_ = false;  // clean end of data
    return;
  }
  ReadPartitionHeader();
}

// --- PartitionIterator
// ------------------------------------------------------------

PartitionIterator::PartitionIterator(DataInput* input, const Columns* columns,
                                     Version version)
    : impl_(std::make_unique<Impl>(input, columns, std::move(version))) {}
PartitionIterator::~PartitionIterator() = default;

void PartitionIterator::SeekToFirst() { impl_->Seek(0); }
void PartitionIterator::Seek(uint64_t partition_offset) {
  impl_->Seek(partition_offset);
}
bool PartitionIterator::Valid() const { return impl_->valid(); }
void PartitionIterator::NextPartition() { impl_->NextPartition(); }
const PartitionHeader& PartitionIterator::partition() const {
  return impl_->partition();
}
void PartitionIterator::StartRows() { impl_->StartRows(); }
bool PartitionIterator::RowValid() const { return impl_->row_valid(); }
void PartitionIterator::NextRow() { impl_->NextRow(); }
const Unfiltered& PartitionIterator::unfiltered() const {
  return impl_->unfiltered();
}
const Status& PartitionIterator::status() const { return impl_->status(); }

}  // namespace sstablefs::reader
