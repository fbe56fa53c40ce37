// The FUSE low-level request handlers: a thin translation from kernel
// requests to the virtual tree (fs/vtree.h). Each handler finds the node by
// inode number (fs/inode_table.h), calls the tree, maps a failure to an
// errno (fs/errno_map.h) and replies. Everything that would change the file
// system fails with EROFS.
//
// Kernel caching: nodes whose cache_policy() is kImmutable get long entry
// and attribute timeouts, cached negative lookups in their directories and
// keep_cache on open; kVolatile nodes (status.json, errors.log) get zero
// timeouts and direct_io, so every read sees fresh content.
//
// Ownership: a FuseFs is the session's userdata; it must outlive the
// session loop. Open files and directories are owned by the FuseFs from
// open/opendir to release/releasedir; those the kernel never released
// (unmount while open) are destroyed with the FuseFs, which cancels their
// renders.
//
// Only fs/fuse_*.cc and fs/daemon.cc include FUSE headers.
#ifndef SSTABLEFS_FS_FUSE_OPS_H_
#define SSTABLEFS_FS_FUSE_OPS_H_

#include <sys/stat.h>

#include <memory>
#include <mutex>
#include <unordered_map>

#include "fs/inode_table.h"
#include "fs/mount_context.h"
#include "fs/vtree.h"

struct fuse_lowlevel_ops;

namespace sstablefs::fs {

// Kernel cache lifetime of immutable entries and attributes, in seconds.
inline constexpr double kImmutableTimeout = 86400.0;

class FuseFs {
 public:
  FuseFs(MountContext* ctx, std::shared_ptr<Node> root);
  ~FuseFs();
  FuseFs(const FuseFs&) = delete;
  FuseFs& operator=(const FuseFs&) = delete;

  // The handler table to pass to fuse_session_new with `this` as userdata.
  static const fuse_lowlevel_ops* Ops();

  MountContext* ctx() const { return ctx_; }
  InodeTable& inodes() { return inodes_; }

  // struct stat of `attr` for inode `ino`, with the mount's uid=/gid= and
  // write bits removed.
  struct stat ToStat(uint64_t ino, const NodeAttr& attr) const;

  // Keeps an open file/directory until Release*(); returns the value for
  // fuse_file_info::fh.
  template <typename T>
  uint64_t Keep(std::unique_ptr<T> handle);
  template <typename T>
  T* Handle(uint64_t fh) const {
    return reinterpret_cast<T*>(static_cast<uintptr_t>(fh));
  }
  void Release(uint64_t fh);

 private:
  struct Kept {
    virtual ~Kept() = default;
  };
  template <typename T>
  struct KeptAs : Kept {
    explicit KeptAs(std::unique_ptr<T> h) : handle(std::move(h)) {}
    std::unique_ptr<T> handle;
  };

  MountContext* const ctx_;
  InodeTable inodes_;
  std::mutex open_mu_;
  std::unordered_map<uint64_t, std::unique_ptr<Kept>> open_;
};

template <typename T>
uint64_t FuseFs::Keep(std::unique_ptr<T> handle) {
  const uint64_t fh =
      static_cast<uint64_t>(reinterpret_cast<uintptr_t>(handle.get()));
  std::lock_guard<std::mutex> lock(open_mu_);
  open_.emplace(fh, std::make_unique<KeptAs<T>>(std::move(handle)));
  return fh;
}

}  // namespace sstablefs::fs

#endif  // SSTABLEFS_FS_FUSE_OPS_H_
