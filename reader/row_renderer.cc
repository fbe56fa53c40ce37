// TableSchema derivation and the single-SSTable row source of
// row_renderer.h (the table merge of table_merge.h with one source). The
// writers are in row_writers.cc.
#include "reader/row_renderer.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "reader/data_file.h"
#include "reader/sstable.h"
#include "reader/table_merge.h"
#include "reader/unfiltered.h"

namespace sstablefs::reader {
namespace {

// SPEC §5 fallback names: base, base1, base2, ...
std::string NthName(const char* base, size_t i) {
  return i == 0 ? std::string(base) : std::string(base) + std::to_string(i);
}

bool SchemaHas(const TableSchema& s, const ColumnDef& d) {
  for (const SchemaColumn& c : s.columns) {
    if (c.name == d.name && c.is_static == d.is_static) return true;
  }
  return false;
}

// Keeps statics before regulars, each group sorted by name bytes.
void SortColumns(std::vector<SchemaColumn>* cols) {
  std::stable_sort(cols->begin(), cols->end(),
                   [](const SchemaColumn& a, const SchemaColumn& b) {
                     if (a.is_static != b.is_static) return a.is_static;
                     return ByteView(std::string_view(a.name))
                                .Compare(ByteView(std::string_view(b.name))) <
                            0;
                   });
}

}  // namespace

bool IsStaticCompact(const Columns& columns) {
  return columns.regulars.empty() && !columns.statics.empty() &&
         columns.clustering_types.size() == 1 &&
         columns.clustering_types[0]->kind == TypeKind::kText;
}

TableSchema SchemaFromColumns(const Columns& columns) {
  TableSchema s;
  const CqlType& key = *columns.key_type;
  if (key.kind == TypeKind::kComposite) {
    for (size_t i = 0; i < key.params.size(); ++i) {
      s.partition_key_names.push_back(NthName("key", i));
      s.partition_key_types.push_back(key.params[i]);
    }
  } else {
    s.partition_key_names.push_back("key");
    s.partition_key_types.push_back(columns.key_type);
  }
  s.static_compact = IsStaticCompact(columns);
  if (!s.static_compact) {
    for (size_t i = 0; i < columns.clustering_types.size(); ++i) {
      s.clustering_names.push_back(NthName("clustering", i));
      s.clustering_types.push_back(columns.clustering_types[i]);
    }
  }
  MergeSchemaColumns(columns, &s);
  return s;
}

void MergeSchemaColumns(const Columns& columns, TableSchema* schema) {
  for (const auto* defs : {&columns.statics, &columns.regulars}) {
    for (const ColumnDef& d : *defs) {
      if (!SchemaHas(*schema, d)) {
        schema->columns.push_back(SchemaColumn{d.name, d.type, d.is_static});
      }
    }
  }
  SortColumns(&schema->columns);
}

Status RenderSSTableRows(const SSTable& sstable, const TableSchema& schema,
                         const RowOptions& options, RowSink* sink) {
  // The table merge with one source: the same reconciliation as a table
  // read, without comparisons between sources.
  ColumnMapping mapping = MapColumns(sstable.columns(), schema,
                                     sstable.descriptor().prefix(), nullptr);
  MergeSource source;
  source.sstable = &sstable;
  source.mapping = &mapping;
  SSTFS_ASSIGN_OR_RETURN(source.input,
                         sstable.OpenData(SSTable::DataChecksums::kVerify,
                                          CacheFill::kLookupOnly));
  source.it = std::make_unique<PartitionIterator>(
      source.input.get(), &sstable.columns(), sstable.descriptor().version);
  PartitionMerger merger(schema, options);
  MergeSource* sources[] = {&source};
  for (source.it->SeekToFirst(); source.it->Valid();
       source.it->NextPartition()) {
    SSTFS_RETURN_IF_ERROR(merger.Merge(sources, sink, nullptr, nullptr));
  }
  return source.it->status();
}

}  // namespace sstablefs::reader
