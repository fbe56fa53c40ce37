// Source layout: data directory / keyspace / table folder listings over a
// temporary tree of empty files with real descriptor names, and over the
// corpus folders (scylla-misc/<set>/<ks>/<table>-<id>/, cassandra-legacy's
// <version>/legacy_tables/<table>/), checked against expected.json.
#include "reader/source_layout.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace sstablefs::reader {
namespace {

namespace fs = std::filesystem;
using ::sstablefs::testing::CorpusDir;
using ::sstablefs::testing::ReadFileToString;

constexpr char kId1[] = "0123456789abcdef0123456789abcdef";
constexpr char kId2[] = "fedcba9876543210fedcba9876543210";
constexpr char kId3[] = "1c6ace40fad111e7b9cf000000000002";

class SourceLayoutTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sstfs_layout_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(root_, fs::perms::owner_all, fs::perm_options::add, ec);
    for (auto& p : fs::recursive_directory_iterator(root_, ec)) {
      fs::permissions(p.path(), fs::perms::owner_all, fs::perm_options::add,
                      ec);
    }
    fs::remove_all(root_, ec);
  }
  // Creates the empty file `rel` (and its folders) under the root.
  void Touch(const std::string& rel) {
    fs::path p = fs::path(root_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p.string()).put('\0');
  }
  void Mkdir(const std::string& rel) {
    fs::create_directories(fs::path(root_) / rel);
  }
  std::string Path(const std::string& rel) const { return root_ + "/" + rel; }

  // A data directory: ks1 with a dropped-and-recreated table t, a table u
  // without SSTables, a plain (id-less) table folder and a folder that is no
  // table; ks2 with one table; a folder that is no keyspace; a hidden one.
  void BuildDataDir() {
    const std::string t1 = std::string("data/ks1/t-") + kId1 + "/";
    for (const char* f :
         {"nb-1-big-Data.db", "nb-1-big-TOC.txt", "nb-1-big-Index.db",
          "nb-2-big-Data.db", "nb-10-big-Data.db", "nb-10-big-Statistics.db",
          "me-3gsm_0lob_1zdg02we44my8dy25w-big-Data.db", "na-4-bti-Data.db",
          "nb-5-big-TOC.txt",                         // TOC only: listed
          "nb-6-big-Index.db", "nb-6-big-Filter.db",  // neither: not listed
          "tmp-nb-7-big-Data.db", "tmplink-nb-8-big-Data.db", "notes.txt"}) {
      Touch(t1 + f);
    }
    Touch(t1 + "snapshots/snap1/nb-1-big-Data.db");
    Touch(t1 + "snapshots/snap1/manifest.json");
    Touch(t1 + "snapshots/snap1/schema.cql");
    Touch(t1 + "snapshots/dropped-1700000000000-t/nb-1-big-Data.db");
    Touch(t1 + "backups/nb-9-big-Data.db");
    Touch(t1 + ".t_idx/nb-1-big-Data.db");
    Touch(std::string("data/ks1/t-") + kId2 + "/nb-1-big-Data.db");
    Mkdir(std::string("data/ks1/u-") + kId3);
    Touch("data/ks1/plain/nb-3-big-Data.db");
    Touch("data/ks1/notatable/readme.txt");
    Touch(std::string("data/ks1/.hidden-") + kId1 + "/nb-1-big-Data.db");
    Touch(std::string("data/ks2/v-") + kId3 + "/mc-1-big-Data.db");
    Touch("data/empty/readme.txt");
    Touch(std::string("data/.trash/x-") + kId1 + "/nb-1-big-Data.db");
  }

  std::string root_;
};

std::vector<std::string> Prefixes(const SSTableFolder& f) {
  std::vector<std::string> out;
  for (const Descriptor& d : f.sstables) out.push_back(d.prefix());
  return out;
}

TEST(SourceLayoutTest, ParseTableFolderName) {
  std::string table, id;
  EXPECT_TRUE(
      ParseTableFolderName(std::string("my_table-") + kId1, &table, &id));
  EXPECT_EQ(table, "my_table");
  EXPECT_EQ(id, kId1);
  // The id is the last 32 hex digits after the last '-'.
  EXPECT_FALSE(ParseTableFolderName("t", &table, &id));
  EXPECT_FALSE(ParseTableFolderName(std::string("-") + kId1, &table, &id));
  EXPECT_FALSE(ParseTableFolderName("t-0123456789abcdef", &table, &id));
  EXPECT_FALSE(
      ParseTableFolderName(std::string("t-") + kId1 + "0", &table, &id));
  EXPECT_FALSE(
      ParseTableFolderName("t-0123456789abcdef0123456789abcdeg", &table, &id));
  EXPECT_FALSE(ParseTableFolderName(std::string("a.b-") + kId1, &table, &id));
  EXPECT_FALSE(ParseTableFolderName(std::string(".idx-") + kId1, &table, &id));
}

TEST_F(SourceLayoutTreeTest, ListKeyspacesShowsFoldersHoldingTables) {
  BuildDataDir();
  Result<std::vector<KeyspaceFolder>> ks = ListKeyspaces(Path("data"));
  ASSERT_TRUE(ks.ok()) << ks.status().ToString();
  ASSERT_EQ(ks->size(), 2u);
  EXPECT_EQ((*ks)[0].name, "ks1");
  EXPECT_EQ((*ks)[0].path, Path("data/ks1"));
  EXPECT_TRUE((*ks)[0].tables.empty());
  EXPECT_EQ((*ks)[1].name, "ks2");
  Result<SourceKind> kind = DetectSource(Path("data"));
  ASSERT_TRUE(kind.ok());
  EXPECT_EQ(*kind, SourceKind::kDataDirectory);
}

TEST_F(SourceLayoutTreeTest, ListTablesResolvesDuplicateNames) {
  BuildDataDir();
  Result<std::vector<TableFolder>> tables = ListTables(Path("data/ks1"), "ks1");
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  std::vector<std::string> names;
  for (const TableFolder& t : *tables) names.push_back(t.display_name);
  // Sorted bytewise; both copies of t carry their id; u has no SSTables but
  // is a table; "plain" holds SSTables without an id in its name.
  EXPECT_EQ(names, (std::vector<std::string>{"plain", std::string("t-") + kId1,
                                             std::string("t-") + kId2, "u"}));
  for (const TableFolder& t : *tables) {
    EXPECT_EQ(t.keyspace, "ks1");
    if (t.display_name == "plain") {
      EXPECT_EQ(t.table, "plain");
      EXPECT_EQ(t.id, "");
      EXPECT_EQ(Prefixes(t.live), std::vector<std::string>{"nb-3-big"});
    } else if (t.display_name == "u") {
      EXPECT_EQ(t.table, "u");
      EXPECT_EQ(t.id, kId3);
      EXPECT_TRUE(t.live.sstables.empty());
    } else {
      EXPECT_EQ(t.table, "t");
      EXPECT_EQ(t.path, Path("data/ks1/" + t.display_name));
    }
  }
  Result<std::vector<TableFolder>> ks2 = ListTables(Path("data/ks2"), "ks2");
  ASSERT_TRUE(ks2.ok());
  ASSERT_EQ(ks2->size(), 1u);
  EXPECT_EQ((*ks2)[0].display_name, "v");  // unique: the bare name
  EXPECT_EQ((*ks2)[0].id, kId3);
}

TEST_F(SourceLayoutTreeTest, ScanTableFolderFindsEverything) {
  BuildDataDir();
  const std::string dir = Path(std::string("data/ks1/t-") + kId1);
  Result<TableFolder> t = ScanTableFolder(dir, "ks1");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->table, "t");
  EXPECT_EQ(t->id, kId1);
  EXPECT_EQ(t->display_name, "t");
  // Generation order (numeric, then UUID-style); temporary and
  // Data/TOC-less SSTables left out; bti listed (the caller decides).
  EXPECT_EQ(Prefixes(t->live),
            (std::vector<std::string>{"nb-1-big", "nb-2-big", "na-4-bti",
                                      "nb-5-big", "nb-10-big",
                                      "me-3gsm_0lob_1zdg02we44my8dy25w-big"}));
  for (const Descriptor& d : t->live.sstables) {
    EXPECT_EQ(d.keyspace, "ks1");
    EXPECT_EQ(d.table, "t");
    EXPECT_EQ(d.directory, dir);
    EXPECT_FALSE(d.temporary);
  }
  ASSERT_EQ(t->snapshots.size(), 2u);
  EXPECT_EQ(t->snapshots[0].name, "dropped-1700000000000-t");
  EXPECT_EQ(t->snapshots[0].schema_cql_path, "");
  EXPECT_EQ(t->snapshots[1].name, "snap1");
  EXPECT_EQ(t->snapshots[1].schema_cql_path,
            dir + "/snapshots/snap1/schema.cql");
  EXPECT_EQ(Prefixes(t->snapshots[1].folder),
            std::vector<std::string>{"nb-1-big"});
  EXPECT_EQ(t->snapshots[1].folder.sstables[0].table, "t");
  ASSERT_TRUE(t->backups.has_value());
  EXPECT_EQ(Prefixes(*t->backups), std::vector<std::string>{"nb-9-big"});
  ASSERT_EQ(t->indexes.size(), 1u);
  EXPECT_EQ(t->indexes[0].name, ".t_idx");
  EXPECT_EQ(Prefixes(t->indexes[0].folder),
            std::vector<std::string>{"nb-1-big"});
  // The same table reached with a trailing slash.
  Result<TableFolder> slash = ScanTableFolder(dir + "/", "");
  ASSERT_TRUE(slash.ok());
  EXPECT_EQ(slash->table, "t");
  EXPECT_EQ(slash->keyspace, "");

  Result<SourceKind> kind = DetectSource(dir);
  ASSERT_TRUE(kind.ok());
  EXPECT_EQ(*kind, SourceKind::kTable);
}

TEST_F(SourceLayoutTreeTest, LooseFolderAndErrors) {
  Touch("loose/nb-1-big-Data.db");
  Touch("loose/nb-2-big-TOC.txt");
  Result<SSTableFolder> f = ScanSSTableFolder(Path("loose"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(Prefixes(*f), (std::vector<std::string>{"nb-1-big", "nb-2-big"}));
  EXPECT_EQ(f->error, "");
  Result<TableFolder> t = ScanTableFolder(Path("loose"), "");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->table, "");  // not a <table>-<id> folder
  EXPECT_EQ(t->display_name, "loose");

  for (auto r : {ScanSSTableFolder(Path("missing")).status(),
                 ScanTableFolder(Path("missing"), "").status(),
                 ListTables(Path("missing"), "").status(),
                 ListKeyspaces(Path("missing")).status()}) {
    EXPECT_EQ(r.code(), StatusCode::kIoError);
    EXPECT_NE(r.message().find(Path("missing")), std::string::npos)
        << r.ToString();
  }
  // An empty folder lists nothing (not an error).
  Mkdir("empty");
  Result<std::vector<KeyspaceFolder>> none = ListKeyspaces(Path("empty"));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// An unlistable snapshot keeps the table listable, with the error on that
// snapshot. Root lists anything, so as root the check runs in a child process
// that drops to user nobody.
int CheckUnlistableSnapshot(const std::string& dir) {
  Result<TableFolder> t = ScanTableFolder(dir, "ks1");
  if (!t.ok()) return 10;
  if (t->snapshots.size() != 2) return 11;
  if (!t->snapshots[1].folder.sstables.empty()) return 12;
  if (t->snapshots[1].folder.error.find("snap1") == std::string::npos) {
    return 13;
  }
  if (t->live.sstables.size() != 6) return 14;
  return 0;
}

TEST_F(SourceLayoutTreeTest, UnlistableSnapshotKeepsTheTable) {
  BuildDataDir();
  const std::string dir = Path(std::string("data/ks1/t-") + kId1);
  ASSERT_EQ(chmod((dir + "/snapshots/snap1").c_str(), 0), 0);
  if (geteuid() != 0) {
    EXPECT_EQ(CheckUnlistableSnapshot(dir), 0);
    return;
  }
  // Let nobody reach the tree (mkdtemp made the root 0700).
  ASSERT_EQ(chmod(root_.c_str(), 0755), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(20);
    _exit(CheckUnlistableSnapshot(dir));
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "10: scan failed, 11: snapshot count, 12: SSTables listed, 13: no "
         "error, 14: live SSTables, 20: cannot become nobody";
}

// --- Corpus ----------------------------------------------------------------

bool IsDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), ::isdigit);
}

// The SSTables expected.json lists for a set, in generation order.
std::vector<std::string> ExpectedPrefixes(const nlohmann::json& set) {
  struct S {
    std::string gen, prefix;
  };
  std::vector<S> v;
  for (const auto& s : set["sstables"]) {
    std::set<std::string> comps;
    for (const auto& c : s["components"]) comps.insert(c.get<std::string>());
    if (!comps.count("Data.db") && !comps.count("TOC.txt")) continue;
    if (s.value("dir", ".") != ".") continue;
    v.push_back(
        {s["generation"].get<std::string>(), s["prefix"].get<std::string>()});
  }
  std::stable_sort(v.begin(), v.end(), [](const S& a, const S& b) {
    bool an = IsDigits(a.gen), bn = IsDigits(b.gen);
    if (an != bn) return an;
    if (an && a.gen.size() != b.gen.size()) return a.gen.size() < b.gen.size();
    if (a.gen != b.gen) return a.gen < b.gen;
    return a.prefix < b.prefix;
  });
  std::vector<std::string> out;
  for (const S& s : v) out.push_back(s.prefix);
  return out;
}

TEST(SourceLayoutCorpusTest, EverySetFolderListsItsSSTables) {
  SSTFS_REQUIRE_CORPUS();
  std::optional<std::string> text =
      ReadFileToString(CorpusDir() + "/expected.json");
  ASSERT_TRUE(text.has_value());
  int checked = 0;
  for (const nlohmann::json& set : nlohmann::json::parse(*text)) {
    const std::string rel = set["path"].get<std::string>();
    SCOPED_TRACE(rel);
    const std::string dir = CorpusDir() + "/" + rel;
    Result<SSTableFolder> f = ScanSSTableFolder(dir);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_EQ(Prefixes(*f), ExpectedPrefixes(set));
    ++checked;
  }
  EXPECT_GT(checked, 100);
}

TEST(SourceLayoutCorpusTest, ScyllaMiscKeyspaceAndTableFolders) {
  SSTFS_REQUIRE_CORPUS();
  // scylla-misc/<set>/<ks>/<table>-<id>/ : the <set> folder is a data
  // directory with one keyspace holding one table.
  int checked = 0;
  for (const auto& set : fs::directory_iterator(CorpusDir() + "/scylla-misc")) {
    if (!set.is_directory()) continue;
    std::vector<fs::path> ks_dirs;
    for (const auto& e : fs::directory_iterator(set.path())) {
      if (e.is_directory()) ks_dirs.push_back(e.path());
    }
    if (ks_dirs.size() != 1) continue;  // a loose set (mixed_generation_type)
    SCOPED_TRACE(set.path().string());
    const std::string ks_name = ks_dirs[0].filename().string();
    Result<std::vector<KeyspaceFolder>> ks = ListKeyspaces(set.path().string());
    ASSERT_TRUE(ks.ok()) << ks.status().ToString();
    ASSERT_EQ(ks->size(), 1u);
    EXPECT_EQ((*ks)[0].name, ks_name);
    Result<std::vector<TableFolder>> tables =
        ListTables((*ks)[0].path, ks_name);
    ASSERT_TRUE(tables.ok()) << tables.status().ToString();
    ASSERT_EQ(tables->size(), 1u);
    const TableFolder& t = (*tables)[0];
    std::string folder;
    for (const auto& e : fs::directory_iterator(ks_dirs[0])) {
      folder = e.path().filename().string();
    }
    size_t dash = folder.rfind('-');
    EXPECT_EQ(t.table, folder.substr(0, dash));
    EXPECT_EQ(t.id, folder.substr(dash + 1));
    EXPECT_EQ(t.display_name, t.table);
    EXPECT_EQ(t.keyspace, ks_name);
    EXPECT_FALSE(t.live.sstables.empty());
    for (const Descriptor& d : t.live.sstables) {
      EXPECT_EQ(d.keyspace, ks_name);
      EXPECT_EQ(d.table, t.table);
    }
    EXPECT_TRUE(t.snapshots.empty());
    EXPECT_FALSE(t.backups.has_value());
    Result<SourceKind> kind = DetectSource(set.path().string());
    ASSERT_TRUE(kind.ok());
    EXPECT_EQ(*kind, SourceKind::kDataDirectory);
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST(SourceLayoutCorpusTest, LegacyKeyspaceOfPlainTableFolders) {
  SSTFS_REQUIRE_CORPUS();
  // cassandra-legacy/<version>/legacy_tables/<table>/ : table folders without
  // ids (the upstream test-data shape).
  const std::string ks_dir = CorpusDir() + "/cassandra-legacy/nb/legacy_tables";
  Result<std::vector<TableFolder>> tables = ListTables(ks_dir, "legacy_tables");
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  std::set<std::string> want;
  for (const auto& e : fs::directory_iterator(ks_dir)) {
    want.insert(e.path().filename().string());
  }
  std::set<std::string> got;
  for (const TableFolder& t : *tables) {
    got.insert(t.display_name);
    EXPECT_EQ(t.table, t.display_name);
    EXPECT_EQ(t.id, "");
    EXPECT_FALSE(t.live.sstables.empty()) << t.path;
  }
  EXPECT_EQ(got, want);
  Result<std::vector<KeyspaceFolder>> ks =
      ListKeyspaces(CorpusDir() + "/cassandra-legacy/nb");
  ASSERT_TRUE(ks.ok());
  ASSERT_EQ(ks->size(), 1u);
  EXPECT_EQ((*ks)[0].name, "legacy_tables");
}

}  // namespace
}  // namespace sstablefs::reader
