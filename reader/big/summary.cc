#include "reader/big/summary.h"

#include "reader/byte_reader.h"

namespace sstablefs::reader {
namespace {

Status Corrupt(const std::string& path, uint64_t offset, std::string reason) {
  return Status::Corruption(path, offset, "Summary.db: " + reason);
}

uint32_t LoadLe32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 |
         uint32_t{p[3]} << 24;
}

uint64_t LoadLe64(const uint8_t* p) {
  return uint64_t{LoadLe32(p)} | uint64_t{LoadLe32(p + 4)} << 32;
}

// Cassandra caps the summary at BASE_SAMPLING_LEVEL (128).
constexpr int32_t kBaseSamplingLevel = 128;

}  // namespace

int CompareDecorated(const Partitioner& p, const Token& token, ByteView key,
                     ByteView other) {
  if (p.PreservesOrder() && p.kind() != PartitionerKind::kOrderPreserving) {
    return key.Compare(other);
  }
  int c = p.CompareTokens(token, p.GetToken(other));
  if (c != 0) return c;
  return key.Compare(other);
}

ByteView IndexSummary::key(size_t i) const {
  return ByteView(data_).substr(entries_[i].key_offset, entries_[i].key_size);
}

Result<IndexSummary> IndexSummary::Decode(ByteView file, uint64_t index_size,
                                          const std::string& path) {
  ByteReader r(file);
  IndexSummary s;
  int32_t count = 0;
  int64_t offheap = 0;
  if (!r.ReadI32(&s.min_index_interval_) || !r.ReadI32(&count) ||
      !r.ReadI64(&offheap) || !r.ReadI32(&s.sampling_level_) ||
      !r.ReadI32(&s.size_at_full_sampling_)) {
    return Corrupt(path, r.offset(), "truncated header");
  }
  if (s.min_index_interval_ <= 0 || s.sampling_level_ <= 0 ||
      s.sampling_level_ > kBaseSamplingLevel || count < 0) {
    return Corrupt(path, 0,
                   "bad header (min index interval " +
                       std::to_string(s.min_index_interval_) +
                       ", sampling level " + std::to_string(s.sampling_level_) +
                       ", entries " + std::to_string(count) + ")");
  }
  const uint64_t table = uint64_t(count) * 4;
  if (offheap < 0 || uint64_t(offheap) < table ||
      uint64_t(offheap) > r.remaining()) {
    return Corrupt(path, 8,
                   "summary size " + std::to_string(offheap) +
                       " does not fit " + std::to_string(count) +
                       " entries in " + std::to_string(r.remaining()) +
                       " bytes");
  }
  const uint64_t table_offset = r.offset();
  ByteView offsets, entries;
  if (!r.ReadBytes(table, &offsets) ||
      !r.ReadBytes(offheap - table, &entries)) {
    return Corrupt(path, r.offset(), "truncated entries");
  }
  s.data_ = entries.ToString();
  s.entries_.reserve(count);
  for (int32_t i = 0; i < count; ++i) {
    // Offsets count from the start of the offsets table.
    uint64_t start = LoadLe32(offsets.data() + 4 * i);
    uint64_t end = i + 1 < count ? LoadLe32(offsets.data() + 4 * (i + 1))
                                 : uint64_t(offheap);
    if (start < table || end > uint64_t(offheap) || end < start + 8) {
      return Corrupt(path, table_offset + 4 * i,
                     "entry " + std::to_string(i) + " has bad bounds " +
                         std::to_string(start) + ".." + std::to_string(end));
    }
    Entry e{static_cast<size_t>(start - table),
            static_cast<size_t>(end - start - 8), 0};
    e.position = LoadLe64(reinterpret_cast<const uint8_t*>(s.data_.data()) +
                          e.key_offset + e.key_size);
    if (e.position >= index_size ||
        (i > 0 && e.position <= s.entries_.back().position)) {
      return Corrupt(path, table_offset + end - 8,
                     "entry " + std::to_string(i) + " has Index.db position " +
                         std::to_string(e.position) +
                         " (out of order or past the end of Index.db, size " +
                         std::to_string(index_size) + ")");
    }
    s.entries_.push_back(e);
  }
  ByteView first, last;
  if (!r.ReadIntLengthBytes(&first) || !r.ReadIntLengthBytes(&last)) {
    return Corrupt(path, r.offset(), "truncated first/last key");
  }
  if (!r.AtEnd()) {
    return Corrupt(path, r.offset(),
                   std::to_string(r.remaining()) + " trailing bytes");
  }
  s.first_key_ = first.ToString();
  s.last_key_ = last.ToString();
  return s;
}

int64_t IndexSummary::FindFloor(const Partitioner& p, const Token& key_token,
                                ByteView k) const {
  // Binary search for the first entry that sorts after `k`.
  size_t lo = 0, hi = entries_.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (CompareDecorated(p, key_token, k, key(mid)) >= 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return static_cast<int64_t>(lo) - 1;
}

}  // namespace sstablefs::reader
