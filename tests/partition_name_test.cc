// Partition folder names (SPEC §4): examples from the spec, a property test
// (parse(name(key)) == key for random keys of every key type, names are valid
// file names), and every partition key of every readable corpus SSTable,
// checked against the partition_order of expected.json.
#include "reader/partition_name.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "reader/data_file.h"
#include "reader/descriptor.h"
#include "reader/sstable.h"
#include "tests/test_util.h"

namespace sstablefs::reader {
namespace {

using ::sstablefs::testing::CorpusDir;
using ::sstablefs::testing::ReadFileToString;
using namespace std::string_literals;

CqlTypePtr Type(const std::string& s) {
  Result<CqlTypePtr> t = ParseMarshalType(s);
  EXPECT_TRUE(t.ok()) << s << ": " << t.status().ToString();
  return t.ok() ? *t : SimpleType(TypeKind::kBlob);
}

std::string BE(uint64_t v, int n) {
  std::string out;
  for (int i = n - 1; i >= 0; --i)
    out.push_back(static_cast<char>(v >> (8 * i)));
  return out;
}

std::string Composite(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    out += BE(p.size(), 2) + p;
    out.push_back('\0');
  }
  return out;
}

std::string Name(const CqlType& t, const std::string& key,
                 Partitioner p = Partitioner()) {
  return PartitionFolderName(t, ByteView(key), p);
}

std::string Parse(const CqlType& t, std::string_view name) {
  Result<ParsedPartitionName> r = ParsePartitionFolderName(t, name);
  EXPECT_TRUE(r.ok()) << name << ": " << r.status().ToString();
  if (!r.ok()) return "<error>";
  EXPECT_FALSE(r->hashed) << name;
  return r->key;
}

// --- Examples from SPEC §4 ------------------------------------------------

TEST(PartitionNameTest, TextIsItselfWithSpecialBytesEscaped) {
  auto text = SimpleType(TypeKind::kText);
  EXPECT_EQ(Name(*text, "hello world"), "hello world");
  EXPECT_EQ(Name(*text, "a/b:c%d"), "a%2Fb%3Ac%25d");
  EXPECT_EQ(Name(*text, std::string("nul\0ctl\x01\x1f\x7f", 10)),
            "nul%00ctl%01%1F%7F");
  EXPECT_EQ(Name(*text, ".hidden"), "%2Ehidden");
  EXPECT_EQ(Name(*text, "."), "%2E");
  EXPECT_EQ(Name(*text, ".."), "%2E.");
  EXPECT_EQ(Name(*text, "a.b"), "a.b");  // only a leading '.'
  EXPECT_EQ(Name(*text, "~tilde"), "%7Etilde");
  EXPECT_EQ(Name(*text, "a~"), "a~");
  // Valid UTF-8 is kept; bytes that are not part of valid UTF-8 are escaped
  // one by one (overlong forms, surrogates, stray continuation bytes).
  EXPECT_EQ(Name(*text, "привет é €"), "привет é €");
  EXPECT_EQ(Name(*text, "\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(Name(*text, "\xff"), "%FF");
  EXPECT_EQ(Name(*text, "\xc0\x80"), "%C0%80");
  EXPECT_EQ(Name(*text, "\xed\xa0\x80"), "%ED%A0%80");
  EXPECT_EQ(Name(*text, "a\x80z"), "a%80z");
  EXPECT_EQ(Name(*text, "\xe2\x82"), "%E2%82");  // truncated sequence
  EXPECT_EQ(Name(*text, "\xf4\x90\x80\x80"), "%F4%90%80%80");  // > U+10FFFF
  for (std::string s :
       {"a/b:c%d", ".hidden", "~tilde", "\xff", "\xc0\x80", "привет", "0x12"}) {
    EXPECT_EQ(Parse(*text, Name(*text, s)), s);
  }
  EXPECT_EQ(PartitionKeyText(*text, ByteView(std::string_view("a/b:c"))),
            "a/b:c");
}

TEST(PartitionNameTest, OtherTypesAsCqlLiterals) {
  EXPECT_EQ(Name(*SimpleType(TypeKind::kInt), BE(static_cast<uint32_t>(-5), 4)),
            "-5");
  EXPECT_EQ(Name(*SimpleType(TypeKind::kBigint), BE(1234567890123ull, 8)),
            "1234567890123");
  EXPECT_EQ(Name(*SimpleType(TypeKind::kBlob), "\xca\xfe"), "0xcafe");
  EXPECT_EQ(Name(*SimpleType(TypeKind::kBoolean), std::string(1, '\1')),
            "true");
  EXPECT_EQ(Name(*SimpleType(TypeKind::kBoolean), std::string(1, '\0')),
            "false");
  std::string uuid =
      "\x09\xfe\xa9\x90\xb3\x20\x11\xe8\x83\xa7\x00\x00\x00\x00\x00\x00";
  uuid.resize(16);
  EXPECT_EQ(Name(*SimpleType(TypeKind::kTimeuuid), uuid),
            "09fea990-b320-11e8-83a7-000000000000");
  // 2024-01-31 13:45:00 UTC = 1706708700 s.
  std::string ts = BE(1706708700123ull, 8);
  EXPECT_EQ(Name(*SimpleType(TypeKind::kTimestamp), ts),
            "2024-01-31T13%3A45%3A00.123Z");
  EXPECT_EQ(PartitionKeyText(*SimpleType(TypeKind::kTimestamp), ByteView(ts)),
            "2024-01-31T13:45:00.123Z");
  // date: days since epoch + 2^31.
  EXPECT_EQ(Name(*SimpleType(TypeKind::kDate), BE((1u << 31) + 19753, 4)),
            "2024-01-31");
  EXPECT_EQ(Name(*SimpleType(TypeKind::kInet), "\x0a\x00\x00\x01"s),
            "10.0.0.1");
  std::string v6(16, '\0');
  v6[15] = 1;
  EXPECT_EQ(Name(*SimpleType(TypeKind::kInet), v6), "%3A%3A1");
  EXPECT_EQ(Name(*SimpleType(TypeKind::kTime), BE(49500000000001ull, 8)),
            "13%3A45%3A00.000000001");
  EXPECT_EQ(Name(*SimpleType(TypeKind::kDouble), BE(0x8000000000000000ull, 8)),
            "-0.0");
  EXPECT_EQ(Name(*SimpleType(TypeKind::kDouble), BE(0x7ff8000000000000ull, 8)),
            "NaN");
  EXPECT_EQ(Name(*SimpleType(TypeKind::kDouble), BE(0x3ff8000000000000ull, 8)),
            "1.5");
  // A NaN with a payload renders "NaN", which parses to the canonical NaN:
  // the name is the raw bytes instead.
  EXPECT_EQ(Name(*SimpleType(TypeKind::kDouble), BE(0x7ff8000000000001ull, 8)),
            "0x7ff8000000000001");
  // varint 2^64 and decimal 12.345 (scale 3, unscaled 12345).
  EXPECT_EQ(Name(*SimpleType(TypeKind::kVarint), "\x01" + std::string(8, '\0')),
            "18446744073709551616");
  EXPECT_EQ(Name(*SimpleType(TypeKind::kDecimal), BE(3, 4) + BE(12345, 2)),
            "12.345");
  // A value that does not fit its type (3 bytes for an int): raw form.
  EXPECT_EQ(Name(*SimpleType(TypeKind::kInt), "\x01\x02\x03"s), "0x010203");
  EXPECT_EQ(Parse(*SimpleType(TypeKind::kInt), "0x010203"), "\x01\x02\x03"s);
}

TEST(PartitionNameTest, CompositeKeysJoinComponentsWithColon) {
  auto t = Type("CompositeType(Int32Type,UTF8Type,BooleanType)");
  std::string key = Composite({BE(1, 4), "hello", std::string(1, '\1')});
  EXPECT_EQ(Name(*t, key), "1:hello:true");
  EXPECT_EQ(Parse(*t, "1:hello:true"), key);
  std::string colon = Composite({BE(7, 4), "a:b/c", std::string(1, '\0')});
  EXPECT_EQ(Name(*t, colon), "7:a%3Ab%2Fc:false");
  EXPECT_EQ(Parse(*t, "7:a%3Ab%2Fc:false"), colon);
  EXPECT_EQ(PartitionKeyText(*t, ByteView(colon)), "7:a:b/c:false");
  // Empty text components are fine.
  std::string empty = Composite({BE(1, 4), "", std::string(1, '\1')});
  EXPECT_EQ(Name(*t, empty), "1::true");
  EXPECT_EQ(Parse(*t, "1::true"), empty);
  // Only the first component of the name gets the leading-'.' escape.
  auto tt = Type("CompositeType(UTF8Type,UTF8Type)");
  EXPECT_EQ(Name(*tt, Composite({".a", ".b"})), "%2Ea:.b");
  // A composite that does not split into its declared components is one raw
  // hex form, still reversible.
  std::string broken = Composite({BE(1, 4)});
  EXPECT_EQ(Name(*t, broken), "0x" + ByteView(broken).ToHex());
  EXPECT_EQ(Parse(*t, Name(*t, broken)), broken);
  std::string odd_eoc = key;
  odd_eoc[6] = '\1';  // end-of-component byte of the int
  EXPECT_EQ(Parse(*t, Name(*t, odd_eoc)), odd_eoc);
}

TEST(PartitionNameTest, LongNamesAreHashed) {
  auto text = SimpleType(TypeKind::kText);
  std::string key(300, 'k');
  Partitioner murmur;
  std::string name = Name(*text, key, murmur);
  int64_t token = Murmur3Token(ByteView(key));
  // MD5 of the key, first 8 bytes as big-endian hex.
  char hash[17];
  std::snprintf(
      hash, sizeof(hash), "%016llx",
      static_cast<unsigned long long>(PartitionNameHash(ByteView(key))));
  EXPECT_EQ(name, "~" + std::to_string(token) + "." + hash);
  Result<ParsedPartitionName> parsed = ParsePartitionFolderName(*text, name);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->hashed);
  EXPECT_EQ(parsed->token_text, std::to_string(token));
  EXPECT_TRUE(PartitionNameMatches(*parsed, ByteView(key), murmur));
  EXPECT_FALSE(PartitionNameMatches(*parsed, ByteView(key + "x"), murmur));
  // 255 bytes is still a plain name; 256 is not.
  EXPECT_EQ(Name(*text, std::string(255, 'a')), std::string(255, 'a'));
  EXPECT_EQ(Name(*text, std::string(256, 'a'))[0], '~');
  // Escapes count: 100 '/' are 300 bytes of name.
  EXPECT_EQ(Name(*text, std::string(100, '/'))[0], '~');
  // The empty single-column key has no text: hashed form too (a blob's is
  // "0x").
  std::string empty_name = Name(*text, "");
  EXPECT_EQ(empty_name[0], '~');
  EXPECT_EQ(Name(*SimpleType(TypeKind::kBlob), ""), "0x");
  // Order-preserving partitioners: a hex prefix of the key, not the token.
  Partitioner bop(PartitionerKind::kByteOrdered);
  std::string bname = Name(*text, key, bop);
  EXPECT_EQ(bname.substr(0, 201), "~" + ByteView(key).substr(0, 100).ToHex());
  EXPECT_LE(bname.size(), kMaxFolderNameBytes);
  auto bparsed = ParsePartitionFolderName(*text, bname);
  ASSERT_TRUE(bparsed.ok());
  EXPECT_TRUE(PartitionNameMatches(*bparsed, ByteView(key), bop));
}

TEST(PartitionNameTest, BadNamesAreInvalidArgument) {
  auto i = SimpleType(TypeKind::kInt);
  auto t = Type("CompositeType(Int32Type,UTF8Type)");
  auto text = SimpleType(TypeKind::kText);
  for (auto [type, name] : std::vector<std::pair<CqlTypePtr, std::string>>{
           {i, "abc"},
           {i, "99999999999"},
           {i, ""},
           {text, "%G1"},
           {text, "%4"},
           {text, "a%"},
           {t, "1"},
           {t, "1:a:b"},
           {t, "x:a"},
           {text, "~nodot"},
           {text, "~123.abc"},
           {text, "~123.zzzzzzzzzzzzzzzz"},
           {text, std::string(256, 'a')},
       }) {
    Result<ParsedPartitionName> r = ParsePartitionFolderName(*type, name);
    EXPECT_FALSE(r.ok()) << name;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << name;
    }
  }
}

TEST(PartitionNameTest, TypedSpellingsAreAccepted) {
  auto text = SimpleType(TypeKind::kText);
  EXPECT_EQ(Parse(*text, "user:1"), "user:1");
  EXPECT_EQ(Parse(*text, "a%2fb"), "a/b");
  auto ts = SimpleType(TypeKind::kTimestamp);
  EXPECT_EQ(Parse(*ts, "2024-01-31T13:45:00.123Z"), BE(1706708700123ull, 8));
  EXPECT_EQ(Parse(*ts, "2024-01-31 13:45:00.123000+0000"),
            BE(1706708700123ull, 8));
  auto inet = SimpleType(TypeKind::kInet);
  std::string v6(16, '\0');
  v6[15] = 1;
  EXPECT_EQ(Parse(*inet, "::1"), v6);
}

// --- Property: parse(name(key)) == key -------------------------------------

class KeyGen {
 public:
  explicit KeyGen(uint32_t seed) : rng_(seed) {}

  uint64_t U(uint64_t n) {
    return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_);
  }
  uint64_t Bits() { return std::uniform_int_distribution<uint64_t>()(rng_); }

  std::string Bytes(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(U(256)));
    return s;
  }

  // Text full of the bytes names must escape, valid multi-byte UTF-8 and
  // bytes that are not UTF-8; sometimes long enough to be hashed.
  std::string Text() {
    static const char* const kPieces[] = {"/",
                                          ":",
                                          "%",
                                          "" /* NUL, below */,
                                          "\x01",
                                          "\x1f",
                                          "\x7f",
                                          ".",
                                          "~",
                                          "a",
                                          "Z",
                                          "0",
                                          " ",
                                          "-",
                                          "\\",
                                          "'",
                                          "\"",
                                          "é",
                                          "€",
                                          "\xf0\x9f\x98\x80",
                                          "\xff",
                                          "\xc0\x80",
                                          "\xed\xa0\x80",
                                          "\x80",
                                          "\xe2\x82",
                                          "%2F",
                                          "0x",
                                          "NaN"};
    size_t n = U(10) == 0 ? 100 + U(200) : U(20);
    std::string s;
    for (size_t i = 0; i < n; ++i) {
      size_t k = U(std::size(kPieces));
      if (k == 3) {
        s.push_back('\0');
      } else {
        s += kPieces[k];
      }
    }
    return s;
  }

  // A value of `kind`: mostly valid, sometimes odd (wrong length, empty,
  // non-canonical) so the raw form is exercised too.
  std::string Value(TypeKind kind) {
    if (U(25) == 0) return Bytes(U(6));  // anything at all
    switch (kind) {
      case TypeKind::kText:
      case TypeKind::kAscii:
        return Text();
      case TypeKind::kBlob:
        return Bytes(U(10) == 0 ? 200 : U(12));
      case TypeKind::kBoolean:
        return std::string(1, static_cast<char>(U(3)));
      case TypeKind::kTinyint:
        return Bytes(1);
      case TypeKind::kSmallint:
        return Bytes(2);
      case TypeKind::kInt:
        return Bytes(4);
      case TypeKind::kBigint:
        return Bytes(8);
      case TypeKind::kFloat: {
        static const uint32_t kSpecial[] = {0x80000000u, 0x7fc00000u,
                                            0x7f800000u, 0xff800000u,
                                            0x7fc00001u, 0x00000001u};
        return BE(U(3) == 0 ? kSpecial[U(6)] : Bits() & 0xffffffffu, 4);
      }
      case TypeKind::kDouble: {
        static const uint64_t kSpecial[] = {
            0x8000000000000000ull, 0x7ff8000000000000ull, 0x7ff0000000000000ull,
            0xfff0000000000000ull, 0xfff8000000000000ull, 0x7ff0000000000001ull,
            0x0000000000000001ull, 0x7fefffffffffffffull};
        return BE(U(3) == 0 ? kSpecial[U(8)] : Bits(), 8);
      }
      case TypeKind::kVarint:
        return Bytes(1 + U(20));
      case TypeKind::kDecimal:
        return BE(U(2) ? U(20) : Bits() & 0xffffffffu, 4) + Bytes(1 + U(12));
      case TypeKind::kUuid:
        return Bytes(16);
      case TypeKind::kTimeuuid: {
        std::string u = Bytes(16);
        if (U(5) != 0) u[6] = static_cast<char>((u[6] & 0x0f) | 0x10);
        return u;
      }
      case TypeKind::kTimestamp:
        // Mostly years 1..9999, sometimes any int64.
        if (U(3) == 0) return Bytes(8);
        return BE(
            static_cast<uint64_t>(static_cast<int64_t>(U(315537897600000ull)) -
                                  62135596800000ll),
            8);
      case TypeKind::kDate:
        return Bytes(4);
      case TypeKind::kTime:
        return BE(U(8) == 0 ? Bits() : U(86400000000000ull), 8);
      case TypeKind::kInet:
        return Bytes(U(2) ? 4 : 16);
      default:
        return Bytes(U(20));
    }
  }

 private:
  std::mt19937_64 rng_;
};

const char* const kScalarTypes[] = {"UTF8Type",
                                    "AsciiType",
                                    "BytesType",
                                    "BooleanType",
                                    "ByteType",
                                    "ShortType",
                                    "Int32Type",
                                    "LongType",
                                    "FloatType",
                                    "DoubleType",
                                    "IntegerType",
                                    "DecimalType",
                                    "UUIDType",
                                    "TimeUUIDType",
                                    "TimestampType",
                                    "SimpleDateType",
                                    "TimeType",
                                    "InetAddressType",
                                    "CounterColumnType",
                                    "FrozenType(ListType(Int32Type))",
                                    "TupleType(Int32Type,UTF8Type)"};

void CheckName(const CqlType& type, const std::string& key,
               const Partitioner& partitioner) {
  SCOPED_TRACE("type " + type.CqlName() + " key 0x" + ByteView(key).ToHex());
  std::string name = PartitionFolderName(type, ByteView(key), partitioner);
  ASSERT_FALSE(name.empty());
  EXPECT_LE(name.size(), kMaxFolderNameBytes);
  EXPECT_EQ(name.find('/'), std::string::npos) << name;
  EXPECT_EQ(name.find('\0'), std::string::npos) << name;
  EXPECT_NE(name[0], '.') << name;
  Result<ParsedPartitionName> parsed = ParsePartitionFolderName(type, name);
  ASSERT_TRUE(parsed.ok()) << name << ": " << parsed.status().ToString();
  EXPECT_EQ(parsed->hashed, name[0] == '~') << name;
  if (!parsed->hashed) {
    EXPECT_EQ(ByteView(parsed->key).ToHex(), ByteView(key).ToHex()) << name;
  }
  EXPECT_TRUE(PartitionNameMatches(*parsed, ByteView(key), partitioner))
      << name;
  EXPECT_FALSE(
      PartitionNameMatches(*parsed, ByteView(key + "\x01"), partitioner))
      << name;
}

TEST(PartitionNamePropertyTest, EveryKeyTypeRoundTrips) {
  KeyGen gen(20260101);
  const Partitioner partitioners[] = {
      Partitioner(), Partitioner(PartitionerKind::kRandom),
      Partitioner(PartitionerKind::kByteOrdered)};
  int readable = 0, raw = 0;
  for (const char* name : kScalarTypes) {
    CqlTypePtr type = Type(name);
    for (int i = 0; i < 400; ++i) {
      std::string key = gen.Value(type->kind);
      if (type->kind == TypeKind::kList || type->kind == TypeKind::kTuple) {
        key = gen.U(2) ? BE(1, 4) + BE(4, 4) + gen.Bytes(4) : gen.Bytes(9);
      }
      CheckName(*type, key, partitioners[i % 3]);
      if (HasFatalFailure()) return;
      std::string n =
          PartitionFolderName(*type, ByteView(key), partitioners[0]);
      if (type->kind == TypeKind::kList || type->kind == TypeKind::kTuple) {
        EXPECT_EQ(n.rfind("0x", 0), 0u) << n;  // no literal parser: raw
        continue;
      }
      (n.rfind("0x", 0) == 0 && type->kind != TypeKind::kBlob ? raw
                                                              : readable)++;
    }
  }
  // Most values take their readable literal form, not the raw fallback
  // (which the generator provokes on purpose now and then).
  EXPECT_GT(readable, 4 * raw) << readable << " readable, " << raw << " raw";
}

TEST(PartitionNamePropertyTest, CompositeKeysOfMixedTypesRoundTrip) {
  KeyGen gen(4242);
  Partitioner murmur;
  for (int i = 0; i < 3000; ++i) {
    size_t n = 2 + gen.U(3);
    std::string spec = "CompositeType(";
    std::vector<std::string> parts;
    for (size_t c = 0; c < n; ++c) {
      // Scalar types only (not the frozen list/tuple at the end).
      const char* t = kScalarTypes[gen.U(std::size(kScalarTypes) - 2)];
      spec += (c ? "," : "") + std::string(t);
      parts.push_back(gen.Value(Type(t)->kind).substr(0, 0xffff));
    }
    spec += ")";
    CqlTypePtr type = Type(spec);
    std::string key = Composite(parts);
    if (gen.U(50) == 0) key = gen.Bytes(gen.U(12));  // not a composite at all
    CheckName(*type, key, murmur);
    if (HasFatalFailure()) return;
  }
}

TEST(PartitionNamePropertyTest, RandomNamesParseSafelyAndCanonicalize) {
  // Any name (as a user might type it) either fails cleanly or names a key
  // whose canonical name names the same key.
  KeyGen gen(99);
  const char* const kTypes[] = {"UTF8Type",
                                "Int32Type",
                                "TimestampType",
                                "DoubleType",
                                "BytesType",
                                "CompositeType(Int32Type,UTF8Type)",
                                "CompositeType(UUIDType,InetAddressType)"};
  const std::string alphabet = "0123456789abcdefxX:%.-~/+ eETZ:";
  for (const char* spec : kTypes) {
    CqlTypePtr type = Type(spec);
    for (int i = 0; i < 3000; ++i) {
      std::string name;
      size_t n = 1 + gen.U(40);
      for (size_t k = 0; k < n; ++k) {
        name.push_back(gen.U(8) == 0 ? static_cast<char>(gen.U(256))
                                     : alphabet[gen.U(alphabet.size())]);
      }
      Result<ParsedPartitionName> p = ParsePartitionFolderName(*type, name);
      if (!p.ok()) {
        EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
        continue;
      }
      if (p->hashed) continue;
      std::string canonical =
          PartitionFolderName(*type, ByteView(p->key), Partitioner());
      Result<ParsedPartitionName> again =
          ParsePartitionFolderName(*type, canonical);
      ASSERT_TRUE(again.ok()) << canonical;
      if (!again->hashed) {
        EXPECT_EQ(again->key, p->key) << name << " -> " << canonical;
      }
    }
  }
}

TEST(PartitionNamePropertyTest, TimestampsInCommonRangeAreIso8601) {
  KeyGen gen(7);
  auto ts = SimpleType(TypeKind::kTimestamp);
  for (int i = 0; i < 500; ++i) {
    // Years 1970..2100.
    int64_t ms = static_cast<int64_t>(gen.U(4102444800000ull));
    std::string name = Name(*ts, BE(static_cast<uint64_t>(ms), 8));
    ASSERT_EQ(name.size(), 28u) << name;  // yyyy-mm-ddThh%3Amm%3Ass.mmmZ
    EXPECT_EQ(name[10], 'T');
    EXPECT_EQ(name.back(), 'Z');
    time_t secs = ms / 1000;
    struct tm tm;
    gmtime_r(&secs, &tm);
    char want[96];
    std::snprintf(want, sizeof(want),
                  "%04d-%02d-%02dT%02d%%3A%02d%%3A%02d.%03dZ",
                  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                  tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    EXPECT_EQ(name, want);
  }
}

// --- The corpus -------------------------------------------------------------

struct SSTableKeys {
  std::string path;
  std::vector<std::string> names;  // in Data.db order
};

// Names every partition key of the readable SSTable at `data_path` (checking
// each round-trips); false when it cannot be opened or decoded (malformed
// sets), with the keys named up to the damage.
bool NameKeys(const std::string& data_path, SSTableKeys* out) {
  out->path = data_path;
  Result<std::shared_ptr<SSTable>> sst = SSTable::Open(data_path, nullptr);
  if (!sst.ok()) return false;
  const CqlTypePtr& key_type = (*sst)->columns().key_type;
  if (key_type == nullptr) return false;
  Result<std::unique_ptr<DataInput>> input = (*sst)->OpenData();
  if (!input.ok()) return false;
  PartitionIterator it(input->get(), &(*sst)->columns(),
                       (*sst)->descriptor().version);
  for (it.SeekToFirst(); it.Valid(); it.NextPartition()) {
    std::string key = it.partition().key.ToString();
    CheckName(*key_type, key, (*sst)->partitioner());
    out->names.push_back(
        PartitionFolderName(*key_type, ByteView(key), (*sst)->partitioner()));
  }
  return it.status().ok();
}

// SPEC §4 applied to a CQL literal of expected.json ("'text'", "5",
// "(1, 'hello', true)"), written independently of the code under test.
std::string ExpectedName(const std::string& literal) {
  std::vector<std::string> parts;
  std::string lit = literal;
  if (!lit.empty() && lit.front() == '(' && lit.back() == ')') {
    lit = lit.substr(1, lit.size() - 2);
    std::string cur;
    bool quoted = false;
    for (size_t i = 0; i < lit.size(); ++i) {
      if (lit[i] == '\'') quoted = !quoted;
      if (!quoted && lit[i] == ',') {
        parts.push_back(cur);
        cur.clear();
        while (i + 1 < lit.size() && lit[i + 1] == ' ') ++i;
        continue;
      }
      cur.push_back(lit[i]);
    }
    parts.push_back(cur);
  } else {
    parts.push_back(lit);
  }
  std::string name;
  for (size_t p = 0; p < parts.size(); ++p) {
    std::string text = parts[p];
    if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') {
      std::string unq;
      for (size_t i = 1; i + 1 < text.size(); ++i) {
        unq.push_back(text[i]);
        if (text[i] == '\'' && text[i + 1] == '\'') ++i;
      }
      text = unq;
    }
    if (p > 0) name.push_back(':');
    for (size_t i = 0; i < text.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(text[i]);
      bool escape = c < 0x20 || c == 0x7f || c == '/' || c == '%' || c == ':' ||
                    (p == 0 && i == 0 && (c == '.' || c == '~'));
      if (escape) {
        char buf[4];
        std::snprintf(buf, sizeof(buf), "%%%02X", c);
        name += buf;
      } else {
        name.push_back(static_cast<char>(c));
      }
    }
  }
  return name;
}

TEST(PartitionNameCorpusTest, EveryCorpusKeyRoundTrips) {
  SSTFS_REQUIRE_CORPUS();
  int sstables = 0, keys = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(CorpusDir())) {
    const std::string path = entry.path().string();
    if (path.size() < 8 || path.substr(path.size() - 8) != "-Data.db") continue;
    Result<Descriptor> d = ParseDescriptor(path);
    if (!d.ok() || !d->IsReadable()) continue;
    SSTableKeys k;
    NameKeys(path, &k);
    if (HasFatalFailure()) return;
    ++sstables;
    keys += static_cast<int>(k.names.size());
  }
  EXPECT_GT(sstables, 100);
  EXPECT_GT(keys, 500);
}

TEST(PartitionNameCorpusTest, NamesMatchExpectedPartitionOrder) {
  SSTFS_REQUIRE_CORPUS();
  std::optional<std::string> text =
      ReadFileToString(CorpusDir() + "/expected.json");
  ASSERT_TRUE(text.has_value());
  nlohmann::json sets = nlohmann::json::parse(*text);
  int checked = 0;
  for (const nlohmann::json& set : sets) {
    if (!set.contains("partition_order") ||
        !set["partition_order"].is_array() || set.value("malformed", false) ||
        set.value("deliberately_corrupt", false) ||
        set.value("incomplete", false)) {
      continue;
    }
    const std::string dir = CorpusDir() + "/" + set["path"].get<std::string>();
    SCOPED_TRACE(dir);
    std::vector<std::string> want;
    for (const auto& lit : set["partition_order"]) {
      want.push_back(ExpectedName(lit.get<std::string>()));
    }
    Result<std::vector<Descriptor>> listed = ListSSTables(dir);
    ASSERT_TRUE(listed.ok()) << listed.status().ToString();
    std::set<std::string> got;
    bool any = false;
    for (const Descriptor& d : *listed) {
      if (!d.IsReadable() || d.temporary) continue;
      SSTableKeys k;
      ASSERT_TRUE(NameKeys(d.ComponentPath("Data.db"), &k)) << k.path;
      any = true;
      // Each SSTable's keys come in the set's partition order.
      size_t pos = 0;
      for (const std::string& n : k.names) {
        while (pos < want.size() && want[pos] != n) ++pos;
        EXPECT_LT(pos, want.size())
            << k.path << ": " << n << " missing or out of order";
      }
      got.insert(k.names.begin(), k.names.end());
    }
    if (!any) continue;
    ++checked;
    if (set["partitions"].is_number() &&
        set["partitions"].get<size_t>() == want.size()) {
      EXPECT_EQ(got, std::set<std::string>(want.begin(), want.end()));
    }
  }
  EXPECT_GT(checked, 100);
}

}  // namespace
}  // namespace sstablefs::reader
