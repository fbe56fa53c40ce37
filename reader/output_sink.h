// OutputSink: where rendered text (sstabledump JSON, rows.jsonl, rows.csv)
// goes. The renderers build output in their own reused buffer and hand it to
// the sink in large blocks (about 1 MiB), so a sink sees few calls.
//
// Contract:
//  - Append() either takes all the bytes or fails; a failure is sticky for the
//    renderer (it stops and returns the status).
//  - The bytes passed to Append() are valid only during the call.
//  - Sinks are not thread-safe; one renderer writes to one sink.
#ifndef SSTABLEFS_READER_OUTPUT_SINK_H_
#define SSTABLEFS_READER_OUTPUT_SINK_H_

#include <cerrno>
#include <cstdio>
#include <string>
#include <string_view>

#include "reader/status.h"

namespace sstablefs::reader {

class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual Status Append(std::string_view bytes) = 0;
};

// Appends to a std::string the caller owns (tests, small documents).
class StringSink : public OutputSink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  Status Append(std::string_view bytes) override {
    out_->append(bytes);
    return Status::Ok();
  }

 private:
  std::string* out_;
};

// Writes to a stdio stream the caller owns (the CLI's stdout). A short write
// is kIoError naming `what` (e.g. "standard output").
class FileSink : public OutputSink {
 public:
  FileSink(std::FILE* f, std::string what) : f_(f), what_(std::move(what)) {}
  Status Append(std::string_view bytes) override {
    if (bytes.empty()) return Status::Ok();
    if (std::fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size()) {
      return Status::FromErrno("writing " + what_, errno);
    }
    return Status::Ok();
  }

 private:
  std::FILE* f_;
  std::string what_;
};

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_OUTPUT_SINK_H_
