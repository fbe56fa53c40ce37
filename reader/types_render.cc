// Rendering of serialized CQL values: CQL JSON (AbstractType.toJSONString as
// SELECT JSON uses it, with SPEC §3 deciding where Cassandra differs), CQL
// literal text (cqlsh / COPY TO) and the sstabledump string
// (AbstractType.getString). One recursive walker serves all three modes.
#include <charconv>
#include <cstring>
#include <span>
#include <string>

#include "reader/types.h"
#include "reader/types_internal.h"

namespace sstablefs::reader {
namespace {

using namespace types_internal;  // NOLINT: private helpers of this module

enum class Mode { kJson, kLiteral, kDump };

void Render(const CqlType& t, ByteView v, Mode mode, bool quote,
            std::string* out);

// 'text' with inner quotes doubled; copies the runs between quotes.
void AppendQuotedLiteral(std::string_view s, std::string* out) {
  out->push_back('\'');
  while (!s.empty()) {
    const void* q = std::memchr(s.data(), '\'', s.size());
    if (q == nullptr) {
      out->append(s);
      break;
    }
    size_t n = static_cast<const char*>(q) - s.data() + 1;
    out->append(s.data(), n);  // through the quote ...
    out->push_back('\'');      // ... which is doubled
    s.remove_prefix(n);
  }
  out->push_back('\'');
}

// A value whose text is a string in JSON and quoted in CQL literals.
void AppendStringLike(std::string_view s, Mode mode, bool quote,
                      std::string* out) {
  switch (mode) {
    case Mode::kJson:
      AppendJsonString(s, out);
      break;
    case Mode::kLiteral:
      if (quote) {
        AppendQuotedLiteral(s, out);
      } else {
        out->append(s);
      }
      break;
    case Mode::kDump:
      out->append(s);
      break;
  }
}

// Blob rendering, also the fallback for bytes that do not fit their type.
void AppendBlob(ByteView v, Mode mode, bool hex_prefix, std::string* out) {
  if (mode == Mode::kJson) out->push_back('"');
  if (hex_prefix || mode != Mode::kDump) out->append("0x");
  AppendHex(v, out);
  if (mode == Mode::kJson) out->push_back('"');
}

void AppendNull(Mode mode, bool nested, std::string* out) {
  if (mode == Mode::kJson || (mode == Mode::kLiteral && nested)) {
    out->append("null");
  }
}

void RenderText(ByteView v, Mode mode, bool quote, std::string* out) {
  // Bytes that are not UTF-8 are kept: JSON escapes them (\u00XX), literal
  // and dump text pass them through for the caller's own escaping.
  AppendStringLike(v.AsStringView(), mode, quote, out);
}

bool RenderFixedNumber(TypeKind kind, ByteView v, Mode mode, std::string* out) {
  const uint8_t* p = v.data();
  // One append per value: digits go to a stack buffer first. buf[0] is kept
  // free for the quote NaN/Infinity get in JSON.
  char buf[kFormatBufferSize + 2];
  char* const start = buf + 1;
  char* const limit = buf + sizeof(buf);
  char* end;
  switch (kind) {
    case TypeKind::kTinyint:
      if (v.size() != 1) return false;
      end = std::to_chars(start, limit, static_cast<int8_t>(p[0])).ptr;
      break;
    case TypeKind::kSmallint:
      if (v.size() != 2) return false;
      end = std::to_chars(start, limit, LoadI16(p)).ptr;
      break;
    case TypeKind::kInt:
      if (v.size() != 4) return false;
      end = std::to_chars(start, limit, LoadI32(p)).ptr;
      break;
    case TypeKind::kBigint:
    case TypeKind::kCounter:
      if (v.size() != 8) return false;
      end = std::to_chars(start, limit, LoadI64(p)).ptr;
      break;
    case TypeKind::kFloat: {
      if (v.size() != 4) return false;
      float f;
      uint32_t b32 = static_cast<uint32_t>(LoadI32(p));
      std::memcpy(&f, &b32, 4);
      end = FormatJavaFloat(f, start);
      break;
    }
    case TypeKind::kDouble: {
      if (v.size() != 8) return false;
      double d;
      uint64_t b64 = static_cast<uint64_t>(LoadI64(p));
      std::memcpy(&d, &b64, 8);
      end = FormatJavaDouble(d, start);
      break;
    }
    default:
      return false;
  }
  // JSON has no NaN/Infinity: SPEC §3 makes them strings.
  const char c = start[0] == '-' ? start[1] : start[0];
  if (mode == Mode::kJson && (c == 'N' || c == 'I')) {
    buf[0] = '"';
    *end++ = '"';
    out->append(buf, end);
  } else {
    out->append(start, end);
  }
  return true;
}

// Turns the JSON text at out[start..] into a JSON string of that text,
// in place, unless it already is a string. JSON text has every control or
// non-UTF-8 byte escaped already, so only '"' and '\\' need escaping.
void WrapKeyAsJsonString(size_t start, std::string* out) {
  if (out->size() > start && (*out)[start] == '"') return;
  size_t extra = 0;
  for (size_t i = start; i < out->size(); ++i) {
    char c = (*out)[i];
    if (c == '"' || c == '\\') ++extra;
  }
  size_t old_end = out->size();
  out->resize(old_end + extra + 2);
  size_t w = out->size();
  (*out)[--w] = '"';
  for (size_t r = old_end; r-- > start;) {
    char c = (*out)[r];
    (*out)[--w] = c;
    if (c == '"' || c == '\\') (*out)[--w] = '\\';
  }
  (*out)[--w] = '"';
}

void RenderCollection(const CqlType& t, ByteView v, Mode mode,
                      std::string* out) {
  size_t start = out->size();
  size_t pos = 0;
  int32_t count;
  bool ok = ReadCount(v, &pos, &count);
  bool is_map = t.kind == TypeKind::kMap;
  bool json_like = mode != Mode::kLiteral;
  char open = (t.kind == TypeKind::kList || json_like) ? '[' : '{';
  char close = open == '[' ? ']' : '}';
  if (is_map) {
    open = '{';
    close = '}';
  }
  out->push_back(open);
  for (int32_t i = 0; ok && i < count; ++i) {
    if (i > 0) out->append(", ");
    ByteView e;
    bool is_null;
    if (!ReadElement(v, &pos, &e, &is_null)) {
      ok = false;
      break;
    }
    if (!is_map) {
      if (is_null) {
        AppendNull(mode, true, out);
      } else {
        Render(*t.params[0], e, mode, true, out);
      }
      continue;
    }
    size_t key_start = out->size();
    if (is_null) {
      AppendNull(mode, true, out);
    } else {
      Render(*t.params[0], e, mode, true, out);
    }
    // JSON object keys must be strings: wrap non-string keys' JSON text.
    if (mode != Mode::kLiteral) WrapKeyAsJsonString(key_start, out);
    out->append(": ");
    if (!ReadElement(v, &pos, &e, &is_null)) {
      ok = false;
      break;
    }
    if (is_null) {
      AppendNull(mode, true, out);
    } else {
      Render(*t.params[1], e, mode, true, out);
    }
  }
  if (!ok || pos != v.size()) {
    out->resize(start);
    AppendBlob(v, mode, true, out);
    return;
  }
  out->push_back(close);
}

// JSON object key / literal field name of a UDT field.
void AppendFieldName(const std::string& name, Mode mode, std::string* out) {
  bool lower = true, identifier = !name.empty();
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') lower = false;
    bool ok =
        (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) identifier = false;
  }
  if (mode != Mode::kLiteral) {
    // UserType.toJSONString: names with upper case are double-quoted.
    if (lower) {
      AppendJsonString(name, out);
    } else {
      std::string quoted = "\"" + name + "\"";
      AppendJsonString(quoted, out);
    }
    return;
  }
  if (identifier) {
    out->append(name);
    return;
  }
  out->push_back('"');
  for (char c : name) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

// Tuples and UDTs: int32-length-prefixed fields (-1 = null); trailing fields
// may be missing (null).
void RenderFields(const CqlType& t, ByteView v, Mode mode, std::string* out) {
  size_t start = out->size();
  bool udt = t.kind == TypeKind::kUdt;
  char open = udt ? '{' : (mode == Mode::kLiteral ? '(' : '[');
  char close = udt ? '}' : (mode == Mode::kLiteral ? ')' : ']');
  out->push_back(open);
  size_t pos = 0;
  bool ok = true;
  for (size_t i = 0; i < t.params.size(); ++i) {
    if (i > 0) out->append(", ");
    if (udt && i < t.field_names.size()) {
      AppendFieldName(t.field_names[i], mode, out);
      out->append(": ");
    }
    ByteView e;
    bool is_null = true;
    if (pos < v.size() && !ReadElement(v, &pos, &e, &is_null)) {
      ok = false;
      break;
    }
    if (is_null) {
      AppendNull(mode, true, out);
    } else {
      Render(*t.params[i], e, mode, true, out);
    }
  }
  if (!ok || pos != v.size()) {
    out->resize(start);
    AppendBlob(v, mode, true, out);
    return;
  }
  out->push_back(close);
}

void RenderVector(const CqlType& t, ByteView v, Mode mode, std::string* out) {
  size_t start = out->size();
  out->push_back('[');
  bool first = true;
  bool ok = ForEachVectorElement(t, v, [&](ByteView e) {
    if (!first) out->append(", ");
    first = false;
    Render(*t.params[0], e, mode, true, out);
  });
  if (!ok) {
    out->resize(start);
    AppendBlob(v, mode, true, out);
    return;
  }
  out->push_back(']');
}

void RenderComposite(const CqlType& t, ByteView v, Mode mode, bool quote,
                     std::string* out) {
  auto parts = SplitComposite(v);
  if (!parts.ok()) {
    AppendBlob(v, mode, true, out);
    return;
  }
  if (mode == Mode::kJson) {
    out->push_back('[');
  }
  for (size_t i = 0; i < parts->size(); ++i) {
    if (i > 0) out->append(mode == Mode::kJson ? ", " : ":");
    static const CqlType kBlobType;  // components beyond the declared types
    const CqlType& ct = i < t.params.size() ? *t.params[i] : kBlobType;
    if (mode == Mode::kJson) {
      Render(ct, (*parts)[i], mode, true, out);
      continue;
    }
    // CompositeType.getString escapes ':' inside components as "\:".
    size_t s = out->size();
    Render(ct, (*parts)[i], mode, quote, out);
    for (size_t k = s; k < out->size(); ++k) {
      if ((*out)[k] == ':' || (*out)[k] == '\\') {
        out->insert(k, 1, '\\');
        ++k;
      }
    }
  }
  if (mode == Mode::kJson) out->push_back(']');
}

// Timestamps, dates and times: a string in JSON, quoted in CQL literals when
// `quote`. Built in a stack buffer and appended once (no escaping needed).
bool RenderTemporal(TypeKind kind, ByteView v, Mode mode, bool quote,
                    std::string* out) {
  const bool quoted = mode == Mode::kJson || (mode == Mode::kLiteral && quote);
  const char q = mode == Mode::kJson ? '"' : '\'';
  char buf[kFormatBufferSize + 8];
  char* p = buf;
  if (quoted) *p++ = q;
  switch (kind) {
    case TypeKind::kTimestamp: {
      if (v.size() != 8) return false;
      // cqlsh prints microseconds and an offset; JSON milliseconds and Z.
      const bool literal = mode == Mode::kLiteral;
      p = FormatTimestamp(LoadI64(v.data()), literal, p);
      if (literal) {
        std::memcpy(p, "+0000", 5);
        p += 5;
      } else {
        *p++ = 'Z';
      }
      break;
    }
    case TypeKind::kDate:
      if (v.size() != 4) return false;
      // SimpleDateType: unsigned days with the epoch at 2^31.
      p = FormatDate(
          static_cast<int64_t>(static_cast<uint32_t>(LoadI32(v.data()))) -
              (1ll << 31),
          p);
      break;
    case TypeKind::kTime: {
      if (v.size() != 8) return false;
      int64_t nanos = LoadI64(v.data());
      if (nanos < 0 || nanos >= 86400000000000ll) return false;
      p = FormatTimeOfDay(nanos, p);
      break;
    }
    default:
      return false;
  }
  if (quoted) *p++ = q;
  out->append(buf, p);
  return true;
}

// Renders the non-empty value of a scalar kind; false if the bytes do not fit.
bool RenderScalar(const CqlType& t, ByteView v, Mode mode, bool quote,
                  std::string* out) {
  switch (t.kind) {
    case TypeKind::kBoolean:
      if (v.size() != 1) return false;
      if (v[0] != 0) {
        out->append("true", 4);
      } else {
        out->append("false", 5);
      }
      return true;
    case TypeKind::kVarint:
      return AppendVarint(v, out);
    case TypeKind::kDecimal:
      if (v.size() < 5) return false;
      return AppendDecimal(v, mode == Mode::kDump, out);
    case TypeKind::kUuid:
    case TypeKind::kTimeuuid: {
      if (v.size() != 16) return false;
      char buf[38];
      char* p = buf;
      if (mode == Mode::kJson) *p++ = '"';
      p = FormatUuid(v.data(), p);
      if (mode == Mode::kJson) *p++ = '"';
      out->append(buf, p);
      return true;
    }
    case TypeKind::kInet: {
      size_t start = out->size();
      bool q = mode == Mode::kJson || (mode == Mode::kLiteral && quote);
      char qc = mode == Mode::kJson ? '"' : '\'';
      if (q) out->push_back(qc);
      if (!AppendInet(v, out)) {
        out->resize(start);
        return false;
      }
      if (q) out->push_back(qc);
      return true;
    }
    case TypeKind::kTimestamp:
    case TypeKind::kDate:
    case TypeKind::kTime:
      return RenderTemporal(t.kind, v, mode, quote, out);
    case TypeKind::kDuration: {
      size_t start = out->size();
      bool q = mode == Mode::kJson;
      if (q) out->push_back('"');
      if (!AppendDuration(v, out)) {
        out->resize(start);
        return false;
      }
      if (q) out->push_back('"');
      return true;
    }
    default:
      return RenderFixedNumber(t.kind, v, mode, out);
  }
}

void Render(const CqlType& t, ByteView v, Mode mode, bool quote,
            std::string* out) {
  switch (t.kind) {
    case TypeKind::kText:
    case TypeKind::kAscii:
      RenderText(v, mode, quote, out);
      return;
    case TypeKind::kBlob:
      AppendBlob(v, mode, false, out);
      return;
    case TypeKind::kCustom:
      AppendBlob(v, mode, false, out);
      return;
    default:
      break;
  }
  if (v.empty()) {
    // Zero bytes for a non-text type: Cassandra's "empty value" (null).
    AppendNull(mode, quote && mode == Mode::kLiteral, out);
    return;
  }
  // sstabledump prints collections, tuples and UDTs as JSON.
  Mode inner = mode == Mode::kDump ? Mode::kJson : mode;
  switch (t.kind) {
    case TypeKind::kList:
    case TypeKind::kSet:
    case TypeKind::kMap:
      RenderCollection(t, v, inner, out);
      return;
    case TypeKind::kTuple:
    case TypeKind::kUdt:
      RenderFields(t, v, inner, out);
      return;
    case TypeKind::kVector:
      RenderVector(t, v, inner, out);
      return;
    case TypeKind::kComposite:
      RenderComposite(t, v, mode, quote, out);
      return;
    case TypeKind::kEmpty:
      AppendBlob(v, mode, true, out);
      return;
    default:
      break;
  }
  size_t start = out->size();
  if (!RenderScalar(t, v, mode, quote, out)) {
    out->resize(start);
    AppendBlob(v, mode, true, out);
  }
}

void RenderMultiCell(const CqlType& t, std::span<const MultiCellEntry> cells,
                     Mode mode, bool quote, std::string* out) {
  if (!t.IsMultiCell()) {
    if (cells.empty()) {
      AppendNull(mode, false, out);
    } else {
      Render(t, cells[0].second, mode, quote, out);
    }
    return;
  }
  if (cells.empty()) {  // an empty multi-cell collection is null in CQL
    AppendNull(mode, false, out);
    return;
  }
  bool json = mode == Mode::kJson;
  switch (t.kind) {
    case TypeKind::kList:
    case TypeKind::kSet: {
      bool list = t.kind == TypeKind::kList;
      out->push_back(list || json ? '[' : '{');
      for (size_t i = 0; i < cells.size(); ++i) {
        if (i > 0) out->append(", ");
        Render(*t.params[0], list ? cells[i].second : cells[i].first, mode,
               true, out);
      }
      out->push_back(list || json ? ']' : '}');
      return;
    }
    case TypeKind::kMap:
      out->push_back('{');
      for (size_t i = 0; i < cells.size(); ++i) {
        if (i > 0) out->append(", ");
        size_t key_start = out->size();
        Render(*t.params[0], cells[i].first, mode, true, out);
        if (json) WrapKeyAsJsonString(key_start, out);
        out->append(": ");
        Render(*t.params[1], cells[i].second, mode, true, out);
      }
      out->push_back('}');
      return;
    case TypeKind::kUdt: {
      out->push_back('{');
      size_t next = 0;  // cells are in field-position order
      for (size_t f = 0; f < t.params.size(); ++f) {
        if (f > 0) out->append(", ");
        if (f < t.field_names.size()) {
          AppendFieldName(t.field_names[f], mode, out);
        }
        out->append(": ");
        while (next < cells.size() &&
               UdtFieldPosition(cells[next].first) < static_cast<int>(f)) {
          ++next;
        }
        if (next < cells.size() &&
            UdtFieldPosition(cells[next].first) == static_cast<int>(f)) {
          Render(*t.params[f], cells[next].second, mode, true, out);
        } else {
          AppendNull(mode, true, out);
        }
      }
      out->push_back('}');
      return;
    }
    default:
      Render(t, cells[0].second, mode, quote, out);
  }
}

// Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid.
size_t Utf8SequenceLength(const uint8_t* p, const uint8_t* end) {
  uint8_t c = *p;
  if (c < 0x80) return 1;
  size_t n = (c & 0xe0) == 0xc0   ? 2
             : (c & 0xf0) == 0xe0 ? 3
             : (c & 0xf8) == 0xf0 ? 4
                                  : 0;
  if (n == 0 || static_cast<size_t>(end - p) < n) return 0;
  return IsValidUtf8(ByteView(p, n)) ? n : 0;
}

// Strings up to this long are quoted in a stack buffer (one append).
constexpr size_t kShortString = 126;

// Whether byte c goes into a JSON string as it is: printable ASCII other
// than '"' and '\\'. (Bytes >= 0x80 are copied too, once their UTF-8
// sequence checked out.)
constexpr bool IsPlainJsonByte(uint8_t c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

// The escape of a byte that is not plain and not part of valid UTF-8.
void AppendJsonEscape(uint8_t c, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  char esc = 0;
  switch (c) {
    case '"':
      esc = '"';
      break;
    case '\\':
      esc = '\\';
      break;
    case '\n':
      esc = 'n';
      break;
    case '\r':
      esc = 'r';
      break;
    case '\t':
      esc = 't';
      break;
    case '\b':
      esc = 'b';
      break;
    case '\f':
      esc = 'f';
      break;
    default:
      break;
  }
  if (esc != 0) {
    const char e[2] = {'\\', esc};
    out->append(e, 2);
    return;
  }
  // Control byte, or a byte that is not part of valid UTF-8: \u00XX.
  const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
  out->append(u, 6);
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
  const uint8_t* const end = p + s.size();
  size_t plain = JsonPlainPrefix(p, s.size());
  if (plain == s.size()) {
    // Nothing to escape (the common case): one append for short strings.
    if (s.size() <= kShortString) {
      char buf[kShortString + 2];
      buf[0] = '"';
      // s.data() may be null for an empty view; memcpy must not see it.
      if (!s.empty()) std::memcpy(buf + 1, s.data(), s.size());
      buf[s.size() + 1] = '"';
      out->append(buf, s.size() + 2);
    } else {
      out->push_back('"');
      out->append(s);
      out->push_back('"');
    }
    return;
  }
  out->push_back('"');
  // Copy runs of bytes that need no escape, escape the others one by one.
  const uint8_t* run = p;
  p += plain;
  while (p < end) {
    const uint8_t c = *p;
    if (c >= 0x80) {
      const size_t n = Utf8SequenceLength(p, end);
      if (n != 0) {
        p += n;
        p += JsonPlainPrefix(p, static_cast<size_t>(end - p));
        continue;
      }
    }
    out->append(reinterpret_cast<const char*>(run),
                static_cast<size_t>(p - run));
    AppendJsonEscape(c, out);
    run = ++p;
    p += JsonPlainPrefix(p, static_cast<size_t>(end - p));
  }
  out->append(reinterpret_cast<const char*>(run), static_cast<size_t>(p - run));
  out->push_back('"');
}

void AppendJson(const CqlType& type, ByteView value, std::string* out) {
  Render(type, value, Mode::kJson, true, out);
}

void AppendCqlLiteral(const CqlType& type, ByteView value, bool quote_strings,
                      std::string* out) {
  Render(type, value, Mode::kLiteral, quote_strings, out);
}

void AppendDumpString(const CqlType& type, ByteView value, std::string* out) {
  Render(type, value, Mode::kDump, false, out);
}

void AppendMultiCellJson(const CqlType& type,
                         std::span<const MultiCellEntry> cells,
                         std::string* out) {
  RenderMultiCell(type, cells, Mode::kJson, true, out);
}

void AppendMultiCellCqlLiteral(const CqlType& type,
                               std::span<const MultiCellEntry> cells,
                               bool quote_strings, std::string* out) {
  RenderMultiCell(type, cells, Mode::kLiteral, quote_strings, out);
}

namespace types_internal {

struct JsonPlainTable {
  bool plain[256];
  constexpr JsonPlainTable() : plain() {
    for (int c = 0; c < 256; ++c) {
      plain[c] = IsPlainJsonByte(static_cast<uint8_t>(c));
    }
  }
};
constexpr JsonPlainTable kJsonPlainByte;

// A word is plain when no byte is < 0x20, >= 0x80, '"' or '\\'
// (the "has less than" / "has zero byte" tricks; exact as a yes/no test).
size_t JsonPlainPrefix(const uint8_t* p, size_t n) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    const uint64_t q = w ^ (kOnes * '"');
    const uint64_t b = w ^ (kOnes * '\\');
    const uint64_t special =
        ((w - kOnes * 0x20) & ~w) | ((q - kOnes) & ~q) | ((b - kOnes) & ~b) | w;
    if ((special & kHigh) != 0) break;
  }
  if (i + 8 > n && n >= 8) {
    // The tail, as one (overlapping) word: plain means all of it is.
    uint64_t w;
    std::memcpy(&w, p + n - 8, 8);
    const uint64_t q = w ^ (kOnes * '"');
    const uint64_t b = w ^ (kOnes * '\\');
    const uint64_t special =
        ((w - kOnes * 0x20) & ~w) | ((q - kOnes) & ~q) | ((b - kOnes) & ~b) | w;
    if ((special & kHigh) == 0) return n;
  }
  while (i < n && kJsonPlainByte.plain[p[i]]) ++i;
  return i;
}

char* FormatScalarFast(TypeKind kind, ByteView v, bool json, char* out) {
  const uint8_t* p = v.data();
  char* const limit = out + kFormatBufferSize;
  switch (kind) {
    case TypeKind::kTinyint:
      if (v.size() != 1) return nullptr;
      return std::to_chars(out, limit, static_cast<int8_t>(p[0])).ptr;
    case TypeKind::kSmallint:
      if (v.size() != 2) return nullptr;
      return std::to_chars(out, limit, LoadI16(p)).ptr;
    case TypeKind::kInt:
      if (v.size() != 4) return nullptr;
      return std::to_chars(out, limit, LoadI32(p)).ptr;
    case TypeKind::kBigint:
    case TypeKind::kCounter:
      if (v.size() != 8) return nullptr;
      return std::to_chars(out, limit, LoadI64(p)).ptr;
    case TypeKind::kBoolean:
      if (v.size() != 1) return nullptr;
      if (p[0] != 0) {
        std::memcpy(out, "true", 4);
        return out + 4;
      }
      std::memcpy(out, "false", 5);
      return out + 5;
    case TypeKind::kFloat:
    case TypeKind::kDouble: {
      char* end;
      if (kind == TypeKind::kFloat) {
        if (v.size() != 4) return nullptr;
        float f;
        uint32_t b32 = static_cast<uint32_t>(LoadI32(p));
        std::memcpy(&f, &b32, 4);
        end = FormatJavaFloat(f, out);
      } else {
        if (v.size() != 8) return nullptr;
        double d;
        uint64_t b64 = static_cast<uint64_t>(LoadI64(p));
        std::memcpy(&d, &b64, 8);
        end = FormatJavaDouble(d, out);
      }
      const char c = out[0] == '-' ? out[1] : out[0];
      if (json && (c == 'N' || c == 'I')) return nullptr;  // quoted in JSON
      return end;
    }
    case TypeKind::kUuid:
    case TypeKind::kTimeuuid: {
      if (v.size() != 16) return nullptr;
      char* o = out;
      if (json) *o++ = '"';
      o = FormatUuid(p, o);
      if (json) *o++ = '"';
      return o;
    }
    case TypeKind::kTimestamp: {
      if (v.size() != 8) return nullptr;
      char* o = out;
      if (json) *o++ = '"';
      o = FormatTimestamp(LoadI64(p), !json, o);
      if (json) {
        o[0] = 'Z';
        o[1] = '"';
        return o + 2;
      }
      std::memcpy(o, "+0000", 5);
      return o + 5;
    }
    case TypeKind::kDate: {
      if (v.size() != 4) return nullptr;
      char* o = out;
      if (json) *o++ = '"';
      o = FormatDate(
          static_cast<int64_t>(static_cast<uint32_t>(LoadI32(p))) - (1ll << 31),
          o);
      if (json) *o++ = '"';
      return o;
    }
    case TypeKind::kTime: {
      if (v.size() != 8) return nullptr;
      const int64_t nanos = LoadI64(p);
      if (nanos < 0 || nanos >= 86400000000000ll) return nullptr;
      char* o = out;
      if (json) *o++ = '"';
      o = FormatTimeOfDay(nanos, o);
      if (json) *o++ = '"';
      return o;
    }
    default:
      return nullptr;
  }
}

}  // namespace types_internal

}  // namespace sstablefs::reader
