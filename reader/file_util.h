// Read-only access to SSTable component files.
//
// Contract:
//  - Files are opened O_RDONLY | O_CLOEXEC | O_NOATIME so that reading a
//    SOURCE file never changes its atime (SPEC §2). O_NOATIME is refused with
//    EPERM when the caller does not own the file; Open() then retries without
//    it (nothing else can be done without privileges).
//  - Nothing here writes, locks or mmaps a file. Errors are kIoError naming the
//    path and the OS reason; a short read before the end of file is retried,
//    never reported as success.
//  - RandomAccessFile is immutable after Open() and safe to share between
//    threads (ReadAt uses pread and no shared cursor).
#ifndef SSTABLEFS_READER_FILE_UTIL_H_
#define SSTABLEFS_READER_FILE_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "reader/status.h"

namespace sstablefs::reader {

class RandomAccessFile {
 public:
  // kIoError when the file cannot be opened or stat'ed; kInvalidArgument when
  // it is not a regular file.
  static Result<std::shared_ptr<RandomAccessFile>> Open(
      const std::string& path);
  ~RandomAccessFile();
  RandomAccessFile(const RandomAccessFile&) = delete;
  RandomAccessFile& operator=(const RandomAccessFile&) = delete;

  // Reads up to `n` bytes at `offset` into `dst` (pread loop, EINTR retried).
  // Returns the number of bytes read: `n` unless the end of file comes first.
  // Thread-safe.
  Result<size_t> ReadAt(uint64_t offset, size_t n, uint8_t* dst) const;
  // Like ReadAt, but fewer than `n` bytes is kCorruption ("unexpected end of
  // file") naming the path and offset.
  Status ReadExactAt(uint64_t offset, size_t n, uint8_t* dst) const;

  // Size at Open() time (SSTables are immutable once written).
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  RandomAccessFile(int fd, uint64_t size, std::string path)
      : fd_(fd), size_(size), path_(std::move(path)) {}
  int fd_;
  uint64_t size_;
  std::string path_;
};

// Reads a whole small file (TOC.txt, CompressionInfo.db, Digest.crc32, ...).
// kIoError when it cannot be read; kCorruption when it is larger than
// `max_bytes` (so a damaged or foreign file never causes a huge allocation).
Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes);

// One entry of a folder listing. `is_dir`/`is_file` follow symlinks.
struct FolderEntry {
  std::string name;
  bool is_dir = false;
  bool is_file = false;  // a regular file
};

// The entries of `dir` (without "." and ".."), unsorted. The folder is opened
// O_RDONLY|O_DIRECTORY|O_NOATIME (without O_NOATIME when the kernel refuses
// it: EPERM for a folder we do not own), so listing SOURCE never changes its
// atime where we are allowed to avoid it. kIoError naming `dir` on failure.
Result<std::vector<FolderEntry>> ListFolderEntries(const std::string& dir);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_FILE_UTIL_H_
