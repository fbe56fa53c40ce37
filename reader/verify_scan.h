// Internal to the verifier: one sequential pass over a Data.db file that
// computes the whole-file CRC32 (Digest.crc32) and checks every chunk's
// checksum on the way (compressed chunks: the CRC32 stored after each chunk;
// uncompressed: CRC.db), so the bytes are read once.
//
// The whole-file CRC is assembled from the per-chunk CRCs with
// crc32_combine, so each byte goes through the CRC routine once.
// Memory: one block buffer (at most max(4 MiB, one chunk)), one decompression
// buffer (one chunk), CRC.db read in bounded blocks.
#ifndef SSTABLEFS_READER_VERIFY_SCAN_H_
#define SSTABLEFS_READER_VERIFY_SCAN_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "reader/compression_info.h"
#include "reader/file_util.h"
#include "reader/status.h"
#include "reader/verify_internal.h"

namespace sstablefs::reader {

struct DataScanPlan {
  std::shared_ptr<RandomAccessFile> data;
  // Compressed Data.db: chunks per CompressionInfo.db.
  std::shared_ptr<const CompressionInfo> compression;
  // Uncompressed Data.db: CRC.db path ("" when none).
  std::string crc_path;
  bool verify_chunks = false;
  // Compressed chunks: also decompress each one (a chunk with a good CRC can
  // still fail to decompress when the writer was broken).
  bool decompress = false;
};

struct DataScanResult {
  uint32_t file_crc = 0;  // CRC32 of all Data.db bytes
  uint64_t chunks_checked = 0;
  // One kCorruption per damaged chunk, in file order, SPEC §6 form:
  // "<Data.db>: chunk N at offset X: checksum mismatch (stored .., computed
  // ..)"
  std::vector<Status> damaged_chunks;
  // CRC.db unusable (bad size, wrong count): chunks not checked.
  Status layout_status;
  // Reading Data.db failed: file_crc is meaningless.
  Status io_status;
};

// Reports bytes read to ctx.Progress().
DataScanResult ScanDataFile(const DataScanPlan& plan, VerifyContext& ctx);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_VERIFY_SCAN_H_
