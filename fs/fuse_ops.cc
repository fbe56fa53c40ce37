// FUSE low-level handlers (see fs/fuse_ops.h). Each is: find the node,
// call the tree, map the error, reply.
#define FUSE_USE_VERSION 314
#include "fs/fuse_ops.h"

#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "fs/errno_map.h"

namespace sstablefs::fs {
namespace {

FuseFs* Fs(fuse_req_t req) {
  return static_cast<FuseFs*>(fuse_req_userdata(req));
}

double TimeoutFor(const Node& node) {
  return node.cache_policy() == CachePolicy::kImmutable ? kImmutableTimeout
                                                        : 0.0;
}

// An open directory: a cursor over the node's listing, with "." and ".."
// in front. Entry k of the listing (counting "." and "..") has readdir
// offset k + 1, the cookie of the entry after it.
struct OpenDir {
  std::mutex mu;
  std::shared_ptr<Node> node;
  fuse_ino_t ino = 0;
  std::unique_ptr<DirCursor> cursor;
  off_t next = 0;                   // offset of the next entry to hand out
  std::optional<DirEntry> pending;  // fetched but did not fit the reply
};

struct OpenFile {
  std::unique_ptr<FileHandle> handle;
};

// The entry at d->next (which the caller then consumes); false at the end.
Result<bool> PeekEntry(OpenDir* d, DirEntry* out) {
  if (d->next < 2) {
    out->name = d->next == 0 ? "." : "..";
    out->is_dir = true;
    return true;
  }
  if (!d->pending) {
    DirEntry e;
    SSTFS_ASSIGN_OR_RETURN(bool more, d->cursor->Next(&e));
    if (!more) return false;
    d->pending = std::move(e);
  }
  *out = *d->pending;
  return true;
}

void Consume(OpenDir* d) {
  if (d->next >= 2) d->pending.reset();
  ++d->next;
}

// Repositions `d` at `off` (a seekdir, or a rewind): a fresh cursor,
// skipping what came before. Rare; listings are read in order.
Status Seek(OpenDir* d, off_t off) {
  SSTFS_ASSIGN_OR_RETURN(d->cursor, d->node->OpenDir());
  d->next = 0;
  d->pending.reset();
  DirEntry e;
  while (d->next < off) {
    SSTFS_ASSIGN_OR_RETURN(bool more, PeekEntry(d, &e));
    if (!more) break;
    Consume(d);
  }
  return Status::Ok();
}

// --- Handlers
// -------------------------------------------------------------------

void OnLookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  FuseFs* fs = Fs(req);
  auto found = fs->inodes().Lookup(parent, name);
  if (!found.ok()) {
    std::shared_ptr<Node> dir = fs->inodes().Get(parent);
    if (found.status().IsNotFound() && dir != nullptr &&
        dir->cache_policy() == CachePolicy::kImmutable) {
      fuse_entry_param negative{};  // ino 0: the kernel caches the absence
      negative.entry_timeout = kImmutableTimeout;
      fuse_reply_entry(req, &negative);
      return;
    }
    fuse_reply_err(req, LookupErrnoFromStatus(found.status()));
    return;
  }
  const auto& [ino, node] = *found;
  Result<NodeAttr> attr = node->GetAttr();
  if (!attr.ok()) {
    fs->inodes().Forget(ino, 1);
    fuse_reply_err(req, ErrnoFromStatus(attr.status()));
    return;
  }
  fuse_entry_param e{};
  e.ino = ino;
  e.attr = fs->ToStat(ino, *attr);
  e.attr_timeout = e.entry_timeout = TimeoutFor(*node);
  // A reply the kernel did not take (interrupted) adds no reference.
  if (fuse_reply_entry(req, &e) != 0) fs->inodes().Forget(ino, 1);
}

void OnForget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  Fs(req)->inodes().Forget(ino, nlookup);
  fuse_reply_none(req);
}

void OnForgetMulti(fuse_req_t req, size_t count,
                   struct fuse_forget_data* forgets) {
  for (size_t i = 0; i < count; ++i) {
    Fs(req)->inodes().Forget(forgets[i].ino, forgets[i].nlookup);
  }
  fuse_reply_none(req);
}

void OnGetattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info*) {
  FuseFs* fs = Fs(req);
  std::shared_ptr<Node> node = fs->inodes().Get(ino);
  if (node == nullptr) return (void)fuse_reply_err(req, ENOENT);
  Result<NodeAttr> attr = node->GetAttr();
  if (!attr.ok())
    return (void)fuse_reply_err(req, ErrnoFromStatus(attr.status()));
  const struct stat st = fs->ToStat(ino, *attr);
  fuse_reply_attr(req, &st, TimeoutFor(*node));
}

void OnOpendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info* fi) {
  FuseFs* fs = Fs(req);
  std::shared_ptr<Node> node = fs->inodes().Get(ino);
  if (node == nullptr) return (void)fuse_reply_err(req, ENOENT);
  if (!node->is_dir()) return (void)fuse_reply_err(req, ENOTDIR);
  auto cursor = node->OpenDir();
  if (!cursor.ok()) {
    return (void)fuse_reply_err(req, ErrnoFromStatus(cursor.status()));
  }
  auto dir = std::make_unique<OpenDir>();
  dir->node = node;
  dir->ino = ino;
  dir->cursor = std::move(*cursor);
  if (node->cache_policy() == CachePolicy::kImmutable) {
    fi->cache_readdir = 1;
    fi->keep_cache = 1;
  }
  fi->fh = fs->Keep(std::move(dir));
  if (fuse_reply_open(req, fi) != 0) fs->Release(fi->fh);
}

// Fills `buf` with entries from the open directory, under its lock. The
// reply is sent only after the lock is released: once the kernel has the
// reply it may send RELEASEDIR, which another worker thread handles by
// freeing the OpenDir (and its mutex).
int FillReaddir(FuseFs* fs, OpenDir* d, fuse_req_t req, fuse_ino_t ino,
                off_t off, std::vector<char>* buf, size_t* used) {
  std::lock_guard<std::mutex> lock(d->mu);
  if (off != d->next) {
    Status st = Seek(d, off);
    if (!st.ok()) return ErrnoFromStatus(st);
  }
  const size_t size = buf->size();
  while (true) {
    DirEntry e;
    Result<bool> more = PeekEntry(d, &e);
    if (!more.ok()) {
      // Never fail after entries were added: report it on the next call.
      return *used == 0 ? ErrnoFromStatus(more.status()) : 0;
    }
    if (!*more) return 0;
    struct stat st {};
    st.st_mode = e.is_dir ? S_IFDIR : S_IFREG;
    st.st_ino = d->next == 0   ? ino
                : d->next == 1 ? InodeTable::kUnknownIno
                               : fs->inodes().Peek(ino, e.name);
    const size_t need =
        fuse_add_direntry(req, buf->data() + *used, size - *used,
                          e.name.c_str(), &st, d->next + 1);
    if (need > size - *used) return 0;  // kept in d->pending for next call
    *used += need;
    Consume(d);
  }
}

void OnReaddir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
               struct fuse_file_info* fi) {
  FuseFs* fs = Fs(req);
  OpenDir* d = fs->Handle<OpenDir>(fi->fh);
  std::vector<char> buf(size);
  size_t used = 0;
  const int err = FillReaddir(fs, d, req, ino, off, &buf, &used);
  if (err != 0) return (void)fuse_reply_err(req, err);
  fuse_reply_buf(req, buf.data(), used);
}

void OnReleasedir(fuse_req_t req, fuse_ino_t, struct fuse_file_info* fi) {
  Fs(req)->Release(fi->fh);
  fuse_reply_err(req, 0);
}

void OnOpen(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info* fi) {
  FuseFs* fs = Fs(req);
  std::shared_ptr<Node> node = fs->inodes().Get(ino);
  if (node == nullptr) return (void)fuse_reply_err(req, ENOENT);
  if (node->is_dir()) return (void)fuse_reply_err(req, EISDIR);
  if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC) != 0) {
    return (void)fuse_reply_err(req, EROFS);
  }
  auto handle = node->Open();
  if (!handle.ok()) {
    return (void)fuse_reply_err(req, ErrnoFromStatus(handle.status()));
  }
  auto file = std::make_unique<OpenFile>();
  file->handle = std::move(*handle);
  if (node->cache_policy() == CachePolicy::kImmutable) {
    fi->keep_cache = 1;
  } else {
    fi->direct_io = 1;
  }
  fi->noflush = 1;  // nothing to flush on close
  fi->fh = fs->Keep(std::move(file));
  if (fuse_reply_open(req, fi) != 0) fs->Release(fi->fh);
}

void OnRead(fuse_req_t req, fuse_ino_t, size_t size, off_t off,
            struct fuse_file_info* fi) {
  OpenFile* f = Fs(req)->Handle<OpenFile>(fi->fh);
  // One buffer per FUSE worker thread, grown to the largest read (1 MiB).
  thread_local std::vector<char> buf;
  if (buf.size() < size) buf.resize(size);
  Result<size_t> n =
      f->handle->Read(static_cast<uint64_t>(off), size, buf.data());
  if (!n.ok()) return (void)fuse_reply_err(req, ErrnoFromStatus(n.status()));
  fuse_reply_buf(req, buf.data(), *n);
}

void OnRelease(fuse_req_t req, fuse_ino_t, struct fuse_file_info* fi) {
  Fs(req)->Release(fi->fh);
  fuse_reply_err(req, 0);
}

void OnStatfs(fuse_req_t req, fuse_ino_t) {
  struct statvfs st {};
  st.f_bsize = 4096;
  st.f_frsize = 4096;
  st.f_files = Fs(req)->inodes().size();
  st.f_namemax = 255;
  st.f_flag = ST_RDONLY | ST_NOSUID | ST_NODEV;
  fuse_reply_statfs(req, &st);
}

void OnAccess(fuse_req_t req, fuse_ino_t ino, int mask) {
  if (Fs(req)->inodes().Get(ino) == nullptr) {
    return (void)fuse_reply_err(req, ENOENT);
  }
  fuse_reply_err(req, (mask & W_OK) != 0 ? EROFS : 0);
}

// --- Everything that would change the file system ----------------------------

void Erofs(fuse_req_t req) { fuse_reply_err(req, EROFS); }

void OnSetattr(fuse_req_t req, fuse_ino_t, struct stat*, int,
               struct fuse_file_info*) {
  Erofs(req);
}
void OnMknod(fuse_req_t req, fuse_ino_t, const char*, mode_t, dev_t) {
  Erofs(req);
}
void OnMkdir(fuse_req_t req, fuse_ino_t, const char*, mode_t) { Erofs(req); }
void OnUnlink(fuse_req_t req, fuse_ino_t, const char*) { Erofs(req); }
void OnRmdir(fuse_req_t req, fuse_ino_t, const char*) { Erofs(req); }
void OnSymlink(fuse_req_t req, const char*, fuse_ino_t, const char*) {
  Erofs(req);
}
void OnRename(fuse_req_t req, fuse_ino_t, const char*, fuse_ino_t, const char*,
              unsigned int) {
  Erofs(req);
}
void OnLink(fuse_req_t req, fuse_ino_t, fuse_ino_t, const char*) { Erofs(req); }
void OnWrite(fuse_req_t req, fuse_ino_t, const char*, size_t, off_t,
             struct fuse_file_info*) {
  Erofs(req);
}
void OnCreate(fuse_req_t req, fuse_ino_t, const char*, mode_t,
              struct fuse_file_info*) {
  Erofs(req);
}
void OnSetxattr(fuse_req_t req, fuse_ino_t, const char*, const char*, size_t,
                int) {
  Erofs(req);
}
void OnRemovexattr(fuse_req_t req, fuse_ino_t, const char*) { Erofs(req); }
void OnFallocate(fuse_req_t req, fuse_ino_t, int, off_t, off_t,
                 struct fuse_file_info*) {
  Erofs(req);
}
void OnCopyFileRange(fuse_req_t req, fuse_ino_t, off_t, struct fuse_file_info*,
                     fuse_ino_t, off_t, struct fuse_file_info*, size_t, int) {
  Erofs(req);
}

fuse_lowlevel_ops MakeOps() {
  fuse_lowlevel_ops ops{};
  ops.lookup = OnLookup;
  ops.forget = OnForget;
  ops.forget_multi = OnForgetMulti;
  ops.getattr = OnGetattr;
  ops.opendir = OnOpendir;
  ops.readdir = OnReaddir;
  ops.releasedir = OnReleasedir;
  ops.open = OnOpen;
  ops.read = OnRead;
  ops.release = OnRelease;
  ops.statfs = OnStatfs;
  ops.access = OnAccess;
  ops.setattr = OnSetattr;
  ops.mknod = OnMknod;
  ops.mkdir = OnMkdir;
  ops.unlink = OnUnlink;
  ops.rmdir = OnRmdir;
  ops.symlink = OnSymlink;
  ops.rename = OnRename;
  ops.link = OnLink;
  ops.write = OnWrite;
  ops.create = OnCreate;
  ops.setxattr = OnSetxattr;
  ops.removexattr = OnRemovexattr;
  ops.fallocate = OnFallocate;
  ops.copy_file_range = OnCopyFileRange;
  return ops;
}

}  // namespace

FuseFs::FuseFs(MountContext* ctx, std::shared_ptr<Node> root)
    : ctx_(ctx), inodes_(std::move(root)) {}

FuseFs::~FuseFs() {
  std::unordered_map<uint64_t, std::unique_ptr<Kept>> open;
  {
    std::lock_guard<std::mutex> lock(open_mu_);
    open.swap(open_);
  }
  open.clear();  // cancels renders of files the kernel never released
}

const fuse_lowlevel_ops* FuseFs::Ops() {
  static const fuse_lowlevel_ops ops = MakeOps();
  return &ops;
}

void FuseFs::Release(uint64_t fh) {
  std::unique_ptr<Kept> kept;  // destroyed unlocked: may join a producer
  std::lock_guard<std::mutex> lock(open_mu_);
  auto it = open_.find(fh);
  if (it == open_.end()) return;
  kept = std::move(it->second);
  open_.erase(it);
}

struct stat FuseFs::ToStat(uint64_t ino, const NodeAttr& attr) const {
  struct stat st {};
  st.st_ino = ino;
  st.st_mode = (attr.is_dir ? S_IFDIR : S_IFREG) | (attr.mode & 07555);
  st.st_nlink = attr.nlink;
  const MountOptions& o = ctx_->options();
  st.st_uid = o.uid ? *o.uid : attr.uid;
  st.st_gid = o.gid ? *o.gid : attr.gid;
  st.st_size = static_cast<off_t>(attr.size);
  st.st_blocks = static_cast<blkcnt_t>((attr.size + 511) / 512);
  st.st_blksize = 128 << 10;  // cp, cat and tar size their buffers by it
  st.st_atim = st.st_mtim = st.st_ctim = attr.mtime;
  return st;
}

}  // namespace sstablefs::fs
