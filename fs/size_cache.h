// SizeCache: exact sizes and restart checkpoints of generated files
// (Documents, fs/document.h), keyed by Document::Identity(), kept in memory
// and persisted in cache_dir so that a remount does not render again (SPEC
// §2 "computed once and kept in cache_dir").
//
// On disk: one file per identity, named by the MD5 of the identity
// ("<32 hex>.size"), directly in cache_dir (created 0700 if missing; never
// inside SOURCE — the caller guarantees that). Layout, little-endian:
//
//   magic    8 bytes  "SSTFSSZC"
//   version  u32      kVersion
//   id_len   u32      then id_len bytes: the full identity string
//   size     u64      the document's byte count
//   count    u32      number of checkpoints, then per checkpoint:
//                       offset u64, state_len u32, state_len bytes
//   crc      u32      CRC32 of every byte before it
//
// Files are written atomically: a temporary file in cache_dir, fsync,
// rename over the final name. On load, a file that is short, has the wrong
// magic/version/checksum, holds another identity (an MD5 collision or a
// foreign file), or has checkpoints out of order or past the size is
// discarded (deleted) and treated as a miss, never trusted.
// When cache_dir cannot be created or written, the cache silently works in
// memory only (persistent() turns false; status.json shows it).
//
// Thread-safety: every member function is thread-safe.
#ifndef SSTABLEFS_FS_SIZE_CACHE_H_
#define SSTABLEFS_FS_SIZE_CACHE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace sstablefs::fs {

struct DocumentCheckpoint {
  uint64_t offset = 0;  // document offset where a restarted render begins
  std::string state;    // opaque to everyone but the Document
};

struct DocumentSize {
  uint64_t size = 0;
  std::vector<DocumentCheckpoint> checkpoints;  // ascending offsets
};

struct SizeCacheStats {
  uint64_t memory_hits = 0;
  uint64_t disk_hits = 0;
  uint64_t misses = 0;
  uint64_t stored = 0;        // files written
  uint64_t discarded = 0;     // damaged, stale or foreign files dropped
  uint64_t write_errors = 0;  // failed writes (then memory only)
  uint64_t entries = 0;       // in memory
  bool persistent = false;
  std::string dir;
};

class SizeCache {
 public:
  static constexpr uint32_t kVersion = 1;
  // Files larger than this are foreign or damaged (a size file of a 100 GB
  // rendering holds ~100 000 checkpoints of a few dozen bytes).
  static constexpr uint64_t kMaxFileBytes = 64ull << 20;

  // `dir` == "": memory only.
  explicit SizeCache(std::string dir);

  // The entry for `identity`: from memory, else from its file (then kept in
  // memory), else nullptr. The returned entry is immutable and shared.
  std::shared_ptr<const DocumentSize> Get(const std::string& identity);

  // Remembers `entry`; writes its file too when `persist` and the cache is
  // persistent. Returns the stored entry.
  std::shared_ptr<const DocumentSize> Put(const std::string& identity,
                                          DocumentSize entry, bool persist);

  // Forgets the in-memory entries (tests: simulates a remount).
  void ClearMemory();

  bool persistent() const { return persistent_.load(); }
  const std::string& dir() const { return dir_; }
  SizeCacheStats stats() const;

  // The file that holds `identity`'s entry (whether or not it exists).
  std::string PathFor(const std::string& identity) const;

  // Encoding, exposed for tests.
  static std::string Encode(const std::string& identity,
                            const DocumentSize& entry);
  // nullptr when `bytes` is not a valid entry for `identity`.
  static std::shared_ptr<DocumentSize> Decode(const std::string& bytes,
                                              const std::string& identity);

 private:
  std::shared_ptr<const DocumentSize> Load(const std::string& identity);
  bool Store(const std::string& identity, const DocumentSize& entry);
  bool EnsureDir();

  const std::string dir_;
  std::atomic<bool> persistent_;
  std::once_flag dir_once_;
  bool dir_ok_ = false;

  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const DocumentSize>> map_;

  std::atomic<uint64_t> memory_hits_{0}, disk_hits_{0}, misses_{0};
  std::atomic<uint64_t> stored_{0}, discarded_{0}, write_errors_{0};
};

}  // namespace sstablefs::fs

#endif  // SSTABLEFS_FS_SIZE_CACHE_H_
