// `sstablefs verify SOURCE [--json] [--quick]`: integrity check of SSTables
// (SPEC §1, §6). The checks live in reader/verifier.h; this file parses
// arguments, shows progress on a terminal and prints the report.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "reader/verifier.h"

namespace sstablefs::cli {
namespace {

constexpr char kVerifyHelp[] =
    "Usage: sstablefs verify SOURCE [--json] [--quick]\n"
    "\n"
    "Check the integrity of SSTables. SOURCE is a Cassandra data directory, a\n"
    "keyspace folder, a table folder (<table>-<32 hex id>, with its "
    "snapshots/\n"
    "and backups/), a snapshots/<name> or backups folder, any folder of\n"
    "SSTables, or one SSTable component file.\n"
    "\n"
    "Per SSTable: components listed in TOC.txt exist and are readable;\n"
    "Digest.crc32 matches Data.db; every chunk checksum (CompressionInfo.db\n"
    "chunks or CRC.db) matches; Statistics.db decodes and its header is sane;\n"
    "then (unless --quick) every partition and row decodes, partitions and\n"
    "rows are in order, range tombstones pair up, Index.db, Summary.db and\n"
    "Filter.db agree with Data.db, and Statistics.db timestamps and counts\n"
    "agree with the data. Per folder: SSTables sharing a generation, leftover\n"
    "tmp-/tmplink- files, stray files, snapshot manifests naming missing "
    "files.\n"
    "\n"
    "  --json      print a machine-readable report of every check instead\n"
    "  --quick     completeness, digests, chunk checksums and Statistics.db\n"
    "              only: reads every byte once, decodes nothing\n"
    "  -h, --help  show this help\n"
    "\n"
    "Output: one line per problem, \"sstablefs: FILE: REASON\" (warnings and\n"
    "notes say so after FILE), then a summary line. Formats other than\n"
    "ma..nb big (BTI, ka/la, oa) are reported as \"not checked\" notes.\n"
    "A progress line is shown on stderr when it is a terminal.\n"
    "\n"
    "Exit status: 0 no damage found; 1 damage found; 2 usage error, SOURCE\n"
    "not recognisable, or an I/O error left the check incomplete.\n";

struct Args {
  std::string source;
  bool json = false;
  bool quick = false;
  bool help = false;
};

// Returns an error message, or "" when the arguments are fine.
std::string ParseArgs(int argc, char** argv, Args* args) {
  bool only_operands = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (!only_operands && a == "--") {
      only_operands = true;
    } else if (!only_operands && a == "--json") {
      args->json = true;
    } else if (!only_operands && a == "--quick") {
      args->quick = true;
    } else if (!only_operands && (a == "-h" || a == "--help")) {
      args->help = true;
    } else if (!only_operands && a.size() > 1 && a[0] == '-') {
      return "unknown option '" + std::string(a) + "'";
    } else if (args->source.empty()) {
      args->source = std::string(a);
    } else {
      return "more than one SOURCE ('" + args->source + "', '" +
             std::string(a) + "')";
    }
  }
  if (!args->help && args->source.empty()) return "missing SOURCE";
  return "";
}

// "\r12.3 MiB / 100.0 MiB (12%), 45.6 MiB/s, ETA 0:02" on a terminal.
class ProgressLine {
 public:
  explicit ProgressLine(std::FILE* err) : err_(err) {}
  ~ProgressLine() { Clear(); }

  void Update(uint64_t done, uint64_t total) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(200) && done < total) return;
    last_ = now;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double mib = 1024.0 * 1024.0;
    const double rate = secs > 0 ? done / secs : 0;
    const double pct = total > 0 ? 100.0 * done / total : 100.0;
    char eta[32] = "--:--";
    if (rate > 0 && total >= done) {
      long left = static_cast<long>((total - done) / rate);
      std::snprintf(eta, sizeof eta, "%ld:%02ld", left / 60, left % 60);
    }
    std::fprintf(err_,
                 "\r\033[Kverify: %.1f / %.1f MiB (%.0f%%), %.1f MiB/s, ETA %s",
                 done / mib, total / mib, pct, rate / mib, eta);
    std::fflush(err_);
    shown_ = true;
  }

  void Clear() {
    if (!shown_) return;
    std::fputs("\r\033[K", err_);
    std::fflush(err_);
    shown_ = false;
  }

 private:
  std::FILE* err_;
  std::chrono::steady_clock::time_point start_ =
      std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
  bool shown_ = false;
};

}  // namespace

int RunVerify(int argc, char** argv, std::FILE* out, std::FILE* err) {
  Args args;
  std::string problem = ParseArgs(argc, argv, &args);
  if (!problem.empty()) {
    std::fprintf(err, "sstablefs verify: %s\n%s", problem.c_str(),
                 "Try 'sstablefs verify --help'.\n");
    return kExitError;
  }
  if (args.help) {
    std::fputs(kVerifyHelp, out);
    return kExitOk;
  }
  reader::VerifyOptions options;
  options.quick = args.quick;
  ProgressLine progress(err);
  if (::isatty(::fileno(err))) {
    options.progress = [&progress](uint64_t done, uint64_t total) {
      progress.Update(done, total);
    };
  }
  reader::Result<reader::VerifyReport> report =
      reader::VerifySource(args.source, options);
  progress.Clear();
  if (!report.ok()) {
    std::fprintf(err, "sstablefs: %s\n", report.status().message().c_str());
    return kExitError;
  }
  if (args.json) {
    std::fputs(reader::ReportToJson(*report).c_str(), out);
  } else {
    for (const reader::FolderReport& f : report->folders) {
      for (const reader::SSTableReport& s : f.sstables) {
        for (const reader::Finding& x : s.findings) {
          std::fprintf(out, "%s\n", reader::FormatFinding(x).c_str());
        }
      }
      for (const reader::Finding& x : f.findings) {
        std::fprintf(out, "%s\n", reader::FormatFinding(x).c_str());
      }
    }
    std::fprintf(out, "%s\n", reader::FormatSummary(*report).c_str());
  }
  std::fflush(out);
  if (std::ferror(out)) {
    std::fprintf(err, "sstablefs: verify: cannot write the report: %s\n",
                 std::strerror(errno));
    return kExitError;
  }
  return report->ExitCode();
}

}  // namespace sstablefs::cli
