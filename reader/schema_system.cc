// Reading system_schema: see system_schema.h. Part 2: the rows of tables,
// columns, types and dropped_columns turned into parsed statements. Column
// names, kinds and value encodings are those SchemaKeyspace writes
// (reader/FORMAT.md "system_schema").
#include <algorithm>
#include <ctime>
#include <string>

#include "reader/cql_type_text.h"
#include "reader/system_schema.h"
#include "reader/types.h"

namespace sstablefs::reader {
namespace {

// Table options rendered after WITH, in cqlsh's (alphabetical) order, with
// the CQL type system_schema.tables stores them as. Options Cassandra 4.0+
// rejects in CREATE TABLE (read_repair_chance, ...) and internal ones (id,
// flags, extensions, cdc, memtable) are left out.
struct OptionColumn {
  const char* name;
  const char* type;  // CQL type text
};
constexpr OptionColumn kOptionColumns[] = {
    {"additional_write_policy", "text"},
    {"bloom_filter_fp_chance", "double"},
    {"caching", "frozen<map<text, text>>"},
    {"comment", "text"},
    {"compaction", "frozen<map<text, text>>"},
    {"compression", "frozen<map<text, text>>"},
    {"crc_check_chance", "double"},
    {"default_time_to_live", "int"},
    {"gc_grace_seconds", "int"},
    {"max_index_interval", "int"},
    {"memtable_flush_period_in_ms", "int"},
    {"min_index_interval", "int"},
    {"read_repair", "text"},
    {"speculative_retry", "text"},
};

std::string KeyOf(const std::string& ks, const std::string& name) {
  return ks + '\0' + name;
}

std::string HexId(const std::string& uuid_bytes) {
  if (uuid_bytes.size() != 16) return {};
  return ByteView(std::string_view(uuid_bytes)).ToHex();
}

// The CQL options of one system_schema.tables row.
std::vector<std::string> TableOptions(const SchemaRow& row) {
  std::vector<std::string> out;
  for (const OptionColumn& oc : kOptionColumns) {
    auto it = row.find(oc.name);
    if (it == row.end()) continue;
    auto type = ParseCqlTypeText(oc.type, "", nullptr, nullptr);
    if (!type.ok()) continue;
    std::string text = std::string(oc.name) + " = ";
    AppendCqlLiteral(**type, ByteView(std::string_view(it->second)),
                     /*quote_strings=*/true, &text);
    out.push_back(std::move(text));
  }
  return out;
}

// TableMetadata.Flag: a table is "CQL" (not compact) when it is compound
// and neither dense nor super; static compact when none of the three.
struct TableFlags {
  bool compact = false;
  bool static_compact = false;
};
TableFlags FlagsOf(const SchemaRow& row) {
  TableFlags f;
  auto flags = RowTextList(row, "flags");
  if (!flags) return f;  // absent: a plain CQL table
  auto has = [&](const char* s) {
    return std::find(flags->begin(), flags->end(), s) != flags->end();
  };
  bool dense = has("dense"), compound = has("compound"), super = has("super");
  f.compact = super || dense || !compound;
  f.static_compact = !super && !dense && !compound;
  return f;
}

std::optional<CqlColumnDef::Kind> KindOf(const std::string& kind) {
  if (kind == "partition_key") return CqlColumnDef::Kind::kPartitionKey;
  if (kind == "clustering") return CqlColumnDef::Kind::kClustering;
  if (kind == "regular") return CqlColumnDef::Kind::kRegular;
  if (kind == "static") return CqlColumnDef::Kind::kStatic;
  return std::nullopt;
}

// A static compact table is stored with a hidden clustering column
// (column1) and value column, its CQL columns as statics; CQL (and a CREATE
// TABLE ... WITH COMPACT STORAGE) shows only the key and those columns,
// as regular ones. Rewrites `t` into that CQL form.
// A table without static columns is left as is (nothing to convert: some
// writers store the CQL form directly).
void ToStaticCompactCqlForm(cql::ParsedTable* t) {
  if (std::none_of(t->columns.begin(), t->columns.end(),
                   [](const cql::ParsedColumn& c) {
                     return c.kind == CqlColumnDef::Kind::kStatic;
                   })) {
    return;
  }
  std::vector<cql::ParsedColumn> kept;
  for (cql::ParsedColumn& c : t->columns) {
    if (c.kind == CqlColumnDef::Kind::kClustering ||
        c.kind == CqlColumnDef::Kind::kRegular) {
      continue;
    }
    if (c.kind == CqlColumnDef::Kind::kStatic) {
      c.kind = CqlColumnDef::Kind::kRegular;
    }
    kept.push_back(std::move(c));
  }
  t->columns = std::move(kept);
  t->descending.clear();
}

Status ReadTypes(const std::string& data_dir, ChunkCache* cache, int64_t now,
                 cql::ParsedSchema* out, std::vector<std::string>* warnings) {
  auto rows = ReadSchemaTableRows(
      data_dir, "types", {"keyspace_name", "type_name"}, cache, now, warnings);
  if (!rows.ok())
    return rows.status().IsNotFound() ? Status::Ok() : rows.status();
  for (const SchemaRow& r : *rows) {
    cql::ParsedType t;
    t.keyspace = RowText(r, "keyspace_name").value_or("");
    t.name = RowText(r, "type_name").value_or("");
    auto names = RowTextList(r, "field_names");
    auto types = RowTextList(r, "field_types");
    if (!names || !types || names->size() != types->size()) {
      warnings->push_back("system_schema.types " + t.keyspace + "." + t.name +
                          ": field lists missing or of different lengths");
      continue;
    }
    t.field_names = std::move(*names);
    t.field_type_texts = std::move(*types);
    out->types.push_back(std::move(t));
  }
  return Status::Ok();
}

}  // namespace

Result<cql::ParsedSchema> ReadSystemSchema(const std::string& data_dir,
                                           ChunkCache* cache,
                                           std::vector<std::string>* warnings) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  cql::ParsedSchema out;
  SSTFS_ASSIGN_OR_RETURN(
      std::vector<SchemaRow> tables,
      ReadSchemaTableRows(data_dir, "tables", {"keyspace_name", "table_name"},
                          cache, now, warnings));
  SSTFS_ASSIGN_OR_RETURN(
      std::vector<SchemaRow> columns,
      ReadSchemaTableRows(data_dir, "columns",
                          {"keyspace_name", "table_name", "column_name"}, cache,
                          now, warnings));
  auto dropped = ReadSchemaTableRows(
      data_dir, "dropped_columns",
      {"keyspace_name", "table_name", "column_name"}, cache, now, warnings);
  if (!dropped.ok() && !dropped.status().IsNotFound()) return dropped.status();
  SSTFS_RETURN_IF_ERROR(ReadTypes(data_dir, cache, now, &out, warnings));

  std::map<std::string, size_t> index;  // keyspace\0table -> out.tables
  std::vector<TableFlags> flags;
  for (const SchemaRow& r : tables) {
    cql::ParsedTable t;
    t.keyspace = RowText(r, "keyspace_name").value_or("");
    t.table = RowText(r, "table_name").value_or("");
    t.id = HexId(RowText(r, "id").value_or(""));
    t.options = TableOptions(r);
    flags.push_back(FlagsOf(r));
    t.compact_storage = flags.back().compact;
    index[KeyOf(t.keyspace, t.table)] = out.tables.size();
    out.tables.push_back(std::move(t));
  }
  for (const SchemaRow& r : columns) {
    std::string ks = RowText(r, "keyspace_name").value_or("");
    std::string table = RowText(r, "table_name").value_or("");
    auto it = index.find(KeyOf(ks, table));
    if (it == index.end()) continue;  // a view's columns, or an orphan
    cql::ParsedTable& t = out.tables[it->second];
    cql::ParsedColumn c;
    c.name = RowText(r, "column_name").value_or("");
    auto kind = KindOf(RowText(r, "kind").value_or(""));
    auto type = RowText(r, "type");
    if (!kind || !type) {
      warnings->push_back("system_schema.columns " + ks + "." + table + "." +
                          c.name + ": no kind or type, skipped");
      continue;
    }
    c.kind = *kind;
    c.type_text = *type;
    c.position = std::max(0, RowInt(r, "position").value_or(0));
    if (RowText(r, "clustering_order").value_or("") == "desc") {
      t.descending.push_back(c.name);
    }
    t.columns.push_back(std::move(c));
  }
  for (size_t i = 0; i < out.tables.size(); ++i) {
    if (flags[i].static_compact) ToStaticCompactCqlForm(&out.tables[i]);
  }
  if (dropped.ok()) {
    for (const SchemaRow& r : *dropped) {
      auto it = index.find(KeyOf(RowText(r, "keyspace_name").value_or(""),
                                 RowText(r, "table_name").value_or("")));
      if (it == index.end()) continue;
      cql::ParsedDropped d;
      d.name = RowText(r, "column_name").value_or("");
      d.type_text = RowText(r, "type").value_or("blob");
      // dropped_time is a timestamp (milliseconds); Cassandra compares
      // cell timestamps with it in microseconds.
      d.dropped_time_micros = RowBigint(r, "dropped_time").value_or(0) * 1000;
      d.is_static = RowText(r, "kind").value_or("regular") == "static";
      out.tables[it->second].dropped.push_back(std::move(d));
    }
  }
  // Like SchemaKeyspace.fetchColumns (MissingColumns): a table without
  // partition key columns is a half-dropped or damaged definition.
  std::erase_if(out.tables, [&](const cql::ParsedTable& t) {
    bool has_key = std::any_of(
        t.columns.begin(), t.columns.end(), [](const cql::ParsedColumn& c) {
          return c.kind == CqlColumnDef::Kind::kPartitionKey;
        });
    if (!has_key) {
      warnings->push_back("system_schema: table " + t.keyspace + "." + t.table +
                          " has no partition key columns, ignored");
    }
    return !has_key;
  });
  return out;
}

}  // namespace sstablefs::reader
