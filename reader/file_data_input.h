// DataInputs over a Data.db file: compressed (CompressionInfo.db chunks) and
// uncompressed (optionally checked against CRC.db). See reader/data_input.h
// for the Peek/Seek/Skip contract and reader/FORMAT.md, "Compressed Data.db
// chunks" and "CRC.db", for the bytes.
//
// Contract:
//  - Every chunk is verified before its bytes are used or cached: compressed
//    chunks by their trailing CRC32 (then decompressed and length-checked),
//    uncompressed chunks by CRC.db when it exists. A mismatch is kCorruption:
//      "<Data.db path>: chunk N at offset X: checksum mismatch (stored
//       0x..., computed 0x...)"
//    where X is the chunk's byte offset in Data.db (SPEC §6).
//  - The one fetch path per chunk is: cache lookup -> pread -> checksum ->
//    decompress -> cache insert. `cache` may be nullptr (no caching; the
//    DataInput then reuses its own buffers and allocates nothing per chunk).
//    With CacheFill::kLookupOnly a miss is not inserted (rocksdb's
//    fill_cache=false): a sequential scan reads each chunk once, so caching
//    it would only evict what point lookups reuse and grow memory.
//    `file_id` comes from ChunkCache::NewFileId(), one per Data.db.
//  - Memory: one chunk (or a cache reference), one compressed-chunk buffer
//    and the Peek scratch window, which grows only by bytes actually read.
//    Data.db is never read whole.
//  - Each DataInput is single-threaded; open one per thread. The file, the
//    CompressionInfo and the cache are shared.
#ifndef SSTABLEFS_READER_FILE_DATA_INPUT_H_
#define SSTABLEFS_READER_FILE_DATA_INPUT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "reader/chunk_cache.h"
#include "reader/compression_info.h"
#include "reader/data_input.h"
#include "reader/file_util.h"
#include "reader/status.h"

namespace sstablefs::reader {

// `info` must describe `data` (from DecodeCompressionInfo with data->size());
// its layout is re-checked here. kUnsupported for an unknown compressor.
Result<std::unique_ptr<DataInput>> OpenCompressedDataInput(
    std::shared_ptr<RandomAccessFile> data,
    std::shared_ptr<const CompressionInfo> info, ChunkCache* cache,
    uint64_t file_id, CacheFill fill = CacheFill::kFill);

// `crc_path` is the CRC.db path, or "" when there is none (then chunks are
// not verified). A CRC.db whose size does not match Data.db is kCorruption.
Result<std::unique_ptr<DataInput>> OpenUncompressedDataInput(
    std::shared_ptr<RandomAccessFile> data, const std::string& crc_path,
    ChunkCache* cache, uint64_t file_id, CacheFill fill = CacheFill::kFill);

// For `verify`: checks every chunk listed in CompressionInfo.db (including a
// trailing empty one that readers never touch) and returns one status per
// damaged chunk (empty when all are good). A read error of the file itself is
// returned as the Result's status. Uses no cache.
Result<std::vector<Status>> VerifyCompressedChunks(
    std::shared_ptr<RandomAccessFile> data,
    std::shared_ptr<const CompressionInfo> info);
// Likewise for an uncompressed Data.db against its CRC.db.
Result<std::vector<Status>> VerifyUncompressedChunks(
    std::shared_ptr<RandomAccessFile> data, const std::string& crc_path);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_FILE_DATA_INPUT_H_
