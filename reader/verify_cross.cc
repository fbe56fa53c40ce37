// The cross-component checks of `verify`, run in lock-step with the Data.db
// pass (see verify_structure.h): Index.db entries and promoted indexes,
// Summary.db samples, the bloom filter, and Statistics.db agreement.
#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <optional>
#include <string>

#include "reader/file_util.h"
#include "reader/murmur3.h"
#include "reader/verify_structure.h"

namespace sstablefs::reader {
namespace verify_internal {
namespace {

constexpr size_t kMaxSummaryBytes = 1u << 30;
constexpr size_t kMaxFilterBytes = 1u << 30;
// Downsampling.BASE_SAMPLING_LEVEL: every sampled entry kept.
constexpr int32_t kFullSamplingLevel = 128;

}  // namespace

void StructureChecker::OpenIndexComponents() {
  const std::string index_path = d_.ComponentPath("Index.db");
  Result<std::shared_ptr<RandomAccessFile>> index_file =
      RandomAccessFile::Open(index_path);
  uint64_t index_size = 0;
  if (index_file.ok()) {
    index_size = (*index_file)->size();
    index_ = std::make_unique<IndexFileReader>(*index_file);
  } else {
    ctx_.Skipped(kCheckIndex, "Index.db cannot be opened");
  }
  const std::string summary_path = d_.ComponentPath("Summary.db");
  if (!index_) {
    ctx_.Skipped(kCheckSummary, "Index.db cannot be opened");
  } else if (Result<std::string> bytes =
                 ReadSmallFile(summary_path, kMaxSummaryBytes);
             bytes.ok()) {
    Result<IndexSummary> s =
        IndexSummary::Decode(ByteView(*bytes), index_size, summary_path);
    if (s.ok()) {
      summary_ = std::move(s).value();
    } else {
      ctx_.AddStatus(Severity::kError, kCheckSummary, "Summary.db", s.status());
    }
  } else {
    ctx_.Skipped(kCheckSummary, "no readable Summary.db");
  }
  const std::string filter_path = d_.ComponentPath("Filter.db");
  if (Result<std::string> bytes = ReadSmallFile(filter_path, kMaxFilterBytes);
      bytes.ok()) {
    const bool old_format = FilterHasOldWordFormat(d_.version);
    Result<BloomFilter> f =
        BloomFilter::Decode(ByteView(*bytes), old_format, filter_path);
    if (f.ok()) {
      filter_ = std::move(f).value();
      Result<BloomFilter> other =
          BloomFilter::Decode(ByteView(*bytes), !old_format, filter_path);
      if (other.ok()) filter_other_order_ = std::move(other).value();
      filter_hash_count_ = filter_->hash_count();
      filter_rebuilt_.assign(static_cast<size_t>(filter_->bit_count() / 8), 0);
      filter_file_ = std::move(bytes).value();
    } else {
      ctx_.AddStatus(Severity::kError, kCheckBloomFilter, "Filter.db",
                     f.status());
    }
  } else {
    ctx_.Skipped(kCheckBloomFilter, "no readable Filter.db");
  }
}

void StructureChecker::IndexEntryFor(const PartitionHeader& p) {
  if (!index_ || index_failed_) return;
  if (!index_ended_) {
    Result<bool> more = index_->Next(&entry_, /*with_promoted_index=*/true);
    if (!more.ok()) {
      ctx_.AddStatus(Severity::kError, kCheckIndex, "Index.db", more.status());
      index_failed_ = true;
      return;
    }
    if (!*more) index_ended_ = true;
  }
  if (index_ended_) {
    Error(kCheckIndex, "Index.db", std::nullopt,
          "no entry for partition " + Key(p.key) + " at Data.db offset " +
              U(p.position) + " (Index.db ends after " + U(index_entries_) +
              " entries)");
    return;
  }
  ++index_entries_;
  CheckSummaryEntry(entry_);
  if (ByteView(entry_.key) != p.key) {
    Error(kCheckIndex, "Index.db", entry_.index_position,
          "entry " + U(index_entries_ - 1) + " names partition " +
              Key(ByteView(entry_.key)) + ", but Data.db partition " +
              U(partitions_ - 1) + " at offset " + U(p.position) + " is " +
              Key(p.key));
    return;
  }
  if (entry_.data_position != p.position) {
    Error(kCheckIndex, "Index.db", entry_.index_position,
          "entry for partition " + Key(p.key) + " points at Data.db offset " +
              U(entry_.data_position) + ", but the partition starts at " +
              U(p.position));
    return;
  }
  if (entry_.HasPromotedIndex()) CheckPromotedIndex(entry_, p);
}

void StructureChecker::CheckSummaryEntry(const IndexEntry& e) {
  if (!summary_) return;
  while (summary_next_ < summary_->size()) {
    const uint64_t pos = summary_->index_position(summary_next_);
    if (pos > e.index_position) return;
    if (pos < e.index_position) {
      Error(kCheckSummary, "Summary.db", std::nullopt,
            "sample " + U(summary_next_) + " points at Index.db offset " +
                U(pos) + ", which is not the start of an entry");
    } else if (summary_->sampling_level() == kFullSamplingLevel &&
               summary_->min_index_interval() > 0 &&
               index_entries_ - 1 !=
                   summary_next_ *
                       static_cast<uint64_t>(summary_->min_index_interval())) {
      // IndexSummaryBuilder at full sampling takes entries 0, I, 2I, ...
      Error(kCheckSummary, "Summary.db", std::nullopt,
            "sample " + U(summary_next_) + " is Index.db entry " +
                U(index_entries_ - 1) + ", but with min_index_interval " +
                std::to_string(summary_->min_index_interval()) +
                " at full sampling it must be entry " +
                U(summary_next_ * summary_->min_index_interval()));
    } else if (summary_->key(summary_next_) != ByteView(e.key)) {
      Error(kCheckSummary, "Summary.db", std::nullopt,
            "sample " + U(summary_next_) + " names partition " +
                Key(summary_->key(summary_next_)) +
                ", but the Index.db entry at offset " + U(pos) + " is " +
                Key(ByteView(e.key)));
    }
    ++summary_next_;
  }
}

void StructureChecker::CheckPromotedIndex(const IndexEntry& e,
                                          const PartitionHeader& p) {
  Result<PromotedIndex> pi =
      DecodePromotedIndex(ByteView(e.promoted_index),
                          ClusteringFixedLengths(t_.columns().clustering_types),
                          index_->path(), e.promoted_index_position());
  if (!pi.ok()) {
    ctx_.AddStatus(Severity::kError, kCheckIndex, "Index.db", pi.status());
    return;
  }
  if (!(pi->partition_deletion == p.deletion)) {
    Error(kCheckIndex, "Index.db", e.promoted_index_position(),
          "promoted index of partition " + Key(p.key) + " states deletion " +
              DeletionText(pi->partition_deletion) + ", Data.db has " +
              DeletionText(p.deletion));
  }
  uint64_t end = pi->header_length;
  uint64_t prev_offset = 0;
  for (size_t i = 0; i < pi->blocks.size(); ++i) {
    const IndexBlock& b = pi->blocks[i];
    if (b.offset < prev_offset) {
      Error(kCheckIndex, "Index.db", e.promoted_index_position(),
            "promoted index of partition " + Key(p.key) + ": block " + U(i) +
                " starts at " + U(b.offset) + ", before block " + U(i - 1));
    }
    // ColumnIndex: each block ends where the next starts.
    if (i + 1 < pi->blocks.size() &&
        b.offset + b.width != pi->blocks[i + 1].offset) {
      Error(kCheckIndex, "Index.db", e.promoted_index_position(),
            "promoted index of partition " + Key(p.key) + ": block " + U(i) +
                " spans " + U(b.offset) + "+" + U(b.width) + ", but block " +
                U(i + 1) + " starts at " + U(pi->blocks[i + 1].offset));
    }
    prev_offset = b.offset;
    end = std::max(end, b.offset + b.width);
  }
  // The partition header (key, deletion, static row) ends where the first
  // block starts.
  if (!pi->blocks.empty() && pi->blocks[0].offset != pi->header_length) {
    Error(kCheckIndex, "Index.db", e.promoted_index_position(),
          "promoted index of partition " + Key(p.key) + " states a header of " +
              U(pi->header_length) + " bytes, but its first block starts at " +
              U(pi->blocks[0].offset));
  }
  blocks_ = std::move(pi).value();
  block_open_ = SIZE_MAX;
  blocks_next_ = 0;
  blocks_reported_ = false;
  pending_ = true;
  pending_start_ = p.position;
  pending_block_end_ = end;
  pending_index_at_ = e.promoted_index_position();
}

// ColumnIndex writes one IndexInfo per ~64 KiB of unfiltereds: `first` and
// `last` are the clusterings of the block's first and last unfiltered,
// `offset` the first one's position from the partition start, `width` the
// bytes up to the next block, and the end-open marker the deletion of a range
// tombstone open across the block's end.
void StructureChecker::BlocksAtUnfiltered(const Unfiltered& u,
                                          const PartitionHeader& p) {
  if (!blocks_ || blocks_reported_) return;
  const uint64_t rel = u.position - p.position;
  const auto bad = [&](std::string why) {
    blocks_reported_ = true;
    Error(kCheckIndex, "Index.db", pending_index_at_,
          "promoted index of partition " + Key(p.key) + ": " + why);
  };
  if (block_open_ != SIZE_MAX) {
    const IndexBlock& b = blocks_->blocks[block_open_];
    if (rel < b.offset + b.width) return;  // still inside the block
    CloseBlock(p);
    if (blocks_reported_) return;
  }
  if (blocks_next_ >= blocks_->blocks.size()) {
    bad("the unfiltered at partition offset " + U(rel) +
        " lies after the last block");
    return;
  }
  const IndexBlock& next = blocks_->blocks[blocks_next_];
  if (next.offset != rel) {
    bad("block " + U(blocks_next_) + " starts at partition offset " +
        U(next.offset) + ", but the unfiltered there starts at " + U(rel));
    return;
  }
  const Clustering& c =
      u.kind == Unfiltered::Kind::kRow ? u.row.clustering : u.marker.bound;
  if (!SameClustering(next.first, c)) {
    bad("block " + U(blocks_next_) + " starts with " +
        clustering_.Describe(next.first) + ", Data.db with " +
        clustering_.Describe(c));
    return;
  }
  block_open_ = blocks_next_++;
}

void StructureChecker::CloseBlock(const PartitionHeader& p) {
  const IndexBlock& b = blocks_->blocks[block_open_];
  const Clustering* last = clustering_.previous();
  if (last == nullptr || !SameClustering(b.last, *last)) {
    blocks_reported_ = true;
    Error(kCheckIndex, "Index.db", pending_index_at_,
          "promoted index of partition " + Key(p.key) + ": block " +
              U(block_open_) + " ends with " + clustering_.Describe(b.last) +
              (last ? ", Data.db with " + clustering_.Describe(*last) : ""));
  } else if (b.end_open_marker.has_value() != rt_open_ ||
             (rt_open_ && !(*b.end_open_marker == rt_deletion_))) {
    blocks_reported_ = true;
    Error(kCheckIndex, "Index.db", pending_index_at_,
          "promoted index of partition " + Key(p.key) + ": block " +
              U(block_open_) +
              (b.end_open_marker ? " records" : " records no") +
              " range tombstone open at its end, Data.db has " +
              (rt_open_ ? DeletionText(rt_deletion_) : "none"));
  }
  block_open_ = SIZE_MAX;
}

void StructureChecker::BlocksAtPartitionEnd(const PartitionHeader& p) {
  if (!blocks_) return;
  if (!blocks_reported_) {
    if (block_open_ != SIZE_MAX) CloseBlock(p);
    if (!blocks_reported_ && blocks_next_ != blocks_->blocks.size()) {
      Error(kCheckIndex, "Index.db", pending_index_at_,
            "promoted index of partition " + Key(p.key) + " has " +
                U(blocks_->blocks.size()) + " blocks, Data.db rows fill " +
                U(blocks_next_));
    }
  }
  blocks_.reset();
}

void StructureChecker::FinishPartitionExtent(uint64_t end) {
  if (!pending_) return;
  pending_ = false;
  const uint64_t length = end - pending_start_;
  // The last block ends with the partition (Cassandra counts the
  // end-of-partition flag in it; other writers may stop just before it).
  if (pending_block_end_ + 1 < length) {
    Error(kCheckIndex, "Index.db", pending_index_at_,
          "promoted index of the partition at Data.db offset " +
              U(pending_start_) + " covers " + U(pending_block_end_) +
              " bytes, but its rows end at " + U(length - 1));
  }
  if (pending_block_end_ > length) {
    Error(kCheckIndex, "Index.db", pending_index_at_,
          "promoted index of the partition at Data.db offset " +
              U(pending_start_) + " covers " + U(pending_block_end_) +
              " bytes, but the partition is " + U(length) + " bytes long");
  }
}

void StructureChecker::FinishIndex(bool data_complete) {
  if (index_ && !index_failed_ && data_complete) {
    uint64_t extra = 0;
    while (!index_ended_) {
      Result<bool> more = index_->Next(&entry_, false);
      if (!more.ok()) {
        ctx_.AddStatus(Severity::kError, kCheckIndex, "Index.db",
                       more.status());
        index_failed_ = true;
        break;
      }
      if (!*more) break;
      if (extra++ == 0) {
        Error(kCheckIndex, "Index.db", entry_.index_position,
              "entry for partition " + Key(ByteView(entry_.key)) +
                  " (Data.db offset " + U(entry_.data_position) +
                  ") has no partition in Data.db");
      }
      ++index_entries_;
      CheckSummaryEntry(entry_);
    }
    if (extra > 1) {
      Error(kCheckIndex, "Index.db", std::nullopt,
            U(extra) + " entries after the last Data.db partition");
    }
  }
  int over = finding_counts_[kCheckIndex] - kMaxFindingsPerCheck;
  if (over > 0) {
    ctx_.Add(Severity::kError, kCheckIndex, "Index.db", std::nullopt,
             U(over) + " more index problems not listed");
  }
  if (index_) {
    ctx_.Ran(kCheckIndex, U(index_entries_) + " entries against " +
                              U(partitions_) + " partitions");
  }
  // Summary.db.
  if (summary_) {
    if (data_complete && !index_failed_ && summary_next_ < summary_->size()) {
      Error(kCheckSummary, "Summary.db", std::nullopt,
            U(summary_->size() - summary_next_) + " of " + U(summary_->size()) +
                " samples point past the last Index.db entry (first at "
                "Index.db offset " +
                U(summary_->index_position(summary_next_)) + ")");
    }
    if (data_complete && partitions_ > 0 && summary_->size() > 0) {
      if (summary_->first_key() != ByteView(first_key_)) {
        Error(kCheckSummary, "Summary.db", std::nullopt,
              "first key " + Key(summary_->first_key()) +
                  " is not the first partition " + Key(ByteView(first_key_)));
      }
      if (summary_->last_key() != ByteView(prev_key_)) {
        Error(kCheckSummary, "Summary.db", std::nullopt,
              "last key " + Key(summary_->last_key()) +
                  " is not the last partition " + Key(ByteView(prev_key_)));
      }
    }
    if (data_complete && !index_failed_ &&
        summary_->sampling_level() == kFullSamplingLevel &&
        summary_->min_index_interval() > 0) {
      const uint64_t interval = summary_->min_index_interval();
      const uint64_t expected = (index_entries_ + interval - 1) / interval;
      // At full sampling the size at full sampling is the size (ScyllaDB
      // writes 0).
      if (summary_->size_at_full_sampling() != 0 &&
          static_cast<uint64_t>(summary_->size_at_full_sampling()) !=
              summary_->size()) {
        Error(kCheckSummary, "Summary.db", std::nullopt,
              "size at full sampling is " +
                  std::to_string(summary_->size_at_full_sampling()) +
                  ", but the summary is at full sampling with " +
                  U(summary_->size()) + " samples");
      }
      if (summary_->size() != expected) {
        Error(kCheckSummary, "Summary.db", std::nullopt,
              "holds " + U(summary_->size()) + " samples, but " +
                  U(index_entries_) + " Index.db entries at interval " +
                  U(interval) + " need " + U(expected));
      }
    }
    ctx_.Ran(kCheckSummary, U(summary_->size()) + " samples");
  }
  // Filter.db.
  if (filter_) {
    if (filter_misses_ > 0 && filter_other_order_ &&
        filter_other_misses_ == 0) {
      ctx_.Add(Severity::kWarning, kCheckBloomFilter, "Filter.db", std::nullopt,
               "uses the bloom filter word order of other versions than " +
                   d_.version.str() + " (all keys found in that order)");
    } else if (filter_misses_ > 0) {
      ctx_.Add(Severity::kError, kCheckBloomFilter, "Filter.db", std::nullopt,
               "does not contain " + U(filter_misses_) + " of " +
                   U(partitions_) +
                   " partition keys (first: " + first_filter_miss_ + ")");
    }
    if (data_complete && filter_misses_ == 0) {
      CompareRebuiltFilter(FilterHasOldWordFormat(d_.version));
    } else if (data_complete && filter_other_misses_ == 0) {
      CompareRebuiltFilter(!FilterHasOldWordFormat(d_.version));
    }
    ctx_.Ran(kCheckBloomFilter, U(partitions_) + " keys looked up" +
                                    (data_complete ? ", filter rebuilt" : ""));
  }
}

void StructureChecker::AddToRebuiltFilter(ByteView key) {
  if (filter_rebuilt_.empty()) return;
  // The bit positions BloomFilter::MightContain probes (Cassandra's
  // BloomFilter.setIndexes with Java's signed long arithmetic).
  const Murmur3Hash h = CassandraMurmur3(key, 0);
  const int64_t max = static_cast<int64_t>(filter_rebuilt_.size()) * 8;
  int64_t base = static_cast<int64_t>(h.h2);
  for (int i = 0; i < filter_hash_count_; ++i) {
    const int64_t rem = base % max;
    const uint64_t index = static_cast<uint64_t>(rem < 0 ? -rem : rem);
    filter_rebuilt_[index >> 3] |= static_cast<uint8_t>(1u << (index & 7));
    base = static_cast<int64_t>(static_cast<uint64_t>(base) + h.h1);
  }
}

void StructureChecker::CompareRebuiltFilter(bool old_word_order) {
  constexpr size_t kHeader = 8;
  if (filter_file_.size() != kHeader + filter_rebuilt_.size()) return;
  uint64_t extra = 0;
  uint64_t first_offset = 0;
  for (size_t i = 0; i < filter_rebuilt_.size(); ++i) {
    // Old format: each 8-byte word is stored byte-reversed.
    const size_t stored_at =
        kHeader + (old_word_order ? (i & ~size_t{7}) + 7 - (i & 7) : i);
    const uint8_t stored = static_cast<uint8_t>(filter_file_[stored_at]);
    const uint8_t unexplained =
        static_cast<uint8_t>(stored & ~filter_rebuilt_[i]);
    if (unexplained == 0) continue;
    if (extra == 0) first_offset = stored_at;
    extra += static_cast<uint64_t>(__builtin_popcount(unexplained));
  }
  if (extra > 0) {
    ctx_.Add(Severity::kError, kCheckBloomFilter, "Filter.db", first_offset,
             U(extra) +
                 " bits set that no partition key sets (the filter "
                 "does not match the keys of Data.db)");
  }
}

void StructureChecker::FinishStats(bool data_complete) {
  const std::optional<StatsMetadata>& st = t_.statistics().stats;
  if (!st) {
    ctx_.Skipped(kCheckStatsAgreement, "Statistics.db has no stats component");
    return;
  }
  if (timestamps_.first_outside_at) {
    ctx_.Add(Severity::kError, kCheckStatsAgreement, "Data.db",
             timestamps_.first_outside_at,
             "timestamp " + std::to_string(timestamps_.first_outside) +
                 " lies outside the Statistics.db range [" +
                 std::to_string(st->min_timestamp) + ", " +
                 std::to_string(st->max_timestamp) + "]");
  }
  if (deletion_times_.first_outside_at) {
    // A warning: some writers (ScyllaDB's mc writer) leave range tombstone
    // deletion times out of these statistics; nothing reads them for data.
    ctx_.Add(Severity::kWarning, kCheckStatsAgreement, "Data.db",
             deletion_times_.first_outside_at,
             "local deletion time " +
                 std::to_string(deletion_times_.first_outside) +
                 " lies outside the Statistics.db range [" +
                 std::to_string(st->min_local_deletion_time) + ", " +
                 std::to_string(st->max_local_deletion_time) + "]");
  }
  // MetadataCollector sees every timestamp: the extremes are exact.
  // (ScyllaDB stores the sentinels [INT64_MIN, INT64_MAX] for SSTables
  // holding only range tombstones: not compared.)
  if (data_complete && timestamps_.any && st->min_timestamp != INT64_MIN &&
      st->max_timestamp != INT64_MAX &&
      (timestamps_.min != st->min_timestamp ||
       timestamps_.max != st->max_timestamp)) {
    ctx_.Add(Severity::kError, kCheckStatsAgreement, "Statistics.db",
             std::nullopt,
             "timestamps range [" + std::to_string(st->min_timestamp) + ", " +
                 std::to_string(st->max_timestamp) + "], but Data.db has [" +
                 std::to_string(timestamps_.min) + ", " +
                 std::to_string(timestamps_.max) + "]");
  }
  // Without any deletion or expiry, the deletion-time range stays at
  // Cell.NO_DELETION_TIME and the TTL range at 0.
  if (data_complete && partitions_ > 0 && !deletion_times_.any &&
      (st->min_local_deletion_time != kNoDeletionTime ||
       st->max_local_deletion_time != kNoDeletionTime)) {
    ctx_.Add(Severity::kError, kCheckStatsAgreement, "Statistics.db",
             std::nullopt,
             "local deletion times range [" +
                 std::to_string(st->min_local_deletion_time) + ", " +
                 std::to_string(st->max_local_deletion_time) +
                 "], but Data.db deletes and expires nothing");
  }
  if (data_complete && partitions_ > 0 && !any_ttl_ &&
      (st->min_ttl != 0 || st->max_ttl != 0)) {
    ctx_.Add(
        Severity::kError, kCheckStatsAgreement, "Statistics.db", std::nullopt,
        "TTL range [" + std::to_string(st->min_ttl) + ", " +
            std::to_string(st->max_ttl) + "], but nothing in Data.db expires");
  }
  std::string detail = "timestamps";
  CheckHistogramShape(st->partition_sizes, "estimatedPartitionSize");
  CheckHistogramShape(st->column_counts, "estimatedCellPerPartitionCount");
  CheckCompressionRatio(*st);
  CheckCommitLogIntervals(*st);
  if (data_complete) {
    CheckPartitionSizes(*st);
    CheckClusteringBounds(*st);
    const std::vector<int64_t>& counts = st->partition_sizes.counts;
    if (!counts.empty()) {
      const int64_t stated =
          std::accumulate(counts.begin(), counts.end(), int64_t{0});
      if (stated != static_cast<int64_t>(partitions_)) {
        ctx_.Add(Severity::kError, kCheckStatsAgreement, "Statistics.db",
                 std::nullopt,
                 "partition size histogram counts " + std::to_string(stated) +
                     " partitions, Data.db holds " + U(partitions_));
      }
      detail += ", partition count";
    }
    // estimatedCellPerPartitionCount gets one value per partition too (two
    // in the mc writers of the corpus, cassandra-legacy/mc).
    const std::vector<int64_t>& cells = st->column_counts.counts;
    if (!cells.empty()) {
      const int64_t stated =
          std::accumulate(cells.begin(), cells.end(), int64_t{0});
      const int64_t p = static_cast<int64_t>(partitions_);
      if (stated != p && stated != 2 * p) {
        ctx_.Add(Severity::kError, kCheckStatsAgreement, "Statistics.db",
                 std::nullopt,
                 "cell count histogram counts " + std::to_string(stated) +
                     " partitions, Data.db holds " + U(partitions_));
      }
    }
    if (st->total_rows >= 0) {
      const uint64_t rows = rows_ + static_rows_;
      // The decoder hides the empty static row Cassandra writes into each
      // partition of a table with static columns; some writers count it.
      const uint64_t hidden_statics =
          t_.columns().statics.empty() ? 0 : partitions_ - static_rows_;
      const uint64_t stated = static_cast<uint64_t>(st->total_rows);
      if (stated < rows || stated > rows + hidden_statics) {
        ctx_.Add(Severity::kError, kCheckStatsAgreement, "Statistics.db",
                 std::nullopt,
                 "totalRows is " + std::to_string(st->total_rows) +
                     ", Data.db holds " + U(rows) + " rows (" +
                     U(static_rows_) + " static)");
      }
      detail += ", row count";
    }
  }
  ctx_.Ran(kCheckStatsAgreement, detail + " checked");
}

void StructureChecker::SeePartitionEnd(uint64_t end) {
  if (!in_partition_) return;
  in_partition_ = false;
  if (size_buckets_.empty()) return;
  const std::vector<int64_t>& offsets =
      t_.statistics().stats->partition_sizes.offsets;
  if (size_buckets_.empty() || size_buckets_.size() != offsets.size() + 1) {
    return;
  }
  // EstimatedHistogram.add: the first bucket whose offset is >= the size;
  // the last bucket takes what is larger than every offset.
  const int64_t size = static_cast<int64_t>(end - partition_start_);
  const size_t bucket = static_cast<size_t>(
      std::lower_bound(offsets.begin(), offsets.end(), size) - offsets.begin());
  ++size_buckets_[bucket];
}

void StructureChecker::SeeClusteringValues(const Clustering& c) {
  if (min_value_seen_.empty() && max_value_seen_.empty()) return;
  const StatsMetadata& st = *t_.statistics().stats;
  for (size_t i = 0; i < c.values.size(); ++i) {
    if (!c.values[i]) continue;
    const ByteView v = *c.values[i];
    if (i < min_value_seen_.size() && !min_value_seen_[i] &&
        v == ByteView(st.min_clustering_values[i])) {
      min_value_seen_[i] = true;
    }
    if (i < max_value_seen_.size() && !max_value_seen_[i] &&
        v == ByteView(st.max_clustering_values[i])) {
      max_value_seen_[i] = true;
    }
  }
}

// EstimatedHistogram offsets are always the series 1, 2, 3, 4, 5, 6, 7, 8,
// 10, 12, ... (each the previous times 1.2, rounded, at least +1): any other
// value is damage.
void StructureChecker::CheckHistogramShape(const Histogram& h,
                                           const char* name) {
  int64_t expected = 1;
  for (size_t i = 0; i < h.offsets.size(); ++i) {
    if (h.offsets[i] != expected) {
      ctx_.Add(Severity::kError, kCheckStatsAgreement, "Statistics.db",
               std::nullopt,
               std::string(name) + " histogram bucket " + U(i) + " bound is " +
                   std::to_string(h.offsets[i]) + ", expected " +
                   std::to_string(expected) +
                   " (EstimatedHistogram's fixed series)");
      return;
    }
    const int64_t next = std::llround(static_cast<double>(expected) * 1.2);
    expected = next == expected ? next + 1 : next;
  }
  for (size_t i = 0; i < h.counts.size(); ++i) {
    if (h.counts[i] < 0) {
      ctx_.Add(Severity::kError, kCheckStatsAgreement, "Statistics.db",
               std::nullopt,
               std::string(name) + " histogram bucket " + U(i) +
                   " has a negative count " + std::to_string(h.counts[i]));
      return;
    }
  }
}

void StructureChecker::CheckPartitionSizes(const StatsMetadata& st) {
  const std::vector<int64_t>& counts = st.partition_sizes.counts;
  if (size_buckets_.size() != counts.size() || counts.empty()) return;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (static_cast<uint64_t>(counts[i]) != size_buckets_[i]) {
      ctx_.Add(Severity::kError, kCheckStatsAgreement, "Statistics.db",
               std::nullopt,
               "estimatedPartitionSize bucket " + U(i) + " counts " +
                   std::to_string(counts[i]) + " partitions, Data.db has " +
                   U(size_buckets_[i]) + " of that size");
      return;
    }
  }
}

// compressionRatio: compressed bytes (without the per-chunk checksums) over
// uncompressed bytes, -1 for an uncompressed Data.db.
void StructureChecker::CheckCompressionRatio(const StatsMetadata& st) {
  const auto& ci = t_.compression();
  if (!ci) {
    if (st.compression_ratio != -1.0) {
      ctx_.Add(Severity::kError, kCheckStatsAgreement, "Statistics.db",
               std::nullopt,
               "compressionRatio is " + std::to_string(st.compression_ratio) +
                   " for an uncompressed Data.db (expected -1)");
    }
    return;
  }
  if (ci->data_length == 0) return;
  const double size = static_cast<double>(t_.data_file_size());
  const double chunks = static_cast<double>(ci->chunk_offsets.size());
  const double plain = static_cast<double>(ci->data_length);
  // -1 ("unknown"): what ma writers store even for compressed data; NaN:
  // ScyllaDB's me writer (scylla-misc/mixed_generation_type).
  if (std::isnan(st.compression_ratio)) return;
  const double candidates[] = {(size - 4 * chunks) / plain, size / plain, -1.0};
  for (double c : candidates) {
    if (c == st.compression_ratio) return;
  }
  ctx_.Add(Severity::kError, kCheckStatsAgreement, "Statistics.db",
           std::nullopt,
           "compressionRatio is " + std::to_string(st.compression_ratio) +
               ", but Data.db compresses " + U(ci->data_length) +
               " bytes into " + U(t_.data_file_size()));
}

// Commit log segment ids are the writer's clock in milliseconds at startup
// plus a counter; positions are offsets in a segment. Intervals are ordered.
void StructureChecker::CheckCommitLogIntervals(const StatsMetadata& st) {
  constexpr int64_t kYear2100Ms = 4102444800000LL;
  const auto& all = st.commit_log_intervals;  // mc+
  auto plausible = [&](const CommitLogPosition& p) {
    return p.segment_id >= -1 && p.segment_id < kYear2100Ms && p.position >= 0;
  };
  auto before = [](const CommitLogPosition& a, const CommitLogPosition& b) {
    return a.segment_id < b.segment_id ||
           (a.segment_id == b.segment_id && a.position <= b.position);
  };
  // (The single bounds are not checked: ScyllaDB writes sentinel values.)
  bool ok = true;
  for (const auto& [lo, hi] : all) {
    ok = ok && plausible(lo) && plausible(hi) && before(lo, hi);
  }
  {
    if (!ok) {
      ctx_.Add(
          Severity::kError, kCheckStatsAgreement, "Statistics.db", std::nullopt,
          "implausible commit log interval " + st.commit_log_intervals_text +
              " (segment ids are millisecond clock values, intervals "
              "run forward)");
      return;
    }
  }
}

void StructureChecker::CheckClusteringBounds(const StatsMetadata& st) {
  if (rows_ + markers_ == 0) return;
  for (size_t i = 0; i < min_value_seen_.size(); ++i) {
    if (!min_value_seen_[i]) {
      ctx_.Add(Severity::kError, kCheckStatsAgreement, "Statistics.db",
               std::nullopt,
               "minimum clustering value " + U(i) +
                   " occurs in no row or range tombstone of Data.db");
      return;
    }
  }
  for (size_t i = 0; i < max_value_seen_.size(); ++i) {
    if (!max_value_seen_[i]) {
      ctx_.Add(Severity::kError, kCheckStatsAgreement, "Statistics.db",
               std::nullopt,
               "maximum clustering value " + U(i) +
                   " occurs in no row or range tombstone of Data.db");
      return;
    }
  }
}

}  // namespace verify_internal
}  // namespace sstablefs::reader
