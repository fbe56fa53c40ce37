// Reading system_schema: see system_schema.h. Part 1: the live rows of one
// schema table, merged over its SSTables by the Table model (table.h).
#include "reader/system_schema.h"

#include <dirent.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <string>

#include "reader/byte_reader.h"
#include "reader/descriptor.h"
#include "reader/file_util.h"
#include "reader/sstable.h"
#include "reader/table.h"

namespace sstablefs::reader {
namespace {

// Collects the merged CQL rows of a schema table (all its columns are
// simple or frozen: one value each).
class SchemaRowSink : public RowSink {
 public:
  SchemaRowSink(std::vector<SchemaRow>* rows,
                std::vector<std::string>* warnings)
      : rows_(rows), warnings_(warnings) {}
  Status Begin(const TableSchema& schema) override {
    schema_ = &schema;
    return Status::Ok();
  }
  Status AddRow(const CqlRow& row) override {
    SchemaRow out;
    for (size_t i = 0; i < row.partition_key.size() &&
                       i < schema_->partition_key_names.size();
         ++i) {
      out[schema_->partition_key_names[i]] = row.partition_key[i].ToString();
    }
    for (size_t i = 0;
         i < row.clustering.size() && i < schema_->clustering_names.size();
         ++i) {
      if (row.clustering[i]) {
        out[schema_->clustering_names[i]] = row.clustering[i]->ToString();
      }
    }
    for (size_t i = 0; i < row.columns.size() && i < schema_->columns.size();
         ++i) {
      const ColumnValue& v = row.columns[i];
      if (v.kind == ColumnValue::Kind::kValue) {
        out[schema_->columns[i].name] = v.value.ToString();
      } else if (v.kind != ColumnValue::Kind::kNull && warnings_ != nullptr) {
        std::string w = "system_schema column " + schema_->columns[i].name +
                        " is not a single value: ignored";
        if (std::find(warnings_->begin(), warnings_->end(), w) ==
            warnings_->end()) {
          warnings_->push_back(std::move(w));
        }
      }
    }
    rows_->push_back(std::move(out));
    return Status::Ok();
  }
  Status Finish() override { return Status::Ok(); }

 private:
  std::vector<SchemaRow>* rows_;
  std::vector<std::string>* warnings_;
  const TableSchema* schema_ = nullptr;
};

// The merged live rows through the Table model (reader/table.h).
Result<std::vector<SchemaRow>> MergeWithTable(
    std::vector<std::shared_ptr<SSTable>> sstables,
    const std::vector<std::string>& key_names, int64_t now_seconds,
    std::vector<std::string>* warnings) {
  TableSchema schema = SchemaFromColumns(sstables[0]->columns());
  for (size_t i = 1; i < sstables.size(); ++i) {
    MergeSchemaColumns(sstables[i]->columns(), &schema);
  }
  for (size_t i = 0; i < schema.partition_key_names.size(); ++i) {
    if (i < key_names.size()) schema.partition_key_names[i] = key_names[i];
  }
  for (size_t i = 0; i < schema.clustering_names.size(); ++i) {
    if (i + 1 < key_names.size()) schema.clustering_names[i] = key_names[i + 1];
  }
  SSTFS_ASSIGN_OR_RETURN(std::shared_ptr<const Table> table,
                         Table::Open(std::move(sstables), std::move(schema)));
  if (warnings != nullptr) {
    warnings->insert(warnings->end(), table->warnings().begin(),
                     table->warnings().end());
  }
  std::vector<SchemaRow> rows;
  SchemaRowSink sink(&rows, warnings);
  SSTFS_RETURN_IF_ERROR(sink.Begin(table->schema()));
  RowOptions options;
  options.now_seconds = now_seconds;
  MergedReader reader(table, options);
  SSTFS_RETURN_IF_ERROR(reader.SeekToFirst());
  while (true) {
    SSTFS_ASSIGN_OR_RETURN(bool more, reader.Next(&sink, nullptr));
    if (!more) break;
  }
  return rows;
}

// <data_dir>/system_schema/<table>-<32 hex> folders (usually one).
Result<std::vector<std::string>> TableFolders(const std::string& data_dir,
                                              const std::string& table) {
  std::string ks_dir = data_dir + "/system_schema";
  Result<std::vector<FolderEntry>> entries = ListFolderEntries(ks_dir);
  if (!entries.ok()) {
    return Status::NotFound(ks_dir + ": no system_schema keyspace");
  }
  std::vector<std::string> out;
  for (const FolderEntry& e : *entries) {
    std::string_view n = e.name;
    if (n.size() == table.size() + 33 && n.substr(0, table.size()) == table &&
        n[table.size()] == '-' &&
        std::all_of(n.begin() + table.size() + 1, n.end(), [](char c) {
          return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        })) {
      out.push_back(ks_dir + "/" + std::string(n));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Result<std::vector<SchemaRow>> ReadSchemaTableRows(
    const std::string& data_dir, const std::string& table,
    const std::vector<std::string>& key_names, ChunkCache* cache,
    int64_t now_seconds, std::vector<std::string>* warnings) {
  SSTFS_ASSIGN_OR_RETURN(std::vector<std::string> folders,
                         TableFolders(data_dir, table));
  std::vector<std::shared_ptr<SSTable>> sstables;
  for (const std::string& folder : folders) {
    SSTFS_ASSIGN_OR_RETURN(std::vector<Descriptor> descs, ListSSTables(folder));
    for (const Descriptor& desc : descs) {
      if (desc.temporary) continue;
      if (!desc.IsReadable()) {
        if (warnings != nullptr) {
          warnings->push_back(desc.ComponentPath("Data.db") +
                              ": format not readable, skipped");
        }
        continue;
      }
      auto sst = SSTable::Open(desc.ComponentPath("Data.db"), cache);
      if (!sst.ok()) return sst.status();
      sstables.push_back(std::move(*sst));
    }
  }
  if (sstables.empty()) {
    return Status::NotFound(data_dir + "/system_schema: no SSTables of " +
                            table);
  }
  return MergeWithTable(std::move(sstables), key_names, now_seconds, warnings);
}

std::optional<std::string> RowText(const SchemaRow& row, const char* column) {
  auto it = row.find(column);
  if (it == row.end()) return std::nullopt;
  return it->second;
}

std::optional<int32_t> RowInt(const SchemaRow& row, const char* column) {
  auto it = row.find(column);
  if (it == row.end() || it->second.size() != 4) return std::nullopt;
  ByteReader r(ByteView(std::string_view(it->second)));
  int32_t v = 0;
  if (!r.ReadI32(&v)) return std::nullopt;
  return v;
}

std::optional<int64_t> RowBigint(const SchemaRow& row, const char* column) {
  auto it = row.find(column);
  if (it == row.end() || it->second.size() != 8) return std::nullopt;
  ByteReader r(ByteView(std::string_view(it->second)));
  int64_t v = 0;
  if (!r.ReadI64(&v)) return std::nullopt;
  return v;
}

std::optional<std::vector<std::string>> RowTextList(const SchemaRow& row,
                                                    const char* column) {
  auto it = row.find(column);
  if (it == row.end()) return std::nullopt;
  // CollectionSerializer (protocol v3+): int32 count, then per element an
  // int32 length and the bytes.
  ByteReader r(ByteView(std::string_view(it->second)));
  int32_t n = 0;
  if (!r.ReadI32(&n) || n < 0) return std::nullopt;
  std::vector<std::string> out;
  for (int32_t i = 0; i < n; ++i) {
    ByteView e;
    if (!r.ReadIntLengthBytes(&e)) return std::nullopt;
    out.push_back(e.ToString());
  }
  if (!r.AtEnd()) return std::nullopt;
  return out;
}

}  // namespace sstablefs::reader
