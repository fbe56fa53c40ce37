// Scalar formatting for CQL values (see types_internal.h). Each function
// mirrors the Java toString named in its comment; deviations are noted.
#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "reader/byte_reader.h"
#include "reader/types_internal.h"

namespace sstablefs::reader::types_internal {

uint64_t LoadBE(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

bool VarintDigits(ByteView v, bool* negative, std::string* digits) {
  digits->clear();
  *negative = !v.empty() && (v[0] & 0x80) != 0;
  if (v.size() > kMaxVarintBytes) return false;
  if (v.size() <= 8) {
    // Fast path without limb arithmetic (no allocation for short digits).
    uint64_t u = LoadBE(v.data(), v.size());
    if (*negative && v.size() < 8) u |= ~uint64_t{0} << (8 * v.size());
    uint64_t mag = *negative ? 0 - u : u;
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof(buf), mag);
    digits->assign(buf, r.ptr);
    return true;
  }
  // Magnitude as base-2^32 limbs, most significant first.
  size_t nbytes = v.size();
  size_t nlimbs = (nbytes + 3) / 4;
  uint32_t stack_limbs[64];
  std::vector<uint32_t> heap_limbs;
  uint32_t* limbs = stack_limbs;
  if (nlimbs > 64) {
    heap_limbs.resize(nlimbs);
    limbs = heap_limbs.data();
  }
  // Two's complement negation on the fly: magnitude = ~v + 1.
  for (size_t i = 0; i < nlimbs; ++i) limbs[i] = 0;
  for (size_t i = 0; i < nbytes; ++i) {
    size_t from_end = nbytes - 1 - i;  // byte index from least significant
    uint8_t b = *negative ? static_cast<uint8_t>(~v[i]) : v[i];
    limbs[nlimbs - 1 - from_end / 4] |= static_cast<uint32_t>(b)
                                        << (8 * (from_end % 4));
  }
  if (*negative) {
    for (size_t i = nlimbs; i-- > 0;) {
      if (++limbs[i] != 0) break;
    }
  }
  // Repeated division by 10^9 yields 9-digit groups, least significant first.
  std::string groups;
  size_t first = 0;
  char group[9];
  while (first < nlimbs) {
    uint64_t rem = 0;
    for (size_t i = first; i < nlimbs; ++i) {
      uint64_t cur = (rem << 32) | limbs[i];
      limbs[i] = static_cast<uint32_t>(cur / 1000000000u);
      rem = cur % 1000000000u;
    }
    while (first < nlimbs && limbs[first] == 0) ++first;
    for (int k = 8; k >= 0; --k) {
      group[k] = static_cast<char>('0' + rem % 10);
      rem /= 10;
    }
    groups.append(group, 9);
  }
  for (size_t g = groups.size(); g >= 9; g -= 9) {
    digits->append(groups.data() + g - 9, 9);
  }
  size_t nz = digits->find_first_not_of('0');
  if (nz == std::string::npos) {
    digits->assign(1, '0');
    *negative = false;
  } else {
    digits->erase(0, nz);
  }
  return true;
}

bool AppendVarint(ByteView v, std::string* out) {
  bool negative;
  std::string digits;
  if (!VarintDigits(v, &negative, &digits)) return false;
  if (negative) out->push_back('-');
  out->append(digits);
  return true;
}

bool AppendDecimal(ByteView v, bool plain, std::string* out) {
  int64_t scale = LoadI32(v.data());
  bool negative;
  std::string digits;
  if (!VarintDigits(v.substr(4), &negative, &digits)) return false;
  if (negative) out->push_back('-');
  int64_t n = static_cast<int64_t>(digits.size());
  int64_t adjusted = -scale + (n - 1);
  bool scientific = plain ? (scale < -kMaxPlainScale || scale > kMaxPlainScale)
                          : (scale < 0 || adjusted < -6);
  if (!scientific) {
    if (scale <= 0) {
      out->append(digits);
      if (digits != "0") out->append(static_cast<size_t>(-scale), '0');
    } else if (n > scale) {
      out->append(digits, 0, n - scale);
      out->push_back('.');
      out->append(digits, n - scale);
    } else {
      out->append("0.");
      out->append(static_cast<size_t>(scale - n), '0');
      out->append(digits);
    }
    return true;
  }
  // BigDecimal.toString scientific form: d[.ddd]E[+-]n.
  out->push_back(digits[0]);
  if (n > 1) {
    out->push_back('.');
    out->append(digits, 1);
  }
  if (adjusted != 0) {
    out->push_back('E');
    if (adjusted > 0) out->push_back('+');
    char buf[24];
    out->append(buf, std::to_chars(buf, buf + sizeof(buf), adjusted).ptr);
  }
  return true;
}

namespace {

// "00" "01" ... "99": two digits per table load.
constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536"
    "37383940414243444546474849505152535455565758596061626364656667686970717273"
    "74757677787980818283848586878889909192939495969798"
    "99";

// REQUIRES: v < 100.
inline char* Put2(unsigned v, char* p) {
  std::memcpy(p, kDigitPairs + 2 * v, 2);
  return p + 2;
}

inline char* PutChars(std::string_view s, char* p) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// At least `width` digits, zero-padded.
char* PutPadded(uint64_t v, int width, char* p) {
  char buf[24];
  char* end = std::to_chars(buf, buf + sizeof(buf), v).ptr;
  for (int i = static_cast<int>(end - buf); i < width; ++i) *p++ = '0';
  return PutChars(std::string_view(buf, end - buf), p);
}

char* PutYear(int64_t y, char* p) {
  if (y >= 1000 && y <= 9999) {  // the common case
    p = Put2(static_cast<unsigned>(y / 100), p);
    return Put2(static_cast<unsigned>(y % 100), p);
  }
  if (y < 0) {
    *p++ = '-';
    return PutPadded(0 - static_cast<uint64_t>(y), 4, p);
  }
  if (y > 9999) *p++ = '+';
  return PutPadded(static_cast<uint64_t>(y), 4, p);
}

// Lays out the shortest round-trip digits the way Java's Double.toString
// does. `sci` is std::to_chars scientific output, e.g. "1.2345e+07".
char* JavaLayout(std::string_view sci, char* p) {
  if (!sci.empty() && sci[0] == '-') {
    *p++ = '-';
    sci.remove_prefix(1);
  }
  const size_t e = sci.find('e');
  char digits[40];  // shortest round-trip: at most 17 (double) digits
  int n = 0;
  for (size_t i = 0; i < e && n < static_cast<int>(sizeof(digits)); ++i) {
    if (sci[i] != '.') digits[n++] = sci[i];
  }
  int exp = 0;
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1),
                  sci.data() + sci.size(), exp);
  while (n > 1 && digits[n - 1] == '0') --n;
  if (n == 1 && digits[0] == '0') return PutChars("0.0", p);
  if (exp >= -3 && exp < 7) {
    if (exp < 0) {
      p = PutChars("0.", p);
      for (int i = 0; i < -exp - 1; ++i) *p++ = '0';
      return PutChars(std::string_view(digits, n), p);
    }
    if (n > exp + 1) {
      p = PutChars(std::string_view(digits, exp + 1), p);
      *p++ = '.';
      return PutChars(std::string_view(digits + exp + 1, n - exp - 1), p);
    }
    p = PutChars(std::string_view(digits, n), p);
    for (int i = n; i < exp + 1; ++i) *p++ = '0';
    return PutChars(".0", p);
  }
  *p++ = digits[0];
  *p++ = '.';
  if (n > 1) {
    p = PutChars(std::string_view(digits + 1, n - 1), p);
  } else {
    *p++ = '0';
  }
  *p++ = 'E';
  return std::to_chars(p, p + 8, exp).ptr;
}

template <typename T>
char* FormatJavaFloating(T v, char* p) {
  if (std::isnan(v)) return PutChars("NaN", p);
  if (std::isinf(v)) return PutChars(v > 0 ? "Infinity" : "-Infinity", p);
  char buf[64];
  auto r =
      std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, r.ptr - buf);
  if (sci.find('.') == std::string_view::npos) {
    // Java (JDK 19+) never picks a 1-digit decimal: among the 2-digit ones
    // that round to v it takes the closest (4.9E-324, not 5.0E-324).
    r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific,
                      1);
    sci = std::string_view(buf, r.ptr - buf);
  }
  return JavaLayout(sci, p);
}

// Fast path for doubles with a short exact decimal form in Java's plain
// range (1e-3 <= |d| < 1e7), e.g. 19.5 or 6689.74: the integer m nearest to
// |d| * 10^8 is tried; when m / 10^8 reads back as d, that decimal with its
// trailing zeros dropped is what Double.toString prints. Why: below 1e7 an
// ulp is at most 2^-29, so d's rounding interval (one ulp wide) holds at
// most one decimal with 8 fraction digits (0.19 units wide at 10^-8), which
// is then also the shortest decimal in it (any shorter one is such a
// decimal too), and it lies within 0.1 of the exact |d| * 10^8, so within
// 0.2 of the computed product: the nearest integer finds it. m / 10^8 is
// IEEE division of exact operands (m < 2^53), so the check is exact.
// Returns nullptr when d is not such a value (the general path handles it).
char* FastJavaDouble(double d, char* p) {
  constexpr int kFractionDigits = 8;
  constexpr double kScale = 1e8;
  const double a = d < 0 ? -d : d;
  if (!(a >= 1e-3 && a < 1e7)) return nullptr;  // also NaN
  const uint64_t m = static_cast<uint64_t>(a * kScale + 0.5);
  if (static_cast<double>(m) / kScale != a) return nullptr;
  char digits[24];
  const int n = static_cast<int>(
      std::to_chars(digits, digits + sizeof(digits), m).ptr - digits);
  // Fraction digits: the last 8 (zero-padded on the left), minus trailing
  // zeros.
  int frac_end = kFractionDigits;
  while (frac_end > 0 && digits[n - kFractionDigits + frac_end - 1] == '0') {
    --frac_end;
  }
  if (d < 0) *p++ = '-';
  if (n > kFractionDigits) {
    p = PutChars(std::string_view(digits, n - kFractionDigits), p);
  } else {
    *p++ = '0';
  }
  *p++ = '.';
  if (frac_end == 0) {  // an integer: "123.0"
    *p++ = '0';
    return p;
  }
  // Leading zeros of the fraction of a value below 1 (n <= 8 digits; its
  // last non-zero digit is among them, as m > 0).
  for (int i = n; i < kFractionDigits; ++i) *p++ = '0';
  const int first = n > kFractionDigits ? n - kFractionDigits : 0;
  const int last = n - kFractionDigits + frac_end;
  return PutChars(std::string_view(digits + first, last - first), p);
}

}  // namespace

char* FormatJavaDouble(double d, char* out) {
  if (char* end = FastJavaDouble(d, out)) return end;
  return FormatJavaFloating(d, out);
}
char* FormatJavaFloat(float f, char* out) { return FormatJavaFloating(f, out); }

void AppendJavaDouble(double d, std::string* out) {
  char buf[kFormatBufferSize];
  out->append(buf, FormatJavaDouble(d, buf));
}
void AppendJavaFloat(float f, std::string* out) {
  char buf[kFormatBufferSize];
  out->append(buf, FormatJavaFloat(f, buf));
}

// Howard Hinnant's civil_from_days / days_from_civil (public domain), with a
// fast path for the dates real data has: Neri and Schneider's "Euclidean
// affine functions" form of the same computation (32-bit multiplications
// instead of divisions), exact for |days| < kFastCivilDays (checked against
// the general form for every day in that range).
constexpr int64_t kFastCivilDays = 1 << 25;  // ~ +-91,000 years

CivilDate CivilFromDays(int64_t z) {
  if (z > -kFastCivilDays && z < kFastCivilDays) {
    // Shift to a day count that is positive and starts on a March 1st.
    constexpr uint32_t kEras = 800;  // 400-year eras added to stay positive
    constexpr uint32_t kShift = 719468 + 146097 * kEras;
    const uint32_t n = static_cast<uint32_t>(z) + kShift;
    const uint32_t n1 = 4 * n + 3;
    const uint32_t century = n1 / 146097;
    const uint32_t n2 = n1 % 146097 | 3;
    const uint64_t p2 = uint64_t{2939745} * n2;
    const uint32_t year_of_century = static_cast<uint32_t>(p2 >> 32);
    const uint32_t day_of_year = static_cast<uint32_t>(p2) / 2939745 / 4;
    const uint32_t n3 = 2141 * day_of_year + 197913;
    const uint32_t month = n3 >> 16;
    const uint32_t day = (n3 & 0xffff) / 2141 + 1;
    const bool jan_feb = day_of_year >= 306;
    const int64_t year = static_cast<int64_t>(100 * century + year_of_century) -
                         400 * static_cast<int64_t>(kEras) + jan_feb;
    return CivilDate{year, jan_feb ? month - 12 : month, day};
  }
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  uint64_t doe = static_cast<uint64_t>(z - era * 146097);
  uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  uint64_t mp = (5 * doy + 2) / 153;
  unsigned d = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  unsigned m = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{m <= 2 ? y + 1 : y, m, d};
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  uint64_t yoe = static_cast<uint64_t>(y - era * 400);
  uint64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

char* FormatDate(int64_t days, char* p) {
  CivilDate c = CivilFromDays(days);
  p = PutYear(c.year, p);
  *p++ = '-';
  p = Put2(c.month, p);
  *p++ = '-';
  return Put2(c.day, p);
}

char* FormatTimestamp(int64_t millis, bool micros_digits, char* p) {
  // Floor division without days * 86400000 (which overflows near
  // INT64_MIN).
  constexpr int64_t kMsPerDay = 86400000;
  int64_t days = millis / kMsPerDay;
  int64_t rem = millis % kMsPerDay;
  if (rem < 0) {
    rem += kMsPerDay;
    --days;
  }
  const unsigned ms_of_day = static_cast<unsigned>(rem);
  p = FormatDate(days, p);
  *p++ = ' ';
  p = Put2(ms_of_day / 3600000, p);
  *p++ = ':';
  p = Put2(ms_of_day / 60000 % 60, p);
  *p++ = ':';
  p = Put2(ms_of_day / 1000 % 60, p);
  *p++ = '.';
  const unsigned ms = ms_of_day % 1000;
  *p++ = static_cast<char>('0' + ms / 100);
  p = Put2(ms % 100, p);
  if (micros_digits) p = PutChars("000", p);
  return p;
}

char* FormatTimeOfDay(int64_t nanos, char* p) {
  uint64_t v = static_cast<uint64_t>(nanos);
  p = PutPadded(v / 3600000000000ull, 2, p);
  *p++ = ':';
  p = Put2(static_cast<unsigned>(v / 60000000000ull % 60), p);
  *p++ = ':';
  p = Put2(static_cast<unsigned>(v / 1000000000ull % 60), p);
  *p++ = '.';
  return PutPadded(v % 1000000000ull, 9, p);
}

// Two lower-case hex digits per byte value.
struct HexPairs {
  char pairs[256][2];
  constexpr HexPairs() : pairs() {
    constexpr char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 256; ++i) {
      pairs[i][0] = kHex[i >> 4];
      pairs[i][1] = kHex[i & 0xf];
    }
  }
};
constexpr HexPairs kHexPairs;

char* FormatUuid(const uint8_t* u, char* p) {
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *p++ = '-';
    std::memcpy(p, kHexPairs.pairs[u[i]], 2);
    p += 2;
  }
  return p;
}

void AppendDate(int64_t days, std::string* out) {
  char buf[kFormatBufferSize];
  out->append(buf, FormatDate(days, buf));
}

void AppendTimestamp(int64_t millis, bool micros_digits,
                     std::string_view suffix, std::string* out) {
  char buf[kFormatBufferSize];
  char* end = FormatTimestamp(millis, micros_digits, buf);
  if (suffix.size() <= static_cast<size_t>(buf + sizeof(buf) - end)) {
    out->append(buf, PutChars(suffix, end));
  } else {
    out->append(buf, end);
    out->append(suffix);
  }
}

void AppendTimeOfDay(int64_t nanos, std::string* out) {
  char buf[kFormatBufferSize];
  out->append(buf, FormatTimeOfDay(nanos, buf));
}

bool AppendDuration(ByteView v, std::string* out) {
  ByteReader r(v);
  int64_t months, days, nanos;
  if (!r.ReadVInt(&months) || !r.ReadVInt(&days) || !r.ReadVInt(&nanos) ||
      !r.AtEnd()) {
    return false;
  }
  if (months < INT32_MIN || months > INT32_MAX || days < INT32_MIN ||
      days > INT32_MAX) {
    return false;
  }
  if (months < 0 || days < 0 || nanos < 0) out->push_back('-');
  auto mag = [](int64_t x) {
    return x < 0 ? 0 - static_cast<uint64_t>(x) : static_cast<uint64_t>(x);
  };
  // Duration.append: print dividend/divisor+unit when dividend >= divisor.
  auto part = [out](uint64_t dividend, uint64_t divisor, const char* unit) {
    if (dividend == 0 || dividend < divisor) return dividend;
    char buf[24];
    out->append(buf,
                std::to_chars(buf, buf + sizeof(buf), dividend / divisor).ptr);
    out->append(unit);
    return dividend % divisor;
  };
  uint64_t rem = part(mag(months), 12, "y");
  part(rem, 1, "mo");
  part(mag(days), 1, "d");
  if (nanos != 0) {
    rem = part(mag(nanos), 3600000000000ull, "h");
    rem = part(rem, 60000000000ull, "m");
    rem = part(rem, 1000000000ull, "s");
    rem = part(rem, 1000000ull, "ms");
    rem = part(rem, 1000ull, "us");
    part(rem, 1, "ns");
  }
  return true;
}

void AppendUuid(const uint8_t* p, std::string* out) {
  char buf[36];
  out->append(buf, FormatUuid(p, buf));
}

bool AppendInet(ByteView v, std::string* out) {
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  const uint8_t* v4 = nullptr;
  if (v.size() == 4) {
    v4 = v.data();
  } else if (v.size() == 16 && std::memcmp(v.data(), kMapped, 12) == 0) {
    v4 = v.data() + 12;
  }
  if (v4 != nullptr) {  // dotted quad, built here (inet_ntop is slower)
    char buf[16];
    size_t n = 0;
    for (int i = 0; i < 4; ++i) {
      if (i > 0) buf[n++] = '.';
      const unsigned b = v4[i];
      if (b >= 100) buf[n++] = static_cast<char>('0' + b / 100);
      if (b >= 10) buf[n++] = static_cast<char>('0' + b / 10 % 10);
      buf[n++] = static_cast<char>('0' + b % 10);
    }
    out->append(buf, n);
    return true;
  }
  char buf[INET6_ADDRSTRLEN];
  if (v.size() != 16 ||
      inet_ntop(AF_INET6, v.data(), buf, sizeof(buf)) == nullptr) {
    return false;
  }
  out->append(buf);
  return true;
}

void AppendHex(ByteView v, std::string* out) {
  size_t base = out->size();
  out->resize(base + 2 * v.size());
  char* p = out->data() + base;
  for (uint8_t b : v) {
    std::memcpy(p, kHexPairs.pairs[b], 2);
    p += 2;
  }
}

bool IsValidUtf8(ByteView v) {
  const uint8_t* p = v.data();
  const uint8_t* end = p + v.size();
  while (p < end) {
    uint8_t c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
        (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    p += n + 1;
  }
  return true;
}

bool ReadCount(ByteView data, size_t* pos, int32_t* count) {
  if (data.size() - *pos < 4) return false;
  *count = LoadI32(data.data() + *pos);
  *pos += 4;
  return *count >= 0;
}

bool ReadElement(ByteView data, size_t* pos, ByteView* out, bool* is_null) {
  if (data.size() - *pos < 4) return false;
  int32_t len = LoadI32(data.data() + *pos);
  *pos += 4;
  *is_null = len < 0;
  if (len < 0) {
    *out = ByteView();
    return true;
  }
  if (data.size() - *pos < static_cast<size_t>(len)) return false;
  *out = data.substr(*pos, static_cast<size_t>(len));
  *pos += static_cast<size_t>(len);
  return true;
}

}  // namespace sstablefs::reader::types_internal
