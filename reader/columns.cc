#include "reader/columns.h"

#include <algorithm>
#include <cstdint>
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

// ColumnMetadata.comparisonOrder packs, below the kind: complex (1 bit), then
// ColumnIdentifier.prefixComparison >>> 16, i.e. the first 6 name bytes
// (zero-padded) with the top bit of the first byte FLIPPED (the flip is meant
// for a signed compare of the whole prefix, but survives the shift). Ties go
// to the unsigned comparison of the whole name. So names whose first byte is
// >= 0x80 (non-ASCII quoted identifiers) sort before ASCII ones.
int CompareColumnOrder(const ColumnDef& a, const ColumnDef& b) {
  if (a.is_complex != b.is_complex) return a.is_complex ? 1 : -1;
  auto prefix = [](const std::string& name) {
    uint64_t p = 0;
    for (size_t i = 0; i < 6; ++i) {
      p = (p << 8) | (i < name.size() ? static_cast<uint8_t>(name[i]) : 0);
    }
    return p ^ (uint64_t{0x80} << 40);
  };
  const uint64_t pa = prefix(a.name), pb = prefix(b.name);
  if (pa != pb) return pa < pb ? -1 : 1;
  return ByteView(a.name).Compare(ByteView(b.name));
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
  // Row bodies list columns in Cassandra's Columns order: the ColumnMetadata
  // comparator within one kind. Cassandra writes the header in that order;
  // sorting keeps us right if a writer did not, as Cassandra's reader (which
  // rebuilds a sorted Columns from the header) would be.
  std::stable_sort(out->begin(), out->end(),
                   [](const ColumnDef& a, const ColumnDef& b) {
                     return CompareColumnOrder(a, b) < 0;
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
  SSTFS_RETURN_IF_ERROR(ResolveList(header.static_columns, /*is_static=*/true,
                                    path, &cols.statics));
  SSTFS_RETURN_IF_ERROR(ResolveList(header.regular_columns, /*is_static=*/false,
                                    path, &cols.regulars));
  cols.stats.min_timestamp = header.min_timestamp;
  cols.stats.min_local_deletion_time = header.min_local_deletion_time;
  cols.stats.min_ttl = header.min_ttl;
  return cols;
}

}  // namespace sstablefs::reader
