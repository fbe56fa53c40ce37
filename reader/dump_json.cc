#include "reader/dump_json.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reader/byte_reader.h"
#include "reader/counter.h"
#include "reader/data_file.h"
#include "reader/jackson_writer.h"
#include "reader/types.h"
#include "reader/unfiltered.h"

namespace sstablefs::reader {
namespace {

// Output is handed to the sink once this much has accumulated.
constexpr size_t kFlushBytes = 1 << 20;

// Cassandra's ReservedKeywords (4.0/5.0): these are quoted by toCQLString.
constexpr std::array<std::string_view, 62> kReservedKeywords = {
    "add",          "allow",        "alter",   "and",      "apply",
    "asc",          "authorize",    "batch",   "begin",    "by",
    "columnfamily", "create",       "default", "delete",   "desc",
    "describe",     "drop",         "entries", "execute",  "from",
    "full",         "grant",        "if",      "in",       "index",
    "infinity",     "insert",       "into",    "is",       "keyspace",
    "limit",        "materialized", "mbean",   "mbeans",   "modify",
    "nan",          "norecursive",  "not",     "null",     "of",
    "on",           "or",           "order",   "primary",  "rename",
    "replace",      "revoke",       "schema",  "select",   "set",
    "table",        "to",           "token",   "truncate", "unlogged",
    "unset",        "update",       "use",     "using",    "view",
    "where",        "with"};

// Java's TimeUnit.toNanos: multiplication that saturates at Long.MIN/MAX.
int64_t SaturatingNanos(int64_t v, int64_t scale) {
  const int64_t limit = INT64_MAX / scale;
  if (v > limit) return INT64_MAX;
  if (v < -limit) return INT64_MIN;
  return v * scale;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

void AppendPadded(int64_t v, int width, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  for (int n = static_cast<int>(end - buf); n < width; ++n) out->push_back('0');
  out->append(buf, end);
}

// java.time.Instant.toString (DateTimeFormatter.ISO_INSTANT).
void AppendInstant(int64_t secs, int64_t nanos, std::string* out) {
  int64_t days = FloorDiv(secs, 86400);
  int64_t sod = secs - days * 86400;
  // Civil date from days since 1970-01-01 (proleptic Gregorian).
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  if (y > 9999) out->push_back('+');
  if (y < 0) {
    out->push_back('-');
    AppendPadded(-y, 4, out);
  } else {
    AppendPadded(y, 4, out);
  }
  out->push_back('-');
  AppendPadded(m, 2, out);
  out->push_back('-');
  AppendPadded(d, 2, out);
  out->push_back('T');
  AppendPadded(sod / 3600, 2, out);
  out->push_back(':');
  AppendPadded(sod / 60 % 60, 2, out);
  out->push_back(':');
  AppendPadded(sod % 60, 2, out);
  if (nanos != 0) {
    out->push_back('.');
    if (nanos % 1000000 == 0) {
      AppendPadded(nanos / 1000000, 3, out);
    } else if (nanos % 1000 == 0) {
      AppendPadded(nanos / 1000, 6, out);
    } else {
      AppendPadded(nanos, 9, out);
    }
  }
  out->push_back('Z');
}

bool IsCollectionKind(TypeKind k) {
  return k == TypeKind::kList || k == TypeKind::kSet || k == TypeKind::kMap;
}

// Per column: what the cell renderer needs, computed once per dump.
struct ColumnInfo {
  std::string json_name;  // "\"name\"" of toCQLString(name)
  const CqlType* type = nullptr;
  CqlTypePtr path_type;   // multi-cell collections
  CqlTypePtr value_type;  // multi-cell collections
};

class Dumper {
 public:
  Dumper(const SSTable& sstable, const DumpOptions& options, OutputSink* sink)
      : sstable_(sstable),
        columns_(sstable.columns()),
        options_(options),
        sink_(sink),
        w_(&buf_, options.json_lines) {
    buf_.reserve(kFlushBytes + (kFlushBytes >> 2));
    Describe(columns_.statics, &statics_);
    Describe(columns_.regulars, &regulars_);
  }

  Status DumpAll();
  Status DumpKeys();
  // Resumable DumpAll (DumpSSTableJsonResumable).
  void SetResume(const DumpResumePoint* start, uint64_t interval,
                 const std::function<void(const DumpResumePoint&)>* cb) {
    resume_ = start;
    checkpoint_interval_ = interval;
    checkpoint_ = cb;
  }

 private:
  static void Describe(const std::vector<ColumnDef>& defs,
                       std::vector<ColumnInfo>* out);
  // Visits the selected partitions in Data.db order; `fn` renders one.
  template <typename Fn>
  Status ForEachPartition(Fn fn);
  bool Excluded(ByteView key) const;

  void WritePartition(PartitionIterator* it);
  void WriteKey(ByteView key);
  void WriteRow(const Unfiltered& u, bool defer_position);
  void WriteCells(const Row& r);
  void WriteCell(const Cell& c, const ColumnInfo& col, const LivenessInfo& lv);
  void WriteComplexDeletion(const ColumnInfo& col, const DeletionTime& d);
  void WriteMarker(const RangeTombstoneMarker& m);
  void WriteBound(bool start, bool inclusive, const Clustering& c,
                  const DeletionTime& d);
  void WriteClustering(const Clustering& c);
  void WriteDeletion(const DeletionTime& d);
  void WriteTime(int64_t v, bool micros);
  void WriteValue(const CqlType& type, ByteView value);

  // Positions not known yet: their offsets in buf_. Resolve() inserts the
  // number at each (the buffer is not flushed while any is pending).
  void DeferPosition() {
    w_.BeginValue();
    pending_.push_back(buf_.size());
  }
  void Resolve(uint64_t position);
  Status MaybeFlush(bool force);
  // At a partition boundary (nothing pending): reports a restart point when
  // enough output has accumulated since the last one.
  Status MaybeCheckpoint(uint64_t next_partition_position);

  const SSTable& sstable_;
  const Columns& columns_;
  const DumpOptions& options_;
  OutputSink* sink_;
  std::string buf_;
  JacksonWriter w_;
  std::vector<ColumnInfo> statics_;
  std::vector<ColumnInfo> regulars_;
  std::vector<size_t> pending_;
  uint64_t pending_fallback_ = 0;  // best guess when a decode error stops us
  std::vector<std::string> key_parts_;
  std::string key_copy_;
  std::string scratch_;
  // Resumable dumps.
  const DumpResumePoint* resume_ = nullptr;
  uint64_t checkpoint_interval_ = 0;
  const std::function<void(const DumpResumePoint&)>* checkpoint_ = nullptr;
  uint64_t flushed_ = 0;          // bytes handed to the sink so far
  uint64_t last_checkpoint_ = 0;  // flushed_ at the last checkpoint
  uint64_t partitions_ = 0;       // partitions printed, resumed ones included
};

void Dumper::Describe(const std::vector<ColumnDef>& defs,
                      std::vector<ColumnInfo>* out) {
  for (const ColumnDef& d : defs) {
    ColumnInfo info;
    AppendJsonString(CqlQuoteIdentifier(d.name), &info.json_name);
    info.type = d.type.get();
    if (d.type->IsMultiCell() && IsCollectionKind(d.type->kind)) {
      info.path_type = CellPathType(*d.type);
      info.value_type = CellValueType(*d.type);
    }
    out->push_back(std::move(info));
  }
}

bool Dumper::Excluded(ByteView key) const {
  for (const std::string& x : options_.exclude_keys) {
    if (ByteView(std::string_view(x)) == key) return true;
  }
  return false;
}

template <typename Fn>
Status Dumper::ForEachPartition(Fn fn) {
  SSTFS_ASSIGN_OR_RETURN(std::unique_ptr<DataInput> in,
                         sstable_.OpenData(SSTable::DataChecksums::kVerify,
                                           CacheFill::kLookupOnly));
  PartitionIterator it(in.get(), &columns_, sstable_.descriptor().version);
  if (!options_.include_keys.empty()) {
    std::vector<uint64_t> offsets;
    for (const std::string& key : options_.include_keys) {
      if (Excluded(ByteView(std::string_view(key)))) continue;
      SSTFS_ASSIGN_OR_RETURN(std::optional<uint64_t> off,
                             sstable_.FindPartition(std::string_view(key)));
      if (off.has_value()) offsets.push_back(*off);
    }
    std::sort(offsets.begin(), offsets.end());
    offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
    for (uint64_t off : offsets) {
      it.Seek(off);
      if (!it.Valid()) return it.status();
      fn(&it, in.get());
      SSTFS_RETURN_IF_ERROR(it.status());
      if (!pending_.empty()) {
        // Static row only: its end is the end-of-partition flag, one byte
        // before the next partition (or the end of the data). The probe's
        // own status is dropped: the next Seek() resets it.
        it.NextPartition();
        Resolve(it.Valid()
                    ? it.partition().position - 1
                    : (it.status().ok() ? in->size() - 1 : pending_fallback_));
      }
      SSTFS_RETURN_IF_ERROR(MaybeFlush(false));
    }
    return Status::Ok();
  }
  if (resume_ != nullptr) {
    it.Seek(resume_->data_position);
  } else {
    it.SeekToFirst();
  }
  for (; it.Valid(); it.NextPartition()) {
    if (!pending_.empty()) Resolve(it.partition().position - 1);
    if (Excluded(it.partition().key)) continue;
    SSTFS_RETURN_IF_ERROR(MaybeCheckpoint(it.partition().position));
    fn(&it, in.get());
    SSTFS_RETURN_IF_ERROR(MaybeFlush(false));
  }
  if (!pending_.empty() && it.status().ok()) Resolve(in->size() - 1);
  return it.status();
}

Status Dumper::DumpAll() {
  if (!options_.json_lines) w_.StartArray();
  if (resume_ != nullptr) {
    partitions_ = resume_->partitions_before;
    // The array is open and (when partitions came before) not empty: put the
    // writer in that state, then drop what the full dump already printed.
    if (!options_.json_lines && partitions_ > 0) w_.BeginValue();
    buf_.clear();
  }
  Status s = ForEachPartition([this](PartitionIterator* it, DataInput*) {
    WritePartition(it);
    ++partitions_;
  });
  if (!s.ok()) {
    if (!pending_.empty()) Resolve(pending_fallback_);
    (void)MaybeFlush(true);
    return s;
  }
  if (!options_.json_lines) {
    w_.EndArray();
    buf_.push_back('\n');
  }
  return MaybeFlush(true);
}

Status Dumper::DumpKeys() {
  // keysToJson always uses the default (indenting) printer.
  JacksonWriter w(&buf_, /*minimal=*/false);
  std::swap(w, w_);
  w_.StartArray();
  Status s = ForEachPartition([this](PartitionIterator* it, DataInput*) {
    WriteKey(it->partition().key);
  });
  if (!s.ok()) {
    (void)MaybeFlush(true);
    return s;
  }
  w_.EndArray();
  buf_.push_back('\n');
  return MaybeFlush(true);
}

void Dumper::Resolve(uint64_t position) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, position);
  (void)ec;
  // Insert from the back so earlier offsets stay valid.
  for (auto i = pending_.rbegin(); i != pending_.rend(); ++i) {
    buf_.insert(*i, digits, static_cast<size_t>(end - digits));
  }
  pending_.clear();
}

Status Dumper::MaybeFlush(bool force) {
  if (!pending_.empty()) return Status::Ok();
  if (buf_.empty() || (!force && buf_.size() < kFlushBytes)) {
    return Status::Ok();
  }
  Status s = sink_->Append(buf_);
  flushed_ += buf_.size();
  buf_.clear();
  return s;
}

Status Dumper::MaybeCheckpoint(uint64_t next_partition_position) {
  if (checkpoint_ == nullptr || !*checkpoint_ || partitions_ == 0 ||
      !pending_.empty() ||
      flushed_ + buf_.size() - last_checkpoint_ < checkpoint_interval_) {
    return Status::Ok();
  }
  SSTFS_RETURN_IF_ERROR(MaybeFlush(/*force=*/true));
  last_checkpoint_ = flushed_;
  (*checkpoint_)(DumpResumePoint{next_partition_position, partitions_});
  return Status::Ok();
}

void Dumper::WritePartition(PartitionIterator* it) {
  const PartitionHeader& p = it->partition();
  key_copy_.assign(reinterpret_cast<const char*>(p.key.data()), p.key.size());
  const DeletionTime pdel = p.deletion;
  // Where the first unfiltered starts when there is no static row: after the
  // u16 key length, the key and the 12-byte DeletionTime.
  const uint64_t header_end = p.position + 2 + key_copy_.size() + 12;

  w_.StartObject();
  w_.FieldName("\"table kind\"");
  w_.String(options_.table_kind);
  w_.FieldName("\"partition\"");
  w_.StartObject();
  w_.FieldName("\"key\"");
  WriteKey(ByteView(key_copy_));
  w_.FieldName("\"position\"");
  DeferPosition();
  if (!pdel.IsLive()) WriteDeletion(pdel);
  w_.EndObject();
  w_.FieldName("\"rows\"");
  w_.StartArray();

  bool had_static = false;
  bool first = true;
  for (it->StartRows(); it->RowValid(); it->NextRow()) {
    const Unfiltered& u = it->unfiltered();
    if (first && u.kind == Unfiltered::Kind::kRow && u.row.is_static) {
      had_static = true;
      first = false;
      WriteRow(u, /*defer_position=*/true);
      continue;
    }
    first = false;
    if (!pending_.empty()) Resolve(u.position);
    if (u.kind == Unfiltered::Kind::kRow) {
      WriteRow(u, false);
    } else {
      WriteMarker(u.marker);
    }
    (void)MaybeFlush(false);  // a sink error resurfaces at the next flush
  }
  // Without a static row the first unfiltered (or the end-of-partition
  // flag) starts right after the header. With a static row and nothing
  // after it, the flag's offset is only known from what follows the
  // partition: ForEachPartition resolves it.
  pending_fallback_ = header_end;
  if (!pending_.empty() && !had_static) Resolve(header_end);
  w_.EndArray();
  w_.EndObject();
  if (options_.json_lines) buf_.push_back('\n');
}

void Dumper::WriteKey(ByteView key) {
  PartitionKeyStrings(*columns_.key_type, key, &key_parts_);
  w_.SetObjectCompact(true);
  w_.SetArrayCompact(true);
  w_.StartArray();
  for (const std::string& part : key_parts_) w_.String(part);
  w_.EndArray();
  w_.SetObjectCompact(false);
  w_.SetArrayCompact(false);
}

void Dumper::WriteRow(const Unfiltered& u, bool defer_position) {
  const Row& r = u.row;
  w_.StartObject();
  w_.FieldName("\"type\"");
  w_.String(r.is_static ? "static_block" : "row");
  w_.FieldName("\"position\"");
  if (defer_position) {
    DeferPosition();
  } else {
    w_.Number(static_cast<int64_t>(u.position));
  }
  if (!r.is_static) WriteClustering(r.clustering);
  const LivenessInfo& lv = r.liveness;
  if (!lv.IsEmpty()) {
    w_.SetObjectCompact(false);
    w_.FieldName("\"liveness_info\"");
    w_.SetObjectCompact(true);
    w_.StartObject();
    w_.FieldName("\"tstamp\"");
    WriteTime(lv.timestamp, true);
    if (lv.IsExpiring()) {
      w_.FieldName("\"ttl\"");
      w_.Number(lv.ttl);
      w_.FieldName("\"expires_at\"");
      WriteTime(lv.local_expiration_time, false);
      w_.FieldName("\"expired\"");
      w_.Bool(lv.local_expiration_time < options_.now_seconds);
    }
    w_.EndObject();
    w_.SetObjectCompact(false);
  }
  if (!r.deletion.IsLive()) WriteDeletion(r.deletion);
  w_.FieldName("\"cells\"");
  w_.StartArray();
  WriteCells(r);
  w_.EndArray();
  w_.EndObject();
}

void Dumper::WriteCells(const Row& r) {
  const std::vector<ColumnInfo>& cols = r.is_static ? statics_ : regulars_;
  const std::vector<ComplexDeletion>& cds = r.complex_deletions;
  size_t cd = 0;
  auto flush_deletions = [&](uint64_t upto) {
    for (; cd < cds.size() && cds[cd].column <= upto; ++cd) {
      if (cds[cd].column < cols.size() && !cds[cd].deletion.IsLive()) {
        WriteComplexDeletion(cols[cds[cd].column], cds[cd].deletion);
      }
    }
  };
  for (const Cell& c : r.cells) {
    flush_deletions(c.column);  // a column's deletion precedes its cells
    if (c.column < cols.size()) WriteCell(c, cols[c.column], r.liveness);
  }
  flush_deletions(UINT64_MAX);
}

void Dumper::WriteComplexDeletion(const ColumnInfo& col,
                                  const DeletionTime& d) {
  w_.SetObjectCompact(true);
  w_.StartObject();
  w_.FieldName("\"name\"");
  w_.Raw()->append(col.json_name);
  WriteDeletion(d);
  w_.SetObjectCompact(true);
  w_.EndObject();
  w_.SetObjectCompact(false);
}

void Dumper::WriteCell(const Cell& c, const ColumnInfo& col,
                       const LivenessInfo& lv) {
  w_.StartObject();
  w_.SetObjectCompact(true);
  w_.FieldName("\"name\"");
  w_.Raw()->append(col.json_name);
  const CqlType& type = *col.type;
  const CqlType* cell_type = &type;
  if (col.path_type != nullptr) {
    w_.FieldName("\"path\"");
    w_.SetArrayCompact(true);
    w_.StartArray();
    scratch_.clear();
    AppendDumpString(*col.path_type, c.path, &scratch_);
    w_.String(scratch_);
    w_.EndArray();
    w_.SetArrayCompact(false);
    if (col.value_type != nullptr) cell_type = col.value_type.get();
  } else if (type.IsMultiCell() && type.kind == TypeKind::kUdt) {
    int pos = UdtFieldPosition(c.path);
    w_.FieldName("\"path\"");
    w_.SetArrayCompact(true);
    w_.StartArray();
    if (pos >= 0 && static_cast<size_t>(pos) < type.field_names.size()) {
      w_.String(type.field_names[pos]);
      cell_type = type.params[pos].get();
    } else {
      w_.String(c.path.ToHex());
      cell_type = nullptr;  // unknown field: render the bytes as a blob
    }
    w_.EndArray();
    w_.SetArrayCompact(false);
  }
  if (c.is_tombstone) {
    w_.FieldName("\"deletion_info\"");
    w_.SetObjectCompact(true);
    w_.StartObject();
    w_.FieldName("\"local_delete_time\"");
    WriteTime(c.local_deletion_time, false);
    w_.EndObject();
    w_.SetObjectCompact(false);
  } else {
    w_.FieldName("\"value\"");
    if (cell_type == nullptr) {
      w_.String("0x" + c.value.ToHex());
    } else {
      WriteValue(*cell_type, c.value);
    }
  }
  if (lv.IsEmpty() || c.timestamp != lv.timestamp) {
    w_.FieldName("\"tstamp\"");
    WriteTime(c.timestamp, true);
  }
  if (c.is_expiring && (lv.IsEmpty() || c.ttl != lv.ttl)) {
    w_.FieldName("\"ttl\"");
    w_.Number(c.ttl);
    w_.FieldName("\"expires_at\"");
    WriteTime(c.local_deletion_time, false);
    w_.FieldName("\"expired\"");
    // !Cell.isLive(now): an expiring cell lives while now < its expiry.
    w_.Bool(!(options_.now_seconds < c.local_deletion_time));
  }
  w_.EndObject();
  w_.SetObjectCompact(false);
}

void Dumper::WriteValue(const CqlType& type, ByteView value) {
  std::string* out = w_.Raw();
  if (type.kind == TypeKind::kCounter) {
    Result<int64_t> total = CounterValue(value);
    if (total.ok()) {
      char digits[24];
      auto [end, ec] = std::to_chars(digits, digits + sizeof digits, *total);
      (void)ec;
      out->append(digits, end);
      return;
    }
  }
  if (type.kind == TypeKind::kEmpty) {
    out->append("\"\"");  // EmptyType.toJSONString (set cells)
    return;
  }
  AppendJson(type, value, out);
}

void Dumper::WriteMarker(const RangeTombstoneMarker& m) {
  w_.StartObject();
  w_.FieldName("\"type\"");
  BoundKind k = m.bound.kind;
  if (IsBoundary(k)) {
    w_.String("range_tombstone_boundary");
    // openBound first, then closeBound (JsonTransformer order).
    bool open_inclusive = k == BoundKind::kExclEndInclStartBoundary;
    WriteBound(true, open_inclusive, m.bound, m.start_deletion);
    WriteBound(false, !open_inclusive, m.bound, m.end_deletion);
  } else {
    w_.String("range_tombstone_bound");
    bool inclusive =
        k == BoundKind::kInclStartBound || k == BoundKind::kInclEndBound;
    WriteBound(IsStart(k), inclusive, m.bound, m.deletion);
  }
  w_.EndObject();
  w_.SetObjectCompact(false);
}

void Dumper::WriteBound(bool start, bool inclusive, const Clustering& c,
                        const DeletionTime& d) {
  w_.FieldName(start ? "\"start\"" : "\"end\"");
  w_.StartObject();
  w_.FieldName("\"type\"");
  w_.String(inclusive ? "inclusive" : "exclusive");
  WriteClustering(c);
  WriteDeletion(d);
  w_.EndObject();
}

void Dumper::WriteClustering(const Clustering& c) {
  if (c.values.empty()) return;
  w_.FieldName("\"clustering\"");
  w_.SetObjectCompact(true);
  w_.StartArray();
  w_.SetArrayCompact(true);
  const auto& types = columns_.clustering_types;
  // One entry per clustering column; a bound's missing suffix prints "*".
  for (size_t i = 0; i < types.size(); ++i) {
    if (i >= c.values.size()) {
      w_.String("*");
    } else if (!c.values[i].has_value()) {
      w_.Raw()->append("null");
    } else {
      WriteValue(*types[i], *c.values[i]);
    }
  }
  w_.EndArray();
  w_.SetObjectCompact(false);
  w_.SetArrayCompact(false);
}

void Dumper::WriteDeletion(const DeletionTime& d) {
  w_.FieldName("\"deletion_info\"");
  w_.SetObjectCompact(true);
  w_.StartObject();
  w_.FieldName("\"marked_deleted\"");
  WriteTime(d.marked_for_delete_at, true);
  w_.FieldName("\"local_delete_time\"");
  WriteTime(d.local_deletion_time, false);
  w_.EndObject();
  w_.SetObjectCompact(false);
}

void Dumper::WriteTime(int64_t v, bool micros) {
  std::string* out = w_.Raw();
  out->push_back('"');
  AppendDumpTime(v, micros, options_.raw_timestamps, out);
  out->push_back('"');
}

}  // namespace

void AppendDumpTime(int64_t value, bool micros, bool raw, std::string* out) {
  if (raw) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
    (void)ec;
    out->append(digits, end);
    return;
  }
  const int64_t per_sec = micros ? 1000000 : 1;
  const int64_t secs = value / per_sec;  // TimeUnit.toSeconds truncates
  int64_t nanos =
      SaturatingNanos(value, micros ? 1000 : 1000000000) % 1000000000;
  if (nanos < 0) nanos += 1000000000;  // Math.floorMod
  AppendInstant(secs, nanos, out);
}

std::string CqlQuoteIdentifier(std::string_view name) {
  bool plain = !name.empty() && name[0] >= 'a' && name[0] <= 'z';
  for (char ch : name) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) {
      plain = false;
      break;
    }
  }
  if (plain && std::find(kReservedKeywords.begin(), kReservedKeywords.end(),
                         name) == kReservedKeywords.end()) {
    return std::string(name);
  }
  std::string quoted = "\"";
  for (char ch : name) {
    if (ch == '"') quoted.push_back('"');
    quoted.push_back(ch);
  }
  quoted.push_back('"');
  return quoted;
}

void PartitionKeyStrings(const CqlType& key_type, ByteView key,
                         std::vector<std::string>* out) {
  out->clear();
  if (key_type.kind != TypeKind::kComposite) {
    out->emplace_back();
    AppendDumpString(key_type, key, &out->back());
    return;
  }
  ByteReader r(key);
  uint16_t header = 0;
  // A 0xFFFF prefix marks a static composite (legacy); skip it.
  if (r.remaining() >= 2 && key[0] == 0xFF && key[1] == 0xFF) r.Skip(2);
  (void)header;
  for (size_t i = 0; i < key_type.params.size() && !r.AtEnd(); ++i) {
    ByteView comp;
    uint8_t eoc = 0;
    if (!r.ReadShortLengthBytes(&comp) || !r.ReadU8(&eoc)) break;
    out->emplace_back();
    AppendDumpString(*key_type.params[i], comp, &out->back());
    if (eoc != 0) break;
  }
  if (out->empty()) out->push_back(key.ToHex());
}

Status DumpSSTableJson(const SSTable& sstable, const DumpOptions& options,
                       OutputSink* sink) {
  Dumper d(sstable, options, sink);
  return d.DumpAll();
}

Status DumpSSTableJsonResumable(
    const SSTable& sstable, const DumpOptions& options,
    const DumpResumePoint* start, uint64_t checkpoint_interval,
    const std::function<void(const DumpResumePoint&)>& checkpoint,
    OutputSink* sink) {
  if (!options.include_keys.empty() || !options.exclude_keys.empty()) {
    return Status::InvalidArgument(
        "a resumable dump does not take -k/-x key filters");
  }
  Dumper d(sstable, options, sink);
  d.SetResume(start, checkpoint_interval, &checkpoint);
  return d.DumpAll();
}

Status DumpSSTableKeys(const SSTable& sstable, const DumpOptions& options,
                       OutputSink* sink) {
  Dumper d(sstable, options, sink);
  return d.DumpKeys();
}

}  // namespace sstablefs::reader
