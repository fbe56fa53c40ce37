#define FUSE_USE_VERSION 314
#include "fs/daemon.h"

#include <fuse_lowlevel.h>

#include <cstring>
#include <string>
#include <vector>

#include "fs/fuse_ops.h"

namespace sstablefs::fs {
namespace {

// fuse_opt's escaping: a comma or backslash inside a value gets a backslash.
std::string EscapeOption(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == ',' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

bool HasOption(const MountOptions& o, const std::string& key) {
  for (const std::string& f : o.fuse_options) {
    if (f.rfind(key + "=", 0) == 0) return true;
  }
  return false;
}

// The -o list handed to libfuse: the kernel mount is read-only whatever
// mount(8) passed, so writes fail with EROFS before they reach us.
std::string FuseOptionList(const MountOptions& o) {
  // No max_read: libfuse 3.14 negotiates 1 MiB reads by itself.
  std::string list = "ro";
  if (!HasOption(o, "fsname")) list += ",fsname=" + EscapeOption(o.source);
  if (!HasOption(o, "subtype")) list += ",subtype=sstablefs";
  if (o.allow_other) list += ",allow_other";
  if (o.default_permissions || o.allow_other) list += ",default_permissions";
  for (const std::string& f : o.fuse_options) list += "," + EscapeOption(f);
  return list;
}

// Owns the session and undoes each setup step that succeeded.
class Session {
 public:
  ~Session() {
    if (se_ == nullptr) return;
    if (mounted_) fuse_session_unmount(se_);
    if (signals_) fuse_remove_signal_handlers(se_);
    fuse_session_destroy(se_);
  }
  fuse_session* se_ = nullptr;
  bool signals_ = false;
  bool mounted_ = false;
};

int Loop(fuse_session* se, const MountOptions& o) {
  if (o.single_thread) return fuse_session_loop(se);
  fuse_loop_config* config = fuse_loop_cfg_create();
  // Several readers (and `ls` during a long `cat`) proceed in parallel.
  // Idle threads are never ended (no fuse_loop_cfg_set_idle_threads): thread
  // churn costs time (libfuse PR #652, passthrough_hp does the same) and
  // worker exit was where heap corruption surfaced under load.
  fuse_loop_cfg_set_max_threads(config, 16);
  const int rc = fuse_session_loop_mt(se, config);
  fuse_loop_cfg_destroy(config);
  return rc;
}

}  // namespace

int RunDaemon(MountContext* ctx, std::shared_ptr<Node> root, std::FILE* err) {
  const MountOptions& o = ctx->options();
  std::vector<std::string> arg_strings = {"sstablefs", "-o", FuseOptionList(o)};
  if (o.debug) arg_strings.push_back("-d");
  std::vector<char*> argv;
  for (std::string& s : arg_strings) argv.push_back(s.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());

  auto fs = std::make_unique<FuseFs>(ctx, std::move(root));
  int rc = 0;
  {
    Session session;
    session.se_ = fuse_session_new(&args, FuseFs::Ops(),
                                   sizeof(fuse_lowlevel_ops), fs.get());
    fuse_opt_free_args(&args);
    if (session.se_ == nullptr) {
      std::fprintf(err, "sstablefs: cannot set up the FUSE session\n");
      return 2;
    }
    if (fuse_set_signal_handlers(session.se_) != 0) {
      std::fprintf(err, "sstablefs: cannot install signal handlers\n");
      return 2;
    }
    session.signals_ = true;
    if (fuse_session_mount(session.se_, o.mountpoint.c_str()) != 0) {
      // libfuse has printed the kernel's or fusermount3's reason.
      std::fprintf(err, "sstablefs: cannot mount %s on %s\n", o.source.c_str(),
                   o.mountpoint.c_str());
      return 2;
    }
    session.mounted_ = true;
    std::fflush(err);
    if (fuse_daemonize(o.foreground ? 1 : 0) != 0) {
      std::fprintf(err, "sstablefs: cannot run in the background\n");
      return 2;
    }
    ctx->StartBackground();
    const int loop = Loop(session.se_, o);
    // Negative: a failure reading /dev/fuse; positive: the signal that
    // ended the loop, which is a normal way to unmount.
    rc = loop < 0 ? 2 : 0;
    if (loop < 0) {
      std::fprintf(err, "sstablefs: FUSE session failed: %s\n",
                   std::strerror(-loop));
    }
    // Files still open (unmount while reading): cancel their renders
    // before the session and the context go away.
    fs.reset();
  }
  ctx->Shutdown();
  return rc;
}

}  // namespace sstablefs::fs
