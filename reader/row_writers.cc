// The JSON Lines and CSV RowSinks of row_renderer.h: the hot path of the
// product (every byte of rows.jsonl / rows.csv is produced here), so values
// are appended straight into one reused buffer and column prefixes are
// precomputed.
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "reader/dump_json.h"
#include "reader/row_renderer.h"

namespace sstablefs::reader {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out->append(buf, end);
}

// Fast path for the fixed-size integer types, whose JSON and CQL literal
// text are the same plain decimal number: the hot loop then skips the
// generic renderers. Returns false (nothing appended) for anything else,
// including a value of the wrong length (the generic renderer shows it as a
// blob).
bool AppendFixedInt(const CqlType& type, ByteView v, std::string* out) {
  size_t width;
  switch (type.kind) {
    case TypeKind::kInt:
      width = 4;
      break;
    case TypeKind::kBigint:
      width = 8;
      break;
    case TypeKind::kSmallint:
      width = 2;
      break;
    case TypeKind::kTinyint:
      width = 1;
      break;
    default:
      return false;
  }
  if (v.size() != width) return false;
  uint64_t u = 0;
  for (size_t i = 0; i < width; ++i) u = (u << 8) | v[i];
  const int shift = static_cast<int>(64 - 8 * width);
  // Sign-extend from `width` bytes (arithmetic shift of a two's complement).
  AppendInt(static_cast<int64_t>(u << shift) >> shift, out);
  return true;
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

// Shared buffer management for both writers.
class BufferedRowSink : public RowSink {
 public:
  explicit BufferedRowSink(OutputSink* out) : out_(out) {
    buf_.reserve(kFlushBytes + (kFlushBytes >> 2));
  }
  Status Finish() override { return Flush(); }

 protected:
  Status MaybeFlush() {
    return buf_.size() >= kFlushBytes ? Flush() : Status::Ok();
  }
  Status Flush() {
    if (buf_.empty()) return Status::Ok();
    Status s = out_->Append(buf_);
    buf_.clear();
    return s;
  }

  OutputSink* out_;
  std::string buf_;
  size_t clustering_count_ = 0;
  size_t key_count_ = 0;
  std::vector<const CqlType*> types_;
};

class JsonLinesWriter : public BufferedRowSink {
 public:
  using BufferedRowSink::BufferedRowSink;

  Status Begin(const TableSchema& schema) override {
    types_ = OutputTypes(schema);
    key_count_ = schema.partition_key_types.size();
    clustering_count_ = schema.clustering_types.size();
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
    size_t col = 0;
    for (size_t i = 0; i < key_count_; ++i, ++col) {
      buf_ += prefixes_[col];
      if (i < row.partition_key.size()) {
        Json(*types_[col], row.partition_key[i]);
      } else {
        buf_ += "null";
      }
    }
    for (size_t i = 0; i < clustering_count_; ++i, ++col) {
      buf_ += prefixes_[col];
      if (i < row.clustering.size() && row.clustering[i].has_value()) {
        Json(*types_[col], *row.clustering[i]);
      } else {
        buf_ += "null";
      }
    }
    for (size_t i = 0; col < prefixes_.size(); ++i, ++col) {
      buf_ += prefixes_[col];
      const ColumnValue* v = i < row.columns.size() ? &row.columns[i] : nullptr;
      if (v == nullptr || v->kind == ColumnValue::Kind::kNull) {
        buf_ += "null";
      } else if (v->kind == ColumnValue::Kind::kValue) {
        Json(*types_[col], v->value);
      } else if (v->kind == ColumnValue::Kind::kCells) {
        AppendMultiCellJson(*types_[col], v->cells, &buf_);
      } else {
        AppendInt(v->counter, &buf_);
      }
    }
    buf_ += prefixes_.empty() ? "{}\n" : "}\n";
    return MaybeFlush();
  }

 private:
  void Json(const CqlType& type, ByteView v) {
    if (!AppendFixedInt(type, v, &buf_)) AppendJson(type, v, &buf_);
  }

  std::vector<std::string> prefixes_;
};

class CsvWriter : public BufferedRowSink {
 public:
  using BufferedRowSink::BufferedRowSink;

  Status Begin(const TableSchema& schema) override {
    types_ = OutputTypes(schema);
    key_count_ = schema.partition_key_types.size();
    clustering_count_ = schema.clustering_types.size();
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
    size_t col = 0;
    for (size_t i = 0; i < key_count_; ++i, ++col) {
      if (col > 0) buf_.push_back(',');
      if (i < row.partition_key.size()) {
        Field(*types_[col], row.partition_key[i], col);
      }
    }
    for (size_t i = 0; i < clustering_count_; ++i, ++col) {
      if (col > 0) buf_.push_back(',');
      if (i < row.clustering.size() && row.clustering[i].has_value()) {
        Field(*types_[col], *row.clustering[i], col);
      }
    }
    for (size_t i = 0; col < types_.size(); ++i, ++col) {
      if (col > 0) buf_.push_back(',');
      const ColumnValue* v = i < row.columns.size() ? &row.columns[i] : nullptr;
      if (v == nullptr || v->kind == ColumnValue::Kind::kNull) continue;
      size_t start = buf_.size();
      if (v->kind == ColumnValue::Kind::kValue) {
        if (!AppendFixedInt(*types_[col], v->value, &buf_)) {
          AppendCqlLiteral(*types_[col], v->value, false, &buf_);
        }
      } else if (v->kind == ColumnValue::Kind::kCells) {
        AppendMultiCellCqlLiteral(*types_[col], v->cells, false, &buf_);
      } else {
        AppendInt(v->counter, &buf_);
      }
      FinishField(start, col);
    }
    buf_.push_back('\n');
    return MaybeFlush();
  }

 private:
  void Field(const CqlType& type, ByteView value, size_t col) {
    size_t start = buf_.size();
    if (!AppendFixedInt(type, value, &buf_)) {
      AppendCqlLiteral(type, value, false, &buf_);
    }
    FinishField(start, col);
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
  // quotes doubled. Rare, so the field is copied out and written back.
  void QuoteFieldFrom(size_t start) {
    const char* p = buf_.data() + start;
    const char* end = buf_.data() + buf_.size();
    while (p < end && *p != ',' && *p != '"' && *p != '\n' && *p != '\r') ++p;
    if (p == end) return;
    scratch_.assign(buf_, start, std::string::npos);
    buf_.resize(start);
    buf_.push_back('"');
    for (char ch : scratch_) {
      if (ch == '"') buf_.push_back('"');
      buf_.push_back(ch);
    }
    buf_.push_back('"');
  }

  std::string scratch_;
  std::vector<bool> may_need_quotes_;
};

}  // namespace

std::unique_ptr<RowSink> NewRowWriter(RowFormat format, OutputSink* out) {
  if (format == RowFormat::kCsv) return std::make_unique<CsvWriter>(out);
  return std::make_unique<JsonLinesWriter>(out);
}

}  // namespace sstablefs::reader
