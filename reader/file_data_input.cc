#include "reader/file_data_input.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "reader/compressor.h"
#include "reader/crc32.h"

namespace sstablefs::reader {
namespace {

constexpr uint64_t kNoChunk = UINT64_MAX;
// Read granularity of an uncompressed Data.db without CRC.db (Cassandra's
// default writer buffer size, which is also CRC.db's usual chunk size).
constexpr uint32_t kUncompressedChunk = 64 * 1024;
constexpr uint32_t kMaxCrcChunkSize = 1u << 30;
constexpr size_t kCrcBlockEntries = 1024;  // CRC.db entries read at a time

std::string U(uint64_t v) { return std::to_string(v); }

uint32_t LoadBe32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) |
         (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}

std::string ChunkPrefix(const std::string& path, uint64_t index,
                        uint64_t offset) {
  return path + ": chunk " + U(index) + " at offset " + U(offset);
}

Status ChunkError(const std::string& path, uint64_t index, uint64_t offset,
                  const std::string& reason) {
  return Status::Corruption(ChunkPrefix(path, index, offset) + ": " + reason);
}

Status ChecksumMismatch(const std::string& path, uint64_t index,
                        uint64_t offset, uint32_t stored, uint32_t computed) {
  return ChunkError(path, index, offset,
                    "checksum mismatch (stored " + Crc32Hex(stored) +
                        ", computed " + Crc32Hex(computed) + ")");
}

// A growable byte buffer that is never zero-filled.
class Buffer {
 public:
  uint8_t* data() { return p_.get(); }
  // Ensures capacity >= n, keeping the first `keep` bytes.
  void Reserve(size_t n, size_t keep) {
    if (n <= cap_) return;
    size_t cap = std::max(n, cap_ * 2);
    std::unique_ptr<uint8_t[]> q(new uint8_t[cap]);
    if (keep != 0) std::memcpy(q.get(), p_.get(), keep);
    p_ = std::move(q);
    cap_ = cap;
  }

 private:
  std::unique_ptr<uint8_t[]> p_;
  size_t cap_ = 0;
};

// Peek/Seek/Skip over fixed-size chunks that a subclass loads on demand. Keeps
// the current chunk and a scratch window for peeks that cross chunk ends, so a
// sequential scan loads every chunk exactly once.
class ChunkedDataInput : public DataInput {
 public:
  ChunkedDataInput(std::string path, uint64_t size, uint64_t chunk_length)
      : path_(std::move(path)), size_(size), chunk_length_(chunk_length) {}

  uint64_t size() const override { return size_; }
  uint64_t position() const override { return pos_; }
  const std::string& path() const override { return path_; }

  Status Seek(uint64_t pos) override {
    if (pos > size_) {
      return Status::Corruption(
          path_, pos, "seek past end of data (" + U(size_) + " bytes)");
    }
    pos_ = pos;
    return Status::Ok();
  }

  Status Skip(size_t n) override {
    if (size_ - pos_ < n) {
      return Status::Corruption(path_, pos_,
                                "unexpected end of data (skipping " + U(n) +
                                    " bytes, " + U(size_ - pos_) + " remain)");
    }
    pos_ += n;
    return Status::Ok();
  }

  Result<ByteView> Peek(size_t n) override {
    // Fast path: the current chunk holds enough. (Unsigned wrap makes `off`
    // huge when pos_ lies before the chunk.)
    uint64_t off = pos_ - cur_start_;
    if (off < cur_.size() && n <= cur_.size() - off) return cur_.substr(off);
    if (pos_ >= size_) return ByteView();
    const size_t want =
        static_cast<size_t>(std::min<uint64_t>(n, size_ - pos_));
    // Asking past the end of the data: the current chunk may still hold all
    // that remains.
    if (off < cur_.size() && want <= cur_.size() - off) {
      return cur_.substr(off);
    }
    if (InScratch(pos_)) {
      size_t at = static_cast<size_t>(pos_ - scratch_start_);
      if (scratch_len_ - at >= want) {
        return ByteView(scratch_.data() + at, scratch_len_ - at);
      }
    } else if (off >= cur_.size()) {
      SSTFS_RETURN_IF_ERROR(MakeCurrent(pos_ / chunk_length_));
      off = pos_ - cur_start_;
      if (want <= cur_.size() - off) return cur_.substr(off);
    }
    return Assemble(want);
  }

 protected:
  // Loads chunk `index` (< number of chunks) and returns exactly its bytes:
  // min(chunk_length, size - index * chunk_length) of them. The view stays
  // valid until the next LoadChunk call.
  virtual Result<ByteView> LoadChunk(uint64_t index) = 0;

  // Scan resistance for LoadChunk: true once more than kScanRunChunks
  // chunks were loaded one after another in order. A long sequential read
  // (one wide partition) then stops inserting into the cache, which keeps
  // its budget for point reads and the daemon's memory flat.
  bool Scanning(uint64_t index) {
    run_ = index == last_loaded_ + 1 ? run_ + 1 : 0;
    last_loaded_ = index;
    return run_ >= kScanRunChunks;
  }

  const std::string path_;

 private:
  static constexpr uint64_t kScanRunChunks = 16;
  uint64_t last_loaded_ = kNoChunk;
  uint64_t run_ = 0;

  bool InScratch(uint64_t pos) const {
    return pos >= scratch_start_ && pos - scratch_start_ < scratch_len_;
  }

  Status MakeCurrent(uint64_t index) {
    // LoadChunk may overwrite the buffer behind cur_: forget it first.
    cur_index_ = kNoChunk;
    cur_start_ = 0;
    cur_ = ByteView();
    SSTFS_ASSIGN_OR_RETURN(ByteView bytes, LoadChunk(index));
    uint64_t start = index * chunk_length_;
    uint64_t expect = std::min<uint64_t>(chunk_length_, size_ - start);
    if (bytes.size() != expect) {
      return Status::Corruption(path_, start,
                                "chunk " + U(index) + " holds " +
                                    U(bytes.size()) + " bytes, expected " +
                                    U(expect));
    }
    cur_index_ = index;
    cur_start_ = start;
    cur_ = bytes;
    return Status::Ok();
  }

  // Copies [pos_, pos_ + want) into the scratch window, reusing what the
  // window already holds and growing only as chunk bytes arrive.
  Result<ByteView> Assemble(size_t want) {
    size_t len = 0;
    if (InScratch(pos_)) {
      size_t at = static_cast<size_t>(pos_ - scratch_start_);
      len = scratch_len_ - at;
      if (at != 0) std::memmove(scratch_.data(), scratch_.data() + at, len);
    }
    scratch_start_ = pos_;
    scratch_len_ = len;
    while (scratch_len_ < want) {
      uint64_t next = scratch_start_ + scratch_len_;
      uint64_t off = next - cur_start_;
      if (off >= cur_.size()) {
        SSTFS_RETURN_IF_ERROR(MakeCurrent(next / chunk_length_));
        off = next - cur_start_;
      }
      size_t take = static_cast<size_t>(
          std::min<uint64_t>(want - scratch_len_, cur_.size() - off));
      scratch_.Reserve(scratch_len_ + take, scratch_len_);
      std::memcpy(scratch_.data() + scratch_len_, cur_.data() + off, take);
      scratch_len_ += take;
    }
    return ByteView(scratch_.data(), scratch_len_);
  }

  const uint64_t size_;
  const uint64_t chunk_length_;
  uint64_t pos_ = 0;
  uint64_t cur_index_ = kNoChunk;
  uint64_t cur_start_ = 0;
  ByteView cur_;
  Buffer scratch_;
  uint64_t scratch_start_ = 0;
  size_t scratch_len_ = 0;
};

// Reads, verifies and decodes single compressed chunks (shared by the
// DataInput and VerifyCompressedChunks).
class CompressedChunkSource {
 public:
  CompressedChunkSource(std::shared_ptr<RandomAccessFile> file,
                        std::shared_ptr<const CompressionInfo> info,
                        Codec codec)
      : file_(std::move(file)), info_(std::move(info)), decompressor_(codec) {}

  const std::string& path() const { return file_->path(); }
  const CompressionInfo& info() const { return *info_; }

  // The stored bytes of chunk `index` after their CRC32 matched; valid until
  // the next call.
  Result<ByteView> ReadStored(uint64_t index) {
    const uint64_t offset = info_->chunk_offsets[index];
    const uint32_t stored_len = info_->StoredChunkLength(index);
    disk_.Reserve(size_t{stored_len} + 4, 0);
    Status s = file_->ReadExactAt(offset, size_t{stored_len} + 4, disk_.data());
    if (!s.ok()) return s.WithContext(ChunkPrefix(path(), index, offset));
    uint32_t stored = LoadBe32(disk_.data() + stored_len);
    uint32_t computed = Crc32(0, disk_.data(), stored_len);
    if (stored != computed) {
      return ChecksumMismatch(path(), index, offset, stored, computed);
    }
    return ByteView(disk_.data(), stored_len);
  }

  // For a raw (stored uncompressed, na+) chunk: its data bytes.
  Result<ByteView> RawBytes(uint64_t index, ByteView stored, size_t expected) {
    // The writer pads a short final raw chunk up to maxCompressedLength.
    if (stored.size() < expected) {
      return ChunkError(path(), index, info_->chunk_offsets[index],
                        "uncompressed chunk holds " + U(stored.size()) +
                            " bytes, expected " + U(expected));
    }
    return stored.substr(0, expected);
  }

  Status CheckPlausible(uint64_t index, ByteView stored, size_t expected) {
    Status s = decompressor_.CheckPlausibleSize(stored, expected);
    if (!s.ok()) {
      return s.WithContext(
          ChunkPrefix(path(), index, info_->chunk_offsets[index]));
    }
    return s;
  }

  Status Decompress(uint64_t index, ByteView stored, uint8_t* dst,
                    size_t expected) {
    Status s = decompressor_.Decompress(stored, dst, expected);
    if (!s.ok()) {
      return s.WithContext(
          ChunkPrefix(path(), index, info_->chunk_offsets[index]));
    }
    return s;
  }

 private:
  std::shared_ptr<RandomAccessFile> file_;
  std::shared_ptr<const CompressionInfo> info_;
  Decompressor decompressor_;
  Buffer disk_;  // stored bytes + CRC of one chunk
};

class CompressedDataInput final : public ChunkedDataInput {
 public:
  CompressedDataInput(std::shared_ptr<RandomAccessFile> file,
                      std::shared_ptr<const CompressionInfo> info, Codec codec,
                      ChunkCache* cache, uint64_t file_id, CacheFill fill)
      : ChunkedDataInput(file->path(), info->data_length, info->chunk_length),
        source_(std::move(file), std::move(info), codec),
        cache_(cache),
        fill_(cache != nullptr && fill == CacheFill::kFill),
        file_id_(file_id) {}

 protected:
  Result<ByteView> LoadChunk(uint64_t index) override {
    const bool fill = fill_ && !Scanning(index);
    if (cache_ != nullptr) {
      if (auto hit = cache_->Lookup(file_id_, index)) {
        holder_ = std::move(hit);
        return holder_->view();
      }
    }
    SSTFS_ASSIGN_OR_RETURN(ByteView stored, source_.ReadStored(index));
    const CompressionInfo& info = source_.info();
    const size_t expected = info.UncompressedChunkLength(index);
    if (info.IsRawChunk(index)) {
      SSTFS_ASSIGN_OR_RETURN(ByteView raw,
                             source_.RawBytes(index, stored, expected));
      if (!fill) return raw;  // zero-copy from the read buffer
      auto chunk = std::make_shared<Chunk>(expected);
      if (expected != 0) std::memcpy(chunk->data.get(), raw.data(), expected);
      return Publish(index, std::move(chunk));
    }
    SSTFS_RETURN_IF_ERROR(source_.CheckPlausible(index, stored, expected));
    if (!fill) {
      out_.Reserve(expected, 0);
      SSTFS_RETURN_IF_ERROR(
          source_.Decompress(index, stored, out_.data(), expected));
      return ByteView(out_.data(), expected);
    }
    auto chunk = std::make_shared<Chunk>(expected);
    SSTFS_RETURN_IF_ERROR(
        source_.Decompress(index, stored, chunk->data.get(), expected));
    return Publish(index, std::move(chunk));
  }

 private:
  ByteView Publish(uint64_t index, std::shared_ptr<Chunk> chunk) {
    holder_ = cache_->Insert(file_id_, index, std::move(chunk));
    return holder_->view();
  }

  CompressedChunkSource source_;
  ChunkCache* cache_;
  bool fill_;  // insert misses into cache_
  uint64_t file_id_;
  std::shared_ptr<const Chunk> holder_;  // the current chunk when cached
  Buffer out_;                           // decompression target, no cache
};

// CRC.db: the chunk size, then one CRC32 per chunk of Data.db. Entries are
// read in blocks rather than all at once (a large Data.db has millions).
class CrcFile {
 public:
  static Result<std::unique_ptr<CrcFile>> Open(const std::string& path,
                                               uint64_t data_size) {
    SSTFS_ASSIGN_OR_RETURN(auto file, RandomAccessFile::Open(path));
    uint8_t head[4];
    SSTFS_RETURN_IF_ERROR(file->ReadExactAt(0, 4, head));
    uint32_t chunk_size = LoadBe32(head);
    if (chunk_size == 0 || chunk_size > kMaxCrcChunkSize) {
      return Status::Corruption(
          path, 0,
          "invalid chunk size " +
              std::to_string(static_cast<int32_t>(chunk_size)));
    }
    uint64_t needed = (data_size + chunk_size - 1) / chunk_size;
    uint64_t body = file->size() - 4;
    // Tolerate one extra trailing entry, like CompressionInfo.db's chunks.
    if (body % 4 != 0 || body / 4 < needed || body / 4 > needed + 1) {
      return Status::Corruption(
          path + ": " + U(body / 4) + " checksums" +
          (body % 4 != 0 ? " and " + U(body % 4) + " stray bytes" : "") +
          ", but Data.db (" + U(data_size) + " bytes in chunks of " +
          U(chunk_size) + ") needs " + U(needed));
    }
    if (body / 4 == needed + 1) {
      // The extra entry is only legitimate as the checksum of an empty final
      // chunk (CRC32 of no bytes is 0); anything else means Data.db lost its
      // last chunk.
      uint8_t last[4];
      SSTFS_RETURN_IF_ERROR(file->ReadExactAt(4 + needed * 4, 4, last));
      if (LoadBe32(last) != 0) {
        return Status::Corruption(
            path + ": " + U(body / 4) + " checksums, but Data.db (" +
            U(data_size) + " bytes in chunks of " + U(chunk_size) + ") needs " +
            U(needed) + ": Data.db looks truncated");
      }
    }
    return std::unique_ptr<CrcFile>(
        new CrcFile(std::move(file), chunk_size, body / 4));
  }

  uint32_t chunk_size() const { return chunk_size_; }
  uint64_t count() const { return count_; }

  // REQUIRES: index < count().
  Result<uint32_t> Get(uint64_t index) {
    if (index - block_first_ >= block_len_) {
      uint64_t first = index - index % kCrcBlockEntries;
      size_t len = static_cast<size_t>(
          std::min<uint64_t>(kCrcBlockEntries, count_ - first));
      block_.resize(len * 4);
      SSTFS_RETURN_IF_ERROR(
          file_->ReadExactAt(4 + first * 4, len * 4, block_.data()));
      block_first_ = first;
      block_len_ = len;
    }
    return LoadBe32(block_.data() + (index - block_first_) * 4);
  }

 private:
  CrcFile(std::shared_ptr<RandomAccessFile> file, uint32_t chunk_size,
          uint64_t count)
      : file_(std::move(file)), chunk_size_(chunk_size), count_(count) {}

  std::shared_ptr<RandomAccessFile> file_;
  uint32_t chunk_size_;
  uint64_t count_;
  std::vector<uint8_t> block_;
  uint64_t block_first_ = 0;
  size_t block_len_ = 0;
};

// Reads one chunk of an uncompressed Data.db into `dst` and checks it against
// CRC.db when there is one.
Status ReadUncompressedChunk(const RandomAccessFile& file, CrcFile* crc,
                             uint64_t index, uint64_t start, size_t len,
                             uint8_t* dst) {
  Status s = file.ReadExactAt(start, len, dst);
  if (!s.ok()) return s.WithContext(ChunkPrefix(file.path(), index, start));
  if (crc == nullptr) return Status::Ok();
  SSTFS_ASSIGN_OR_RETURN(uint32_t stored, crc->Get(index));
  uint32_t computed = Crc32(0, dst, len);
  if (stored != computed) {
    return ChecksumMismatch(file.path(), index, start, stored, computed);
  }
  return Status::Ok();
}

class UncompressedDataInput final : public ChunkedDataInput {
 public:
  UncompressedDataInput(std::shared_ptr<RandomAccessFile> file,
                        std::unique_ptr<CrcFile> crc, ChunkCache* cache,
                        uint64_t file_id, CacheFill fill)
      : ChunkedDataInput(file->path(), file->size(),
                         crc ? crc->chunk_size() : kUncompressedChunk),
        file_(std::move(file)),
        crc_(std::move(crc)),
        cache_(cache),
        fill_(cache != nullptr && fill == CacheFill::kFill),
        file_id_(file_id),
        chunk_size_(crc_ ? crc_->chunk_size() : kUncompressedChunk) {}

 protected:
  Result<ByteView> LoadChunk(uint64_t index) override {
    const uint64_t start = index * chunk_size_;
    const size_t len = static_cast<size_t>(
        std::min<uint64_t>(chunk_size_, file_->size() - start));
    const bool fill = fill_ && !Scanning(index);
    if (cache_ != nullptr) {
      if (auto hit = cache_->Lookup(file_id_, index)) {
        holder_ = std::move(hit);
        return holder_->view();
      }
    }
    if (!fill) {
      buf_.Reserve(len, 0);
      SSTFS_RETURN_IF_ERROR(ReadUncompressedChunk(*file_, crc_.get(), index,
                                                  start, len, buf_.data()));
      return ByteView(buf_.data(), len);
    }
    auto chunk = std::make_shared<Chunk>(len);
    SSTFS_RETURN_IF_ERROR(ReadUncompressedChunk(*file_, crc_.get(), index,
                                                start, len, chunk->data.get()));
    holder_ = cache_->Insert(file_id_, index, std::move(chunk));
    return holder_->view();
  }

 private:
  std::shared_ptr<RandomAccessFile> file_;
  std::unique_ptr<CrcFile> crc_;
  ChunkCache* cache_;
  bool fill_;  // insert misses into cache_
  uint64_t file_id_;
  uint64_t chunk_size_;
  std::shared_ptr<const Chunk> holder_;
  Buffer buf_;
};

Status CheckInfoMatchesFile(const CompressionInfo& info,
                            const RandomAccessFile& data) {
  if (info.compressed_file_size != data.size()) {
    return Status::Corruption(
        data.path() + ": file is " + U(data.size()) +
        " bytes, but its CompressionInfo.db was checked against " +
        U(info.compressed_file_size) + " bytes");
  }
  if (info.layout_validated) return Status::Ok();  // by the decoder
  return ValidateChunkLayout(info, data.path(), data.size());
}

}  // namespace

Result<std::unique_ptr<DataInput>> OpenCompressedDataInput(
    std::shared_ptr<RandomAccessFile> data,
    std::shared_ptr<const CompressionInfo> info, ChunkCache* cache,
    uint64_t file_id, CacheFill fill) {
  if (!data || !info) {
    return Status::InvalidArgument("OpenCompressedDataInput: null argument");
  }
  SSTFS_RETURN_IF_ERROR(CheckInfoMatchesFile(*info, *data));
  Result<Codec> codec = CodecForClass(info->compressor_class);
  if (!codec.ok()) return codec.status().WithContext(data->path());
  return std::unique_ptr<DataInput>(new CompressedDataInput(
      std::move(data), std::move(info), *codec, cache, file_id, fill));
}

Result<std::unique_ptr<DataInput>> OpenUncompressedDataInput(
    std::shared_ptr<RandomAccessFile> data, const std::string& crc_path,
    ChunkCache* cache, uint64_t file_id, CacheFill fill) {
  if (!data) {
    return Status::InvalidArgument("OpenUncompressedDataInput: null file");
  }
  std::unique_ptr<CrcFile> crc;
  if (!crc_path.empty()) {
    SSTFS_ASSIGN_OR_RETURN(crc, CrcFile::Open(crc_path, data->size()));
  }
  return std::unique_ptr<DataInput>(new UncompressedDataInput(
      std::move(data), std::move(crc), cache, file_id, fill));
}

Result<std::vector<Status>> VerifyCompressedChunks(
    std::shared_ptr<RandomAccessFile> data,
    std::shared_ptr<const CompressionInfo> info) {
  if (!data || !info) {
    return Status::InvalidArgument("VerifyCompressedChunks: null argument");
  }
  SSTFS_RETURN_IF_ERROR(CheckInfoMatchesFile(*info, *data));
  Result<Codec> codec = CodecForClass(info->compressor_class);
  if (!codec.ok()) return codec.status().WithContext(data->path());
  CompressedChunkSource source(data, info, *codec);
  std::vector<Status> damaged;
  Buffer out;
  for (uint64_t i = 0; i < info->chunk_offsets.size(); ++i) {
    Result<ByteView> stored = source.ReadStored(i);
    Status s = stored.status();
    if (s.ok()) {
      size_t expected = info->UncompressedChunkLength(i);
      if (info->IsRawChunk(i)) {
        s = source.RawBytes(i, *stored, expected).status();
      } else {
        s = source.CheckPlausible(i, *stored, expected);
        if (s.ok()) {
          out.Reserve(expected + 1, 0);
          s = source.Decompress(i, *stored, out.data(), expected);
        }
      }
    }
    if (s.code() == StatusCode::kIoError) return s;
    if (!s.ok()) damaged.push_back(std::move(s));
  }
  return damaged;
}

Result<std::vector<Status>> VerifyUncompressedChunks(
    std::shared_ptr<RandomAccessFile> data, const std::string& crc_path) {
  if (!data) {
    return Status::InvalidArgument("VerifyUncompressedChunks: null file");
  }
  std::vector<Status> damaged;
  if (crc_path.empty()) return damaged;
  SSTFS_ASSIGN_OR_RETURN(auto crc, CrcFile::Open(crc_path, data->size()));
  Buffer buf;
  const uint64_t cs = crc->chunk_size();
  for (uint64_t start = 0, i = 0; start < data->size(); start += cs, ++i) {
    size_t len =
        static_cast<size_t>(std::min<uint64_t>(cs, data->size() - start));
    buf.Reserve(len, 0);
    Status s =
        ReadUncompressedChunk(*data, crc.get(), i, start, len, buf.data());
    if (s.code() == StatusCode::kIoError) return s;
    if (!s.ok()) damaged.push_back(std::move(s));
  }
  return damaged;
}

}  // namespace sstablefs::reader
