// Parsing of the mount command line (fs/mount_options.h): sstablefs' own
// options, FUSE's, the generic ones mount(8) and fstab pass, both argument
// orders, and clear errors for everything else.
#include "fs/mount_options.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace sstablefs::fs {
namespace {

Result<MountOptions> Parse(std::vector<std::string> args) {
  std::vector<const char*> argv = {"sstablefs"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  return ParseMountArgs(static_cast<int>(argv.size()), argv.data());
}

std::string ErrorOf(std::vector<std::string> args) {
  Result<MountOptions> r = Parse(std::move(args));
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), reader::StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST(MountOptionsTest, DefaultsAndOperands) {
  const time_t before = std::time(nullptr);
  Result<MountOptions> r = Parse({"/data/cassandra", "/mnt/x"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->source, "/data/cassandra");
  EXPECT_EQ(r->mountpoint, "/mnt/x");
  EXPECT_EQ(r->cache_size, 64ull << 20);
  EXPECT_TRUE(r->schema_files.empty());
  EXPECT_GE(r->now_seconds, before);
  EXPECT_LE(r->now_seconds, std::time(nullptr));
  EXPECT_FALSE(r->foreground);
  EXPECT_FALSE(r->debug);
  EXPECT_FALSE(r->single_thread);
  EXPECT_FALSE(r->allow_other);
  EXPECT_FALSE(r->default_permissions);
  EXPECT_FALSE(r->uid.has_value());
  EXPECT_FALSE(r->help);
  EXPECT_EQ(r->cache_dir, DefaultCacheDir());
}

TEST(MountOptionsTest, RelativePathsBecomeAbsolute) {
  char cwd[4096];
  ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
  Result<MountOptions> r =
      Parse({"data/./ks", "../mnt", "-o", "schema=s.cql,cache_dir=c"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->source, AbsolutePath(std::string(cwd) + "/data/ks"));
  EXPECT_EQ(r->source.find("/./"), std::string::npos);
  EXPECT_EQ(r->mountpoint, AbsolutePath(std::string(cwd) + "/..") + "/mnt");
  ASSERT_EQ(r->schema_files.size(), 1u);
  EXPECT_EQ(r->schema_files[0], AbsolutePath(std::string(cwd)) + "/s.cql");
  EXPECT_EQ(r->cache_dir, AbsolutePath(std::string(cwd)) + "/c");
  EXPECT_EQ(AbsolutePath("/a//b/../c/."), "/a/c");
  EXPECT_EQ(AbsolutePath("/.."), "/");
}

TEST(MountOptionsTest, OwnOptions) {
  Result<MountOptions> r = Parse(
      {"-f", "-s", "-o",
       "cache_size=32M,schema=/s/a.cql,now=2026-01-01T00:00:00Z",
       "-oschema=/s/b.cql", "-o", "cache_dir=/var/cache/x", "src", "mnt"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->foreground);
  EXPECT_TRUE(r->single_thread);
  EXPECT_EQ(r->cache_size, 32ull << 20);
  EXPECT_EQ(r->schema_files,
            (std::vector<std::string>{"/s/a.cql", "/s/b.cql"}));
  EXPECT_EQ(r->now_seconds, 1767225600);  // date -d 2026-01-01Z +%s
  EXPECT_EQ(r->cache_dir, "/var/cache/x");
  EXPECT_TRUE(r->cache_dir_explicit);
}

TEST(MountOptionsTest, FuseOptions) {
  Result<MountOptions> r = Parse(
      {"-d", "-o", "allow_other,uid=1000,gid=1001,fsname=cass,auto_unmount",
       "src", "mnt"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->debug);
  EXPECT_TRUE(r->foreground) << "-d implies -f";
  EXPECT_TRUE(r->allow_other);
  EXPECT_TRUE(r->default_permissions) << "forced on with allow_other";
  EXPECT_EQ(r->uid, 1000u);
  EXPECT_EQ(r->gid, 1001u);
  EXPECT_EQ(r->fuse_options,
            (std::vector<std::string>{"fsname=cass", "auto_unmount"}));
  Result<MountOptions> dp = Parse({"-o", "default_permissions", "a", "b"});
  ASSERT_TRUE(dp.ok());
  EXPECT_TRUE(dp->default_permissions);
  EXPECT_FALSE(dp->allow_other);
}

TEST(MountOptionsTest, MountHelperOrderAndFstabOptions) {
  // What mount(8) runs for an fstab line
  //   /var/lib/cassandra/data /mnt/c fuse.sstablefs
  //   ro,noauto,nofail,_netdev,allow_other 0 0
  Result<MountOptions> r =
      Parse({"/var/lib/cassandra/data", "/mnt/c", "-o",
             "rw,nosuid,nodev,noexec,relatime,noauto,nofail,_netdev,user,"
             "x-systemd.automount,comment=x,allow_other,cache_size=1G"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->source, "/var/lib/cassandra/data");
  EXPECT_EQ(r->mountpoint, "/mnt/c");
  EXPECT_TRUE(r->allow_other);
  EXPECT_EQ(r->cache_size, 1ull << 30);
  EXPECT_TRUE(r->fuse_options.empty()) << "generic options are not passed on";
  // Options between the operands, and "--".
  Result<MountOptions> mid = Parse({"src", "-o", "ro", "mnt", "-f"});
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(mid->mountpoint, AbsolutePath("mnt"));
  EXPECT_TRUE(mid->foreground);
  Result<MountOptions> dashes = Parse({"-f", "--", "-src", "mnt"});
  ASSERT_TRUE(dashes.ok());
  EXPECT_EQ(dashes->source, AbsolutePath("-src"));
}

TEST(MountOptionsTest, Errors) {
  EXPECT_EQ(ErrorOf({"-o", "bogus", "a", "b"}),
            "unknown mount option 'bogus' (see sstablefs --help)");
  EXPECT_NE(ErrorOf({"-o", "ro,cache_sise=1M", "a", "b"}).find("cache_sise"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"--foo", "a", "b"}).find("--foo"), std::string::npos);
  EXPECT_NE(ErrorOf({"-x", "a", "b"}).find("'-x'"), std::string::npos);
  EXPECT_EQ(ErrorOf({}), "missing SOURCE and MOUNTPOINT");
  EXPECT_EQ(ErrorOf({"a"}), "missing MOUNTPOINT");
  EXPECT_NE(ErrorOf({"a", "b", "c"}).find("'c'"), std::string::npos);
  EXPECT_NE(ErrorOf({"a", "b", "-o"}).find("-o"), std::string::npos);
  EXPECT_NE(ErrorOf({"-o", "cache_size=lots", "a", "b"}).find("cache_size"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"-o", "cache_size", "a", "b"}).find("needs a value"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"-o", "now=yesterday", "a", "b"}).find("now"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"-o", "uid=bob", "a", "b"}).find("uid"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"-o", "allow_other=1", "a", "b"}).find("takes no value"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"-o", "schema=", "a", "b"}).find("schema"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"-o", "ro=1", "a", "b"}).find("ro"), std::string::npos);
}

TEST(MountOptionsTest, HelpNeedsNoOperands) {
  Result<MountOptions> r = Parse({"--help"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->help);
  EXPECT_TRUE(Parse({"-h", "-o", "ro"})->help);
}

TEST(MountOptionsTest, EscapedCommas) {
  Result<MountOptions> r = Parse({"-o", "schema=/s/a\\,b.cql,ro", "x", "y"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->schema_files, (std::vector<std::string>{"/s/a,b.cql"}));
}

TEST(MountOptionsTest, ByteSizesAndInstants) {
  EXPECT_EQ(ParseByteSize("0"), 0u);
  EXPECT_EQ(ParseByteSize("65536"), 65536u);
  EXPECT_EQ(ParseByteSize("512k"), 512u << 10);
  EXPECT_EQ(ParseByteSize("64M"), 64ull << 20);
  EXPECT_EQ(ParseByteSize("2G"), 2ull << 30);
  EXPECT_FALSE(ParseByteSize(""));
  EXPECT_FALSE(ParseByteSize("M"));
  EXPECT_FALSE(ParseByteSize("-1M"));
  EXPECT_FALSE(ParseByteSize("1.5G"));
  EXPECT_FALSE(ParseByteSize("99999999999G"));
  EXPECT_EQ(ParseInstant("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseInstant("2000-03-01 12:34:56"), 951914096);
  EXPECT_EQ(ParseInstant("2000-03-01T12:34:56.789+00:00"), 951914096);
  EXPECT_EQ(ParseInstant("1700000000"), 1700000000);
  EXPECT_FALSE(ParseInstant("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(ParseInstant("2026-01-01T00:00:00+02:00"));
  EXPECT_FALSE(ParseInstant("2026-01-01"));
}

TEST(MountOptionsTest, DefaultCacheDirFollowsXdg) {
  const char* old_xdg = std::getenv("XDG_CACHE_HOME");
  const std::string saved = old_xdg ? old_xdg : "";
  const char* old_home = std::getenv("HOME");
  const std::string saved_home = old_home ? old_home : "";
  ::setenv("XDG_CACHE_HOME", "/xdg/cache", 1);
  EXPECT_EQ(DefaultCacheDir(), "/xdg/cache/sstablefs");
  ::setenv("XDG_CACHE_HOME", "relative", 1);  // invalid per the XDG spec
  ::setenv("HOME", "/home/u", 1);
  EXPECT_EQ(DefaultCacheDir(), "/home/u/.cache/sstablefs");
  if (old_xdg) {
    ::setenv("XDG_CACHE_HOME", saved.c_str(), 1);
  } else {
    ::unsetenv("XDG_CACHE_HOME");
  }
  if (old_home) ::setenv("HOME", saved_home.c_str(), 1);
}

// The command line refuses what it cannot mount before mounting anything:
// exit status 2 and a message naming the problem.
struct CliResult {
  int status = -1;
  std::string err;
};

CliResult RunCli(const std::string& args) {
  const std::string cmd = std::string("'") + SSTFS_BINARY_DIR + "/sstablefs' " +
                          args + " 2>&1 >/dev/null";
  CliResult r;
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.err.append(buf, n);
  const int status = ::pclose(p);
  if (status != -1 && WIFEXITED(status)) r.status = WEXITSTATUS(status);
  return r;
}

TEST(MountCliTest, RefusesBeforeMounting) {
  const std::string dir =
      ::testing::TempDir() + "sstfs_mountcli_" + std::to_string(::getpid());
  ASSERT_EQ(std::system(("rm -rf '" + dir + "' && mkdir -p '" + dir +
                         "/empty' '" + dir + "/mnt'")
                            .c_str()),
            0);
  CliResult unknown =
      RunCli("-o bogus_option '" + dir + "/empty' '" + dir + "/mnt'");
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("unknown mount option 'bogus_option'"),
            std::string::npos)
      << unknown.err;
  CliResult empty = RunCli("'" + dir + "/empty' '" + dir + "/mnt'");
  EXPECT_EQ(empty.status, 2) << "nothing recognisable: refused";
  EXPECT_NE(empty.err.find(dir + "/empty"), std::string::npos) << empty.err;
  CliResult missing = RunCli("mount '" + dir + "/nope' '" + dir + "/mnt'");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find(dir + "/nope"), std::string::npos) << missing.err;
  CliResult operands = RunCli("'" + dir + "/empty'");
  EXPECT_EQ(operands.status, 2);
  EXPECT_NE(operands.err.find("missing MOUNTPOINT"), std::string::npos);
  CliResult help = RunCli("mount --help");
  EXPECT_EQ(help.status, 0);
  // Nothing got mounted.
  std::FILE* m = std::fopen("/proc/self/mountinfo", "r");
  ASSERT_NE(m, nullptr);
  char line[4096];
  while (std::fgets(line, sizeof line, m) != nullptr) {
    EXPECT_EQ(std::string(line).find(dir + "/mnt"), std::string::npos);
  }
  std::fclose(m);
  std::system(("rm -rf '" + dir + "'").c_str());
}

}  // namespace
}  // namespace sstablefs::fs
