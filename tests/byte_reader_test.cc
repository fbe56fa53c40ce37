#include "reader/byte_reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace sstablefs::reader {
namespace {

TEST(ByteReader, BigEndianIntegers) {
  const std::string bytes("\x01\x02\x03\x04\x05\x06\x07\x08\xff", 9);
  ByteReader r{ByteView(bytes)};
  uint16_t u16;
  ASSERT_TRUE(r.ReadU16(&u16));
  EXPECT_EQ(u16, 0x0102);
  uint32_t u32;
  ASSERT_TRUE(r.ReadU32(&u32));
  EXPECT_EQ(u32, 0x03040506u);
  // Only 3 bytes left: a u32 read fails and does not advance.
  size_t before = r.position();
  EXPECT_FALSE(r.ReadU32(&u32));
  EXPECT_EQ(r.position(), before);
  uint8_t u8;
  ASSERT_TRUE(r.Skip(2));
  ASSERT_TRUE(r.ReadU8(&u8));
  EXPECT_EQ(u8, 0xff);
  EXPECT_TRUE(r.AtEnd());
}

TEST(ByteReader, UnsignedVIntKnownEncodings) {
  // Values and their Cassandra VIntCoding encodings.
  struct Case {
    uint64_t value;
    std::string encoded;
  } cases[] = {
      {0, std::string("\x00", 1)},
      {127, "\x7f"},
      {128, "\x80\x80"},
      {0x3fff, "\xbf\xff"},
      {0x4000, std::string("\xc0\x40\x00", 3)},
      {std::numeric_limits<uint64_t>::max(),
       "\xff\xff\xff\xff\xff\xff\xff\xff\xff"},
  };
  for (const auto& c : cases) {
    std::string enc;
    AppendUnsignedVInt(&enc, c.value);
    EXPECT_EQ(enc, c.encoded) << c.value;
    ByteReader r{ByteView(c.encoded)};
    uint64_t v;
    ASSERT_TRUE(r.ReadUnsignedVInt(&v));
    EXPECT_EQ(v, c.value);
    EXPECT_TRUE(r.AtEnd());
  }
}

TEST(ByteReader, VIntRoundTripsAcrossAllSizes) {
  for (int shift = 0; shift < 64; ++shift) {
    for (int64_t base : {int64_t{1}, int64_t{3}, int64_t{-1}}) {
      int64_t v = static_cast<int64_t>(static_cast<uint64_t>(base) << shift);
      // Neighbours computed with wrap-around (v - 1 at INT64_MIN wraps).
      const uint64_t u = static_cast<uint64_t>(v);
      for (int64_t x :
           {v, static_cast<int64_t>(u - 1), static_cast<int64_t>(u + 1)}) {
        std::string enc;
        AppendVInt(&enc, x);
        ByteReader r{ByteView(enc)};
        int64_t back;
        ASSERT_TRUE(r.ReadVInt(&back));
        EXPECT_EQ(back, x);
        EXPECT_TRUE(r.AtEnd());
        EXPECT_EQ(static_cast<int>(enc.size()),
                  VIntSizeFromFirstByte(static_cast<uint8_t>(enc[0])));
      }
    }
  }
}

TEST(ByteReader, ZigZagSmallValues) {
  std::string enc;
  AppendVInt(&enc, -1);
  EXPECT_EQ(enc, "\x01");
  enc.clear();
  AppendVInt(&enc, 1);
  EXPECT_EQ(enc, "\x02");
}

TEST(ByteReader, TruncatedVIntFailsWithoutAdvancing) {
  const std::string bytes("\xc0\x40", 2);  // claims 3 bytes
  ByteReader r{ByteView(bytes)};
  uint64_t v;
  EXPECT_FALSE(r.ReadUnsignedVInt(&v));
  EXPECT_EQ(r.position(), 0u);
}

TEST(ByteReader, LengthPrefixedBytesNeverOverrun) {
  // A length of 0xffff with 2 bytes behind it.
  const std::string bytes("\xff\xff\x61\x62", 4);
  ByteReader r{ByteView(bytes)};
  ByteView out;
  EXPECT_FALSE(r.ReadShortLengthBytes(&out));
  EXPECT_EQ(r.position(), 0u);
  // A vint length claiming 4 GB.
  std::string huge;
  AppendUnsignedVInt(&huge, uint64_t{1} << 32);
  huge += "ab";
  ByteReader r2{ByteView(huge)};
  EXPECT_FALSE(r2.ReadVIntLengthBytes(&out));
  EXPECT_EQ(r2.position(), 0u);
  // A negative int length.
  const std::string neg("\xff\xff\xff\xff", 4);
  ByteReader r3{ByteView(neg)};
  EXPECT_FALSE(r3.ReadIntLengthBytes(&out));
  // A well-formed one.
  const std::string ok("\x00\x02hi", 4);
  ByteReader r4{ByteView(ok)};
  ASSERT_TRUE(r4.ReadShortLengthBytes(&out));
  EXPECT_EQ(out.AsStringView(), "hi");
}

TEST(ByteReader, ReportsFileOffsets) {
  const std::string bytes("abcd");
  ByteReader r(ByteView(bytes), 1000);
  ASSERT_TRUE(r.Skip(3));
  EXPECT_EQ(r.offset(), 1003u);
}

TEST(ByteView, CompareIsUnsignedLexicographic) {
  EXPECT_LT(ByteView("a").Compare(ByteView("b")), 0);
  EXPECT_LT(ByteView("a").Compare(ByteView("ab")), 0);
  EXPECT_GT(ByteView("\xff").Compare(ByteView("\x01")), 0);
  EXPECT_EQ(ByteView("xy").Compare(ByteView("xy")), 0);
  EXPECT_EQ(ByteView("\x01\xab").ToHex(), "01ab");
}

}  // namespace
}  // namespace sstablefs::reader
