#include "reader/big/partition_index.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <iterator>

namespace sstablefs::reader {
namespace {

// Summary.db is ~1/128 of Index.db keys and Filter.db ~1.25 bytes per
// partition at the default fp chance; both stay far below this for any
// SSTable we can serve, and the cap keeps a foreign file from exhausting
// memory.
constexpr size_t kMaxSmallComponent = size_t{1} << 30;

// One key kept per this many Index.db entries when Summary.db is missing
// (Cassandra's default min_index_interval).
constexpr uint64_t kSampleInterval = 128;

using MaybeEntry = std::optional<IndexEntry>;

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 || errno != ENOENT;
}

}  // namespace

Result<std::unique_ptr<PartitionIndex>> PartitionIndex::Open(
    const std::string& index_path, const std::string& summary_path,
    const std::string& filter_path, const Version& version,
    const Partitioner& p) {
  std::unique_ptr<PartitionIndex> pi(new PartitionIndex());
  pi->partitioner_ = p;
  SSTFS_ASSIGN_OR_RETURN(pi->index_file_, RandomAccessFile::Open(index_path));

  if (FileExists(summary_path)) {
    SSTFS_ASSIGN_OR_RETURN(std::string bytes,
                           ReadSmallFile(summary_path, kMaxSmallComponent));
    SSTFS_ASSIGN_OR_RETURN(
        IndexSummary s,
        IndexSummary::Decode(ByteView(bytes), pi->index_file_->size(),
                             summary_path));
    pi->summary_ = std::move(s);
  }

  if (FileExists(filter_path)) {
    SSTFS_ASSIGN_OR_RETURN(std::string bytes,
                           ReadSmallFile(filter_path, kMaxSmallComponent));
    SSTFS_RETURN_IF_ERROR(
        pi->LoadFilter(ByteView(bytes), version, filter_path));
  }
  return pi;
}

Status PartitionIndex::LoadFilter(ByteView bytes, const Version& version,
                                  const std::string& path) {
  const bool old_format = FilterHasOldWordFormat(version);
  SSTFS_ASSIGN_OR_RETURN(BloomFilter f,
                         BloomFilter::Decode(bytes, old_format, path));
  // Keys that must be in the filter: the summary's first and last keys, or
  // the first Index.db entry.
  std::vector<std::string> probes;
  if (summary_ && summary_->size() > 0) {
    probes = {summary_->first_key().ToString(),
              summary_->last_key().ToString()};
  } else {
    IndexFileReader reader(index_file_);
    IndexEntry first;
    Result<bool> more = reader.Next(&first, false);
    if (more.ok() && *more) probes.push_back(first.key);
  }
  auto contains_all = [&](const BloomFilter& bf) {
    for (const std::string& k : probes) {
      if (!bf.MightContain(ByteView(k))) return false;
    }
    return true;
  };
  if (contains_all(f)) {
    filter_ = std::move(f);
    return Status::Ok();
  }
  // Some `na` SSTables written by pre-release 4.0 builds still use the old
  // word order: accept the other layout when it holds the probe keys.
  SSTFS_ASSIGN_OR_RETURN(BloomFilter other,
                         BloomFilter::Decode(bytes, !old_format, path));
  if (contains_all(other)) {
    filter_ = std::move(other);
    warnings_.push_back(path + ": bloom filter uses the " +
                        (old_format ? "new" : "old") +
                        " word order, unusual for version " + version.str());
    return Status::Ok();
  }
  // A filter that rejects keys the SSTable holds would hide partitions:
  // lookups go without it.
  warnings_.push_back(path +
                      ": bloom filter does not contain the SSTable's first "
                      "key; ignored");
  return Status::Ok();
}

Result<std::optional<IndexEntry>> PartitionIndex::Find(ByteView key) const {
  if (filter_ && !filter_->MightContain(key)) return MaybeEntry();
  const Token token = partitioner_.GetToken(key);
  uint64_t start = 0;
  uint64_t end = index_file_->size();
  if (summary_ && summary_->size() > 0) {
    const IndexSummary& s = *summary_;
    // Outside [first, last] the key cannot be in this SSTable.
    if (CompareDecorated(partitioner_, token, key, s.first_key()) < 0 ||
        CompareDecorated(partitioner_, token, key, s.last_key()) > 0) {
      return MaybeEntry();
    }
    int64_t floor = s.FindFloor(partitioner_, token, key);
    // Entry i covers Index.db from its position up to entry i+1's.
    if (floor < 0) {
      end = s.index_position(0);
    } else {
      start = s.index_position(static_cast<size_t>(floor));
      if (static_cast<size_t>(floor) + 1 < s.size()) {
        end = s.index_position(static_cast<size_t>(floor) + 1);
      }
    }
  } else if (!summary_) {
    std::call_once(sample_once_, [this] { BuildSample(); });
    SSTFS_RETURN_IF_ERROR(sample_status_);
    // First sample entry that sorts after the key; the range before it.
    auto after = std::upper_bound(
        sample_.begin(), sample_.end(), key,
        [&](ByteView k, const SampleEntry& e) {
          return CompareDecorated(partitioner_, token, k, ByteView(e.key)) < 0;
        });
    if (after == sample_.begin()) return MaybeEntry();
    start = std::prev(after)->position;
    if (after != sample_.end()) end = after->position;
  }
  return ScanRange(start, end, token, key);
}

void PartitionIndex::BuildSample() const {
  IndexFileReader reader(index_file_);
  IndexEntry entry;
  for (uint64_t n = 0;; ++n) {
    uint64_t position = reader.position();
    Result<bool> more = reader.Next(&entry, false);
    if (!more.ok()) {
      sample_status_ = more.status();
      sample_.clear();
      return;
    }
    if (!*more) return;
    if (n % kSampleInterval == 0) sample_.push_back({entry.key, position});
  }
}

Result<std::optional<IndexEntry>> PartitionIndex::ScanRange(
    uint64_t start, uint64_t end, const Token& token, ByteView key) const {
  IndexFileReader reader(index_file_, start, end);
  IndexEntry entry;
  while (true) {
    // Promoted indexes are skipped until the key matches, then re-read.
    SSTFS_ASSIGN_OR_RETURN(bool more, reader.Next(&entry, false));
    if (!more) return MaybeEntry();
    int c = CompareDecorated(partitioner_, token, key, ByteView(entry.key));
    if (c < 0) return MaybeEntry();  // passed where it would be
    if (c == 0) break;
  }
  if (entry.HasPromotedIndex()) {
    IndexFileReader again(index_file_, entry.index_position, end);
    SSTFS_ASSIGN_OR_RETURN(bool ok, again.Next(&entry, true));
    if (!ok) {
      return Status::Corruption(index_file_->path(), entry.index_position,
                                "Index.db: entry vanished on re-read");
    }
  }
  return MaybeEntry(std::move(entry));
}

}  // namespace sstablefs::reader
