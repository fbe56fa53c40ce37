// The virtual tree the mount shows (SPEC §2), as a small interface with no
// FUSE types: lookup, getattr, readdir, open, read. fs/tree_*.cc build it
// lazily over the reader library; fs/fuse_*.cc translate FUSE requests to
// it (inode numbers, lookup counts and errno mapping live only there).
//
// Contract:
//  - Nodes are created on demand by Lookup()/directory cursors and shared
//    (std::shared_ptr); the FUSE layer keeps a node alive while the kernel
//    holds a lookup reference to it. Nodes are immutable except for lazily
//    computed, internally synchronised state (sizes, opened tables).
//  - Every method may be called from several threads at once.
//  - Errors are reader::Status values: kNotFound -> ENOENT, kCorruption ->
//    EIO (and a line in errors.log, written by the node that found it),
//    kIoError -> EIO, kInvalidArgument -> ENOENT for a name that cannot be
//    a partition, kUnsupported -> EIO. The mapping is fs/errno_map.cc.
//  - A directory's listing and Lookup() agree: every listed name resolves;
//    Lookup() may also resolve names that are not listed (partition keys
//    reached through the index).
#ifndef SSTABLEFS_FS_VTREE_H_
#define SSTABLEFS_FS_VTREE_H_

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>

#include "reader/status.h"

namespace sstablefs::fs {

using reader::Result;
using reader::Status;

struct NodeAttr {
  bool is_dir = false;
  uint64_t size = 0;  // exact byte count of what Read() returns
  uint32_t mode = 0;  // permission bits only (0444/0555 style); type added
  uid_t uid = 0;
  gid_t gid = 0;
  struct timespec mtime = {};  // also used for ctime; atime = mtime
  uint32_t nlink = 1;
};

// How the kernel may cache a file's pages and attributes.
enum class CachePolicy {
  kImmutable,  // content never changes while mounted: keep_cache, long TTLs
  kVolatile,   // status.json, errors.log: direct_io, no attribute caching
};

// An open file. Read() may be called concurrently on one handle (FUSE
// multi-threaded loop): implementations serialise internally.
class FileHandle {
 public:
  virtual ~FileHandle() = default;
  // Up to `size` bytes at `offset` into `buf`; fewer only at end of file.
  virtual Result<size_t> Read(uint64_t offset, size_t size, char* buf) = 0;
};

struct DirEntry {
  std::string name;
  bool is_dir = false;
};

// A directory listing in progress. The FUSE layer keeps one per opendir and
// asks for entries in order; `index` of the next entry is the readdir offset.
// A readdir at another offset restarts a fresh cursor and skips (rare).
class DirCursor {
 public:
  virtual ~DirCursor() = default;
  // The next entry into *entry; false at the end.
  virtual Result<bool> Next(DirEntry* entry) = 0;
};

class Node {
 public:
  virtual ~Node() = default;
  virtual bool is_dir() const = 0;
  // May block to compute an exact size (a render pass), once per node.
  virtual Result<NodeAttr> GetAttr() = 0;
  virtual CachePolicy cache_policy() const { return CachePolicy::kImmutable; }

  // Directories. Defaults: not a directory (ENOTDIR via kInvalidArgument is
  // never reached: the FUSE layer checks is_dir() first).
  virtual Result<std::shared_ptr<Node>> Lookup(std::string_view name) {
    return Status::NotFound(std::string(name));
  }
  virtual Result<std::unique_ptr<DirCursor>> OpenDir() {
    return Status::InvalidArgument("not a directory");
  }

  // Files.
  virtual Result<std::unique_ptr<FileHandle>> Open() {
    return Status::InvalidArgument("not a file");
  }
};

}  // namespace sstablefs::fs

#endif  // SSTABLEFS_FS_VTREE_H_
