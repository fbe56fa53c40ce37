// ChunkCache: LRU by bytes, references that outlive eviction, concurrency;
// and the DataInputs' use of it (a sequential scan fetches each chunk once).
#include "reader/chunk_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "reader/compression_info.h"
#include "reader/crc32.h"
#include "reader/file_data_input.h"
#include "reader/file_util.h"
#include "tests/test_util.h"

namespace sstablefs::reader {
namespace {

constexpr size_t kOverhead = ChunkCache::kEntryOverhead;

// A chunk whose size and bytes are a function of its key, so any mix-up
// between keys is visible.
uint8_t Fill(uint64_t file, uint64_t index) {
  return static_cast<uint8_t>(file * 31 + index * 7 + 1);
}

std::shared_ptr<Chunk> MakeChunk(uint64_t file, uint64_t index, size_t size) {
  auto c = std::make_shared<Chunk>(size);
  std::memset(c->data.get(), Fill(file, index), size);
  return c;
}

bool ChunkIs(const Chunk& c, uint64_t file, uint64_t index, size_t size) {
  if (c.size != size) return false;
  for (size_t i : {size_t{0}, size / 2, size - 1}) {
    if (c.data[i] != Fill(file, index)) return false;
  }
  return true;
}

TEST(ChunkCache, LookupInsertAndCounters) {
  ChunkCache cache(1 << 20);
  EXPECT_EQ(cache.capacity(), 1u << 20);
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  auto in = cache.Insert(1, 0, MakeChunk(1, 0, 1000));
  ASSERT_NE(in, nullptr);
  auto hit = cache.Lookup(1, 0);
  ASSERT_EQ(hit, in);
  EXPECT_TRUE(ChunkIs(*hit, 1, 0, 1000));
  EXPECT_EQ(cache.Lookup(2, 0), nullptr);  // other file, same index
  EXPECT_EQ(cache.charge(), 1000 + kOverhead);
  ChunkCacheStats s = cache.stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 2u);
  EXPECT_EQ(s.inserts, 1u);
  EXPECT_EQ(s.entries, 1u);
  EXPECT_EQ(s.evictions, 0u);

  // A second insert under the same key returns the entry already cached.
  auto again = cache.Insert(1, 0, MakeChunk(1, 0, 1000));
  EXPECT_EQ(again, in);
  EXPECT_EQ(cache.charge(), 1000 + kOverhead);
}

TEST(ChunkCache, EvictsLeastRecentlyUsedByBytes) {
  // Small capacity: one shard, room for exactly three 1000-byte chunks.
  ChunkCache cache(3 * (1000 + kOverhead));
  cache.Insert(1, 0, MakeChunk(1, 0, 1000));
  cache.Insert(1, 1, MakeChunk(1, 1, 1000));
  cache.Insert(1, 2, MakeChunk(1, 2, 1000));
  ASSERT_NE(cache.Lookup(1, 0), nullptr);  // 0 is now most recent
  cache.Insert(1, 3, MakeChunk(1, 3, 1000));
  EXPECT_EQ(cache.Lookup(1, 1), nullptr);  // least recent went first
  EXPECT_NE(cache.Lookup(1, 0), nullptr);
  EXPECT_NE(cache.Lookup(1, 2), nullptr);
  EXPECT_NE(cache.Lookup(1, 3), nullptr);
  EXPECT_EQ(cache.evictions(), 1u);
  // One big chunk pushes out as many as needed.
  cache.Insert(2, 0, MakeChunk(2, 0, 2500));
  EXPECT_LE(cache.charge(), cache.capacity());
  EXPECT_NE(cache.Lookup(2, 0), nullptr);
  EXPECT_EQ(cache.stats().entries, 1u);
}

TEST(ChunkCache, HeldChunkSurvivesEviction) {
  ChunkCache cache(2 * (4096 + kOverhead));
  std::shared_ptr<const Chunk> held = cache.Insert(7, 0, MakeChunk(7, 0, 4096));
  for (uint64_t i = 1; i < 50; ++i) cache.Insert(7, i, MakeChunk(7, i, 4096));
  EXPECT_EQ(cache.Lookup(7, 0), nullptr);   // evicted...
  EXPECT_TRUE(ChunkIs(*held, 7, 0, 4096));  // ...but still readable
  EXPECT_LE(cache.charge(), cache.capacity());
}

TEST(ChunkCache, OversizedChunksAreNotCachedAndZeroCapacityWorks) {
  ChunkCache cache(4096);
  auto big = MakeChunk(1, 0, 10000);
  auto got = cache.Insert(1, 0, big);
  EXPECT_EQ(got, big);  // handed back, usable
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(cache.charge(), 0u);

  ChunkCache none(0);
  auto c = none.Insert(1, 0, MakeChunk(1, 0, 10));
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(none.Lookup(1, 0), nullptr);
  EXPECT_EQ(none.charge(), 0u);
}

TEST(ChunkCache, EraseFileDropsOnlyThatFile) {
  ChunkCache cache(64 << 20);  // several shards
  for (uint64_t i = 0; i < 100; ++i) {
    cache.Insert(1, i, MakeChunk(1, i, 100));
    cache.Insert(2, i, MakeChunk(2, i, 100));
  }
  cache.EraseFile(1);
  EXPECT_EQ(cache.stats().entries, 100u);
  EXPECT_EQ(cache.charge(), 100 * (100 + kOverhead));
  for (uint64_t i = 0; i < 100; ++i) {
    EXPECT_EQ(cache.Lookup(1, i), nullptr);
    ASSERT_NE(cache.Lookup(2, i), nullptr);
  }
}

TEST(ChunkCache, ConcurrentUseNeverExceedsCapacity) {
  constexpr size_t kCapacity = 16 << 20;
  ChunkCache cache(kCapacity);
  std::atomic<bool> stop{false};
  std::atomic<bool> over{false};
  std::atomic<uint64_t> lookups{0}, bad{0};
  std::thread watcher([&] {
    while (!stop.load()) {
      if (cache.charge() > kCapacity) over = true;
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < 8; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937 rng(static_cast<uint32_t>(t));
      std::vector<std::shared_ptr<const Chunk>> held;
      for (int op = 0; op < 6000; ++op) {
        uint64_t file = 1 + rng() % 4;
        uint64_t index = rng() % 600;
        size_t size = 1 + (file * 7919 + index * 104729) % 65536;
        lookups.fetch_add(1);
        auto c = cache.Lookup(file, index);
        if (!c) c = cache.Insert(file, index, MakeChunk(file, index, size));
        if (!ChunkIs(*c, file, index, size)) bad.fetch_add(1);
        if (op % 100 == 0) held.push_back(c);  // keep some past eviction
      }
      for (size_t i = 0; i < held.size(); ++i) {
        if (held[i]->size == 0) bad.fetch_add(1);
      }
    });
  }
  for (auto& w : workers) w.join();
  stop = true;
  watcher.join();
  EXPECT_FALSE(over.load());
  EXPECT_EQ(bad.load(), 0u);
  ChunkCacheStats s = cache.stats();
  EXPECT_LE(s.charge, kCapacity);
  EXPECT_EQ(s.hits + s.misses, lookups.load());
  EXPECT_GT(s.hits, 0u);
  EXPECT_GT(s.evictions, 0u);
  EXPECT_GT(s.charge, kCapacity / 2);  // the budget is actually used
}

TEST(ChunkCache, NewFileIdIsUniqueAcrossThreads) {
  std::vector<std::vector<uint64_t>> ids(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) ids[t].push_back(ChunkCache::NewFileId());
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), 40000u);
}

// ---------------------------------------------------------------------------
// DataInputs through the cache.

void AppendBe32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}

class TempDir {
 public:
  TempDir()
      : path_(std::filesystem::temp_directory_path() /
              ("sstfs_cache_" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& content) {
    std::string p = (path_ / name).string();
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

 private:
  std::filesystem::path path_;
};

// Reads to the end peeking `n` bytes and skipping `step` each time.
Status Scan(DataInput& in, size_t n, size_t step, std::string* out) {
  while (in.position() < in.size()) {
    SSTFS_ASSIGN_OR_RETURN(ByteView v, in.Peek(n));
    size_t take = std::min<size_t>(step, in.size() - in.position());
    if (v.size() < take) return Status::Corruption("short peek");
    out->append(v.AsStringView().substr(0, take));
    SSTFS_RETURN_IF_ERROR(in.Skip(take));
  }
  return Status::Ok();
}

TEST(ChunkCacheDataInput, SequentialScanFetchesEachChunkOnce) {
  TempDir dir;
  std::string data;
  std::mt19937 rng(11);
  for (int i = 0; i < 4096 * 9 + 500; ++i)
    data.push_back(static_cast<char>(rng()));
  std::string crc;
  AppendBe32(&crc, 4096);
  for (size_t pos = 0; pos < data.size(); pos += 4096) {
    AppendBe32(&crc, Crc32(ByteView(data).substr(pos, 4096)));
  }
  auto file = *RandomAccessFile::Open(dir.Write("Data.db", data));
  std::string crc_path = dir.Write("CRC.db", crc);
  const uint64_t chunks = 10;

  // Peek(16) / Skip(1): every peek near a chunk end straddles it, again and
  // again; the scratch window must absorb that without re-fetching.
  for (auto [n, step] : {std::pair<size_t, size_t>{16, 1},
                         {5000, 4999},
                         {100000, 100000},
                         {1, 1}}) {
    SCOPED_TRACE(std::to_string(n) + "/" + std::to_string(step));
    ChunkCache cache(1 << 20);
    uint64_t id = ChunkCache::NewFileId();
    auto in = OpenUncompressedDataInput(file, crc_path, &cache, id);
    ASSERT_TRUE(in.ok()) << in.status().ToString();
    std::string out;
    ASSERT_TRUE(Scan(**in, n, step, &out).ok());
    EXPECT_TRUE(out == data);
    EXPECT_EQ(cache.misses(), chunks);
    EXPECT_EQ(cache.hits(), 0u);
    // A second reader of the same file is served entirely from the cache.
    auto second = OpenUncompressedDataInput(file, crc_path, &cache, id);
    std::string out2;
    ASSERT_TRUE(Scan(**second, n, step, &out2).ok());
    EXPECT_TRUE(out2 == data);
    EXPECT_EQ(cache.misses(), chunks);
    EXPECT_EQ(cache.hits(), chunks);
  }
}

TEST(ChunkCacheDataInput, CompressedCorpusScanFetchesEachChunkOnce) {
  SSTFS_REQUIRE_CORPUS();
  std::string base =
      ::sstablefs::testing::CorpusDir() +
      "/cassandra-legacy/nb/legacy_tables/legacy_nb_clust/nb-1-big-";
  auto data = RandomAccessFile::Open(base + "Data.db");
  ASSERT_TRUE(data.ok());
  auto bytes = ReadSmallFile(base + "CompressionInfo.db", 1 << 20);
  ASSERT_TRUE(bytes.ok());
  auto info = DecodeCompressionInfo(ByteView(*bytes), Version("nb"), "ci",
                                    (*data)->size());
  ASSERT_TRUE(info.ok());
  auto shared = std::make_shared<const CompressionInfo>(*info);
  ChunkCache cache(8 << 20);
  uint64_t id = ChunkCache::NewFileId();
  auto in = OpenCompressedDataInput(*data, shared, &cache, id);
  ASSERT_TRUE(in.ok());
  std::string out;
  ASSERT_TRUE(Scan(**in, 24, 3, &out).ok());
  EXPECT_EQ(out.size(), info->data_length);
  EXPECT_EQ(cache.misses(), info->DataChunkCount());
  EXPECT_EQ(cache.hits(), 0u);
  // Seeking back re-reads from the cache, not the file.
  ASSERT_TRUE((*in)->Seek(0).ok());
  auto v = (*in)->Peek(10);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->AsStringView(), std::string_view(out).substr(0, v->size()));
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), info->DataChunkCount());
}

}  // namespace
}  // namespace sstablefs::reader
