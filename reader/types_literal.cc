// ParseLiteral: text -> serialized bytes, as AbstractType.fromString does
// (the form `sstabledump -k` and partition folder names use). Also accepts
// the forms our own renderers print (cqlsh timestamps, "0x" blobs), so every
// rendered key parses back to the same bytes.
#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "reader/byte_reader.h"
#include "reader/types.h"
#include "reader/types_internal.h"

namespace sstablefs::reader {
namespace {

using namespace types_internal;  // NOLINT: private helpers of this module

Status Bad(const CqlType& t, std::string_view text, std::string_view why) {
  std::string shown(text.substr(0, 100));
  return Status::InvalidArgument("cannot parse '" + shown + "' as " +
                                 t.CqlName() + ": " + std::string(why));
}

void AppendBE(uint64_t v, int n, std::string* out) {
  for (int i = n - 1; i >= 0; --i) {
    out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
}

bool ParseInt64(std::string_view s, int64_t* v) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Decimal digits (no sign) -> magnitude bytes, big-endian, minimal.
std::string DigitsToMagnitude(std::string_view digits) {
  std::vector<uint8_t> mag;  // little-endian base 256
  for (char c : digits) {
    unsigned carry = static_cast<unsigned>(c - '0');
    for (uint8_t& b : mag) {
      unsigned x = b * 10u + carry;
      b = static_cast<uint8_t>(x & 0xff);
      carry = x >> 8;
    }
    while (carry != 0) {
      mag.push_back(static_cast<uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  return std::string(mag.rbegin(), mag.rend());
}

// Two's complement minimal encoding (BigInteger.toByteArray).
std::string EncodeVarint(bool negative, std::string_view digits) {
  std::string mag = DigitsToMagnitude(digits);
  if (mag.empty()) return std::string(1, '\0');
  if (!negative) {
    if (static_cast<uint8_t>(mag[0]) & 0x80) mag.insert(0, 1, '\0');
    return mag;
  }
  // Negate: invert and add one.
  std::string v = mag;
  if (static_cast<uint8_t>(v[0]) & 0x80) v.insert(0, 1, '\0');
  for (char& c : v) c = static_cast<char>(~c);
  for (size_t i = v.size(); i-- > 0;) {
    if (++reinterpret_cast<uint8_t&>(v[i]) != 0) break;
  }
  // Drop a redundant leading 0xff.
  while (v.size() > 1 && static_cast<uint8_t>(v[0]) == 0xff &&
         (static_cast<uint8_t>(v[1]) & 0x80)) {
    v.erase(0, 1);
  }
  return v;
}

Result<std::string> ParseVarint(const CqlType& t, std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (!AllDigits(s) || s.size() > 10000) return Bad(t, s, "not an integer");
  return EncodeVarint(negative, s);
}

// BigDecimal(String): [sign] digits [. digits] [e|E [sign] digits].
Result<std::string> ParseDecimal(const CqlType& t, std::string_view s) {
  std::string_view orig = s;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::string digits;
  int64_t scale = 0;
  size_t i = 0;
  bool seen_point = false, any = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      any = true;
      if (seen_point) ++scale;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any || digits.size() > 10000) return Bad(t, orig, "not a decimal");
  if (i < s.size()) {
    if (s[i] != 'e' && s[i] != 'E') return Bad(t, orig, "not a decimal");
    int64_t exp;
    if (!ParseInt64(s.substr(i + 1), &exp) || exp > INT32_MAX ||
        exp < INT32_MIN) {
      return Bad(t, orig, "bad exponent");
    }
    scale -= exp;
  }
  if (scale > INT32_MAX || scale < INT32_MIN) return Bad(t, orig, "scale");
  std::string out;
  AppendBE(static_cast<uint32_t>(static_cast<int32_t>(scale)), 4, &out);
  out += EncodeVarint(negative, digits);
  return out;
}

Result<std::string> ParseFloating(const CqlType& t, std::string_view s) {
  bool is_float = t.kind == TypeKind::kFloat;
  std::string_view body = s;
  bool negative = false;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  double d;
  if (body == "NaN") {
    d = std::nan("");
  } else if (body == "Infinity") {
    d = INFINITY;
  } else {
    auto r = std::from_chars(body.data(), body.data() + body.size(), d);
    if (r.ec != std::errc() || r.ptr != body.data() + body.size() ||
        body.empty() ||
        !(std::isdigit(static_cast<unsigned char>(body[0])) ||
          body[0] == '.')) {
      return Bad(t, s, "not a number");
    }
  }
  if (negative) d = -d;
  std::string out;
  if (is_float) {
    float f = static_cast<float>(d);
    if (!body.empty() && std::isdigit(static_cast<unsigned char>(body[0]))) {
      // Parse again as float to avoid double rounding.
      std::from_chars(body.data(), body.data() + body.size(), f);
      if (negative) f = -f;
    }
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    AppendBE(bits, 4, &out);
  } else {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    AppendBE(bits, 8, &out);
  }
  return out;
}

bool ParseHex(std::string_view s, std::string* out) {
  if (s.size() % 2 != 0) return false;
  for (size_t i = 0; i < s.size(); i += 2) {
    int v = 0;
    for (int k = 0; k < 2; ++k) {
      char c = s[i + k];
      int n = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (n < 0) return false;
      v = v * 16 + n;
    }
    out->push_back(static_cast<char>(v));
  }
  return true;
}

bool ParseUuid(std::string_view s, std::string* out) {
  if (s.size() != 36) return false;
  std::string hex;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash_pos = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_pos != (s[i] == '-')) return false;
    if (!dash_pos) hex.push_back(s[i]);
  }
  return ParseHex(hex, out);
}

// Fixed-width decimal field; advances s.
bool TakeDigits(std::string_view* s, size_t n, int64_t* v) {
  if (s->size() < n) return false;
  int64_t x = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = (*s)[i];
    if (c < '0' || c > '9') return false;
    x = x * 10 + (c - '0');
  }
  *v = x;
  s->remove_prefix(n);
  return true;
}

bool TakeChar(std::string_view* s, char c) {
  if (s->empty() || (*s)[0] != c) return false;
  s->remove_prefix(1);
  return true;
}

// [+-]yyyy-mm-dd (years of 4+ digits); advances s.
bool ParseDateStr(std::string_view* s, int64_t* days) {
  bool neg = false;
  if (!s->empty() && ((*s)[0] == '-' || (*s)[0] == '+')) {
    neg = (*s)[0] == '-';
    s->remove_prefix(1);
  }
  size_t ylen = 0;
  while (ylen < s->size() && (*s)[ylen] >= '0' && (*s)[ylen] <= '9') ++ylen;
  int64_t y, m, d;
  if (ylen < 4 || ylen > 10 || !TakeDigits(s, ylen, &y)) return false;
  if (!TakeChar(s, '-') || !TakeDigits(s, 2, &m) || !TakeChar(s, '-') ||
      !TakeDigits(s, 2, &d)) {
    return false;
  }
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  *days = DaysFromCivil(neg ? -y : y, static_cast<unsigned>(m),
                        static_cast<unsigned>(d));
  return CivilFromDays(*days).day == static_cast<unsigned>(d);
}

// HH:MM[:SS[.fffffffff]] -> nanos of day; advances s.
bool ParseTimeStr(std::string_view* s, int64_t* nanos) {
  int64_t h, m, sec = 0, frac = 0;
  if (!TakeDigits(s, 2, &h) || !TakeChar(s, ':') || !TakeDigits(s, 2, &m)) {
    return false;
  }
  if (TakeChar(s, ':')) {
    if (!TakeDigits(s, 2, &sec)) return false;
    if (TakeChar(s, '.')) {
      int n = 0;
      while (!s->empty() && (*s)[0] >= '0' && (*s)[0] <= '9') {
        if (n < 9) {
          frac = frac * 10 + ((*s)[0] - '0');
          ++n;
        }
        s->remove_prefix(1);
      }
      if (n == 0) return false;
      for (; n < 9; ++n) frac *= 10;
    }
  }
  if (h > 23 || m > 59 || sec > 59) return false;
  *nanos = ((h * 60 + m) * 60 + sec) * 1000000000 + frac;
  return true;
}

// Zone suffix: "", Z, +HH, +HHMM, +HH:MM -> offset seconds.
bool ParseZone(std::string_view s, int64_t* offset) {
  *offset = 0;
  if (s.empty() || s == "Z" || s == "z" || s == " UTC" || s == "UTC") {
    return true;
  }
  if (s[0] == ' ') s.remove_prefix(1);
  bool neg = s[0] == '-';
  if (!neg && s[0] != '+') return false;
  s.remove_prefix(1);
  int64_t h, m = 0;
  if (!TakeDigits(&s, 2, &h)) return false;
  TakeChar(&s, ':');
  if (!s.empty() && !TakeDigits(&s, 2, &m)) return false;
  if (!s.empty()) return false;
  *offset = (neg ? -1 : 1) * (h * 3600 + m * 60);
  return true;
}

Result<std::string> ParseTimestamp(const CqlType& t, std::string_view s) {
  std::string out;
  int64_t millis;
  if (ParseInt64(s, &millis) && (AllDigits(s) || s[0] == '-')) {
    AppendBE(static_cast<uint64_t>(millis), 8, &out);
    return out;
  }
  std::string_view rest = s;
  int64_t days, nanos = 0, offset = 0;
  if (!ParseDateStr(&rest, &days)) return Bad(t, s, "not a timestamp");
  if (!rest.empty() && (rest[0] == ' ' || rest[0] == 'T')) {
    std::string_view r2 = rest.substr(1);
    if (!r2.empty() && r2[0] >= '0' && r2[0] <= '9') {
      rest = r2;
      if (!ParseTimeStr(&rest, &nanos)) return Bad(t, s, "bad time");
    }
  }
  if (!ParseZone(rest, &offset)) return Bad(t, s, "bad time zone");
  // Zone-less input is UTC (Cassandra would use the JVM's zone).
  millis = days * 86400000 + nanos / 1000000 - offset * 1000;
  AppendBE(static_cast<uint64_t>(millis), 8, &out);
  return out;
}

Result<std::string> ParseDuration(const CqlType& t, std::string_view s) {
  std::string_view orig = s;
  bool neg = TakeChar(&s, '-');
  if (s.empty()) return Bad(t, orig, "empty duration");
  int64_t months = 0, days = 0, nanos = 0;
  while (!s.empty()) {
    size_t n = 0;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
    int64_t num;
    if (n == 0 || n > 18 || !ParseInt64(s.substr(0, n), &num)) {
      return Bad(t, orig, "expected a number");
    }
    s.remove_prefix(n);
    size_t u = 0;
    while (u < s.size() && !(s[u] >= '0' && s[u] <= '9')) ++u;
    std::string_view unit = s.substr(0, u);
    s.remove_prefix(u);
    std::string lower;
    for (char c : unit) lower.push_back(static_cast<char>(std::tolower(c)));
    if (lower == "y")
      months += num * 12;
    else if (lower == "mo")
      months += num;
    else if (lower == "w")
      days += num * 7;
    else if (lower == "d")
      days += num;
    else if (lower == "h")
      nanos += num * 3600000000000;
    else if (lower == "m")
      nanos += num * 60000000000;
    else if (lower == "s")
      nanos += num * 1000000000;
    else if (lower == "ms")
      nanos += num * 1000000;
    else if (lower == "us" || lower == "\xc2\xb5s")
      nanos += num * 1000;
    else if (lower == "ns")
      nanos += num;
    else
      return Bad(t, orig, "unknown duration unit");
  }
  std::string out;
  AppendVInt(&out, neg ? -months : months);
  AppendVInt(&out, neg ? -days : days);
  AppendVInt(&out, neg ? -nanos : nanos);
  return out;
}

Result<std::string> ParseIntegral(const CqlType& t, std::string_view s,
                                  int bytes) {
  int64_t v;
  if (!ParseInt64(s, &v)) return Bad(t, s, "not an integer");
  if (bytes < 8) {
    int64_t lim = int64_t{1} << (8 * bytes - 1);
    if (v < -lim || v >= lim) return Bad(t, s, "out of range");
  }
  std::string out;
  AppendBE(static_cast<uint64_t>(v), bytes, &out);
  return out;
}

// Splits on ':' not escaped with '\'; unescapes "\:" and "\\".
std::vector<std::string> SplitEscaped(std::string_view s) {
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() &&
        (s[i + 1] == ':' || s[i + 1] == '\\')) {
      parts.back().push_back(s[++i]);
    } else if (s[i] == ':') {
      parts.emplace_back();
    } else {
      parts.back().push_back(s[i]);
    }
  }
  return parts;
}

Result<std::string> ParseComposite(const CqlType& t, std::string_view s) {
  std::vector<std::string> parts = SplitEscaped(s);
  if (parts.size() != t.params.size()) {
    return Bad(t, s,
               "expected " + std::to_string(t.params.size()) +
                   " ':'-separated components");
  }
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    SSTFS_ASSIGN_OR_RETURN(std::string c, ParseLiteral(*t.params[i], parts[i]));
    if (c.size() > 0xffff) return Bad(t, s, "component too long");
    AppendBE(c.size(), 2, &out);
    out += c;
    out.push_back('\0');
  }
  return out;
}

// TupleType.fromString: ':'-separated, '@' is null.
Result<std::string> ParseTuple(const CqlType& t, std::string_view s) {
  std::vector<std::string> parts = SplitEscaped(s);
  if (parts.size() > t.params.size()) return Bad(t, s, "too many fields");
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] == "@") {
      AppendBE(0xffffffffu, 4, &out);
      continue;
    }
    std::string field;
    for (size_t k = 0; k < parts[i].size(); ++k) {
      if (parts[i][k] == '\\' && k + 1 < parts[i].size() &&
          parts[i][k + 1] == '@') {
        continue;
      }
      field.push_back(parts[i][k]);
    }
    SSTFS_ASSIGN_OR_RETURN(std::string c, ParseLiteral(*t.params[i], field));
    AppendBE(c.size(), 4, &out);
    out += c;
  }
  return out;
}

Result<std::string> ParseScalar(const CqlType& t, std::string_view s) {
  std::string out;
  switch (t.kind) {
    case TypeKind::kText:
    case TypeKind::kAscii:
      return std::string(s);
    case TypeKind::kBlob:
    case TypeKind::kCustom:
      if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s.remove_prefix(2);
      }
      if (!ParseHex(s, &out)) return Bad(t, s, "not hex");
      return out;
    case TypeKind::kBoolean: {
      std::string lower;
      for (char c : s) lower.push_back(static_cast<char>(std::tolower(c)));
      if (lower != "true" && lower != "false") return Bad(t, s, "not boolean");
      return std::string(1, lower == "true" ? '\1' : '\0');
    }
    case TypeKind::kTinyint:
      return ParseIntegral(t, s, 1);
    case TypeKind::kSmallint:
      return ParseIntegral(t, s, 2);
    case TypeKind::kInt:
      return ParseIntegral(t, s, 4);
    case TypeKind::kBigint:
    case TypeKind::kCounter:
      return ParseIntegral(t, s, 8);
    case TypeKind::kVarint:
      return ParseVarint(t, s);
    case TypeKind::kDecimal:
      return ParseDecimal(t, s);
    case TypeKind::kFloat:
    case TypeKind::kDouble:
      return ParseFloating(t, s);
    case TypeKind::kUuid:
    case TypeKind::kTimeuuid:
      if (!ParseUuid(s, &out)) return Bad(t, s, "not a uuid");
      if (t.kind == TypeKind::kTimeuuid && (out[6] & 0xf0) != 0x10) {
        return Bad(t, s, "not a version 1 uuid");
      }
      return out;
    case TypeKind::kInet: {
      uint8_t buf[16];
      std::string z(s);
      if (inet_pton(AF_INET, z.c_str(), buf) == 1) {
        return std::string(reinterpret_cast<char*>(buf), 4);
      }
      if (inet_pton(AF_INET6, z.c_str(), buf) == 1) {
        return std::string(reinterpret_cast<char*>(buf), 16);
      }
      return Bad(t, s, "not an IP address");
    }
    case TypeKind::kTimestamp:
      return ParseTimestamp(t, s);
    case TypeKind::kDate: {
      int64_t days;
      std::string_view rest = s;
      if (AllDigits(s) && s.size() <= 10) {  // raw unsigned day number
        ParseInt64(s, &days);
        if (days > UINT32_MAX) return Bad(t, s, "out of range");
        AppendBE(static_cast<uint64_t>(days), 4, &out);
        return out;
      }
      if (!ParseDateStr(&rest, &days) || !rest.empty()) {
        return Bad(t, s, "not a date");
      }
      days += int64_t{1} << 31;
      if (days < 0 || days > UINT32_MAX) return Bad(t, s, "out of range");
      AppendBE(static_cast<uint64_t>(days), 4, &out);
      return out;
    }
    case TypeKind::kTime: {
      int64_t nanos;
      std::string_view rest = s;
      if (AllDigits(s)) {
        if (!ParseInt64(s, &nanos) || nanos >= 86400000000000) {
          return Bad(t, s, "out of range");
        }
      } else if (!ParseTimeStr(&rest, &nanos) || !rest.empty()) {
        return Bad(t, s, "not a time");
      }
      AppendBE(static_cast<uint64_t>(nanos), 8, &out);
      return out;
    }
    case TypeKind::kDuration:
      return ParseDuration(t, s);
    case TypeKind::kComposite:
      return ParseComposite(t, s);
    case TypeKind::kTuple:
      return ParseTuple(t, s);
    default:
      return Status::InvalidArgument("cannot parse a " + t.CqlName() +
                                     " value from text");
  }
}

}  // namespace

Result<std::string> ParseLiteral(const CqlType& type, std::string_view text) {
  // Like Cassandra's fromString: the empty string is the empty value.
  if (text.empty()) return std::string();
  return ParseScalar(type, text);
}

}  // namespace sstablefs::reader
