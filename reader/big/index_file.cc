#include "reader/big/index_file.h"

#include <algorithm>
#include <cstring>

namespace sstablefs::reader {
namespace {

// IndexInfo.Serializer.WIDTH_BASE: widths are stored as a delta from 64 KiB.
constexpr int64_t kWidthBase = 64 * 1024;
// Sequential reads fetch at least this much (a few entries per pread).
constexpr size_t kReadChunk = 64 * 1024;
// ClusteringPrefix null/empty flags come in groups of 32 values per vint.
constexpr size_t kFlagsPerHeader = 32;

Status Corrupt(const std::string& path, uint64_t offset, std::string reason) {
  return Status::Corruption(path, offset, "Index.db: " + reason);
}

bool ReadDeletion(ByteReader& r, DeletionTime* dt) {
  return r.ReadI32(&dt->local_deletion_time) &&
         r.ReadI64(&dt->marked_for_delete_at);
}

}  // namespace

uint64_t IndexEntry::promoted_index_position() const {
  // Recomputed from the encoded sizes so that it holds for skipped indexes.
  std::string tmp;
  AppendUnsignedVInt(&tmp, data_position);
  AppendUnsignedVInt(&tmp, promoted_index_size);
  return index_position + 2 + key.size() + tmp.size();
}

bool ReadClusteringPrefix(ByteReader& r,
                          const std::vector<int>& clustering_fixed_lengths,
                          Clustering* out) {
  const size_t start = r.position();
  uint8_t kind_byte = 0;
  if (!r.ReadU8(&kind_byte)) return false;
  if (kind_byte > static_cast<uint8_t>(BoundKind::kExclStartBound) ||
      kind_byte == static_cast<uint8_t>(BoundKind::kStaticClustering)) {
    r.SetPosition(start);
    return false;
  }
  out->kind = static_cast<BoundKind>(kind_byte);
  size_t count = clustering_fixed_lengths.size();
  if (out->kind != BoundKind::kClustering) {
    uint16_t n = 0;
    if (!r.ReadU16(&n) || n > clustering_fixed_lengths.size()) {
      r.SetPosition(start);
      return false;
    }
    count = n;
  }
  out->values.clear();
  uint64_t header = 0;
  for (size_t i = 0; i < count; ++i) {
    if (i % kFlagsPerHeader == 0 && !r.ReadUnsignedVInt(&header)) {
      r.SetPosition(start);
      return false;
    }
    const int bit = static_cast<int>(i % kFlagsPerHeader) * 2;
    if (header & (uint64_t{1} << (bit + 1))) {  // null
      out->values.emplace_back(std::nullopt);
      continue;
    }
    if (header & (uint64_t{1} << bit)) {  // empty
      out->values.emplace_back(ByteView());
      continue;
    }
    ByteView v;
    const int fixed = clustering_fixed_lengths[i];
    bool ok = fixed >= 0 ? r.ReadBytes(static_cast<size_t>(fixed), &v)
                         : r.ReadVIntLengthBytes(&v);
    if (!ok) {
      r.SetPosition(start);
      return false;
    }
    out->values.emplace_back(v);
  }
  return true;
}

Result<PromotedIndex> DecodePromotedIndex(
    ByteView raw, const std::vector<int>& clustering_fixed_lengths,
    const std::string& path, uint64_t base_offset) {
  ByteReader r(raw, base_offset);
  PromotedIndex pi;
  uint64_t count = 0;
  if (!r.ReadUnsignedVInt(&pi.header_length) ||
      !ReadDeletion(r, &pi.partition_deletion) || !r.ReadUnsignedVInt(&count)) {
    return Corrupt(path, r.offset(), "truncated promoted index header");
  }
  // Every block takes at least 2 (kinds) + 1 + 1 + 1 bytes plus its 4-byte
  // offset, so the count is bounded by the bytes that remain.
  if (count > r.remaining() / 9) {
    return Corrupt(path, r.offset(),
                   "promoted index block count " + std::to_string(count) +
                       " exceeds its " + std::to_string(r.remaining()) +
                       " bytes");
  }
  const size_t blocks_start = r.position();
  pi.blocks.resize(count);
  std::vector<size_t> starts(count);
  for (uint64_t i = 0; i < count; ++i) {
    IndexBlock& b = pi.blocks[i];
    starts[i] = r.position() - blocks_start;
    int64_t width_delta = 0;
    uint8_t has_marker = 0;
    if (!ReadClusteringPrefix(r, clustering_fixed_lengths, &b.first) ||
        !ReadClusteringPrefix(r, clustering_fixed_lengths, &b.last)) {
      return Corrupt(
          path, r.offset(),
          "bad clustering in promoted index block " + std::to_string(i));
    }
    if (!r.ReadUnsignedVInt(&b.offset) || !r.ReadVInt(&width_delta) ||
        !r.ReadU8(&has_marker)) {
      return Corrupt(path, r.offset(),
                     "truncated promoted index block " + std::to_string(i));
    }
    if (width_delta < -kWidthBase || width_delta > INT64_MAX - kWidthBase) {
      return Corrupt(path, r.offset(),
                     "bad width in promoted index block " + std::to_string(i));
    }
    b.width = static_cast<uint64_t>(width_delta + kWidthBase);
    if (has_marker > 1) {
      return Corrupt(path, r.offset() - 1, "bad end-open-marker flag");
    }
    if (has_marker) {
      DeletionTime dt;
      if (!ReadDeletion(r, &dt)) {
        return Corrupt(path, r.offset(), "truncated end-open marker");
      }
      b.end_open_marker = dt;
    }
  }
  if (r.remaining() != count * 4) {
    return Corrupt(path, r.offset(),
                   "promoted index offsets table has " +
                       std::to_string(r.remaining()) + " bytes, expected " +
                       std::to_string(count * 4));
  }
  pi.block_offsets.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    if (!r.ReadU32(&pi.block_offsets[i])) {
      return Corrupt(path, r.offset(), "truncated offsets table");
    }
    if (pi.block_offsets[i] != starts[i]) {
      return Corrupt(path, r.offset() - 4,
                     "promoted index offset " + std::to_string(i) + " is " +
                         std::to_string(pi.block_offsets[i]) +
                         ", block starts at " + std::to_string(starts[i]));
    }
  }
  return pi;
}

IndexFileReader::IndexFileReader(std::shared_ptr<const RandomAccessFile> file,
                                 uint64_t start, uint64_t end)
    : file_(std::move(file)),
      pos_(start),
      end_(std::min<uint64_t>(end, file_->size())) {}

Result<std::unique_ptr<IndexFileReader>> IndexFileReader::Open(
    const std::string& path) {
  SSTFS_ASSIGN_OR_RETURN(std::shared_ptr<RandomAccessFile> f,
                         RandomAccessFile::Open(path));
  return std::make_unique<IndexFileReader>(std::move(f));
}

Result<bool> IndexFileReader::Ensure(uint64_t offset, size_t n) {
  if (offset > end_ || n > end_ - offset) return false;
  if (offset >= buf_start_ && offset + n <= buf_start_ + buf_len_) return true;
  // Refill from `offset`: at least n bytes, at most what the range holds, so
  // a corrupt length can never size the buffer beyond the file.
  size_t want = static_cast<size_t>(
      std::min<uint64_t>(std::max(n, kReadChunk), end_ - offset));
  if (buf_.size() < want) buf_.resize(want);
  SSTFS_ASSIGN_OR_RETURN(size_t got, file_->ReadAt(offset, want, buf_.data()));
  buf_start_ = offset;
  buf_len_ = got;
  if (got < n) {
    return Corrupt(file_->path(), offset + got, "unexpected end of file");
  }
  return true;
}

Result<uint64_t> IndexFileReader::ReadVIntAt(uint64_t* offset,
                                             const char* what) {
  SSTFS_ASSIGN_OR_RETURN(bool ok, Ensure(*offset, 1));
  if (ok) {
    size_t n =
        static_cast<size_t>(VIntSizeFromFirstByte(BufferAt(*offset, 1)[0]));
    SSTFS_ASSIGN_OR_RETURN(ok, Ensure(*offset, n));
    if (ok) {
      ByteReader r(BufferAt(*offset, n));
      uint64_t v = 0;
      if (r.ReadUnsignedVInt(&v)) {
        *offset += n;
        return v;
      }
    }
  }
  return Corrupt(file_->path(), *offset, std::string("truncated ") + what);
}

Result<bool> IndexFileReader::Next(IndexEntry* entry,
                                   bool with_promoted_index) {
  if (!failed_.ok()) return failed_;
  if (pos_ >= end_) return false;
  Result<bool> r = [&]() -> Result<bool> {
    uint64_t at = pos_;
    SSTFS_ASSIGN_OR_RETURN(bool ok, Ensure(at, 2));
    if (!ok) return Corrupt(file_->path(), at, "truncated key length");
    ByteView len_bytes = BufferAt(at, 2);
    size_t key_len = (size_t{len_bytes[0]} << 8) | len_bytes[1];
    SSTFS_ASSIGN_OR_RETURN(ok, Ensure(at + 2, key_len));
    if (!ok) {
      return Corrupt(file_->path(), at,
                     "key length " + std::to_string(key_len) +
                         " runs past the end of the file");
    }
    entry->index_position = at;
    entry->key.assign(BufferAt(at + 2, key_len).AsStringView());
    at += 2 + key_len;
    SSTFS_ASSIGN_OR_RETURN(entry->data_position,
                           ReadVIntAt(&at, "partition position"));
    SSTFS_ASSIGN_OR_RETURN(entry->promoted_index_size,
                           ReadVIntAt(&at, "promoted index size"));
    const uint64_t size = entry->promoted_index_size;
    if (size > end_ - at) {
      return Corrupt(file_->path(), at,
                     "promoted index size " + std::to_string(size) +
                         " runs past the end of the file");
    }
    entry->promoted_index.clear();
    if (with_promoted_index && size > 0) {
      SSTFS_ASSIGN_OR_RETURN(ok, Ensure(at, static_cast<size_t>(size)));
      if (!ok) return Corrupt(file_->path(), at, "truncated promoted index");
      entry->promoted_index.assign(
          BufferAt(at, static_cast<size_t>(size)).AsStringView());
    }
    pos_ = at + size;
    return true;
  }();
  if (!r.ok()) failed_ = r.status();
  return r;
}

}  // namespace sstablefs::reader
