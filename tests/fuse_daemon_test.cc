// A real mount of the FUSE daemon (fs/daemon.h, fs/fuse_ops.cc) over a small
// test tree defined here: listing, reading, sizes, read-only errors, damage,
// parallel readers, and unmounting (SIGTERM, fusermount3 -u, reads in
// flight). The daemon runs in a forked child, in the foreground; every test
// unmounts in TearDown, even after a failure (fusermount3 -u -z).
//
// Needs /dev/fuse and fusermount3: skipped with the reason when missing, a
// failure under CI=true.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fs/daemon.h"
#include "fs/document.h"
#include "fs/inode_table.h"
#include "fs/mount_context.h"
#include "tests/test_util.h"

namespace sstablefs::fs {
namespace {

using namespace std::chrono_literals;

// --- The test tree
// ------------------------------------------------------------

// "<n>:<x * (n*7 % 97)>\n" for n in [0, lines); checkpoints every 256 KiB.
// `sleep_per_block` slows the render (reads in flight); `fail_at` makes it
// fail with kCorruption at that line.
class LinesDocument : public Document {
 public:
  LinesDocument(std::string id, int lines, int fail_at = -1,
                std::chrono::milliseconds sleep_per_block = 0ms)
      : id_(std::move(id)),
        lines_(lines),
        fail_at_(fail_at),
        sleep_(sleep_per_block) {}
  std::string Identity() const override {
    return "test:" + id_ + ":" + std::to_string(lines_);
  }
  bool persist_size() const override { return false; }
  Status Render(const std::string* start, DocumentOutput* out) const override {
    std::string buf;
    uint64_t last = out->offset();
    for (int i = start ? std::stoi(*start) : 0; i < lines_; ++i) {
      if (i == fail_at_) {
        SSTFS_RETURN_IF_ERROR(out->Append(buf));
        return Status::Corruption("ks/t/nb-1-big-Data.db", 4096, "bad chunk");
      }
      buf += Line(i);
      if (buf.size() >= 64 * 1024) {
        if (sleep_ > 0ms) std::this_thread::sleep_for(sleep_);
        SSTFS_RETURN_IF_ERROR(out->Append(buf));
        buf.clear();
      }
      if (out->wants_checkpoints() &&
          out->offset() + buf.size() - last >= (256 << 10)) {
        SSTFS_RETURN_IF_ERROR(out->Append(buf));
        buf.clear();
        out->Checkpoint(std::to_string(i + 1));
        last = out->offset();
      }
    }
    return out->Append(buf);
  }
  static std::string Line(int n) {
    return std::to_string(n) + ":" + std::string(n * 7 % 97, 'x') + "\n";
  }
  std::string Expected() const {
    std::string s;
    for (int i = 0; i < lines_ && i != fail_at_; ++i) s += Line(i);
    return s;
  }

 private:
  std::string id_;
  int lines_;
  int fail_at_;
  std::chrono::milliseconds sleep_;
};

class StatusDocument : public Document {
 public:
  explicit StatusDocument(MountContext* ctx) : ctx_(ctx) {}
  std::string Identity() const override { return "status"; }
  Status Render(const std::string*, DocumentOutput* out) const override {
    return out->Append(ctx_->StatusJson());
  }

 private:
  MountContext* ctx_;
};

class MapCursor : public DirCursor {
 public:
  explicit MapCursor(std::vector<DirEntry> entries)
      : entries_(std::move(entries)) {}
  Result<bool> Next(DirEntry* e) override {
    if (i_ == entries_.size()) return false;
    *e = entries_[i_++];
    return true;
  }

 private:
  std::vector<DirEntry> entries_;
  size_t i_ = 0;
};

class TestDir : public Node {
 public:
  bool is_dir() const override { return true; }
  Result<NodeAttr> GetAttr() override {
    NodeAttr a;
    a.is_dir = true;
    a.mode = 0555;
    a.nlink = 2;
    a.mtime.tv_sec = 1700000000;
    return a;
  }
  Result<std::shared_ptr<Node>> Lookup(std::string_view name) override {
    auto it = children.find(std::string(name));
    if (it == children.end()) return Status::NotFound(std::string(name));
    return it->second;
  }
  Result<std::unique_ptr<DirCursor>> OpenDir() override {
    std::vector<DirEntry> entries;
    for (const auto& [name, node] : children) {
      entries.push_back({name, node->is_dir()});
    }
    return std::unique_ptr<DirCursor>(new MapCursor(std::move(entries)));
  }
  std::map<std::string, std::shared_ptr<Node>> children;
};

NodeAttr FileAttr() {
  NodeAttr a;
  a.mode = 0644;  // write bits are removed by the mount
  a.uid = 0;
  a.mtime.tv_sec = 1700000000;
  return a;
}

// The documents the parent compares against (same definitions as the
// child's tree).
const LinesDocument kHello("hello", 20);
const LinesDocument kBig("big", 150000);              // ~7.5 MiB
const LinesDocument kBroken("broken", 60000, 40000);  // fails at 3/4
const LinesDocument kSlow("slow", 150000, -1, 60ms);  // ~7 s to render

std::shared_ptr<Node> BuildTestTree(MountContext* ctx) {
  auto root = std::make_shared<TestDir>();
  auto doc = [&](const LinesDocument& d) {
    return MakeDocumentFile(ctx, std::make_shared<LinesDocument>(d),
                            FileAttr());
  };
  root->children["hello.txt"] = doc(kHello);
  root->children["big.jsonl"] = doc(kBig);
  root->children["broken.jsonl"] = doc(kBroken);
  root->children["slow.txt"] = doc(kSlow);
  root->children["status.json"] =
      MakeDocumentFile(ctx, std::make_shared<StatusDocument>(ctx), FileAttr(),
                       CachePolicy::kVolatile);
  auto many = std::make_shared<TestDir>();
  for (int i = 0; i < 3000; ++i) {
    many->children["partition-" + std::to_string(i)] = doc(kHello);
  }
  root->children["many"] = many;
  auto sub = std::make_shared<TestDir>();
  sub->children["nested.txt"] = doc(kHello);
  root->children["sub"] = sub;
  return root;
}

// --- Mount fixture
// --------------------------------------------------------------

bool IsMountPoint(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, mnt;
    fields >> id >> parent >> dev >> root >> mnt;
    if (mnt == path) return true;
  }
  return false;
}

std::string Shell(const std::string& cmd) {
  std::string out;
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

std::string ReadFile(const std::string& path, int* err = nullptr) {
  std::string out;
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) {
    if (err) *err = errno;
    return out;
  }
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && err) *err = errno;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

class FuseDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing;
    if (::access("/dev/fuse", R_OK | W_OK) != 0) {
      missing = "/dev/fuse is missing or not accessible";
    } else if (Shell("command -v fusermount3").empty()) {
      missing = "fusermount3 is not installed";
    }
    if (!missing.empty()) {
      if (testing::UnderCi()) FAIL() << missing << " (CI=true: FUSE required)";
      GTEST_SKIP() << missing;
    }
    base_ = ::testing::TempDir() + "sstfs_fuse_" + std::to_string(::getpid()) +
            "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(base_);
    std::filesystem::create_directories(base_ + "/mnt");
    std::filesystem::create_directories(base_ + "/source");
    mnt_ = base_ + "/mnt";
    Mount();
  }

  void Mount() {
    std::fflush(nullptr);
    child_ = ::fork();
    ASSERT_GE(child_, 0);
    if (child_ == 0) {
      MountOptions o;
      o.source = base_ + "/source";
      o.mountpoint = mnt_;
      o.foreground = true;
      o.cache_dir = "";  // memory only
      int rc;
      {
        MountContext ctx(o);
        rc = RunDaemon(&ctx, BuildTestTree(&ctx), stderr);
      }
      std::fflush(nullptr);
      ::_exit(rc);
    }
    for (int i = 0; i < 1000; ++i) {
      if (IsMountPoint(mnt_)) return;
      int status;
      if (::waitpid(child_, &status, WNOHANG) == child_) {
        child_ = -1;
        if (testing::UnderCi()) FAIL() << "the daemon exited before mounting";
        GTEST_SKIP() << "the daemon could not mount (no permission for FUSE "
                        "mounts here?)";
      }
      std::this_thread::sleep_for(10ms);
    }
    FAIL() << "not mounted after 10 s";
  }

  // Waits up to `timeout` for the daemon to exit; its exit code or -1.
  int WaitDaemon(std::chrono::milliseconds timeout) {
    if (child_ <= 0) return -1;
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      int status;
      if (::waitpid(child_, &status, WNOHANG) == child_) {
        child_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
      }
      std::this_thread::sleep_for(10ms);
    }
    return -1;
  }

  void TearDown() override {
    if (!mnt_.empty() && IsMountPoint(mnt_)) {
      Shell("fusermount3 -u -z '" + mnt_ + "' 2>/dev/null");
    }
    if (child_ > 0) {
      if (WaitDaemon(5s) == -1 && child_ > 0) {
        ::kill(child_, SIGKILL);
        ::waitpid(child_, nullptr, 0);
      }
    }
    if (!base_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(base_, ec);
    }
  }

  std::string P(const std::string& rel) const { return mnt_ + "/" + rel; }

  std::string base_, mnt_;
  pid_t child_ = -1;
};

// --- The inode table, without a kernel

TEST(InodeTableTest, NumbersAreStableWhileReferencedAndFreedAtZero) {
  MountOptions o;
  MountContext ctx(o);
  std::shared_ptr<Node> root = BuildTestTree(&ctx);
  InodeTable t(root);
  EXPECT_EQ(t.Get(InodeTable::kRootIno), root);
  auto a = t.Lookup(InodeTable::kRootIno, "sub");
  ASSERT_TRUE(a.ok());
  EXPECT_GT(a->first, InodeTable::kRootIno);
  auto b = t.Lookup(InodeTable::kRootIno, "sub");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->first, b->first);
  EXPECT_EQ(a->second, b->second) << "the same node while referenced";
  auto nested = t.Lookup(a->first, "nested.txt");
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ(t.Peek(a->first, "nested.txt"), nested->first);
  EXPECT_EQ(t.Peek(a->first, "other"), InodeTable::kUnknownIno);
  EXPECT_FALSE(t.Lookup(InodeTable::kRootIno, "absent").ok());
  EXPECT_FALSE(t.Lookup(nested->first, "x").ok()) << "not a directory";
  EXPECT_FALSE(t.Lookup(999999, "x").ok()) << "unknown parent";
  EXPECT_EQ(t.size(), 3u);
  t.Forget(a->first, 1);
  EXPECT_NE(t.Get(a->first), nullptr) << "one reference left";
  t.Forget(a->first, 1);
  EXPECT_EQ(t.Get(a->first), nullptr);
  EXPECT_EQ(t.Peek(InodeTable::kRootIno, "sub"), InodeTable::kUnknownIno);
  auto again = t.Lookup(InodeTable::kRootIno, "sub");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->first, a->first) << "numbers are never reused";
  t.Forget(InodeTable::kRootIno, 100);
  EXPECT_EQ(t.Get(InodeTable::kRootIno), root) << "the root is never freed";
  t.Forget(123456, 1);  // unknown: ignored
}

// --- Tests
// ------------------------------------------------------------------------

TEST_F(FuseDaemonTest, ListCatAndStat) {
  EXPECT_EQ(Shell("ls '" + mnt_ + "'"),
            "big.jsonl\nbroken.jsonl\nhello.txt\nmany\nslow.txt\nstatus.json\n"
            "sub\n");
  EXPECT_EQ(Shell("cat '" + P("hello.txt") + "'"), kHello.Expected());
  EXPECT_EQ(Shell("cat '" + P("sub/nested.txt") + "'"), kHello.Expected());
  EXPECT_TRUE(Shell("cat '" + P("big.jsonl") + "'") == kBig.Expected());
  // (broken.jsonl: see DamagedFileFailsWithEioOthersKeepWorking.)
  for (const char* name : {"hello.txt", "big.jsonl", "sub/nested.txt"}) {
    struct stat st;
    ASSERT_EQ(::stat(P(name).c_str(), &st), 0) << name;
    int err = 0;
    const std::string bytes = ReadFile(P(name), &err);
    EXPECT_EQ(static_cast<uint64_t>(st.st_size), bytes.size()) << name;
    EXPECT_TRUE(S_ISREG(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0444u) << "write bits removed";
    EXPECT_EQ(st.st_mtim.tv_sec, 1700000000);
  }
  struct stat st;
  ASSERT_EQ(::stat(P("sub").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(::stat(P("absent").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(::stat(P("hello.txt/x").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOTDIR);
  // Inode numbers are stable while referenced.
  struct stat a, b;
  ASSERT_EQ(::stat(P("big.jsonl").c_str(), &a), 0);
  ASSERT_EQ(::stat(P("big.jsonl").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_NE(a.st_ino, st.st_ino);
}

TEST_F(FuseDaemonTest, LongListingPagesThroughReaddir) {
  std::set<std::string> names;
  DIR* d = ::opendir(P("many").c_str());
  ASSERT_NE(d, nullptr);
  while (dirent* e = ::readdir(d)) names.insert(e->d_name);
  ::closedir(d);
  EXPECT_EQ(names.size(), 3002u);  // with . and ..
  EXPECT_EQ(names.count("partition-2999"), 1u);
  EXPECT_EQ(Shell("ls '" + P("many") + "' | wc -l"), "3000\n");
  EXPECT_EQ(Shell("cat '" + P("many/partition-1234") + "'"), kHello.Expected());
}

TEST_F(FuseDaemonTest, RandomOffsetsAndTail) {
  const std::string expected = kBig.Expected();
  const int fd = ::open(P("big.jsonl").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  std::vector<char> buf(100000);
  for (uint64_t off : {expected.size() - 10, uint64_t{5000000}, uint64_t{12},
                       uint64_t{3333333}, expected.size() / 2}) {
    const ssize_t n = ::pread(fd, buf.data(), buf.size(), off);
    ASSERT_GE(n, 0);
    EXPECT_EQ(std::string(buf.data(), n), expected.substr(off, buf.size()))
        << "offset " << off;
  }
  ::close(fd);
  EXPECT_EQ(Shell("tail -c 1000 '" + P("big.jsonl") + "'"),
            expected.substr(expected.size() - 1000));
}

TEST_F(FuseDaemonTest, EveryWriteFailsWithErofs) {
  auto expect_erofs = [](int rc, const char* what) {
    EXPECT_EQ(rc, -1) << what;
    EXPECT_EQ(errno, EROFS) << what << ": " << std::strerror(errno);
  };
  expect_erofs(::open(P("hello.txt").c_str(), O_WRONLY), "open O_WRONLY");
  expect_erofs(::open(P("hello.txt").c_str(), O_RDWR), "open O_RDWR");
  expect_erofs(::open(P("hello.txt").c_str(), O_RDONLY | O_TRUNC),
               "open O_TRUNC");
  expect_erofs(::open(P("new").c_str(), O_WRONLY | O_CREAT, 0644), "create");
  expect_erofs(::mkdir(P("d").c_str(), 0755), "mkdir");
  expect_erofs(::unlink(P("hello.txt").c_str()), "unlink");
  expect_erofs(::rmdir(P("sub").c_str()), "rmdir");
  expect_erofs(::rename(P("hello.txt").c_str(), P("h2").c_str()), "rename");
  expect_erofs(::chmod(P("hello.txt").c_str(), 0777), "chmod");
  expect_erofs(::chown(P("hello.txt").c_str(), 1, 1), "chown");
  expect_erofs(::truncate(P("hello.txt").c_str(), 0), "truncate");
  expect_erofs(::utimensat(AT_FDCWD, P("hello.txt").c_str(), nullptr, 0),
               "utimensat");
  expect_erofs(::symlink("x", P("link").c_str()), "symlink");
  expect_erofs(::link(P("hello.txt").c_str(), P("hard").c_str()), "link");
  expect_erofs(::mknod(P("fifo").c_str(), S_IFIFO | 0644, 0), "mknod");
  expect_erofs(::setxattr(P("hello.txt").c_str(), "user.x", "1", 1, 0),
               "setxattr");
  expect_erofs(::access(P("hello.txt").c_str(), W_OK), "access W_OK");
  EXPECT_EQ(::access(P("hello.txt").c_str(), R_OK), 0);
  // The shell tools users reach for.
  for (const char* cmd :
       {"touch '%s/hello.txt'", "touch '%s/new'", "mkdir '%s/d'",
        "rm -f '%s/hello.txt'", "chmod 600 '%s/hello.txt'",
        "echo x > '%s/hello.txt'"}) {
    char full[1024];
    std::snprintf(full, sizeof full, cmd, mnt_.c_str());
    EXPECT_NE(Shell(std::string("sh -c \"") + full + "\" 2>&1")
                  .find("Read-only file system"),
              std::string::npos)
        << full;
  }
  EXPECT_EQ(Shell("cat '" + P("hello.txt") + "'"), kHello.Expected());
}

TEST_F(FuseDaemonTest, DamagedFileFailsWithEioOthersKeepWorking) {
  int err = 0;
  const std::string got = ReadFile(P("broken.jsonl"), &err);
  EXPECT_EQ(err, EIO);
  const std::string good = kBroken.Expected();
  EXPECT_LE(got.size(), good.size());
  EXPECT_EQ(got, good.substr(0, got.size())) << "bytes before the damage";
  EXPECT_EQ(Shell("cat '" + P("hello.txt") + "'"), kHello.Expected());
  const std::string status = ReadFile(P("status.json"));
  EXPECT_NE(status.find("\"errors\": 1"), std::string::npos) << status;
  // A volatile file: fresh at every open, its size matches its content.
  struct stat st;
  ASSERT_EQ(::stat(P("status.json").c_str(), &st), 0);
  EXPECT_GT(st.st_size, 100);
}

TEST_F(FuseDaemonTest, SixteenParallelReadersGetIdenticalBytes) {
  const std::string expected = kBig.Expected();
  std::vector<std::string> got(16);
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] { got[i] = ReadFile(P("big.jsonl")); });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 16; ++i)
    EXPECT_TRUE(got[i] == expected) << "reader " << i;
  EXPECT_EQ(Shell("ls '" + P("many") + "' | xargs -P16 -I{} cat '" + P("many") +
                  "/{}' | wc -c"),
            std::to_string(3000 * kHello.Expected().size()) + "\n");
}

TEST_F(FuseDaemonTest, SigtermUnmountsCleanly) {
  EXPECT_EQ(Shell("cat '" + P("hello.txt") + "'"), kHello.Expected());
  ASSERT_EQ(::kill(child_, SIGTERM), 0);
  EXPECT_EQ(WaitDaemon(10s), 0) << "daemon did not exit cleanly on SIGTERM";
  EXPECT_FALSE(IsMountPoint(mnt_));
}

TEST_F(FuseDaemonTest, FusermountUnmountEndsTheDaemon) {
  EXPECT_EQ(Shell("fusermount3 -u '" + mnt_ + "' 2>&1"), "");
  EXPECT_EQ(WaitDaemon(10s), 0);
  EXPECT_FALSE(IsMountPoint(mnt_));
}

// A reader in the middle of a slow file while the mount goes away: neither
// the reader nor the daemon hangs.
void UnmountWhileReading(FuseDaemonTest* t, pid_t child,
                         const std::string& file,
                         const std::function<void()>& unmount,
                         const std::function<int()>& wait_daemon) {
  std::atomic<bool> reader_done{false};
  std::atomic<bool> started{false};
  std::thread reader([&] {
    const int fd = ::open(file.c_str(), O_RDONLY);
    if (fd >= 0) {
      char buf[1 << 16];
      while (true) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        started = true;
        if (n <= 0) break;
      }
      ::close(fd);
    }
    started = true;
    reader_done = true;
  });
  for (int i = 0; i < 500 && !started; ++i) std::this_thread::sleep_for(10ms);
  std::this_thread::sleep_for(200ms);  // a read is now waiting on the render
  const auto t0 = std::chrono::steady_clock::now();
  unmount();
  EXPECT_EQ(wait_daemon(), 0) << "the daemon hung or failed at unmount";
  const auto t1 = std::chrono::steady_clock::now();
  for (int i = 0; i < 2000 && !reader_done; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  const auto ms = [](auto d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  std::fprintf(
      stderr, "daemon exited %lld ms after the unmount, reader %lld ms\n",
      static_cast<long long>(ms(t1 - t0)),
      static_cast<long long>(ms(std::chrono::steady_clock::now() - t0)));
  EXPECT_TRUE(reader_done) << "the reader hangs after unmount";
  if (reader_done) {
    reader.join();
  } else {
    reader.detach();  // the test has failed; do not block the suite
  }
}

TEST_F(FuseDaemonTest, SigtermWhileReadsInFlightDoesNotHang) {
  UnmountWhileReading(
      this, child_, P("slow.txt"), [&] { ::kill(child_, SIGTERM); },
      [&] { return WaitDaemon(15s); });
  EXPECT_FALSE(IsMountPoint(mnt_));
}

TEST_F(FuseDaemonTest, LazyUnmountWhileReadsInFlightDoesNotHang) {
  UnmountWhileReading(
      this, child_, P("slow.txt"),
      [&] { Shell("fusermount3 -u -z '" + mnt_ + "'"); },
      // The connection ends when the reader closes the file (~7 s render).
      [&] { return WaitDaemon(30s); });
  EXPECT_FALSE(IsMountPoint(mnt_));
}

}  // namespace
}  // namespace sstablefs::fs
