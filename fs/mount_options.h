// Command-line parsing of the mount form (SPEC §1):
//
//   sstablefs [mount] [-f] [-d] [-s] [-o OPTS]... SOURCE MOUNTPOINT
//   sstablefs SOURCE MOUNTPOINT [-o OPTS]     (mount(8) helper order)
//
// Options and operands may come in any order (mount.fuse3 and /etc/fstab put
// `-o` last); `--` ends the options. OPTS is a comma-separated list (a comma
// inside a value is written `\,`):
//  - sstablefs' own: cache_size=SIZE (K/M/G suffixes, powers of 1024),
//    schema=FILE (repeatable), now=TIME (ISO-8601 UTC or epoch seconds),
//    cache_dir=DIR;
//  - FUSE's: allow_other, allow_root, default_permissions, uid=N, gid=N,
//    auto_unmount, fsname=NAME, subtype=NAME, max_read=N (accepted, 1 MiB is
//    negotiated anyway);
//  - the generic ones mount(8) and fstab pass to every helper: ro, rw,
//    defaults, dev, nodev, suid, nosuid, exec, noexec, auto, noauto, user,
//    nouser, users, owner, group, _netdev, nofail, async, sync, atime,
//    noatime, relatime, norelatime, strictatime, nodiratime, diratime,
//    lazytime, nolazytime, comment=..., x-...: accepted and ignored (the
//    mount is read-only whatever `rw` says; FUSE mounts are nosuid,nodev).
// Anything else is an error naming the option.
//
// Pure functions of their arguments (plus the environment for the cache_dir
// default and the clock for the `now` default); thread-safe.
#ifndef SSTABLEFS_FS_MOUNT_OPTIONS_H_
#define SSTABLEFS_FS_MOUNT_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fs/mount_context.h"
#include "reader/status.h"

namespace sstablefs::fs {

using reader::Result;
using reader::Status;

// Parses argv[1..argc) (argv[0] is the program or the word "mount").
// kInvalidArgument with a message fit for "sstablefs: <message>" on a usage
// error. With -h/--help, returns options with help == true and does not
// require operands. SOURCE, MOUNTPOINT, schema= and cache_dir= paths are
// made absolute (against the current directory) but not checked for
// existence: that is RunMount's job, before mounting.
// Defaults filled in: now_seconds = the current time; cache_dir =
// $XDG_CACHE_HOME/sstablefs, else $HOME/.cache/sstablefs, else "".
Result<MountOptions> ParseMountArgs(int argc, const char* const* argv);

// Applies one -o list ("allow_other,cache_size=32M") to *options.
Status ApplyMountOptionList(std::string_view list, MountOptions* options);

// "64M", "1G", "65536", "512k" -> bytes; std::nullopt if malformed or
// larger than 2^50.
std::optional<uint64_t> ParseByteSize(std::string_view text);

// "2026-01-01T00:00:00Z" (also with a fraction, ' ' for 'T', no zone or
// "+00:00") or an integer number of seconds since the epoch.
std::optional<int64_t> ParseInstant(std::string_view text);

// "$XDG_CACHE_HOME/sstablefs", else "$HOME/.cache/sstablefs", else "".
std::string DefaultCacheDir();

// `path` made absolute against the current directory, with "." and ".."
// segments and repeated slashes removed lexically (symlinks are kept).
std::string AbsolutePath(std::string_view path);

}  // namespace sstablefs::fs

#endif  // SSTABLEFS_FS_MOUNT_OPTIONS_H_
