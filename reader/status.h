// Errors as values for the reader library.
//
// Contract:
//  - Every fallible function in reader/ returns `Status` or `Result<T>`;
//  nothing
//    in reader/ throws on bad input or asserts on bytes read from disk.
//  - A corruption message names the file, the component, the byte offset and
//  the
//    reason, in the SPEC §6 form:
//      "ks/t/nb-3-big-Data.db: chunk 17 at offset 1114112: checksum mismatch
//      ..."
//    Build such messages with `Status::Corruption(file, offset, reason)` or add
//    a prefix to a lower-level status with `WithContext`.
//  - fs/ maps a Status to an errno in exactly one place (fs/errno_map.cc).
#ifndef SSTABLEFS_READER_STATUS_H_
#define SSTABLEFS_READER_STATUS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sstablefs::reader {

enum class StatusCode {
  kOk = 0,
  kNotFound,         // a key or component that is simply absent
  kCorruption,       // bytes on disk violate the format
  kIoError,          // the OS failed us (open, pread, stat)
  kUnsupported,      // recognised but not (yet) readable: BTI, oa, ka/la, ...
  kInvalidArgument,  // the caller asked for something malformed (bad -k key)
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  static Status Ok() { return Status(); }
  static Status NotFound(std::string msg) {
    return Status(StatusCode::kNotFound, std::move(msg));
  }
  static Status Corruption(std::string msg) {
    return Status(StatusCode::kCorruption, std::move(msg));
  }
  // "<file>: offset <offset>: <reason>"
  static Status Corruption(std::string_view file, uint64_t offset,
                           std::string_view reason);
  static Status IoError(std::string msg) {
    return Status(StatusCode::kIoError, std::move(msg));
  }
  // "<what>: <strerror(err)>"
  static Status FromErrno(std::string_view what, int err);
  static Status Unsupported(std::string msg) {
    return Status(StatusCode::kUnsupported, std::move(msg));
  }
  static Status InvalidArgument(std::string msg) {
    return Status(StatusCode::kInvalidArgument, std::move(msg));
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  bool IsCorruption() const { return code_ == StatusCode::kCorruption; }
  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsUnsupported() const { return code_ == StatusCode::kUnsupported; }
  const std::string& message() const { return message_; }

  // Returns a status with the same code and "<prefix>: <message>".
  // An OK status stays OK.
  Status WithContext(std::string_view prefix) const;

  // "OK" or "<code name>: <message>".
  std::string ToString() const;

 private:
  Status(StatusCode code, std::string msg)
      : code_(code), message_(std::move(msg)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-OK Status. Minimal on purpose (C++20 has no
// std::expected and Debian 12 ships no tl-expected).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT
  // REQUIRES for the Status constructor: !status.ok().

  bool ok() const { return std::holds_alternative<T>(v_); }
  // OK when holding a value.
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  // REQUIRES: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace sstablefs::reader

#define SSTFS_CONCAT_INNER_(a, b) a##b
#define SSTFS_CONCAT_(a, b) SSTFS_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define SSTFS_RETURN_IF_ERROR(expr)                     \
  do {                                                  \
    ::sstablefs::reader::Status sstfs_status_ = (expr); \
    if (!sstfs_status_.ok()) return sstfs_status_;      \
  } while (0)

// `lhs` = value of `expr` (a Result<T>), or returns its Status.
#define SSTFS_ASSIGN_OR_RETURN(lhs, expr)                                   \
  SSTFS_ASSIGN_OR_RETURN_IMPL_(SSTFS_CONCAT_(sstfs_result_, __LINE__), lhs, \
                               expr)
#define SSTFS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()

#endif  // SSTABLEFS_READER_STATUS_H_
