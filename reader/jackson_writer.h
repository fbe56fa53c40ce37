// JacksonWriter: a streaming JSON writer that lays text out exactly as
// Jackson's JsonGenerator does with the pretty printers sstabledump
// configures (tools/JsonTransformer): a DefaultPrettyPrinter whose object and
// array indenters are "CompactIndenter"s that can be switched between
// "newline + two spaces per level" and "one space", or, for -l, a
// MinimalPrettyPrinter (no whitespace at all).
//
// Reproducing the printer's state machine (rather than hand-formatting each
// construct) keeps its quirks: e.g. a tombstone cell's fields after its
// "deletion_info" go on new lines because that object switches the object
// indenter back to non-compact.
//
// Contract: appends to a std::string the caller owns and reuses; no
// allocation beyond growing it. Nesting is bounded by kMaxDepth (the dump
// needs 8); deeper calls are a programming error (checked, ignored).
// Field names are passed already quoted and escaped ("\"name\"").
#ifndef SSTABLEFS_READER_JACKSON_WRITER_H_
#define SSTABLEFS_READER_JACKSON_WRITER_H_

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "reader/types.h"

namespace sstablefs::reader {

class JacksonWriter {
 public:
  static constexpr int kMaxDepth = 32;

  JacksonWriter(std::string* out, bool minimal)
      : out_(out), minimal_(minimal) {}

  // CompactIndenter.setCompact on the object / array indenter.
  void SetObjectCompact(bool c) { object_compact_ = c; }
  void SetArrayCompact(bool c) { array_compact_ = c; }

  void StartObject() { Start(false, '{'); }
  void EndObject() { End(object_compact_, '}'); }
  void StartArray() { Start(true, '['); }
  void EndArray() { End(array_compact_, ']'); }

  // REQUIRES: inside an object. `quoted_name` includes the quotes.
  void FieldName(std::string_view quoted_name) {
    if (depth_ == 0 || depth_ > kMaxDepth) return;
    Level& l = stack_[depth_ - 1];
    if (l.count++ > 0) out_->push_back(',');
    if (!minimal_) Indent(object_compact_);
    out_->append(quoted_name);
  }

  // Writes the separators a value needs; the caller then appends the value's
  // JSON text to the returned buffer.
  std::string* Raw() {
    BeginValue();
    return out_;
  }
  void BeginValue() {
    if (depth_ == 0 || depth_ > kMaxDepth) return;  // root value
    Level& l = stack_[depth_ - 1];
    if (l.is_array) {
      if (l.count++ > 0) out_->push_back(',');
      if (!minimal_) Indent(array_compact_);
    } else {
      out_->append(minimal_ ? ":" : " : ");
    }
  }
  void String(std::string_view s) {
    BeginValue();
    AppendJsonString(s, out_);
  }
  void Number(int64_t v) {
    BeginValue();
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    out_->append(buf, end);
  }
  void Bool(bool v) {
    BeginValue();
    out_->append(v ? "true" : "false");
  }

 private:
  struct Level {
    bool is_array = false;
    int64_t count = 0;
  };

  void Start(bool is_array, char open) {
    BeginValue();
    out_->push_back(open);
    if (depth_ < kMaxDepth) stack_[depth_] = Level{is_array, 0};
    ++depth_;
  }
  void End(bool compact, char close) {
    if (depth_ == 0) return;
    int64_t count = depth_ <= kMaxDepth ? stack_[depth_ - 1].count : 1;
    --depth_;
    if (!minimal_) {
      if (count > 0) {
        Indent(compact);
      } else {
        out_->push_back(' ');
      }
    }
    out_->push_back(close);
  }
  // CompactIndenter.writeIndentation at the current nesting level.
  void Indent(bool compact) {
    if (compact) {
      out_->push_back(' ');
    } else {
      out_->push_back('\n');
      out_->append(2 * static_cast<size_t>(depth_), ' ');
    }
  }

  std::string* out_;
  bool minimal_;
  bool object_compact_ = false;
  bool array_compact_ = false;
  int depth_ = 0;
  Level stack_[kMaxDepth];
};

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_JACKSON_WRITER_H_
