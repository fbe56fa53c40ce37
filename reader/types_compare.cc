// CompareValues: Cassandra's AbstractType.compare per type. Empty values sort
// before non-empty ones (as every Cassandra comparator does); a value whose
// bytes do not fit its type falls back to unsigned byte order so the result
// is still a consistent total order.
#include <cmath>
#include <cstring>
#include <string>

#include "reader/types.h"
#include "reader/types_internal.h"

namespace sstablefs::reader {
namespace {

using namespace types_internal;  // NOLINT: private helpers of this module

int Sign(int64_t c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

bool IsClass(const CqlType& t, std::string_view short_name) {
  std::string_view n = t.class_name;
  if (n == short_name) return true;
  return n.size() > short_name.size() &&
         n.substr(n.size() - short_name.size()) == short_name &&
         n[n.size() - short_name.size() - 1] == '.';
}

int CompareSignedFixed(ByteView a, ByteView b, size_t n) {
  if (a.size() != n || b.size() != n) return a.Compare(b);
  auto load = [n](ByteView v) {
    uint64_t u = LoadBE(v.data(), n);
    // Sign-extend.
    if (n < 8 && (u >> (8 * n - 1)) != 0) u |= ~uint64_t{0} << (8 * n);
    return static_cast<int64_t>(u);
  };
  int64_t x = load(a), y = load(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

// Java Float.compare / Double.compare: -0.0 < 0.0, NaN above everything.
int CompareFloating(double x, double y) {
  bool nx = std::isnan(x), ny = std::isnan(y);
  if (nx || ny) return nx == ny ? 0 : (nx ? 1 : -1);
  if (x < y) return -1;
  if (x > y) return 1;
  bool sx = std::signbit(x), sy = std::signbit(y);
  return sx == sy ? 0 : (sx ? -1 : 1);
}

int CompareFloat(ByteView a, ByteView b, bool is_float) {
  size_t n = is_float ? 4 : 8;
  if (a.size() != n || b.size() != n) return a.Compare(b);
  auto load = [is_float](ByteView v) {
    if (is_float) {
      uint32_t bits = static_cast<uint32_t>(LoadBE(v.data(), 4));
      float f;
      std::memcpy(&f, &bits, 4);
      return static_cast<double>(f);
    }
    uint64_t bits = LoadBE(v.data(), 8);
    double d;
    std::memcpy(&d, &bits, 8);
    return d;
  };
  return CompareFloating(load(a), load(b));
}

// TimeUUIDType: the 60-bit timestamp (reordered msb, signed compare), then
// the lsb bytes compared as SIGNED bytes (kept for compatibility).
int CompareTimeUuid(ByteView a, ByteView b) {
  if (a.size() != 16 || b.size() != 16) return a.Compare(b);
  auto reorder = [](uint64_t msb) {
    return (msb << 48) | ((msb << 16) & 0xFFFF00000000ull) | (msb >> 32);
  };
  int64_t ta = static_cast<int64_t>(reorder(LoadBE(a.data(), 8)));
  int64_t tb = static_cast<int64_t>(reorder(LoadBE(b.data(), 8)));
  if (ta != tb) return ta < tb ? -1 : 1;
  for (int i = 8; i < 16; ++i) {
    int8_t x = static_cast<int8_t>(a[i]), y = static_cast<int8_t>(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

// UUIDType: version first; version 1 by timestamp; then unsigned bytes.
int CompareUuid(ByteView a, ByteView b) {
  if (a.size() != 16 || b.size() != 16) return a.Compare(b);
  int va = a[6] >> 4, vb = b[6] >> 4;
  if (va != vb) return va < vb ? -1 : 1;
  if (va == 1) {
    auto ts = [](ByteView v) {
      uint64_t msb = LoadBE(v.data(), 8);
      return ((msb & 0x0FFF) << 48) | (((msb >> 16) & 0xFFFF) << 32) |
             (msb >> 32);
    };
    uint64_t x = ts(a), y = ts(b);
    if (x != y) return x < y ? -1 : 1;
  }
  return a.Compare(b);
}

// LexicalUUIDType: java.util.UUID.compareTo (signed msb, then signed lsb).
int CompareLexicalUuid(ByteView a, ByteView b) {
  if (a.size() != 16 || b.size() != 16) return a.Compare(b);
  for (int half = 0; half < 2; ++half) {
    int64_t x = LoadI64(a.data() + 8 * half), y = LoadI64(b.data() + 8 * half);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

// Drops redundant sign-extension bytes of a two's complement integer.
ByteView Minimal(ByteView v) {
  size_t i = 0;
  while (i + 1 < v.size() && ((v[i] == 0x00 && (v[i + 1] & 0x80) == 0) ||
                              (v[i] == 0xff && (v[i + 1] & 0x80) != 0))) {
    ++i;
  }
  return v.substr(i);
}

// IntegerType.compareIntegers: numeric order of big-endian two's complement.
int CompareVarint(ByteView a, ByteView b) {
  a = Minimal(a);
  b = Minimal(b);
  bool na = (a[0] & 0x80) != 0, nb = (b[0] & 0x80) != 0;
  if (na != nb) return na ? -1 : 1;
  if (a.size() != b.size()) {
    bool a_longer = a.size() > b.size();
    return (a_longer != na) ? 1 : -1;
  }
  return a.Compare(b);  // same sign and length: byte order is numeric
}

// DecimalType: BigDecimal.compareTo (numeric; 1.0 == 1.00).
int CompareDecimal(ByteView a, ByteView b) {
  if (a.size() < 5 || b.size() < 5) return a.Compare(b);
  bool neg_a, neg_b;
  std::string da, db;
  if (!VarintDigits(a.substr(4), &neg_a, &da) ||
      !VarintDigits(b.substr(4), &neg_b, &db)) {
    return a.Compare(b);
  }
  bool zero_a = da == "0", zero_b = db == "0";
  int sa = zero_a ? 0 : (neg_a ? -1 : 1);
  int sb = zero_b ? 0 : (neg_b ? -1 : 1);
  if (sa != sb || sa == 0) return sa < sb ? -1 : (sa > sb ? 1 : 0);
  // Same sign, both non-zero: compare magnitudes 0.d1d2... x 10^(exp).
  int64_t ea = static_cast<int64_t>(da.size()) - LoadI32(a.data());
  int64_t eb = static_cast<int64_t>(db.size()) - LoadI32(b.data());
  int mag;
  if (ea != eb) {
    mag = ea < eb ? -1 : 1;
  } else {
    while (da.size() > 1 && da.back() == '0') da.pop_back();
    while (db.size() > 1 && db.back() == '0') db.pop_back();
    mag = Sign(da.compare(db));
  }
  return sa > 0 ? mag : -mag;
}

int CompareCollection(const CqlType& t, ByteView a, ByteView b) {
  size_t pa = 0, pb = 0;
  int32_t ca, cb;
  if (!ReadCount(a, &pa, &ca) || !ReadCount(b, &pb, &cb)) return a.Compare(b);
  int per_entry = t.kind == TypeKind::kMap ? 2 : 1;
  for (int32_t i = 0; i < ca && i < cb; ++i) {
    for (int k = 0; k < per_entry; ++k) {
      ByteView ea, eb;
      bool nulla, nullb;
      if (!ReadElement(a, &pa, &ea, &nulla) ||
          !ReadElement(b, &pb, &eb, &nullb)) {
        return Sign(a.Compare(b));  // malformed: plain byte order
      }
      int c = CompareValues(*t.params[k], ea, eb);
      if (c != 0) return c;
    }
  }
  return ca == cb ? 0 : (ca < cb ? -1 : 1);
}

// TupleType.compareCustom: field by field, null first; trailing non-null
// fields make a value larger.
int CompareFields(const CqlType& t, ByteView a, ByteView b) {
  size_t pa = 0, pb = 0;
  for (size_t i = 0; pa < a.size() && pb < b.size(); ++i) {
    ByteView ea, eb;
    bool nulla, nullb;
    if (!ReadElement(a, &pa, &ea, &nulla) ||
        !ReadElement(b, &pb, &eb, &nullb)) {
      return a.Compare(b);
    }
    if (nulla || nullb) {
      if (nulla && nullb) continue;
      return nulla ? -1 : 1;
    }
    if (i >= t.params.size()) return ea.Compare(eb);
    int c = CompareValues(*t.params[i], ea, eb);
    if (c != 0) return c;
  }
  auto any_non_null = [](ByteView v, size_t p) {
    while (p + 4 <= v.size()) {
      int32_t len = LoadI32(v.data() + p);
      if (len > 0) return true;
      p += 4 + (len > 0 ? len : 0);
    }
    return false;
  };
  if (any_non_null(a, pa)) return 1;
  if (any_non_null(b, pb)) return -1;
  return 0;
}

int CompareVector(const CqlType& t, ByteView a, ByteView b) {
  std::vector<ByteView> ea, eb;  // rare type: allocation acceptable
  if (!ForEachVectorElement(t, a, [&](ByteView e) { ea.push_back(e); }) ||
      !ForEachVectorElement(t, b, [&](ByteView e) { eb.push_back(e); })) {
    return a.Compare(b);
  }
  for (size_t i = 0; i < ea.size() && i < eb.size(); ++i) {
    int c = CompareValues(*t.params[0], ea[i], eb[i]);
    if (c != 0) return c;
  }
  return Sign(static_cast<int64_t>(ea.size()) -
              static_cast<int64_t>(eb.size()));
}

// AbstractCompositeType.compareCustom: per component the value, then the
// end-of-component byte (signed); a prefix sorts first.
int CompareComposite(const CqlType& t, ByteView a, ByteView b) {
  size_t pa = 0, pb = 0;
  for (size_t i = 0; pa < a.size() && pb < b.size(); ++i) {
    if (a.size() - pa < 2 || b.size() - pb < 2) return a.Compare(b);
    size_t la = LoadBE(a.data() + pa, 2), lb = LoadBE(b.data() + pb, 2);
    pa += 2;
    pb += 2;
    if (a.size() - pa < la + 1 || b.size() - pb < lb + 1) {
      return a.Compare(b);
    }
    ByteView ca = a.substr(pa, la), cb = b.substr(pb, lb);
    int c = i < t.params.size() ? CompareValues(*t.params[i], ca, cb)
                                : ca.Compare(cb);
    if (c != 0) return c;
    pa += la;
    pb += lb;
    int8_t eoca = static_cast<int8_t>(a[pa++]);
    int8_t eocb = static_cast<int8_t>(b[pb++]);
    if (eoca != eocb) return eoca < eocb ? -1 : 1;
  }
  if (pa >= a.size()) return pb >= b.size() ? 0 : -1;
  return 1;
}

}  // namespace

int CompareValues(const CqlType& t, ByteView a, ByteView b) {
  if (a.empty() || b.empty()) {
    return a.empty() ? (b.empty() ? 0 : -1) : 1;
  }
  switch (t.kind) {
    case TypeKind::kBoolean:
      if (a.size() != 1 || b.size() != 1) return a.Compare(b);
      return Sign(static_cast<int>(a[0] != 0) - static_cast<int>(b[0] != 0));
    case TypeKind::kTinyint:
      return CompareSignedFixed(a, b, 1);
    case TypeKind::kSmallint:
      return CompareSignedFixed(a, b, 2);
    case TypeKind::kInt:
      return CompareSignedFixed(a, b, 4);
    case TypeKind::kBigint:
      return CompareSignedFixed(a, b, 8);
    case TypeKind::kTimestamp:
      // DateType (pre-2.0 timestamps) compares as unsigned bytes.
      if (IsClass(t, "DateType")) return a.Compare(b);
      return CompareSignedFixed(a, b, 8);
    case TypeKind::kFloat:
      return CompareFloat(a, b, true);
    case TypeKind::kDouble:
      return CompareFloat(a, b, false);
    case TypeKind::kTimeuuid:
      return CompareTimeUuid(a, b);
    case TypeKind::kUuid:
      if (IsClass(t, "LexicalUUIDType")) return CompareLexicalUuid(a, b);
      return CompareUuid(a, b);
    case TypeKind::kVarint:
      if (a.size() > kMaxVarintBytes || b.size() > kMaxVarintBytes) {
        return a.Compare(b);
      }
      return CompareVarint(a, b);
    case TypeKind::kDecimal:
      return CompareDecimal(a, b);
    case TypeKind::kList:
    case TypeKind::kSet:
    case TypeKind::kMap:
      return CompareCollection(t, a, b);
    case TypeKind::kTuple:
    case TypeKind::kUdt:
      return CompareFields(t, a, b);
    case TypeKind::kVector:
      return CompareVector(t, a, b);
    case TypeKind::kComposite:
      return CompareComposite(t, a, b);
    default:
      // text, ascii, blob, inet, date (unsigned days), time, duration,
      // counter, empty, custom: unsigned byte order.
      return Sign(a.Compare(b));
  }
}

}  // namespace sstablefs::reader
