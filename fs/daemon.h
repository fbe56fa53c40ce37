// The mount's life: FUSE session setup, mount, daemonizing, the request
// loop, and a clean unmount.
//
// Order (so that every failure the user can fix is reported on the
// terminal, before anything is mounted or forked):
//  1. the caller has validated SOURCE and built the root (fs/tree.h);
//  2. fuse_session_new with the mount's options (always read-only,
//     fsname=SOURCE, subtype=sstablefs, allow_other/default_permissions as
//     asked) and signal handlers: SIGINT, SIGTERM and SIGHUP end the loop;
//  3. fuse_session_mount on MOUNTPOINT;
//  4. unless -f (or -d), fuse_daemonize: the parent exits 0 once the child
//     runs; only then the background worker starts (fork keeps one thread);
//  5. the request loop: multi-threaded unless -s;
//  6. after SIGINT/SIGTERM, `fusermount3 -u` or `umount`: files the kernel
//     never released are closed (their renders cancelled), the mount is
//     removed (lazily if busy), the background worker stops.
#ifndef SSTABLEFS_FS_DAEMON_H_
#define SSTABLEFS_FS_DAEMON_H_

#include <cstdio>
#include <memory>

#include "fs/mount_context.h"
#include "fs/vtree.h"

namespace sstablefs::fs {

// Runs the daemon until unmounted. Returns the process exit code: 0 after a
// clean unmount, 2 when the session could not be set up or mounted (the
// reason is written to `err` — the process's stderr, before daemonizing).
int RunDaemon(MountContext* ctx, std::shared_ptr<Node> root, std::FILE* err);

}  // namespace sstablefs::fs

#endif  // SSTABLEFS_FS_DAEMON_H_
