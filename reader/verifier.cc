// `verify` over a SOURCE: what kind of folder it is, which folders and
// SSTables it holds, and the checks that concern a folder as a whole
// (generations, temporary leftovers, stray files, snapshot manifests).
// Per-SSTable checks: verify_sstable.cc; rendering: verify_report.cc.
#include "reader/verifier.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "reader/crc32.h"
#include "reader/file_util.h"
#include "reader/source_layout.h"
#include "reader/verify_internal.h"

namespace sstablefs::reader {
namespace fs = std::filesystem;
namespace {

constexpr size_t kMaxManifestBytes = 64u << 20;

// "<table>-<32 hex id>", the folder Cassandra (3.0+) gives each table.
bool IsTableFolderName(const std::string& name) {
  std::string table, id;
  return ParseTableFolderName(name, &table, &id);
}

std::string BaseName(const std::string& path) {
  fs::path p = fs::path(path).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

std::string Join(const std::string& dir, const std::string& name) {
  if (!dir.empty() && dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

// Sorted names of the entries of `dir` that are folders (is_dir) or
// regular files (!is_dir).
std::vector<std::string> ListNames(const std::string& dir, bool dirs,
                                   std::error_code* ec) {
  std::vector<std::string> out;
  // ListFolderEntries opens the folder O_NOATIME: verifying (and the mount's
  // verify.txt) never changes SOURCE atimes.
  Result<std::vector<FolderEntry>> entries = ListFolderEntries(dir);
  if (!entries.ok()) {
    *ec = std::make_error_code(std::errc::io_error);
    return out;
  }
  for (FolderEntry& e : *entries) {
    if (dirs ? e.is_dir : e.is_file) out.push_back(std::move(e.name));
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool HasComponentFiles(const std::string& dir) {
  std::error_code ec;
  for (const std::string& name : ListNames(dir, false, &ec)) {
    if (!ComponentOf(name).empty()) return true;
  }
  return false;
}

// Table folders of a keyspace folder, as ListTables finds them (sorted by
// path); empty when it cannot be listed.
std::vector<std::string> TableFoldersOf(const std::string& keyspace_dir) {
  std::vector<std::string> out;
  Result<std::vector<TableFolder>> tables = ListTables(keyspace_dir, "");
  if (!tables.ok()) return out;
  for (const TableFolder& t : *tables) out.push_back(t.path);
  std::sort(out.begin(), out.end());
  return out;
}

// Keyspace folders of a data directory, as ListKeyspaces finds them.
std::vector<std::string> KeyspaceFoldersOf(const std::string& data_dir) {
  std::vector<std::string> out;
  Result<std::vector<KeyspaceFolder>> ks = ListKeyspaces(data_dir);
  if (!ks.ok()) return out;
  for (const KeyspaceFolder& k : *ks) out.push_back(k.path);
  return out;
}

struct FolderJob {
  std::string directory;
  std::string kind;
  std::optional<Descriptor> only;  // kComponent: just this SSTable
};

// A table folder and the SSTable folders under it.
void AddTableJobs(const std::string& dir, std::vector<FolderJob>* jobs) {
  jobs->push_back({dir, "table", std::nullopt});
  std::error_code ec;
  for (const std::string& sub : ListNames(dir, true, &ec)) {
    const std::string path = Join(dir, sub);
    if (sub == "backups") {
      jobs->push_back({path, "backups", std::nullopt});
    } else if (sub == "snapshots") {
      std::error_code sec;
      for (const std::string& snap : ListNames(path, true, &sec)) {
        jobs->push_back({Join(path, snap), "snapshot", std::nullopt});
      }
    } else if (sub.size() > 1 && sub[0] == '.') {
      jobs->push_back({path, "index", std::nullopt});
    }
  }
}

// Adds a folder-level finding.
void AddFolderFinding(FolderReport* r, Severity s, std::string file,
                      std::string reason, bool io_error = false) {
  Finding f;
  f.severity = s;
  f.check = kCheckFolder;
  f.file = std::move(file);
  f.reason = std::move(reason);
  f.io_error = io_error;
  r->findings.push_back(std::move(f));
}

// Two SSTables of one generation: a byte copy under another format name is
// a note (the corpus has such sets); anything else a warning.
void CheckGenerations(const std::vector<Descriptor>& sstables,
                      FolderReport* r) {
  std::map<std::string, std::vector<const Descriptor*>> by_gen;
  for (const Descriptor& d : sstables) {
    if (!d.temporary) by_gen[d.generation].push_back(&d);
  }
  for (const auto& [gen, list] : by_gen) {
    if (list.size() < 2) continue;
    std::string names;
    for (const Descriptor* d : list) {
      names += (names.empty() ? "" : ", ") + d->prefix();
    }
    // Byte copies (identical Data.db) of another SSTable of the generation.
    std::map<std::pair<uint64_t, uint32_t>, std::vector<std::string>> by_data;
    for (const Descriptor* d : list) {
      auto file = RandomAccessFile::Open(d->ComponentPath("Data.db"));
      auto crc = file.ok() ? ComputeFileCrc32(**file)
                           : Result<uint32_t>(file.status());
      if (crc.ok()) {
        by_data[{(*file)->size(), *crc}].push_back(d->prefix());
      } else {
        by_data[{UINT64_MAX, static_cast<uint32_t>(by_data.size())}].push_back(
            d->prefix());
      }
    }
    for (const auto& [key, copies] : by_data) {
      for (size_t i = 1; i < copies.size(); ++i) {
        AddFolderFinding(r, Severity::kNote, r->directory,
                         copies[i] + " is a byte copy of " + copies[0] +
                             " (same generation " + gen +
                             ", another format name)");
      }
    }
    if (by_data.size() > 1) {
      AddFolderFinding(r, Severity::kWarning, r->directory,
                       "generation " + gen + " is used by " +
                           std::to_string(by_data.size()) +
                           " different SSTables: " + names);
    }
  }
}

// Files of the folder that belong to no SSTable.
void CheckStrayFiles(const std::string& kind, FolderReport* r) {
  std::error_code ec;
  for (const std::string& name : ListNames(r->directory, false, &ec)) {
    if (!ComponentOf(name).empty()) continue;
    if (kind == "snapshot" &&
        (name == "manifest.json" || name == "schema.cql")) {
      continue;
    }
    AddFolderFinding(r, Severity::kWarning, Join(r->directory, name),
                     "not part of any SSTable");
  }
}

// snapshots/<name>/manifest.json: {"files": ["nb-1-big-Data.db", ...], ...}
void CheckManifest(FolderReport* r) {
  const std::string path = Join(r->directory, "manifest.json");
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    AddFolderFinding(r, Severity::kNote, r->directory,
                     "snapshot has no manifest.json (its file list cannot be "
                     "checked)");
    return;
  }
  Result<std::string> text = ReadSmallFile(path, kMaxManifestBytes);
  if (!text.ok()) {
    AddFolderFinding(r, Severity::kError, path, text.status().message(),
                     text.status().code() == StatusCode::kIoError);
    return;
  }
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("files") ||
      !j["files"].is_array()) {
    AddFolderFinding(r, Severity::kError, path,
                     "not a snapshot manifest (expected a JSON object with a "
                     "\"files\" array)");
    return;
  }
  uint64_t missing = 0;
  for (const nlohmann::json& f : j["files"]) {
    if (!f.is_string()) continue;
    // Entries are file names, or paths relative to the snapshot folder.
    const std::string name = f.get<std::string>();
    if (!fs::exists(Join(r->directory, name), ec) &&
        !fs::exists(Join(r->directory, BaseName(name)), ec)) {
      if (++missing <= 20) {
        AddFolderFinding(r, Severity::kError, path,
                         "names " + name + ", which is missing");
      }
    }
  }
  if (missing > 20) {
    AddFolderFinding(r, Severity::kError, path,
                     std::to_string(missing - 20) + " more missing files");
  }
}

// Runs the jobs, sharing one progress count.
class Runner {
 public:
  explicit Runner(const VerifyOptions& options) : options_(options) {}

  uint64_t& total() { return total_; }

  FolderReport Run(const FolderJob& job) {
    FolderReport r;
    r.directory = job.directory;
    r.kind = job.kind;
    std::vector<Descriptor> sstables;
    if (job.only) {
      sstables.push_back(*job.only);
    } else {
      Result<std::vector<Descriptor>> listed = ListSSTables(job.directory);
      if (!listed.ok()) {
        AddFolderFinding(&r, Severity::kError, job.directory,
                         listed.status().message(), true);
        return r;
      }
      sstables = std::move(listed).value();
    }
    for (const Descriptor& d : sstables) {
      if (d.temporary) {
        AddFolderFinding(&r, Severity::kWarning, d.ComponentPath("*"),
                         "leftover temporary SSTable (" + d.temporary_marker +
                             "-): an interrupted flush, compaction or "
                             "stream; Cassandra deletes it on startup");
        continue;
      }
      const uint64_t bytes = EstimateVerifyBytes(d, options_.quick);
      r.sstables.push_back(
          VerifySSTable(d, options_, done_, std::max(total_, done_ + bytes)));
      done_ += bytes;
      if (options_.progress) options_.progress(done_, total_);
    }
    if (!job.only) {
      CheckGenerations(sstables, &r);
      CheckStrayFiles(job.kind, &r);
      if (job.kind == "snapshot") CheckManifest(&r);
    }
    return r;
  }

 private:
  const VerifyOptions& options_;
  uint64_t total_ = 0;
  uint64_t done_ = 0;
};

}  // namespace

// --- VerifyContext (verify_internal.h)
// ----------------------------------------

CheckResult& VerifyContext::Check(std::string_view name) {
  for (CheckResult& c : report_->checks) {
    if (c.name == name) return c;
  }
  report_->checks.push_back(
      CheckResult{std::string(name), CheckOutcome::kPassed, ""});
  return report_->checks.back();
}

void VerifyContext::Add(Severity severity, std::string_view check,
                        std::string_view component,
                        std::optional<uint64_t> offset, std::string reason,
                        bool io_error) {
  Finding f;
  f.severity = severity;
  f.check = std::string(check);
  f.component = std::string(component);
  f.file = component.empty() ? descriptor().directory
                             : descriptor().ComponentPath(component);
  f.offset = offset;
  if (offset && reason.rfind("offset ", 0) != 0 &&
      reason.rfind("chunk ", 0) != 0) {
    reason = "offset " + std::to_string(*offset) + ": " + reason;
  }
  f.reason = std::move(reason);
  f.io_error = io_error;
  report_->findings.push_back(std::move(f));
  CheckResult& c = Check(check);
  if (severity == Severity::kError) {
    c.outcome = CheckOutcome::kFailed;
  } else if (severity == Severity::kWarning &&
             c.outcome != CheckOutcome::kFailed) {
    c.outcome = CheckOutcome::kWarning;
  }
}

void VerifyContext::AddStatus(Severity severity, std::string_view check,
                              std::string_view component,
                              const Status& status) {
  std::string msg = status.message();
  std::string file = component.empty() ? descriptor().directory
                                       : descriptor().ComponentPath(component);
  // Messages start with the path of the file they concern; it may be
  // another component of this SSTable than `component`.
  std::string comp(component);
  const std::string prefix = descriptor().ComponentPath("");
  if (msg.rfind(file + ": ", 0) == 0) {
    msg = msg.substr(file.size() + 2);
  } else if (msg.rfind(prefix, 0) == 0) {
    size_t colon = msg.find(": ", prefix.size());
    if (colon != std::string::npos) {
      comp = msg.substr(prefix.size(), colon - prefix.size());
      file = msg.substr(0, colon);
      msg = msg.substr(colon + 2);
    }
  }
  std::optional<uint64_t> offset;
  // "offset N: ..." or "chunk N at offset X: ...".
  size_t at = msg.rfind("offset ", 0) == 0 ? 0 : msg.find(" at offset ");
  if (at != std::string::npos) {
    size_t digits = msg.find_first_of("0123456789", at);
    if (digits != std::string::npos && digits < at + 12) {
      offset = std::stoull(msg.substr(digits, 20));
    }
  }
  Finding f;
  f.severity = severity;
  f.check = std::string(check);
  f.file = file;
  f.component = comp;
  f.offset = offset;
  f.reason = msg;
  f.io_error = status.code() == StatusCode::kIoError;
  report_->findings.push_back(std::move(f));
  CheckResult& c = Check(check);
  if (severity == Severity::kError) {
    c.outcome = CheckOutcome::kFailed;
  } else if (severity == Severity::kWarning &&
             c.outcome != CheckOutcome::kFailed) {
    c.outcome = CheckOutcome::kWarning;
  }
}

void VerifyContext::Ran(std::string_view check, std::string detail) {
  Check(check).detail = std::move(detail);
}

void VerifyContext::Skipped(std::string_view check, std::string reason) {
  CheckResult& c = Check(check);
  if (c.outcome == CheckOutcome::kPassed) c.outcome = CheckOutcome::kSkipped;
  if (c.detail.empty()) c.detail = std::move(reason);
}

bool VerifyContext::Failed(std::string_view check) const {
  for (const CheckResult& c : report_->checks) {
    if (c.name == check) return c.outcome == CheckOutcome::kFailed;
  }
  return false;
}

void VerifyContext::Progress(uint64_t bytes) {
  progress_done_ += bytes;
  if (!options_->progress) return;
  uint64_t done = progress_base_ + progress_done_;
  uint64_t total = std::max(progress_total_, done);
  options_->progress(done, total);
}

// --- Reports
// -------------------------------------------------------------------

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kNote:
      return "note";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "error";
}

const char* CheckOutcomeName(CheckOutcome o) {
  switch (o) {
    case CheckOutcome::kPassed:
      return "passed";
    case CheckOutcome::kFailed:
      return "failed";
    case CheckOutcome::kWarning:
      return "warning";
    case CheckOutcome::kSkipped:
      return "skipped";
  }
  return "failed";
}

const char* SourceKindName(SourceKind k) {
  switch (k) {
    case SourceKind::kDataDirectory:
      return "data directory";
    case SourceKind::kKeyspace:
      return "keyspace";
    case SourceKind::kTable:
      return "table";
    case SourceKind::kSnapshot:
      return "snapshot";
    case SourceKind::kBackups:
      return "backups";
    case SourceKind::kSSTableFolder:
      return "folder of SSTables";
    case SourceKind::kComponent:
      return "SSTable";
  }
  return "?";
}

bool SSTableReport::HasErrors() const {
  return std::any_of(findings.begin(), findings.end(), [](const Finding& f) {
    return f.severity == Severity::kError;
  });
}

uint64_t VerifyReport::SSTableCount() const {
  uint64_t n = 0;
  for (const FolderReport& f : folders) n += f.sstables.size();
  return n;
}

uint64_t VerifyReport::CheckedSSTableCount() const {
  uint64_t n = 0;
  for (const FolderReport& f : folders) {
    for (const SSTableReport& s : f.sstables) n += s.supported ? 1 : 0;
  }
  return n;
}

uint64_t VerifyReport::Bytes() const {
  uint64_t n = 0;
  for (const FolderReport& f : folders) {
    for (const SSTableReport& s : f.sstables) n += s.bytes;
  }
  return n;
}

uint64_t VerifyReport::Count(Severity sev) const {
  uint64_t n = 0;
  for (const FolderReport& f : folders) {
    for (const Finding& x : f.findings) n += x.severity == sev;
    for (const SSTableReport& s : f.sstables) {
      for (const Finding& x : s.findings) n += x.severity == sev;
    }
  }
  return n;
}

bool VerifyReport::HasIoErrors() const {
  for (const FolderReport& f : folders) {
    for (const Finding& x : f.findings) {
      if (x.io_error) return true;
    }
    for (const SSTableReport& s : f.sstables) {
      for (const Finding& x : s.findings) {
        if (x.io_error) return true;
      }
    }
  }
  return false;
}

int VerifyReport::ExitCode() const {
  if (HasIoErrors()) return 2;
  return Count(Severity::kError) > 0 ? 1 : 0;
}

// --- Sources
// -------------------------------------------------------------------

Result<SourceKind> DetectSource(const std::string& source) {
  struct stat st;
  if (::stat(source.c_str(), &st) != 0) {
    return Status::FromErrno(source, errno);
  }
  if (S_ISREG(st.st_mode)) {
    if (ParseDescriptor(source).ok()) return SourceKind::kComponent;
    return Status::InvalidArgument(
        source +
        ": not an SSTable component (expected a name like "
        "nb-1-big-Data.db)");
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(source +
                                   ": neither a folder nor an SSTable file");
  }
  SSTFS_RETURN_IF_ERROR(ListFolderEntries(source).status());
  const std::string name = BaseName(source);
  const std::string parent =
      BaseName(fs::path(source).lexically_normal().parent_path().string());
  if (HasComponentFiles(source)) {
    if (name == "backups") return SourceKind::kBackups;
    if (parent == "snapshots") return SourceKind::kSnapshot;
    if (IsTableFolderName(name)) return SourceKind::kTable;
    return SourceKind::kSSTableFolder;
  }
  if (IsTableFolderName(name)) return SourceKind::kTable;
  // Cassandra's own layout first: "<table>-<id>" folders make a keyspace,
  // keyspaces holding them make a data directory — even when a stray folder
  // of loose SSTables sits beside them.
  std::error_code list_ec;
  const std::vector<std::string> children = ListNames(source, true, &list_ec);
  bool keyspace_with_ids = false;
  for (const std::string& child : children) {
    if (IsTableFolderName(child)) return SourceKind::kKeyspace;
    std::error_code child_ec;
    for (const std::string& g :
         ListNames(Join(source, child), true, &child_ec)) {
      keyspace_with_ids = keyspace_with_ids || IsTableFolderName(g);
    }
  }
  if (keyspace_with_ids) return SourceKind::kDataDirectory;
  // Keyspaces and tables as the mount lists them (reader/source_layout.h):
  // "<table>-<id>" folders, or plain folders holding SSTables (older
  // layouts, cassandra-legacy/<v>/legacy_tables).
  if (!TableFoldersOf(source).empty()) return SourceKind::kKeyspace;
  if (!KeyspaceFoldersOf(source).empty()) return SourceKind::kDataDirectory;
  return Status::InvalidArgument(
      source +
      ": nothing to verify: no SSTable files, table folders "
      "(<table>-<32 hex id>, or folders holding SSTables) or keyspace folders "
      "found");
}

FolderReport VerifyFolder(const std::string& directory, const std::string& kind,
                          const VerifyOptions& options) {
  Runner runner(options);
  Result<std::vector<Descriptor>> listed = ListSSTables(directory);
  if (listed.ok()) {
    for (const Descriptor& d : *listed) {
      runner.total() += EstimateVerifyBytes(d, options.quick);
    }
  }
  return runner.Run({directory, kind, std::nullopt});
}

Result<VerifyReport> VerifySource(const std::string& source,
                                  const VerifyOptions& options) {
  SSTFS_ASSIGN_OR_RETURN(SourceKind kind, DetectSource(source));
  VerifyReport report;
  report.source = source;
  report.kind = kind;
  report.quick = options.quick;
  std::vector<FolderJob> jobs;
  switch (kind) {
    case SourceKind::kComponent: {
      SSTFS_ASSIGN_OR_RETURN(Descriptor d, ParseDescriptor(source));
      jobs.push_back({d.directory, "sstable", d});
      break;
    }
    case SourceKind::kTable:
      AddTableJobs(source, &jobs);
      break;
    case SourceKind::kSnapshot:
      jobs.push_back({source, "snapshot", std::nullopt});
      break;
    case SourceKind::kBackups:
      jobs.push_back({source, "backups", std::nullopt});
      break;
    case SourceKind::kSSTableFolder:
      jobs.push_back({source, "folder", std::nullopt});
      break;
    case SourceKind::kKeyspace:
      for (const std::string& t : TableFoldersOf(source)) {
        AddTableJobs(t, &jobs);
      }
      break;
    case SourceKind::kDataDirectory:
      for (const std::string& ks : KeyspaceFoldersOf(source)) {
        for (const std::string& t : TableFoldersOf(ks)) AddTableJobs(t, &jobs);
      }
      break;
  }
  Runner runner(options);
  for (const FolderJob& job : jobs) {
    if (job.only) {
      runner.total() += EstimateVerifyBytes(*job.only, options.quick);
      continue;
    }
    Result<std::vector<Descriptor>> listed = ListSSTables(job.directory);
    if (!listed.ok()) continue;
    for (const Descriptor& d : *listed) {
      if (!d.temporary) {
        runner.total() += EstimateVerifyBytes(d, options.quick);
      }
    }
  }
  for (const FolderJob& job : jobs) report.folders.push_back(runner.Run(job));
  return report;
}

}  // namespace sstablefs::reader
