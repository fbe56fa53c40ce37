// The JSON Lines and CSV RowSinks of row_renderer.h: the hot path of the
// product (every byte of rows.jsonl / rows.csv is produced here), so rows
// are built in a staging array with per-column fast paths, column prefixes
// are precomputed and the output goes out in ~1 MiB blocks. See
// BENCHMARKS.md (tools/bench_render.cc) for the numbers.
#include <charconv>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reader/dump_json.h"
#include "reader/row_renderer.h"
#include "reader/types_internal.h"

namespace sstablefs::reader {
namespace {

using types_internal::kFormatBufferSize;

constexpr size_t kFlushBytes = 1 << 20;

// memcpy for the short, variable-length pieces of a row (column prefixes,
// short text): up to 32 bytes inline with overlapping word moves instead of
// a library call per piece.
inline void CopyShort(char* dst, const void* src_v, size_t n) {
  const char* src = static_cast<const char*>(src_v);
  if (n >= 8 && n <= 16) {
    uint64_t a, b;
    std::memcpy(&a, src, 8);
    std::memcpy(&b, src + n - 8, 8);
    std::memcpy(dst, &a, 8);
    std::memcpy(dst + n - 8, &b, 8);
  } else if (n > 16 && n <= 32) {
    uint64_t w[4];
    std::memcpy(&w[0], src, 16);
    std::memcpy(&w[2], src + n - 16, 16);
    std::memcpy(dst, &w[0], 16);
    std::memcpy(dst + n - 16, &w[2], 16);
  } else if (n >= 4 && n < 8) {
    uint32_t a, b;
    std::memcpy(&a, src, 4);
    std::memcpy(&b, src + n - 4, 4);
    std::memcpy(dst, &a, 4);
    std::memcpy(dst + n - 4, &b, 4);
  } else if (n > 32) {
    std::memcpy(dst, src, n);
  } else {
    for (size_t i = 0; i < n; ++i) dst[i] = src[i];
  }
}

// The number of leading bytes of [p, p + n) that do not force RFC 4180
// quoting (',', '"', CR, LF), tested 8 bytes at a time ("has zero byte"
// trick, exact as a yes/no test).
// With kApostrophe, '\'' counts as special too (text inside a collection
// literal, where it would be doubled).
template <bool kApostrophe = false>
size_t CsvPlainPrefix(const char* p, size_t n) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  auto has_byte = [](uint64_t w, char c) {
    const uint64_t x = w ^ (kOnes * static_cast<uint8_t>(c));
    return (x - kOnes) & ~x & kHigh;
  };
  auto plain_word = [&](const char* at) {
    uint64_t w;
    std::memcpy(&w, at, 8);
    return (has_byte(w, ',') | has_byte(w, '"') | has_byte(w, '\n') |
            has_byte(w, '\r') | (kApostrophe ? has_byte(w, '\'') : 0)) == 0;
  };
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    if (!plain_word(p + i)) break;
  }
  // The tail as one overlapping word: plain means all of it is.
  if (i + 8 > n && n >= 8 && plain_word(p + n - 8)) return n;
  while (i < n && p[i] != ',' && p[i] != '"' && p[i] != '\n' && p[i] != '\r' &&
         (!kApostrophe || p[i] != '\'')) {
    ++i;
  }
  return i;
}

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out->append(buf, end);
}

// All output column types in order: key components, clustering, columns.
std::vector<const CqlType*> OutputTypes(const TableSchema& s) {
  std::vector<const CqlType*> t;
  for (const auto& k : s.partition_key_types) t.push_back(k.get());
  for (const auto& c : s.clustering_types) t.push_back(c.get());
  for (const auto& c : s.columns) t.push_back(c.type.get());
  return t;
}

std::vector<std::string> OutputNames(const TableSchema& s) {
  std::vector<std::string> n(s.partition_key_names);
  n.insert(n.end(), s.clustering_names.begin(), s.clustering_names.end());
  for (const auto& c : s.columns) n.push_back(c.name);
  return n;
}

// One output column's value in a row, whatever its source (key component,
// clustering value or regular/static column).
struct Field {
  ColumnValue::Kind kind;
  ByteView value;                         // kValue
  std::span<const MultiCellEntry> cells;  // kCells
  int64_t counter;                        // kCounter
};

// Shared buffer management and row walking for both writers.
//
// Rows are built in a fixed staging array first: runs of fields with a fast
// form (null, counters, fixed-size scalars, text that needs no escaping or
// quoting, non-frozen lists/sets of those) are formatted there with inline
// copies and types_internal::FormatScalarFast, and reach buf_ in one append
// per row; any other field flushes the stage and goes through the generic
// types.h renderers straight into buf_. Both paths give the same bytes.
// buf_ goes to the OutputSink in ~1 MiB blocks.
class BufferedRowSink : public RowSink {
 public:
  explicit BufferedRowSink(OutputSink* out) : out_(out) {
    buf_.reserve(kFlushBytes + (kFlushBytes >> 2));
  }
  Status Finish() override { return Flush(); }
  Status Flush() override {
    if (buf_.empty()) return Status::Ok();
    Status s = out_->Append(buf_);
    buf_.clear();
    return s;
  }
  size_t buffered_bytes() const override { return buf_.size(); }

 protected:
  static constexpr size_t kStageSize = 4096;

  Status MaybeFlush() {
    return buf_.size() >= kFlushBytes ? Flush() : Status::Ok();
  }
  void SetTypes(const TableSchema& schema) {
    types_ = OutputTypes(schema);
    kinds_.clear();
    for (const CqlType* t : types_) kinds_.push_back(t->kind);
    key_count_ = schema.partition_key_types.size();
    clustering_count_ = schema.clustering_types.size();
  }
  // Output column `col` of `row`.
  Field FieldAt(const CqlRow& row, size_t col) const {
    Field f{ColumnValue::Kind::kNull, ByteView(), {}, 0};
    if (col < key_count_) {
      if (col < row.partition_key.size()) {
        f.kind = ColumnValue::Kind::kValue;
        f.value = row.partition_key[col];
      }
      return f;
    }
    col -= key_count_;
    if (col < clustering_count_) {
      if (col < row.clustering.size() && row.clustering[col].has_value()) {
        f.kind = ColumnValue::Kind::kValue;
        f.value = *row.clustering[col];
      }
      return f;
    }
    col -= clustering_count_;
    if (col < row.columns.size()) {
      const ColumnValue& v = row.columns[col];
      f.kind = v.kind;
      f.value = v.value;
      f.cells = v.cells;
      f.counter = v.counter;
    }
    return f;
  }
  // Moves the staged bytes to buf_.
  char* Unstage(char* s) {
    buf_.append(stage_, s);
    return stage_;
  }
  size_t StageRoom(const char* s) const {
    return static_cast<size_t>(stage_ + kStageSize - s);
  }

  OutputSink* out_;
  std::string buf_;
  char stage_[kStageSize];
  size_t clustering_count_ = 0;
  size_t key_count_ = 0;
  std::vector<const CqlType*> types_;
  std::vector<TypeKind> kinds_;
};

class JsonLinesWriter : public BufferedRowSink {
 public:
  using BufferedRowSink::BufferedRowSink;

  Status Begin(const TableSchema& schema) override {
    SetTypes(schema);
    std::vector<std::string> names = OutputNames(schema);
    prefixes_.clear();
    for (size_t i = 0; i < names.size(); ++i) {
      // Selection.rowToJson: names with upper case are shown quoted.
      std::string name = names[i];
      bool upper = false;
      for (char ch : name) upper |= (ch >= 'A' && ch <= 'Z');
      if (upper) name = "\"" + name + "\"";
      std::string p = i == 0 ? "{" : ", ";
      AppendJsonString(name, &p);
      p += ": ";
      prefixes_.push_back(std::move(p));
    }
    return Status::Ok();
  }

  Status AddRow(const CqlRow& row) override {
    char* s = stage_;
    for (size_t col = 0; col < prefixes_.size(); ++col) {
      const std::string& prefix = prefixes_[col];
      const Field f = FieldAt(row, col);
      if (prefix.size() + kFormatBufferSize <= StageRoom(s)) {
        char* p = s + prefix.size();
        char* end = StageFast(col, f, p);
        if (end != nullptr) {
          CopyShort(s, prefix.data(), prefix.size());
          s = end;
          continue;
        }
      }
      s = Unstage(s);
      buf_ += prefix;
      switch (f.kind) {
        case ColumnValue::Kind::kNull:
          buf_.append("null", 4);
          break;
        case ColumnValue::Kind::kValue:
          AppendJson(*types_[col], f.value, &buf_);
          break;
        case ColumnValue::Kind::kCells:
          AppendMultiCellJson(*types_[col], f.cells, &buf_);
          break;
        case ColumnValue::Kind::kCounter:
          AppendInt(f.counter, &buf_);
          break;
      }
    }
    if (StageRoom(s) < 3) s = Unstage(s);
    if (prefixes_.empty()) *s++ = '{';
    s[0] = '}';
    s[1] = '\n';
    s = Unstage(s + 2);
    return MaybeFlush();
  }

 private:
  // Writes field `f` of column `col` at `p` (kFormatBufferSize bytes free
  // there, more checked for text) when it has a fast form; returns the end,
  // or nullptr for the generic path.
  char* StageFast(size_t col, const Field& f, char* p) const {
    switch (f.kind) {
      case ColumnValue::Kind::kNull:
        std::memcpy(p, "null", 4);
        return p + 4;
      case ColumnValue::Kind::kCounter:
        return std::to_chars(p, p + kFormatBufferSize, f.counter).ptr;
      case ColumnValue::Kind::kCells:
        return StageCells(*types_[col], f.cells, p);
      case ColumnValue::Kind::kValue:
        break;
    }
    return StageValue(kinds_[col], f.value, p);
  }
  char* StageValue(TypeKind kind, ByteView v, char* p) const {
    if (kind == TypeKind::kText || kind == TypeKind::kAscii) {
      const size_t n = v.size();
      if (n + 2 > StageRoom(p) ||
          types_internal::JsonPlainPrefix(v.data(), n) != n) {
        return nullptr;
      }
      *p++ = '"';
      CopyShort(p, v.data(), n);
      p[n] = '"';
      return p + n + 1;
    }
    return types_internal::FormatScalarFast(kind, v, /*json=*/true, p);
  }
  // A non-frozen list or set as AppendMultiCellJson renders it, when every
  // element has a fast form.
  char* StageCells(const CqlType& t, std::span<const MultiCellEntry> cells,
                   char* p) const {
    if ((t.kind != TypeKind::kList && t.kind != TypeKind::kSet) ||
        !t.IsMultiCell() || t.params.empty() || cells.empty()) {
      return nullptr;
    }
    const bool list = t.kind == TypeKind::kList;
    const TypeKind element = t.params[0]->kind;
    *p++ = '[';
    for (size_t i = 0; i < cells.size(); ++i) {
      // Room for a separator, a scalar and the closing bracket.
      if (StageRoom(p) < kFormatBufferSize + 3) return nullptr;
      if (i > 0) {
        *p++ = ',';
        *p++ = ' ';
      }
      p = StageValue(element, list ? cells[i].second : cells[i].first, p);
      if (p == nullptr) return nullptr;
    }
    if (StageRoom(p) < 1) return nullptr;
    *p++ = ']';
    return p;
  }

  std::vector<std::string> prefixes_;
};

class CsvWriter : public BufferedRowSink {
 public:
  using BufferedRowSink::BufferedRowSink;

  Status Begin(const TableSchema& schema) override {
    SetTypes(schema);
    may_need_quotes_.clear();
    for (const CqlType* t : types_)
      may_need_quotes_.push_back(MayNeedQuotes(*t));
    std::vector<std::string> names = OutputNames(schema);
    for (size_t i = 0; i < names.size(); ++i) {
      if (i > 0) buf_.push_back(',');
      size_t start = buf_.size();
      buf_ += names[i];
      QuoteFieldFrom(start);
    }
    buf_.push_back('\n');
    return MaybeFlush();
  }

  Status AddRow(const CqlRow& row) override {
    char* s = stage_;
    for (size_t col = 0; col < types_.size(); ++col) {
      const Field f = FieldAt(row, col);
      if (1 + kFormatBufferSize <= StageRoom(s)) {
        char* p = s;
        if (col > 0) *p++ = ',';
        char* end = StageFast(col, f, p);
        if (end != nullptr) {
          s = end;
          continue;
        }
      }
      s = Unstage(s);
      if (col > 0) buf_.push_back(',');
      const size_t start = buf_.size();
      switch (f.kind) {
        case ColumnValue::Kind::kNull:
          continue;  // null: an empty field
        case ColumnValue::Kind::kValue:
          AppendCqlLiteral(*types_[col], f.value, false, &buf_);
          break;
        case ColumnValue::Kind::kCells:
          AppendMultiCellCqlLiteral(*types_[col], f.cells, false, &buf_);
          break;
        case ColumnValue::Kind::kCounter:
          AppendInt(f.counter, &buf_);
          break;
      }
      FinishField(start, col);
    }
    if (StageRoom(s) < 1) s = Unstage(s);
    *s++ = '\n';
    Unstage(s);
    return MaybeFlush();
  }

 private:
  // As JsonLinesWriter::StageFast, for CQL literal text (unquoted at the top
  // level; nothing here ever needs RFC 4180 quoting).
  char* StageFast(size_t col, const Field& f, char* p) const {
    switch (f.kind) {
      case ColumnValue::Kind::kNull:
        return p;
      case ColumnValue::Kind::kCounter:
        return std::to_chars(p, p + kFormatBufferSize, f.counter).ptr;
      case ColumnValue::Kind::kCells:
        return StageCells(*types_[col], f.cells, p);
      case ColumnValue::Kind::kValue:
        break;
    }
    const TypeKind kind = kinds_[col];
    if (kind == TypeKind::kText || kind == TypeKind::kAscii) {
      const size_t n = f.value.size();
      const char* v = reinterpret_cast<const char*>(f.value.data());
      if (n == 0 || n > StageRoom(p) || CsvPlainPrefix(v, n) != n) {
        return nullptr;  // "" for empty text, quoting: generic path
      }
      CopyShort(p, v, n);
      return p + n;
    }
    return types_internal::FormatScalarFast(kind, f.value, /*json=*/false, p);
  }
  // A non-frozen list or set as AppendMultiCellCqlLiteral renders it
  // ([...] / {...}, text elements 'quoted'), RFC 4180-quoted when it has
  // more than one element (", " holds a comma). Only for elements whose
  // nested literal needs no escaping at either level (text without quotes,
  // commas or line breaks; numbers, booleans, uuids).
  char* StageCells(const CqlType& t, std::span<const MultiCellEntry> cells,
                   char* p) const {
    if ((t.kind != TypeKind::kList && t.kind != TypeKind::kSet) ||
        !t.IsMultiCell() || t.params.empty() || cells.empty()) {
      return nullptr;
    }
    const bool list = t.kind == TypeKind::kList;
    const TypeKind element = t.params[0]->kind;
    const bool text = element == TypeKind::kText || element == TypeKind::kAscii;
    if (!text && !PlainNestedLiteral(element)) return nullptr;
    const bool quoted = cells.size() > 1;
    if (quoted) *p++ = '"';
    *p++ = list ? '[' : '{';
    for (size_t i = 0; i < cells.size(); ++i) {
      // Room for a separator, a value and the closing brackets.
      if (StageRoom(p) < kFormatBufferSize + 4) return nullptr;
      if (i > 0) {
        *p++ = ',';
        *p++ = ' ';
      }
      const ByteView e = list ? cells[i].second : cells[i].first;
      if (!text) {
        p = types_internal::FormatScalarFast(element, e, /*json=*/false, p);
        if (p == nullptr) return nullptr;
        continue;
      }
      const size_t n = e.size();
      const char* v = reinterpret_cast<const char*>(e.data());
      if (n + 6 > StageRoom(p) || CsvPlainPrefix<true>(v, n) != n) {
        return nullptr;
      }
      *p++ = '\'';
      CopyShort(p, v, n);
      p += n;
      *p++ = '\'';
    }
    *p++ = list ? ']' : '}';
    if (quoted) *p++ = '"';
    return p;
  }
  // Kinds whose literal inside a collection is what FormatScalarFast
  // writes (no quotes, no commas).
  static bool PlainNestedLiteral(TypeKind k) {
    switch (k) {
      case TypeKind::kTinyint:
      case TypeKind::kSmallint:
      case TypeKind::kInt:
      case TypeKind::kBigint:
      case TypeKind::kCounter:
      case TypeKind::kBoolean:
      case TypeKind::kFloat:
      case TypeKind::kDouble:
      case TypeKind::kUuid:
      case TypeKind::kTimeuuid:
        return true;
      default:
        return false;
    }
  }
  // A present value that renders as nothing is the empty string: written
  // "" so that it differs from null (an empty field).
  void FinishField(size_t start, size_t col) {
    if (buf_.size() == start) {
      buf_ += "\"\"";
    } else if (may_need_quotes_[col]) {
      QuoteFieldFrom(start);
    }
  }
  // Numbers, uuids, dates, blobs (hex), inet, booleans and durations never
  // hold a comma, quote or line break; text and composite values may.
  static bool MayNeedQuotes(const CqlType& t) {
    switch (t.kind) {
      case TypeKind::kAscii:
      case TypeKind::kText:
      case TypeKind::kList:
      case TypeKind::kSet:
      case TypeKind::kMap:
      case TypeKind::kTuple:
      case TypeKind::kUdt:
      case TypeKind::kVector:
      case TypeKind::kComposite:
        return true;
      default:
        return false;
    }
  }
  // RFC 4180: a field holding a comma, quote, CR or LF is quoted, with
  // quotes doubled. Done in place: the field moves right by one byte plus
  // one per quote (collections, with their ", " separators, often need it).
  void QuoteFieldFrom(size_t start) {
    const size_t old_end = buf_.size();
    const size_t plain = CsvPlainPrefix(buf_.data() + start, old_end - start);
    if (plain == old_end - start) return;
    size_t quotes = 0;
    for (size_t i = start + plain; i < old_end; ++i) quotes += buf_[i] == '"';
    buf_.resize(old_end + quotes + 2);
    char* d = buf_.data();
    d[old_end + quotes + 1] = '"';
    if (quotes == 0) {
      std::memmove(d + start + 1, d + start, old_end - start);
    } else {
      size_t w = old_end + quotes + 1;
      for (size_t r = old_end; r-- > start;) {
        d[--w] = d[r];
        if (d[r] == '"') d[--w] = '"';
      }
    }
    d[start] = '"';
  }

  std::vector<char> may_need_quotes_;
};

}  // namespace

std::unique_ptr<RowSink> NewRowWriter(RowFormat format, OutputSink* out) {
  if (format == RowFormat::kCsv) return std::make_unique<CsvWriter>(out);
  return std::make_unique<JsonLinesWriter>(out);
}

}  // namespace sstablefs::reader
