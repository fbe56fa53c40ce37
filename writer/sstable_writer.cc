#include "writer/sstable_writer.h"

#include <lz4.h>

#include <cerrno>
#include <cstdio>
#include <utility>

#include "reader/byte_reader.h"
#include "reader/crc32.h"
#include "reader/version.h"
#include "writer/data_encoder.h"
#include "writer/metadata.h"
#include "writer/statistics_writer.h"

namespace sstablefs::writer {

using reader::AppendU16;
using reader::AppendU32;
using reader::AppendU64;
using reader::AppendUnsignedVInt;
using reader::ByteView;

namespace {

// ChecksummedSequentialWriter's buffer: CRC.db has one CRC per 64 KiB.
constexpr uint32_t kCrcChunkLength = 64 * 1024;
// CompressionParams.DEFAULT_MIN_COMPRESS_RATIO 0: every chunk is compressed.
constexpr uint32_t kMaxCompressedLength = 0x7fffffff;

// An output file written through a large stdio buffer; remembers the first
// error.
class OutFile {
 public:
  ~OutFile() {
    if (f_ != nullptr) std::fclose(f_);
  }
  Status Open(const std::string& path) {
    path_ = path;
    f_ = std::fopen(path.c_str(), "wb");
    if (f_ == nullptr) return Status::FromErrno("open " + path, errno);
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
    return Status::Ok();
  }
  Status Write(const void* p, size_t n) {
    if (n != 0 && std::fwrite(p, 1, n, f_) != n) {
      return Status::FromErrno("write " + path_, errno != 0 ? errno : EIO);
    }
    return Status::Ok();
  }
  Status Write(std::string_view s) { return Write(s.data(), s.size()); }
  Status Close() {
    std::FILE* f = f_;
    f_ = nullptr;
    if (f != nullptr && std::fclose(f) != 0) {
      return Status::FromErrno("close " + path_, errno);
    }
    return Status::Ok();
  }

 private:
  std::string path_;
  std::FILE* f_ = nullptr;
};

Status WriteWholeFile(const std::string& path, std::string_view bytes) {
  OutFile f;
  SSTFS_RETURN_IF_ERROR(f.Open(path));
  SSTFS_RETURN_IF_ERROR(f.Write(bytes));
  return f.Close();
}

class BigTableWriter final : public SSTableWriter {
 public:
  BigTableWriter(std::string directory, WriterSchema schema,
                 WriterOptions options, reader::Columns columns)
      : schema_(std::move(schema)),
        options_(std::move(options)),
        version_(options_.version),
        columns_(std::move(columns)),
        partitioner_(options_.partitioner),
        encoder_(&columns_, &stats_, options_.column_index_size),
        summary_(options_.min_index_interval),
        filter_(options_.bloom_fp_chance, options_.expected_partitions,
                reader::HasOldBfFormat(version_)) {
    prefix_ = directory + "/" + options_.version + "-" + options_.generation +
              "-big-";
    block_ = options_.lz4 ? options_.chunk_length : kCrcChunkLength;
    stats_.SetLegacy(!reader::HasMetadataChecksum(version_));
  }

  Status Open() {
    SSTFS_RETURN_IF_ERROR(data_.Open(prefix_ + "Data.db"));
    return index_.Open(prefix_ + "Index.db");
  }

  Status Add(const PartitionData& p) override {
    SSTFS_RETURN_IF_ERROR(BeginPartition(
        p.key, p.deletion, p.static_row ? &*p.static_row : nullptr));
    for (const reader::Unfiltered& u : p.unfiltereds) {
      SSTFS_RETURN_IF_ERROR(AddUnfiltered(u));
    }
    return EndPartition();
  }

  Status BeginPartition(std::string_view key,
                        const reader::DeletionTime& deletion,
                        const reader::Row* static_row) override {
    SSTFS_RETURN_IF_ERROR(failed_);
    if (finished_) return Status::InvalidArgument("writer already finished");
    if (in_partition_) {
      return Status::InvalidArgument("BeginPartition inside a partition");
    }
    if (partitions_ > 0 &&
        partitioner_.CompareKeys(ByteView(last_key_), ByteView(key)) >= 0) {
      return Status::InvalidArgument(
          "partitions must come in strictly increasing partitioner order");
    }
    last_key_.assign(key);
    in_partition_ = true;
    return Check(encoder_.BeginPartition(ByteView(last_key_), deletion,
                                         static_row, &buffer_));
  }

  Status AddUnfiltered(const reader::Unfiltered& u) override {
    SSTFS_RETURN_IF_ERROR(failed_);
    if (!in_partition_) return Status::InvalidArgument("no open partition");
    SSTFS_RETURN_IF_ERROR(Check(encoder_.AddUnfiltered(u, &buffer_)));
    return Check(Drain(false));
  }

  Status EndPartition() override {
    SSTFS_RETURN_IF_ERROR(failed_);
    if (!in_partition_) return Status::InvalidArgument("no open partition");
    in_partition_ = false;
    SSTFS_RETURN_IF_ERROR(Check(encoder_.EndPartition(&buffer_)));
    // BigTableWriter.IndexWriter.append: key, RowIndexEntry.
    const ByteView key(last_key_);
    summary_.Add(key, index_position_);
    filter_.Add(key);
    entry_.clear();
    AppendU16(&entry_, static_cast<uint16_t>(key.size()));
    entry_.append(key.AsStringView());
    AppendUnsignedVInt(&entry_, encoder_.partition_start());
    AppendUnsignedVInt(&entry_, encoder_.promoted_index().size());
    entry_ += encoder_.promoted_index();
    index_position_ += entry_.size();
    ++partitions_;
    SSTFS_RETURN_IF_ERROR(Check(index_.Write(entry_)));
    return Check(Drain(false));
  }

  Status Finish() override;

  uint64_t data_bytes() const override { return buffer_.position(); }

 private:
  Status Check(Status s) {
    if (!s.ok() && failed_.ok()) failed_ = s;
    return s;
  }
  // Writes every complete chunk of buffer_ (and with `all`, the rest).
  Status Drain(bool all);
  Status WriteChunk(const char* p, size_t n);
  Status WriteComponents(uint64_t data_length);

  WriterSchema schema_;
  WriterOptions options_;
  reader::Version version_;
  reader::Columns columns_;
  reader::Partitioner partitioner_;
  StatsCollector stats_;
  DataEncoder encoder_;
  SummaryBuilder summary_;
  BloomFilterBuilder filter_;
  std::string prefix_;
  uint32_t block_;
  OutFile data_, index_;
  DataBuffer buffer_;
  std::string last_key_;
  std::string entry_;
  std::string chunk_;  // compressed chunk scratch
  uint64_t partitions_ = 0;
  uint64_t index_position_ = 0;
  uint64_t file_bytes_ = 0;              // Data.db bytes on disk
  uint64_t compressed_bytes_ = 0;        // sum of compressed chunk lengths
  uint32_t digest_ = 0;                  // CRC32 of the Data.db file
  std::vector<uint64_t> chunk_offsets_;  // CompressionMetadata
  std::string crc_component_;            // CRC.db
  bool in_partition_ = false;
  bool finished_ = false;
  Status failed_;
};

Status BigTableWriter::WriteChunk(const char* p, size_t n) {
  if (!options_.lz4) {
    // Uncompressed: the bytes as they are, a CRC per 64 KiB in CRC.db.
    AppendU32(&crc_component_,
              reader::Crc32(0, reinterpret_cast<const uint8_t*>(p), n));
    digest_ = reader::Crc32(digest_, reinterpret_cast<const uint8_t*>(p), n);
    file_bytes_ += n;
    return data_.Write(p, n);
  }
  // CompressedSequentialWriter + LZ4Compressor: 4-byte little-endian
  // uncompressed length, the LZ4 block, then a big-endian CRC32 of both.
  const int bound = LZ4_compressBound(static_cast<int>(n));
  chunk_.resize(4 + static_cast<size_t>(bound) + 4);
  for (int i = 0; i < 4; ++i) chunk_[i] = static_cast<char>(n >> (8 * i));
  const int c =
      LZ4_compress_default(p, chunk_.data() + 4, static_cast<int>(n), bound);
  if (c <= 0) return Status::IoError("LZ4 compression failed");
  const size_t len = 4 + static_cast<size_t>(c);
  const uint32_t crc =
      reader::Crc32(0, reinterpret_cast<const uint8_t*>(chunk_.data()), len);
  for (int i = 0; i < 4; ++i) {
    chunk_[len + i] = static_cast<char>(crc >> (24 - 8 * i));
  }
  chunk_offsets_.push_back(file_bytes_);
  compressed_bytes_ += len;
  file_bytes_ += len + 4;
  digest_ = reader::Crc32(
      digest_, reinterpret_cast<const uint8_t*>(chunk_.data()), len + 4);
  return data_.Write(chunk_.data(), len + 4);
}

Status BigTableWriter::Drain(bool all) {
  std::string& b = buffer_.bytes;
  size_t done = 0;
  while (b.size() - done >= block_) {
    SSTFS_RETURN_IF_ERROR(WriteChunk(b.data() + done, block_));
    done += block_;
  }
  if (all && b.size() > done) {
    SSTFS_RETURN_IF_ERROR(WriteChunk(b.data() + done, b.size() - done));
    done = b.size();
  }
  if (done > 0) {
    b.erase(0, done);
    buffer_.flushed += done;
  }
  return Status::Ok();
}

Status BigTableWriter::Finish() {
  SSTFS_RETURN_IF_ERROR(failed_);
  if (finished_) return Status::InvalidArgument("writer already finished");
  if (in_partition_) return Status::InvalidArgument("partition not ended");
  if (partitions_ == 0) {
    // Cassandra never writes an SSTable without a partition; readers treat
    // an empty Data.db as corrupt.
    return Status::InvalidArgument("no partition was written");
  }
  finished_ = true;
  const uint64_t data_length = buffer_.position();
  SSTFS_RETURN_IF_ERROR(Check(Drain(true)));
  SSTFS_RETURN_IF_ERROR(Check(data_.Close()));
  SSTFS_RETURN_IF_ERROR(Check(index_.Close()));
  return Check(WriteComponents(data_length));
}

Status BigTableWriter::WriteComponents(uint64_t data_length) {
  double ratio = -1.0;  // MetadataCollector.NO_COMPRESSION_RATIO
  std::string checksum_component;
  if (options_.lz4) {
    std::string& info = checksum_component;
    AppendU16(&info, 13);
    info += "LZ4Compressor";
    AppendU32(&info, 0);  // no compressor options
    AppendU32(&info, options_.chunk_length);
    if (reader::HasMaxCompressedLength(version_)) {
      AppendU32(&info, kMaxCompressedLength);
    }
    AppendU64(&info, data_length);
    AppendU32(&info, static_cast<uint32_t>(chunk_offsets_.size()));
    for (uint64_t o : chunk_offsets_) AppendU64(&info, o);
    if (data_length > 0) {
      ratio = static_cast<double>(compressed_bytes_) / data_length;
    }
  } else {
    AppendU32(&checksum_component, kCrcChunkLength);
    checksum_component += crc_component_;
  }

  const std::string partitioner_class =
      "org.apache.cassandra.dht." + std::string(partitioner_.ShortName());
  SSTFS_ASSIGN_OR_RETURN(std::string compaction, CompactionComponent(stats_));
  SSTFS_ASSIGN_OR_RETURN(std::string stats,
                         StatsComponent(stats_, ratio, version_));
  const std::string statistics = StatisticsFile(
      {ValidationComponent(partitioner_class, options_.bloom_fp_chance),
       compaction, stats, HeaderComponent(columns_.stats, schema_)},
      version_);
  SSTFS_ASSIGN_OR_RETURN(std::string filter, filter_.Finish());
  const std::string summary = summary_.Finish();
  const std::string digest = std::to_string(digest_);

  const std::string checksum_name =
      options_.lz4 ? "CompressionInfo.db" : "CRC.db";
  // TOC.txt: the (hash set) order Cassandra happened to write for the corpus
  // sstables of the version.
  std::vector<std::pair<std::string, const std::string*>> files;
  if (reader::HasMetadataChecksum(version_)) {  // 4.x
    files = {{checksum_name, &checksum_component},
             {"Index.db", nullptr},
             {"TOC.txt", nullptr},
             {"Filter.db", &filter},
             {"Summary.db", &summary},
             {"Statistics.db", &statistics},
             {"Digest.crc32", &digest},
             {"Data.db", nullptr}};
  } else {  // 3.x
    files = {{"Data.db", nullptr},
             {"Statistics.db", &statistics},
             {checksum_name, &checksum_component},
             {"Index.db", nullptr},
             {"Digest.crc32", &digest},
             {"Filter.db", &filter},
             {"Summary.db", &summary},
             {"TOC.txt", nullptr}};
  }
  std::string toc;
  for (const auto& [name, bytes] : files) {
    toc += name + "\n";
    if (bytes != nullptr) {
      SSTFS_RETURN_IF_ERROR(WriteWholeFile(prefix_ + name, *bytes));
    }
  }
  return WriteWholeFile(prefix_ + "TOC.txt", toc);
}

Status CheckColumnOrder(const std::vector<reader::HeaderColumn>& given,
                        const std::vector<reader::ColumnDef>& sorted) {
  for (size_t i = 0; i < given.size(); ++i) {
    if (given[i].name != sorted[i].name) {
      return Status::InvalidArgument(
          "schema columns must be in Cassandra order (simple before complex, "
          "then by name): expected " +
          sorted[i].name + " at position " + std::to_string(i));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SSTableWriter>> SSTableWriter::Create(
    const std::string& directory, const WriterSchema& schema,
    const WriterOptions& options) {
  if (options.version != "nb" && options.version != "me") {
    return Status::InvalidArgument("writer: unsupported version " +
                                   options.version + " (nb or me)");
  }
  if (options.generation.empty() ||
      options.generation.find_first_of("/-") != std::string::npos) {
    return Status::InvalidArgument("writer: bad generation '" +
                                   options.generation + "'");
  }
  if (options.lz4 && (options.chunk_length == 0 ||
                      (options.chunk_length & (options.chunk_length - 1)))) {
    return Status::InvalidArgument("writer: chunk length must be a power of 2");
  }
  if (options.min_index_interval <= 0 || options.column_index_size == 0) {
    return Status::InvalidArgument("writer: bad index interval or size");
  }
  switch (options.partitioner) {
    case reader::PartitionerKind::kMurmur3:
    case reader::PartitionerKind::kRandom:
    case reader::PartitionerKind::kByteOrdered:
    case reader::PartitionerKind::kOrderPreserving:
      break;
    default:
      return Status::Unsupported("writer: LocalPartitioner is not supported");
  }
  reader::SerializationHeader header;
  const reader::EncodingStats stats = schema.encoding_stats.value_or(
      reader::EncodingStats{kTimestampEpoch, kDeletionTimeEpoch, 0});
  header.min_timestamp = stats.min_timestamp;
  header.min_local_deletion_time = stats.min_local_deletion_time;
  header.min_ttl = stats.min_ttl;
  header.key_type = schema.key_type;
  header.clustering_types = schema.clustering_types;
  header.static_columns = schema.statics;
  header.regular_columns = schema.regulars;
  SSTFS_ASSIGN_OR_RETURN(reader::Columns columns,
                         reader::ResolveColumns(header, "schema"));
  SSTFS_RETURN_IF_ERROR(CheckColumnOrder(schema.statics, columns.statics));
  SSTFS_RETURN_IF_ERROR(CheckColumnOrder(schema.regulars, columns.regulars));
  auto w = std::make_unique<BigTableWriter>(directory, schema, options,
                                            std::move(columns));
  SSTFS_RETURN_IF_ERROR(w->Open());
  return std::unique_ptr<SSTableWriter>(std::move(w));
}

}  // namespace sstablefs::writer
