#include "writer/system_schema_writer.h"

#include <algorithm>
#include <bit>
#include <deque>
#include <filesystem>
#include <optional>
#include <set>
#include <system_error>

#include "reader/md5.h"
#include "reader/partitioner.h"
#include "writer/sstable_writer.h"

namespace sstablefs::writer {

using reader::ByteView;
using reader::Status;

namespace {

constexpr char kMarshal[] = "org.apache.cassandra.db.marshal.";
std::string M(const std::string& s) { return kMarshal + s; }
const std::string kText = M("UTF8Type");
const std::string kTextMap =
    M("FrozenType(") + M("MapType(") + kText + "," + kText + "))";

// --- Value encoding (AbstractType.decompose) --------------------------------

void PutU32(uint32_t v, std::string* out) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void PutU64(uint64_t v, std::string* out) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}
std::string Int(int32_t v) {
  std::string s;
  PutU32(static_cast<uint32_t>(v), &s);
  return s;
}
std::string Double(double v) {
  std::string s;
  PutU64(std::bit_cast<uint64_t>(v), &s);
  return s;
}
std::string Bool(bool v) { return std::string(1, v ? '\1' : '\0'); }
std::string Timestamp(int64_t ms) {
  std::string s;
  PutU64(static_cast<uint64_t>(ms), &s);
  return s;
}
// Frozen collections: int32 count, int32-length-prefixed elements.
std::string List(const std::vector<std::string>& elements) {
  std::string s;
  PutU32(static_cast<uint32_t>(elements.size()), &s);
  for (const std::string& e : elements) {
    PutU32(static_cast<uint32_t>(e.size()), &s);
    s += e;
  }
  return s;
}
std::string Map(const std::map<std::string, std::string>& m) {
  // std::map orders keys by bytes, as UTF8Type compares them.
  std::string s;
  PutU32(static_cast<uint32_t>(m.size()), &s);
  for (const auto& [k, v] : m) {
    PutU32(static_cast<uint32_t>(k.size()), &s);
    s += k;
    PutU32(static_cast<uint32_t>(v.size()), &s);
    s += v;
  }
  return s;
}
std::string Uuid(const std::string& hex) {
  std::string s;
  for (size_t i = 0; i + 1 < hex.size() && s.size() < 16; i += 2) {
    s.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  s.resize(16, '\0');
  return s;
}

// --- In-memory schema tables
// --------------------------------------------------

struct Row {
  std::vector<std::string> clustering;
  std::map<std::string, std::string> values;  // column name -> bytes
  bool delete_previous = false;
  int64_t timestamp = 0;
};

struct SchemaTable {
  std::string name;
  int clustering_count = 0;
  std::vector<std::pair<std::string, std::string>> regulars;  // name, type
  std::map<std::string, std::vector<Row>> partitions;         // by keyspace
};

std::vector<SchemaTable> EmptyTables() {
  const std::string dbl = M("DoubleType");
  const std::string i32 = M("Int32Type");
  std::vector<SchemaTable> t(5);
  t[0] = {"keyspaces",
          0,
          {{"durable_writes", M("BooleanType")}, {"replication", kTextMap}},
          {}};
  t[1] = {"tables",
          1,
          {{"additional_write_policy", kText},
           {"bloom_filter_fp_chance", dbl},
           {"caching", kTextMap},
           {"comment", kText},
           {"compaction", kTextMap},
           {"compression", kTextMap},
           {"crc_check_chance", dbl},
           {"dclocal_read_repair_chance", dbl},
           {"default_time_to_live", i32},
           {"extensions", M("FrozenType(") + M("MapType(") + kText + "," +
                              M("BytesType") + "))"},
           {"flags", M("FrozenType(") + M("SetType(") + kText + "))"},
           {"gc_grace_seconds", i32},
           {"id", M("UUIDType")},
           {"max_index_interval", i32},
           {"memtable_flush_period_in_ms", i32},
           {"min_index_interval", i32},
           {"read_repair", kText},
           {"read_repair_chance", dbl},
           {"speculative_retry", kText}},
          {}};
  t[2] = {"columns",
          2,
          {{"clustering_order", kText},
           {"column_name_bytes", M("BytesType")},
           {"kind", kText},
           {"position", i32},
           {"type", kText}},
          {}};
  const std::string text_list =
      M("FrozenType(") + M("ListType(") + kText + "))";
  t[3] = {
      "types", 1, {{"field_names", text_list}, {"field_types", text_list}}, {}};
  t[4] = {
      "dropped_columns",
      2,
      {{"dropped_time", M("TimestampType")}, {"kind", kText}, {"type", kText}},
      {}};
  return t;
}

const char* KindName(reader::CqlColumnDef::Kind k) {
  switch (k) {
    case reader::CqlColumnDef::Kind::kPartitionKey:
      return "partition_key";
    case reader::CqlColumnDef::Kind::kClustering:
      return "clustering";
    case reader::CqlColumnDef::Kind::kStatic:
      return "static";
    case reader::CqlColumnDef::Kind::kRegular:
      return "regular";
  }
  return "regular";
}

// TableMetadata.Flag.toStringSet for a CQL table.
std::vector<std::string> Flags(const reader::CqlTableDef& t) {
  bool counter = false;
  int clustering = 0;
  for (const auto& c : t.columns) {
    if (c.type && c.type->kind == reader::TypeKind::kCounter) counter = true;
    if (c.kind == reader::CqlColumnDef::Kind::kClustering) ++clustering;
  }
  std::set<std::string> flags;  // ordered as the frozen set stores them
  if (!t.compact_storage) {
    flags.insert("compound");
  } else if (clustering > 0) {
    flags.insert("dense");
    if (clustering > 1) flags.insert("compound");
  }
  if (counter) flags.insert("counter");
  return {flags.begin(), flags.end()};
}

void AddTable(const reader::CqlTableDef& t, int64_t ts,
              std::vector<SchemaTable>* out) {
  Row r;
  r.clustering = {t.table};
  r.timestamp = ts;
  r.delete_previous = true;
  auto& v = r.values;
  v["additional_write_policy"] = "99p";
  v["bloom_filter_fp_chance"] = Double(0.01);
  v["caching"] = Map({{"keys", "ALL"}, {"rows_per_partition", "NONE"}});
  v["comment"] = "";
  v["compaction"] =
      Map({{"class",
            "org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy"},
           {"max_threshold", "32"},
           {"min_threshold", "4"}});
  const bool uncompressed =
      std::find(t.options.begin(), t.options.end(),
                "compression = {'enabled': 'false'}") != t.options.end();
  v["compression"] =
      uncompressed
          ? Map({{"enabled", "false"}})
          : Map({{"chunk_length_in_kb", "16"},
                 {"class", "org.apache.cassandra.io.compress.LZ4Compressor"}});
  v["crc_check_chance"] = Double(1.0);
  v["dclocal_read_repair_chance"] = Double(0.0);
  v["default_time_to_live"] = Int(0);
  v["extensions"] = Map({});
  std::vector<std::string> flags = Flags(t);
  v["flags"] = List(flags);  // a frozen set has the list layout
  v["gc_grace_seconds"] = Int(864000);
  v["id"] = Uuid(t.id);
  v["max_index_interval"] = Int(2048);
  v["memtable_flush_period_in_ms"] = Int(0);
  v["min_index_interval"] = Int(128);
  v["read_repair"] = "BLOCKING";
  v["read_repair_chance"] = Double(0.0);
  v["speculative_retry"] = "99p";
  (*out)[1].partitions[t.keyspace].push_back(std::move(r));

  for (const reader::CqlColumnDef& c : t.columns) {
    Row cr;
    cr.clustering = {t.table, c.name};
    cr.timestamp = ts;
    const bool key = c.kind == reader::CqlColumnDef::Kind::kPartitionKey;
    const bool clustering = c.kind == reader::CqlColumnDef::Kind::kClustering;
    cr.values["clustering_order"] =
        clustering ? (c.type && c.type->reversed ? "desc" : "asc") : "none";
    cr.values["column_name_bytes"] = c.name;
    cr.values["kind"] = KindName(c.kind);
    cr.values["position"] = Int(key || clustering ? c.position : -1);
    cr.values["type"] = c.type ? CqlTypeText(*c.type) : "blob";
    (*out)[2].partitions[t.keyspace].push_back(std::move(cr));
  }
  for (const reader::CqlDroppedColumn& d : t.dropped) {
    Row dr;
    dr.clustering = {t.table, d.name};
    dr.timestamp = d.dropped_time_micros;
    dr.values["dropped_time"] = Timestamp(d.dropped_time_micros / 1000);
    dr.values["kind"] = d.is_static ? "static" : "regular";
    dr.values["type"] = d.type ? CqlTypeText(*d.type) : "blob";
    (*out)[4].partitions[t.keyspace].push_back(std::move(dr));
  }
}

void AddType(const reader::CqlUserType& u, int64_t ts,
             std::vector<SchemaTable>* out) {
  Row r;
  r.clustering = {u.name};
  r.timestamp = ts;
  std::vector<std::string> names = u.field_names;
  std::vector<std::string> types;
  for (const auto& t : u.field_types)
    types.push_back(t ? CqlTypeText(*t) : "blob");
  r.values["field_names"] = List(names);
  r.values["field_types"] = List(types);
  (*out)[3].partitions[u.keyspace].push_back(std::move(r));
}

Status WriteTable(const std::string& dir, const SchemaTable& t,
                  const SystemSchemaOptions& options) {
  WriterSchema schema;
  schema.key_type = kText;
  for (int i = 0; i < t.clustering_count; ++i) {
    schema.clustering_types.push_back(kText);
  }
  for (const auto& [name, type] : t.regulars) {
    schema.regulars.push_back({name, type});
  }
  WriterOptions wo;
  wo.version = options.version;
  wo.generation = options.generation;
  wo.lz4 = options.lz4;
  SSTFS_ASSIGN_OR_RETURN(auto writer, SSTableWriter::Create(dir, schema, wo));

  std::vector<std::string> keys;
  for (const auto& [ks, rows] : t.partitions) keys.push_back(ks);
  reader::Partitioner partitioner;
  std::sort(keys.begin(), keys.end(),
            [&](const std::string& a, const std::string& b) {
              return partitioner.CompareKeys(ByteView(a), ByteView(b)) < 0;
            });
  for (const std::string& ks : keys) {
    std::vector<Row> rows = t.partitions.at(ks);
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      return a.clustering < b.clustering;  // UTF8Type: byte order
    });
    PartitionData p;
    p.key = ks;
    p.unfiltereds.resize(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      reader::Row& out = p.unfiltereds[i].row;
      for (const std::string& c : r.clustering) {
        out.clustering.values.emplace_back(ByteView(c));
      }
      out.liveness.timestamp = r.timestamp;
      const int32_t now_sec = static_cast<int32_t>(r.timestamp / 1000000);
      if (r.delete_previous) out.deletion = {r.timestamp - 1, now_sec};
      for (size_t c = 0; c < t.regulars.size(); ++c) {
        auto it = r.values.find(t.regulars[c].first);
        if (it == r.values.end()) continue;
        reader::Cell& cell = out.cells.emplace_back();
        cell.column = static_cast<uint32_t>(c);
        cell.timestamp = r.timestamp;
        cell.value = ByteView(it->second);
      }
    }
    SSTFS_RETURN_IF_ERROR(writer->Add(p));
  }
  return writer->Finish();
}

}  // namespace

std::string CqlTypeText(const reader::CqlType& type) {
  std::string name = type.CqlName();
  if (type.kind == reader::TypeKind::kTuple && !name.starts_with("frozen<")) {
    name = "frozen<" + name + ">";
  }
  return name;
}

std::string SystemTableIdHex(const std::string& keyspace,
                             const std::string& table) {
  reader::Md5Digest d = reader::ComputeMd5(ByteView(keyspace + table));
  d[6] = static_cast<uint8_t>((d[6] & 0x0f) | 0x30);  // version 3
  d[8] = static_cast<uint8_t>((d[8] & 0x3f) | 0x80);  // IETF variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

Status WriteSystemSchema(const std::string& data_dir,
                         const std::vector<reader::CqlTableDef>& tables,
                         const std::vector<reader::CqlUserType>& types,
                         const std::vector<KeyspaceDef>& keyspaces,
                         const SystemSchemaOptions& options) {
  std::vector<SchemaTable> out = EmptyTables();
  const int64_t ts = options.timestamp_micros;
  std::map<std::string, KeyspaceDef> all;
  for (const KeyspaceDef& k : keyspaces) all[k.name] = k;
  for (const auto& t : tables)
    all.try_emplace(t.keyspace, KeyspaceDef{t.keyspace});
  for (const auto& u : types)
    all.try_emplace(u.keyspace, KeyspaceDef{u.keyspace});
  for (const auto& [name, k] : all) {
    Row r;
    r.timestamp = ts;
    r.values["durable_writes"] = Bool(k.durable_writes);
    r.values["replication"] = Map(k.replication);
    out[0].partitions[name].push_back(std::move(r));
  }
  for (const auto& t : tables) AddTable(t, ts, &out);
  for (const auto& u : types) AddType(u, ts, &out);

  for (const SchemaTable& t : out) {
    std::string dir = data_dir + "/system_schema/" + t.name + "-" +
                      SystemTableIdHex("system_schema", t.name);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::IoError(dir + ": " + ec.message());
    // Like Cassandra: the table folder exists; nothing flushed, no SSTable.
    if (t.partitions.empty()) continue;
    SSTFS_RETURN_IF_ERROR(WriteTable(dir, t, options));
  }
  return Status::Ok();
}

}  // namespace sstablefs::writer
