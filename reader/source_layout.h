// The layout of a SOURCE (SPEC §1) as the mount shows it: which keyspaces,
// tables, snapshots, backups and SSTables it holds. Listing only: nothing
// here opens an SSTable or reads more than directory entries (and, for
// table identity, file names), so a data directory of any size lists fast.
//
// Cassandra's data directory: <data>/<keyspace>/<table>-<32 hex id>/ holding
// SSTable components, plus snapshots/<name>/ (same components, manifest.json,
// schema.cql), backups/ (incremental backups) and .<index>/ folders of
// secondary indexes.
//
// Contract:
//  - Entries are sorted by name (bytewise) so listings are stable.
//  - A table name appearing twice in one keyspace (dropped and recreated)
//    gets display name "<table>-<id>" for every copy (SPEC §2); otherwise the
//    display name is the bare table name.
//  - Temporary/partial SSTables (tmp-, tmplink-) are not listed as SSTables.
//  - Descriptors get keyspace/table from the folders when their file names
//    do not carry them.
//  - A keyspace folder's tables are its "<table>-<32 hex id>" folders plus,
//    for older layouts and hand-made copies, any other (non-hidden) folder
//    that directly holds SSTable components (table = folder name, id "").
//    Hidden folders (".x") are never keyspaces or tables.
//  - kIoError naming the folder when it cannot be listed; kInvalidArgument
//    with a user-facing message when SOURCE is nothing recognisable.
//  - Thread-safe (stateless functions).
#ifndef SSTABLEFS_READER_SOURCE_LAYOUT_H_
#define SSTABLEFS_READER_SOURCE_LAYOUT_H_

#include <optional>
#include <string>
#include <vector>

#include "reader/descriptor.h"
#include "reader/status.h"
#include "reader/verifier.h"  // SourceKind, DetectSource

namespace sstablefs::reader {

// A folder of SSTables of one table (the table folder itself, one snapshot,
// backups, or a secondary-index folder).
struct SSTableFolder {
  std::string path;
  // One Descriptor per SSTable (its Data.db exists or at least its TOC.txt),
  // sorted by generation; big and bti alike (the caller decides what it can
  // read).
  std::vector<Descriptor> sstables;
  // Non-empty when this sub-folder (snapshot, backups, index) could not be
  // listed: its message (kIoError text naming the folder); `sstables` is
  // then empty. The table itself still lists (one bad snapshot does not hide
  // the table).
  std::string error;
};

struct TableFolder {
  std::string keyspace;      // "" when unknown (SOURCE is a table folder)
  std::string table;         // from the folder name; "" for a loose folder
  std::string id;            // 32 hex digits, "" when the folder has none
  std::string display_name;  // see contract
  std::string path;          // the table folder
  SSTableFolder live;        // SSTables directly in the table folder
  struct Snapshot {
    std::string name;
    SSTableFolder folder;
    std::string schema_cql_path;  // "" when the snapshot has no schema.cql
  };
  std::vector<Snapshot> snapshots;       // snapshots/<name>/
  std::optional<SSTableFolder> backups;  // backups/ when present
  struct Index {
    std::string name;  // ".<index>"
    SSTableFolder folder;
  };
  std::vector<Index> indexes;
};

struct KeyspaceFolder {
  std::string name;
  std::string path;
  std::vector<TableFolder> tables;  // filled by ListTables only
};

// Keyspace folders of a data directory (any folder holding table folders).
Result<std::vector<KeyspaceFolder>> ListKeyspaces(const std::string& data_dir);
// Table folders of a keyspace folder, display names resolved.
Result<std::vector<TableFolder>> ListTables(const std::string& keyspace_dir,
                                            const std::string& keyspace);
// One table folder (live SSTables, snapshots, backups, indexes).
Result<TableFolder> ScanTableFolder(const std::string& path,
                                    const std::string& keyspace);
// A snapshot, backups or loose folder: SSTables only.
Result<SSTableFolder> ScanSSTableFolder(const std::string& path);

// Parses "<table>-<32 hex>" into table and id; false for other names.
bool ParseTableFolderName(const std::string& name, std::string* table,
                          std::string* id);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_SOURCE_LAYOUT_H_
