#include "reader/verify_scan.h"

#include <zlib.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "reader/compressor.h"
#include "reader/crc32.h"

namespace sstablefs::reader {
namespace {

constexpr size_t kBlock = 4 << 20;
// CRC.db chunk sizes Cassandra writes are 64 KiB; refuse absurd ones rather
// than allocate them.
constexpr uint32_t kMaxCrcChunk = 64u << 20;
constexpr size_t kMaxCrcDbBytes = 256u << 20;

std::string U(uint64_t v) { return std::to_string(v); }

uint32_t LoadBe32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

std::string ChunkPrefix(const std::string& path, uint64_t index,
                        uint64_t offset) {
  return path + ": chunk " + U(index) + " at offset " + U(offset);
}

// Reads a file front to back through one bounded buffer; hands out views of
// ranges requested in increasing order.
class SequentialBlocks {
 public:
  SequentialBlocks(const RandomAccessFile& file, VerifyContext& ctx)
      : file_(file), ctx_(ctx) {}

  // A view of [offset, offset + len). REQUIRES: offset + len <= size and
  // offset >= the previous request's offset.
  Result<const uint8_t*> Get(uint64_t offset, size_t len) {
    if (offset >= start_ && offset + len <= start_ + filled_) {
      return buf_.data() + (offset - start_);
    }
    size_t want = static_cast<size_t>(
        std::min<uint64_t>(std::max(len, kBlock), file_.size() - offset));
    if (buf_.size() < want) buf_.resize(want);
    SSTFS_RETURN_IF_ERROR(file_.ReadExactAt(offset, want, buf_.data()));
    start_ = offset;
    filled_ = want;
    ctx_.Progress(want);
    return buf_.data();
  }

 private:
  const RandomAccessFile& file_;
  VerifyContext& ctx_;
  std::vector<uint8_t> buf_;
  uint64_t start_ = 0;
  size_t filled_ = 0;
};

// Continues `crc` (of everything before) over a piece whose own CRC is
// `piece_crc`, without touching its bytes again.
uint32_t Combine(uint32_t crc, uint32_t piece_crc, uint64_t piece_len) {
  return static_cast<uint32_t>(
      crc32_combine(crc, piece_crc, static_cast<z_off_t>(piece_len)));
}

// CRCs the bytes [from, size) into `crc` (the tail no chunk covers, or the
// whole file when there is no chunk layout).
Status CrcRange(SequentialBlocks& blocks, uint64_t from, uint64_t size,
                uint32_t* crc) {
  while (from < size) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(kBlock, size - from));
    SSTFS_ASSIGN_OR_RETURN(const uint8_t* p, blocks.Get(from, n));
    *crc = Crc32(*crc, p, n);
    from += n;
  }
  return Status::Ok();
}

Status ScanCompressed(const DataScanPlan& plan, SequentialBlocks& blocks,
                      DataScanResult* out) {
  const CompressionInfo& info = *plan.compression;
  const std::string& path = plan.data->path();
  std::unique_ptr<Decompressor> decompressor;
  if (plan.decompress) {
    Result<Codec> codec = CodecForClass(info.compressor_class);
    // An unknown compressor is reported by the structure pass; the
    // checksums can still be checked.
    if (codec.ok()) decompressor = std::make_unique<Decompressor>(*codec);
  }
  std::vector<uint8_t> plain;
  uint64_t covered = 0;
  for (uint64_t i = 0; i < info.chunk_offsets.size(); ++i) {
    const uint64_t offset = info.chunk_offsets[i];
    const uint32_t stored_len = info.StoredChunkLength(i);
    SSTFS_ASSIGN_OR_RETURN(const uint8_t* p,
                           blocks.Get(offset, size_t{stored_len} + 4));
    const uint32_t computed = Crc32(0, p, stored_len);
    const uint32_t stored = LoadBe32(p + stored_len);
    out->file_crc = Combine(out->file_crc, computed, stored_len);
    out->file_crc = Crc32(out->file_crc, p + stored_len, 4);
    covered = offset + stored_len + 4;
    ++out->chunks_checked;
    if (stored != computed) {
      out->damaged_chunks.push_back(Status::Corruption(
          ChunkPrefix(path, i, offset) + ": checksum mismatch (stored " +
          Crc32Hex(stored) + ", computed " + Crc32Hex(computed) + ")"));
      continue;
    }
    if (!decompressor || i >= info.DataChunkCount()) continue;
    const size_t expected = info.UncompressedChunkLength(i);
    ByteView in(p, stored_len);
    Status s;
    if (info.IsRawChunk(i)) {
      if (stored_len < expected) {
        s = Status::Corruption("uncompressed chunk holds " + U(stored_len) +
                               " bytes, expected " + U(expected));
      }
    } else {
      s = decompressor->CheckPlausibleSize(in, expected);
      if (s.ok()) {
        if (plain.size() < expected + 1) plain.resize(expected + 1);
        s = decompressor->Decompress(in, plain.data(), expected);
      }
    }
    if (!s.ok()) {
      out->damaged_chunks.push_back(Status::Corruption(
          ChunkPrefix(path, i, offset) + ": " + s.message()));
    }
  }
  return CrcRange(blocks, covered, plan.data->size(), &out->file_crc);
}

// CRC.db: i32 chunk size, then one CRC32 per chunk of Data.db (big-endian).
Result<std::string> LoadCrcDb(const std::string& path, uint64_t data_size,
                              uint32_t* chunk_size) {
  SSTFS_ASSIGN_OR_RETURN(std::string bytes,
                         ReadSmallFile(path, kMaxCrcDbBytes));
  if (bytes.size() < 4) {
    return Status::Corruption(path, 0, "too short for a chunk size");
  }
  *chunk_size = LoadBe32(reinterpret_cast<const uint8_t*>(bytes.data()));
  // Cassandra writes its buffer size, a power of two (64 KiB by default).
  if (*chunk_size == 0 || *chunk_size > kMaxCrcChunk ||
      (*chunk_size & (*chunk_size - 1)) != 0) {
    return Status::Corruption(
        path, 0,
        "invalid chunk size " +
            std::to_string(static_cast<int32_t>(*chunk_size)));
  }
  const uint64_t needed = (data_size + *chunk_size - 1) / *chunk_size;
  const uint64_t body = bytes.size() - 4;
  // One extra trailing entry is tolerated (as the reader does).
  if (body % 4 != 0 || body / 4 < needed || body / 4 > needed + 1) {
    return Status::Corruption(
        path + ": " + U(body / 4) + " checksums" +
        (body % 4 != 0 ? " and " + U(body % 4) + " stray bytes" : "") +
        ", but Data.db (" + U(data_size) + " bytes in chunks of " +
        U(*chunk_size) + ") needs " + U(needed));
  }
  return bytes;
}

Status ScanUncompressed(const DataScanPlan& plan, const std::string& crc_db,
                        uint32_t chunk_size, SequentialBlocks& blocks,
                        DataScanResult* out) {
  const uint64_t size = plan.data->size();
  const std::string& path = plan.data->path();
  const uint8_t* crcs = reinterpret_cast<const uint8_t*>(crc_db.data()) + 4;
  for (uint64_t start = 0, i = 0; start < size; start += chunk_size, ++i) {
    const size_t len =
        static_cast<size_t>(std::min<uint64_t>(chunk_size, size - start));
    SSTFS_ASSIGN_OR_RETURN(const uint8_t* p, blocks.Get(start, len));
    const uint32_t computed = Crc32(0, p, len);
    const uint32_t stored = LoadBe32(crcs + 4 * i);
    out->file_crc = Combine(out->file_crc, computed, len);
    ++out->chunks_checked;
    if (stored != computed) {
      out->damaged_chunks.push_back(Status::Corruption(
          ChunkPrefix(path, i, start) + ": checksum mismatch (stored " +
          Crc32Hex(stored) + ", computed " + Crc32Hex(computed) + ")"));
    }
  }
  return Status::Ok();
}

}  // namespace

DataScanResult ScanDataFile(const DataScanPlan& plan, VerifyContext& ctx) {
  DataScanResult out;
  SequentialBlocks blocks(*plan.data, ctx);
  Status s;
  if (plan.verify_chunks && plan.compression) {
    s = ScanCompressed(plan, blocks, &out);
  } else if (plan.verify_chunks && !plan.crc_path.empty()) {
    uint32_t chunk_size = 0;
    Result<std::string> crc_db =
        LoadCrcDb(plan.crc_path, plan.data->size(), &chunk_size);
    if (crc_db.ok()) {
      s = ScanUncompressed(plan, *crc_db, chunk_size, blocks, &out);
    } else {
      out.layout_status = crc_db.status();
      s = CrcRange(blocks, 0, plan.data->size(), &out.file_crc);
    }
  } else {
    s = CrcRange(blocks, 0, plan.data->size(), &out.file_crc);
  }
  if (!s.ok()) out.io_status = s;
  return out;
}

}  // namespace sstablefs::reader
