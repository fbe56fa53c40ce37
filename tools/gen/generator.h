// sstablefs-gen's driver: writes a Cassandra-style data directory for a
// preset (see preset.h and scripts/README):
//
//   OUTDIR/data/<ks>/<table>-<32 hex id>/nb-<n>-big-*     one SSTable per flush
//   OUTDIR/data/<ks>/<table>-<id>/snapshots/<name>/       (--snapshot) hard
//        links of the same files, manifest.json, schema.cql
//   OUTDIR/data/system_schema/{keyspaces,tables,columns,types,dropped_columns}-<id>/
//   OUTDIR/expected/...                                   (churn) the oracle
//
// Contract: deterministic — the same options give byte-identical files.
// OUTDIR/data must not exist yet (kInvalidArgument), so a run never mixes
// with old data. Uses `threads` writer threads; memory is bounded by one
// partition (or batch of a huge partition) per thread plus each writer's
// index summary and bloom filter.
#ifndef SSTABLEFS_TOOLS_GEN_GENERATOR_H_
#define SSTABLEFS_TOOLS_GEN_GENERATOR_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "reader/status.h"
#include "tools/gen/preset.h"

namespace sstablefs::gen {

struct GenOptions {
  std::string preset;
  uint64_t size_bytes = 0;  // Data.db bytes on disk (about); 0: minimum
  uint64_t seed = 1;
  std::string snapshot;  // "" for none
  std::string outdir;
  int threads = 2;
  // Progress/summary lines (without newline); null for silence.
  std::function<void(const std::string&)> log;
};

struct GenSummary {
  uint64_t scale = 0;
  uint64_t data_bytes = 0;  // Data.db bytes on disk, all generated tables
  uint64_t sstables = 0;
  std::vector<std::string> table_dirs;  // data/<ks>/<table>-<id>
};

// Parses "1G", "500M", "64K", "123" (powers of 1024) into bytes.
reader::Result<uint64_t> ParseSize(std::string_view text);

reader::Result<GenSummary> Generate(const GenOptions& options);

// Writes every SSTable of `preset` at `scale` under data_dir (no
// system_schema, snapshots or extras); returns the Data.db bytes written.
reader::Result<uint64_t> WriteTables(const Preset& preset, uint64_t scale,
                                     const std::string& data_dir, int threads,
                                     std::vector<std::string>* table_dirs);

// The table folder name: "<table>-<id>".
std::string TableDirName(const GenTable& table);

// Cassandra's snapshot schema.cql for one table (CREATE TYPE for the UDTs
// it uses, CREATE TABLE ... WITH ID = ..., ALTER TABLE DROP for dropped
// columns).
std::string SnapshotSchemaCql(const GenTable& table,
                              const std::vector<reader::CqlUserType>& types);

}  // namespace sstablefs::gen

#endif  // SSTABLEFS_TOOLS_GEN_GENERATOR_H_
