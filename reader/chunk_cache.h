// ChunkCache: one cache of verified, decompressed Data.db chunks shared by
// every reader of every SSTable (leveldb/rocksdb block cache style).
//
// Contract:
//  - Keyed by (file id, chunk index). File ids come from NewFileId(): unique
//    per process, never reused, so a closed and reopened SSTable never sees
//    stale chunks of a different file.
//  - Charged by bytes: each entry costs its chunk size plus kEntryOverhead.
//    charge() never exceeds capacity(); an entry larger than a shard's share
//    of the capacity is simply not cached.
//  - LRU eviction per shard. Chunks are handed out as
//    std::shared_ptr<const Chunk>: a caller's reference keeps the bytes alive
//    after eviction (the cache then no longer charges for them).
//  - Thread-safe: the key space is split over up to 16 shards, each with its
//    own mutex. Counters are relaxed atomics (approximate under contention,
//    exact when quiescent).
//  - Only chunks whose checksum verified are inserted (the DataInputs in
//    file_data_input.h guarantee this), so a hit needs no re-verification.
#ifndef SSTABLEFS_READER_CHUNK_CACHE_H_
#define SSTABLEFS_READER_CHUNK_CACHE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "reader/byte_view.h"

namespace sstablefs::reader {

// An immutable, owning buffer of uncompressed bytes. The bytes are not
// zero-initialised on allocation (they are always overwritten by a read or a
// decompression before the Chunk is shared).
struct Chunk {
  explicit Chunk(size_t n) : data(new uint8_t[n == 0 ? 1 : n]), size(n) {}
  ByteView view() const { return ByteView(data.get(), size); }
  std::unique_ptr<uint8_t[]> data;
  size_t size;
};

// Whether a reader inserts the chunks it misses (kFill) or only uses what
// is cached (kLookupOnly, for scans that read each chunk once).
enum class CacheFill { kFill, kLookupOnly };

struct ChunkCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t inserts = 0;
  uint64_t evictions = 0;
  size_t charge = 0;
  size_t capacity = 0;
  size_t entries = 0;
};

class ChunkCache {
 public:
  static constexpr size_t kDefaultCapacity = 64u << 20;  // 64 MiB
  // Per-entry bookkeeping charged on top of the chunk bytes (map + list
  // nodes, control block), so that many tiny chunks cannot exceed the budget.
  static constexpr size_t kEntryOverhead = 128;

  explicit ChunkCache(size_t capacity_bytes = kDefaultCapacity);
  ~ChunkCache();
  ChunkCache(const ChunkCache&) = delete;
  ChunkCache& operator=(const ChunkCache&) = delete;

  // A fresh id for a file whose chunks will be cached. Thread-safe.
  static uint64_t NewFileId();

  // The cached chunk, or nullptr (counted as a miss).
  std::shared_ptr<const Chunk> Lookup(uint64_t file_id, uint64_t chunk_index);
  // Inserts `chunk` and returns the chunk now cached under the key: an
  // already present entry wins (concurrent readers of the same chunk share
  // one copy); `chunk` itself is returned when it is too large to cache.
  std::shared_ptr<const Chunk> Insert(uint64_t file_id, uint64_t chunk_index,
                                      std::shared_ptr<const Chunk> chunk);
  // Drops every entry of `file_id` (e.g. when its SSTable is closed).
  void EraseFile(uint64_t file_id);

  size_t charge() const;
  size_t capacity() const { return capacity_; }
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  uint64_t evictions() const {
    return evictions_.load(std::memory_order_relaxed);
  }
  ChunkCacheStats stats() const;

 private:
  class Shard;
  Shard& ShardFor(uint64_t file_id, uint64_t chunk_index);

  size_t capacity_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  std::atomic<uint64_t> inserts_{0};
  std::atomic<uint64_t> evictions_{0};
};

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_CHUNK_CACHE_H_
