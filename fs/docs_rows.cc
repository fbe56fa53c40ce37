// The large generated files: rows.jsonl, rows.csv, partitions.csv (merged
// table, TableCursor checkpoints), data.json (one SSTable, DumpResumePoint
// checkpoints) and the per-partition files (fs/docs_tree.h).
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "fs/docs_tree.h"
#include "reader/dump_json.h"
#include "reader/table.h"

namespace sstablefs::fs::tree {
namespace {

// Appends `v` as 8 little-endian bytes.
void PutU64(uint64_t v, std::string* out) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// Forwards to the document output once opened. A restarted render runs the
// writer's Begin() (it sets the writer up) with the gate closed, so the CSV
// header is not written twice.
class GateSink : public reader::OutputSink {
 public:
  explicit GateSink(DocumentOutput* out) : out_(out) {}
  void set_open(bool open) { open_ = open; }
  Status Append(std::string_view bytes) override {
    return open_ ? out_->Append(bytes) : Status::Ok();
  }

 private:
  DocumentOutput* out_;
  bool open_ = true;
};

class RowsDocument : public Document {
 public:
  RowsDocument(std::shared_ptr<TableModel> model, reader::RowFormat format)
      : model_(std::move(model)), format_(format) {}

  std::string Identity() const override {
    return model_->Identity(format_ == reader::RowFormat::kCsv ? "rows.csv"
                                                               : "rows.jsonl");
  }

  Status Render(const std::string* start, DocumentOutput* out) const override {
    return RenderRange(start, nullptr, out);
  }

  std::vector<std::string> SizeSplits(size_t parts) const override {
    std::vector<std::string> states;
    Result<std::shared_ptr<const reader::Table>> table = model_->GetTable();
    if (!table.ok()) return states;  // the sequential pass reports it
    Result<std::vector<reader::TableCursor>> cuts =
        reader::SplitTable(**table, parts);
    if (!cuts.ok()) return states;
    for (size_t i = 1; i < cuts->size(); ++i) {
      states.push_back(EncodeTableCursor((*cuts)[i]));
    }
    return states;
  }

  Status RenderRange(const std::string* start, const std::string* stop,
                     DocumentOutput* out) const override {
    SSTFS_ASSIGN_OR_RETURN(std::shared_ptr<const reader::Table> table,
                           model_->GetTable());
    std::optional<reader::TableCursor> stop_cursor;
    if (stop != nullptr) {
      SSTFS_ASSIGN_OR_RETURN(
          stop_cursor, DecodeTableCursor(*stop, table->sstables().size()));
    }
    GateSink gate(out);
    std::unique_ptr<reader::RowSink> writer =
        reader::NewRowWriter(format_, &gate);
    reader::MergedReader merged(table, model_->tc()->row_options());
    if (start != nullptr) {
      SSTFS_ASSIGN_OR_RETURN(
          reader::TableCursor cursor,
          DecodeTableCursor(*start, table->sstables().size()));
      gate.set_open(false);
      SSTFS_RETURN_IF_ERROR(writer->Begin(table->schema()));
      SSTFS_RETURN_IF_ERROR(writer->Flush());
      gate.set_open(true);
      SSTFS_RETURN_IF_ERROR(merged.Seek(cursor));
    } else {
      SSTFS_RETURN_IF_ERROR(writer->Begin(table->schema()));
      SSTFS_RETURN_IF_ERROR(merged.SeekToFirst());
    }
    uint64_t last = out->offset();
    while (true) {
      if (out->offset() + writer->buffered_bytes() >= out->limit()) {
        return writer->Flush();  // the span is complete
      }
      if (out->wants_checkpoints() &&
          out->offset() + writer->buffered_bytes() - last >=
              kCheckpointInterval) {
        SSTFS_RETURN_IF_ERROR(writer->Flush());
        last = out->offset();
        out->Checkpoint(EncodeTableCursor(merged.cursor()));
      }
      if (stop_cursor && merged.AtCursor(*stop_cursor)) {
        return writer->Flush();  // the next piece goes on from here
      }
      SSTFS_ASSIGN_OR_RETURN(bool more, merged.Next(writer.get(), nullptr));
      if (!more) break;
    }
    return writer->Finish();
  }

 private:
  std::shared_ptr<TableModel> model_;
  reader::RowFormat format_;
};

class PartitionsCsvDocument : public Document {
 public:
  explicit PartitionsCsvDocument(std::shared_ptr<TableModel> model)
      : model_(std::move(model)) {}

  std::string Identity() const override {
    return model_->Identity("partitions.csv");
  }

  Status Render(const std::string* start, DocumentOutput* out) const override {
    SSTFS_ASSIGN_OR_RETURN(std::shared_ptr<const reader::Table> table,
                           model_->GetTable());
    reader::MergedReader merged(table, model_->tc()->row_options());
    std::string buf;
    if (start != nullptr) {
      SSTFS_ASSIGN_OR_RETURN(
          reader::TableCursor cursor,
          DecodeTableCursor(*start, table->sstables().size()));
      SSTFS_RETURN_IF_ERROR(merged.Seek(cursor));
    } else {
      buf = reader::PartitionsCsvHeader();
      if (buf.empty() || buf.back() != '\n') buf.push_back('\n');
      SSTFS_RETURN_IF_ERROR(merged.SeekToFirst());
    }
    uint64_t last = out->offset();
    while (true) {
      if (out->wants_checkpoints() &&
          out->offset() + buf.size() - last >= kCheckpointInterval) {
        SSTFS_RETURN_IF_ERROR(out->Append(buf));
        buf.clear();
        last = out->offset();
        out->Checkpoint(EncodeTableCursor(merged.cursor()));
      }
      reader::PartitionSummary summary;
      SSTFS_ASSIGN_OR_RETURN(bool more, merged.Next(nullptr, &summary));
      if (!more) break;
      reader::AppendPartitionsCsvLine(*table, summary, &buf);
      if (buf.empty() || buf.back() != '\n') buf.push_back('\n');
      if (buf.size() >= (1u << 20) ||
          out->offset() + buf.size() >= out->limit()) {
        SSTFS_RETURN_IF_ERROR(out->Append(buf));
        buf.clear();
      }
    }
    return out->Append(buf);
  }

 private:
  std::shared_ptr<TableModel> model_;
};

class PartitionRowsDocument : public Document {
 public:
  PartitionRowsDocument(std::shared_ptr<TableModel> model, std::string key,
                        reader::RowFormat format)
      : model_(std::move(model)), key_(std::move(key)), format_(format) {}

  std::string Identity() const override {
    return model_->Identity(format_ == reader::RowFormat::kCsv
                                ? "partition rows.csv "
                                : "partition rows.jsonl ") +
           "\nkey=" + reader::ByteView(std::string_view(key_)).ToHex();
  }
  bool persist_size() const override { return false; }

  Status Render(const std::string* start, DocumentOutput* out) const override {
    if (start != nullptr) return Status::InvalidArgument("no checkpoints");
    SSTFS_ASSIGN_OR_RETURN(std::shared_ptr<const reader::Table> table,
                           model_->GetTable());
    std::unique_ptr<reader::RowSink> writer =
        reader::NewRowWriter(format_, out);
    SSTFS_RETURN_IF_ERROR(writer->Begin(table->schema()));
    SSTFS_RETURN_IF_ERROR(reader::RenderPartitionRows(
        table, reader::ByteView(std::string_view(key_)),
        model_->tc()->row_options(), writer.get(), nullptr));
    return writer->Finish();
  }

 private:
  std::shared_ptr<TableModel> model_;
  std::string key_;
  reader::RowFormat format_;
};

class PartitionHistoryDocument : public Document {
 public:
  PartitionHistoryDocument(std::shared_ptr<TableModel> model, std::string key)
      : model_(std::move(model)), key_(std::move(key)) {}

  std::string Identity() const override {
    return model_->Identity("partition history.jsonl") +
           "\nkey=" + reader::ByteView(std::string_view(key_)).ToHex();
  }
  bool persist_size() const override { return false; }

  Status Render(const std::string* start, DocumentOutput* out) const override {
    if (start != nullptr) return Status::InvalidArgument("no checkpoints");
    SSTFS_ASSIGN_OR_RETURN(std::shared_ptr<const reader::Table> table,
                           model_->GetTable());
    return reader::RenderPartitionHistory(
        table, reader::ByteView(std::string_view(key_)),
        model_->tc()->row_options(), out);
  }

 private:
  std::shared_ptr<TableModel> model_;
  std::string key_;
};

class DataJsonDocument : public Document {
 public:
  DataJsonDocument(TreeContextPtr tc, std::shared_ptr<SSTableSlot> slot)
      : tc_(std::move(tc)), slot_(std::move(slot)) {}

  std::string Identity() const override {
    std::string id = "data.json\n" + slot_->Identity();
    if (slot_->NowDependent()) id += "\nnow=" + std::to_string(now());
    return id;
  }

  Status Render(const std::string* start, DocumentOutput* out) const override {
    SSTFS_ASSIGN_OR_RETURN(std::shared_ptr<reader::SSTable> sstable,
                           slot_->Get());
    reader::DumpOptions options;
    options.now_seconds = now();
    reader::DumpResumePoint point;
    if (start != nullptr) {
      if (start->size() != 16) {
        return Status::InvalidArgument("data.json: bad checkpoint state");
      }
      point.data_position = GetU64(start->data());
      point.partitions_before = GetU64(start->data() + 8);
    }
    std::function<void(const reader::DumpResumePoint&)> checkpoint;
    if (out->wants_checkpoints()) {
      checkpoint = [out](const reader::DumpResumePoint& p) {
        std::string state;
        PutU64(p.data_position, &state);
        PutU64(p.partitions_before, &state);
        out->Checkpoint(std::move(state));
      };
    }
    return reader::DumpSSTableJsonResumable(
        *sstable, options, start != nullptr ? &point : nullptr,
        kCheckpointInterval, checkpoint, out);
  }

 private:
  int64_t now() const { return tc_->now_seconds(); }
  TreeContextPtr tc_;
  std::shared_ptr<SSTableSlot> slot_;
};

}  // namespace

std::string EncodeTableCursor(const reader::TableCursor& cursor) {
  std::string state;
  state.reserve(cursor.data_positions.size() * 8);
  for (uint64_t p : cursor.data_positions) PutU64(p, &state);
  return state;
}

Result<reader::TableCursor> DecodeTableCursor(const std::string& state,
                                              size_t sstables) {
  if (state.size() != sstables * 8) {
    return Status::InvalidArgument("bad table checkpoint state");
  }
  reader::TableCursor cursor;
  cursor.data_positions.reserve(sstables);
  for (size_t i = 0; i < sstables; ++i) {
    cursor.data_positions.push_back(GetU64(state.data() + 8 * i));
  }
  return cursor;
}

std::shared_ptr<const Document> MakeRowsDocument(
    std::shared_ptr<TableModel> model, reader::RowFormat format) {
  return std::make_shared<RowsDocument>(std::move(model), format);
}

std::shared_ptr<const Document> MakePartitionsCsvDocument(
    std::shared_ptr<TableModel> model) {
  return std::make_shared<PartitionsCsvDocument>(std::move(model));
}

std::shared_ptr<const Document> MakePartitionRowsDocument(
    std::shared_ptr<TableModel> model, std::string key,
    reader::RowFormat format) {
  return std::make_shared<PartitionRowsDocument>(std::move(model),
                                                 std::move(key), format);
}

std::shared_ptr<const Document> MakePartitionHistoryDocument(
    std::shared_ptr<TableModel> model, std::string key) {
  return std::make_shared<PartitionHistoryDocument>(std::move(model),
                                                    std::move(key));
}

std::shared_ptr<const Document> MakeDataJsonDocument(
    TreeContextPtr tc, std::shared_ptr<SSTableSlot> slot) {
  return std::make_shared<DataJsonDocument>(std::move(tc), std::move(slot));
}

}  // namespace sstablefs::fs::tree
