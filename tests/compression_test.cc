// CompressionInfo.db decoding, chunk checksums and decompression, CRC.db and
// Digest.crc32 — on every SSTable of the real corpus (driven by
// expected.json), plus synthetic files written here with each codec.
//
// Independent references: checksums are recomputed with zlib's crc32 (the
// reader uses libdeflate), CRC.db is parsed here by hand, and uncompressed
// reads are compared with the file bytes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <libdeflate.h>
#include <lz4.h>
#include <snappy-c.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "reader/compression_info.h"
#include "reader/compressor.h"
#include "reader/crc32.h"
#include "reader/file_data_input.h"
#include "reader/file_util.h"
#include "tests/test_util.h"

namespace sstablefs::reader {
namespace {

using ::sstablefs::testing::CorpusDir;
using ::sstablefs::testing::ReadFileToString;

// ---------------------------------------------------------------------------
// Corpus inventory from expected.json.

struct CorpusSSTable {
  std::string set;     // set path, e.g. "scylla-3x/lz4/integrity_check/..."
  std::string base;    // absolute path prefix: ".../me-1-big-"
  std::string format;  // "me"
  std::optional<std::string> compression;
  std::set<std::string> components;
  bool corrupt = false;  // deliberately_corrupt or malformed
  std::string Path(const std::string& component) const {
    return base + component;
  }
  bool Has(const std::string& c) const { return components.count(c) != 0; }
};

std::vector<CorpusSSTable> LoadCorpus() {
  std::vector<CorpusSSTable> out;
  auto text = ReadFileToString(CorpusDir() + "/expected.json");
  if (!text) return out;
  auto sets = nlohmann::json::parse(*text);
  for (const auto& set : sets) {
    bool corrupt = set.value("deliberately_corrupt", false) ||
                   set.value("malformed", false) ||
                   set["source"] == "malformed";
    for (const auto& t : set["sstables"]) {
      std::string format = t["format"];
      // Only the m*/n* big format is readable; ka/la use other checksums.
      if (t["format_type"] != "big" || (format[0] != 'm' && format[0] != 'n')) {
        continue;
      }
      CorpusSSTable s;
      s.set = set["path"];
      s.base = CorpusDir() + "/" + s.set + "/" + std::string(t["dir"]) + "/" +
               std::string(t["prefix"]) + "-";
      s.format = format;
      if (!t["compression"].is_null()) s.compression = t["compression"];
      for (const auto& c : t["components"]) s.components.insert(c);
      s.corrupt = corrupt;
      out.push_back(std::move(s));
    }
  }
  return out;
}

uint32_t RefCrc(const std::string& bytes, size_t pos, size_t n) {
  return static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(bytes.data() + pos),
            static_cast<uInt>(n)));
}

uint32_t Be32(const std::string& b, size_t pos) {
  return (uint32_t{static_cast<uint8_t>(b[pos])} << 24) |
         (uint32_t{static_cast<uint8_t>(b[pos + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(b[pos + 2])} << 8) |
         uint32_t{static_cast<uint8_t>(b[pos + 3])};
}

// Reads everything with a rotating set of peek sizes; checks each Peek
// returns at least min(n, remaining) bytes.
Result<std::string> ReadAll(DataInput& in, std::vector<size_t> sizes = {
                                               1, 7, 100, 5000, 70000, 3}) {
  std::string out;
  size_t i = 0;
  while (in.position() < in.size()) {
    size_t n = sizes[i++ % sizes.size()];
    SSTFS_ASSIGN_OR_RETURN(ByteView v, in.Peek(n));
    size_t want =
        static_cast<size_t>(std::min<uint64_t>(n, in.size() - in.position()));
    if (v.size() < want) return Status::Corruption("short peek");
    out.append(v.AsStringView().substr(0, want));
    SSTFS_RETURN_IF_ERROR(in.Skip(want));
  }
  return out;
}

Result<std::shared_ptr<const CompressionInfo>> LoadInfo(
    const CorpusSSTable& s, const std::shared_ptr<RandomAccessFile>& data) {
  SSTFS_ASSIGN_OR_RETURN(std::string bytes,
                         ReadSmallFile(s.Path("CompressionInfo.db"), 1 << 24));
  SSTFS_ASSIGN_OR_RETURN(
      CompressionInfo info,
      DecodeCompressionInfo(ByteView(bytes), Version(s.format),
                            s.Path("CompressionInfo.db"), data->size()));
  return std::make_shared<const CompressionInfo>(std::move(info));
}

std::string ShortName(const std::string& cls) {
  auto dot = cls.rfind('.');
  return dot == std::string::npos ? cls : cls.substr(dot + 1);
}

// Chunks whose stored CRC differs from zlib's CRC of the stored bytes.
std::vector<uint64_t> RefBadCompressedChunks(const std::string& data,
                                             const CompressionInfo& info) {
  std::vector<uint64_t> bad;
  for (uint64_t i = 0; i < info.chunk_offsets.size(); ++i) {
    uint64_t start = info.chunk_offsets[i];
    uint64_t end = i + 1 < info.chunk_offsets.size() ? info.chunk_offsets[i + 1]
                                                     : data.size();
    size_t len = static_cast<size_t>(end - start - 4);
    if (RefCrc(data, start, len) != Be32(data, start + len)) bad.push_back(i);
  }
  return bad;
}

std::string ChunkNeedle(uint64_t index, uint64_t offset) {
  return "chunk " + std::to_string(index) + " at offset " +
         std::to_string(offset) + ": checksum mismatch";
}

// ---------------------------------------------------------------------------
// Real corpus: compressed Data.db.

TEST(CompressedCorpus, EveryChunkVerifiesAndDecompresses) {
  SSTFS_REQUIRE_CORPUS();
  std::set<std::string> codecs_seen;
  int sstables = 0, corrupt_found = 0;
  ChunkCache cache(8 << 20);
  for (const auto& s : LoadCorpus()) {
    if (!s.compression || !s.Has("Data.db")) continue;
    SCOPED_TRACE(s.base);
    ++sstables;
    auto data = RandomAccessFile::Open(s.Path("Data.db"));
    ASSERT_TRUE(data.ok()) << data.status().ToString();
    auto info = LoadInfo(s, *data);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(ShortName((*info)->compressor_class), *s.compression);
    codecs_seen.insert(*s.compression);

    auto bytes = ReadFileToString(s.Path("Data.db"));
    ASSERT_TRUE(bytes.has_value());
    std::vector<uint64_t> ref_bad = RefBadCompressedChunks(*bytes, **info);
    if (!s.corrupt) {
      EXPECT_TRUE(ref_bad.empty());
    }
    if (s.set.ends_with("invalid_checksums")) {
      EXPECT_FALSE(ref_bad.empty());
      ++corrupt_found;
    }

    // Read twice: without a cache and through a shared cache.
    std::string first;
    for (ChunkCache* c : {static_cast<ChunkCache*>(nullptr), &cache}) {
      auto in =
          OpenCompressedDataInput(*data, *info, c, ChunkCache::NewFileId());
      ASSERT_TRUE(in.ok()) << in.status().ToString();
      EXPECT_EQ((*in)->size(), (*info)->data_length);
      auto all = ReadAll(**in);
      if (ref_bad.empty()) {
        ASSERT_TRUE(all.ok()) << all.status().ToString();
        EXPECT_EQ(all->size(), (*info)->data_length);
        if (c == nullptr) {
          first = *all;
        } else {
          EXPECT_TRUE(*all == first);
        }
      } else {
        ASSERT_FALSE(all.ok());
        EXPECT_TRUE(all.status().IsCorruption());
        const std::string msg = all.status().message();
        EXPECT_NE(msg.find(s.Path("Data.db")), std::string::npos) << msg;
        EXPECT_NE(msg.find(ChunkNeedle(ref_bad[0],
                                       (*info)->chunk_offsets[ref_bad[0]])),
                  std::string::npos)
            << msg;
        EXPECT_NE(msg.find("(stored 0x"), std::string::npos) << msg;
      }
    }

    auto damaged = VerifyCompressedChunks(*data, *info);
    ASSERT_TRUE(damaged.ok()) << damaged.status().ToString();
    ASSERT_EQ(damaged->size(), ref_bad.size());
    for (size_t i = 0; i < ref_bad.size(); ++i) {
      EXPECT_NE((*damaged)[i].message().find(ChunkNeedle(
                    ref_bad[i], (*info)->chunk_offsets[ref_bad[i]])),
                std::string::npos);
    }
  }
  EXPECT_GE(sstables, 60);
  EXPECT_EQ(corrupt_found,
            1);  // scylla-3x/lz4/integrity_check/invalid_checksums
  // README: "Compressors present: LZ4, Snappy, Deflate, Zstd".
  EXPECT_EQ(codecs_seen,
            (std::set<std::string>{"LZ4Compressor", "SnappyCompressor",
                                   "DeflateCompressor", "ZstdCompressor"}));
}

// README: the legacy na folders hold bti sstables whose CompressionInfo.db
// uses the pre-na layout (no max compressed length).
TEST(CompressedCorpus, BtiCompressionInfoHasPreNaLayout) {
  SSTFS_REQUIRE_CORPUS();
  std::string dir =
      CorpusDir() + "/cassandra-legacy/na/legacy_tables/legacy_na_clust";
  auto bytes = ReadSmallFile(dir + "/na-1-bti-CompressionInfo.db", 1 << 20);
  ASSERT_TRUE(bytes.ok());
  auto data = RandomAccessFile::Open(dir + "/na-1-bti-Data.db");
  ASSERT_TRUE(data.ok());
  EXPECT_FALSE(DecodeCompressionInfo(ByteView(*bytes), Version("na"), "x",
                                     (*data)->size())
                   .ok());
  auto info = DecodeCompressionInfo(ByteView(*bytes), Version("mc"), "x",
                                    (*data)->size());
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_FALSE(info->has_max_compressed_length);
  auto in = OpenCompressedDataInput(
      *data, std::make_shared<const CompressionInfo>(*info), nullptr, 1);
  ASSERT_TRUE(in.ok());
  auto all = ReadAll(**in);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->size(), info->data_length);
}

// Every prefix of every real CompressionInfo.db is rejected cleanly.
TEST(CompressedCorpus, TruncatedCompressionInfoIsCorruption) {
  SSTFS_REQUIRE_CORPUS();
  int files = 0;
  for (const auto& s : LoadCorpus()) {
    if (!s.compression || !s.Has("Data.db")) continue;
    auto bytes = ReadSmallFile(s.Path("CompressionInfo.db"), 1 << 20);
    ASSERT_TRUE(bytes.ok());
    auto data = RandomAccessFile::Open(s.Path("Data.db"));
    ASSERT_TRUE(data.ok());
    ++files;
    for (size_t n = 0; n < bytes->size(); ++n) {
      auto r = DecodeCompressionInfo(ByteView(bytes->data(), n),
                                     Version(s.format), "ci", (*data)->size());
      ASSERT_FALSE(r.ok()) << s.base << " prefix " << n;
      EXPECT_TRUE(r.status().IsCorruption());
      EXPECT_EQ(r.status().message().rfind("ci", 0), 0u);
    }
    // A Data.db too short for the last chunk's CRC is caught up front.
    uint64_t last = 0;
    {
      auto full = DecodeCompressionInfo(ByteView(*bytes), Version(s.format),
                                        "ci", (*data)->size());
      ASSERT_TRUE(full.ok()) << full.status().ToString();
      last = full->chunk_offsets.back();
    }
    EXPECT_FALSE(DecodeCompressionInfo(ByteView(*bytes), Version(s.format),
                                       "ci", last + 3)
                     .ok());
  }
  EXPECT_GE(files, 60);
}

// Single-byte damage anywhere in CompressionInfo.db never crashes; whatever
// decodes still satisfies the layout invariants readers rely on.
TEST(CompressedCorpus, MutatedCompressionInfoNeverCrashes) {
  SSTFS_REQUIRE_CORPUS();
  std::string dir =
      CorpusDir() + "/cassandra-legacy/nb/legacy_tables/legacy_nb_clust";
  auto bytes = ReadSmallFile(dir + "/nb-1-big-CompressionInfo.db", 1 << 20);
  ASSERT_TRUE(bytes.ok());
  auto data = RandomAccessFile::Open(dir + "/nb-1-big-Data.db");
  ASSERT_TRUE(data.ok());
  for (size_t pos = 0; pos < bytes->size(); ++pos) {
    for (uint8_t x : {0x01, 0x80, 0xff}) {
      std::string m = *bytes;
      m[pos] = static_cast<char>(m[pos] ^ x);
      auto r = DecodeCompressionInfo(ByteView(m), Version("nb"), "ci",
                                     (*data)->size());
      if (!r.ok()) {
        EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
        continue;
      }
      // Still decodable: reading must fail cleanly or succeed, never crash.
      auto info = std::make_shared<const CompressionInfo>(std::move(*r));
      auto in = OpenCompressedDataInput(*data, info, nullptr, 1);
      if (in.ok()) (void)ReadAll(**in);
    }
  }
}

// Flipping any single byte of a compressed Data.db is reported as a checksum
// mismatch of the chunk that holds it (every codec, and a multi-chunk file).
TEST(CompressedCorpus, EverySingleByteFlipIsReported) {
  SSTFS_REQUIRE_CORPUS();
  std::vector<std::string> bases = {
      "scylla-3x/lz4/partition_key_with_values_of_different_types/mc-1-big-",
      "scylla-3x/snappy/partition_key_with_values_of_different_types/mc-1-big-",
      "scylla-3x/deflate/partition_key_with_values_of_different_types/"
      "mc-1-big-",
      "scylla-3x/zstd/partition_key_with_values_of_different_types/mc-1-big-",
      "cassandra-legacy/nb/legacy_tables/legacy_nb_clust/nb-1-big-",
  };
  auto tmp = std::filesystem::temp_directory_path() /
             ("sstfs_flip_" + std::to_string(::getpid()));
  std::filesystem::create_directories(tmp);
  for (const auto& rel : bases) {
    SCOPED_TRACE(rel);
    std::string base = CorpusDir() + "/" + rel;
    auto original = ReadFileToString(base + "Data.db");
    ASSERT_TRUE(original.has_value());
    std::string copy = (tmp / "Data.db").string();
    std::filesystem::remove(copy);
    { std::ofstream(copy, std::ios::binary) << *original; }
    auto ci = ReadSmallFile(base + "CompressionInfo.db", 1 << 20);
    ASSERT_TRUE(ci.ok());
    auto info = DecodeCompressionInfo(
        ByteView(*ci), Version(rel.substr(rel.rfind('/') + 1, 2)), "ci",
        original->size());
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    auto shared = std::make_shared<const CompressionInfo>(*info);
    int fd = ::open(copy.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    for (size_t pos = 0; pos < original->size(); ++pos) {
      char flipped = static_cast<char>((*original)[pos] ^ 0x20);
      ASSERT_EQ(::pwrite(fd, &flipped, 1, static_cast<off_t>(pos)), 1);
      auto file = RandomAccessFile::Open(copy);
      ASSERT_TRUE(file.ok());
      auto in = OpenCompressedDataInput(*file, shared, nullptr, 1);
      ASSERT_TRUE(in.ok());
      auto all = ReadAll(**in);
      uint64_t chunk = static_cast<uint64_t>(
          std::upper_bound(info->chunk_offsets.begin(),
                           info->chunk_offsets.end(), pos) -
          info->chunk_offsets.begin() - 1);
      if (chunk >= info->DataChunkCount()) {
        // A trailing empty chunk holds no data; only verify sees it.
        auto damaged = VerifyCompressedChunks(*file, shared);
        ASSERT_TRUE(damaged.ok());
        EXPECT_EQ(damaged->size(), 1u);
      } else {
        ASSERT_FALSE(all.ok()) << "flip at " << pos << " not detected";
        EXPECT_NE(all.status().message().find(
                      ChunkNeedle(chunk, info->chunk_offsets[chunk])),
                  std::string::npos)
            << all.status().message();
      }
      ASSERT_EQ(
          ::pwrite(fd, original->data() + pos, 1, static_cast<off_t>(pos)), 1);
    }
    ::close(fd);
  }
  std::filesystem::remove_all(tmp);
}

// ---------------------------------------------------------------------------
// Real corpus: uncompressed Data.db with CRC.db, and Digest.crc32.

TEST(UncompressedCorpus, CrcDbVerifies) {
  SSTFS_REQUIRE_CORPUS();
  int with_crc = 0, corrupt_found = 0;
  ChunkCache cache(4 << 20);
  for (const auto& s : LoadCorpus()) {
    if (s.compression || !s.Has("Data.db")) continue;
    SCOPED_TRACE(s.base);
    auto bytes = ReadFileToString(s.Path("Data.db"));
    ASSERT_TRUE(bytes.has_value());
    auto data = RandomAccessFile::Open(s.Path("Data.db"));
    ASSERT_TRUE(data.ok());
    std::vector<uint64_t> ref_bad;
    uint32_t cs = 0;
    std::string crc_path;
    if (s.Has("CRC.db")) {
      ++with_crc;
      crc_path = s.Path("CRC.db");
      auto crc = ReadFileToString(crc_path);
      ASSERT_TRUE(crc.has_value());
      cs = Be32(*crc, 0);
      ASSERT_GT(cs, 0u);
      for (uint64_t i = 0; i * cs < bytes->size(); ++i) {
        size_t len = std::min<size_t>(cs, bytes->size() - i * cs);
        if (RefCrc(*bytes, i * cs, len) != Be32(*crc, 4 + 4 * i)) {
          ref_bad.push_back(i);
        }
      }
    }
    if (!s.corrupt) {
      EXPECT_TRUE(ref_bad.empty());
    }
    if (s.set.ends_with("invalid_checksums")) {
      EXPECT_FALSE(ref_bad.empty());
      ++corrupt_found;
    }
    for (ChunkCache* c : {static_cast<ChunkCache*>(nullptr), &cache}) {
      auto in = OpenUncompressedDataInput(*data, crc_path, c,
                                          ChunkCache::NewFileId());
      ASSERT_TRUE(in.ok()) << in.status().ToString();
      auto all = ReadAll(**in);
      if (ref_bad.empty()) {
        ASSERT_TRUE(all.ok()) << all.status().ToString();
        EXPECT_TRUE(*all == *bytes);
      } else {
        ASSERT_FALSE(all.ok());
        EXPECT_NE(all.status().message().find(
                      s.Path("Data.db") + ": " +
                      ChunkNeedle(ref_bad[0], ref_bad[0] * cs)),
                  std::string::npos)
            << all.status().message();
      }
    }
    auto damaged = VerifyUncompressedChunks(*data, crc_path);
    ASSERT_TRUE(damaged.ok()) << damaged.status().ToString();
    EXPECT_EQ(damaged->size(), ref_bad.size());
  }
  EXPECT_GE(with_crc, 30);
  EXPECT_EQ(corrupt_found, 1);  // scylla-3x/uncompressed/integrity_check/...
}

TEST(DigestCorpus, DigestCrc32MatchesExceptInvalidDigestSets) {
  SSTFS_REQUIRE_CORPUS();
  int checked = 0, invalid_sets = 0;
  for (const auto& s : LoadCorpus()) {
    if (!s.Has("Digest.crc32") || !s.Has("Data.db")) continue;
    SCOPED_TRACE(s.base);
    auto data = RandomAccessFile::Open(s.Path("Data.db"));
    ASSERT_TRUE(data.ok());
    auto ours = ComputeFileCrc32(**data);
    ASSERT_TRUE(ours.ok());
    auto bytes = ReadFileToString(s.Path("Data.db"));
    EXPECT_EQ(*ours, RefCrc(*bytes, 0, bytes->size()));
    auto text = ReadSmallFile(s.Path("Digest.crc32"), 64);
    ASSERT_TRUE(text.ok());
    auto digest = ParseDigestCrc32(ByteView(*text), s.Path("Digest.crc32"));
    ASSERT_TRUE(digest.ok()) << digest.status().ToString();
    ++checked;
    if (s.set.ends_with("invalid_digest")) {
      ++invalid_sets;
      EXPECT_NE(*digest, *ours);
    } else if (!s.corrupt) {
      EXPECT_EQ(*digest, *ours);
    }
  }
  EXPECT_GE(checked, 80);
  EXPECT_EQ(invalid_sets, 2);  // scylla-3x/{lz4,uncompressed}/integrity_check
}

TEST(Digest, ParseRejectsGarbage) {
  EXPECT_EQ(*ParseDigestCrc32(ByteView("4294967295"), "d"), 4294967295u);
  EXPECT_EQ(*ParseDigestCrc32(ByteView("0\n"), "d"), 0u);
  for (const char* bad :
       {"", "\n", "-1", "4294967296", "12a", " 1", "99999999999999999999"}) {
    auto r = ParseDigestCrc32(ByteView(bad), "d");
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(r.status().IsCorruption());
  }
}

TEST(Crc32, MatchesZlibAndChains) {
  std::string s;
  std::mt19937 rng(7);
  for (int i = 0; i < 100000; ++i) s.push_back(static_cast<char>(rng()));
  uint32_t whole = Crc32(ByteView(s));
  EXPECT_EQ(whole, RefCrc(s, 0, s.size()));
  uint32_t part = Crc32(0, reinterpret_cast<const uint8_t*>(s.data()), 12345);
  part = Crc32(part, reinterpret_cast<const uint8_t*>(s.data()) + 12345,
               s.size() - 12345);
  EXPECT_EQ(part, whole);
  EXPECT_EQ(Crc32(ByteView("123456789")),
            0xcbf43926u);  // the CRC-32 check value
  EXPECT_EQ(Crc32Hex(0x1a2b3c4d), "0x1a2b3c4d");
  EXPECT_EQ(Crc32Hex(0), "0x00000000");
}

// ---------------------------------------------------------------------------
// Synthetic files: written here the way CompressedSequentialWriter does
// (compressed bytes + big-endian CRC32 per chunk; na+ raw chunks padded to
// maxCompressedLength), with each codec's own compressor.

std::string CompressWith(Codec codec, const std::string& in) {
  const char* src = in.data();
  switch (codec) {
    case Codec::kLz4: {
      std::string out(4 + LZ4_compressBound(static_cast<int>(in.size())), '\0');
      uint32_t n = static_cast<uint32_t>(in.size());
      for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(n >> (8 * i));
      int k =
          LZ4_compress_default(src, out.data() + 4, static_cast<int>(in.size()),
                               static_cast<int>(out.size() - 4));
      out.resize(4 + static_cast<size_t>(k));
      return out;
    }
    case Codec::kSnappy: {
      size_t k = snappy_max_compressed_length(in.size());
      std::string out(k, '\0');
      snappy_compress(src, in.size(), out.data(), &k);
      out.resize(k);
      return out;
    }
    case Codec::kDeflate: {
      if (in.empty()) return "";  // DeflateCompressor writes nothing
      libdeflate_compressor* c = libdeflate_alloc_compressor(6);
      std::string out(libdeflate_zlib_compress_bound(c, in.size()), '\0');
      size_t k =
          libdeflate_zlib_compress(c, src, in.size(), out.data(), out.size());
      libdeflate_free_compressor(c);
      out.resize(k);
      return out;
    }
    case Codec::kZstd: {
      std::string out(ZSTD_compressBound(in.size()), '\0');
      size_t k = ZSTD_compress(out.data(), out.size(), src, in.size(), 1);
      out.resize(k);
      return out;
    }
    case Codec::kNoop:
      return in;
  }
  return in;
}

void AppendBe(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out->push_back(static_cast<char>(v >> (8 * i)));
  }
}

void AppendUtf(std::string* out, const std::string& s) {
  AppendBe(out, s.size(), 2);
  out->append(s);
}

struct Built {
  std::string data;  // Data.db
  std::string info;  // CompressionInfo.db
  std::vector<bool> raw;
};

// max_compressed == 0: pre-na layout (no field, never raw).
Built BuildCompressed(Codec codec, const std::string& payload,
                      uint32_t chunk_length, uint32_t max_compressed,
                      bool trailing_empty_chunk,
                      const std::string& class_name = "") {
  Built b;
  std::vector<uint64_t> offsets;
  auto emit = [&](const std::string& chunk) {
    std::string stored = CompressWith(codec, chunk);
    bool raw = max_compressed != 0 && stored.size() >= max_compressed;
    if (raw) {
      stored = chunk;
      if (stored.size() < max_compressed) stored.resize(max_compressed, '\0');
    }
    offsets.push_back(b.data.size());
    b.data += stored;
    AppendBe(&b.data, RefCrc(stored, 0, stored.size()), 4);
    b.raw.push_back(raw);
  };
  for (size_t pos = 0; pos < payload.size(); pos += chunk_length) {
    emit(payload.substr(pos, chunk_length));
  }
  if (trailing_empty_chunk) emit("");
  AppendUtf(&b.info, class_name.empty() ? CodecName(codec) : class_name);
  AppendBe(&b.info, 1, 4);
  AppendUtf(&b.info, "crc_check_chance");
  AppendUtf(&b.info, "1.0");
  AppendBe(&b.info, chunk_length, 4);
  if (max_compressed != 0) AppendBe(&b.info, max_compressed, 4);
  AppendBe(&b.info, payload.size(), 8);
  AppendBe(&b.info, offsets.size(), 4);
  for (uint64_t o : offsets) AppendBe(&b.info, o, 8);
  return b;
}

// Text-like data that compresses, with incompressible random stretches in
// the middle and at the end.
std::string Payload(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  static const char* kWords[] = {"alpha ",     "beta ",    "gamma ", "delta ",
                                 "cassandra ", "sstable ", "chunk "};
  std::string s;
  while (s.size() < n) {
    if ((s.size() > n / 3 && s.size() < n / 3 + 6000) || s.size() + 1500 > n) {
      s.push_back(static_cast<char>(rng()));
    } else {
      s += kWords[rng() % 7];
    }
  }
  s.resize(n);
  return s;
}

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    static int counter = 0;
    path_ = (std::filesystem::temp_directory_path() /
             ("sstfs_io_" + std::to_string(::getpid()) + "_" +
              std::to_string(counter++)))
                .string();
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Opened {
  std::unique_ptr<TempFile> file;
  std::shared_ptr<RandomAccessFile> data;
  std::shared_ptr<const CompressionInfo> info;
};

Opened OpenBuilt(const Built& b, Version v) {
  Opened o;
  o.file = std::make_unique<TempFile>(b.data);
  o.data = *RandomAccessFile::Open(o.file->path());
  auto info = DecodeCompressionInfo(ByteView(b.info), v, "ci", b.data.size());
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  if (info.ok()) o.info = std::make_shared<const CompressionInfo>(*info);
  return o;
}

TEST(SyntheticCompressed, EveryCodecRoundTripsWithRawAndEmptyChunks) {
  const std::string payload = Payload(4096 * 7 + 1234, 1);
  ChunkCache cache(1 << 20);
  for (Codec codec : {Codec::kLz4, Codec::kSnappy, Codec::kDeflate,
                      Codec::kZstd, Codec::kNoop}) {
    // pre-na layout; na layout never raw; na with raw chunks: random data
    // does not shrink, so with max 1235 the random chunks are stored raw and
    // the short random last chunk (1234 bytes) is padded to 1235.
    for (uint32_t max : {0u, 0x7fffffffu, 1235u}) {
      for (bool trailing : {false, true}) {
        SCOPED_TRACE(std::string(CodecName(codec)) + " max " +
                     std::to_string(max) + (trailing ? " trailing" : ""));
        Built b = BuildCompressed(codec, payload, 4096, max, trailing);
        if (max == 1235u) {
          EXPECT_GE(std::count(b.raw.begin(), b.raw.end(), true), 2);
          if (codec != Codec::kNoop) {
            EXPECT_TRUE(b.raw[7]);  // the padded short last data chunk
          }
        }
        Opened o = OpenBuilt(b, Version(max == 0 ? "md" : "nb"));
        ASSERT_TRUE(o.info);
        EXPECT_EQ(o.info->chunk_offsets.size(), 8u + (trailing ? 1 : 0));
        if (max == 1235u && codec != Codec::kNoop) {
          EXPECT_EQ(o.info->StoredChunkLength(7), 1235u);  // 1234 + padding
          EXPECT_TRUE(o.info->IsRawChunk(7));
        }
        for (ChunkCache* c : {static_cast<ChunkCache*>(nullptr), &cache}) {
          auto in = OpenCompressedDataInput(o.data, o.info, c,
                                            ChunkCache::NewFileId());
          ASSERT_TRUE(in.ok()) << in.status().ToString();
          auto all = ReadAll(**in);
          ASSERT_TRUE(all.ok()) << all.status().ToString();
          EXPECT_TRUE(*all == payload);
        }
        auto damaged = VerifyCompressedChunks(o.data, o.info);
        ASSERT_TRUE(damaged.ok());
        EXPECT_TRUE(damaged->empty())
            << (damaged->empty() ? "" : (*damaged)[0].ToString());
      }
    }
  }
}

TEST(SyntheticCompressed, RandomSeeksAndPeeksMatchPayload) {
  const std::string payload = Payload(4096 * 20 + 77, 2);
  Built b = BuildCompressed(Codec::kLz4, payload, 4096, 0x7fffffff, false);
  Opened o = OpenBuilt(b, Version("nb"));
  ChunkCache cache(64 << 10);  // small: forces evictions
  for (ChunkCache* c : {static_cast<ChunkCache*>(nullptr), &cache}) {
    auto in =
        OpenCompressedDataInput(o.data, o.info, c, ChunkCache::NewFileId());
    ASSERT_TRUE(in.ok());
    std::mt19937 rng(3);
    for (int i = 0; i < 5000; ++i) {
      uint64_t pos = rng() % (payload.size() + 1);
      size_t n = (i % 10 == 0) ? rng() % 40000 : rng() % 300;
      ASSERT_TRUE((*in)->Seek(pos).ok());
      auto v = (*in)->Peek(n);
      ASSERT_TRUE(v.ok()) << v.status().ToString();
      size_t want = std::min<size_t>(n, payload.size() - pos);
      ASSERT_GE(v->size(), want);
      ASSERT_LE(v->size(), payload.size() - pos);
      ASSERT_EQ(v->AsStringView(),
                std::string_view(payload).substr(pos, v->size()));
    }
    // A fresh reader's small peek runs to the end of the chunk.
    for (uint64_t pos : {uint64_t{0}, uint64_t{100}, uint64_t{4095},
                         uint64_t{4096}, uint64_t{payload.size() - 1}}) {
      auto fresh = OpenCompressedDataInput(o.data, o.info, c, 99);
      ASSERT_TRUE((*fresh)->Seek(pos).ok());
      auto v = (*fresh)->Peek(1);
      ASSERT_TRUE(v.ok());
      EXPECT_EQ(v->size(),
                std::min<size_t>(4096 - pos % 4096, payload.size() - pos));
    }
    // Peeking past the end from inside the last chunk needs no copy: the
    // view is the chunk's own tail (the same bytes a 1-byte peek returns).
    ASSERT_TRUE((*in)->Seek(payload.size() - 50).ok());
    const uint8_t* tail = (*in)->Peek(1)->data();
    auto past_end = (*in)->Peek(1000000);
    ASSERT_TRUE(past_end.ok());
    EXPECT_EQ(past_end->size(), 50u);
    EXPECT_EQ(past_end->data(), tail);
    EXPECT_TRUE((*in)->Seek(payload.size()).ok());
    EXPECT_TRUE((*in)->Peek(10)->empty());
    EXPECT_FALSE((*in)->Skip(1).ok());
    EXPECT_FALSE((*in)->Seek(payload.size() + 1).ok());
  }
}

TEST(SyntheticCompressed, FullyQualifiedAndUnknownCompressors) {
  const std::string payload = Payload(5000, 4);
  Built b =
      BuildCompressed(Codec::kSnappy, payload, 4096, 0, false,
                      "org.apache.cassandra.io.compress.SnappyCompressor");
  Opened o = OpenBuilt(b, Version("mc"));
  auto in = OpenCompressedDataInput(o.data, o.info, nullptr, 1);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_TRUE(*ReadAll(**in) == payload);

  Built u = BuildCompressed(Codec::kLz4, payload, 4096, 0, false,
                            "com.example.FancyCompressor");
  Opened ou = OpenBuilt(u, Version("mc"));
  auto bad = OpenCompressedDataInput(ou.data, ou.info, nullptr, 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsUnsupported());
  EXPECT_NE(bad.status().message().find("com.example.FancyCompressor"),
            std::string::npos);
}

// Chunks whose CRC is right but whose content is not what the codec or the
// chunk length requires: clean corruption errors, no crash, no huge
// allocation.
TEST(SyntheticCompressed, WellChecksummedGarbageIsCorruption) {
  const std::string payload = Payload(4096, 5);
  for (Codec codec : {Codec::kLz4, Codec::kSnappy, Codec::kDeflate,
                      Codec::kZstd, Codec::kNoop}) {
    SCOPED_TRACE(CodecName(codec));
    std::mt19937 rng(static_cast<uint32_t>(codec));
    for (int trial = 0; trial < 200; ++trial) {
      Built b = BuildCompressed(codec, payload, 4096, 0, false);
      // Damage the stored bytes, then fix up the CRC so only the codec or
      // the length checks can notice.
      size_t stored = b.data.size() - 4;
      if (trial == 0 && codec == Codec::kLz4) {
        b.data[3] = 0x7f;  // header claims ~2 GiB
      } else {
        for (int k = 0; k < 1 + trial % 4; ++k) {
          b.data[rng() % stored] = static_cast<char>(rng());
        }
      }
      b.data.resize(stored);
      AppendBe(&b.data, RefCrc(b.data, 0, stored), 4);
      Opened o = OpenBuilt(b, Version("mc"));
      ASSERT_TRUE(o.info);
      auto in = OpenCompressedDataInput(o.data, o.info, nullptr, 1);
      ASSERT_TRUE(in.ok());
      auto all = ReadAll(**in);
      if (all.ok()) {
        // Some damage still decodes (e.g. inside a literal): length holds.
        EXPECT_EQ(all->size(), payload.size());
      } else {
        EXPECT_TRUE(all.status().IsCorruption()) << all.status().ToString();
        EXPECT_NE(all.status().message().find("chunk 0 at offset 0: "),
                  std::string::npos)
            << all.status().message();
      }
    }
  }
}

TEST(SyntheticCompressed, ChunkCountMustMatchDataLength) {
  const std::string payload = Payload(4096 * 3, 6);
  Built b = BuildCompressed(Codec::kLz4, payload, 4096, 0, false);
  // Claim one chunk's worth more data than the offsets cover.
  Built more = b;
  size_t dl_pos = more.info.size() - 3 * 8 - 4 - 8;
  std::string grown;
  AppendBe(&grown, payload.size() + 4096, 8);
  more.info.replace(dl_pos, 8, grown);
  auto r = DecodeCompressionInfo(ByteView(more.info), Version("mc"), "ci",
                                 more.data.size());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("needs 4"), std::string::npos)
      << r.status().message();
  // A huge chunk count cannot make the decoder allocate.
  Built huge = b;
  size_t count_pos = huge.info.size() - 3 * 8 - 4;
  huge.info[count_pos] = 0x7f;
  EXPECT_FALSE(DecodeCompressionInfo(ByteView(huge.info), Version("mc"), "ci",
                                     huge.data.size())
                   .ok());
  // Offsets must stay inside Data.db, each chunk with room for its CRC.
  auto good = DecodeCompressionInfo(ByteView(b.info), Version("mc"), "ci",
                                    b.data.size());
  ASSERT_TRUE(good.ok());
  auto outside = DecodeCompressionInfo(ByteView(b.info), Version("mc"), "ci",
                                       good->chunk_offsets.back() + 3);
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.status().message().find("chunk 2 at offset"),
            std::string::npos)
      << outside.status().message();
  // The first chunk must start at offset 0.
  Built shifted = b;
  shifted.info[shifted.info.size() - 3 * 8 + 7] = 1;
  EXPECT_FALSE(DecodeCompressionInfo(ByteView(shifted.info), Version("mc"),
                                     "ci", b.data.size())
                   .ok());
}

// ---------------------------------------------------------------------------
// Synthetic uncompressed Data.db + CRC.db.

std::string BuildCrcDb(const std::string& data, uint32_t chunk) {
  std::string crc;
  AppendBe(&crc, chunk, 4);
  for (size_t pos = 0; pos < data.size(); pos += chunk) {
    AppendBe(&crc,
             RefCrc(data, pos, std::min<size_t>(chunk, data.size() - pos)), 4);
  }
  return crc;
}

TEST(SyntheticUncompressed, FlipsAreReportedAndBadCrcDbRejected) {
  std::string data = Payload(4096 * 5 + 100, 8);
  TempFile crc(BuildCrcDb(data, 4096));
  for (size_t pos : {size_t{0}, size_t{4095}, size_t{4096}, size_t{20000},
                     data.size() - 1}) {
    std::string bad = data;
    bad[pos] = static_cast<char>(bad[pos] ^ 1);
    TempFile file(bad);
    auto in = OpenUncompressedDataInput(*RandomAccessFile::Open(file.path()),
                                        crc.path(), nullptr, 1);
    ASSERT_TRUE(in.ok()) << in.status().ToString();
    auto all = ReadAll(**in);
    ASSERT_FALSE(all.ok());
    uint64_t chunk = pos / 4096;
    EXPECT_NE(all.status().message().find(ChunkNeedle(chunk, chunk * 4096)),
              std::string::npos)
        << all.status().message();
  }
  TempFile good(data);
  auto file = *RandomAccessFile::Open(good.path());
  // No CRC.db: plain reads.
  auto plain = OpenUncompressedDataInput(file, "", nullptr, 1);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(*ReadAll(**plain) == data);
  // CRC.db with a missing entry, a stray byte, or only a partial header.
  std::string full = BuildCrcDb(data, 4096);
  for (const std::string& broken :
       {full.substr(0, full.size() - 4), full + "x", full.substr(0, 3),
        std::string("\0\0\0\0", 4)}) {
    TempFile crc_bad(broken);
    auto in = OpenUncompressedDataInput(file, crc_bad.path(), nullptr, 1);
    ASSERT_FALSE(in.ok());
    EXPECT_TRUE(in.status().IsCorruption()) << in.status().ToString();
  }
  // A missing CRC.db file is an I/O error naming it.
  auto missing =
      OpenUncompressedDataInput(file, good.path() + ".nope", nullptr, 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kIoError);
}

// ---------------------------------------------------------------------------
// file_util: reads never touch atime; short reads only at EOF; size limits.

// Sets atime far before mtime, so that a relatime mount updates it on the
// next ordinary read.
void AgeAtime(const std::string& path) {
  struct timespec times[2] = {{1000000, 0}, {0, UTIME_OMIT}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

time_t Atime(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_atime;
}

TEST(FileUtil, ReadsDoNotChangeAtime) {
  TempFile f(std::string(10000, 'x'));
  // Control: does an ordinary read update atime on this filesystem?
  AgeAtime(f.path());
  {
    int fd = ::open(f.path().c_str(), O_RDONLY);
    char buf[16];
    ASSERT_EQ(::read(fd, buf, sizeof buf), 16);
    ::close(fd);
  }
  if (Atime(f.path()) == 1000000) {
    GTEST_SKIP() << "this filesystem does not update atime (noatime mount)";
  }
  AgeAtime(f.path());
  auto file = RandomAccessFile::Open(f.path());
  ASSERT_TRUE(file.ok());
  uint8_t buf[4096];
  ASSERT_EQ(*(*file)->ReadAt(0, sizeof buf, buf), sizeof buf);
  ASSERT_TRUE(ReadSmallFile(f.path(), 1 << 20).ok());
  ASSERT_TRUE(ComputeFileCrc32(**file).ok());
  EXPECT_EQ(Atime(f.path()), 1000000);
}

TEST(FileUtil, ShortReadsOnlyAtEndAndLimits) {
  std::string content = Payload(5000, 9);
  TempFile f(content);
  auto file = RandomAccessFile::Open(f.path());
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*file)->size(), 5000u);
  EXPECT_EQ((*file)->path(), f.path());
  std::vector<uint8_t> buf(8000);
  EXPECT_EQ(*(*file)->ReadAt(4000, 8000, buf.data()), 1000u);
  EXPECT_EQ(std::memcmp(buf.data(), content.data() + 4000, 1000), 0);
  EXPECT_EQ(*(*file)->ReadAt(6000, 10, buf.data()), 0u);
  Status s = (*file)->ReadExactAt(4990, 20, buf.data());
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(f.path()), std::string::npos);

  EXPECT_TRUE(*ReadSmallFile(f.path(), 5000) == content);
  auto too_big = ReadSmallFile(f.path(), 4999);
  ASSERT_FALSE(too_big.ok());
  EXPECT_TRUE(too_big.status().IsCorruption());

  auto missing = RandomAccessFile::Open(f.path() + ".missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kIoError);
  EXPECT_NE(missing.status().message().find(".missing"), std::string::npos);
  auto dir =
      RandomAccessFile::Open(std::filesystem::temp_directory_path().string());
  EXPECT_FALSE(dir.ok());
}

}  // namespace
}  // namespace sstablefs::reader
