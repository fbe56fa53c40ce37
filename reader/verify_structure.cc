// The decoding pass of `verify`: Data.db partition order, rows, clustering
// order and range tombstone pairing (see verify_structure.h).
#include "reader/verify_structure.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "reader/types.h"

namespace sstablefs::reader {
namespace verify_internal {
namespace {

// Progress is reported every this many uncompressed bytes.
constexpr uint64_t kProgressStep = 1 << 20;

}  // namespace

void StructureChecker::Error(const char* check, std::string_view component,
                             std::optional<uint64_t> offset,
                             std::string reason) {
  int& n = finding_counts_[check];
  ++n;
  if (n <= kMaxFindingsPerCheck) {
    ctx_.Add(Severity::kError, check, component, offset, std::move(reason));
  }
}

void StructureChecker::SeeTimestamp(int64_t ts, uint64_t at) {
  if (ts == kNoTimestamp) return;
  timestamps_.See(ts, stats_min_ts_, stats_max_ts_, at);
}

void StructureChecker::SeeLocalDeletionTime(int32_t ldt, uint64_t at) {
  if (ldt == kNoDeletionTime) return;
  deletion_times_.See(ldt, stats_min_ldt_, stats_max_ldt_, at);
}

void StructureChecker::SeeDeletion(const DeletionTime& d, uint64_t at) {
  if (d.IsLive()) return;
  SeeTimestamp(d.marked_for_delete_at, at);
  SeeLocalDeletionTime(d.local_deletion_time, at);
}

void StructureChecker::CheckPartition(const PartitionHeader& p) {
  ++partitions_;
  if (have_prev_) {
    int c = t_.partitioner().CompareKeys(ByteView(prev_key_), p.key);
    if (c >= 0) {
      Error(kCheckStructure, "Data.db", p.position,
            "partition " + Key(p.key) +
                (c == 0 ? " repeats" : " sorts before") +
                " the previous partition " + Key(ByteView(prev_key_)) + " (" +
                std::string(t_.partitioner().ShortName()) + " order)");
    }
  } else {
    first_key_.assign(p.key.AsStringView());
  }
  prev_key_.assign(p.key.AsStringView());
  have_prev_ = true;
  SeeDeletion(p.deletion, p.position);
  if (filter_) {
    if (!filter_->MightContain(p.key)) {
      if (filter_misses_++ == 0) first_filter_miss_ = Key(p.key);
    }
    if (filter_other_order_ && !filter_other_order_->MightContain(p.key)) {
      ++filter_other_misses_;
    }
    AddToRebuiltFilter(p.key);
  }
  FinishPartitionExtent(p.position);
  SeePartitionEnd(p.position);
  partition_start_ = p.position;
  in_partition_ = true;
  IndexEntryFor(p);
}

void StructureChecker::CheckMarker(const Unfiltered& u) {
  const RangeTombstoneMarker& m = u.marker;
  const BoundKind k = m.bound.kind;
  ++markers_;
  if (IsBoundary(k)) {
    SeeDeletion(m.end_deletion, u.position);
    SeeDeletion(m.start_deletion, u.position);
    if (!rt_open_) {
      Error(kCheckStructure, "Data.db", u.position,
            "range tombstone boundary closes a range that was not opened");
    } else if (!(m.end_deletion == rt_deletion_)) {
      Error(kCheckStructure, "Data.db", u.position,
            "range tombstone boundary closes with deletion " +
                DeletionText(m.end_deletion) + " a range opened at offset " +
                U(rt_open_at_) + " with " + DeletionText(rt_deletion_));
    }
    rt_open_ = true;
    rt_deletion_ = m.start_deletion;
    rt_open_at_ = u.position;
    return;
  }
  SeeDeletion(m.deletion, u.position);
  if (IsStart(k)) {
    if (rt_open_) {
      Error(kCheckStructure, "Data.db", u.position,
            "range tombstone opened while the one opened at offset " +
                U(rt_open_at_) + " is still open");
    }
    rt_open_ = true;
    rt_deletion_ = m.deletion;
    rt_open_at_ = u.position;
  } else if (IsEnd(k)) {
    if (!rt_open_) {
      Error(kCheckStructure, "Data.db", u.position,
            "range tombstone end bound closes a range that was not opened");
    } else if (!(m.deletion == rt_deletion_)) {
      Error(kCheckStructure, "Data.db", u.position,
            "range tombstone closes with deletion " + DeletionText(m.deletion) +
                " a range opened at offset " + U(rt_open_at_) + " with " +
                DeletionText(rt_deletion_));
    }
    rt_open_ = false;
  }
}

void StructureChecker::CheckRows(PartitionIterator& it,
                                 const PartitionHeader& p) {
  rt_open_ = false;
  clustering_.Reset();
  bool order_reported = false;
  for (it.StartRows(); it.RowValid(); it.NextRow()) {
    const Unfiltered& u = it.unfiltered();
    if (u.kind == Unfiltered::Kind::kRow) {
      const Row& r = u.row;
      if (r.is_static) {
        ++static_rows_;
      } else {
        ++rows_;
      }
      SeeTimestamp(r.liveness.timestamp, u.position);
      if (r.liveness.IsExpiring()) {
        any_ttl_ = true;
        SeeLocalDeletionTime(r.liveness.local_expiration_time, u.position);
      }
      SeeDeletion(r.deletion, u.position);
      SeeDeletion(r.shadowable_deletion, u.position);
      for (const Cell& c : r.cells) {
        SeeTimestamp(c.timestamp, u.position);
        if (c.is_expiring) any_ttl_ = true;
        if (c.is_tombstone || c.is_expiring) {
          SeeLocalDeletionTime(c.local_deletion_time, u.position);
        }
      }
      for (const ComplexDeletion& cd : r.complex_deletions) {
        SeeDeletion(cd.deletion, u.position);
      }
      if (r.is_static) continue;
    }
    // Block boundaries first: a block's end-open marker is the range
    // tombstone state before this unfiltered.
    BlocksAtUnfiltered(u, p);
    if (u.kind == Unfiltered::Kind::kRangeTombstoneMarker) CheckMarker(u);
    const Clustering& c =
        u.kind == Unfiltered::Kind::kRow ? u.row.clustering : u.marker.bound;
    SeeClusteringValues(c);
    std::string why;
    if (!clustering_.Accept(c, &why) && !order_reported) {
      order_reported = true;
      Error(kCheckStructure, "Data.db", u.position,
            std::string(u.kind == Unfiltered::Kind::kRow ? "row"
                                                         : "range tombstone "
                                                           "marker") +
                " out of clustering order in partition " + Key(p.key) + ": " +
                why);
    }
  }
  if (it.status().ok()) BlocksAtPartitionEnd(p);
  blocks_.reset();
  if (it.status().ok() && rt_open_) {
    Error(kCheckStructure, "Data.db", rt_open_at_,
          "range tombstone opened at offset " + U(rt_open_at_) +
              " is not closed before the end of partition " + Key(p.key));
  }
}

Result<std::unique_ptr<DataInput>> StructureChecker::OpenDataForDecoding() {
  if (!chunks_damaged_ || t_.compression()) return t_.OpenData();
  ctx_.Add(Severity::kNote, kCheckStructure, "Data.db", std::nullopt,
           "decoded without CRC.db, whose checksums do not match");
  return t_.OpenData(SSTable::DataChecksums::kSkipCrcDb);
}

void StructureChecker::Run() {
  if (const auto& s = t_.statistics().stats) {
    stats_min_ts_ = s->min_timestamp;
    stats_max_ts_ = s->max_timestamp;
    stats_min_ldt_ = s->min_local_deletion_time;
    stats_max_ldt_ = s->max_local_deletion_time;
    size_buckets_.assign(s->partition_sizes.counts.size(), 0);
    min_value_seen_.assign(s->min_clustering_values.size(), false);
    max_value_seen_.assign(s->max_clustering_values.size(), false);
  }
  OpenIndexComponents();
  // When the chunk pass found CRC.db mismatches in an uncompressed Data.db,
  // decode without CRC.db so the structure behind the damage is still
  // checked (compressed chunks with a bad CRC cannot be trusted to
  // decompress, so they stop the pass).
  Result<std::unique_ptr<DataInput>> input = OpenDataForDecoding();
  if (!input.ok()) {
    ctx_.AddStatus(Severity::kError, kCheckStructure, "Data.db",
                   input.status());
    for (const char* c : {kCheckStructure, kCheckIndex, kCheckSummary,
                          kCheckBloomFilter, kCheckStatsAgreement}) {
      ctx_.Skipped(c, "Data.db cannot be read");
    }
    return;
  }
  const uint64_t data_length = (*input)->size();
  const uint64_t file_size = t_.data_file_size();
  uint64_t reported = 0;
  PartitionIterator it(input->get(), &t_.columns(), d_.version);
  for (it.SeekToFirst(); it.Valid(); it.NextPartition()) {
    const PartitionHeader& p = it.partition();
    CheckPartition(p);
    CheckRows(it, p);
    if (p.position - reported >= kProgressStep && data_length > 0) {
      // Progress in on-disk bytes: the decoded share of Data.db.
      uint64_t now = static_cast<uint64_t>(static_cast<double>(p.position) /
                                           data_length * file_size);
      uint64_t before = static_cast<uint64_t>(static_cast<double>(reported) /
                                              data_length * file_size);
      ctx_.Progress(now - before);
      reported = p.position;
    }
  }
  const Status& s = it.status();
  const bool complete = s.ok();
  if (!complete) {
    const bool chunk_error = s.message().find(": chunk ") != std::string::npos;
    if (chunk_error && chunks_damaged_) {
      ctx_.Add(Severity::kNote, kCheckStructure, "Data.db", std::nullopt,
               "decoding stopped at a damaged chunk after " + U(partitions_) +
                   " partitions; later partitions not checked");
    } else {
      ctx_.AddStatus(Severity::kError, kCheckStructure, "Data.db", s);
    }
  } else {
    FinishPartitionExtent(data_length);
    SeePartitionEnd(data_length);
  }
  ctx_.Progress(static_cast<uint64_t>(
      file_size - static_cast<double>(reported) /
                      std::max<uint64_t>(data_length, 1) * file_size));
  ctx_.report()->partitions = partitions_;
  ctx_.report()->rows = rows_;
  ctx_.report()->markers = markers_;
  ctx_.Ran(kCheckStructure, U(partitions_) + " partitions, " + U(rows_) +
                                " rows, " + U(markers_) +
                                " range tombstone markers" +
                                (complete ? "" : " (decoding stopped early)"));
  FinishIndex(complete);
  FinishStats(complete);
}

}  // namespace verify_internal

void RunStructureChecks(VerifyContext& ctx, const SSTable& table,
                        bool data_chunks_damaged) {
  verify_internal::StructureChecker(ctx, table, data_chunks_damaged).Run();
}

std::string KeyForMessage(const SSTable& table, std::string_view key) {
  std::string out;
  const CqlTypePtr& type = table.columns().key_type;
  if (type) {
    AppendCqlLiteral(*type, ByteView(key), /*quote_strings=*/true, &out);
  } else {
    out = "0x";
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned char c : key) {
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  // Keys are data: show control bytes and invalid UTF-8 as \xNN so the
  // report stays one line of valid text.
  std::string safe;
  for (size_t i = 0; i < out.size() && safe.size() < 80;) {
    const unsigned char c = static_cast<unsigned char>(out[i]);
    size_t len = c < 0x80         ? 1
                 : (c >> 5) == 6  ? 2
                 : (c >> 4) == 14 ? 3
                 : (c >> 3) == 30 ? 4
                                  : 0;
    bool valid = len > 0 && i + len <= out.size() && c >= 0x20 && c != 0x7f;
    for (size_t k = 1; valid && k < len; ++k) {
      valid = (static_cast<unsigned char>(out[i + k]) & 0xc0) == 0x80;
    }
    if (valid) {
      safe.append(out, i, len);
      i += len;
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      safe += "\\x";
      safe.push_back(kHex[c >> 4]);
      safe.push_back(kHex[c & 15]);
      ++i;
    }
  }
  if (safe.size() >= 80) safe = safe.substr(0, 77) + "...";
  return safe;
}

}  // namespace sstablefs::reader
