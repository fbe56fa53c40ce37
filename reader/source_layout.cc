// Listing a SOURCE: data directory -> keyspaces -> table folders -> SSTable
// folders. One readdir per folder; SSTables are recognised by file name only
// (ParseDescriptor), nothing is opened.
#include "reader/source_layout.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>

#include "reader/file_util.h"

namespace sstablefs::reader {
namespace {

namespace fs = std::filesystem;

struct Entry {
  std::string name;
  bool is_dir = false;
  bool is_file = false;
};

std::string Join(const std::string& dir, const std::string& name) {
  if (!dir.empty() && dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

// The last path element, ignoring trailing slashes ("a/b/" -> "b").
std::string BaseName(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// One readdir, sorted by name; symlinks are followed for the type.
Result<std::vector<Entry>> ListFolder(const std::string& dir) {
  // ListFolderEntries: no atime change of SOURCE folders.
  SSTFS_ASSIGN_OR_RETURN(std::vector<FolderEntry> entries,
                         ListFolderEntries(dir));
  std::vector<Entry> out;
  for (FolderEntry& f : entries) {
    Entry e;
    e.name = std::move(f.name);
    e.is_dir = f.is_dir;
    e.is_file = f.is_file;
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(),
            [](const Entry& a, const Entry& b) { return a.name < b.name; });
  return out;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return c >= '0' && c <= '9'; });
}

// Numeric generations in numeric order, before UUID-style ones (which sort
// as text: their base-36 time fields are fixed width).
bool GenerationLess(const std::string& a, const std::string& b) {
  bool an = IsDigits(a), bn = IsDigits(b);
  if (an != bn) return an;
  if (!an) return a < b;
  std::string_view x(a), y(b);
  while (x.size() > 1 && x[0] == '0') x.remove_prefix(1);
  while (y.size() > 1 && y[0] == '0') y.remove_prefix(1);
  if (x.size() != y.size()) return x.size() < y.size();
  return x < y;
}

bool HasComponents(const std::vector<Entry>& entries) {
  return std::any_of(entries.begin(), entries.end(), [](const Entry& e) {
    return e.is_file && !ComponentOf(e.name).empty();
  });
}

// SSTables of an already listed folder (see SSTableFolder).
SSTableFolder SSTablesOf(const std::string& path,
                         const std::vector<Entry>& entries) {
  struct Seen {
    Descriptor d;
    bool has_data_or_toc = false;
  };
  std::map<std::string, Seen> by_prefix;
  for (const Entry& e : entries) {
    if (!e.is_file) continue;
    Result<Descriptor> d = ParseDescriptor(Join(path, e.name));
    if (!d.ok() || d->temporary) continue;
    d->directory = path;
    std::string component = ComponentOf(e.name);
    Seen& seen =
        by_prefix.try_emplace(d->prefix(), Seen{*d, false}).first->second;
    if (component == "Data.db" || component == "TOC.txt") {
      seen.has_data_or_toc = true;
    }
  }
  SSTableFolder folder;
  folder.path = path;
  for (auto& [prefix, seen] : by_prefix) {
    if (seen.has_data_or_toc) folder.sstables.push_back(std::move(seen.d));
  }
  std::stable_sort(folder.sstables.begin(), folder.sstables.end(),
                   [](const Descriptor& a, const Descriptor& b) {
                     if (a.generation != b.generation) {
                       return GenerationLess(a.generation, b.generation);
                     }
                     return a.prefix() < b.prefix();
                   });
  return folder;
}

// A sub-folder of a table folder; a listing failure is kept in `error`.
SSTableFolder ScanSubFolder(const std::string& path) {
  Result<std::vector<Entry>> entries = ListFolder(path);
  if (!entries.ok()) {
    SSTableFolder folder;
    folder.path = path;
    folder.error = entries.status().message();
    return folder;
  }
  return SSTablesOf(path, *entries);
}

void NameSSTables(const std::string& keyspace, const std::string& table,
                  SSTableFolder* folder) {
  for (Descriptor& d : folder->sstables) {
    if (d.keyspace.empty()) d.keyspace = keyspace;
    if (d.table.empty()) d.table = table;
  }
}

// Whether a keyspace folder entry is a table: "<table>-<id>", or (older
// layouts, copies) a plain folder holding SSTable components.
bool IsTableEntry(const std::string& keyspace_dir, const Entry& e,
                  bool* plain) {
  *plain = false;
  if (!e.is_dir || e.name.empty() || e.name[0] == '.') return false;
  std::string table, id;
  if (ParseTableFolderName(e.name, &table, &id)) return true;
  Result<std::vector<Entry>> sub = ListFolder(Join(keyspace_dir, e.name));
  *plain = sub.ok() && HasComponents(*sub);
  return *plain;
}

}  // namespace

bool ParseTableFolderName(const std::string& name, std::string* table,
                          std::string* id) {
  size_t dash = name.rfind('-');
  if (dash == std::string::npos || dash == 0 || name.size() - dash - 1 != 32) {
    return false;
  }
  for (size_t i = dash + 1; i < name.size(); ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(name[i]))) return false;
  }
  // Cassandra table names are [A-Za-z0-9_]+ (at most 48 characters).
  for (size_t i = 0; i < dash; ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (!std::isalnum(c) && c != '_') return false;
  }
  *table = name.substr(0, dash);
  *id = name.substr(dash + 1);
  return true;
}

Result<SSTableFolder> ScanSSTableFolder(const std::string& path) {
  SSTFS_ASSIGN_OR_RETURN(std::vector<Entry> entries, ListFolder(path));
  return SSTablesOf(path, entries);
}

Result<TableFolder> ScanTableFolder(const std::string& path,
                                    const std::string& keyspace) {
  SSTFS_ASSIGN_OR_RETURN(std::vector<Entry> entries, ListFolder(path));
  TableFolder t;
  t.keyspace = keyspace;
  t.path = path;
  const std::string base = BaseName(path);
  if (!ParseTableFolderName(base, &t.table, &t.id)) {
    t.table.clear();
    t.id.clear();
  }
  t.display_name = t.table.empty() ? base : t.table;
  t.live = SSTablesOf(path, entries);
  NameSSTables(keyspace, t.table, &t.live);
  for (const Entry& e : entries) {
    if (!e.is_dir) continue;
    const std::string sub = Join(path, e.name);
    if (e.name == "snapshots") {
      Result<std::vector<Entry>> snaps = ListFolder(sub);
      if (!snaps.ok()) {
        // Unlistable snapshots/: one entry carrying the error.
        TableFolder::Snapshot s;
        s.folder.path = sub;
        s.folder.error = snaps.status().message();
        t.snapshots.push_back(std::move(s));
        continue;
      }
      for (const Entry& snap : *snaps) {
        if (!snap.is_dir) continue;
        TableFolder::Snapshot s;
        s.name = snap.name;
        s.folder = ScanSubFolder(Join(sub, snap.name));
        NameSSTables(keyspace, t.table, &s.folder);
        std::string schema = Join(s.folder.path, "schema.cql");
        struct stat st;
        if (::stat(schema.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
          s.schema_cql_path = schema;
        }
        t.snapshots.push_back(std::move(s));
      }
    } else if (e.name == "backups") {
      t.backups = ScanSubFolder(sub);
      NameSSTables(keyspace, t.table, &*t.backups);
    } else if (e.name.size() > 1 && e.name[0] == '.') {
      TableFolder::Index index;
      index.name = e.name;
      index.folder = ScanSubFolder(sub);
      NameSSTables(keyspace, t.table, &index.folder);
      t.indexes.push_back(std::move(index));
    }
  }
  return t;
}

Result<std::vector<TableFolder>> ListTables(const std::string& keyspace_dir,
                                            const std::string& keyspace) {
  SSTFS_ASSIGN_OR_RETURN(std::vector<Entry> entries, ListFolder(keyspace_dir));
  std::vector<TableFolder> tables;
  for (const Entry& e : entries) {
    bool plain;
    if (!IsTableEntry(keyspace_dir, e, &plain)) continue;
    Result<TableFolder> t =
        ScanTableFolder(Join(keyspace_dir, e.name), keyspace);
    if (!t.ok()) {
      // Listed a moment ago: keep the table, with the error on its folder.
      TableFolder broken;
      broken.keyspace = keyspace;
      broken.path = Join(keyspace_dir, e.name);
      if (!ParseTableFolderName(e.name, &broken.table, &broken.id)) {
        broken.table = e.name;
      }
      broken.display_name = broken.table;
      broken.live.path = broken.path;
      broken.live.error = t.status().message();
      tables.push_back(std::move(broken));
      continue;
    }
    // A plain folder is a table of that name (no id).
    if (plain) t->table = e.name;
    tables.push_back(std::move(t).value());
  }
  // Dropped and recreated tables: every copy shows as "<table>-<id>".
  std::map<std::string, int> count;
  for (const TableFolder& t : tables) ++count[t.table];
  for (TableFolder& t : tables) {
    t.display_name = t.table;
    if (count[t.table] > 1) t.display_name = BaseName(t.path);
  }
  std::sort(tables.begin(), tables.end(),
            [](const TableFolder& a, const TableFolder& b) {
              return a.display_name < b.display_name;
            });
  return tables;
}

Result<std::vector<KeyspaceFolder>> ListKeyspaces(const std::string& data_dir) {
  SSTFS_ASSIGN_OR_RETURN(std::vector<Entry> entries, ListFolder(data_dir));
  std::vector<KeyspaceFolder> out;
  for (const Entry& e : entries) {
    if (!e.is_dir || e.name.empty() || e.name[0] == '.') continue;
    const std::string path = Join(data_dir, e.name);
    Result<std::vector<Entry>> sub = ListFolder(path);
    if (!sub.ok()) continue;  // not listable: not shown as a keyspace
    bool holds_tables = false;
    for (const Entry& s : *sub) {
      bool plain;
      if (IsTableEntry(path, s, &plain)) {
        holds_tables = true;
        break;
      }
    }
    if (holds_tables) out.push_back(KeyspaceFolder{e.name, path, {}});
  }
  return out;
}

}  // namespace sstablefs::reader
