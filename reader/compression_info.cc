#include "reader/compression_info.h"

#include <limits>
#include <string>

#include "reader/byte_reader.h"

namespace sstablefs::reader {
namespace {

constexpr uint32_t kNeverRaw = std::numeric_limits<int32_t>::max();
// The largest power of two that fits in a positive Java int.
constexpr uint32_t kMaxChunkLength = 1u << 30;

std::string U(uint64_t v) { return std::to_string(v); }

Status Truncated(const std::string& path, const ByteReader& r,
                 const char* what) {
  return Status::Corruption(
      path, r.offset(),
      std::string("truncated CompressionInfo.db: ") + "cannot read " + what);
}

}  // namespace

uint64_t CompressionInfo::DataChunkCount() const {
  if (chunk_length == 0) return 0;
  return (data_length + chunk_length - 1) / chunk_length;
}

uint32_t CompressionInfo::UncompressedChunkLength(uint64_t i) const {
  uint64_t start = i * chunk_length;
  if (start >= data_length) return 0;
  uint64_t left = data_length - start;
  return left < chunk_length ? static_cast<uint32_t>(left) : chunk_length;
}

uint32_t CompressionInfo::StoredChunkLength(uint64_t i) const {
  uint64_t end = i + 1 < chunk_offsets.size() ? chunk_offsets[i + 1]
                                              : compressed_file_size;
  return static_cast<uint32_t>(end - chunk_offsets[i] - 4);
}

uint64_t MaxStoredChunkLength(uint32_t chunk_length) {
  // LZ4 worst case is n + n/255 + 16 (+4 header), Snappy 32 + n + n/6,
  // Deflate/zlib n + n/1000 + 11 + 6, Zstd a few hundred bytes over n; raw
  // chunks are at most n. Twice the chunk plus a constant covers them all.
  return 2ull * chunk_length + 1024;
}

Status ValidateChunkLayout(const CompressionInfo& info, const std::string& path,
                           uint64_t file_size) {
  const uint64_t count = info.chunk_offsets.size();
  const uint64_t needed = info.DataChunkCount();
  if (count < needed || count > needed + 1) {
    return Status::Corruption(path + ": " + U(count) +
                              " chunks listed, but data length " +
                              U(info.data_length) + " with chunk length " +
                              U(info.chunk_length) + " needs " + U(needed));
  }
  const uint64_t max_stored = MaxStoredChunkLength(info.chunk_length) + 4;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t start = info.chunk_offsets[i];
    uint64_t end = i + 1 < count ? info.chunk_offsets[i + 1] : file_size;
    if (i == 0 && start != 0) {
      return Status::Corruption(path + ": chunk 0 starts at offset " +
                                U(start) + ", not 0");
    }
    // Every chunk carries at least its 4-byte CRC, so offsets strictly grow.
    if (end < start || end - start < 4 || end > file_size) {
      return Status::Corruption(
          path + ": chunk " + U(i) + " at offset " + U(start) +
          (end > file_size || start > file_size
               ? " lies outside Data.db (" + U(file_size) + " bytes)"
               : ": next chunk starts at " + U(end) +
                     ", less than 4 bytes later"));
    }
    if (end - start > max_stored) {
      return Status::Corruption(path + ": chunk " + U(i) + " at offset " +
                                U(start) + ": stored length " +
                                U(end - start - 4) +
                                " is too large for chunk "
                                "length " +
                                U(info.chunk_length));
    }
  }
  return Status::Ok();
}

Result<CompressionInfo> DecodeCompressionInfo(ByteView file, Version version,
                                              const std::string& path,
                                              uint64_t data_file_size) {
  CompressionInfo info;
  ByteReader r(file);
  if (!r.ReadUTF(&info.compressor_class)) {
    return Truncated(path, r, "the compressor class name");
  }
  if (info.compressor_class.empty()) {
    return Status::Corruption(path, 0, "empty compressor class name");
  }
  int32_t option_count;
  if (!r.ReadI32(&option_count)) return Truncated(path, r, "the option count");
  // Each option takes at least 4 bytes (two empty writeUTF strings).
  if (option_count < 0 ||
      static_cast<uint64_t>(option_count) * 4 > r.remaining()) {
    return Status::Corruption(path, r.offset() - 4,
                              "invalid option count " + U(option_count));
  }
  info.options.reserve(static_cast<size_t>(option_count));
  for (int32_t i = 0; i < option_count; ++i) {
    std::string key, value;
    if (!r.ReadUTF(&key) || !r.ReadUTF(&value)) {
      return Truncated(path, r, "a compressor option");
    }
    info.options.emplace_back(std::move(key), std::move(value));
  }
  int32_t chunk_length;
  if (!r.ReadI32(&chunk_length)) return Truncated(path, r, "the chunk length");
  if (chunk_length <= 0 || (chunk_length & (chunk_length - 1)) != 0 ||
      static_cast<uint32_t>(chunk_length) > kMaxChunkLength) {
    return Status::Corruption(path, r.offset() - 4,
                              "chunk length " + std::to_string(chunk_length) +
                                  " is not a positive power of two");
  }
  info.chunk_length = static_cast<uint32_t>(chunk_length);
  info.max_compressed_length = kNeverRaw;
  if (HasMaxCompressedLength(version)) {
    int32_t max_compressed;
    if (!r.ReadI32(&max_compressed)) {
      return Truncated(path, r, "the max compressed length");
    }
    // 0 would make every chunk "raw" and hand compressed bytes out as data;
    // Cassandra never writes it (the default is Integer.MAX_VALUE).
    if (max_compressed <= 0) {
      return Status::Corruption(
          path, r.offset() - 4,
          "invalid max compressed length " + std::to_string(max_compressed));
    }
    info.max_compressed_length = static_cast<uint32_t>(max_compressed);
    info.has_max_compressed_length = true;
  }
  int64_t data_length;
  if (!r.ReadI64(&data_length)) return Truncated(path, r, "the data length");
  if (data_length < 0) {
    return Status::Corruption(
        path, r.offset() - 8,
        "negative data length " + std::to_string(data_length));
  }
  info.data_length = static_cast<uint64_t>(data_length);
  int32_t chunk_count;
  if (!r.ReadI32(&chunk_count)) return Truncated(path, r, "the chunk count");
  if (chunk_count < 0 ||
      static_cast<uint64_t>(chunk_count) * 8 > r.remaining()) {
    return Status::Corruption(
        path, r.offset() - 4,
        "chunk count " + std::to_string(chunk_count) + " needs " +
            std::to_string(static_cast<int64_t>(chunk_count) * 8) +
            " bytes of offsets, " + U(r.remaining()) + " remain");
  }
  info.chunk_offsets.resize(static_cast<size_t>(chunk_count));
  for (auto& offset : info.chunk_offsets) {
    r.ReadU64(&offset);  // cannot fail: length checked above
  }
  if (!r.AtEnd()) {
    return Status::Corruption(
        path, r.offset(),
        U(r.remaining()) + " unexpected bytes after the chunk offsets");
  }
  info.compressed_file_size = data_file_size;
  SSTFS_RETURN_IF_ERROR(ValidateChunkLayout(info, path, data_file_size));
  info.layout_validated = true;
  return info;
}

const std::string* FindOption(const CompressionInfo& info,
                              std::string_view key) {
  for (const auto& [k, v] : info.options) {
    if (k == key) return &v;
  }
  return nullptr;
}

}  // namespace sstablefs::reader
