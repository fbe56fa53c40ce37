// File nodes over Documents (fs/document.h): the size pass, and the open
// file handles that serve reads.
//
// Reads of a large document are served by streams: a producer thread runs
// the Document's renderer (from the start or from a checkpoint) into a
// bounded ring buffer and consumers (FUSE read requests, possibly several
// at once on one handle) copy out of it. The buffer keeps a little history
// behind the furthest read, because the kernel's readahead can deliver
// neighbouring requests slightly out of order. A read before a stream's
// window, or far after it where a checkpoint is closer than the stream,
// gets a stream restarted from the nearest checkpoint at or before it; one
// handle keeps up to two streams, so two readers at different places of one
// open file (or a `tail` while `cat` runs) do not cancel each other.
#include <sys/types.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <optional>
#include <set>
#include <thread>

#include "fs/document.h"
#include "fs/size_cache.h"

namespace sstablefs::fs {
namespace {

// Documents up to this size are rendered into memory at open.
constexpr uint64_t kSmallDocument = 1 << 20;
// Ring buffer of one stream, and the history kept behind the furthest read.
constexpr size_t kStreamCapacity = 2 << 20;
constexpr uint64_t kKeepBehind = 512 << 10;
constexpr size_t kMaxStreams = 2;

// The size pass: counts bytes and collects checkpoints.
class CountingOutput final : public DocumentOutput {
 public:
  explicit CountingOutput(std::vector<DocumentCheckpoint>* checkpoints)
      : checkpoints_(checkpoints) {}
  Status Append(std::string_view bytes) override {
    offset_ += bytes.size();
    return Status::Ok();
  }
  uint64_t offset() const override { return offset_; }
  bool wants_checkpoints() const override { return true; }
  void Checkpoint(std::string state) override {
    // Offset 0 is the plain start; equal offsets add nothing.
    const uint64_t last =
        checkpoints_->empty() ? 0 : checkpoints_->back().offset;
    if (offset_ > last) checkpoints_->push_back({offset_, std::move(state)});
  }

 private:
  std::vector<DocumentCheckpoint>* checkpoints_;
  uint64_t offset_ = 0;
};

// Renders into a string (small and volatile documents).
class StringOutput final : public DocumentOutput {
 public:
  explicit StringOutput(std::string* out) : out_(out) {}
  Status Append(std::string_view bytes) override {
    out_->append(bytes);
    return Status::Ok();
  }
  uint64_t offset() const override { return out_->size(); }
  bool wants_checkpoints() const override { return false; }
  void Checkpoint(std::string) override {}

 private:
  std::string* out_;
};

// The result of a size pass. `failure` is the render error when the
// document could not be rendered to the end: `size->size` then counts the
// bytes before the error, and reads that reach it fail.
struct Sized {
  std::shared_ptr<const DocumentSize> size;
  Status failure;
};

// A whole rendering in memory. `failure` as in Sized.
class MemoryHandle final : public FileHandle {
 public:
  MemoryHandle(std::string data, Status failure)
      : data_(std::move(data)), failure_(std::move(failure)) {}
  Result<size_t> Read(uint64_t offset, size_t size, char* buf) override {
    if (!failure_.ok() && offset + size > data_.size()) return failure_;
    if (offset >= data_.size()) return size_t{0};
    const size_t n = std::min<uint64_t>(size, data_.size() - offset);
    std::memcpy(buf, data_.data() + offset, n);
    return n;
  }

 private:
  const std::string data_;
  const Status failure_;
};

// A fixed-capacity byte ring.
class Ring {
 public:
  explicit Ring(size_t capacity)
      : data_(new char[capacity]), capacity_(capacity) {}
  size_t size() const { return size_; }
  size_t space() const { return capacity_ - size_; }
  void Push(const char* p, size_t n) {  // REQUIRES: n <= space()
    const size_t tail = (head_ + size_) % capacity_;
    const size_t first = std::min(n, capacity_ - tail);
    std::memcpy(data_.get() + tail, p, first);
    std::memcpy(data_.get(), p + first, n - first);
    size_ += n;
  }
  void Drop(size_t n) {  // REQUIRES: n <= size()
    head_ = (head_ + n) % capacity_;
    size_ -= n;
  }
  void Copy(size_t from, size_t n, char* dst) const {  // from + n <= size()
    const size_t at = (head_ + from) % capacity_;
    const size_t first = std::min(n, capacity_ - at);
    std::memcpy(dst, data_.get() + at, first);
    std::memcpy(dst + first, data_.get(), n - first);
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_;
  size_t head_ = 0;
  size_t size_ = 0;
};

class StreamHandle final : public FileHandle {
 public:
  StreamHandle(MountContext* ctx, std::shared_ptr<const Document> doc,
               Sized sized)
      : ctx_(ctx), doc_(std::move(doc)), sized_(std::move(sized)) {}
  ~StreamHandle() override;
  Result<size_t> Read(uint64_t offset, size_t size, char* buf) override;

 private:
  // One render in progress. Guarded by the handle's mu_, except `thread`.
  struct Stream {
    explicit Stream(uint64_t from) : start(from), produced(from) {}
    std::thread thread;
    Ring ring{kStreamCapacity};
    uint64_t start;         // document offset of ring's first byte
    uint64_t produced;      // document offset of the renderer's next byte
    uint64_t skip_to = 0;   // bytes before this offset are not kept
    uint64_t furthest = 0;  // furthest offset a reader got to
    std::multiset<uint64_t> readers;  // positions of readers waiting here
    uint64_t last_use = 0;
    bool cancel = false;
    bool done = false;
    Status status;
    uint64_t end() const { return start + ring.size(); }
  };
  class Output;

  Status Push(Stream* s, std::string_view bytes);  // producer side
  void RunProducer(Stream* s, const std::string* state);
  // The stream that serves `pos` (creating or restarting one), with `pos`
  // registered in its readers (so it is neither trimmed past `pos` nor
  // replaced); nullptr when every stream is busy elsewhere (the caller
  // waits and retries). May unlock `lock` while it joins a cancelled stream.
  Stream* StreamFor(std::unique_lock<std::mutex>& lock, uint64_t pos);
  // Offset of the nearest checkpoint at or before `pos` (0: the start).
  const DocumentCheckpoint* CheckpointBefore(uint64_t pos) const;
  bool Serves(const Stream& s, uint64_t pos) const;

  MountContext* const ctx_;
  const std::shared_ptr<const Document> doc_;
  const Sized sized_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Stream>> streams_;
  uint64_t tick_ = 0;
};

class StreamHandle::Output final : public DocumentOutput {
 public:
  Output(StreamHandle* h, Stream* s) : h_(h), s_(s), offset_(s->produced) {}
  Status Append(std::string_view bytes) override {
    SSTFS_RETURN_IF_ERROR(h_->Push(s_, bytes));
    offset_ += bytes.size();
    return Status::Ok();
  }
  uint64_t offset() const override { return offset_; }
  bool wants_checkpoints() const override { return false; }
  void Checkpoint(std::string) override {}

 private:
  StreamHandle* h_;
  Stream* s_;
  uint64_t offset_;  // this thread's copy of s_->produced
};

StreamHandle::~StreamHandle() {
  std::vector<std::unique_ptr<Stream>> streams;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& s : streams_) s->cancel = true;
    streams.swap(streams_);
    cv_.notify_all();
  }
  for (auto& s : streams) s->thread.join();
}

Status StreamHandle::Push(Stream* s, std::string_view bytes) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!bytes.empty()) {
    if (s->cancel) return Status::IoError("render cancelled");
    if (s->produced < s->skip_to) {  // before the first byte anyone wants
      const size_t n =
          std::min<uint64_t>(bytes.size(), s->skip_to - s->produced);
      bytes.remove_prefix(n);
      s->produced += n;
      if (s->ring.size() == 0) s->start = s->produced;
      continue;
    }
    if (s->ring.space() == 0) {
      // Full: drop history no reader needs any more, else wait for readers.
      // A reader waiting beyond the window counts as the furthest point.
      uint64_t furthest = s->furthest;
      if (!s->readers.empty()) {
        furthest = std::max(furthest, *s->readers.rbegin());
      }
      uint64_t limit = furthest > kKeepBehind ? furthest - kKeepBehind : 0;
      if (!s->readers.empty()) limit = std::min(limit, *s->readers.begin());
      if (limit > s->start) {
        const uint64_t n = std::min<uint64_t>(limit - s->start, s->ring.size());
        s->ring.Drop(n);
        s->start += n;
      } else {
        cv_.wait(lock);
      }
      continue;
    }
    const size_t n = std::min(bytes.size(), s->ring.space());
    s->ring.Push(bytes.data(), n);
    bytes.remove_prefix(n);
    s->produced += n;
    cv_.notify_all();
  }
  return Status::Ok();
}

void StreamHandle::RunProducer(Stream* s, const std::string* state) {
  Output out(this, s);
  const uint64_t from = s->produced;
  Status st = doc_->Render(state, &out);
  bool report = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s->done = true;
    report = !st.ok() && !s->cancel;
    s->status = std::move(st);
    cv_.notify_all();
    ctx_->bytes_rendered.fetch_add(s->produced - from,
                                   std::memory_order_relaxed);
  }
  if (report) ctx_->errors().Report(s->status);
}

const DocumentCheckpoint* StreamHandle::CheckpointBefore(uint64_t pos) const {
  const auto& cps = sized_.size->checkpoints;
  auto it = std::upper_bound(
      cps.begin(), cps.end(), pos,
      [](uint64_t p, const DocumentCheckpoint& c) { return p < c.offset; });
  return it == cps.begin() ? nullptr : &*(it - 1);
}

bool StreamHandle::Serves(const Stream& s, uint64_t pos) const {
  if (s.cancel || pos < s.start) return false;
  if (pos <= s.end()) return true;
  // Ahead of the stream: rendering on to `pos` is cheaper than a restart
  // unless a checkpoint lies well beyond what the stream has produced.
  const DocumentCheckpoint* c = CheckpointBefore(pos);
  const uint64_t restart_at = c == nullptr ? 0 : c->offset;
  return restart_at <= s.produced + kCheckpointInterval;
}

StreamHandle::Stream* StreamHandle::StreamFor(
    std::unique_lock<std::mutex>& lock, uint64_t pos) {
  for (auto& s : streams_) {
    if (Serves(*s, pos)) {
      s->readers.insert(pos);
      // A reader beyond a full window lets its producer drop history.
      cv_.notify_all();
      return s.get();
    }
  }
  // A new stream, in a free slot or in place of the least recently used
  // stream that no reader is waiting on.
  size_t slot = streams_.size();
  if (streams_.size() >= kMaxStreams) {
    for (size_t i = 0; i < streams_.size(); ++i) {
      if (!streams_[i]->readers.empty()) continue;
      if (slot == streams_.size() ||
          streams_[i]->last_use < streams_[slot]->last_use) {
        slot = i;
      }
    }
    if (slot == streams_.size()) return nullptr;
  }
  const DocumentCheckpoint* c = CheckpointBefore(pos);
  auto fresh = std::make_unique<Stream>(c == nullptr ? 0 : c->offset);
  fresh->skip_to = pos;
  fresh->furthest = pos;
  fresh->readers.insert(pos);  // so that no one replaces it while unlocked
  Stream* raw = fresh.get();
  std::unique_ptr<Stream> old;
  if (slot == streams_.size()) {
    streams_.push_back(std::move(fresh));
  } else {
    old = std::move(streams_[slot]);
    old->cancel = true;
    streams_[slot] = std::move(fresh);
  }
  std::optional<std::string> state;
  if (c != nullptr) state = c->state;
  raw->thread = std::thread([this, raw, state = std::move(state)] {
    RunProducer(raw, state ? &*state : nullptr);
  });
  if (old != nullptr) {
    // The cancelled producer needs mu_ to notice; join it unlocked.
    cv_.notify_all();
    lock.unlock();
    old->thread.join();
    lock.lock();
  }
  return raw;
}

Result<size_t> StreamHandle::Read(uint64_t offset, size_t size, char* buf) {
  const uint64_t total = sized_.size->size;
  if (sized_.failure.ok()) {
    if (offset >= total) return size_t{0};
    size = std::min<uint64_t>(size, total - offset);
  }
  std::unique_lock<std::mutex> lock(mu_);
  size_t got = 0;
  Stream* s = nullptr;
  auto leave = [&] {
    if (s != nullptr) s->readers.erase(s->readers.find(offset + got));
    s = nullptr;
  };
  while (got < size) {
    const uint64_t pos = offset + got;
    if (s == nullptr || !Serves(*s, pos)) {
      leave();
      s = StreamFor(lock, pos);  // registers `pos` as a reader of it
      if (s == nullptr) {
        cv_.wait(lock);
        continue;
      }
    }
    s->last_use = ++tick_;
    if (pos < s->end()) {
      const size_t n = std::min<uint64_t>(size - got, s->end() - pos);
      s->ring.Copy(pos - s->start, n, buf + got);
      s->readers.erase(s->readers.find(pos));
      got += n;
      s->readers.insert(offset + got);
      s->furthest = std::max(s->furthest, offset + got);
      cv_.notify_all();  // the producer may drop what was just read
      continue;
    }
    if (s->done) {
      Status st = s->status;
      leave();
      if (!st.ok()) return st;
      break;  // the render ended early: end of file
    }
    cv_.wait(lock);
  }
  leave();
  return got;
}

class DocumentFile final : public Node {
 public:
  DocumentFile(MountContext* ctx, std::shared_ptr<const Document> doc,
               const NodeAttr& attr, CachePolicy policy)
      : ctx_(ctx),
        doc_(std::move(doc)),
        attr_(attr),
        policy_(policy),
        identity_(policy == CachePolicy::kImmutable ? doc_->Identity() : "") {
    attr_.is_dir = false;
  }

  bool is_dir() const override { return false; }
  CachePolicy cache_policy() const override { return policy_; }

  Result<NodeAttr> GetAttr() override {
    NodeAttr a = attr_;
    if (policy_ == CachePolicy::kVolatile) {
      std::string text;
      (void)RenderAll(&text);  // errors show as a shorter file
      a.size = text.size();
    } else {
      a.size = EnsureSize().size->size;
    }
    return a;
  }

  Result<std::unique_ptr<FileHandle>> Open() override {
    if (policy_ == CachePolicy::kVolatile) {
      std::string text;
      Status st = RenderAll(&text);
      // Fresh content each open; a failure fails this open only.
      if (!st.ok()) return st;
      return std::unique_ptr<FileHandle>(
          new MemoryHandle(std::move(text), Status::Ok()));
    }
    Sized sized = EnsureSize();
    if (sized.size->size < kSmallDocument) {
      std::string text;
      text.reserve(sized.size->size);
      Status st = RenderAll(&text);
      if (!st.ok()) {
        ctx_->errors().Report(st);
        if (sized.failure.ok()) sized.failure = st;
      }
      return std::unique_ptr<FileHandle>(
          new MemoryHandle(std::move(text), sized.failure));
    }
    return std::unique_ptr<FileHandle>(
        new StreamHandle(ctx_, doc_, std::move(sized)));
  }

  // The exact size, computed once: from SizeCache, else by a counting pass.
  Sized EnsureSize() {
    std::lock_guard<std::mutex> lock(size_mu_);
    if (sized_.size != nullptr) return sized_;
    if (auto cached = ctx_->sizes().Get(identity_)) {
      sized_.size = std::move(cached);
      return sized_;
    }
    DocumentSize entry;
    CountingOutput out(&entry.checkpoints);
    Status st = doc_->Render(nullptr, &out);
    entry.size = out.offset();
    if (st.ok()) {
      sized_.size =
          ctx_->sizes().Put(identity_, std::move(entry), doc_->persist_size());
    } else {
      // Not cached: a damaged file is rendered again after a remount. One
      // byte past what rendered: the kernel never reads beyond the size, so
      // without it a file that fails at its first byte would read as empty
      // instead of failing with EIO.
      ctx_->errors().Report(st);
      entry.size += 1;
      sized_.size = std::make_shared<const DocumentSize>(std::move(entry));
      sized_.failure = std::move(st);
    }
    return sized_;
  }

 private:
  Status RenderAll(std::string* text) const {
    StringOutput out(text);
    Status st = doc_->Render(nullptr, &out);
    ctx_->bytes_rendered.fetch_add(text->size(), std::memory_order_relaxed);
    return st;
  }

  MountContext* const ctx_;
  const std::shared_ptr<const Document> doc_;
  NodeAttr attr_;
  const CachePolicy policy_;
  const std::string identity_;
  std::mutex size_mu_;
  Sized sized_;
};

}  // namespace

std::shared_ptr<Node> MakeDocumentFile(MountContext* ctx,
                                       std::shared_ptr<const Document> doc,
                                       const NodeAttr& attr,
                                       CachePolicy policy) {
  return std::make_shared<DocumentFile>(ctx, std::move(doc), attr, policy);
}

void ScheduleSizePass(MountContext* ctx, const std::shared_ptr<Node>& file) {
  auto doc_file = std::dynamic_pointer_cast<DocumentFile>(file);
  if (doc_file == nullptr ||
      doc_file->cache_policy() != CachePolicy::kImmutable)
    return;
  // The task holds the node until it ran (or was dropped at unmount).
  ctx->RunInBackground("size pass",
                       [doc_file] { (void)doc_file->EnsureSize(); });
}

}  // namespace sstablefs::fs
