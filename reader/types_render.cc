// Rendering of serialized CQL values: CQL JSON (AbstractType.toJSONString as
// SELECT JSON uses it, with SPEC §3 deciding where Cassandra differs), CQL
// literal text (cqlsh / COPY TO) and the sstabledump string
// (AbstractType.getString). One recursive walker serves all three modes.
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

void AppendQuotedLiteral(std::string_view s, std::string* out) {
  out->push_back('\'');
  for (char c : s) {
    if (c == '\'') out->push_back('\'');
    out->push_back(c);
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

// Renders a value that is a string in JSON but whose text is built in place
// (timestamps, uuids, ...): JSON quotes need no escaping for these.
template <typename Fn>
void AppendBuilt(Mode mode, bool quote, std::string* out, Fn build) {
  bool quoted = mode == Mode::kJson || (mode == Mode::kLiteral && quote);
  char q = mode == Mode::kJson ? '"' : '\'';
  if (quoted) out->push_back(q);
  build();
  if (quoted) out->push_back(q);
}

void RenderText(ByteView v, Mode mode, bool quote, std::string* out) {
  // Bytes that are not UTF-8 are kept: JSON escapes them (\u00XX), literal
  // and dump text pass them through for the caller's own escaping.
  AppendStringLike(v.AsStringView(), mode, quote, out);
}

bool RenderFixedNumber(TypeKind kind, ByteView v, Mode mode, std::string* out) {
  const uint8_t* p = v.data();
  switch (kind) {
    case TypeKind::kTinyint:
      if (v.size() != 1) return false;
      out->append(std::to_string(static_cast<int8_t>(p[0])));
      return true;
    case TypeKind::kSmallint:
      if (v.size() != 2) return false;
      out->append(std::to_string(static_cast<int16_t>(LoadBE(p, 2))));
      return true;
    case TypeKind::kInt:
      if (v.size() != 4) return false;
      out->append(std::to_string(LoadI32(p)));
      return true;
    case TypeKind::kBigint:
    case TypeKind::kCounter:
      if (v.size() != 8) return false;
      out->append(std::to_string(LoadI64(p)));
      return true;
    case TypeKind::kFloat:
    case TypeKind::kDouble: {
      size_t n = kind == TypeKind::kFloat ? 4 : 8;
      if (v.size() != n) return false;
      uint64_t bits = LoadBE(p, n);
      size_t start = out->size();
      if (n == 4) {
        float f;
        uint32_t b32 = static_cast<uint32_t>(bits);
        std::memcpy(&f, &b32, 4);
        AppendJavaFloat(f, out);
      } else {
        double d;
        std::memcpy(&d, &bits, 8);
        AppendJavaDouble(d, out);
      }
      // JSON has no NaN/Infinity: SPEC §3 makes them strings.
      char c = (*out)[start] == '-' ? (*out)[start + 1] : (*out)[start];
      if (mode == Mode::kJson && (c == 'N' || c == 'I')) {
        out->insert(start, 1, '"');
        out->push_back('"');
      }
      return true;
    }
    default:
      return false;
  }
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

// Renders the non-empty value of a scalar kind; false if the bytes do not fit.
bool RenderScalar(const CqlType& t, ByteView v, Mode mode, bool quote,
                  std::string* out) {
  switch (t.kind) {
    case TypeKind::kBoolean:
      if (v.size() != 1) return false;
      out->append(v[0] != 0 ? "true" : "false");
      return true;
    case TypeKind::kVarint:
      return AppendVarint(v, out);
    case TypeKind::kDecimal:
      if (v.size() < 5) return false;
      return AppendDecimal(v, mode == Mode::kDump, out);
    case TypeKind::kUuid:
    case TypeKind::kTimeuuid: {
      if (v.size() != 16) return false;
      bool q = mode == Mode::kJson;
      if (q) out->push_back('"');
      AppendUuid(v.data(), out);
      if (q) out->push_back('"');
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
      if (v.size() != 8) return false;
      AppendBuilt(mode, quote, out, [&] {
        if (mode == Mode::kLiteral) {
          AppendTimestamp(LoadI64(v.data()), true, "+0000", out);
        } else {
          AppendTimestamp(LoadI64(v.data()), false, "Z", out);
        }
      });
      return true;
    case TypeKind::kDate:
      if (v.size() != 4) return false;
      AppendBuilt(mode, quote, out, [&] {
        // SimpleDateType: unsigned days with the epoch at 2^31.
        int64_t days = static_cast<int64_t>(LoadBE(v.data(), 4)) - (1ll << 31);
        AppendDate(days, out);
      });
      return true;
    case TypeKind::kTime: {
      if (v.size() != 8) return false;
      int64_t nanos = LoadI64(v.data());
      if (nanos < 0 || nanos >= 86400000000000ll) return false;
      AppendBuilt(mode, quote, out, [&] { AppendTimeOfDay(nanos, out); });
      return true;
    }
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

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
  const uint8_t* end = p + s.size();
  while (p < end) {
    uint8_t c = *p;
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      out->push_back(static_cast<char>(c));
      ++p;
      continue;
    }
    const char* esc = nullptr;
    switch (c) {
      case '"':
        esc = "\\\"";
        break;
      case '\\':
        esc = "\\\\";
        break;
      case '\n':
        esc = "\\n";
        break;
      case '\r':
        esc = "\\r";
        break;
      case '\t':
        esc = "\\t";
        break;
      case '\b':
        esc = "\\b";
        break;
      case '\f':
        esc = "\\f";
        break;
      default:
        break;
    }
    if (esc != nullptr) {
      out->append(esc);
      ++p;
      continue;
    }
    size_t n = c < 0x20 ? 0 : Utf8SequenceLength(p, end);
    if (n == 0) {
      // Control byte, or a byte that is not part of valid UTF-8: \u00XX.
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xf]);
      ++p;
      continue;
    }
    out->append(reinterpret_cast<const char*>(p), n);
    p += n;
  }
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

}  // namespace sstablefs::reader
