#include "tools/gen/table.h"

#include <algorithm>
#include <cstring>

#include "reader/md5.h"
#include "tools/gen/codec.h"
#include "tools/gen/prng.h"

namespace sstablefs::gen {

using reader::ByteView;
using reader::Status;

namespace marshal {
namespace {
constexpr char kPrefix[] = "org.apache.cassandra.db.marshal.";
std::string Wrap(std::string_view cls, const std::string& inner) {
  return std::string(kPrefix) + std::string(cls) + "(" + inner + ")";
}
}  // namespace

std::string Simple(std::string_view short_name) {
  return std::string(kPrefix) + std::string(short_name);
}
std::string List(const std::string& element) {
  return Wrap("ListType", element);
}
std::string Set(const std::string& element) { return Wrap("SetType", element); }
std::string Map(const std::string& key, const std::string& value) {
  return Wrap("MapType", key + "," + value);
}
std::string Frozen(const std::string& type) { return Wrap("FrozenType", type); }
std::string Reversed(const std::string& type) {
  return Wrap("ReversedType", type);
}
std::string Tuple(const std::vector<std::string>& types) {
  std::string inner;
  for (size_t i = 0; i < types.size(); ++i) {
    if (i > 0) inner += ",";
    inner += types[i];
  }
  return Wrap("TupleType", inner);
}
std::string Vector(const std::string& element, int dimension) {
  return Wrap("VectorType", element + "," + std::to_string(dimension));
}
std::string Udt(const std::string& keyspace, const std::string& name,
                const std::vector<std::string>& field_names,
                const std::vector<std::string>& field_types) {
  std::string inner = keyspace + "," + ToHex(name);
  for (size_t i = 0; i < field_names.size(); ++i) {
    inner += "," + ToHex(field_names[i]) + ":" + field_types[i];
  }
  return Wrap("UserType", inner);
}
std::string Composite(const std::vector<std::string>& types) {
  std::string inner;
  for (size_t i = 0; i < types.size(); ++i) {
    if (i > 0) inner += ",";
    inner += types[i];
  }
  return Wrap("CompositeType", inner);
}
}  // namespace marshal

GenColumn PartitionKeyColumn(std::string name, std::string marshal,
                             int position) {
  GenColumn c;
  c.name = std::move(name);
  c.marshal = std::move(marshal);
  c.kind = Kind::kPartitionKey;
  c.position = position;
  return c;
}

GenColumn ClusteringColumn(std::string name, std::string marshal,
                           int position) {
  GenColumn c =
      PartitionKeyColumn(std::move(name), std::move(marshal), position);
  c.kind = Kind::kClustering;
  return c;
}

GenColumn StaticColumn(std::string name, std::string marshal) {
  GenColumn c = PartitionKeyColumn(std::move(name), std::move(marshal), 0);
  c.kind = Kind::kStatic;
  return c;
}

GenColumn RegularColumn(std::string name, std::string marshal) {
  GenColumn c = PartitionKeyColumn(std::move(name), std::move(marshal), 0);
  c.kind = Kind::kRegular;
  return c;
}

// --- GenTable ---------------------------------------------------------------

namespace {

// Cassandra orders a header's columns simple before complex, then by the
// unsigned bytes of the name (ColumnMetadata.compareTo).
bool HeaderLess(bool a_complex, std::string_view a, bool b_complex,
                std::string_view b) {
  if (a_complex != b_complex) return !a_complex;
  return ByteView(a).Compare(ByteView(b)) < 0;
}

}  // namespace

Status GenTable::Finalize() {
  for (GenColumn& c : columns) {
    SSTFS_ASSIGN_OR_RETURN(c.type, reader::ParseMarshalType(c.marshal));
  }
  for (bool statics : {true, false}) {
    std::vector<int> order;
    for (size_t i = 0; i < columns.size(); ++i) {
      Kind want = statics ? Kind::kStatic : Kind::kRegular;
      if (columns[i].kind == want) order.push_back(static_cast<int>(i));
    }
    std::sort(order.begin(), order.end(), [&](int a, int b) {
      return HeaderLess(columns[a].type->IsMultiCell(), columns[a].name,
                        columns[b].type->IsMultiCell(), columns[b].name);
    });
    for (size_t i = 0; i < order.size(); ++i) {
      columns[order[i]].header_index = static_cast<int>(i);
    }
  }
  return Status::Ok();
}

const GenColumn& GenTable::Column(std::string_view n) const {
  return columns[ColumnIndex(n)];
}

int GenTable::ColumnIndex(std::string_view n) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == n) return static_cast<int>(i);
  }
  return -1;
}

namespace {
std::vector<int> ByKind(const GenTable& t, Kind kind, bool by_header) {
  std::vector<int> out;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (t.columns[i].kind == kind) out.push_back(static_cast<int>(i));
  }
  std::sort(out.begin(), out.end(), [&](int a, int b) {
    return by_header ? t.columns[a].header_index < t.columns[b].header_index
                     : t.columns[a].position < t.columns[b].position;
  });
  return out;
}
}  // namespace

std::vector<int> GenTable::PartitionKey() const {
  return ByKind(*this, Kind::kPartitionKey, false);
}
std::vector<int> GenTable::Clustering() const {
  return ByKind(*this, Kind::kClustering, false);
}
std::vector<int> GenTable::HeaderStatics() const {
  return ByKind(*this, Kind::kStatic, true);
}
std::vector<int> GenTable::HeaderRegulars() const {
  return ByKind(*this, Kind::kRegular, true);
}

namespace {
struct HeaderEntry {
  std::string name;
  std::string marshal;
  bool complex = false;
};

std::vector<HeaderEntry> HeaderEntries(const GenTable& t,
                                       const std::vector<GenDropped>& extra,
                                       bool statics) {
  std::vector<HeaderEntry> out;
  for (int i : statics ? t.HeaderStatics() : t.HeaderRegulars()) {
    const GenColumn& c = t.columns[i];
    out.push_back({c.name, c.marshal, c.type->IsMultiCell()});
  }
  for (const GenDropped& d : extra) {
    if (d.is_static != statics) continue;
    auto type = reader::ParseMarshalType(d.marshal);
    bool complex = type.ok() && (*type)->IsMultiCell();
    out.push_back({d.name, d.marshal, complex});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const HeaderEntry& a, const HeaderEntry& b) {
                     return HeaderLess(a.complex, a.name, b.complex, b.name);
                   });
  return out;
}
}  // namespace

writer::WriterSchema GenTable::Schema(
    const std::vector<GenDropped>& extra) const {
  writer::WriterSchema s;
  std::vector<int> pk = PartitionKey();
  if (pk.size() == 1) {
    s.key_type = columns[pk[0]].marshal;
  } else {
    std::vector<std::string> types;
    for (int i : pk) types.push_back(columns[i].marshal);
    s.key_type = marshal::Composite(types);
  }
  for (int i : Clustering()) s.clustering_types.push_back(columns[i].marshal);
  for (bool statics : {true, false}) {
    for (const HeaderEntry& e : HeaderEntries(*this, extra, statics)) {
      (statics ? s.statics : s.regulars).push_back({e.name, e.marshal});
    }
  }
  return s;
}

int GenTable::HeaderIndexWith(const std::vector<GenDropped>& extra,
                              std::string_view n, bool is_static) const {
  std::vector<HeaderEntry> entries = HeaderEntries(*this, extra, is_static);
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].name == n) return static_cast<int>(i);
  }
  return -1;
}

reader::CqlTableDef GenTable::ToCqlTableDef() const {
  reader::CqlTableDef def;
  def.keyspace = keyspace;
  def.table = name;
  def.id = id;
  if (!lz4) def.options.push_back("compression = {'enabled': 'false'}");
  for (const GenColumn& c : columns) {
    def.columns.push_back({c.name, c.type, c.kind, c.position});
  }
  for (const GenDropped& d : dropped) {
    reader::CqlDroppedColumn dc;
    dc.name = d.name;
    auto type = reader::ParseMarshalType(d.marshal);
    if (type.ok()) dc.type = *type;
    dc.dropped_time_micros = d.dropped_time_micros;
    dc.is_static = d.is_static;
    def.dropped.push_back(dc);
  }
  return def;
}

std::string TableIdHex(uint64_t seed, const std::string& keyspace,
                       const std::string& table) {
  reader::Md5Digest d = reader::ComputeMd5(ByteView(keyspace + "." + table));
  uint64_t hi = 0;
  uint64_t lo = 0;
  for (int i = 0; i < 8; ++i) {
    hi = (hi << 8) | d[i];
    lo = (lo << 8) | d[8 + i];
  }
  std::string bytes;
  PutUuidV4(Mix64(hi ^ seed), Mix64(lo + seed), &bytes);
  return ToHex(bytes);
}

std::string PartitionKeyBytes(const std::vector<std::string>& components) {
  if (components.size() == 1) return components[0];
  return CompositeKey(components);
}

// --- Arena ------------------------------------------------------------------

ByteView Arena::Put(std::string_view bytes) {
  used_total_ += bytes.size();
  if (bytes.empty()) return ByteView();
  if (bytes.size() > kBlock / 4) {
    large_.push_back(std::make_unique<char[]>(bytes.size()));
    std::memcpy(large_.back().get(), bytes.data(), bytes.size());
    return ByteView(large_.back().get(), bytes.size());
  }
  if (blocks_.empty() || offset_ + bytes.size() > kBlock) {
    if (!blocks_.empty()) ++block_;
    if (block_ >= blocks_.size()) {
      blocks_.push_back(std::make_unique<char[]>(kBlock));
    }
    offset_ = 0;
  }
  char* p = blocks_[block_].get() + offset_;
  std::memcpy(p, bytes.data(), bytes.size());
  offset_ += bytes.size();
  return ByteView(p, bytes.size());
}

void Arena::Reset() {
  block_ = 0;
  offset_ = 0;
  used_total_ = 0;
  large_.clear();
  // Keep a bounded number of blocks for reuse after a huge partition.
  if (blocks_.size() > 64) blocks_.resize(64);
}

// --- PartitionBuilder -------------------------------------------------------

void PartitionBuilder::Reset(std::string_view key) {
  used_ = 0;
  arena_.Reset();
  key_ = std::string(key);
  deletion_ = reader::DeletionTime();
  has_static_ = false;
}

void PartitionBuilder::ClearRows() {
  used_ = 0;
  arena_.Reset();
  has_static_ = false;  // already sent by EmitBegin
}

void PartitionBuilder::SetDeletion(int64_t timestamp,
                                   int32_t local_deletion_time) {
  deletion_.marked_for_delete_at = timestamp;
  deletion_.local_deletion_time = local_deletion_time;
}

namespace {
void ClearRow(reader::Row* r) {
  r->is_static = false;
  r->clustering.kind = reader::BoundKind::kClustering;
  r->clustering.values.clear();
  r->liveness = reader::LivenessInfo();
  r->deletion = reader::DeletionTime();
  r->deletion_is_shadowable = false;
  r->shadowable_deletion = reader::DeletionTime();
  r->cells.clear();
  r->complex_deletions.clear();
}
}  // namespace

reader::Row* PartitionBuilder::Static() {
  if (!has_static_) {
    has_static_ = true;
    ClearRow(&static_);
    static_.is_static = true;
    static_.clustering.kind = reader::BoundKind::kStaticClustering;
  }
  return &static_;
}

reader::Unfiltered* PartitionBuilder::Next() {
  if (used_ == pool_.size()) pool_.emplace_back();
  reader::Unfiltered* u = &pool_[used_++];
  ClearRow(&u->row);
  u->marker.bound.values.clear();
  u->marker.deletion = reader::DeletionTime();
  u->marker.end_deletion = reader::DeletionTime();
  u->marker.start_deletion = reader::DeletionTime();
  u->position = 0;
  return u;
}

reader::Row* PartitionBuilder::AddRow(
    const std::vector<std::string_view>& clustering) {
  reader::Unfiltered* u = Next();
  u->kind = reader::Unfiltered::Kind::kRow;
  for (std::string_view v : clustering) {
    u->row.clustering.values.emplace_back(arena_.Put(v));
  }
  return &u->row;
}

reader::RangeTombstoneMarker* PartitionBuilder::AddMarker(
    reader::BoundKind kind, const std::vector<std::string_view>& clustering,
    int64_t timestamp, int32_t local_deletion_time) {
  reader::Unfiltered* u = Next();
  u->kind = reader::Unfiltered::Kind::kRangeTombstoneMarker;
  u->marker.bound.kind = kind;
  for (std::string_view v : clustering) {
    u->marker.bound.values.emplace_back(arena_.Put(v));
  }
  u->marker.deletion = {timestamp, local_deletion_time};
  return &u->marker;
}

void PartitionBuilder::AddCell(reader::Row* row, int column, int64_t timestamp,
                               ByteView value, int32_t ttl,
                               int32_t local_deletion_time) {
  reader::Cell& c = row->cells.emplace_back();
  c.column = static_cast<uint32_t>(column);
  c.timestamp = timestamp;
  c.value = value;
  if (ttl != 0) {
    c.is_expiring = true;
    c.ttl = ttl;
    c.local_deletion_time = local_deletion_time;
  }
}

void PartitionBuilder::AddTombstone(reader::Row* row, int column,
                                    int64_t timestamp,
                                    int32_t local_deletion_time) {
  reader::Cell& c = row->cells.emplace_back();
  c.column = static_cast<uint32_t>(column);
  c.timestamp = timestamp;
  c.is_tombstone = true;
  c.local_deletion_time = local_deletion_time;
}

void PartitionBuilder::AddComplexCell(reader::Row* row, int column,
                                      int64_t timestamp, ByteView path,
                                      ByteView value, int32_t ttl,
                                      int32_t local_deletion_time) {
  AddCell(row, column, timestamp, value, ttl, local_deletion_time);
  row->cells.back().has_path = true;
  row->cells.back().path = path;
}

Status PartitionBuilder::EmitBegin(PartitionSink* sink) {
  return sink->Begin(key_, deletion_, has_static_ ? &static_ : nullptr);
}

Status PartitionBuilder::EmitRows(PartitionSink* sink) {
  for (size_t i = 0; i < used_; ++i) {
    SSTFS_RETURN_IF_ERROR(sink->Add(pool_[i]));
  }
  return Status::Ok();
}

Status PartitionBuilder::Emit(PartitionSink* sink) {
  SSTFS_RETURN_IF_ERROR(EmitBegin(sink));
  SSTFS_RETURN_IF_ERROR(EmitRows(sink));
  return sink->End();
}

}  // namespace sstablefs::gen
