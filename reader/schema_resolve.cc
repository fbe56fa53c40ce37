// ResolveTableSchema (a CqlTableDef + SSTable headers -> the TableSchema rows
// are rendered with) and RenderSchemaCql (schema.cql). See schema.h.
#include <algorithm>
#include <string>
#include <string_view>

#include "reader/cql_type_text.h"
#include "reader/schema.h"

namespace sstablefs::reader {
namespace {

void AddWarning(std::vector<std::string>* warnings, std::string w) {
  if (warnings == nullptr) return;
  if (std::find(warnings->begin(), warnings->end(), w) == warnings->end()) {
    warnings->push_back(std::move(w));
  }
}

std::string TypeText(const CqlTypePtr& t) {
  return t == nullptr ? std::string("?") : CqlTypeToCql(*t);
}

// Java's ByteBuffer.compareTo: bytes compared as *signed* values.
int CompareSignedBytes(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    auto x = static_cast<signed char>(a[i]);
    auto y = static_cast<signed char>(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

// The order SELECT * uses after the primary key
// (RegularAndStaticColumns.selectOrderIterator): statics, then regulars,
// each merged by name with ByteBuffer.compareTo. For ASCII names this is
// the plain name order row_renderer.h's SchemaFromColumns uses; a name
// starting with a byte >= 0x80 sorts first, as in Cassandra.
void SortSelectOrder(std::vector<SchemaColumn>* cols) {
  std::stable_sort(cols->begin(), cols->end(),
                   [](const SchemaColumn& a, const SchemaColumn& b) {
                     if (a.is_static != b.is_static) return a.is_static;
                     return CompareSignedBytes(a.name, b.name) < 0;
                   });
}

std::vector<const CqlColumnDef*> KeyColumns(const CqlTableDef& def,
                                            CqlColumnDef::Kind kind) {
  std::vector<const CqlColumnDef*> out;
  for (const CqlColumnDef& c : def.columns) {
    if (c.kind == kind) out.push_back(&c);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const CqlColumnDef* a, const CqlColumnDef* b) {
                     return a->position < b->position;
                   });
  return out;
}

const ColumnDef* FindHeaderColumn(const std::vector<const Columns*>& headers,
                                  const std::string& name, bool is_static) {
  for (const Columns* h : headers) {
    for (const ColumnDef& c : is_static ? h->statics : h->regulars) {
      if (c.name == name) return &c;
    }
  }
  return nullptr;
}

// The hidden value column of a dense COMPACT STORAGE table without a
// regular column: EmptyType, usually with an empty name. Never shown by CQL.
bool IsHiddenCompactValue(const std::string& name, const CqlTypePtr& type) {
  return name.empty() || (type != nullptr && type->kind == TypeKind::kEmpty);
}

class Resolver {
 public:
  Resolver(const CqlTableDef& def, const std::vector<const Columns*>& headers,
           SchemaSource source, std::vector<std::string>* warnings)
      : def_(def), headers_(headers), warnings_(warnings) {
    s_.keyspace = def.keyspace;
    s_.table = def.table;
    s_.placeholder_names = false;
    s_.origin = def.origin.empty() ? SchemaSourceName(source) : def.origin;
    s_.compact_storage = def.compact_storage;
    s_.table_options = def.options;
    what_ = def.keyspace + "." + def.table;
  }

  TableSchema Run() {
    auto pk = KeyColumns(def_, CqlColumnDef::Kind::kPartitionKey);
    auto ck = KeyColumns(def_, CqlColumnDef::Kind::kClustering);
    if (!headers_.empty()) {
      s_.static_compact =
          std::any_of(headers_.begin(), headers_.end(),
                      [](const Columns* h) { return IsStaticCompact(*h); });
    } else {
      s_.static_compact = def_.compact_storage && ck.empty();
    }
    PartitionKey(pk);
    if (!s_.static_compact) Clustering(ck);
    RegularAndStatic();
    for (const CqlDroppedColumn& d : def_.dropped) {
      s_.dropped.push_back(TableSchema::DroppedColumn{
          d.name, d.type, d.dropped_time_micros, d.is_static});
    }
    return std::move(s_);
  }

 private:
  void Warn(std::string w) { AddWarning(warnings_, what_ + ": " + w); }

  // The header type when present (it decodes the bytes), else the schema's;
  // a disagreement is a warning naming both.
  CqlTypePtr Pick(const std::string& column, const CqlTypePtr& schema_type,
                  const CqlTypePtr& header_type, bool compare_reversed) {
    if (header_type == nullptr) return schema_type;
    if (schema_type != nullptr &&
        !SameCqlType(*header_type, *schema_type, compare_reversed)) {
      std::string h = TypeText(header_type), d = TypeText(schema_type);
      if (compare_reversed && header_type->reversed != schema_type->reversed) {
        h += header_type->reversed ? " DESC" : " ASC";
        d += schema_type->reversed ? " DESC" : " ASC";
      }
      Warn("column " + column + ": type " + h + " in the SSTable header, " + d +
           " in the schema (" + s_.origin + "); using the header's");
    }
    return header_type;
  }

  void PartitionKey(const std::vector<const CqlColumnDef*>& pk) {
    const Columns* h = headers_.empty() ? nullptr : headers_[0];
    std::vector<CqlTypePtr> header_types;
    if (h != nullptr && h->key_type != nullptr) {
      if (h->key_type->kind == TypeKind::kComposite) {
        header_types = h->key_type->params;
      } else {
        header_types.push_back(h->key_type);
      }
      if (header_types.size() != pk.size()) {
        Warn("partition key has " + std::to_string(pk.size()) +
             " column(s) in the schema, " +
             std::to_string(header_types.size()) + " in the SSTable header");
      }
    }
    size_t n = std::max(pk.size(), header_types.size());
    for (size_t i = 0; i < n; ++i) {
      std::string name =
          i < pk.size() ? pk[i]->name : "key" + std::to_string(i);
      CqlTypePtr type =
          Pick(name, i < pk.size() ? pk[i]->type : nullptr,
               i < header_types.size() ? header_types[i] : nullptr, false);
      s_.partition_key_names.push_back(std::move(name));
      s_.partition_key_types.push_back(std::move(type));
    }
  }

  void Clustering(const std::vector<const CqlColumnDef*>& ck) {
    const Columns* h = headers_.empty() ? nullptr : headers_[0];
    size_t nh = h == nullptr ? 0 : h->clustering_types.size();
    if (h != nullptr && nh != ck.size()) {
      Warn("clustering has " + std::to_string(ck.size()) +
           " column(s) in the schema, " + std::to_string(nh) +
           " in the SSTable header");
    }
    size_t n = std::max(ck.size(), nh);
    for (size_t i = 0; i < n; ++i) {
      std::string name =
          i < ck.size() ? ck[i]->name : "clustering" + std::to_string(i);
      CqlTypePtr type = Pick(name, i < ck.size() ? ck[i]->type : nullptr,
                             i < nh ? h->clustering_types[i] : nullptr, true);
      s_.clustering_names.push_back(std::move(name));
      s_.clustering_types.push_back(std::move(type));
    }
  }

  bool Dropped(const std::string& name) const {
    return std::any_of(
        def_.dropped.begin(), def_.dropped.end(),
        [&](const CqlDroppedColumn& d) { return d.name == name; });
  }

  void RegularAndStatic() {
    for (const CqlColumnDef& c : def_.columns) {
      if (c.kind != CqlColumnDef::Kind::kStatic &&
          c.kind != CqlColumnDef::Kind::kRegular) {
        continue;
      }
      if (def_.compact_storage && c.kind == CqlColumnDef::Kind::kRegular &&
          IsHiddenCompactValue(c.name, c.type)) {
        continue;
      }
      // In a static compact table the CQL regular columns are stored static.
      bool stored_static =
          s_.static_compact || c.kind == CqlColumnDef::Kind::kStatic;
      const ColumnDef* hc = FindHeaderColumn(headers_, c.name, stored_static);
      if (hc == nullptr && !headers_.empty() &&
          FindHeaderColumn(headers_, c.name, !stored_static) != nullptr) {
        Warn("column " + c.name + " is " +
             (stored_static ? "static" : "regular") + " in the schema (" +
             s_.origin + ") but " + (stored_static ? "regular" : "static") +
             " in the SSTable header");
      }
      CqlTypePtr type =
          Pick(c.name, c.type, hc == nullptr ? nullptr : hc->type, false);
      s_.columns.push_back(SchemaColumn{c.name, type, stored_static});
    }
    for (const Columns* h : headers_) {
      for (const auto* defs : {&h->statics, &h->regulars}) {
        for (const ColumnDef& d : *defs) Unknown(d);
      }
    }
    SortSelectOrder(&s_.columns);
  }

  // A header column the schema does not list: dropped (left out), the
  // hidden compact value column (left out) or unknown (kept, warned).
  void Unknown(const ColumnDef& d) {
    for (const SchemaColumn& c : s_.columns) {
      if (c.name == d.name && c.is_static == d.is_static) return;
    }
    if (Dropped(d.name)) return;
    if (IsHiddenCompactValue(d.name, d.type)) return;
    Warn("column " + d.name + " of the SSTable header is not in the schema (" +
         s_.origin + "); kept under its header name");
    s_.columns.push_back(SchemaColumn{d.name, d.type, d.is_static});
  }

  const CqlTableDef& def_;
  const std::vector<const Columns*>& headers_;
  std::vector<std::string>* warnings_;
  std::string what_;
  TableSchema s_;
};

std::string Qualified(const std::string& keyspace, const std::string& name) {
  if (keyspace.empty()) return MaybeQuoteIdentifier(name);
  return MaybeQuoteIdentifier(keyspace) + "." + MaybeQuoteIdentifier(name);
}

void RenderType(const CqlType& udt, const std::string& keyspace,
                std::string* out) {
  std::string ks = udt.udt_keyspace.empty() ? keyspace : udt.udt_keyspace;
  if (udt.params.empty()) {
    *out += "-- type " + Qualified(ks, udt.udt_name) +
            ": definition unknown (no fields known)\n\n";
    return;
  }
  *out += "CREATE TYPE " + Qualified(ks, udt.udt_name) + " (\n";
  for (size_t i = 0; i < udt.params.size(); ++i) {
    std::string field = i < udt.field_names.size()
                            ? udt.field_names[i]
                            : "field" + std::to_string(i);
    *out += "    " + MaybeQuoteIdentifier(field) + " " +
            TypeText(udt.params[i]) + (i + 1 < udt.params.size() ? "," : "") +
            "\n";
  }
  *out += ");\n\n";
}

}  // namespace

TableSchema ResolveTableSchema(const CqlTableDef* def,
                               const std::vector<const Columns*>& headers,
                               SchemaSource source,
                               std::vector<std::string>* warnings) {
  if (def != nullptr) return Resolver(*def, headers, source, warnings).Run();
  TableSchema s;
  if (!headers.empty()) {
    s = SchemaFromColumns(*headers[0]);
    for (size_t i = 1; i < headers.size(); ++i) {
      MergeSchemaColumns(*headers[i], &s);
    }
  }
  s.placeholder_names = true;
  s.origin = SchemaSourceName(SchemaSource::kHeader);
  return s;
}

std::string RenderSchemaCql(const TableSchema& schema) {
  std::string origin = schema.origin;
  std::replace(origin.begin(), origin.end(), '\n', ' ');
  std::replace(origin.begin(), origin.end(), '\r', ' ');
  std::string out = "-- schema from " + origin;
  if (schema.placeholder_names) {
    out += ": key and clustering column names are placeholders";
  }
  out += "\n\n";

  std::vector<CqlTypePtr> udts;
  for (const auto* types :
       {&schema.partition_key_types, &schema.clustering_types}) {
    for (const CqlTypePtr& t : *types) CollectUdts(t, &udts);
  }
  for (const SchemaColumn& c : schema.columns) CollectUdts(c.type, &udts);
  for (const CqlTypePtr& u : udts) RenderType(*u, schema.keyspace, &out);

  if (schema.compact_storage || schema.static_compact) {
    out +=
        "-- COMPACT STORAGE: Cassandra 4.0 and later no longer create such "
        "tables\n";
  }
  std::string table = schema.table.empty() ? "sstables" : schema.table;
  out += "CREATE TABLE " + Qualified(schema.keyspace, table) + " (\n";
  std::vector<std::string> lines;
  for (size_t i = 0; i < schema.partition_key_names.size(); ++i) {
    lines.push_back(MaybeQuoteIdentifier(schema.partition_key_names[i]) + " " +
                    TypeText(schema.partition_key_types[i]));
  }
  for (size_t i = 0; i < schema.clustering_names.size(); ++i) {
    lines.push_back(MaybeQuoteIdentifier(schema.clustering_names[i]) + " " +
                    TypeText(schema.clustering_types[i]));
  }
  for (const SchemaColumn& c : schema.columns) {
    if (c.name.empty()) continue;  // hidden compact value: CQL cannot name it
    lines.push_back(MaybeQuoteIdentifier(c.name) + " " + TypeText(c.type) +
                    (c.is_static && !schema.static_compact ? " static" : ""));
  }
  std::string pk;
  for (size_t i = 0; i < schema.partition_key_names.size(); ++i) {
    pk += (i > 0 ? ", " : "") +
          MaybeQuoteIdentifier(schema.partition_key_names[i]);
  }
  if (schema.partition_key_names.size() > 1) pk = "(" + pk + ")";
  for (const std::string& c : schema.clustering_names) {
    pk += ", " + MaybeQuoteIdentifier(c);
  }
  lines.push_back("PRIMARY KEY (" + pk + ")");
  for (size_t i = 0; i < lines.size(); ++i) {
    out += "    " + lines[i] + (i + 1 < lines.size() ? ",\n" : "\n");
  }
  out += ")";

  std::vector<std::string> with;
  bool any_desc = false;
  std::string order;
  for (size_t i = 0; i < schema.clustering_names.size(); ++i) {
    bool desc = schema.clustering_types[i] != nullptr &&
                schema.clustering_types[i]->reversed;
    any_desc = any_desc || desc;
    order += (i > 0 ? ", " : "") +
             MaybeQuoteIdentifier(schema.clustering_names[i]) +
             (desc ? " DESC" : " ASC");
  }
  if (any_desc) with.push_back("CLUSTERING ORDER BY (" + order + ")");
  if (schema.compact_storage || schema.static_compact) {
    with.push_back("COMPACT STORAGE");
  }
  for (const std::string& o : schema.table_options) with.push_back(o);
  for (size_t i = 0; i < with.size(); ++i) {
    out += (i == 0 ? " WITH " : "\n    AND ") + with[i];
  }
  out += ";\n";
  return out;
}

}  // namespace sstablefs::reader
