// Index.db, Summary.db, Filter.db and partition lookup on the REAL corpus:
// every "big" SSTable outside malformed/ (BTI SSTables have no Index.db).
// Expectations come from expected.json (partitioner, partition order,
// partition counts, notes on promoted index blocks) and from the format
// itself (strict partition order, every key findable and in the filter).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "reader/big/index_file.h"
#include "reader/big/partition_index.h"
#include "reader/descriptor.h"
#include "reader/partitioner.h"
#include "reader/statistics.h"
#include "reader/types.h"
#include "reader/verify_clustering.h"
#include "tests/test_util.h"

namespace sstablefs::reader {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using ::sstablefs::testing::CorpusDir;
using ::sstablefs::testing::ReadFileToString;

const Json& Expected() {
  static const Json* j = new Json(
      Json::parse(ReadFileToString(CorpusDir() + "/expected.json").value()));
  return *j;
}

struct Case {
  std::string rel_dir;     // folder relative to the corpus
  std::string index_path;  // absolute
  Descriptor descriptor;
  const Json* set = nullptr;
  Partitioner partitioner;
  std::string name() const {
    return rel_dir + "/" + fs::path(index_path).filename().string();
  }
};

std::vector<Case> AllCases() {
  std::vector<Case> cases;
  const fs::path root(CorpusDir());
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    const std::string file = e.path().filename().string();
    if (!e.is_regular_file() || file.size() < 13 ||
        file.compare(file.size() - 13, 13, "-big-Index.db") != 0) {
      continue;
    }
    Case c;
    c.rel_dir = fs::relative(e.path().parent_path(), root).string();
    if (c.rel_dir.rfind("malformed", 0) == 0) continue;
    c.index_path = e.path().string();
    size_t best = 0;
    for (const Json& s : Expected()) {
      const std::string p = s["path"].get<std::string>();
      if ((c.rel_dir == p || c.rel_dir.rfind(p + "/", 0) == 0) &&
          p.size() > best) {
        best = p.size();
        c.set = &s;
      }
    }
    Result<Descriptor> d = ParseDescriptor(c.index_path);
    EXPECT_TRUE(d.ok()) << c.index_path << ": " << d.status().ToString();
    if (!d.ok() || c.set == nullptr) continue;
    c.descriptor = *d;
    Result<Partitioner> p =
        Partitioner::FromClassName((*c.set)["partitioner"].get<std::string>());
    EXPECT_TRUE(p.ok()) << c.name();
    if (!p.ok()) continue;
    c.partitioner = *p;
    cases.push_back(std::move(c));
  }
  std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) {
    return a.index_path < b.index_path;
  });
  return cases;
}

const std::vector<Case>& Cases() {
  static const std::vector<Case>* cases = new std::vector<Case>(AllCases());
  return *cases;
}

Result<std::vector<IndexEntry>> ReadAll(const PartitionIndex& pi) {
  std::vector<IndexEntry> out;
  std::unique_ptr<IndexFileReader> r = pi.NewReader();
  while (true) {
    IndexEntry e;
    SSTFS_ASSIGN_OR_RETURN(bool more, r->Next(&e));
    if (!more) return out;
    out.push_back(std::move(e));
  }
}

Result<Statistics> LoadStatistics(const Case& c) {
  const std::string path = c.descriptor.ComponentPath("Statistics.db");
  std::optional<std::string> bytes = ReadFileToString(path);
  if (!bytes) return Status::IoError("cannot read " + path);
  return DecodeStatistics(ByteView(*bytes), c.descriptor.version, path);
}

size_t SSTableCount(const Json& set) {
  return set.contains("sstables") && set["sstables"].is_array()
             ? set["sstables"].size()
             : 0;
}

// Sets whose sstables Cassandra's and Scylla's tests describe as containing
// data (every readable set does).
TEST(IndexCorpusTest, FindsTheCorpus) {
  SSTFS_REQUIRE_CORPUS();
  EXPECT_GE(Cases().size(), 100u);
}

TEST(IndexCorpusTest, EntriesOrderedFindableAndInFilter) {
  SSTFS_REQUIRE_CORPUS();
  size_t total = 0, with_summary = 0, with_filter = 0;
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name());
    Result<std::unique_ptr<PartitionIndex>> pi =
        PartitionIndex::Open(c.descriptor, c.partitioner);
    ASSERT_TRUE(pi.ok()) << pi.status().ToString();
    Result<std::vector<IndexEntry>> entries = ReadAll(**pi);
    ASSERT_TRUE(entries.ok()) << entries.status().ToString();
    ASSERT_FALSE(entries->empty());
    total += entries->size();
    const Partitioner& p = c.partitioner;
    EXPECT_EQ(entries->front().data_position, 0u);
    EXPECT_EQ(entries->front().index_position, 0u);
    for (size_t i = 1; i < entries->size(); ++i) {
      const IndexEntry& a = (*entries)[i - 1];
      const IndexEntry& b = (*entries)[i];
      ASSERT_LT(p.CompareKeys(ByteView(a.key), ByteView(b.key)), 0)
          << "entry " << i << " out of partitioner order: "
          << p.TokenToString(p.GetToken(ByteView(a.key))) << " vs "
          << p.TokenToString(p.GetToken(ByteView(b.key)));
      ASSERT_LT(a.data_position, b.data_position) << "entry " << i;
    }

    const IndexSummary* summary = (*pi)->summary();
    for (size_t i = 0; i < entries->size(); ++i) {
      const IndexEntry& e = (*entries)[i];
      Result<std::optional<IndexEntry>> f = (*pi)->Find(ByteView(e.key));
      ASSERT_TRUE(f.ok()) << f.status().ToString();
      ASSERT_TRUE(f->has_value()) << "entry " << i << " not found";
      EXPECT_EQ((*f)->data_position, e.data_position);
      EXPECT_EQ((*f)->index_position, e.index_position);
      EXPECT_EQ((*f)->promoted_index, e.promoted_index);
    }
    // Filter.db word order follows the version, except in the na *_compact
    // sets (written by a pre-release 4.0 that still used the old order).
    const bool na_compact = c.rel_dir.rfind("cassandra-legacy/na/", 0) == 0 &&
                            c.rel_dir.find("_compact") != std::string::npos;
    EXPECT_EQ((*pi)->warnings().size(), na_compact ? 1u : 0u);
    for (const std::string& w : (*pi)->warnings()) {
      EXPECT_NE(w.find("old word order"), std::string::npos) << w;
    }
    if (fs::exists(c.descriptor.ComponentPath("Filter.db"))) {
      EXPECT_NE((*pi)->bloom_filter(), nullptr);
    }
    if (const BloomFilter* bf = (*pi)->bloom_filter()) {
      ++with_filter;
      for (const IndexEntry& e : *entries) {
        ASSERT_TRUE(bf->MightContain(ByteView(e.key)))
            << "bloom filter misses key " << ByteView(e.key).ToHex();
      }
    }
    if (summary != nullptr) {
      ++with_summary;
      ASSERT_GT(summary->size(), 0u);
      EXPECT_EQ(summary->first_key(), ByteView(entries->front().key));
      EXPECT_EQ(summary->last_key(), ByteView(entries->back().key));
      EXPECT_EQ(summary->index_position(0), 0u);
      std::map<uint64_t, const IndexEntry*> by_pos;
      for (const IndexEntry& e : *entries) by_pos[e.index_position] = &e;
      for (size_t i = 0; i < summary->size(); ++i) {
        auto it = by_pos.find(summary->index_position(i));
        ASSERT_NE(it, by_pos.end()) << "summary entry " << i;
        EXPECT_EQ(summary->key(i), ByteView(it->second->key));
      }
      EXPECT_GE(summary->size() * summary->min_index_interval(),
                entries->size());
    }
    const Json& set = *c.set;
    if (SSTableCount(set) == 1 && set["partitions"].is_number()) {
      EXPECT_EQ(entries->size(), set["partitions"].get<size_t>());
    }
  }
  EXPECT_GT(total, 100000u);  // write_many_*_partitions hold most of them
  EXPECT_GT(with_summary, 50u);
  EXPECT_GT(with_filter, 100u);
}

TEST(IndexCorpusTest, AbsentKeysAreNotFound) {
  SSTFS_REQUIRE_CORPUS();
  std::mt19937 rng(20240611);
  size_t probes = 0, rejected_by_filter = 0;
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name());
    Result<std::unique_ptr<PartitionIndex>> pi =
        PartitionIndex::Open(c.descriptor, c.partitioner);
    ASSERT_TRUE(pi.ok()) << pi.status().ToString();
    Result<std::vector<IndexEntry>> entries = ReadAll(**pi);
    ASSERT_TRUE(entries.ok());
    std::set<std::string> keys;
    for (const IndexEntry& e : *entries) keys.insert(e.key);
    for (int i = 0; i < 40; ++i) {
      std::string key(1 + rng() % 20, '\0');
      for (char& ch : key) ch = static_cast<char>(rng());
      // Also near misses of real keys: one byte changed or appended.
      if (i % 4 == 1) {
        key = entries->at(rng() % entries->size()).key;
        if (key.empty()) continue;
        key[rng() % key.size()] ^= static_cast<char>(1 + rng() % 255);
      } else if (i % 4 == 2) {
        key = entries->at(rng() % entries->size()).key + "x";
      }
      if (keys.count(key)) continue;
      ++probes;
      if ((*pi)->bloom_filter() &&
          !(*pi)->bloom_filter()->MightContain(ByteView(key))) {
        ++rejected_by_filter;
      }
      Result<std::optional<IndexEntry>> f = (*pi)->Find(ByteView(key));
      ASSERT_TRUE(f.ok()) << f.status().ToString();
      EXPECT_FALSE(f->has_value())
          << "found absent key " << ByteView(key).ToHex();
    }
  }
  // Bloom filters are built for ~1% false positives; a filter that let most
  // absent keys through would be decoded or hashed wrongly.
  EXPECT_GT(probes, 2000u);
  EXPECT_GT(rejected_by_filter, probes * 8 / 10);
}

TEST(IndexCorpusTest, MissingSummaryFallsBackToScan) {
  SSTFS_REQUIRE_CORPUS();
  bool seen = false;
  for (const Case& c : Cases()) {
    if (c.rel_dir != "scylla-3x/uncompressed/read_missing_summary") continue;
    seen = true;
    ASSERT_FALSE(fs::exists(c.descriptor.ComponentPath("Summary.db")));
    Result<std::unique_ptr<PartitionIndex>> pi =
        PartitionIndex::Open(c.descriptor, c.partitioner);
    ASSERT_TRUE(pi.ok()) << pi.status().ToString();
    EXPECT_EQ((*pi)->summary(), nullptr);
    Result<std::vector<IndexEntry>> entries = ReadAll(**pi);
    ASSERT_TRUE(entries.ok());
    ASSERT_FALSE(entries->empty());
    for (const IndexEntry& e : *entries) {
      Result<std::optional<IndexEntry>> f = (*pi)->Find(ByteView(e.key));
      ASSERT_TRUE(f.ok() && f->has_value());
      EXPECT_EQ((*f)->data_position, e.data_position);
    }
    Result<std::optional<IndexEntry>> absent =
        (*pi)->Find(ByteView("no such key"));
    ASSERT_TRUE(absent.ok());
    EXPECT_FALSE(absent->has_value());
  }
  EXPECT_TRUE(seen);
}

TEST(IndexCorpusTest, ConcurrentLookups) {
  SSTFS_REQUIRE_CORPUS();
  for (const Case& c : Cases()) {
    // No Summary.db: the first lookups race to build the in-memory sample.
    if (c.rel_dir != "scylla-3x/uncompressed/write_many_live_partitions") {
      continue;
    }
    Result<std::unique_ptr<PartitionIndex>> pi =
        PartitionIndex::Open(c.descriptor, c.partitioner);
    ASSERT_TRUE(pi.ok());
    ASSERT_EQ((*pi)->summary(), nullptr);
    Result<std::vector<IndexEntry>> entries = ReadAll(**pi);
    ASSERT_TRUE(entries.ok());
    std::atomic<size_t> found{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (size_t i = t; i < entries->size(); i += 4 * 37) {
          Result<std::optional<IndexEntry>> f =
              (*pi)->Find(ByteView((*entries)[i].key));
          if (f.ok() && f->has_value() &&
              (*f)->data_position == (*entries)[i].data_position) {
            ++found;
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
    size_t expected = 0;
    for (int t = 0; t < 4; ++t) {
      for (size_t i = t; i < entries->size(); i += 4 * 37) ++expected;
    }
    EXPECT_EQ(found.load(), expected);
    return;
  }
  FAIL() << "write_many_live_partitions not found";
}

// Encodes an expected.json CQL literal for a text or int key; nullopt when
// the literal or the key type is something else.
std::optional<std::string> EncodeKeyLiteral(const std::string& lit,
                                            const std::string& key_type) {
  auto ends_with = [&](std::string_view suffix) {
    return key_type.size() >= suffix.size() &&
           key_type.compare(key_type.size() - suffix.size(), suffix.size(),
                            suffix) == 0;
  };
  if ((ends_with("UTF8Type") || ends_with("AsciiType")) && lit.size() >= 2 &&
      lit.front() == '\'' && lit.back() == '\'') {
    std::string out;
    for (size_t i = 1; i + 1 < lit.size(); ++i) {
      out.push_back(lit[i]);
      if (lit[i] == '\'' && lit[i + 1] == '\'') ++i;  // CQL '' escape
    }
    return out;
  }
  if (ends_with("Int32Type") && std::regex_match(lit, std::regex("-?[0-9]+"))) {
    uint32_t v = static_cast<uint32_t>(std::stol(lit));
    std::string out(4, '\0');
    for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(v >> (24 - 8 * i));
    return out;
  }
  return std::nullopt;
}

TEST(IndexCorpusTest, PartitionOrderMatchesExpectedJson) {
  SSTFS_REQUIRE_CORPUS();
  size_t checked = 0;
  for (const Case& c : Cases()) {
    const Json& set = *c.set;
    if (!set.contains("partition_order") ||
        !set["partition_order"].is_array()) {
      continue;
    }
    SCOPED_TRACE(c.name());
    Result<Statistics> stats = LoadStatistics(c);
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    ASSERT_TRUE(stats->header.has_value());
    if (stats->validation) {  // Statistics.db agrees with expected.json
      Result<Partitioner> p =
          Partitioner::FromClassName(stats->validation->partitioner);
      ASSERT_TRUE(p.ok());
      EXPECT_EQ(p->kind(), c.partitioner.kind());
    }
    std::vector<std::string> order;
    bool encodable = true;
    for (const Json& lit : set["partition_order"]) {
      std::optional<std::string> k =
          EncodeKeyLiteral(lit.get<std::string>(), stats->header->key_type);
      if (!k) {
        encodable = false;
        break;
      }
      order.push_back(*k);
    }
    if (!encodable) continue;
    Result<std::unique_ptr<PartitionIndex>> pi =
        PartitionIndex::Open(c.descriptor, c.partitioner);
    ASSERT_TRUE(pi.ok());
    Result<std::vector<IndexEntry>> entries = ReadAll(**pi);
    ASSERT_TRUE(entries.ok());
    // This sstable's keys are the expected order restricted to them.
    size_t j = 0;
    for (const IndexEntry& e : *entries) {
      while (j < order.size() && order[j] != e.key) ++j;
      ASSERT_LT(j, order.size())
          << "key " << ByteView(e.key).ToHex()
          << " missing from, or out of, expected partition_order";
      ++j;
    }
    if (SSTableCount(set) == 1) {
      EXPECT_EQ(entries->size(), order.size());
    }
    ++checked;
  }
  EXPECT_GT(checked, 90u);
}

// --- Promoted indexes -------------------------------------------------------

int32_t AsInt32(const Clustering& c) {
  const ByteView v = *c.values.at(0);
  return static_cast<int32_t>(uint32_t{v[0]} << 24 | uint32_t{v[1]} << 16 |
                              uint32_t{v[2]} << 8 | v[3]);
}

TEST(IndexCorpusTest, PromotedIndexesDecodeAndAreOrdered) {
  SSTFS_REQUIRE_CORPUS();
  std::map<std::string, size_t> indexed_by_set;
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name());
    Result<std::unique_ptr<PartitionIndex>> pi =
        PartitionIndex::Open(c.descriptor, c.partitioner);
    ASSERT_TRUE(pi.ok());
    Result<std::vector<IndexEntry>> entries = ReadAll(**pi);
    ASSERT_TRUE(entries.ok());
    if (std::none_of(entries->begin(), entries->end(), [](const IndexEntry& e) {
          return e.HasPromotedIndex();
        })) {
      continue;
    }
    Result<Statistics> stats = LoadStatistics(c);
    ASSERT_TRUE(stats.ok() && stats->header) << stats.status().ToString();
    std::vector<CqlTypePtr> types;
    for (const std::string& name : stats->header->clustering_types) {
      Result<CqlTypePtr> t = ParseMarshalType(name);
      ASSERT_TRUE(t.ok()) << name;
      types.push_back(*t);
    }
    const std::vector<int> fixed = ClusteringFixedLengths(types);
    const ClusteringOrder order(types);
    const bool uncompressed =
        !fs::exists(c.descriptor.ComponentPath("CompressionInfo.db"));
    std::error_code ec;  // a few INCOMPLETE sets lack Data.db
    const uint64_t data_size =
        fs::file_size(c.descriptor.ComponentPath("Data.db"), ec);
    for (size_t i = 0; i < entries->size(); ++i) {
      const IndexEntry& e = (*entries)[i];
      if (!e.HasPromotedIndex()) continue;
      SCOPED_TRACE("entry " + std::to_string(i));
      EXPECT_EQ(e.promoted_index.size(), e.promoted_index_size);
      Result<PromotedIndex> idx =
          DecodePromotedIndex(ByteView(e.promoted_index), fixed, c.index_path,
                              e.promoted_index_position());
      ASSERT_TRUE(idx.ok()) << idx.status().ToString();
      ++indexed_by_set[c.rel_dir];
      ASSERT_GE(idx->blocks.size(), 2u);
      // Blocks tile the partition after its header, in clustering order.
      EXPECT_EQ(idx->blocks[0].offset, idx->header_length);
      for (size_t b = 0; b < idx->blocks.size(); ++b) {
        const IndexBlock& blk = idx->blocks[b];
        EXPECT_GT(blk.width, 0u);
        EXPECT_LE(order.Compare(blk.first, blk.last), 0) << "block " << b;
        if (b > 0) {
          const IndexBlock& prev = idx->blocks[b - 1];
          EXPECT_EQ(prev.offset + prev.width, blk.offset) << "block " << b;
          EXPECT_LT(order.Compare(prev.last, blk.first), 0) << "block " << b;
        }
      }
      const IndexBlock& last = idx->blocks.back();
      const uint64_t end = last.offset + last.width;
      if (i + 1 < entries->size()) {
        EXPECT_LE(e.data_position + end, (*entries)[i + 1].data_position);
      } else if (uncompressed && !ec) {
        EXPECT_LE(e.data_position + end, data_size);
      }
      if (c.rel_dir == "scylla-3x/uncompressed/skip_using_index_rows") {
        // expected.json notes: "17 blocks; block clustering bounds (from
        // the test comment): 0-63, 64-126, ..., 1009-1023".
        std::string notes = c.set->at("notes").dump();
        std::smatch m;
        ASSERT_TRUE(std::regex_search(notes, m,
                                      std::regex("bounds[^:]*: ([0-9, -]+)")));
        std::string bounds = m[1];
        std::regex pair("([0-9]+)-([0-9]+)");
        size_t b = 0;
        for (auto it = std::sregex_iterator(bounds.begin(), bounds.end(), pair);
             it != std::sregex_iterator(); ++it, ++b) {
          ASSERT_LT(b, idx->blocks.size());
          EXPECT_EQ(AsInt32(idx->blocks[b].first), std::stoi((*it)[1]));
          EXPECT_EQ(AsInt32(idx->blocks[b].last), std::stoi((*it)[2]));
        }
        EXPECT_EQ(b, idx->blocks.size());
        EXPECT_EQ(b, 17u);
      }
    }
  }
  EXPECT_EQ(indexed_by_set["scylla-3x/uncompressed/skip_using_index_rows"], 2u);
  // Every legacy *_clust* table has 5 partitions of 50 rows of > 1.2 KB
  // clustering keys: more than one 64 KiB index block each.
  size_t legacy = 0;
  for (const Json& s : Expected()) {
    const std::string p = s["path"].get<std::string>();
    if (p.rfind("cassandra-legacy/", 0) == 0 &&
        p.find("_clust") != std::string::npos) {
      EXPECT_EQ(indexed_by_set[p], 5u) << p;
      ++legacy;
    }
  }
  EXPECT_GT(legacy, 20u);
}

// --- Damaged files
// --------------------------------------------------------------

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("sstfs_index_test_" + std::to_string(::getpid()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void WriteFile(const fs::path& p, const std::string& bytes) {
  fs::remove(p);
  std::ofstream(p, std::ios::binary).write(bytes.data(), bytes.size());
}

// Opens, iterates and looks up `keys` in the SSTable copied into `dir`; it
// must never crash. Returns the first error (OK when everything worked).
Status Exercise(const Descriptor& d, const Partitioner& p,
                const std::vector<std::string>& keys) {
  Result<std::unique_ptr<PartitionIndex>> pi = PartitionIndex::Open(d, p);
  if (!pi.ok()) return pi.status();
  Status first;
  Result<std::vector<IndexEntry>> all = ReadAll(**pi);
  if (!all.ok()) first = all.status();
  for (const std::string& k : keys) {
    Result<std::optional<IndexEntry>> f = (*pi)->Find(ByteView(k));
    if (!f.ok() && first.ok()) first = f.status();
  }
  return first;
}

TEST(IndexCorruptionTest, DamagedCopiesFailCleanly) {
  SSTFS_REQUIRE_CORPUS();
  const std::set<std::string> chosen = {
      "cassandra-legacy/ma/legacy_tables/legacy_ma_clust",
      "cassandra-legacy/nb/legacy_tables/legacy_nb_clust",
      "scylla-3x/uncompressed/random_partitioner",
      "scylla-3x/uncompressed/skip_using_index_rows",
      "scylla-3x/uncompressed/compound_ck",
  };
  TempDir tmp;
  size_t variants = 0;
  for (const Case& c : Cases()) {
    if (!chosen.count(c.rel_dir)) continue;
    SCOPED_TRACE(c.name());
    Result<std::unique_ptr<PartitionIndex>> pi =
        PartitionIndex::Open(c.descriptor, c.partitioner);
    ASSERT_TRUE(pi.ok());
    Result<std::vector<IndexEntry>> entries = ReadAll(**pi);
    ASSERT_TRUE(entries.ok());
    std::vector<std::string> keys;
    for (const IndexEntry& e : *entries) keys.push_back(e.key);
    keys.push_back("absent");

    Descriptor copy = c.descriptor;
    copy.directory = tmp.path().string();
    const std::vector<std::string> components = {"Index.db", "Summary.db",
                                                 "Filter.db"};
    std::map<std::string, std::string> original;
    for (const std::string& comp : components) {
      std::optional<std::string> b =
          ReadFileToString(c.descriptor.ComponentPath(comp));
      if (b) original[comp] = *b;
    }
    auto restore = [&] {
      for (const std::string& comp : components) {
        fs::remove(copy.ComponentPath(comp));
        if (original.count(comp)) {
          WriteFile(copy.ComponentPath(comp), original[comp]);
        }
      }
    };
    restore();
    ASSERT_TRUE(Exercise(copy, c.partitioner, keys).ok());

    for (const auto& [comp, bytes] : original) {
      SCOPED_TRACE(comp);
      std::vector<size_t> cuts;
      for (size_t n = 0; n < bytes.size(); n += 1 + bytes.size() / 40) {
        cuts.push_back(n);
      }
      cuts.push_back(bytes.size() - 1);
      for (size_t n : cuts) {  // truncations
        restore();
        WriteFile(copy.ComponentPath(comp), bytes.substr(0, n));
        Status s = Exercise(copy, c.partitioner, keys);
        ++variants;
        if (comp != "Index.db") {
          // Summary.db and Filter.db have exact lengths.
          EXPECT_TRUE(s.IsCorruption()) << "cut " << n << ": " << s.ToString();
        } else if (!s.ok()) {
          EXPECT_TRUE(s.IsCorruption()) << "cut " << n << ": " << s.ToString();
        }
      }
      std::mt19937 rng(static_cast<uint32_t>(bytes.size()));
      for (int i = 0; i < 60; ++i) {  // bit flips
        restore();
        std::string damaged = bytes;
        size_t at = rng() % damaged.size();
        damaged[at] ^= static_cast<char>(1u << (rng() % 8));
        WriteFile(copy.ComponentPath(comp), damaged);
        Status s = Exercise(copy, c.partitioner, keys);
        ++variants;
        if (!s.ok()) {
          EXPECT_TRUE(s.IsCorruption())
              << "flip at " << at << ": " << s.ToString();
          // A flipped Summary.db position may only show up in Index.db.
          EXPECT_NE(s.message().find("-big-"), std::string::npos)
              << s.ToString();
        }
      }
    }
  }
  EXPECT_GT(variants, 500u);
}

TEST(IndexCorruptionTest, OneByteIndexIsCorruption) {
  SSTFS_REQUIRE_CORPUS();
  const std::string dir = CorpusDir() + "/malformed/empty_index";
  Result<Descriptor> d = ParseDescriptor(dir + "/mc-36-big-Index.db");
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(fs::file_size(d->ComponentPath("Index.db")), 1u);
  Result<std::unique_ptr<PartitionIndex>> pi =
      PartitionIndex::Open(*d, Partitioner());
  Status s;
  if (!pi.ok()) {
    s = pi.status();
  } else {
    s = ReadAll(**pi).status();
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    // The summary's only key: the lookup must fail cleanly, not find it.
    Result<std::optional<IndexEntry>> f = (*pi)->Find(
        (*pi)->summary() ? (*pi)->summary()->first_key() : ByteView());
    EXPECT_FALSE(f.ok() && f->has_value());
  }
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("Index.db"), std::string::npos) << s.ToString();
}

TEST(IndexCorruptionTest, DamagedPromotedIndexesFailCleanly) {
  SSTFS_REQUIRE_CORPUS();
  size_t variants = 0;
  for (const Case& c : Cases()) {
    if (c.rel_dir != "scylla-3x/uncompressed/skip_using_index_rows" &&
        c.rel_dir != "cassandra-legacy/mc/legacy_tables/legacy_mc_clust") {
      continue;
    }
    SCOPED_TRACE(c.name());
    Result<std::unique_ptr<PartitionIndex>> pi =
        PartitionIndex::Open(c.descriptor, c.partitioner);
    ASSERT_TRUE(pi.ok());
    Result<std::vector<IndexEntry>> entries = ReadAll(**pi);
    ASSERT_TRUE(entries.ok());
    Result<Statistics> stats = LoadStatistics(c);
    ASSERT_TRUE(stats.ok() && stats->header);
    std::vector<CqlTypePtr> types;
    for (const std::string& name : stats->header->clustering_types) {
      types.push_back(ParseMarshalType(name).value());
    }
    const std::vector<int> fixed = ClusteringFixedLengths(types);
    const std::string& raw = entries->front().promoted_index;
    ASSERT_FALSE(raw.empty());
    std::mt19937 rng(7);
    for (size_t n = 0; n < raw.size(); n += 1 + raw.size() / 200) {
      Result<PromotedIndex> r =
          DecodePromotedIndex(ByteView(raw).substr(0, n), fixed, "p", 0);
      EXPECT_TRUE(r.status().IsCorruption()) << "cut " << n;
      ++variants;
    }
    for (int i = 0; i < 400; ++i) {
      std::string damaged = raw;
      damaged[rng() % damaged.size()] ^= static_cast<char>(1u << (rng() % 8));
      Result<PromotedIndex> r =
          DecodePromotedIndex(ByteView(damaged), fixed, "p", 0);
      EXPECT_TRUE(r.ok() || r.status().IsCorruption());
      ++variants;
    }
  }
  EXPECT_GT(variants, 1000u);
}

TEST(IndexFileReaderTest, PromotedIndexRejectsGarbage) {
  const std::vector<int> fixed = {4};
  // Header ok, one block claimed but nothing follows.
  std::string raw;
  AppendUnsignedVInt(&raw, 3);  // header length
  raw += std::string("\x7f\xff\xff\xff\x80\0\0\0\0\0\0\0", 12);  // live
  AppendUnsignedVInt(&raw, 1);                                   // one block
  EXPECT_TRUE(DecodePromotedIndex(ByteView(raw), fixed, "f", 0)
                  .status()
                  .IsCorruption());
  // A block with a static kind byte is invalid.
  std::string bad = raw + std::string("\x03", 1) + std::string(12, '\0');
  EXPECT_TRUE(DecodePromotedIndex(ByteView(bad), fixed, "f", 0)
                  .status()
                  .IsCorruption());
  // A well-formed single block: CLUSTERING(1) .. CLUSTERING(2), offset 3,
  // width 65536 + 10, no marker, offsets table {0}.
  std::string ok = raw;
  ok += std::string("\x04\x00\x00\x00\x00\x01", 6);
  ok += std::string("\x04\x00\x00\x00\x00\x02", 6);
  AppendUnsignedVInt(&ok, 3);
  AppendVInt(&ok, 10);
  ok.push_back('\0');
  AppendU32(&ok, 0);
  Result<PromotedIndex> pi = DecodePromotedIndex(ByteView(ok), fixed, "f", 0);
  ASSERT_TRUE(pi.ok()) << pi.status().ToString();
  ASSERT_EQ(pi->blocks.size(), 1u);
  EXPECT_EQ(pi->header_length, 3u);
  EXPECT_TRUE(pi->partition_deletion.IsLive());
  EXPECT_EQ(pi->blocks[0].offset, 3u);
  EXPECT_EQ(pi->blocks[0].width, 65546u);
  EXPECT_EQ(AsInt32(pi->blocks[0].last), 2);
  // A wrong offsets table entry is detected.
  std::string wrong = ok;
  wrong.back() = 1;
  EXPECT_TRUE(DecodePromotedIndex(ByteView(wrong), fixed, "f", 0)
                  .status()
                  .IsCorruption());
}

}  // namespace
}  // namespace sstablefs::reader
