#include "reader/crc32.h"

#include <libdeflate.h>

#include <memory>
#include <string>

namespace sstablefs::reader {

uint32_t Crc32(uint32_t crc, const uint8_t* data, size_t n) {
  // libdeflate_crc32 takes the running value in the same (post-xor) form as
  // zlib, so chaining needs no adjustment.
  return libdeflate_crc32(crc, data, n);
}

Result<uint32_t> ComputeFileCrc32(const RandomAccessFile& file) {
  // 1 MiB blocks: large enough for full-speed pread + CRC, small enough to
  // keep memory flat whatever the file size.
  constexpr size_t kBlock = 1 << 20;
  const uint64_t size = file.size();
  std::unique_ptr<uint8_t[]> buf(
      new uint8_t[size < kBlock ? (size == 0 ? 1 : size) : kBlock]);
  const size_t cap = size < kBlock ? static_cast<size_t>(size) : kBlock;
  uint32_t crc = 0;
  uint64_t pos = 0;
  while (pos < size) {
    size_t want = size - pos < cap ? static_cast<size_t>(size - pos) : cap;
    SSTFS_RETURN_IF_ERROR(file.ReadExactAt(pos, want, buf.get()));
    crc = Crc32(crc, buf.get(), want);
    pos += want;
  }
  return crc;
}

Result<uint32_t> ParseDigestCrc32(ByteView text, const std::string& path) {
  size_t end = text.size();
  while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r')) --end;
  if (end == 0) return Status::Corruption(path + ": empty digest");
  uint64_t v = 0;
  for (size_t i = 0; i < end; ++i) {
    uint8_t c = text[i];
    if (c < '0' || c > '9' || i >= 10) {
      return Status::Corruption(
          path + ": digest is not a decimal CRC32 value: \"" +
          std::string(text.substr(0, end < 40 ? end : 40).AsStringView()) +
          "\"");
    }
    v = v * 10 + (c - '0');
  }
  if (v > 0xffffffffull) {
    return Status::Corruption(path + ": digest value " + std::to_string(v) +
                              " does not fit in 32 bits");
  }
  return static_cast<uint32_t>(v);
}

std::string Crc32Hex(uint32_t crc) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x00000000";
  for (int i = 0; i < 8; ++i) {
    out[9 - i] = kDigits[(crc >> (4 * i)) & 0xf];
  }
  return out;
}

}  // namespace sstablefs::reader
