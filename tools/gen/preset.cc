#include "tools/gen/preset.h"

#include <algorithm>

#include "reader/partitioner.h"

namespace sstablefs::gen {

using reader::Status;

Status Preset::AddTable(GenTable table) {
  table.id = TableIdHex(seed_, table.keyspace, table.name);
  SSTFS_RETURN_IF_ERROR(table.Finalize());
  tables_.push_back(std::move(table));
  return Status::Ok();
}

Status Preset::AddType(const std::string& keyspace, const std::string& name,
                       const std::vector<std::string>& field_names,
                       const std::vector<std::string>& field_marshal) {
  reader::CqlUserType t;
  t.keyspace = keyspace;
  t.name = name;
  t.field_names = field_names;
  for (const std::string& m : field_marshal) {
    SSTFS_ASSIGN_OR_RETURN(reader::CqlTypePtr type,
                           reader::ParseMarshalType(m));
    t.field_types.push_back(type);
  }
  types_.push_back(std::move(t));
  return Status::Ok();
}

std::vector<std::string> PresetNames() {
  return {"timeseries", "wide", "narrow", "kitchen", "churn"};
}

reader::Result<std::unique_ptr<Preset>> MakePreset(std::string_view name,
                                                   uint64_t seed) {
  if (name == "timeseries") return MakeTimeseries(seed);
  if (name == "wide") return MakeWide(seed);
  if (name == "narrow") return MakeNarrow(seed);
  if (name == "kitchen") return MakeKitchen(seed);
  if (name == "churn") return MakeChurn(seed);
  return Status::InvalidArgument(
      "unknown preset '" + std::string(name) +
      "' (choose timeseries, wide, narrow, kitchen or churn)");
}

namespace {
#pragma pack(push, 4)
struct TokenEntry {
  int64_t token;
  uint32_t index;
};
#pragma pack(pop)
static_assert(sizeof(TokenEntry) == 12);
}  // namespace

std::vector<uint32_t> TokenOrder(
    uint64_t count, const std::function<void(uint64_t, std::string*)>& key_of,
    const std::function<bool(uint64_t)>& keep) {
  std::vector<TokenEntry> entries;
  std::string key;
  for (uint64_t i = 0; i < count; ++i) {
    if (!keep(i)) continue;
    key.clear();
    key_of(i, &key);
    entries.push_back({reader::Murmur3Token(reader::ByteView(key)),
                       static_cast<uint32_t>(i)});
  }
  std::string a;
  std::string b;
  std::sort(entries.begin(), entries.end(),
            [&](const TokenEntry& x, const TokenEntry& y) {
              if (x.token != y.token) return x.token < y.token;
              // Equal tokens (rare): DecoratedKey order is by key bytes.
              a.clear();
              b.clear();
              key_of(x.index, &a);
              key_of(y.index, &b);
              return reader::ByteView(a).Compare(reader::ByteView(b)) < 0;
            });
  std::vector<uint32_t> out;
  out.reserve(entries.size());
  for (const TokenEntry& e : entries) out.push_back(e.index);
  return out;
}

}  // namespace sstablefs::gen
