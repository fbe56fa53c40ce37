#include "fs/size_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "reader/crc32.h"
#include "reader/md5.h"

namespace sstablefs::fs {
namespace {

constexpr char kMagic[8] = {'S', 'S', 'T', 'F', 'S', 'S', 'Z', 'C'};

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

// A little-endian cursor that fails (sticky) instead of reading past the end.
class Cursor {
 public:
  explicit Cursor(std::string_view b) : b_(b) {}
  bool U32(uint32_t* v) { return Fixed(4, v); }
  bool U64(uint64_t* v) { return Fixed(8, v); }
  bool Bytes(size_t n, std::string_view* out) {
    if (n > b_.size() - pos_) return false;
    *out = b_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  size_t remaining() const { return b_.size() - pos_; }

 private:
  template <typename T>
  bool Fixed(size_t n, T* v) {
    if (n > b_.size() - pos_) return false;
    *v = 0;
    for (size_t i = 0; i < n; ++i) {
      *v |= static_cast<T>(static_cast<uint8_t>(b_[pos_ + i])) << (8 * i);
    }
    pos_ += n;
    return true;
  }
  std::string_view b_;
  size_t pos_ = 0;
};

bool WriteAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Reads at most `max` bytes; false if the file is missing, unreadable or
// larger than `max`.
bool ReadSmallFile(const std::string& path, uint64_t max, std::string* out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
            static_cast<uint64_t>(st.st_size) <= max;
  if (ok) {
    out->resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (ok && done < out->size()) {
      const ssize_t n = ::read(fd, out->data() + done, out->size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) ok = false;
      done += n > 0 ? static_cast<size_t>(n) : 0;
    }
  }
  ::close(fd);
  return ok;
}

}  // namespace

SizeCache::SizeCache(std::string dir)
    : dir_(std::move(dir)), persistent_(!dir_.empty()) {}

std::string SizeCache::PathFor(const std::string& identity) const {
  static constexpr char kHex[] = "0123456789abcdef";
  const reader::Md5Digest d = reader::ComputeMd5(reader::ByteView(identity));
  std::string name;
  for (uint8_t b : d) {
    name += kHex[b >> 4];
    name += kHex[b & 15];
  }
  return dir_ + "/" + name + ".size";
}

std::string SizeCache::Encode(const std::string& identity,
                              const DocumentSize& entry) {
  std::string out(kMagic, sizeof kMagic);
  PutU32(&out, kVersion);
  PutU32(&out, static_cast<uint32_t>(identity.size()));
  out += identity;
  PutU64(&out, entry.size);
  PutU32(&out, static_cast<uint32_t>(entry.checkpoints.size()));
  for (const DocumentCheckpoint& c : entry.checkpoints) {
    PutU64(&out, c.offset);
    PutU32(&out, static_cast<uint32_t>(c.state.size()));
    out += c.state;
  }
  PutU32(&out, reader::Crc32(0, reinterpret_cast<const uint8_t*>(out.data()),
                             out.size()));
  return out;
}

std::shared_ptr<DocumentSize> SizeCache::Decode(const std::string& bytes,
                                                const std::string& identity) {
  if (bytes.size() < sizeof kMagic + 4 ||
      std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return nullptr;
  }
  const size_t body = bytes.size() - 4;
  Cursor crc_cursor(std::string_view(bytes).substr(body));
  uint32_t stored_crc;
  if (!crc_cursor.U32(&stored_crc) ||
      stored_crc !=
          reader::Crc32(0, reinterpret_cast<const uint8_t*>(bytes.data()),
                        body)) {
    return nullptr;
  }
  Cursor c(std::string_view(bytes).substr(sizeof kMagic, body - sizeof kMagic));
  uint32_t version, id_len, count;
  std::string_view id;
  auto entry = std::make_shared<DocumentSize>();
  if (!c.U32(&version) || version != kVersion || !c.U32(&id_len) ||
      !c.Bytes(id_len, &id) || id != identity || !c.U64(&entry->size) ||
      !c.U32(&count) || count > c.remaining() / 12) {
    return nullptr;
  }
  entry->checkpoints.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    DocumentCheckpoint cp;
    uint32_t len;
    std::string_view state;
    if (!c.U64(&cp.offset) || !c.U32(&len) || !c.Bytes(len, &state)) {
      return nullptr;
    }
    const uint64_t prev =
        entry->checkpoints.empty() ? 0 : entry->checkpoints.back().offset;
    if (cp.offset > entry->size || cp.offset < prev) return nullptr;
    cp.state.assign(state);
    entry->checkpoints.push_back(std::move(cp));
  }
  if (c.remaining() != 0) return nullptr;
  return entry;
}

std::shared_ptr<const DocumentSize> SizeCache::Get(
    const std::string& identity) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(identity);
    if (it != map_.end()) {
      memory_hits_.fetch_add(1, std::memory_order_relaxed);
      return it->second;
    }
  }
  std::shared_ptr<const DocumentSize> loaded = Load(identity);
  if (loaded == nullptr) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  disk_hits_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  return map_.emplace(identity, std::move(loaded)).first->second;
}

std::shared_ptr<const DocumentSize> SizeCache::Put(const std::string& identity,
                                                   DocumentSize entry,
                                                   bool persist) {
  auto shared = std::make_shared<const DocumentSize>(std::move(entry));
  if (persist && persistent_.load()) {
    if (Store(identity, *shared)) {
      stored_.fetch_add(1, std::memory_order_relaxed);
    } else {
      // Not fatal: the mount works, only slower, without cache_dir (SPEC §2).
      write_errors_.fetch_add(1, std::memory_order_relaxed);
      persistent_.store(false);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  map_[identity] = shared;
  return shared;
}

void SizeCache::ClearMemory() {
  std::lock_guard<std::mutex> lock(mu_);
  map_.clear();
}

std::shared_ptr<const DocumentSize> SizeCache::Load(
    const std::string& identity) {
  if (dir_.empty()) return nullptr;
  const std::string path = PathFor(identity);
  std::string bytes;
  if (!ReadSmallFile(path, kMaxFileBytes, &bytes)) {
    // Missing is the common case; an oversized file is foreign: drop it.
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && persistent_.load()) {
      ::unlink(path.c_str());
      discarded_.fetch_add(1, std::memory_order_relaxed);
    }
    return nullptr;
  }
  std::shared_ptr<DocumentSize> entry = Decode(bytes, identity);
  if (entry == nullptr) {
    if (persistent_.load()) ::unlink(path.c_str());
    discarded_.fetch_add(1, std::memory_order_relaxed);
  }
  return entry;
}

bool SizeCache::EnsureDir() {
  std::call_once(dir_once_, [this] {
    // mkdir -p, each new level private to the user (the cache reveals the
    // names of the SSTables mounted).
    for (size_t pos = 1; pos <= dir_.size(); ++pos) {
      if (pos != dir_.size() && dir_[pos] != '/') continue;
      const std::string prefix = dir_.substr(0, pos);
      if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) return;
    }
    struct stat st;
    dir_ok_ = ::stat(dir_.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  });
  return dir_ok_;
}

bool SizeCache::Store(const std::string& identity, const DocumentSize& entry) {
  if (!EnsureDir()) return false;
  static std::atomic<uint64_t> counter{0};
  const std::string path = PathFor(identity);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." +
                          std::to_string(counter.fetch_add(1));
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = WriteAll(fd, Encode(identity, entry)) && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (ok) ok = ::rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) ::unlink(tmp.c_str());
  return ok;
}

SizeCacheStats SizeCache::stats() const {
  SizeCacheStats s;
  s.memory_hits = memory_hits_.load(std::memory_order_relaxed);
  s.disk_hits = disk_hits_.load(std::memory_order_relaxed);
  s.misses = misses_.load(std::memory_order_relaxed);
  s.stored = stored_.load(std::memory_order_relaxed);
  s.discarded = discarded_.load(std::memory_order_relaxed);
  s.write_errors = write_errors_.load(std::memory_order_relaxed);
  s.persistent = persistent_.load();
  s.dir = dir_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s.entries = map_.size();
  }
  return s;
}

}  // namespace sstablefs::fs
