// `sstablefs [mount] [-f] [-d] [-s] [-o OPTS] SOURCE MOUNTPOINT`: the FUSE
// mount (SPEC §1, §2). Everything a user can get wrong is checked here, with
// a message on the terminal, before anything is mounted: the options, that
// SOURCE is recognisable, that MOUNTPOINT is a folder outside SOURCE, that
// schema files are readable, and where the size cache may live.
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cli/commands.h"
#include "fs/daemon.h"
#include "fs/mount_context.h"
#include "fs/mount_options.h"
#include "fs/tree.h"
#include "reader/verifier.h"

namespace sstablefs::cli {
namespace {

using reader::Result;

constexpr char kMountHelp[] =
    "Usage: sstablefs [mount] [-f] [-d] [-s] [-o OPTS] SOURCE MOUNTPOINT\n"
    "       sstablefs SOURCE MOUNTPOINT [-o OPTS]\n"
    "\n"
    "Mount SOURCE read-only at MOUNTPOINT with FUSE. SOURCE is a Cassandra\n"
    "data directory, a keyspace folder, a table folder, a snapshots/<name> or\n"
    "backups folder, or any folder of SSTables. Unmount with fusermount3(1)\n"
    "or umount(8), or send SIGTERM to the daemon.\n"
    "Also usable from mount(8) and /etc/fstab with the type fuse.sstablefs.\n"
    "\n"
    "  -f          stay in the foreground (default: run in the background\n"
    "              once mounted)\n"
    "  -d          print every FUSE request on stderr (implies -f)\n"
    "  -s          handle one request at a time (single-threaded)\n"
    "  -o OPTS     comma-separated mount options (repeatable):\n"
    "      cache_size=SIZE      decompressed chunk cache budget (64M; K/M/G)\n"
    "      schema=FILE          CREATE TYPE/TABLE statements naming columns\n"
    "                           (repeatable)\n"
    "      now=TIME             instant at which TTLs expire:\n"
    "                           2026-01-01T00:00:00Z or epoch seconds\n"
    "                           (default: mount time)\n"
    "      cache_dir=DIR        where exact sizes of generated files are kept\n"
    "                           (default $XDG_CACHE_HOME/sstablefs, else\n"
    "                           ~/.cache/sstablefs; never inside SOURCE)\n"
    "      allow_other          let other users in (default_permissions on)\n"
    "      default_permissions  let the kernel check modes and owners\n"
    "      uid=N, gid=N         owner and group of every file\n"
    "      allow_root, auto_unmount, fsname=NAME, subtype=NAME, max_read=N\n"
    "                           as for every FUSE file system\n"
    "      ro, rw, noauto, nofail, _netdev, user, nosuid, nodev, noexec, ...\n"
    "                           generic options from mount(8) and fstab:\n"
    "                           accepted; the mount is read-only regardless\n"
    "  -h, --help  show this help\n"
    "\n"
    "Unknown options are an error. Exit status: 0 mounted (and, with -f,\n"
    "cleanly unmounted); 2 usage error, SOURCE not recognisable, or the\n"
    "mount failed.\n";

constexpr char kMountUsage[] =
    "Usage: sstablefs [mount] [-f] [-d] [-s] [-o OPTS] SOURCE MOUNTPOINT\n"
    "(see sstablefs mount --help)\n";

// realpath(3), or `path` unchanged when it cannot be resolved.
std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) != nullptr ? std::string(buf) : path;
}

// True when `path` is `dir` or below it (both resolved).
bool IsInside(const std::string& path, const std::string& dir) {
  const std::string p = RealPath(path), d = RealPath(dir);
  return p == d || (p.size() > d.size() && p.compare(0, d.size(), d) == 0 &&
                    (d == "/" || p[d.size()] == '/'));
}

// The nearest existing ancestor of `path` (cache_dir may not exist yet).
std::string ExistingAncestor(std::string path) {
  struct stat st;
  while (path.size() > 1 && ::stat(path.c_str(), &st) != 0) {
    path = path.substr(0, std::max<size_t>(path.rfind('/'), 1));
  }
  return path;
}

// Returns an error message, or "" when the options can be mounted.
std::string Validate(fs::MountOptions* o, std::FILE* err) {
  Result<reader::SourceKind> kind = reader::DetectSource(o->source);
  if (!kind.ok()) {
    // DetectSource speaks for `verify`; say what failed here.
    std::string message = kind.status().message();
    const size_t at = message.find("nothing to verify");
    if (at != std::string::npos) message.replace(at, 17, "nothing to mount");
    return message;
  }
  if (*kind == reader::SourceKind::kComponent) {
    return o->source +
           ": is a file; SOURCE must be a folder (use "
           "`sstablefs dump` for one SSTable)";
  }
  struct stat st;
  if (::stat(o->mountpoint.c_str(), &st) != 0) {
    return o->mountpoint + ": " + std::strerror(errno);
  }
  if (!S_ISDIR(st.st_mode)) return o->mountpoint + ": not a folder";
  if (IsInside(o->mountpoint, o->source)) {
    return "MOUNTPOINT " + o->mountpoint + " is inside SOURCE " + o->source;
  }
  for (const std::string& schema : o->schema_files) {
    if (::access(schema.c_str(), R_OK) != 0) {
      return "schema=" + schema + ": " + std::strerror(errno);
    }
  }
  // SPEC §2: the mount never writes inside SOURCE.
  if (!o->cache_dir.empty() &&
      IsInside(ExistingAncestor(o->cache_dir), o->source)) {
    if (o->cache_dir_explicit) {
      return "cache_dir=" + o->cache_dir + " is inside SOURCE " + o->source;
    }
    std::fprintf(err,
                 "sstablefs: warning: %s is inside SOURCE; sizes are kept "
                 "in memory only (set cache_dir=DIR)\n",
                 o->cache_dir.c_str());
    o->cache_dir.clear();
  }
  return "";
}

}  // namespace

int RunMount(int argc, char** argv, std::FILE* out, std::FILE* err) {
  Result<fs::MountOptions> parsed = fs::ParseMountArgs(argc, argv);
  if (!parsed.ok()) {
    std::fprintf(err, "sstablefs: %s\n%s", parsed.status().message().c_str(),
                 kMountUsage);
    return kExitError;
  }
  fs::MountOptions options = std::move(*parsed);
  if (options.help) {
    std::fputs(kMountHelp, out);
    return kExitOk;
  }
  const std::string problem = Validate(&options, err);
  if (!problem.empty()) {
    std::fprintf(err, "sstablefs: %s\n", problem.c_str());
    return kExitError;
  }
  // glibc gives each new thread its own malloc arena (up to 8 per core);
  // the daemon's short-lived render threads then leave freed buffers
  // resident in many arenas. Two arenas: same speed, and the daemon's peak
  // RSS during a `cat` of rows.jsonl fell from 50-63 to 34-40 MiB
  // (BENCHMARKS.md).
  mallopt(M_ARENA_MAX, 2);
  fs::MountContext ctx(std::move(options));
  Result<std::shared_ptr<fs::Node>> root = fs::BuildRoot(&ctx);
  if (!root.ok()) {
    std::fprintf(err, "sstablefs: %s\n", root.status().message().c_str());
    return kExitError;
  }
  return fs::RunDaemon(&ctx, std::move(*root), err);
}

}  // namespace sstablefs::cli
