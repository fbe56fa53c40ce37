// Private helpers of the types_*.cc files (not part of the reader API).
// Scalar formatting and value splitting shared by rendering, comparison and
// literal parsing. All functions are pure and thread-safe.
#ifndef SSTABLEFS_READER_TYPES_INTERNAL_H_
#define SSTABLEFS_READER_TYPES_INTERNAL_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "reader/byte_view.h"
#include "reader/types.h"

namespace sstablefs::reader::types_internal {

// Varints longer than this render as a blob and compare as bytes: converting
// them to decimal is quadratic and no real value is that long.
inline constexpr size_t kMaxVarintBytes = 4096;
// Decimal scales beyond +-kMaxPlainScale print in E-notation even where Java's
// toPlainString would write the zeros out (a hostile scale of 2^31 would
// otherwise mean gigabytes of zeros).
inline constexpr int64_t kMaxPlainScale = 1000;

uint64_t LoadBE(const uint8_t* p, size_t n);
// Fixed-width big-endian loads, inlined for the per-cell path.
inline int64_t LoadI64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return static_cast<int64_t>(__builtin_bswap64(v));
}
inline int32_t LoadI32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return static_cast<int32_t>(__builtin_bswap32(v));
}
inline int16_t LoadI16(const uint8_t* p) {
  return static_cast<int16_t>((p[0] << 8) | p[1]);
}

// Decimal digits of a big-endian two's complement integer (BigInteger).
// Sets *negative; `digits` gets the magnitude's digits ("0" for zero or
// empty). Returns false if the value is longer than kMaxVarintBytes.
bool VarintDigits(ByteView v, bool* negative, std::string* digits);
// BigInteger.toString(); false when too long (see above).
bool AppendVarint(ByteView v, std::string* out);
// BigDecimal.toString() (E-notation when scale < 0 or the exponent < -6) when
// !plain, BigDecimal.toPlainString() when plain. REQUIRES v.size() >= 4.
bool AppendDecimal(ByteView v, bool plain, std::string* out);

// Java Float/Double.toString() of a finite or non-finite value, with the
// shortest digits that round-trip: "1.0", "0.001", "1.0E7", "1.0E-4", "-0.0",
// "NaN", "Infinity", "-Infinity".
void AppendJavaDouble(double d, std::string* out);
void AppendJavaFloat(float f, std::string* out);

// Formatters into a caller's buffer, for the per-cell path (one append per
// value instead of one per character). Each writes at `out` and returns the
// end of what it wrote; a buffer of kFormatBufferSize chars always suffices.
// The Append* functions below append the same text to a std::string.
inline constexpr size_t kFormatBufferSize = 64;
char* FormatJavaDouble(double d, char* out);
char* FormatJavaFloat(float f, char* out);
char* FormatDate(int64_t days_since_epoch, char* out);
// Without suffix (see AppendTimestamp).
char* FormatTimestamp(int64_t millis, bool micros_digits, char* out);
char* FormatTimeOfDay(int64_t nanos, char* out);
char* FormatUuid(const uint8_t* p, char* out);  // 36 chars

// The row writers' fast path: formats a scalar value of the fixed-size kinds
// (tinyint, smallint, int, bigint, counter, boolean, float, double, uuid,
// timeuuid, timestamp, date, time) exactly as AppendJson (`json`) or
// AppendCqlLiteral with quote_strings = false would, into `out` (at least
// kFormatBufferSize chars), and returns the end. Returns nullptr, writing
// nothing useful, for any other kind and for values the generic renderers
// show differently (wrong length -> blob, empty -> null, NaN/Infinity in
// JSON, time out of range): the caller then uses the generic renderer.
char* FormatScalarFast(TypeKind kind, ByteView v, bool json, char* out);

// The number of leading bytes of [p, p + n) that a JSON string holds
// unescaped (printable ASCII except '"' and '\\'), tested 8 at a time.
size_t JsonPlainPrefix(const uint8_t* p, size_t n);

// Proleptic Gregorian calendar.
struct CivilDate {
  int64_t year;
  unsigned month, day;
};
CivilDate CivilFromDays(int64_t days_since_epoch);
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
// "yyyy-mm-dd" with ISO-8601 year rules: 4+ digits, '-' for years < 0 and
// '+' for years > 9999 (java.time.LocalDate.toString()).
void AppendDate(int64_t days_since_epoch, std::string* out);
// "yyyy-mm-dd HH:MM:SS.mmm" + suffix, from epoch millis; `micros_digits`
// prints 6 fractional digits (cqlsh) instead of 3.
void AppendTimestamp(int64_t millis, bool micros_digits,
                     std::string_view suffix, std::string* out);
// "HH:MM:SS.nnnnnnnnn" (TimeSerializer.toString).
void AppendTimeOfDay(int64_t nanos, std::string* out);
// Duration.toString(): "1y2mo3d4h5m6s7ms8us9ns", "-" prefix; "" for zero.
// Returns false if the bytes are not three vints.
bool AppendDuration(ByteView v, std::string* out);
void AppendUuid(const uint8_t* p, std::string* out);
// IPv4 dotted quad, IPv6 RFC 5952 compressed; IPv4-mapped IPv6 addresses
// print as IPv4 (Java returns an Inet4Address for them).
bool AppendInet(ByteView v, std::string* out);
void AppendHex(ByteView v, std::string* out);
// Whether bytes [p, end) are valid UTF-8.
bool IsValidUtf8(ByteView v);

// Reads one collection/tuple element: int32 length (< 0 = null) + bytes.
// Returns false on truncation; *is_null set for a negative length.
bool ReadElement(ByteView data, size_t* pos, ByteView* out, bool* is_null);
// Reads the int32 element count of a serialized collection; false if absent
// or negative.
bool ReadCount(ByteView data, size_t* pos, int32_t* count);
// Splits a vector value into elements of `element` type: fixed-length
// elements are concatenated, variable ones carry an unsigned vint length.
// Calls fn(ByteView) per element; false on malformed input.
template <typename Fn>
bool ForEachVectorElement(const CqlType& type, ByteView v, Fn fn);

}  // namespace sstablefs::reader::types_internal

#include "reader/byte_reader.h"

namespace sstablefs::reader::types_internal {

template <typename Fn>
bool ForEachVectorElement(const CqlType& type, ByteView v, Fn fn) {
  if (type.params.empty()) return false;
  int fixed = type.params[0]->FixedLength();
  if (fixed > 0) {
    if (v.size() != static_cast<size_t>(fixed) * type.vector_dimension) {
      return false;
    }
    for (int i = 0; i < type.vector_dimension; ++i) {
      fn(v.substr(static_cast<size_t>(i) * fixed, fixed));
    }
    return true;
  }
  // Validate first so nothing is emitted for a malformed value.
  for (int pass = 0; pass < 2; ++pass) {
    ByteReader r(v);
    for (int i = 0; i < type.vector_dimension; ++i) {
      ByteView e;
      if (!r.ReadVIntLengthBytes(&e)) return false;
      if (pass == 1) fn(e);
    }
    if (!r.AtEnd()) return false;
  }
  return true;
}

}  // namespace sstablefs::reader::types_internal

#endif  // SSTABLEFS_READER_TYPES_INTERNAL_H_
