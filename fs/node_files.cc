// files/: the SSTable's component files served byte for byte from SOURCE.
// Each open file descriptor is opened O_RDONLY | O_NOATIME at open() (never
// changing SOURCE's atimes; without NOATIME when the kernel refuses it for
// a file we do not own) and kept for the handle's life, so a component that
// compaction deletes keeps reading until it is closed.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "fs/tree_internal.h"

namespace sstablefs::fs::tree {
namespace {

class FdHandle : public FileHandle {
 public:
  FdHandle(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FdHandle() override { ::close(fd_); }

  // pread has no shared cursor: concurrent reads need no lock.
  Result<size_t> Read(uint64_t offset, size_t size, char* buf) override {
    size_t done = 0;
    while (done < size) {
      ssize_t n = ::pread(fd_, buf + done, size - done,
                          static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno("reading " + path_, errno);
      }
      if (n == 0) break;  // end of file
      done += static_cast<size_t>(n);
    }
    return done;
  }

 private:
  int fd_;
  std::string path_;
};

class PassthroughFile : public Node {
 public:
  PassthroughFile(std::string path, TreeContextPtr tc)
      : path_(std::move(path)), tc_(std::move(tc)) {}

  bool is_dir() const override { return false; }

  Result<NodeAttr> GetAttr() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!attr_) {
      struct stat st;
      if (::stat(path_.c_str(), &st) != 0) {
        return Status::FromErrno("stat " + path_, errno);
      }
      NodeAttr a = tc_->Adjust(AttrFromStat(st, false));
      a.size = static_cast<uint64_t>(st.st_size);
      attr_ = a;
    }
    return *attr_;
  }

  Result<std::unique_ptr<FileHandle>> Open() override {
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOATIME);
    if (fd < 0 && errno == EPERM) {
      fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
      const int err = errno;
      if (err == ENOENT) return Status::NotFound(path_ + ": deleted");
      return Status::FromErrno("opening " + path_, err);
    }
    return std::unique_ptr<FileHandle>(std::make_unique<FdHandle>(fd, path_));
  }

 private:
  std::string path_;
  TreeContextPtr tc_;
  std::mutex mu_;
  std::optional<NodeAttr> attr_;
};

}  // namespace

std::shared_ptr<Node> MakePassthroughFile(std::string path, TreeContextPtr tc) {
  return std::make_shared<PassthroughFile>(std::move(path), std::move(tc));
}

}  // namespace sstablefs::fs::tree
