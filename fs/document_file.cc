// File nodes over Documents (fs/document.h): the size pass, and the open
// file handles that serve reads.
//
// Reads of a large document are served by spans. The size pass leaves
// checkpoints about every kCheckpointInterval bytes; a span is a run of
// whole checkpoint segments [c_i, c_j), so a render started at c_i with the
// checkpoint's state produces exactly its bytes and stops at c_j. Each span
// has a producer thread rendering into a bounded ring; readers (FUSE read
// requests, several at once on one handle) copy out of it.
//  - A sequential reader gets spans of at least kSpanBytes, and the next
//    kPrefetchSpans spans are rendered ahead in parallel, so a `cat` uses
//    every core instead of one.
//  - A random read gets the one segment that holds it: the render starts at
//    the checkpoint before it, never at the start of the file.
//  - A span longer than its ring (one huge partition has no checkpoint
//    inside) streams: the producer waits for readers, keeping a little
//    history behind the furthest read, because the kernel's readahead can
//    deliver neighbouring requests slightly out of order.
// A handle keeps up to kMaxStreams spans (least recently used go first,
// never one a reader waits on), so two readers of one open file (or a
// `tail` while `cat` runs) do not cancel each other.
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
// Ring buffer of one span (smaller when the span is), and the history kept
// behind the furthest read when a span streams.
constexpr size_t kStreamCapacity = 3 << 20;
constexpr uint64_t kKeepBehind = 512 << 10;
// Sequential reading: span length and how many spans render ahead.
constexpr uint64_t kSpanBytes = 2 << 20;
constexpr size_t kPrefetchSpans = 2;
constexpr size_t kMaxStreams = kPrefetchSpans + 2;
// A random read renders from the checkpoint before it to this far past it.
constexpr uint64_t kRandomSpanBytes = 256 << 10;
// A read this close to where the previous one ended counts as sequential
// (the kernel's readahead requests arrive slightly out of order).
constexpr uint64_t kSequentialSlack = 1 << 20;

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
  // One span being rendered. Guarded by the handle's mu_, except `thread`.
  struct Stream {
    Stream(uint64_t from, uint64_t to)
        : ring(std::max<uint64_t>(
              1, std::min<uint64_t>(to - from, kStreamCapacity))),
          start(from),
          produced(from),
          limit(to) {}
    std::thread thread;
    Ring ring;
    uint64_t start;         // document offset of ring's first byte
    uint64_t produced;      // document offset of the renderer's next byte
    const uint64_t limit;   // span end: the render stops here
    uint64_t skip_to = 0;   // bytes before this offset are not kept
    uint64_t furthest = 0;  // furthest offset a reader got to
    std::multiset<uint64_t> readers;  // positions of readers waiting here
    uint64_t last_use = 0;
    bool cancel = false;
    bool done = false;
    Status status;
    uint64_t end() const { return start + ring.size(); }
  };
  struct Span {
    const DocumentCheckpoint* checkpoint;  // nullptr: the document start
    uint64_t from;
    uint64_t to;
  };
  class Output;

  Status Push(Stream* s, std::string_view bytes);  // producer side
  void RunProducer(Stream* s, const std::string* state);
  // The span holding `pos`: from the checkpoint at or before it to the next
  // checkpoint (at most kRandomSpanBytes past `pos`), or (sequential) whole
  // checkpoint segments of at least kSpanBytes.
  Span SpanAt(uint64_t pos, bool sequential) const;
  // The stream that serves `pos` (creating one), with `pos` registered in
  // its readers (so it is neither trimmed past `pos` nor replaced); nullptr
  // when every stream is busy elsewhere (the caller waits and retries).
  // May unlock `lock` while it joins a cancelled stream.
  Stream* StreamFor(std::unique_lock<std::mutex>& lock, uint64_t pos,
                    bool sequential);
  // Starts a producer for `span` in a free slot or in place of the least
  // recently used stream no reader waits on (nullptr if none). `reader`:
  // the offset to register as waiting, if any. The result may be used only
  // if `reader` was given; may unlock `lock` (see StreamFor).
  // `at` is where the reader is: a span behind it is replaced first, and
  // with `keep_ahead` (prefetching) a span ahead of it is never replaced.
  Stream* Start(std::unique_lock<std::mutex>& lock, const Span& span,
                std::optional<uint64_t> reader, uint64_t at, bool keep_ahead);
  // Starts the spans after `s` that are not rendering yet, up to
  // kPrefetchSpans ahead. `at`: the reader's position in `s`.
  void Prefetch(std::unique_lock<std::mutex>& lock, const Stream& s,
                uint64_t at);
  bool Serves(const Stream& s, uint64_t pos) const {
    return !s.cancel && pos >= s.start && pos < s.limit;
  }

  MountContext* const ctx_;
  const std::shared_ptr<const Document> doc_;
  const Sized sized_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Stream>> streams_;
  uint64_t tick_ = 0;
  uint64_t last_end_ = 0;  // where the previous read ended
};

class StreamHandle::Output final : public DocumentOutput {
 public:
  Output(StreamHandle* h, Stream* s)
      : h_(h), s_(s), offset_(s->produced), limit_(s->limit) {}
  Status Append(std::string_view bytes) override {
    if (bytes.size() > limit_ - offset_)
      bytes = bytes.substr(0, limit_ - offset_);
    SSTFS_RETURN_IF_ERROR(h_->Push(s_, bytes));
    offset_ += bytes.size();
    if (offset_ == limit_) {
      // Stops the renderer: its status is returned as is, and
      // RunProducer() knows the span is complete.
      reached_limit_ = true;
      return Status::IoError("span rendered");
    }
    return Status::Ok();
  }
  uint64_t offset() const override { return offset_; }
  uint64_t limit() const override { return limit_; }
  bool wants_checkpoints() const override { return false; }
  void Checkpoint(std::string) override {}
  bool reached_limit() const { return reached_limit_; }

 private:
  StreamHandle* h_;
  Stream* s_;
  uint64_t offset_;  // this thread's copy of s_->produced
  const uint64_t limit_;
  bool reached_limit_ = false;
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
  if (out.reached_limit()) st = Status::Ok();
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

StreamHandle::Span StreamHandle::SpanAt(uint64_t pos, bool sequential) const {
  const auto& cps = sized_.size->checkpoints;
  // The last checkpoint at or before `pos`, then the first at or after the
  // span's minimum end.
  auto after = std::upper_bound(
      cps.begin(), cps.end(), pos,
      [](uint64_t p, const DocumentCheckpoint& c) { return p < c.offset; });
  Span span;
  span.checkpoint = after == cps.begin() ? nullptr : &*(after - 1);
  span.from = span.checkpoint == nullptr ? 0 : span.checkpoint->offset;
  const uint64_t min_end =
      sequential ? std::max(pos + 1, span.from + kSpanBytes) : pos + 1;
  auto end = std::lower_bound(
      after, cps.end(), min_end,
      [](const DocumentCheckpoint& c, uint64_t p) { return c.offset < p; });
  span.to = end == cps.end() ? sized_.size->size : end->offset;
  // A random read needs its own bytes and what readahead asks for around
  // them, not the rest of a segment that may be one large partition.
  if (!sequential) span.to = std::min(span.to, pos + kRandomSpanBytes);
  return span;
}

StreamHandle::Stream* StreamHandle::Start(std::unique_lock<std::mutex>& lock,
                                          const Span& span,
                                          std::optional<uint64_t> reader,
                                          uint64_t at, bool keep_ahead) {
  size_t slot = streams_.size();
  if (streams_.size() >= kMaxStreams) {
    // The victim: no reader waits on it; spans wholly behind `at` go first
    // (least recently used first), then, unless `keep_ahead`, the others.
    auto worse = [&](const Stream& a, const Stream& b) {
      const bool a_behind = a.limit <= at, b_behind = b.limit <= at;
      if (a_behind != b_behind) return a_behind;
      return a.last_use < b.last_use;
    };
    for (size_t i = 0; i < streams_.size(); ++i) {
      const Stream& c = *streams_[i];
      if (!c.readers.empty() || (keep_ahead && c.limit > at)) continue;
      if (slot == streams_.size() || worse(c, *streams_[slot])) slot = i;
    }
    if (slot == streams_.size()) return nullptr;
  }
  auto fresh = std::make_unique<Stream>(span.from, span.to);
  // A span that fits its ring is kept whole (later reads of the segment,
  // readahead out of order); a longer one keeps what the reader wants.
  if (reader && span.to - span.from > kStreamCapacity) {
    fresh->skip_to = *reader;
    fresh->furthest = *reader;
  }
  if (reader) fresh->readers.insert(*reader);  // not replaced while unlocked
  fresh->last_use = ++tick_;
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
  if (span.checkpoint != nullptr) state = span.checkpoint->state;
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

StreamHandle::Stream* StreamHandle::StreamFor(
    std::unique_lock<std::mutex>& lock, uint64_t pos, bool sequential) {
  for (auto& s : streams_) {
    if (Serves(*s, pos)) {
      s->readers.insert(pos);
      // A reader beyond a full window lets its producer drop history.
      cv_.notify_all();
      return s.get();
    }
  }
  return Start(lock, SpanAt(pos, sequential), pos, pos, /*keep_ahead=*/false);
}

void StreamHandle::Prefetch(std::unique_lock<std::mutex>& lock, const Stream& s,
                            uint64_t at) {
  uint64_t next = s.limit;
  for (size_t ahead = 0; ahead < kPrefetchSpans; ++ahead) {
    if (next >= sized_.size->size) return;
    const Stream* found = nullptr;
    for (const auto& t : streams_) {
      if (!t->cancel && t->start <= next && next < t->limit) found = t.get();
    }
    if (found != nullptr) {
      next = found->limit;
      continue;
    }
    const Span span = SpanAt(next, /*sequential=*/true);
    if (Start(lock, span, std::nullopt, at, /*keep_ahead=*/true) == nullptr) {
      return;
    }
    next = span.to;
  }
}

Result<size_t> StreamHandle::Read(uint64_t offset, size_t size, char* buf) {
  const uint64_t total = sized_.size->size;
  if (sized_.failure.ok()) {
    if (offset >= total) return size_t{0};
    size = std::min<uint64_t>(size, total - offset);
  }
  std::unique_lock<std::mutex> lock(mu_);
  const bool sequential = offset + kSequentialSlack >= last_end_ &&
                          offset <= last_end_ + kSequentialSlack;
  last_end_ = std::max(last_end_, offset + size);
  if (!sequential) last_end_ = offset + size;
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
      s = StreamFor(lock, pos, sequential);  // registers `pos` as a reader
      if (s == nullptr) {
        cv_.wait(lock);
        continue;
      }
      if (sequential) Prefetch(lock, *s, pos);
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
    Status st = CountSize(&entry);
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
  // The size pass: counts bytes and collects checkpoints, on every core
  // when the document can be cut into pieces (each piece counted from its
  // cut, then the pieces joined: offsets shifted, each cut a checkpoint).
  Status CountSize(DocumentSize* entry) const {
    const size_t cores = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::string> cuts;
    if (cores > 1) cuts = doc_->SizeSplits(cores);
    if (!cuts.empty()) {
      const size_t n = cuts.size() + 1;
      std::vector<DocumentSize> pieces(n);
      std::vector<Status> status(n);
      std::vector<std::thread> threads;
      for (size_t i = 0; i < n; ++i) {
        threads.emplace_back([&, i] {
          CountingOutput out(&pieces[i].checkpoints);
          status[i] = doc_->RenderRange(i == 0 ? nullptr : &cuts[i - 1],
                                        i + 1 < n ? &cuts[i] : nullptr, &out);
          pieces[i].size = out.offset();
        });
      }
      for (std::thread& t : threads) t.join();
      bool ok = true;
      for (const Status& s : status) ok = ok && s.ok();
      if (ok) {
        uint64_t base = 0;
        for (size_t i = 0; i < n; ++i) {
          auto add = [&](uint64_t offset, std::string state) {
            const uint64_t last = entry->checkpoints.empty()
                                      ? 0
                                      : entry->checkpoints.back().offset;
            if (offset > last) {
              entry->checkpoints.push_back({offset, std::move(state)});
            }
          };
          if (i > 0) add(base, cuts[i - 1]);
          for (DocumentCheckpoint& c : pieces[i].checkpoints) {
            add(base + c.offset, std::move(c.state));
          }
          base += pieces[i].size;
        }
        entry->size = base;
        return Status::Ok();
      }
      // A damaged input: the sequential pass finds where the bytes stop.
    }
    entry->checkpoints.clear();
    CountingOutput out(&entry->checkpoints);
    Status st = doc_->Render(nullptr, &out);
    entry->size = out.offset();
    return st;
  }

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
