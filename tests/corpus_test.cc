// The corpus test: every set of ../shared/corpus/expected.json, checked
// against what the reader decodes from the real files.
//
// One parameterized test per set (named after its path) checks:
//   - each SSTable of the inventory opens (or is refused the way the set's
//     rule says: BTI and ka/la are kUnsupported; incomplete sets miss
//     Data.db; malformed and deliberately corrupt sets fail cleanly);
//   - version, compression class and partitioner as expected.json states;
//   - Data.db decodes to the end, range tombstone markers pair up, rows are
//     in clustering order, and Digest.crc32 matches Data.db;
//   - the partition / row / static row counts and the partition order;
//   - every fact of the set (cells, liveness, deletions, range tombstones,
//     counters, collections).
// A second test per set looks every key up through FindPartition, seeks to
// it, and checks that absent keys are absent.
//
// Checks that cannot pass yet are listed in kKnownGaps with the reason. The
// test prints every known gap it meets, and fails when a listed gap passes
// (so the table only shrinks).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "reader/counter.h"
#include "reader/crc32.h"
#include "reader/file_util.h"
#include "reader/sstable.h"
#include "reader/verifier.h"
#include "tests/corpus_fact_check.h"
#include "tests/corpus_facts.h"
#include "tests/test_util.h"

#if __has_include("reader/chunk_cache.h")
#include "reader/chunk_cache.h"
#define SSTFS_CORPUS_HAVE_CHUNK_CACHE 1
#endif

namespace sstablefs::testing::corpus {
namespace {

// ===========================================================================
// What each set is expected to do, when it is not simply "readable".

enum class Outcome {
  kReadable,       // opens, decodes to the end, digest matches, facts hold
  kUnsupported,    // recognised and refused with kUnsupported (BTI, ka, la)
  kMissingData,    // incomplete set: Data.db absent, Open fails naming it
  kChecksumError,  // decoding Data.db reports a checksum mismatch
  kDigestError,    // Data.db decodes; Digest.crc32 does not match it
  kCorruptData,    // decoding fails cleanly (non-OK status naming the file)
  kBrokenMarkers,  // bytes are well-formed but range tombstone markers do not
                   // pair up: the reader reports corruption cleanly, or it
                   // decodes and the marker check finds the defect
  kBrokenIndex,    // Data.db decodes; FindPartition fails cleanly (Index.db)
  kOkOrClean,      // success or a clean failure are both acceptable
};

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kReadable:
      return "readable";
    case Outcome::kUnsupported:
      return "unsupported";
    case Outcome::kMissingData:
      return "missing Data.db";
    case Outcome::kChecksumError:
      return "checksum error";
    case Outcome::kDigestError:
      return "digest error";
    case Outcome::kCorruptData:
      return "corrupt data";
    case Outcome::kBrokenMarkers:
      return "broken range tombstone markers";
    case Outcome::kBrokenIndex:
      return "broken Index.db";
    case Outcome::kOkOrClean:
      return "ok or clean failure";
  }
  return "?";
}

struct SetRule {
  const char* set;
  const char* sstable;  // prefix, or nullptr for every m*/n* big SSTable
  Outcome outcome;
  const char* reason;
};

// Every set flagged malformed / deliberately_corrupt / incomplete that has
// m*/n* big SSTables must be listed here (the test fails otherwise).
// BTI, ka and la SSTables are kUnsupported without being listed.
const SetRule kSetRules[] = {
    {"scylla-3x/uncompressed/integrity_check/invalid_checksums", nullptr,
     Outcome::kChecksumError, "README: CRC.db checksums do not match the data"},
    {"scylla-3x/lz4/integrity_check/invalid_checksums", nullptr,
     Outcome::kChecksumError,
     "README: the CRC after each compressed chunk does not match"},
    {"scylla-3x/uncompressed/integrity_check/invalid_digest", nullptr,
     Outcome::kDigestError,
     "README: only the whole-file Digest.crc32 does not match Data.db"},
    {"scylla-3x/lz4/integrity_check/invalid_digest", nullptr,
     Outcome::kDigestError,
     "README: only the whole-file Digest.crc32 does not match Data.db"},
    {"scylla-3x/uncompressed/read_rows_only_index", nullptr,
     Outcome::kMissingData,
     "README: INCOMPLETE, Data.db absent from the source mirror"},
    {"scylla-3x/uncompressed/write_wide_partitions", nullptr,
     Outcome::kMissingData,
     "README: INCOMPLETE, Data.db absent from the source mirror"},
    {"malformed/broken_open_tombstone", nullptr, Outcome::kBrokenMarkers,
     "README: a range tombstone is opened while another is open"},
    {"malformed/broken_close_tombstone", nullptr, Outcome::kBrokenMarkers,
     "README: a range tombstone is closed that was never opened"},
    {"malformed/mismatched_timestamp", nullptr, Outcome::kBrokenMarkers,
     "README: the two bounds of a range tombstone carry different deletions"},
    {"malformed/incompatible_serialized_type", nullptr, Outcome::kReadable,
     "README: the file is well-formed; it is bad only against a schema that "
     "declares val int (the serialization header says text)"},
    {"malformed/invalid_boundary", nullptr, Outcome::kCorruptData,
     "README: a range tombstone marker has kind STATIC_CLUSTERING, which is "
     "not a bound kind"},
    {"malformed/empty_index", nullptr, Outcome::kBrokenIndex,
     "README: Index.db is 1 byte long (truncated); Data.db is intact"},
    {"malformed/broken_non_compound_pi_and_range_tombstone/ks/"
     "test-1c6ace40fad111e7b9cf000000000002",
     nullptr, Outcome::kOkOrClean,
     "README: for the m* sstables Scylla's test accepts either a successful "
     "load or a clean malformed-sstable error"},
};

// ===========================================================================
// Known gaps: checks that do not pass yet. `check` is an exact check id or a
// prefix ending in '*'. Check ids: open:<sst>, format:<sst>,
// compression:<sst>, partitioner:<sst>, decode:<sst>, digest:<sst>,
// markers:<sst>, row_order:<sst>, token_order:<sst>, defect:<sst>,
// count:partitions, count:rows, count:static_rows, partition_order,
// parse_literal, row_pattern, observed:<sst>, verify:<sst>, fact:<index>,
// lookup:<sst>, seek:<sst>, absent:<sst>.

struct KnownGap {
  const char* set;
  const char* check;
  const char* reason;
};

const KnownGap kKnownGaps[] = {
    // (empty: add entries with the reason and the owner's bug report)
    {nullptr, nullptr, nullptr},
};

bool GapMatches(const KnownGap& g, const std::string& set,
                const std::string& check) {
  if (g.set == nullptr || set != g.set) return false;
  std::string_view pat(g.check);
  if (!pat.empty() && pat.back() == '*') {
    return check.compare(0, pat.size() - 1, pat.substr(0, pat.size() - 1)) == 0;
  }
  return check == pat;
}

// ===========================================================================
// expected.json

const Json& Expected() {
  static const Json* j = [] {
    auto* out = new Json(Json::array());
    if (!CorpusAvailable()) return out;
    auto text = ReadFileToString(CorpusDir() + "/expected.json");
    if (text) *out = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (!out->is_array()) *out = Json::array();
    return out;
  }();
  return *j;
}

const Json* FindSet(const std::string& path) {
  for (const Json& s : Expected()) {
    if (s.value("path", "") == path) return &s;
  }
  return nullptr;
}

std::vector<std::string> SetPaths() {
  std::vector<std::string> out;
  for (const Json& s : Expected()) out.push_back(s.value("path", ""));
  if (out.empty()) out.push_back("no-corpus");  // the test then skips
  return out;
}

std::string TestNameOf(const std::string& path) {
  std::string n;
  for (char c : path) {
    n.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  }
  return n;
}

bool IsFlagged(const Json& set) {
  return set.value("malformed", false) ||
         set.value("deliberately_corrupt", false) ||
         set.value("incomplete", false);
}

std::string ShortClass(const std::string& s) {
  size_t dot = s.rfind('.');
  return dot == std::string::npos ? s : s.substr(dot + 1);
}

// ===========================================================================
// Findings: failures keyed by check id, reconciled with kKnownGaps.

class Findings {
 public:
  explicit Findings(std::string set) : set_(std::move(set)) {}

  void Ran(const std::string& check) { ran_.insert(check); }
  void Fail(const std::string& check, const std::string& message) {
    ran_.insert(check);
    failures_.push_back({check, message});
  }
  // Records a check: passes when `error` is empty.
  void Check(const std::string& check, const std::string& error) {
    if (error.empty()) {
      Ran(check);
    } else {
      Fail(check, error);
    }
  }
  void Note(const std::string& text) { notes_.push_back(text); }

  // Reports everything to GoogleTest; call once at the end.
  void Finish() {
    std::set<const KnownGap*> used;
    size_t known = 0;
    for (const auto& [check, msg] : failures_) {
      const KnownGap* gap = nullptr;
      for (const KnownGap& g : kKnownGaps) {
        if (GapMatches(g, set_, check)) gap = &g;
      }
      if (gap) {
        used.insert(gap);
        ++known;
        std::printf("  KNOWN GAP %s [%s]: %s\n    (%s)\n", set_.c_str(),
                    check.c_str(), gap->reason, msg.c_str());
      } else {
        ADD_FAILURE() << set_ << " [" << check << "]: " << msg;
      }
    }
    for (const KnownGap& g : kKnownGaps) {
      if (g.set == nullptr || set_ != g.set || used.count(&g)) continue;
      bool ran = false;
      for (const std::string& c : ran_) ran = ran || GapMatches(g, set_, c);
      if (ran) {
        ADD_FAILURE() << set_ << " [" << g.check << "]: listed in kKnownGaps ("
                      << g.reason
                      << ") but passes now: remove it from the table";
      }
    }
    for (const std::string& n : notes_) std::printf("  NOTE %s\n", n.c_str());
    std::printf("  %s: %zu checks, %zu failed (%zu of them known gaps)\n",
                set_.c_str(), ran_.size(), failures_.size(), known);
  }

 private:
  std::string set_;
  std::set<std::string> ran_;
  std::vector<std::pair<std::string, std::string>> failures_;
  std::vector<std::string> notes_;
};

// ===========================================================================
// The SSTables of a set.

struct SSTableUnderTest {
  const Json* inventory = nullptr;
  std::string prefix;
  std::string format;  // version from the inventory
  std::string open_path;
  bool has_digest = false;
  Outcome outcome = Outcome::kReadable;
  std::string reason;
  std::shared_ptr<rd::SSTable> table;
  DecodedSSTable data;
  bool decoded = false;  // decoded to the end without error
};

bool IsPre30(const std::string& version) {
  return version.size() == 2 &&
         (version[0] == 'k' || version[0] == 'l' || version[0] < 'k');
}

std::vector<SSTableUnderTest> Inventory(const Json& set) {
  std::vector<SSTableUnderTest> out;
  const std::string base = CorpusDir() + "/" + set.value("path", "");
  static const Json kNone = Json::array();
  const Json& list = set.contains("sstables") ? set["sstables"] : kNone;
  for (const Json& inv : list) {
    SSTableUnderTest s;
    s.inventory = &inv;
    s.prefix = inv.value("prefix", "");
    s.format = inv.value("format", "");
    std::string dir = base + "/" + inv.value("dir", ".");
    std::vector<std::string> comps;
    for (const Json& c : inv.value("components", Json::array())) {
      comps.push_back(c.get<std::string>());
    }
    std::string comp = "Data.db";
    if (std::find(comps.begin(), comps.end(), comp) == comps.end()) {
      comp = comps.empty() ? "TOC.txt" : comps.front();
    }
    s.open_path = dir + "/" + s.prefix + "-" + comp;
    s.has_digest =
        std::find(comps.begin(), comps.end(), "Digest.crc32") != comps.end();
    const std::string type = inv.value("format_type", "big");
    if (type == "bti") {
      s.outcome = Outcome::kUnsupported;
      s.reason = "BTI (trie-indexed) SSTable: recognised, not readable";
    } else if (IsPre30(s.format)) {
      s.outcome = Outcome::kUnsupported;
      s.reason = "pre-3.0 format " + s.format + ": recognised, not readable";
    } else {
      for (const SetRule& r : kSetRules) {
        if (set.value("path", "") == r.set &&
            (r.sstable == nullptr || s.prefix == r.sstable)) {
          s.outcome = r.outcome;
          s.reason = r.reason;
        }
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

// A clean failure: non-OK and the message names the SSTable's file.
std::string CleanFailureError(const rd::Status& st, const std::string& prefix) {
  if (st.ok()) return "expected a failure, got OK";
  if (st.message().find(prefix) == std::string::npos) {
    return "failure does not name the file (" + prefix + "): " + st.ToString();
  }
  return "";
}

#ifdef SSTFS_CORPUS_HAVE_CHUNK_CACHE
rd::ChunkCache* TestCache() {
  static auto* cache = new rd::ChunkCache(64u << 20);
  return cache;
}
#else
rd::ChunkCache* TestCache() { return nullptr; }
#endif

// ===========================================================================
// Per-SSTable checks: open, metadata, decode, digest, marker invariants.

void CheckMetadata(const SSTableUnderTest& s, const Json& set, Findings& f) {
  const rd::SSTable& t = *s.table;
  const std::string id = ":" + s.prefix;
  f.Check("format" + id, t.descriptor().version.str() == s.format
                             ? ""
                             : "version " + t.descriptor().version.str() +
                                   ", expected " + s.format);
  // Compression class of this SSTable (inventory), null = uncompressed.
  const Json& want_comp = s.inventory->contains("compression")
                              ? (*s.inventory)["compression"]
                              : Json();
  std::string got_comp =
      t.compression() ? ShortClass(t.compression()->compressor_class) : "";
  std::string want = want_comp.is_string() ? want_comp.get<std::string>() : "";
  f.Check("compression" + id,
          got_comp == want
              ? ""
              : "compressor '" + got_comp + "', expected '" + want + "'");
  // Partitioner: set-level name, from Statistics.db and the enum.
  std::string want_part = set.value("partitioner", "");
  std::string got_part =
      t.statistics().validation
          ? ShortClass(t.statistics().validation->partitioner)
          : "<no validation metadata>";
  std::string err;
  if (got_part != want_part) {
    err = "Statistics.db partitioner " + got_part + ", expected " + want_part;
  } else if (std::string(t.partitioner().ShortName()) != want_part) {
    err = "partitioner() is " + std::string(t.partitioner().ShortName()) +
          ", expected " + want_part;
  }
  f.Check("partitioner" + id, err);
}

std::string CheckDigest(const SSTableUnderTest& s, bool want_match) {
  std::string dir = s.open_path.substr(0, s.open_path.rfind('/') + 1);
  auto text = rd::ReadSmallFile(dir + s.prefix + "-Digest.crc32", 64);
  if (!text.ok())
    return "cannot read Digest.crc32: " + text.status().ToString();
  auto stored = rd::ParseDigestCrc32(rd::ByteView(*text),
                                     dir + s.prefix + "-Digest.crc32");
  if (!stored.ok()) return "bad Digest.crc32: " + stored.status().ToString();
  auto file = rd::RandomAccessFile::Open(dir + s.prefix + "-Data.db");
  if (!file.ok()) return "cannot open Data.db: " + file.status().ToString();
  auto computed = rd::ComputeFileCrc32(**file);
  if (!computed.ok()) return "crc of Data.db: " + computed.status().ToString();
  bool match = *computed == *stored;
  if (match == want_match) return "";
  return std::string(want_match ? "mismatch" : "unexpected match") +
         ": Digest.crc32 " + rd::Crc32Hex(*stored) + ", Data.db " +
         rd::Crc32Hex(*computed);
}

// Clustering order inside each partition: rows strictly increasing by the
// clustering comparator (ReversedType honoured; a prefix sorts first).
std::string CheckRowOrder(const DecodedSSTable& d) {
  const rd::Columns& cols = d.table->columns();
  auto cmp = [&](const OwnedClustering& a, const OwnedClustering& b) {
    size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      if (!a[i] || !b[i]) {
        if (a[i].has_value() != b[i].has_value()) return a[i] ? 1 : -1;
        continue;
      }
      const rd::CqlType& t = *cols.clustering_types.at(i);
      int c = rd::CompareValues(t, rd::ByteView(*a[i]), rd::ByteView(*b[i]));
      if (t.reversed) c = -c;
      if (c != 0) return c;
    }
    auto live = [](const OwnedClustering& c) {
      size_t k = c.size();
      while (k > 0 && !c[k - 1]) --k;
      return k;
    };
    size_t la = live(a), lb = live(b);
    return la < lb ? -1 : (la > lb ? 1 : 0);
  };
  for (const OwnedPartition& p : d.partitions) {
    for (size_t i = 1; i < p.rows.size(); ++i) {
      if (cmp(p.rows[i - 1].clustering, p.rows[i].clustering) >= 0) {
        return "partition " + JoinText(p.key_text) + ": row " +
               JoinText(p.rows[i].clustering_text) + " does not sort after " +
               JoinText(p.rows[i - 1].clustering_text);
      }
    }
  }
  return "";
}

std::vector<std::string> AllMarkerViolations(const DecodedSSTable& d) {
  std::vector<std::string> out;
  for (const OwnedPartition& p : d.partitions) {
    for (const std::string& v : MarkerViolations(p)) {
      out.push_back("partition " + JoinText(p.key_text) + ": " + v);
    }
  }
  return out;
}

// The malformed sets were edited by hand without updating CRC.db, so the
// checksum catches them first. To check the defect itself, decode a
// temporary copy without CRC.db (removed afterwards).
rd::Status DecodeWithoutCrc(const SSTableUnderTest& s,
                            std::vector<std::string>* violations) {
  namespace fs = std::filesystem;
  fs::path src = fs::path(s.open_path).parent_path();
  fs::path dir = fs::temp_directory_path() /
                 ("sstfs-corpus-nocrc-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(src)) {
    std::string name = e.path().filename().string();
    if (name.rfind(s.prefix + "-", 0) == 0 && name != s.prefix + "-CRC.db") {
      fs::copy_file(e.path(), dir / name);
    }
  }
  rd::Status st;
  {
    auto t =
        rd::SSTable::Open((dir / (s.prefix + "-Data.db")).string(), nullptr);
    if (!t.ok()) {
      st = t.status();
    } else {
      DecodedSSTable d;
      st = DecodeSSTable(*t, &d);
      if (st.ok()) *violations = AllMarkerViolations(d);
    }
  }
  fs::remove_all(dir, ec);
  return st;
}

bool IsChecksumError(const rd::Status& st) {
  return !st.ok() && Lower(st.message()).find("checksum") != std::string::npos;
}

// For kBrokenMarkers / kCorruptData: the defect itself must be found.
void CheckDefectWithoutCrc(const SSTableUnderTest& s, Findings& f) {
  std::vector<std::string> v;
  rd::Status st = DecodeWithoutCrc(s, &v);
  const std::string id = "defect:" + s.prefix;
  if (!st.ok()) {
    std::string err = CleanFailureError(st, s.prefix);
    if (err.empty() && IsChecksumError(st)) {
      err = "still a checksum error without CRC.db: " + st.ToString();
    }
    f.Check(id, err);
    f.Note(s.prefix + " without CRC.db: reader reports: " + st.ToString());
  } else if (s.outcome == Outcome::kBrokenMarkers && !v.empty()) {
    f.Ran(id);
    f.Note(s.prefix + " without CRC.db: decodes; marker check: " + v.front());
  } else {
    f.Fail(id, "without CRC.db the file decodes" +
                   std::string(v.empty() ? " and its markers pair up"
                                         : "; marker check: " + v.front()) +
                   ", but " + s.reason);
  }
}

// The verifier (sstablefs verify) agrees with the set's expectation: no
// error on a readable SSTable, the right check failing on a damaged one.
void CheckVerifier(const SSTableUnderTest& s, Findings& f) {
  auto d = rd::ParseDescriptor(s.open_path);
  const std::string id = "verify:" + s.prefix;
  if (!d.ok()) {
    f.Fail(id, "ParseDescriptor: " + d.status().ToString());
    return;
  }
  rd::SSTableReport r = rd::VerifySSTable(*d, rd::VerifyOptions());
  std::vector<std::string> errors;
  bool digest = false, chunks = false;
  for (const rd::Finding& x : r.findings) {
    if (x.severity != rd::Severity::kError) continue;
    errors.push_back(rd::FormatFinding(x));
    digest = digest || x.check == "digest";
    chunks = chunks || x.check == "chunks";
  }
  std::string err;
  switch (s.outcome) {
    case Outcome::kReadable:
      if (!errors.empty()) err = "verifier reports " + errors.front();
      break;
    case Outcome::kUnsupported:
      if (r.supported) err = "verifier treats it as supported";
      break;
    case Outcome::kChecksumError:
      if (!chunks) err = "verifier reports no chunk checksum error";
      break;
    case Outcome::kDigestError:
      if (!digest) err = "verifier reports no digest error";
      break;
    case Outcome::kMissingData:
    case Outcome::kCorruptData:
    case Outcome::kBrokenMarkers:
    case Outcome::kBrokenIndex:
      if (errors.empty()) err = "verifier reports no error (" + s.reason + ")";
      break;
    case Outcome::kOkOrClean:
      break;
  }
  f.Check(id, err);
  if (s.outcome != Outcome::kReadable && !errors.empty()) {
    f.Note(s.prefix + ": verifier: " + errors.front());
  }
}

void RunSSTable(SSTableUnderTest& s, const Json& set, Findings& f) {
  CheckVerifier(s, f);
  const std::string id = ":" + s.prefix;
  auto opened = rd::SSTable::Open(s.open_path, TestCache());
  switch (s.outcome) {
    case Outcome::kUnsupported: {
      std::string err;
      if (opened.ok()) {
        err = "opened, expected kUnsupported (" + s.reason + ")";
      } else if (!opened.status().IsUnsupported()) {
        err = "expected kUnsupported (" + s.reason + "), got " +
              opened.status().ToString();
      } else if (opened.status().message().find(s.format) ==
                 std::string::npos) {
        err = "kUnsupported message does not name the version " + s.format +
              ": " + opened.status().ToString();
      }
      f.Check("open" + id, err);
      return;
    }
    case Outcome::kMissingData: {
      std::string err;
      if (opened.ok()) {
        err = "opened although Data.db is missing";
      } else if (opened.status().message().find("Data.db") ==
                 std::string::npos) {
        err = "failure does not name Data.db: " + opened.status().ToString();
      }
      f.Check("open" + id, err);
      return;
    }
    case Outcome::kReadable:
    case Outcome::kDigestError:
      if (!opened.ok()) {
        f.Fail("open" + id, opened.status().ToString());
        return;
      }
      f.Ran("open" + id);
      break;
    default:
      // Malformed sets: a clean refusal at open time is acceptable.
      if (!opened.ok()) {
        f.Check("open" + id, CleanFailureError(opened.status(), s.prefix));
        f.Note(s.prefix + ": refused at open (" + OutcomeName(s.outcome) +
               "): " + opened.status().ToString());
        return;
      }
      f.Ran("open" + id);
      break;
  }
  s.table = *opened;
  CheckMetadata(s, set, f);

  rd::Status st = DecodeSSTable(s.table, &s.data);
  s.decoded = st.ok();
  std::vector<std::string> violations;
  if (st.ok()) violations = AllMarkerViolations(s.data);
  switch (s.outcome) {
    case Outcome::kReadable:
    case Outcome::kDigestError:
    case Outcome::kBrokenIndex:
      f.Check("decode" + id, st.ok() ? "" : st.ToString());
      if (st.ok()) {
        f.Check("markers" + id, violations.empty() ? "" : violations.front());
        f.Check("row_order" + id, CheckRowOrder(s.data));
      }
      if (st.ok() && s.has_digest) {
        f.Check("digest" + id,
                CheckDigest(s, s.outcome != Outcome::kDigestError));
      } else if (s.outcome == Outcome::kDigestError) {
        f.Fail("digest" + id, "the set has no Digest.crc32 or did not decode");
      }
      break;
    case Outcome::kChecksumError: {
      std::string err = CleanFailureError(st, s.prefix);
      if (err.empty() &&
          Lower(st.message()).find("checksum") == std::string::npos) {
        err = "failure does not say checksum: " + st.ToString();
      }
      f.Check("decode" + id, err);
      break;
    }
    case Outcome::kCorruptData:
      f.Check("decode" + id, CleanFailureError(st, s.prefix));
      if (!st.ok()) f.Note(s.prefix + ": " + st.ToString());
      if (IsChecksumError(st)) CheckDefectWithoutCrc(s, f);
      break;
    case Outcome::kBrokenMarkers:
      if (st.ok()) {
        f.Check("decode" + id,
                violations.empty()
                    ? "decoded without error and the markers pair up, but " +
                          s.reason
                    : "");
        if (!violations.empty()) {
          f.Note(s.prefix + ": decoded; marker check: " + violations.front());
        }
      } else {
        f.Check("decode" + id, CleanFailureError(st, s.prefix));
        f.Note(s.prefix + ": reader reports: " + st.ToString());
        if (IsChecksumError(st)) CheckDefectWithoutCrc(s, f);
      }
      break;
    case Outcome::kOkOrClean:
      f.Check("decode" + id, st.ok() ? "" : CleanFailureError(st, s.prefix));
      f.Note(s.prefix + ": " + (st.ok() ? "decoded OK" : st.ToString()));
      break;
    default:
      break;
  }
}

// ===========================================================================
// Set-level checks over the SSTables that decoded.

std::vector<const SSTableUnderTest*> Decoded(
    const std::vector<SSTableUnderTest>& all) {
  std::vector<const SSTableUnderTest*> out;
  for (const auto& s : all) {
    if (s.decoded) out.push_back(&s);
  }
  return out;
}

std::string Joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) {
    s += x;
    s.push_back('\x1f');
  }
  return s;
}

void CheckCounts(const Json& set, const std::vector<const SSTableUnderTest*>& d,
                 Findings& f) {
  std::set<std::string> keys, statics, rows;
  for (const SSTableUnderTest* s : d) {
    for (const OwnedPartition& p : s->data.partitions) {
      keys.insert(p.key);
      if (p.static_row) statics.insert(p.key);
      for (const OwnedRow& r : p.rows) {
        rows.insert(p.key + '\x1e' + Joined(r.clustering_text));
      }
    }
  }
  auto check = [&](const char* field, size_t got) {
    if (!set.contains(field) || !set[field].is_number_integer()) return;
    size_t want = set[field].get<size_t>();
    f.Check(std::string("count:") + field,
            got == want ? ""
                        : std::to_string(got) + " " + field + ", expected " +
                              std::to_string(want));
  };
  check("partitions", keys.size());
  check("rows", rows.size());
  check("static_rows", statics.size());
}

void CheckPartitionOrder(const Json& set,
                         const std::vector<const SSTableUnderTest*>& d,
                         Findings& f) {
  if (!set.contains("partition_order") || !set["partition_order"].is_array() ||
      d.empty()) {
    return;
  }
  const rd::Columns& cols = d.front()->table->columns();
  std::vector<std::string> want;
  for (const Json& lit : set["partition_order"]) {
    want.push_back(Joined(ExpectedKeyText(cols, lit.get<std::string>())));
  }
  std::set<std::string> want_set(want.begin(), want.end());
  std::set<std::string> got_set;
  std::string err;
  for (const SSTableUnderTest* s : d) {
    size_t pos = 0;
    for (const OwnedPartition& p : s->data.partitions) {
      std::string k = Joined(p.key_text);
      got_set.insert(k);
      auto it = std::find(want.begin() + pos, want.end(), k);
      if (it == want.end() && err.empty()) {
        err = s->prefix + ": partition " + JoinText(p.key_text) +
              (want_set.count(k) ? " is out of order" : " is not expected");
      } else if (it != want.end()) {
        pos = static_cast<size_t>(it - want.begin()) + 1;
      }
    }
  }
  if (err.empty() && got_set != want_set) {
    for (const std::string& k : want_set) {
      if (!got_set.count(k)) {
        err = "expected partition missing: " + k;
        break;
      }
    }
  }
  f.Check("partition_order", err);
}

// Partitions of each SSTable in strictly increasing partition order
// (token, then key bytes) under the SSTable's own partitioner.
void CheckTokenOrder(const std::vector<const SSTableUnderTest*>& d,
                     Findings& f) {
  for (const SSTableUnderTest* s : d) {
    const rd::Partitioner& part = s->table->partitioner();
    const auto& ps = s->data.partitions;
    std::string err;
    for (size_t i = 1; i < ps.size() && err.empty(); ++i) {
      if (part.CompareKeys(rd::ByteView(ps[i - 1].key),
                           rd::ByteView(ps[i].key)) >= 0) {
        err = "partition " + JoinText(ps[i].key_text) + " (token " +
              part.TokenToString(part.GetToken(rd::ByteView(ps[i].key))) +
              ") does not sort after " + JoinText(ps[i - 1].key_text) +
              " (token " +
              part.TokenToString(part.GetToken(rd::ByteView(ps[i - 1].key))) +
              ")";
      }
    }
    f.Check("token_order:" + s->prefix, err);
  }
}

// ParseLiteral (what `dump -k` uses) turns every expected partition literal
// into the serialized key stored in the files.
void CheckParseLiteral(const Json& set,
                       const std::vector<const SSTableUnderTest*>& d,
                       Findings& f) {
  if (!set.contains("partition_order") || !set["partition_order"].is_array() ||
      d.empty()) {
    return;
  }
  const rd::Columns& cols = d.front()->table->columns();
  std::set<std::string> keys;
  for (const SSTableUnderTest* s : d) {
    for (const OwnedPartition& p : s->data.partitions) keys.insert(p.key);
  }
  std::string err;
  for (const Json& lit : set["partition_order"]) {
    std::vector<std::string> parts =
        ExpectedKeyText(cols, lit.get<std::string>());
    std::string text;
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i) text += ':';
      text += parts[i];
    }
    auto parsed = rd::ParseLiteral(*cols.key_type, text);
    if (!parsed.ok()) {
      err = "ParseLiteral(\"" + text + "\"): " + parsed.status().ToString();
    } else if (!keys.count(*parsed)) {
      err = "ParseLiteral(\"" + text + "\") = 0x" +
            rd::ByteView(*parsed).ToHex() + ", not a stored key";
    }
    if (!err.empty()) break;
  }
  f.Check("parse_literal", err);
}

// row_pattern: the regular rows too many to list as facts (README).
//   legacy clust: for ck in A..B: str(ck) + LONG_STRING, in each partition
//   skip_using_index_rows: ck = A..B (int), rc = 'b' x N + str(ck)
// and `observed` val_<sstable>: the one random val string of every row.
void CheckRowPattern(const Json& set,
                     const std::vector<const SSTableUnderTest*>& d,
                     Findings& f) {
  if (set.contains("row_pattern") && !d.empty()) {
    const Json& rp = set["row_pattern"];
    std::string ck_text = rp.value("clustering", "");
    size_t dots = ck_text.find("..");
    int lo = 0, hi = -1;
    if (dots != std::string::npos) {
      size_t start = ck_text.find_last_not_of("0123456789", dots - 1) + 1;
      lo = std::atoi(ck_text.c_str() + start);
      hi = std::atoi(ck_text.c_str() + dots + 2);
    }
    std::string long_string;
    if (rp.contains("LONG_STRING")) {
      for (int i = 0; i < rp["LONG_STRING"].value("times", 0); ++i) {
        long_string += rp["LONG_STRING"].value("repeat", "");
      }
    }
    char rc_char = 0;
    int rc_times = 0;
    if (rp.contains("rc")) {
      std::sscanf(rp["rc"].get<std::string>().c_str(), "'%c' repeated %d",
                  &rc_char, &rc_times);
    }
    std::string err;
    for (const Json& klit : rp.value("partition_keys", Json::array())) {
      for (int n = lo; n <= hi && err.empty(); ++n) {
        Json fact = {{"partition", klit},
                     {"clustering", Json::array()},
                     {"kind", "row_exists"}};
        std::string ck = std::to_string(n) + long_string;
        fact["clustering"].push_back(long_string.empty() ? ck : "'" + ck + "'");
        if (rc_times > 0) {
          fact.erase("kind");
          fact["column"] = "rc";
          fact["value"] = std::string(rc_times, rc_char) + std::to_string(n);
        }
        std::string e = "no decoded SSTable";
        for (const SSTableUnderTest* s : d) {
          e = CheckFactIn(fact, s->data);
          if (e.empty()) break;
        }
        if (!e.empty()) err = "row " + std::to_string(n) + ": " + e;
      }
    }
    if (hi < lo) err = "cannot read the row_pattern clustering range";
    f.Check("row_pattern", err);
  }
  if (set.contains("observed") && set["observed"].is_object()) {
    for (auto it = set["observed"].begin(); it != set["observed"].end(); ++it) {
      if (it.key().rfind("val_", 0) != 0 || !it->is_string()) continue;
      const std::string prefix = it.key().substr(4);
      bool bti = false;
      for (const Json& inv : set.value("sstables", Json::array())) {
        bti = bti || (inv.value("prefix", "") == prefix &&
                      inv.value("format_type", "") == "bti");
      }
      if (bti) {
        f.Note("observed val of " + prefix +
               " not checkable: BTI SSTables are unsupported");
        continue;
      }
      std::string err = "no decoded SSTable " + prefix;
      for (const SSTableUnderTest* s : d) {
        if (s->prefix != prefix) continue;
        err.clear();
        const auto& regs = s->table->columns().regulars;
        size_t rows = 0;
        for (const OwnedPartition& p : s->data.partitions) {
          for (const OwnedRow& r : p.rows) {
            ++rows;
            for (const OwnedCell& c : r.cells) {
              if (c.column < regs.size() && regs[c.column].name == "val" &&
                  c.value != it->get<std::string>() && err.empty()) {
                err = JoinText(r.clustering_text) + ": val differs";
              }
            }
          }
        }
        if (rows == 0) err = "no rows";
      }
      f.Check("observed:" + prefix, err);
    }
  }
}

// ---------------------------------------------------------------------------
// Corpus errata: facts that contradict the bytes of the file, with the
// evidence. The test checks the stated alternative instead (so the fact is
// still verified, not skipped), prints the erratum, and fails if the
// original fact starts to hold (then the erratum is wrong).

// write_dead_row_marker: the fact (from the mutation Scylla's test builds)
// gives the marker's expiry as the write second, 1543494402. The file stores
// 1543494402 + ttl 90: the row's three delta vints are 0 (Data.db bytes 0x1e..
// after flags 0x2c), so the values are the serialization header minima, and
// Statistics.db agrees twice over (header min localDeletionTime and the
// STATS min localDeletionTime are both 1543494492).
std::string DeadRowMarkerExpiry(const Json& fact, const DecodedSSTable& d) {
  Json alt = fact;
  alt["local_expiration_time"] =
      fact["local_expiration_time"].get<int64_t>() + fact["ttl"].get<int64_t>();
  return CheckFactIn(alt, d);
}

// wrong_range_tombstone_order (1,4,0): "stored as a deleted row". In these
// COMPACT STORAGE (dense) files the deletion of (1,4,0) is stored as a row
// holding only a tombstone of the compact value column r (no row deletion,
// no liveness): the files decode consistently to the end, so the flags byte
// of that row says "cell", not HAS_DELETION.
std::string DenseCompactRowDeletion(const Json& fact, const DecodedSSTable& d) {
  const OwnedPartition* p = FindPartitionByText(
      d, ExpectedKeyText(d.table->columns(),
                         fact["partition"].get<std::string>()));
  if (!p) return "partition not found";
  const OwnedRow* row = FindRow(*p, ExpectedClusteringText(fact["clustering"]));
  if (!row) return "row not found";
  if (!row->liveness.IsEmpty() || !row->deletion.IsLive()) {
    return "row has liveness or a row deletion";
  }
  if (row->cells.empty()) return "row has no cells";
  for (const OwnedCell& c : row->cells) {
    if (!c.is_tombstone) return "row has a live cell";
  }
  return "";
}

struct Erratum {
  const char* set;
  size_t fact;
  const char* what;
  std::string (*alternative)(const Json& fact, const DecodedSSTable& d);
};

const Erratum kErrata[] = {
    {"scylla-3x/uncompressed/write_dead_row_marker", 1,
     "stored marker expiry is write second + ttl (1543494492), not the write "
     "second: Data.db deltas are 0 and both Statistics.db minima say "
     "1543494492",
     DeadRowMarkerExpiry},
    {"scylla-misc/wrong_range_tombstone_order/ks/"
     "wrong_range_tombstone_order-1c6ace40fad111e7b9cf000000000002",
     9,
     "the deleted dense-compact row is stored as a tombstone of its value "
     "column r, not as a row deletion",
     DenseCompactRowDeletion},
};

void CheckFacts(const Json& set, const std::vector<const SSTableUnderTest*>& d,
                Findings& f) {
  const Json& facts = set.value("facts", Json::array());
  for (size_t i = 0; i < facts.size(); ++i) {
    const Json& fact = facts[i];
    const std::string id = "fact:" + std::to_string(i);
    std::string only = fact.value("sstable", "");
    std::string errors;
    bool pass = false, any = false;
    for (const SSTableUnderTest* s : d) {
      if (!only.empty() && s->prefix.rfind(only + "-", 0) != 0) continue;
      any = true;
      std::string e = CheckFactIn(fact, s->data);
      if (e.empty()) {
        pass = true;
        break;
      }
      errors += "[" + s->prefix + "] " + e + " ";
    }
    if (!any) errors = "no decoded SSTable to check it in";
    const Erratum* erratum = nullptr;
    for (const Erratum& e : kErrata) {
      if (set.value("path", "") == e.set && e.fact == i) erratum = &e;
    }
    if (erratum && pass) {
      f.Fail(id, std::string("kErrata says the file contradicts this fact (") +
                     erratum->what + ") but it holds: fix the erratum");
      continue;
    }
    if (erratum && any) {
      std::string alt_errors;
      for (const SSTableUnderTest* s : d) {
        if (!only.empty() && s->prefix.rfind(only + "-", 0) != 0) continue;
        std::string e = erratum->alternative(fact, s->data);
        if (e.empty()) {
          pass = true;
          break;
        }
        alt_errors += "[" + s->prefix + "] " + e + " ";
      }
      if (pass) {
        f.Note("ERRATUM fact " + std::to_string(i) + ": " + erratum->what);
      } else {
        errors += "| erratum alternative fails too: " + alt_errors;
      }
    }
    std::string what = fact.dump();
    if (what.size() > 300) what = what.substr(0, 300) + "...";
    f.Check(id, pass ? "" : errors + "| fact " + what);
  }
}

// ===========================================================================
// The tests.

class CorpusSet : public ::testing::TestWithParam<std::string> {};

TEST_P(CorpusSet, MatchesExpected) {
  SSTFS_REQUIRE_CORPUS();
  const Json* set = FindSet(GetParam());
  ASSERT_NE(set, nullptr) << GetParam();
  Findings f(GetParam());
  std::vector<SSTableUnderTest> sts = Inventory(*set);
  ASSERT_FALSE(sts.empty()) << "set has no sstables in its inventory";

  bool has_big = false;
  for (const auto& s : sts) {
    has_big = has_big || s.outcome != Outcome::kUnsupported;
  }
  if (IsFlagged(*set) && has_big) {
    bool listed = false;
    for (const SetRule& r : kSetRules) listed = listed || GetParam() == r.set;
    if (!listed) {
      ADD_FAILURE() << GetParam()
                    << " is flagged malformed/corrupt/incomplete but has no "
                       "rule in kSetRules";
    }
  }
  for (auto& s : sts) {
    if (s.outcome != Outcome::kReadable) {
      std::printf("  %s %s: expected %s: %s\n", GetParam().c_str(),
                  s.prefix.c_str(), OutcomeName(s.outcome), s.reason.c_str());
    }
    RunSSTable(s, *set, f);
  }
  std::vector<const SSTableUnderTest*> decoded = Decoded(sts);
  bool missing_data = false;
  for (const auto& s : sts) {
    missing_data = missing_data || s.outcome == Outcome::kMissingData;
  }
  if (missing_data) {
    size_t n = set->value("facts", Json::array()).size();
    std::printf(
        "  NOT CHECKABLE %s: %zu facts and the counts (Data.db is "
        "absent from the corpus; README: INCOMPLETE)\n",
        GetParam().c_str(), n);
  } else if (!IsFlagged(*set) || !decoded.empty()) {
    CheckCounts(*set, decoded, f);
    CheckPartitionOrder(*set, decoded, f);
    CheckTokenOrder(decoded, f);
    CheckParseLiteral(*set, decoded, f);
    CheckRowPattern(*set, decoded, f);
    CheckFacts(*set, decoded, f);
  }
  f.Finish();
}

// Every key of every decoded SSTable is found through FindPartition at the
// offset the scan saw, Seek() lands on it, and keys that are not in the
// SSTable are reported absent.
TEST_P(CorpusSet, Lookup) {
  SSTFS_REQUIRE_CORPUS();
  const Json* set = FindSet(GetParam());
  ASSERT_NE(set, nullptr) << GetParam();
  Findings f(GetParam());
  for (SSTableUnderTest& s : Inventory(*set)) {
    if (s.outcome != Outcome::kReadable && s.outcome != Outcome::kDigestError &&
        s.outcome != Outcome::kBrokenIndex &&
        s.outcome != Outcome::kOkOrClean) {
      continue;
    }
    const std::string id = ":" + s.prefix;
    auto opened = rd::SSTable::Open(s.open_path, TestCache());
    if (!opened.ok()) {
      if (s.outcome == Outcome::kOkOrClean) continue;
      f.Fail("lookup" + id, "open: " + opened.status().ToString());
      continue;
    }
    s.table = *opened;
    if (!DecodeSSTable(s.table, &s.data).ok()) continue;  // MatchesExpected
    const auto& parts = s.data.partitions;
    if (s.outcome == Outcome::kBrokenIndex) {
      std::string err = "no partition to look up";
      if (!parts.empty()) {
        auto r = s.table->FindPartition(rd::ByteView(parts.front().key));
        err = CleanFailureError(r.status(), s.prefix);
        if (err.empty() &&
            r.status().message().find("Index.db") == std::string::npos) {
          err = "failure does not name Index.db: " + r.status().ToString();
        }
      }
      f.Check("lookup" + id, err);
      continue;
    }
    // Sample at most ~4000 keys evenly (the 65536-partition sets).
    size_t step = std::max<size_t>(1, parts.size() / 4000);
    std::string lookup_err, absent_err, seek_err;
    auto input = s.table->OpenData();
    std::unique_ptr<rd::PartitionIterator> it;
    if (input.ok()) {
      it = std::make_unique<rd::PartitionIterator>(
          input->get(), &s.table->columns(), s.table->descriptor().version);
    } else {
      seek_err = "OpenData: " + input.status().ToString();
    }
    for (size_t i = 0; i < parts.size(); i += step) {
      const OwnedPartition& p = parts[i];
      auto r = s.table->FindPartition(rd::ByteView(p.key));
      if (lookup_err.empty()) {
        if (!r.ok()) {
          lookup_err = JoinText(p.key_text) + ": " + r.status().ToString();
        } else if (!r->has_value()) {
          lookup_err = JoinText(p.key_text) + ": not found";
        } else if (**r != p.position) {
          lookup_err = JoinText(p.key_text) + ": offset " +
                       std::to_string(**r) + ", scan saw " +
                       std::to_string(p.position);
        }
      }
      if (it && seek_err.empty() && i % (step * 7) == 0) {
        it->Seek(p.position);
        if (!it->Valid()) {
          seek_err = JoinText(p.key_text) +
                     ": Seek invalid: " + it->status().ToString();
        } else if (it->partition().key.ToString() != p.key) {
          seek_err = JoinText(p.key_text) + ": Seek landed on another key";
        }
      }
      // Absent keys: the key with its last byte changed, and with a byte
      // appended, when no partition has that key.
      for (int variant = 0; variant < 2 && absent_err.empty(); ++variant) {
        std::string k = p.key;
        if (variant == 0 && !k.empty()) {
          k.back() = static_cast<char>(k.back() ^ 0x5a);
        } else {
          k.push_back('\x01');
        }
        if (s.data.by_key.count(k)) continue;
        auto a = s.table->FindPartition(rd::ByteView(k));
        if (!a.ok()) {
          absent_err = "absent key 0x" + rd::ByteView(k).ToHex() + ": " +
                       a.status().ToString();
        } else if (a->has_value()) {
          absent_err = "absent key 0x" + rd::ByteView(k).ToHex() +
                       " found at " + std::to_string(**a);
        }
      }
    }
    f.Check("lookup" + id, lookup_err);
    f.Check("seek" + id, seek_err);
    f.Check("absent" + id, absent_err);
  }
  f.Finish();
}

std::string ParamName(const ::testing::TestParamInfo<std::string>& p) {
  return TestNameOf(p.param);
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusSet, ::testing::ValuesIn(SetPaths()),
                         ParamName);

// Prints the known-gap table and checks it refers to real sets.
TEST(CorpusKnownGaps, Listed) {
  SSTFS_REQUIRE_CORPUS();
  size_t n = 0;
  for (const KnownGap& g : kKnownGaps) {
    if (g.set == nullptr) continue;
    ++n;
    std::printf("KNOWN GAP %s [%s]: %s\n", g.set, g.check, g.reason);
    EXPECT_NE(FindSet(g.set), nullptr)
        << "kKnownGaps names unknown set " << g.set;
  }
  std::printf("%zu known gaps in kKnownGaps\n", n);
  for (const SetRule& r : kSetRules) {
    EXPECT_NE(FindSet(r.set), nullptr)
        << "kSetRules names unknown set " << r.set;
  }
}

}  // namespace
}  // namespace sstablefs::testing::corpus
