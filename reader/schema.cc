// SchemaCatalog: loading from system_schema or CQL text, UDT resolution,
// lookups. See schema.h. ResolveTableSchema and RenderSchemaCql live in
// schema_resolve.cc.
#include "reader/schema.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "reader/cql_parser.h"
#include "reader/cql_type_text.h"
#include "reader/file_util.h"
#include "reader/system_schema.h"

namespace sstablefs::reader {

// Turns parsed statements (from a CQL file or system_schema) into a catalog:
// resolves UDTs (in any order, nested ones through each other; a cycle or an
// unknown name leaves a field-less UDT and a warning), then column types,
// clustering order, dropped columns and ALTERs.
class SchemaCatalogBuilder {
 public:
  SchemaCatalogBuilder(cql::ParsedSchema parsed, SchemaSource source,
                       std::string origin)
      : parsed_(std::move(parsed)), origin_(std::move(origin)) {
    catalog_.source_ = source;
  }

  SchemaCatalog Build(std::vector<std::string> warnings) {
    catalog_.warnings_ = std::move(warnings);
    for (size_t i = 0; i < parsed_.types.size(); ++i) {
      const cql::ParsedType& t = parsed_.types[i];
      type_index_[Key(t.keyspace, t.name)] = i;
    }
    for (const cql::ParsedType& t : parsed_.types) {
      CqlTypePtr udt = ResolveUdt(t.keyspace, t.name);
      if (udt == nullptr) continue;
      CqlUserType u{t.keyspace, t.name, udt->field_names, udt->params};
      catalog_.types_.push_back(std::move(u));
    }
    for (const cql::ParsedTable& t : parsed_.tables) {
      catalog_.tables_.push_back(BuildTable(t));
    }
    for (const cql::ParsedAlter& a : parsed_.alters) ApplyAlter(a);
    return std::move(catalog_);
  }

 private:
  static std::string Key(std::string_view ks, std::string_view name) {
    return std::string(ks) + '\0' + std::string(name);
  }

  UdtResolver Resolver() {
    return [this](std::string_view ks, std::string_view name) {
      return ResolveUdt(ks, name);
    };
  }

  CqlTypePtr ResolveUdt(std::string_view ks, std::string_view name) {
    std::string key = Key(ks, name);
    if (auto it = resolved_.find(key); it != resolved_.end()) return it->second;
    auto idx = type_index_.find(key);
    if (idx == type_index_.end()) return nullptr;
    if (!in_progress_.insert(key).second) {
      Warn("user type " + std::string(ks) + "." + std::string(name) +
           " refers to itself");
      return nullptr;
    }
    const cql::ParsedType& t = parsed_.types[idx->second];
    auto udt = std::make_shared<CqlType>();
    udt->kind = TypeKind::kUdt;
    udt->udt_keyspace = t.keyspace;
    udt->udt_name = t.name;
    udt->field_names = t.field_names;
    for (const std::string& text : t.field_type_texts) {
      CqlTypePtr f = TypeFromText(text, t.keyspace, "type " + t.name);
      // UDT fields are always frozen (ParseMarshalType marks them so too).
      auto frozen = std::make_shared<CqlType>(*f);
      frozen->frozen = true;
      udt->params.push_back(std::move(frozen));
    }
    in_progress_.erase(key);
    resolved_[key] = udt;
    return udt;
  }

  // Never fails: text that does not parse (possible only from
  // system_schema) becomes a blob with a warning.
  CqlTypePtr TypeFromText(const std::string& text, const std::string& ks,
                          const std::string& what) {
    auto t = ParseCqlTypeText(text, ks, Resolver(), &catalog_.warnings_);
    if (t.ok()) return *t;
    Warn(what + ": type '" + text + "' not understood (" +
         t.status().message() + "): read as blob");
    return SimpleType(TypeKind::kBlob);
  }

  CqlTableDef BuildTable(const cql::ParsedTable& t) {
    CqlTableDef def;
    def.keyspace = t.keyspace;
    def.table = t.table;
    def.id = t.id;
    def.compact_storage = t.compact_storage;
    def.options = t.options;
    def.origin = origin_;
    std::string what = t.keyspace + "." + t.table;
    for (const cql::ParsedColumn& c : t.columns) {
      CqlColumnDef col;
      col.name = c.name;
      col.kind = c.kind;
      col.position = c.position;
      col.type = TypeFromText(c.type_text, t.keyspace, what + "." + c.name);
      if (std::find(t.descending.begin(), t.descending.end(), c.name) !=
          t.descending.end()) {
        if (c.kind == CqlColumnDef::Kind::kClustering) {
          col.type = WithReversed(col.type, true);
        } else {
          Warn(what + ": CLUSTERING ORDER names " + c.name +
               ", not a clustering column");
        }
      }
      def.columns.push_back(std::move(col));
    }
    for (const cql::ParsedDropped& d : t.dropped) {
      CqlDroppedColumn dc;
      dc.name = d.name;
      dc.type = TypeFromText(d.type_text, t.keyspace, what + "." + d.name);
      dc.dropped_time_micros = d.dropped_time_micros;
      dc.is_static = d.is_static;
      def.dropped.push_back(std::move(dc));
    }
    return def;
  }

  void ApplyAlter(const cql::ParsedAlter& a) {
    CqlTableDef* def = nullptr;
    for (CqlTableDef& t : catalog_.tables_) {
      if (t.keyspace == a.keyspace && t.table == a.table) def = &t;
    }
    std::string what = a.keyspace + "." + a.table;
    if (def == nullptr) {
      Warn("ALTER TABLE " + what + " at line " + std::to_string(a.line) +
           ": no such table before it, ignored");
      return;
    }
    for (const cql::ParsedColumn& c : a.added) {
      CqlColumnDef col;
      col.name = c.name;
      col.kind = c.kind == CqlColumnDef::Kind::kStatic
                     ? CqlColumnDef::Kind::kStatic
                     : CqlColumnDef::Kind::kRegular;
      col.type = TypeFromText(c.type_text, a.keyspace, what + "." + c.name);
      std::erase_if(def->columns,
                    [&](const CqlColumnDef& x) { return x.name == c.name; });
      def->columns.push_back(std::move(col));
    }
    for (const std::string& name : a.dropped) {
      auto it =
          std::find_if(def->columns.begin(), def->columns.end(),
                       [&](const CqlColumnDef& x) { return x.name == name; });
      if (it == def->columns.end()) {
        Warn("ALTER TABLE " + what + " DROP " + name + ": no such column");
        continue;
      }
      CqlDroppedColumn dc;
      dc.name = name;
      dc.type = it->type;
      dc.is_static = it->kind == CqlColumnDef::Kind::kStatic;
      // Without USING TIMESTAMP the drop time is unknown: 0 hides nothing
      // of a column re-added later.
      dc.dropped_time_micros = a.drop_timestamp_micros;
      def->columns.erase(it);
      std::erase_if(def->dropped,
                    [&](const CqlDroppedColumn& x) { return x.name == name; });
      def->dropped.push_back(std::move(dc));
    }
  }

  void Warn(std::string w) { catalog_.warnings_.push_back(std::move(w)); }

  cql::ParsedSchema parsed_;
  std::string origin_;
  SchemaCatalog catalog_;
  std::map<std::string, size_t> type_index_;
  std::map<std::string, CqlTypePtr> resolved_;
  std::set<std::string> in_progress_;
};

const char* SchemaSourceName(SchemaSource s) {
  switch (s) {
    case SchemaSource::kSystemSchema:
      return "system_schema";
    case SchemaSource::kSnapshotCql:
      return "snapshot schema.cql";
    case SchemaSource::kOptionCql:
      return "schema file";
    case SchemaSource::kHeader:
      break;
  }
  return "SSTable headers";
}

Result<SchemaCatalog> SchemaCatalog::FromSystemSchema(
    const std::string& data_dir, ChunkCache* cache) {
  std::vector<std::string> warnings;
  SSTFS_ASSIGN_OR_RETURN(cql::ParsedSchema parsed,
                         ReadSystemSchema(data_dir, cache, &warnings));
  return SchemaCatalogBuilder(std::move(parsed), SchemaSource::kSystemSchema,
                              "system_schema")
      .Build(std::move(warnings));
}

Result<SchemaCatalog> SchemaCatalog::FromCql(std::string_view cql,
                                             std::string_view origin,
                                             std::string_view default_keyspace,
                                             SchemaSource source) {
  SSTFS_ASSIGN_OR_RETURN(
      cql::ParsedSchema parsed,
      cql::ParseSchemaStatements(cql, origin, default_keyspace));
  std::string name = source == SchemaSource::kSnapshotCql
                         ? "snapshot " + std::string(origin)
                         : "schema file " + std::string(origin);
  return SchemaCatalogBuilder(std::move(parsed), source, std::move(name))
      .Build({});
}

Result<SchemaCatalog> SchemaCatalog::FromCqlFile(
    const std::string& path, std::string_view default_keyspace,
    SchemaSource source) {
  // ReadSmallFile: O_NOATIME (a snapshot's schema.cql is inside SOURCE) and
  // bounded — a schema file of over 64 MiB is not a schema file.
  SSTFS_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path, 64u << 20));
  return FromCql(text, path, default_keyspace, source);
}

void SchemaCatalog::MergeFrom(const SchemaCatalog& other) {
  for (const CqlTableDef& t : other.tables_) {
    bool have = std::any_of(tables_.begin(), tables_.end(), [&](const auto& x) {
      return x.keyspace == t.keyspace && x.table == t.table &&
             (x.id.empty() || t.id.empty() || x.id == t.id);
    });
    if (!have) tables_.push_back(t);
  }
  for (const CqlUserType& u : other.types_) {
    bool have = std::any_of(types_.begin(), types_.end(), [&](const auto& x) {
      return x.keyspace == u.keyspace && x.name == u.name;
    });
    if (!have) types_.push_back(u);
  }
  warnings_.insert(warnings_.end(), other.warnings_.begin(),
                   other.warnings_.end());
}

const CqlTableDef* SchemaCatalog::FindTable(std::string_view keyspace,
                                            std::string_view table,
                                            std::string_view id) const {
  if (table.empty()) {
    return tables_.size() == 1 &&
                   (keyspace.empty() || tables_[0].keyspace.empty() ||
                    tables_[0].keyspace == keyspace)
               ? &tables_[0]
               : nullptr;
  }
  // Ranks candidates: an id match beats everything; then an exact keyspace
  // match beats a wildcard one (either keyspace empty); then a definition
  // without an id beats one with another table's id; on a tie the last one
  // wins (a later CREATE in a file replaces an earlier one).
  const CqlTableDef* best = nullptr;
  int best_rank = -1;
  for (const CqlTableDef& t : tables_) {
    if (t.table != table) continue;
    bool exact_ks = !keyspace.empty() && t.keyspace == keyspace;
    if (!exact_ks && !keyspace.empty() && !t.keyspace.empty()) continue;
    if (!id.empty() && t.id == id) return &t;
    int rank = (exact_ks ? 2 : 0) + (id.empty() || t.id.empty() ? 1 : 0);
    if (rank >= best_rank) {
      best = &t;
      best_rank = rank;
    }
  }
  return best;
}

Result<SchemaCatalog> LoadSchemaCatalog(const SchemaLocations& where,
                                        ChunkCache* cache,
                                        std::vector<std::string>* warnings) {
  std::optional<SchemaCatalog> catalog;
  auto add = [&](SchemaCatalog c) {
    if (warnings != nullptr) {
      warnings->insert(warnings->end(), c.warnings().begin(),
                       c.warnings().end());
    }
    if (!catalog) {
      catalog = std::move(c);
    } else {
      catalog->MergeFrom(c);
    }
  };
  auto skip = [&](const Status& st) {
    if (!st.IsNotFound() && warnings != nullptr) {
      warnings->push_back(st.ToString() + " (schema source skipped)");
    }
  };
  if (!where.data_dir.empty()) {
    auto c = SchemaCatalog::FromSystemSchema(where.data_dir, cache);
    if (c.ok()) {
      add(std::move(*c));
    } else {
      skip(c.status());
    }
  }
  if (!where.snapshot_schema_cql.empty()) {
    auto c = SchemaCatalog::FromCqlFile(where.snapshot_schema_cql,
                                        where.default_keyspace,
                                        SchemaSource::kSnapshotCql);
    if (c.ok()) {
      add(std::move(*c));
    } else if (std::filesystem::exists(where.snapshot_schema_cql)) {
      skip(c.status());
    }
  }
  for (const std::string& file : where.option_files) {
    SSTFS_ASSIGN_OR_RETURN(SchemaCatalog c, SchemaCatalog::FromCqlFile(
                                                file, where.default_keyspace,
                                                SchemaSource::kOptionCql));
    add(std::move(c));
  }
  if (!catalog) return SchemaCatalog();
  // MergeFrom appended the later catalogs' warnings too; they were already
  // reported through `warnings`.
  return std::move(*catalog);
}

}  // namespace sstablefs::reader
