#include "reader/columns.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "reader/byte_view.h"

namespace sstablefs::reader {
namespace {

Status BadType(const std::string& path, const std::string& what,
               const std::string& type_name, const Status& cause) {
  return Status::Corruption(path + ": serialization header: " + what +
                            ": unparsable type '" + type_name +
                            "': " + cause.message());
}

Status ResolveList(const std::vector<HeaderColumn>& in, bool is_static,
                   const std::string& path, std::vector<ColumnDef>* out) {
  out->clear();
  out->reserve(in.size());
  for (const HeaderColumn& c : in) {
    auto type = ParseMarshalType(c.type_name);
    if (!type.ok()) {
      return BadType(path, "column " + c.name, c.type_name, type.status());
    }
    ColumnDef def;
    def.name = c.name;
    def.type = std::move(type).value();
    def.is_static = is_static;
    def.is_complex = def.type->IsMultiCell();
    out->push_back(std::move(def));
  }
  // Row bodies list columns in Cassandra's Columns order (ColumnMetadata
  // comparator within one kind): simple before complex, then by name bytes,
  // unsigned. Cassandra writes the header in that order already; sorting
  // keeps us right if a writer did not, exactly as Cassandra's reader (which
  // rebuilds a sorted Columns from the header) would be.
  std::stable_sort(out->begin(), out->end(),
                   [](const ColumnDef& a, const ColumnDef& b) {
                     if (a.is_complex != b.is_complex) return !a.is_complex;
                     return ByteView(a.name).Compare(ByteView(b.name)) < 0;
                   });
  return Status::Ok();
}

}  // namespace

Result<Columns> ResolveColumns(const SerializationHeader& header,
                               const std::string& path) {
  Columns cols;
  auto key = ParseMarshalType(header.key_type);
  if (!key.ok()) {
    return BadType(path, "partition key", header.key_type, key.status());
  }
  cols.key_type = std::move(key).value();
  for (size_t i = 0; i < header.clustering_types.size(); ++i) {
    auto t = ParseMarshalType(header.clustering_types[i]);
    if (!t.ok()) {
      return BadType(path, "clustering column " + std::to_string(i),
                     header.clustering_types[i], t.status());
    }
    cols.clustering_types.push_back(std::move(t).value());
  }
  SSTFS_RETURN_IF_ERROR(
      ResolveList(header.static_columns, /*is_static=*/true, path,
                  &cols.statics));
  SSTFS_RETURN_IF_ERROR(
      ResolveList(header.regular_columns, /*is_static=*/false, path,
                  &cols.regulars));
  cols.stats.min_timestamp = header.min_timestamp;
  cols.stats.min_local_deletion_time = header.min_local_deletion_time;
  cols.stats.min_ttl = header.min_ttl;
  return cols;
}

}  // namespace sstablefs::reader
