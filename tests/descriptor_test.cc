// File names (reader/descriptor.h) and TOC.txt (reader/toc.h): unit cases
// plus every set of the corpus, checked against expected.json's inventory.
#include "reader/descriptor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "reader/toc.h"
#include "tests/test_util.h"

namespace sstablefs::reader {
namespace {

namespace fs = std::filesystem;
using ::sstablefs::testing::CorpusDir;
using ::sstablefs::testing::ReadFileToString;

// --- Names
// ----------------------------------------------------------------------

TEST(DescriptorTest, ModernName) {
  Result<Descriptor> d = ParseDescriptor(
      "/data/ks1/t1-0123456789abcdef0123456789abcdef/nb-12-big-Data.db");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->version.str(), "nb");
  EXPECT_EQ(d->generation, "12");
  EXPECT_EQ(d->format, "big");
  EXPECT_FALSE(d->legacy_name);
  EXPECT_FALSE(d->temporary);
  EXPECT_EQ(d->keyspace, "ks1");
  EXPECT_EQ(d->table, "t1");
  EXPECT_EQ(d->directory, "/data/ks1/t1-0123456789abcdef0123456789abcdef");
  EXPECT_EQ(d->prefix(), "nb-12-big");
  EXPECT_EQ(d->ComponentPath("TOC.txt"),
            "/data/ks1/t1-0123456789abcdef0123456789abcdef/nb-12-big-TOC.txt");
  EXPECT_TRUE(d->IsReadable());
}

TEST(DescriptorTest, NoFolderGivesDotAndNoNames) {
  Result<Descriptor> d = ParseDescriptor("ma-3-big-Statistics.db");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->directory, ".");
  EXPECT_EQ(d->keyspace, "");
  EXPECT_EQ(d->table, "");
  EXPECT_EQ(d->ComponentPath("Data.db"), "./ma-3-big-Data.db");
  // A folder that is not <table>-<32 hex> gives no names either.
  d = ParseDescriptor("/x/legacy_tables/legacy_ma_clust/ma-1-big-Data.db");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->keyspace, "");
  EXPECT_EQ(d->table, "");
}

TEST(DescriptorTest, SnapshotsBackupsAndIndexFolders) {
  const std::string t = "/d/ks/tbl-00112233445566778899aabbccddeeff";
  for (const std::string& dir : {t, t + "/backups", t + "/snapshots/snap1"}) {
    Result<Descriptor> d = ParseDescriptor(dir + "/me-1-big-Data.db");
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->keyspace, "ks") << dir;
    EXPECT_EQ(d->table, "tbl") << dir;
  }
  Result<Descriptor> d = ParseDescriptor(t + "/.by_val/me-1-big-Data.db");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->keyspace, "ks");
  EXPECT_EQ(d->table, "tbl.by_val");
}

TEST(DescriptorTest, UuidGeneration) {
  Result<Descriptor> d =
      ParseDescriptor("me-3gsm_0lob_1zdg02we44my8dy25w-big-Index.db");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->generation, "3gsm_0lob_1zdg02we44my8dy25w");
  EXPECT_EQ(d->prefix(), "me-3gsm_0lob_1zdg02we44my8dy25w-big");
  EXPECT_EQ(ComponentOf("me-3gsm_0lob_1zdg02we44my8dy25w-big-Index.db"),
            "Index.db");
}

TEST(DescriptorTest, BtiIsRecognisedButNotReadable) {
  Result<Descriptor> d = ParseDescriptor("na-1-bti-Partitions.db");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->format, "bti");
  EXPECT_EQ(d->prefix(), "na-1-bti");
  EXPECT_FALSE(d->IsReadable());
  d = ParseDescriptor("oa-1-big-Data.db");
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->IsReadable());  // recognised, reported as unsupported
  d = ParseDescriptor("la-1-big-Data.db");
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->IsReadable());
}

TEST(DescriptorTest, LegacyNames) {
  Result<Descriptor> d = ParseDescriptor("/x/ks-test-ka-1-Statistics.db");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->legacy_name);
  EXPECT_EQ(d->keyspace, "ks");
  EXPECT_EQ(d->table, "test");
  EXPECT_EQ(d->version.str(), "ka");
  EXPECT_EQ(d->generation, "1");
  EXPECT_EQ(d->format, "big");
  EXPECT_EQ(d->prefix(), "ks-test-ka-1");
  EXPECT_EQ(d->ComponentPath("Data.db"), "/x/ks-test-ka-1-Data.db");
  EXPECT_FALSE(d->IsReadable());
  EXPECT_EQ(ComponentOf("ks-test-ka-1-Statistics.db"), "Statistics.db");
}

TEST(DescriptorTest, TemporaryPrefixes) {
  Result<Descriptor> d = ParseDescriptor("tmp-nb-2-big-Data.db");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->temporary);
  EXPECT_EQ(d->version.str(), "nb");
  EXPECT_EQ(d->prefix(), "tmp-nb-2-big");
  d = ParseDescriptor("tmplink-mc-7-big-Index.db");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->temporary);
  EXPECT_EQ(d->prefix(), "tmplink-mc-7-big");
  d = ParseDescriptor("ks-t-tmp-ka-3-Data.db");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->temporary);
  EXPECT_TRUE(d->legacy_name);
  EXPECT_EQ(d->keyspace, "ks");
  EXPECT_EQ(d->prefix(), "ks-t-tmp-ka-3");
}

TEST(DescriptorTest, RejectsOtherNames) {
  for (const char* name :
       {"README.md", "nb-1-Data.db", "nb-x-big-Data.db", "nb-1-big-",
        "nb-1-foo-Data.db", "NB-1-big-Data.db", "", "/a/b/", "manifest.json",
        "schema.cql", "nb-1-big", "nb-1_2-big-Data.db"}) {
    Result<Descriptor> d = ParseDescriptor(name);
    EXPECT_FALSE(d.ok()) << name;
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument) << name;
    }
    EXPECT_EQ(ComponentOf(name), "") << name;
  }
}

TEST(DescriptorTest, ComponentsWithDashes) {
  // Component names may contain '-' (e.g. custom/index components).
  EXPECT_EQ(ComponentOf("nb-1-big-SI_my-index.db"), "SI_my-index.db");
  EXPECT_EQ(ComponentOf("/some/dir/nb-1-big-Digest.crc32"), "Digest.crc32");
}

// --- TOC.txt
// --------------------------------------------------------------------

TEST(TocTest, ParsesLinesAndIgnoresBlankAndCr) {
  Result<std::vector<std::string>> toc = ParseToc(
      ByteView(std::string_view("Data.db\r\n\nIndex.db\nTOC.txt")), "t");
  ASSERT_TRUE(toc.ok()) << toc.status().ToString();
  EXPECT_EQ(*toc, (std::vector<std::string>{"Data.db", "Index.db", "TOC.txt"}));
}

TEST(TocTest, RejectsEmptyAndImplausible) {
  for (std::string_view bad :
       {std::string_view(""), std::string_view("\n\n"),
        std::string_view("Data.db\nStatis\n"),
        std::string_view("Data.db\n\x01\x02.db\n"),
        std::string_view("Data.db\n../../etc/passwd\n")}) {
    Result<std::vector<std::string>> toc = ParseToc(ByteView(bad), "x-TOC.txt");
    ASSERT_FALSE(toc.ok()) << bad;
    EXPECT_TRUE(toc.status().IsCorruption());
    EXPECT_NE(toc.status().message().find("x-TOC.txt"), std::string::npos);
  }
}

TEST(TocTest, KnownComponents) {
  for (const char* c :
       {"Data.db", "Index.db", "Filter.db", "CompressionInfo.db",
        "Statistics.db", "Digest.crc32", "Digest.sha1", "Digest.adler32",
        "CRC.db", "Summary.db", "TOC.txt", "Partitions.db", "Rows.db",
        "Scylla.db", "SI_idx.db", "SAI+aa+ks+t+idx+Meta.db"}) {
    EXPECT_TRUE(IsKnownComponent(c)) << c;
  }
  for (const char* c : {"UNRECOGNIZED.txt", "Statis", "data.db", ""}) {
    EXPECT_FALSE(IsKnownComponent(c)) << c;
  }
}

TEST(TocTest, CompareFindings) {
  std::vector<std::string> findings =
      CompareTocWithFiles({"Data.db", "Filter.db", "Odd.txt", "Data.db"},
                          {"Data.db", "Scylla.db", "Odd.txt"}, "nb-1-big");
  EXPECT_EQ(findings, (std::vector<std::string>{
                          "nb-1-big-Filter.db: listed in TOC.txt but missing",
                          "nb-1-big-Odd.txt: listed in TOC.txt but not a known "
                          "component",
                          "nb-1-big-Data.db: listed twice in TOC.txt",
                          "nb-1-big-Scylla.db: present but not listed in "
                          "TOC.txt",
                      }));
  EXPECT_TRUE(CompareTocWithFiles({"Data.db"}, {"Data.db"}, "p").empty());
}

// --- The corpus
// -------------------------------------------------------------------

nlohmann::json LoadExpected() {
  std::optional<std::string> text =
      ReadFileToString(CorpusDir() + "/expected.json");
  return text ? nlohmann::json::parse(*text) : nlohmann::json::array();
}

std::vector<std::string> Strings(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key) && j[key].is_array()) {
    for (const auto& s : j[key]) out.push_back(s.get<std::string>());
  }
  return out;
}

// ListSSTables on every folder of every set finds exactly the sstables of
// expected.json's inventory, with their version, generation and format.
TEST(DescriptorCorpusTest, ListSSTablesMatchesInventory) {
  SSTFS_REQUIRE_CORPUS();
  nlohmann::json expected = LoadExpected();
  ASSERT_GT(expected.size(), 100u);
  int sstables = 0;
  for (const auto& set : expected) {
    if (!set.contains("sstables") || !set["sstables"].is_array()) continue;
    const std::string root = CorpusDir() + "/" + set["path"].get<std::string>();
    std::map<std::string, std::set<std::string>> want;  // dir -> prefixes
    for (const auto& t : set["sstables"]) {
      want[t["dir"].get<std::string>()].insert(t["prefix"].get<std::string>());
    }
    for (const auto& [dir, prefixes] : want) {
      const std::string folder = dir == "." ? root : root + "/" + dir;
      SCOPED_TRACE(folder);
      Result<std::vector<Descriptor>> list = ListSSTables(folder);
      ASSERT_TRUE(list.ok()) << list.status().ToString();
      std::set<std::string> got;
      for (const Descriptor& d : *list) got.insert(d.prefix());
      EXPECT_EQ(got, prefixes);
      // Sorted by version, then generation.
      for (size_t i = 1; i < list->size(); ++i) {
        EXPECT_LE((*list)[i - 1].version, (*list)[i].version);
      }
    }
    for (const auto& t : set["sstables"]) {
      const std::string dir = t["dir"].get<std::string>();
      const std::string folder = dir == "." ? root : root + "/" + dir;
      const std::string prefix = t["prefix"].get<std::string>();
      SCOPED_TRACE(folder + "/" + prefix);
      std::vector<std::string> components = Strings(t, "components");
      ASSERT_FALSE(components.empty());
      for (const std::string& c : components) {
        std::string name = prefix + "-" + c;
        EXPECT_EQ(ComponentOf(name), c);
        Result<Descriptor> d = ParseDescriptor(folder + "/" + name);
        ASSERT_TRUE(d.ok()) << d.status().ToString();
        EXPECT_EQ(d->prefix(), prefix);
        EXPECT_EQ(d->version.str(), t["format"].get<std::string>());
        EXPECT_EQ(d->generation, t["generation"].get<std::string>());
        // "big", "bti" or "big (pre-3.0 file naming)".
        std::string format_type = t["format_type"].get<std::string>();
        EXPECT_EQ(d->format, format_type.substr(0, format_type.find(' ')));
        EXPECT_EQ(d->legacy_name,
                  format_type.find("pre-3.0") != std::string::npos);
        EXPECT_EQ(d->ComponentPath(c), folder + "/" + name);
        EXPECT_EQ(d->IsReadable(),
                  d->format == "big" && IsSupportedBigVersion(d->version));
      }
      ++sstables;
    }
  }
  EXPECT_GT(sstables, 150);
}

// Folder names: the sets shaped <ks>/<table>-<32 hex> give keyspace and
// table; the legacy ks-test-ka-1 name gives them from the name.
TEST(DescriptorCorpusTest, KeyspaceAndTableFromFolders) {
  SSTFS_REQUIRE_CORPUS();
  const std::string base = CorpusDir() +
                           "/scylla-misc/cassandra_static_compact/ks/"
                           "cf-1c6ace40fad111e7b9cf000000000002";
  Result<std::vector<Descriptor>> list = ListSSTables(base);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_FALSE(list->empty());
  for (const Descriptor& d : *list) {
    EXPECT_EQ(d.keyspace, "ks");
    EXPECT_EQ(d.table, "cf");
  }
  const std::string broken =
      CorpusDir() +
      "/malformed/broken_non_compound_pi_and_range_tombstone/ks/"
      "test-1c6ace40fad111e7b9cf000000000002";
  list = ListSSTables(broken);
  ASSERT_TRUE(list.ok());
  int legacy = 0;
  for (const Descriptor& d : *list) {
    EXPECT_EQ(d.keyspace, "ks");
    EXPECT_EQ(d.table, "test");
    legacy += d.legacy_name;
  }
  EXPECT_EQ(legacy, 1);
  EXPECT_TRUE(ListSSTables(CorpusDir() + "/no/such/folder").status().code() ==
              StatusCode::kIoError);
}

// Every TOC.txt of the corpus: parsed lines equal expected.json's "toc",
// and the findings name exactly the components expected.json lists as
// absent or unlisted. The broken TOCs of malformed/badtoc fail cleanly.
TEST(TocCorpusTest, EveryTocAgainstInventory) {
  SSTFS_REQUIRE_CORPUS();
  nlohmann::json expected = LoadExpected();
  int parsed = 0, rejected = 0;
  for (const auto& set : expected) {
    if (!set.contains("sstables") || !set["sstables"].is_array()) continue;
    const std::string root = CorpusDir() + "/" + set["path"].get<std::string>();
    for (const auto& t : set["sstables"]) {
      const std::string dir = t["dir"].get<std::string>();
      const std::string folder = dir == "." ? root : root + "/" + dir;
      const std::string prefix = t["prefix"].get<std::string>();
      const std::string toc_path = folder + "/" + prefix + "-TOC.txt";
      std::optional<std::string> bytes = ReadFileToString(toc_path);
      if (!bytes) continue;  // the write_* sets without TOC.txt
      SCOPED_TRACE(toc_path);
      std::vector<std::string> listed = Strings(t, "toc");
      Result<std::vector<std::string>> toc =
          ParseToc(ByteView(*bytes), toc_path);
      bool implausible =
          std::any_of(listed.begin(), listed.end(), [](const std::string& c) {
            return c.find('.') == std::string::npos;
          });
      if (listed.empty() || implausible) {
        // la-1 (empty) and la-3 (cut short at "Statis").
        ASSERT_FALSE(toc.ok());
        EXPECT_TRUE(toc.status().IsCorruption());
        EXPECT_NE(toc.status().message().find(toc_path), std::string::npos);
        ++rejected;
        continue;
      }
      ASSERT_TRUE(toc.ok()) << toc.status().ToString();
      EXPECT_EQ(*toc, listed);
      ++parsed;

      std::vector<std::string> findings =
          CompareTocWithFiles(*toc, Strings(t, "components"), prefix);
      std::set<std::string> want;
      for (const std::string& c : Strings(t, "listed_in_toc_but_absent")) {
        want.insert(prefix + "-" + c + ": listed in TOC.txt but missing");
      }
      for (const std::string& c : Strings(t, "present_but_not_in_toc")) {
        want.insert(prefix + "-" + c + ": present but not listed in TOC.txt");
      }
      for (const std::string& c : listed) {
        if (!IsKnownComponent(c)) {
          want.insert(prefix + "-" + c +
                      ": listed in TOC.txt but not a known component");
        }
      }
      EXPECT_EQ(std::set<std::string>(findings.begin(), findings.end()), want);
    }
  }
  EXPECT_GT(parsed, 130);
  EXPECT_EQ(rejected, 2);
}

TEST(TocCorpusTest, BadTocUnknownComponentIsAFinding) {
  SSTFS_REQUIRE_CORPUS();
  const std::string path = CorpusDir() + "/malformed/badtoc/la-2-big-TOC.txt";
  std::optional<std::string> bytes = ReadFileToString(path);
  ASSERT_TRUE(bytes.has_value());
  Result<std::vector<std::string>> toc = ParseToc(ByteView(*bytes), path);
  ASSERT_TRUE(toc.ok()) << toc.status().ToString();
  std::vector<std::string> findings =
      CompareTocWithFiles(*toc, {"TOC.txt"}, "la-2-big");
  EXPECT_NE(std::find(findings.begin(), findings.end(),
                      "la-2-big-UNRECOGNIZED.txt: listed in TOC.txt but not a "
                      "known component"),
            findings.end());
}

}  // namespace
}  // namespace sstablefs::reader
