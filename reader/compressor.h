// Chunk decompression for the compressors Cassandra writes into
// CompressionInfo.db. See reader/FORMAT.md, "Compressed Data.db chunks".
//
//   LZ4Compressor     4-byte little-endian uncompressed length, then an LZ4
//                     block (LZ4Compressor.compress, "fast" with header)
//   SnappyCompressor  raw Snappy (Snappy.rawCompress), no extra header
//   DeflateCompressor zlib stream (java.util.zip.Deflater defaults, RFC 1950)
//   ZstdCompressor    one Zstandard frame
//   NoopCompressor    the bytes as they are (Cassandra 4.0+)
//
// Contract:
//  - CodecForClass accepts the short name and the fully qualified
//    "org.apache.cassandra.io.compress.X"; anything else is kUnsupported
//    naming the class.
//  - Decompressor::Decompress produces exactly `expected` bytes or fails with
//    a reason (kCorruption without file context: the caller adds file, chunk
//    and offset). It never writes past dst + expected.
//  - CheckPlausibleSize runs before the caller allocates `expected` bytes:
//    it rejects sizes the input cannot decompress to (declared-length
//    mismatch, impossible ratio), so a damaged chunk cannot cause a large
//    allocation.
//  - A Decompressor holds per-codec state (zstd / libdeflate contexts) and is
//    not thread-safe: one per DataInput.
#ifndef SSTABLEFS_READER_COMPRESSOR_H_
#define SSTABLEFS_READER_COMPRESSOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "reader/byte_view.h"
#include "reader/status.h"

namespace sstablefs::reader {

enum class Codec { kLz4, kSnappy, kDeflate, kZstd, kNoop };

Result<Codec> CodecForClass(std::string_view compressor_class);
// "LZ4Compressor", ... (the short class name).
const char* CodecName(Codec codec);

class Decompressor {
 public:
  explicit Decompressor(Codec codec);
  ~Decompressor();
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  Codec codec() const { return codec_; }
  Status CheckPlausibleSize(ByteView in, size_t expected) const;
  Status Decompress(ByteView in, uint8_t* dst, size_t expected);

 private:
  Status DecompressLz4(ByteView in, uint8_t* dst, size_t expected);
  Status DecompressSnappy(ByteView in, uint8_t* dst, size_t expected);
  Status DecompressDeflate(ByteView in, uint8_t* dst, size_t expected);
  Status DecompressZstd(ByteView in, uint8_t* dst, size_t expected);

  Codec codec_;
  struct Contexts;
  std::unique_ptr<Contexts> ctx_;  // created on first use
};

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_COMPRESSOR_H_
