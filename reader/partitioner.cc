#include "reader/partitioner.h"

#include <algorithm>

#include "reader/md5.h"
#include "reader/murmur3.h"

namespace sstablefs::reader {
namespace {

constexpr std::string_view kDhtPackage = "org.apache.cassandra.dht.";

struct NamedKind {
  std::string_view name;
  PartitionerKind kind;
};
constexpr NamedKind kKinds[] = {
    {"Murmur3Partitioner", PartitionerKind::kMurmur3},
    {"RandomPartitioner", PartitionerKind::kRandom},
    {"ByteOrderedPartitioner", PartitionerKind::kByteOrdered},
    {"LocalPartitioner", PartitionerKind::kLocal},
    {"OrderPreservingPartitioner", PartitionerKind::kOrderPreserving},
};

// Decodes one code point of UTF-8 at `*i` and advances; malformed input
// yields U+FFFD for one byte, as Java's decoder substitutes it.
uint32_t NextCodePoint(ByteView s, size_t* i) {
  uint8_t b = s[*i];
  if (b < 0x80) {
    ++*i;
    return b;
  }
  int extra = (b >> 5) == 6 ? 1 : (b >> 4) == 14 ? 2 : (b >> 3) == 30 ? 3 : -1;
  if (extra < 0) {
    ++*i;
    return 0xFFFD;
  }
  uint32_t cp = b & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    if (*i + k >= s.size() || (s[*i + k] & 0xC0) != 0x80) {
      ++*i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (s[*i + k] & 0x3F);
  }
  *i += extra + 1;
  return cp;
}

// Java String.compareTo on the UTF-16 forms of two UTF-8 strings, without
// materializing them: code points are expanded to surrogate pairs lazily.
int CompareAsJavaStrings(ByteView a, ByteView b) {
  size_t ia = 0, ib = 0;
  uint16_t pending_a = 0, pending_b = 0;  // low surrogate still to emit
  auto next_unit = [](ByteView s, size_t* i, uint16_t* pending) -> int {
    if (*pending != 0) {
      int u = *pending;
      *pending = 0;
      return u;
    }
    if (*i >= s.size()) return -1;
    uint32_t cp = NextCodePoint(s, i);
    if (cp < 0x10000) return static_cast<int>(cp);
    cp -= 0x10000;
    *pending = static_cast<uint16_t>(0xDC00 + (cp & 0x3FF));
    return static_cast<int>(0xD800 + (cp >> 10));
  };
  while (true) {
    int ua = next_unit(a, &ia, &pending_a);
    int ub = next_unit(b, &ib, &pending_b);
    if (ua != ub) return ua < ub ? -1 : 1;  // -1 (end) sorts first
    if (ua < 0) return 0;
  }
}

template <typename T>
int Cmp(T a, T b) {
  return a < b ? -1 : (a > b ? 1 : 0);
}

std::string Uint128ToDecimal(uint64_t hi, uint64_t lo) {
  unsigned __int128 v = (static_cast<unsigned __int128>(hi) << 64) | lo;
  if (v == 0) return "0";
  std::string out;
  while (v != 0) {
    out.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

int64_t Murmur3Token(ByteView key) {
  if (key.empty()) return INT64_MIN;  // Murmur3Partitioner.MINIMUM
  int64_t v = static_cast<int64_t>(CassandraMurmur3(key, 0).h1);
  // normalize(): MINIMUM is reserved, so a hash equal to it moves to MAX.
  return v == INT64_MIN ? INT64_MAX : v;
}

Result<Partitioner> Partitioner::FromClassName(std::string_view class_name) {
  std::string_view name = class_name;
  if (name.substr(0, kDhtPackage.size()) == kDhtPackage) {
    name.remove_prefix(kDhtPackage.size());
  }
  for (const NamedKind& k : kKinds) {
    if (name == k.name) return Partitioner(k.kind);
  }
  return Status::Unsupported("unsupported partitioner '" +
                             std::string(class_name) + "'");
}

std::string_view Partitioner::ShortName() const {
  for (const NamedKind& k : kKinds) {
    if (k.kind == kind_) return k.name;
  }
  return "?";
}

Token Partitioner::GetToken(ByteView key) const {
  Token t;
  t.kind = kind_;
  switch (kind_) {
    case PartitionerKind::kMurmur3:
      t.long_value = Murmur3Token(key);
      break;
    case PartitionerKind::kRandom: {
      if (key.empty()) {  // RandomPartitioner.MINIMUM = -1
        t.minimum = true;
        break;
      }
      Md5Digest d = ComputeMd5(key);
      uint64_t hi = 0, lo = 0;
      for (int i = 0; i < 8; ++i) hi = (hi << 8) | d[i];
      for (int i = 8; i < 16; ++i) lo = (lo << 8) | d[i];
      // new BigInteger(bytes) is two's complement; abs() of a negative value
      // is its 128-bit negation (2^127 stays 2^127, read as unsigned).
      if (hi >> 63) {
        hi = ~hi;
        lo = ~lo;
        if (++lo == 0) ++hi;
      }
      t.hi = hi;
      t.lo = lo;
      break;
    }
    case PartitionerKind::kByteOrdered:
    case PartitionerKind::kLocal:
    case PartitionerKind::kOrderPreserving:
      t.bytes = key.ToString();
      break;
  }
  return t;
}

int Partitioner::CompareTokens(const Token& a, const Token& b) const {
  switch (kind_) {
    case PartitionerKind::kMurmur3:
      return Cmp(a.long_value, b.long_value);
    case PartitionerKind::kRandom:
      if (a.minimum || b.minimum) return Cmp(!a.minimum, !b.minimum);
      if (a.hi != b.hi) return Cmp(a.hi, b.hi);
      return Cmp(a.lo, b.lo);
    case PartitionerKind::kByteOrdered:
    case PartitionerKind::kLocal:
      return ByteView(a.bytes).Compare(ByteView(b.bytes));
    case PartitionerKind::kOrderPreserving:
      return CompareAsJavaStrings(ByteView(a.bytes), ByteView(b.bytes));
  }
  return 0;
}

int Partitioner::CompareKeys(ByteView a, ByteView b) const {
  int c;
  switch (kind_) {
    case PartitionerKind::kMurmur3:
      c = Cmp(Murmur3Token(a), Murmur3Token(b));
      break;
    case PartitionerKind::kByteOrdered:
    case PartitionerKind::kLocal:
      return a.Compare(b);  // the token is the key: no tie-break needed
    case PartitionerKind::kOrderPreserving:
      c = CompareAsJavaStrings(a, b);
      break;
    default:
      c = CompareTokens(GetToken(a), GetToken(b));
      break;
  }
  if (c != 0) return c;
  int k = a.Compare(b);
  return k < 0 ? -1 : (k > 0 ? 1 : 0);
}

std::string Partitioner::TokenToString(const Token& t) const {
  switch (kind_) {
    case PartitionerKind::kMurmur3:
      return std::to_string(t.long_value);
    case PartitionerKind::kRandom:
      return t.minimum ? "-1" : Uint128ToDecimal(t.hi, t.lo);
    case PartitionerKind::kOrderPreserving:
      return t.bytes;
    case PartitionerKind::kByteOrdered:
    case PartitionerKind::kLocal:
      return ByteView(t.bytes).ToHex();
  }
  return "";
}

}  // namespace sstablefs::reader
