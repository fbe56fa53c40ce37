// sstabledump-compatible JSON of one SSTable: what `sstablefs dump PATH` and
// the mount's sstables/<name>/data.json print.
//
// The output follows Cassandra 5.0's tools/JsonTransformer (sstabledump)
// byte for byte where the data allows: the same field names and nesting, the
// same Jackson pretty-printing (objects and arrays broken over lines except
// the "compact" parts: keys, clustering, liveness_info, deletion_info and
// cells), ISO-8601 instants (java.time.Instant.toString) or raw numbers with
// -t, values as AbstractType.toJSONString renders them (clustering and cell
// values) or AbstractType.getString (partition key components and cell
// paths). See /work/fragments/dump.md for the grammar. Known differences:
//  - the document ends with a newline (sstabledump ends without one);
//  - counter cell values are the counter's total (sum of its shards);
//  - partition and static row "position"s follow 5.0: the Data.db offset
//    just after the partition header and static row, i.e. where the first
//    clustering row (or the end-of-partition flag) starts.
//
// Contract: functions render to an OutputSink in ~1 MiB blocks. On a decode
// error they stop, hand what was rendered so far to the sink (partial output,
// as sstabledump leaves it) and return the error (kCorruption naming file and
// offset). Not thread-safe per call; distinct calls may run concurrently on a
// shared SSTable.
#ifndef SSTABLEFS_READER_DUMP_JSON_H_
#define SSTABLEFS_READER_DUMP_JSON_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "reader/output_sink.h"
#include "reader/sstable.h"
#include "reader/status.h"

namespace sstablefs::reader {

struct DumpOptions {
  // -l: one compact JSON document per partition per line (toJsonLines).
  bool json_lines = false;
  // -t: print timestamps and deletion times as raw numbers (still JSON
  // strings, as sstabledump does) instead of ISO-8601 instants.
  bool raw_timestamps = false;
  // The instant (seconds since the epoch) against which "expired" flags are
  // computed. sstabledump uses the current time.
  int64_t now_seconds = 0;
  // -k: serialized partition keys (ParseLiteral of the key type). When not
  // empty, only these partitions are printed, found through the partition
  // index (never a scan), in Data.db (token) order; absent keys are skipped.
  std::vector<std::string> include_keys;
  // -x: serialized partition keys to leave out.
  std::vector<std::string> exclude_keys;
  // The "table kind" field of each partition (TableMetadata.Kind name).
  std::string table_kind = "REGULAR";
};

// Prints the partitions of `sstable` as sstabledump does.
Status DumpSSTableJson(const SSTable& sstable, const DumpOptions& options,
                       OutputSink* sink);

// A restart point of DumpSSTableJson between two partitions (the mount's
// data.json checkpoints): small and copyable.
struct DumpResumePoint {
  uint64_t data_position = 0;      // uncompressed Data.db offset of the next
                                   // partition to print
  uint64_t partitions_before = 0;  // partitions printed before it
  friend bool operator==(const DumpResumePoint&,
                         const DumpResumePoint&) = default;
};

// DumpSSTableJson with restart points. Starts at `start` (nullptr: the
// beginning; otherwise a point this function reported for the same SSTable
// and options) and prints exactly the bytes the full dump prints from that
// point on. When `checkpoint` is set it is called between partitions, about
// every `checkpoint_interval` output bytes, right after everything before
// that point was handed to `sink` — so the number of bytes the sink has
// received at the call is where a dump resumed from the reported point
// starts. include_keys / exclude_keys must be empty (kInvalidArgument).
Status DumpSSTableJsonResumable(
    const SSTable& sstable, const DumpOptions& options,
    const DumpResumePoint* start, uint64_t checkpoint_interval,
    const std::function<void(const DumpResumePoint&)>& checkpoint,
    OutputSink* sink);

// Prints the partition keys as `sstabledump -e` does: a JSON array of key
// arrays, `[ [ "k1" ],\n  [ "k2" ]\n]`. -k / -x filters apply too.
Status DumpSSTableKeys(const SSTable& sstable, const DumpOptions& options,
                       OutputSink* sink);

// --- Pieces shared with the row renderers and tests ----------------------

// JsonTransformer.dateString: `value` in microseconds (`micros`) or seconds,
// as java.time.Instant.toString() ("2018-07-23T12:34:56.123456Z", fraction in
// groups of 3 digits, omitted when zero), or the decimal number when `raw`.
// Reproduces Cassandra's arithmetic exactly (seconds truncated toward zero,
// nanoseconds taken modulo one second), including its quirk for negative
// values. Appends without quotes.
void AppendDumpTime(int64_t value, bool micros, bool raw, std::string* out);

// ColumnIdentifier.toCQLString: the name as is when it is a lower-case
// unquoted identifier ([a-z][a-z0-9_]*) and not a reserved keyword, else
// double-quoted with inner quotes doubled.
std::string CqlQuoteIdentifier(std::string_view name);

// The partition key components as JsonTransformer prints them (getString of
// each component type; a CompositeType key is split into its components).
// Appends one std::string per component to `out` (cleared first). Never
// fails: an undecodable composite key yields one component, its hex.
void PartitionKeyStrings(const CqlType& key_type, ByteView key,
                         std::vector<std::string>* out);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_DUMP_JSON_H_
