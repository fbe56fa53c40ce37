// Document files (fs/document.h, fs/document_file.cc) and the size cache
// (fs/size_cache.h), driven without a kernel: a fake Document with
// checkpoints is the model; every read must equal the model's full render.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fs/document.h"
#include "fs/mount_context.h"
#include "fs/size_cache.h"
#include "tests/test_util.h"

namespace sstablefs::fs {
namespace {

// Lines of varying length, "<n>:<n*7 % 97 'x's>\n". Checkpoints after whole
// lines every `interval` bytes; state = the next line number. Optionally
// fails with kCorruption when it reaches line `fail_at`.
class LinesDocument : public Document {
 public:
  LinesDocument(int lines, uint64_t interval, int fail_at = -1,
                std::string id = "lines")
      : lines_(lines),
        interval_(interval),
        fail_at_(fail_at),
        id_(std::move(id)) {}

  std::string Identity() const override {
    return id_ + ":" + std::to_string(lines_) + ":" + std::to_string(fail_at_);
  }

  Status Render(const std::string* start, DocumentOutput* out) const override {
    return RenderRange(start, nullptr, out);
  }

  // With set_splits(): cuts at whole lines, as a table is cut at partitions.
  void set_splits(bool on) { splits_ = on; }
  std::vector<std::string> SizeSplits(size_t parts) const override {
    std::vector<std::string> cuts;
    if (!splits_) return cuts;
    for (size_t i = 1; i < parts; ++i) {
      cuts.push_back(std::to_string(lines_ * i / parts));
    }
    return cuts;
  }

  Status RenderRange(const std::string* start, const std::string* stop,
                     DocumentOutput* out) const override {
    renders.fetch_add(1);
    int line = start == nullptr ? 0 : std::stoi(*start);
    if (start != nullptr) restarts.fetch_add(1);
    const int end = stop == nullptr ? lines_ : std::stoi(*stop);
    std::string buf;
    uint64_t last_checkpoint = out->offset();
    for (; line < end; ++line) {
      if (line == fail_at_) {
        SSTFS_RETURN_IF_ERROR(out->Append(buf));
        return Status::Corruption("lines.db", 1234, "bad line");
      }
      buf += Line(line);
      if (buf.size() >= 64 * 1024) {
        SSTFS_RETURN_IF_ERROR(out->Append(buf));
        buf.clear();
      }
      if (out->wants_checkpoints() &&
          out->offset() + buf.size() - last_checkpoint >= interval_) {
        SSTFS_RETURN_IF_ERROR(out->Append(buf));
        buf.clear();
        out->Checkpoint(std::to_string(line + 1));
        last_checkpoint = out->offset();
      }
    }
    return out->Append(buf);
  }

  static std::string Line(int n) {
    return std::to_string(n) + ":" + std::string(n * 7 % 97, 'x') + "\n";
  }
  // The model: every byte, rendered directly.
  std::string Expected() const {
    std::string s;
    for (int i = 0; i < lines_ && i != fail_at_; ++i) s += Line(i);
    return s;
  }

  mutable std::atomic<int> renders{0};
  bool splits_ = false;
  mutable std::atomic<int> restarts{0};

 private:
  int lines_;
  uint64_t interval_;
  int fail_at_;
  std::string id_;
};

std::string TempDir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "sstfs_docfile_" + name + "_" +
                    std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

MountOptions Options(const std::string& cache_dir) {
  MountOptions o;
  o.source = "/nonexistent-source";
  o.cache_dir = cache_dir;
  return o;
}

NodeAttr FileAttr() {
  NodeAttr a;
  a.mode = 0444;
  return a;
}

std::string ReadAll(FileHandle* h, uint64_t from, size_t chunk) {
  std::string out;
  std::vector<char> buf(chunk);
  for (uint64_t off = from;;) {
    Result<size_t> n = h->Read(off, chunk, buf.data());
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (!n.ok() || *n == 0) break;
    out.append(buf.data(), *n);
    off += *n;
  }
  return out;
}

TEST(DocumentFileTest, SizeIsExactAndSequentialReadMatches) {
  MountContext ctx(Options(""));
  auto doc = std::make_shared<LinesDocument>(120000, 256 << 10);
  const std::string expected = doc->Expected();
  ASSERT_GT(expected.size(), 4u << 20);  // takes the streaming path
  auto file = MakeDocumentFile(&ctx, doc, FileAttr());
  Result<NodeAttr> attr = file->GetAttr();
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->size, expected.size());
  EXPECT_EQ(attr->mode, 0444u);
  EXPECT_FALSE(attr->is_dir);
  // A second GetAttr does not render again.
  const int renders = doc->renders.load();
  ASSERT_TRUE(file->GetAttr().ok());
  EXPECT_EQ(doc->renders.load(), renders);

  for (size_t chunk : {size_t{4096}, size_t{128 << 10}, size_t{1 << 20}}) {
    auto h = file->Open();
    ASSERT_TRUE(h.ok());
    EXPECT_TRUE(ReadAll(h->get(), 0, chunk) == expected) << "chunk " << chunk;
  }
}

TEST(DocumentFileTest, RandomReadsEqualTheFullRenderAndUseCheckpoints) {
  MountContext ctx(Options(""));
  auto doc = std::make_shared<LinesDocument>(120000, 256 << 10);
  const std::string expected = doc->Expected();
  auto file = MakeDocumentFile(&ctx, doc, FileAttr());
  ASSERT_TRUE(file->GetAttr().ok());
  auto h = file->Open();
  ASSERT_TRUE(h.ok());
  std::mt19937_64 rng(42);
  std::vector<char> buf(300000);
  for (int i = 0; i < 200; ++i) {
    const uint64_t off = rng() % (expected.size() + 1000);
    const size_t len = 1 + rng() % buf.size();
    Result<size_t> n = (*h)->Read(off, len, buf.data());
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    const size_t want =
        off >= expected.size() ? 0 : std::min(len, expected.size() - off);
    ASSERT_EQ(*n, want) << "offset " << off;
    ASSERT_TRUE(std::string_view(buf.data(), *n) ==
                std::string_view(expected).substr(
                    std::min<uint64_t>(off, expected.size()), want))
        << "bytes differ at offset " << off << " length " << len;
  }
  // Jumping around restarted renders from checkpoints, not from the start.
  EXPECT_GT(doc->restarts.load(), 0);
  // Closing the handle joins its producers (spans rendering ahead), so the
  // count below sees only the tail read's renders.
  h->reset();
  // `tail`: the last bytes need at most one checkpoint interval of render.
  auto tail = file->Open();
  ASSERT_TRUE(tail.ok());
  const int restarts = doc->restarts.load();
  Result<size_t> n = (*tail)->Read(expected.size() - 100, 100, buf.data());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buf.data(), *n),
            expected.substr(expected.size() - 100));
  EXPECT_EQ(doc->restarts.load(), restarts + 1);
}

// A sequential reader is served by spans that start at checkpoints and are
// rendered ahead (on other threads) without re-rendering much; a random read
// renders from the checkpoint before it to a bounded distance past it.
TEST(DocumentFileTest, SequentialReadsRenderAheadAndRandomReadsStayBounded) {
  MountContext ctx(Options(""));
  auto doc = std::make_shared<LinesDocument>(120000, 64 << 10);
  const std::string expected = doc->Expected();
  auto file = MakeDocumentFile(&ctx, doc, FileAttr());
  ASSERT_TRUE(file->GetAttr().ok());
  auto h = file->Open();
  ASSERT_TRUE(h.ok());
  std::vector<char> buf(128 << 10);
  for (uint64_t off = 0; off < expected.size(); off += buf.size()) {
    Result<size_t> n = (*h)->Read(off, buf.size(), buf.data());
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    ASSERT_TRUE(std::string_view(buf.data(), *n) ==
                std::string_view(expected).substr(off, buf.size()))
        << "offset " << off;
  }
  h->reset();
  EXPECT_GE(doc->restarts.load(), 2);  // spans after the first
  const uint64_t sequential = ctx.bytes_rendered.load();
  EXPECT_GE(sequential, expected.size());
  EXPECT_LE(sequential, expected.size() + expected.size() / 4);

  auto r = file->Open();
  ASSERT_TRUE(r.ok());
  const uint64_t mid = expected.size() / 2;
  Result<size_t> n = (*r)->Read(mid, 4096, buf.data());
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(std::string_view(buf.data(), *n) ==
              std::string_view(expected).substr(mid, 4096));
  r->reset();
  // From the checkpoint before `mid` (< 64 KiB + one line behind) to at
  // most 256 KiB past it.
  EXPECT_LE(ctx.bytes_rendered.load() - sequential,
            uint64_t{(64 << 10) + (256 << 10) + 4096});
}

// The size pass cut into pieces counted on several threads gives the size
// and (joined) checkpoints of one sequential pass: reads restarted from
// them return the model's bytes. A damaged document falls back to the
// sequential pass, which finds where its bytes stop.
TEST(DocumentFileTest, SizePassOnSeveralCoresMatchesTheSequentialOne) {
  for (int fail_at : {-1, 90000}) {
    MountContext ctx(Options(""));
    auto doc =
        std::make_shared<LinesDocument>(120000, 64 << 10, fail_at, "split");
    doc->set_splits(true);
    const std::string expected = doc->Expected();
    auto file = MakeDocumentFile(&ctx, doc, FileAttr());
    Result<NodeAttr> attr = file->GetAttr();
    ASSERT_TRUE(attr.ok());
    if (std::thread::hardware_concurrency() > 1) {
      EXPECT_GE(doc->renders.load(), 2) << "the pass was not split";
    }
    if (fail_at >= 0) {
      EXPECT_EQ(attr->size, expected.size() + 1);
      auto h = file->Open();
      ASSERT_TRUE(h.ok());
      std::vector<char> buf(4096);
      EXPECT_FALSE((*h)->Read(expected.size() - 10, 4096, buf.data()).ok());
      continue;
    }
    ASSERT_EQ(attr->size, expected.size());
    auto h = file->Open();
    ASSERT_TRUE(h.ok());
    std::mt19937_64 rng(7);
    std::vector<char> buf(8192);
    for (int i = 0; i < 100; ++i) {
      const uint64_t off = rng() % expected.size();
      Result<size_t> n = (*h)->Read(off, buf.size(), buf.data());
      ASSERT_TRUE(n.ok());
      ASSERT_TRUE(std::string_view(buf.data(), *n) ==
                  std::string_view(expected).substr(off, buf.size()))
          << "offset " << off;
    }
  }
}

// A read just beyond a full window must wake the producer waiting for room
// (it may now drop history): this once deadlocked.
TEST(DocumentFileTest, ReadBeyondAFullWindowDoesNotDeadlock) {
  MountContext ctx(Options(""));
  auto doc = std::make_shared<LinesDocument>(120000, 256 << 10);
  const std::string expected = doc->Expected();
  auto file = MakeDocumentFile(&ctx, doc, FileAttr());
  auto h = file->Open();
  ASSERT_TRUE(h.ok());
  std::vector<char> buf(1 << 20);
  ASSERT_TRUE((*h)->Read(0, 4096, buf.data()).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // ring fills
  for (uint64_t off :
       {uint64_t{2} << 20, (uint64_t{2} << 20) + 4096, uint64_t{3} << 20}) {
    auto read = std::async(std::launch::async, [&] {
      return (*h)->Read(off, 128 << 10, buf.data());
    });
    if (read.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      ADD_FAILURE() << "read at " << off << " hangs";
      std::abort();  // the handle cannot be destroyed; do not hang the suite
    }
    Result<size_t> n = read.get();
    ASSERT_TRUE(n.ok());
    EXPECT_TRUE(std::string_view(buf.data(), *n) ==
                std::string_view(expected).substr(off, 128 << 10));
  }
}

TEST(DocumentFileTest, SixteenThreadsReadIdenticalBytes) {
  MountContext ctx(Options(""));
  auto doc = std::make_shared<LinesDocument>(60000, 128 << 10);
  const std::string expected = doc->Expected();
  auto file = MakeDocumentFile(&ctx, doc, FileAttr());
  // Half the threads have their own open file, half share one (the FUSE
  // multi-threaded loop sends concurrent reads on one handle).
  auto shared = file->Open();
  ASSERT_TRUE(shared.ok());
  std::vector<std::string> got(16);
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      if (t % 2 == 0) {
        auto h = file->Open();
        if (h.ok()) got[t] = ReadAll(h->get(), 0, 64 << 10 << (t % 3));
        return;
      }
      // Shared handle: read 128 KiB blocks in an order of its own.
      const size_t block = 128 << 10;
      const size_t blocks = (expected.size() + block - 1) / block;
      std::string out(expected.size(), '\0');
      std::vector<char> buf(block);
      for (size_t i = 0; i < blocks; ++i) {
        const size_t b = (i * (2 * t + 1)) % blocks;
        Result<size_t> n = (*shared)->Read(b * block, block, buf.data());
        if (!n.ok()) return;
        out.replace(b * block, *n, buf.data(), *n);
      }
      got[t] = out;
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 16; ++t) {
    EXPECT_TRUE(got[t] == expected) << "thread " << t;
  }
}

TEST(DocumentFileTest, SmallAndVolatileDocuments) {
  MountContext ctx(Options(""));
  auto small = std::make_shared<LinesDocument>(100, 1 << 20);
  auto file = MakeDocumentFile(&ctx, small, FileAttr());
  ASSERT_EQ(file->GetAttr()->size, small->Expected().size());
  auto h = file->Open();
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(ReadAll(h->get(), 0, 7), small->Expected());
  EXPECT_EQ(ReadAll(h->get(), 50, 4096), small->Expected().substr(50));

  auto vol = MakeDocumentFile(&ctx, small, FileAttr(), CachePolicy::kVolatile);
  EXPECT_EQ(vol->cache_policy(), CachePolicy::kVolatile);
  const int renders = small->renders.load();
  ASSERT_EQ(vol->GetAttr()->size, small->Expected().size());
  auto vh = vol->Open();
  ASSERT_TRUE(vh.ok());
  EXPECT_EQ(ReadAll(vh->get(), 0, 4096), small->Expected());
  EXPECT_EQ(small->renders.load(), renders + 2);  // fresh every time
}

TEST(DocumentFileTest, RenderErrorsFailReadsThatReachThem) {
  for (int lines : {1000, 60000}) {  // in memory, and streamed
    MountContext ctx(Options(""));
    const int fail_at = lines * 3 / 4;
    auto doc = std::make_shared<LinesDocument>(lines, 128 << 10, fail_at);
    const std::string good = doc->Expected();  // the bytes before the error
    auto file = MakeDocumentFile(&ctx, doc, FileAttr());
    Result<NodeAttr> attr = file->GetAttr();
    ASSERT_TRUE(attr.ok()) << "stat keeps working on a damaged file";
    // One byte past the good part, so the kernel asks for the damaged part
    // (and gets EIO) instead of seeing a clean end of file.
    EXPECT_EQ(attr->size, good.size() + 1);
    EXPECT_GE(ctx.errors().count(), 1u);
    EXPECT_NE(ctx.errors().Text().find("lines.db"), std::string::npos);
    auto h = file->Open();
    ASSERT_TRUE(h.ok());
    std::vector<char> buf(4096);
    Result<size_t> n = (*h)->Read(0, 100, buf.data());
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(std::string(buf.data(), *n), good.substr(0, 100));
    Result<size_t> bad = (*h)->Read(good.size() - 10, 4096, buf.data());
    EXPECT_FALSE(bad.ok()) << "a read reaching the damage must fail, lines "
                           << lines;
    if (!bad.ok()) {
      EXPECT_TRUE(bad.status().IsCorruption());
    }
  }
}

TEST(SizeCacheTest, PersistsReloadsAndDiscardsDamage) {
  const std::string dir = TempDir("persist") + "/cache/sub";  // created
  auto doc = std::make_shared<LinesDocument>(60000, 128 << 10);
  uint64_t size = 0;
  size_t checkpoints = 0;
  std::string path;
  {
    MountContext ctx(Options(dir));
    auto file = MakeDocumentFile(&ctx, doc, FileAttr());
    size = file->GetAttr()->size;
    path = ctx.sizes().PathFor(doc->Identity());
    auto entry = ctx.sizes().Get(doc->Identity());
    ASSERT_NE(entry, nullptr);
    checkpoints = entry->checkpoints.size();
    EXPECT_GT(checkpoints, 5u);
    EXPECT_TRUE(ctx.sizes().persistent());
  }
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0) << path;
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(path.rfind(dir + "/", 0), 0u);

  // A new mount finds the size and checkpoints without rendering.
  const int renders = doc->renders.load();
  {
    MountContext ctx(Options(dir));
    auto file = MakeDocumentFile(&ctx, doc, FileAttr());
    EXPECT_EQ(file->GetAttr()->size, size);
    EXPECT_EQ(doc->renders.load(), renders);
    EXPECT_EQ(ctx.sizes().stats().disk_hits, 1u);
    EXPECT_EQ(ctx.sizes().Get(doc->Identity())->checkpoints.size(),
              checkpoints);
    // And reads at random places still use those checkpoints.
    auto h = file->Open();
    std::vector<char> buf(1000);
    Result<size_t> n = (*h)->Read(size / 2, 1000, buf.data());
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(std::string(buf.data(), *n),
              doc->Expected().substr(size / 2, 1000));
  }

  // Damage every byte position class: a flipped byte, a truncation, a
  // foreign identity. Each is discarded and recomputed, never trusted.
  std::optional<std::string> good = testing::ReadFileToString(path);
  ASSERT_TRUE(good.has_value());
  const std::string foreign =
      SizeCache::Encode("other identity", DocumentSize{size + 5, {}});
  std::string flipped = *good;
  flipped[flipped.size() / 2] ^= 0x40;
  for (const std::string& bad :
       {flipped, good->substr(0, good->size() - 3), foreign, std::string()}) {
    {
      std::FILE* f = std::fopen(path.c_str(), "wb");
      ASSERT_NE(f, nullptr);
      std::fwrite(bad.data(), 1, bad.size(), f);
      std::fclose(f);
    }
    const int before = doc->renders.load();
    MountContext ctx(Options(dir));
    auto file = MakeDocumentFile(&ctx, doc, FileAttr());
    EXPECT_EQ(file->GetAttr()->size, size);
    EXPECT_EQ(doc->renders.load(), before + 1) << "recomputed";
    EXPECT_EQ(ctx.sizes().stats().discarded, 1u);
    EXPECT_EQ(testing::ReadFileToString(path), good) << "rewritten";
  }
}

TEST(SizeCacheTest, UnwritableCacheDirStillWorks) {
  // A path below a regular file can never be created, even by root.
  const std::string base = TempDir("unwritable");
  const std::string file_path = base + "/plain-file";
  std::fclose(std::fopen(file_path.c_str(), "w"));
  auto doc = std::make_shared<LinesDocument>(30000, 128 << 10);
  MountContext ctx(Options(file_path + "/cache"));
  auto file = MakeDocumentFile(&ctx, doc, FileAttr());
  Result<NodeAttr> attr = file->GetAttr();
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->size, doc->Expected().size());
  EXPECT_FALSE(ctx.sizes().persistent());
  EXPECT_EQ(ctx.sizes().stats().write_errors, 1u);
  auto h = file->Open();
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(ReadAll(h->get(), 0, 128 << 10) == doc->Expected());
  EXPECT_NE(ctx.StatusJson().find("\"persistent\": false"), std::string::npos);
}

TEST(SizeCacheTest, EncodeDecodeRoundTripAndRejects) {
  DocumentSize e{12345, {{100, "a"}, {5000, std::string("b\0c", 3)}}};
  const std::string bytes = SizeCache::Encode("id", e);
  auto back = SizeCache::Decode(bytes, "id");
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->size, 12345u);
  ASSERT_EQ(back->checkpoints.size(), 2u);
  EXPECT_EQ(back->checkpoints[1].offset, 5000u);
  EXPECT_EQ(back->checkpoints[1].state, std::string("b\0c", 3));
  EXPECT_EQ(SizeCache::Decode(bytes, "id2"), nullptr);
  // Checkpoints past the size or out of order are refused.
  EXPECT_EQ(SizeCache::Decode(
                SizeCache::Encode("id", DocumentSize{10, {{100, "a"}}}), "id"),
            nullptr);
  EXPECT_EQ(
      SizeCache::Decode(
          SizeCache::Encode("id", DocumentSize{1000, {{500, ""}, {100, ""}}}),
          "id"),
      nullptr);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_EQ(SizeCache::Decode(bytes.substr(0, cut), "id"), nullptr) << cut;
  }
}

TEST(MountContextTest, BackgroundWorkAndStatus) {
  MountContext ctx(Options(""));
  auto doc = std::make_shared<LinesDocument>(20000, 128 << 10);
  auto file = MakeDocumentFile(&ctx, doc, FileAttr());
  ScheduleSizePass(&ctx, file);
  EXPECT_EQ(doc->renders.load(), 0) << "nothing runs before StartBackground";
  ctx.StartBackground();
  for (int i = 0; i < 500 && doc->renders.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (int i = 0; i < 500 && ctx.sizes().stats().entries == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(ctx.sizes().stats().entries, 1u);
  ASSERT_TRUE(file->GetAttr().ok());
  EXPECT_EQ(doc->renders.load(), 1) << "the size pass ran once";
  ctx.errors().Report("ks/t/nb-1-big-Data.db: offset 3: bad");
  ctx.errors().Report("ks/t/nb-1-big-Data.db: offset 3: bad");  // once only
  EXPECT_EQ(ctx.errors().Text(),
            "sstablefs: ks/t/nb-1-big-Data.db: offset 3: bad\n");
  const std::string status = ctx.StatusJson();
  EXPECT_NE(status.find("\"errors\": 1"), std::string::npos) << status;
  EXPECT_NE(status.find("\"background\""), std::string::npos) << status;
  EXPECT_NE(status.find("\"chunk_cache\""), std::string::npos) << status;
  EXPECT_EQ(status.back(), '\n');
  ctx.Shutdown();
  ctx.RunInBackground("after shutdown", [] { FAIL() << "must not run"; });
}

}  // namespace
}  // namespace sstablefs::fs
