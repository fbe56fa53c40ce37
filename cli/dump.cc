// `sstablefs dump`: sstabledump-compatible JSON of one SSTable, or its CQL
// rows as JSON Lines / CSV (SPEC §1, §3). Rendering lives in reader/
// (dump_json.h, row_renderer.h); this file parses arguments, opens the
// SSTable(s) and maps errors to messages and exit codes (SPEC §6).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "reader/chunk_cache.h"
#include "reader/descriptor.h"
#include "reader/dump_json.h"
#include "reader/output_sink.h"
#include "reader/row_renderer.h"
#include "reader/schema.h"
#include "reader/source_layout.h"
#include "reader/sstable.h"
#include "reader/table.h"
#include "reader/types.h"

namespace sstablefs::cli {
namespace {

using reader::Status;

constexpr char kDumpHelp[] =
    "Usage: sstablefs dump PATH [-k KEY]... [-x KEY]... [-e] [-l] [-t]\n"
    "       sstablefs dump PATH (--rows | --csv) [--now TIME] [--table T]\n"
    "                     [--schema FILE]...\n"
    "\n"
    "Print one SSTable as sstabledump-compatible JSON, or its CQL rows.\n"
    "PATH is any component of the SSTable (e.g. .../nb-1-big-Data.db).\n"
    "\n"
    "  -k KEY      print only the partition with this key (repeatable); keys\n"
    "              are found through the partition index, not by a scan.\n"
    "              KEY is CQL literal text without quotes; the components of\n"
    "              a composite key are joined with ':'.\n"
    "  -x KEY      leave out the partition with this key (repeatable)\n"
    "  -e          print the partition keys only\n"
    "  -l          one JSON document per partition per line\n"
    "  -t          print timestamps as raw numbers, not ISO-8601\n"
    "  --rows      print the live CQL rows as JSON Lines (like rows.jsonl)\n"
    "  --csv       print the live CQL rows as CSV with a header line\n"
    "              (like rows.csv)\n"
    "  --now TIME  instant at which TTLs expire (rows) and \"expired\" flags\n"
    "              are computed: 2026-01-01T00:00:00Z or seconds since the\n"
    "              epoch; default: now\n"
    "  --table T   with a data directory or keyspace folder as PATH: the\n"
    "              table to print, KEYSPACE.TABLE (or TABLE in a keyspace)\n"
    "  --schema FILE  CQL file with CREATE TYPE/TABLE statements naming the\n"
    "              columns (repeatable); system_schema and a snapshot's\n"
    "              schema.cql are used first when present\n"
    "  -h, --help  show this help\n"
    "\n"
    "With --rows or --csv, PATH may also be a table folder (or a snapshot or\n"
    "backups folder), or a data directory / keyspace folder with --table:\n"
    "the table's SSTables are merged as Cassandra reads them (newest write\n"
    "wins, tombstones and TTLs applied), exactly as the mount's rows.jsonl /\n"
    "rows.csv. SSTables of an unsupported format in the folder are skipped\n"
    "with a message.\n"
    "\n"
    "Readable formats: ma, mb, mc, md, me, na, nb (big). Exit status: 0 ok;\n"
    "2 usage error, I/O error, damaged or unsupported SSTable (output already\n"
    "written is kept).\n";

struct Args {
  std::string path;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  bool keys_only = false;
  bool json_lines = false;
  bool raw_time = false;
  bool rows = false;
  bool csv = false;
  std::optional<int64_t> now;
  std::string table;                      // --table [KS.]TABLE
  std::vector<std::string> schema_files;  // --schema FILE.cql
  bool help = false;
};

// "2026-01-01T00:00:00Z" (optionally with a fraction, 'T' or ' ') or an
// integer number of seconds since the epoch.
std::optional<int64_t> ParseNow(std::string_view s) {
  if (!s.empty() && s.find_first_not_of("-0123456789") == std::string::npos) {
    try {
      return std::stoll(std::string(s));
    } catch (...) {
      return std::nullopt;
    }
  }
  int y, mo, d, h, mi, sec;
  char sep;
  int n = 0;
  if (std::sscanf(std::string(s).c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo,
                  &d, &sep, &h, &mi, &sec, &n) != 7 ||
      (sep != 'T' && sep != ' ') || mo < 1 || mo > 12 || d < 1 || d > 31 ||
      h > 23 || mi > 59 || sec > 60) {
    return std::nullopt;
  }
  std::string_view rest = s.substr(n);
  if (!rest.empty() && rest[0] == '.') {
    size_t k = 1;
    while (k < rest.size() && rest[k] >= '0' && rest[k] <= '9') ++k;
    rest = rest.substr(k);
  }
  if (rest != "Z" && rest != "" && rest != "+00:00") return std::nullopt;
  // Days from civil (proleptic Gregorian), then seconds.
  int64_t yy = y - (mo <= 2);
  int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  int64_t yoe = yy - era * 400;
  int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = era * 146097 + doe - 719468;
  return days * 86400 + h * 3600 + mi * 60 + sec;
}

// Returns an error message, or "" when the arguments are fine.
std::string ParseArgs(int argc, char** argv, Args* a) {
  bool options_done = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view opt, std::string* out) -> bool {
      if (arg.size() > opt.size() && arg.substr(0, opt.size()) == opt) {
        std::string_view v = arg.substr(opt.size());
        if (v[0] == '=') v.remove_prefix(1);
        *out = std::string(v);
        return true;
      }
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    if (options_done || arg.empty() || arg[0] != '-' || arg == "-") {
      if (!a->path.empty()) return "more than one PATH given";
      a->path = std::string(arg);
      continue;
    }
    std::string v;
    if (arg == "--") {
      options_done = true;
    } else if (arg == "-h" || arg == "--help") {
      a->help = true;
    } else if (arg.substr(0, 2) == "-k") {
      if (!value("-k", &v)) return "-k needs a KEY";
      a->include.push_back(v);
    } else if (arg.substr(0, 2) == "-x") {
      if (!value("-x", &v)) return "-x needs a KEY";
      a->exclude.push_back(v);
    } else if (arg == "-e") {
      a->keys_only = true;
    } else if (arg == "-l") {
      a->json_lines = true;
    } else if (arg == "-t") {
      a->raw_time = true;
    } else if (arg == "--rows") {
      a->rows = true;
    } else if (arg == "--csv") {
      a->csv = true;
    } else if (arg.substr(0, 5) == "--now" &&
               (arg.size() == 5 || arg[5] == '=')) {
      if (!value("--now", &v)) return "--now needs a TIME";
      a->now = ParseNow(v);
      if (!a->now)
        return "invalid --now '" + v + "' (use 2026-01-01T00:00:00Z)";
    } else if (arg.substr(0, 7) == "--table" &&
               (arg.size() == 7 || arg[7] == '=')) {
      if (!value("--table", &v)) return "--table needs KEYSPACE.TABLE";
      a->table = v;
    } else if (arg.substr(0, 8) == "--schema" &&
               (arg.size() == 8 || arg[8] == '=')) {
      if (!value("--schema", &v)) return "--schema needs a FILE";
      a->schema_files.push_back(v);
    } else {
      return "unknown option '" + std::string(arg) + "'";
    }
  }
  if (a->help) return "";
  if (a->path.empty()) return "missing PATH";
  if (a->rows && a->csv) return "--rows and --csv exclude each other";
  if ((a->rows || a->csv) && (a->keys_only || a->json_lines || a->raw_time ||
                              !a->include.empty() || !a->exclude.empty())) {
    return "-k, -x, -e, -l and -t apply to the JSON dump, not to --rows/--csv";
  }
  if (!(a->rows || a->csv) && (!a->table.empty() || !a->schema_files.empty())) {
    return "--table and --schema apply to --rows/--csv";
  }
  if (a->keys_only && a->json_lines) return "-e and -l exclude each other";
  return "";
}

// SPEC §6: "sstablefs: <file>: <where>: <reason>". Reader messages already
// name the file they concern; others get `file` in front.
void PrintError(std::FILE* err, const Status& s, const std::string& file) {
  std::string msg = s.message();
  std::string base = file.substr(file.rfind('/') + 1);
  // "nb-1-big-" of "nb-1-big-Data.db": a message naming any component of
  // this SSTable (Index.db, CRC.db, ...) already says where.
  std::string prefix =
      base.substr(0, base.size() - reader::ComponentOf(base).size());
  if (prefix.empty()) prefix = base;
  if (msg.find(file) == std::string::npos &&
      msg.find(prefix) == std::string::npos) {
    msg = file + ": " + msg;
  }
  std::fprintf(err, "sstablefs: %s\n", msg.c_str());
}

// Non-empty when the SSTable named by `d` is of a format we cannot read.
std::string Unsupported(const reader::Descriptor& d) {
  if (d.IsReadable()) return "";
  if (d.format != "big") {
    return "unsupported format " + d.format + " (version " + d.version.str() +
           "; sstablefs reads the big format ma..nb)";
  }
  return "unsupported format " + d.version.str() +
         " (sstablefs reads the big format ma..nb)";
}

constexpr size_t kDumpCacheBytes = 8 << 20;

// Opens one SSTable, printing the error when it fails. `cache` may be null.
std::shared_ptr<reader::SSTable> OpenOne(const std::string& path,
                                         reader::ChunkCache* cache,
                                         std::FILE* err) {
  auto desc = reader::ParseDescriptor(path);
  if (!desc.ok()) {
    PrintError(err, desc.status(), path);
    return nullptr;
  }
  if (std::string why = Unsupported(*desc); !why.empty()) {
    std::fprintf(err, "sstablefs: %s: %s\n", path.c_str(), why.c_str());
    return nullptr;
  }
  auto t = reader::SSTable::Open(path, cache);
  if (!t.ok()) {
    PrintError(err, t.status(), path);
    return nullptr;
  }
  // Non-fatal findings (missing TOC, unlisted components, unknown types)
  // go to stderr; the output itself stays clean JSON.
  for (const std::string& w : (*t)->warnings()) {
    std::fprintf(err, "sstablefs: warning: %s\n", w.c_str());
  }
  return std::move(t).value();
}

int RunJson(const Args& a, int64_t now, std::FILE* out, std::FILE* err) {
  // -k looks a key up (which reads the partition's first chunk to confirm
  // the key) and then dumps that partition from the same chunk: a small cache
  // makes that one read instead of two.
  reader::ChunkCache cache(kDumpCacheBytes);
  std::shared_ptr<reader::SSTable> t = OpenOne(a.path, &cache, err);
  if (t == nullptr) return kExitError;
  reader::DumpOptions o;
  o.json_lines = a.json_lines;
  o.raw_timestamps = a.raw_time;
  o.now_seconds = now;
  const reader::CqlType& key_type = *t->columns().key_type;
  for (const auto* list : {&a.include, &a.exclude}) {
    for (const std::string& k : *list) {
      auto parsed = reader::ParseLiteral(key_type, k);
      if (!parsed.ok()) {
        std::fprintf(err, "sstablefs: invalid key '%s' for key type %s: %s\n",
                     k.c_str(), key_type.CqlName().c_str(),
                     parsed.status().message().c_str());
        return kExitError;
      }
      (list == &a.include ? o.include_keys : o.exclude_keys)
          .push_back(std::move(parsed).value());
    }
  }
  reader::FileSink sink(out, "standard output");
  Status s = a.keys_only ? reader::DumpSSTableKeys(*t, o, &sink)
                         : reader::DumpSSTableJson(*t, o, &sink);
  std::fflush(out);
  if (!s.ok()) {
    PrintError(err, s, a.path);
    return kExitError;
  }
  return kExitOk;
}

// Where the rows of `dump --rows/--csv` come from: the SSTables of one table
// and what locates its schema.
struct RowsTarget {
  std::vector<std::string> data_paths;  // Data.db (or any component) paths
  std::string keyspace;
  std::string table;
  std::string id;
  std::string data_dir;      // holds system_schema/, "" when unknown
  std::string snapshot_cql;  // a snapshot's schema.cql, "" when none
};

std::string Parent(const std::string& p) {
  std::filesystem::path f = std::filesystem::path(p).lexically_normal();
  if (!f.has_filename()) f = f.parent_path();  // "dir/" -> "dir"
  return f.parent_path().string();
}
std::string BaseName(const std::string& p) {
  std::filesystem::path f = std::filesystem::path(p).lexically_normal();
  if (!f.has_filename()) f = f.parent_path();
  return f.filename().string();
}
bool IsDir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Fills keyspace/table/id/data_dir/snapshot_cql from the folder holding the
// SSTables (a table folder, or its snapshots/<name> or backups).
void DescribeFolder(const std::string& folder, RowsTarget* t) {
  std::string table_dir = folder;
  const std::string parent = Parent(folder);
  if (BaseName(parent) == "snapshots") {
    table_dir = Parent(parent);
    if (::access((folder + "/schema.cql").c_str(), R_OK) == 0) {
      t->snapshot_cql = folder + "/schema.cql";
    }
  } else if (BaseName(folder) == "backups") {
    table_dir = parent;
  }
  if (!reader::ParseTableFolderName(BaseName(table_dir), &t->table, &t->id)) {
    return;  // a loose folder of SSTables: header names only
  }
  const std::string ks_dir = Parent(table_dir);
  t->keyspace = BaseName(ks_dir);
  const std::string data_dir = Parent(ks_dir);
  if (!data_dir.empty() && IsDir(data_dir + "/system_schema")) {
    t->data_dir = data_dir;
  }
}

// Returns "" or an error message.
std::string LocateRows(const Args& a, RowsTarget* t) {
  if (!IsDir(a.path)) {
    t->data_paths.push_back(a.path);
    DescribeFolder(Parent(a.path), t);
    return "";
  }
  auto list = reader::ListSSTables(a.path);
  if (!list.ok()) return list.status().message();
  if (!list->empty()) {
    for (const reader::Descriptor& d : *list) {
      t->data_paths.push_back(d.ComponentPath("Data.db"));
    }
    DescribeFolder(a.path, t);
    return "";
  }
  // A data directory or keyspace folder: --table picks the table.
  std::string ks;
  std::string name = a.table;
  if (size_t dot = name.find('.'); dot != std::string::npos) {
    ks = name.substr(0, dot);
    name = name.substr(dot + 1);
  }
  std::vector<std::string> candidates;
  std::vector<std::string> known;
  std::error_code ec;
  auto scan_keyspace = [&](const std::string& ks_dir) {
    for (const auto& e : std::filesystem::directory_iterator(ks_dir, ec)) {
      std::string tn, id;
      if (!e.is_directory() || !reader::ParseTableFolderName(
                                   e.path().filename().string(), &tn, &id)) {
        continue;
      }
      known.push_back(BaseName(ks_dir) + "." + tn);
      if (tn == name) candidates.push_back(e.path().string());
    }
  };
  if (IsDir(a.path + "/system_schema") || !ks.empty()) {
    for (const auto& e : std::filesystem::directory_iterator(a.path, ec)) {
      if (!e.is_directory()) continue;
      const std::string k = e.path().filename().string();
      if (ks.empty() || k == ks) scan_keyspace(e.path().string());
    }
  } else {
    scan_keyspace(a.path);
  }
  if (a.table.empty() || candidates.size() != 1) {
    std::sort(known.begin(), known.end());
    std::string list_text;
    for (size_t i = 0; i < known.size() && i < 20; ++i) {
      list_text += (i ? ", " : "") + known[i];
    }
    if (known.size() > 20) list_text += ", ...";
    if (known.empty()) return a.path + ": no SSTable or table folder here";
    if (a.table.empty()) {
      return a.path + ": holds several tables; choose one with --table " +
             "KEYSPACE.TABLE (" + list_text + ")";
    }
    return a.path + ": " +
           (candidates.empty() ? "no table " : "several tables named ") +
           a.table + " (" + list_text + ")";
  }
  auto tl = reader::ListSSTables(candidates[0]);
  if (!tl.ok()) return tl.status().message();
  if (tl->empty()) return candidates[0] + ": no SSTable in this folder";
  for (const reader::Descriptor& d : *tl) {
    t->data_paths.push_back(d.ComponentPath("Data.db"));
  }
  DescribeFolder(candidates[0], t);
  return "";
}

// SPEC §5 order of trust: system_schema, a snapshot's schema.cql, --schema
// files, the SSTable headers. Warnings are appended to `out_warnings`.
reader::TableSchema SchemaFor(
    const Args& a, const RowsTarget& t,
    const std::vector<std::shared_ptr<reader::SSTable>>& tables,
    std::vector<std::string>* out_warnings) {
  std::vector<std::string> warnings;
  std::vector<const reader::Columns*> headers;
  for (const auto& s : tables) headers.push_back(&s->columns());
  std::optional<reader::SchemaCatalog> catalog;
  auto consider = [&](reader::Result<reader::SchemaCatalog> c,
                      const std::string& what) {
    if (!c.ok()) {
      if (c.status().code() != reader::StatusCode::kNotFound) {
        warnings.push_back(what + ": " + c.status().message());
      }
      return;
    }
    for (const std::string& w : c->warnings()) warnings.push_back(w);
    if (!catalog) {
      catalog = std::move(c).value();
    } else {
      catalog->MergeFrom(*c);
    }
  };
  if (!t.data_dir.empty()) {
    consider(reader::SchemaCatalog::FromSystemSchema(t.data_dir, nullptr),
             t.data_dir + "/system_schema");
  }
  if (!t.snapshot_cql.empty()) {
    consider(
        reader::SchemaCatalog::FromCqlFile(t.snapshot_cql, t.keyspace,
                                           reader::SchemaSource::kSnapshotCql),
        t.snapshot_cql);
  }
  for (const std::string& f : a.schema_files) {
    consider(reader::SchemaCatalog::FromCqlFile(f, t.keyspace), f);
  }
  const reader::CqlTableDef* def = nullptr;
  reader::SchemaSource source = reader::SchemaSource::kHeader;
  if (catalog && !t.table.empty()) {
    def = catalog->FindTable(t.keyspace, t.table, t.id);
    if (def != nullptr) source = catalog->source();
  }
  reader::TableSchema schema =
      reader::ResolveTableSchema(def, headers, source, &warnings);
  for (std::string& w : warnings) out_warnings->push_back(std::move(w));
  return schema;
}

int RunRows(const Args& a, int64_t now, std::FILE* out, std::FILE* err) {
  RowsTarget target;
  if (std::string why = LocateRows(a, &target); !why.empty()) {
    std::fprintf(err, "sstablefs: %s\n", why.c_str());
    return kExitError;
  }
  bool partial = false;
  std::vector<std::shared_ptr<reader::SSTable>> tables;
  for (const std::string& p : target.data_paths) {
    // A format we cannot decode (e.g. the bti twin of a big SSTable) is left
    // out with a warning, as the mount's rows.jsonl does; damage still makes
    // the output partial (exit 2).
    if (auto d = reader::ParseDescriptor(p); d.ok()) {
      if (std::string why = Unsupported(*d); !why.empty()) {
        std::fprintf(err, "sstablefs: warning: %s: %s; its rows are left out\n",
                     p.c_str(), why.c_str());
        continue;
      }
    }
    // Rows are read once, front to back: no cache.
    auto t = OpenOne(p, nullptr, err);
    if (t == nullptr) {
      partial = true;
      continue;
    }
    tables.push_back(std::move(t));
  }
  if (tables.empty()) return kExitError;
  std::vector<std::string> warnings;
  reader::TableSchema schema = SchemaFor(a, target, tables, &warnings);
  auto table = reader::Table::Open(tables, std::move(schema));
  if (!table.ok()) {
    PrintError(err, table.status(), a.path);
    return kExitError;
  }
  // Schema recovery and the table may report the same conflict.
  for (const std::string& w : (*table)->warnings()) {
    if (std::find(warnings.begin(), warnings.end(), w) == warnings.end()) {
      warnings.push_back(w);
    }
  }
  for (const std::string& w : warnings) {
    std::fprintf(err, "sstablefs: warning: %s\n", w.c_str());
  }
  reader::FileSink sink(out, "standard output");
  auto writer = reader::NewRowWriter(
      a.csv ? reader::RowFormat::kCsv : reader::RowFormat::kJsonLines, &sink);
  reader::RowOptions ro;
  ro.now_seconds = now;
  reader::MergedReader merged(*table, ro);
  Status s = writer->Begin((*table)->schema());
  if (s.ok()) s = merged.SeekToFirst();
  while (s.ok()) {
    auto more = merged.Next(writer.get(), nullptr);
    if (!more.ok()) {
      s = more.status();
    } else if (!*more) {
      break;
    }
  }
  if (!s.ok()) {
    (void)writer->Finish();
    std::fflush(out);
    PrintError(err, s, a.path);
    return kExitError;
  }
  s = writer->Finish();
  std::fflush(out);
  if (!s.ok()) {
    PrintError(err, s, a.path);
    return kExitError;
  }
  return partial ? kExitError : kExitOk;
}

}  // namespace

int RunDump(int argc, char** argv, std::FILE* out, std::FILE* err) {
  Args a;
  std::string usage_error = ParseArgs(argc, argv, &a);
  if (a.help) {
    std::fputs(kDumpHelp, out);
    return kExitOk;
  }
  if (!usage_error.empty()) {
    std::fprintf(err, "sstablefs dump: %s\n\n%s", usage_error.c_str(),
                 kDumpHelp);
    return kExitError;
  }
  const int64_t now = a.now ? *a.now : static_cast<int64_t>(std::time(nullptr));
  if (a.rows || a.csv) return RunRows(a, now, out, err);
  struct stat st;
  if (::stat(a.path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    std::fprintf(err,
                 "sstablefs: %s: is a folder; dump prints one SSTable: give "
                 "one of its component files (e.g. .../nb-1-big-Data.db), "
                 "or use --rows/--csv for a table folder\n",
                 a.path.c_str());
    return kExitError;
  }
  return RunJson(a, now, out, err);
}

}  // namespace sstablefs::cli
