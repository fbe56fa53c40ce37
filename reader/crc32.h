// CRC32 as Cassandra computes it (java.util.zip.CRC32: IEEE 802.3
// polynomial, reflected, init/xorout 0xffffffff — the same as zlib's crc32),
// computed with libdeflate (several times faster than zlib).
// See reader/FORMAT.md, sections "Compressed Data.db chunks", "CRC.db" and
// "Digest.crc32".
//
// Thread-safe, no allocation.
#ifndef SSTABLEFS_READER_CRC32_H_
#define SSTABLEFS_READER_CRC32_H_

#include <cstddef>
#include <cstdint>

#include "reader/byte_view.h"
#include "reader/file_util.h"
#include "reader/status.h"

namespace sstablefs::reader {

// Continues `crc` over `data`; start with crc = 0.
// Crc32(Crc32(0, a), b) == Crc32(0, a ++ b).
uint32_t Crc32(uint32_t crc, const uint8_t* data, size_t n);
inline uint32_t Crc32(ByteView data) {
  return Crc32(0, data.data(), data.size());
}

// CRC32 of a whole file, read in bounded blocks (never the whole file in
// memory). This is what Digest.crc32 holds for Data.db in ma..nb.
Result<uint32_t> ComputeFileCrc32(const RandomAccessFile& file);

// Parses Digest.crc32 content: the checksum as unsigned decimal text
// (Java Long.toString of CRC32.getValue()), optionally followed by a newline.
// kCorruption naming `path` for anything else (empty, non-digits, > 2^32-1).
Result<uint32_t> ParseDigestCrc32(ByteView text, const std::string& path);

// "0x1a2b3c4d": the form checksum-mismatch messages use (SPEC §6).
std::string Crc32Hex(uint32_t crc);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_CRC32_H_
