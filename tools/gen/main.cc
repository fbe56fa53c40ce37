// sstablefs-gen: writes a Cassandra-style data directory of generated
// SSTables for testing sstablefs at scale. See scripts/README.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tools/gen/generator.h"

namespace {

constexpr char kUsage[] =
    "usage: sstablefs-gen --preset NAME --size SIZE [--seed N] "
    "[--snapshot NAME] [--threads N] [--quiet] OUTDIR\n"
    "\n"
    "Writes OUTDIR/data/<keyspace>/<table>-<id>/ with several SSTables per\n"
    "table (format nb), a system_schema keyspace, optionally\n"
    "snapshots/NAME/ in every table folder, and for the churn preset\n"
    "OUTDIR/expected/ (the rows Cassandra would return).\n"
    "\n"
    "  --preset NAME    timeseries, wide, narrow, kitchen or churn\n"
    "  --size SIZE      about this many bytes of Data.db (K, M, G suffixes;\n"
    "                   0 or a tiny size gives the preset's minimum)\n"
    "  --seed N         content seed (default 1); same seed, same bytes\n"
    "  --snapshot NAME  also write snapshots/NAME/ (hard links, "
    "manifest.json,\n"
    "                   schema.cql)\n"
    "  --threads N      writer threads (default 2)\n"
    "  --quiet          no progress output\n";

int Usage(const std::string& error) {
  if (!error.empty())
    std::fprintf(stderr, "sstablefs-gen: %s\n", error.c_str());
  std::fputs(kUsage, stderr);
  return 2;
}

bool ParseUint(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9' || v > (UINT64_MAX - 9) / 10) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  sstablefs::gen::GenOptions options;
  bool have_size = false;
  bool quiet = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](std::string_view flag) -> const char* {
      if (i + 1 >= argc) return nullptr;
      (void)flag;
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--quiet" || a == "-q") {
      quiet = true;
    } else if (a == "--preset" || a == "--size" || a == "--seed" ||
               a == "--snapshot" || a == "--threads") {
      const char* v = value(a);
      if (v == nullptr) return Usage(std::string(a) + " needs a value");
      if (a == "--preset") {
        options.preset = v;
      } else if (a == "--size") {
        auto size = sstablefs::gen::ParseSize(v);
        if (!size.ok()) return Usage(size.status().ToString());
        options.size_bytes = *size;
        have_size = true;
      } else if (a == "--seed") {
        if (!ParseUint(v, &options.seed))
          return Usage("bad --seed: " + std::string(v));
      } else if (a == "--snapshot") {
        options.snapshot = v;
        if (options.snapshot.empty() ||
            options.snapshot.find('/') != std::string::npos) {
          return Usage("bad --snapshot name: " + options.snapshot);
        }
      } else {
        uint64_t n = 0;
        if (!ParseUint(v, &n) || n == 0 || n > 64) {
          return Usage("bad --threads: " + std::string(v));
        }
        options.threads = static_cast<int>(n);
      }
    } else if (a.starts_with("-")) {
      return Usage("unknown option " + std::string(a));
    } else if (options.outdir.empty()) {
      options.outdir = std::string(a);
    } else {
      return Usage("more than one OUTDIR");
    }
  }
  if (options.preset.empty()) return Usage("--preset is required");
  if (!have_size) return Usage("--size is required");
  if (options.outdir.empty()) return Usage("OUTDIR is required");
  if (!quiet) {
    options.log = [](const std::string& s) {
      std::fprintf(stderr, "sstablefs-gen: %s\n", s.c_str());
    };
  }
  auto summary = sstablefs::gen::Generate(options);
  if (!summary.ok()) {
    std::fprintf(stderr, "sstablefs-gen: %s\n",
                 summary.status().ToString().c_str());
    return summary.status().code() ==
                   sstablefs::reader::StatusCode::kInvalidArgument
               ? 2
               : 1;
  }
  return 0;
}
