#include "reader/sstable.h"

#include <filesystem>
#include <system_error>

#include "reader/big/partition_index.h"
#include "reader/byte_reader.h"
#include "reader/chunk_cache.h"
#include "reader/file_data_input.h"
#include "reader/file_util.h"
#include "reader/toc.h"

namespace sstablefs::reader {
namespace {

// Upper bounds for the components read whole. They are far above anything
// Cassandra writes for these components and only stop a corrupt or hostile
// file from making us allocate without limit.
constexpr size_t kMaxTocBytes = 64 * 1024;
constexpr size_t kMaxStatisticsBytes = 64 * 1024 * 1024;
constexpr size_t kMaxCompressionInfoBytes = 1024 * 1024 * 1024;

bool FileExists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

// Component names of the files in the SSTable's folder that share its prefix.
std::vector<std::string> PresentComponents(const Descriptor& d) {
  std::vector<std::string> out;
  const std::string prefix = d.prefix() + "-";
  Result<std::vector<FolderEntry>> entries = ListFolderEntries(d.directory);
  if (!entries.ok()) return out;
  for (const FolderEntry& entry : *entries) {
    const std::string& name = entry.name;
    if (name.size() > prefix.size() &&
        name.compare(0, prefix.size(), prefix) == 0) {
      out.push_back(name.substr(prefix.size()));
    }
  }
  return out;
}

bool HasCustomType(const CqlType& type) {
  if (type.kind == TypeKind::kCustom) return true;
  for (const CqlTypePtr& p : type.params) {
    if (p && HasCustomType(*p)) return true;
  }
  return false;
}

// Types this library does not know render as blobs; say so once per column.
void AddUnknownTypeWarnings(const Columns& columns, const std::string& path,
                            std::vector<std::string>* warnings) {
  auto check = [&](const std::string& what, const CqlTypePtr& type) {
    if (type && HasCustomType(*type)) {
      warnings->push_back(
          path + ": " + what + " has a type sstablefs does not know (" +
          type->class_name + "); its values are shown as blobs");
    }
  };
  check("the partition key", columns.key_type);
  for (size_t i = 0; i < columns.clustering_types.size(); ++i) {
    check("clustering column " + std::to_string(i),
          columns.clustering_types[i]);
  }
  for (const auto* defs : {&columns.statics, &columns.regulars}) {
    for (const ColumnDef& def : *defs) check("column " + def.name, def.type);
  }
}

}  // namespace

SSTable::~SSTable() = default;

Result<std::shared_ptr<SSTable>> SSTable::Open(
    const std::string& component_path, ChunkCache* cache) {
  SSTFS_ASSIGN_OR_RETURN(Descriptor d, ParseDescriptor(component_path));
  if (!d.IsReadable()) {
    return Status::Unsupported(d.ComponentPath("Data.db") +
                               ": unsupported SSTable format '" +
                               d.version.str() + "-" + d.format + "'");
  }
  std::shared_ptr<SSTable> t(new SSTable());
  t->descriptor_ = d;
  t->cache_ = cache;
  t->file_id_ = ChunkCache::NewFileId();

  // TOC.txt: optional; its absence and any mismatch are warnings.
  const std::string toc_path = d.ComponentPath("TOC.txt");
  std::vector<std::string> present = PresentComponents(d);
  if (FileExists(toc_path)) {
    SSTFS_ASSIGN_OR_RETURN(std::string toc_bytes,
                           ReadSmallFile(toc_path, kMaxTocBytes));
    Result<std::vector<std::string>> toc =
        ParseToc(ByteView(toc_bytes), toc_path);
    if (toc.ok()) {
      t->toc_ = std::move(toc).value();
      t->warnings_ = CompareTocWithFiles(t->toc_, present, d.prefix());
    } else {
      t->warnings_.push_back(toc.status().message());
    }
  } else {
    t->warnings_.push_back(toc_path + ": missing (components found by name)");
  }

  // Statistics.db: required, it holds the serialization header.
  const std::string stats_path = d.ComponentPath("Statistics.db");
  SSTFS_ASSIGN_OR_RETURN(std::string stats_bytes,
                         ReadSmallFile(stats_path, kMaxStatisticsBytes));
  SSTFS_ASSIGN_OR_RETURN(
      t->statistics_,
      DecodeStatistics(ByteView(stats_bytes), d.version, stats_path));
  if (!t->statistics_.header) {
    return Status::Corruption(stats_path +
                              ": no serialization header component");
  }
  SSTFS_ASSIGN_OR_RETURN(t->columns_,
                         ResolveColumns(*t->statistics_.header, stats_path));
  AddUnknownTypeWarnings(t->columns_, stats_path, &t->warnings_);
  if (t->statistics_.validation) {
    Result<Partitioner> partitioner =
        Partitioner::FromClassName(t->statistics_.validation->partitioner);
    if (!partitioner.ok()) return partitioner.status().WithContext(stats_path);
    t->partitioner_ = *partitioner;
  } else {
    t->warnings_.push_back(
        stats_path + ": no validation component; assuming Murmur3Partitioner");
  }

  // Data.db stays open for the life of the SSTable.
  SSTFS_ASSIGN_OR_RETURN(t->data_file_,
                         RandomAccessFile::Open(d.ComponentPath("Data.db")));

  if (t->data_file_->size() == 0) {
    // Cassandra never writes an SSTable without a partition.
    return Status::Corruption(t->data_file_->path(), 0, "Data.db is empty");
  }

  const std::string ci_path = d.ComponentPath("CompressionInfo.db");
  if (FileExists(ci_path)) {
    SSTFS_ASSIGN_OR_RETURN(std::string ci_bytes,
                           ReadSmallFile(ci_path, kMaxCompressionInfoBytes));
    SSTFS_ASSIGN_OR_RETURN(
        CompressionInfo info,
        DecodeCompressionInfo(ByteView(ci_bytes), d.version, ci_path,
                              t->data_file_->size()));
    t->compression_ = std::make_shared<const CompressionInfo>(std::move(info));
  } else if (FileExists(d.ComponentPath("CRC.db"))) {
    t->crc_path_ = d.ComponentPath("CRC.db");
  }
  return t;
}

uint64_t SSTable::data_length() const {
  return compression_ ? compression_->data_length : data_file_->size();
}

uint64_t SSTable::data_file_size() const { return data_file_->size(); }

Result<std::unique_ptr<DataInput>> SSTable::OpenData(DataChecksums checksums,
                                                     CacheFill fill) const {
  if (compression_) {
    return OpenCompressedDataInput(data_file_, compression_, cache_, file_id_,
                                   fill);
  }
  if (checksums == DataChecksums::kSkipCrcDb) {
    // Unchecked bytes must not be served to checked readers from the cache:
    // no cache for this input.
    return OpenUncompressedDataInput(data_file_, "", nullptr,
                                     ChunkCache::NewFileId());
  }
  return OpenUncompressedDataInput(data_file_, crc_path_, cache_, file_id_,
                                   fill);
}

Result<const PartitionIndex*> SSTable::index() const {
  std::lock_guard<std::mutex> lock(index_mu_);
  if (!index_opened_) {
    index_opened_ = true;
    if (!FileExists(descriptor_.ComponentPath("Index.db"))) {
      index_status_ =
          Status::NotFound(descriptor_.ComponentPath("Index.db") + ": missing");
    } else {
      Result<std::unique_ptr<PartitionIndex>> opened =
          PartitionIndex::Open(descriptor_, partitioner_);
      if (opened.ok()) {
        index_ = std::move(opened).value();
      } else {
        index_status_ = opened.status();
      }
    }
  }
  if (!index_) return index_status_;
  return static_cast<const PartitionIndex*>(index_.get());
}

Result<std::optional<uint64_t>> SSTable::FindPartition(ByteView key) const {
  SSTFS_ASSIGN_OR_RETURN(const PartitionIndex* index, index());
  SSTFS_ASSIGN_OR_RETURN(std::optional<IndexEntry> entry, index->Find(key));
  if (!entry) return std::optional<uint64_t>();
  SSTFS_RETURN_IF_ERROR(CheckPartitionKeyAt(entry->data_position, key));
  return std::optional<uint64_t>(entry->data_position);
}

// A damaged Index.db can point at the wrong partition; the partition header
// in Data.db (u16 key length, key) must carry the key we looked up. The chunk
// read here is the one the caller reads next, so the cache absorbs the cost.
Status SSTable::CheckPartitionKeyAt(uint64_t position, ByteView key) const {
  SSTFS_ASSIGN_OR_RETURN(std::unique_ptr<DataInput> data, OpenData());
  if (position >= data->size()) {
    return Status::Corruption(
        descriptor_.ComponentPath("Index.db") + ": entry points at offset " +
        std::to_string(position) + ", past the end of Data.db (" +
        std::to_string(data->size()) + " bytes)");
  }
  SSTFS_RETURN_IF_ERROR(data->Seek(position));
  SSTFS_ASSIGN_OR_RETURN(ByteView window, data->Peek(2 + key.size()));
  ByteReader reader(window, position);
  ByteView stored;
  if (!reader.ReadShortLengthBytes(&stored) || !(stored == key)) {
    return Status::Corruption(descriptor_.ComponentPath("Index.db") +
                              ": entry for the key points at offset " +
                              std::to_string(position) +
                              " of Data.db, where another partition starts");
  }
  return Status::Ok();
}

}  // namespace sstablefs::reader
