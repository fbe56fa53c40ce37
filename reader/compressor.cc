#include "reader/compressor.h"

#include <libdeflate.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zstd.h>

#include <climits>
#include <cstring>
#include <string>

namespace sstablefs::reader {
namespace {

constexpr std::string_view kPackage = "org.apache.cassandra.io.compress.";

std::string Sz(size_t v) { return std::to_string(v); }

Status Bad(std::string reason) { return Status::Corruption(std::move(reason)); }

uint32_t LoadLe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}

}  // namespace

struct Decompressor::Contexts {
  ZSTD_DCtx* zstd = nullptr;
  libdeflate_decompressor* deflate = nullptr;
  ~Contexts() {
    if (zstd != nullptr) ZSTD_freeDCtx(zstd);
    if (deflate != nullptr) libdeflate_free_decompressor(deflate);
  }
};

Result<Codec> CodecForClass(std::string_view name) {
  if (name.starts_with(kPackage)) name.remove_prefix(kPackage.size());
  if (name == "LZ4Compressor") return Codec::kLz4;
  if (name == "SnappyCompressor") return Codec::kSnappy;
  if (name == "DeflateCompressor") return Codec::kDeflate;
  if (name == "ZstdCompressor") return Codec::kZstd;
  if (name == "NoopCompressor") return Codec::kNoop;
  return Status::Unsupported("unsupported compressor class \"" +
                             std::string(name) + "\"");
}

const char* CodecName(Codec codec) {
  switch (codec) {
    case Codec::kLz4:
      return "LZ4Compressor";
    case Codec::kSnappy:
      return "SnappyCompressor";
    case Codec::kDeflate:
      return "DeflateCompressor";
    case Codec::kZstd:
      return "ZstdCompressor";
    case Codec::kNoop:
      return "NoopCompressor";
  }
  return "?";
}

Decompressor::Decompressor(Codec codec)
    : codec_(codec), ctx_(std::make_unique<Contexts>()) {}
Decompressor::~Decompressor() = default;

Status Decompressor::CheckPlausibleSize(ByteView in, size_t expected) const {
  const size_t n = in.size();
  switch (codec_) {
    case Codec::kLz4: {
      if (n < 4) return Bad("LZ4 chunk of " + Sz(n) + " bytes has no header");
      uint32_t declared = LoadLe32(in.data());
      if (declared != expected) {
        return Bad("LZ4 header declares " + Sz(declared) +
                   " uncompressed bytes, expected " + Sz(expected));
      }
      return Status::Ok();
    }
    case Codec::kSnappy: {
      size_t declared = 0;
      if (snappy_uncompressed_length(reinterpret_cast<const char*>(in.data()),
                                     n, &declared) != SNAPPY_OK) {
        return Bad("Snappy chunk has an invalid length header");
      }
      if (declared != expected) {
        return Bad("Snappy header declares " + Sz(declared) +
                   " uncompressed bytes, expected " + Sz(expected));
      }
      return Status::Ok();
    }
    case Codec::kDeflate:
      // DEFLATE cannot expand more than 1032:1.
      if (expected > n * 1032 + 64) {
        return Bad("Deflate chunk of " + Sz(n) + " bytes cannot hold " +
                   Sz(expected) + " uncompressed bytes");
      }
      return Status::Ok();
    case Codec::kZstd: {
      if (n == 0) return Bad("empty Zstd chunk");
      unsigned long long size = ZSTD_getFrameContentSize(in.data(), n);
      if (size == ZSTD_CONTENTSIZE_ERROR) return Bad("not a Zstd frame");
      if (size != ZSTD_CONTENTSIZE_UNKNOWN) {
        if (size != expected) {
          return Bad("Zstd frame declares " + std::to_string(size) +
                     " uncompressed bytes, expected " + Sz(expected));
        }
      } else if (expected > n * 32768 + (1u << 17)) {
        // An RLE block turns 4 bytes into at most 128 KiB.
        return Bad("Zstd chunk of " + Sz(n) + " bytes cannot hold " +
                   Sz(expected) + " uncompressed bytes");
      }
      return Status::Ok();
    }
    case Codec::kNoop:
      if (n != expected) {
        return Bad("uncompressed (Noop) chunk holds " + Sz(n) +
                   " bytes, expected " + Sz(expected));
      }
      return Status::Ok();
  }
  return Bad("unknown codec");
}

Status Decompressor::Decompress(ByteView in, uint8_t* dst, size_t expected) {
  switch (codec_) {
    case Codec::kLz4:
      return DecompressLz4(in, dst, expected);
    case Codec::kSnappy:
      return DecompressSnappy(in, dst, expected);
    case Codec::kDeflate:
      return DecompressDeflate(in, dst, expected);
    case Codec::kZstd:
      return DecompressZstd(in, dst, expected);
    case Codec::kNoop:
      if (in.size() != expected) return CheckPlausibleSize(in, expected);
      if (expected != 0) std::memcpy(dst, in.data(), expected);
      return Status::Ok();
  }
  return Bad("unknown codec");
}

Status Decompressor::DecompressLz4(ByteView in, uint8_t* dst, size_t expected) {
  SSTFS_RETURN_IF_ERROR(CheckPlausibleSize(in, expected));
  if (in.size() - 4 > INT_MAX || expected > INT_MAX) {
    return Bad("LZ4 chunk too large");
  }
  int got = LZ4_decompress_safe(reinterpret_cast<const char*>(in.data() + 4),
                                reinterpret_cast<char*>(dst),
                                static_cast<int>(in.size() - 4),
                                static_cast<int>(expected));
  if (got < 0) return Bad("LZ4 decompression failed (malformed block)");
  if (static_cast<size_t>(got) != expected) {
    return Bad("LZ4 block decompressed to " + Sz(static_cast<size_t>(got)) +
               " bytes, expected " + Sz(expected));
  }
  return Status::Ok();
}

Status Decompressor::DecompressSnappy(ByteView in, uint8_t* dst,
                                      size_t expected) {
  SSTFS_RETURN_IF_ERROR(CheckPlausibleSize(in, expected));
  size_t out_len = expected;
  if (snappy_uncompress(reinterpret_cast<const char*>(in.data()), in.size(),
                        reinterpret_cast<char*>(dst), &out_len) != SNAPPY_OK) {
    return Bad("Snappy decompression failed (malformed data)");
  }
  if (out_len != expected) {
    return Bad("Snappy chunk decompressed to " + Sz(out_len) +
               " bytes, expected " + Sz(expected));
  }
  return Status::Ok();
}

Status Decompressor::DecompressDeflate(ByteView in, uint8_t* dst,
                                       size_t expected) {
  // DeflateCompressor.compress writes nothing at all for an empty buffer.
  if (in.empty() && expected == 0) return Status::Ok();
  SSTFS_RETURN_IF_ERROR(CheckPlausibleSize(in, expected));
  if (ctx_->deflate == nullptr) {
    ctx_->deflate = libdeflate_alloc_decompressor();
    if (ctx_->deflate == nullptr) {
      return Status::IoError("out of memory allocating a Deflate decompressor");
    }
  }
  size_t in_used = 0, out_len = 0;
  libdeflate_result r = libdeflate_zlib_decompress_ex(
      ctx_->deflate, in.data(), in.size(), dst, expected, &in_used, &out_len);
  if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
    return Bad("Deflate chunk decompresses to more than " + Sz(expected) +
               " bytes");
  }
  if (r != LIBDEFLATE_SUCCESS) {
    return Bad("Deflate (zlib) decompression failed (malformed stream)");
  }
  if (out_len != expected) {
    return Bad("Deflate chunk decompressed to " + Sz(out_len) +
               " bytes, expected " + Sz(expected));
  }
  if (in_used != in.size()) {
    return Bad(Sz(in.size() - in_used) +
               " unexpected bytes after the Deflate stream");
  }
  return Status::Ok();
}

Status Decompressor::DecompressZstd(ByteView in, uint8_t* dst,
                                    size_t expected) {
  SSTFS_RETURN_IF_ERROR(CheckPlausibleSize(in, expected));
  if (ctx_->zstd == nullptr) {
    ctx_->zstd = ZSTD_createDCtx();
    if (ctx_->zstd == nullptr) {
      return Status::IoError("out of memory allocating a Zstd context");
    }
  }
  size_t got =
      ZSTD_decompressDCtx(ctx_->zstd, dst, expected, in.data(), in.size());
  if (ZSTD_isError(got)) {
    return Bad(std::string("Zstd decompression failed: ") +
               ZSTD_getErrorName(got));
  }
  if (got != expected) {
    return Bad("Zstd chunk decompressed to " + Sz(got) + " bytes, expected " +
               Sz(expected));
  }
  return Status::Ok();
}

}  // namespace sstablefs::reader
