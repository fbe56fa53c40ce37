// Tests for reader/types.h: type parsing, fixed lengths, rendering,
// comparison and literal parsing.
#include "reader/types.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reader/byte_reader.h"
#include "tests/test_util.h"

namespace sstablefs::reader {
namespace {

constexpr const char* kPkg = "org.apache.cassandra.db.marshal.";

std::string M(const std::string& short_name) { return kPkg + short_name; }

CqlTypePtr Parse(const std::string& s) {
  auto r = ParseMarshalType(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().ToString();
  return r.ok() ? r.value() : nullptr;
}

TEST(ParseMarshalType, SimpleTypesAndFixedLengths) {
  struct Case {
    const char* name;
    TypeKind kind;
    int fixed;
    const char* cql;
  };
  // valueLengthIfFixed per Cassandra: smallint, tinyint, date, time, counter
  // are variable-length on disk.
  const Case cases[] = {
      {"AsciiType", TypeKind::kAscii, -1, "ascii"},
      {"LongType", TypeKind::kBigint, 8, "bigint"},
      {"BytesType", TypeKind::kBlob, -1, "blob"},
      {"BooleanType", TypeKind::kBoolean, 1, "boolean"},
      {"CounterColumnType", TypeKind::kCounter, -1, "counter"},
      {"SimpleDateType", TypeKind::kDate, -1, "date"},
      {"DecimalType", TypeKind::kDecimal, -1, "decimal"},
      {"DoubleType", TypeKind::kDouble, 8, "double"},
      {"DurationType", TypeKind::kDuration, -1, "duration"},
      {"FloatType", TypeKind::kFloat, 4, "float"},
      {"InetAddressType", TypeKind::kInet, -1, "inet"},
      {"Int32Type", TypeKind::kInt, 4, "int"},
      {"ShortType", TypeKind::kSmallint, -1, "smallint"},
      {"UTF8Type", TypeKind::kText, -1, "text"},
      {"TimeType", TypeKind::kTime, -1, "time"},
      {"TimestampType", TypeKind::kTimestamp, 8, "timestamp"},
      {"TimeUUIDType", TypeKind::kTimeuuid, 16, "timeuuid"},
      {"ByteType", TypeKind::kTinyint, -1, "tinyint"},
      {"UUIDType", TypeKind::kUuid, 16, "uuid"},
      {"IntegerType", TypeKind::kVarint, -1, "varint"},
      {"EmptyType", TypeKind::kEmpty, 0, nullptr},
      {"DateType", TypeKind::kTimestamp, 8, nullptr},
      {"LexicalUUIDType", TypeKind::kUuid, 16, nullptr},
  };
  for (const Case& c : cases) {
    for (const std::string& s : {M(c.name), std::string(c.name)}) {
      CqlTypePtr t = Parse(s);
      ASSERT_TRUE(t) << s;
      EXPECT_EQ(t->kind, c.kind) << s;
      EXPECT_EQ(t->FixedLength(), c.fixed) << s;
      EXPECT_FALSE(t->IsMultiCell()) << s;
      EXPECT_FALSE(t->IsCollection()) << s;
      EXPECT_FALSE(t->reversed) << s;
      if (c.cql) {
        EXPECT_EQ(t->CqlName(), c.cql) << s;
      }
    }
  }
}

TEST(ParseMarshalType, Collections) {
  CqlTypePtr t = Parse(M("MapType(") + M("Int32Type,") + M("UTF8Type)"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TypeKind::kMap);
  EXPECT_TRUE(t->IsMultiCell());
  EXPECT_TRUE(t->IsCollection());
  EXPECT_EQ(t->FixedLength(), -1);
  EXPECT_EQ(t->CqlName(), "map<int, text>");
  ASSERT_EQ(t->params.size(), 2u);
  EXPECT_EQ(t->params[0]->kind, TypeKind::kInt);

  t = Parse(M("FrozenType(") + M("SetType(") + M("Int32Type))"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TypeKind::kSet);
  EXPECT_TRUE(t->frozen);
  EXPECT_FALSE(t->IsMultiCell());
  EXPECT_TRUE(t->IsCollection());
  EXPECT_EQ(t->CqlName(), "frozen<set<int>>");

  // frozen<map<text, frozen<list<frozen<tuple<int, text>>>>>>: Cassandra
  // omits FrozenType inside an already frozen type.
  t = Parse(M("FrozenType(") + M("MapType(") + M("UTF8Type,") + M("ListType(") +
            M("TupleType(") + M("Int32Type,") + M("UTF8Type))))"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->CqlName(),
            "frozen<map<text, frozen<list<frozen<tuple<int, text>>>>>>");
  EXPECT_FALSE(t->params[1]->IsMultiCell());
  EXPECT_EQ(t->params[1]->params[0]->kind, TypeKind::kTuple);
  EXPECT_EQ(t->params[1]->params[0]->params.size(), 2u);

  // A non-frozen list of frozen lists.
  t = Parse(M("ListType(") + M("FrozenType(") + M("ListType(") +
            M("Int32Type)))"));
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->IsMultiCell());
  EXPECT_FALSE(t->params[0]->IsMultiCell());
  EXPECT_EQ(t->CqlName(), "list<frozen<list<int>>>");
}

TEST(ParseMarshalType, ReversedWhitespaceAndShortNames) {
  CqlTypePtr t = Parse(" ReversedType ( TimestampType ) ");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TypeKind::kTimestamp);
  EXPECT_TRUE(t->reversed);
  EXPECT_EQ(t->FixedLength(), 8);  // ReversedType delegates

  t = Parse(M("ReversedType(") + M("Int32Type)"));
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->reversed);
  EXPECT_EQ(t->FixedLength(), 4);

  t = Parse("MapType( UTF8Type , ListType(Int32Type) )");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->CqlName(), "map<text, frozen<list<int>>>");
}

TEST(ParseMarshalType, UserType) {
  // CREATE TYPE ks.address (street text, zip int, tags frozen<set<text>>),
  // as UserType.toString() writes it (names hex-encoded UTF-8).
  std::string s = M("UserType(ks,61646472657373,737472656574:") +
                  M("UTF8Type,7a6970:") + M("Int32Type,74616773:") +
                  M("SetType(") + M("UTF8Type))");
  CqlTypePtr t = Parse(s);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TypeKind::kUdt);
  EXPECT_EQ(t->udt_keyspace, "ks");
  EXPECT_EQ(t->udt_name, "address");
  ASSERT_EQ(t->field_names.size(), 3u);
  EXPECT_EQ(t->field_names[0], "street");
  EXPECT_EQ(t->field_names[1], "zip");
  EXPECT_EQ(t->field_names[2], "tags");
  ASSERT_EQ(t->params.size(), 3u);
  EXPECT_EQ(t->params[2]->kind, TypeKind::kSet);
  EXPECT_FALSE(t->params[2]->IsMultiCell());
  EXPECT_TRUE(t->IsMultiCell());  // non-frozen UDT (Cassandra 3.6+)
  EXPECT_FALSE(t->IsCollection());
  EXPECT_EQ(t->CqlName(), "address");

  t = Parse(M("FrozenType(") + s + ")");
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->IsMultiCell());
  EXPECT_EQ(t->CqlName(), "frozen<address>");

  // Bad hex is a syntax error.
  EXPECT_FALSE(ParseMarshalType("UserType(ks,6x,61:Int32Type)").ok());
}

TEST(ParseMarshalType, VectorType) {
  CqlTypePtr t = Parse(M("VectorType(") + M("FloatType,3)"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TypeKind::kVector);
  EXPECT_EQ(t->vector_dimension, 3);
  EXPECT_EQ(t->FixedLength(), 12);
  EXPECT_FALSE(t->IsMultiCell());
  EXPECT_EQ(t->CqlName(), "vector<float, 3>");
  t = Parse("VectorType(UTF8Type, 2)");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->FixedLength(), -1);
  EXPECT_FALSE(ParseMarshalType("VectorType(FloatType,0)").ok());
  EXPECT_FALSE(ParseMarshalType("VectorType(FloatType,x)").ok());
}

TEST(ParseMarshalType, CompositeAndCustom) {
  // From the corpus (a composite partition key of int, text, boolean).
  CqlTypePtr t = Parse(M("CompositeType(") + M("Int32Type,") + M("UTF8Type,") +
                       M("BooleanType)"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TypeKind::kComposite);
  ASSERT_EQ(t->params.size(), 3u);
  EXPECT_EQ(t->params[2]->kind, TypeKind::kBoolean);
  EXPECT_EQ(t->FixedLength(), -1);

  t = Parse(M("DynamicCompositeType(a=>") + M("BytesType,b=>") +
            M("ReversedType(") + M("Int32Type))"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TypeKind::kCustom);
  EXPECT_EQ(t->FixedLength(), -1);

  t = Parse("com.example.MyType");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TypeKind::kCustom);
  EXPECT_EQ(t->CqlName(), "'com.example.MyType'");
  // A known simple name with parameters is not the type we know.
  t = Parse("Int32Type(x)");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TypeKind::kCustom);
}

TEST(ParseMarshalType, RejectsBrokenStrings) {
  for (const char* s : {"", "   ", "ListType(", "ListType(Int32Type",
                        "MapType(Int32Type)", "ListType(Int32Type,UTF8Type)",
                        "Int32Type)", "Int32Type Int32Type", "(", "SetType()",
                        "FrozenType(ListType(Int32Type)", "Custom(((", "a:b"}) {
    EXPECT_FALSE(ParseMarshalType(s).ok()) << s;
  }
}

TEST(ParseMarshalType, DepthLimit) {
  auto nested = [](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += "ListType(";
    s += "Int32Type";
    for (int i = 0; i < n; ++i) s += ")";
    return s;
  };
  EXPECT_TRUE(ParseMarshalType(nested(kMaxTypeNestingDepth)).ok());
  auto r = ParseMarshalType(nested(kMaxTypeNestingDepth + 1));
  EXPECT_FALSE(r.ok());
  // Hostile: a million open parentheses must fail fast, not overflow.
  EXPECT_FALSE(ParseMarshalType(std::string(1000000, '(')).ok());
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "FrozenType(";
  EXPECT_FALSE(ParseMarshalType(deep).ok());
  // Custom types skip their parameters iteratively, any depth.
  EXPECT_TRUE(ParseMarshalType("X" + std::string(100000, '(') +
                               std::string(100000, ')'))
                  .ok());
}

// --- Value helpers -----------------------------------------------------------

// std::string -> ByteView overloads (std::string does not convert implicitly).
ByteView B(const std::string& s) { return ByteView(s.data(), s.size()); }
int CompareValues(const CqlType& t, const std::string& a,
                  const std::string& b) {
  return ::sstablefs::reader::CompareValues(t, B(a), B(b));
}
void AppendJson(const CqlType& t, const std::string& v, std::string* out) {
  ::sstablefs::reader::AppendJson(t, B(v), out);
}
void AppendCqlLiteral(const CqlType& t, const std::string& v, bool q,
                      std::string* out) {
  ::sstablefs::reader::AppendCqlLiteral(t, B(v), q, out);
}
void AppendDumpString(const CqlType& t, const std::string& v,
                      std::string* out) {
  ::sstablefs::reader::AppendDumpString(t, B(v), out);
}
int UdtFieldPosition(const std::string& p) {
  return ::sstablefs::reader::UdtFieldPosition(B(p));
}
Result<std::vector<ByteView>> SplitComposite(const std::string& v) {
  return ::sstablefs::reader::SplitComposite(B(v));
}

std::string BE(uint64_t v, int n) {
  std::string s;
  for (int i = n - 1; i >= 0; --i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}
std::string I32(int32_t v) { return BE(static_cast<uint32_t>(v), 4); }
std::string I64(int64_t v) { return BE(static_cast<uint64_t>(v), 8); }
std::string F32(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return BE(b, 4);
}
std::string F64(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return BE(b, 8);
}
std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(
        std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}
// Collection encoding (CollectionSerializer, protocol v3+).
std::string Coll(const std::vector<std::string>& elems, int count = -1) {
  std::string s = I32(count >= 0 ? count : static_cast<int>(elems.size()));
  for (const auto& e : elems) s += I32(static_cast<int>(e.size())) + e;
  return s;
}
std::string Field(const std::string& v) {
  return I32(static_cast<int>(v.size())) + v;
}
std::string NullField() { return I32(-1); }

std::string Json(const CqlType& t, const std::string& v) {
  std::string out;
  AppendJson(t, v, &out);
  return out;
}
std::string Lit(const CqlType& t, const std::string& v, bool quote = true) {
  std::string out;
  AppendCqlLiteral(t, v, quote, &out);
  return out;
}
std::string Dump(const CqlType& t, const std::string& v) {
  std::string out;
  AppendDumpString(t, v, &out);
  return out;
}
CqlTypePtr T(TypeKind k) { return SimpleType(k); }

// --- Rendering: values from scylla-3x write_different_types (expected.json)
TEST(Render, WriteDifferentTypesFacts) {
  EXPECT_EQ(Json(*T(TypeKind::kAscii), "hello"), "\"hello\"");
  EXPECT_EQ(Json(*T(TypeKind::kBigint), I64(INT64_MAX)), "9223372036854775807");
  EXPECT_EQ(Json(*T(TypeKind::kBlob), "great"), "\"0x6772656174\"");
  EXPECT_EQ(Json(*T(TypeKind::kBoolean), std::string(1, '\1')), "true");
  // date '2017-05-05': days since epoch 17291, stored + 2^31.
  EXPECT_EQ(Json(*T(TypeKind::kDate), BE((1ull << 31) + 17291, 4)),
            "\"2017-05-05\"");
  // decimal 5.45 = unscaled 545, scale 2.
  EXPECT_EQ(Json(*T(TypeKind::kDecimal), I32(2) + BE(545, 2)), "5.45");
  EXPECT_EQ(Json(*T(TypeKind::kDouble), F64(36.6)), "36.6");
  EXPECT_EQ(Json(*T(TypeKind::kFloat), F32(7.62f)), "7.62");
  EXPECT_EQ(Json(*T(TypeKind::kInet), Hex("c0a8006e")), "\"192.168.0.110\"");
  EXPECT_EQ(Json(*T(TypeKind::kInt), I32(INT32_MIN)), "-2147483648");
  EXPECT_EQ(Json(*T(TypeKind::kSmallint), BE(32767, 2)), "32767");
  EXPECT_EQ(Json(*T(TypeKind::kTime), I64(71105090000000)),
            "\"19:45:05.090000000\"");
  EXPECT_EQ(Json(*T(TypeKind::kTimestamp), I64(1430472654234)),
            "\"2015-05-01 09:30:54.234Z\"");
  EXPECT_EQ(
      Json(*T(TypeKind::kTimeuuid), Hex("50554d6e29bb11e5b345feff819cdc9f")),
      "\"50554d6e-29bb-11e5-b345-feff819cdc9f\"");
  EXPECT_EQ(Json(*T(TypeKind::kTinyint), BE(127, 1)), "127");
  EXPECT_EQ(Json(*T(TypeKind::kUuid), Hex("0123456701230123012301234567"
                                          "89ab")),
            "\"01234567-0123-0123-0123-0123456789ab\"");
  EXPECT_EQ(Json(*T(TypeKind::kText),
                 "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"),
            "\"\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\"");
  EXPECT_EQ(Json(*T(TypeKind::kVarint), BE(123, 1)), "123");
  // duration 1h4m48s20ms: months 0, days 0, nanos 3888020000000 (vints).
  std::string dur;
  AppendVInt(&dur, 0);
  AppendVInt(&dur, 0);
  AppendVInt(&dur, 3888020000000);
  EXPECT_EQ(Json(*T(TypeKind::kDuration), dur), "\"1h4m48s20ms\"");
  EXPECT_EQ(Lit(*T(TypeKind::kDuration), dur), "1h4m48s20ms");
}

TEST(Render, FloatingPoint) {
  auto f = T(TypeKind::kFloat);
  auto d = T(TypeKind::kDouble);
  EXPECT_EQ(Json(*d, F64(NAN)), "\"NaN\"");
  EXPECT_EQ(Json(*d, F64(INFINITY)), "\"Infinity\"");
  EXPECT_EQ(Json(*d, F64(-INFINITY)), "\"-Infinity\"");
  EXPECT_EQ(Json(*f, F32(NAN)), "\"NaN\"");
  EXPECT_EQ(Lit(*d, F64(NAN)), "NaN");
  EXPECT_EQ(Lit(*d, F64(-INFINITY)), "-Infinity");
  EXPECT_EQ(Json(*d, F64(-0.0)), "-0.0");
  EXPECT_EQ(Json(*d, F64(0.0)), "0.0");
  EXPECT_EQ(Json(*f, F32(-0.0f)), "-0.0");
  // Java Double.toString layout: plain in [1e-3, 1e7), else E-notation.
  EXPECT_EQ(Json(*d, F64(1.0)), "1.0");
  EXPECT_EQ(Json(*d, F64(100.0)), "100.0");
  EXPECT_EQ(Json(*d, F64(1e10)), "1.0E10");
  EXPECT_EQ(Json(*d, F64(9999999.0)), "9999999.0");
  EXPECT_EQ(Json(*d, F64(10000000.0)), "1.0E7");
  EXPECT_EQ(Json(*d, F64(0.001)), "0.001");
  EXPECT_EQ(Json(*d, F64(0.0001)), "1.0E-4");
  EXPECT_EQ(Json(*d, F64(-1.25e-5)), "-1.25E-5");
  EXPECT_EQ(Json(*d, F64(0.11)), "0.11");
  EXPECT_EQ(Json(*d, F64(123456.789)), "123456.789");
  EXPECT_EQ(Json(*f, F32(0.1f)), "0.1");  // float digits, not 0.100000001
  EXPECT_EQ(Json(*f, F32(3.4028235e38f)), "3.4028235E38");
  EXPECT_EQ(Json(*d, F64(4.9e-324)), "4.9E-324");
  // Wrong length: blob fallback.
  EXPECT_EQ(Json(*d, "abc"), "\"0x616263\"");
}

TEST(Render, VarintAndDecimal) {
  auto vi = T(TypeKind::kVarint);
  EXPECT_EQ(Json(*vi, BE(0, 1)), "0");
  EXPECT_EQ(Json(*vi, Hex("ff")), "-1");
  EXPECT_EQ(Json(*vi, Hex("80")), "-128");
  EXPECT_EQ(Json(*vi, Hex("0080")), "128");
  // 2^64 = 0x01 followed by 8 zero bytes; -(2^64) = 0xff00..00.
  EXPECT_EQ(Json(*vi, Hex("010000000000000000")), "18446744073709551616");
  EXPECT_EQ(Json(*vi, Hex("ff0000000000000000")), "-18446744073709551616");
  // 10^30 = 0x0c9f2c9cd04674edea40000000
  EXPECT_EQ(Json(*vi, Hex("0c9f2c9cd04674edea40000000")),
            "1000000000000000000000000000000");
  auto dec = T(TypeKind::kDecimal);
  // BigDecimal.toString for JSON/literal, toPlainString for the dump string.
  EXPECT_EQ(Json(*dec, I32(0) + BE(0, 1)), "0");
  EXPECT_EQ(Json(*dec, I32(-3) + BE(1, 1)), "1E+3");
  EXPECT_EQ(Dump(*dec, I32(-3) + BE(1, 1)), "1000");
  EXPECT_EQ(Json(*dec, I32(-2) + BE(123, 1)), "1.23E+4");
  EXPECT_EQ(Json(*dec, I32(3) + BE(1, 1)), "0.001");
  EXPECT_EQ(Json(*dec, I32(10) + BE(1, 1)), "1E-10");
  EXPECT_EQ(Dump(*dec, I32(10) + BE(1, 1)), "0.0000000001");
  EXPECT_EQ(Json(*dec, I32(9) + Hex("fb")), "-5E-9");
  EXPECT_EQ(Json(*dec, I32(2) + Hex("fddf")), "-5.45");
  EXPECT_EQ(Json(*dec, I32(7) + BE(12345, 2)), "0.0012345");
  EXPECT_EQ(Json(*dec, I32(20) + Hex("010000000000000000")),
            "0.18446744073709551616");
  // Hostile scale: no gigabytes of zeros.
  std::string plain = Dump(*dec, I32(INT32_MIN) + BE(1, 1));
  EXPECT_LT(plain.size(), 40u);
  EXPECT_EQ(plain, "1E+2147483648");
  // Too short: blob.
  EXPECT_EQ(Json(*dec, I32(1)), "\"0x00000001\"");
}

TEST(Render, TextEscapesAndNonUtf8) {
  auto text = T(TypeKind::kText);
  EXPECT_EQ(Json(*text, "a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  // Invalid UTF-8 bytes are written as \u00XX of the byte, never dropped.
  EXPECT_EQ(Json(*text, "ok\xff\xc3("), "\"ok\\u00ff\\u00c3(\"");
  // Overlong encoding of '/' and a surrogate are invalid too.
  EXPECT_EQ(Json(*text, "\xc0\xaf"), "\"\\u00c0\\u00af\"");
  EXPECT_EQ(Json(*text, "\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\"");
  EXPECT_EQ(Json(*text, "\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");
  // Literal and dump text keep the bytes (callers escape for their medium).
  EXPECT_EQ(Lit(*text, "it's", true), "'it''s'");
  EXPECT_EQ(Lit(*text, "it's", false), "it's");
  EXPECT_EQ(Dump(*text, "x\xff"), "x\xff");
  EXPECT_EQ(Json(*text, ""), "\"\"");
}

TEST(Render, EmptyValuesAreNull) {
  for (TypeKind k : {TypeKind::kInt, TypeKind::kBigint, TypeKind::kBoolean,
                     TypeKind::kDouble, TypeKind::kTimestamp, TypeKind::kUuid,
                     TypeKind::kDecimal, TypeKind::kVarint, TypeKind::kDate,
                     TypeKind::kInet, TypeKind::kEmpty}) {
    EXPECT_EQ(Json(*T(k), ""), "null") << static_cast<int>(k);
    EXPECT_EQ(Lit(*T(k), "", false), "") << static_cast<int>(k);
    EXPECT_EQ(Dump(*T(k), ""), "") << static_cast<int>(k);
  }
  EXPECT_EQ(Json(*T(TypeKind::kBlob), ""), "\"0x\"");
  auto list = Parse("ListType(Int32Type)");
  EXPECT_EQ(Json(*list, Coll({I32(1), ""})), "[1, null]");
  EXPECT_EQ(Lit(*list, Coll({I32(1), ""})), "[1, null]");
}

TEST(Render, ScalarForms) {
  auto ts = T(TypeKind::kTimestamp);
  EXPECT_EQ(Lit(*ts, I64(1430472654234), false),
            "2015-05-01 09:30:54.234000+0000");
  EXPECT_EQ(Lit(*ts, I64(1430472654234), true),
            "'2015-05-01 09:30:54.234000+0000'");
  EXPECT_EQ(Dump(*ts, I64(1430472654234)), "2015-05-01 09:30:54.234Z");
  EXPECT_EQ(Json(*ts, I64(-1)), "\"1969-12-31 23:59:59.999Z\"");
  EXPECT_EQ(Json(*ts, I64(0)), "\"1970-01-01 00:00:00.000Z\"");
  auto date = T(TypeKind::kDate);
  EXPECT_EQ(Json(*date, BE(1ull << 31, 4)), "\"1970-01-01\"");
  EXPECT_EQ(Json(*date, BE((1ull << 31) - 1, 4)), "\"1969-12-31\"");
  // Extremes of the unsigned day range (java.time year formatting).
  EXPECT_EQ(Json(*date, BE(0, 4)), "\"-5877641-06-23\"");
  EXPECT_EQ(Json(*date, BE(0xffffffffu, 4)), "\"+5881580-07-11\"");
  EXPECT_EQ(Lit(*date, BE(1ull << 31, 4), false), "1970-01-01");
  auto time = T(TypeKind::kTime);
  EXPECT_EQ(Json(*time, I64(0)), "\"00:00:00.000000000\"");
  EXPECT_EQ(Json(*time, I64(86399999999999)), "\"23:59:59.999999999\"");
  EXPECT_EQ(Json(*time, I64(86400000000000)), "\"0x00004e94914f0000\"");
  auto inet = T(TypeKind::kInet);
  EXPECT_EQ(Json(*inet, Hex("00000000000000000000000000000001")), "\"::1\"");
  EXPECT_EQ(Json(*inet, Hex("20010db8000000000000000000000001")),
            "\"2001:db8::1\"");
  EXPECT_EQ(Json(*inet, Hex("00000000000000000000ffff0a000001")),
            "\"10.0.0.1\"");
  EXPECT_EQ(Lit(*inet, Hex("0a000001"), false), "10.0.0.1");
  EXPECT_EQ(Json(*inet, Hex("0a0000")), "\"0x0a0000\"");
  auto blob = T(TypeKind::kBlob);
  EXPECT_EQ(Lit(*blob, "\x01\xab", true), "0x01ab");
  EXPECT_EQ(Dump(*blob, "\x01\xab"), "01ab");
  auto b = T(TypeKind::kBoolean);
  EXPECT_EQ(Lit(*b, std::string(1, '\0'), false), "false");
  auto uuid = T(TypeKind::kUuid);
  EXPECT_EQ(Lit(*uuid,
                Hex("0123456701230123012301234567"
                    "89ab"),
                true),
            "01234567-0123-0123-0123-0123456789ab");
  auto counter = T(TypeKind::kCounter);
  EXPECT_EQ(Json(*counter, I64(10)), "10");
  // Durations (Duration.toString).
  auto dur = T(TypeKind::kDuration);
  auto enc = [](int64_t m, int64_t d, int64_t n) {
    std::string s;
    AppendVInt(&s, m);
    AppendVInt(&s, d);
    AppendVInt(&s, n);
    return s;
  };
  EXPECT_EQ(Json(*dur, enc(14, 2, 3 * 3600000000000ll)), "\"1y2mo2d3h\"");
  EXPECT_EQ(Json(*dur, enc(0, 0, -3600000000000ll)), "\"-1h\"");
  EXPECT_EQ(Json(*dur, enc(-1, -2, 0)), "\"-1mo2d\"");
  EXPECT_EQ(Json(*dur, enc(0, 0, 1001001)), "\"1ms1us1ns\"");
  EXPECT_EQ(Json(*dur, enc(0, 0, 0)), "\"\"");
}

TEST(Render, NestedFrozenCollections) {
  // frozen<map<text, frozen<list<frozen<tuple<int, text>>>>>>
  auto t = Parse(
      "FrozenType(MapType(UTF8Type,ListType(TupleType(Int32Type,"
      "UTF8Type))))");
  ASSERT_TRUE(t);
  std::string tup1 = Field(I32(1)) + Field("a'b");
  std::string tup2 = Field(I32(2)) + NullField();
  std::string list = Coll({tup1, tup2});
  std::string map = Coll({"k1", list, "k2", Coll({})}, 2);
  EXPECT_EQ(Json(*t, map), "{\"k1\": [[1, \"a'b\"], [2, null]], \"k2\": []}");
  EXPECT_EQ(Lit(*t, map), "{'k1': [(1, 'a''b'), (2, null)], 'k2': []}");
  EXPECT_EQ(Dump(*t, map), Json(*t, map));
  // Non-text map keys become JSON strings of their JSON text.
  auto m2 = Parse("FrozenType(MapType(Int32Type,BooleanType))");
  EXPECT_EQ(Json(*m2, Coll({I32(1), "\1", I32(-2), std::string(1, '\0')}, 2)),
            "{\"1\": true, \"-2\": false}");
  auto m3 = Parse("FrozenType(MapType(ListType(UTF8Type),Int32Type))");
  EXPECT_EQ(Json(*m3, Coll({Coll({"x"}), I32(3)}, 1)), "{\"[\\\"x\\\"]\": 3}");
  // set literal uses braces, JSON an array.
  auto set = Parse("FrozenType(SetType(UTF8Type))");
  EXPECT_EQ(Json(*set, Coll({"a", "b"})), "[\"a\", \"b\"]");
  EXPECT_EQ(Lit(*set, Coll({"a", "b"})), "{'a', 'b'}");
  // Truncated or trailing bytes: blob, never a crash.
  EXPECT_EQ(Json(*set, Coll({"a"}, 2)).substr(0, 3), "\"0x");
  EXPECT_EQ(Json(*set, Coll({"a"}) + "x").substr(0, 3), "\"0x");
  EXPECT_EQ(Json(*set, I32(-1)).substr(0, 3), "\"0x");
}

TEST(Render, TupleMissingTrailingFields) {
  auto t = Parse("TupleType(Int32Type,UTF8Type,BooleanType)");
  EXPECT_EQ(Json(*t, Field(I32(7))), "[7, null, null]");
  EXPECT_EQ(Lit(*t, Field(I32(7))), "(7, null, null)");
}

CqlTypePtr AddressType(bool frozen) {
  std::string s =
      "UserType(ks,61646472657373,737472656574:UTF8Type,7a6970:Int32Type,"
      "4e616d65:UTF8Type)";  // fields street, zip, Name
  return Parse(frozen ? "FrozenType(" + s + ")" : s);
}

TEST(Render, Udt) {
  auto t = AddressType(true);
  ASSERT_TRUE(t);
  std::string v = Field("Main St") + Field(I32(12345)) + NullField();
  // UserType.toJSONString: names with upper case are double-quoted.
  EXPECT_EQ(
      Json(*t, v),
      "{\"street\": \"Main St\", \"zip\": 12345, \"\\\"Name\\\"\": null}");
  EXPECT_EQ(Lit(*t, v), "{street: 'Main St', zip: 12345, \"Name\": null}");
  EXPECT_EQ(Json(*t, Field("x")),
            "{\"street\": \"x\", \"zip\": null, \"\\\"Name\\\"\": null}");
}

TEST(Render, MultiCell) {
  auto list = Parse("ListType(Int32Type)");
  std::string p1 = Hex("50554d6e29bb11e5b345feff819cdc9f");
  std::string v1 = I32(5), v2 = I32(6);
  std::vector<MultiCellEntry> cells = {{ByteView(p1), ByteView(v1)},
                                       {ByteView(p1), ByteView(v2)}};
  std::string out;
  AppendMultiCellJson(*list, cells, &out);
  EXPECT_EQ(out, "[5, 6]");
  out.clear();
  AppendMultiCellCqlLiteral(*list, cells, false, &out);
  EXPECT_EQ(out, "[5, 6]");

  auto set = Parse("SetType(Int32Type)");  // scylla write_collection_*: {2, 3}
  std::string k2 = I32(2), k3 = I32(3);
  cells = {{ByteView(k2), ByteView()}, {ByteView(k3), ByteView()}};
  out.clear();
  AppendMultiCellJson(*set, cells, &out);
  EXPECT_EQ(out, "[2, 3]");
  out.clear();
  AppendMultiCellCqlLiteral(*set, cells, true, &out);
  EXPECT_EQ(out, "{2, 3}");

  auto map = Parse("MapType(Int32Type,UTF8Type)");
  std::string a = "a", bb = "b";
  cells = {{ByteView(k2), ByteView(a)}, {ByteView(k3), ByteView(bb)}};
  out.clear();
  AppendMultiCellJson(*map, cells, &out);
  EXPECT_EQ(out, "{\"2\": \"a\", \"3\": \"b\"}");
  out.clear();
  AppendMultiCellCqlLiteral(*map, cells, true, &out);
  EXPECT_EQ(out, "{2: 'a', 3: 'b'}");

  auto udt = AddressType(false);
  ASSERT_TRUE(udt->IsMultiCell());
  std::string f0 = BE(0, 2), f2 = BE(2, 2), street = "Elm", name = "N";
  cells = {{ByteView(f0), ByteView(street)}, {ByteView(f2), ByteView(name)}};
  out.clear();
  AppendMultiCellJson(*udt, cells, &out);
  EXPECT_EQ(out,
            "{\"street\": \"Elm\", \"zip\": null, \"\\\"Name\\\"\": \"N\"}");
  EXPECT_EQ(UdtFieldPosition(f2), 2);
  EXPECT_EQ(UdtFieldType(*udt, 1)->kind, TypeKind::kInt);
  EXPECT_EQ(UdtFieldType(*udt, 3), nullptr);
  EXPECT_EQ(CellPathType(*list)->kind, TypeKind::kTimeuuid);
  EXPECT_EQ(CellPathType(*map)->kind, TypeKind::kInt);
  EXPECT_EQ(CellValueType(*map)->kind, TypeKind::kText);
  EXPECT_EQ(CellValueType(*set)->kind, TypeKind::kEmpty);
  EXPECT_EQ(CellPathType(*AddressType(true)), nullptr);

  out.clear();
  AppendMultiCellJson(*list, {}, &out);
  EXPECT_EQ(out, "null");
}

TEST(Render, VectorAndComposite) {
  auto v = Parse("VectorType(FloatType,3)");
  EXPECT_EQ(Json(*v, F32(1.0f) + F32(2.5f) + F32(-0.0f)), "[1.0, 2.5, -0.0]");
  EXPECT_EQ(Json(*v, F32(1.0f)), "\"0x3f800000\"");  // wrong size
  auto vt = Parse("VectorType(UTF8Type,2)");
  EXPECT_EQ(Json(*vt,
                 "\x01"
                 "a"
                 "\x02"
                 "bc"),
            "[\"a\", \"bc\"]");
  auto c = Parse("CompositeType(Int32Type,UTF8Type,BooleanType)");
  std::string comp = BE(4, 2) + I32(1) + '\0' + BE(3, 2) + "a:b" + '\0' +
                     BE(1, 2) + '\1' + '\0';
  EXPECT_EQ(Dump(*c, comp), "1:a\\:b:true");
  EXPECT_EQ(Lit(*c, comp, false), "1:a\\:b:true");
  EXPECT_EQ(Json(*c, comp), "[1, \"a:b\", true]");
  auto parts = SplitComposite(comp);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[1].ToString(), "a:b");
  EXPECT_FALSE(SplitComposite(BE(5, 2) + "ab").ok());
  auto lit = ParseLiteral(*c, "1:a\\:b:true");
  ASSERT_TRUE(lit.ok()) << lit.status().ToString();
  EXPECT_EQ(*lit, comp);
  EXPECT_FALSE(ParseLiteral(*c, "1:a").ok());
  auto custom = Parse("com.example.Foo");
  EXPECT_EQ(Json(*custom, "\x01"), "\"0x01\"");
}

// --- Comparison -----------------------------------------------------------

template <typename F>
void ExpectAscending(const CqlType& t, const std::vector<std::string>& vals,
                     F describe) {
  for (size_t i = 0; i < vals.size(); ++i) {
    EXPECT_EQ(CompareValues(t, vals[i], vals[i]), 0) << describe(i);
    for (size_t j = i + 1; j < vals.size(); ++j) {
      EXPECT_LT(CompareValues(t, vals[i], vals[j]), 0)
          << describe(i) << " < " << describe(j);
      EXPECT_GT(CompareValues(t, vals[j], vals[i]), 0)
          << describe(j) << " > " << describe(i);
    }
  }
}

void ExpectAscending(const CqlType& t, const std::vector<std::string>& vals) {
  ExpectAscending(t, vals, [&](size_t i) { return Json(t, vals[i]); });
}

TEST(Compare, Numbers) {
  ExpectAscending(*T(TypeKind::kInt), {"", I32(INT32_MIN), I32(-1), I32(0),
                                       I32(1), I32(INT32_MAX)});
  ExpectAscending(*T(TypeKind::kBigint), {I64(INT64_MIN), I64(-5), I64(7)});
  ExpectAscending(*T(TypeKind::kTimestamp), {I64(-1000), I64(0), I64(1000)});
  ExpectAscending(*T(TypeKind::kTinyint), {BE(0x80, 1), BE(0xff, 1), BE(1, 1)});
  ExpectAscending(*T(TypeKind::kSmallint),
                  {BE(0x8000, 2), BE(0xffff, 2), BE(0x7fff, 2)});
  ExpectAscending(*T(TypeKind::kDouble),
                  {F64(-INFINITY), F64(-1.5), F64(-0.0), F64(0.0), F64(1e-300),
                   F64(INFINITY), F64(NAN)});
  ExpectAscending(*T(TypeKind::kFloat),
                  {F32(-1.0f), F32(-0.0f), F32(0.0f), F32(2.0f), F32(NAN)});
  ExpectAscending(
      *T(TypeKind::kVarint),
      {Hex("ff0000000000000000"), Hex("80"), Hex("ff"), Hex("00"), Hex("01"),
       Hex("7f"), Hex("0080"), Hex("010000000000000000")});
  EXPECT_EQ(CompareValues(*T(TypeKind::kVarint), Hex("0001"), Hex("01")), 0);
  auto dec = T(TypeKind::kDecimal);
  ExpectAscending(*dec,
                  {I32(0) + Hex("9c"), I32(1) + Hex("f6"), I32(0) + Hex("00"),
                   I32(3) + Hex("01"), I32(2) + BE(545, 2), I32(-3) + Hex("01"),
                   I32(0) + Hex("010000000000000000")});
  // 1.0 == 1.00 == 1 numerically.
  EXPECT_EQ(CompareValues(*dec, I32(1) + Hex("0a"), I32(2) + Hex("64")), 0);
  EXPECT_EQ(CompareValues(*dec, I32(0) + Hex("01"), I32(2) + Hex("64")), 0);
  ExpectAscending(*T(TypeKind::kBoolean), {std::string(1, '\0'), "\1"});
  EXPECT_EQ(CompareValues(*T(TypeKind::kBoolean), "\1", "\2"), 0);
}

TEST(Compare, BytesDatesAndUuids) {
  ExpectAscending(*T(TypeKind::kText), {"", "A", "a", "ab", "b", "\xc3\xa9"});
  ExpectAscending(*T(TypeKind::kDate),
                  {BE(0, 4), BE((1ull << 31) - 1, 4), BE(1ull << 31, 4)});
  // TimeUUIDType: by timestamp first (time_hi, time_mid, time_low), then
  // the clock/node bytes as signed bytes.
  std::string early = Hex("ffffffff000011e58000000000000000");  // low bits big
  std::string later = Hex("00000000000111e58000000000000000");  // mid bigger
  // Signed bytes: 0x80 (-128) sorts before 0x7f (127).
  std::string later_7f = Hex("00000000000111e57f00000000000000");
  ExpectAscending(*T(TypeKind::kTimeuuid), {early, later, later_7f});
  // UUIDType: version first, v1 by timestamp, others by unsigned bytes.
  std::string v4a = Hex("00000000000040008000000000000000");
  std::string v4b = Hex("ff000000000040008000000000000000");
  ExpectAscending(*T(TypeKind::kUuid), {early, later, v4a, v4b});
}

TEST(Compare, CollectionsTuplesComposites) {
  auto list = Parse("FrozenType(ListType(Int32Type))");
  ExpectAscending(*list, {Coll({}), Coll({I32(-1)}), Coll({I32(-1), I32(0)}),
                          Coll({I32(1)})});
  auto tup = Parse("TupleType(Int32Type,UTF8Type)");
  ExpectAscending(*tup, {NullField() + Field("z"), Field(I32(1)),
                         Field(I32(1)) + Field("a"), Field(I32(2))});
  EXPECT_EQ(CompareValues(*tup, Field(I32(1)), Field(I32(1)) + NullField()), 0);
  auto c = Parse("CompositeType(Int32Type,UTF8Type)");
  auto comp = [](int32_t i, std::string s) {
    return BE(4, 2) + I32(i) + '\0' + BE(s.size(), 2) + s + '\0';
  };
  ExpectAscending(*c, {comp(-1, "z"), comp(1, "a"), comp(1, "b"), comp(2, "")});
  auto v = Parse("VectorType(Int32Type,2)");
  ExpectAscending(*v, {I32(-1) + I32(5), I32(0) + I32(0), I32(0) + I32(1)});
}

// --- Literal parsing --------------------------------------------------------

void ExpectRoundTrip(const CqlType& t, const std::string& text,
                     const std::string& bytes, bool dump_reversible = true) {
  auto r = ParseLiteral(t, text);
  ASSERT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  EXPECT_EQ(*r, bytes) << text;
  // Our own unquoted literal and dump forms parse back to the same bytes.
  std::string lit = Lit(t, bytes, false);
  auto r2 = ParseLiteral(t, lit);
  ASSERT_TRUE(r2.ok()) << lit << ": " << r2.status().ToString();
  EXPECT_EQ(*r2, bytes) << lit;
  if (!dump_reversible) return;
  std::string dump = Dump(t, bytes);
  auto r3 = ParseLiteral(t, dump);
  ASSERT_TRUE(r3.ok()) << dump << ": " << r3.status().ToString();
  EXPECT_EQ(*r3, bytes) << dump;
}

TEST(ParseLiteral, RoundTrips) {
  ExpectRoundTrip(*T(TypeKind::kText), "variable length text 1",
                  "variable length text 1");
  ExpectRoundTrip(*T(TypeKind::kInt), "-2147483648", I32(INT32_MIN));
  ExpectRoundTrip(*T(TypeKind::kBigint), "9223372036854775807", I64(INT64_MAX));
  ExpectRoundTrip(*T(TypeKind::kSmallint), "32767", BE(32767, 2));
  ExpectRoundTrip(*T(TypeKind::kTinyint), "-128", BE(0x80, 1));
  ExpectRoundTrip(*T(TypeKind::kBoolean), "true", "\1");
  ExpectRoundTrip(*T(TypeKind::kVarint), "18446744073709551616",
                  Hex("010000000000000000"));
  ExpectRoundTrip(*T(TypeKind::kVarint), "-128", Hex("80"));
  ExpectRoundTrip(*T(TypeKind::kVarint), "128", Hex("0080"));
  ExpectRoundTrip(*T(TypeKind::kVarint), "-129", Hex("ff7f"));
  ExpectRoundTrip(*T(TypeKind::kDecimal), "5.45", I32(2) + BE(545, 2));
  ExpectRoundTrip(*T(TypeKind::kDecimal), "-0.001", I32(3) + Hex("ff"));
  // The dump string is toPlainString ("1000"), which loses the negative
  // scale, as Cassandra's getString does; the literal keeps it.
  ExpectRoundTrip(*T(TypeKind::kDecimal), "1E+3", I32(-3) + Hex("01"),
                  /*dump_reversible=*/false);
  ExpectRoundTrip(*T(TypeKind::kDouble), "0.11", F64(0.11));
  ExpectRoundTrip(*T(TypeKind::kDouble), "1.0E10", F64(1e10));
  ExpectRoundTrip(*T(TypeKind::kDouble), "-Infinity", F64(-INFINITY));
  ExpectRoundTrip(*T(TypeKind::kFloat), "7.62", F32(7.62f));
  ExpectRoundTrip(*T(TypeKind::kFloat), "-0.0", F32(-0.0f));
  ExpectRoundTrip(*T(TypeKind::kUuid), "01234567-0123-0123-0123-0123456789ab",
                  Hex("0123456701230123012301234567"
                      "89ab"));
  ExpectRoundTrip(*T(TypeKind::kTimeuuid),
                  "50554d6e-29bb-11e5-b345-feff819cdc9f",
                  Hex("50554d6e29bb11e5b345feff819cdc9f"));
  ExpectRoundTrip(*T(TypeKind::kBlob), "0x6772656174", "great");
  ExpectRoundTrip(*T(TypeKind::kInet), "192.168.0.110", Hex("c0a8006e"));
  ExpectRoundTrip(*T(TypeKind::kInet), "::1",
                  Hex("00000000000000000000000000000001"));
  ExpectRoundTrip(*T(TypeKind::kTimestamp), "2015-05-01 09:30:54.234+0000",
                  I64(1430472654234));
  ExpectRoundTrip(*T(TypeKind::kDate), "2017-05-05",
                  BE((1ull << 31) + 17291, 4));
  ExpectRoundTrip(*T(TypeKind::kTime), "19:45:05.090", I64(71105090000000));
  std::string dur;
  AppendVInt(&dur, 0);
  AppendVInt(&dur, 0);
  AppendVInt(&dur, 3888020000000);
  ExpectRoundTrip(*T(TypeKind::kDuration), "1h4m48s20ms", dur);
}

TEST(ParseLiteral, TimestampForms) {
  auto ts = T(TypeKind::kTimestamp);
  for (const char* s : {"2015-05-01T09:30:54.234Z", "2015-05-01 09:30:54.234Z",
                        "2015-05-01 09:30:54.234000+0000",
                        "2015-05-01T11:30:54.234+02:00", "1430472654234"}) {
    auto r = ParseLiteral(*ts, s);
    ASSERT_TRUE(r.ok()) << s << ": " << r.status().ToString();
    EXPECT_EQ(*r, I64(1430472654234)) << s;
  }
  auto r = ParseLiteral(*ts, "2015-05-01");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, I64(1430438400000));
  r = ParseLiteral(*ts, "-1000");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, I64(-1000));
  for (const char* s : {"2015-13-01", "2015-02-30", "yesterday",
                        "2015-05-01 25:00:00", "2015-05-01 09:30:54+9"}) {
    EXPECT_FALSE(ParseLiteral(*ts, s).ok()) << s;
  }
}

TEST(ParseLiteral, Rejects) {
  EXPECT_FALSE(ParseLiteral(*T(TypeKind::kInt), "2147483648").ok());
  EXPECT_FALSE(ParseLiteral(*T(TypeKind::kInt), "12a").ok());
  EXPECT_FALSE(ParseLiteral(*T(TypeKind::kTinyint), "128").ok());
  EXPECT_FALSE(ParseLiteral(*T(TypeKind::kBoolean), "yes").ok());
  EXPECT_FALSE(ParseLiteral(*T(TypeKind::kBlob), "0x123").ok());
  EXPECT_FALSE(ParseLiteral(*T(TypeKind::kUuid), "0123456701230123").ok());
  EXPECT_FALSE(ParseLiteral(*T(TypeKind::kTimeuuid),
                            "01234567-0123-0123-0123-0123456789ab")
                   .ok());  // version 0, not a time uuid
  EXPECT_FALSE(ParseLiteral(*T(TypeKind::kInet), "1.2.3").ok());
  EXPECT_FALSE(ParseLiteral(*T(TypeKind::kDouble), "1.0.0").ok());
  EXPECT_FALSE(ParseLiteral(*T(TypeKind::kDecimal), "1e").ok());
  EXPECT_FALSE(ParseLiteral(*T(TypeKind::kDuration), "1x").ok());
  EXPECT_FALSE(ParseLiteral(*Parse("ListType(Int32Type)"), "[1]").ok());
  // Empty text is the empty value (AbstractType.fromString).
  auto r = ParseLiteral(*T(TypeKind::kInt), "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "");
}

TEST(ParseLiteral, FuzzedInputNeverCrashes) {
  const char* types[] = {"Int32Type",
                         "DecimalType",
                         "IntegerType",
                         "TimestampType",
                         "SimpleDateType",
                         "TimeType",
                         "DurationType",
                         "InetAddressType",
                         "UUIDType",
                         "DoubleType",
                         "FloatType",
                         "CompositeType(Int32Type,UTF8Type)",
                         "TupleType(Int32Type,UTF8Type)"};
  uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1103515245 + 12345;
    return (seed >> 16) & 0x7fff;
  };
  const std::string alphabet = "0123456789-+:.eETZ x\\@abcdef";
  for (const char* tn : types) {
    auto t = Parse(tn);
    for (int i = 0; i < 2000; ++i) {
      std::string s;
      int n = next() % 24;
      for (int k = 0; k < n; ++k)
        s.push_back(alphabet[next() % alphabet.size()]);
      auto r = ParseLiteral(*t, s);
      if (r.ok()) {
        // Whatever parsed must render without crashing.
        std::string out;
        AppendJson(*t, *r, &out);
        AppendCqlLiteral(*t, *r, false, &out);
        EXPECT_FALSE(out.empty()) << tn << " " << s;
      }
    }
  }
}

TEST(Render, FuzzedBytesNeverCrash) {
  const char* types[] = {
      "FrozenType(MapType(UTF8Type,ListType(TupleType(Int32Type,UTF8Type))))",
      "UserType(ks,61,62:Int32Type,63:SetType(DecimalType))",
      "VectorType(UTF8Type,3)",
      "CompositeType(IntegerType,UTF8Type)",
      "DurationType",
      "DecimalType",
      "InetAddressType",
      "TimeType"};
  uint32_t seed = 7;
  auto next = [&seed] {
    seed = seed * 1103515245 + 12345;
    return (seed >> 16) & 0xff;
  };
  for (const char* tn : types) {
    auto t = Parse(tn);
    for (int i = 0; i < 3000; ++i) {
      std::string v;
      int n = next() % 40;
      for (int k = 0; k < n; ++k) {
        // Bias towards small lengths so structures partly parse.
        v.push_back(static_cast<char>(next() < 160 ? next() % 8 : next()));
      }
      std::string out;
      AppendJson(*t, v, &out);
      AppendCqlLiteral(*t, v, true, &out);
      AppendDumpString(*t, v, &out);
      CompareValues(*t, v, v.substr(0, v.size() / 2));
      EXPECT_EQ(CompareValues(*t, v, v), 0) << tn << " " << B(v).ToHex();
    }
  }
}

// Every serialization-header type string in the corpus parses.
TEST(Corpus, HeaderTypeStringsParse) {
  SSTFS_REQUIRE_CORPUS();
  // Type strings seen in the corpus Statistics.db files (strings(1) output).
  const char* seen[] = {
      "org.apache.cassandra.db.marshal.CompositeType(org.apache.cassandra.db."
      "marshal.Int32Type,org.apache.cassandra.db.marshal.UTF8Type,org.apache."
      "cassandra.db.marshal.BooleanType)",
      "org.apache.cassandra.db.marshal.MapType(org.apache.cassandra.db.marshal."
      "Int32Type,org.apache.cassandra.db.marshal.LongType)",
      "org.apache.cassandra.db.marshal.ListType(org.apache.cassandra.db."
      "marshal.UTF8Type)",
      "org.apache.cassandra.db.marshal.SetType(org.apache.cassandra.db.marshal."
      "Int32Type)",
  };
  for (const char* s : seen) {
    auto t = Parse(s);
    ASSERT_TRUE(t) << s;
    EXPECT_NE(t->kind, TypeKind::kCustom) << s;
  }
  // And the strings really are in the corpus (so this list stays honest).
  auto stats = sstablefs::testing::ReadFileToString(
      sstablefs::testing::CorpusDir() +
      "/scylla-3x/uncompressed/write_different_types/mc-1-big-Statistics.db");
  ASSERT_TRUE(stats.has_value());
  for (const char* name : {"DurationType", "DecimalType", "SimpleDateType",
                           "TimeType", "ShortType", "ByteType"}) {
    EXPECT_NE(stats->find(std::string(kPkg) + name), std::string::npos) << name;
    EXPECT_NE(Parse(std::string(kPkg) + name)->kind, TypeKind::kCustom);
  }
}

// Values stated in expected.json, encoded with ParseLiteral, must occur byte
// for byte in the (uncompressed) Data.db written by Cassandra/Scylla, and
// AppendJson must render them as the JSON expected.json states.
TEST(Corpus, ExpectedScalarValuesMatchDataFiles) {
  SSTFS_REQUIRE_CORPUS();
  auto manifest = sstablefs::testing::ReadFileToString(
      sstablefs::testing::CorpusDir() + "/expected.json");
  ASSERT_TRUE(manifest.has_value());
  nlohmann::json sets = nlohmann::json::parse(*manifest);
  const std::pair<const char*, TypeKind> kCqlNames[] = {
      {"ascii", TypeKind::kAscii},         {"bigint", TypeKind::kBigint},
      {"blob", TypeKind::kBlob},           {"boolean", TypeKind::kBoolean},
      {"date", TypeKind::kDate},           {"decimal", TypeKind::kDecimal},
      {"double", TypeKind::kDouble},       {"float", TypeKind::kFloat},
      {"inet", TypeKind::kInet},           {"int", TypeKind::kInt},
      {"smallint", TypeKind::kSmallint},   {"time", TypeKind::kTime},
      {"timestamp", TypeKind::kTimestamp}, {"timeuuid", TypeKind::kTimeuuid},
      {"tinyint", TypeKind::kTinyint},     {"uuid", TypeKind::kUuid},
      {"varchar", TypeKind::kText},        {"text", TypeKind::kText},
      {"varint", TypeKind::kVarint},       {"duration", TypeKind::kDuration}};
  int checked = 0;
  for (const char* path :
       {"scylla-3x/uncompressed/write_different_types",
        "scylla-3x/uncompressed/partition_key_with_values_of_different_types",
        "scylla-3x/uncompressed/compound_static_row",
        "scylla-3x/uncompressed/compound_ck"}) {
    const nlohmann::json* set = nullptr;
    for (const auto& s : sets) {
      if (s["path"] == path) set = &s;
    }
    ASSERT_NE(set, nullptr) << path;
    // Column types from the schema: "name type[ static]" before PRIMARY KEY.
    std::string cql = (*set)["schema_cql"];
    std::string cols = cql.substr(cql.find('(') + 1);
    cols = cols.substr(0, cols.find("PRIMARY KEY"));
    std::map<std::string, CqlTypePtr> types;
    size_t pos = 0;
    while (pos < cols.size()) {
      size_t comma = cols.find(", ", pos);
      std::string def = cols.substr(
          pos, comma == std::string::npos ? std::string::npos : comma - pos);
      pos = comma == std::string::npos ? cols.size() : comma + 2;
      size_t sp = def.find(' ');
      if (sp == std::string::npos) continue;
      std::string name = def.substr(0, sp);
      std::string type = def.substr(sp + 1);
      type = type.substr(0, type.find(' '));
      for (const auto& [cql_name, kind] : kCqlNames) {
        if (type == cql_name) types[name] = SimpleType(kind);
      }
    }
    std::string data;
    for (const auto& sst : (*set)["sstables"]) {
      auto d = sstablefs::testing::ReadFileToString(
          sstablefs::testing::CorpusDir() + "/" + path + "/" +
          std::string(sst["prefix"]) + "-Data.db");
      ASSERT_TRUE(d.has_value());
      data += *d;
    }
    for (const auto& fact : (*set)["facts"]) {
      if (!fact.contains("column") || !fact["column"].is_string() ||
          fact["value"].is_null()) {
        continue;
      }
      auto it = types.find(fact["column"]);
      if (it == types.end()) continue;
      const CqlType& t = *it->second;
      std::string text = fact["value"].is_string()
                             ? fact["value"].get<std::string>()
                             : fact["value"].dump();
      auto bytes = ParseLiteral(t, text);
      ASSERT_TRUE(bytes.ok())
          << path << " " << text << ": " << bytes.status().ToString();
      EXPECT_NE(data.find(*bytes), std::string::npos)
          << path << ": " << fact["column"] << " = " << text
          << " not found in Data.db as " << B(*bytes).ToHex();
      std::string json;
      AppendJson(t, *bytes, &json);
      if (t.kind == TypeKind::kTime) {
        // SPEC §3 prints 9 fractional digits; the fact has fewer.
        auto back =
            ParseLiteral(t, nlohmann::json::parse(json).get<std::string>());
        ASSERT_TRUE(back.ok());
        EXPECT_EQ(*back, *bytes);
      } else {
        EXPECT_EQ(nlohmann::json::parse(json), fact["value"])
            << path << ": " << fact["column"] << " rendered " << json;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 40);
}

}  // namespace
}  // namespace sstablefs::reader
