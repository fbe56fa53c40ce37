// Presets of sstablefs-gen: each defines keyspace(s), UDTs and tables, and
// for every table a TableStream that produces the partitions of each of its
// SSTables (one per simulated memtable flush) in token order.
//
// Sizing: a preset's content grows linearly with one number, its `scale`
// (sensor-days, rows, partitions... — preset specific). The generator
// measures the bytes of a small calibration scale and picks the scale that
// gives the requested size.
//
// Contract: a TableStream regenerates identical partitions every time
// Generate(k) is called with the same (seed, scale, k) — content comes from
// per-partition seeds, never from shared mutable state — so tests can replay
// what was written. Streams are single-threaded; create one per thread.
#ifndef SSTABLEFS_TOOLS_GEN_PRESET_H_
#define SSTABLEFS_TOOLS_GEN_PRESET_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reader/columns.h"
#include "reader/schema.h"
#include "reader/status.h"
#include "tools/gen/table.h"

namespace sstablefs::gen {

// 2025-01-01T00:00:00Z: generated write times start here.
inline constexpr int64_t kEpochSeconds = 1735689600;
inline constexpr int64_t kEpochMicros = kEpochSeconds * 1000000;

class TableStream {
 public:
  virtual ~TableStream() = default;
  virtual int sstable_count() const = 0;
  // Dropped columns whose cells SSTable `k` still holds (its header lists
  // them). Cell::column indexes follow GenTable::Schema(ExtraColumns(k)).
  virtual std::vector<GenDropped> ExtraColumns(int k) const { return {}; }
  // Lower bounds of SSTable k's timestamps / local deletion times, for the
  // header's EncodingStats (as a flush computes from its memtable).
  virtual reader::EncodingStats Stats(int k) const = 0;
  // Expected partition count of SSTable k (bloom filter sizing), 0 unknown.
  virtual uint64_t PartitionEstimate(int k) const { return 0; }
  // Sends SSTable k's partitions to `sink` in token order.
  virtual reader::Status Generate(int k, PartitionSink* sink) = 0;
};

class Preset {
 public:
  virtual ~Preset() = default;
  const std::string& name() const { return name_; }
  const std::vector<GenTable>& tables() const { return tables_; }
  const std::vector<reader::CqlUserType>& types() const { return types_; }
  uint64_t seed() const { return seed_; }

  virtual std::unique_ptr<TableStream> Stream(size_t table,
                                              uint64_t scale) const = 0;
  virtual uint64_t min_scale() const = 0;
  virtual uint64_t calibration_scale() const = 0;
  // The largest scale the preset supports (churn holds its model in memory).
  virtual uint64_t max_scale() const { return UINT32_MAX; }
  // Files beside data/ (churn: expected/). Default: none.
  virtual reader::Status WriteExtras(const std::string& outdir,
                                     uint64_t scale) const {
    return reader::Status::Ok();
  }

 protected:
  Preset(std::string name, uint64_t seed)
      : name_(std::move(name)), seed_(seed) {}
  // Adds a table (Finalize()d, id derived from the seed).
  reader::Status AddTable(GenTable table);
  reader::Status AddType(const std::string& keyspace, const std::string& name,
                         const std::vector<std::string>& field_names,
                         const std::vector<std::string>& field_marshal);

  std::string name_;
  uint64_t seed_;
  std::vector<GenTable> tables_;
  std::vector<reader::CqlUserType> types_;
};

// "timeseries", "wide", "narrow", "kitchen", "churn".
std::vector<std::string> PresetNames();
reader::Result<std::unique_ptr<Preset>> MakePreset(std::string_view name,
                                                   uint64_t seed);

// Presets (preset_*.cc).
reader::Result<std::unique_ptr<Preset>> MakeTimeseries(uint64_t seed);
reader::Result<std::unique_ptr<Preset>> MakeWide(uint64_t seed);
reader::Result<std::unique_ptr<Preset>> MakeNarrow(uint64_t seed);
reader::Result<std::unique_ptr<Preset>> MakeKitchen(uint64_t seed);
reader::Result<std::unique_ptr<Preset>> MakeChurn(uint64_t seed);

// --- Partition order
// ---------------------------------------------------------- The indexes in [0,
// count) that `keep` accepts, ordered as Murmur3Partitioner orders their keys
// (token, then key bytes). `key_of` writes key i's serialized bytes. Holds 16
// bytes per kept key while sorting, 4 after. REQUIRES: count < 2^32.
std::vector<uint32_t> TokenOrder(
    uint64_t count, const std::function<void(uint64_t, std::string*)>& key_of,
    const std::function<bool(uint64_t)>& keep);

}  // namespace sstablefs::gen

#endif  // SSTABLEFS_TOOLS_GEN_PRESET_H_
