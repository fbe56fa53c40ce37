// The root of the mount's virtual tree (SPEC §2) for the SOURCE in
// ctx->options(): README.txt, .sstablefs/, then keyspaces, tables, … as the
// SOURCE kind implies. Built lazily: this call only detects the SOURCE kind
// and lists its top folder; schema recovery (system_schema) and tables open
// on first use. kInvalidArgument with a user-facing message when SOURCE is
// nothing recognisable (the daemon refuses to mount).
//
// BuildRoot must not start threads: the daemon forks into the background
// after building the root and only the calling thread survives a fork. Work
// for later goes through ctx->RunInBackground(), whose worker starts with
// MountContext::StartBackground() after the fork.
#ifndef SSTABLEFS_FS_TREE_H_
#define SSTABLEFS_FS_TREE_H_

#include <memory>

#include "fs/mount_context.h"
#include "fs/vtree.h"

namespace sstablefs::fs {

Result<std::shared_ptr<Node>> BuildRoot(MountContext* ctx);

}  // namespace sstablefs::fs

#endif  // SSTABLEFS_FS_TREE_H_
