// The mount's virtual tree (fs/tree.h) exercised without FUSE, through the
// vtree interface only: walk, lookup, read whole files and ranges through
// FileHandles, compare sizes with content. Over the example data (every
// SOURCE kind built from it) and over every corpus set (each mounted as the
// folder it is), comparing the generated files with what the reader library
// produces directly and with the files on disk.
#include "fs/tree.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "fs/docs_tree.h"
#include "fs/mount_context.h"
#include "fs/tree_internal.h"
#include "fs/vtree.h"
#include "reader/descriptor.h"
#include "reader/dump_json.h"
#include "reader/partition_name.h"
#include "reader/row_renderer.h"
#include "reader/schema.h"
#include "reader/sstable.h"
#include "reader/table.h"
#include "tests/dump_cli_util.h"
#include "tests/test_util.h"
#include "writer/sstable_writer.h"
#include "writer/system_schema_writer.h"

namespace sstablefs {
namespace {

namespace stdfs = std::filesystem;
using fs::DirEntry;
using fs::Node;
using reader::Result;
using reader::Status;
using reader::StatusCode;

constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z

// One mount: its context and root. The root goes first (background size
// passes hold nodes; the context's destructor stops them).
struct Mount {
  std::unique_ptr<fs::MountContext> ctx;
  std::shared_ptr<Node> root;
  ~Mount() {
    root.reset();
    if (ctx) ctx->Shutdown();
  }
};

std::unique_ptr<Mount> MountSource(const std::string& source,
                                   std::vector<std::string> schema_files = {}) {
  fs::MountOptions o;
  o.source = source;
  o.mountpoint = "/nonexistent";
  o.now_seconds = kNow;
  o.cache_dir = "";  // sizes in memory only
  o.schema_files = std::move(schema_files);
  auto m = std::make_unique<Mount>();
  m->ctx = std::make_unique<fs::MountContext>(o);
  Result<std::shared_ptr<Node>> root = fs::BuildRoot(m->ctx.get());
  EXPECT_TRUE(root.ok()) << source << ": " << root.status().ToString();
  if (root.ok()) m->root = *root;
  return m;
}

std::vector<DirEntry> List(Node* dir) {
  std::vector<DirEntry> out;
  Result<std::unique_ptr<fs::DirCursor>> c = dir->OpenDir();
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return out;
  DirEntry e;
  while (true) {
    Result<bool> more = (*c)->Next(&e);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    out.push_back(e);
  }
  return out;
}

std::vector<std::string> Names(Node* dir) {
  std::vector<std::string> out;
  for (const DirEntry& e : List(dir)) out.push_back(e.name);
  return out;
}

// Follows a '/'-separated path from `node`.
Result<std::shared_ptr<Node>> Resolve(std::shared_ptr<Node> node,
                                      const std::string& path) {
  size_t pos = 0;
  while (pos < path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string::npos) end = path.size();
    SSTFS_ASSIGN_OR_RETURN(node, node->Lookup(path.substr(pos, end - pos)));
    pos = end + 1;
  }
  return node;
}

// Reads a whole file through a handle in 64 KiB reads, checking that the
// size GetAttr reports is the number of bytes read.
Result<std::string> ReadWhole(Node* file) {
  SSTFS_ASSIGN_OR_RETURN(fs::NodeAttr attr, file->GetAttr());
  SSTFS_ASSIGN_OR_RETURN(std::unique_ptr<fs::FileHandle> h, file->Open());
  std::string out;
  constexpr size_t kChunk = 65536;
  while (true) {
    const size_t at = out.size();
    out.resize(at + kChunk);
    SSTFS_ASSIGN_OR_RETURN(size_t n, h->Read(at, kChunk, out.data() + at));
    out.resize(at + n);
    if (n < kChunk) break;
  }
  EXPECT_EQ(attr.size, out.size()) << "GetAttr size differs from content";
  return out;
}

Result<std::string> ReadPath(const std::shared_ptr<Node>& root,
                             const std::string& path) {
  SSTFS_ASSIGN_OR_RETURN(std::shared_ptr<Node> n, Resolve(root, path));
  return ReadWhole(n.get());
}

std::string MustRead(const std::shared_ptr<Node>& root,
                     const std::string& path) {
  Result<std::string> r = ReadPath(root, path);
  EXPECT_TRUE(r.ok()) << path << ": " << r.status().ToString();
  return r.ok() ? *r : std::string();
}

// Reads `size` bytes at `offset` through a fresh handle.
std::string ReadRange(Node* file, uint64_t offset, size_t size) {
  Result<std::unique_ptr<fs::FileHandle>> h = file->Open();
  EXPECT_TRUE(h.ok());
  if (!h.ok()) return "";
  std::string out(size, '\0');
  Result<size_t> n = (*h)->Read(offset, size, out.data());
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  out.resize(n.ok() ? *n : 0);
  return out;
}

std::string Slurp(const std::string& path) {
  std::optional<std::string> s = testing::ReadFileToString(path);
  EXPECT_TRUE(s.has_value()) << path;
  return s.value_or("");
}

// Walks everything under `dir` except partitions/ (checked separately):
// every listed name resolves, every file reads with its exact size.
void WalkAll(const std::shared_ptr<Node>& dir, const std::string& path,
             int* files) {
  for (const DirEntry& e : List(dir.get())) {
    SCOPED_TRACE(path + "/" + e.name);
    Result<std::shared_ptr<Node>> child = dir->Lookup(e.name);
    ASSERT_TRUE(child.ok()) << child.status().ToString();
    EXPECT_EQ((*child)->is_dir(), e.is_dir);
    Result<fs::NodeAttr> attr = (*child)->GetAttr();
    ASSERT_TRUE(attr.ok()) << attr.status().ToString();
    EXPECT_EQ(attr->mode & 0222, 0u) << "write bits must be removed";
    if (e.is_dir) {
      if (e.name != "partitions") WalkAll(*child, path + "/" + e.name, files);
    } else {
      Result<std::string> content = ReadWhole(child->get());
      EXPECT_TRUE(content.ok()) << content.status().ToString();
      ++*files;
    }
  }
}

// --- The reader library's own view of a folder of SSTables ----------------

struct Direct {
  std::vector<std::shared_ptr<reader::SSTable>> sstables;
  std::shared_ptr<const reader::Table> table;
};

Direct OpenDirect(const std::string& folder,
                  const reader::TableSchema* schema) {
  Direct d;
  Result<std::vector<reader::Descriptor>> ds = reader::ListSSTables(folder);
  EXPECT_TRUE(ds.ok());
  if (!ds.ok()) return d;
  std::vector<const reader::Columns*> headers;
  for (const reader::Descriptor& desc : *ds) {
    if (desc.temporary) continue;
    Result<std::shared_ptr<reader::SSTable>> s =
        reader::SSTable::Open(desc.ComponentPath("Data.db"), nullptr);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return d;
    headers.push_back(&(*s)->columns());
    d.sstables.push_back(*s);
  }
  std::vector<std::string> warnings;
  reader::TableSchema sch =
      schema != nullptr
          ? *schema
          : reader::ResolveTableSchema(
                nullptr, headers, reader::SchemaSource::kHeader, &warnings);
  Result<std::shared_ptr<const reader::Table>> t =
      reader::Table::Open(d.sstables, sch);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  if (t.ok()) d.table = *t;
  return d;
}

// The merged rows rendered directly; `prefix_partitions` (when not null)
// receives the byte length of the output after each partition.
std::string DirectRows(const std::shared_ptr<const reader::Table>& table,
                       reader::RowFormat format,
                       std::vector<size_t>* after_partition = nullptr,
                       std::vector<reader::TableCursor>* cursors = nullptr) {
  std::string out;
  reader::StringSink sink(&out);
  std::unique_ptr<reader::RowSink> w = reader::NewRowWriter(format, &sink);
  reader::RowOptions ro;
  ro.now_seconds = kNow;
  reader::MergedReader merged(table, ro);
  EXPECT_TRUE(w->Begin(table->schema()).ok());
  EXPECT_TRUE(merged.SeekToFirst().ok());
  while (true) {
    if (cursors != nullptr) cursors->push_back(merged.cursor());
    Result<bool> more = merged.Next(w.get(), nullptr);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    EXPECT_TRUE(w->Flush().ok());
    if (after_partition != nullptr) after_partition->push_back(out.size());
  }
  EXPECT_TRUE(w->Finish().ok());
  return out;
}

std::string DirectDump(const reader::SSTable& s) {
  std::string out;
  reader::StringSink sink(&out);
  reader::DumpOptions o;
  o.now_seconds = kNow;
  EXPECT_TRUE(reader::DumpSSTableJson(s, o, &sink).ok());
  return out;
}

// Checks sstables/<name>/ of a table folder node against the SSTables on
// disk: files/ byte-identical, data.json = DumpSSTableJson, metadata.json
// parses and names the SSTable.
void CheckSSTables(const std::shared_ptr<Node>& table_dir,
                   const std::string& folder, bool check_data_json) {
  Result<std::vector<reader::Descriptor>> ds = reader::ListSSTables(folder);
  ASSERT_TRUE(ds.ok());
  Result<std::shared_ptr<Node>> sstables = table_dir->Lookup("sstables");
  ASSERT_TRUE(sstables.ok());
  std::set<std::string> listed;
  for (const std::string& n : Names(sstables->get())) listed.insert(n);
  for (const reader::Descriptor& d : *ds) {
    if (d.temporary) continue;
    const std::string name = d.prefix();
    SCOPED_TRACE(name);
    EXPECT_TRUE(listed.count(name)) << "SSTable not listed";
    Result<std::shared_ptr<Node>> dir = (*sstables)->Lookup(name);
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    // files/: every component, byte for byte.
    Result<std::shared_ptr<Node>> files = (*dir)->Lookup("files");
    ASSERT_TRUE(files.ok());
    std::vector<std::string> components = Names(files->get());
    EXPECT_FALSE(components.empty());
    for (const std::string& c : components) {
      EXPECT_EQ(c.compare(0, name.size() + 1, name + "-"), 0) << c;
      std::string got = MustRead(*files, c);
      EXPECT_TRUE(got == Slurp(folder + "/" + c)) << c << " differs";
    }
    EXPECT_TRUE(std::find(components.begin(), components.end(),
                          name + "-Data.db") != components.end() ||
                !stdfs::exists(d.ComponentPath("Data.db")));
    // metadata.json: valid JSON about this SSTable.
    std::string meta = MustRead(*dir, "metadata.json");
    nlohmann::json j = nlohmann::json::parse(meta, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << meta;
    EXPECT_EQ(j["sstable"], name);
    EXPECT_EQ(j["version"], d.version.str());
    if (check_data_json && d.IsReadable()) {
      Result<std::shared_ptr<reader::SSTable>> s =
          reader::SSTable::Open(d.ComponentPath("Data.db"), nullptr);
      ASSERT_TRUE(s.ok());
      EXPECT_TRUE(MustRead(*dir, "data.json") == DirectDump(**s))
          << "data.json differs from DumpSSTableJson";
    }
  }
}

// The example data set, written once per test binary by the
// sstablefs-example tool of the same build.
std::string ExampleDataDir() {
  static const std::string dir = [] {
    const std::string tool =
        std::string(SSTFS_BINARY_DIR) + "/tools/sstablefs-example";
    if (!stdfs::exists(tool)) return std::string();
    std::string out = (stdfs::temp_directory_path() /
                       ("sstablefs_tree_test_" + std::to_string(::getpid())))
                          .string();
    stdfs::remove_all(out);
    stdfs::create_directories(out);
    std::string cmd = tool + " " + out + " > /dev/null";
    if (std::system(cmd.c_str()) != 0) return std::string();
    static std::string to_remove;
    to_remove = out;
    std::atexit([] { stdfs::remove_all(to_remove); });
    return out;
  }();
  return dir;
}

#define REQUIRE_EXAMPLE(dir)                                               \
  const std::string dir = ExampleDataDir();                                \
  if (dir.empty()) {                                                       \
    if (testing::UnderCi()) FAIL() << "tools/sstablefs-example not built"; \
    GTEST_SKIP() << "build the sstablefs-example target to run this test"; \
  }

std::string ExampleTableDir(const std::string& data) {
  for (const auto& e : stdfs::directory_iterator(data + "/example_ks")) {
    return e.path().string();
  }
  return "";
}

// --- Example data ------------------------------------------------------------

TEST(TreeTest, ExampleDataDirectoryLayout) {
  REQUIRE_EXAMPLE(data);
  auto m = MountSource(data);
  ASSERT_NE(m->root, nullptr);
  EXPECT_EQ(
      Names(m->root.get()),
      (std::vector<std::string>{"README.txt", ".sstablefs", "example_ks"}));
  Result<std::shared_ptr<Node>> ks = m->root->Lookup("example_ks");
  ASSERT_TRUE(ks.ok());
  EXPECT_EQ(Names(ks->get()), std::vector<std::string>{"sensor_readings"});
  Result<std::shared_ptr<Node>> t =
      Resolve(m->root, "example_ks/sensor_readings");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(Names(t->get()),
            (std::vector<std::string>{"schema.cql", "rows.jsonl", "rows.csv",
                                      "partitions.csv", "verify.txt",
                                      "partitions", "sstables"}));
  int files = 0;
  WalkAll(m->root, "", &files);
  EXPECT_GT(files, 15);
  EXPECT_TRUE(m->root->Lookup("nothing").status().IsNotFound());
  EXPECT_FALSE(MustRead(m->root, "README.txt").empty());
  nlohmann::json status = nlohmann::json::parse(
      MustRead(m->root, ".sstablefs/status.json"), nullptr, false);
  EXPECT_FALSE(status.is_discarded());
  EXPECT_EQ(MustRead(m->root, ".sstablefs/errors.log"), "");
}

TEST(TreeTest, ExampleRowsMatchTheMerge) {
  REQUIRE_EXAMPLE(data);
  auto m = MountSource(data);
  ASSERT_NE(m->root, nullptr);
  const std::string table = ExampleTableDir(data);
  Direct d = OpenDirect(table, nullptr);
  ASSERT_NE(d.table, nullptr);
  const std::string base = "example_ks/sensor_readings/";
  const std::string jsonl = MustRead(m->root, base + "rows.jsonl");
  EXPECT_EQ(jsonl, DirectRows(d.table, reader::RowFormat::kJsonLines));
  EXPECT_FALSE(jsonl.empty());
  const std::string csv = MustRead(m->root, base + "rows.csv");
  EXPECT_EQ(csv, DirectRows(d.table, reader::RowFormat::kCsv));
  // Random reads agree with the whole file.
  Result<std::shared_ptr<Node>> f = Resolve(m->root, base + "rows.jsonl");
  ASSERT_TRUE(f.ok());
  for (uint64_t off : {uint64_t{0}, jsonl.size() / 3, jsonl.size() / 2,
                       jsonl.size() - 1, uint64_t{jsonl.size()}}) {
    EXPECT_EQ(ReadRange(f->get(), off, 100), jsonl.substr(off, 100)) << off;
  }
  // partitions.csv: the header then one line per listed partition.
  const std::string pcsv = MustRead(m->root, base + "partitions.csv");
  Result<std::shared_ptr<Node>> parts = Resolve(m->root, base + "partitions");
  ASSERT_TRUE(parts.ok());
  std::vector<DirEntry> keys = List(parts->get());
  EXPECT_EQ(keys.size(), 5u);  // sensor-01..05 (sensor-04 deleted, listed)
  EXPECT_EQ(static_cast<size_t>(std::count(pcsv.begin(), pcsv.end(), '\n')),
            keys.size() + 1);
  EXPECT_EQ(pcsv.substr(0, pcsv.find('\n') + 1), [] {
    std::string h = reader::PartitionsCsvHeader();
    if (h.back() != '\n') h.push_back('\n');
    return h;
  }());
  // Partition folders: their rows concatenated are the table's rows.
  std::string concat;
  for (const DirEntry& k : keys) {
    SCOPED_TRACE(k.name);
    EXPECT_TRUE(k.is_dir);
    EXPECT_EQ(
        Names(Resolve(*parts, k.name)->get()),
        (std::vector<std::string>{"rows.jsonl", "rows.csv", "history.jsonl"}));
    concat += MustRead(*parts, k.name + "/rows.jsonl");
    std::string csv_rows = MustRead(*parts, k.name + "/rows.csv");
    EXPECT_EQ(csv_rows.substr(0, csv_rows.find('\n')),
              csv.substr(0, csv.find('\n')));
    EXPECT_FALSE(MustRead(*parts, k.name + "/history.jsonl").empty());
  }
  EXPECT_EQ(concat, jsonl);
  EXPECT_TRUE((*parts)->Lookup("sensor-99").status().IsNotFound());
  EXPECT_TRUE((*parts)->Lookup("").status().IsNotFound() ||
              !(*parts)->Lookup("").ok());
}

TEST(TreeTest, ExampleSSTablesFolder) {
  REQUIRE_EXAMPLE(data);
  auto m = MountSource(data);
  ASSERT_NE(m->root, nullptr);
  Result<std::shared_ptr<Node>> t =
      Resolve(m->root, "example_ks/sensor_readings");
  ASSERT_TRUE(t.ok());
  CheckSSTables(*t, ExampleTableDir(data), /*check_data_json=*/true);
  const std::string verdict = MustRead(
      m->root, "example_ks/sensor_readings/sstables/nb-1-big/verify.txt");
  EXPECT_NE(verdict.find("verdict: ok"), std::string::npos) << verdict;
  const std::string table_verdict =
      MustRead(m->root, "example_ks/sensor_readings/verify.txt");
  EXPECT_NE(table_verdict.find("nb-1-big: ok"), std::string::npos)
      << table_verdict;
  EXPECT_NE(table_verdict.find("nb-2-big: ok"), std::string::npos);
  const std::string cql =
      MustRead(m->root, "example_ks/sensor_readings/schema.cql");
  EXPECT_NE(cql.find("CREATE TABLE"), std::string::npos) << cql;
}

// Every SOURCE kind of SPEC §1 built from the example table.
TEST(TreeTest, ExampleSourceKinds) {
  REQUIRE_EXAMPLE(data);
  const std::string table = ExampleTableDir(data);
  const std::string expected_rows = [&] {
    auto m = MountSource(data);
    return MustRead(m->root, "example_ks/sensor_readings/rows.jsonl");
  }();
  ASSERT_FALSE(expected_rows.empty());
  {  // a keyspace folder: its tables
    auto m = MountSource(data + "/example_ks");
    ASSERT_NE(m->root, nullptr);
    EXPECT_EQ(Names(m->root.get()),
              (std::vector<std::string>{"README.txt", ".sstablefs",
                                        "sensor_readings"}));
    EXPECT_EQ(MustRead(m->root, "sensor_readings/rows.jsonl"), expected_rows);
  }
  {  // a table folder: the table layout at the root
    auto m = MountSource(table);
    ASSERT_NE(m->root, nullptr);
    std::vector<std::string> names = Names(m->root.get());
    EXPECT_EQ(names.front(), "README.txt");
    EXPECT_NE(std::find(names.begin(), names.end(), "partitions"), names.end());
    EXPECT_EQ(MustRead(m->root, "rows.jsonl"), expected_rows);
  }
  // A loose folder, a snapshot with its schema.cql, and backups: copies.
  const std::string work = data + "-kinds";
  stdfs::remove_all(work);
  const std::string tdir = work + "/ks2/sensor_readings-" +
                           stdfs::path(table).filename().string().substr(16);
  const std::string loose = work + "/loose";
  for (const std::string& dst : {loose, tdir, tdir + "/snapshots/snap1",
                                 tdir + "/backups", tdir + "/.by_location"}) {
    stdfs::create_directories(dst);
    for (const auto& e : stdfs::directory_iterator(table)) {
      if (e.is_regular_file()) {
        stdfs::copy_file(e.path(), dst + "/" + e.path().filename().string());
      }
    }
  }
  {
    std::ofstream cql(tdir + "/snapshots/snap1/schema.cql");
    cql << "CREATE TABLE IF NOT EXISTS ks2.sensor_readings (\n"
           "  sensor_id text, reading_time timestamp, location text static,\n"
           "  temperature double, humidity int, sample_count bigint,\n"
           "  ok boolean, reading_id uuid, note text, tags set<text>,\n"
           "  alerts map<text, int>,\n"
           "  PRIMARY KEY (sensor_id, reading_time));\n";
  }
  {
    auto m = MountSource(loose);
    ASSERT_NE(m->root, nullptr);
    EXPECT_EQ(MustRead(m->root, "rows.jsonl"), expected_rows);
  }
  {
    auto m = MountSource(work);
    ASSERT_NE(m->root, nullptr);
    Result<std::shared_ptr<Node>> t = Resolve(m->root, "ks2/sensor_readings");
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    std::vector<std::string> names = Names(t->get());
    EXPECT_NE(std::find(names.begin(), names.end(), "snapshots"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "backups"), names.end());
    EXPECT_EQ(Names(Resolve(*t, "snapshots")->get()),
              std::vector<std::string>{"snap1"});
    // Names from the snapshot's schema.cql (SPEC §5), for every view.
    for (const char* view :
         {"rows.jsonl", "snapshots/snap1/rows.jsonl", "backups/rows.jsonl"}) {
      SCOPED_TRACE(view);
      std::string rows = MustRead(*t, view);
      EXPECT_EQ(rows.rfind("{\"sensor_id\": ", 0), 0u) << rows.substr(0, 80);
      EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'),
                std::count(expected_rows.begin(), expected_rows.end(), '\n'));
    }
    EXPECT_NE(MustRead(*t, "schema.cql").find("sensor_id"), std::string::npos);
    // A secondary index folder shows under sstables/ only.
    EXPECT_EQ(std::find(names.begin(), names.end(), ".by_location"),
              names.end());
    std::vector<std::string> sstables = Names(Resolve(*t, "sstables")->get());
    EXPECT_NE(std::find(sstables.begin(), sstables.end(), ".by_location"),
              sstables.end());
    EXPECT_FALSE(
        MustRead(*t, "sstables/.by_location/nb-1-big/metadata.json").empty());
    EXPECT_EQ(MustRead(*t,
                       "sstables/.by_location/nb-2-big/files/"
                       "nb-2-big-Data.db"),
              Slurp(table + "/nb-2-big-Data.db"));
  }
  {  // the snapshot itself as SOURCE
    auto m = MountSource(tdir + "/snapshots/snap1");
    ASSERT_NE(m->root, nullptr);
    EXPECT_EQ(MustRead(m->root, "rows.jsonl").rfind("{\"sensor_id\": ", 0), 0u);
  }
  {  // backups as SOURCE
    auto m = MountSource(tdir + "/backups");
    ASSERT_NE(m->root, nullptr);
    EXPECT_FALSE(MustRead(m->root, "rows.jsonl").empty());
  }
  {  // -o schema=FILE names a loose folder's columns
    auto m = MountSource(loose, {tdir + "/snapshots/snap1/schema.cql"});
    ASSERT_NE(m->root, nullptr);
    EXPECT_EQ(MustRead(m->root, "rows.jsonl").rfind("{\"sensor_id\": ", 0), 0u);
  }
  {  // one component file is refused with a message
    fs::MountOptions o;
    o.source = table + "/nb-1-big-Data.db";
    o.now_seconds = kNow;
    fs::MountContext ctx(o);
    Result<std::shared_ptr<Node>> root = fs::BuildRoot(&ctx);
    EXPECT_EQ(root.status().code(), StatusCode::kInvalidArgument);
    ctx.Shutdown();
  }
  stdfs::remove_all(work);
}

// A restarted render (from a TableCursor checkpoint) gives exactly the bytes
// of the full render from that point on, without a second CSV header.
TEST(TreeTest, RowsDocumentsRestartAtCursors) {
  REQUIRE_EXAMPLE(data);
  auto m = MountSource(ExampleTableDir(data));
  ASSERT_NE(m->root, nullptr);
  auto table_dir = std::dynamic_pointer_cast<fs::tree::TableDir>(m->root);
  ASSERT_NE(table_dir, nullptr);
  std::shared_ptr<fs::tree::TableModel> model = table_dir->model();
  Result<std::shared_ptr<const reader::Table>> table = model->GetTable();
  ASSERT_TRUE(table.ok());

  class Output : public fs::DocumentOutput {
   public:
    explicit Output(uint64_t start) : offset_(start) {}
    Status Append(std::string_view b) override {
      text += b;
      offset_ += b.size();
      return Status::Ok();
    }
    uint64_t offset() const override { return offset_; }
    bool wants_checkpoints() const override { return false; }
    void Checkpoint(std::string) override {}
    std::string text;

   private:
    uint64_t offset_;
  };

  for (reader::RowFormat format :
       {reader::RowFormat::kJsonLines, reader::RowFormat::kCsv}) {
    std::vector<size_t> ends;
    std::vector<reader::TableCursor> cursors;
    const std::string full = DirectRows(*table, format, &ends, &cursors);
    auto doc = fs::tree::MakeRowsDocument(model, format);
    ASSERT_GE(cursors.size(), 3u);
    for (size_t k = 1; k + 1 < cursors.size(); ++k) {
      const std::string state = fs::tree::EncodeTableCursor(cursors[k]);
      Output out(ends[k - 1]);
      ASSERT_TRUE(doc->Render(&state, &out).ok());
      EXPECT_EQ(out.text, full.substr(ends[k - 1])) << "after partition " << k;
    }
    Output whole(0);
    ASSERT_TRUE(doc->Render(nullptr, &whole).ok());
    EXPECT_EQ(whole.text, full);
    const std::string bad = "xyz";
    Output o2(0);
    EXPECT_FALSE(doc->Render(&bad, &o2).ok());
  }
}

// data.json restart points: resuming from each gives the rest of the dump.
TEST(TreeTest, DataJsonResumesAtEveryCheckpoint) {
  SSTFS_REQUIRE_CORPUS();
  int checked = 0;
  for (const nlohmann::json& set : testing::ExpectedSets()) {
    if (testing::IsBrokenSet(set)) continue;
    for (const std::string& data : testing::ReadableDataFiles(set)) {
      Result<std::shared_ptr<reader::SSTable>> s =
          reader::SSTable::Open(data, nullptr);
      if (!s.ok()) continue;
      for (bool lines : {false, true}) {
        SCOPED_TRACE(data + (lines ? " -l" : ""));
        reader::DumpOptions o;
        o.now_seconds = kNow;
        o.json_lines = lines;
        std::string full;
        reader::StringSink sink(&full);
        std::vector<std::pair<size_t, reader::DumpResumePoint>> points;
        ASSERT_TRUE(reader::DumpSSTableJsonResumable(
                        **s, o, nullptr, 1,
                        [&](const reader::DumpResumePoint& p) {
                          points.emplace_back(full.size(), p);
                        },
                        &sink)
                        .ok());
        std::string plain;
        reader::StringSink plain_sink(&plain);
        ASSERT_TRUE(reader::DumpSSTableJson(**s, o, &plain_sink).ok());
        ASSERT_EQ(full, plain);
        // Every partition but the first is a restart point; test a few.
        const size_t step = points.size() > 20 ? points.size() / 10 : 1;
        for (size_t i = 0; i < points.size(); i += step) {
          std::string rest;
          reader::StringSink rest_sink(&rest);
          ASSERT_TRUE(reader::DumpSSTableJsonResumable(
                          **s, o, &points[i].second, 0, nullptr, &rest_sink)
                          .ok());
          ASSERT_EQ(rest, full.substr(points[i].first)) << "point " << i;
        }
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100);
}

// --- Corpus ------------------------------------------------------------------

// Names that parse as a key of `key_type` but are not among `listed`.
std::vector<std::string> AbsentNames(const reader::CqlType& key_type,
                                     const std::set<std::string>& listed) {
  std::vector<std::string> out;
  for (const char* n :
       {"sstablefs-absent-key", "987654321", "0x5353544653", "-123456789",
        "7e57ab1e-0000-4000-8000-000000000000", "sstablefs-absent:1",
        "987654321:987654321", "2001-02-03T04:05:06.000Z", "false"}) {
    if (listed.count(n)) continue;
    if (reader::ParsePartitionFolderName(key_type, n).ok()) out.push_back(n);
  }
  return out;
}

void CheckCorpusSet(const nlohmann::json& set, int* absent_checked) {
  const std::string path =
      testing::CorpusDir() + "/" + set["path"].get<std::string>();
  SCOPED_TRACE(path);
  auto m = MountSource(path);
  ASSERT_NE(m->root, nullptr);
  auto table_dir = std::dynamic_pointer_cast<fs::tree::TableDir>(m->root);
  ASSERT_NE(table_dir, nullptr) << "a set mounts as a table layout";
  CheckSSTables(m->root, path, /*check_data_json=*/true);

  Result<std::vector<reader::Descriptor>> ds = reader::ListSSTables(path);
  ASSERT_TRUE(ds.ok());
  bool all_readable = true;
  for (const reader::Descriptor& d : *ds) {
    all_readable = all_readable && (d.temporary || d.IsReadable());
  }
  if (!all_readable) {
    // An SSTable of a format we cannot decode (the bti twins in the legacy
    // na folders) is left out of the merged view, and schema.cql says so.
    EXPECT_TRUE(ReadPath(m->root, "rows.jsonl").ok());
    EXPECT_NE(MustRead(m->root, "schema.cql")
                  .find("its rows are not part of this table view"),
              std::string::npos);
    return;
  }
  Direct d =
      OpenDirect(path, &table_dir->model()->GetTable().value()->schema());
  ASSERT_NE(d.table, nullptr);
  const std::string jsonl = MustRead(m->root, "rows.jsonl");
  EXPECT_TRUE(jsonl == DirectRows(d.table, reader::RowFormat::kJsonLines))
      << "rows.jsonl differs from the merge";
  EXPECT_FALSE(MustRead(m->root, "rows.csv").empty());
  EXPECT_FALSE(MustRead(m->root, "schema.cql").empty());
  const std::string pcsv = MustRead(m->root, "partitions.csv");

  Result<std::shared_ptr<Node>> parts = m->root->Lookup("partitions");
  ASSERT_TRUE(parts.ok());
  std::vector<DirEntry> keys = List(parts->get());
  EXPECT_EQ(static_cast<size_t>(std::count(pcsv.begin(), pcsv.end(), '\n')),
            keys.size() + 1);
  if (set.contains("partitions") && set["partitions"].is_number()) {
    EXPECT_EQ(keys.size(), set["partitions"].get<size_t>());
  }
  std::set<std::string> listed;
  std::string concat;
  const bool concat_all = keys.size() <= 2000;
  for (size_t i = 0; i < keys.size(); ++i) {
    listed.insert(keys[i].name);
    if (!concat_all && i % 997 != 0) continue;
    Result<std::shared_ptr<Node>> p = (*parts)->Lookup(keys[i].name);
    ASSERT_TRUE(p.ok()) << keys[i].name << ": " << p.status().ToString();
    std::string rows = MustRead(*p, "rows.jsonl");
    if (concat_all) concat += rows;
    EXPECT_TRUE(ReadPath(*p, "history.jsonl").ok()) << keys[i].name;
  }
  EXPECT_EQ(listed.size(), keys.size()) << "duplicate partition names";
  if (concat_all) {
    EXPECT_TRUE(concat == jsonl) << "partition rows differ from rows.jsonl";
  }
  if (!d.sstables.empty()) {
    for (const std::string& n :
         AbsentNames(*d.sstables[0]->columns().key_type, listed)) {
      EXPECT_TRUE((*parts)->Lookup(n).status().IsNotFound()) << n;
      ++*absent_checked;
    }
  }
  EXPECT_EQ(MustRead(m->root, ".sstablefs/errors.log"), "");
}

TEST(TreeTest, EveryCorpusSetMounts) {
  SSTFS_REQUIRE_CORPUS();
  int sets = 0;
  int absent_checked = 0;
  for (const nlohmann::json& set : testing::ExpectedSets()) {
    if (testing::IsBrokenSet(set)) continue;
    CheckCorpusSet(set, &absent_checked);
    ++sets;
  }
  EXPECT_GT(sets, 100);
  EXPECT_GT(absent_checked, 100);
}

// A deliberately corrupt SSTable: the merged rows fail with kCorruption (EIO
// in the mount) and a line in errors.log; metadata.json and files/ read.
TEST(TreeTest, CorruptSetFailsOnlyItsRows) {
  SSTFS_REQUIRE_CORPUS();
  int checked = 0;
  for (const nlohmann::json& set : testing::ExpectedSets()) {
    if (!set.value("deliberately_corrupt", false)) continue;
    const std::string path =
        testing::CorpusDir() + "/" + set["path"].get<std::string>();
    SCOPED_TRACE(path);
    auto m = MountSource(path);
    ASSERT_NE(m->root, nullptr);
    CheckSSTables(m->root, path, /*check_data_json=*/false);
    Result<std::string> rows = ReadPath(m->root, "rows.jsonl");
    const bool checksums = set["path"].get<std::string>().find(
                               "invalid_checksums") != std::string::npos;
    if (checksums) {
      ASSERT_FALSE(rows.ok());
      EXPECT_EQ(rows.status().code(), StatusCode::kCorruption)
          << rows.status().ToString();
      EXPECT_NE(MustRead(m->root, ".sstablefs/errors.log"), "");
    }
    // verify.txt says what is wrong either way.
    Result<std::shared_ptr<Node>> sst = m->root->Lookup("sstables");
    ASSERT_TRUE(sst.ok());
    for (const std::string& name : Names(sst->get())) {
      std::string v = MustRead(*sst, name + "/verify.txt");
      EXPECT_NE(v.find("verdict: DAMAGED"), std::string::npos) << v;
    }
    EXPECT_NE(MustRead(m->root, "verify.txt").find("verdict: DAMAGED"),
              std::string::npos);
    EXPECT_NE(MustRead(m->root, ".sstablefs/errors.log"), "");
    ++checked;
  }
  EXPECT_GE(checked, 2);
}

// Damage stays local (SPEC §2): a corrupt table beside a good one in one
// data directory fails only its own merged files.
TEST(TreeTest, DamagedTableLeavesOthersReadable) {
  SSTFS_REQUIRE_CORPUS();
  REQUIRE_EXAMPLE(data);
  const std::string work = data + "-damaged";
  stdfs::remove_all(work);
  stdfs::copy(data, work, stdfs::copy_options::recursive);
  const std::string bad = work + "/bad_ks/t-0123456789abcdef0123456789abcdef";
  stdfs::create_directories(bad);
  const std::string corrupt =
      testing::CorpusDir() + "/scylla-3x/lz4/integrity_check/invalid_checksums";
  for (const auto& e : stdfs::directory_iterator(corrupt)) {
    stdfs::copy_file(e.path(), bad + "/" + e.path().filename().string());
  }
  {
    auto m = MountSource(work);
    ASSERT_NE(m->root, nullptr);
    EXPECT_EQ(Names(m->root.get()),
              (std::vector<std::string>{"README.txt", ".sstablefs", "bad_ks",
                                        "example_ks"}));
    Result<std::string> rows = ReadPath(m->root, "bad_ks/t/rows.jsonl");
    ASSERT_FALSE(rows.ok());
    EXPECT_EQ(rows.status().code(), StatusCode::kCorruption);
    EXPECT_FALSE(
        MustRead(m->root, "example_ks/sensor_readings/rows.jsonl").empty());
    EXPECT_TRUE(
        ReadPath(m->root, "bad_ks/t/sstables/me-1-big/metadata.json").ok());
    EXPECT_TRUE(ReadPath(m->root, "bad_ks/t/schema.cql").ok());
    const std::string log = MustRead(m->root, ".sstablefs/errors.log");
    EXPECT_NE(log.find("checksum mismatch"), std::string::npos) << log;
    EXPECT_EQ(log.find("example_ks"), std::string::npos) << log;
    // A second failing read adds no second line for the same damage.
    EXPECT_FALSE(ReadPath(m->root, "bad_ks/t/rows.jsonl").ok());
    EXPECT_EQ(MustRead(m->root, ".sstablefs/errors.log"), log);
  }
  stdfs::remove_all(work);
}

// Documents over kCheckpointInterval: reads at any offset (served from the
// checkpoints the size pass took) equal the same range of the whole file.
TEST(TreeTest, LargeDocumentsReadAtAnyOffset) {
  SSTFS_REQUIRE_CORPUS();
  const std::string path = testing::CorpusDir() +
                           "/scylla-3x/uncompressed/write_many_live_partitions";
  auto m = MountSource(path);
  ASSERT_NE(m->root, nullptr);
  Result<std::shared_ptr<Node>> sst = m->root->Lookup("sstables");
  ASSERT_TRUE(sst.ok());
  std::vector<std::string> names = Names(sst->get());
  ASSERT_EQ(names.size(), 1u);
  int large = 0;
  for (const std::string& file :
       {std::string("partitions.csv"), "sstables/" + names[0] + "/data.json"}) {
    SCOPED_TRACE(file);
    Result<std::shared_ptr<Node>> node = Resolve(m->root, file);
    ASSERT_TRUE(node.ok());
    const std::string whole = MustRead(m->root, file);
    if (whole.size() > 2 * fs::kCheckpointInterval) ++large;
    for (uint64_t off : {whole.size() - 10, whole.size() / 2 + 7,
                         whole.size() / 3, uint64_t{fs::kCheckpointInterval},
                         uint64_t{fs::kCheckpointInterval - 1},
                         uint64_t{fs::kCheckpointInterval + 1}, uint64_t{1}}) {
      if (off >= whole.size()) continue;
      EXPECT_EQ(ReadRange(node->get(), off, 70000), whole.substr(off, 70000))
          << "offset " << off;
    }
  }
  EXPECT_EQ(large, 2) << "the documents should span several checkpoints";
}

// A data directory holding system_schema: column names come from it.
TEST(TreeTest, DataDirectoryWithSystemSchemaNamesColumns) {
  REQUIRE_EXAMPLE(data);
  const std::string work = data + "-sys";
  stdfs::remove_all(work);
  stdfs::copy(data, work, stdfs::copy_options::recursive);
  Result<reader::SchemaCatalog> cat = reader::SchemaCatalog::FromCql(
      "CREATE TABLE example_ks.sensor_readings (sensor_id text, reading_time "
      "timestamp, location text static, temperature double, humidity int, "
      "sample_count bigint, ok boolean, reading_id uuid, note text, tags "
      "set<text>, alerts map<text, int>, PRIMARY KEY (sensor_id, "
      "reading_time));",
      "test", "example_ks");
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  ASSERT_TRUE(
      writer::WriteSystemSchema(work, cat->tables(), cat->types()).ok());
  {
    auto m = MountSource(work);
    ASSERT_NE(m->root, nullptr);
    std::vector<std::string> names = Names(m->root.get());
    EXPECT_NE(std::find(names.begin(), names.end(), "system_schema"),
              names.end());
    const std::string rows =
        MustRead(m->root, "example_ks/sensor_readings/rows.jsonl");
    EXPECT_EQ(rows.rfind("{\"sensor_id\": ", 0), 0u) << rows.substr(0, 80);
    const std::string cql =
        MustRead(m->root, "example_ks/sensor_readings/schema.cql");
    EXPECT_NE(cql.find("reading_time"), std::string::npos) << cql;
    // The schema keyspace itself is a keyspace like any other.
    EXPECT_TRUE(ReadPath(m->root, "system_schema/tables/rows.jsonl").ok());
  }
  stdfs::remove_all(work);
}

// Partition names that need escaping or the long-name form (SPEC §4):
// every listed name resolves, long names also without a listing, and
// non-canonical spellings do not.
TEST(TreeTest, PartitionNamesEscapeAndHash) {
  const std::string dir =
      (stdfs::temp_directory_path() /
       ("sstablefs_tree_names_" + std::to_string(::getpid())))
          .string();
  stdfs::remove_all(dir);
  stdfs::create_directories(dir);
  std::vector<std::string> keys = {"a/b",    ":colon:", ".hidden",
                                   "~tilde", "plain",   "100%"};
  for (int i = 0; i < 5; ++i)
    keys.push_back(std::string(300, 'x') + char('0' + i));
  for (int i = 0; i < 300; ++i) keys.push_back("key-" + std::to_string(i));
  reader::Partitioner p;
  std::sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
    return p.CompareKeys(reader::ByteView(a), reader::ByteView(b)) < 0;
  });
  {
    writer::WriterSchema ws;
    ws.key_type = "org.apache.cassandra.db.marshal.UTF8Type";
    writer::WriterOptions wo;
    wo.min_index_interval = 4;  // several Summary.db entries
    auto w = writer::SSTableWriter::Create(dir, ws, wo);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    for (const std::string& k : keys) {
      writer::PartitionData pd;
      pd.key = k;
      ASSERT_TRUE((*w)->Add(pd).ok());
    }
    ASSERT_TRUE((*w)->Finish().ok());
  }
  std::vector<std::string> hashed;
  {
    auto m = MountSource(dir);
    ASSERT_NE(m->root, nullptr);
    Result<std::shared_ptr<Node>> parts = m->root->Lookup("partitions");
    ASSERT_TRUE(parts.ok());
    std::vector<std::string> names = Names(parts->get());
    ASSERT_EQ(names.size(), keys.size());
    for (const std::string& n : names) {
      SCOPED_TRACE(n);
      EXPECT_LE(n.size(), 255u);
      EXPECT_EQ(n.find('/'), std::string::npos);
      EXPECT_NE(n[0], '.');
      EXPECT_TRUE((*parts)->Lookup(n).ok());
      if (n[0] == '~') hashed.push_back(n);
    }
    EXPECT_EQ(hashed.size(), 5u);
    EXPECT_NE(std::find(names.begin(), names.end(), "a%2Fb"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "%2Ehidden"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "%7Etilde"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "plain"), names.end());
    EXPECT_TRUE((*parts)->Lookup("a%2fb").status().IsNotFound());
    EXPECT_TRUE((*parts)->Lookup("absent").status().IsNotFound());
    EXPECT_TRUE((*parts)->Lookup("%ZZ").status().IsNotFound());
  }
  {  // long names resolve in a mount that never listed them
    auto m = MountSource(dir);
    ASSERT_NE(m->root, nullptr);
    Result<std::shared_ptr<Node>> parts = m->root->Lookup("partitions");
    ASSERT_TRUE(parts.ok());
    for (const std::string& n : hashed) {
      EXPECT_TRUE((*parts)->Lookup(n).ok()) << n;
      std::string wrong = n;
      wrong.back() = wrong.back() == '0' ? '1' : '0';
      EXPECT_TRUE((*parts)->Lookup(wrong).status().IsNotFound()) << wrong;
    }
    EXPECT_TRUE((*parts)->Lookup("a/b").status().IsNotFound() ||
                !(*parts)->Lookup("a/b").ok());
    EXPECT_TRUE((*parts)->Lookup("key-7").ok());
    EXPECT_TRUE((*parts)->Lookup("key-300").status().IsNotFound());
  }
  stdfs::remove_all(dir);
}

TEST(TreeTest, NothingRecognisableIsRefused) {
  const std::string empty =
      (stdfs::temp_directory_path() /
       ("sstablefs_tree_empty_" + std::to_string(::getpid())))
          .string();
  stdfs::create_directories(empty);
  fs::MountOptions o;
  o.source = empty;
  o.now_seconds = kNow;
  fs::MountContext ctx(o);
  Result<std::shared_ptr<Node>> root = fs::BuildRoot(&ctx);
  EXPECT_FALSE(root.ok());
  ctx.Shutdown();
  stdfs::remove_all(empty);
}

}  // namespace
}  // namespace sstablefs
