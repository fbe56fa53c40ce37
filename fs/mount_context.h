// State shared by everything in one mount: options, the chunk cache, the
// error log, counters for status.json and the background worker. Created by
// the daemon (fs/daemon.cc) before the tree; outlives every node.
//
// Thread-safety: every member function is thread-safe.
#ifndef SSTABLEFS_FS_MOUNT_CONTEXT_H_
#define SSTABLEFS_FS_MOUNT_CONTEXT_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "reader/chunk_cache.h"
#include "reader/status.h"

namespace sstablefs::fs {

// Parsed `sstablefs [-f] [-d] [-s] [-o OPTS] SOURCE MOUNTPOINT` (SPEC §1).
struct MountOptions {
  std::string source;                     // absolute path
  std::string mountpoint;                 // absolute path
  uint64_t cache_size = 64ull << 20;      // cache_size=64M
  std::vector<std::string> schema_files;  // schema=FILE.cql (repeatable)
  int64_t now_seconds = 0;                // now=...; default: mount time
  std::string cache_dir;  // cache_dir=; default $XDG_CACHE_HOME/sstablefs
                          // ("" after parsing: no usable default, the
                          // size cache is kept in memory only)
  bool cache_dir_explicit = false;  // cache_dir= was given
  bool foreground = false;          // -f
  bool debug = false;               // -d
  bool single_thread = false;       // -s
  bool help = false;                // -h / --help: print usage, do not mount
  bool allow_other = false;
  bool default_permissions = false;  // forced on with allow_other
  std::optional<uid_t> uid;          // uid=N: owner of every node
  std::optional<gid_t> gid;          // gid=N
  // Options passed through to the kernel/libfuse (fsname, subtype, ...).
  std::vector<std::string> fuse_options;
};

// .sstablefs/errors.log: one line per damaged item, each at most once.
class ErrorLog {
 public:
  // Adds "sstablefs: <message>" unless the same message was logged before.
  // Also written to stderr when the daemon runs in the foreground.
  void Report(const std::string& message);
  void Report(const reader::Status& status) { Report(status.message()); }
  std::string Text() const;  // every line, each ending in '\n'
  size_t count() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
  size_t bytes_ = 0;
};

class SizeCache;  // fs/size_cache.h

class MountContext {
 public:
  explicit MountContext(MountOptions options);
  ~MountContext();

  const MountOptions& options() const { return options_; }
  reader::ChunkCache* chunk_cache() { return cache_.get(); }
  ErrorLog& errors() { return errors_; }
  // Persistent sizes and checkpoints of generated files (cache_dir).
  SizeCache& sizes() { return *sizes_; }

  // Queues `task` for the background worker (one thread, FIFO), e.g. size
  // passes after mount. Tasks still queued at unmount are dropped.
  // Tasks run only once StartBackground() was called: the daemon calls it
  // after daemonizing, because fork() keeps only the calling thread.
  void RunInBackground(std::string description, std::function<void()> task);
  // Starts the worker thread (idempotent). Tests call it themselves.
  void StartBackground();

  // Counters for status.json.
  std::atomic<uint64_t> sstables_opened{0};
  std::atomic<uint64_t> tables_opened{0};
  std::atomic<uint64_t> bytes_rendered{0};

  // .sstablefs/status.json: cache use, SSTables/tables opened, background
  // work (queued, done, current), size cache hits, errors so far. Pretty
  // JSON ending with '\n'.
  std::string StatusJson() const;

  // Stops the background worker (called at unmount): the running task
  // finishes, queued ones are dropped. Idempotent; the destructor calls it.
  void Shutdown();

 private:
  class Worker;
  MountOptions options_;
  std::unique_ptr<reader::ChunkCache> cache_;
  ErrorLog errors_;
  std::unique_ptr<SizeCache> sizes_;
  std::unique_ptr<Worker> worker_;
  int64_t mount_time_ = 0;
};

}  // namespace sstablefs::fs

#endif  // SSTABLEFS_FS_MOUNT_CONTEXT_H_
