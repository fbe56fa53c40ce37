// CompressionInfo.db: how Data.db is cut into compressed chunks.
// Written by CompressionMetadata.Writer (Cassandra); read by
// CompressionMetadata.open. See reader/FORMAT.md, "CompressionInfo.db" and
// "Compressed Data.db chunks".
//
// Layout (all integers big-endian, Java DataOutput):
//   writeUTF   compressor class name ("LZ4Compressor" or fully qualified)
//   int        option count, then count x (writeUTF key, writeUTF value)
//   int        chunk length (uncompressed bytes per chunk, a power of two)
//   int        max compressed length            (na and later only)
//   long       data length (uncompressed size of Data.db)
//   int        chunk count
//   long[]     chunk offsets in Data.db, one per chunk
//
// Contract:
//  - DecodeCompressionInfo validates everything a reader relies on, so a
//    decoded CompressionInfo can be used without further bounds checks:
//    offsets start at 0, each chunk occupies at least its 4-byte CRC and at
//    most MaxStoredChunkLength() bytes, all lie inside the compressed file,
//    and the chunk count covers data_length (one extra, empty trailing chunk
//    is accepted: Cassandra's writer produces one in some cases).
//  - The compressor class is NOT resolved here (an unknown compressor is a
//    well-formed file); OpenCompressedDataInput reports it as kUnsupported.
//  - Errors are kCorruption naming `path` and the byte offset.
//  - Immutable after decoding; safe to share between threads.
#ifndef SSTABLEFS_READER_COMPRESSION_INFO_H_
#define SSTABLEFS_READER_COMPRESSION_INFO_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "reader/byte_view.h"
#include "reader/status.h"
#include "reader/version.h"

namespace sstablefs::reader {

struct CompressionInfo {
  std::string compressor_class;
  std::vector<std::pair<std::string, std::string>> options;
  uint32_t chunk_length = 0;
  // na+: a chunk whose stored length is >= this was written uncompressed.
  // 0x7fffffff (never raw) when the field is absent (before na) or unset.
  uint32_t max_compressed_length = 0;
  bool has_max_compressed_length = false;  // the field was present on disk
  uint64_t data_length = 0;                // uncompressed
  std::vector<uint64_t> chunk_offsets;
  // Size of Data.db the offsets were validated against.
  uint64_t compressed_file_size = 0;
  // Set by DecodeCompressionInfo once the layout passed validation, so that
  // opening a reader (once per render span) need not re-walk every offset.
  bool layout_validated = false;

  // Chunks that hold data: ceil(data_length / chunk_length). chunk_offsets
  // may hold one more (empty) chunk.
  uint64_t DataChunkCount() const;
  // Uncompressed length of chunk `i` (< DataChunkCount()): chunk_length,
  // except the last data chunk.
  uint32_t UncompressedChunkLength(uint64_t i) const;
  // Stored (on-disk) length of chunk `i` without its trailing 4-byte CRC.
  // REQUIRES: i < chunk_offsets.size(), a decoded (validated) info.
  uint32_t StoredChunkLength(uint64_t i) const;
  // True when chunk `i` is stored uncompressed (na+ maxCompressedLength rule:
  // stored length >= max_compressed_length).
  bool IsRawChunk(uint64_t i) const {
    return StoredChunkLength(i) >= max_compressed_length;
  }
};

// Upper bound on the stored length of one chunk for a chunk length: covers
// the worst-case expansion of every supported codec (and raw chunks). A
// larger gap between offsets means a damaged CompressionInfo.db.
uint64_t MaxStoredChunkLength(uint32_t chunk_length);

// Decodes and validates CompressionInfo.db content (see the contract above).
// `version` selects the layout (HasMaxCompressedLength);
// `compressed_data_file_size` is the size of the matching Data.db.
Result<CompressionInfo> DecodeCompressionInfo(
    ByteView file, Version version, const std::string& path,
    uint64_t compressed_data_file_size);

// Re-checks chunk offsets, counts and lengths against a Data.db of
// `compressed_data_file_size` bytes (DecodeCompressionInfo runs this).
// Errors name `path` (the CompressionInfo.db).
Status ValidateChunkLayout(const CompressionInfo& info, const std::string& path,
                           uint64_t compressed_data_file_size);

// The compressor option named `key` ("crc_check_chance", ...), or nullptr.
const std::string* FindOption(const CompressionInfo& info,
                              std::string_view key);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_COMPRESSION_INFO_H_
