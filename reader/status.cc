#include "reader/status.h"

#include <cstring>

namespace sstablefs::reader {

Status Status::Corruption(std::string_view file, uint64_t offset,
                          std::string_view reason) {
  std::string msg;
  msg.reserve(file.size() + reason.size() + 32);
  msg.append(file);
  msg.append(": offset ");
  msg.append(std::to_string(offset));
  msg.append(": ");
  msg.append(reason);
  return Status(StatusCode::kCorruption, std::move(msg));
}

Status Status::FromErrno(std::string_view what, int err) {
  std::string msg(what);
  msg.append(": ");
  msg.append(std::strerror(err));
  return Status(StatusCode::kIoError, std::move(msg));
}

Status Status::WithContext(std::string_view prefix) const {
  if (ok()) return *this;
  std::string msg(prefix);
  msg.append(": ");
  msg.append(message_);
  return Status(code_, std::move(msg));
}

std::string Status::ToString() const {
  const char* name = "OK";
  switch (code_) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kNotFound:
      name = "not found";
      break;
    case StatusCode::kCorruption:
      name = "corruption";
      break;
    case StatusCode::kIoError:
      name = "I/O error";
      break;
    case StatusCode::kUnsupported:
      name = "unsupported";
      break;
    case StatusCode::kInvalidArgument:
      name = "invalid argument";
      break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace sstablefs::reader
