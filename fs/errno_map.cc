#include "fs/errno_map.h"

#include <cerrno>

namespace sstablefs::fs {

int ErrnoFromStatus(const reader::Status& status) {
  switch (status.code()) {
    case reader::StatusCode::kOk:
      return 0;
    case reader::StatusCode::kNotFound:
      return ENOENT;
    case reader::StatusCode::kInvalidArgument:
      return EINVAL;
    case reader::StatusCode::kCorruption:
    case reader::StatusCode::kIoError:
    case reader::StatusCode::kUnsupported:
      return EIO;
  }
  return EIO;
}

int LookupErrnoFromStatus(const reader::Status& status) {
  if (status.code() == reader::StatusCode::kInvalidArgument) return ENOENT;
  return ErrnoFromStatus(status);
}

}  // namespace sstablefs::fs
