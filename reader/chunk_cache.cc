#include "reader/chunk_cache.h"

#include <list>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace sstablefs::reader {
namespace {

struct Key {
  uint64_t file_id;
  uint64_t chunk_index;
  friend bool operator==(const Key& a, const Key& b) = default;
};

// splitmix64 finaliser: spreads sequential chunk indexes over shards/buckets.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t HashKey(uint64_t file_id, uint64_t chunk_index) {
  return Mix(file_id * 0x100000001b3ull ^ Mix(chunk_index));
}

struct KeyHash {
  size_t operator()(const Key& k) const {
    return static_cast<size_t>(HashKey(k.file_id, k.chunk_index));
  }
};

size_t Charge(const Chunk& c) { return c.size + ChunkCache::kEntryOverhead; }

}  // namespace

class ChunkCache::Shard {
 public:
  explicit Shard(size_t capacity) : capacity_(capacity) {}

  std::shared_ptr<const Chunk> Lookup(const Key& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);  // most recently used first
    return it->second->chunk;
  }

  // Returns the cached chunk and the number of entries evicted.
  std::pair<std::shared_ptr<const Chunk>, uint64_t> Insert(
      const Key& key, std::shared_ptr<const Chunk> chunk, bool* inserted) {
    *inserted = false;
    const size_t charge = Charge(*chunk);
    if (charge > capacity_) return {std::move(chunk), 0};
    uint64_t evicted = 0;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(key);
    if (it != map_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return {it->second->chunk, 0};
    }
    while (charge_ + charge > capacity_ && !lru_.empty()) {
      Entry& victim = lru_.back();
      charge_ -= Charge(*victim.chunk);
      map_.erase(victim.key);
      lru_.pop_back();
      ++evicted;
    }
    lru_.push_front(Entry{key, chunk});
    map_.emplace(key, lru_.begin());
    charge_ += charge;
    *inserted = true;
    return {std::move(chunk), evicted};
  }

  void EraseFile(uint64_t file_id) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = lru_.begin(); it != lru_.end();) {
      if (it->key.file_id == file_id) {
        charge_ -= Charge(*it->chunk);
        map_.erase(it->key);
        it = lru_.erase(it);
      } else {
        ++it;
      }
    }
  }

  size_t charge() const {
    std::lock_guard<std::mutex> lock(mu_);
    return charge_;
  }
  size_t entries() const {
    std::lock_guard<std::mutex> lock(mu_);
    return map_.size();
  }

 private:
  struct Entry {
    Key key;
    std::shared_ptr<const Chunk> chunk;
  };
  const size_t capacity_;
  mutable std::mutex mu_;
  size_t charge_ = 0;
  std::list<Entry> lru_;
  std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> map_;
};

ChunkCache::ChunkCache(size_t capacity_bytes) : capacity_(capacity_bytes) {
  // Enough shards to cut contention, but each must hold a fair number of
  // 64 KiB chunks: one shard per 4 MiB, a power of two up to 16.
  size_t shards = 1;
  while (shards < 16 && capacity_bytes / (shards * 2) >= (4u << 20)) {
    shards *= 2;
  }
  // Shard capacities sum to exactly capacity_bytes.
  for (size_t i = 0; i < shards; ++i) {
    size_t share =
        capacity_bytes / shards + (i < capacity_bytes % shards ? 1 : 0);
    shards_.push_back(std::make_unique<Shard>(share));
  }
}

ChunkCache::~ChunkCache() = default;

uint64_t ChunkCache::NewFileId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

ChunkCache::Shard& ChunkCache::ShardFor(uint64_t file_id,
                                        uint64_t chunk_index) {
  // High bits pick the shard; the map uses the full hash for buckets.
  uint64_t h = HashKey(file_id, chunk_index);
  return *shards_[(h >> 59) & (shards_.size() - 1)];
}

std::shared_ptr<const Chunk> ChunkCache::Lookup(uint64_t file_id,
                                                uint64_t chunk_index) {
  auto chunk = ShardFor(file_id, chunk_index).Lookup(Key{file_id, chunk_index});
  (chunk ? hits_ : misses_).fetch_add(1, std::memory_order_relaxed);
  return chunk;
}

std::shared_ptr<const Chunk> ChunkCache::Insert(
    uint64_t file_id, uint64_t chunk_index,
    std::shared_ptr<const Chunk> chunk) {
  if (!chunk) return chunk;
  bool inserted = false;
  auto [cached, evicted] =
      ShardFor(file_id, chunk_index)
          .Insert(Key{file_id, chunk_index}, std::move(chunk), &inserted);
  if (inserted) inserts_.fetch_add(1, std::memory_order_relaxed);
  if (evicted != 0) evictions_.fetch_add(evicted, std::memory_order_relaxed);
  return cached;
}

void ChunkCache::EraseFile(uint64_t file_id) {
  for (auto& shard : shards_) shard->EraseFile(file_id);
}

size_t ChunkCache::charge() const {
  size_t total = 0;
  for (const auto& shard : shards_) total += shard->charge();
  return total;
}

ChunkCacheStats ChunkCache::stats() const {
  ChunkCacheStats s;
  s.hits = hits();
  s.misses = misses();
  s.inserts = inserts_.load(std::memory_order_relaxed);
  s.evictions = evictions();
  s.capacity = capacity_;
  for (const auto& shard : shards_) {
    s.charge += shard->charge();
    s.entries += shard->entries();
  }
  return s;
}

}  // namespace sstablefs::reader
