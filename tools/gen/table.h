// Table definitions and partition building for sstablefs-gen.
//
// A GenTable is one CQL table as the generator defines it: its columns with
// their AbstractType strings (what SSTable headers store) and parsed types,
// plus the derived header order that writer::Cell::column indexes refer to.
// PartitionBuilder assembles one writer::PartitionData with every byte view
// pointing into its own arena, reusing memory from partition to partition.
//
// Contract: single-threaded objects; views handed out by a PartitionBuilder
// stay valid until its next Reset().
#ifndef SSTABLEFS_TOOLS_GEN_TABLE_H_
#define SSTABLEFS_TOOLS_GEN_TABLE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reader/schema.h"
#include "reader/types.h"
#include "reader/unfiltered.h"
#include "writer/sstable_writer.h"

namespace sstablefs::gen {

using Kind = reader::CqlColumnDef::Kind;

// AbstractType strings (full class names, as Cassandra writes them).
namespace marshal {
std::string Simple(std::string_view short_name);  // "Int32Type" -> full name
std::string List(const std::string& element);
std::string Set(const std::string& element);
std::string Map(const std::string& key, const std::string& value);
std::string Frozen(const std::string& type);
std::string Reversed(const std::string& type);
std::string Tuple(const std::vector<std::string>& types);
std::string Vector(const std::string& element, int dimension);
// UserType(ks,hex(name),hex(field):type,...).
std::string Udt(const std::string& keyspace, const std::string& name,
                const std::vector<std::string>& field_names,
                const std::vector<std::string>& field_types);
std::string Composite(const std::vector<std::string>& types);
}  // namespace marshal

struct GenColumn {
  std::string name;
  std::string marshal;  // ReversedType(...) for DESC clustering columns
  Kind kind = Kind::kRegular;
  int position = 0;  // within partition key / clustering
  reader::CqlTypePtr type;
  // Index in the header's statics or regulars (writer order); -1 for key
  // and clustering columns.
  int header_index = -1;
};

// Column constructors for preset definitions.
GenColumn PartitionKeyColumn(std::string name, std::string marshal,
                             int position);
GenColumn ClusteringColumn(std::string name, std::string marshal, int position);
GenColumn StaticColumn(std::string name, std::string marshal);
GenColumn RegularColumn(std::string name, std::string marshal);

struct GenDropped {
  std::string name;
  std::string marshal;
  bool is_static = false;
  int64_t dropped_time_micros = 0;
};

struct GenTable {
  std::string keyspace;
  std::string name;
  std::string id;                  // 32 lower-case hex digits
  std::vector<GenColumn> columns;  // CQL definition order
  std::vector<GenDropped> dropped;
  bool counter = false;
  bool lz4 = true;

  // Finishes the definition: parses every type, orders the header (simple
  // before complex, then by name bytes, as Cassandra's Columns does) and
  // sets header_index. Fails on a type string the reader cannot parse.
  reader::Status Finalize();

  const GenColumn& Column(std::string_view name) const;  // must exist
  int ColumnIndex(std::string_view name) const;          // -1 if absent
  // Indexes into `columns`, by position / header order.
  std::vector<int> PartitionKey() const;
  std::vector<int> Clustering() const;
  std::vector<int> HeaderStatics() const;
  std::vector<int> HeaderRegulars() const;

  // The serialization header for an SSTable holding every column, plus
  // `extra` dropped columns (still in SSTables written before the drop).
  // Cell::column indexes of the extra columns follow HeaderIndexWith().
  writer::WriterSchema Schema(const std::vector<GenDropped>& extra = {}) const;
  // Header index of column `name` in Schema(extra).
  int HeaderIndexWith(const std::vector<GenDropped>& extra,
                      std::string_view name, bool is_static) const;

  // The definition as reader/schema.h states tables (for system_schema and
  // the tests' comparisons).
  reader::CqlTableDef ToCqlTableDef() const;
};

// The id Cassandra would give a table: any 128-bit value; the generator
// derives it from the seed, keyspace and table name (a version-4 UUID).
std::string TableIdHex(uint64_t seed, const std::string& keyspace,
                       const std::string& table);

// Bytes owned by a builder; blocks are never moved, so views stay valid
// until Reset().
class Arena {
 public:
  reader::ByteView Put(std::string_view bytes);
  void Reset();
  size_t used() const { return used_total_; }

 private:
  static constexpr size_t kBlock = 256 * 1024;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<std::unique_ptr<char[]>> large_;
  size_t block_ = 0;  // current block index
  size_t offset_ = 0;
  size_t used_total_ = 0;
};

// Where generated partitions go: the SSTable writer, or a test's checker.
// Views passed in need only live during each call.
class PartitionSink {
 public:
  virtual ~PartitionSink() = default;
  virtual reader::Status Begin(std::string_view key,
                               const reader::DeletionTime& deletion,
                               const reader::Row* static_row) = 0;
  virtual reader::Status Add(const reader::Unfiltered& unfiltered) = 0;
  virtual reader::Status End() = 0;
};

// Sends partitions to an SSTableWriter (BeginPartition/AddUnfiltered/...).
class WriterSink : public PartitionSink {
 public:
  explicit WriterSink(writer::SSTableWriter* w) : writer_(w) {}
  reader::Status Begin(std::string_view key,
                       const reader::DeletionTime& deletion,
                       const reader::Row* static_row) override {
    return writer_->BeginPartition(key, deletion, static_row);
  }
  reader::Status Add(const reader::Unfiltered& u) override {
    return writer_->AddUnfiltered(u);
  }
  reader::Status End() override { return writer_->EndPartition(); }

 private:
  writer::SSTableWriter* writer_;
};

class PartitionBuilder {
 public:
  // Starts a partition with serialized key `key` (copied).
  void Reset(std::string_view key);
  // Drops the rows built so far (and their bytes) but keeps the key,
  // deletion and static row: for streaming a huge partition in batches.
  // Only valid after Begin() sent the static row.
  void ClearRows();
  reader::ByteView Copy(std::string_view bytes) { return arena_.Put(bytes); }

  void SetDeletion(int64_t timestamp, int32_t local_deletion_time);
  // The static row (created on first call).
  reader::Row* Static();
  // A new clustering row / marker appended in order; clustering values are
  // copied.
  reader::Row* AddRow(const std::vector<std::string_view>& clustering);
  reader::RangeTombstoneMarker* AddMarker(
      reader::BoundKind kind, const std::vector<std::string_view>& clustering,
      int64_t timestamp, int32_t local_deletion_time);

  // Cells (append in header order; complex cells in path order).
  static void AddCell(reader::Row* row, int column, int64_t timestamp,
                      reader::ByteView value, int32_t ttl = 0,
                      int32_t local_deletion_time = reader::kNoDeletionTime);
  static void AddTombstone(reader::Row* row, int column, int64_t timestamp,
                           int32_t local_deletion_time);
  static void AddComplexCell(
      reader::Row* row, int column, int64_t timestamp, reader::ByteView path,
      reader::ByteView value, int32_t ttl = 0,
      int32_t local_deletion_time = reader::kNoDeletionTime);

  // The whole partition: Begin, every row/marker, End.
  reader::Status Emit(PartitionSink* sink);
  // Streaming: Begin (key, deletion, static row) / the rows built since the
  // last ClearRows() / End.
  reader::Status EmitBegin(PartitionSink* sink);
  reader::Status EmitRows(PartitionSink* sink);
  size_t row_count() const { return used_; }
  bool has_static() const { return has_static_; }
  size_t bytes() const { return arena_.used(); }

 private:
  reader::Unfiltered* Next();

  Arena arena_;
  std::string key_;
  reader::DeletionTime deletion_;
  std::vector<reader::Unfiltered> pool_;  // rows, reused across partitions
  size_t used_ = 0;
  reader::Row static_;
  bool has_static_ = false;
};

// Appends the partition-key components of `key` in CompositeType form when
// `components` > 1, else the single value.
std::string PartitionKeyBytes(const std::vector<std::string>& components);

}  // namespace sstablefs::gen

#endif  // SSTABLEFS_TOOLS_GEN_TABLE_H_
