// The one place where reader/ errors become errno values for FUSE replies.
#ifndef SSTABLEFS_FS_ERRNO_MAP_H_
#define SSTABLEFS_FS_ERRNO_MAP_H_

#include "reader/status.h"

namespace sstablefs::fs {

// OK -> 0; not found -> ENOENT; corruption and I/O errors -> EIO;
// unsupported -> EIO (the file exists but cannot be rendered);
// invalid argument -> EINVAL.
int ErrnoFromStatus(const reader::Status& status);

// For a failed lookup (vtree.h): a name that cannot exist there
// (kInvalidArgument, e.g. a malformed partition key) is ENOENT; the rest as
// ErrnoFromStatus.
int LookupErrnoFromStatus(const reader::Status& status);

}  // namespace sstablefs::fs

#endif  // SSTABLEFS_FS_ERRNO_MAP_H_
