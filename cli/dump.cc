// `sstablefs dump`: sstabledump-compatible JSON of one SSTable, or its CQL
// rows as JSON Lines / CSV (SPEC §1, §3). Rendering lives in reader/
// (dump_json.h, row_renderer.h); this file parses arguments, opens the
// SSTable(s) and maps errors to messages and exit codes (SPEC §6).
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <ctime>
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
#include "reader/sstable.h"
#include "reader/types.h"

namespace sstablefs::cli {
namespace {

using reader::Status;

constexpr char kDumpHelp[] =
    "Usage: sstablefs dump PATH [-k KEY]... [-x KEY]... [-e] [-l] [-t]\n"
    "       sstablefs dump PATH (--rows | --csv) [--now TIME]\n"
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
    "  -h, --help  show this help\n"
    "\n"
    "With --rows or --csv, PATH may also be a table folder: its SSTables are\n"
    "rendered one after the other under a common header. Rows are NOT merged\n"
    "across SSTables (a row written to two SSTables appears twice); merged\n"
    "rows come with the mount's rows.jsonl / rows.csv. SSTables of an\n"
    "unsupported format in the folder are skipped with a message.\n"
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

int RunRows(const Args& a, int64_t now, std::FILE* out, std::FILE* err) {
  std::vector<std::string> paths;
  bool partial = false;
  struct stat st;
  if (::stat(a.path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    auto list = reader::ListSSTables(a.path);
    if (!list.ok()) {
      PrintError(err, list.status(), a.path);
      return kExitError;
    }
    for (const reader::Descriptor& d : *list) {
      paths.push_back(d.ComponentPath("Data.db"));
    }
    if (paths.empty()) {
      std::fprintf(err, "sstablefs: %s: no SSTable in this folder\n",
                   a.path.c_str());
      return kExitError;
    }
  } else {
    paths.push_back(a.path);
  }
  std::vector<std::shared_ptr<reader::SSTable>> tables;
  for (const std::string& p : paths) {
    // Rows are read once, front to back: no cache.
    auto t = OpenOne(p, nullptr, err);
    if (t == nullptr) {
      partial = true;
      continue;
    }
    tables.push_back(std::move(t));
  }
  if (tables.empty()) return kExitError;
  reader::TableSchema schema = reader::SchemaFromColumns(tables[0]->columns());
  for (size_t i = 1; i < tables.size(); ++i) {
    reader::MergeSchemaColumns(tables[i]->columns(), &schema);
  }
  reader::FileSink sink(out, "standard output");
  auto writer = reader::NewRowWriter(
      a.csv ? reader::RowFormat::kCsv : reader::RowFormat::kJsonLines, &sink);
  reader::RowOptions ro;
  ro.now_seconds = now;
  Status s = writer->Begin(schema);
  for (size_t i = 0; s.ok() && i < tables.size(); ++i) {
    s = reader::RenderSSTableRows(*tables[i], schema, ro, writer.get());
    if (!s.ok()) {
      (void)writer->Finish();
      std::fflush(out);
      PrintError(err, s, tables[i]->descriptor().ComponentPath("Data.db"));
      return kExitError;
    }
  }
  if (s.ok()) s = writer->Finish();
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
