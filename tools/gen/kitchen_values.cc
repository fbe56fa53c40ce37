#include "tools/gen/kitchen_values.h"

#include <algorithm>
#include <limits>

#include "tools/gen/codec.h"

namespace sstablefs::gen {

using reader::ByteView;
using reader::CqlType;
using reader::TypeKind;

namespace {

int64_t EpochMillis() { return 1735689600000LL; }

// One time in eight an edge case; `n` edge cases numbered 0..n-1, else -1.
int Special(Rng* rng, int n) {
  return rng->Uniform(8) == 0 ? static_cast<int>(rng->Uniform(n)) : -1;
}

void GenText(Rng* rng, bool ascii, std::string* out) {
  static constexpr const char* kText[] = {
      "",
      "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93",
      "quote \" and \\ back",
      "tab\there\nnewline",
      "emoji \xf0\x9f\x98\x80",
      "a,b;c 'single'"};
  static constexpr const char* kAscii[] = {"", "plain ascii", "a\"b\\c",
                                           "ctl\x01\x7f"};
  int s = Special(rng, ascii ? 4 : 6);
  if (s >= 0) {
    *out += ascii ? kAscii[s] : kText[s];
  } else {
    PutRandomText(rng, 1, 20, out);
  }
}

void GenScalar(const CqlType& type, Rng* rng, std::string* out) {
  switch (type.kind) {
    case TypeKind::kAscii:
      return GenText(rng, true, out);
    case TypeKind::kText:
      return GenText(rng, false, out);
    case TypeKind::kBoolean:
      return PutU8(rng->Percent(50) ? 1 : 0, out);
    case TypeKind::kTinyint: {
      static constexpr int8_t kEdge[] = {-128, 127, 0, -1};
      int s = Special(rng, 4);
      return PutU8(static_cast<uint8_t>(s >= 0 ? kEdge[s] : rng->Next()), out);
    }
    case TypeKind::kSmallint: {
      static constexpr int16_t kEdge[] = {-32768, 32767, 0};
      int s = Special(rng, 3);
      return PutU16(static_cast<uint16_t>(s >= 0 ? kEdge[s] : rng->Next()),
                    out);
    }
    case TypeKind::kInt: {
      static constexpr int32_t kEdge[] = {std::numeric_limits<int32_t>::min(),
                                          std::numeric_limits<int32_t>::max(),
                                          0, -1};
      int s = Special(rng, 4);
      return PutI32(
          s >= 0 ? kEdge[s] : static_cast<int32_t>(rng->Range(-100000, 100000)),
          out);
    }
    case TypeKind::kBigint: {
      static constexpr int64_t kEdge[] = {std::numeric_limits<int64_t>::min(),
                                          std::numeric_limits<int64_t>::max(),
                                          0};
      int s = Special(rng, 3);
      return PutI64(s >= 0 ? kEdge[s] : static_cast<int64_t>(rng->Next()), out);
    }
    case TypeKind::kFloat: {
      static constexpr float kEdge[] = {std::numeric_limits<float>::quiet_NaN(),
                                        std::numeric_limits<float>::infinity(),
                                        -std::numeric_limits<float>::infinity(),
                                        -0.0f,
                                        1.5e-40f,
                                        3.25f};
      int s = Special(rng, 6);
      return PutFloat(
          s >= 0 ? kEdge[s]
                 : static_cast<float>(rng->Range(-100000, 100000)) / 64,
          out);
    }
    case TypeKind::kDouble: {
      static constexpr double kEdge[] = {
          std::numeric_limits<double>::quiet_NaN(),
          std::numeric_limits<double>::infinity(),
          -std::numeric_limits<double>::infinity(),
          -0.0,
          1e-300,
          1e300};
      int s = Special(rng, 6);
      return PutDouble(s >= 0 ? kEdge[s] : (rng->Unit() - 0.5) * 1e6, out);
    }
    case TypeKind::kVarint: {
      int s = Special(rng, 3);
      if (s == 0) {  // 2^128: beyond 64 bits
        PutU8(1, out);
        out->append(16, '\0');
        return;
      }
      if (s == 1) {  // -(2^72) - 1
        PutU8(0xfe, out);
        out->append(8, '\xff');
        PutU8(0xff, out);
        return;
      }
      return PutVarint(
          s == 2 ? 0 : static_cast<int64_t>(rng->Next()) >> rng->Uniform(60),
          out);
    }
    case TypeKind::kDecimal: {
      static constexpr std::pair<int32_t, int64_t> kEdge[] = {
          {2, 12345}, {0, -7}, {10, 1}, {-3, 12}, {0, 0}, {20, -123456789}};
      int s = Special(rng, 6);
      if (s >= 0) return PutDecimal(kEdge[s].first, kEdge[s].second, out);
      return PutDecimal(static_cast<int32_t>(rng->Uniform(6)),
                        rng->Range(-10000000, 10000000), out);
    }
    case TypeKind::kDuration: {
      int s = Special(rng, 3);
      if (s == 0) return PutDuration(-1, -2, -3, out);
      if (s == 1) return PutDuration(0, 0, 0, out);
      if (s == 2) return PutDuration(14, 0, 3723000000001LL, out);
      return PutDuration(static_cast<int32_t>(rng->Uniform(24)),
                         static_cast<int32_t>(rng->Uniform(31)),
                         rng->Range(0, 86400LL * 1000000000), out);
    }
    case TypeKind::kTimestamp: {
      static constexpr int64_t kEdge[] = {0, -1, -86400000LL * 365 * 100,
                                          253402300799999LL};
      int s = Special(rng, 4);
      return PutI64(
          s >= 0 ? kEdge[s] : EpochMillis() + rng->Range(0, 86400000LL * 365),
          out);
    }
    case TypeKind::kDate: {
      static constexpr int32_t kEdge[] = {0, -1, -25567, 2932896};
      int s = Special(rng, 4);
      return PutDate(
          s >= 0 ? kEdge[s] : static_cast<int32_t>(rng->Range(18000, 21000)),
          out);
    }
    case TypeKind::kTime: {
      static constexpr int64_t kEdge[] = {0, 86399999999999LL, 1};
      int s = Special(rng, 3);
      return PutI64(s >= 0 ? kEdge[s] : rng->Range(0, 86399999999999LL), out);
    }
    case TypeKind::kUuid:
      return PutRandomUuid(rng, out);
    case TypeKind::kTimeuuid:
      return PutTimeUuid(1735689600000000LL + rng->Range(0, 86400LL * 1000000),
                         rng->Next(), out);
    case TypeKind::kInet: {
      int s = Special(rng, 3);
      if (s == 0) {  // ::1
        out->append(15, '\0');
        PutU8(1, out);
        return;
      }
      if (s == 1) {
        PutU64(0x20010db885a30000ULL, out);
        PutU64(0x00008a2e03707334ULL, out);
        return;
      }
      PutU32(static_cast<uint32_t>(rng->Next()), out);
      return;
    }
    case TypeKind::kBlob: {
      int s = Special(rng, 2);
      if (s == 0) return;  // empty blob
      int len = static_cast<int>(rng->Range(1, 24));
      for (int i = 0; i < len; ++i)
        PutU8(static_cast<uint8_t>(rng->Next()), out);
      return;
    }
    default:
      return;
  }
}

int Compare(const CqlType& type, const std::string& a, const std::string& b) {
  return reader::CompareValues(type, ByteView(a), ByteView(b));
}

// Distinct elements of `type`, sorted by its comparator.
std::vector<std::string> SortedDistinct(const CqlType& type, Rng* rng, int n) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) {
    std::string e;
    GenValue(type, rng, &e);
    v.push_back(std::move(e));
  }
  std::sort(v.begin(), v.end(),
            [&](const std::string& a, const std::string& b) {
              return Compare(type, a, b) < 0;
            });
  v.erase(std::unique(v.begin(), v.end(),
                      [&](const std::string& a, const std::string& b) {
                        return Compare(type, a, b) == 0;
                      }),
          v.end());
  return v;
}

}  // namespace

void GenValue(const CqlType& type, Rng* rng, std::string* out) {
  switch (type.kind) {
    case TypeKind::kList: {
      std::vector<std::string> v;
      int n = static_cast<int>(rng->Uniform(4));
      for (int i = 0; i < n; ++i) {
        std::string e;
        GenValue(*type.params[0], rng, &e);
        v.push_back(std::move(e));
      }
      *out += FrozenCollection(v);
      return;
    }
    case TypeKind::kSet:
      *out += FrozenCollection(SortedDistinct(
          *type.params[0], rng, static_cast<int>(rng->Uniform(4))));
      return;
    case TypeKind::kMap: {
      std::vector<std::string> keys = SortedDistinct(
          *type.params[0], rng, static_cast<int>(rng->Uniform(4)));
      std::vector<std::pair<std::string, std::string>> m;
      for (std::string& k : keys) {
        std::string v;
        GenValue(*type.params[1], rng, &v);
        m.emplace_back(std::move(k), std::move(v));
      }
      *out += FrozenMap(m);
      return;
    }
    case TypeKind::kTuple:
    case TypeKind::kUdt:
      for (const auto& p : type.params) {
        if (type.kind == TypeKind::kUdt && rng->Percent(10)) {
          PutNullElement(out);  // a null field
          continue;
        }
        std::string e;
        GenValue(*p, rng, &e);
        PutElement(e, out);
      }
      return;
    case TypeKind::kVector:
      // Fixed-length elements are concatenated without lengths.
      for (int i = 0; i < type.vector_dimension; ++i) {
        PutFloat(static_cast<float>(rng->Range(-1000, 1000)) / 8, out);
      }
      return;
    default:
      GenScalar(type, rng, out);
  }
}

std::vector<std::pair<std::string, std::string>> GenCells(const CqlType& type,
                                                          Rng* rng,
                                                          int64_t list_micros) {
  std::vector<std::pair<std::string, std::string>> cells;
  switch (type.kind) {
    case TypeKind::kList: {
      int n = static_cast<int>(rng->Uniform(4));
      for (int i = 0; i < n; ++i) {
        std::string path;
        PutTimeUuid(list_micros + i, 0x1234567890abULL, &path);
        std::string v;
        GenValue(*type.params[0], rng, &v);
        cells.emplace_back(std::move(path), std::move(v));
      }
      break;
    }
    case TypeKind::kSet:
      for (std::string& e : SortedDistinct(*type.params[0], rng,
                                           static_cast<int>(rng->Uniform(4)))) {
        cells.emplace_back(std::move(e), std::string());
      }
      break;
    case TypeKind::kMap:
      for (std::string& k : SortedDistinct(*type.params[0], rng,
                                           static_cast<int>(rng->Uniform(4)))) {
        std::string v;
        GenValue(*type.params[1], rng, &v);
        cells.emplace_back(std::move(k), std::move(v));
      }
      break;
    case TypeKind::kUdt:
      for (size_t i = 0; i < type.params.size(); ++i) {
        if (rng->Percent(15)) continue;  // field not set
        std::string path;
        PutU16(static_cast<uint16_t>(i), &path);
        std::string v;
        GenValue(*type.params[i], rng, &v);
        cells.emplace_back(std::move(path), std::move(v));
      }
      break;
    default:
      break;
  }
  return cells;
}

}  // namespace sstablefs::gen
