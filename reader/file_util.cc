#include "reader/file_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace sstablefs::reader {
namespace {

// O_NOATIME needs ownership of the file (or CAP_FOWNER); for anyone else the
// kernel answers EPERM and plain O_RDONLY is the best we can do.
int OpenNoAtime(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOATIME);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0 && errno == EPERM) {
    do {
      fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
  }
  return fd;
}

}  // namespace

Result<std::shared_ptr<RandomAccessFile>> RandomAccessFile::Open(
    const std::string& path) {
  int fd = OpenNoAtime(path);
  if (fd < 0) return Status::FromErrno(path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::FromErrno(path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path + ": not a regular file");
  }
  return std::shared_ptr<RandomAccessFile>(
      new RandomAccessFile(fd, static_cast<uint64_t>(st.st_size), path));
}

RandomAccessFile::~RandomAccessFile() { ::close(fd_); }

Result<size_t> RandomAccessFile::ReadAt(uint64_t offset, size_t n,
                                        uint8_t* dst) const {
  size_t done = 0;
  while (done < n) {
    ssize_t r =
        ::pread(fd_, dst + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(
          path_ + ": read at offset " + std::to_string(offset + done), errno);
    }
    if (r == 0) break;  // end of file
    done += static_cast<size_t>(r);
  }
  return done;
}

Status RandomAccessFile::ReadExactAt(uint64_t offset, size_t n,
                                     uint8_t* dst) const {
  SSTFS_ASSIGN_OR_RETURN(size_t got, ReadAt(offset, n, dst));
  if (got != n) {
    return Status::Corruption(path_, offset + got,
                              "unexpected end of file (wanted " +
                                  std::to_string(n) + " bytes at offset " +
                                  std::to_string(offset) + ")");
  }
  return Status::Ok();
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  SSTFS_ASSIGN_OR_RETURN(auto file, RandomAccessFile::Open(path));
  if (file->size() > max_bytes) {
    return Status::Corruption(
        path + ": file is " + std::to_string(file->size()) +
        " bytes, more than the " + std::to_string(max_bytes) + " expected");
  }
  std::string out(static_cast<size_t>(file->size()), '\0');
  SSTFS_ASSIGN_OR_RETURN(
      size_t got,
      file->ReadAt(0, out.size(), reinterpret_cast<uint8_t*>(out.data())));
  out.resize(got);  // the file may have shrunk since fstat; take what is there
  return out;
}

Result<std::vector<FolderEntry>> ListFolderEntries(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOATIME);
  if (fd < 0 && errno == EPERM) {
    fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }
  if (fd < 0) return Status::FromErrno(dir + ": cannot list folder", errno);
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    const int err = errno;
    ::close(fd);
    return Status::FromErrno(dir + ": cannot list folder", err);
  }
  std::vector<FolderEntry> out;
  errno = 0;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    FolderEntry entry;
    entry.name = std::string(n);
    unsigned char type = e->d_type;
    if (type == DT_UNKNOWN || type == DT_LNK) {
      struct stat st;
      if (::fstatat(::dirfd(d), e->d_name, &st, 0) == 0) {
        type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : 0;
      }
    }
    entry.is_dir = type == DT_DIR;
    entry.is_file = type == DT_REG;
    out.push_back(std::move(entry));
    errno = 0;
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) return Status::FromErrno(dir + ": cannot list folder", err);
  return out;
}

}  // namespace sstablefs::reader
