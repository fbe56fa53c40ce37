// Tests of `sstablefs verify` (reader/verifier.h, cli/verify.cc) on the real
// corpus: every set verifies clean except the ones meant to fail, which
// must be flagged for the right reason; copies of good sets with injected
// faults are caught. The CLI is driven in-process through RunVerify.
#include "reader/verifier.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "reader/compression_info.h"
#include "reader/descriptor.h"
#include "reader/file_util.h"
#include "reader/types.h"
#include "reader/verify_clustering.h"
#include "tests/test_util.h"

namespace sstablefs {
namespace {

namespace fs = std::filesystem;
using reader::Severity;

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string Slurp(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  char buf[8192];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

CliResult RunCli(std::vector<std::string> args) {
  args.insert(args.begin(), "verify");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  CliResult r;
  r.exit_code =
      cli::RunVerify(static_cast<int>(argv.size()), argv.data(), out, err);
  r.out = Slurp(out);
  r.err = Slurp(err);
  std::fclose(out);
  std::fclose(err);
  return r;
}

std::string Corpus(const std::string& rel) {
  return testing::CorpusDir() + "/" + rel;
}

// Lines of `text` that are error findings (SPEC §6 form without a severity
// word).
std::vector<std::string> ErrorLines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    if (line.rfind("sstablefs: ", 0) != 0) continue;
    if (line.find(": warning: ") != std::string::npos ||
        line.find(": note: ") != std::string::npos ||
        line.rfind("sstablefs: verify ", 0) == 0) {
      continue;
    }
    out.push_back(line);
  }
  return out;
}

// A writable copy of a corpus set in a fresh temporary folder.
class SetCopy {
 public:
  explicit SetCopy(const std::string& rel, const std::string& leaf = "set") {
    root_ = fs::temp_directory_path() /
            ("sstfs_verify_" + std::to_string(::getpid()) + "_" +
             std::to_string(counter_++));
    fs::remove_all(root_);
    dir_ = root_ / leaf;
    fs::create_directories(dir_);
    for (const auto& e : fs::directory_iterator(Corpus(rel))) {
      if (!e.is_regular_file()) continue;
      fs::path to = dir_ / e.path().filename();
      fs::copy_file(e.path(), to);
      fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write);
    }
  }
  ~SetCopy() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  std::string dir() const { return dir_.string(); }
  std::string path(const std::string& name) const {
    return (dir_ / name).string();
  }
  void FlipByte(const std::string& name, uint64_t offset) {
    std::fstream f(path(name), std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f.good()) << name;
    f.seekg(static_cast<std::streamoff>(offset));
    char c;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x10));
  }

 private:
  static inline int counter_ = 0;
  fs::path root_;
  fs::path dir_;
};

// --- Every corpus set --------------------------------------------------------

// What verify must say about a set that is not expected to verify clean,
// and why.
struct Expectation {
  int exit_code;
  std::vector<std::string> must_contain;  // substrings of the output
  const char* why;
};

const std::map<std::string, Expectation>& SpecialSets() {
  static const auto* m = new std::map<std::string, Expectation>{
      {"scylla-3x/uncompressed/integrity_check/invalid_checksums",
       {1,
        {"me-1-big-Data.db: chunk ", ": checksum mismatch (stored 0x"},
        "CRC.db does not match the data (README: deliberately corrupt)"}},
      {"scylla-3x/lz4/integrity_check/invalid_checksums",
       {1,
        {"me-1-big-Data.db: chunk ", ": checksum mismatch (stored 0x"},
        "a compressed chunk's CRC32 does not match (deliberately corrupt)"}},
      {"scylla-3x/uncompressed/integrity_check/invalid_digest",
       {1,
        {"me-1-big-Data.db: digest mismatch"},
        "Digest.crc32 does not match Data.db (deliberately corrupt)"}},
      {"scylla-3x/lz4/integrity_check/invalid_digest",
       {1,
        {"me-1-big-Data.db: digest mismatch"},
        "Digest.crc32 does not match Data.db (deliberately corrupt)"}},
      {"scylla-3x/uncompressed/read_rows_only_index",
       {1,
        {"mc-1-big-Data.db: listed in TOC.txt but missing"},
        "INCOMPLETE set: Data.db absent although TOC.txt lists it"}},
      {"scylla-3x/uncompressed/write_wide_partitions",
       {1,
        {"mc-1-big-Data.db: listed in TOC.txt but missing"},
        "INCOMPLETE set: Data.db absent although TOC.txt lists it"}},
      {"malformed/bad_column_name",
       {0,
        {"note: not checked: unsupported format 'la-big'"},
        "the damage is inside an la Data.db, a format verify does not decode"}},
      {"malformed/bad_tombstone_histogram",
       {0,
        {"note: not checked: unsupported format 'la-big'"},
        "la Statistics.db: not decoded (unsupported format)"}},
      {"malformed/broken_start_composite",
       {0,
        {"note: not checked: unsupported format 'la-big'"},
        "la Data.db: not decoded (unsupported format)"}},
      {"malformed/broken_end_composite",
       {0,
        {"note: not checked: unsupported format 'la-big'"},
        "la Data.db: not decoded (unsupported format)"}},
      {"malformed/broken_ranges",
       {0,
        {"note: not checked: unsupported format 'la-big'"},
        "a VALID la SSTable despite its name (README); la is not decoded"}},
      {"malformed/badcompression",
       {1,
        {"la-1-big-Data.db: listed in TOC.txt but missing",
         "la-2-big-CompressionInfo.db: warning: present but not listed",
         "/C: warning: not part of any SSTable"},
        "only TOC.txt and CompressionInfo.db exist; a stray file 'C'"}},
      {"malformed/badtoc",
       {1,
        {"la-1-big-TOC.txt: offset 0: empty TOC",
         "'Statis' is not a component name",
         "la-2-big-UNRECOGNIZED.txt: listed in TOC.txt but missing",
         "ka-4-big-Data.db: listed in TOC.txt but missing"},
        "empty, truncated, alien and orphan TOC files"}},
      {"malformed/broken_open_tombstone",
       {1,
        {"mc-122-big-Data.db: chunk 0 at offset 0: checksum mismatch",
         "range tombstone opened while the one opened at offset"},
        "hand-edited Data.db (CRC.db stale) opening a range tombstone twice"}},
      {"malformed/broken_close_tombstone",
       {1,
        {"mc-122-big-Data.db: chunk 0 at offset 0: checksum mismatch",
         "range tombstone end bound closes a range that was not opened"},
        "hand-edited Data.db closing a range tombstone never opened"}},
      {"malformed/mismatched_timestamp",
       {1,
        {"mc-122-big-Data.db: chunk 0 at offset 0: checksum mismatch",
         "left over after a range tombstone marker"},
        "hand-edited marker timestamp: its vint grew, the marker's stored "
        "size no longer matches its body, so decoding stops there"}},
      {"malformed/invalid_boundary",
       {1,
        {"mc-33-big-Data.db: chunk 0 at offset 0: checksum mismatch",
         "invalid bound kind 3"},
        "a marker of kind STATIC_CLUSTERING"}},
      {"malformed/empty_index",
       {1,
        {"mc-36-big-Index.db: offset 0:", "truncated"},
        "Index.db is 1 byte long"}},
      {"malformed/incompatible_serialized_type",
       {0,
        {},
        "the files are well-formed; the set is bad only against a schema "
        "declaring val int (verify has no schema)"}},
      {"malformed/broken_non_compound_pi_and_range_tombstone/ks/"
       "test-1c6ace40fad111e7b9cf000000000002",
       {1,
        {"mc-1-big-Data.db: offset 42: truncated range tombstone marker",
         "note: md-1-big is a byte copy of mc-1-big",
         "ks-test-ka-1-Data.db: note: not checked: unsupported format"},
        "broken non-compound range tombstone in the m* files (Scylla's test "
        "accepts a read error); ka/la not decoded"}},
  };
  return *m;
}

std::vector<std::string> CorpusSets() {
  std::vector<std::string> out;
  auto text = testing::ReadFileToString(Corpus("expected.json"));
  if (!text) return out;
  nlohmann::json sets = nlohmann::json::parse(*text);
  for (const auto& s : sets) out.push_back(s["path"].get<std::string>());
  return out;
}

TEST(VerifierCorpusTest, EverySetVerifiesAsExpected) {
  SSTFS_REQUIRE_CORPUS();
  const std::vector<std::string> sets = CorpusSets();
  ASSERT_EQ(sets.size(), 140u);
  int clean = 0, special = 0;
  for (const std::string& rel : sets) {
    SCOPED_TRACE(rel);
    CliResult r = RunCli({Corpus(rel)});
    auto it = SpecialSets().find(rel);
    if (it == SpecialSets().end()) {
      ++clean;
      EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
      EXPECT_TRUE(ErrorLines(r.out).empty()) << r.out;
    } else {
      ++special;
      SCOPED_TRACE(it->second.why);
      EXPECT_EQ(r.exit_code, it->second.exit_code) << r.out << r.err;
      for (const std::string& s : it->second.must_contain) {
        EXPECT_NE(r.out.find(s), std::string::npos) << "missing: " << s << "\n"
                                                    << r.out;
      }
    }
    EXPECT_NE(r.out.find("sstablefs: verify "), std::string::npos) << r.out;
    EXPECT_TRUE(r.err.empty()) << r.err;  // stderr is not a terminal here
  }
  EXPECT_EQ(special, static_cast<int>(SpecialSets().size()));
  std::printf("verified %d clean sets and %d sets meant to fail\n", clean,
              special);
}

// Every set flagged deliberately_corrupt/incomplete in expected.json is one
// the table above expects to fail.
TEST(VerifierCorpusTest, FlaggedSetsAreExpectedToFail) {
  SSTFS_REQUIRE_CORPUS();
  auto text = testing::ReadFileToString(Corpus("expected.json"));
  ASSERT_TRUE(text);
  for (const auto& s : nlohmann::json::parse(*text)) {
    const std::string rel = s["path"].get<std::string>();
    const bool flagged = s.value("deliberately_corrupt", false) ||
                         s.value("incomplete", false) ||
                         s.value("malformed", false);
    EXPECT_EQ(flagged, SpecialSets().count(rel) == 1) << rel;
  }
}

TEST(VerifierCorpusTest, QuickStillFindsChecksumsAndDigests) {
  SSTFS_REQUIRE_CORPUS();
  CliResult r = RunCli(
      {"--quick", Corpus("scylla-3x/lz4/integrity_check/invalid_checksums")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(": checksum mismatch (stored 0x"), std::string::npos);
  r = RunCli({Corpus("scylla-3x/uncompressed/integrity_check/invalid_digest"),
              "--quick"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("digest mismatch"), std::string::npos);
  // Structural damage is not looked for.
  r = RunCli({"--quick", Corpus("malformed/empty_index")});
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST(VerifierCorpusTest, JsonReportHasEveryCheck) {
  SSTFS_REQUIRE_CORPUS();
  const std::string set = "scylla-3x/lz4/integrity_check/invalid_checksums";
  CliResult r = RunCli({"--json", Corpus(set)});
  EXPECT_EQ(r.exit_code, 1);
  nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["summary"]["exit_code"], 1);
  EXPECT_EQ(j["summary"]["verdict"], "damaged");
  ASSERT_EQ(j["folders"].size(), 1u);
  ASSERT_EQ(j["folders"][0]["sstables"].size(), 1u);
  const auto& t = j["folders"][0]["sstables"][0];
  std::map<std::string, std::string> results;
  for (const auto& c : t["checks"]) results[c["check"]] = c["result"];
  for (const char* name :
       {"completeness", "digest", "chunks", "statistics", "structure", "index",
        "summary", "bloom_filter", "stats_agreement"}) {
    EXPECT_EQ(results.count(name), 1u) << name;
  }
  EXPECT_EQ(results["chunks"], "failed");
  EXPECT_EQ(results["digest"], "failed");
  EXPECT_EQ(results["completeness"], "passed");
  bool chunk_finding = false;
  for (const auto& f : t["findings"]) {
    if (f["check"] == "chunks") {
      chunk_finding = true;
      EXPECT_TRUE(f["offset"].is_number());
    }
  }
  EXPECT_TRUE(chunk_finding);
  // Clean set, quick: structure checks are listed as skipped.
  r = RunCli({"--json", "--quick",
              Corpus("cassandra-legacy/nb/legacy_tables/legacy_nb_clust")});
  EXPECT_EQ(r.exit_code, 0);
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["summary"]["verdict"], "ok");
  for (const auto& c : j["folders"][0]["sstables"][0]["checks"]) {
    if (c["check"] == "structure") {
      EXPECT_EQ(c["result"], "skipped");
    }
    if (c["check"] == "digest") {
      EXPECT_EQ(c["result"], "passed");
    }
  }
}

// --- Fault injection
// -----------------------------------------------------------

TEST(VerifierFaultTest, FlippedByteInCompressedChunk) {
  SSTFS_REQUIRE_CORPUS();
  SetCopy copy("cassandra-legacy/nb/legacy_tables/legacy_nb_clust");
  // Where chunk 1 lies, from CompressionInfo.db.
  auto ci =
      reader::ReadSmallFile(copy.path("nb-1-big-CompressionInfo.db"), 1 << 20);
  ASSERT_TRUE(ci.ok());
  const uint64_t data_size = fs::file_size(copy.path("nb-1-big-Data.db"));
  auto info = reader::DecodeCompressionInfo(
      reader::ByteView(*ci), reader::Version("nb"), "ci", data_size);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  ASSERT_GE(info->chunk_offsets.size(), 3u);
  const uint64_t chunk1 = info->chunk_offsets[1];
  copy.FlipByte("nb-1-big-Data.db", chunk1 + 10);
  CliResult r = RunCli({copy.dir()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("nb-1-big-Data.db: chunk 1 at offset " +
                       std::to_string(chunk1) + ": checksum mismatch"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("digest mismatch"), std::string::npos) << r.out;
  // Only that chunk.
  EXPECT_EQ(r.out.find("chunk 0 at"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("chunk 2 at"), std::string::npos) << r.out;
}

TEST(VerifierFaultTest, TwoFlippedUncompressedChunksAreBothNamed) {
  SSTFS_REQUIRE_CORPUS();
  SetCopy copy("scylla-3x/uncompressed/skip_using_index_rows");
  auto crc = reader::ReadSmallFile(copy.path("mc-1-big-CRC.db"), 1 << 20);
  ASSERT_TRUE(crc.ok());
  ASSERT_GE(crc->size(), 4u);
  const uint64_t chunk = (uint64_t{static_cast<uint8_t>((*crc)[0])} << 24) |
                         (uint64_t{static_cast<uint8_t>((*crc)[1])} << 16) |
                         (uint64_t{static_cast<uint8_t>((*crc)[2])} << 8) |
                         uint64_t{static_cast<uint8_t>((*crc)[3])};
  ASSERT_GT(fs::file_size(copy.path("mc-1-big-Data.db")), 6 * chunk);
  copy.FlipByte("mc-1-big-Data.db", 2 * chunk + 100);
  copy.FlipByte("mc-1-big-Data.db", 5 * chunk + 7);
  CliResult r = RunCli({"--quick", copy.dir()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("chunk 2 at offset " + std::to_string(2 * chunk) +
                       ": checksum mismatch"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("chunk 5 at offset " + std::to_string(5 * chunk) +
                       ": checksum mismatch"),
            std::string::npos)
      << r.out;
}

TEST(VerifierFaultTest, FlippedIndexKeyByte) {
  SSTFS_REQUIRE_CORPUS();
  SetCopy copy("cassandra-legacy/mc/legacy_tables/legacy_mc_simple");
  // Byte 2 is the first key byte of the first entry (after its u16 length).
  copy.FlipByte("mc-1-big-Index.db", 2);
  CliResult r = RunCli({copy.dir()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("mc-1-big-Index.db: offset 0: entry 0 names partition"),
            std::string::npos)
      << r.out;
  // --quick does not decode Index.db: it cannot see this.
  EXPECT_EQ(RunCli({"--quick", copy.dir()}).exit_code, 0);
}

TEST(VerifierFaultTest, DeletedComponent) {
  SSTFS_REQUIRE_CORPUS();
  SetCopy copy("cassandra-legacy/md/legacy_tables/legacy_md_clust");
  fs::remove(copy.path("md-1-big-Filter.db"));
  CliResult r = RunCli({"--quick", copy.dir()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("md-1-big-Filter.db: listed in TOC.txt but missing"),
            std::string::npos)
      << r.out;
}

TEST(VerifierFaultTest, TruncatedDataFile) {
  SSTFS_REQUIRE_CORPUS();
  SetCopy copy("scylla-3x/uncompressed/read_range_tombstones_only_index");
  const std::string data = copy.path("mc-1-big-Data.db");
  fs::resize_file(data, fs::file_size(data) - 1000);
  CliResult r = RunCli({copy.dir()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_FALSE(ErrorLines(r.out).empty()) << r.out;
}

TEST(VerifierFaultTest, TemporaryLeftoverAndStrayFile) {
  SSTFS_REQUIRE_CORPUS();
  SetCopy copy("cassandra-legacy/me/legacy_tables/legacy_me_simple");
  fs::copy_file(copy.path("me-1-big-Data.db"),
                copy.path("tmp-me-2-big-Data.db"));
  fs::copy_file(copy.path("me-1-big-TOC.txt"), copy.path("notes.txt"));
  CliResult r = RunCli({copy.dir()});
  // Leftovers lose no data: warnings, exit 0.
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("tmp-me-2-big-*: warning: leftover temporary SSTable"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("notes.txt: warning: not part of any SSTable"),
            std::string::npos)
      << r.out;
}

TEST(VerifierFaultTest, SnapshotManifestNamingMissingFile) {
  SSTFS_REQUIRE_CORPUS();
  SetCopy copy("cassandra-legacy/nb/legacy_tables/legacy_nb_simple",
               "ks/t-0123456789abcdef0123456789abcdef/snapshots/s1");
  {
    std::ofstream m(copy.path("manifest.json"));
    m << R"({"files":["nb-1-big-Data.db","nb-7-big-Data.db"]})";
  }
  EXPECT_EQ(*reader::DetectSource(copy.dir()), reader::SourceKind::kSnapshot);
  CliResult r = RunCli({copy.dir()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("manifest.json: names nb-7-big-Data.db, which is "
                       "missing"),
            std::string::npos)
      << r.out;
  // The same snapshot reached through its table, keyspace and data folders.
  const fs::path table = fs::path(copy.dir()).parent_path().parent_path();
  EXPECT_EQ(*reader::DetectSource(table.string()), reader::SourceKind::kTable);
  EXPECT_EQ(*reader::DetectSource(table.parent_path().string()),
            reader::SourceKind::kKeyspace);
  EXPECT_EQ(*reader::DetectSource(table.parent_path().parent_path().string()),
            reader::SourceKind::kDataDirectory);
  for (const fs::path& p :
       {table, table.parent_path(), table.parent_path().parent_path()}) {
    r = RunCli({p.string()});
    EXPECT_EQ(r.exit_code, 1) << p;
    EXPECT_NE(r.out.find("which is missing"), std::string::npos) << r.out;
  }
}

// Single bit flips at pseudo-random offsets of every component of a few
// sets: each must be detected where the format makes that possible (every
// byte of these components is covered by a checksum or cross-checked with
// Data.db). Statistics.db before `na` has no checksum and fields the data
// cannot confirm; Summary.db's header and CompressionInfo.db's
// maxCompressedLength likewise: their misses are counted and printed, not
// failed.
TEST(VerifierFaultTest, BitFlipSweep) {
  SSTFS_REQUIRE_CORPUS();
  const char* sets[] = {
      "cassandra-legacy/nb/legacy_tables/legacy_nb_clust",
      "cassandra-legacy/mc/legacy_tables/legacy_mc_clust",
      "scylla-3x/uncompressed/compound_ck",
  };
  const std::set<std::string> must_detect = {
      "Data.db", "Index.db", "Filter.db", "Digest.crc32", "CRC.db", "TOC.txt"};
  uint64_t seed = 12345;
  auto next = [&seed]() {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return seed >> 33;
  };
  int injected = 0, detected = 0;
  std::map<std::string, int> missed;
  for (const char* set : sets) {
    SetCopy copy(set);
    ASSERT_EQ(reader::VerifySource(copy.dir(), {})->ExitCode(), 0) << set;
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(copy.dir())) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const uint64_t size = fs::file_size(copy.path(name));
      const std::string component = reader::ComponentOf(name);
      const bool checksummed_stats =
          component == "Statistics.db" && name.rfind("n", 0) == 0;
      for (int k = 0; k < 8 && size > 0; ++k) {
        const uint64_t offset = next() % size;
        const int bit = static_cast<int>(next() % 8);
        std::string original = *testing::ReadFileToString(copy.path(name));
        {
          std::string damaged = original;
          damaged[offset] = static_cast<char>(damaged[offset] ^ (1 << bit));
          std::ofstream(copy.path(name), std::ios::binary | std::ios::trunc)
              << damaged;
        }
        auto report = reader::VerifySource(copy.dir(), {});
        ASSERT_TRUE(report.ok());
        ++injected;
        if (report->ExitCode() == 1) {
          ++detected;
        } else {
          EXPECT_EQ(report->ExitCode(), 0);  // never an I/O error
          missed[component + (checksummed_stats ? " (na+)" : "")]++;
          EXPECT_TRUE(must_detect.count(component) == 0 && !checksummed_stats)
              << set << "/" << name << " offset " << offset << " bit " << bit
              << " was not detected";
        }
        std::ofstream(copy.path(name), std::ios::binary | std::ios::trunc)
            << original;
      }
    }
    // Restored: clean again (no false alarm from leftovers of the sweep).
    EXPECT_EQ(reader::VerifySource(copy.dir(), {})->ExitCode(), 0) << set;
  }
  std::printf("bit flips: injected %d, detected %d, missed %d\n", injected,
              detected, injected - detected);
  for (const auto& [c, n] : missed) {
    std::printf(
        "  missed in %s: %d (no checksum; field not derivable from "
        "Data.db)\n",
        c.c_str(), n);
  }
}

// --- Sources and usage
// ---------------------------------------------------------

TEST(VerifierSourceTest, Kinds) {
  SSTFS_REQUIRE_CORPUS();
  using reader::SourceKind;
  EXPECT_EQ(*reader::DetectSource(
                Corpus("cassandra-legacy/nb/legacy_tables/legacy_nb_clust/"
                       "nb-1-big-Index.db")),
            SourceKind::kComponent);
  EXPECT_EQ(*reader::DetectSource(
                Corpus("cassandra-legacy/nb/legacy_tables/legacy_nb_clust")),
            SourceKind::kSSTableFolder);
  EXPECT_EQ(
      *reader::DetectSource(Corpus("scylla-misc/cassandra_static_compact/ks/"
                                   "cf-1c6ace40fad111e7b9cf000000000002")),
      SourceKind::kTable);
  EXPECT_EQ(
      *reader::DetectSource(Corpus("scylla-misc/cassandra_static_compact/ks")),
      SourceKind::kKeyspace);
  EXPECT_EQ(
      *reader::DetectSource(Corpus("scylla-misc/cassandra_static_compact")),
      SourceKind::kDataDirectory);
  // Folders that directly hold SSTables are tables (as ListTables sees
  // them), so scylla-misc is a keyspace of such folders.
  EXPECT_EQ(*reader::DetectSource(Corpus("scylla-misc")),
            SourceKind::kKeyspace);
  EXPECT_FALSE(reader::DetectSource(Corpus("README.md")).ok());
}

TEST(VerifierSourceTest, ComponentPathVerifiesThatSSTableOnly) {
  SSTFS_REQUIRE_CORPUS();
  const std::string dir = Corpus("scylla-misc/mixed_generation_type");
  std::string component;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (n.find("3gsm_0lob") != std::string::npos &&
        n.find("Data.db") != std::string::npos) {
      component = e.path().string();
    }
  }
  ASSERT_FALSE(component.empty());
  auto report = reader::VerifySource(component, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->kind, reader::SourceKind::kComponent);
  EXPECT_EQ(report->SSTableCount(), 1u);
  EXPECT_EQ(report->ExitCode(), 0);
}

TEST(VerifierSourceTest, Usage) {
  EXPECT_EQ(RunCli({}).exit_code, 2);
  EXPECT_EQ(RunCli({"--bogus", "x"}).exit_code, 2);
  EXPECT_EQ(RunCli({"a", "b"}).exit_code, 2);
  CliResult r = RunCli({"/nonexistent/sstablefs/source"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/sstablefs/source"), std::string::npos);
  r = RunCli({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Usage: sstablefs verify"), std::string::npos);
}

TEST(VerifierSourceTest, NothingRecognisableIsRefused) {
  const fs::path empty = fs::temp_directory_path() /
                         ("sstfs_verify_empty_" + std::to_string(::getpid()));
  fs::create_directories(empty / "sub");
  CliResult r = RunCli({empty.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nothing to verify"), std::string::npos) << r.err;
  fs::remove_all(empty);
}

TEST(VerifierSourceTest, LegacyKeyspaceOfPlainTableFolders) {
  SSTFS_REQUIRE_CORPUS();
  using reader::SourceKind;
  // cassandra-legacy/<v>/legacy_tables/<table>/: tables are plain folders
  // without a -<id> suffix (reader/source_layout.h ListTables).
  const std::string ks = Corpus("cassandra-legacy/nb/legacy_tables");
  auto kind = reader::DetectSource(ks);
  ASSERT_TRUE(kind.ok()) << kind.status().ToString();
  EXPECT_EQ(*kind, SourceKind::kKeyspace);
  kind = reader::DetectSource(Corpus("cassandra-legacy/nb"));
  ASSERT_TRUE(kind.ok()) << kind.status().ToString();
  EXPECT_EQ(*kind, SourceKind::kDataDirectory);
  size_t tables = 0;
  for (const auto& e : fs::directory_iterator(ks)) tables += e.is_directory();
  auto report = reader::VerifySource(ks, {});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->SSTableCount(), tables);
  EXPECT_EQ(report->ExitCode(), 0);
  report = reader::VerifySource(Corpus("cassandra-legacy/nb"), {});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->SSTableCount(), tables);
  EXPECT_EQ(report->ExitCode(), 0);
}

// --- The built binary: --json through jq and python3, exit codes -----------

struct ShellResult {
  int exit_code = -1;
  std::string out;
};

ShellResult Shell(const std::string& cmd) {
  ShellResult r;
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[8192];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

TEST(VerifierBinaryTest, JsonParsesWithJqAndPythonAndExitCodes) {
  SSTFS_REQUIRE_CORPUS();
  for (const char* tool : {"jq", "python3"}) {
    if (Shell(std::string("command -v ") + tool + " >/dev/null").exit_code !=
        0) {
      if (testing::UnderCi()) FAIL() << tool << " missing (CI=true)";
      GTEST_SKIP() << tool << " not installed";
    }
  }
  const std::string bin = Quote(std::string(SSTFS_BINARY_DIR) + "/sstablefs");
  const fs::path tmp = fs::temp_directory_path() /
                       ("sstfs_verify_json_" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  const std::string out = Quote((tmp / "report.json").string());
  struct Case {
    std::string source;
    std::vector<std::string> flags;
    int exit_code;
    const char* verdict;
  };
  const std::vector<Case> cases = {
      {Corpus("cassandra-legacy/nb/legacy_tables/legacy_nb_clust"),
       {},
       0,
       "ok"},
      {Corpus("cassandra-legacy/mc"), {"--quick"}, 0, "ok"},
      {Corpus("scylla-3x/lz4/integrity_check/invalid_checksums"),
       {},
       1,
       "damaged"},
      {Corpus("scylla-3x/uncompressed/integrity_check/invalid_digest"),
       {"--quick"},
       1,
       "damaged"},
      {Corpus("malformed/badtoc"), {}, 1, "damaged"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.source);
    std::string cmd = bin + " verify --json";
    for (const std::string& f : c.flags) cmd += " " + f;
    cmd += " " + Quote(c.source) + " > " + out;
    EXPECT_EQ(Shell(cmd).exit_code, c.exit_code);
    ShellResult py = Shell("python3 -m json.tool " + out + " > /dev/null");
    EXPECT_EQ(py.exit_code, 0) << "python3 -m json.tool rejects the report";
    ShellResult jq = Shell("jq -r '.summary.verdict' " + out);
    EXPECT_EQ(jq.exit_code, 0) << "jq rejects the report";
    EXPECT_EQ(jq.out, std::string(c.verdict) + "\n");
    // The exit code in the report is the process's.
    ShellResult code =
        Shell("jq -e '.summary.exit_code == " + std::to_string(c.exit_code) +
              "' " + out);
    EXPECT_EQ(code.exit_code, 0) << code.out;
    // Every SSTable lists its checks with a known result.
    ShellResult checks = Shell(
        "jq -e '[.folders[].sstables[].checks[].result] | all(. == "
        "\"passed\" or . == \"failed\" or . == \"warning\" or . == "
        "\"skipped\")' " +
        out);
    EXPECT_EQ(checks.exit_code, 0) << checks.out;
  }
  // Usage and unrecognisable sources: exit 2, nothing on stdout.
  for (const std::string& args :
       {std::string("verify --json /nonexistent/sstablefs/source"),
        std::string("verify --json --bogus ") + Quote(cases[0].source),
        std::string("verify --json"),
        std::string("verify --json ") + Quote(tmp.string())}) {
    SCOPED_TRACE(args);
    ShellResult r = Shell(bin + " " + args + " 2>/dev/null");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
  }
  fs::remove_all(tmp);
}

// --- Clustering order
// ------------------------------------------------------------

TEST(ClusteringOrderTest, BoundsSortAroundTheirClusterings) {
  auto int_type = reader::SimpleType(reader::TypeKind::kInt);
  reader::ClusteringOrder order({int_type, int_type});
  const uint8_t one[] = {0, 0, 0, 1};
  const uint8_t two[] = {0, 0, 0, 2};
  auto make = [](reader::BoundKind k,
                 std::vector<std::optional<reader::ByteView>> v) {
    reader::Clustering c;
    c.kind = k;
    c.values = std::move(v);
    return c;
  };
  using reader::BoundKind;
  reader::ByteView v1(one, 4), v2(two, 4);
  auto start1 = make(BoundKind::kInclStartBound, {v1});
  auto row11 = make(BoundKind::kClustering, {v1, v1});
  auto row12 = make(BoundKind::kClustering, {v1, v2});
  auto end1 = make(BoundKind::kInclEndBound, {v1});
  auto row2null = make(BoundKind::kClustering, {v2, std::nullopt});
  auto row21 = make(BoundKind::kClustering, {v2, v1});
  EXPECT_LT(order.Compare(start1, row11), 0);
  EXPECT_LT(order.Compare(row11, row12), 0);
  EXPECT_LT(order.Compare(row12, end1), 0);
  EXPECT_LT(order.Compare(end1, row2null), 0);
  EXPECT_LT(order.Compare(row2null, row21), 0);  // null first
  std::string why;
  for (const auto* c : {&start1, &row11, &row12, &end1, &row2null, &row21}) {
    EXPECT_TRUE(order.Accept(*c, &why)) << why;
  }
  EXPECT_FALSE(order.Accept(row21, &why));  // a repeated row
  EXPECT_NE(why.find("repeats"), std::string::npos);
  EXPECT_FALSE(order.Accept(row11, &why));
  EXPECT_NE(why.find("sorts before"), std::string::npos);
  // Reversed: descending.
  auto rev = reader::ParseMarshalType(
      "org.apache.cassandra.db.marshal.ReversedType("
      "org.apache.cassandra.db.marshal.Int32Type)");
  ASSERT_TRUE(rev.ok());
  reader::ClusteringOrder desc({*rev});
  EXPECT_GT(desc.Compare(make(BoundKind::kClustering, {v1}),
                         make(BoundKind::kClustering, {v2})),
            0);
}

}  // namespace
}  // namespace sstablefs
