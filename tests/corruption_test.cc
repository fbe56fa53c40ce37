// Corruption tests on real SSTables (in the style of leveldb's
// corruption_test): copy a corpus set into a temporary folder, damage one
// component at a time — truncation at many offsets, one flipped bit at many
// offsets — and open, fully decode and look up every key of each variant.
//
// Every variant must end in success or a clean non-OK Status whose message
// names the SSTable's file: never a crash, a hang (each run is bounded) or a
// huge allocation (operator new is capped for this binary). The verifier
// (reader/verifier.h) runs on every variant too. Damage that the
// format makes detectable must be reported:
//  - any flipped bit or truncation in Data.db (every byte of a compressed
//    Data.db lies in a checksummed chunk; the uncompressed sets chosen here
//    have CRC.db);
//  - a truncated CompressionInfo.db or Statistics.db (at open);
//  - any flipped bit in a checksummed (na+) Statistics.db (at open).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <new>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "reader/sstable.h"
#include "reader/verifier.h"
#include "reader/version.h"
#include "tests/corpus_facts.h"
#include "tests/test_util.h"

// --- Allocation cap --------------------------------------------------------
// No decode of these small files needs anywhere near this much in one piece;
// a length read from damaged bytes must never reach the allocator.
namespace {
constexpr std::size_t kAllocationCap = std::size_t{64} << 20;
char g_variant[512] = "setup";

[[noreturn]] void HugeAllocation(std::size_t n) {
  std::fprintf(stderr,
               "corruption_test: allocation of %zu bytes while running %s\n", n,
               g_variant);
  std::abort();
}

void* CappedAlloc(std::size_t n) {
  if (n > kAllocationCap) HugeAllocation(n);
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(std::size_t n) { return CappedAlloc(n); }
void* operator new[](std::size_t n) { return CappedAlloc(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (n > kAllocationCap) HugeAllocation(n);
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  if (n > kAllocationCap) HugeAllocation(n);
  return std::malloc(n == 0 ? 1 : n);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace sstablefs::testing::corpus {
namespace {

namespace fs = std::filesystem;

struct CorruptionSet {
  const char* path;
  const char* prefix;
  const char* what;
};

const CorruptionSet kSets[] = {
    {"cassandra-legacy/nb/legacy_tables/legacy_nb_clust", "nb-1-big",
     "LZ4, nb, 16 KiB chunks, promoted indexes"},
    {"scylla-3x/uncompressed/static_row", "mc-1-big",
     "uncompressed mc with CRC.db"},
    {"scylla-3x/zstd/partition_key_with_values_of_different_types", "mc-1-big",
     "zstd"},
    {"scylla-3x/deflate/partition_key_with_values_of_different_types",
     "mc-1-big", "deflate"},
    {"scylla-3x/snappy/partition_key_with_values_of_different_types",
     "mc-1-big", "snappy"},
};

void PrintTo(const CorruptionSet& s, std::ostream* os) { *os << s.path; }

constexpr auto kRunLimit = std::chrono::seconds(20);

// A temporary copy of one set, removed on destruction.
class TempCopy {
 public:
  TempCopy(const std::string& src, const std::string& prefix) {
    std::random_device rd;
    dir_ = fs::temp_directory_path() /
           ("sstfs-corruption-" + std::to_string(::getpid()) + "-" +
            std::to_string(rd()));
    fs::create_directories(dir_);
    for (const auto& e : fs::directory_iterator(src)) {
      std::string name = e.path().filename().string();
      if (!e.is_regular_file() || name.rfind(prefix + "-", 0) != 0) continue;
      fs::copy_file(e.path(), dir_ / name);
      fs::permissions(dir_ / name,
                      fs::perms::owner_read | fs::perms::owner_write,
                      fs::perm_options::add);
      components_.push_back(name.substr(prefix.size() + 1));
    }
  }
  ~TempCopy() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string Path(const std::string& prefix, const std::string& comp) const {
    return (dir_ / (prefix + "-" + comp)).string();
  }
  const std::vector<std::string>& components() const { return components_; }

 private:
  fs::path dir_;
  std::vector<std::string> components_;
};

bool WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

// Offsets worth damaging: the first and last bytes (headers, trailing CRCs)
// and `spread` more spread evenly over the file.
std::vector<uint64_t> Offsets(uint64_t size, uint64_t spread) {
  std::set<uint64_t> s;
  for (uint64_t i = 0; i < size && i < 12; ++i) s.insert(i);
  for (uint64_t i = 1; i <= 12 && i <= size; ++i) s.insert(size - i);
  for (uint64_t i = 0; i < spread && size > 0; ++i) {
    s.insert(i * size / spread);
  }
  return {s.begin(), s.end()};
}

struct RunResult {
  rd::Status open;
  bool opened = false;
  rd::Status decode;
  std::vector<std::string> lookup_errors;  // non-clean lookup failures
  size_t wrong_offsets = 0;                // found at another offset
  bool verify_errors = false;              // VerifySSTable found damage
  std::string verify_bad_finding;          // a finding naming no file
};

// The SSTable's own file names appear in every clean message.
bool Clean(const rd::Status& st, const std::string& prefix) {
  return st.ok() || st.message().find(prefix) != std::string::npos;
}

RunResult RunOnce(const std::string& data_path, const std::string& prefix,
                  const std::vector<std::pair<std::string, uint64_t>>& keys) {
  RunResult r;
  // The verifier (sstablefs verify) reads every component in full.
  auto desc = rd::ParseDescriptor(data_path);
  if (desc.ok()) {
    rd::SSTableReport rep = rd::VerifySSTable(*desc, rd::VerifyOptions());
    for (const rd::Finding& f : rep.findings) {
      r.verify_errors |= f.severity == rd::Severity::kError;
      if (f.file.find(prefix) == std::string::npos) {
        r.verify_bad_finding = rd::FormatFinding(f);
      }
    }
  }
  auto t = rd::SSTable::Open(data_path, /*cache=*/nullptr);
  r.open = t.status();
  if (!t.ok()) return r;
  r.opened = true;
  DecodedSSTable d;
  r.decode = DecodeSSTable(*t, &d);
  for (const auto& [key, offset] : keys) {
    auto found = (*t)->FindPartition(rd::ByteView(key));
    if (!found.ok()) {
      if (!Clean(found.status(), prefix)) {
        r.lookup_errors.push_back(found.status().ToString());
      }
    } else if (found->has_value() && **found != offset) {
      ++r.wrong_offsets;
    }
  }
  return r;
}

// Runs with a time bound; a hang ends the whole binary (a stuck thread
// cannot be cancelled) after saying which variant hung.
RunResult RunBounded(
    const std::string& data_path, const std::string& prefix,
    const std::vector<std::pair<std::string, uint64_t>>& keys) {
  auto fut = std::async(std::launch::async, RunOnce, data_path, prefix, keys);
  if (fut.wait_for(kRunLimit) != std::future_status::ready) {
    std::fprintf(stderr, "corruption_test: %s did not finish within %llds\n",
                 g_variant, static_cast<long long>(kRunLimit.count()));
    std::fflush(stderr);
    std::_Exit(3);
  }
  return fut.get();
}

class CorruptionTest : public ::testing::TestWithParam<CorruptionSet> {};

TEST_P(CorruptionTest, DamagedComponentsFailCleanly) {
  SSTFS_REQUIRE_CORPUS();
  const CorruptionSet& cs = GetParam();
  const std::string prefix = cs.prefix;
  TempCopy copy(CorpusDir() + "/" + cs.path, prefix);
  ASSERT_FALSE(copy.components().empty()) << cs.path;
  const std::string data_path = copy.Path(prefix, "Data.db");

  // The pristine copy: must read, and gives the keys and offsets to look up.
  std::vector<std::pair<std::string, uint64_t>> keys;
  bool compressed = false, checksummed_stats = false, has_crc = false;
  {
    auto t = rd::SSTable::Open(data_path, nullptr);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    DecodedSSTable d;
    rd::Status st = DecodeSSTable(*t, &d);
    ASSERT_TRUE(st.ok()) << st.ToString();
    for (const OwnedPartition& p : d.partitions) {
      keys.emplace_back(p.key, p.position);
    }
    compressed = (*t)->compression() != nullptr;
    checksummed_stats = rd::HasMetadataChecksum((*t)->descriptor().version);
  }
  for (const std::string& c : copy.components()) has_crc |= c == "CRC.db";
  ASSERT_TRUE(compressed || has_crc)
      << "the detection checks below assume checksummed Data.db";

  size_t variants = 0, detected = 0, wrong_offsets = 0, verified = 0;
  std::vector<std::string> wrong_examples;
  for (const std::string& comp : copy.components()) {
    const std::string path = copy.Path(prefix, comp);
    auto original = ReadFileToString(path);
    ASSERT_TRUE(original.has_value()) << path;
    const uint64_t size = original->size();
    const bool is_data = comp == "Data.db";
    const bool truncate = is_data || comp == "Statistics.db" ||
                          comp == "CompressionInfo.db" || comp == "Index.db" ||
                          comp == "Summary.db" || comp == "CRC.db";

    struct Mutation {
      bool truncate;
      uint64_t offset;
    };
    std::vector<Mutation> muts;
    if (truncate) {
      for (uint64_t off : Offsets(size, 24)) muts.push_back({true, off});
    }
    for (uint64_t off : Offsets(size, 64)) muts.push_back({false, off});

    for (const Mutation& m : muts) {
      std::string bytes = *original;
      int bit = static_cast<int>((m.offset * 5 + 3) % 8);
      if (m.truncate) {
        bytes.resize(m.offset);
      } else {
        bytes[m.offset] = static_cast<char>(bytes[m.offset] ^ (1 << bit));
      }
      std::snprintf(g_variant, sizeof(g_variant), "%s %s-%s %s at %llu%s",
                    cs.path, prefix.c_str(), comp.c_str(),
                    m.truncate ? "truncated" : "bit flip",
                    static_cast<unsigned long long>(m.offset),
                    m.truncate ? "" : (" bit " + std::to_string(bit)).c_str());
      const std::string variant = g_variant;
      ASSERT_TRUE(WriteFile(path, bytes)) << variant;
      RunResult r = RunBounded(data_path, prefix, keys);
      ++variants;

      EXPECT_TRUE(Clean(r.open, prefix))
          << variant
          << ": open failure does not name the file: " << r.open.ToString();
      EXPECT_TRUE(Clean(r.decode, prefix))
          << variant
          << ": decode failure does not name the file: " << r.decode.ToString();
      for (const std::string& e : r.lookup_errors) {
        ADD_FAILURE() << variant
                      << ": lookup failure does not name the file: " << e;
      }
      EXPECT_TRUE(r.verify_bad_finding.empty())
          << variant << ": verifier finding names no file of the SSTable: "
          << r.verify_bad_finding;
      const bool reported = !r.open.ok() || !r.decode.ok();
      detected += reported;
      verified += r.verify_errors;
      wrong_offsets += r.wrong_offsets;
      EXPECT_EQ(r.wrong_offsets, 0u)
          << variant
          << ": FindPartition answered with another partition's "
             "offset instead of failing or saying absent";
      if (r.wrong_offsets > 0 && wrong_examples.size() < 4) {
        wrong_examples.push_back(variant);
      }
      // The verifier checks Digest.crc32 and every chunk checksum: any
      // change to Data.db or to a CRC in CRC.db must be an error.
      if (is_data || (comp == "CRC.db" && !m.truncate && m.offset >= 4) ||
          (m.truncate &&
           (comp == "CompressionInfo.db" || comp == "Statistics.db"))) {
        EXPECT_TRUE(r.verify_errors) << variant << ": verifier found no error";
      }
      if (is_data) {
        EXPECT_TRUE(reported)
            << variant << ": damaged Data.db read back without error ("
            << (compressed ? "compressed chunk CRC" : "CRC.db")
            << " must catch it)";
      }
      // CRC.db: a chunk-length int then one CRC per chunk. A flip in the
      // chunk length can leave an equivalent layout (one chunk covering the
      // whole small file), so only the checksums must be caught.
      if (comp == "CRC.db" && !m.truncate && m.offset >= 4) {
        EXPECT_TRUE(reported) << variant << ": damaged CRC.db not reported";
      }
      if (m.truncate &&
          (comp == "CompressionInfo.db" || comp == "Statistics.db")) {
        EXPECT_FALSE(r.open.ok())
            << variant << ": truncated " << comp << " accepted at open";
      }
      if (!m.truncate && comp == "Statistics.db" && checksummed_stats) {
        EXPECT_FALSE(r.open.ok())
            << variant
            << ": flipped bit in a checksummed Statistics.db "
               "accepted at open";
      }
    }
    ASSERT_TRUE(WriteFile(path, *original)) << path;
  }
  std::snprintf(g_variant, sizeof(g_variant), "done");
  std::printf(
      "  %s (%s): %zu variants, %zu reported at open/decode, %zu by the "
      "verifier, %zu lookups answered with another partition's offset\n",
      cs.path, cs.what, variants, detected, verified, wrong_offsets);
  for (const std::string& w : wrong_examples) {
    std::printf("    another partition's offset after: %s\n", w.c_str());
  }
}

std::string CorruptionName(const ::testing::TestParamInfo<CorruptionSet>& p) {
  std::string n;
  for (const char* c = p.param.path; *c; ++c) {
    n.push_back(std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_');
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorruptionTest, ::testing::ValuesIn(kSets),
                         CorruptionName);

}  // namespace
}  // namespace sstablefs::testing::corpus
