// Integrity verification of SSTables, table folders and whole data
// directories: the library behind `sstablefs verify` (SPEC §1, §6) and the
// mount's verify.txt files (SPEC §2).
//
// What is checked, per SSTable (see /work/fragments/verify.md for the
// user-facing description):
//   completeness   TOC.txt parses; every listed component exists and is
//                  readable; unlisted components; a missing TOC
//   digest         Digest.crc32 against the CRC32 of the Data.db bytes
//   chunks         the CRC32 after each compressed chunk (and, unless quick,
//                  that the chunk decompresses), or CRC.db for uncompressed
//                  Data.db; every bad chunk is reported, not only the first
//   statistics     Statistics.db decodes (checksums for na+), header types
//                  parse, column names are unique, the partitioner is known
//   structure      (not with quick) every partition decodes to its end;
//                  partitions strictly increasing in partitioner order; rows
//                  and markers in clustering order; range tombstones opened
//                  and closed in pairs with matching deletion times
//   index          (not with quick) Index.db entries, in order, name the key
//                  and start offset of each Data.db partition; promoted
//                  indexes match their partition
//   summary        (not with quick) Summary.db samples are Index.db entries
//                  in order; its first/last keys are the SSTable's
//   bloom_filter   (not with quick) Filter.db contains every partition key
//   stats_agreement (not with quick) Statistics.db against the data (its
//                  only protection before na, which has no checksums):
//                  exact min/max timestamp; deletion-time and TTL ranges
//                  when nothing deletes or expires; partition and row
//                  counts; estimatedPartitionSize bucket by bucket and both
//                  histograms' fixed bucket series; compressionRatio; min/
//                  max clustering values occur in the data; commit log
//                  intervals plausible
//   (statistics also checks type class names and column names; chunks also
//   CompressionInfo.db option names and max compressed length; index the
//   promoted index header length and block widths; summary the size at
//   full sampling)
// and per folder: SSTables sharing a generation, leftover tmp-/tmplink-
// files, files that belong to no SSTable, snapshot manifests naming missing
// files.
//
// Severity: kError is damage (exit 1), kWarning an anomaly that does not
// lose data (unlisted component, missing TOC, leftover temporary files),
// kNote information (a check that could not run, e.g. an unsupported
// format). Findings never abort the run: every SSTable is checked as far as
// its bytes allow.
//
// Contract:
//  - Nothing here writes to, locks or changes the atime of SOURCE.
//  - Memory is bounded independently of file sizes: Data.db and Index.db are
//    streamed; only Summary.db, Filter.db, Statistics.db, CompressionInfo.db
//    and CRC.db are read whole (with the library's size limits).
//  - Functions are thread-compatible: independent calls may run in parallel;
//    the progress callback is called on the calling thread.
#ifndef SSTABLEFS_READER_VERIFIER_H_
#define SSTABLEFS_READER_VERIFIER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "reader/descriptor.h"
#include "reader/status.h"

namespace sstablefs::reader {

enum class Severity { kNote, kWarning, kError };
// "note", "warning", "error".
const char* SeverityName(Severity s);

struct Finding {
  Severity severity = Severity::kError;
  std::string check;      // "completeness", "digest", "chunks", ... (above)
  std::string file;       // path of the file concerned (as found on disk)
  std::string component;  // "Data.db", "TOC.txt", ... ("" for folders)
  std::optional<uint64_t> offset;  // byte offset in `file`, when known
  std::string reason;     // "chunk 17 at offset 1114112: checksum mismatch..."
  bool io_error = false;  // the OS failed us: the verdict is incomplete
};

// Outcome of one check for one SSTable (--json lists them all).
enum class CheckOutcome { kPassed, kFailed, kWarning, kSkipped };
// "passed", "failed", "warning", "skipped".
const char* CheckOutcomeName(CheckOutcome o);

struct CheckResult {
  std::string name;  // the check names listed at the top of this file
  CheckOutcome outcome = CheckOutcome::kPassed;
  std::string detail;  // why skipped / what was checked ("12 chunks")
};

struct SSTableReport {
  Descriptor descriptor;
  std::string name;        // descriptor prefix, "nb-1-big"
  bool supported = false;  // readable format (ma..nb big)
  std::vector<CheckResult> checks;
  std::vector<Finding> findings;
  uint64_t bytes = 0;       // component bytes on disk
  uint64_t partitions = 0;  // decoded (structure pass)
  uint64_t rows = 0;        // decoded non-static rows
  uint64_t markers = 0;     // decoded range tombstone markers

  bool HasErrors() const;
};

// Findings about a folder as a whole (generations, strays, manifests).
struct FolderReport {
  std::string directory;
  std::string kind;  // "table", "snapshot", "backups", "index", "folder"
  std::vector<SSTableReport> sstables;
  std::vector<Finding> findings;
};

enum class SourceKind {
  kDataDirectory,  // holds keyspace folders
  kKeyspace,       // holds table folders <table>-<32 hex>
  kTable,          // a table folder (with its snapshots/ and backups/)
  kSnapshot,       // snapshots/<name>
  kBackups,        // backups
  kSSTableFolder,  // any other folder holding SSTable components
  kComponent,      // one SSTable component file
};
const char* SourceKindName(SourceKind k);

struct VerifyOptions {
  // Completeness, digests, chunk checksums and Statistics.db only: every
  // byte is read once, nothing is decoded.
  bool quick = false;
  // Called now and then with (bytes done, bytes total) over the whole run.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct VerifyReport {
  std::string source;
  SourceKind kind = SourceKind::kSSTableFolder;
  bool quick = false;
  std::vector<FolderReport> folders;

  uint64_t SSTableCount() const;
  uint64_t CheckedSSTableCount() const;  // of a supported format
  uint64_t Bytes() const;
  // Findings of each severity over everything.
  uint64_t Count(Severity s) const;
  bool HasIoErrors() const;
  // SPEC §6 exit code: 2 when an I/O error left the verdict incomplete,
  // 1 when damage (an error finding) was found, else 0.
  int ExitCode() const;
};

// Detects what SOURCE is (SPEC §1). kInvalidArgument with a user-facing
// message when it is nothing recognisable; kIoError when it cannot be read.
Result<SourceKind> DetectSource(const std::string& source);

// Verifies everything under SOURCE. Fails only when SOURCE itself is not
// recognisable or cannot be listed; everything else becomes findings.
Result<VerifyReport> VerifySource(const std::string& source,
                                  const VerifyOptions& options);

// Verifies one SSTable (the mount's sstables/<descriptor>/verify.txt).
// `progress_base`/`progress_total` offset the progress callback's numbers
// when this SSTable is part of a larger run (0/0: this SSTable alone).
SSTableReport VerifySSTable(const Descriptor& d, const VerifyOptions& options,
                            uint64_t progress_base = 0,
                            uint64_t progress_total = 0);

// The bytes VerifySSTable reads (for progress totals).
uint64_t EstimateVerifyBytes(const Descriptor& d, bool quick);

// Verifies one folder of SSTables: each SSTable, then the folder checks.
// `kind` as in FolderReport.
FolderReport VerifyFolder(const std::string& directory, const std::string& kind,
                          const VerifyOptions& options);

// --- Rendering --------------------------------------------------------------
// One line per finding, SPEC §6 form, without a trailing newline:
//   "sstablefs: <file>: <reason>"            (errors)
//   "sstablefs: <file>: warning: <reason>"   (warnings; "note:" for notes)
std::string FormatFinding(const Finding& f);
// "sstablefs: verified 12 SSTables (1 not checked: unsupported format),
//  34.5 MiB: 2 errors, 1 warning, 3 notes" (no newline).
std::string FormatSummary(const VerifyReport& r);
// The verdict of one SSTable as the mount's verify.txt shows it: a line per
// check ("digest: passed (...)"), then the findings, then "verdict: ok" /
// "verdict: DAMAGED". Ends with a newline.
std::string FormatSSTableVerdict(const SSTableReport& r);
// The machine-readable report (`verify --json`): every folder, SSTable,
// check and finding. Pretty-printed JSON text ending with a newline.
std::string ReportToJson(const VerifyReport& r);

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_VERIFIER_H_
