// Unit tests for MD5, Cassandra's MurmurHash3 variant and the partitioners.
// Expected values come from RFC 1321, from ScyllaDB's murmur_hash_test (whose
// values match Cassandra's MurmurHash.hash3_x64_128), from a token Cassandra
// computed (quoted by ScyllaDB's partitioner_test as "taken from Origin"), and
// for RandomPartitioner from Python's hashlib + abs(int.from_bytes(signed)),
// i.e. new BigInteger(md5).abs() computed independently.
#include "reader/partitioner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reader/bloom_filter.h"
#include "reader/md5.h"
#include "reader/murmur3.h"

namespace sstablefs::reader {
namespace {

ByteView BV(std::string_view s) { return ByteView(s); }
Result<BloomFilter> DecodeFilter(const std::string& s, bool old_format) {
  return BloomFilter::Decode(ByteView(s), old_format, "x-Filter.db");
}
int Cmp(const Partitioner& p, std::string_view a, std::string_view b) {
  return p.CompareKeys(ByteView(a), ByteView(b));
}

std::string Hex(const Md5Digest& d) {
  return ByteView(d.data(), d.size()).ToHex();
}

TEST(Md5Test, Rfc1321TestSuite) {
  EXPECT_EQ(Hex(ComputeMd5(BV(""))), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Hex(ComputeMd5(BV("a"))), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(Hex(ComputeMd5(BV("abc"))), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Hex(ComputeMd5(BV("message digest"))),
            "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(Hex(ComputeMd5(BV("abcdefghijklmnopqrstuvwxyz"))),
            "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(
      Hex(ComputeMd5(BV("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789"))),
      "d174ab98d277d9f5a5611c2c9f419d9f");
  EXPECT_EQ(
      Hex(ComputeMd5(BV("1234567890123456789012345678901234567890123456789"
                        "0123456789012345678901234567890"))),
      "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(Md5Test, IncrementalEqualsOneShot) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 7));
  for (size_t split : {0, 1, 55, 56, 63, 64, 65, 500, 1000}) {
    Md5 m;
    m.Update(ByteView(data).substr(0, split));
    m.Update(ByteView(data).substr(split));
    EXPECT_EQ(m.Finish(), ComputeMd5(BV(data))) << split;
  }
}

// ScyllaDB test/boost/murmur_hash_test.cc: hashes of the prefixes of this
// sequence with seed 0xcafebabe (first 20 of its 60 entries: they cover every
// tail length and one and two full blocks).
TEST(Murmur3Test, MatchesPublishedPrefixHashes) {
  const std::string seq =
      "012345678901234567890123456789012345678901234567890123456789";
  const uint64_t expected[][2] = {
      {13907055927958326333ULL, 10701141902926764871ULL},
      {16872847325129109440ULL, 5125572542408278394ULL},
      {11916219991241122015ULL, 747256650753853469ULL},
      {1492790099208671403ULL, 16635411534431524239ULL},
      {16764172998150925140ULL, 7440789969466348974ULL},
      {6846275695158209935ULL, 11251493995290334439ULL},
      {1075204625779168927ULL, 3453614304122336174ULL},
      {1404180555660983881ULL, 13684781009779545989ULL},
      {10185829608361057848ULL, 1102754042417891721ULL},
      {12850382803381855486ULL, 7404649381971707328ULL},
      {972515366528881960ULL, 4507841639019527002ULL},
      {9279316204399455969ULL, 9712180353841837616ULL},
      {16558181491899334208ULL, 17507114537353308311ULL},
      {12977947643557220239ULL, 8334539845739718010ULL},
      {3743840537387886281ULL, 15297576726012815871ULL},
      {10675210326497176757ULL, 11200838847539594424ULL},
      {16363715880225337291ULL, 2866762944263215884ULL},
      {1272769995400892137ULL, 1744366104172354624ULL},
      {17426490373034063702ULL, 12666853004117709655ULL},
      {10757142341798556363ULL, 3984810732374497004ULL},
  };
  for (size_t i = 0; i < std::size(expected); ++i) {
    Murmur3Hash h = CassandraMurmur3(ByteView(seq).substr(0, i), 0xcafebabe);
    EXPECT_EQ(h.h1, expected[i][0]) << "prefix length " << i;
    EXPECT_EQ(h.h2, expected[i][1]) << "prefix length " << i;
  }
}

// The sign extension of tail bytes (Cassandra's variant) is exercised by
// index_test: write_many_live_partitions has ~65000 keys with a tail byte
// >= 0x80 whose Murmur3 order and bloom filter bits must match Index.db.

TEST(PartitionerTest, Murmur3TokenFromCassandra) {
  // CompositeType key (int 143, int 234): per component u16 length 4, the
  // big-endian int, end-of-component byte 0. Cassandra's token:
  // 4958784316840156970 (ScyllaDB partitioner_test, "taken from Origin").
  const uint8_t key[] = {0, 4, 0, 0, 0, 143, 0, 0, 4, 0, 0, 0, 234, 0};
  Partitioner p;
  ASSERT_EQ(p.kind(), PartitionerKind::kMurmur3);
  Token t = p.GetToken(ByteView(key, sizeof(key)));
  EXPECT_EQ(t.long_value, 4958784316840156970LL);
  EXPECT_EQ(p.TokenToString(t), "4958784316840156970");
  EXPECT_EQ(Murmur3Token(ByteView(key, sizeof(key))), 4958784316840156970LL);
}

TEST(PartitionerTest, Murmur3EmptyKeyIsMinimum) {
  Partitioner p;
  EXPECT_EQ(p.GetToken(ByteView()).long_value, INT64_MIN);
  EXPECT_LT(p.CompareKeys(ByteView(), BV("a")), 0);
}

TEST(PartitionerTest, RandomTokensAreAbsOfSignedMd5) {
  Partitioner p(PartitionerKind::kRandom);
  struct Case {
    std::string key;
    const char* token;
  } cases[] = {
      {"a", "16955237001963240173058271559858726497"},     // md5 positive
      {"key1", "81509516161424251288255223397843705139"},  // md5 negative
      {std::string("\0\0\0\1", 4), "19580090105725936846312850328329299579"},
      {std::string("\0\0\0\2", 4), "19847720572362509985402305765727304993"},
      {std::string("\0\0\0\3", 4), "117356732921465116845890410746976120467"},
      {"foo", "110673303387115207421586718101067225896"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(p.TokenToString(p.GetToken(BV(c.key))), c.token) << c.key;
  }
  // Order follows the numeric token: int 1 < int 2 < int 3.
  EXPECT_LT(Cmp(p, cases[2].key, cases[3].key), 0);
  EXPECT_LT(Cmp(p, cases[3].key, cases[4].key), 0);
  EXPECT_GT(Cmp(p, "key1", "a"), 0);
  // The empty key has the minimum token -1.
  EXPECT_EQ(p.TokenToString(p.GetToken(ByteView())), "-1");
  EXPECT_LT(p.CompareKeys(ByteView(), BV("a")), 0);
}

TEST(PartitionerTest, ByteOrderedIsUnsignedByteOrder) {
  Partitioner p(PartitionerKind::kByteOrdered);
  EXPECT_LT(Cmp(p, "0", "1"), 0);
  EXPECT_LT(Cmp(p, "1", "10"), 0);
  EXPECT_LT(Cmp(p, std::string("\x7f"), std::string("\x80")), 0);
  EXPECT_EQ(Cmp(p, "abc", "abc"), 0);
  EXPECT_EQ(p.TokenToString(p.GetToken(BV("0a"))), "3061");
}

TEST(PartitionerTest, OrderPreservingComparesUtf16) {
  Partitioner p(PartitionerKind::kOrderPreserving);
  // U+FFFF (ef bf bf) sorts AFTER U+10000 (f0 90 80 80) in Java's UTF-16
  // order, although its UTF-8 bytes sort before.
  EXPECT_GT(Cmp(p, "\xef\xbf\xbf", "\xf0\x90\x80\x80"), 0);
  EXPECT_LT(Cmp(p, "a", "b"), 0);
  EXPECT_LT(Cmp(p, "a", "ab"), 0);
  EXPECT_EQ(p.TokenToString(p.GetToken(BV("abc"))), "abc");
}

TEST(PartitionerTest, FromClassName) {
  struct Case {
    const char* name;
    PartitionerKind kind;
  } cases[] = {
      {"org.apache.cassandra.dht.Murmur3Partitioner",
       PartitionerKind::kMurmur3},
      {"Murmur3Partitioner", PartitionerKind::kMurmur3},
      {"org.apache.cassandra.dht.RandomPartitioner", PartitionerKind::kRandom},
      {"ByteOrderedPartitioner", PartitionerKind::kByteOrdered},
      {"org.apache.cassandra.dht.LocalPartitioner", PartitionerKind::kLocal},
      {"OrderPreservingPartitioner", PartitionerKind::kOrderPreserving},
  };
  for (const Case& c : cases) {
    Result<Partitioner> p = Partitioner::FromClassName(c.name);
    ASSERT_TRUE(p.ok()) << c.name;
    EXPECT_EQ(p->kind(), c.kind) << c.name;
  }
  Result<Partitioner> bad =
      Partitioner::FromClassName("com.example.FancyPartitioner");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsUnsupported());
  EXPECT_NE(bad.status().message().find("FancyPartitioner"), std::string::npos);
  EXPECT_FALSE(Partitioner::FromClassName("").ok());
}

TEST(BloomFilterTest, RejectsMalformedFiles) {
  // Truncated header.
  EXPECT_TRUE(
      DecodeFilter(std::string("\0\0\0", 3), false).status().IsCorruption());
  // Word count larger than the bytes present.
  EXPECT_TRUE(
      DecodeFilter(std::string("\0\0\0\5\0\0\0\2", 8) + std::string(8, '\0'),
                   false)
          .status()
          .IsCorruption());
  // Negative and zero hash counts.
  EXPECT_TRUE(DecodeFilter(std::string("\xff\xff\xff\xff\0\0\0\0", 8), false)
                  .status()
                  .IsCorruption());
  EXPECT_TRUE(DecodeFilter(std::string("\0\0\0\0\0\0\0\0", 8), false)
                  .status()
                  .IsCorruption());
  // A well-formed empty filter cannot exclude anything.
  Result<BloomFilter> empty =
      DecodeFilter(std::string("\0\0\0\5\0\0\0\0", 8), false);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->MightContain(BV("anything")));
  // All bits clear: every key is absent.
  Result<BloomFilter> zero = DecodeFilter(
      std::string("\0\0\0\5\0\0\0\1", 8) + std::string(8, '\0'), true);
  ASSERT_TRUE(zero.ok());
  EXPECT_FALSE(zero->MightContain(BV("anything")));
  EXPECT_EQ(zero->bit_count(), 64u);
}

TEST(BloomFilterTest, VersionSelectsWordFormat) {
  EXPECT_TRUE(FilterHasOldWordFormat(Version("ma")));
  EXPECT_TRUE(FilterHasOldWordFormat(Version("me")));
  EXPECT_FALSE(FilterHasOldWordFormat(Version("na")));
  EXPECT_FALSE(FilterHasOldWordFormat(Version("nb")));
}

}  // namespace
}  // namespace sstablefs::reader
