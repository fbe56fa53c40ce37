// The table model (table.h): opening a table, the merged partition stream,
// single-partition reads and the merged key listing. The merge of one
// partition is table_merge.cc; history.jsonl is history.cc; partitions.csv
// is partitions_csv.cc.
#include "reader/table.h"

#include <algorithm>
#include <utility>

#include "reader/big/index_file.h"
#include "reader/big/partition_index.h"
#include "reader/table_merge.h"

namespace sstablefs::reader {

class TableInternals {
 public:
  static std::shared_ptr<Table> Make() {
    return std::shared_ptr<Table>(new Table());
  }
  static void Set(Table* t, std::vector<std::shared_ptr<SSTable>> sstables,
                  TableSchema schema, Partitioner p,
                  std::vector<std::string> warnings) {
    t->sstables_ = std::move(sstables);
    t->schema_ = std::move(schema);
    t->partitioner_ = p;
    t->warnings_ = std::move(warnings);
  }
};

namespace {

std::string NameOf(const SSTable& t) { return t.descriptor().prefix(); }

// Warnings about header columns the schema does not know or types it
// disagrees with.
void CheckColumns(const SSTable& t, const TableSchema& schema,
                  std::vector<std::string>* warnings) {
  const Columns& cols = t.columns();
  for (const auto* defs : {&cols.statics, &cols.regulars}) {
    for (const ColumnDef& d : *defs) {
      const SchemaColumn* match = nullptr;
      for (const SchemaColumn& sc : schema.columns) {
        if (sc.name == d.name && sc.is_static == d.is_static) match = &sc;
      }
      bool dropped = false;
      for (const auto& dc : schema.dropped) dropped |= dc.name == d.name;
      if (match == nullptr) {
        if (!dropped) {
          warnings->push_back("column " + d.name + " of " + NameOf(t) +
                              " is not in the schema: left out of rows");
        }
        continue;
      }
      if (match->type && d.type &&
          match->type->CqlName() != d.type->CqlName()) {
        warnings->push_back("column " + d.name + ": type " + d.type->CqlName() +
                            " in " + NameOf(t) + ", " + match->type->CqlName() +
                            " in schema");
      }
    }
  }
}

}  // namespace

Result<std::shared_ptr<const Table>> Table::Open(
    std::vector<std::shared_ptr<SSTable>> sstables, TableSchema schema) {
  SortByGeneration(&sstables);
  std::vector<std::string> warnings;
  Partitioner p;
  if (!sstables.empty()) p = sstables[0]->partitioner();
  for (const auto& t : sstables) {
    if (!(t->partitioner() == p)) {
      warnings.push_back("partitioner " +
                         std::string(t->partitioner().ShortName()) + " in " +
                         NameOf(*t) + ", " + std::string(p.ShortName()) +
                         " in " + NameOf(*sstables[0]) + ": merged in " +
                         std::string(p.ShortName()) + " order");
    }
    CheckColumns(*t, schema, &warnings);
    (void)MapColumns(t->columns(), schema, NameOf(*t), &warnings);
  }
  std::shared_ptr<Table> table = TableInternals::Make();
  TableInternals::Set(table.get(), std::move(sstables), std::move(schema), p,
                      std::move(warnings));
  return std::shared_ptr<const Table>(std::move(table));
}

// ---------------------------------------------------------------------------

// The merged stream (MergedReader's implementation, also used for single
// partitions and history).
class MergeCore {
 public:
  // `fill`: whether the chunks this merge reads go into the shared cache
  // (point reads) or not (whole-table scans read each chunk once).
  MergeCore(std::shared_ptr<const Table> table, const RowOptions& options,
            CacheFill fill = CacheFill::kFill)
      : table_(std::move(table)),
        merger_(table_->schema(), options),
        fill_(fill) {}

  Status Open() {
    if (opened_) return Status::Ok();
    const auto& sstables = table_->sstables();
    mappings_.reserve(sstables.size());
    sources_.resize(sstables.size());
    for (size_t i = 0; i < sstables.size(); ++i) {
      mappings_.push_back(
          MapColumns(sstables[i]->columns(), table_->schema(), "", nullptr));
    }
    for (size_t i = 0; i < sstables.size(); ++i) {
      MergeSource& s = sources_[i];
      s.sstable = sstables[i].get();
      s.index = static_cast<uint32_t>(i);
      s.mapping = &mappings_[i];
      SSTFS_ASSIGN_OR_RETURN(
          s.input, s.sstable->OpenData(SSTable::DataChecksums::kVerify, fill_));
      s.it = std::make_unique<PartitionIterator>(
          s.input.get(), &s.sstable->columns(),
          s.sstable->descriptor().version);
    }
    exhausted_.assign(sstables.size(), true);
    opened_ = true;
    return Status::Ok();
  }

  Status SeekToFirst() {
    SSTFS_RETURN_IF_ERROR(Open());
    for (size_t i = 0; i < sources_.size(); ++i) {
      sources_[i].it->SeekToFirst();
      SSTFS_RETURN_IF_ERROR(Arrived(i));
    }
    return Status::Ok();
  }

  Status Seek(const TableCursor& cursor) {
    SSTFS_RETURN_IF_ERROR(Open());
    if (cursor.data_positions.size() != sources_.size()) {
      return Status::InvalidArgument(
          "table cursor of " + std::to_string(cursor.data_positions.size()) +
          " SSTables used on a table of " + std::to_string(sources_.size()));
    }
    for (size_t i = 0; i < sources_.size(); ++i) {
      const uint64_t pos = cursor.data_positions[i];
      if (pos == kCursorExhausted) {
        exhausted_[i] = true;
        continue;
      }
      sources_[i].it->Seek(pos);
      SSTFS_RETURN_IF_ERROR(Arrived(i));
    }
    return Status::Ok();
  }

  // Positions every SSTable holding `key` on it; NotFound when none does.
  Status SeekToKey(ByteView key) {
    SSTFS_RETURN_IF_ERROR(Open());
    bool any = false;
    for (size_t i = 0; i < sources_.size(); ++i) {
      exhausted_[i] = true;
      SSTFS_ASSIGN_OR_RETURN(std::optional<uint64_t> pos,
                             sources_[i].sstable->FindPartition(key));
      if (!pos) continue;
      sources_[i].it->Seek(*pos);
      SSTFS_RETURN_IF_ERROR(Arrived(i));
      any |= !exhausted_[i];
    }
    if (!any) return Status::NotFound("partition not found in any SSTable");
    return Status::Ok();
  }

  Result<bool> Next(RowSink* rows, PartitionSummary* summary,
                    MergeObserver* observer) {
    part_.clear();
    int min = -1;
    for (size_t i = 0; i < sources_.size(); ++i) {
      if (exhausted_[i]) continue;
      int cmp = min < 0 ? -1 : CompareKeys(i, static_cast<size_t>(min));
      if (cmp < 0) {
        part_.clear();
        min = static_cast<int>(i);
      }
      if (cmp <= 0) part_.push_back(&sources_[i]);
    }
    if (part_.empty()) return false;
    if (summary != nullptr) {
      *summary = PartitionSummary();
      ByteView k = part_[0]->it->partition().key;
      summary->key.assign(reinterpret_cast<const char*>(k.data()), k.size());
      for (MergeSource* s : part_) summary->sstables.push_back(s->index);
    }
    SSTFS_RETURN_IF_ERROR(merger_.Merge(part_, rows, summary, observer));
    for (MergeSource* s : part_) {
      const uint64_t start = s->it->partition().position;
      s->it->NextPartition();
      SSTFS_RETURN_IF_ERROR(Arrived(s->index));
      if (summary != nullptr) {
        const uint64_t end = exhausted_[s->index] ? s->sstable->data_length()
                                                  : s->it->partition().position;
        summary->bytes += end > start ? end - start : 0;
      }
    }
    return true;
  }

  bool AtCursor(const TableCursor& c) const {
    if (!opened_ || c.data_positions.size() != sources_.size()) {
      return cursor() == c;
    }
    for (size_t i = 0; i < sources_.size(); ++i) {
      const uint64_t at = exhausted_[i] ? kCursorExhausted
                                        : sources_[i].it->partition().position;
      if (at != c.data_positions[i]) return false;
    }
    return true;
  }

  TableCursor cursor() const {
    TableCursor c;
    c.data_positions.reserve(sources_.size());
    for (size_t i = 0; i < sources_.size(); ++i) {
      c.data_positions.push_back(exhausted_[i]
                                     ? kCursorExhausted
                                     : sources_[i].it->partition().position);
    }
    // Before the first seek: the start of every Data.db.
    if (!opened_) c.data_positions.assign(table_->sstables().size(), 0);
    return c;
  }

 private:
  // After a move of source i: exhausted or on a partition (token cached
  // when several sources need comparing).
  Status Arrived(size_t i) {
    MergeSource& s = sources_[i];
    if (!s.it->Valid()) {
      exhausted_[i] = true;
      return s.it->status();
    }
    exhausted_[i] = false;
    if (sources_.size() > 1) {
      s.token = table_->partitioner().GetToken(s.it->partition().key);
    }
    return Status::Ok();
  }

  int CompareKeys(size_t a, size_t b) const {
    const MergeSource& x = sources_[a];
    const MergeSource& y = sources_[b];
    int c = table_->partitioner().CompareTokens(x.token, y.token);
    if (c != 0) return c;
    return x.it->partition().key.Compare(y.it->partition().key);
  }

  std::shared_ptr<const Table> table_;
  PartitionMerger merger_;
  bool opened_ = false;
  std::vector<ColumnMapping> mappings_;
  std::vector<MergeSource> sources_;
  CacheFill fill_;
  std::vector<bool> exhausted_;
  std::vector<MergeSource*> part_;
};

class MergedReader::Impl : public MergeCore {
 public:
  Impl(std::shared_ptr<const Table> table, const RowOptions& options)
      : MergeCore(std::move(table), options, CacheFill::kLookupOnly) {}
};

MergedReader::MergedReader(std::shared_ptr<const Table> table,
                           const RowOptions& options)
    : impl_(std::make_unique<Impl>(std::move(table), options)) {}
MergedReader::~MergedReader() = default;

Status MergedReader::SeekToFirst() { return impl_->SeekToFirst(); }
Status MergedReader::Seek(const TableCursor& cursor) {
  return impl_->Seek(cursor);
}
Result<bool> MergedReader::Next(RowSink* rows, PartitionSummary* summary) {
  return impl_->Next(rows, summary, nullptr);
}
TableCursor MergedReader::cursor() const { return impl_->cursor(); }
bool MergedReader::AtCursor(const TableCursor& c) const {
  return impl_->AtCursor(c);
}

// Shared with history.cc: one partition through an observer.
Status MergeOnePartition(const std::shared_ptr<const Table>& table,
                         ByteView key, const RowOptions& options, RowSink* rows,
                         PartitionSummary* summary, MergeObserver* observer) {
  MergeCore impl(table, options);
  SSTFS_RETURN_IF_ERROR(impl.SeekToKey(key));
  SSTFS_ASSIGN_OR_RETURN(bool found, impl.Next(rows, summary, observer));
  if (!found) return Status::NotFound("partition not found in any SSTable");
  return Status::Ok();
}

Status RenderPartitionRows(const std::shared_ptr<const Table>& table,
                           ByteView key, const RowOptions& options,
                           RowSink* rows, PartitionSummary* summary) {
  return MergeOnePartition(table, key, options, rows, summary, nullptr);
}

// ---------------------------------------------------------------------------

class MergedKeyLister::Impl {
 public:
  explicit Impl(std::shared_ptr<const Table> table)
      : table_(std::move(table)) {}

  Status SeekToFirst() {
    const auto& sstables = table_->sstables();
    sources_.clear();
    sources_.resize(sstables.size());
    for (size_t i = 0; i < sstables.size(); ++i) {
      Source& s = sources_[i];
      auto index = sstables[i]->index();
      if (index.ok()) {
        s.index = (*index)->NewReader();
      } else if (index.status().code() == StatusCode::kNotFound) {
        // No Index.db: the keys come from a scan of Data.db.
        SSTFS_ASSIGN_OR_RETURN(s.input, sstables[i]->OpenData());
        s.it = std::make_unique<PartitionIterator>(
            s.input.get(), &sstables[i]->columns(),
            sstables[i]->descriptor().version);
        s.it->SeekToFirst();
        s.started = true;
      } else {
        return index.status();
      }
      SSTFS_RETURN_IF_ERROR(Advance(i));
    }
    return Status::Ok();
  }

  Result<bool> Next(std::string* key) {
    int min = -1;
    for (size_t i = 0; i < sources_.size(); ++i) {
      if (sources_[i].done) continue;
      if (min < 0 || Compare(i, static_cast<size_t>(min)) < 0) {
        min = static_cast<int>(i);
      }
    }
    if (min < 0) return false;
    key->swap(sources_[min].key);
    // Every source on the same key moves past it.
    for (size_t i = 0; i < sources_.size(); ++i) {
      if (i == static_cast<size_t>(min) || sources_[i].done) continue;
      if (sources_[i].key == *key) SSTFS_RETURN_IF_ERROR(Advance(i));
    }
    SSTFS_RETURN_IF_ERROR(Advance(min));
    return true;
  }

 private:
  struct Source {
    std::unique_ptr<IndexFileReader> index;
    std::unique_ptr<DataInput> input;
    std::unique_ptr<PartitionIterator> it;
    bool started = false;
    bool done = false;
    std::string key;
    Token token;
  };

  Status Advance(size_t i) {
    Source& s = sources_[i];
    if (s.index) {
      SSTFS_ASSIGN_OR_RETURN(bool more, s.index->Next(&entry_, false));
      if (!more) {
        s.done = true;
        return Status::Ok();
      }
      s.key.swap(entry_.key);
    } else {
      if (!s.started) s.it->NextPartition();
      s.started = false;
      if (!s.it->Valid()) {
        s.done = true;
        return s.it->status();
      }
      ByteView k = s.it->partition().key;
      s.key.assign(reinterpret_cast<const char*>(k.data()), k.size());
    }
    if (sources_.size() > 1) {
      s.token = table_->partitioner().GetToken(ByteView(s.key));
    }
    return Status::Ok();
  }

  int Compare(size_t a, size_t b) const {
    int c = table_->partitioner().CompareTokens(sources_[a].token,
                                                sources_[b].token);
    if (c != 0) return c;
    return ByteView(sources_[a].key).Compare(ByteView(sources_[b].key));
  }

  std::shared_ptr<const Table> table_;
  std::vector<Source> sources_;
  IndexEntry entry_;
};

MergedKeyLister::MergedKeyLister(std::shared_ptr<const Table> table)
    : impl_(std::make_unique<Impl>(std::move(table))) {}
MergedKeyLister::~MergedKeyLister() = default;
Status MergedKeyLister::SeekToFirst() { return impl_->SeekToFirst(); }
Result<bool> MergedKeyLister::Next(std::string* key) {
  return impl_->Next(key);
}

}  // namespace sstablefs::reader
